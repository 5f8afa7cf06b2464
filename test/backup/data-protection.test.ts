import { BackupStorage, BucketEncryption, DataProtection, UNENCRYPTED_REASON_ANNOTATION, VeleroPlugin } from '../../lib/backup';
import { find, synth, testCluster } from '../_helpers';
import { backupApp, storage, storageProps } from './_fixtures';

describe('DataProtection (OADP)', () => {
  test('renders the location into the DPA and drops the standalone BSL', () => {
    const cluster = testCluster();
    const app = backupApp(cluster);
    const s = storage(app);
    new DataProtection(app, 'Oadp', { locations: [s] });
    const r = synth(cluster);
    expect(r.objects.filter((o) => o.manifest.kind === 'BackupStorageLocation')).toHaveLength(0);
    const dpa = find(r, 'DataProtectionApplication', 'velero', 'openshift-adp');
    expect(dpa.spec).toEqual({
      backupLocations: [{
        name: 'default',
        velero: {
          provider: 'aws',
          default: true,
          objectStorage: { bucket: 'community-backups', prefix: 'velero/test' },
          config: { profile: 'default', region: 'us-east-1', s3Url: 'https://minio.example.org:9000', s3ForcePathStyle: 'true', serverSideEncryption: 'AES256' },
          credential: { name: 'cloud-credentials', key: 'cloud' },
        },
      }],
      configuration: {
        velero: { defaultPlugins: ['openshift', 'aws', 'csi'] },
        nodeAgent: { enable: true, uploaderType: 'kopia' },
      },
    });
    expect(s.managedBy).toBe('Backup/Oadp');
  });

  test('plugins, no node agent, unencrypted reason on the DPA', () => {
    const cluster = testCluster();
    const app = backupApp(cluster);
    const s = storage(app, { encryption: BucketEncryption.unencrypted('lab MinIO on encrypted disks, no real data') });
    new DataProtection(app, 'Oadp', { name: 'dpa', locations: [s], nodeAgent: false, plugins: [VeleroPlugin.OPENSHIFT, VeleroPlugin.AWS, VeleroPlugin.KUBEVIRT] });
    const dpa = find(synth(cluster), 'DataProtectionApplication', 'dpa');
    expect(dpa.spec.configuration).toEqual({ velero: { defaultPlugins: ['openshift', 'aws', 'kubevirt'] } });
    expect(dpa.metadata.annotations[UNENCRYPTED_REASON_ANNOTATION]).toBe('default: lab MinIO on encrypted disks, no real data');
  });

  describe('bad input', () => {
    test('no location, no default, two defaults', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      expect(() => new DataProtection(app, 'A', { locations: [] })).toThrow(/\[Backup\/A\] locations: at least one BackupStorage is needed/);
      const a = new BackupStorage(app, 'S1', storageProps({ name: 'one', default: false }));
      expect(() => new DataProtection(app, 'B', { locations: [a] })).toThrow(/locations: no location is the default/);
      const b = new BackupStorage(app, 'S2', storageProps({ name: 'two' }));
      const c = new BackupStorage(app, 'S3', storageProps({ name: 'three' }));
      expect(() => new DataProtection(app, 'C', { locations: [b, c] })).toThrow(/locations: 2 locations are the default \(two, three\)/);
    });
    test('"default" must be the default, namespaces must match, plugins needed', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      const d = new BackupStorage(app, 'S1', storageProps({ default: false }));
      expect(() => new DataProtection(app, 'A', { locations: [d] })).toThrow(/OADP requires the location named "default" to be the default location/);
      const other = new BackupStorage(app, 'S2', storageProps({ name: 'x', namespace: 'velero' }));
      expect(() => new DataProtection(app, 'B', { locations: [other] })).toThrow(/locations\[0\]: backup storage "x" is in namespace "velero", but OADP runs in "openshift-adp"/);
      const ok = new BackupStorage(app, 'S3', storageProps({ name: 'y' }));
      expect(() => new DataProtection(app, 'C', { locations: [ok], plugins: [VeleroPlugin.CSI] })).toThrow(/plugins: the AWS plugin is needed[\s\S]*plugins: the OpenShift plugin is needed/);
      expect(() => new DataProtection(app, 'D', { locations: [ok], plugins: ['velero' as VeleroPlugin, VeleroPlugin.AWS, VeleroPlugin.OPENSHIFT] })).toThrow(/plugins\[0\]: "velero" is not allowed/);
      expect(() => new DataProtection(app, 'E', { locations: [ok], plugins: 'aws' as any })).toThrow(/\[Backup\/E\] plugins: "aws" is not a list; write a list such as \[VeleroPlugin.OPENSHIFT/);
    });
    test('a location belongs to one DPA', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      const s = storage(app);
      new DataProtection(app, 'A', { locations: [s] });
      expect(() => new DataProtection(app, 'B', { name: 'other', locations: [s] })).toThrow(/\[Backup\/B\] locations: backup storage Backup\/Storage is already listed by Backup\/A/);
    });
  });
});
