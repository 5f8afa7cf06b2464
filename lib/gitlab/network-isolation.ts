import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Problems, show } from '../core/errors';
import { intRange, labelKey, labelValue } from '../core/rules';
import { PostgresCluster } from '../databases/postgres';
import { NetworkType, Platform } from '../platform/platform';
import { NetworkIsolation } from '../tenancy/network-isolation';
import { cdiHostCloneFlows, cdiUploadFlow, cloneSourceNamespaces } from '../virt/cdi-clone-flows';
import { VM_LABEL } from '../virt/vm-service';
import { getPath, Values } from './_values';
import { ExternalGitaly } from './external-gitaly';
import { WORKHORSE_PORT } from './gitaly-endpoint';
import { GitLab } from './gitlab';
import type { IngressFlow } from '../core/ingress-flow';
import { TreeIndex } from '../synth/pipeline';

/*
 * GitLab's traffic map in its namespace, as NetworkPolicies next to a namespace-wide default deny.
 * Every port and label below was read at the pinned versions; where a fact comes from a neighbour
 * release, the comment says which.
 *
 * GitLab chart: gitlab-org/charts/gitlab, read on the mirror integratop/gitlab-org-charts-mirror
 * @ 3403350c8 (master after 9.9.1, March 2026; no 9.11.4 tag is stored offline, and these ports and
 * labels have not changed since 7.x):
 * - every chart pod carries `app: <chart name>` and `release: <Helm release>`
 *   (templates/_application.tpl gitlab.standardLabels / gitlab.selectorLabels);
 * - the GitLab Operator installs the chart with the GitLab CR's name as the release name
 *   (gitlab-operator pkg/gitlab/internal/v1beta1/charts.go Adapter.ReleaseName = CR name, read on
 *   the mirror hyperter96/gitlab-operator @ 92bdc52, operator 0.2x; not re-read at 2.11.3).
 */

/** The Helm release label every chart pod carries. */
const RELEASE_LABEL = 'release';
/** The chart-name label every chart pod carries. */
const APP_LABEL = 'app';

/** Rails metrics (webservice values.yaml `metrics.port: 8083`). */
export const WEBSERVICE_METRICS_PORT = 8083;
/** Workhorse metrics (webservice values.yaml `workhorse.metrics.port: 9229`). */
export const WORKHORSE_METRICS_PORT = 9229;
/** Sidekiq metrics (sidekiq values.yaml `metrics.port: 3807`, scraped by a PodMonitor). */
export const SIDEKIQ_METRICS_PORT = 3807;
/** gitlab-exporter (gitlab-exporter values.yaml `metrics.port: 9168`). */
export const GITLAB_EXPORTER_PORT = 9168;
/**
 * KAS ports (charts/gitlab/charts/kas/values.yaml `service.*`, listeners in
 * templates/_default-config.yaml): agents connect on 8150 (`agent.listen`), the Kubernetes API
 * proxy on 8154 (`agent.kubernetes_api.listen`); both are Ingress backends (kas templates/ingress.yaml).
 * GitLab's Rails calls KAS on 8153 (`api.listen`, the Service's `apiInternalPort`); KAS replicas
 * call each other on 8155 (`private_api.listen`); metrics on 8151 (`observability.listen`).
 */
export const KAS_PORTS = { agent: 8150, internalApi: 8153, kubernetesApi: 8154, privateApi: 8155, metrics: 8151 } as const;

/**
 * The GitLab Operator 2.11.3 (redhat-openshift-ecosystem/certified-operators @ 22a18bc3:
 * operators/gitlab-operator-kubernetes/2.11.3/manifests/gitlab-operator-kubernetes.clusterserviceversion.yaml):
 * Deployment `gitlab-controller-manager`, pods labelled `control-plane: controller-manager`, the
 * validating webhook `vgitlab.kb.io` served on containerPort 9443 (webhookdefinitions targetPort
 * 9443; OLM makes the Service), metrics on 8443 (`--metrics-addr=:8443`).
 */
export const GITLAB_OPERATOR_POD_LABELS: Readonly<Record<string, string>> = { 'control-plane': 'controller-manager' };
export const GITLAB_OPERATOR_WEBHOOK_PORT = 9443;
export const GITLAB_OPERATOR_METRICS_PORT = 8443;

