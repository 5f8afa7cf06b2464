import { ApiObject, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { BackupStorage, BucketEncryption } from '../../lib/backup';
import { SecretKey } from '../../lib/core/secret-key';
import { databaseCost, PGO_OPERATOR, PXC_OPERATOR, PerconaXtraDBCluster, PerconaXtraDBClusterProps, PostgresCluster, PostgresClusterProps } from '../../lib/databases';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { OperatorInstall, OperatorTargets } from '../../lib/olm/operator-install';
import { External } from '../../lib/refs/provides';
import { find, problemsOf, synth, synthClosed, testCluster } from '../_helpers';

const NS = 'gitlab-db';
const q = (v: string) => k8s.Quantity.fromString(v);

function world() {
  const cluster = testCluster();
  const app = new GitOpsApp(cluster, 'Db', { name: 'db', namespace: NS });
  new k8s.KubeNamespace(app, 'Namespace', { metadata: { name: NS } });
  const pgCreds = External.secret(app, 'pgbackrest-s3', { keys: ['s3.conf'], providedBy: 'sealed-secret', note: '[global] repo1-s3-key, repo1-s3-key-secret, repo1-cipher-pass' });
  const pxcCreds = External.secret(app, 'pxc-backup-s3', { keys: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'], providedBy: 'sealed-secret', note: 'S3 keys of the backup bucket' });
  return { cluster, app, pgCreds, pxcCreds };
}

function pgProps(creds: External, over: Partial<PostgresClusterProps> = {}): PostgresClusterProps {
  return {
    name: 'gitlab',
    namespace: NS,
    postgresVersion: 16,
    instances: [{ replicas: 2, storage: '20Gi', storageClass: 'ocs-storagecluster-ceph-rbd', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } } }],
    users: [{ name: 'gitlab', databases: ['gitlabhq_production'] }, { name: 'monitor' }],
    backups: {
      s3: { bucket: 'db-backups', region: 'us-east-1', endpoint: 'https://minio.example.org:9000' },
      credentials: creds,
      schedules: { full: '0 1 * * 0', differential: '0 1 * * 1-6', incremental: '0 */4 * * *' },
      retention: { full: 4, differential: 6 },
    },
    ...over,
  };
}

function pxcProps(creds: External, over: Partial<PerconaXtraDBClusterProps> = {}): PerconaXtraDBClusterProps {
  return {
    name: 'forum-mysql',
    namespace: NS,
    storage: '10Gi',
    resources: { requests: { cpu: '1', memory: '2Gi' } },
    backups: { s3: { bucket: 'db-backups', region: 'eu-west-1' }, credentials: creds, schedule: '30 2 * * *', keep: 7, encryptedBy: 'SSE-KMS default encryption of the bucket' },
    ...over,
  };
}

/** A consumer Deployment reading a Secret key and connecting to a host. */
function consumer(app: GitOpsApp, id: string, secret: SecretKey, host: string) {
  new k8s.KubeDeployment(app, id, {
    metadata: { name: id.toLowerCase() },
    spec: {
      selector: { matchLabels: { app: id.toLowerCase() } },
      template: {
        metadata: { labels: { app: id.toLowerCase() } },
        spec: {
          containers: [{
            name: 'app',
            image: 'registry.example.org/app@sha256:' + 'a'.repeat(64),
            env: [{ name: 'DB_HOST', value: host }, { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: secret.toSelector() } }],
            resources: { requests: { cpu: q('100m'), memory: q('128Mi') }, limits: { cpu: q('1'), memory: q('256Mi') } },
          }],
        },
      },
    },
  });
}

