import { SecretKey } from '../../lib/core/secret-key';
import { ExternalImage } from '../../lib/openshift/external-image';
import { BACKUP_ISOLATION_CHECK, BackupStorage, BackupStorageProps, EtcdBackup, backupTargetsOf } from '../../lib/backup';
import { Cluster } from '../../lib/gitops/cluster';
import { synthesize } from '../../lib/pipeline-defaults';
import { testCluster, validator } from '../_helpers';
import { backupApp, storageProps } from './_fixtures';
import { testRecipient } from './_etcd-keys';

/** One environment with a Velero location (and optionally an etcd copy). */
function env(name: string, over: Partial<BackupStorageProps>, etcd?: { prefix: string; identity?: string }): Cluster {
  const cluster = testCluster(name);
  const app = backupApp(cluster);
  const storage = new BackupStorage(app, 'Storage', storageProps(over));
  if (etcd) {
    new EtcdBackup(app, 'Etcd', {
      encryptTo: testRecipient(),
      copyTo: { storage, prefix: etcd.prefix, credentialsIdentity: etcd.identity, credentials: SecretKey.of('etcd-s3', 'cloud'), image: ExternalImage.parse('public.ecr.aws/aws-cli/aws-cli:2.22.35') },
    });
  }
  return cluster;
}

const run = (...clusters: Cluster[]) => () => synthesize(clusters, { validator: validator(), references: false, checks: [BACKUP_ISOLATION_CHECK] });

describe('backup isolation between environments', () => {
  test('own prefix and own credentials per environment: accepted', () => {
    expect(run(
      env('staging', { prefix: 'velero/staging', credentialsIdentity: 'velero-staging' }, { prefix: 'etcd/staging', identity: 'etcd-staging' }),
      env('production', { prefix: 'velero/production', credentialsIdentity: 'velero-production' }, { prefix: 'etcd/production', identity: 'etcd-production' }),
    )).not.toThrow();
  });

  test('own bucket per environment: the same prefix is fine', () => {
    expect(run(
      env('staging', { bucket: 'backups-staging', prefix: 'velero', credentialsIdentity: 'velero-staging' }),
      env('production', { bucket: 'backups-production', prefix: 'velero', credentialsIdentity: 'velero-production' }),
    )).not.toThrow();
  });

  test('a shared bucket and prefix is refused, naming both locations', () => {
    expect(run(
      env('staging', { prefix: 'velero', credentialsIdentity: 'velero-staging' }),
      env('production', { prefix: 'velero', credentialsIdentity: 'velero-production' }),
    )).toThrow(/\[Backup\/Storage\] prefix: the velero location of staging \(s3:\/\/community-backups\/velero at minio.example.org:9000\) overlaps the velero location of production \(s3:\/\/community-backups\/velero at minio.example.org:9000, Backup\/Storage\); each environment needs its own bucket or a prefix of its own/);
  });

  test('nested prefixes and a bucket without prefix overlap too', () => {
    expect(run(
      env('staging', { prefix: 'velero', credentialsIdentity: 'velero-staging' }),
      env('production', { prefix: 'velero/production', credentialsIdentity: 'velero-production' }),
    )).toThrow(/prefix: the velero location of staging .* overlaps the velero location of production/);
    expect(run(
      env('staging', { prefix: undefined, credentialsIdentity: 'velero-staging' }),
      env('production', { prefix: 'velero/production', credentialsIdentity: 'velero-production' }),
    )).toThrow(/overlaps/);
  });

  test('the same bucket name on another object store is another bucket', () => {
    expect(run(
      env('staging', { endpoint: 'https://minio-a.example.org', prefix: 'velero', credentialsIdentity: 'velero-staging' }),
      env('production', { endpoint: 'https://minio-b.example.org', prefix: 'velero', credentialsIdentity: 'velero-production' }),
    )).not.toThrow();
  });

  test('shared credentials are refused, the etcd copy included', () => {
    expect(run(
      env('staging', { prefix: 'velero/staging', credentialsIdentity: 'velero' }),
      env('production', { prefix: 'velero/production', credentialsIdentity: 'velero' }),
    )).toThrow(/\[Backup\/Storage\] credentialsIdentity: "velero" is also the identity of the velero location of production \(Backup\/Storage\); each environment needs credentials of its own/);
    expect(run(
      env('staging', { prefix: 'velero/staging', credentialsIdentity: 'velero-staging' }, { prefix: 'etcd/staging', identity: 'etcd' }),
      env('production', { prefix: 'velero/production', credentialsIdentity: 'velero-production' }, { prefix: 'etcd/production', identity: 'etcd' }),
    )).toThrow(/\[Backup\/Etcd\] copyTo.credentialsIdentity: "etcd" is also the identity of the etcd copy of production/);
  });

  test('an etcd copy into another environment\'s prefix is refused', () => {
    expect(run(
      env('staging', { prefix: 'velero/staging', credentialsIdentity: 'velero-staging' }, { prefix: 'etcd/shared', identity: 'etcd-staging' }),
      env('production', { prefix: 'velero/production', credentialsIdentity: 'velero-production' }, { prefix: 'etcd/shared', identity: 'etcd-production' }),
    )).toThrow(/\[Backup\/Etcd\] copyTo.prefix: the etcd copy of staging \(s3:\/\/community-backups\/etcd\/shared at minio.example.org:9000\) overlaps the etcd copy of production/);
  });

  test('with several environments every target declares its credentials identity', () => {
    expect(run(
      env('staging', { prefix: 'velero/staging' }, { prefix: 'etcd/staging' }),
      env('production', { prefix: 'velero/production', credentialsIdentity: 'velero-production' }, { prefix: 'etcd/production', identity: 'etcd-production' }),
    )).toThrow(/\[Backup\/Storage\] credentialsIdentity: is not declared, so the velero location of staging cannot be checked[\s\S]*\[Backup\/Etcd\] copyTo.credentialsIdentity: is not declared/);
  });

  test('one environment alone needs no identity', () => {
    expect(run(env('production', { prefix: 'velero' }))).not.toThrow();
  });

  test('backupTargetsOf lists the Velero locations and the etcd copies', () => {
    const c = env('production', { prefix: 'velero', credentialsIdentity: 'velero-production' }, { prefix: 'etcd', identity: 'etcd-production' });
    expect(backupTargetsOf(c.node.findAll()).map((t) => [t.what, t.bucket, t.prefix, t.credentialsIdentity])).toEqual([
      ['velero location', 'community-backups', 'velero', 'velero-production'],
      ['etcd copy', 'community-backups', 'etcd', 'etcd-production'],
    ]);
  });
});