/**
 * Crunchy PGO 5.8.7 (CrunchyData/postgres-operator @ v5.8.7):
 * - instance pods carry `postgres-operator.crunchydata.com/cluster: <name>` and
 *   `postgres-operator.crunchydata.com/data: postgres` (internal/controller/postgrescluster/instance.go,
 *   the StatefulSet template labels; internal/naming/labels.go). The `role` label is Patroni's
 *   (`master`/`replica`) and moves on failover, so GitLab's allow selects every instance: the
 *   `<name>-primary` Service follows the leader.
 * - every pod PGO makes for a cluster (instances, repo host, backup Jobs) carries the cluster label
 *   (naming.PGBackRestLabels / PGBackRestBackupJobLabels). They talk to each other on PostgreSQL
 *   (replication), Patroni's REST API (CRD default `spec.patroni.port: 8008`) and the pgBackRest TLS
 *   server (internal/pgbackrest/iana.go 8432).
 * - PGO's own operator needs no network path to them: it runs patronictl, psql and pgbackrest
 *   through pod exec (postgrescluster/controller.go runtime.NewPodExecutor; patroni.go, pgbackrest.go
 *   r.PodExec), i.e. through the API server and kubelet.
 */
export const PGO_CLUSTER_LABEL = 'postgres-operator.crunchydata.com/cluster';
export const PGO_DATA_LABEL = 'postgres-operator.crunchydata.com/data';
export const PGO_PATRONI_PORT = 8008;
export const PGBACKREST_TLS_PORT = 8432;

/**
 * OpenShift namespace labels (4.14):
 * - `policy-group.network.openshift.io/ingress: ""` matches the Ingress Controllers on OpenShift
 *   SDN and OVN-Kubernetes, on the cluster network or the host network (4.7 release notes,
 *   "Network policy supports selecting host network Ingress Controllers"); the peer carries
 *   `podSelector: {}` as the 4.14 "About network policy" warning requires for host-network pods.
 * - the API server runs on the host network. OVN-Kubernetes: host-network traffic is selected by
 *   `policy-group.network.openshift.io/host-network: ""` (4.6 release notes; cluster-network-operator
 *   bindata/network/ovn-kubernetes/common/openshift-host-network-ns.yaml labels the
 *   openshift-host-network namespace with it). OpenShift SDN: host-network traffic carries VNID 0,
 *   the VNID of the `default` namespace (4.14 "About network policy": SDN assigns netid 0 to
 *   `default`), so a peer selecting the `default` namespace admits it.
 */
export const INGRESS_ROUTERS_LABEL = 'policy-group.network.openshift.io/ingress';
export const OVN_HOST_NETWORK_LABEL = 'policy-group.network.openshift.io/host-network';
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** Where OpenShift's Prometheus instances run (platform and user-workload monitoring). */
export const MONITORING_NAMESPACES: readonly string[] = ['openshift-monitoring', 'openshift-user-workload-monitoring'];

/** A database or cache that GitLab's pods reach: its pods (by label) and its port. */
export interface GitLabBackendSelector {
  /** Labels of the backend's pods (in the GitLab namespace). */
  readonly pods: Readonly<Record<string, string>>;
  /** The port the pods listen on. */
  readonly port: number;
}

