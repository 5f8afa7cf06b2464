import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { asCronSchedule, CronLike, CronSchedule, cronRule } from '../backup/cron';
import { asGoDuration, DurationLike, GoDuration } from '../backup/duration';
import { Problems, show } from '../core/errors';
import { dnsLabel } from '../core/rules';
import { Cluster } from '../gitops/cluster';
import { Delivery } from '../gitops/delivery';
import { waveOf } from '../gitops/delivery-annotations';
import { GitOpsApp } from '../gitops/gitops-app';
import { alertRunbookUrl } from '../monitoring/runbook-url';
import { ExternalImage } from '../openshift/external-image';
import { TreeIndex } from '../synth/pipeline';
import { APPROVER_SCRIPT, PINS_DIR, PINS_KEY } from './installplan-approver-script';
import { InstallPlanApproval, OperatorInstall } from './operator-install';

/**
 * The OpenShift CLI image of the release the library targets. It has `oc` and a POSIX shell and
 * no `jq` (openshift/oc release-4.14 images/cli/Dockerfile.rhel on openshift/images release-4.14
 * base/Dockerfile.rhel), which is all the approval script uses.
 */
export const DEFAULT_APPROVER_IMAGE = 'registry.redhat.io/openshift4/ose-cli:v4.14';

/**
 * Label that makes the platform Prometheus load a namespace's PrometheusRules: on OpenShift 4.14
 * `prometheus-k8s` selects rules with `ruleNamespaceSelector: {matchLabels: {openshift.io/cluster-monitoring: "true"}}`
 * (openshift/cluster-monitoring-operator release-4.14, assets/prometheus-k8s/prometheus.yaml).
 * Only the platform Prometheus scrapes OLM's metrics, so the drift alert must be evaluated there.
 */
export const CLUSTER_MONITORING_LABEL = 'openshift.io/cluster-monitoring';

/** One pinned operator: what the approver approves and the drift alert watches. */
export interface ApproverPin {
  /** Namespace of the Subscription (and of its InstallPlans and CSV). */
  readonly namespace: string;
  readonly subscription: string;
  /** The pinned ClusterServiceVersion (the install's `startingCsv`, from the release train). */
  readonly csv: string;
  /** Construct path of the OperatorInstall, for messages. */
  readonly path: string;
}

/** Properties of {@link InstallPlanApprover}. */
export interface InstallPlanApproverProps {
  /**
   * Name of the namespace (unless `namespace` is given), ServiceAccount, ConfigMap, CronJob,
   * Roles and PrometheusRule. A DNS-1123 label.
   * @default 'installplan-approver'
   */
  readonly name?: string;
  /**
   * Namespace the approver runs in.
   * @default the name
   */
  readonly namespace?: string;
  /**
   * Create the namespace. Set false when it exists already; it then needs the label
   * `openshift.io/cluster-monitoring: "true"` for the drift alerts to be evaluated.
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * When the approver looks for InstallPlans.
   * @default every 5 minutes
   */
  readonly schedule?: CronLike;
  /**
   * Image with `oc` and a POSIX shell, pinned by version or digest.
   * @default registry.redhat.io/openshift4/ose-cli:v4.14
   */
  readonly image?: ExternalImage;
  /**
   * How long the installed CSV of a pinned package may differ from the pin (or be missing)
   * before the drift alert fires: long enough for an approved upgrade to install. Whole minutes,
   * at least 10.
   * @default GoDuration.hours(1)
   */
  readonly driftAlertAfter?: DurationLike;
  /**
   * Emit the PrometheusRule (drift and failing-approver alerts) and label the created namespace
   * for the platform Prometheus.
   * @default true
   */
  readonly alerts?: boolean;
}

const DEFAULT_NAME = 'installplan-approver';
const PIN_GROUP = 'ocpkit.operator-pins';

