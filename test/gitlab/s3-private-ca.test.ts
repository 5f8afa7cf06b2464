import { Quantity } from '../../lib/core/quantity';
import { SecretKey } from '../../lib/core/secret-key';
import { PerconaXtraDBCluster, PGBACKREST_CONF_DIR, PostgresCluster, S3Endpoint } from '../../lib/databases';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { GitLab, GitLabRunner, RunnerImages, RunnerJobNamespace } from '../../lib/gitlab';
import { RUNNER_CACHE_CA_DIR, runnerConfigToml } from '../../lib/gitlab/_runner-config';
import { Problems } from '../../lib/core/errors';
import { External } from '../../lib/refs/provides';
import { find, synth } from '../_helpers';
import { fixture, gitlabProps } from './_fixture';

const q = Quantity.parse;
const CA = { configMap: 'freeipa-ca', key: 'ca.crt' };
const RGW = 'https://s3.int.example.org';
const JOBS = {
  build: { cpuRequest: q('1'), cpuLimit: q('2'), memoryRequest: q('2Gi'), memoryLimit: q('4Gi') },
  helper: { cpuRequest: q('100m'), cpuLimit: q('500m'), memoryRequest: q('256Mi'), memoryLimit: q('512Mi') },
  service: { cpuRequest: q('250m'), cpuLimit: q('1'), memoryRequest: q('512Mi'), memoryLimit: q('1Gi') },
};

function pg(app: GitOpsApp, endpoint: string | S3Endpoint) {
  const creds = External.secret(app, 'pgbackrest-s3', { keys: ['s3.conf'], providedBy: 'sealed-secret', note: 'keys' });
  return new PostgresCluster(app, 'Db', {
    name: 'gitlab-db', namespace: 'gitlab-system', postgresVersion: 16,
    instances: [{ replicas: 1, storage: '10Gi' }], users: [{ name: 'gitlab', databases: ['gitlabhq_production'] }],
    backups: { s3: { bucket: 'db-backups', region: 'us-east-1', endpoint }, credentials: creds, schedules: { full: '0 1 * * 0' }, retention: { full: 2 } },
  });
}

function runner(cluster: any, server: string | S3Endpoint, configToml?: string) {
  const app = new GitOpsApp(cluster, 'Runners', { name: 'gitlab-runners', namespace: 'gitlab-runner-system' });
  const jobs = new RunnerJobNamespace(app, 'Jobs', { name: 'ci-jobs', quota: { cpu: q('16'), memory: q('64Gi'), pods: 30 }, maxPerContainer: { cpu: q('4'), memory: q('8Gi') } });
  return new GitLabRunner(app, 'Shared', {
    name: 'shared', server: { url: 'https://gitlab.example.org', gitlabVersion: '18.11.4' }, images: RunnerImages.openshift('18.11.3'),
    token: SecretKey.of('runner-shared', 'runner-token'), registration: {}, jobNamespace: jobs, jobResources: JOBS, concurrent: 2,
    cache: { server, bucket: 'runner-cache', credentialsSecretName: 'runner-cache-s3' }, configToml,
  });
}

describe('S3Endpoint: which CA signs an object store\'s certificate', () => {
  test('https endpoints only, the CA source named by ConfigMap and key', () => {
    const e = S3Endpoint.privateCa('https://s3.int.example.org:8443', CA);
    expect([e.url, e.host, e.port, e.hostPort, e.ca]).toEqual(['https://s3.int.example.org:8443', 's3.int.example.org', 8443, 's3.int.example.org:8443', CA]);
    expect(S3Endpoint.publicCa('https://s3.amazonaws.com').ca).toBeUndefined();
    expect(() => S3Endpoint.publicCa('http://s3.example.org')).toThrow(/\[S3Endpoint.publicCa\("http:\/\/s3.example.org"\)\] url: "http:\/\/s3.example.org" is not an https S3 endpoint/);
    expect(() => S3Endpoint.privateCa('https://s3.example.org/bucket', CA)).toThrow(/url: .* is not an https S3 endpoint/);
    expect(() => S3Endpoint.privateCa(RGW, { configMap: 'Bad_Name', key: 'ca.crt' })).toThrow(/ca.configMap: "Bad_Name"/);
    expect(() => S3Endpoint.privateCa(RGW, { configMap: 'freeipa-ca', key: 'a/b' })).toThrow(/ca.key: "a\/b" is not a ConfigMap key/);
  });
});

