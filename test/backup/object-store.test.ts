import { SecretKey } from '../../lib/core/secret-key';
import { BackupStorage, BucketEncryption, CephRelease, MinioKms, ObjectStore, ObjectStoreKind } from '../../lib/backup';
import { find, synth, testCluster } from '../_helpers';
import { backupApp, storageProps } from './_fixtures';

const SSE_S3 = () => BucketEncryption.s3Managed();
const SSE_KMS = () => BucketEncryption.kms('velero-key');
const SSE_C = () => BucketEncryption.customerKey('/credentials/customer-key');

/** A BackupStorage on `store` at `endpoint` with `encryption`. */
const make = (store: ObjectStore | undefined, encryption: BucketEncryption, endpoint: string | undefined = 'https://s3.example.org') => () =>
  new BackupStorage(backupApp(testCluster()), 'Storage', storageProps({ store, encryption, endpoint }));

describe('ObjectStore: the backup target says what it is, and encryption is checked against it', () => {
  describe('MinIO', () => {
    const noKms = ObjectStore.minio({ kms: MinioKms.NONE });
    const kes = ObjectStore.minio({ kms: MinioKms.KES });
    test('without KES: SSE-S3 and SSE-KMS are refused, SSE-C is accepted', () => {
      expect(make(noKms, SSE_S3())).toThrow(/\[Backup\/Storage\] encryption: SSE-S3 on MinIO needs KES \(MinIO answers "Server side encryption specified but KMS is not configured" without it\); declare ObjectStore.minio\(\{ kms: MinioKms.KES \}\) if it runs with KES, or use BucketEncryption.customerKey\(keyFile\) \(SSE-C needs no KMS\) \(store: MinIO \(KMS: none\)\)/);
      expect(make(noKms, SSE_KMS())).toThrow(/encryption: SSE-KMS on MinIO needs KES/);
      expect(make(noKms, SSE_C())).not.toThrow();
    });
    test('with KES: every mode', () => {
      for (const e of [SSE_S3(), SSE_KMS(), SSE_C()]) expect(make(kes, e)).not.toThrow();
    });
    test('server-side encryption only over TLS', () => {
      expect(make(kes, SSE_S3(), 'http://minio:9000')).toThrow(/\[Backup\/Storage\] endpoint: "http:\/\/minio:9000" is plain http; MinIO accepts server-side encryption only over TLS, use https/);
      expect(make(kes, BucketEncryption.unencrypted('lab MinIO without real data'), 'http://minio:9000')).not.toThrow();
    });
    test('the KMS must be declared', () => {
      expect(make(ObjectStore.minio({ kms: 'yes' as any }), SSE_C())).toThrow(/store.kms: "yes" is not a MinioKms; say whether MinIO runs with KES/);
    });
  });

  describe('Ceph RGW', () => {
    test('SSE-C needs no configuration; SSE-KMS needs a KMS backend', () => {
      const rgw = ObjectStore.cephRgw({ release: CephRelease.QUINCY });
      expect(make(rgw, SSE_C())).not.toThrow();
      expect(make(rgw, SSE_KMS())).toThrow(/encryption: SSE-KMS on Ceph RGW needs a KMS backend \(rgw crypt s3 kms backend: vault, barbican or kmip\); declare it as kmsBackend/);
      expect(make(ObjectStore.cephRgw({ release: CephRelease.QUINCY, kmsBackend: 'vault' }), SSE_KMS())).not.toThrow();
    });
    test('SSE-S3 needs Quincy or later and its Vault backend', () => {
      expect(make(ObjectStore.cephRgw({ release: CephRelease.PACIFIC, sseS3Vault: true }), SSE_S3())).toThrow(/encryption: SSE-S3 is not available in Ceph RGW before Quincy \(17\)/);
      expect(make(ObjectStore.cephRgw({ release: CephRelease.REEF }), SSE_S3())).toThrow(/encryption: SSE-S3 on Ceph RGW needs its Vault backend \(rgw crypt sse s3 backend = vault\); declare sseS3Vault: true/);
      expect(make(ObjectStore.cephRgw({ release: CephRelease.REEF, sseS3Vault: true }), SSE_S3())).not.toThrow();
    });
    test('encryption over plain http is refused; bad declarations are named', () => {
      expect(make(ObjectStore.cephRgw({ release: CephRelease.QUINCY, kmsBackend: 'vault' }), SSE_KMS(), 'http://rgw:8080')).toThrow(/endpoint: "http:\/\/rgw:8080" is plain http; Ceph RGW refuses encryption requests without TLS/);
      expect(make(ObjectStore.cephRgw({ release: 'octopus' as any, kmsBackend: 'hsm' as any }), SSE_C()))
        .toThrow(/store.release: "octopus" is not a Ceph release; one of pacific, quincy, reef, squid[\s\S]*store.kmsBackend: "hsm" is not an RGW KMS backend/);
    });
  });

  describe('AWS S3', () => {
    test('is implied without an endpoint and takes every mode', () => {
      const s = new BackupStorage(backupApp(testCluster()), 'Storage', { name: 'default', bucket: 'community-backups', credentials: SecretKey.of('c', 'cloud'), encryption: SSE_KMS() });
      expect(s.store?.kind).toBe(ObjectStoreKind.AWS_S3);
      for (const e of [SSE_S3(), SSE_KMS(), SSE_C()]) expect(make(ObjectStore.awsS3(), e, undefined)).not.toThrow();
    });
  });

  test('a custom endpoint without a declaration stays unchecked, and the store is not rendered', () => {
    const cluster = testCluster();
    const s = new BackupStorage(backupApp(cluster), 'Storage', storageProps({ encryption: SSE_S3() }));
    expect(s.store).toBeUndefined();
    const declared = testCluster();
    new BackupStorage(backupApp(declared), 'Storage', storageProps({ encryption: SSE_S3(), store: ObjectStore.minio({ kms: MinioKms.KES }) }));
    // Declaring the store changes checks only, not the BackupStorageLocation.
    expect(find(synth(declared), 'BackupStorageLocation', 'default').spec).toEqual(find(synth(cluster), 'BackupStorageLocation', 'default').spec);
  });

  test('store must be an ObjectStore', () => {
    expect(make('minio' as any, SSE_C())).toThrow(/\[Backup\/Storage\] store: "minio" is not an ObjectStore; declare ObjectStore.awsS3\(\), .minio\(\{ kms \}\) or .cephRgw\(\{ release \}\)/);
  });

  test('credentials identity: a name, never a key', () => {
    const withId = (credentialsIdentity: string) => () => new BackupStorage(backupApp(testCluster()), 'Storage', storageProps({ credentialsIdentity }));
    expect(withId('velero-production')).not.toThrow();
    expect(withId('AKIATESTTESTTESTTEST')).toThrow(/\[Backup\/Storage\] credentialsIdentity: looks like an access key or secret, not a name/);
    expect(withId('AKIATESTTESTTESTTEST')).not.toThrow(/AKIATESTTESTTESTTEST/);
    expect(withId('abcdEFGHijklMNOPqrstUVWXyz0123456789+/AB')).toThrow(/credentialsIdentity: looks like an access key or secret/);
    expect(withId('two words')).toThrow(/credentialsIdentity: "two words" is not a credentials identity/);
  });
});