/**
 * Makes the operator pins of the release train real. OLM's `startingCSV` only chooses the first
 * install, and a Manual InstallPlan, once approved by hand, installs whatever OLM resolved (often
 * the channel head), not the version proven in staging (issue 13; field reviews M1 and M12).
 * This construct approves, every few minutes, exactly the InstallPlans whose every CSV is the
 * pinned CSV of its namespace, and nothing else; moving a pin in `versions.yaml` (promotion from
 * staging to production) is then what upgrades an operator.
 *
 * The pins are every {@link OperatorInstall} of the cluster with Manual approval, collected when
 * the cluster is synthesized: `(namespace, subscription, startingCsv)`, sorted. It synthesizes:
 * - a Namespace (unless `createNamespace: false`), a ServiceAccount and a ClusterRole
 *   (`operators.coreos.com` installplans: get, list, patch; nothing else) bound to it. Cluster-wide,
 *   so that the approver can be delivered before the operator namespaces exist (it must run
 *   before them: see below); the script only ever reads and patches the namespaces it pins;
 * - a ConfigMap with the pins, and a CronJob (`concurrencyPolicy: Forbid`, restricted pod
 *   security, requests and limits) running a POSIX shell script with `oc` that patches
 *   `spec.approved: true` on a plan only when it is unapproved, in phase `RequiresApproval`, and
 *   every entry of `spec.clusterServiceVersionNames` is pinned in that namespace;
 * - a PrometheusRule for the platform Prometheus: per pin, an alert when the pinned CSV is not
 *   installed and Succeeded for `driftAlertAfter` (OLM's `csv_succeeded`), with what to do; and an
 *   alert when an approver Job failed.
 *
 * An upgrade OLM offers that is not the pin (a newer channel head through `skipRange`) is never
 * approved: it waits, and the drift alert says so. OLM exposes no per-InstallPlan metric on
 * OpenShift 4.14 (only the unlabelled `install_plan_count`), so a waiting plan is visible through
 * the drift it causes, not by itself.
 *
 * Place it in a GitOpsApp of its own, without Subscriptions, synced before every app holding a
 * Manual Subscription (a lower sync wave of the root; synthesis refuses otherwise): a Subscription
 * whose first InstallPlan waits for approval is Progressing, so its app, and the root's later
 * waves, wait for it (gitops-engine sync_context.go: a running task must turn Healthy); only an
 * approver already running can unblock them.
 *
 * @example
 * Emits: into the folder of its own app (`operator-pins`) the Namespace `installplan-approver`
 * (unless `createNamespace: false`), a ServiceAccount, ConfigMap (the pins), CronJob and
 * PrometheusRule named `installplan-approver` in it, and the ClusterRole and ClusterRoleBinding
 * `ocpkit:installplan-approver`.
 * ```ts
 * import { GitOpsApp, InstallPlanApprover, SyncWave } from 'ocpkit';
 * import type { Cluster } from 'ocpkit';
 *
 * export function addOperatorPins(cluster: Cluster): InstallPlanApprover {
 *   const approverApp = new GitOpsApp(cluster, 'OperatorPins', { name: 'operator-pins', syncWave: SyncWave.OPERATOR_PINS });
 *   return new InstallPlanApprover(approverApp, 'Approver');
 * }
 * ```
 *
 * @see https://docs.openshift.com/container-platform/4.14/operators/admin/olm-upgrading-operators.html
 */
export class InstallPlanApprover extends Construct {
  /** The approver of a cluster, if one is defined. */
  public static of(cluster: Cluster): InstallPlanApprover | undefined {
    return TreeIndex.ofType(cluster, InstallPlanApprover).find((a) => Cluster.of(a) === cluster);
  }

  public readonly name: string;
  public readonly namespace: string;
  public readonly serviceAccountName: string;
  public readonly cronJob: k8s.KubeCronJob;
  public readonly configMap: k8s.KubeConfigMap;
  /** The PrometheusRule, unless `alerts: false`. */
  public readonly rule?: ApiObject;
  private readonly driftFor: string;

