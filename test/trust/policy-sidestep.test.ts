/**
 * Issue 11, class 4: policies cannot be sidestepped. Each table lists objects that must be
 * refused (with the JSON pointer of the refusal) and objects that must pass, per policy.
 */
import { ApiObject } from 'cdk8s';
import { checkPolicies, PolicyObject, Policy, SystemNamespaces } from '../../lib/policy';
import { synth, testCluster } from '../_helpers';
import { policyProblems, synthError, tenantStack } from '../policy/_stack';

const SERVER = 'https://kubernetes.default.svc';
const REQ = { requests: { cpu: '10m', memory: '10Mi' } };

const objs = (manifests: any[], files?: string[]): PolicyObject[] =>
  manifests.map((manifest, i) => ({ manifest, path: `doc#${i}`, group: 'g', file: files?.[i] }));

/** The fields (JSON pointers) one policy refuses in a set of manifests. */
function refused(policy: string, manifests: any[], files?: string[]): string[] {
  return checkPolicies(objs(manifests, files)).filter((p) => p.message.startsWith(`policy ${policy}:`)).map((p) => `${p.path} ${p.field}`);
}

const pod = (spec: object, container: object = {}, namespace = 'team') => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace },
  spec: { containers: [{ name: 'c', image: 'quay.io/a/b:1.0', resources: REQ, ...container }], ...spec },
});
const wrap = (kind: string, apiVersion: string, path: string[], podSpec: object) => {
  const m: any = { apiVersion, kind, metadata: { name: 'w', namespace: 'team' } };
  let at = m;
  for (const k of path.slice(0, -1)) at = at[k] ??= {};
  at[path[path.length - 1]] = podSpec;
  return m;
};
const privSpec = { containers: [{ name: 'c', image: 'quay.io/a/b:1.0', resources: REQ, securityContext: { privileged: true } }] };

