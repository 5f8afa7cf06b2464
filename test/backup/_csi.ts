import { Construct } from 'constructs';
import { VeleroSnapshotClass } from '../../lib/backup';

/** The ODF RBD VolumeSnapshotClass, declared for Velero, serving the default StorageClass. */
export function csi(scope: Construct): VeleroSnapshotClass {
  return VeleroSnapshotClass.external(scope, 'ocs-storagecluster-rbdplugin-snapclass', {
    driver: 'openshift-storage.rbd.csi.ceph.com',
    storageClasses: ['ocs-storagecluster-ceph-rbd'],
    servesDefaultStorageClass: true,
    providedBy: 'pre-existing',
    note: 'created by ODF; labelled velero.io/csi-volumesnapshot-class=true by hand',
  });
}
