import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { perWalk } from '../backup/_per-walk';
import { BackupStorage } from '../backup/backup-storage';
import { EncryptionKind } from '../backup/bucket-encryption';
import { DataProtection } from '../backup/data-protection';
import { asGoDuration, DurationLike, GoDuration } from '../backup/duration';
import { EtcdBackup } from '../backup/etcd-backup';
import { OcpkitError, Problems, show } from '../core/errors';
import { Cluster } from '../gitops/cluster';
import { GitOpsApp } from '../gitops/gitops-app';
import { Provides } from '../refs/provides';
import { TreeIndex } from '../synth/pipeline';
import { maxCronGapSeconds } from './_cron-gap';
import { promDuration, selector } from './_promql';
import { AlertRule, AlertRuleSet, AlertRunbook } from './alert-rules';
import { CLUSTER_MONITORING_NAMESPACE, ruleEvaluator } from './cluster-monitoring';

/** Properties of {@link BackupAlerts}. */
export interface BackupAlertsProps {
  /**
   * Time allowed beyond the longest gap between two runs of a schedule before "no recent
   * successful backup" fires: how long a run may take, plus the scrape delay. A daily schedule
   * alerts after 24h + grace (26h by default).
   * @default GoDuration.hours(2)
   */
  readonly grace?: DurationLike;
}

/** kube-state-metrics series of the platform (its ServiceMonitor's job label). */
const KSM = { job: 'kube-state-metrics' };

/**
 * Metrics of the OADP Velero server: the Service OADP 1.4 creates for every
 * DataProtectionApplication (openshift/oadp-operator oadp-1.4, controllers/monitor.go:
 * `openshift-adp-velero-metrics-svc`, port "monitoring" 8085, labelled with the DPA's app labels
 * of controllers/velero.go getAppLabels: app.kubernetes.io/name=velero,
 * app.kubernetes.io/component=server, app.kubernetes.io/instance=<DPA name>). OADP creates no
 * ServiceMonitor: its monitoring guide has the user create one (docs/oadp_monitoring.md), so
 * BackupAlerts does.
 */
const VELERO_METRICS_PORT = 'monitoring';

/** A Velero Schedule of the stack, as synthesized. */
interface VeleroSchedule {
  readonly name: string;
  readonly namespace: string;
  readonly cron: string;
  /** The schedule's location, when the stack declares it as a BackupStorage. */
  readonly storage?: BackupStorage;
}

/** The Velero Schedules of the tree, rendered once per walk (every namespace's rules ask). */
function veleroSchedules(cluster: Cluster): VeleroSchedule[] {
  return perWalk(cluster, 'velero-schedules-for-alerts', (all) => renderVeleroSchedules(cluster, all));
}

