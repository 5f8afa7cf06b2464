import { Cluster } from '../../lib/gitops/cluster';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { PostgresCluster } from '../../lib/databases/postgres';
import { GitLab } from '../../lib/gitlab';
import { GitLabNetworkIsolation, GitLabNetworkIsolationProps } from '../../lib/gitlab/network-isolation';
import { openIngress } from '../../lib/policy/tenant-network-isolation';
import { Quantity } from '../../lib/core/quantity';
import { SecretKey } from '../../lib/core/secret-key';
import { VirtualMachine } from '../../lib/virt/virtual-machine';
import { DiskSource } from '../../lib/virt/disk-source';
import { ExternalGitaly } from '../../lib/gitlab/external-gitaly';
import { synth } from '../_helpers';
import { fixture, gitlabProps, PUBLIC_NET } from './_fixture';

const NS = 'gitlab-system';
const REDIS = { pods: { 'app.kubernetes.io/name': 'redis' }, port: 6379 };

/** A pod somewhere in the cluster, as NetworkPolicy peers see it. */
interface Pod { ns: string; nsLabels?: Record<string, string>; labels: Record<string, string> }

function matches(sel: any, labels: Record<string, string>): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = e.key in labels;
    if (e.operator === 'In' && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Kubernetes NetworkPolicy ingress semantics (policies additive; an unselected pod is open). */
function admits(policies: any[], from: Pod, to: Pod, port: number): boolean {
  const selecting = policies.filter((p) => p.metadata.namespace === to.ns && matches(p.spec.podSelector, to.labels));
  if (selecting.length === 0) return true;
  const nsLabels = { 'kubernetes.io/metadata.name': from.ns, ...from.nsLabels };
  return selecting.some((p) => (p.spec.ingress ?? []).some((rule: any) => {
    const portOk = !rule.ports || rule.ports.some((x: any) => x.port === port);
    const peerOk = (rule.from ?? []).some((peer: any) => {
      if (peer.namespaceSelector) return matches(peer.namespaceSelector, nsLabels) && matches(peer.podSelector, from.labels);
      return from.ns === to.ns && matches(peer.podSelector, from.labels);
    });
    return portOk && peerOk;
  }));
}

function world(opts: { sdn?: boolean; values?: any; props?: Partial<GitLabNetworkIsolationProps>; withDb?: boolean; move?: boolean } = {}) {
  let f = fixture('gitaly', { moveToReadWriteMany: opts.move });
  if (opts.sdn) {
    // Same fixture on a cluster that declares OpenShift SDN.
    const cluster = new Cluster({ platform: { openshift: '4.14', networkType: 'OpenShiftSDN', gitops: '1.12', argoCd: '2.10.18' }, name: 'test', environment: 'test', repoUrl: 'https://git.example.org/infra.git' });
    const app = new GitOpsApp(cluster, 'GitLab', { name: 'gitlab', namespace: NS });
    const vm = new VirtualMachine(app, 'GitalyVm', { name: 'gitaly', cpu: 4, memory: Quantity.gibibytes(16), rootDisk: { source: DiskSource.existingPvc('gitaly-root') }, networks: [{ network: PUBLIC_NET }] });
    const gitaly = new ExternalGitaly(app, 'Gitaly', { vm, publicNetwork: PUBLIC_NET, sshHost: 'git.example.org', authToken: SecretKey.of('gitaly-secrets', 'auth-token'), shellSecret: SecretKey.of('gitaly-secrets', 'shell-secret') });
    f = { ...f, cluster, app, vm, gitaly };
  }
  const gitlab = new GitLab(f.app, 'GitLab', { ...gitlabProps(f), values: opts.values });
  const db = opts.withDb === false ? undefined : new PostgresCluster(f.app, 'Db', {
    name: 'gitlab-db', namespace: NS, postgresVersion: 16, withoutBackupsReason: 'test',
    instances: [{ replicas: 2, storage: '20Gi' }], users: [{ name: 'gitlab', databases: ['gitlabhq_production'] }],
  });
  const iso = new GitLabNetworkIsolation(f.app, 'Isolation', { gitlab, gitaly: f.gitaly, database: db, redis: REDIS, ...opts.props });
  const policies = synth(f.cluster).objects.map((o) => o.manifest).filter((m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === NS);
  return { f, iso, policies };
}

const chartPod = (app: string): Pod => ({ ns: NS, labels: { app, release: 'gitlab', chart: `${app}-9.11.4` } });
const webservice = { ...chartPod('webservice'), labels: { ...chartPod('webservice').labels, 'gitlab.com/webservice-name': 'default' } };
const sidekiq = chartPod('sidekiq');
const toolbox = chartPod('toolbox');
const kas = chartPod('kas');
const gitalyVm: Pod = { ns: NS, labels: { 'ocpkit.io/vm': 'gitaly', 'kubevirt.io': 'virt-launcher' } };
const pgInstance: Pod = { ns: NS, labels: { 'postgres-operator.crunchydata.com/cluster': 'gitlab-db', 'postgres-operator.crunchydata.com/data': 'postgres', 'postgres-operator.crunchydata.com/instance-set': '00', 'postgres-operator.crunchydata.com/role': 'replica' } };
const pgRepoHost: Pod = { ns: NS, labels: { 'postgres-operator.crunchydata.com/cluster': 'gitlab-db', 'postgres-operator.crunchydata.com/pgbackrest': '', 'postgres-operator.crunchydata.com/data': 'pgbackrest' } };
const redis: Pod = { ns: NS, labels: { 'app.kubernetes.io/name': 'redis' } };
const operator: Pod = { ns: NS, labels: { 'control-plane': 'controller-manager' } };
const router: Pod = { ns: 'openshift-ingress', nsLabels: { 'policy-group.network.openshift.io/ingress': '', 'network.openshift.io/policy-group': 'ingress' }, labels: { 'ingresscontroller.operator.openshift.io/deployment-ingresscontroller': 'default' } };
const ovnHost: Pod = { ns: 'openshift-host-network', nsLabels: { 'policy-group.network.openshift.io/host-network': '' }, labels: {} };
const sdnHost: Pod = { ns: 'default', labels: {} };
const tenant: Pod = { ns: 'discourse', nsLabels: { 'ocpkit.io/tenant': 'discourse' }, labels: { app: 'webservice', release: 'gitlab' } };
const pgo: Pod = { ns: 'openshift-operators', labels: { 'postgres-operator.crunchydata.com/control-plane': 'postgres-operator' } };
// CDI's host-assisted clone (kubevirt/containerized-data-importer v1.57.1 pkg/common/common.go labels).
const cloneSource: Pod = { ns: NS, labels: { 'app': 'containerized-data-importer', 'cdi.kubevirt.io': 'cdi-clone-source', 'cdi.kubevirt.io/storage.clone.cloneUniqeId': 'x-source-pod' } };
const uploadServer: Pod = { ns: NS, labels: { 'app': 'containerized-data-importer', 'cdi.kubevirt.io': 'cdi-upload-server', 'service': 'cdi-upload-tmp-pvc-x' } };
const cdiController: Pod = { ns: 'openshift-cnv', labels: { 'app': 'containerized-data-importer', 'cdi.kubevirt.io': '' } };
const uwm: Pod = { ns: 'openshift-user-workload-monitoring', nsLabels: { 'network.openshift.io/policy-group': 'monitoring' }, labels: { 'app.kubernetes.io/name': 'prometheus' } };

describe('GitLabNetworkIsolation: gitlab-system denies by default and opens GitLab\'s real flows', () => {
  test('every pod of the namespace is denied by default, and each flow is one named, annotated policy', () => {
    const { policies, iso } = world();
    const deny = policies.find((p) => p.metadata.name === 'deny-by-default');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    const names = policies.map((p) => p.metadata.name).filter((n) => n !== 'deny-by-default' && !n.startsWith('gitaly-'));
    expect(new Set(names)).toEqual(new Set(iso.flows.map((f) => f.name)));
    for (const p of policies.filter((x) => iso.flows.some((f) => f.name === x.metadata.name))) {
      expect(p.metadata.annotations['ocpkit.io/flow']).toMatch(/->/);
      expect(openIngress(p)).toEqual([]);
    }
  });

  test.each([
    ['router -> workhorse', router, webservice, 8181],
    ['router -> KAS agent', router, kas, 8150],
    ['router -> KAS k8s proxy', router, kas, 8154],
    ['webservice -> KAS internal API', webservice, kas, 8153],
    ['sidekiq -> KAS internal API', sidekiq, kas, 8153],
    ['KAS -> KAS private API', kas, kas, 8155],
    ['KAS -> workhorse', kas, webservice, 8181],
    ['Gitaly VM (GitLab Shell, hooks) -> workhorse internal API', gitalyVm, webservice, 8181],
    ['webservice -> PostgreSQL', webservice, pgInstance, 5432],
    ['sidekiq -> PostgreSQL', sidekiq, pgInstance, 5432],
    ['toolbox -> PostgreSQL', toolbox, pgInstance, 5432],
    ['PG instance -> PG instance (replication)', pgInstance, pgInstance, 5432],
    ['PG instance -> Patroni', pgInstance, pgInstance, 8008],
    ['repo host -> pgBackRest on an instance', pgRepoHost, pgInstance, 8432],
    ['instance -> pgBackRest on the repo host', pgInstance, pgRepoHost, 8432],
    ['webservice -> Redis', webservice, redis, 6379],
    ['sidekiq -> Redis', sidekiq, redis, 6379],
    ['API server (OVN host network) -> operator webhook', ovnHost, operator, 9443],
    ['GitLab pods -> Gitaly gRPC', webservice, gitalyVm, 8075],
    ['sidekiq -> Gitaly gRPC', sidekiq, gitalyVm, 8075],
  ])('allows %s', (_n, from, to, port) => {
    const { policies } = world();
    expect(admits(policies, from, to, port)).toBe(true);
  });

  test.each([
    ['a tenant pod -> workhorse', tenant, webservice, 8181],
    ['router -> Rails 8080 (only Workhorse is the entry)', router, webservice, 8080],
    ['router -> sidekiq', router, sidekiq, 3807],
    ['router -> PostgreSQL', router, pgInstance, 5432],
    ['Gitaly VM -> PostgreSQL', gitalyVm, pgInstance, 5432],
    ['Gitaly VM -> Rails 8080', gitalyVm, webservice, 8080],
    ['Redis -> PostgreSQL', redis, pgInstance, 5432],
    ['GitLab pods -> Patroni', webservice, pgInstance, 8008],
    ['GitLab pods -> pgBackRest', webservice, pgInstance, 8432],
    ['PGO\'s operator namespace -> Patroni (it uses pod exec)', pgo, pgInstance, 8008],
    ['GitLab pods -> operator webhook', webservice, operator, 9443],
    ['OVN host network -> workhorse', ovnHost, webservice, 8181],
    ['SDN VNID 0 -> operator webhook on OVN', sdnHost, operator, 9443],
    ['a tenant pod -> KAS internal API', tenant, kas, 8153],
    ['monitoring -> webservice metrics when no ServiceMonitor is on', uwm, webservice, 8083],
    ['monitoring -> operator metrics when no monitor is on', uwm, operator, 8443],
    ['GitLab pods -> Redis on another port', webservice, redis, 6380],
    ['router -> the Gitaly VM', router, gitalyVm, 8075],
    ['Redis pod -> Gitaly gRPC (only GitLab\'s pods)', redis, gitalyVm, 8075],
    ['a tenant pod -> Gitaly gRPC', tenant, gitalyVm, 8075],
  ])('denies %s', (_n, from, to, port) => {
    const { policies } = world();
    expect(admits(policies, from, to, port)).toBe(false);
  });

  test('network type decides how the API server reaches the webhook: OVN host-network group, or the default namespace (VNID 0) on SDN', () => {
    const ovn = world();
    const ovnHook = ovn.policies.find((p) => p.metadata.name === 'gitlab-operator-allow-apiserver-to-webhook');
    expect(ovnHook.spec.ingress[0].from).toEqual([{ namespaceSelector: { matchLabels: { 'policy-group.network.openshift.io/host-network': '' } }, podSelector: {} }]);
    const sdn = world({ sdn: true });
    expect(sdn.iso.networkType).toBe('OpenShiftSDN');
    expect(admits(sdn.policies, sdnHost, operator, 9443)).toBe(true);
    expect(admits(sdn.policies, ovnHost, operator, 9443)).toBe(false);
    // An explicit networkType wins over the platform's.
    const forced = world({ props: { networkType: 'OpenShiftSDN' } });
    expect(admits(forced.policies, sdnHost, operator, 9443)).toBe(true);
    expect(admits(forced.policies, ovnHost, operator, 9443)).toBe(false);
  });

  test('KAS off in the chart values: no KAS flow at all', () => {
    const { policies, iso } = world({ values: { global: { kas: { enabled: false } } } });
    expect(iso.flows.filter((f) => f.name.includes('kas'))).toEqual([]);
    expect(admits(policies, router, kas, 8150)).toBe(false);
    expect(admits(policies, router, webservice, 8181)).toBe(true);
  });

  test('a ServiceMonitor / PodMonitor turned on in the chart values opens exactly that metrics port to OpenShift monitoring', () => {
    const { policies } = world({ values: { gitlab: { webservice: { metrics: { serviceMonitor: { enabled: true } } }, sidekiq: { metrics: { podMonitor: { enabled: true } } } } } });
    expect(admits(policies, uwm, webservice, 8083)).toBe(true);
    expect(admits(policies, uwm, sidekiq, 3807)).toBe(true);
    expect(admits(policies, uwm, webservice, 9229)).toBe(false);
    expect(admits(policies, uwm, chartPod('gitlab-exporter'), 9168)).toBe(false);
    expect(admits(policies, uwm, operator, 8443)).toBe(true);
    expect(admits(policies, tenant, webservice, 8083)).toBe(false);
  });

  test('operator: false leaves the webhook closed; monitoring: false ignores the chart\'s monitors', () => {
    const { policies } = world({ props: { operator: false, monitoring: false }, values: { gitlab: { webservice: { metrics: { serviceMonitor: { enabled: true } } } } } });
    expect(admits(policies, ovnHost, operator, 9443)).toBe(false);
    expect(admits(policies, uwm, webservice, 8083)).toBe(false);
  });

  test('without a database selector, GitLab may reach the database port on every pod of the namespace (and only GitLab may)', () => {
    const { policies, iso } = world({ withDb: false });
    const flow = iso.flows.find((f) => f.name === 'gitlab-allow-gitlab-to-postgres')!;
    expect(flow.to).toEqual({});
    expect(flow.why).toMatch(/broad on purpose/);
    expect(admits(policies, sidekiq, redis, 5432)).toBe(true);
    expect(admits(policies, gitalyVm, redis, 5432)).toBe(false);
    expect(iso.flows.some((f) => f.name.endsWith('-allow-cluster-internal'))).toBe(false);
  });

  test('a Gitaly root disk copied by a CDI clone opens the host-assisted clone inside the namespace, and only that', () => {
    const { policies, iso } = world({ move: true });
    expect(iso.flows.map((f) => f.name)).toEqual(expect.arrayContaining(['cdi-allow-clone-source-to-upload-server', 'cdi-allow-controller-to-clone-source']));
    expect(admits(policies, cloneSource, uploadServer, 8443)).toBe(true);
    expect(admits(policies, cdiController, cloneSource, 8443)).toBe(true);
    expect(admits(policies, gitalyVm, uploadServer, 8443)).toBe(false);
    expect(admits(policies, webservice, uploadServer, 8443)).toBe(false);
    expect(admits(policies, cloneSource, uploadServer, 8080)).toBe(false);
    expect(admits(policies, { ...cloneSource, ns: 'discourse' }, uploadServer, 8443)).toBe(false);
    expect(admits(policies, cloneSource, webservice, 8181)).toBe(false);
  });

  test('cdiUploads opens the upload servers to CDI\'s upload proxy only', () => {
    const uploadProxy: Pod = { ns: 'openshift-cnv', labels: { 'cdi.kubevirt.io': 'cdi-uploadproxy' } };
    const off = world();
    expect(admits(off.policies, uploadProxy, uploadServer, 8443)).toBe(false);
    const on = world({ props: { cdiUploads: true } });
    expect(admits(on.policies, uploadProxy, uploadServer, 8443)).toBe(true);
    expect(admits(on.policies, { ...uploadProxy, ns: 'discourse' }, uploadServer, 8443)).toBe(false);
    expect(admits(on.policies, uploadProxy, webservice, 8181)).toBe(false);
  });

  test('no clone, no CDI flow; a clone whose CDI flow is switched off fails the synth on the cdi-clone-network check', () => {
    const plain = world();
    expect(plain.iso.flows.some((f) => f.name.startsWith('cdi-'))).toBe(false);
    expect(admits(plain.policies, cloneSource, uploadServer, 8443)).toBe(false);
    expect(() => world({ move: true, props: { cdiClones: false } }))
      .toThrow(/policy cdi-clone-network: DataVolume "gitaly-root-rwx" clones PVC gitlab-system\/gitaly-root; .*namespace "gitlab-system", which NetworkPolicies "deny-by-default"/);
  });

  test('bad input is refused with the construct path and field', () => {
    const f = fixture();
    const gitlab = new GitLab(f.app, 'GitLab', gitlabProps(f));
    expect(() => new GitLabNetworkIsolation(f.app, 'A', { gitlab, redis: { pods: {}, port: 6379 } }))
      .toThrow(/\[GitLab\/A\] redis\.pods: select the pods by at least one label/);
    expect(() => new GitLabNetworkIsolation(f.app, 'B', { gitlab, redis: { pods: { app: 'redis' }, port: 0 } }))
      .toThrow(/\[GitLab\/B\] redis\.port: 0 must be an integer from 1 to 65535/);
    expect(() => new GitLabNetworkIsolation(f.app, 'C', { gitlab: {} as any })).toThrow(/\[GitLab\/C\] gitlab: .* is not a GitLab construct/);
    const other = new GitOpsApp(f.cluster, 'Db', { name: 'db', namespace: 'databases' });
    const pg = new PostgresCluster(other, 'Pg', { name: 'gitlab-db', namespace: 'databases', postgresVersion: 16, withoutBackupsReason: 'test', instances: [{ replicas: 1, storage: '10Gi' }], users: [{ name: 'gitlab', databases: ['gitlabhq_production'] }] });
    expect(() => new GitLabNetworkIsolation(f.app, 'D', { gitlab, database: pg })).toThrow(/\[GitLab\/D\] database: PostgresCluster "gitlab-db" is in namespace "databases"/);
    expect(() => new GitLabNetworkIsolation(f.app, 'E', { gitlab, networkType: 'Calico' as any })).toThrow(/\[GitLab\/E\] networkType: "Calico" is not a network type/);
  });
});