describe('no-host-access covers every kind that runs code', () => {
  const kinds: Array<[string, string, string[]]> = [
    ['Pod', 'v1', ['spec']],
    ['PodTemplate', 'v1', ['template', 'spec']],
    ['Deployment', 'apps/v1', ['spec', 'template', 'spec']],
    ['StatefulSet', 'apps/v1', ['spec', 'template', 'spec']],
    ['DaemonSet', 'apps/v1', ['spec', 'template', 'spec']],
    ['ReplicaSet', 'apps/v1', ['spec', 'template', 'spec']],
    ['ReplicationController', 'v1', ['spec', 'template', 'spec']],
    ['Job', 'batch/v1', ['spec', 'template', 'spec']],
    ['CronJob', 'batch/v1', ['spec', 'jobTemplate', 'spec', 'template', 'spec']],
    ['DeploymentConfig', 'apps.openshift.io/v1', ['spec', 'template', 'spec']],
  ];
  test.each(kinds)('a privileged container in a %s is refused', (kind, apiVersion, path) => {
    expect(refused('no-host-access', [wrap(kind, apiVersion, path, privSpec)])).toEqual([`doc#0 /${path.join('/')}/containers/0/securityContext/privileged`]);
  });

  const refusedPods: Array<[string, any, string[]]> = [
    ['capability SYS_ADMIN', pod({}, { securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }), ['/spec/containers/0/securityContext/capabilities/add']],
    ['capability NET_ADMIN', pod({}, { securityContext: { capabilities: { add: ['NET_ADMIN'] } } }), ['/spec/containers/0/securityContext/capabilities/add']],
    ['capability NET_RAW (CAP_ prefix, lower case)', pod({}, { securityContext: { capabilities: { add: ['cap_net_raw'] } } }), ['/spec/containers/0/securityContext/capabilities/add']],
    ['capability ALL', pod({}, { securityContext: { capabilities: { add: ['ALL'] } } }), ['/spec/containers/0/securityContext/capabilities/add']],
    ['NET_BIND_SERVICE next to SYS_PTRACE', pod({}, { securityContext: { capabilities: { add: ['NET_BIND_SERVICE', 'SYS_PTRACE'] } } }), ['/spec/containers/0/securityContext/capabilities/add']],
    ['container runAsUser 0', pod({}, { securityContext: { runAsUser: 0 } }), ['/spec/containers/0/securityContext/runAsUser']],
    ['pod runAsUser 0', pod({ securityContext: { runAsUser: 0 } }), ['/spec/securityContext/runAsUser']],
    ['pod runAsNonRoot false', pod({ securityContext: { runAsNonRoot: false } }), ['/spec/securityContext/runAsNonRoot']],
    ['container runAsNonRoot false', pod({}, { securityContext: { runAsNonRoot: false } }), ['/spec/containers/0/securityContext/runAsNonRoot']],
    ['allowPrivilegeEscalation true', pod({}, { securityContext: { allowPrivilegeEscalation: true } }), ['/spec/containers/0/securityContext/allowPrivilegeEscalation']],
    ['procMount Unmasked', pod({}, { securityContext: { procMount: 'Unmasked' } }), ['/spec/containers/0/securityContext/procMount']],
    ['SELinux type spc_t', pod({}, { securityContext: { seLinuxOptions: { type: 'spc_t' } } }), ['/spec/containers/0/securityContext/seLinuxOptions/type']],
    ['SELinux user at pod level', pod({ securityContext: { seLinuxOptions: { user: 'system_u' } } }), ['/spec/securityContext/seLinuxOptions/user']],
    ['seccomp Unconfined', pod({}, { securityContext: { seccompProfile: { type: 'Unconfined' } } }), ['/spec/containers/0/securityContext/seccompProfile/type']],
    ['hostPort', pod({}, { ports: [{ containerPort: 80, hostPort: 80 }] }), ['/spec/containers/0/ports/0/hostPort']],
    ['Windows host process', pod({ securityContext: { windowsOptions: { hostProcess: true } } }), ['/spec/securityContext/windowsOptions/hostProcess']],
    ['privileged init container', pod({ initContainers: [{ name: 'i', image: 'quay.io/a/b:1.0', resources: REQ, securityContext: { privileged: true } }] }), ['/spec/initContainers/0/securityContext/privileged']],
    ['ephemeral container adding caps', pod({ ephemeralContainers: [{ name: 'e', image: 'quay.io/a/b:1.0', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }] }), ['/spec/ephemeralContainers/0/securityContext/capabilities/add']],
  ];
  test.each(refusedPods)('%s is refused', (_what, manifest, pointers) => {
    expect(refused('no-host-access', [manifest])).toEqual(pointers.map((p) => `doc#0 ${p}`));
  });

  const allowedPods: Array<[string, any]> = [
    ['NET_BIND_SERVICE only, ALL dropped', pod({}, { securityContext: { capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } } })],
    ['runAsUser 1000, runAsNonRoot true', pod({ securityContext: { runAsUser: 1000, runAsNonRoot: true } }, { securityContext: { runAsUser: 1001 } })],
    ['allowPrivilegeEscalation false', pod({}, { securityContext: { allowPrivilegeEscalation: false } })],
    ['procMount Default', pod({}, { securityContext: { procMount: 'Default' } })],
    ['SELinux level only, type container_t', pod({ securityContext: { seLinuxOptions: { level: 's0:c123,c456', type: 'container_t' } } })],
    ['seccomp RuntimeDefault', pod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } })],
    ['containerPort without hostPort', pod({}, { ports: [{ containerPort: 8080 }] })],
  ];
  test.each(allowedPods)('%s passes', (_what, manifest) => {
    expect(refused('no-host-access', [manifest])).toEqual([]);
  });

  const vm = (kind: string, apiVersion: string, path: string[], vmi: object) => wrap(kind, apiVersion, path, vmi);
  const hostDiskVmi = { domain: { devices: {} }, volumes: [{ name: 'd', hostDisk: { path: '/var/lib/disk.img', type: 'Disk' } }] };
  const vmKinds: Array<[string, string, string[]]> = [
    ['VirtualMachine', 'kubevirt.io/v1', ['spec', 'template', 'spec']],
    ['VirtualMachineInstance', 'kubevirt.io/v1', ['spec']],
    ['VirtualMachineInstanceReplicaSet', 'kubevirt.io/v1', ['spec', 'template', 'spec']],
    ['VirtualMachinePool', 'pool.kubevirt.io/v1alpha1', ['spec', 'virtualMachineTemplate', 'spec', 'template', 'spec']],
  ];
  test.each(vmKinds)('a hostDisk volume in a %s is refused', (kind, apiVersion, path) => {
    expect(refused('no-host-access', [vm(kind, apiVersion, path, hostDiskVmi)])).toEqual([`doc#0 /${path.join('/')}/volumes/0/hostDisk`]);
  });
  test.each([['hostDevices'], ['gpus']])('VirtualMachine %s passed through from the host are refused', (list) => {
    const m = vm('VirtualMachine', 'kubevirt.io/v1', ['spec', 'template', 'spec'], { domain: { devices: { [list]: [{ name: 'x', deviceName: 'nvidia.com/GA102' }] } } });
    expect(refused('no-host-access', [m])).toEqual([`doc#0 /spec/template/spec/domain/devices/${list}/0`]);
  });
  test('a VirtualMachine with a DataVolume and a container disk passes', () => {
    const m = vm('VirtualMachine', 'kubevirt.io/v1', ['spec', 'template', 'spec'], { domain: { devices: { disks: [{ name: 'root' }] } }, volumes: [{ name: 'root', dataVolume: { name: 'root' } }, { name: 'c', containerDisk: { image: 'quay.io/a/b:1.0' } }] });
    expect(refused('no-host-access', [m])).toEqual([]);
  });

  const gitlab = (values: object) => ({ apiVersion: 'apps.gitlab.com/v1beta1', kind: 'GitLab', metadata: { name: 'gitlab', namespace: 'gitlab-system' }, spec: { chart: { version: '8.5.0', values } } });
  const crs: Array<[string, any, string[]]> = [
    ['GitLab chart values: privileged container', gitlab({ gitlab: { webservice: { containerSecurityContext: { privileged: true } } } }), ['/spec/chart/values/gitlab/webservice/containerSecurityContext/privileged']],
    ['GitLab chart values: root pod securityContext', gitlab({ gitlab: { sidekiq: { securityContext: { runAsUser: 0 } } } }), ['/spec/chart/values/gitlab/sidekiq/securityContext/runAsUser']],
    ['GitLab chart values: added capabilities', gitlab({ gitlab: { toolbox: { containerSecurityContext: { capabilities: { add: ['SYS_ADMIN'] } } } } }), ['/spec/chart/values/gitlab/toolbox/containerSecurityContext/capabilities']],
    ['GitLab chart values: hostPath in an extraVolumes YAML string', gitlab({ gitlab: { sidekiq: { extraVolumes: '- name: root\n  hostPath:\n    path: /\n' } } }), ['/spec/chart/values/gitlab/sidekiq/extraVolumes']],
    ['GitLab chart values: hostNetwork', gitlab({ global: { hostNetwork: true } }), ['/spec/chart/values/global/hostNetwork']],
    ['GitLab chart values: text mentioning privileged that is not YAML', gitlab({ x: { y: 'privileged: [unclosed' } }), ['/spec/chart/values/x/y']],
    ['Runner CR: allowPrivilegeEscalation in spec', { apiVersion: 'apps.gitlab.com/v1beta2', kind: 'Runner', metadata: { name: 'r', namespace: 'ci' }, spec: { gitlabUrl: 'https://gitlab.example.org', podSpec: [{ name: 'p', patch: '{"containers":[{"name":"build","securityContext":{"allowPrivilegeEscalation":true}}]}', patchType: 'strategic' }] } }, ['/spec/podSpec/0/patch']],
    ['Argo CD Application: Helm values string with privileged', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a', namespace: 'openshift-gitops' }, spec: { source: { helm: { values: 'securityContext:\n  privileged: true\n' } } } }, ['/spec/source/helm/values']],
    ['OLM Subscription config with a hostPath volume', { apiVersion: 'operators.coreos.com/v1alpha1', kind: 'Subscription', metadata: { name: 's', namespace: 'ops' }, spec: { config: { volumes: [{ name: 'h', hostPath: { path: '/etc' } }] } } }, ['/spec/config/volumes/0/hostPath']],
    ['unknown CR with hostPID', { apiVersion: 'example.org/v1', kind: 'Agent', metadata: { name: 'a', namespace: 'ops' }, spec: { deep: { er: { hostPID: true } } } }, ['/spec/deep/er/hostPID']],
  ];
  test.each(crs)('%s is refused', (_what, manifest, pointers) => {
    expect(refused('no-host-access', [manifest])).toEqual(pointers.map((p) => `doc#0 ${p}`));
  });

  const runnerToml = (toml: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'runner-config', namespace: 'ci' }, data: { 'config.toml': toml } });
  const tomlCases: Array<[string, string, number]> = [
    ['privileged job pods', '[[runners]]\n  [runners.kubernetes]\n    privileged = true\n', 1],
    ['privilege escalation', '[[runners]]\n  [runners.kubernetes]\n    allow_privilege_escalation = true\n', 1],
    ['host path volume', '[[runners]]\n  [runners.kubernetes]\n  [[runners.kubernetes.volumes.host_path]]\n    name = "docker"\n    mount_path = "/var/run/docker.sock"\n', 1],
    ['root job pods', '[[runners]]\n  [runners.kubernetes.pod_security_context]\n    run_as_user = 0\n    run_as_non_root = false\n', 2],
    ['added capabilities', '[[runners]]\n  [runners.kubernetes]\n    cap_add = ["NET_BIND_SERVICE", "SYS_ADMIN"]\n', 1],
    ['plain settings', '[[runners]]\n  [runners.kubernetes]\n    cpu_request = "1"\n    privileged = false\n    cap_add = ["NET_BIND_SERVICE"]\n    # privileged = true\n', 0],
  ];
  test.each(tomlCases)('GitLab Runner config.toml: %s gives %d refusal(s)', (_what, toml, n) => {
    const found = checkPolicies(objs([runnerToml(toml)])).filter((p) => p.message.startsWith('policy no-host-access:'));
    expect(found).toHaveLength(n);
    for (const f of found) expect(f.field).toBe('/data/config.toml');
  });

  const allowedCrs: Array<[string, any]> = [
    ['GitLab chart values with a PVC extraVolumes string and a safe securityContext', gitlab({ gitlab: { sidekiq: { extraVolumes: '- name: logs\n  persistentVolumeClaim:\n    claimName: logs\n', securityContext: { runAsUser: 1000, fsGroup: 1000 } } } })],
    ['a ConfigMap whose text mentions privileged (not a runner config)', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'doc', namespace: 'team' }, data: { 'README.md': 'privileged: true is not allowed here' } }],
    ['a Route (spec.host is not hostPath)', { apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name: 'r', namespace: 'team' }, spec: { host: 'a.example.org', to: { kind: 'Service', name: 's' } } }],
  ];
  test.each(allowedCrs)('%s passes', (_what, manifest) => {
    expect(refused('no-host-access', [manifest])).toEqual([]);
  });

  test('a YAML alias bomb in chart values is walked once per node, within the bounds', () => {
    const shared: any = { a: 1 };
    let v: any = shared;
    for (let i = 0; i < 40; i++) v = { l: v, r: v };
    // 2^40 paths, 41 distinct nodes: a walk that followed every path would never end.
    expect(refused('no-host-access', [gitlab({ deep: v })])).toEqual([]);
  });

  test('a declared system namespace, and a per-object waiver, accept host access', () => {
    const cluster = testCluster();
    SystemNamespaces.declare(cluster, 'node-agents', 'node agents read the host');
    const { GitOpsApp } = require('../../lib/gitops/gitops-app');
    const app = new GitOpsApp(cluster, 'Agents', { name: 'agents', namespace: 'node-agents' });
    new ApiObject(app, 'Agent', pod({ hostNetwork: true }, { securityContext: { capabilities: { add: ['SYS_ADMIN'] }, runAsUser: 0 } }, 'node-agents'));
    const other = new GitOpsApp(cluster, 'Other', { name: 'other', namespace: 'other' });
    const vmObj = new ApiObject(other, 'Vm', { ...vm('VirtualMachine', 'kubevirt.io/v1', ['spec', 'template', 'spec'], hostDiskVmi), metadata: { name: 'vm', namespace: 'other' } });
    Policy.waive(vmObj, 'no-host-access', 'lab VM reads a local image on purpose');
    expect(() => synth(cluster)).not.toThrow();
  });
});

