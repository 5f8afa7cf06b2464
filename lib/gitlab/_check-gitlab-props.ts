import { Problems, show } from '../core/errors';
import { Quantity } from '../core/quantity';
import { dnsLabel, dnsSubdomain, hostname, httpsUrl, intRange, nonEmpty, noUrlCredentials, oneOf } from '../core/rules';
import { PostgresCluster } from '../databases/postgres';
import { Redis } from '../databases/redis';
import { postgresProblem } from './_gitlab-release';
import { hostOrIp, s3Bucket, secretKeyRef, semver } from './_rules';
import { isPlainObject } from './_values';
import { BUCKET_VALUE_KEYS, REQUIRED_BUCKETS } from './chart-values';
import { S3Endpoint } from '../databases/s3-endpoint';
import { IGitalyEndpoint } from './gitaly-endpoint';
import { GitLabOperator } from './gitlab-operator';
// Type-only: gitlab.ts imports this module at run time, so no value may come back from it.
import type { GitLabComponentSizing, GitLabDatabaseOptions, GitLabObjectStorageOptions, GitLabOidcOptions, GitLabPostgres, GitLabProps, GitLabRedisOptions, GitLabSmtpOptions, GitLabTlsOptions } from './gitlab';

/** The validators of {@link GitLabProps}: each records its problems in `p` and never throws. */

/**
 * Every check of the props that needs no construct tree. `namespace` is the namespace of the
 * GitLab's chart (undefined outside a namespaced GitOpsApp).
 */
export function checkGitLabProps(p: Problems, props: GitLabProps, namespace: string | undefined): void {
  p.check('name', props.name, dnsLabel);
  p.check('chartVersion', props.chartVersion, semver);
  p.check('hostname', props.hostname, hostname);
  p.check('domain', props.domain, hostname);
  checkTls(p, props.tls);
  checkDatabase(p, props.database);
  checkRedis(p, props.redis);
  checkObjectStorage(p, props.objectStorage);
  checkGitaly(p, props.gitaly);
  if (props.oidc !== undefined) checkOidc(p, props.oidc);
  if (props.smtp !== undefined) checkSmtp(p, props.smtp);
  checkSizing(p, 'webservice', props.webservice);
  checkSizing(p, 'sidekiq', props.sidekiq);
  if (props.ingressClass !== undefined) p.check('ingressClass', props.ingressClass, dnsSubdomain);
  if (props.edition !== undefined) p.check('edition', props.edition, oneOf(['ce', 'ee']));
  if (props.values !== undefined && !isPlainObject(props.values)) p.add('values', `${show(props.values)} must be an object of chart values`);
  if (!namespace) p.add('namespace', 'a GitLab must be defined inside a GitOpsApp with a namespace (the namespace the GitLab Operator watches)');
  if (props.operator !== undefined) checkOperator(p, props.operator, props.chartVersion, namespace);
}

function checkOperator(p: Problems, operator: GitLabOperator, chartVersion: unknown, namespace: string | undefined): void {
  if (!(operator instanceof GitLabOperator)) return p.add('operator', 'must be a GitLabOperator');
  const supported = operator.supportedChartVersions;
  if (supported && typeof chartVersion === 'string' && !supported.includes(chartVersion)) {
    p.add('chartVersion', `"${chartVersion}" is not accepted by ${operator.startingCsv}; it deploys chart ${supported.join(', ')}`);
  }
  if (namespace && namespace !== operator.operatorNamespace) {
    p.add('namespace', `"${namespace}" is not watched by the GitLab Operator, which watches "${operator.operatorNamespace}"; define the GitLab in a GitOpsApp with that namespace`);
  }
}

function checkTls(p: Problems, tls: GitLabTlsOptions | undefined): void {
  if (!tls || typeof tls !== 'object') return p.add('tls', 'is required: the cert-manager issuer that signs the web certificate');
  if (!tls.issuer || typeof tls.issuer.issuerName !== 'string' || !['ClusterIssuer', 'Issuer'].includes(tls.issuer.issuerKind)) {
    p.add('tls.issuer', 'must be a cert-manager issuer (an AcmeClusterIssuer, or Issuers.clusterIssuer(name))');
  }
  if (tls.secretName !== undefined) p.check('tls.secretName', tls.secretName, dnsSubdomain);
}

/** True when `database` links a PostgresCluster of the stack (rather than naming an external host). */
export function isPostgresLink(db: unknown): db is GitLabPostgres {
  return isPlainObject(db) && 'cluster' in db;
}

