import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import * as yaml from 'js-yaml';
import { CronSchedule } from '../../lib/backup/cron';
import { BackupStorage, BucketEncryption } from '../../lib/backup';
import { storageProps } from '../backup/_fixtures';
import { GoDuration } from '../../lib/backup/duration';
import { EtcdBackup } from '../../lib/backup/etcd-backup';
import { OcpkitError } from '../../lib/core/errors';
import { Cluster } from '../../lib/gitops/cluster';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { SyncWave } from '../../lib/gitops/sync-wave';
import {
  ALERT_RUNBOOKS, AlertRuleSet, ArgoCdAlerts, BackupAlerts, CertificateAlerts, ClusterMonitoring, repositoryFileUrl,
} from '../../lib/monitoring';
import { InstallPlanApprover, OperatorInstall } from '../../lib/olm';
import { defaultPipeline } from '../../lib/pipeline-defaults';
import { runPipeline, SynthesisResult } from '../../lib/synth/synthesizer';
import { testCluster, validator } from '../_helpers';

/** Synthesizes like the unit helpers (references off) and writes the alert runbooks too. */
function synthRunbooks(cluster: Cluster): SynthesisResult {
  const p = defaultPipeline({ validator: validator(), references: false });
  const artifacts = p.artifacts?.includes(ALERT_RUNBOOKS) ? p.artifacts : [...(p.artifacts ?? []), ALERT_RUNBOOKS];
  return runPipeline(cluster, { ...p, artifacts });
}

function messages(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof OcpkitError) return e.problems.map((p) => `[${p.path}] ${p.field ? `${p.field}: ` : ''}${p.message}`);
    throw e;
  }
  throw new Error('expected an OcpkitError');
}

/** A Velero Schedule as synthesized by any construct (BackupAlerts reads the objects, not their builders). */
function veleroSchedule(scope: GitOpsApp, name: string, cron: string, namespace = 'openshift-adp'): void {
  new ApiObject(scope, `Schedule-${name}`, {
    apiVersion: 'velero.io/v1', kind: 'Schedule', metadata: { name, namespace }, spec: { schedule: cron, template: { includedNamespaces: ['forum'] } },
  });
}

function rulesOf(result: SynthesisResult, namespace: string, name: string): any[] {
  const hit = result.objects.find((o) => o.manifest.kind === 'PrometheusRule' && o.manifest.metadata.namespace === namespace && o.manifest.metadata.name === name);
  if (!hit) throw new Error(`no PrometheusRule ${namespace}/${name}`);
  return hit.manifest.spec.groups.flatMap((g: any) => g.rules);
}

function stack(opts: { userWorkload?: boolean; monitoring?: boolean } = {}) {
  const cluster = testCluster();
  const backup = new GitOpsApp(cluster, 'Backup', { name: 'backup' });
  new EtcdBackup(backup, 'Etcd', { schedule: CronSchedule.daily({ hour: 1 }) });
  veleroSchedule(backup, 'daily-tenants', '0 2 * * *');
  veleroSchedule(backup, 'weekly-archive', '30 3 * * 0');
  const app = new GitOpsApp(cluster, 'Monitoring', { name: 'monitoring', syncWave: SyncWave.WORKLOADS });
  if (opts.monitoring ?? true) new ClusterMonitoring(app, 'Config', { userWorkload: opts.userWorkload });
  return { cluster, backup, app };
}