describe('tenant-namespace-confinement: a tenant folder holds only the tenant namespace', () => {
  test.each([
    ['another tenant', 'other-team', '/metadata/namespace'],
    ['a system namespace', 'etcd-backup', '/metadata/namespace'],
    ['the Argo CD namespace', 'openshift-gitops', '/metadata/namespace'],
  ])('an object under a Tenant aimed at %s is refused', (_what, namespace, field) => {
    const { cluster, tenant } = tenantStack();
    new ApiObject(tenant, 'Escape', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'escape', namespace } });
    const found = policyProblems(synthError(cluster), 'tenant-namespace-confinement');
    expect(found.map((p) => [p.path, p.field])).toEqual([['Forum/Escape', field]]);
    expect(found[0].message).toMatch(new RegExp(`aimed at namespace "${namespace}"; a tenant's folder holds only objects in "forum"`));
  });

  test('a cluster-scoped object under a Tenant is refused', () => {
    const { cluster, tenant } = tenantStack();
    new ApiObject(tenant, 'Role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'escape' }, rules: [] });
    const found = policyProblems(synthError(cluster), 'tenant-namespace-confinement');
    expect(found.map((p) => [p.path, p.field])).toEqual([['Forum/Role', '/metadata/namespace']]);
    expect(found[0].message).toMatch(/has no namespace \(cluster-scoped or unplaced\)/);
  });

  test('objects in the tenant namespace pass; the Namespace and quota placed in the tenancy folder pass', () => {
    const { cluster, tenant } = tenantStack();
    new ApiObject(tenant, 'Sa', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ok' } });
    expect(() => synth(cluster)).not.toThrow();
  });

  const app = (name: string, project: string, namespace: string, path = `dist/prod/${name}`) => ({
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace: 'openshift-gitops' },
    spec: { project, source: { repoURL: 'https://git.example.org/c.git', path }, destination: { server: SERVER, namespace } },
  });
  const project = (name: string, namespaces: string[]) => ({
    apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name, namespace: 'openshift-gitops' },
    spec: { sourceRepos: ['https://git.example.org/c.git'], destinations: namespaces.map((namespace) => ({ server: SERVER, namespace })) },
  });
  const tenantNs = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels: { 'ocpkit.io/tenant': 'team' } } };
  const sa = (namespace?: string) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'x', namespace } });
  const tree: Array<[string, any[], string[], string[]]> = [
    ['object in the tenant namespace', [project('tenant-team', ['team']), app('team', 'tenant-team', 'team'), sa('team')], ['prod/root/p.yaml', 'prod/root/a.yaml', 'prod/team/sa.yaml'], []],
    ['object in another namespace', [project('tenant-team', ['team']), app('team', 'tenant-team', 'team'), sa('kube-system')], ['prod/root/p.yaml', 'prod/root/a.yaml', 'prod/team/sa.yaml'], ['doc#2 /metadata/namespace']],
    ['object without namespace', [project('tenant-team', ['team']), app('team', 'tenant-team', 'team'), sa()], ['prod/root/p.yaml', 'prod/root/a.yaml', 'prod/team/sa.yaml'], ['doc#2 /metadata/namespace']],
    ['Application aimed outside its project', [project('tenant-team', ['team']), app('team', 'tenant-team', 'kube-system')], ['prod/root/p.yaml', 'prod/root/a.yaml'], ['doc#1 /spec/destination/namespace']],
    ['Application naming an undefined project', [project('tenant-team', ['team']), app('team', 'tenant-tema', 'team')], ['prod/root/p.yaml', 'prod/root/a.yaml'], ['doc#1 /spec/project']],
    ['tenant namespace deployed with the platform project', [tenantNs, app('team', 'platform', 'team')], ['prod/tenancy/ns.yaml', 'prod/root/a.yaml'], ['doc#1 /spec/project']],
    ['platform app in its own namespace', [tenantNs, app('ops', 'platform', 'ops'), sa('kube-system')], ['prod/tenancy/ns.yaml', 'prod/root/a.yaml', 'prod/ops/sa.yaml'], []],
    ['validate of one environment folder (paths without the environment)', [project('tenant-team', ['team']), app('team', 'tenant-team', 'team'), sa('other')], ['root/p.yaml', 'root/a.yaml', 'team/sa.yaml'], ['doc#2 /metadata/namespace']],
  ];
  test.each(tree)('%s', (_what, manifests, files, want) => {
    expect(refused('tenant-namespace-confinement', manifests, files)).toEqual(want);
  });
});

