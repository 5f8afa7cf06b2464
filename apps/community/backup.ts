import { Cluster, External, ExternalImage, GitOpsApp, SecretKey, SyncWave, Tenant } from '../../lib';
import {
  BackupExemption, BackupScheduleSet, BackupStorage, BucketEncryption, CronSchedule, DataProtection, GoDuration, EtcdBackup, EtcdBackupTarget,
  OADP_NAMESPACE, VeleroPlugin, VeleroSnapshotClass,
} from '../../lib';
import { EtcdSnapshotRecipient, MinioKms, ObjectStore, VELERO_REPOSITORY_PASSWORD } from '../../lib';
import { OperatorInstall } from '../../lib';
import { Environment } from './environment';

/** The S3 caching gateway (MinIO) in front of the off-site bucket, which saves egress. */
const S3_ENDPOINT = 'https://s3-cache.int.community.example.org';
/**
 * What answers at S3_ENDPOINT. MinIO's gateway mode is gone upstream, so the "caching gateway" is
 * a MinIO server; whether it runs with KES is not known here (field review M5, open question),
 * so the stack assumes it does not: MinIO then refuses SSE-S3 and SSE-KMS, and SSE-C (the key
 * travels with each request over TLS; no KMS involved) is the server-side encryption that works.
 * Declare MinioKms.KES once KES is verified, and SSE-S3 or SSE-KMS become possible.
 */
const S3_STORE = ObjectStore.minio({ kms: MinioKms.NONE });
/**
 * Public certificates the etcd snapshots of each environment are encrypted to (RSA 4096). These
 * are examples: their private keys were destroyed when they were made. Replace them with the
 * certificates of your own offline keys (README, "Restoring an etcd snapshot").
 */
