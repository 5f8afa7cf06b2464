import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import {
  BACKUP_EXEMPT_ANNOTATION, BackupExemption, BackupSchedule, CronSchedule, VELERO_EXCLUDE_LABEL, VeleroSnapshotClass, VolumeBackup,
} from '../../lib/backup';
import { find, synth, testCluster } from '../_helpers';
import { backupApp, pvc, storage, tenant } from './_fixtures';
import { csi } from './_csi';

function claim(scope: any, name: string, storageClassName?: string): k8s.KubePersistentVolumeClaim {
  return new k8s.KubePersistentVolumeClaim(scope, `pvc-${name}`, {
    metadata: { name },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName, resources: { requests: { storage: k8s.Quantity.fromString('1Gi') } } },
  });
}

function vm(scope: any, name: string, storageClassName: string): ApiObject {
  return new ApiObject(scope, `vm-${name}`, {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name },
    spec: {
      runStrategy: 'Always',
      dataVolumeTemplates: [{ metadata: { name: `${name}-root` }, spec: { storage: { storageClassName, resources: { requests: { storage: '20Gi' } } }, source: { blank: {} } } }],
      template: { spec: { domain: { devices: {} } } },
    },
  });
}

describe('VolumeSnapshotClass for Velero', () => {
  test('a schedule taking CSI snapshots without any declared class is refused', () => {
    const cluster = testCluster();
    pvc(tenant(cluster, 'forum'), 'data');
    const app = backupApp(cluster);
    BackupSchedule.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily(), storage: storage(app) });
    expect(() => synth(cluster)).toThrow(/\[Backup\/Daily\] volumes: schedule "daily" takes CSI snapshots \(1 stateful object, e\.g\. PersistentVolumeClaim "data" in "forum"\), but the cluster declares no VolumeSnapshotClass labelled velero\.io\/csi-volumesnapshot-class; declare it with VeleroSnapshotClass\.external/);
  });

  test('every StorageClass of the covered volumes must be served, VM disks included', () => {
    const cluster = testCluster();
    const forum = tenant(cluster, 'forum');
    claim(forum, 'db', 'ocs-storagecluster-ceph-rbd');
    claim(forum, 'shared', 'ocs-storagecluster-cephfs');
    vm(tenant(cluster, 'legacy'), 'gitaly', 'ocs-storagecluster-ceph-rbd-virtualization');
    const app = backupApp(cluster);
    VeleroSnapshotClass.external(app, 'rbd', { driver: 'openshift-storage.rbd.csi.ceph.com', storageClasses: ['ocs-storagecluster-ceph-rbd'], providedBy: 'pre-existing', note: 'ODF class, labelled by hand' });
    BackupSchedule.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily(), storage: storage(app) });
    const err = () => synth(cluster);
    expect(err).toThrow(/\[Backup\/Daily\] volumes: schedule "daily" takes CSI snapshots of volumes of StorageClass "ocs-storagecluster-ceph-rbd-virtualization" \(VirtualMachine "gitaly" with 1 dataVolumeTemplate in "legacy"\), and no declared VolumeSnapshotClass for Velero serves it \(declared: "rbd"\)/);
    expect(err).toThrow(/StorageClass "ocs-storagecluster-cephfs" \(PersistentVolumeClaim "shared" in "forum"\)/);
    expect(err).not.toThrow(/StorageClass "ocs-storagecluster-ceph-rbd" /);
  });

  test('volumes without a StorageClass need a class serving the default one', () => {
    const mk = (servesDefault: boolean) => {
      const cluster = testCluster();
      claim(tenant(cluster, 'forum'), 'data');
      const app = backupApp(cluster);
      VeleroSnapshotClass.external(app, 'rbd', { driver: 'openshift-storage.rbd.csi.ceph.com', storageClasses: ['ocs-storagecluster-ceph-rbd'], servesDefaultStorageClass: servesDefault, providedBy: 'pre-existing', note: 'ODF class, labelled by hand' });
      BackupSchedule.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily(), storage: storage(app) });
      return () => synth(cluster);
    };
    expect(mk(false)).toThrow(/StorageClass \(the default StorageClass\) \(PersistentVolumeClaim "data" in "forum"\)/);
    expect(mk(true)).not.toThrow();
  });

  test('file-system backups and object-only schedules need no class', () => {
    for (const volumes of [VolumeBackup.FILE_SYSTEM]) {
      const cluster = testCluster();
      pvc(tenant(cluster, 'forum'), 'data');
      const app = backupApp(cluster);
      BackupSchedule.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily(), storage: storage(app), volumes });
      expect(() => synth(cluster)).not.toThrow();
    }
    const cluster = testCluster();
    pvc(tenant(cluster, 'forum'), 'data');
    const app = backupApp(cluster);
    BackupSchedule.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily(), storage: storage(app), volumes: VolumeBackup.NONE });
    // refused for coverage (no volume data), not for a snapshot class
    expect(() => synth(cluster)).toThrow(/holds state that no Velero schedule backs up/);
    expect(() => synth(cluster)).not.toThrow(/VolumeSnapshotClass/);
  });

  test('bad declarations', () => {
    const cluster = testCluster();
    const app = backupApp(cluster);
    expect(() => VeleroSnapshotClass.external(app, 'Bad_Name', { driver: 'x.csi.io', storageClasses: ['a'], providedBy: 'pre-existing', note: 'a long enough note' }))
      .toThrow(/\[Backup\/VolumeSnapshotClass-Bad_Name\] name: "Bad_Name" is not a DNS-1123 subdomain/);
    expect(() => VeleroSnapshotClass.external(app, 'a', { driver: 'x.csi.io', storageClasses: [], providedBy: 'pre-existing', note: 'a long enough note' }))
      .toThrow(/storageClasses: name at least one StorageClass \(or servesDefaultStorageClass: true\)/);
    expect(() => VeleroSnapshotClass.external(app, 'b', { driver: 'x.csi.io', storageClasses: ['a'], providedBy: 'sealed-secret' as any, note: 'a long enough note' }))
      .toThrow(/providedBy: "sealed-secret" is not one of "pre-existing", "by-hand"/);
    expect(() => VeleroSnapshotClass.external(app, 'c', { driver: 'x.csi.io', storageClasses: ['a'], providedBy: 'by-hand', note: '' }))
      .toThrow(/note: "" is not a note/);
    csi(app);
    VeleroSnapshotClass.external(app, 'second-rbd', { driver: 'openshift-storage.rbd.csi.ceph.com', storageClasses: ['other'], providedBy: 'by-hand', note: 'a second class, by hand' });
    expect(() => synth(cluster)).toThrow(/driver: "openshift-storage\.rbd\.csi\.ceph\.com" has two VolumeSnapshotClasses for Velero \(also "ocs-storagecluster-rbdplugin-snapclass" at Backup\/VolumeSnapshotClass-ocs-storagecluster-rbdplugin-snapclass\); Velero takes the first labelled class of a driver/);
  });
});

