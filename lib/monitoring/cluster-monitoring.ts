import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import * as yaml from 'js-yaml';
import { asGoDuration, DurationLike, GoDuration } from '../backup/duration';
import { Problems, show } from '../core/errors';
import { Cluster } from '../gitops/cluster';
import { GitOpsApp } from '../gitops/gitops-app';
import { TreeIndex } from '../synth/pipeline';
import { promDuration } from './_promql';

/** Namespace and name of the cluster monitoring stack's configuration (a cluster singleton). */
export const CLUSTER_MONITORING_NAMESPACE = 'openshift-monitoring';
export const CLUSTER_MONITORING_CONFIG = 'cluster-monitoring-config';
/** Namespace and name of the user-workload monitoring stack's configuration (a cluster singleton too). */
export const USER_WORKLOAD_MONITORING_NAMESPACE = 'openshift-user-workload-monitoring';
export const USER_WORKLOAD_MONITORING_CONFIG = 'user-workload-monitoring-config';
/**
 * Namespace label that hands a namespace's ServiceMonitors and PrometheusRules to the platform
 * Prometheus (`prometheus-k8s` selects rules, ServiceMonitors and PodMonitors of namespaces with
 * `openshift.io/cluster-monitoring: "true"`) and takes them away from user-workload monitoring
 * (whose Prometheus and Thanos Ruler select namespaces where the label is not "true"):
 * openshift/cluster-monitoring-operator release-4.14, assets/prometheus-k8s/prometheus.yaml and
 * assets/prometheus-user-workload/prometheus.yaml, assets/thanos-ruler/thanos-ruler.yaml.
 */
export const PLATFORM_MONITORING_LABEL = 'openshift.io/cluster-monitoring';
/** `openshift.io/user-monitoring: "false"` takes a namespace out of user-workload monitoring (same sources). */
export const USER_MONITORING_LABEL = 'openshift.io/user-monitoring';

/** Properties of {@link ClusterMonitoring}. */
export interface ClusterMonitoringProps {
  /**
   * Monitoring for user-defined projects (`enableUserWorkload`): a second Prometheus and a
   * Thanos Ruler in `openshift-user-workload-monitoring` that load the ServiceMonitors and
   * PrometheusRules of every namespace without `openshift.io/cluster-monitoring: "true"`.
   * The backup and certificate alerts of lib/monitoring need it.
   * @default true
   */
  readonly userWorkload?: boolean;
  /**
   * How long the platform Prometheus keeps data (`prometheusK8s.retention`).
   * @default the platform default (15d)
   */
  readonly platformRetention?: DurationLike;
  /**
   * How long the user-workload Prometheus keeps data: written to the
   * `user-workload-monitoring-config` ConfigMap of `openshift-user-workload-monitoring`
   * (`prometheus.retention`), which this construct then owns as a whole, like
   * cluster-monitoring-config. A rule evaluated there (leaf-prometheus, such as the Velero
   * failure alerts on a user-workload namespace) sees no further back than this. Without it the
   * ConfigMap is left alone and CMO sets no retention on that Prometheus (release-4.14
   * pkg/manifests/manifests.go applies only a configured one), so prometheus-operator's default applies.
   * @default not managed
   */
  readonly userWorkloadRetention?: DurationLike;
}