describe('confined-projects: every glob form and deny pattern widens a destination', () => {
  const proj = (dest: object, extra: object = {}) => ({
    apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'tenant-x', namespace: 'openshift-gitops' },
    spec: { sourceRepos: ['https://git.example.org/c.git'], destinations: [{ server: SERVER, namespace: 'x', ...dest }], ...extra },
  });
  const wide: Array<[string, any, string]> = [
    ['namespace *', proj({ namespace: '*' }), '/spec/destinations/0/namespace'],
    ['namespace x-*', proj({ namespace: 'x-*' }), '/spec/destinations/0/namespace'],
    ['namespace ?', proj({ namespace: 'x?' }), '/spec/destinations/0/namespace'],
    ['namespace [..]', proj({ namespace: '[a-z]' }), '/spec/destinations/0/namespace'],
    ['namespace {a,b}', proj({ namespace: '{x,kube-system}' }), '/spec/destinations/0/namespace'],
    ['namespace escape', proj({ namespace: 'x\\-y' }), '/spec/destinations/0/namespace'],
    ['namespace !deny pattern', proj({ namespace: '!kube-system' }), '/spec/destinations/0/namespace'],
    ['namespace missing', proj({ namespace: undefined }), '/spec/destinations/0/namespace'],
    ['namespace empty', proj({ namespace: '' }), '/spec/destinations/0/namespace'],
    ['server *', proj({ server: '*' }), '/spec/destinations/0/server'],
    ['server !deny', proj({ server: '!https://other' }), '/spec/destinations/0/server'],
    ['name glob', proj({ name: 'prod-?' }), '/spec/destinations/0/name'],
    ['no cluster at all', proj({ server: undefined }), '/spec/destinations/0'],
    ['sourceNamespaces glob', proj({}, { sourceNamespaces: ['team-*'] }), '/spec/sourceNamespaces/0'],
    ['sourceNamespaces regex', proj({}, { sourceNamespaces: ['/.*/'] }), '/spec/sourceNamespaces/0'],
    ['clusterResourceWhitelist with a kind', proj({}, { clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }] }), '/spec/clusterResourceWhitelist'],
    ['clusterResourceWhitelist not a list', proj({}, { clusterResourceWhitelist: { group: '*', kind: '*' } }), '/spec/clusterResourceWhitelist'],
  ];
  test.each(wide)('%s is refused', (_what, manifest, pointer) => {
    expect(refused('confined-projects', [manifest])).toEqual([`doc#0 ${pointer}`]);
  });
  test.each([
    ['exact namespace and server', proj({})],
    ['exact namespace and cluster name', proj({ server: undefined, name: 'in-cluster' })],
    ['exact sourceNamespaces, empty whitelist', proj({}, { sourceNamespaces: ['x'], clusterResourceWhitelist: [] })],
  ])('%s passes', (_what, manifest) => {
    expect(refused('confined-projects', [manifest])).toEqual([]);
  });
});

