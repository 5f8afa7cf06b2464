import { BackupStorage, BucketEncryption, DataProtection, UNENCRYPTED_REASON_ANNOTATION, VELERO_REPOSITORY_PASSWORD, VeleroPlugin } from '../../lib/backup';
import { SecretKey } from '../../lib/core/secret-key';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { renderExternalsFile } from '../../lib/refs/externals-file';
import { External } from '../../lib/refs/provides';
import { find, synth, testCluster } from '../_helpers';
import { backupApp, storage, storageProps } from './_fixtures';

/** Declares the repository password Secret the way a stack must. */
function declarePassword(app: GitOpsApp, keys = ['repository-password']): void {
  External.secret(app, 'velero-repo-credentials', { namespace: 'openshift-adp', keys, providedBy: 'sealed-secret', beforeFirstSync: true, note: 'random per-cluster kopia repository password' });
}
const RP = { repositoryPassword: VELERO_REPOSITORY_PASSWORD };

describe('DataProtection (OADP)', () => {
  test('renders the location into the DPA and drops the standalone BSL', () => {
    const cluster = testCluster();
    const app = backupApp(cluster);
    const s = storage(app);
    declarePassword(app);
    new DataProtection(app, 'Oadp', { ...RP, locations: [s] });
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
    declarePassword(app);
    new DataProtection(app, 'Oadp', { ...RP, name: 'dpa', locations: [s], nodeAgent: false, plugins: [VeleroPlugin.OPENSHIFT, VeleroPlugin.AWS, VeleroPlugin.KUBEVIRT] });
    const dpa = find(synth(cluster), 'DataProtectionApplication', 'dpa');
    expect(dpa.spec.configuration).toEqual({ velero: { defaultPlugins: ['openshift', 'aws', 'kubevirt'] } });
    expect(dpa.metadata.annotations[UNENCRYPTED_REASON_ANNOTATION]).toBe('default: lab MinIO on encrypted disks, no real data');
  });

  describe('bad input', () => {
    test('no location, no default, two defaults', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      expect(() => new DataProtection(app, 'A', { ...RP, locations: [] })).toThrow(/\[Backup\/A\] locations: at least one BackupStorage is needed/);
      const a = new BackupStorage(app, 'S1', storageProps({ name: 'one', default: false }));
      expect(() => new DataProtection(app, 'B', { ...RP, locations: [a] })).toThrow(/locations: no location is the default/);
      const b = new BackupStorage(app, 'S2', storageProps({ name: 'two' }));
      const c = new BackupStorage(app, 'S3', storageProps({ name: 'three' }));
      expect(() => new DataProtection(app, 'C', { ...RP, locations: [b, c] })).toThrow(/locations: 2 locations are the default \(two, three\)/);
    });
    test('"default" must be the default, namespaces must match, plugins needed', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      const d = new BackupStorage(app, 'S1', storageProps({ default: false }));
      expect(() => new DataProtection(app, 'A', { ...RP, locations: [d] })).toThrow(/OADP requires the location named "default" to be the default location/);
      const other = new BackupStorage(app, 'S2', storageProps({ name: 'x', namespace: 'velero' }));
      expect(() => new DataProtection(app, 'B', { ...RP, locations: [other] })).toThrow(/locations\[0\]: backup storage "x" is in namespace "velero", but OADP runs in "openshift-adp"/);
      const ok = new BackupStorage(app, 'S3', storageProps({ name: 'y' }));
      expect(() => new DataProtection(app, 'C', { ...RP, locations: [ok], plugins: [VeleroPlugin.CSI] })).toThrow(/plugins: the AWS plugin is needed[\s\S]*plugins: the OpenShift plugin is needed/);
      expect(() => new DataProtection(app, 'D', { ...RP, locations: [ok], plugins: ['velero' as VeleroPlugin, VeleroPlugin.AWS, VeleroPlugin.OPENSHIFT] })).toThrow(/plugins\[0\]: "velero" is not allowed/);
      expect(() => new DataProtection(app, 'E', { ...RP, locations: [ok], plugins: 'aws' as any })).toThrow(/\[Backup\/E\] plugins: "aws" is not a list; write a list such as \[VeleroPlugin.OPENSHIFT/);
    });
    test('a location belongs to one DPA', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      const s = storage(app);
      new DataProtection(app, 'A', { ...RP, locations: [s] });
      expect(() => new DataProtection(app, 'B', { ...RP, name: 'other', locations: [s] })).toThrow(/\[Backup\/B\] locations: backup storage Backup\/Storage is already listed by Backup\/A/);
    });
  });

  describe('kopia repository password (velero-repo-credentials)', () => {
    test('is required, and only the Secret Velero reads is accepted', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      const s = storage(app);
      expect(() => new DataProtection(app, 'A', { locations: [s] } as any))
        .toThrow(/\[Backup\/A\] repositoryPassword: is required: Velero otherwise encrypts every kopia repository with the public default password "static-passw0rd"/);
      expect(() => new DataProtection(app, 'B', { locations: [s], repositoryPassword: SecretKey.of('kopia', 'password') }))
        .toThrow(/\[Backup\/B\] repositoryPassword: "kopia\/password" is not read by Velero 1.14, which knows only SecretKey.of\("velero-repo-credentials", "repository-password"\) in its own namespace/);
      expect(() => new DataProtection(app, 'C', { locations: [s], repositoryPassword: 'velero-repo-credentials' as any })).toThrow(/repositoryPassword: "velero-repo-credentials" is not read by Velero 1.14/);
    });
    test('the synth refuses a DataProtection whose password Secret is declared nowhere', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      new DataProtection(app, 'Oadp', { ...RP, locations: [storage(app)] });
      expect(() => synth(cluster)).toThrow(/\[Backup\/Oadp\] repositoryPassword: Secret "velero-repo-credentials" \(key "repository-password"\) in namespace "openshift-adp" is declared nowhere; declare it with External.secret/);
    });
    test('an External without the key, or in another namespace, does not count', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      declarePassword(app, ['password']);
      new DataProtection(app, 'Oadp', { ...RP, locations: [storage(app)] });
      expect(() => synth(cluster)).toThrow(/repositoryPassword: the External Secret "velero-repo-credentials" \(Backup\/ExternalSecret.openshift-adp.velero-repo-credentials\) does not list the key "repository-password"/);
      const other = testCluster();
      const app2 = backupApp(other);
      External.secret(app2, 'velero-repo-credentials', { namespace: 'velero', keys: ['repository-password'], providedBy: 'by-hand', note: 'wrong namespace' });
      new DataProtection(app2, 'Oadp', { ...RP, locations: [storage(app2)] });
      expect(() => synth(other)).toThrow(/repositoryPassword: Secret "velero-repo-credentials" \(key "repository-password"\) in namespace "openshift-adp" is declared nowhere/);
    });
    test('the password Secret must be declared to exist before the first sync (Velero would create it with its default)', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      External.secret(app, 'velero-repo-credentials', { namespace: 'openshift-adp', keys: ['repository-password'], providedBy: 'sealed-secret', note: 'random per-cluster kopia repository password' });
      new DataProtection(app, 'Oadp', { ...RP, locations: [storage(app)] });
      expect(() => synth(cluster)).toThrow(/repositoryPassword: the External Secret "velero-repo-credentials" \(Backup\/ExternalSecret.openshift-adp.velero-repo-credentials\) must exist before Velero first starts, or Velero creates it with its public default password; declare it with beforeFirstSync: true/);
    });
    test('beforeFirstSync reaches externals.yaml (only where set)', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      const early = External.secret(app, 'velero-repo-credentials', { namespace: 'openshift-adp', keys: ['repository-password'], providedBy: 'by-hand', beforeFirstSync: true, note: 'random password' });
      const later = External.secret(app, 'cloud-credentials', { namespace: 'openshift-adp', keys: ['cloud'], providedBy: 'by-hand', note: 'bucket credentials' });
      const yaml = require('js-yaml') as typeof import('js-yaml');
      const entries = (yaml.load(renderExternalsFile('test', [early.object, later.object].map((o) => ({ ...o, usedBy: [] })))) as any).externals;
      expect(entries.map((e: any) => [e.name, e.beforeFirstSync])).toEqual([['velero-repo-credentials', true], ['cloud-credentials', undefined]]);
      expect(() => External.secret(app, 'x', { namespace: 'openshift-adp', providedBy: 'by-hand', beforeFirstSync: 'yes' as any, note: 'n' })).toThrow(/beforeFirstSync: "yes" is not true or false/);
    });
    test('declared with its key in the Velero namespace: the synth passes', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      declarePassword(app);
      new DataProtection(app, 'Oadp', { ...RP, locations: [storage(app)] });
      expect(() => synth(cluster)).not.toThrow();
    });
  });

  describe('SSE-C key file in the Velero pod', () => {
    test('must be a key of cloud-credentials, the Secret OADP mounts at /credentials', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      const s = storage(app, { encryption: BucketEncryption.customerKey('/etc/velero/sse-c.key') });
      expect(() => new DataProtection(app, 'A', { ...RP, locations: [s] }))
        .toThrow(/\[Backup\/A\] locations\[0\]: backup storage "default" reads its SSE-C key from "\/etc\/velero\/sse-c.key", but OADP mounts only the Secret "cloud-credentials" \(every key\) at \/credentials/);
    });
    test('the declared cloud-credentials Secret must list the key', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      declarePassword(app);
      External.secret(app, 'cloud-credentials', { namespace: 'openshift-adp', keys: ['cloud'], providedBy: 'sealed-secret', note: 'credentials file' });
      new DataProtection(app, 'Oadp', { ...RP, locations: [storage(app, { encryption: BucketEncryption.customerKey('/credentials/customer-key') })] });
      expect(() => synth(cluster)).toThrow(/\[Backup\/Oadp\] locations: the SSE-C key file \/credentials\/customer-key comes from Secret "cloud-credentials", whose External declaration \(Backup\/ExternalSecret.openshift-adp.cloud-credentials\) does not list the key "customer-key"/);
      const ok = testCluster();
      const app2 = backupApp(ok);
      declarePassword(app2);
      External.secret(app2, 'cloud-credentials', { namespace: 'openshift-adp', keys: ['cloud', 'customer-key'], providedBy: 'sealed-secret', note: 'credentials file and SSE-C key' });
      new DataProtection(app2, 'Oadp', { ...RP, locations: [storage(app2, { encryption: BucketEncryption.customerKey('/credentials/customer-key') })] });
      expect(() => synth(ok)).not.toThrow();
    });
  });
});
