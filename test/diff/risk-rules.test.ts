/**
 * One block per risk class and rule (lib/diff/risk-*.ts), written from the class definitions:
 * destructive = data can be lost; security = access granted or widened, protection weakened,
 * secrets exposed; outage = something running stops or becomes unreachable; weakening = safety
 * margins shrink. Each rule has a case that must fire and a neighbouring case that must not.
 */
import { diffTreeFiles, ResourceChange } from '../../lib/diff/diff-trees';
import { Risk, RISK_CLASSES } from '../../lib/diff/risk';
import { RISK_RULES } from '../../lib/diff/risk-rules';
import { runsPerYear } from '../../lib/diff/cron';

const F = 'production/forum';
type Files = Record<string, unknown>;
const tree = (files: Files) => new Map(Object.entries(files).map(([k, v]) => [k, JSON.stringify(v)]));
const diff = (a: Files, b: Files) => diffTreeFiles(tree(a), tree(b));
/** The risks of the one changed resource named `file` (or of all changes). */
const risks = (a: Files, b: Files, file?: string): Risk[] => diff(a, b).changes.filter((c) => !file || c.file === file).flatMap((c) => c.risks);
const rulesOf = (a: Files, b: Files, file?: string) => [...new Set(risks(a, b, file).map((r) => r.rule))];
const reasons = (a: Files, b: Files, rule: string) => risks(a, b).filter((r) => r.rule === rule).map((r) => r.reason).join(' | ');

const meta = (name: string, namespace = 'forum', extra: Record<string, unknown> = {}) => ({ name, namespace, ...extra });
const workload = (spec: Record<string, unknown> = {}, replicas = 2, containers?: unknown[]) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web'),
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: containers ?? [{ name: 'web', image: 'quay.io/forum/web:1', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } } }], ...spec } } },
});

describe('the rule table', () => {
  test('every rule has a unique id prefixed by its class, a description and at least one kind and operation', () => {
    const ids = RISK_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RISK_RULES) {
      expect(r.id.startsWith(`${r.class}/`)).toBe(true);
      expect(r.description.length).toBeGreaterThan(20);
      expect(r.ops.length).toBeGreaterThan(0);
      expect(r.kinds === '*' || r.kinds.length > 0).toBe(true);
    }
    expect(new Set(RISK_RULES.map((r) => r.class))).toEqual(new Set(RISK_CLASSES));
  });

  test('every change carries its classes and each risk its class, rule and reason; classes come most severe first', () => {
    const before = { [`${F}/d.yaml`]: workload(), [`${F}/p.yaml`]: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('data'), spec: {} } };
    const after = { [`${F}/d.yaml`]: workload({ hostNetwork: true }, 0) };
    const r = diff(before, after);
    const d = r.changes.find((c) => c.kind === 'Deployment')!;
    expect(d.classes).toEqual(['security', 'outage']);
    for (const risk of d.risks) expect(risk).toEqual({ reason: expect.any(String), path: expect.any(String), class: expect.stringMatching(/^(security|outage)$/), rule: expect.stringMatching(/^(security|outage)\//) });
    expect(r.changes.map((c) => c.kind)).toEqual(['PersistentVolumeClaim', 'Deployment']);
    expect(r.summary.classes).toEqual({ destructive: 1, security: 1, outage: 1, weakening: 0 });
  });

  test('a rule that cannot read a manifest shape reports that instead of breaking the diff', () => {
    const odd = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta('r'), rules: [{ verbs: 'get', apiGroups: [''], resources: ['pods'] }] };
    expect(() => diff({ [`${F}/r.yaml`]: { ...odd, rules: [] } }, { [`${F}/r.yaml`]: odd })).not.toThrow();
  });
});