describe('ClusterMonitoring', () => {
  test('writes cluster-monitoring-config with exactly the declared settings', () => {
    const { cluster, app } = stack({ monitoring: false });
    new ClusterMonitoring(app, 'Config', { platformRetention: GoDuration.days(30) });
    const cm = synthRunbooks(cluster).objects.find((o) => o.manifest.kind === 'ConfigMap' && o.manifest.metadata.name === 'cluster-monitoring-config')!;
    expect(cm.manifest.metadata.namespace).toBe('openshift-monitoring');
    expect(cm.file).toBe('test/monitoring/configmap.openshift-monitoring.cluster-monitoring-config.yaml');
    expect(Object.keys(cm.manifest.data)).toEqual(['config.yaml']);
    expect(yaml.load(cm.manifest.data['config.yaml'])).toEqual({ enableUserWorkload: true, prometheusK8s: { retention: '30d' } });
  });

  test('userWorkloadRetention: owns user-workload-monitoring-config too; without it that ConfigMap is left alone', () => {
    const { cluster, app } = stack({ monitoring: false });
    new ClusterMonitoring(app, 'Config', { userWorkloadRetention: GoDuration.days(8) });
    const cms = synthRunbooks(cluster).objects.filter((o) => o.manifest.kind === 'ConfigMap').map((o) => o.manifest);
    const uw = cms.find((m) => m.metadata.name === 'user-workload-monitoring-config');
    expect(uw.metadata.namespace).toBe('openshift-user-workload-monitoring');
    expect(yaml.load(uw.data['config.yaml'])).toEqual({ prometheus: { retention: '8d' } });
    expect(yaml.load(cms.find((m) => m.metadata.name === 'cluster-monitoring-config').data['config.yaml'])).toEqual({ enableUserWorkload: true });

    const plain = stack();
    expect(synthRunbooks(plain.cluster).objects.filter((o) => o.manifest.metadata?.name === 'user-workload-monitoring-config')).toEqual([]);
    expect(messages(() => new ClusterMonitoring(plain.app, 'Off', { userWorkload: false, userWorkloadRetention: GoDuration.days(8) })))
      .toEqual(['[Monitoring/Off] userWorkloadRetention: is set but userWorkload is false; there is no user-workload Prometheus to keep data']);
  });

  test('is a cluster singleton: a second one, or another object writing the ConfigMap, is refused', () => {
    const { cluster, app, backup } = stack();
    new ClusterMonitoring(backup, 'Again');
    new ApiObject(backup, 'ByHand', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-monitoring-config', namespace: 'openshift-monitoring' }, data: { 'config.yaml': 'enableUserWorkload: false\n' } });
    const m = messages(() => synthRunbooks(cluster));
    expect(m).toContain('[Monitoring/Config] the cluster has another ClusterMonitoring at Backup/Again; cluster-monitoring-config is one object per cluster, declare it once');
    expect(m).toContain('[Monitoring/Config] Backup/ByHand also writes ConfigMap openshift-monitoring/cluster-monitoring-config; declare its settings on this ClusterMonitoring instead');
    void app;
  });

  test('bad props are refused in one line each', () => {
    const { app } = stack({ monitoring: false });
    expect(messages(() => new ClusterMonitoring(app, 'Bad', { platformRetention: GoDuration.hours(2), userWorkload: 'yes' as any }))).toEqual([
      '[Monitoring/Bad] userWorkload: "yes" must be true or false',
      '[Monitoring/Bad] platformRetention: "2h" is shorter than a day; the platform alerts look back up to a day',
    ]);
  });
});

describe('where rules are evaluated', () => {
  test('a Velero Schedule whose cron cannot be read is one problem naming it, not a crash or a wrong window', () => {
    const { cluster, backup, app } = stack();
    veleroSchedule(backup, 'hand-written', '61 * * * *');
    new BackupAlerts(app, 'Backups');
    expect(messages(() => synthRunbooks(cluster))).toContainEqual(expect.stringMatching(/^\[Schedule openshift-adp\/hand-written\] spec.schedule: "61 \* \* \* \*" is not a cron schedule .*the backup alerts cannot tell when a run is overdue$/));
  });

  test('rules in a namespace without the platform label need user-workload monitoring', () => {
    const { cluster, app } = stack({ monitoring: false });
    new BackupAlerts(app, 'Backups');
    const m = messages(() => synthRunbooks(cluster));
    expect(m).toContain('[Monitoring/Backups/Etcd-etcd-backup] namespace: namespace "etcd-backup" is not labelled openshift.io/cluster-monitoring: "true", so only user-workload monitoring would evaluate its rules, and the cluster declares no ClusterMonitoring; add a ClusterMonitoring with userWorkload: true');

    const off = stack({ userWorkload: false });
    new BackupAlerts(off.app, 'Backups');
    expect(messages(() => synthRunbooks(off.cluster))).toContain('[Monitoring/Backups/Velero-openshift-adp] namespace: namespace "openshift-adp" is not labelled openshift.io/cluster-monitoring: "true", so only user-workload monitoring would evaluate its rules, and the cluster turns it off (Monitoring/Config); add a ClusterMonitoring with userWorkload: true');
  });

  test('user-workload: Velero rules run in its Prometheus (leaf-prometheus), etcd rules through Thanos Ruler, no Role for prometheus-k8s', () => {
    const { cluster, app } = stack();
    new BackupAlerts(app, 'Backups');
    const objects = synthRunbooks(cluster).objects.map((o) => o.manifest);
    const velero = objects.find((m) => m.kind === 'PrometheusRule' && m.metadata.namespace === 'openshift-adp');
    const etcd = objects.find((m) => m.kind === 'PrometheusRule' && m.metadata.namespace === 'etcd-backup');
    expect(velero.metadata.labels).toEqual({ 'openshift.io/prometheus-rule-evaluation-scope': 'leaf-prometheus' });
    expect(etcd.metadata.labels?.['openshift.io/prometheus-rule-evaluation-scope']).toBeUndefined();
    expect(objects.filter((m) => m.kind === 'Role' || m.kind === 'RoleBinding').map((m) => m.metadata.name)).not.toContain('ocpkit-prometheus-k8s-read');
  });

  test('a namespace labelled for the platform Prometheus gets a Role so prometheus-k8s can discover the Velero target', () => {
    const { cluster, backup, app } = stack({ monitoring: false });
    new OperatorInstall(backup, 'Oadp', {
      packageName: 'redhat-oadp-operator', namespace: 'openshift-adp', channel: 'stable-1.4', startingCsv: 'oadp-operator.v1.4.4',
      namespaceLabels: { 'openshift.io/cluster-monitoring': 'true' }, catalogWaiver: { reason: 'unit test of the alerts' },
    });
    new BackupAlerts(app, 'Backups');
    // etcd-backup is not labelled, so it still needs user-workload monitoring; openshift-adp does not
    const m = messages(() => synthRunbooks(cluster));
    expect(m.filter((x) => x.includes('openshift-adp'))).toEqual([]);
    expect(m.filter((x) => x.includes('"etcd-backup" is not labelled'))).toHaveLength(1);

    new ClusterMonitoring(app, 'Config');
    const objects = synthRunbooks(cluster).objects.map((o) => o.manifest);
    const role = objects.find((o) => o.kind === 'Role' && o.metadata.namespace === 'openshift-adp');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['endpoints', 'pods', 'services'], verbs: ['get', 'list', 'watch'] }]);
    const binding = objects.find((o) => o.kind === 'RoleBinding' && o.metadata.namespace === 'openshift-adp');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'prometheus-k8s', namespace: 'openshift-monitoring' }]);
    expect(binding.roleRef.name).toBe(role.metadata.name);
  });

  test('a namespace taken out of user-workload monitoring is refused', () => {
    const { cluster, backup, app } = stack();
    new ApiObject(backup, 'Ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'openshift-adp', labels: { 'openshift.io/user-monitoring': 'false' } } });
    new BackupAlerts(app, 'Backups');
    expect(messages(() => synthRunbooks(cluster))).toContain('[Monitoring/Backups/Velero-openshift-adp] namespace: namespace "openshift-adp" carries openshift.io/user-monitoring: "false" and not openshift.io/cluster-monitoring: "true", so no Prometheus loads its rules; remove the first label or add the second');
  });
});

