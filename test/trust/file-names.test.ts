import { ApiObject } from 'cdk8s';
import * as path from 'path';
import { OcpkitError } from '../../lib/core/errors';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { containedFile, fileName } from '../../lib/synth/_object-names';
import { synthesize } from '../../lib/pipeline-defaults';
import { testCluster } from '../_helpers';

/** Synthesizes raw objects (schema validation off: names must be refused by the synthesizer itself). */
function synthObjects(objects: { apiVersion: string; kind: string; name: unknown; namespace?: unknown; id?: string }[]) {
  const c = testCluster();
  const app = new GitOpsApp(c, 'App', { name: 'app', namespace: 'app' });
  objects.forEach((o, i) => {
    const metadata: any = { name: o.name };
    if (o.namespace !== undefined) metadata.namespace = o.namespace;
    new ApiObject(app, o.id ?? `O${i}`, { apiVersion: o.apiVersion, kind: o.kind, metadata });
  });
  return synthesize(c, { validator: false, policies: false, references: false });
}

function refusal(fn: () => unknown): OcpkitError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OcpkitError) return e;
    throw new Error(`expected an OcpkitError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
  throw new Error('nothing was refused');
}

describe('class 2: object names become file names only when they are Kubernetes names', () => {
  const refused: [string, { apiVersion: string; kind: string; name: unknown; namespace?: unknown }, string][] = [
    ['a name with a slash', { apiVersion: 'v1', kind: 'ConfigMap', name: 'a/b' }, 'metadata.name'],
    ['a name that climbs out', { apiVersion: 'v1', kind: 'ConfigMap', name: '../../etc' }, 'metadata.name'],
    ['a name of two dots', { apiVersion: 'v1', kind: 'ConfigMap', name: '..' }, 'metadata.name'],
    ['a NUL in the name', { apiVersion: 'v1', kind: 'ConfigMap', name: 'a\u0000b' }, 'metadata.name'],
    ['a newline in the name', { apiVersion: 'v1', kind: 'ConfigMap', name: 'a\n---\nb' }, 'metadata.name'],
    ['upper case in a subdomain name', { apiVersion: 'v1', kind: 'ConfigMap', name: 'Web' }, 'metadata.name'],
    ['an empty name', { apiVersion: 'v1', kind: 'ConfigMap', name: '' }, 'metadata.name'],
    ['a number as name', { apiVersion: 'v1', kind: 'ConfigMap', name: 42 }, 'metadata.name'],
    ['a 254-character name', { apiVersion: 'v1', kind: 'ConfigMap', name: 'a'.repeat(254) }, 'metadata.name'],
    ['a namespace with a slash', { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', namespace: 'a/b' }, 'metadata.namespace'],
    ['a namespace that climbs out', { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', namespace: '..' }, 'metadata.namespace'],
    ['a dotted namespace', { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', namespace: 'a.b' }, 'metadata.namespace'],
    ['a 64-character namespace', { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', namespace: 'n'.repeat(64) }, 'metadata.namespace'],
    ['a Namespace named with a dot', { apiVersion: 'v1', kind: 'Namespace', name: 'a.b' }, 'metadata.name'],
    ['a Service starting with a digit (RFC 1035)', { apiVersion: 'v1', kind: 'Service', name: '1web', namespace: 'app' }, 'metadata.name'],
    ['a CronJob name of 53 characters', { apiVersion: 'batch/v1', kind: 'CronJob', name: 'c'.repeat(53), namespace: 'app' }, 'metadata.name'],
    ['a ClusterRole named ..', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: '..' }, 'metadata.name'],
    ['a ClusterRole with a slash', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'a/../../b' }, 'metadata.name'],
    ['a ClusterRole with a percent sign', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'a%2f' }, 'metadata.name'],
    ['a kind with a slash', { apiVersion: 'v1', kind: 'Config/Map', name: 'x' }, 'kind'],
  ];

  test.each(refused)('%s is refused naming the construct and field', (_what, obj, field) => {
    const err = refusal(() => synthObjects([obj]));
    expect(err.problems.some((p) => p.path.includes('App/O0') && p.field === field)).toBe(true);
    // One line per problem, whatever the name holds.
    for (const p of err.problems) expect(`${p.path} ${p.field} ${p.message}`).not.toMatch(/[\n\u0000]/);
  });

  const allowed: [string, { apiVersion: string; kind: string; name: string; namespace?: string }, string][] = [
    ['a dotted ConfigMap name', { apiVersion: 'v1', kind: 'ConfigMap', name: 'a.b-c', namespace: 'app' }, 'test/app/configmap.app.a.b-c.yaml'],
    ['a ClusterRole with colons and upper case', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'system:openshift:Scc' }, 'test/app/clusterrole.system:openshift:Scc.yaml'],
    ['a CronJob name of 52 characters', { apiVersion: 'batch/v1', kind: 'CronJob', name: 'c'.repeat(52), namespace: 'app' }, `test/app/cronjob.app.${'c'.repeat(52)}.yaml`],
  ];

  test.each(allowed)('%s is written where expected', (_what, obj, file) => {
    const result = synthObjects([obj]);
    expect([...result.files.keys()]).toContain(file);
  });

  test('two names that differ only in letter case are refused (case-insensitive file systems)', () => {
    const err = refusal(() => synthObjects([
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'Admin-Extra' },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: 'admin-extra' },
    ]));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0].path).toContain('App/O1');
    expect(err.problems[0].message).toMatch(/differs only in letter case from the object at .*App\/O0/);
  });

  test('a long valid name keeps the file name within 255 bytes, unique and stable', () => {
    const a = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'n'.repeat(63), name: `${'a'.repeat(240)}.x` } };
    const b = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'n'.repeat(63), name: `${'a'.repeat(240)}.y` } };
    expect(Buffer.byteLength(fileName(a))).toBeLessThanOrEqual(255);
    expect(fileName(a)).not.toBe(fileName(b));
    expect(fileName(a)).toBe(fileName(a));
    expect(fileName({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'x', name: 'short' } })).toBe('configmap.x.short.yaml');
  });

  test.each([
    [['test', 'app', 'x.yaml'], 'test/app/x.yaml'],
    [['test', '..', 'x.yaml'], undefined],
    [['test', '', 'x.yaml'], undefined],
    [['/etc', 'app', 'x.yaml'], undefined],
    [['test', 'app', 'a\\..\\b.yaml'], undefined],
    [['test', '.', 'x.yaml'], undefined],
  ])('the containment check of %j gives %s', (parts, expected) => {
    expect(containedFile(...(parts as string[]))).toBe(expected);
  });

  test('every file of a synthesized stack resolves inside the output folder', () => {
    const result = synthObjects([{ apiVersion: 'v1', kind: 'ConfigMap', name: 'web', namespace: 'app' }]);
    const root = path.resolve('/out');
    for (const f of result.files.keys()) expect(path.resolve(root, f).startsWith(`${root}${path.sep}`)).toBe(true);
  });
});