const ETCD_RECIPIENTS: Readonly<Record<string, string>> = {
  staging: `-----BEGIN CERTIFICATE-----
MIIFeTCCA2GgAwIBAgIULI0fBi6TU0iPI8U2X839Qf6vPSAwDQYJKoZIhvcNAQEL
BQAwTDEsMCoGA1UECgwjR05PTUUtbGlrZSBjb21tdW5pdHkgaW5mcmFzdHJ1Y3R1
cmUxHDAaBgNVBAMME2V0Y2QtYmFja3VwLXN0YWdpbmcwHhcNMjYxMjAyMTIyNzM1
WhcNMzYxMTI5MTIyNzM1WjBMMSwwKgYDVQQKDCNHTk9NRS1saWtlIGNvbW11bml0
eSBpbmZyYXN0cnVjdHVyZTEcMBoGA1UEAwwTZXRjZC1iYWNrdXAtc3RhZ2luZzCC
AiIwDQYJKoZIhvcNAQEBBQADggIPADCCAgoCggIBAMAbO0riVJizWHw1pOkX47Vm
4efDvsZ3omrurmwMYouTJRyi6cbeGwidqJBeuviJqgoRAwXY3xv8TEIRn5oG3HJr
MrouPHgp1vHO+2dF8hjZS8dKb+cxKEcHqmwFsy/jwLRDGxx7VIkpuU6mA27xwLdy
qjIkHVTfeB3MU13siujmirfQ4fJPyOqVbaRof+ITWM3moC3myaxLvcaOSqL6b1Gk
isM88JCUSdWB9fW8CvAfx0yjHcDukPgUchyZ3+e6cR889iZgY75U4m5OyhfUlopR
w4CobDsEbO+aSGaLdsc3SlRx5w8weSQyn1vRt34wfcvUFrF6OczUVDCuNEw6SiG3
rYBlSvdxJWb89Da/9W997stWJ9fAwy30Ecowjl5ankJVWMMGQhl4q8lssm57qTlu
Ls7t0DC8XnLfY9SUorNsW0UNqFMxJ6AWmPV0+Dn3znAMHxFWK4mOlQiQG8OJbj1P
cHi1ZEsoh9StwN5qE0/tOdD0+5SeFiLgP5M+sfixfdOjvXSJnklOVR2whGdzyJdp
Ljff90lyd3FVnI33PAzKFIlVwSFZh3sIErTkoVb4zN7nqV0rrLomg98yuYZKozWP
YTFAAMTyy7aeAGftlyfnxhYKlRq4SloFXIENxROj6UaYK9a5Pg3x/KLzQgI8gkiL
pzSp5GooptC/i8kBs3lTAgMBAAGjUzBRMB0GA1UdDgQWBBRVOE43sCMG/TYY6NE7
bY6S/uavBTAfBgNVHSMEGDAWgBRVOE43sCMG/TYY6NE7bY6S/uavBTAPBgNVHRMB
Af8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4ICAQBoI+QkmEEdBJFiGj6qRwBaBT2L
Nk7hViyCfSyd/aQnkyTukRc5rN+utTtVln9BSl8qlpBgzTMTd1jo/hzN5354VfMZ
xaXX3ac5lef1R0WJhjeSy0YwqRnmbFHVzkutWocneOdFcgoT/zlxQULXw9uc8NTI
9F7du6HKJUm1jJ4UodPZAXJqNcKFvIHpN5GCDuXZrziqHSsWSLMTkXuGHPyuY2OI
4R2kWg+pFr6zQmGC4BRPANjTqJefvtyzrdVFKlPDttT08LqPERR13noUvSouEJFc
7/pa5ZmEbydaYxDmqHlDM7B3dDkACZDi3DSyaAqTQ+OZwCUCCvPL9tUJtRu2v2GF
ctF2LJd0qE8sdGlXG1qEAD4bkq4KHL/aeS1MRbo6hUFdOcriSnZTKEbPTg4Ah/XU
lmkuP/Qa8VLb9fX0Il3Y6As23TCnIFUOj1t26d/lvLIxY5lt8bhGl/J3Ypu3jqQZ
ztIdfhqNITaaq9ANLRF3UbLgXXiq4vbWwcfLs4JtcXiktpXzyxTEnjQiaq5uQJhX
7IiT1lZ+8Zbf+oQfzcjfGzmEbvBPreLaJyDKOuD3/qr25Q+yLbKF/DqiorUxcdzW
n1CNGahRRODdle+5h5OrBgaVIGw3yVvK2GUiTPWxK/wGvT4hml492vR+lrDykG1G
7zrpIGQ7eF4REqbh3g==
-----END CERTIFICATE-----`,
  production: `-----BEGIN CERTIFICATE-----
MIIFfzCCA2egAwIBAgIUb3yQMs2m3jeEHYleik2o/9acjuYwDQYJKoZIhvcNAQEL
BQAwTzEsMCoGA1UECgwjR05PTUUtbGlrZSBjb21tdW5pdHkgaW5mcmFzdHJ1Y3R1
cmUxHzAdBgNVBAMMFmV0Y2QtYmFja3VwLXByb2R1Y3Rpb24wHhcNMjYxMjAyMTIy
NzQ5WhcNMzYxMTI5MTIyNzQ5WjBPMSwwKgYDVQQKDCNHTk9NRS1saWtlIGNvbW11
bml0eSBpbmZyYXN0cnVjdHVyZTEfMB0GA1UEAwwWZXRjZC1iYWNrdXAtcHJvZHVj
dGlvbjCCAiIwDQYJKoZIhvcNAQEBBQADggIPADCCAgoCggIBAKJEB8JQJSq2eLCH
upjk5Arx5ZXle7sJl7Al8ujwIyJ/+x+saseik2kGlHGtLPa7AxE7SKQzDclTtWOM
h9dbz6vUR0XhGXD8AzA4t51DFuPisrmGxh7go6ec0Pm7HoKK22ZDKOS53fAeME+L
W6fmERRrIwQb6J5ivq5ztENmJZEx5hhhUIj5MO/NE4n9k1DDDhxhW6B9jjvRo+sJ
C9Rj7GjoRUFBH5OTW1oOhJF5BBqgKysh0eX8PRc1pa84nO40ZJ7dEbsZdwnGsidc
NMi8XljaYfE00+4TtyOtNZj/TD7LWom20+a1Bb3jLdIxcVLgz8futjD+AeQY/+6W
0tOmKnxs2YmLJQKff4p3QfTqEqwDkqE+vfqAqkwtoWiO7rJkxJka7PO8ZbgjFW3z
5uKCOVngYvsdvLcgPMS7Em47xRQ301nYGGy3TyI1HJ5tnEvlZSbKv+Kj7rIHPwrE
zPmOkJlu5PFCegERojdyJa9D9+ld7aUGtxJlFduCafFxbqYdiVEjqPKjs1SQoe4G
i3lJCKNGwD3hOxU0BbLyQmyEsklGq0bqAUSOn8dfp7+SHeisZK4PlKWbvWllfJ73
9rxihb+VuOwsy0pd7tlAaC1PPQd2MHg5JAfvS8lBtd7xP3hgvURXT1AW2GtS9HRC
txq/E2yI44Fw4kZtIk/JcYpqz0hzAgMBAAGjUzBRMB0GA1UdDgQWBBTogFurlMuc
NMUzA7VrsTt9ssUF5zAfBgNVHSMEGDAWgBTogFurlMucNMUzA7VrsTt9ssUF5zAP
BgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4ICAQBeFg9PuTH38+TAlipT
kB+NH/gt2I09Jg3EFqFcXQDCQBCPUqm5yw4wOOGSdxES5XJQB69vl3zy9YLXdl0d
FQ4OP4sNA7jbGUJrfzGrwIX7q1bShYgnzZcSKejWvIj9Vr2c9pAOoa9KBlRt/jIf
FhqiN96ggJJfFnA1N7+kUdEDefCIH8HxQcDsb3ZzDmuvimTWWSZHfP8MWI/mChZ5
XPimzxrCXPQVsdxJDzU/g1jbkbPq6sIa1mi+1MLaw0sxKuRFNkvh7Hsrr/q7VNXK
iK4Z9Zxv/IWfFXP4BRP28oUBxsg3ex5RX/PpdoQPcdXTYWprOFAAvZNMTQ+9zKuv
tyuI/ar4wM6LNrf2JPKKt3WaVdPOWpEmAre6/J4G9W7b7X7LyoyJRmbfVBN/KVrp
OdPY/wlpcFTQ3JJmCRid0pYDLF8v3ZqvAJ/HWzZmhz86rG8gE0mcX6m/orzLnrGT
2WZqdef8lk1nykPJxo5ejGORALOE1Ks+pfhKsds3t33HnGR4XrtXPsxur09H/uev
4z1HTykX+IeE4yNouguODCCHbjlPzxGgWLRA1zjzWZ5KHL7sYr0COSQMhspFcq14
HXml7Dw18LCJLfApjGhBxSQSV0apmeKXqNFDXD3813cx3ujk64WlKBijWvjcikD9
SOZuYUjxreyN+WKLdJpYf3DyrQ==
-----END CERTIFICATE-----`,
};
/** Platform namespaces that hold state, backed up with the tenants when their part of the stack is present. */
const PLATFORM_NAMESPACES = ['gitlab-system', 'infra-vms'];
/** Platform namespaces whose state needs no Velero backup, and why. */
const NOT_BACKED_UP: Readonly<Record<string, string>> = {};
/**
 * Tenants (tenants.yaml) whose data is re-created, not restored. The stack gives them no claim:
 * every object it puts there is in Git, and their volumes (1Ti quotas) hold only what the nightly
 * builds publish, so a lost volume is refilled by the next build, not by a daily copy of up to a
 * terabyte each. Kept backed up on purpose: `mirrors` (the origin the download mirrors pull from:
 * release tarballs are uploaded there, not rebuilt) and `openqa` (test results history, and the
 * worker VM's 60Gi root disk, which its backup keeps consistent with the VM).
 */