function checkDatabase(p: Problems, db: GitLabPostgres | GitLabDatabaseOptions | undefined): void {
  if (!db || typeof db !== 'object') return p.add('database', 'is required: { cluster: aPostgresCluster, user } or the host and password Secret of an external PostgreSQL');
  if (isPostgresLink(db)) {
    if (!(db.cluster instanceof PostgresCluster)) return p.add('database.cluster', `${show(db.cluster)} is not a PostgresCluster`);
    const user = db.user ?? 'gitlab';
    const databases = db.cluster.databasesOf(user);
    if (databases === undefined) p.add('database.user', `${show(user)} is not a user of PostgresCluster "${db.cluster.name}"; add it to its users with GitLab's database`);
    else if (databases.length === 0) p.add('database.user', `user "${user}" of PostgresCluster "${db.cluster.name}" owns no database; give it databases: ["gitlabhq_production"] (PGO makes it their owner)`);
    return;
  }
  p.check('database.host', db.host, hostOrIp);
  if (db.port !== undefined) p.check('database.port', db.port, intRange(1, 65535));
  if (db.database !== undefined) p.check('database.database', db.database, nonEmpty);
  if (db.username !== undefined) p.check('database.username', db.username, nonEmpty);
  p.check('database.password', db.password, secretKeyRef());
}

/**
 * The database as the chart values need it: a PostgresCluster link becomes PGO's primary Service,
 * the user's first database and PGO's `<cluster>-pguser-<user>` Secret, and its PostgreSQL major
 * is checked against the GitLab release. Assumes {@link checkGitLabProps} ran on the same `p`.
 */
export function resolveDatabase(p: Problems, db: GitLabPostgres | GitLabDatabaseOptions, gitlabVersion: string | undefined): GitLabDatabaseOptions | undefined {
  if (!isPostgresLink(db)) return db;
  const cluster = db.cluster;
  const user = db.user ?? 'gitlab';
  if (!(cluster instanceof PostgresCluster) || !cluster.databasesOf(user)?.length) return undefined;
  const problem = gitlabVersion ? postgresProblem(gitlabVersion, cluster.postgresVersion) : undefined;
  if (problem) p.add('database.cluster', `PostgresCluster "${cluster.name}": ${problem}`);
  return { host: cluster.primaryHost, port: cluster.port, database: cluster.databaseOf(user), username: user, password: cluster.userSecret(user, 'password') };
}

