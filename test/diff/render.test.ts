/**
 * "Show what changed, exactly": no value is cut so that the change disappears, masking hides
 * values but never names, and the output fits its budget without losing a resource.
 */
import * as fc from 'fast-check';
import { fieldLines, textDiff } from '../../lib/diff/_render';
import { byteSize, fitBlocks } from '../../lib/diff/budget';
import { diffTreeFiles, DiffResult, FieldChange, ResourceChange } from '../../lib/diff/diff-trees';
import { formatMarkdown } from '../../lib/diff/format-markdown';
import { formatText } from '../../lib/diff/format-text';
import { MASKED, maskValue } from '../../lib/diff/masking';

const F = 'production/forum';
const tree = (files: Record<string, unknown>) => new Map(Object.entries(files).map(([k, v]) => [k, JSON.stringify(v)]));
const diff = (a: Record<string, unknown>, b: Record<string, unknown>) => diffTreeFiles(tree(a), tree(b));
const field = (old: unknown, neu: unknown, path = 'data.x'): FieldChange => ({ path, op: 'changed', old, new: neu, masked: false });

describe('long values are shown, not cut', () => {
  test('a shell script in a CronJob: only the changed line with two lines of context, and a line number', () => {
    const lines = Array.from({ length: 60 }, (_, i) => `echo step ${i}`);
    const changed = [...lines];
    changed[30] = 'echo step 30 --with-a-new-flag';
    const out = fieldLines(field(lines.join('\n'), changed.join('\n'), 'spec.jobTemplate.spec.template.spec.containers[name=s].args[1]'), 'diff');
    expect(out).toEqual([
      '@@ spec.jobTemplate.spec.template.spec.containers[name=s].args[1]: (text changed)',
      '  @@ line 29 (new 29)',
      '  echo step 28',
      '  echo step 29',
      '- echo step 30',
      '+ echo step 30 --with-a-new-flag',
      '  echo step 31',
      '  echo step 32',
    ]);
  });

  test('two separate edits in a long text are two hunks; every changed line is there however many', () => {
    const a = Array.from({ length: 200 }, (_, i) => `line ${i}`);
    const b = a.map((l, i) => (i === 10 || (i >= 100 && i < 160) ? `${l} changed` : l));
    const out = textDiff(a.join('\n'), b.join('\n'));
    expect(out.filter((l) => l.startsWith('  @@'))).toHaveLength(2);
    expect(out.filter((l) => l.startsWith('+ '))).toHaveLength(61);
    expect(out.filter((l) => l.startsWith('- '))).toHaveLength(61);
  });

  test('cloud-init user data with a line inserted: the insertion only, not the lines after it', () => {
    const a = '#cloud-config\npackages:\n  - git\n  - vim\nruncmd:\n  - systemctl enable --now sshd\n';
    const b = '#cloud-config\npackages:\n  - git\n  - tmux\n  - vim\nruncmd:\n  - systemctl enable --now sshd\n';
    expect(textDiff(a, b).filter((l) => /^[-+] /.test(l))).toEqual(['+   - tmux']);
  });

  test('JSON in a string (a NAD config) is diffed by structure', () => {
    const cfg = (mtu: number) => JSON.stringify({ cniVersion: '0.3.1', name: 'public', plugins: [{ type: 'cnv-bridge', bridge: 'br1', mtu, macspoofchk: true, ipam: {} }, { type: 'cnv-tuning' }] });
    expect(fieldLines(field(cfg(1500), cfg(9000), 'spec.config'), 'arrow')).toEqual(['~ spec.config: (JSON changed)', '  ~ spec.config ⟨json⟩.plugins[0].mtu: 1500 -> 9000']);
  });

  test('a long one-line string shows the changed part with context, not its first 140 characters', () => {
    const long = (v: string) => `${'a'.repeat(300)}${v}${'b'.repeat(300)}`;
    const [old, neu] = fieldLines(field(long('OLD'), long('NEW')), 'diff');
    expect(old).toContain('OLD');
    expect(neu).toContain('NEW');
    expect(neu).toMatch(/^\+ data\.x: \.\.\.\(260 characters\) "a{40}NEWb{40}" \.\.\.\(260 characters\)$/);
  });

  test('a large added object is listed leaf by leaf', () => {
    const big = { name: 'x', hostPath: { path: '/var/lib/very/long/path/'.repeat(8), type: 'Directory' } };
    const out = fieldLines({ path: 'spec.volumes[name=x]', op: 'added', new: big, masked: false }, 'diff');
    expect(out).toEqual([
      '+ spec.volumes[name=x].name: "x"',
      `+ spec.volumes[name=x].hostPath.path: ${JSON.stringify(big.hostPath.path)}`,
      '+ spec.volumes[name=x].hostPath.type: "Directory"',
    ]);
  });
});

