/**
 * Findings of the review of `ocpkit diff` on real-PR-like edits (issue 17): each test reproduces
 * one finding on a small tree.
 */
import { fieldLines } from '../../lib/diff/_render';
import { diffTreeFiles, FieldChange } from '../../lib/diff/diff-trees';
import { formatMarkdown } from '../../lib/diff/format-markdown';
import { formatText } from '../../lib/diff/format-text';

const tree = (files: Record<string, unknown>) => new Map(Object.entries(files).map(([k, v]) => [k, JSON.stringify(v)]));
const diff = (a: Record<string, unknown>, b: Record<string, unknown>) => diffTreeFiles(tree(a), tree(b));

function cronJob(args: string[]): any {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'report', namespace: 'forum' },
    spec: { schedule: '0 1 * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'r', image: 'x:1', command: args }] } } } } },
  };
}

describe('B1: a changed long list of strings is shown, never loops', () => {
  const old = ['/bin/sh', '-c', `echo ${'a'.repeat(200)}`];
  const neu = ['/bin/sh', '-c', `echo ${'a'.repeat(200)} b`];

  test('a CronJob command with a long member changed: a line diff of the members, in text and Markdown', () => {
    const r = diff({ 'production/forum/cj.yaml': cronJob(old) }, { 'production/forum/cj.yaml': cronJob(neu) });
    const text = formatText(r);
    expect(text).toContain(`- ${JSON.stringify(old[2])}`);
    expect(text).toContain(`+ ${JSON.stringify(neu[2])}`);
    expect(text).toContain(`  ${JSON.stringify('-c')}`);
    expect(formatMarkdown(r)).toContain(`+ ${JSON.stringify(neu[2])}`);
  });

  test('fieldLines on a long scalar list: one line per member, nothing repeated forever', () => {
    const f: FieldChange = { path: 'spec.command', op: 'changed', old, new: neu, masked: false };
    const out = fieldLines(f, 'diff');
    expect(out[0]).toBe('@@ spec.command: (changed, one member a line)');
    expect(out.filter((l) => l.startsWith('-'))).toEqual([`- ${JSON.stringify(old[2])}`]);
    expect(out.filter((l) => l.startsWith('+'))).toEqual([`+ ${JSON.stringify(neu[2])}`]);
  });

  test('the recursion guard: a deeply nested value still renders', () => {
    let a: any = ['x'.repeat(300)];
    let b: any = ['y'.repeat(300)];
    for (let i = 0; i < 200; i++) {
      a = { k: a };
      b = { k: b };
    }
    const out = fieldLines({ path: 'spec', op: 'changed', old: a, new: b, masked: false }, 'arrow');
    expect(out.join('\n')).toContain('y'.repeat(300));
  });
});

const app = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'openshift-gitops', finalizers: ['resources-finalizer.argocd.argoproj.io'] },
  spec: { project: name, source: { repoURL: 'https://git.example.org/infra.git', path: `dist/production/${name}`, targetRevision: 'main' }, destination: { server: 'https://kubernetes.default.svc', namespace: name }, syncPolicy: { automated: { prune: true } }, ...extra },
});
const kept = { 'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false' };
const pg = (annotations?: Record<string, string>) => ({ apiVersion: 'postgres-operator.crunchydata.com/v1beta1', kind: 'PostgresCluster', metadata: { name: 'db', namespace: 'forum', ...(annotations ? { annotations } : {}) }, spec: { postgresVersion: 16 } });
const claim = (annotations?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'uploads', namespace: 'forum', ...(annotations ? { annotations } : {}) }, spec: { resources: { requests: { storage: '1Gi' } } } });
const risksOf = (r: ReturnType<typeof diff>, kind: string) => r.changes.filter((c) => c.kind === kind).flatMap((c) => c.risks);