/**
 * The configuration of OpenShift's monitoring stack: the `cluster-monitoring-config` ConfigMap in
 * `openshift-monitoring`, as code. It is one object for the whole cluster, so a Cluster holds at
 * most one ClusterMonitoring (synthesis refuses a second one, and any other object of that name).
 *
 * The ConfigMap carries exactly what the props declare, today `enableUserWorkload` and the
 * platform Prometheus' retention (and, when `userWorkloadRetention` is set, the
 * `user-workload-monitoring-config` ConfigMap carries the user-workload Prometheus' retention); Argo CD owns it, so a setting added by hand on the cluster
 * (`oc edit configmap cluster-monitoring-config`) is reverted at the next sync: declare it here.
 * Keys of the file are those of ClusterMonitoringConfiguration at
 * openshift/cluster-monitoring-operator release-4.14 pkg/manifests/types.go
 * (`enableUserWorkload`, `prometheusK8s.retention`).
 *
 * Where a PrometheusRule is evaluated on OpenShift 4.14 (same repository, assets/):
 * - in a namespace labelled `openshift.io/cluster-monitoring: "true"`: by the platform
 *   Prometheus, which sees every platform metric (kube-state-metrics, OLM, ...); a ServiceMonitor
 *   there is scraped by it too, but `prometheus-k8s` may only discover targets where a Role lets
 *   it list endpoints, services and pods (its ClusterRole has none: assets/prometheus-k8s/cluster-role.yaml);
 * - in any other namespace, only with user-workload monitoring on: rules labelled
 *   `openshift.io/prometheus-rule-evaluation-scope: leaf-prometheus` by the user-workload
 *   Prometheus (metrics it scrapes itself only), the others by Thanos Ruler, which queries
 *   Thanos Querier and so also sees platform metrics; both enforce `namespace="<rule's namespace>"`
 *   on every selector (`enforcedNamespaceLabel: namespace`), so a rule only sees series of its
 *   own namespace: those its project exposes and the platform's series about that namespace
 *   (OpenShift 4.14 docs, "Creating alerting rules for user-defined projects":
 *   https://docs.openshift.com/container-platform/4.14/monitoring/managing-alerts.html).
 * That is why ocpkit's alert rules live in the namespace of what they watch.
 *
 * @example
 * Emits: into the folder of the app it is in the ConfigMap `cluster-monitoring-config` in
 * `openshift-monitoring` (here with user-workload monitoring on and 15 days of retention), and with
 * `userWorkloadRetention` the ConfigMap `user-workload-monitoring-config` in
 * `openshift-user-workload-monitoring`.
 * ```ts
 * import { ClusterMonitoring, GitOpsApp, GoDuration, SyncWave } from 'ocpkit';
 * import type { Cluster } from 'ocpkit';
 *
 * export function addClusterMonitoring(cluster: Cluster): ClusterMonitoring {
 *   const monitoring = new GitOpsApp(cluster, 'Monitoring', { name: 'monitoring', syncWave: SyncWave.WORKLOADS });
 *   return new ClusterMonitoring(monitoring, 'ClusterMonitoring', { userWorkload: true, platformRetention: GoDuration.days(15) });
 * }
 * ```
 * @see https://docs.openshift.com/container-platform/4.14/monitoring/enabling-monitoring-for-user-defined-projects.html
 */
export class ClusterMonitoring extends Construct {
  /** The cluster's monitoring configuration, if the stack declares one. */
  public static of(c: IConstruct): ClusterMonitoring | undefined {
    const cluster = Cluster.of(c);
    return TreeIndex.ofType(cluster, ClusterMonitoring).find((m) => Cluster.of(m) === cluster);
  }

  /** Whether monitoring for user-defined projects is on. */
  public readonly userWorkload: boolean;
  public readonly configMap: k8s.KubeConfigMap;
  /** The user-workload configuration, when `userWorkloadRetention` is declared. */
  public readonly userWorkloadConfigMap?: k8s.KubeConfigMap;

