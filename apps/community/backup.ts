import { Cluster, External, ExternalImage, GitOpsApp, Quantity, SecretKey, SyncWave, Tenant } from '../../lib';
import {
  BackupExemption, BackupSchedule, BackupStorage, BucketEncryption, Cron, DataProtection, Duration, EtcdBackup, EtcdBackupTarget,
  OADP_NAMESPACE, TenantRestore, VeleroPlugin,
} from '../../lib';
import { OperatorInstall } from '../../lib';
import { Environment } from './environment';

/** The S3 caching gateway (MinIO) in front of the off-site bucket, which saves egress. */
const S3_ENDPOINT = 'https://s3-cache.int.community.example.org';
/** Platform namespaces that hold state, backed up with the tenants when their part of the stack is present. */
const PLATFORM_NAMESPACES = ['gitlab-system', 'infra-vms'];
/** Platform namespaces whose state needs no Velero backup, and why. */
const NOT_BACKED_UP: Readonly<Record<string, string>> = {};
/** Tenant whose restore is drilled (a database-backed service with volumes). */
const DRILL_TENANT = 'discourse';

/** What the backup part of the stack exposes. */
export interface CommunityBackups {
  readonly app: GitOpsApp;
  readonly storage: BackupStorage;
  readonly daily: BackupSchedule;
}

/**
 * Backups of the community cluster, in the platform app `backup` (dist/<env>/backup/):
 *
 * - OADP from OperatorHub, and its DataProtectionApplication: Velero with the OpenShift, AWS,
 *   CSI and KubeVirt plugins and the kopia node agent;
 * - one encrypted (SSE-S3) location: the off-site bucket behind the MinIO caching gateway, one
 *   prefix per environment; the credentials Secret `cloud-credentials` is created out of band;
 * - `daily-tenants`: every tenant (derived at synth time, so a new tenant is backed up without
 *   touching this file) plus the GitLab and infrastructure VM namespaces, at 02:00 UTC, kept 30
 *   days, volume data moved into the bucket from CSI snapshots;
 * - the daily etcd snapshot at 01:00 UTC onto a CephFS volume, kept 7 days, copied to the bucket.
 *
 * Restore drill: `dist/<env>/_restore-drills/` holds a Restore of the `discourse` tenant from
 * the latest daily backup into `discourse-restore-drill`. No Argo CD Application syncs that
 * folder; the procedure is on {@link TenantRestore}. Run it once a quarter in staging and after
 * every OADP upgrade; to restore a specific backup, set `backupName` (`oc -n openshift-adp get
 * backups` lists them, named `daily-tenants-<yyyyMMddHHmmss>`).
 */
export function addBackups(cluster: Cluster, env: Environment): CommunityBackups {
  const app = new GitOpsApp(cluster, 'Backup', { name: 'backup', syncWave: SyncWave.CONFIG });
  new OperatorInstall(app, 'Oadp', {
    packageName: 'redhat-oadp-operator',
    namespace: OADP_NAMESPACE,
    channel: env.versions.get('operators.oadp.channel'),
    startingCsv: env.versions.get('operators.oadp.csv'),
    namespaceLabels: { 'openshift.io/cluster-monitoring': 'true' },
  });

  const storage = new BackupStorage(app, 'Storage', {
    name: 'default',
    bucket: 'community-cluster-backups',
    prefix: `velero/${env.name}`,
    region: 'us-east-1',
    endpoint: S3_ENDPOINT,
    credentials: SecretKey.of('cloud-credentials', 'cloud'),
    encryption: BucketEncryption.s3Managed(),
  });
  External.secret(app, 'cloud-credentials', {
    namespace: OADP_NAMESPACE,
    keys: ['cloud'],
    providedBy: 'sealed-secret',
    note: 'AWS credentials file ([default] aws_access_key_id / aws_secret_access_key) of the backup bucket community-cluster-backups, read by Velero',
  });
  new DataProtection(app, 'Velero', {
    locations: [storage],
    plugins: [VeleroPlugin.OPENSHIFT, VeleroPlugin.AWS, VeleroPlugin.CSI, VeleroPlugin.KUBEVIRT],
  });

  const present = definedNamespaces(cluster);
  for (const [ns, reason] of Object.entries(NOT_BACKED_UP)) {
    if (present.has(ns)) BackupExemption.exemptNamespace(app, ns, reason);
  }
  const daily = BackupSchedule.everyTenant(app, 'DailyTenants', {
    name: 'daily-tenants',
    schedule: Cron.daily({ hour: 2 }),
    ttl: Duration.days(30),
    storage,
    namespaces: PLATFORM_NAMESPACES.filter((ns) => present.has(ns)),
  });

  new EtcdBackup(app, 'Etcd', {
    image: ExternalImage.parse(env.versions.get('images.etcd-backup')),
    schedule: Cron.daily({ hour: 1 }),
    retentionDays: 7,
    target: EtcdBackupTarget.newVolume(Quantity.gibibytes(20), 'ocs-storagecluster-cephfs'),
    copyTo: {
      storage,
      credentials: SecretKey.of('etcd-backup-s3', 'cloud'),
      image: ExternalImage.parse(env.versions.get('images.aws-cli')),
      prefix: `etcd/${env.name}`,
    },
  });

  External.secret(app, 'etcd-backup-s3', {
    namespace: 'etcd-backup',
    keys: ['cloud'],
    providedBy: 'sealed-secret',
    note: `AWS credentials file of a key that may write etcd/${env.name}/ in community-cluster-backups (the etcd snapshot copy job)`,
  });

  const drillTenant = cluster.node.tryFindChild(DRILL_TENANT);
  if (drillTenant instanceof Tenant) {
    new TenantRestore(app, 'RestoreDrill', { tenant: drillTenant, schedule: daily });
  }
  return { app, storage, daily };
}

/** Namespaces the stack defines so far: tenants and other GitOpsApps' namespaces. */
function definedNamespaces(cluster: Cluster): Set<string> {
  const out = new Set<string>();
  for (const c of cluster.node.findAll()) {
    if (c instanceof GitOpsApp && c.namespace) out.add(c.namespace);
    if ((c as any).kind === 'Namespace' && (c as any).apiVersion === 'v1' && (c as any).metadata?.name) out.add((c as any).metadata.name);
  }
  return out;
}