  constructor(scope: Construct, id: string, props: InstallPlanApproverProps = {}) {
    super(scope, id);
    const p = new Problems(this.node.path);
    if (props.name !== undefined) p.check('name', props.name, dnsLabel);
    if (props.namespace !== undefined) p.check('namespace', props.namespace, dnsLabel);
    const schedule = asCronSchedule(props.schedule) ?? CronSchedule.expression('*/5 * * * *');
    p.check('schedule', schedule, cronRule);
    const image = props.image ?? ExternalImage.parse(DEFAULT_APPROVER_IMAGE);
    if (!(image instanceof ExternalImage)) p.add('image', `${show(image)} must be an ExternalImage with oc and a POSIX shell, pinned by version or digest (ExternalImage.parse("${DEFAULT_APPROVER_IMAGE}"))`);
    const driftAfter = asGoDuration(props.driftAlertAfter) ?? GoDuration.hours(1);
    const driftProblem = !(driftAfter instanceof GoDuration)
      ? `${show(driftAfter)} must be a GoDuration or a cdk8s Duration (GoDuration.hours(1), GoDuration.minutes(30))`
      : driftAfter.problem() ?? (driftAfter.seconds < 600 || driftAfter.seconds % 60 !== 0
        ? `${show(driftAfter.toString())} is not whole minutes of at least 10m; an approved upgrade needs minutes to install, so a shorter delay alerts on every promotion`
        : undefined);
    if (driftProblem) p.add('driftAlertAfter', driftProblem);
    if (!GitOpsApp.enclosing(this)) p.add('scope', 'define the InstallPlanApprover inside a GitOpsApp (its own, without Subscriptions)');
    p.throwIfAny();

    this.name = props.name ?? DEFAULT_NAME;
    this.namespace = props.namespace ?? this.name;
    this.serviceAccountName = this.name;
    const minutes = Math.round((driftAfter as GoDuration).seconds / 60);
    this.driftFor = minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
    const alerts = props.alerts ?? true;

    if (props.createNamespace ?? true) {
      new k8s.KubeNamespace(this, 'Namespace', {
        metadata: {
          name: this.namespace,
          labels: {
            'pod-security.kubernetes.io/enforce': 'restricted',
            ...(alerts ? { [CLUSTER_MONITORING_LABEL]: 'true' } : {}),
          },
          annotations: { 'openshift.io/description': 'Approves the InstallPlans of pinned operator versions (ocpkit InstallPlanApprover)' },
        },
      });
    }
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: this.name, namespace: this.namespace } });
    this.configMap = new k8s.KubeConfigMap(this, 'Pins', {
      metadata: { name: this.name, namespace: this.namespace },
      data: { [PINS_KEY]: Lazy.any({ produce: () => this.pins().map((x) => `${x.namespace} ${x.subscription} ${x.csv}\n`).join('') }) as unknown as string },
    });

    this.cronJob = new k8s.KubeCronJob(this, 'CronJob', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        schedule: schedule.toString(),
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 300,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 0,
            activeDeadlineSeconds: 240,
            template: {
              metadata: { labels: { 'app.kubernetes.io/name': DEFAULT_NAME, 'app.kubernetes.io/managed-by': 'ocpkit' } },
              spec: {
                serviceAccountName: this.name,
                restartPolicy: 'Never',
                securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
                containers: [{
                  name: 'approve',
                  image: (image as ExternalImage).reference,
                  command: ['/bin/sh', '-c', APPROVER_SCRIPT],
                  // oc keeps its discovery cache under $HOME; the root file system is read-only.
                  env: [{ name: 'HOME', value: '/tmp' }],
                  securityContext: {
                    runAsNonRoot: true,
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ['ALL'] },
                    seccompProfile: { type: 'RuntimeDefault' },
                  },
                  resources: {
                    requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('64Mi') },
                    limits: { cpu: k8s.Quantity.fromString('200m'), memory: k8s.Quantity.fromString('256Mi') },
                  },
                  volumeMounts: [{ name: 'pins', mountPath: PINS_DIR, readOnly: true }, { name: 'tmp', mountPath: '/tmp' }],
                }],
                volumes: [{ name: 'pins', configMap: { name: this.name } }, { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } }],
              },
            },
          },
        },
      },
    });
    this.node.defaultChild = this.cronJob;

    if (alerts) {
      this.rule = new ApiObject(this, 'Alerts', {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: { name: this.name, namespace: this.namespace },
        spec: Lazy.any({ produce: () => this.ruleSpec() }),
      });
    }

    // Read and approve InstallPlans; nothing else. Cluster-wide because the approver runs before
    // the operator namespaces exist (a Role there could not be applied yet).
    const roleName = `ocpkit:${this.name}`;
    new k8s.KubeClusterRole(this, 'ClusterRole', {
      metadata: { name: roleName },
      rules: [{ apiGroups: ['operators.coreos.com'], resources: ['installplans'], verbs: ['get', 'list', 'patch'] }],
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterRoleBinding', {
      metadata: { name: roleName },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name: this.name, namespace: this.namespace }],
    });

    this.node.addValidation({ validate: () => this.problems() });
  }

  /** The pins of the cluster now: its OperatorInstalls with Manual approval, sorted by namespace, subscription, CSV. */
  public pins(): ApproverPin[] {
    const cluster = Cluster.of(this);
    const seen = new Set<string>();
    const out: ApproverPin[] = [];
    for (const i of TreeIndex.ofType(cluster, OperatorInstall)) {
      if (i.approval !== InstallPlanApproval.MANUAL) continue;
      const pin = { namespace: i.operatorNamespace, subscription: i.subscription.name, csv: i.startingCsv, path: i.node.path };
      const key = `${pin.namespace} ${pin.subscription} ${pin.csv}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(pin);
    }
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return out.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.subscription, b.subscription) || cmp(a.csv, b.csv));
  }

  private problems(): string[] {
    const out: string[] = [];
    const cluster = Cluster.of(this);
    const others = TreeIndex.ofType(cluster, InstallPlanApprover).filter((a) => a !== this);
    if (others.length) out.push(`the cluster has another InstallPlanApprover at ${others.map((o) => o.node.path).join(', ')}; define one per cluster`);
    const pins = this.pins();
    const app = GitOpsApp.enclosing(this);
    const appWave = (a: GitOpsApp) => waveOf(a.application.apiVersion, a.application.kind, Delivery.resolve(a.application));
    for (const i of TreeIndex.ofType(cluster, OperatorInstall)) {
      const other = GitOpsApp.enclosing(i);
      if (app && other === app) {
        out.push(`OperatorInstall ${i.node.path} is in the approver's GitOpsApp "${app.appName}"; a Subscription waiting for approval would hold back the approver's own sync, so put the approver in a GitOpsApp without Subscriptions`);
      } else if (app && other && i.approval === InstallPlanApproval.MANUAL && appWave(other) <= appWave(app)) {
        out.push(`the approver's GitOpsApp "${app.appName}" syncs at wave ${appWave(app)}, not before "${other.appName}" (wave ${appWave(other)}), whose Manual Subscription ${i.subscription.name} waits for it: the first install would never be approved; give "${app.appName}" a lower syncWave (SyncWave.OPERATOR_PINS)`);
      }
    }
    const bySubscription = new Map<string, ApproverPin>();
    for (const pin of pins) {
      const key = `${pin.namespace}/${pin.subscription}`;
      const twin = bySubscription.get(key);
      if (twin && twin.csv !== pin.csv) out.push(`Subscription ${key} is pinned twice, to ${twin.csv} (${twin.path}) and ${pin.csv} (${pin.path}); pin one CSV per Subscription`);
      bySubscription.set(key, pin);
    }
    return out;
  }

  private ruleSpec(): unknown {
    // OLM's olm-operator exports csv_succeeded{namespace,name,version} (1 when the CSV is
    // Succeeded, 0 otherwise; copied CSVs are not reported): openshift/operator-framework-olm
    // release-4.14, staging/operator-lifecycle-manager/pkg/metrics/metrics.go. Its ServiceMonitor
    // (manifests/0000_90_olm_00-service-monitor.yaml) does not honor labels, so Prometheus renames
    // the metric's own `namespace` to `exported_namespace` (the target's namespace is
    // openshift-operator-lifecycle-manager), as cluster-monitoring-operator's own 4.14 rules do for
    // such metrics (assets/cluster-monitoring-operator/prometheus-rule.yaml, exported_namespace).
    const drift = this.pins().map((pin) => ({
      alert: 'OperatorNotAtPinnedVersion',
      expr: `absent(csv_succeeded{exported_namespace="${pin.namespace}", name="${pin.csv}"} == 1)`,
      for: this.driftFor,
      labels: { severity: 'warning', namespace: pin.namespace, subscription: pin.subscription, pinned_csv: pin.csv },
      annotations: {
        summary: `Operator ${pin.subscription} in ${pin.namespace} does not run its pinned version ${pin.csv}.`,
        description: `The pinned CSV ${pin.csv} has not been installed and Succeeded in namespace ${pin.namespace} for ${this.driftFor}. `
          + `Check what runs: oc get subscription ${pin.subscription} -n ${pin.namespace} -o jsonpath='{.status.installedCSV}', and the waiting plans: oc get installplan -n ${pin.namespace}. `
          + `The ${this.name} CronJob in ${this.namespace} approves only plans whose CSVs are all pinned; its log says why it refused one. `
          + `If OLM offers another version than the pin (a newer channel head), move the pin in the release train (versions.yaml, staging first) to the offered CSV, or mirror a catalog that holds only the pinned bundle; never approve by hand. `
          + `If the CSV failed, see oc get csv ${pin.csv} -n ${pin.namespace}.`,
        // its page in dist/<env>/_runbooks/alerts/, generated from this rule (lib/monitoring ALERT_RUNBOOKS)
        runbook_url: alertRunbookUrl(Cluster.of(this), 'OperatorNotAtPinnedVersion'),
      },
    }));
    // kube-state-metrics is scraped with honorLabels (cluster-monitoring-operator release-4.14,
    // assets/kube-state-metrics/service-monitor.yaml), so `namespace` is the Job's; OpenShift's
    // KubeJobFailed (assets/control-plane/prometheus-rule.yaml) only covers openshift-*, kube-* and default.
    // kube_job_failed{namespace,job_name,condition} is 1 on the series of the Job's Failed
    // condition status (kubernetes/kube-state-metrics internal/store/job.go; 2.9.2 in 4.14).
    const failing = {
      alert: 'InstallPlanApproverFailing',
      expr: `kube_job_failed{namespace="${this.namespace}", job="kube-state-metrics", job_name=~"${this.name}-.*", condition="true"} > 0`,
      for: '15m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'The InstallPlan approver failed.',
        description: `A Job of the ${this.name} CronJob in ${this.namespace} failed, so pinned operator upgrades are not approved: oc logs -n ${this.namespace} job/{{ $labels.job_name }}. `
          + `Usual causes: a missing Role in an operator namespace, or the image cannot be pulled. Delete the failed Job once fixed to clear the alert.`,
      },
    };
    return { groups: [{ name: PIN_GROUP, rules: [...drift, failing] }] };
  }
}