describe('BackupAlerts', () => {
  test('etcd: failed run newer than the last success, and no success for the cron gap + grace, from kube-state-metrics', () => {
    const { cluster, app } = stack();
    new BackupAlerts(app, 'Backups');
    const rules = rulesOf(synthRunbooks(cluster), 'etcd-backup', 'ocpkit-etcd-backup-alerts');
    expect(rules.map((r) => r.alert)).toEqual(['EtcdBackupFailed', 'EtcdBackupMissing', 'EtcdBackupMissing']);
    const [failed, stale, never] = rules;
    for (const metric of ['kube_job_failed{', 'kube_job_owner{', 'kube_job_status_start_time{', 'kube_cronjob_status_last_successful_time{']) expect(failed.expr).toContain(metric);
    expect(failed.expr).toContain('owner_kind="CronJob", owner_name="etcd-backup"');
    expect(failed.labels).toEqual({ cronjob: 'etcd-backup', severity: 'critical' });
    // daily at 01:00 -> 24 h between runs + 2 h grace = 26 h (93600 s)
    expect(stale.expr).toMatch(/ > 93600$/);
    expect(never.expr).toBe('absent(kube_cronjob_status_last_successful_time{job="kube-state-metrics", namespace="etcd-backup", cronjob="etcd-backup"})');
    expect(never.for).toBe('26h');
  });

  test('Velero: three alerts per Schedule of the stack, windows from each cron, metrics scraped from OADP\'s Service', () => {
    const { cluster, backup, app } = stack();
    new BackupAlerts(app, 'Backups', { grace: GoDuration.hours(4) });
    // defined after BackupAlerts, in a namespace it covers: still alerted on (rules are derived at synth time)
    veleroSchedule(backup, 'six-hourly', '0 */6 * * *');
    const result = synthRunbooks(cluster);
    const rules = rulesOf(result, 'openshift-adp', 'ocpkit-velero-backup-alerts');
    const bySchedule = (s: string) => rules.filter((r) => r.labels.schedule === s);
    expect(bySchedule('daily-tenants').map((r) => r.alert)).toEqual(['VeleroBackupFailed', 'VeleroBackupPartiallyFailed', 'VeleroBackupTooOld', 'VeleroBackupTooOld']);
    expect(bySchedule('daily-tenants')[0].expr).toBe('increase(velero_backup_failure_total{namespace="openshift-adp", schedule="daily-tenants"}[28h]) > 0 or increase(velero_backup_validation_failure_total{namespace="openshift-adp", schedule="daily-tenants"}[28h]) > 0');
    expect(bySchedule('weekly-archive')[2].expr).toBe(`time() - velero_backup_last_successful_timestamp{namespace="openshift-adp", schedule="weekly-archive"} > ${7 * 86400 + 4 * 3600}`);
    expect(bySchedule('weekly-archive')[3].for).toBe('172h');
    expect(bySchedule('six-hourly')[1].expr).toBe('increase(velero_backup_partial_failure_total{namespace="openshift-adp", schedule="six-hourly"}[10h]) > 0');
    const sm = result.objects.find((o) => o.manifest.kind === 'ServiceMonitor' && o.manifest.metadata.namespace === 'openshift-adp')!.manifest;
    expect(sm.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'velero', 'app.kubernetes.io/component': 'server' });
    expect(sm.spec.endpoints).toEqual([{ port: 'monitoring', scheme: 'http', interval: '60s' }]);
  });

  test('Velero alert texts: on an SSE-C location they send to oc get -o yaml and aws s3 cp --sse-c, not to the velero CLI downloads', () => {
    const { cluster, backup, app } = stack();
    new BackupStorage(backup, 'Ssec', storageProps({ name: 'ssec', encryption: BucketEncryption.customerKey('/credentials/customer-key') }));
    new ApiObject(backup, 'Schedule-enc', {
      apiVersion: 'velero.io/v1', kind: 'Schedule', metadata: { name: 'daily-enc', namespace: 'openshift-adp' }, spec: { schedule: '0 2 * * *', template: { includedNamespaces: ['forum'], storageLocation: 'ssec' } },
    });
    new BackupAlerts(app, 'Backups');
    const result = synthRunbooks(cluster);
    const rules = rulesOf(result, 'openshift-adp', 'ocpkit-velero-backup-alerts');
    const [failed, partial] = rules.filter((r) => r.labels.schedule === 'daily-enc');
    for (const r of [failed, partial]) {
      expect(r.annotations.description).toContain('oc -n openshift-adp get backup <backup> -o yaml');
      expect(r.annotations.description).toContain('aws s3 cp --endpoint-url https://minio.example.org:9000 --sse-c AES256 --sse-c-key fileb://<file of key customer-key of Secret cloud-credentials> s3://community-backups/velero/test/backups/<backup>/<backup>-logs.gz');
      expect(r.annotations.description).not.toContain('velero backup describe');
    }
    // a schedule whose location is not declared as SSE-C keeps the CLI hint
    const plain = rules.filter((r) => r.labels.schedule === 'daily-tenants');
    expect(plain[1].annotations.description).toContain('velero backup describe <backup> --details -n openshift-adp lists them');
    // the alert runbook pages tell the SSE-C way too
    const page = [...result.files.entries()].find(([f]) => f === 'test/_runbooks/alerts/VeleroBackupPartiallyFailed.md');
    expect(page?.[1]).toContain('--sse-c AES256 --sse-c-key fileb://<key file>');
  });

  test('a backup created after BackupAlerts in a namespace it does not cover is refused, not silently unmonitored', () => {
    const { cluster, backup, app } = stack();
    new BackupAlerts(app, 'Backups');
    veleroSchedule(backup, 'elsewhere', '0 4 * * *', 'velero');
    new EtcdBackup(backup, 'Etcd2', { name: 'etcd-backup-2' });
    const m = messages(() => synthRunbooks(cluster));
    expect(m).toContain('[Monitoring/Backups] EtcdBackup Backup/Etcd2 has no alerts: it was defined after BackupAlerts; create BackupAlerts after every backup of the stack');
    expect(m).toContain('[Monitoring/Backups] Velero Schedule velero/elsewhere has no alerts: its namespace appeared after BackupAlerts; create BackupAlerts after every backup of the stack');
  });

  test('grace outside 10m..24h is refused', () => {
    const { app } = stack();
    expect(messages(() => new BackupAlerts(app, 'Backups', { grace: GoDuration.minutes(5) }))).toEqual(['[Monitoring/Backups] grace: "5m" is not between 10m and 24h']);
  });
});