  constructor(scope: Construct, id: string, props: ClusterMonitoringProps = {}) {
    super(scope, id);
    const p = new Problems(this.node.path);
    if (props.userWorkload !== undefined && typeof props.userWorkload !== 'boolean') p.add('userWorkload', `${show(props.userWorkload)} must be true or false`);
    // a retention of at least a day: the alerts look back that far
    const retentionProblem = (value: unknown, example: string, lookBack: string): string | undefined => !(value instanceof GoDuration)
      ? `${show(value)} must be a GoDuration or a cdk8s Duration (${example})`
      : value.problem() ?? (value.seconds < 86_400 ? `${show(value.toString())} is shorter than a day; ${lookBack}` : undefined);
    const retention = asGoDuration(props.platformRetention) as GoDuration | undefined;
    if (retention !== undefined) {
      const why = retentionProblem(retention, 'GoDuration.days(15)', 'the platform alerts look back up to a day');
      if (why) p.add('platformRetention', why);
    }
    const uwRetention = asGoDuration(props.userWorkloadRetention) as GoDuration | undefined;
    if (uwRetention !== undefined) {
      const why = retentionProblem(uwRetention, 'GoDuration.days(8)', 'the backup alerts look back a whole schedule period');
      if (why) p.add('userWorkloadRetention', why);
      else if (props.userWorkload === false) p.add('userWorkloadRetention', 'is set but userWorkload is false; there is no user-workload Prometheus to keep data');
    }
    if (!GitOpsApp.enclosing(this)) p.add('scope', 'define ClusterMonitoring inside a GitOpsApp');
    p.throwIfAny();

    this.userWorkload = props.userWorkload ?? true;
    const config: Record<string, unknown> = { enableUserWorkload: this.userWorkload };
    if (retention) config.prometheusK8s = { retention: promDuration(retention.seconds) };
    this.configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: CLUSTER_MONITORING_CONFIG, namespace: CLUSTER_MONITORING_NAMESPACE },
      data: { 'config.yaml': yaml.dump(config, { lineWidth: -1 }) },
    });
    this.node.defaultChild = this.configMap;
    if (uwRetention) {
      // keys of UserWorkloadConfiguration (release-4.14 pkg/manifests/types.go: prometheus.retention)
      this.userWorkloadConfigMap = new k8s.KubeConfigMap(this, 'UserWorkloadConfig', {
        metadata: { name: USER_WORKLOAD_MONITORING_CONFIG, namespace: USER_WORKLOAD_MONITORING_NAMESPACE },
        data: { 'config.yaml': yaml.dump({ prometheus: { retention: promDuration(uwRetention.seconds) } }, { lineWidth: -1 }) },
      });
    }
    this.node.addValidation({ validate: () => this.problems() });
  }

  private problems(): string[] {
    const cluster = Cluster.of(this);
    const out: string[] = [];
    const others = TreeIndex.ofType(cluster, ClusterMonitoring).filter((m) => m !== this);
    if (others.length) out.push(`the cluster has another ClusterMonitoring at ${others.map((o) => o.node.path).join(', ')}; cluster-monitoring-config is one object per cluster, declare it once`);
    for (const c of TreeIndex.all(cluster)) {
      if (c === this.configMap || c === this.userWorkloadConfigMap || !(c instanceof ApiObject) || c.kind !== 'ConfigMap') continue;
      if (c.metadata.name === CLUSTER_MONITORING_CONFIG && c.metadata.namespace === CLUSTER_MONITORING_NAMESPACE) {
        out.push(`${c.node.path} also writes ConfigMap ${CLUSTER_MONITORING_NAMESPACE}/${CLUSTER_MONITORING_CONFIG}; declare its settings on this ClusterMonitoring instead`);
      }
      if (this.userWorkloadConfigMap && c.metadata.name === USER_WORKLOAD_MONITORING_CONFIG && c.metadata.namespace === USER_WORKLOAD_MONITORING_NAMESPACE) {
        out.push(`${c.node.path} also writes ConfigMap ${USER_WORKLOAD_MONITORING_NAMESPACE}/${USER_WORKLOAD_MONITORING_CONFIG}; declare its settings on this ClusterMonitoring instead`);
      }
    }
    return out;
  }
}

/** Who evaluates the PrometheusRules (and scrapes the ServiceMonitors) of a namespace. */
export type RuleEvaluator = 'platform' | 'user-workload';

/**
 * Who evaluates the rules of a namespace, from the labels the stack gives it: its Namespace
 * object, if the stack defines one (labels as constructed), else `declared` (what the namespace's
 * owner is known to do), else user-workload monitoring (a namespace without labels).
 * Returns a problem instead when nothing would evaluate them.
 */
export function ruleEvaluator(scope: IConstruct, namespace: string, declared?: RuleEvaluator): { evaluator: RuleEvaluator } | { problem: string } {
  const cluster = Cluster.of(scope);
  let labels: Record<string, string> | undefined;
  for (const c of TreeIndex.all(cluster)) {
    if (c instanceof ApiObject && c.kind === 'Namespace' && c.apiVersion === 'v1' && c.metadata.name === namespace) {
      labels = { ...(TreeIndex.rendered(c).metadata?.labels ?? {}) };
    }
  }
  const evaluator: RuleEvaluator = labels ? (labels[PLATFORM_MONITORING_LABEL] === 'true' ? 'platform' : 'user-workload') : declared ?? 'user-workload';
  if (evaluator === 'platform') return { evaluator };
  if (labels?.[USER_MONITORING_LABEL] === 'false') {
    return { problem: `namespace "${namespace}" carries ${USER_MONITORING_LABEL}: "false" and not ${PLATFORM_MONITORING_LABEL}: "true", so no Prometheus loads its rules; remove the first label or add the second` };
  }
  const monitoring = ClusterMonitoring.of(cluster);
  if (!monitoring?.userWorkload) {
    return {
      problem: `namespace "${namespace}" is not labelled ${PLATFORM_MONITORING_LABEL}: "true", so only user-workload monitoring would evaluate its rules, and the cluster `
        + `${monitoring ? `turns it off (${monitoring.node.path})` : 'declares no ClusterMonitoring'}; add a ClusterMonitoring with userWorkload: true`,
    };
  }
  return { evaluator };
}