describe('excluding one large volume', () => {
  test('excludeVolume labels the claim for Velero and records the reason; the coverage check accepts it', () => {
    const cluster = testCluster();
    const mirrors = tenant(cluster, 'mirrors');
    const big = claim(mirrors, 'repo');
    BackupExemption.excludeVolume(big, 'a mirror of ftp.gnome.org, re-synced in a day');
    const app = backupApp(cluster);
    csi(app);
    // no schedule at all: the only state of the tenant is deliberately left out
    storage(app);
    const r = synth(cluster);
    const m = find(r, 'PersistentVolumeClaim', 'repo', 'mirrors');
    expect(m.metadata.labels[VELERO_EXCLUDE_LABEL]).toBe('true');
    expect(m.metadata.annotations[BACKUP_EXEMPT_ANNOTATION]).toBe('a mirror of ftp.gnome.org, re-synced in a day');
  });

  test('the rest of the namespace is still checked', () => {
    const cluster = testCluster();
    const mirrors = tenant(cluster, 'mirrors');
    BackupExemption.excludeVolume(claim(mirrors, 'repo'), 'a mirror of ftp.gnome.org, re-synced in a day');
    claim(mirrors, 'state');
    storage(backupApp(cluster));
    expect(() => synth(cluster)).toThrow(/tenant "mirrors" \(mirrors\) holds state that no Velero schedule backs up \(the cluster has no Velero Schedule\): PersistentVolumeClaim "state";/);
  });

  test('an excluded volume needs no snapshot class', () => {
    const cluster = testCluster();
    const forum = tenant(cluster, 'forum');
    BackupExemption.excludeVolume(claim(forum, 'cache', 'no-snapshot-class'), 'rebuilt from the database on start');
    const app = backupApp(cluster);
    csi(app);
    BackupSchedule.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily(), storage: storage(app) });
    expect(() => synth(cluster)).not.toThrow();
  });

  test('the Velero label without a reason, a reason too short, a claim that is not one', () => {
    const cluster = testCluster();
    const forum = tenant(cluster, 'forum');
    const c = claim(forum, 'silent');
    c.metadata.addLabel(VELERO_EXCLUDE_LABEL, 'true');
    storage(backupApp(cluster));
    expect(() => synth(cluster)).toThrow(/\[BackupCoverage\] PersistentVolumeClaim "silent" in "forum" \(forum\/pvc-silent\) carries velero\.io\/exclude-from-backup=true without a written reason, so its data is silently left out of every backup; exclude it with BackupExemption\.excludeVolume\(claim, reason\)/);
    expect(() => BackupExemption.excludeVolume(claim(forum, 'x'), 'short')).toThrow(/\[forum\/pvc-x\] reason: "short" is not a reason/);
    const sts = new ApiObject(forum, 'NotAClaim', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    expect(() => BackupExemption.excludeVolume(sts, 'a long enough reason')).toThrow(/\[forum\/NotAClaim\] claim: v1 ConfigMap is not a PersistentVolumeClaim/);
  });
});