describe('tenant-network-isolation: no allow-all policy next to the default deny', () => {
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', labels: { 'ocpkit.io/tenant': 'team', 'pod-security.kubernetes.io/enforce': 'restricted' } } };
  const np = (name: string, spec: object, namespace = 'team') => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec: { podSelector: {}, policyTypes: ['Ingress'], ...spec } });
  const deny = np('deny-by-default', {});
  const open: Array<[string, any, string]> = [
    ['an empty ingress rule', np('open', { ingress: [{}] }), '/spec/ingress/0'],
    ['an ingress rule with ports only', np('open', { ingress: [{ ports: [{ port: 8080 }] }] }), '/spec/ingress/0'],
    ['namespaceSelector {}', np('open', { ingress: [{ from: [{ namespaceSelector: {} }] }] }), '/spec/ingress/0/from/0/namespaceSelector'],
    ['namespaceSelector {} with a podSelector', np('open', { ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'x' } } }] }] }), '/spec/ingress/0/from/0/namespaceSelector'],
    ['namespaceSelector DoesNotExist only', np('open', { ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'nope', operator: 'DoesNotExist' }] } }] }] }), '/spec/ingress/0/from/0/namespaceSelector'],
    ['ipBlock 0.0.0.0/0', np('open', { ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] }), '/spec/ingress/0/from/0/ipBlock/cidr'],
    ['ipBlock ::/0', np('open', { ingress: [{ from: [{ ipBlock: { cidr: '::/0' } }] }] }), '/spec/ingress/0/from/0/ipBlock/cidr'],
    ['one selected pod opened to everything', np('open', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] }), '/spec/ingress/0'],
  ];
  test.each(open)('%s in a tenant namespace is refused', (_what, policy, pointer) => {
    expect(refused('tenant-network-isolation', [ns, deny, policy])).toEqual([`doc#2 ${pointer}`]);
  });
  const fine: Array<[string, any]> = [
    ['same namespace', np('allow-same-namespace', { ingress: [{ from: [{ podSelector: {} }] }] })],
    ['OpenShift ingress routers', np('allow-from-openshift-ingress', { ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'policy-group.network.openshift.io/ingress': '' } } }] }] })],
    ['monitoring', np('allow-from-openshift-monitoring', { ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'network.openshift.io/policy-group': 'monitoring' } } }] }] })],
    ['a named ipBlock', np('office', { ingress: [{ from: [{ ipBlock: { cidr: '192.0.2.0/24' } }] }] })],
    ['an allow-all egress-only policy', np('egress', { policyTypes: ['Egress'], ingress: [{}] })],
    ['allow-all in a non-tenant namespace', np('open', { ingress: [{}] }, 'ops')],
  ];
  test.each(fine)('%s passes', (_what, policy) => {
    expect(refused('tenant-network-isolation', [ns, deny, policy])).toEqual([]);
  });
  test('the Tenant construct\'s own policies pass in a synth', () => {
    const { cluster } = tenantStack();
    expect(() => synth(cluster)).not.toThrow();
  });
});

