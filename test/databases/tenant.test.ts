import { tenant } from '../backup/_fixtures';
import { PostgresCluster } from '../../lib/databases';
import { External } from '../../lib/refs/provides';
import { find, problemsOf, synth, testCluster } from '../_helpers';

describe('a database owned by a tenant', () => {
  test('a PostgresCluster in a tenant namespace synthesizes with the tenant policies on', () => {
    const cluster = testCluster();
    const t = tenant(cluster, 'forum');
    const ns = t.namespaceObject.metadata.name!;
    const creds = External.secret(t, 'pgbackrest-s3', { namespace: ns, keys: ['s3.conf'], providedBy: 'sealed-secret', note: 'repo1-s3-key, repo1-s3-key-secret, repo1-cipher-pass' });
    new PostgresCluster(t, 'Db', {
      name: 'forum', namespace: ns, postgresVersion: 16,
      instances: [{ storage: '5Gi', resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } } }],
      users: [{ name: 'forum', databases: ['forum'] }],
      backups: { s3: { bucket: 'tenant-backups', region: 'us-east-1', endpoint: 'https://minio.example.org' }, credentials: creds, schedules: { full: '0 3 * * 0', incremental: '0 3 * * 1-6' }, retention: { full: 2 } },
    });
    let r: any;
    expect(problemsOf(() => { r = synth(cluster); })).toEqual([]);
    expect(find(r, 'PostgresCluster', 'forum', ns).spec.instances[0].replicas).toBe(1);
  });

  test('it counts against the tenant\'s quota: three instances of 30Gi do not fit a 50Gi storage quota', () => {
    const cluster = testCluster();
    const t = tenant(cluster, 'forum');
    const ns = t.namespaceObject.metadata.name!;
    const creds = External.secret(t, 'pgbackrest-s3', { namespace: ns, keys: ['s3.conf'], providedBy: 'sealed-secret', note: 'repo1-s3-key, repo1-s3-key-secret, repo1-cipher-pass' });
    new PostgresCluster(t, 'Db', {
      name: 'forum', namespace: ns, postgresVersion: 16,
      instances: [{ replicas: 3, storage: '30Gi', resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '500m', memory: '1Gi' } } }],
      users: [{ name: 'forum', databases: ['forum'] }],
      backups: { s3: { bucket: 'tenant-backups', region: 'us-east-1', endpoint: 'https://minio.example.org' }, credentials: creds, schedules: { full: '0 3 * * 0' }, retention: { full: 2 } },
    });
    const messages = problemsOf(() => synth(cluster)).map((p) => p.message);
    expect(messages).toContain('requests.storage: the workloads of tenant "forum" need 90Gi (forum pgdata of instance1 3×30Gi) but ResourceQuota "tenant-quota" allows 50Gi; raise quota.storage of the tenant or shrink the workloads');
    expect(messages.some((m) => /^limits\.memory: .*forum instance set instance1 3×/.test(m))).toBe(true);
  });
});