describe('B2: removing an Argo CD Application cascade-deletes what it deployed', () => {
  test('data objects of its folder without Delete=false are named, class destructive', () => {
    const forum = { 'production/forum/pg.yaml': pg(), 'production/forum/pvc.yaml': claim(kept) };
    const r = diff({ 'production/root/app.yaml': app('forum'), ...forum }, forum);
    const risks = risksOf(r, 'Application');
    expect(risks.map((x) => [x.class, x.rule])).toEqual([['destructive', 'destructive/app-cascade']]);
    expect(risks[0].reason).toContain('PostgresCluster forum/db');
    expect(risks[0].reason).not.toContain('PersistentVolumeClaim'); // it has Delete=false
  });

  test('every data object protected: outage, not destructive; without the finalizer: nothing', () => {
    const forum = { 'production/forum/pg.yaml': pg(kept), 'production/forum/pvc.yaml': claim(kept) };
    const r = diff({ 'production/root/app.yaml': app('forum'), ...forum }, forum);
    expect(risksOf(r, 'Application').map((x) => x.rule)).toEqual(['outage/app-removed']);
    const plain = app('forum');
    plain.metadata.finalizers = [];
    expect(risksOf(diff({ 'production/root/app.yaml': plain, ...forum }, forum), 'Application')).toEqual([]);
  });

  test('a changed source path or destination is an outage', () => {
    const moved = app('forum');
    moved.spec.source.path = 'dist/production/forum-v2';
    const r = diff({ 'production/root/app.yaml': app('forum') }, { 'production/root/app.yaml': moved });
    expect(risksOf(r, 'Application').map((x) => [x.class, x.path])).toEqual([['outage', 'spec.source.path']]);
  });
});

describe('B3: operator data kinds are destructive when removed', () => {
  test.each([
    ['PostgresCluster', pg(), 'destructive/operator-data'],
    ['ObjectBucketClaim', { apiVersion: 'objectbucket.io/v1alpha1', kind: 'ObjectBucketClaim', metadata: { name: 'b', namespace: 'forum' }, spec: { storageClassName: 'openshift-storage.noobaa.io' } }, 'destructive/operator-data'],
    ['BackupStorageLocation', { apiVersion: 'velero.io/v1', kind: 'BackupStorageLocation', metadata: { name: 'default', namespace: 'openshift-adp' }, spec: { provider: 'aws' } }, 'destructive/operator-data'],
    ['GitLab', { apiVersion: 'apps.gitlab.com/v1beta1', kind: 'GitLab', metadata: { name: 'gitlab', namespace: 'gitlab-system' }, spec: {} }, 'destructive/operator-data'],
    ['PerconaXtraDBCluster', { apiVersion: 'pxc.percona.com/v1', kind: 'PerconaXtraDBCluster', metadata: { name: 'm', namespace: 'forum', finalizers: ['percona.com/delete-pxc-pvc'] }, spec: {} }, 'destructive/operator-data'],
    ['PerconaXtraDBCluster', { apiVersion: 'pxc.percona.com/v1', kind: 'PerconaXtraDBCluster', metadata: { name: 'm', namespace: 'forum' }, spec: {} }, 'outage/database-removed'],
  ])('removing a %s (case %#)', (kind, manifest, rule) => {
    const r = diff({ 'production/forum/x.yaml': manifest }, {});
    expect(risksOf(r, kind).map((x) => x.rule)).toEqual([rule]);
  });
});