/** Properties of {@link GitLabNetworkIsolation}. */
export interface GitLabNetworkIsolationProps {
  /** The GitLab instance; its name (Helm release), namespace and chart values decide the flows. */
  readonly gitlab: GitLab;
  /**
   * The Gitaly VM whose GitLab Shell and Gitaly hooks call the internal API on Workhorse.
   * @default no Gitaly VM in the namespace
   */
  readonly gitaly?: ExternalGitaly;
  /**
   * GitLab's PostgreSQL: a Crunchy {@link PostgresCluster} in the namespace (its instances take
   * GitLab on its port, and its own pods reach each other on PostgreSQL, Patroni and pgBackRest),
   * or the pods and port of another PostgreSQL in the namespace.
   * @default unknown: GitLab's pods may reach the database port on every pod of the namespace
   */
  readonly database?: PostgresCluster | GitLabBackendSelector;
  /**
   * GitLab's Redis in the namespace.
   * @default unknown: GitLab's pods may reach the Redis port on every pod of the namespace
   */
  readonly redis?: GitLabBackendSelector;
  /**
   * The GitLab Operator runs in this namespace (its webhook is called by the API server).
   * @default true
   */
  readonly operator?: boolean;
  /**
   * Let OpenShift's Prometheus scrape the metrics ports.
   * @default true when the chart values turn on a ServiceMonitor or PodMonitor, else false
   */
  readonly monitoring?: boolean;
  /**
   * The cluster's network plugin, which decides how host-network callers (the API server) are selected.
   * @default the declared platform's `networkType`
   */
  readonly networkType?: NetworkType;
  /**
   * Let CDI copy claims of the namespace host-assisted (clone source pod -> upload server 8443,
   * the CDI controller -> the source pod's metrics; `cdiHostCloneFlows()`). CDI runs both pods of
   * such a clone in the source claim's namespace and may choose that path whenever source and
   * target differ in volume mode or provisioner (lib/virt/cdi-clone-flows.ts).
   * @default true when the Gitaly VM clones a claim of this namespace (e.g. `moveToReadWriteMany`)
   */
  readonly cdiClones?: boolean;
  /**
   * Let CDI's upload proxy reach upload servers in the namespace (`virtctl image-upload` of a
   * disk into it once the default deny is in place; `cdiUploadFlow()`).
   * @default false
   */
  readonly cdiUploads?: boolean;
}

/** One allowed flow, as the construct renders it (also what tests and the lead can list). */
export type GitLabFlow = IngressFlow;

/** Annotation carrying each policy's reason and source. */
export const FLOW_ANNOTATION = 'ocpkit.io/flow';

/**
 * Default-deny ingress for GitLab's namespace (`deny-by-default`, every pod) and one NetworkPolicy
 * per flow GitLab really uses, each named for its flow and annotated (`FLOW_ANNOTATION`)
 * with what it is and the source of its ports and labels:
 * - OpenShift routers -> Workhorse 8181 on the webservice pods; with KAS on (the chart's default),
 *   routers -> KAS 8150/8154, GitLab's pods -> KAS 8153, KAS -> KAS 8155 and KAS -> Workhorse;
 * - the Gitaly VM's pod -> Workhorse 8181 (GitLab Shell and Gitaly hooks call the internal API);
 * - GitLab's pods (every pod of the release) -> PostgreSQL and Redis; a PGO cluster's own pods
 *   -> each other on PostgreSQL, Patroni and pgBackRest;
 * - the API server (host network, selected per network type) -> the GitLab Operator's webhook 9443;
 * - OpenShift monitoring -> the metrics ports, when the chart's ServiceMonitors/PodMonitors are on;
 * - CDI's host-assisted clone inside the namespace, when the Gitaly VM's disk is a clone of a claim
 *   here (the built-in `cdi-clone-network` check refuses a clone the policies would block).
 * The Gitaly VM's own port (8075) stays with its own isolation (apps: `NetworkIsolation` with `pods`).
 *
 * Primary object: the `deny-by-default` NetworkPolicy.
 *
 * Emits: into the folder of the app it is in, in GitLab's namespace, the NetworkPolicy
 * `deny-by-default` and one NetworkPolicy per flow, named `<from>-allow-<flow>` (for example
 * `gitlab-allow-router-to-workhorse`, `gitlab-db-allow-cluster-internal`), each annotated with its
 * flow.
 */
export class GitLabNetworkIsolation extends Construct {
  /** The flows rendered, in order. */
  public readonly flows: readonly GitLabFlow[];
  public readonly namespace: string;
  public readonly networkType: NetworkType;