describe('PostgresCluster', () => {
  test('renders a schema-valid PostgresCluster with instances, users and pgBackRest backups (schedules, retention, encryption)', () => {
    const { cluster, app, pgCreds } = world();
    new PostgresCluster(app, 'Pg', pgProps(pgCreds));
    const m = find(synth(cluster), 'PostgresCluster', 'gitlab', NS);
    expect(m.apiVersion).toBe('postgres-operator.crunchydata.com/v1beta1');
    expect(m.spec.postgresVersion).toBe(16);
    expect(m.spec.instances).toEqual([{
      name: 'instance1', replicas: 2,
      dataVolumeClaimSpec: { accessModes: ['ReadWriteOnce'], storageClassName: 'ocs-storagecluster-ceph-rbd', resources: { requests: { storage: '20Gi' } } },
      resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
    }]);
    expect(m.spec.users).toEqual([{ name: 'gitlab', databases: ['gitlabhq_production'] }, { name: 'monitor' }]);
    const pgbr = m.spec.backups.pgbackrest;
    expect(pgbr.repos).toEqual([{
      name: 'repo1',
      s3: { bucket: 'db-backups', endpoint: 'minio.example.org', region: 'us-east-1' },
      schedules: { full: '0 1 * * 0', differential: '0 1 * * 1-6', incremental: '0 */4 * * *' },
    }]);
    expect(pgbr.global).toEqual({
      'repo1-path': `/pgbackrest/${NS}/gitlab`,
      'repo1-retention-full': '4',
      'repo1-retention-full-type': 'count',
      'repo1-retention-diff': '6',
      'repo1-s3-uri-style': 'path',
      'repo1-storage-port': '9000',
      'repo1-cipher-type': 'aes-256-cbc',
    });
    expect(pgbr.configuration).toEqual([{ secret: { name: 'pgbackrest-s3', items: [{ key: 's3.conf', path: 's3.conf' }] } }]);
    expect(JSON.stringify(m)).not.toMatch(/s3-key-secret=|cipher-pass=/);
  });

  test('a user owns the databases it lists first (PGO only grants ALL, and PG 15+ gives no CREATE in schema public then)', () => {
    const { cluster, app, pgCreds } = world();
    new PostgresCluster(app, 'Pg', pgProps(pgCreds, { users: [{ name: 'app', databases: ['app', 'shared'] }, { name: 'reader', databases: ['shared'] }, { name: 'monitor' }] }));
    const r = synth(cluster);
    expect(find(r, 'PostgresCluster', 'gitlab', NS).spec.databaseInitSQL).toEqual({ name: 'gitlab-init-sql', key: 'init.sql' });
    expect(find(r, 'ConfigMap', 'gitlab-init-sql', NS).data['init.sql'].split('\n')).toEqual([
      'ALTER DATABASE "app" OWNER TO "app";', '\\connect app', 'ALTER SCHEMA public OWNER TO "app";',
      'ALTER DATABASE "shared" OWNER TO "app";', '\\connect shared', 'ALTER SCHEMA public OWNER TO "app";', '',
    ]);
    const { cluster: c2, app: a2, pgCreds: p2 } = world();
    new PostgresCluster(a2, 'Pg', pgProps(p2, { users: [{ name: 'monitor' }] }));
    expect(find(synth(c2), 'PostgresCluster', 'gitlab', NS).spec.databaseInitSQL).toBeUndefined();
  });

  test('the output is checked against the 4.14 profile schema (an override breaking it fails the synth)', () => {
    const { cluster, app, pgCreds } = world();
    const pg = new PostgresCluster(app, 'Pg', pgProps(pgCreds));
    (pg.node.defaultChild as ApiObject).addJsonPatch(JsonPatch.add('/spec/instances/0/replicas', 0));
    const problems = problemsOf(() => synth(cluster));
    expect(problems.map((p) => [p.path, p.field])).toEqual([['Db/Pg/Resource', '/spec/instances/0/replicas']]);
  });

  test('takes bucket, region, endpoint and addressing style from a BackupStorage', () => {
    const { cluster, app, pgCreds } = world();
    const platform = new GitOpsApp(cluster, 'Backup', { name: 'backup' });
    const storage = new BackupStorage(platform, 'Storage', {
      name: 'default', bucket: 'encrypted-backups', region: 'us-east-1', endpoint: 'https://rgw.example.org',
      credentials: SecretKey.of('cloud-credentials', 'cloud'), encryption: BucketEncryption.s3Managed(),
    });
    new PostgresCluster(app, 'Pg', pgProps(pgCreds, { backups: { ...pgProps(pgCreds).backups!, s3: { storage } } }));
    const m = find(synth(cluster), 'PostgresCluster', 'gitlab', NS);
    expect(m.spec.backups.pgbackrest.repos[0].s3).toEqual({ bucket: 'encrypted-backups', endpoint: 'rgw.example.org', region: 'us-east-1' });
    expect(m.spec.backups.pgbackrest.global['repo1-s3-uri-style']).toBe('path');
    expect(m.spec.backups.pgbackrest.global['repo1-storage-port']).toBeUndefined();
  });

  test('typed handles: primaryHost and userSecret resolve for a consumer with every check on', () => {
    const { cluster, app, pgCreds } = world();
    const pg = new PostgresCluster(app, 'Pg', pgProps(pgCreds));
    expect(pg.primaryHost).toBe(`gitlab-primary.${NS}.svc`);
    expect(pg.userSecret('gitlab', 'uri').toSelector()).toEqual({ name: 'gitlab-pguser-gitlab', key: 'uri' });
    consumer(app, 'Web', pg.userSecret('gitlab'), pg.primaryHost);
    expect(problemsOf(() => synthClosed(cluster))).toEqual([]);
  });

  test('userSecret refuses an undeclared user, and database keys for a user without databases', () => {
    const { app, pgCreds } = world();
    const pg = new PostgresCluster(app, 'Pg', pgProps(pgCreds));
    expect(problemsOf(() => pg.userSecret('nobody'))).toEqual([{ path: 'Db/Pg', field: 'userSecret', message: expect.stringMatching(/"nobody" is not a user of this PostgresCluster; declared users: gitlab, monitor/) }]);
    expect(problemsOf(() => pg.userSecret('monitor', 'uri'))[0].message).toMatch(/"uri" is not a key PGO writes for user "monitor"/);
    expect(pg.userSecret('monitor', 'password').toString()).toBe('gitlab-pguser-monitor/password');
  });

  test('a consumer of a key PGO does not write for that user fails the closed synth', () => {
    const { cluster, app, pgCreds } = world();
    new PostgresCluster(app, 'Pg', pgProps(pgCreds));
    consumer(app, 'Web', SecretKey.of('gitlab-pguser-monitor', 'no-such-key'), 'x');
    const problems = problemsOf(() => synthClosed(cluster));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.some((p) => p.path === 'Db/Web' && /no-such-key/.test(p.message))).toBe(true);
  });

  test('the uri of a user without databases does not resolve: PGO writes dbname, uri and jdbc-uri only for users with databases', () => {
    const { cluster, app, pgCreds } = world();
    new PostgresCluster(app, 'Pg', pgProps(pgCreds));
    consumer(app, 'Web', SecretKey.of('gitlab-pguser-monitor', 'uri'), 'x');
    const problems = problemsOf(() => synthClosed(cluster));
    expect(problems.some((p) => p.path === 'Db/Web' && /gitlab-pguser-monitor.*"uri"/.test(p.message))).toBe(true);
  });

  test('bad props are refused together, each with the construct path and field', () => {
    const { app, pgCreds } = world();
    const problems = problemsOf(() => new PostgresCluster(app, 'Bad', pgProps(pgCreds, {
      postgresVersion: 13,
      instances: [{ storage: 'lots', resources: { requests: { cpu: '4' }, limits: { cpu: '2' } } }],
      users: [{ name: 'Gitlab_User', options: 'SUPERUSER PASSWORD \'x\'' }],
      backups: { ...pgProps(pgCreds).backups!, schedules: { full: '0 25 * * *' }, retention: { full: 0 } },
    })));
    expect(problems.map((p) => `${p.path} ${p.field}`)).toEqual([
      'Db/Bad postgresVersion',
      'Db/Bad instances[0].storage',
      'Db/Bad instances[0].resources.requests.cpu',
      'Db/Bad users[0].name',
      'Db/Bad users[0].options',
      'Db/Bad backups.schedules.full',
      'Db/Bad backups.retention.full',
    ]);
    expect(problems[0].message).toMatch(/allowed: 15, 16, 17, 18/);
  });

  test('credentials must be an External Secret in the database namespace listing the key', () => {
    const { app, pgCreds } = world();
    const elsewhere = External.secret(app, 's3', { namespace: 'other', keys: ['s3.conf'], providedBy: 'by-hand', note: 'x' });
    const noKey = External.secret(app, 's3-nokey', { keys: ['other'], providedBy: 'by-hand', note: 'x' });
    const base = pgProps(pgCreds).backups!;
    expect(problemsOf(() => new PostgresCluster(app, 'A', pgProps(pgCreds, { backups: { ...base, credentials: SecretKey.of('s3', 'k') as any } })))[0])
      .toEqual({ path: 'Db/A', field: 'backups.credentials', message: expect.stringMatching(/^must be an External.secret/) });
    expect(problemsOf(() => new PostgresCluster(app, 'B', pgProps(pgCreds, { backups: { ...base, credentials: elsewhere } })))[0].message).toMatch(/in namespace "other"; the operator reads it from the database's namespace "gitlab-db"/);
    expect(problemsOf(() => new PostgresCluster(app, 'C', pgProps(pgCreds, { backups: { ...base, credentials: noKey } })))[0].message).toMatch(/does not list the key "s3.conf"/);
  });

  test('no backups only with a written reason; unencrypted backups only with a reason, which is annotated', () => {
    const { cluster, app, pgCreds } = world();
    expect(problemsOf(() => new PostgresCluster(app, 'A', pgProps(pgCreds, { backups: undefined })))).toEqual([{ path: 'Db/A', field: 'backups', message: expect.stringMatching(/are required/) }]);
    new PostgresCluster(app, 'B', pgProps(pgCreds, { name: 'scratch', backups: undefined, withoutBackupsReason: 'CI scratch database, rebuilt on every run' }));
    new PostgresCluster(app, 'C', pgProps(pgCreds, { name: 'plain', backups: { ...pgProps(pgCreds).backups!, unencryptedReason: 'bucket is encrypted with SSE-KMS' } }));
    const r = synth(cluster);
    const scratch = find(r, 'PostgresCluster', 'scratch');
    expect(scratch.spec.backups).toBeUndefined();
    expect(scratch.metadata.annotations['ocpkit.io/database-backup-waiver']).toBe('CI scratch database, rebuilt on every run');
    const plain = find(r, 'PostgresCluster', 'plain');
    expect(plain.spec.backups.pgbackrest.global['repo1-cipher-type']).toBeUndefined();
    expect(plain.metadata.annotations['ocpkit.io/database-backup-waiver']).toBe('bucket is encrypted with SSE-KMS');
  });

  test('a name too long for the backup CronJob names is refused', () => {
    const { app, pgCreds } = world();
    const problems = problemsOf(() => new PostgresCluster(app, 'Long', pgProps(pgCreds, { name: 'a'.repeat(42) })));
    expect(problems).toEqual([{ path: 'Db/Long', field: 'name', message: expect.stringMatching(/is 42 characters; at most 41/) }]);
  });
});