describe('encrypted-backups: every form of backup location', () => {
  const dpa = (locations: any[]) => ({ apiVersion: 'oadp.openshift.io/v1alpha1', kind: 'DataProtectionApplication', metadata: { name: 'dpa', namespace: 'openshift-adp' }, spec: { backupLocations: locations } });
  const rows: Array<[string, any, string[]]> = [
    ['velero location without encryption', dpa([{ name: 'a', velero: { provider: 'aws', objectStorage: { bucket: 'b' }, config: { region: 'eu' } } }]), ['/spec/backupLocations/0/velero/config']],
    ['bucket (CloudStorage) location without config', dpa([{ name: 'a', bucket: { cloudStorageRef: { name: 'cs' }, credential: { name: 'c', key: 'k' } } }]), ['/spec/backupLocations/0/bucket/config']],
    ['bucket location with an empty serverSideEncryption', dpa([{ name: 'a', bucket: { cloudStorageRef: { name: 'cs' }, config: { serverSideEncryption: ' ' } } }]), ['/spec/backupLocations/0/bucket/config']],
    ['a location that is neither', dpa([{ name: 'a' }]), ['/spec/backupLocations/0']],
    ['bucket location with kmsKeyId', dpa([{ name: 'a', bucket: { cloudStorageRef: { name: 'cs' }, config: { kmsKeyId: 'alias/velero' } } }]), []],
    ['velero location with serverSideEncryption', dpa([{ name: 'a', velero: { provider: 'aws', config: { serverSideEncryption: 'AES256' } } }]), []],
    ['BackupStorageLocation in another velero.io version', { apiVersion: 'velero.io/v2alpha1', kind: 'BackupStorageLocation', metadata: { name: 'b', namespace: 'openshift-adp' }, spec: { objectStorage: { bucket: 'b' } } }, ['/spec/config']],
  ];
  test.each(rows)('%s', (_what, manifest, want) => {
    expect(refused('encrypted-backups', [manifest])).toEqual(want.map((p) => `doc#0 ${p}`));
  });
});