describe('a private CA reaches every client that speaks TLS to the store', () => {
  test('pgBackRest: the CA is projected into PGO\'s conf.d and named by repo1-storage-ca-file', () => {
    const f = fixture();
    pg(f.app, S3Endpoint.privateCa(RGW, CA));
    const pgbr = find(synth(f.cluster), 'PostgresCluster', 'gitlab-db', 'gitlab-system').spec.backups.pgbackrest;
    const projected = pgbr.configuration.find((c: any) => c.configMap);
    expect(projected).toEqual({ configMap: { name: 'freeipa-ca', items: [{ key: 'ca.crt', path: expect.any(String) }] } });
    // The file pgBackRest is told to read is the file PGO mounts.
    expect(pgbr.global['repo1-storage-ca-file']).toBe(`${PGBACKREST_CONF_DIR}/${projected.configMap.items[0].path}`);
    expect(projected.configMap.items[0].path).not.toMatch(/\.conf$/); // conf.d's *.conf files are parsed as configuration
    expect(pgbr.repos[0].s3.endpoint).toBe('s3.int.example.org');
  });

  test('pgBackRest with a public CA (or a plain URL): no CA file, the system store', () => {
    const f = fixture();
    pg(f.app, S3Endpoint.publicCa('https://s3.amazonaws.com'));
    const pgbr = find(synth(f.cluster), 'PostgresCluster', 'gitlab-db', 'gitlab-system').spec.backups.pgbackrest;
    expect(pgbr.global['repo1-storage-ca-file']).toBeUndefined();
    expect(pgbr.configuration.some((c: any) => c.configMap)).toBe(false);
  });

  test('GitLab: the CA ConfigMap joins global.certificates.customCAs (next to the Gitaly CA when there is one)', () => {
    const f = fixture();
    const gitlab = new GitLab(f.app, 'GitLab', gitlabProps(f, { objectStorage: { ...gitlabProps(f).objectStorage, endpoint: S3Endpoint.privateCa(RGW, CA) } }));
    expect((gitlab.chartValues() as any).global.certificates).toEqual({ customCAs: [{ configMap: 'freeipa-ca', keys: ['ca.crt'] }] });
    expect(gitlab.secretTemplates()['object-store-connection.yaml']).toMatch(/endpoint: https:\/\/s3.int.example.org\n/);
    const plain = new GitLab(f.app, 'Plain', gitlabProps(f, { name: 'plain' }));
    expect((plain.chartValues() as any).global.certificates).toBeUndefined();
  });

  test('the runner cache: the CA mounted into job pods and added to SSL_CERT_DIR with the system directories', () => {
    const f = fixture();
    const r = runner(f.cluster, S3Endpoint.privateCa(RGW, CA));
    const result = synth(f.cluster);
    expect(find(result, 'Runner', 'shared').spec.s3.server).toBe('s3.int.example.org');
    const toml: string = find(result, 'ConfigMap', 'shared-config', r.namespace).data['config.toml'];
    const env = /^ {2}environment = \["SSL_CERT_DIR=([^"]+)"\]$/m.exec(toml);
    expect(env?.[1].split(':')).toEqual([RUNNER_CACHE_CA_DIR, '/etc/ssl/certs', '/etc/pki/tls/certs']);
    const volume = toml.slice(toml.indexOf('[[runners.kubernetes.volumes.config_map]]'));
    expect(volume).toMatch(/name = "freeipa-ca"\n\s+mount_path = "([^"]+)"/);
    expect(/mount_path = "([^"]+)"/.exec(volume)?.[1]).toBe(RUNNER_CACHE_CA_DIR);
    expect(volume).toMatch(/\[runners.kubernetes.volumes.config_map.items\]\n\s+"ca.crt" = "[^"]+"/);
    // environment sits in [[runners]] (before its first sub-table), the volume after the kubernetes keys.
    expect(toml.indexOf('environment')).toBeLessThan(toml.indexOf('[runners.kubernetes]'));
    expect(toml.indexOf('namespace = "ci-jobs"')).toBeLessThan(toml.indexOf('[[runners.kubernetes.volumes.config_map]]'));
  });

  test('the runner cache with a template: the volume goes after the template\'s last table, and the template may not set environment', () => {
    const p = new Problems('t');
    const gen = { namespace: 'ci-jobs', priorityClassName: 'ci', resources: JOBS, cacheCa: CA };
    const out = runnerConfigToml(p, 'configToml', gen, '[[runners]]\n  output_limit = 8192\n  [runners.kubernetes]\n    poll_timeout = 300\n  [runners.cache]\n    MaxUploadedArchiveSize = 0\n')!;
    expect(p.all).toEqual([]);
    const lines = out.split('\n');
    expect(lines[1]).toMatch(/^ {2}environment = \["SSL_CERT_DIR=/);
    expect(out.indexOf('[runners.cache]')).toBeLessThan(out.indexOf('[[runners.kubernetes.volumes.config_map]]'));
    expect(out.indexOf('poll_timeout')).toBeLessThan(out.indexOf('[runners.cache]'));
    runnerConfigToml(p, 'configToml', gen, '[[runners]]\n  environment = ["A=1"]\n');
    expect(p.all.map((x) => x.message)).toEqual([expect.stringMatching(/^line 2: environment is set by ocpkit while the cache endpoint has a private CA/)]);
  });
});