// None: os-images and flatpak-repo hold re-creatable nightly builds, but their builders (edit
// groups) also keep front ends and configuration there that are not in Git, so the namespaces are
// backed up. When their large build claims appear in the stack, exempt those claims alone
// (BackupExemption.excludeVolume(claim, reason)); the nightly build refills them.
const TENANTS_NOT_BACKED_UP: Readonly<Record<string, string>> = {};

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
 * - one location per environment, its own bucket behind the MinIO caching gateway
 *   (`community-backups-<env>`) and its own credentials (`velero-<env>`), encrypted with SSE-C
 *   (MinIO without KES refuses SSE-S3), with the per-cluster kopia repository password in
 *   `velero-repo-credentials`; the Secrets are created out of band;
 * - `daily-<namespace>`: one Velero Schedule per tenant (every tenant of tenants.yaml, so a new
 *   tenant is backed up without touching this file) and per GitLab and infrastructure VM
 *   namespace, so one namespace's failure fails only its own backup; starting between 02:00 and
 *   02:59 UTC (a fixed minute per namespace), kept 30 days, volume data moved into the bucket from
 *   CSI snapshots taken with the ODF classes declared below;
 * - the daily etcd snapshot at 01:00 UTC, encrypted on the node to the environment's offline key,
 *   kept 3 days on the control-plane node (not on ODF, which an etcd restore may have to do
 *   without) and 30 days in the bucket (`etcd/`, beside Velero's `velero/`), with its own
 *   credentials (`etcd-backup-<env>`).
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

  const bucket = `community-backups-${env.name}`;
  const storage = new BackupStorage(app, 'Storage', {
    name: 'default',
    bucket,
    prefix: 'velero',
    region: 'us-east-1',
    endpoint: S3_ENDPOINT,
    store: S3_STORE,
    credentials: SecretKey.of('cloud-credentials', 'cloud'),
    credentialsIdentity: `velero-${env.name}`,
    // OADP mounts the whole cloud-credentials Secret at /credentials in the Velero pod
    // (openshift/oadp-operator@oadp-1.4 pkg/credentials/credentials.go, PluginSpecificFields).
    encryption: BucketEncryption.customerKey('/credentials/customer-key'),
  });
  External.secret(app, 'cloud-credentials', {
    namespace: OADP_NAMESPACE,
    keys: ['cloud', 'customer-key'],
    providedBy: 'sealed-secret',
    note: `AWS credentials file ([default] aws_access_key_id / aws_secret_access_key) of the MinIO user velero-${env.name}, allowed on bucket ${bucket} only, and customer-key: the 32 random bytes of the SSE-C key (head -c 32 /dev/urandom); keep a copy of the key offline, backups cannot be read without it`,
  });
  External.secret(app, VELERO_REPOSITORY_PASSWORD.secretName, {
    beforeFirstSync: true,
    namespace: OADP_NAMESPACE,
    keys: [VELERO_REPOSITORY_PASSWORD.key],
    // by hand: no SealedSecret controller exists before the first sync (nor in this stack)
    providedBy: 'by-hand',
    note: `password of Velero's kopia repositories (volume data), random and per cluster: oc -n ${OADP_NAMESPACE} create secret generic ${VELERO_REPOSITORY_PASSWORD.secretName} --from-literal=${VELERO_REPOSITORY_PASSWORD.key}="$(openssl rand -base64 48)"; create it FIRST, before the backup Application's first sync (oc create namespace ${OADP_NAMESPACE} if needed; check with oc -n ${OADP_NAMESPACE} get secret ${VELERO_REPOSITORY_PASSWORD.secretName}): a Velero started without it creates it with a public default password; never change it afterwards (existing repositories keep the password they were made with); on a rebuilt cluster use the lost cluster's password; keep a copy offline`,
  });
  new DataProtection(app, 'Velero', {
    locations: [storage],
    plugins: [VeleroPlugin.OPENSHIFT, VeleroPlugin.AWS, VeleroPlugin.CSI, VeleroPlugin.KUBEVIRT],
    repositoryPassword: VELERO_REPOSITORY_PASSWORD,
  });

  const present = definedNamespaces(cluster);
  for (const [ns, reason] of Object.entries(NOT_BACKED_UP)) {
    if (present.has(ns)) BackupExemption.exemptNamespace(app, ns, reason);
  }
  for (const [name, reason] of Object.entries(TENANTS_NOT_BACKED_UP)) {
    const tenant = cluster.node.tryFindChild(name);
    if (tenant instanceof Tenant) BackupExemption.exempt(tenant, reason);
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
    schedule: CronSchedule.daily({ hour: 2 }),
    ttl: GoDuration.days(30),
    storage,
    namespaces: PLATFORM_NAMESPACES.filter((ns) => present.has(ns)),
  });

  new EtcdBackup(app, 'Etcd', {
    image: ExternalImage.parse(env.versions.get('images.etcd-backup')),
    schedule: CronSchedule.daily({ hour: 1 }),
    retentionDays: 3,
    target: EtcdBackupTarget.hostPath('/var/lib/etcd-backup'),
    encryptTo: EtcdSnapshotRecipient.certificate(ETCD_RECIPIENTS[env.name]),
    copyTo: {
      storage,
      credentials: SecretKey.of('etcd-backup-s3', 'cloud'),
      credentialsIdentity: `etcd-backup-${env.name}`,
      customerKey: SecretKey.of('etcd-backup-s3', 'customer-key'),
      image: ExternalImage.parse(env.versions.get('images.aws-cli-ecr')),
      prefix: 'etcd',
      retentionDays: 30,
    },
  });

  External.secret(app, 'etcd-backup-s3', {
    namespace: 'etcd-backup',
    keys: ['cloud', 'customer-key'],
    providedBy: 'sealed-secret',
    note: `AWS credentials file of the MinIO user etcd-backup-${env.name}, which may list, write and delete under etcd/ in ${bucket} and nothing else (the etcd snapshot copy job), and customer-key: the 32-byte SSE-C key of those objects (keep a copy offline)`,
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