  constructor(scope: Construct, id: string, props: GitLabNetworkIsolationProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    if (!props || !(props.gitlab instanceof GitLab)) {
      p.add('gitlab', `${show(props?.gitlab)} is not a GitLab construct; pass the GitLab whose namespace is isolated`);
      p.throwIfAny();
    }
    const networkType = props.networkType ?? Platform.of(this)?.networkType;
    if (networkType !== 'OVNKubernetes' && networkType !== 'OpenShiftSDN') {
      p.add('networkType', props.networkType === undefined
        ? 'no platform is declared; give networkType: "OVNKubernetes" or "OpenShiftSDN" (it decides how the API server, on the host network, is admitted)'
        : `${show(props.networkType)} is not a network type; one of OVNKubernetes, OpenShiftSDN`);
    }
    const gitlab = props.gitlab;
    if (props.gitaly !== undefined) {
      if (!(props.gitaly instanceof ExternalGitaly)) p.add('gitaly', `${show(props.gitaly)} is not an ExternalGitaly`);
      else if (props.gitaly.vm.namespace !== gitlab.namespace) p.add('gitaly', `the Gitaly VM is in namespace "${props.gitaly.vm.namespace}", not GitLab's "${gitlab.namespace}"; isolate each namespace on its own`);
    }
    if (props.database instanceof PostgresCluster) {
      if (props.database.namespace !== gitlab.namespace) p.add('database', `PostgresCluster "${props.database.name}" is in namespace "${props.database.namespace}", not GitLab's "${gitlab.namespace}"; leave database out for a database in another namespace`);
    } else if (props.database !== undefined) checkSelector(p, 'database', props.database);
    if (props.redis !== undefined) checkSelector(p, 'redis', props.redis);
    p.throwIfAny();

    this.namespace = gitlab.namespace;
    this.networkType = networkType!;
    const values = gitlab.chartValues();
    this.flows = gitlabFlows({
      release: gitlab.crName,
      values,
      gitalyVm: props.gitaly?.vm.vmName,
      gitalyPort: props.gitaly?.gitalyPort,
      database: props.database instanceof PostgresCluster
        ? { pgo: props.database.name, port: props.database.port }
        : props.database ? { pods: props.database.pods, port: props.database.port } : undefined,
      databasePort: numberAt(values, 'global.psql.port') ?? 5432,
      redis: props.redis,
      redisPort: numberAt(values, 'global.redis.port') ?? 6379,
      operator: props.operator ?? true,
      monitoring: props.monitoring ?? metricsMonitored(values).length > 0,
      networkType: this.networkType,
      cdiClones: props.cdiClones ?? (props.gitaly !== undefined && clonesIn(props.gitaly, gitlab.namespace)),
      cdiUploads: props.cdiUploads ?? false,
    });

    const deny = new NetworkIsolation(this, 'Deny', {
      namespace: this.namespace,
      allowSameNamespace: false,
      allowIngressRouters: false,
      allowMonitoring: false,
    });
    for (const f of this.flows) {
      new k8s.KubeNetworkPolicy(this, `Flow-${f.name}`, {
        metadata: { name: f.name, namespace: this.namespace, annotations: { [FLOW_ANNOTATION]: f.why } },
        spec: {
          podSelector: Object.keys(f.to).length ? { matchLabels: { ...f.to } } : {},
          policyTypes: ['Ingress'],
          ingress: [{ from: [...f.from], ports: f.ports.map((port) => ({ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' })) }],
        },
      });
    }
    this.node.defaultChild = deny.node.defaultChild;
  }
}

/** True when the VM of `gitaly` clones a claim of `namespace` (a host-assisted copy would run there). */
function clonesIn(gitaly: ExternalGitaly, namespace: string): boolean {
  return cloneSourceNamespaces(TreeIndex.rendered(gitaly.vm.resource)).some((c) => c.namespace === namespace);
}

function checkSelector(p: Problems, field: string, s: GitLabBackendSelector): void {
  if (!s || typeof s !== 'object' || !s.pods || typeof s.pods !== 'object' || Object.keys(s.pods).length === 0) {
    p.add(`${field}.pods`, 'select the pods by at least one label; an empty selector would open the port on every pod of the namespace (leave the field out for that)');
  } else {
    for (const [k, v] of Object.entries(s.pods)) {
      p.check(`${field}.pods`, k, labelKey);
      p.check(`${field}.pods.${k}`, v, labelValue);
    }
  }
  p.check(`${field}.port`, s?.port, intRange(1, 65535));
}

function numberAt(values: Values, path: string): number | undefined {
  const v = getPath(values, path);
  return typeof v === 'number' ? v : undefined;
}

function isOn(values: Values, path: string, byDefault: boolean): boolean {
  const v = getPath(values, path);
  return typeof v === 'boolean' ? v : byDefault;
}

/**
 * The metrics endpoints the chart values hand to Prometheus (ServiceMonitor / PodMonitor on), as
 * [component, port]. Chart defaults: every monitor off (webservice, sidekiq, gitlab-exporter and
 * kas values.yaml).
 */
export function metricsMonitored(values: Values): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  if (isOn(values, 'gitlab.webservice.metrics.serviceMonitor.enabled', false)) out.push(['webservice', WEBSERVICE_METRICS_PORT]);
  if (isOn(values, 'gitlab.webservice.workhorse.metrics.serviceMonitor.enabled', false)) out.push(['webservice', WORKHORSE_METRICS_PORT]);
  if (isOn(values, 'gitlab.sidekiq.metrics.podMonitor.enabled', false)) out.push(['sidekiq', SIDEKIQ_METRICS_PORT]);
  if (isOn(values, 'gitlab.gitlab-exporter.metrics.serviceMonitor.enabled', false)) out.push(['gitlab-exporter', GITLAB_EXPORTER_PORT]);
  if (isOn(values, 'gitlab.kas.metrics.serviceMonitor.enabled', false) || isOn(values, 'gitlab.kas.metrics.podMonitor.enabled', false)) out.push(['kas', KAS_PORTS.metrics]);
  return out;
}

/** Inputs of `gitlabFlows`, already validated. */
export interface GitLabFlowInputs {
  readonly release: string;
  readonly values: Values;
  readonly gitalyVm?: string;
  /** Gitaly's gRPC port on the VM (its Service port `gitaly`). */
  readonly gitalyPort?: number;
  readonly database?: { readonly pgo: string; readonly port: number } | { readonly pods: Readonly<Record<string, string>>; readonly port: number };
  readonly databasePort: number;
  readonly redis?: GitLabBackendSelector;
  readonly redisPort: number;
  readonly operator: boolean;
  readonly monitoring: boolean;
  readonly networkType: NetworkType;
  /** Allow CDI's host-assisted clone inside the namespace. */
  readonly cdiClones?: boolean;
  /** Allow CDI's upload proxy to the namespace's upload servers. */
  readonly cdiUploads?: boolean;
}

/** The flows of GitLab's namespace, as a pure function of the inputs. */
export function gitlabFlows(i: GitLabFlowInputs): GitLabFlow[] {
  const chartPod = (app: string) => ({ [APP_LABEL]: app, [RELEASE_LABEL]: i.release });
  const webservice = chartPod('webservice');
  const kas = chartPod('kas');
  const gitlabPods: k8s.NetworkPolicyPeer = { podSelector: { matchLabels: { [RELEASE_LABEL]: i.release } } };
  const routers: k8s.NetworkPolicyPeer = { namespaceSelector: { matchLabels: { [INGRESS_ROUTERS_LABEL]: '' } }, podSelector: {} };
  const hostNetwork: k8s.NetworkPolicyPeer = i.networkType === 'OVNKubernetes'
    ? { namespaceSelector: { matchLabels: { [OVN_HOST_NETWORK_LABEL]: '' } }, podSelector: {} }
    : { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'default' } }, podSelector: {} };
  const chart = 'gitlab-org/charts/gitlab';
  const flows: GitLabFlow[] = [];

  flows.push({
    name: 'gitlab-allow-router-to-workhorse', to: webservice, ports: [WORKHORSE_PORT], from: [routers],
    why: `OpenShift routers -> Workhorse ${WORKHORSE_PORT} on the webservice pods (the web UI, API and Git over HTTPS; ${chart} webservice values.yaml service.workhorseInternalPort, templates/_ingress.tpl backend; pod labels app/release from templates/_application.tpl)`,
  });
  const kasOn = isOn(i.values, 'global.kas.enabled', true);
  if (kasOn) {
    flows.push({
      name: 'gitlab-allow-router-to-kas', to: kas, ports: [KAS_PORTS.agent, KAS_PORTS.kubernetesApi], from: [routers],
      why: `OpenShift routers -> KAS agent ${KAS_PORTS.agent} and Kubernetes API proxy ${KAS_PORTS.kubernetesApi} (global.kas.enabled, on by default in ${chart} values.yaml; kas templates/ingress.yaml backends, values.yaml service ports)`,
    });
    flows.push({
      name: 'gitlab-allow-gitlab-to-kas-api', to: kas, ports: [KAS_PORTS.internalApi], from: [gitlabPods],
      why: `GitLab's pods (Rails in webservice and sidekiq) -> KAS internal API ${KAS_PORTS.internalApi} (${chart} kas templates/_default-config.yaml api.listen, service.yaml targetPort apiInternalPort)`,
    });
    flows.push({
      name: 'gitlab-allow-kas-private-api', to: kas, ports: [KAS_PORTS.privateApi], from: [{ podSelector: { matchLabels: { ...kas } } }],
      why: `KAS replicas -> each other's private API ${KAS_PORTS.privateApi} (${chart} kas templates/_default-config.yaml private_api.listen)`,
    });
    flows.push({
      name: 'gitlab-allow-kas-to-workhorse', to: webservice, ports: [WORKHORSE_PORT], from: [{ podSelector: { matchLabels: { ...kas } } }],
      why: `KAS -> GitLab's internal API through Workhorse ${WORKHORSE_PORT} (${chart} kas templates/_default-config.yaml gitlab.address = gitlab.workhorse.url)`,
    });
  }
  if (i.gitalyVm !== undefined) {
    flows.push({
      name: 'gitlab-allow-gitaly-to-workhorse', to: webservice, ports: [WORKHORSE_PORT], from: [{ podSelector: { matchLabels: { [VM_LABEL]: i.gitalyVm } } }],
      why: `the Gitaly VM's pod (${VM_LABEL}=${i.gitalyVm}) -> GitLab's internal API through Workhorse ${WORKHORSE_PORT}: GitLab Shell and Gitaly's hooks call gitlab.workhorse.url as the chart's own gitlab-shell and gitaly do (${chart} gitlab-shell templates/configmap.yml gitlab_url, gitaly templates/_configmap_spec.yaml [gitlab] url)`,
    });
  }

  if (i.gitalyVm !== undefined && i.gitalyPort !== undefined) {
    flows.push({
      name: 'gitlab-allow-gitlab-to-gitaly', to: { [VM_LABEL]: i.gitalyVm }, ports: [i.gitalyPort], from: [gitlabPods],
      why: `GitLab's pods (every pod of release ${i.release}) -> Gitaly gRPC ${i.gitalyPort} on the VM's pod (global.gitaly.external points at the VM's Service; ExternalGitaly publishes the port as "gitaly")`,
    });
    flows.push({
      name: 'gitlab-allow-gitaly-to-itself', to: { [VM_LABEL]: i.gitalyVm }, ports: [i.gitalyPort], from: [{ podSelector: { matchLabels: { [VM_LABEL]: i.gitalyVm } } }],
      why: `GitLab Shell on the Gitaly VM -> Gitaly ${i.gitalyPort} through the VM's own Service (the storage address Rails hands out): hairpin traffic whose source is the VM's own pod, which the release-wide rule does not admit`,
    });
  }

  const db = i.database;
  if (db && 'pgo' in db) {
    const cluster = { [PGO_CLUSTER_LABEL]: db.pgo };
    flows.push({
      name: 'gitlab-allow-gitlab-to-postgres', to: { ...cluster, [PGO_DATA_LABEL]: 'postgres' }, ports: [db.port], from: [gitlabPods],
      why: `GitLab's pods (webservice, sidekiq, toolbox, migrations, gitlab-exporter, kas: every pod of release ${i.release}) -> PostgreSQL ${db.port} on every instance of PGO cluster ${db.pgo} (its primary Service follows the Patroni leader; CrunchyData/postgres-operator v5.8.7 internal/controller/postgrescluster/instance.go instance pod labels)`,
    });
    flows.push({
      name: `${db.pgo}-allow-cluster-internal`, to: cluster, ports: [db.port, PGO_PATRONI_PORT, PGBACKREST_TLS_PORT], from: [{ podSelector: { matchLabels: { ...cluster } } }],
      why: `PGO cluster ${db.pgo}'s own pods (instances, repo host, backup Jobs) -> each other: replication ${db.port}, Patroni REST ${PGO_PATRONI_PORT}, pgBackRest TLS ${PGBACKREST_TLS_PORT} (postgres-operator v5.8.7 internal/naming/labels.go, internal/pgbackrest/iana.go; CRD default spec.patroni.port). PGO's operator needs none: it uses pod exec`,
    });
  } else if (db) {
    flows.push({
      name: 'gitlab-allow-gitlab-to-postgres', to: db.pods, ports: [db.port], from: [gitlabPods],
      why: `GitLab's pods (every pod of release ${i.release}) -> PostgreSQL ${db.port} on the selected database pods`,
    });
  } else {
    flows.push({
      name: 'gitlab-allow-gitlab-to-postgres', to: {}, ports: [i.databasePort], from: [gitlabPods],
      why: `GitLab's pods -> PostgreSQL ${i.databasePort} (global.psql.port) on every pod of the namespace: no database selector was given, so the database's pods are unknown (broad on purpose; give database to narrow it)`,
    });
  }
  flows.push(i.redis
    ? {
      name: 'gitlab-allow-gitlab-to-redis', to: i.redis.pods, ports: [i.redis.port], from: [gitlabPods],
      why: `GitLab's pods (every pod of release ${i.release}) -> Redis ${i.redis.port} on the selected Redis pods; Redis's own replication/sentinel traffic is not modelled here`,
    }
    : {
      name: 'gitlab-allow-gitlab-to-redis', to: {}, ports: [i.redisPort], from: [gitlabPods],
      why: `GitLab's pods -> Redis ${i.redisPort} (global.redis.port) on every pod of the namespace: no Redis selector was given, so the Redis pods are unknown (broad on purpose; give redis to narrow it)`,
    });

  if (i.cdiClones) flows.push(...cdiHostCloneFlows());
  if (i.cdiUploads) flows.push(cdiUploadFlow());

  if (i.operator) {
    flows.push({
      name: 'gitlab-operator-allow-apiserver-to-webhook', to: GITLAB_OPERATOR_POD_LABELS, ports: [GITLAB_OPERATOR_WEBHOOK_PORT], from: [hostNetwork],
      why: `the API server (host network; ${i.networkType === 'OVNKubernetes' ? `OVN-Kubernetes: namespaces labelled ${OVN_HOST_NETWORK_LABEL}` : 'OpenShift SDN: VNID 0, the default namespace'}) -> the GitLab Operator's validating webhook ${GITLAB_OPERATOR_WEBHOOK_PORT} (certified-operators gitlab-operator-kubernetes 2.11.3 CSV webhookdefinitions targetPort, deployment pod labels)`,
    });
  }

  if (i.monitoring) {
    const monitoring: k8s.NetworkPolicyPeer = { namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...MONITORING_NAMESPACES] }] } };
    const byApp = new Map<string, number[]>();
    for (const [app, port] of metricsMonitored(i.values)) byApp.set(app, [...(byApp.get(app) ?? []), port]);
    for (const [app, ports] of byApp) {
      flows.push({
        name: `gitlab-allow-monitoring-to-${app}`, to: chartPod(app), ports, from: [monitoring],
        why: `OpenShift Prometheus (${MONITORING_NAMESPACES.join(', ')}) -> ${app} metrics ${ports.join(', ')} (a ServiceMonitor/PodMonitor is on in the chart values; ports from ${chart} ${app} values.yaml)`,
      });
    }
    if (i.operator) {
      flows.push({
        name: 'gitlab-operator-allow-monitoring', to: GITLAB_OPERATOR_POD_LABELS, ports: [GITLAB_OPERATOR_METRICS_PORT], from: [monitoring],
        why: `OpenShift Prometheus -> the GitLab Operator's metrics ${GITLAB_OPERATOR_METRICS_PORT} (2.11.3 CSV --metrics-addr)`,
      });
    }
  }
  return flows;
}