describe('M4: the size budget sheds the diagrams first and never cuts inside a code fence', () => {
  // 3 destructive removals, 1 security change, 60 plain ConfigMap changes, and two large diagrams
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (let i = 0; i < 3; i++) before[`production/forum/pvc-${i}.yaml`] = { ...claim(), metadata: { name: `data-${i}`, namespace: 'forum' } };
  const rb = (subjects: unknown[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'admins', namespace: 'forum' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' }, subjects });
  before['production/forum/rb.yaml'] = rb([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'forum-admins' }]);
  after['production/forum/rb.yaml'] = rb([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'forum-admins' }, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' }]);
  for (let i = 0; i < 60; i++) {
    const cm = (v: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'forum' }, data: { 'app.conf': Array.from({ length: 8 }, (_, k) => `key${k} = ${v}`).join('\n') } });
    before[`production/forum/cm-${i}.yaml`] = cm('old');
    after[`production/forum/cm-${i}.yaml`] = cm('new');
  }
  const result = diff(before, after);
  const mermaid = (n: number) => ['```mermaid', 'flowchart LR', ...Array.from({ length: 120 }, (_, k) => `  n${n}_${k}[node ${k}] --> n${n}_${k + 1}`), '```'].join('\n');
  const diagrams = () => [mermaid(1), mermaid(2)];
  const risky = result.changes.filter((c) => c.risks.some((r) => r.class === 'destructive' || r.class === 'security'));

  const unclosedFence = (text: string) => {
    let open: string | undefined;
    for (const line of text.split('\n')) {
      const m = /^(`{3,})/.exec(line);
      if (!m) continue;
      if (open === undefined) open = m[1];
      else if (line.trim() === m[1] && m[1].length >= open.length) open = undefined;
    }
    return open !== undefined;
  };
  const reasonsShown = (text: string) => risky.flatMap((c) => c.risks.filter((r) => r.class === 'destructive' || r.class === 'security')).filter((r) => text.includes(r.rule!)).length;

  test('the fixture has risky changes and is larger than the smaller budgets', () => {
    expect(risky.length).toBe(4);
    expect(formatMarkdown(result, { maxBytes: 1e9, diagrams }).length).toBeGreaterThan(20000);
  });

  test('for budgets from 1024 up: within budget, no unclosed fence, diagrams never cost a risky reason', () => {
    for (let budget = 1024; budget <= 40000; budget += 1231) {
      const withPictures = formatMarkdown(result, { maxBytes: budget, diagrams });
      const without = formatMarkdown(result, { maxBytes: budget });
      expect(Buffer.byteLength(withPictures)).toBeLessThanOrEqual(budget);
      expect(unclosedFence(withPictures)).toBe(false);
      // whatever risky reasons fit without pictures still fit with them: pictures go first
      expect(reasonsShown(withPictures)).toBeGreaterThanOrEqual(reasonsShown(without));
      // every resource left out is named
      if (withPictures.includes('Not shown (size limit)') && !/\d+ resources?`/.test(withPictures)) {
        for (const c of result.changes) if (!withPictures.includes(`<code>${c.namespace}/${c.name}</code>`)) expect(withPictures).toContain(`${c.kind} ${c.namespace}/${c.name}`);
      }
    }
  });

  test('a budget that holds the risky blocks but not the pictures: pictures out (with a note), risky blocks complete', () => {
    const full = formatMarkdown(result, { maxBytes: 1e9 });
    const budget = Buffer.byteLength(full) + 100; // all blocks fit, the diagrams (about 5 KB each) do not
    const text = formatMarkdown(result, { maxBytes: budget, diagrams });
    expect(text).not.toContain('```mermaid');
    expect(text).toContain('2 diagrams are not shown (size limit)');
    expect(reasonsShown(text)).toBe(4);
    expect(text).not.toContain('Not shown (size limit)');
    expect(formatMarkdown(result, { maxBytes: 1e9, diagrams })).toContain('```mermaid');
  });
});

describe('m10: a changed roleRef is an outage, not data loss', () => {
  test('RoleBinding roleRef admin -> edit: outage/roleref only', () => {
    const rb = (role: string) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'a', namespace: 'forum' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'g' }] });
    const r = diff({ 'production/forum/rb.yaml': rb('admin') }, { 'production/forum/rb.yaml': rb('edit') });
    const risks = risksOf(r, 'RoleBinding');
    expect(risks.map((x) => x.class)).not.toContain('destructive');
    expect(risks.find((x) => x.rule === 'outage/roleref')?.reason).toContain('Kubernetes refuses the update');
  });
});