describe('destructive', () => {
  const pvc = (size: string, extra: Record<string, unknown> = {}, annotations?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('data', 'forum', annotations ? { annotations } : {}), spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'rbd', resources: { requests: { storage: size } }, ...extra } });
  const p = `${F}/p.yaml`;

  test('delete: a claim removed (also with Prune=false, saying who deletes it); a ConfigMap removed is not', () => {
    expect(rulesOf({ [p]: pvc('10Gi') }, {})).toEqual(['destructive/delete']);
    expect(reasons({ [p]: pvc('10Gi', {}, { 'argocd.argoproj.io/sync-options': 'Prune=false' }) }, {}, 'destructive/delete')).toMatch(/once an administrator deletes it/);
    expect(rulesOf({ [p]: { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('c') } }, {})).toEqual([]);
  });

  test('backup-schedule: a Velero Schedule removed or paused; unpausing is not', () => {
    const sch = (paused: boolean) => ({ apiVersion: 'velero.io/v1', kind: 'Schedule', metadata: meta('daily', 'openshift-adp'), spec: { schedule: '0 2 * * *', paused, template: { includedNamespaces: ['forum'] } } });
    const s = 'production/backup/s.yaml';
    expect(rulesOf({ [s]: sch(false) }, {})).toEqual(['destructive/backup-schedule']);
    expect(rulesOf({ [s]: sch(false) }, { [s]: sch(true) })).toEqual(['destructive/backup-schedule']);
    expect(rulesOf({ [s]: sch(true) }, { [s]: sch(false) })).toEqual([]);
  });

  test('replace: Replace=true on a claim, or a move the old Application prunes', () => {
    expect(rulesOf({ [p]: pvc('10Gi') }, { [p]: pvc('10Gi', {}, { 'argocd.argoproj.io/sync-options': 'Replace=true' }) })).toEqual(['destructive/replace']);
    expect(rulesOf({ 'production/a/p.yaml': pvc('10Gi') }, { 'production/b/p.yaml': pvc('10Gi') })).toEqual(['destructive/replace']);
  });

  test('immutable and shrink: a storage class change and a smaller request; a larger request is neither', () => {
    expect(rulesOf({ [p]: pvc('10Gi') }, { [p]: pvc('10Gi', { storageClassName: 'cephfs' }) })).toEqual(['destructive/immutable']);
    expect(rulesOf({ [p]: pvc('10Gi') }, { [p]: pvc('5Gi') })).toEqual(['destructive/shrink']);
    expect(rulesOf({ [p]: pvc('10Gi') }, { [p]: pvc('20Gi') })).toEqual([]);
  });
});