describe('CertificateAlerts and ArgoCdAlerts', () => {
  test('certificate expiry: warning and critical thresholds, scraped from the cert-manager Service', () => {
    const { cluster, app } = stack();
    new CertificateAlerts(app, 'Certs', { warnBefore: GoDuration.days(21) });
    const result = synthRunbooks(cluster);
    const rules = rulesOf(result, 'cert-manager', 'ocpkit-certificate-alerts');
    expect(rules.map((r) => [r.alert, r.labels.severity, r.expr])).toEqual([
      ['CertificateExpiresSoon', 'warning', `certmanager_certificate_expiration_timestamp_seconds{namespace="cert-manager"} - time() < ${21 * 86400}`],
      ['CertificateExpiresSoon', 'critical', `certmanager_certificate_expiration_timestamp_seconds{namespace="cert-manager"} - time() < ${3 * 86400}`],
      // the expiry alerts cannot fire unscraped: that is an alert of its own
      ['CertManagerMetricsMissing', 'warning', 'absent(certmanager_clock_time_seconds_gauge{namespace="cert-manager"})'],
    ]);
    expect(rules[0].annotations.summary).toContain('{{ $labels.exported_namespace }}/{{ $labels.name }}');
    const sm = result.objects.find((o) => o.manifest.kind === 'ServiceMonitor' && o.manifest.metadata.namespace === 'cert-manager')!.manifest;
    expect(sm.spec.endpoints[0].port).toBe('tcp-prometheus-servicemonitor');
    expect(messages(() => new CertificateAlerts(app, 'Bad', { warnBefore: GoDuration.days(3), criticalBefore: GoDuration.days(7) })))
      .toEqual(['[Monitoring/Bad] criticalBefore: 168h must be shorter than warnBefore (72h)']);
  });

  test('Argo CD: Degraded for the Applications of the stack, including apps defined later; no OutOfSync alert (GitOps ships it)', () => {
    const { cluster, app } = stack();
    new ArgoCdAlerts(app, 'Argo');
    new GitOpsApp(cluster, 'Late', { name: 'late-app' });
    const rules = rulesOf(synthRunbooks(cluster), 'openshift-gitops', 'ocpkit-argocd-alerts');
    expect(rules.map((r) => r.alert)).toEqual(['ArgoCdApplicationDegraded']);
    expect(rules[0].expr).toBe('argocd_app_info{namespace="openshift-gitops", health_status="Degraded", name=~"backup|late-app|monitoring|test-root"} == 1');
    expect(rules[0].for).toBe('15m');
  });
});