describe('masking is exact', () => {
  test('Secret names and key references are shown: chart {secret, key}, Runner token Secret name, secretKeyRef', () => {
    expect(maskValue('GitLab', ['spec', 'chart', 'values', 'global', 'redis', 'auth', 'secret'], 'gitlab-redis', { secret: 'gitlab-redis', key: 'password' })).toBe('gitlab-redis');
    expect(maskValue('Runner', ['spec', 'token'], 'runner-shared')).toBe('runner-shared');
    expect(maskValue('Runner', ['spec', 's3', 'credentials'], 'runner-cache-s3')).toBe('runner-cache-s3');
    expect(maskValue('Deployment', ['spec', 'template', 'spec', 'automountServiceAccountToken'], false)).toBe(false);
    // the same names on other kinds, or a value that is not an object name, stay masked
    expect(maskValue('Thing', ['spec', 'token'], 'runner-shared')).toBe(MASKED);
    expect(maskValue('GitLab', ['spec', 'auth', 'secret'], 'not a name: p@ss', { secret: 'x', key: 'y' })).toBe(MASKED);
    expect(maskValue('GitLab', ['spec', 'auth', 'secret'], 'gitlab-redis', { secret: 'gitlab-redis' })).toBe(MASKED);
  });

  test('a certificate under a key-like name (recipient.pem, ca.crt) is public and shown; a private key is masked', () => {
    const cert = '-----BEGIN CERTIFICATE-----\nMIIFfzCCA2egAwIBAgIUb3yQMs2m3jeEHYleik2o\n-----END CERTIFICATE-----';
    expect(maskValue('ConfigMap', ['data', 'recipient.pem'], cert)).toBe(cert);
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----';
    expect(maskValue('ConfigMap', ['data', 'tls.pem'], key)).toBe(MASKED);
    expect(maskValue('ConfigMap', ['data', 'bundle.pem'], `${cert}\n${key}`)).toBe(MASKED);
    // inside a Secret every value stays masked, certificates too
    expect(maskValue('Secret', ['data', 'ca.crt'], cert)).toBe(MASKED);
  });

  test('secret values inside a last-applied annotation and an embedded Secret are masked; their names are not', () => {
    const last = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-credentials', namespace: 'forum' }, stringData: { password: 'hunter2-correct-horse' } });
    const cm = (a: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'forum', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': a } } });
    const r = diff({ [`${F}/c.yaml`]: cm('{}') }, { [`${F}/c.yaml`]: cm(last) });
    for (const out of [formatText(r), formatMarkdown(r), JSON.stringify(r)]) {
      expect(out).not.toContain('hunter2');
      expect(out).toContain('db-credentials');
    }
  });

  test('a Secret whose value changed says so, masked, and names its keys', () => {
    const s = (v: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'forum' }, stringData: { password: v, username: 'forum' } });
    const r = diff({ [`${F}/s.yaml`]: s('old-secret-value') }, { [`${F}/s.yaml`]: s('new-secret-value') });
    const text = formatText(r);
    expect(text).toContain('~ stringData.password: (masked) -> (masked)');
    expect(text).not.toMatch(/old-secret-value|new-secret-value/);
  });
});

describe('added and removed resources say what they grant or cost', () => {
  test.each([
    ['RoleBinding', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b', namespace: 'forum' }, roleRef: { kind: 'ClusterRole', name: 'admin' }, subjects: [{ kind: 'Group', name: 'forum-admins' }] }, 'grants ClusterRole admin in forum to Group forum-admins'],
    ['ResourceQuota', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'forum' }, spec: { hard: { 'requests.memory': '8Gi', pods: '50' } } }, 'hard requests.memory=8Gi pods=50'],
    ['Deployment', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'forum' }, spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'quay.io/forum/web:2', resources: { requests: { memory: '1Gi' } } }] } } } }, '3 replicas; images quay.io/forum/web:2; requests memory=1Gi'],
    ['Route', { apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name: 'web', namespace: 'forum' }, spec: { host: 'forum.example.org', to: { name: 'web' }, tls: { termination: 'edge' } } }, 'host forum.example.org -> Service web; TLS edge'],
    ['PersistentVolumeClaim', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'forum' }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'rbd', resources: { requests: { storage: '50Gi' } } } }, '50Gi ReadWriteOnce on rbd'],
    ['Secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'forum' }, stringData: { password: 'p4ss-w0rd-value' } }, 'Opaque with keys password (values not shown)'],
  ])('%s', (_kind, manifest, summary) => {
    const added = diff({}, { [`${F}/x.yaml`]: manifest }).changes[0];
    expect(added.summary).toBe(summary);
    expect(diff({ [`${F}/x.yaml`]: manifest }, {}).changes[0].summary).toBe(summary);
    expect(formatMarkdown(diff({}, { [`${F}/x.yaml`]: manifest }))).toContain(`Adds: \`${summary}\``);
  });
});