describe('namespace-admission-labels: labels that switch admission off', () => {
  const ns = (labels: Record<string, string>, annotations: Record<string, string> = {}, kind = 'Namespace', apiVersion = 'v1') =>
    ({ apiVersion, kind, metadata: { name: 'team', labels, annotations } });
  const tenant = { 'ocpkit.io/tenant': 'team', 'pod-security.kubernetes.io/enforce': 'restricted' };
  const rows: Array<[string, any, string[]]> = [
    ['run-level 0', ns({ 'openshift.io/run-level': '0' }), ['/metadata/labels/openshift.io~1run-level']],
    ['run-level 1', ns({ 'openshift.io/run-level': '1' }), ['/metadata/labels/openshift.io~1run-level']],
    ['run-level empty', ns({ 'openshift.io/run-level': '' }), ['/metadata/labels/openshift.io~1run-level']],
    ['run-level on a Project', ns({ 'openshift.io/run-level': '0' }, {}, 'Project', 'project.openshift.io/v1'), ['/metadata/labels/openshift.io~1run-level']],
    ['Pod Security privileged (a Tenant podSecurity decision, SCC still applies)', ns({ 'pod-security.kubernetes.io/enforce': 'privileged' }), []],
    ['label sync off without a level', ns({ 'security.openshift.io/scc.podSecurityLabelSync': 'false' }), ['/metadata/labels/security.openshift.io~1scc.podSecurityLabelSync']],
    ['label sync off with a made-up level', ns({ 'security.openshift.io/scc.podSecurityLabelSync': 'false', 'pod-security.kubernetes.io/enforce': 'none' }), ['/metadata/labels/security.openshift.io~1scc.podSecurityLabelSync']],
    ['hand-written SCC UID range', ns({}, { 'openshift.io/sa.scc.uid-range': '0/10000' }), ['/metadata/annotations/openshift.io~1sa.scc.uid-range']],
    ['hand-written SCC MCS label', ns({}, { 'openshift.io/sa.scc.mcs': 's0:c1,c0' }), ['/metadata/annotations/openshift.io~1sa.scc.mcs']],
    ['cluster monitoring on a tenant', ns({ ...tenant, 'openshift.io/cluster-monitoring': 'true' }), ['/metadata/labels/openshift.io~1cluster-monitoring']],
    ['tenant labels as Tenant writes them', ns({ ...tenant, 'security.openshift.io/scc.podSecurityLabelSync': 'false' }), []],
    ['cluster monitoring on a platform namespace (OADP)', ns({ 'openshift.io/cluster-monitoring': 'true' }), []],
    ['baseline with label sync off', ns({ 'pod-security.kubernetes.io/enforce': 'baseline', 'security.openshift.io/scc.podSecurityLabelSync': 'false' }), []],
    ['no labels', ns({}), []],
  ];
  test.each(rows)('%s', (_what, manifest, want) => {
    expect(refused('namespace-admission-labels', [manifest])).toEqual(want.map((p) => `doc#0 ${p}`));
  });

  test('a declared system namespace may carry a run level, and a waiver accepts one object', () => {
    const cluster = testCluster();
    SystemNamespaces.declare(cluster, 'node-agents', 'node agents read the host');
    const { GitOpsApp } = require('../../lib/gitops/gitops-app');
    const app = new GitOpsApp(cluster, 'Agents', { name: 'agents' });
    const bad = new ApiObject(app, 'Ns', ns({ 'openshift.io/run-level': '0', 'pod-security.kubernetes.io/enforce': 'privileged' }));
    new ApiObject(app, 'Ns2', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'node-agents', labels: { 'openshift.io/run-level': '1' } } });
    const found = policyProblems(synthError(cluster), 'namespace-admission-labels');
    expect(found.map((p) => [p.path, p.field])).toEqual([['Agents/Ns', '/metadata/labels/openshift.io~1run-level']]);
    Policy.waive(bad, 'namespace-admission-labels', 'kube-proxy replacement runs before SCC admission');
    expect(() => synth(cluster)).not.toThrow();
  });
});