describe('runbooks and rule hygiene', () => {
  function fullStack() {
    const { cluster, app } = stack();
    const operators = new GitOpsApp(cluster, 'Operators', { name: 'operators', syncWave: SyncWave.OPERATORS });
    new OperatorInstall(operators, 'Nmstate', {
      packageName: 'kubernetes-nmstate-operator', namespace: 'openshift-nmstate', channel: 'stable', startingCsv: 'kubernetes-nmstate-operator.4.14.0-202410231636', catalogWaiver: { reason: 'unit test of the alerts' },
    });
    new InstallPlanApprover(new GitOpsApp(cluster, 'Pins', { name: 'operator-pins', syncWave: SyncWave.OPERATOR_PINS }), 'Approver');
    new BackupAlerts(app, 'Backups');
    new CertificateAlerts(app, 'Certs');
    new ArgoCdAlerts(app, 'Argo');
    return cluster;
  }

  test('every runbook_url of the stack is a generated page in dist/<env>/_runbooks/alerts/, the drift alert included', () => {
    const result = synthRunbooks(fullStack());
    const urls = new Map<string, string>();
    for (const o of result.objects.filter((x) => x.manifest.kind === 'PrometheusRule')) {
      for (const r of o.manifest.spec.groups.flatMap((g: any) => g.rules)) {
        if (r.annotations?.runbook_url) urls.set(r.alert, r.annotations.runbook_url);
      }
    }
    expect([...urls.keys()].sort()).toEqual([
      'ArgoCdApplicationDegraded', 'CertManagerMetricsMissing', 'CertificateExpiresSoon', 'EtcdBackupFailed', 'EtcdBackupMissing', 'OperatorNotAtPinnedVersion',
      'VeleroBackupFailed', 'VeleroBackupPartiallyFailed', 'VeleroBackupTooOld',
    ]);
    const pages = [...result.files.keys()].filter((f) => f.startsWith('test/_runbooks/alerts/')).sort();
    expect(pages).toEqual([...urls.keys()].sort().map((a) => `test/_runbooks/alerts/${a}.md`));
    for (const [alert, url] of urls) expect(url).toBe(`https://git.example.org/infra/-/blob/main/dist/test/_runbooks/alerts/${alert}.md`);
    // a page is derived from the stack: it names the rule's objects and expressions
    const velero = result.files.get('test/_runbooks/alerts/VeleroBackupTooOld.md')!;
    expect(velero).toMatch(/^# VeleroBackupTooOld\n/);
    expect(velero).toContain('PrometheusRule `openshift-adp/ocpkit-velero-backup-alerts` (`dist/test/monitoring/prometheusrule.openshift-adp.ocpkit-velero-backup-alerts.yaml`), labels reason=last-success-too-old, schedule=weekly-archive, firing at once');
    expect(velero).toContain('## Diagnose');
    const drift = result.files.get('test/_runbooks/alerts/OperatorNotAtPinnedVersion.md')!;
    expect(drift).toContain('kubernetes-nmstate-operator.4.14.0-202410231636');
    expect(drift).toContain('versions.yaml');
  });

  test('promtool accepts every rule of the stack (syntax and lint)', () => {
    const result = synthRunbooks(fullStack());
    const groups = result.objects.filter((o) => o.manifest.kind === 'PrometheusRule')
      .flatMap((o) => o.manifest.spec.groups.map((g: any) => ({ ...g, name: `${o.manifest.metadata.namespace}/${g.name}` })));
    expect(groups.length).toBeGreaterThanOrEqual(5);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-rules-'));
    try {
      const file = path.join(dir, 'rules.yaml');
      fs.writeFileSync(file, yaml.dump({ groups }, { lineWidth: -1 }));
      const out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out).toContain('SUCCESS');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a rule set refuses an implausible expression, a rule without runbook, and a wrong runbook_url elsewhere', () => {
    const { cluster, app } = stack();
    new AlertRuleSet(app, 'Broken', {
      name: 'broken', namespace: 'etcd-backup', group: 'x', ownMetricsOnly: false, runbooks: {},
      rules: () => [{ alert: 'SomethingBroke', expr: 'sum(rate(up[5m])', severity: 'warning', summary: 's', description: 'd', metrics: ['up'] }],
    });
    new ApiObject(app, 'Foreign', {
      apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'foreign', namespace: 'etcd-backup' },
      spec: { groups: [{ name: 'g', rules: [{ alert: 'Foreign', expr: 'up == 0', labels: { severity: 'page' }, annotations: { summary: 's', runbook_url: 'https://wiki.example.org/foreign' } }] }] },
    });
    const m = messages(() => synthRunbooks(cluster));
    expect(m).toContain('[Monitoring/Broken] rules: alert "SomethingBroke" has no runbook; give it one in runbooks');
    expect(m).toContain('[Monitoring/Broken] rules: the expression of SomethingBroke is missing ")" at the end: sum(rate(up[5m])');
    expect(m).toContain('[Monitoring/Foreign] spec.groups[0].rules[0].labels.severity: alert Foreign: "page" is not one of critical, warning, info');
    expect(m).toContain('[Monitoring/Foreign] spec.groups[0].rules[0].annotations.description: alert Foreign: is missing; every alert says what happened and what to do first');
    expect(m).toContain('[Monitoring/Foreign] spec.groups[0].rules[0].annotations.runbook_url: alert Foreign: "https://wiki.example.org/foreign" is not the alert\'s runbook page https://git.example.org/infra/-/blob/main/dist/test/_runbooks/alerts/Foreign.md');
  });

  test('runbook addresses follow the forge of the repository URL', () => {
    expect(repositoryFileUrl('https://github.com/org/cluster.git', 'main', 'dist/prod/_runbooks/alerts/A.md')).toBe('https://github.com/org/cluster/blob/main/dist/prod/_runbooks/alerts/A.md');
    expect(repositoryFileUrl('git@gitlab.example.org:infra/cluster.git', 'release/1', 'dist/a.md')).toBe('https://gitlab.example.org/infra/cluster/-/blob/release%2F1/dist/a.md');
    expect(repositoryFileUrl('ssh://git@gitlab.example.org/infra/cluster.git', 'main', 'dist/a.md')).toBe('https://gitlab.example.org/infra/cluster/-/blob/main/dist/a.md');
  });
});