describe('PerconaXtraDBCluster', () => {
  test('renders a schema-valid cluster with HAProxy and scheduled S3 backups with retention', () => {
    const { cluster, app, pxcCreds } = world();
    new PerconaXtraDBCluster(app, 'My', pxcProps(pxcCreds));
    const m = find(synth(cluster), 'PerconaXtraDBCluster', 'forum-mysql', NS);
    expect(m.apiVersion).toBe('pxc.percona.com/v1');
    expect(m.spec.crVersion).toBe('1.14.0');
    expect(m.spec.pxc.size).toBe(3);
    expect(m.spec.pxc.resources).toEqual({ requests: { cpu: '1', memory: '2Gi' } });
    expect(m.spec.pxc.volumeSpec.persistentVolumeClaim.resources.requests.storage).toBe('10Gi');
    expect(m.spec.haproxy).toMatchObject({ enabled: true, size: 2 });
    expect(m.spec.backup.storages['s3-backups']).toEqual({
      type: 's3',
      s3: { bucket: `db-backups/pxc/${NS}/forum-mysql`, credentialsSecret: 'pxc-backup-s3', region: 'eu-west-1', endpointUrl: 'https://s3.eu-west-1.amazonaws.com' },
    });
    expect(m.metadata.annotations['ocpkit.io/backup-encrypted-by']).toBe('SSE-KMS default encryption of the bucket');
    expect(m.spec.backup.schedule).toEqual([{ name: 'scheduled', schedule: '30 2 * * *', keep: 7, storageName: 's3-backups' }]);
  });

  test('the users Secret and the HAProxy Service resolve for a consumer with every check on', () => {
    const { cluster, app, pxcCreds } = world();
    const my = new PerconaXtraDBCluster(app, 'My', pxcProps(pxcCreds));
    expect(my.host).toBe(`forum-mysql-haproxy.${NS}.svc`);
    consumer(app, 'Forum', my.userSecret('root'), my.host);
    expect(problemsOf(() => synthClosed(cluster))).toEqual([]);
  });

  test('sizes the operator would silently rewrite, long names and bad backups are refused with path and field', () => {
    const { app, pxcCreds } = world();
    const problems = problemsOf(() => new PerconaXtraDBCluster(app, 'Bad', pxcProps(pxcCreds, {
      name: 'a-very-long-cluster-name', size: 4, haproxySize: 1,
      backups: { s3: { bucket: 'db-backups', region: 'eu-west-1' }, credentials: pxcCreds, schedule: 'daily', keep: 0, encryptedBy: ' ' },
    })));
    expect(problems.map((p) => `${p.path} ${p.field}`)).toEqual(['Db/Bad name', 'Db/Bad size', 'Db/Bad haproxySize', 'Db/Bad backups.schedule', 'Db/Bad backups.keep', 'Db/Bad backups.encryptedBy']);
    expect(problems[0].message).toMatch(/at most 22/);
  });
});