describe('security', () => {
  const role = (rules: unknown[], kind = 'Role') => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: kind === 'Role' ? meta('editor') : { name: 'editor' }, rules });
  const binding = (subjects: unknown[], roleName = 'edit', kind = 'RoleBinding') => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: kind === 'RoleBinding' ? meta('team') : { name: 'team' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects });

  test('rbac-rules: a role that gains a verb or resource grants more; one that loses some does not', () => {
    const narrow = role([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]);
    const wide = role([{ apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list'] }]);
    expect(reasons({ [`${F}/r.yaml`]: narrow }, { [`${F}/r.yaml`]: wide }, 'security/rbac-rules')).toMatch(/now grants .*get,list secrets.*list configmaps|now grants .*list configmaps.*secrets/);
    expect(rulesOf({ [`${F}/r.yaml`]: wide }, { [`${F}/r.yaml`]: narrow })).toEqual([]);
    // resourceNames narrow a rule: dropping them widens it
    const named = role([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['tls'], verbs: ['get'] }]);
    const any = role([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
    expect(rulesOf({ [`${F}/r.yaml`]: named }, { [`${F}/r.yaml`]: any })).toEqual(['security/rbac-rules']);
  });

  test('rbac-rules: a new ClusterRole with wildcards, or aggregated into admin, is flagged; a plain new Role is not', () => {
    const star = role([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], 'ClusterRole');
    expect(reasons({}, { 'production/x/r.yaml': star }, 'security/rbac-rules')).toMatch(/grants wildcards/);
    const agg = { ...role([{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }], 'ClusterRole'), metadata: { name: 'x', labels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' } } };
    expect(reasons({}, { 'production/x/r.yaml': agg }, 'security/rbac-rules')).toMatch(/aggregated into admin/);
    expect(rulesOf({}, { [`${F}/r.yaml`]: role([{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]) })).toEqual([]);
  });

  test('rbac-binding: a new binding names its role and subjects; added subjects and another role are flagged; removed subjects are not', () => {
    const alice = { kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' };
    const everyone = { kind: 'Group', name: 'system:authenticated', apiGroup: 'rbac.authorization.k8s.io' };
    expect(reasons({}, { [`${F}/b.yaml`]: binding([alice]) }, 'security/rbac-binding')).toBe('grants ClusterRole edit in namespace forum to User alice');
    expect(reasons({ [`${F}/b.yaml`]: binding([alice]) }, { [`${F}/b.yaml`]: binding([alice, everyone]) }, 'security/rbac-binding')).toMatch(/to Group system:authenticated as well \(system:authenticated: every matching user\)/);
    expect(reasons({ [`${F}/b.yaml`]: binding([alice], 'view') }, { [`${F}/b.yaml`]: binding([alice], 'admin') }, 'security/rbac-binding')).toMatch(/to ClusterRole admin instead of ClusterRole view/);
    expect(rulesOf({ [`${F}/b.yaml`]: binding([alice, everyone]) }, { [`${F}/b.yaml`]: binding([alice]) })).toEqual([]);
  });

  const policy = (spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('allow-web'), spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ...spec } });
  const fromRouter = { namespaceSelector: { matchLabels: { 'policy-group.network.openshift.io/ingress': '' } } };
  const fromMonitoring = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-monitoring' } } };

  test('network-policy: removal, a new peer, dropped ports (= every port), a lost direction and another selector widen; a narrower rule does not', () => {
    const base = policy({ ingress: [{ from: [fromRouter], ports: [{ port: 8080, protocol: 'TCP' }] }] });
    expect(reasons({ [`${F}/n.yaml`]: base }, {}, 'security/network-policy')).toMatch(/removes NetworkPolicy allow-web/);
    expect(reasons({ [`${F}/n.yaml`]: base }, { [`${F}/n.yaml`]: policy({ ingress: [{ from: [fromRouter, fromMonitoring], ports: [{ port: 8080, protocol: 'TCP' }] }] }) }, 'security/network-policy')).toMatch(/admits ingress from .*openshift-monitoring.* on TCP\/8080/);
    expect(reasons({ [`${F}/n.yaml`]: base }, { [`${F}/n.yaml`]: policy({ ingress: [{ from: [fromRouter] }] }) }, 'security/network-policy')).toMatch(/on every port/);
    expect(reasons({ [`${F}/n.yaml`]: policy({ policyTypes: ['Ingress', 'Egress'], egress: [] }) }, { [`${F}/n.yaml`]: policy({ policyTypes: ['Ingress'] }) }, 'security/network-policy')).toMatch(/no longer restricts Egress/);
    expect(reasons({ [`${F}/n.yaml`]: base }, { [`${F}/n.yaml`]: { ...base, spec: { ...base.spec, podSelector: { matchLabels: { app: 'api' } } } } }, 'security/network-policy')).toMatch(/selects other pods/);
    const narrower = policy({ ingress: [{ from: [fromRouter], ports: [{ port: 8080, protocol: 'TCP' }] }] });
    const wider = policy({ ingress: [{ from: [fromRouter, fromMonitoring] }] });
    expect(rulesOf({ [`${F}/n.yaml`]: wider }, { [`${F}/n.yaml`]: narrower })).toEqual([]);
  });

  const project = (spec: Record<string, unknown>) => ({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: meta('tenant-forum', 'openshift-gitops'), spec: { destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'forum' }], sourceRepos: ['https://git.example.org/x.git'], ...spec } });

  test('appproject: more destinations or cluster resources, fewer denials are flagged; a destination already covered by a glob is not', () => {
    const p = 'production/root/p.yaml';
    expect(reasons({ [p]: project({}) }, { [p]: project({ destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'forum' }, { server: 'https://kubernetes.default.svc', namespace: 'kube-system' }] }) }, 'security/appproject')).toMatch(/now allows destinations .*kube-system/);
    expect(reasons({ [p]: project({}) }, { [p]: project({ clusterResourceWhitelist: [{ group: '*', kind: '*' }] }) }, 'security/appproject')).toMatch(/now allows clusterResourceWhitelist/);
    expect(reasons({ [p]: project({ namespaceResourceBlacklist: [{ group: '', kind: 'ResourceQuota' }] }) }, { [p]: project({}) }, 'security/appproject')).toMatch(/no longer denies namespaceResourceBlacklist/);
    const glob = project({ destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'forum-*' }] });
    expect(rulesOf({ [p]: glob }, { [p]: project({ destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'forum-*' }, { server: 'https://kubernetes.default.svc', namespace: 'forum-db' }] }) })).toEqual([]);
  });

  const route = (tls: unknown, host = 'forum.example.org') => ({ apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: meta('web'), spec: { host, to: { kind: 'Service', name: 'web' }, port: { targetPort: 'http' }, ...(tls ? { tls } : {}) } });

  test('tls: TLS removed, re-encrypt to edge, insecure Allow are flagged; Redirect to None and edge to re-encrypt are not', () => {
    const r = `${F}/r.yaml`;
    expect(reasons({ [r]: route({ termination: 'edge' }) }, { [r]: route(undefined) }, 'security/tls')).toMatch(/no longer uses TLS/);
    expect(reasons({ [r]: route({ termination: 'reencrypt' }) }, { [r]: route({ termination: 'edge' }) }, 'security/tls')).toMatch(/reencrypt -> edge/);
    expect(reasons({ [r]: route({ termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' }) }, { [r]: route({ termination: 'edge', insecureEdgeTerminationPolicy: 'Allow' }) }, 'security/tls')).toMatch(/plain HTTP next to HTTPS \(insecureEdgeTerminationPolicy: Allow, was Redirect\)/);
    expect(rulesOf({ [r]: route({ termination: 'edge', insecureEdgeTerminationPolicy: 'Redirect' }) }, { [r]: route({ termination: 'reencrypt', insecureEdgeTerminationPolicy: 'None' }) })).toEqual([]);
    expect(reasons({}, { [r]: route(undefined) }, 'security/tls')).toMatch(/new Route forum.example.org has no TLS/);
  });

  test('backup-encryption: SSE settings dropped from a backup location or --sse from an upload command', () => {
    const dpa = (config: Record<string, string>) => ({ apiVersion: 'oadp.openshift.io/v1alpha1', kind: 'DataProtectionApplication', metadata: meta('velero', 'openshift-adp'), spec: { backupLocations: [{ name: 'default', velero: { provider: 'aws', config: { region: 'us-east-1', ...config } } }] } });
    const p = 'production/backup/dpa.yaml';
    expect(reasons({ [p]: dpa({ serverSideEncryption: 'AES256' }) }, { [p]: dpa({}) }, 'security/backup-encryption')).toMatch(/backup location default no longer encrypts backups at rest \(was serverSideEncryption=AES256\)/);
    expect(rulesOf({ [p]: dpa({ serverSideEncryption: 'AES256' }) }, { [p]: dpa({ kmsKeyId: 'alias/backups' }) })).toEqual([]);
    const job = (cmd: string) => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('etcd-backup', 'etcd-backup'), spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'copy', image: 'aws-cli', command: ['/bin/bash', '-c', cmd] }] } } } } } });
    expect(reasons({ [p]: job('aws s3 cp --sse AES256 /backup s3://b/') }, { [p]: job('aws s3 cp /backup s3://b/') }, 'security/backup-encryption')).toMatch(/no longer passes --sse/);
  });

  test('privilege: privileged, host network, hostPath and added capabilities are flagged on change and on new workloads; dropping them is not', () => {
    const d = `${F}/d.yaml`;
    const priv = workload({}, 2, [{ name: 'web', image: 'x', securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN'] } } }]);
    expect(reasons({ [d]: workload() }, { [d]: priv }, 'security/privilege')).toMatch(/gains container web privileged.*gains container web capability NET_ADMIN/);
    expect(reasons({ [d]: workload() }, { [d]: workload({ hostNetwork: true, volumes: [{ name: 'root', hostPath: { path: '/' } }] }) }, 'security/privilege')).toMatch(/gains hostNetwork: true.*gains hostPath \//);
    expect(reasons({}, { [d]: priv }, 'security/privilege')).toMatch(/new Deployment web runs with container web privileged, container web capability NET_ADMIN/);
    expect(rulesOf({ [d]: priv }, { [d]: workload() })).toEqual([]);
  });

  test('policy-waiver: a new waiver annotation names the policy and its reason; an existing one is not flagged again', () => {
    const w = (annotations: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('c', 'forum', { annotations }) });
    const c = `${F}/c.yaml`;
    expect(reasons({ [c]: w({}) }, { [c]: w({ 'ocpkit.io/waive-encrypted-backups': 'bucket encrypts by policy' }) }, 'security/policy-waiver')).toMatch(/waives policy encrypted-backups on ConfigMap forum\/c \("bucket encrypts by policy"\)/);
    expect(rulesOf({ [c]: w({ 'ocpkit.io/waive-x': 'a' }) }, { [c]: w({ 'ocpkit.io/waive-x': 'a', other: 'b' }) })).toEqual([]);
  });

  test('plaintext-secret: a Secret with values or a credential in another object appears; a Secret without values or a reference does not', () => {
    const s = `${F}/s.yaml`;
    const secret = (stringData?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: meta('db'), ...(stringData ? { stringData } : {}) });
    const r = reasons({}, { [s]: secret({ password: 'correct-horse-battery' }) }, 'security/plaintext-secret');
    expect(r).toMatch(/Secret forum\/db holds values in Git \(stringData.password\)/);
    expect(r).not.toMatch(/correct-horse/);
    expect(rulesOf({}, { [s]: secret() })).toEqual([]);
    const cm = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('app'), data });
    expect(reasons({ [s]: cm({ url: 'https://git.example.org/x.git' }) }, { [s]: cm({ url: 'https://deploy:s3cr3t-T0ken-value@git.example.org/x.git' }) }, 'security/plaintext-secret')).toMatch(/secret material in plain text in ConfigMap forum\/app \(data.url\)/);
    const withRef = workload({}, 2, [{ name: 'web', image: 'x', env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] }]);
    expect(rulesOf({ [s]: workload() }, { [s]: withRef })).toEqual([]);
  });
});

