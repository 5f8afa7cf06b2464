import {
  AcmeAccount, BackupSchedule, BackupStorage, BondMode, BridgeNetwork, BucketEncryption, CloudInit, Cluster, CronSchedule, DiskSource,
  GoDuration, External, ExternalImage, GitOpsApp, GuestAddress, HostBridge, Quantity, SecretKey, SshAuthorizedKeys, SyncWave, Tenant,
  VeleroSnapshotClass, VirtualMachine, ContainerApp,
} from '../../lib';

export function build(): Cluster {
  const cluster = new Cluster({
    platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12', argoCd: '2.10.18' },
    name: 'community',
    environment: 'production',
    repoUrl: 'https://gitlab.example.org/infra/cluster.git',
  });

  // An OpenShift project: quota, limit range, group RBAC, default-deny network policies, and an
  // Argo CD AppProject + Application confined to the namespace.
  const forum = new Tenant(cluster, 'Forum', {
    name: 'discourse',
    displayName: 'Community forum',
    groups: { admin: ['forum-admins'], edit: ['forum-moderators'] },
    quota: { cpu: Quantity.parse('8'), memory: Quantity.parse('16Gi'), storage: Quantity.parse('200Gi') },
    tls: { hostnames: ['discourse.example.org'], acme: AcmeAccount.rfc2136({ email: 'infra@example.org', nameserver: 'ns1.example.org:53' }) },
  });

  // An image built by GitLab CI and pinned to a version: the Deployment runs what Git says, and a
  // TLS Route gets its certificate from the tenant's own cert-manager Issuer, which covers only
  // its host names.
  new ContainerApp(forum, 'Discourse', {
    name: 'discourse',
    image: ExternalImage.tag('quay.io/community-infra/discourse', '3.3.2-1'),
    memory: Quantity.parse('2Gi'),
    route: { host: 'discourse.example.org' },
  });

  // Bonded NICs -> Linux bridge on every node (NMState) -> Multus network -> VM interfaces.
  const network = new GitOpsApp(cluster, 'Network', { name: 'network', syncWave: SyncWave.CONFIG });
  const internal = new HostBridge(network, 'Internal', {
    bridgeName: 'br0-internal',
    mtu: 9000,
    bond: { name: 'bond0', ports: ['ens1f0', 'ens1f1'], mode: BondMode.LACP, mtu: 9000 },
    nodeSelector: { 'node-role.kubernetes.io/worker': '' },
  });
  const internalNet = new BridgeNetwork(forum, 'InternalNetwork', { name: 'internal-network', hostBridge: internal });

  // A VM in the tenant (its requests are checked against the tenant's quota at synth time).
  new VirtualMachine(forum, 'Mailer', {
    name: 'mail-relay',
    cpu: 2,
    memory: Quantity.parse('4Gi'),
    rootDisk: { source: DiskSource.httpImage('https://images.example.org/rhel-9.4-x86_64-kvm.qcow2'), size: Quantity.parse('30Gi') },
    networks: [{ network: internalNet, address: GuestAddress.fixed('10.40.0.25/22') }],
    cloudInit: CloudInit.build({
      hostname: 'mail-relay',
      users: [{ name: 'ops', sudo: true }],
      sshAuthorizedKeys: SshAuthorizedKeys.fromSecret('ops-ssh-keys'),
      packages: ['postfix'],
      yumRepos: [{ id: 'appstream', baseUrl: 'https://mirror.example.org/rhel9/AppStream/' }],
    }),
    ports: [{ name: 'smtp', port: 25 }],
  });

  // Every tenant's resources, every night, to an encrypted S3 bucket. A new tenant is covered
  // without touching this code.
  const backup = new GitOpsApp(cluster, 'Backup', { name: 'backup', syncWave: SyncWave.CONFIG });
  const bucket = new BackupStorage(backup, 'Bucket', {
    name: 'offsite',
    bucket: 'community-backups',
    region: 'eu-central-1',
    credentials: SecretKey.of('cloud-credentials', 'cloud'),
    encryption: BucketEncryption.s3Managed(),
  });
  // Velero snapshots volumes through the VolumeSnapshotClass of their CSI driver that carries the
  // label velero.io/csi-volumesnapshot-class; the storage operator creates it, the stack declares it.
  VeleroSnapshotClass.external(backup, 'ocs-storagecluster-rbdplugin-snapclass', {
    driver: 'openshift-storage.rbd.csi.ceph.com',
    storageClasses: ['ocs-storagecluster-ceph-rbd'],
    servesDefaultStorageClass: true,
    providedBy: 'pre-existing',
    note: 'created by OpenShift Data Foundation; labelled velero.io/csi-volumesnapshot-class=true by hand',
  });
  BackupSchedule.everyTenant(backup, 'Nightly', {
    name: 'nightly',
    schedule: CronSchedule.daily({ hour: 2 }),
    ttl: GoDuration.days(30),
    storage: bucket,
  });

  // Every reference must resolve: what the stack uses but does not create is declared, and is
  // listed in dist/<env>/externals.yaml (`ocpkit bootstrap` prints the checklist).
  External.namespace(backup, 'openshift-adp', { providedBy: 'pre-existing', note: 'created with the OADP operator install' });
  External.secret(backup, 'cloud-credentials', { namespace: 'openshift-adp', keys: ['cloud'], providedBy: 'sealed-secret', note: 'S3 credentials of the backup bucket' });
  External.secret(forum, 'ops-ssh-keys', { providedBy: 'by-hand', note: 'public SSH keys of the ops team' });
  return cluster;
}