function checkSmtp(p: Problems, m: GitLabSmtpOptions): void {
  if (!isPlainObject(m)) return p.add('smtp', `${show(m)} is not a mail setting; give { server: { host, port }, from } or leave smtp out`);
  if (!isPlainObject(m.server)) p.add('smtp.server', `${show(m.server)} is not a relay; give { host, port }`);
  else {
    p.check('smtp.server.host', m.server.host, hostOrIp);
    p.check('smtp.server.port', m.server.port, intRange(1, 65535));
  }
  for (const f of ['from', 'replyTo'] as const) {
    if (f === 'replyTo' && m[f] === undefined) continue;
    p.check(`smtp.${f}`, m[f], (v) => (typeof v === 'string' && /^[^\s@<>]+@[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(v) ? undefined : `${show(v)} is not an e-mail address (for example "gitlab@example.org")`));
  }
  if (m.displayName !== undefined) p.check('smtp.displayName', m.displayName, nonEmpty);
}

/** The Redis as the chart values need it: a {@link Redis} becomes its Service, port and password. */
export function resolveRedis(r: Redis | GitLabRedisOptions): GitLabRedisOptions {
  return r instanceof Redis ? { host: r.host, port: r.port, password: r.password } : r;
}

function checkRedis(p: Problems, r: Redis | GitLabRedisOptions | undefined): void {
  if (r instanceof Redis) return;
  if (!r || typeof r !== 'object') return p.add('redis', 'is required: a Redis of the stack, or the host (and password) of an external one');
  p.check('redis.host', r.host, hostOrIp);
  if (r.port !== undefined) p.check('redis.port', r.port, intRange(1, 65535));
  if (r.password !== undefined) p.check('redis.password', r.password, secretKeyRef());
}

function checkObjectStorage(p: Problems, os: GitLabObjectStorageOptions | undefined): void {
  if (!os || typeof os !== 'object') return p.add('objectStorage', 'is required: the S3 endpoint, connection Secret and buckets');
  if (os.endpoint instanceof S3Endpoint) {
    // Validated when it was made.
  } else {
    p.check('objectStorage.endpoint', os.endpoint, noUrlCredentials);
    p.check('objectStorage.endpoint', os.endpoint, (v) => (noUrlCredentials(v) !== undefined || httpsUrl(v) === undefined || (typeof v === 'string' && v.startsWith('http://')) ? undefined : `${show(v)} is not an S3 endpoint URL (for example "https://s3.example.org")`));
  }
  if (os.region !== undefined) p.check('objectStorage.region', os.region, nonEmpty);
  p.check('objectStorage.connection', os.connection, secretKeyRef());
  const buckets: unknown = os.buckets;
  if (!isPlainObject(buckets)) {
    p.add('objectStorage.buckets', `is required: name the bucket of each object type (${REQUIRED_BUCKETS.join(', ')})`);
    return;
  }
  for (const b of REQUIRED_BUCKETS) {
    if (buckets[b] === undefined || buckets[b] === '') p.add(`objectStorage.buckets.${b}`, `has no bucket; object storage needs a bucket for ${b}`);
  }
  const seen = new Map<string, string>();
  for (const [k, v] of Object.entries(buckets)) {
    if (!(k in BUCKET_VALUE_KEYS)) {
      p.add(`objectStorage.buckets.${k}`, `is not an object type; use ${Object.keys(BUCKET_VALUE_KEYS).join(', ')}`);
      continue;
    }
    if (v === undefined || v === '') continue;
    // a name that passes the rule is a string; the typeof only tells the compiler
    if (!p.check(`objectStorage.buckets.${k}`, v, s3Bucket) || typeof v !== 'string') continue;
    if (seen.has(v)) p.add(`objectStorage.buckets.${k}`, `"${v}" is also the ${seen.get(v)} bucket; every object type needs its own bucket`);
    else seen.set(v, k);
  }
}

function checkGitaly(p: Problems, g: IGitalyEndpoint | undefined): void {
  if (!g || typeof g !== 'object') return p.add('gitaly', 'is required: an ExternalGitaly (the chart runs no Gitaly of its own here)');
  if (g.storageName !== 'default') p.add('gitaly.storageName', `${show(g.storageName)}: the chart needs one Gitaly storage named "default"`);
  p.check('gitaly.gitalyHost', g.gitalyHost, hostOrIp);
  p.check('gitaly.gitalyPort', g.gitalyPort, intRange(1, 65535));
  p.check('gitaly.sshHost', g.sshHost, hostname);
  p.check('gitaly.sshPort', g.sshPort, intRange(1, 65535));
  p.check('gitaly.authToken', g.authToken, secretKeyRef());
  p.check('gitaly.shellSecret', g.shellSecret, secretKeyRef());
}

function checkOidc(p: Problems, o: GitLabOidcOptions): void {
  if (!isPlainObject(o)) return p.add('oidc', `${show(o)} is not an OpenID Connect setting; give { issuer, clientId, provider } or leave oidc out`);
  p.check('oidc.issuer', o.issuer, httpsUrl);
  p.check('oidc.clientId', o.clientId, nonEmpty);
  p.check('oidc.provider', o.provider, secretKeyRef());
  if (o.label !== undefined) p.check('oidc.label', o.label, nonEmpty);
  if (o.uidField !== undefined) p.check('oidc.uidField', o.uidField, nonEmpty);
}

function checkSizing(p: Problems, name: string, s: GitLabComponentSizing | undefined): void {
  if (s === undefined) return;
  if (!isPlainObject(s)) return p.add(name, `${show(s)} is not a sizing; give { minReplicas, maxReplicas, cpu, memory, memoryLimit } or leave ${name} out`);
  if (s.minReplicas !== undefined) p.check(`${name}.minReplicas`, s.minReplicas, intRange(0, 100));
  if (s.maxReplicas !== undefined) p.check(`${name}.maxReplicas`, s.maxReplicas, intRange(1, 100));
  if (typeof s.minReplicas === 'number' && typeof s.maxReplicas === 'number' && s.minReplicas > s.maxReplicas) {
    p.add(`${name}.maxReplicas`, `${s.maxReplicas} is below minReplicas ${s.minReplicas}`);
  }
  for (const f of ['cpu', 'memory', 'memoryLimit'] as const) {
    if (s[f] !== undefined && !(s[f] instanceof Quantity)) p.add(`${name}.${f}`, `${show(s[f])} must be a Quantity (Quantity.parse("2Gi"))${f === 'cpu' ? '' : ' or a cdk8s Size (Size.gibibytes(2))'}`);
  }
  if (s.memory instanceof Quantity && s.memoryLimit instanceof Quantity && s.memoryLimit.compare(s.memory) < 0) {
    p.add(`${name}.memoryLimit`, `${s.memoryLimit} is below the memory request ${s.memory}`);
  }
}
