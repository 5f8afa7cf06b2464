import { ArgoCdAlerts, BackupAlerts, CertificateAlerts, Cluster, ClusterMonitoring, GoDuration, GitOpsApp, SyncWave } from '../../lib';
import { Environment } from './environment';

/**
 * Monitoring as code, in the platform app `monitoring` (dist/<env>/monitoring/), so that both
 * backup paths, certificates, Argo CD and the operator pins shout when they fail (issue 16;
 * field review M6):
 *
 * - `cluster-monitoring-config` with monitoring for user-defined projects on (the etcd backup and
 *   cert-manager namespaces are not platform namespaces) and the platform Prometheus kept 15 days
 *   (its default, written down: the ConfigMap carries only what is declared here);
 * - backup alerts for the etcd snapshot job and every Velero schedule, thresholds from each cron
 *   (daily: 26 h);
 * - certificate expiry (14 days: warning, 3 days: critical) for the cert-manager Certificates;
 * - an Argo CD Application of the stack Degraded for 15 minutes.
 * The drift alert of the operator pins comes with the InstallPlanApprover (./main.ts).
 *
 * Every alert has a runbook page in dist/<env>/_runbooks/alerts/ (not synced), linked from its
 * `runbook_url` on the revision the environment's Argo CD tracks. Call it last: the backup alerts
 * cover the backups defined before them (synthesis refuses one defined after).
 */
export function addMonitoring(cluster: Cluster, env: Environment): GitOpsApp {
  void env;
  // after the apps whose namespaces it adds ServiceMonitors and rules to (backup: CONFIG)
  const app = new GitOpsApp(cluster, 'Monitoring', { name: 'monitoring', syncWave: SyncWave.WORKLOADS });
  new ClusterMonitoring(app, 'ClusterMonitoring', { userWorkload: true, platformRetention: GoDuration.days(15) });
  new BackupAlerts(app, 'BackupAlerts', { grace: GoDuration.hours(2) });
  new CertificateAlerts(app, 'CertificateAlerts');
  new ArgoCdAlerts(app, 'ArgoCdAlerts');
  return app;
}