describe('m13: URLs in reasons are code, copied exactly', () => {
  test('no zero-width space inside a URL; it sits in a code span', () => {
    const { mdText, htmlText } = jest.requireActual('../../lib/diff/format-markdown');
    expect(mdText('see https://docs.example.org/a_b and www.example.org')).toBe('see `https://docs.example.org/a_b` and `www.example.org`');
    expect(htmlText('at https://x.example.org/p')).toBe('at <code>https:&sol;&sol;x.example.org&sol;p</code>'.replace(/&sol;/g, '/'));
    expect(mdText('ping @team #12')).toBe('ping @\u200bteam #\u200b12');
  });
});

describe('m9: equal values written differently are no change', () => {
  const { diffValues } = jest.requireActual('../../lib/diff/value-diff');
  test('NAD spec.config JSON with other key order and spacing', () => {
    const nad = (config: string) => ({ spec: { config } });
    expect(diffValues(nad('{"cniVersion":"0.3.1","type":"bridge","mtu":9000}'), nad('{ "mtu": 9000, "type": "bridge",\n "cniVersion": "0.3.1" }'))).toEqual([]);
    expect(diffValues(nad('{"mtu":9000}'), nad('{"mtu":1500}'))).toHaveLength(1);
  });
  test('ResourceQuota pods 50 vs "50", and count/ quantities', () => {
    expect(diffValues({ spec: { hard: { pods: 50, 'requests.cpu': '2' } } }, { spec: { hard: { pods: '50', 'requests.cpu': 2 } } })).toEqual([]);
    expect(diffValues({ spec: { hard: { pods: 50 } } }, { spec: { hard: { pods: '40' } } })).toHaveLength(1);
  });
  test('Velero ttl 720h0m0s vs 720h', () => {
    expect(diffValues({ spec: { template: { ttl: '720h0m0s' } } }, { spec: { template: { ttl: '720h' } } })).toEqual([]);
    expect(diffValues({ spec: { template: { ttl: '720h0m0s' } } }, { spec: { template: { ttl: '24h' } } })).toHaveLength(1);
  });
});

describe('M6: removing a NetworkPolicy: outage while another still isolates the pods, security when none does', () => {
  const np = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'forum' }, spec });
  const denyAll = np('deny-by-default', { podSelector: {}, policyTypes: ['Ingress'] });
  const allowRouter = np('allow-router', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'policy-group.network.openshift.io/ingress': '' } } }] }], policyTypes: ['Ingress'] });
  test('allow policy removed, deny-by-default stays: outage naming the isolating policy', () => {
    const r = diff({ 'production/forum/deny.yaml': denyAll, 'production/forum/allow.yaml': allowRouter }, { 'production/forum/deny.yaml': denyAll });
    const risks = risksOf(r, 'NetworkPolicy');
    expect(risks.map((x) => x.rule)).toEqual(['outage/network-policy-removed']);
    expect(risks[0].reason).toContain('deny-by-default');
  });
  test('the only policy removed: security (isolation gone)', () => {
    const r = diff({ 'production/forum/deny.yaml': denyAll }, {});
    expect(risksOf(r, 'NetworkPolicy').map((x) => x.rule)).toEqual(['security/network-policy']);
  });
});

describe('M8: Route termination edge -> passthrough is an outage', () => {
  const route = (termination: string, targetPort: unknown = 'http') => ({ apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name: 'web', namespace: 'forum' }, spec: { host: 'web.example.org', to: { kind: 'Service', name: 'web' }, port: { targetPort }, tls: { termination } } });
  test.each([
    ['edge', 'http', ['outage/route-passthrough']],
    ['reencrypt', 8080, ['outage/route-passthrough']],
    ['reencrypt', 'https', []],
  ])('%s -> passthrough, target port %s', (from, port, rules) => {
    const r = diff({ 'production/forum/route.yaml': route(from as string, port) }, { 'production/forum/route.yaml': route('passthrough', port) });
    expect(risksOf(r, 'Route').map((x) => x.rule).filter((x) => x === 'outage/route-passthrough')).toEqual(rules);
  });
});

