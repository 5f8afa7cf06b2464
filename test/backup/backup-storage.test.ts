import { SecretKey } from '../../lib/core/secret-key';
import { BackupStorage, BucketEncryption, UNENCRYPTED_REASON_ANNOTATION, bucketNameProblem } from '../../lib/backup';
import { find, synth, testCluster } from '../_helpers';
import { backupApp, storage, storageProps } from './_fixtures';

describe('BackupStorage', () => {
  test('minimal AWS location: exact BackupStorageLocation', () => {
    const cluster = testCluster();
    new BackupStorage(backupApp(cluster), 'Storage', {
      name: 'default',
      bucket: 'community-backups',
      credentials: SecretKey.of('cloud-credentials', 'cloud'),
      encryption: BucketEncryption.s3Managed(),
    });
    const bsl = find(synth(cluster), 'BackupStorageLocation', 'default');
    expect(bsl.metadata.namespace).toBe('openshift-adp');
    expect(bsl.spec).toEqual({
      provider: 'aws',
      default: true,
      objectStorage: { bucket: 'community-backups' },
      config: { profile: 'default', serverSideEncryption: 'AES256' },
      credential: { name: 'cloud-credentials', key: 'cloud' },
    });
  });

  test('S3-compatible endpoint: s3Url, region and path style', () => {
    const cluster = testCluster();
    storage(backupApp(cluster));
    const bsl = find(synth(cluster), 'BackupStorageLocation', 'default');
    expect(bsl.spec.config).toEqual({ profile: 'default', region: 'us-east-1', s3Url: 'https://minio.example.org:9000', s3ForcePathStyle: 'true', serverSideEncryption: 'AES256' });
    expect(bsl.spec.objectStorage.prefix).toBe('velero/test');
  });

  test('SSE-KMS and SSE-C map to the plugin keys', () => {
    const cluster = testCluster();
    const app = backupApp(cluster);
    new BackupStorage(app, 'Kms', storageProps({ name: 'kms', default: false, endpoint: undefined, encryption: BucketEncryption.kms('alias/velero') }));
    new BackupStorage(app, 'SseC', storageProps({ name: 'ssec', default: false, encryption: BucketEncryption.customerKey('/credentials/customer-key') }));
    const r = synth(cluster);
    expect(find(r, 'BackupStorageLocation', 'kms').spec.config).toEqual({ profile: 'default', region: 'us-east-1', kmsKeyId: 'alias/velero' });
    expect(find(r, 'BackupStorageLocation', 'ssec').spec.config.customerKeyEncryptionFile).toBe('/credentials/customer-key');
    expect(find(r, 'BackupStorageLocation', 'ssec').spec.config.serverSideEncryption).toBeUndefined();
  });

  test('unencrypted only with a reason, which lands as an annotation', () => {
    const cluster = testCluster();
    storage(backupApp(cluster), { encryption: BucketEncryption.unencrypted('MinIO on LUKS-encrypted disks in the office rack') });
    const bsl = find(synth(cluster), 'BackupStorageLocation', 'default');
    expect(bsl.metadata.annotations[UNENCRYPTED_REASON_ANNOTATION]).toBe('MinIO on LUKS-encrypted disks in the office rack');
    expect(bsl.spec.config.serverSideEncryption).toBeUndefined();
  });

  test('CA bundle is base64-encoded into caCert', () => {
    const cluster = testCluster();
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    storage(backupApp(cluster), { caCertificatePem: pem });
    expect(Buffer.from(find(synth(cluster), 'BackupStorageLocation', 'default').spec.objectStorage.caCert, 'base64').toString()).toBe(pem);
  });

  test('fromName refers to an existing location', () => {
    expect(BackupStorage.fromName('default')).toEqual({ locationName: 'default', veleroNamespace: 'openshift-adp' });
    expect(() => BackupStorage.fromName('Bad_Name')).toThrow(/name: "Bad_Name" is not a DNS-1123 subdomain/);
  });

  describe('bad input', () => {
    const make = (over: any) => () => storage(backupApp(testCluster()), over);
    test('endpoint that is not a URL', () => {
      expect(make({ endpoint: 'minio.example.org:9000' })).toThrow(/\[Backup\/Storage\] endpoint: "minio.example.org:9000" is not an http\(s\) URL/);
      expect(make({ endpoint: 'https://minio.example.org/bucket' })).toThrow(/endpoint: "https:\/\/minio.example.org\/bucket" has a path/);
    });
    test('custom endpoint without region', () => {
      expect(make({ region: undefined })).toThrow(/\[Backup\/Storage\] region: a custom endpoint needs a region/);
    });
    test.each([
      ['My_Bucket', /bucket: "My_Bucket" breaks S3 naming rules/],
      ['ab', /bucket: "ab" has 2 characters/],
      ['a'.repeat(64), /has 64 characters/],
      ['my..bucket', /two dots in a row/],
      ['192.168.5.4', /must not look like an IP address/],
      ['xn--bucket', /the prefix "xn--" is reserved/],
      ['backups-s3alias', /the suffix "-s3alias" is reserved/],
      ['-backups', /breaks S3 naming rules/],
    ])('bucket %j', (bucket, re) => {
      expect(make({ bucket })).toThrow(re);
      expect(make({ bucket })).toThrow(/\[Backup\/Storage\] bucket:/);
    });
    test('prefix with slashes', () => {
      expect(make({ prefix: '/velero/' })).toThrow(/prefix: "\/velero\/" is not a bucket prefix/);
    });
    test('encryption missing or wrong', () => {
      expect(make({ encryption: undefined })).toThrow(/encryption: undefined is not a BucketEncryption; choose BucketEncryption.s3Managed\(\)/);
      expect(make({ encryption: 'AES256' })).toThrow(/encryption: "AES256" is not a BucketEncryption/);
      expect(make({ encryption: BucketEncryption.unencrypted('') })).toThrow(/encryption.reason: "" is not a reason/);
      expect(make({ encryption: BucketEncryption.kms('') })).toThrow(/encryption.kmsKeyId: "" is not a KMS key id/);
      expect(make({ encryption: BucketEncryption.customerKey('customer-key') })).toThrow(/encryption.keyFile: "customer-key" is not an absolute file path/);
    });
    test('SSE-C over http', () => {
      expect(make({ endpoint: 'http://minio:9000', encryption: BucketEncryption.customerKey('/credentials/k') })).toThrow(/endpoint: "http:\/\/minio:9000" is plain http; object stores refuse SSE-C keys over http/);
    });
    test('credentials must be a SecretKey', () => {
      expect(make({ credentials: 'cloud-credentials' })).toThrow(/credentials: must be a SecretKey.of/);
    });
    test('all problems together', () => {
      expect(make({ bucket: 'X', endpoint: 'nope', encryption: undefined })).toThrow(/3 problems found/);
    });
  });

  test('bucketNameProblem accepts valid names', () => {
    for (const b of ['community-backups', 'a.b.c', 'abc', 'x'.repeat(63)]) expect(bucketNameProblem(b)).toBeUndefined();
  });
});