describe('outage', () => {
  const quota = (hard: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta('tenant-quota'), spec: { hard } });
  const q = 'production/tenancy/q.yaml';

  test("quota-below-demand: a quota below what the stack's own workloads declare in the namespace; at or above is fine", () => {
    // 2 replicas x 1Gi requests = 2Gi, 2 x 2Gi limits = 4Gi
    const before = { [q]: quota({ 'requests.memory': '8Gi', 'limits.memory': '8Gi', pods: '10' }), [`${F}/d.yaml`]: workload() };
    const r = reasons(before, { ...before, [q]: quota({ 'requests.memory': '1Gi', 'limits.memory': '8Gi', pods: '10' }) }, 'outage/quota-below-demand');
    expect(r).toMatch(/allows requests.memory 1Gi but the stack's own objects in forum declare 2Gi \(Deployment web \(2x\)\)/);
    expect(rulesOf(before, { ...before, [q]: quota({ 'requests.memory': '2Gi', 'limits.memory': '4Gi', pods: '2' }) })).toEqual([]);
    expect(reasons(before, { ...before, [q]: quota({ 'requests.memory': '8Gi', 'limits.memory': '8Gi', pods: '1' }) }, 'outage/quota-below-demand')).toMatch(/allows pods 1 but .* declare 2/);
  });

  test('quota-below-demand counts running VM memory and disks', () => {
    const vm = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: meta('gitaly'), spec: { runStrategy: 'Always', dataVolumeTemplates: [{ metadata: { name: 'data' }, spec: { storage: { resources: { requests: { storage: '100Gi' } } } } }], template: { spec: { domain: { memory: { guest: '8Gi' } } } } } };
    const before = { [q]: quota({ 'requests.memory': '16Gi', 'requests.storage': '500Gi' }), [`${F}/vm.yaml`]: vm };
    const r = reasons(before, { ...before, [q]: quota({ 'requests.memory': '4Gi', 'requests.storage': '50Gi' }) }, 'outage/quota-below-demand');
    expect(r).toMatch(/requests.memory 4Gi .* declare 8Gi \(VirtualMachine gitaly\)/);
    expect(r).toMatch(/requests.storage 50Gi .* declare 100Gi \(VirtualMachine gitaly disk data\)/);
  });

  test('limits-below-demand: a LimitRange max below a container limit refuses its pods', () => {
    const lr = (max: string) => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: meta('tenant-defaults'), spec: { limits: [{ type: 'Container', max: { memory: max } }] } });
    const l = 'production/tenancy/l.yaml';
    const before = { [l]: lr('4Gi'), [`${F}/d.yaml`]: workload() };
    expect(reasons(before, { ...before, [l]: lr('1Gi') }, 'outage/limits-below-demand')).toMatch(/caps container memory at 1Gi, but Deployment web container web declares 2Gi/);
    expect(rulesOf(before, { ...before, [l]: lr('2Gi') })).toEqual([]);
  });

  const nncp = (bond: Record<string, unknown>, bridgeMtu = 9000) => ({
    apiVersion: 'nmstate.io/v1', kind: 'NodeNetworkConfigurationPolicy', metadata: { name: 'nodes' },
    spec: { nodeSelector: { 'node-role.kubernetes.io/master': '' }, desiredState: { interfaces: [
      { name: 'bond0', type: 'bond', state: 'up', mtu: 9000, 'link-aggregation': { mode: '802.3ad', port: ['ens1f0', 'ens1f1'] }, ...bond },
      { name: 'br0', type: 'linux-bridge', state: 'up', mtu: bridgeMtu, bridge: { port: [{ name: 'bond0' }] } },
    ] } },
  });
  const n = 'production/network/nncp.yaml';

  test('node-network: bond mode, MTU and VLAN changes name the interface and values; a description change is only generic', () => {
    expect(reasons({ [n]: nncp({}) }, { [n]: nncp({ 'link-aggregation': { mode: 'active-backup', port: ['ens1f0', 'ens1f1'] } }) }, 'outage/node-network')).toMatch(/changes the bond mode of bond0 on every selected node \("802.3ad" -> "active-backup"\)/);
    expect(reasons({ [n]: nncp({}) }, { [n]: nncp({}, 1500) }, 'outage/node-network')).toMatch(/MTU of br0 .*9000 -> 1500/);
    expect(reasons({ [n]: nncp({ vlan: { id: 100, 'base-iface': 'bond0' } }) }, { [n]: nncp({ vlan: { id: 200, 'base-iface': 'bond0' } }) }, 'outage/node-network')).toMatch(/VLAN id of bond0 .*100 -> 200/);
    expect(reasons({ [n]: nncp({}) }, { [n]: nncp({ description: 'x' }) }, 'outage/node-network')).toMatch(/changes the nodes' network configuration/);
  });

  test('network-under-vms: a NAD change names the running VMs and what changed; without running VMs it is not an outage', () => {
    const nad = (vlan?: number) => ({ apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', metadata: meta('public', 'vms'), spec: { config: JSON.stringify({ cniVersion: '0.3.1', name: 'public', plugins: [{ type: 'cnv-bridge', bridge: 'br1', ...(vlan ? { vlan } : {}) }] }) } });
    const vm = (runStrategy: string) => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: meta('bastion', 'vms'), spec: { runStrategy, template: { spec: { networks: [{ name: 'pub', multus: { networkName: 'public' } }] } } } });
    const a = 'production/vms/nad.yaml';
    const v = 'production/vms/vm.yaml';
    expect(reasons({ [a]: nad(), [v]: vm('Always') }, { [a]: nad(12), [v]: vm('Always') }, 'outage/network-under-vms')).toMatch(/changes network vms\/public \(vlan null -> 12\) under running VMs \(vms\/bastion\)/);
    expect(reasons({ [a]: nad(), [v]: vm('Always') }, { [v]: vm('Always') }, 'outage/network-under-vms')).toMatch(/removes network vms\/public that running VMs still attach to \(vms\/bastion\)/);
    expect(rulesOf({ [a]: nad(), [v]: vm('Halted') }, { [a]: nad(12), [v]: vm('Halted') }, a)).toEqual([]);
  });

  test('stops-running: replicas to zero and a VM halted; scaling down to one is not an outage', () => {
    const d = `${F}/d.yaml`;
    expect(reasons({ [d]: workload() }, { [d]: workload({}, 0) }, 'outage/stops-running')).toMatch(/scales Deployment web to zero replicas \(from 2\)/);
    expect(rulesOf({ [d]: workload() }, { [d]: workload({}, 1) })).toEqual([]);
    const vm = (runStrategy: string) => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: meta('bastion', 'vms'), spec: { runStrategy } });
    expect(reasons({ [d]: vm('Always') }, { [d]: vm('Halted') }, 'outage/stops-running')).toMatch(/stops VirtualMachine bastion \(runStrategy Halted\)/);
  });

  test('host and service-port: a Route host or a Service port changes; a new port is not an outage', () => {
    const r = `${F}/r.yaml`;
    const route = (host: string) => ({ apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: meta('web'), spec: { host, to: { kind: 'Service', name: 'web' }, tls: { termination: 'edge' } } });
    expect(reasons({ [r]: route('forum.example.org') }, { [r]: route('discuss.example.org') }, 'outage/host')).toMatch(/moves from host forum.example.org to discuss.example.org/);
    const svc = (ports: unknown[]) => ({ apiVersion: 'v1', kind: 'Service', metadata: meta('web'), spec: { selector: { app: 'web' }, ports } });
    const s = `${F}/s.yaml`;
    expect(reasons({ [s]: svc([{ name: 'http', port: 80, targetPort: 8080 }]) }, { [s]: svc([{ name: 'http', port: 8080, targetPort: 8080 }]) }, 'outage/service-port')).toMatch(/port http changes \(80->8080 becomes 8080->8080\)/);
    expect(rulesOf({ [s]: svc([{ name: 'http', port: 80 }]) }, { [s]: svc([{ name: 'http', port: 80 }, { name: 'metrics', port: 9090 }]) })).toEqual([]);
  });

  test('operator-upgrade: a channel change or a minor CSV jump (also in the InstallPlanApprover pins); a patch bump is routine', () => {
    const sub = (channel: string, csv: string) => ({ apiVersion: 'operators.coreos.com/v1alpha1', kind: 'Subscription', metadata: meta('kubevirt-hyperconverged', 'openshift-cnv'), spec: { name: 'kubevirt-hyperconverged', channel, source: 'redhat-operators', startingCSV: csv } });
    const s = 'production/platform-operators/s.yaml';
    expect(reasons({ [s]: sub('stable', 'kubevirt-hyperconverged-operator.v4.14.8') }, { [s]: sub('candidate', 'kubevirt-hyperconverged-operator.v4.14.8') }, 'outage/operator-upgrade')).toMatch(/changes channel stable -> candidate/);
    expect(reasons({ [s]: sub('stable', 'kubevirt-hyperconverged-operator.v4.14.8') }, { [s]: sub('stable', 'kubevirt-hyperconverged-operator.v4.16.0') }, 'outage/operator-upgrade')).toMatch(/v4.14.8 -> kubevirt-hyperconverged-operator.v4.16.0 \(minor version upgrade\)/);
    expect(rulesOf({ [s]: sub('stable', 'kubevirt-hyperconverged-operator.v4.14.8') }, { [s]: sub('stable', 'kubevirt-hyperconverged-operator.v4.14.9') })).toEqual([]);
    const pins = (csv: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('installplan-approver', 'installplan-approver'), data: { pins: `openshift-adp redhat-oadp-operator ${csv}\n` } });
    const p = 'production/operator-pins/c.yaml';
    expect(reasons({ [p]: pins('oadp-operator.v1.4.4') }, { [p]: pins('oadp-operator.v1.5.0') }, 'outage/operator-upgrade')).toMatch(/approves operator openshift-adp\/redhat-oadp-operator oadp-operator.v1.4.4 -> oadp-operator.v1.5.0 \(minor version upgrade\)/);
    expect(reasons({ [p]: pins('oadp-operator.v1.4.4') }, { [p]: pins('oadp-operator.v1.4.2') }, 'outage/operator-upgrade')).toMatch(/\(downgrade\)/);
  });
});

