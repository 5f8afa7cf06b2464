import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import * as yaml from 'js-yaml';
import { CronSchedule } from '../../lib/backup/cron';
import { EtcdBackup } from '../../lib/backup/etcd-backup';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { ArgoCdAlerts, BackupAlerts, CertificateAlerts, ClusterMonitoring } from '../../lib/monitoring';
import { synth, testCluster } from '../_helpers';

/**
 * The generated backup rules evaluated by Prometheus' own rule engine (`promtool test rules`)
 * against series shaped like kube-state-metrics 2.9.2 and Velero 1.14 export them: each alert
 * fires exactly in the situations it is meant for.
 */
function generatedRules(): any[] {
  const cluster = testCluster();
  const backup = new GitOpsApp(cluster, 'Backup', { name: 'backup' });
  new EtcdBackup(backup, 'Etcd', { schedule: CronSchedule.daily({ hour: 1 }) });
  new ApiObject(backup, 'Schedule', { apiVersion: 'velero.io/v1', kind: 'Schedule', metadata: { name: 'daily', namespace: 'openshift-adp' }, spec: { schedule: '0 2 * * *', template: {} } });
  const app = new GitOpsApp(cluster, 'Monitoring', { name: 'monitoring' });
  new ClusterMonitoring(app, 'Config');
  new BackupAlerts(app, 'Backups');
  new CertificateAlerts(app, 'Certs');
  new ArgoCdAlerts(app, 'Argo');
  return synth(cluster).objects.filter((o) => o.manifest.kind === 'PrometheusRule').flatMap((o) => o.manifest.spec.groups);
}

const KSM = 'job="kube-state-metrics", namespace="etcd-backup"';

function run(groups: any[], tests: any[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-promtool-'));
  try {
    fs.writeFileSync(path.join(dir, 'rules.yaml'), yaml.dump({ groups }, { lineWidth: -1 }));
    fs.writeFileSync(path.join(dir, 'test.yaml'), yaml.dump({ rule_files: ['rules.yaml'], evaluation_interval: '5m', tests }, { lineWidth: -1 }));
    return execFileSync('promtool', ['test', 'rules', 'test.yaml'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Annotations as Prometheus renders them for an alert with these labels. */
function rendered(annotations: Record<string, string>, labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, v.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, l) => labels[l] ?? '')]));
}