describe('databaseCost (for the tenant capacity check)', () => {
  test('costs the instance pods, their volumes and a backup run of a PostgresCluster', () => {
    const { cluster, app, pgCreds } = world();
    new PostgresCluster(app, 'Pg', pgProps(pgCreds, { backups: { ...pgProps(pgCreds).backups!, jobResources: { requests: { cpu: '200m' } } } }));
    const cost = databaseCost(find(synth(cluster), 'PostgresCluster', 'gitlab'))!;
    expect(cost.claims).toEqual([{ part: 'pgdata of instance1', count: 2, storage: '20Gi', storageClass: 'ocs-storagecluster-ceph-rbd' }]);
    expect(cost.pods.map((p) => [p.part, p.count, p.containers.map((c) => c.container.name)])).toEqual([
      ['instance set instance1', 2, ['postgres-startup', 'database', 'replication-cert-copy', 'pgbackrest', 'pgbackrest-config']],
      ['backup job', 1, ['pgbackrest']],
    ]);
    expect(cost.pods[0].containers[1].container.resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } });
    expect(cost.pods[1].containers[0].container.resources).toEqual({ requests: { cpu: '200m' } });
  });

  test('costs the PXC nodes, HAProxy pods and datadir volumes; other kinds have none', () => {
    const { cluster, app, pxcCreds } = world();
    new PerconaXtraDBCluster(app, 'My', pxcProps(pxcCreds, { size: 5 }));
    const cost = databaseCost(find(synth(cluster), 'PerconaXtraDBCluster', 'forum-mysql'))!;
    expect(cost.pods.map((p) => [p.part, p.count])).toEqual([['pxc', 5], ['haproxy', 2], ['backup scheduled', 1]]);
    expect(cost.claims).toEqual([{ part: 'datadir', count: 5, storage: '10Gi', storageClass: undefined }]);
    expect(databaseCost({ apiVersion: 'apps/v1', kind: 'Deployment' })).toBeUndefined();
  });
});

describe('operator pins', () => {
  test('install both operators from the 4.14 catalog pins, schema-valid', () => {
    const cluster = testCluster();
    const ops = new GitOpsApp(cluster, 'Ops', { name: 'ops' });
    new OperatorInstall(ops, 'Pgo', { ...PGO_OPERATOR, namespace: 'pgo', targets: OperatorTargets.allNamespaces() });
    new OperatorInstall(ops, 'Pxc', { ...PXC_OPERATOR, namespace: NS });
    const r = synth(cluster);
    expect(find(r, 'Subscription', 'crunchy-postgres-operator', 'pgo').spec).toMatchObject({ channel: 'v5', startingCSV: 'postgresoperator.v5.8.7', source: 'certified-operators' });
    expect(find(r, 'Subscription', 'percona-xtradb-cluster-operator-certified', NS).spec).toMatchObject({ channel: 'stable', startingCSV: 'percona-xtradb-cluster-operator-certified.v1.14.0' });
  });
});
