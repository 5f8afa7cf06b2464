import { formatPath } from '../../lib/diff/field-path';
import { canonicalJson, deepEqual, diffValues } from '../../lib/diff/value-diff';

const paths = (a: unknown, b: unknown) => diffValues(a, b).map((c) => `${c.op} ${formatPath(c.path)}`);

describe('diffValues', () => {
  test('equal documents with different key order: no change', () => {
    expect(diffValues({ a: 1, b: { c: [1, 2], d: 'x' } }, { b: { d: 'x', c: [1, 2] }, a: 1 })).toEqual([]);
  });

  test('added, removed and changed fields with old and new values', () => {
    expect(diffValues({ spec: { replicas: 2, paused: false } }, { spec: { replicas: 3, minReadySeconds: 5 } })).toEqual([
      { path: ['spec', 'replicas'], op: 'changed', old: 2, new: 3 },
      { path: ['spec', 'paused'], op: 'removed', old: false },
      { path: ['spec', 'minReadySeconds'], op: 'added', new: 5 },
    ]);
  });

  test('type changes are changes (2 vs "2")', () => {
    expect(paths({ a: 2 }, { a: '2' })).toEqual(['changed a']);
  });

  test('list members with unique names are matched by name; reordering a set-like list is not a change', () => {
    const a = { containers: [{ name: 'web', image: 'a' }, { name: 'sidecar', image: 'b' }] };
    const b = { containers: [{ name: 'sidecar', image: 'b' }, { name: 'web', image: 'a2' }] };
    expect(paths(a, b)).toEqual(['changed containers[name=web].image']);
  });

  test('added and removed keyed members', () => {
    const a = { volumes: [{ name: 'data' }, { name: 'logs' }] };
    const b = { volumes: [{ name: 'data' }, { name: 'cache' }] };
    expect(paths(a, b)).toEqual(['removed volumes[name=logs]', 'added volumes[name=cache]']);
  });

  test('reordering an ordered keyed list (initContainers, VM disks) is reported', () => {
    const a = { initContainers: [{ name: 'a' }, { name: 'b' }] };
    const b = { initContainers: [{ name: 'b' }, { name: 'a' }] };
    expect(diffValues(a, b)).toEqual([{ path: ['initContainers'], op: 'reordered', old: ['a', 'b'], new: ['b', 'a'] }]);
    expect(paths({ disks: [{ name: 'root' }, { name: 'data' }] }, { disks: [{ name: 'data' }, { name: 'root' }] })).toEqual(['reordered disks']);
  });

  test('env order matters only when a value refers to another variable', () => {
    const plain = (e: unknown[]) => ({ env: e });
    expect(paths(plain([{ name: 'A', value: '1' }, { name: 'B', value: '2' }]), plain([{ name: 'B', value: '2' }, { name: 'A', value: '1' }]))).toEqual([]);
    expect(paths(plain([{ name: 'A', value: '1' }, { name: 'B', value: '$(A)/x' }]), plain([{ name: 'B', value: '$(A)/x' }, { name: 'A', value: '1' }]))).toEqual(['reordered env']);
  });

  test('set-like scalar lists: reordering is no change, members added and removed by value', () => {
    expect(paths({ accessModes: ['A', 'B'] }, { accessModes: ['B', 'A'] })).toEqual([]);
    expect(diffValues({ includedNamespaces: ['forum', 'wiki'] }, { includedNamespaces: ['wiki', 'paste'] })).toEqual([
      { path: ['includedNamespaces', { item: 'forum' }], op: 'removed', old: 'forum' },
      { path: ['includedNamespaces', { item: 'paste' }], op: 'added', new: 'paste' },
    ]);
    expect(formatPath(['spec', 'includedNamespaces', { item: 'forum' }])).toBe('spec.includedNamespaces[forum]');
  });

  test('ordered scalar lists (args) are compared as a whole', () => {
    expect(diffValues({ args: ['-a', '-b'] }, { args: ['-b', '-a'] })).toEqual([{ path: ['args'], op: 'changed', old: ['-a', '-b'], new: ['-b', '-a'] }]);
  });

  test('set-like object lists without keys (RBAC rules) are matched by value', () => {
    const r1 = { apiGroups: [''], resources: ['pods'], verbs: ['get'] };
    const r2 = { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] };
    expect(paths({ rules: [r1, r2] }, { rules: [{ ...r2, verbs: ['list', 'get'] }, r1] })).toEqual([]);
    expect(paths({ rules: [r1] }, { rules: [r1, r2] })).toEqual(['added rules[1]']);
  });

  test('in a set-like object list, a member that keeps most of its fields is one changed member, not a removal and an addition', () => {
    const alert = (expr: string) => ({ alert: 'VeleroBackupTooOld', expr, labels: { severity: 'critical' }, annotations: { summary: 's' } });
    const other = { alert: 'X', expr: 'up == 0', labels: { severity: 'warning' } };
    expect(paths({ rules: [other, alert('a > 93600')] }, { rules: [alert('a > 612000'), other] })).toEqual(['changed rules[0].expr']);
    // nothing in common: still a removal and an addition
    expect(paths({ rules: [{ a: 1, b: 2 }] }, { rules: [{ c: 3, d: 4 }] })).toEqual(['removed rules[0]', 'added rules[0]']);
  });

  test('other lists are compared by position', () => {
    expect(paths({ items: [{ a: 1 }, { a: 2 }] }, { items: [{ a: 1 }, { a: 3 }, { a: 4 }] })).toEqual(['changed items[1].a', 'added items[2]']);
  });

  test('equal quantities written differently are equal; different ones are not', () => {
    expect(paths({ resources: { requests: { storage: '1Gi', cpu: '500m' } } }, { resources: { requests: { storage: '1024Mi', cpu: '0.5' } } })).toEqual([]);
    expect(paths({ resources: { requests: { storage: '1Gi' } } }, { resources: { requests: { storage: '1G' } } })).toEqual(['changed resources.requests.storage']);
    expect(paths({ labels: { size: '1Gi' } }, { labels: { size: '1024Mi' } })).toEqual(['changed labels.size']);
  });

  test('paths quote keys that are not identifiers', () => {
    expect(paths({ metadata: { annotations: { 'argocd.argoproj.io/sync-wave': '1' } } }, { metadata: { annotations: { 'argocd.argoproj.io/sync-wave': '2' } } })).toEqual([
      'changed metadata.annotations["argocd.argoproj.io/sync-wave"]',
    ]);
  });

  test('deepEqual and canonicalJson ignore key order only', () => {
    expect(deepEqual({ a: [1, { b: 2, c: 3 }] }, { a: [1, { c: 3, b: 2 }] })).toBe(true);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });
});