function renderVeleroSchedules(cluster: Cluster, all: readonly IConstruct[]): VeleroSchedule[] {
  const out: VeleroSchedule[] = [];
  const storages = TreeIndex.ofType(cluster, BackupStorage);
  for (const c of all) {
    if (!(c instanceof ApiObject) || c.kind !== 'Schedule' || c.apiVersion !== 'velero.io/v1') continue;
    const spec = TreeIndex.rendered(c).spec ?? {};
    const location = spec.template?.storageLocation;
    const storage = storages.find((b) => b.locationName === location && b.veleroNamespace === c.metadata.namespace);
    out.push({ name: c.metadata.name!, namespace: c.metadata.namespace!, cron: String(spec.schedule), storage });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const ETCD_RUNBOOKS: Readonly<Record<string, AlertRunbook>> = {
  EtcdBackupFailed: {
    meaning: 'A Job of the etcd backup CronJob ended Failed (all its pods failed, or it ran past its deadline), and no run has succeeded since. '
      + 'OpenShift\'s own KubeJobFailed alert only watches the openshift-*, kube-* and default namespaces, so this is the only alert for it.',
    impact: 'The cluster has no fresh etcd snapshot: a control-plane disaster would be restored to an older state, or not at all once the retention removed the last good one.',
    diagnose: [
      'List the runs: `oc -n <namespace> get jobs -l job-name --sort-by=.metadata.creationTimestamp` and read the failed one: `oc -n <namespace> logs job/<job>` (both containers, `--all-containers`).',
      '`cluster-backup.sh` refuses to run while kube-apiserver, kube-controller-manager, kube-scheduler or etcd is Progressing (upgrades, certificate rotations): check `oc get clusteroperators`.',
      'Scheduling: the pod must land on a control-plane node (`oc -n <namespace> get events`); a full volume or bucket shows in the copy container\'s log.',
    ],
    fix: [
      'Fix the cause, then run once by hand: `oc -n <namespace> create job --from=cronjob/<cronjob> <cronjob>-manual`.',
      'The alert clears once a run succeeds; delete the failed Jobs afterwards (`oc -n <namespace> delete job <job>`).',
    ],
  },
  EtcdBackupMissing: {
    meaning: 'The etcd backup CronJob has had no successful run for longer than its schedule allows (the longest gap between two runs plus a grace period), or never had one.',
    impact: 'Restoring the control plane would lose everything since the last good snapshot, or be impossible.',
    diagnose: [
      '`oc -n <namespace> get cronjob <cronjob> -o jsonpath=\'{.status.lastSuccessfulTime} {.spec.suspend}\'`: a suspended CronJob or a missed schedule (`startingDeadlineSeconds`) starts no Job.',
      '`oc -n <namespace> get jobs` and `oc -n <namespace> get events`: runs that never start (quota, SCC, no schedulable control-plane node) fail no Job either.',
      'See EtcdBackupFailed for failing runs.',
    ],
    fix: [
      'Resume or fix the CronJob, then run it once by hand: `oc -n <namespace> create job --from=cronjob/<cronjob> <cronjob>-manual`, and check the snapshot in the target (and the bucket copy).',
    ],
  },
};

/**
 * With SSE-C the Velero CLI cannot download a backup's logs or details: it fetches them through
 * presigned URLs, which the AWS plugin of OADP 1.4 signs without the customer key
 * (openshift/velero-plugin-for-aws@oadp-1.4 velero-plugin-for-aws/object_store.go CreateSignedURL),
 * and S3 refuses a GET of an SSE-C object without it (a GET must carry the same key:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/specifying-s3-c-encryption.html). The logs object is at
 * `<prefix>/backups/<backup>/<backup>-logs.gz` (vmware-tanzu/velero@v1.14.0
 * pkg/persistence/object_store_layout.go).
 */
const SSE_C_NOTE = 'If the location uses SSE-C, `velero backup describe --details` and `velero backup logs` fail (Velero downloads through presigned URLs without the customer key): read the status with `oc get backup -o yaml` and fetch `<prefix>/backups/<backup>/<backup>-logs.gz` with `aws s3 cp --sse-c AES256 --sse-c-key fileb://<key file>`; the commands for each location are in `dist/<env>/_runbooks/disaster-recovery.md`, "Reading outcomes and logs".';

/** How an alert description tells to read a backup's details for the schedule's location. */
function detailsHint(s: VeleroSchedule, what: string): string {
  const st = s.storage;
  if (st && st.encryption.kind === EncryptionKind.CUSTOMER_KEY) {
    const key = st.encryption.customerKeyFile?.split('/').pop() ?? '<key>';
    const base = `s3://${st.bucket}${st.prefix ? `/${st.prefix}` : ''}`;
    return `Location ${st.locationName} uses SSE-C, so the velero CLI cannot download details or logs: read oc -n ${s.namespace} get backup <backup> -o yaml (.status), and the log with aws s3 cp${st.endpoint ? ` --endpoint-url ${st.endpoint}` : ''} --sse-c AES256 --sse-c-key fileb://<file of key ${key} of Secret ${st.credentials.secretName}> ${base}/backups/<backup>/<backup>-logs.gz - | gunzip (runbook: _runbooks/disaster-recovery.md, "Reading outcomes and logs").`;
  }
  return `velero backup describe <backup> --details -n ${s.namespace} ${what}.`;
}

const VELERO_RUNBOOKS: Readonly<Record<string, AlertRunbook>> = {
  VeleroBackupFailed: {
    meaning: 'A backup of the Velero schedule ended Failed or FailedValidation within the schedule\'s window.',
    impact: 'The namespaces of that schedule have no backup from this run; the last good one ages towards its TTL.',
    diagnose: [
      '`oc -n <namespace> get backups -l velero.io/schedule-name=<schedule> --sort-by=.metadata.creationTimestamp`, then `oc -n <namespace> get backup <backup> -o yaml`: `.status.failureReason`, `.status.validationErrors`, `.status.errors`.',
      '`oc -n <namespace> logs deploy/velero | grep <backup>`; FailedValidation usually names a missing or unavailable BackupStorageLocation (`oc -n <namespace> get backupstoragelocations`).',
      SSE_C_NOTE,
    ],
    fix: [
      'Fix the location (credentials, bucket, endpoint CA) or the cause in the log, then take a backup now: `velero backup create --from-schedule <schedule> -n <namespace>`.',
    ],
  },
  VeleroBackupPartiallyFailed: {
    meaning: 'A backup of the Velero schedule ended PartiallyFailed within the schedule\'s window: some items or volumes were not backed up.',
    impact: 'Some namespaces or volumes of the schedule may be missing from the backup; a restore would silently lack them.',
    diagnose: [
      '`oc -n <namespace> get backup <backup> -o yaml`: `.status.errors` and `.status.warnings` count them; `velero backup describe <backup> --details -n <namespace>` lists the errors per item and `velero backup logs <backup>` has them in full, unless the location uses SSE-C (next point).',
      SSE_C_NOTE,
      'Volume errors: check the snapshot class, the DataUploads (`oc -n <namespace> get datauploads`) and the node agent pods.',
    ],
    fix: [
      'Fix the failing items, or exempt a re-creatable volume explicitly, then take a backup now: `velero backup create --from-schedule <schedule> -n <namespace>`.',
    ],
  },
  VeleroBackupTooOld: {
    meaning: 'The Velero schedule has had no Completed backup for longer than its cron allows (the longest gap between two runs plus a grace period), or never had one since Velero started.',
    impact: 'The namespaces of the schedule would be restored to an old state, or not at all once the TTL removed the last good backup.',
    diagnose: [
      '`oc -n <namespace> get schedule <schedule> -o yaml`: paused, or a failed validation in `.status`?',
      '`oc -n <namespace> get backups -l velero.io/schedule-name=<schedule>`: failing runs (see VeleroBackupFailed), or none at all (Velero down: `oc -n <namespace> get pods`).',
    ],
    fix: [
      'Unpause or fix the schedule and take a backup now: `velero backup create --from-schedule <schedule> -n <namespace>`.',
    ],
  },
};

/**
 * Alerts for both backup paths of the cluster, derived from the stack when it is synthesized:
 *
 * - every {@link EtcdBackup}: its CronJob's latest failed Job is newer than its last success
 *   (`EtcdBackupFailed`), and no success for longer than the cron's longest gap plus `grace`
 *   (`EtcdBackupMissing`: 26h for a daily job), from kube-state-metrics 2.9.2, the version
 *   OpenShift 4.14 ships (cluster-monitoring-operator release-4.14 assets/kube-state-metrics/deployment.yaml):
 *   kube_job_failed{condition}, kube_job_status_start_time, kube_job_owner{owner_kind,owner_name},
 *   kube_cronjob_status_last_successful_time{cronjob} (kubernetes/kube-state-metrics v2.9.2
 *   internal/store/job.go, cronjob.go; none is in OpenShift's metric denylist). The rules live in
 *   the backup's namespace and go through Thanos Ruler (platform metrics).
 * - every Velero Schedule of the stack, in its namespace: a failed or FailedValidation backup
 *   (`VeleroBackupFailed`), a PartiallyFailed one (`VeleroBackupPartiallyFailed`), each within
 *   the schedule's window, and no Completed backup for longer than its cron allows
 *   (`VeleroBackupTooOld`), from Velero 1.14's server metrics labelled by schedule:
 *   velero_backup_failure_total, velero_backup_validation_failure_total,
 *   velero_backup_partial_failure_total, velero_backup_last_successful_timestamp
 *   (vmware-tanzu/velero v1.14.0 pkg/metrics/metrics.go, pkg/controller/backup_controller.go). A
 *   ServiceMonitor scrapes OADP's metrics Service; when the namespace belongs to the platform
 *   Prometheus, a Role lets `prometheus-k8s` discover the targets (the pattern of
 *   gitops-operator v1.12.1 controllers/argocd_metrics_controller.go newReadRole).
 *
 * Which namespaces get rules is fixed when BackupAlerts is created: create it after every backup
 * of the stack (synthesis refuses a backup it does not cover). The rules themselves follow the
 * schedules at synth time.
 *
 * Emits: into the folder of the app it is in, per EtcdBackup a PrometheusRule
 * `ocpkit-etcd-backup-alerts` in its namespace; per Velero namespace (`openshift-adp`) a
 * PrometheusRule `ocpkit-velero-backup-alerts` and a ServiceMonitor `ocpkit-velero`, and, when the
 * platform Prometheus watches that namespace, a Role and RoleBinding `ocpkit-prometheus-k8s-read`;
 * and the runbook pages of the alerts in `dist/<environment>/_runbooks/alerts/`.
 */
export class BackupAlerts extends Construct {
  public readonly ruleSets: readonly AlertRuleSet[];
  private readonly etcdNamespaces = new Set<string>();
  private readonly veleroNamespaces = new Set<string>();

  constructor(scope: Construct, id: string, props: BackupAlertsProps = {}) {
    super(scope, id);
    const p = new Problems(this.node.path);
    const grace = (asGoDuration(props.grace) as GoDuration | undefined) ?? GoDuration.hours(2);
    const why = !(grace instanceof GoDuration)
      ? `${show(grace)} must be a GoDuration or a cdk8s Duration (GoDuration.hours(2))`
      : grace.problem() ?? (grace.seconds < 600 || grace.seconds > 86_400 ? `${show(grace.toString())} is not between 10m and 24h` : undefined);
    if (why) p.add('grace', why);
    if (!GitOpsApp.enclosing(this)) p.add('scope', 'define BackupAlerts inside a GitOpsApp');
    p.throwIfAny();
    const cluster = Cluster.of(this);
    const sets: AlertRuleSet[] = [];

    for (const etcd of TreeIndex.ofType(cluster, EtcdBackup)) {
      const ns = etcd.namespace;
      const cronJob = etcd.cronJob;
      this.etcdNamespaces.add(ns);
      sets.push(new AlertRuleSet(this, `Etcd-${ns}`, {
        name: 'ocpkit-etcd-backup-alerts',
        namespace: ns,
        group: 'ocpkit.etcd-backup',
        ownMetricsOnly: false,
        runbooks: ETCD_RUNBOOKS,
        rules: () => etcdRules(ns, cronJob.name, String(TreeIndex.rendered(cronJob).spec?.schedule), grace.seconds),
      }));
    }

    const dpas = TreeIndex.ofType(cluster, DataProtection);
    const namespaces = new Set([...dpas.map((d) => d.veleroNamespace), ...veleroSchedules(cluster).map((s) => s.namespace)]);
    for (const ns of [...namespaces].sort()) {
      this.veleroNamespaces.add(ns);
      const dpa = dpas.find((d) => d.veleroNamespace === ns);
      new ApiObject(this, `VeleroMetrics-${ns}`, {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: 'ocpkit-velero', namespace: ns },
        spec: {
          selector: {
            matchLabels: {
              'app.kubernetes.io/name': 'velero',
              'app.kubernetes.io/component': 'server',
              ...(dpa ? { 'app.kubernetes.io/instance': dpa.applicationName } : {}),
            },
          },
          endpoints: [{ port: VELERO_METRICS_PORT, scheme: 'http', interval: '60s' }],
        },
      });
      const evaluator = ruleEvaluator(this, ns);
      if ('evaluator' in evaluator && evaluator.evaluator === 'platform') prometheusK8sReader(this, `PrometheusRead-${ns}`, ns);
      sets.push(new AlertRuleSet(this, `Velero-${ns}`, {
        name: 'ocpkit-velero-backup-alerts',
        namespace: ns,
        group: 'ocpkit.velero-backup',
        ownMetricsOnly: true,
        runbooks: VELERO_RUNBOOKS,
        rules: () => veleroSchedules(cluster).filter((s) => s.namespace === ns).flatMap((s) => veleroRules(s, grace.seconds)),
      }));
    }
    this.ruleSets = sets;

    this.node.addValidation({
      validate: () => {
        const out: string[] = [];
        for (const etcd of TreeIndex.ofType(cluster, EtcdBackup)) {
          if (!this.etcdNamespaces.has(etcd.namespace)) out.push(`EtcdBackup ${etcd.node.path} has no alerts: it was defined after BackupAlerts; create BackupAlerts after every backup of the stack`);
        }
        for (const s of veleroSchedules(cluster)) {
          if (!this.veleroNamespaces.has(s.namespace)) out.push(`Velero Schedule ${s.namespace}/${s.name} has no alerts: its namespace appeared after BackupAlerts; create BackupAlerts after every backup of the stack`);
        }
        return out;
      },
    });
  }
}

/**
 * A Role and RoleBinding that let the platform Prometheus (`prometheus-k8s` in
 * openshift-monitoring) discover scrape targets in one namespace: its ClusterRole has no
 * endpoints/services/pods (cluster-monitoring-operator release-4.14 assets/prometheus-k8s/cluster-role.yaml).
 */
export function prometheusK8sReader(scope: Construct, id: string, namespace: string): void {
  const name = 'ocpkit-prometheus-k8s-read';
  new k8s.KubeRole(scope, `${id}Role`, {
    metadata: { name, namespace },
    rules: [{ apiGroups: [''], resources: ['endpoints', 'pods', 'services'], verbs: ['get', 'list', 'watch'] }],
  });
  const binding = new k8s.KubeRoleBinding(scope, `${id}Binding`, {
    metadata: { name, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
    subjects: [{ kind: 'ServiceAccount', name: 'prometheus-k8s', namespace: CLUSTER_MONITORING_NAMESPACE }],
  });
  Provides.of(binding).object('ServiceAccount', CLUSTER_MONITORING_NAMESPACE, 'prometheus-k8s', {
    by: 'OpenShift cluster monitoring (cluster-monitoring-operator release-4.14 assets/prometheus-k8s/service-account.yaml)',
  });
}

/** The longest gap between runs of a schedule, or a problem naming the object whose schedule cannot be read. */
function watchWindow(object: string, cron: string): number {
  const gap = maxCronGapSeconds(cron);
  if (gap === undefined) throw new OcpkitError([{ path: object, field: 'spec.schedule', message: `${show(cron)} is not a cron schedule (five fields or a macro such as @daily); the backup alerts cannot tell when a run is overdue` }]);
  return gap;
}

function etcdRules(namespace: string, cronjob: string, cron: string, graceSeconds: number): AlertRule[] {
  const after = watchWindow(`CronJob ${namespace}/${cronjob}`, cron) + graceSeconds;
  const ns = { ...KSM, namespace };
  const failedStarts = `max by (namespace) (${selector('kube_job_status_start_time', ns)}`
    + ` * on (namespace, job_name) group_left () (${selector('kube_job_failed', { ...ns, condition: 'true' })} == 1)`
    + ` * on (namespace, job_name) group_left () ${selector('kube_job_owner', { ...ns, owner_kind: 'CronJob', owner_name: cronjob })})`;
  const lastSuccess = selector('kube_cronjob_status_last_successful_time', { ...ns, cronjob });
  const labels = { cronjob };
  return [
    {
      alert: 'EtcdBackupFailed',
      expr: `(${failedStarts} > on (namespace) max by (namespace) (${lastSuccess})) or (${failedStarts} unless on (namespace) ${lastSuccess})`,
      severity: 'critical',
      labels,
      summary: `The etcd backup CronJob ${namespace}/${cronjob} failed and has not succeeded since.`,
      description: `The latest failed Job of CronJob ${cronjob} in ${namespace} started after its last successful run. Read its log: oc -n ${namespace} logs job/<job> --all-containers; `
        + 'cluster-backup.sh refuses to run while a control-plane operator is Progressing (oc get clusteroperators).',
      metrics: ['kube_job_status_start_time', 'kube_job_failed', 'kube_job_owner', 'kube_cronjob_status_last_successful_time'],
    },
    {
      alert: 'EtcdBackupMissing',
      expr: `time() - max by (namespace) (${lastSuccess}) > ${after}`,
      severity: 'critical',
      labels: { ...labels, reason: 'last-success-too-old' },
      summary: `No successful etcd backup in ${namespace} for more than ${promDuration(after)}.`,
      description: `CronJob ${cronjob} in ${namespace} (schedule "${cron}") last succeeded more than ${promDuration(after)} ago. Check that it is not suspended and why its runs fail or do not start: oc -n ${namespace} get cronjob,jobs,events.`,
      metrics: ['kube_cronjob_status_last_successful_time'],
    },
    {
      alert: 'EtcdBackupMissing',
      expr: `absent(${lastSuccess})`,
      for: promDuration(after),
      severity: 'critical',
      labels: { ...labels, reason: 'no-success-on-record' },
      summary: `The etcd backup CronJob ${namespace}/${cronjob} has never succeeded in ${promDuration(after)}.`,
      description: `CronJob ${cronjob} in ${namespace} (schedule "${cron}") has no successful run on record. Check that it exists and is not suspended, and why its runs fail or do not start: oc -n ${namespace} get cronjob,jobs,events.`,
      metrics: ['kube_cronjob_status_last_successful_time'],
    },
  ];
}

function veleroRules(s: VeleroSchedule, graceSeconds: number): AlertRule[] {
  const after = watchWindow(`Schedule ${s.namespace}/${s.name}`, s.cron) + graceSeconds;
  const window = promDuration(after);
  const m = (metric: string) => selector(metric, { namespace: s.namespace, schedule: s.name });
  const labels = { schedule: s.name };
  const where = `Velero schedule ${s.name} in ${s.namespace}`;
  return [
    {
      alert: 'VeleroBackupFailed',
      expr: `increase(${m('velero_backup_failure_total')}[${window}]) > 0 or increase(${m('velero_backup_validation_failure_total')}[${window}]) > 0`,
      severity: 'critical',
      labels,
      summary: `A backup of ${where} failed in the last ${window}.`,
      description: `A backup of schedule ${s.name} ended Failed or FailedValidation. Find it: oc -n ${s.namespace} get backups -l velero.io/schedule-name=${s.name}; its .status.failureReason and .status.validationErrors say why. ${detailsHint(s, 'shows the rest')}`,
      metrics: ['velero_backup_failure_total', 'velero_backup_validation_failure_total'],
    },
    {
      alert: 'VeleroBackupPartiallyFailed',
      expr: `increase(${m('velero_backup_partial_failure_total')}[${window}]) > 0`,
      severity: 'warning',
      labels,
      summary: `A backup of ${where} partially failed in the last ${window}.`,
      description: `A backup of schedule ${s.name} ended PartiallyFailed: some items or volumes are missing from it. ${detailsHint(s, 'lists them')}`,
      metrics: ['velero_backup_partial_failure_total'],
    },
    {
      alert: 'VeleroBackupTooOld',
      expr: `time() - ${m('velero_backup_last_successful_timestamp')} > ${after}`,
      severity: 'critical',
      labels: { ...labels, reason: 'last-success-too-old' },
      summary: `No completed backup of ${where} for more than ${window}.`,
      description: `Schedule ${s.name} (cron "${s.cron}") has not completed a backup for more than ${window}. Check it is not paused and why its backups fail: oc -n ${s.namespace} get schedule ${s.name} -o yaml; oc -n ${s.namespace} get backups -l velero.io/schedule-name=${s.name}.`,
      metrics: ['velero_backup_last_successful_timestamp'],
    },
    {
      alert: 'VeleroBackupTooOld',
      expr: `absent(${m('velero_backup_last_successful_timestamp')})`,
      for: window,
      severity: 'critical',
      labels: { ...labels, reason: 'no-success-on-record' },
      summary: `${where} has no completed backup on record for ${window}.`,
      description: `Velero reports no completed backup of schedule ${s.name} (cron "${s.cron}"), or its metrics are not scraped (ServiceMonitor ocpkit-velero in ${s.namespace}). Check: oc -n ${s.namespace} get backups -l velero.io/schedule-name=${s.name}; oc -n ${s.namespace} get pods.`,
      metrics: ['velero_backup_last_successful_timestamp'],
    },
  ];
}