describe('backup alerts under promtool test rules', () => {
  const groups = generatedRules();
  const rule = (alert: string, reason?: string) => groups.flatMap((g) => g.rules).find((r: any) => r.alert === alert && (reason === undefined || r.labels.reason === reason));
  const expect1 = (alert: string, labels: Record<string, string>, reason?: string) => ({ exp_labels: { ...rule(alert, reason).labels, ...labels }, exp_annotations: rule(alert, reason).annotations });

  test('EtcdBackupFailed: a failed run newer than the last success fires; an older one does not', () => {
    const failedRun = (job: string, start: number) => [
      { series: `kube_job_status_start_time{${KSM}, job_name="${job}"}`, values: `${start}x30` },
      { series: `kube_job_failed{${KSM}, job_name="${job}", condition="true"}`, values: '1x30' },
      { series: `kube_job_failed{${KSM}, job_name="${job}", condition="false"}`, values: '0x30' },
      { series: `kube_job_owner{${KSM}, job_name="${job}", owner_kind="CronJob", owner_name="etcd-backup", owner_is_controller="true"}`, values: '1x30' },
    ];
    const out = run(groups, [
      { // failed at 1000, last success at 500: fires
        interval: '1m',
        input_series: [...failedRun('etcd-backup-1', 1000), { series: `kube_cronjob_status_last_successful_time{${KSM}, cronjob="etcd-backup"}`, values: '500x30' }],
        alert_rule_test: [{ eval_time: '10m', alertname: 'EtcdBackupFailed', exp_alerts: [expect1('EtcdBackupFailed', { namespace: 'etcd-backup' })] }],
      },
      { // failed at 1000, never succeeded: fires
        interval: '1m',
        input_series: failedRun('etcd-backup-1', 1000),
        alert_rule_test: [{ eval_time: '10m', alertname: 'EtcdBackupFailed', exp_alerts: [expect1('EtcdBackupFailed', { namespace: 'etcd-backup' })] }],
      },
      { // failed at 1000, succeeded at 2000 since: quiet; another CronJob's failure: quiet
        interval: '1m',
        input_series: [
          ...failedRun('etcd-backup-1', 1000),
          { series: `kube_cronjob_status_last_successful_time{${KSM}, cronjob="etcd-backup"}`, values: '2000x30' },
          { series: `kube_job_status_start_time{${KSM}, job_name="other-1"}`, values: '3000x30' },
          { series: `kube_job_failed{${KSM}, job_name="other-1", condition="true"}`, values: '1x30' },
          { series: `kube_job_owner{${KSM}, job_name="other-1", owner_kind="CronJob", owner_name="other", owner_is_controller="true"}`, values: '1x30' },
        ],
        alert_rule_test: [{ eval_time: '10m', alertname: 'EtcdBackupFailed', exp_alerts: [] }],
      },
    ]);
    expect(out).toContain('SUCCESS');
  });

  test('EtcdBackupMissing: 26 h after the last success (daily schedule), or 26 h without any', () => {
    const out = run(groups, [
      {
        interval: '10m',
        input_series: [{ series: `kube_cronjob_status_last_successful_time{${KSM}, cronjob="etcd-backup"}`, values: '0x200' }],
        alert_rule_test: [
          { eval_time: '25h', alertname: 'EtcdBackupMissing', exp_alerts: [] },
          { eval_time: '27h', alertname: 'EtcdBackupMissing', exp_alerts: [expect1('EtcdBackupMissing', { namespace: 'etcd-backup' }, 'last-success-too-old')] },
        ],
      },
      {
        interval: '10m',
        input_series: [{ series: `kube_cronjob_info{${KSM}, cronjob="etcd-backup"}`, values: '1x200' }],
        alert_rule_test: [
          { eval_time: '25h', alertname: 'EtcdBackupMissing', exp_alerts: [] },
          // absent() keeps the matchers' labels
          { eval_time: '27h', alertname: 'EtcdBackupMissing', exp_alerts: [expect1('EtcdBackupMissing', { job: 'kube-state-metrics', namespace: 'etcd-backup' }, 'no-success-on-record')] },
        ],
      },
    ]);
    expect(out).toContain('SUCCESS');
  });

  test('Velero: a failure or partial failure counted within the window fires; a stale last success fires', () => {
    const v = 'namespace="openshift-adp", schedule="daily"';
    const out = run(groups, [
      {
        interval: '10m',
        input_series: [
          { series: `velero_backup_failure_total{${v}}`, values: '0 0 0 1 1 1 1 1 1 1' },
          { series: `velero_backup_validation_failure_total{${v}}`, values: '0x10' },
          { series: `velero_backup_partial_failure_total{${v}}`, values: '0x10' },
          { series: `velero_backup_last_successful_timestamp{${v}}`, values: '0x10' },
        ],
        alert_rule_test: [
          { eval_time: '20m', alertname: 'VeleroBackupFailed', exp_alerts: [] },
          { eval_time: '40m', alertname: 'VeleroBackupFailed', exp_alerts: [expect1('VeleroBackupFailed', { namespace: 'openshift-adp', schedule: 'daily' })] },
          { eval_time: '40m', alertname: 'VeleroBackupPartiallyFailed', exp_alerts: [] },
        ],
      },
      {
        interval: '10m',
        input_series: [
          { series: `velero_backup_partial_failure_total{${v}}`, values: '0 0 1 1 1 1' },
          { series: `velero_backup_last_successful_timestamp{${v}}`, values: '0x200' },
        ],
        alert_rule_test: [
          { eval_time: '30m', alertname: 'VeleroBackupPartiallyFailed', exp_alerts: [expect1('VeleroBackupPartiallyFailed', { namespace: 'openshift-adp', schedule: 'daily' })] },
          { eval_time: '25h', alertname: 'VeleroBackupTooOld', exp_alerts: [] },
          { eval_time: '27h', alertname: 'VeleroBackupTooOld', exp_alerts: [expect1('VeleroBackupTooOld', { namespace: 'openshift-adp', schedule: 'daily' }, 'last-success-too-old')] },
        ],
      },
    ]);
    expect(out).toContain('SUCCESS');
  });

  test('certificates: warning inside 14 days, critical inside 3; Argo CD: Degraded for 15 minutes, only apps of the stack', () => {
    const cert = (name: string, expiresAt: number) => ({
      series: `certmanager_certificate_expiration_timestamp_seconds{namespace="cert-manager", exported_namespace="forum", name="${name}", issuer_kind="Issuer", issuer_name="acme", issuer_group="cert-manager.io"}`,
      values: `${expiresAt}x12`,
    });
    const certAlert = (name: string, severity: string) => {
      const r = groups.flatMap((g) => g.rules).find((x: any) => x.alert === 'CertificateExpiresSoon' && x.labels.severity === severity);
      const labels = { namespace: 'cert-manager', exported_namespace: 'forum', name, issuer_kind: 'Issuer', issuer_name: 'acme', issuer_group: 'cert-manager.io', severity };
      return { exp_labels: labels, exp_annotations: rendered(r.annotations, labels) };
    };
    const app = (name: string, health: string) => ({
      series: `argocd_app_info{namespace="openshift-gitops", exported_namespace="openshift-gitops", name="${name}", project="platform", health_status="${health}", sync_status="Synced"}`,
      values: '1x12',
    });
    const argo = groups.flatMap((g) => g.rules).find((x: any) => x.alert === 'ArgoCdApplicationDegraded');
    const appLabels = { namespace: 'openshift-gitops', exported_namespace: 'openshift-gitops', name: 'backup', project: 'platform', health_status: 'Degraded', sync_status: 'Synced', severity: 'warning' };
    const out = run(groups, [{
      interval: '10m',
      input_series: [
        cert('fine', 60 * 86400), cert('late', 10 * 86400), cert('urgent', 2 * 86400),
        { series: 'certmanager_clock_time_seconds_gauge{namespace="cert-manager"}', values: '0x12' },
        app('backup', 'Degraded'), app('monitoring', 'Healthy'), app('not-ours', 'Degraded'),
      ],
      alert_rule_test: [
        { eval_time: '90m', alertname: 'CertificateExpiresSoon', exp_alerts: [certAlert('late', 'warning'), certAlert('urgent', 'warning'), certAlert('urgent', 'critical')] },
        { eval_time: '90m', alertname: 'CertManagerMetricsMissing', exp_alerts: [] },
        { eval_time: '10m', alertname: 'ArgoCdApplicationDegraded', exp_alerts: [] },
        { eval_time: '30m', alertname: 'ArgoCdApplicationDegraded', exp_alerts: [{ exp_labels: appLabels, exp_annotations: rendered(argo.annotations, appLabels) }] },
      ],
    }]);
    expect(out).toContain('SUCCESS');
  });
});
