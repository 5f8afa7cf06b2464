import { Cluster, External, ExternalImage, GitOpsApp, Quantity, SecretKey, SyncWave } from '../../lib';
import {
  BackupExemption, BackupScheduleSet, BackupStorage, BucketEncryption, Cron, DataProtection, Duration, EtcdBackup, EtcdBackupTarget,
  OADP_NAMESPACE, VeleroPlugin, VeleroSnapshotClass,
} from '../../lib';
import { OperatorInstall } from '../../lib';
import { Environment } from './environment';

/** The S3 caching gateway (MinIO) in front of the off-site bucket, which saves egress. */
const S3_ENDPOINT = 'https://s3-cache.int.community.example.org';
/** Platform namespaces that hold state, backed up with the tenants when their part of the stack is present. */
const PLATFORM_NAMESPACES = ['gitlab-system', 'infra-vms'];
/** Platform namespaces whose state needs no Velero backup, and why. */
const NOT_BACKED_UP: Readonly<Record<string, string>> = {};

/** What the backup part of the stack exposes. */
export interface CommunityBackups {
  readonly app: GitOpsApp;
  readonly storage: BackupStorage;
  /** One Velero Schedule per tenant and platform namespace (`daily-<namespace>`). */
  readonly daily: BackupScheduleSet;
}

/**
 * Backups of the community cluster, in the platform app `backup` (dist/<env>/backup/):
 *
 * - OADP from OperatorHub, and its DataProtectionApplication: Velero with the OpenShift, AWS,
 *   CSI and KubeVirt plugins and the kopia node agent;
 * - one encrypted (SSE-S3) location: the off-site bucket behind the MinIO caching gateway, one
 *   prefix per environment; the credentials Secret `cloud-credentials` is created out of band;
 * - `daily-<namespace>`: one Velero Schedule per tenant (every tenant of tenants.yaml, so a new
 *   tenant is backed up without touching this file) and per GitLab and infrastructure VM
 *   namespace, so one namespace's failure fails only its own backup; starting between 02:00 and
 *   02:59 UTC (a fixed minute per namespace), kept 30 days, volume data moved into the bucket from
 *   CSI snapshots taken with the ODF classes declared below;
 * - the daily etcd snapshot at 01:00 UTC onto a CephFS volume, kept 7 days, copied to the bucket.
 *
 * Restore drills and the disaster-recovery runbooks are in drills.ts.
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
  // The VolumeSnapshotClasses ODF creates for its RBD and CephFS drivers, which Velero's CSI
  // snapshots and data mover use once labelled (openshift/oadp-operator@oadp-1.4
  // blogs/oadp-odf/oadp-blog.md names both classes and drivers).
  VeleroSnapshotClass.external(app, 'ocs-storagecluster-rbdplugin-snapclass', {
    driver: 'openshift-storage.rbd.csi.ceph.com',
    storageClasses: ['ocs-storagecluster-ceph-rbd', 'ocs-storagecluster-ceph-rbd-virtualization'],
    servesDefaultStorageClass: true,
    providedBy: 'pre-existing',
    note: 'created by OpenShift Data Foundation; label it velero.io/csi-volumesnapshot-class=true (oc label volumesnapshotclass ocs-storagecluster-rbdplugin-snapclass velero.io/csi-volumesnapshot-class=true); the default StorageClass of the cluster is ocs-storagecluster-ceph-rbd',
  });
  VeleroSnapshotClass.external(app, 'ocs-storagecluster-cephfsplugin-snapclass', {
    driver: 'openshift-storage.cephfs.csi.ceph.com',
    storageClasses: ['ocs-storagecluster-cephfs'],
    providedBy: 'pre-existing',
    note: 'created by OpenShift Data Foundation; label it velero.io/csi-volumesnapshot-class=true (oc label volumesnapshotclass ocs-storagecluster-cephfsplugin-snapclass velero.io/csi-volumesnapshot-class=true)',
  });
  const daily = BackupScheduleSet.everyTenant(app, 'Daily', {
    name: 'daily',
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