describe('weakening', () => {
  const schedule = (spec: Record<string, unknown>, template: Record<string, unknown> = {}) => ({ apiVersion: 'velero.io/v1', kind: 'Schedule', metadata: meta('daily-tenants', 'openshift-adp'), spec: { schedule: '0 2 * * *', ...spec, template: { includedNamespaces: ['forum', 'wiki'], ttl: '720h0m0s', ...template } } });
  const s = 'production/backup/s.yaml';

  test('backup-retention: a shorter ttl (also when the default 720h was in effect) or an earlier pruning age; a longer ttl is not', () => {
    expect(reasons({ [s]: schedule({}) }, { [s]: schedule({}, { ttl: '168h0m0s' }) }, 'weakening/backup-retention')).toMatch(/keeps backups for 7d instead of 30d/);
    expect(reasons({ [s]: schedule({}, { ttl: undefined }) }, { [s]: schedule({}, { ttl: '240h' }) }, 'weakening/backup-retention')).toMatch(/10d instead of 30d/);
    expect(rulesOf({ [s]: schedule({}) }, { [s]: schedule({}, { ttl: '2160h' }) })).toEqual([]);
    const job = (age: number) => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('etcd-backup', 'etcd-backup'), spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 's', image: 'x', command: ['/bin/bash', '-c', `find /backup -mindepth 1 -maxdepth 1 -type d -mmin +${age} -exec rm -rf {} +`] }] } } } } } });
    expect(reasons({ [s]: job(10080) }, { [s]: job(1440) }, 'weakening/backup-retention')).toMatch(/deletes copies older than 1d instead of 7d/);
  });

  test('schedule: a backup that runs less often, or a suspended CronJob; a reworded equal schedule is not', () => {
    expect(reasons({ [s]: schedule({}) }, { [s]: schedule({ schedule: '0 2 * * 0' }) }, 'weakening/schedule')).toMatch(/runs less often: "0 2 \* \* \*" \(daily\) -> "0 2 \* \* 0" \(weekly\)/);
    expect(rulesOf({ [s]: schedule({}) }, { [s]: schedule({ schedule: '@daily' }) })).toEqual([]);
    expect(rulesOf({ [s]: schedule({ schedule: '0 2 * * 0' }) }, { [s]: schedule({}) })).toEqual([]);
  });

  test('backup-coverage: namespaces taken out or excluded, volume snapshots off; adding a namespace is not', () => {
    expect(reasons({ [s]: schedule({}) }, { [s]: schedule({}, { includedNamespaces: ['wiki'] }) }, 'weakening/backup-coverage')).toMatch(/takes forum out of backup schedule daily-tenants/);
    expect(reasons({ [s]: schedule({}) }, { [s]: schedule({}, { excludedNamespaces: ['wiki'] }) }, 'weakening/backup-coverage')).toMatch(/excludes wiki from backup schedule/);
    expect(reasons({ [s]: schedule({}) }, { [s]: schedule({}, { snapshotVolumes: false }) }, 'weakening/backup-coverage')).toMatch(/stops snapshotting volumes/);
    expect(rulesOf({ [s]: schedule({}) }, { [s]: schedule({}, { includedNamespaces: ['forum', 'wiki', 'chat'] }) })).toEqual([]);
  });

  test('credentials: a longer certificate, a long-lived token Secret, tokens mounted again, longer projected tokens', () => {
    const cert = (duration?: string) => ({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: meta('web'), spec: { secretName: 'web-tls', ...(duration ? { duration } : {}) } });
    const c = `${F}/c.yaml`;
    expect(reasons({ [c]: cert() }, { [c]: cert('8760h') }, 'weakening/credentials')).toMatch(/valid for 365d instead of 90d/);
    expect(rulesOf({ [c]: cert('8760h') }, { [c]: cert('2160h') })).toEqual([]);
    const token = { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: meta('ci-token', 'forum', { annotations: { 'kubernetes.io/service-account.name': 'ci' } }) };
    expect(reasons({}, { [c]: token }, 'weakening/credentials')).toMatch(/long-lived token for ServiceAccount ci: it never expires/);
    const d = `${F}/d.yaml`;
    expect(reasons({ [d]: workload({ automountServiceAccountToken: false }) }, { [d]: workload() }, 'weakening/credentials')).toMatch(/service account token mounted/);
    const projected = (secs: number) => workload({ volumes: [{ name: 'tok', projected: { sources: [{ serviceAccountToken: { path: 't', expirationSeconds: secs } }] } }] });
    expect(reasons({ [d]: projected(3600) }, { [d]: projected(86400) }, 'weakening/credentials')).toMatch(/token in volume tok lives 1d instead of 1h/);
  });
});

describe('cron frequency (weakening/schedule uses it)', () => {
  test.each([
    ['0 2 * * *', 365], ['@daily', 365], ['0 2 * * 0', 52], ['0 2 * * SUN', 52], ['0 */6 * * *', 1460], ['0 2 1 * *', 12], ['@hourly', 8760], ['30 1 * * 1-5', 261],
    ['0 0 13 * 5', 12 + 52 - 1], ['CRON_TZ=Europe/Berlin 0 2 * * *', 365],
  ])('%s runs %d times in 2025', (s, n) => {
    expect(runsPerYear(s)).toBe(n);
  });
  test('unreadable schedules compare as unknown', () => {
    expect(runsPerYear('every day')).toBeUndefined();
    expect(runsPerYear('61 * * * *')).toBeUndefined();
  });
});

describe('changes without risk stay plain', () => {
  test('an image bump, a label and a ConfigMap value carry no class', () => {
    const d = `${F}/d.yaml`;
    const r = diff({ [d]: workload() }, { [d]: workload({}, 2, [{ name: 'web', image: 'quay.io/forum/web:2', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } } }]) });
    const c: ResourceChange = r.changes[0];
    expect(c.classes).toEqual([]);
    expect(c.risks).toEqual([]);
  });
});