describe('M7: cloud-init user data: only the secret lines are masked; ssh_pwauth true is security', () => {
  const vm = (userData: string) => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'smokeping', namespace: 'infra-vms' }, spec: { running: true, template: { spec: { domain: {}, volumes: [{ name: 'cloudinitdisk', cloudInitNoCloud: { userData } }] } } } });
  const before = '#cloud-config\nhostname: smokeping\nssh_pwauth: false\nruncmd:\n  - systemctl enable --now smokeping\n';
  const after = '#cloud-config\nhostname: smokeping\nssh_pwauth: true\nchpasswd:\n  expire: false\n  list: |\n    root:CloudInitPw-5511\npassword: CiTopLevelPw-6622\nruncmd:\n  - systemctl enable --now smokeping\n  - echo "admin:ShellPw-9" | chpasswd\n';
  const r = diff({ 'production/infra-vms/vm.yaml': vm(before) }, { 'production/infra-vms/vm.yaml': vm(after) });

  test('the line diff is shown; secret lines masked, ssh_pwauth change visible', () => {
    for (const text of [formatText(r), formatMarkdown(r)]) {
      expect(text).toContain('+ ssh_pwauth: true');
      expect(text).toContain('- ssh_pwauth: false');
      expect(text).toContain('root:(masked)');
      expect(text).toContain('password: (masked)');
      for (const secret of ['CloudInitPw-5511', 'CiTopLevelPw-6622', 'ShellPw-9']) expect(text).not.toContain(secret);
    }
  });

  test('ssh_pwauth false -> true is security; staying true is not flagged again', () => {
    expect(risksOf(r, 'VirtualMachine').map((x) => x.rule)).toContain('security/ssh-password-auth');
    const same = diff({ 'production/infra-vms/vm.yaml': vm(after) }, { 'production/infra-vms/vm.yaml': vm(after.replace('smokeping\n', 'smokeping2\n')) });
    expect(risksOf(same, 'VirtualMachine').map((x) => x.rule)).not.toContain('security/ssh-password-auth');
  });
});

describe('m12: the Applications diagram prefers the folders with risky changes', () => {
  test('with more folders than maxApps, the small risky one is drawn before larger plain ones', () => {
    const { changeDiagrams } = jest.requireActual('../../lib/diff/topology-diagrams');
    const { topologyOfFiles } = jest.requireActual('../../lib/diff/topology');
    const rb = (role: string) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'zz' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [] });
    const before: Record<string, unknown> = { 'prod/zz/rb.yaml': rb('view') };
    const after: Record<string, unknown> = { 'prod/zz/rb.yaml': rb('edit') };
    // 20 plain folders: without the preference the risky one would not even be named in the note (10 names)
    for (let i = 0; i < 20; i++) {
      for (const c of ['a', 'b', 'c']) after[`prod/app${String(i).padStart(2, '0')}/${c}.yaml`] = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: c, namespace: `a${i}` } };
    }
    const a = tree(before);
    const b = tree(after);
    const result = diffTreeFiles(a, b);
    const parts: string[] = changeDiagrams(topologyOfFiles(a), topologyOfFiles(b), result, { maxApps: 5 });
    const apps = parts.find((p) => p.startsWith('**Argo CD Applications'))!;
    expect(apps).toContain('prod/zz');
    expect(apps).toContain('16 more affected Applications not drawn');
  });
});

describe('exit 4 is for bugs only: a failing picture never costs the diff', () => {
  test('diagrams that throw: the Markdown still has every change and says the pictures are missing', () => {
    const r = diff({ 'production/forum/cj.yaml': cronJob(['a']) }, { 'production/forum/cj.yaml': cronJob(['b']) });
    const md = formatMarkdown(r, { diagrams: () => { throw new Error('boom'); } });
    expect(md).toContain('The diagrams could not be drawn');
    expect(md).toContain('+ spec.jobTemplate.spec.template.spec.containers[name=r].command');
  });
});