describe('sized for where it is posted', () => {
  const change = (i: number, risky: boolean, fields: number): ResourceChange => ({
    op: 'changed', apiVersion: 'v1', kind: 'ConfigMap', namespace: `ns${i % 7}`, name: `cm-${i}`, app: `production/app${i % 5}`, file: `production/app${i % 5}/cm-${i}.yaml`,
    fields: Array.from({ length: fields }, (_, j) => ({ path: `data.k${j}`, op: 'changed' as const, old: 'x'.repeat(40), new: 'y'.repeat(40), masked: false })),
    risks: risky ? [{ reason: 'opens something', class: 'security' as const, rule: 'security/test' }] : [], classes: risky ? ['security'] : [], destructive: false,
  });
  const result = (changes: ResourceChange[]): DiffResult => ({
    changes,
    apps: [...new Set(changes.map((c) => c.app))].sort().map((app) => ({ app, added: 0, removed: 0, changed: changes.filter((c) => c.app === app).length, destructive: 0 })),
    summary: { added: 0, removed: 0, changed: changes.length, destructive: 0, unchanged: 0, oldObjects: changes.length, newObjects: changes.length, ignoredFields: 0, ignoredResources: 0 },
  });

  test('the budget is never exceeded, and every resource is named when the names fit (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1024, max: 40000 }), fc.boolean(), (n, fields, budget, text) => {
      const r = result(Array.from({ length: n }, (_, i) => change(i, i % 9 === 0, fields)));
      const out = text ? formatText(r, { maxBytes: budget }) : formatMarkdown(r, { maxBytes: budget });
      expect(byteSize(out)).toBeLessThanOrEqual(budget);
      const namesFit = n * 30 + 2500 < budget;
      if (namesFit) for (const c of r.changes) expect(out).toContain(c.name);
    }), { seed: 42, numRuns: 150 });
  });

  test('the security changes come first and keep their fields while the rest shrink', () => {
    const r = result([change(0, true, 10), ...Array.from({ length: 80 }, (_, i) => change(i + 1, false, 10))]);
    const out = formatMarkdown(r, { maxBytes: 8000 });
    expect(out.indexOf('cm-0')).toBeLessThan(out.indexOf('cm-1<') < 0 ? Infinity : out.indexOf('cm-1<'));
    expect(out).toMatch(/cm-0[\s\S]*```diff\n- data\.k0/);
    expect(out).toContain('#### Not shown (size limit)');
    expect(out).toMatch(/`cm-80`|cm-80/);
  });

  test('fitBlocks: shortens from the end, compact before omitted', () => {
    const blocks = ['a', 'b', 'c'].map((x) => ({ full: x.repeat(100), compact: x.repeat(10), name: x, group: 'g' }));
    const list = (g: ReadonlyMap<string, readonly string[]>) => `\nleft out: ${[...g.values()].flat().join(',')}`;
    expect(fitBlocks('H', blocks, list, 1000, '!')).toBe(`H\n${'a'.repeat(100)}\n${'b'.repeat(100)}\n${'c'.repeat(100)}`);
    expect(fitBlocks('H', blocks, list, 230, '!')).toBe(`H\n${'a'.repeat(100)}\n${'b'.repeat(100)}\n${'c'.repeat(10)}`);
    expect(fitBlocks('H', blocks, list, 150, '!')).toBe(`H\n${'a'.repeat(100)}\n${'b'.repeat(10)}\nleft out: c`);
    expect(fitBlocks('H', blocks, list, 40, '!')).toBe(`H\n${'a'.repeat(10)}\nleft out: b,c`);
  });
});