describe('a private-CA store named by a plain URL elsewhere is refused at synth', () => {
  test('GitLab and the runner given the host of a private-CA store as strings', () => {
    const f = fixture();
    pg(f.app, S3Endpoint.privateCa(RGW, CA));
    new GitLab(f.app, 'GitLab', gitlabProps(f, { objectStorage: { ...gitlabProps(f).objectStorage, endpoint: RGW } }));
    runner(f.cluster, 's3.int.example.org');
    let message = '';
    try {
      synth(f.cluster);
    } catch (e) {
      message = String((e as Error).message);
    }
    expect(message).toMatch(/\[GitLab\/GitLab\] objectStorage.endpoint: "https:\/\/s3.int.example.org" is the object store https:\/\/s3.int.example.org, whose certificate a private CA signs \(ConfigMap freeipa-ca key ca.crt, declared at GitLab\/Db\); pass that S3Endpoint here/);
    expect(message).toMatch(/\[Runners\/Shared\] cache.server: "s3.int.example.org" is the object store/);
  });

  test('the same strings pass when no private-CA store has that host, and PGO given a string for a private store is refused too', () => {
    const ok = fixture();
    new GitLab(ok.app, 'GitLab', gitlabProps(ok, { objectStorage: { ...gitlabProps(ok).objectStorage, endpoint: RGW } }));
    expect(() => synth(ok.cluster)).not.toThrow();

    const f = fixture();
    new GitLab(f.app, 'GitLab', gitlabProps(f, { objectStorage: { ...gitlabProps(f).objectStorage, endpoint: S3Endpoint.privateCa(RGW, CA) } }));
    pg(f.app, RGW);
    expect(() => synth(f.cluster)).toThrow(/\[GitLab\/Db\] backups.s3.endpoint: "https:\/\/s3.int.example.org" is the object store/);
  });

  test('Percona XtraDB Cluster backups cannot take a private CA yet: refused, not silently broken', () => {
    const f = fixture();
    const creds = External.secret(f.app, 'pxc-s3', { keys: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'], providedBy: 'sealed-secret', note: 'keys' });
    expect(() => new PerconaXtraDBCluster(f.app, 'My', {
      name: 'forum-mysql', namespace: 'gitlab-system', storage: '10Gi', resources: { requests: { cpu: '1', memory: '2Gi' } },
      backups: { s3: { bucket: 'db-backups', region: 'us-east-1', endpoint: S3Endpoint.privateCa(RGW, CA) }, credentials: creds, schedule: '30 2 * * *', keep: 7, encryptedBy: 'SSE' },
    })).toThrow(/backups.s3.endpoint: https:\/\/s3.int.example.org has a private CA, which ocpkit cannot hand to Percona XtraDB Cluster backups yet/);
  });
});
