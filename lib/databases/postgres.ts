/**
 * A PostgreSQL cluster run by Crunchy PGO 5.8.7 (the `postgresoperator.v5.8.7` entry of the 4.14
 * catalog; schema: ../shared/crds/profiles/ocp-4.14/crunchy-pgo/, PostgresCluster v1beta1).
 *
 * Facts verified in CrunchyData/postgres-operator at tag v5.8.7:
 * - internal/naming/names.go: the primary Service is `<cluster>-primary` (`ClusterPrimaryService`),
 *   a user's Secret `<cluster>-pguser-<user>` (`PostgresUserSecret`), a backup CronJob
 *   `<cluster>-<repo>-<full|diff|incr>` (`PGBackRestCronJob`; the type names in
 *   internal/controller/postgrescluster/pgbackrest.go).
 * - internal/controller/postgrescluster/postgres.go `generatePostgresUserSecret`: the user Secret
 *   always holds `host` (`<cluster>-primary.<ns>.svc`), `port`, `user`, `password`, `verifier`;
 *   `dbname`, `uri` and `jdbc-uri` only when the user has databases (the first one); `pgbouncer-*`
 *   only with a PgBouncer proxy (not offered here).
 * - config/manager/manager.yaml: images for PostgreSQL 15, 16, 17 and 18
 *   (`RELATED_IMAGE_POSTGRES_<major>`), pgBackRest `crunchy-pgbackrest:ubi9-2.56.0-2550`.
 * - internal/postgres/reconcile.go: the instance pod's `database` container and its
 *   `postgres-startup` init container take `instances[].resources`; `replication-cert-copy` takes
 *   `instances[].sidecars.replicaCertCopy.resources`; internal/pgbackrest/reconcile.go: the
 *   `pgbackrest` and `pgbackrest-config` sidecars take `backups.pgbackrest.sidecars.*.resources`.
 *
 * pgBackRest options (pgbackrest/pgbackrest release/2.56.0 src/build/config/config.yaml and
 * src/build/help/help.xml): `repo-retention-full` (1-9999999), `repo-retention-full-type`
 * (count | time, default count), `repo-retention-diff`, `repo-s3-uri-style` (host | path),
 * `repo-cipher-type` (none | aes-256-cbc, default none), `repo-cipher-pass`, `repo-s3-key`,
 * `repo-s3-key-secret` (secure: may not be given on the command line or in a plain config the
 * operator writes, hence the Secret), `repo-s3-endpoint` is a host name (`s3.amazonaws.com`),
 * the port is `repo-storage-port` (default 443).
 * PGO projects `backups.pgbackrest.configuration` (Secrets) into /etc/pgbackrest/conf.d (the CRD's
 * description of `global`), so the credentials file in the Secret is an INI file with a `[global]`
 * section.
 */
import { ApiObject, JsonPatch, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CronLike } from '../backup/cron';
import { OcpkitError, Problems, show } from '../core/errors';
import { QuantityLike } from '../core/quantity';
import { intRange, oneOf } from '../core/rules';
import { SecretKey } from '../core/secret-key';
import { External, Provides } from '../refs/provides';
import { notePrivateS3, privateS3Problem, S3Endpoint, s3Url } from './s3-endpoint';
import { checkBackupsOrWaiver, ComputeResources, cronOf, externalSecretOf, nameAndNamespace, ResolvedS3, resourcesOf, S3Target, s3Of, storageOf } from './_common';

/** PostgreSQL majors PGO 5.8.7 ships images for (config/manager/manager.yaml). */
export const PGO_POSTGRES_VERSIONS: readonly number[] = [15, 16, 17, 18];

/** Keys PGO 5.8.7 writes into every `<cluster>-pguser-<user>` Secret. */
/** Key of the psql script in the `<name>-init-sql` ConfigMap. */
export const INIT_SQL_KEY = 'init.sql';

export const PGUSER_SECRET_KEYS = ['host', 'port', 'user', 'password', 'verifier'] as const;
/** Keys added when the user has at least one database. */
export const PGUSER_DATABASE_KEYS = ['dbname', 'uri', 'jdbc-uri'] as const;

/** One set of PostgreSQL instances (pods) with the same size. */
export interface PostgresInstanceSet {
  /** Name of the set (lower-case letters, digits, '-'). @default 'instance1' */
  readonly name?: string;
  /** Pods in the set: one primary and replicas. @default 1 */
  readonly replicas?: number;
  /** Size of each pod's data volume (`20Gi`, a Quantity or a cdk8s `Size`). */
  readonly storage: string | QuantityLike;
  /** StorageClass of the data volumes. @default the cluster's default StorageClass */
  readonly storageClass?: string;
  /** Requests and limits of the `database` container. @default none (LimitRange defaults) */
  readonly resources?: ComputeResources;
  /** Requests and limits of the `replication-cert-copy` sidecar. @default none (LimitRange defaults) */
  readonly sidecarResources?: ComputeResources;
}

/** A PostgreSQL role PGO creates, with its Secret `<cluster>-pguser-<name>`. */
export interface PostgresUser {
  /** Role name (DNS label; `postgres` is the superuser). */
  readonly name: string;
  /** Databases it may connect to and create objects in; the first one goes into its Secret. @default none */
  readonly databases?: readonly string[];
  /** Role options (`CREATEDB`, `NOLOGIN`...); never a password. @default none */
  readonly options?: string;
  /** Characters of the generated password. @default 'ASCII' */
  readonly passwordType?: 'ASCII' | 'AlphaNumeric';
}

/** When pgBackRest backs up, and how long it keeps backups. */
export interface PgBackRestSchedules {
  /** Cron schedule of full backups: an expression, a CronSchedule or a cdk8s `Cron`. */
  readonly full: string | CronLike;
  /** Cron schedule of differential backups (as `full`). @default none */
  readonly differential?: string | CronLike;
  /** Cron schedule of incremental backups (as `full`). @default none */
  readonly incremental?: string | CronLike;
}

/** How many full (and differential) backups pgBackRest keeps. */
export interface PgBackRestRetention {
  /** Full backups to keep (count), or days to keep them (time). */
  readonly full: number;
  /** `count` or `time` (days). @default 'count' */
  readonly fullType?: 'count' | 'time';
  /** Differential backups to keep. @default pgBackRest's default (as many as full backups) */
  readonly differential?: number;
}

/** pgBackRest backups to an S3 bucket (repo1). */
export interface PgBackRestS3Backups {
  /** The bucket. */
  readonly s3: S3Target;
  /** Path of the repository inside the bucket. @default `/pgbackrest/<namespace>/<name>` */
  readonly path?: string;
  /**
   * The Secret, in the database's namespace, holding a pgBackRest configuration file (INI,
   * `[global]` section) with `repo1-s3-key`, `repo1-s3-key-secret` and, with encryption (the
   * default), `repo1-cipher-pass`. Declared with `External.secret(...)`: it is never written into
   * the stack.
   */
  readonly credentials: External;
  /** Key of the file in the Secret. @default 's3.conf' */
  readonly credentialsKey?: string;
  readonly schedules: PgBackRestSchedules;
  readonly retention: PgBackRestRetention;
  /**
   * Written reason to store backups without pgBackRest's own encryption (aes-256-cbc, passphrase
   * `repo1-cipher-pass` in the credentials file).
   * @default encrypted
   */
  readonly unencryptedReason?: string;
  /** Requests and limits of the backup Jobs. @default none (LimitRange defaults) */
  readonly jobResources?: ComputeResources;
  /** Requests and limits of the `pgbackrest` sidecar of each instance pod. @default none */
  readonly sidecarResources?: ComputeResources;
}

/** Properties of {@link PostgresCluster}. */
export interface PostgresClusterProps {
  /** Name of the PostgresCluster (at most 41 characters: the CronJob `<name>-repo1-full` stays within 52). */
  readonly name: string;
  readonly namespace: string;
  /** PostgreSQL major version (15-18, the images PGO 5.8.7 ships). */
  readonly postgresVersion: number;
  /** Instance sets; most clusters have one. */
  readonly instances: readonly PostgresInstanceSet[];
  /** Roles and their databases (at least one; at most 64). */
  readonly users: readonly PostgresUser[];
  /** pgBackRest backups. Required unless `withoutBackupsReason` says why not. */
  readonly backups?: PgBackRestS3Backups;
  /** Written reason to run the database without backups. @default backups required */
  readonly withoutBackupsReason?: string;
  /** Port PostgreSQL listens on (at least 1024). @default 5432 */
  readonly port?: number;
}

/** The annotation carrying the reason a database has no backups, or unencrypted ones. */
export const DATABASE_BACKUP_WAIVER_ANNOTATION = 'ocpkit.io/database-backup-waiver';

const USERNAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const INSTANCE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const REPO_PATH = /^\/[A-Za-z0-9._\/-]*$/;
/** Where PGO mounts `backups.pgbackrest.configuration` (internal/pgbackrest/config.go configDirectory, v5.8.7). */
export const PGBACKREST_CONF_DIR = '/etc/pgbackrest/conf.d';
/** File name of the S3 endpoint's private CA inside {@link PGBACKREST_CONF_DIR}. */
const REPO_CA_FILE = 'repo1-storage-ca.crt';

/**
 * A PostgreSQL cluster run by Crunchy PGO: instances with their volumes and resources, users and
 * databases, pgBackRest backups to S3 with full/differential/incremental schedules and retention.
 *
 * It declares (Provides) what PGO creates for it, so consumers reference it by type:
 * `pg.primaryHost`, `pg.userSecret('gitlab')` (a SecretKey of `<name>-pguser-gitlab`).
 *
 * Primary object: the PostgresCluster.
 *
 * @example
 * Emits: into the tenant's folder a `postgres-operator.crunchydata.com/v1beta1` PostgresCluster
 * `shop-db` (two instances of PostgreSQL 16 with 20Gi volumes, the role `shop` owning the database
 * `shop`, pgBackRest backups to S3 encrypted with the passphrase of the credentials file, weekly
 * full and daily differential) and its `shop-db-init-sql` ConfigMap. The pgBackRest Secret is an
 * External, listed in `externals.yaml`; PGO's Secret `shop-db-pguser-shop` and Service
 * `shop-db-primary` are declared as provided, so references to them resolve.
 * ```ts
 * import { External, PostgresCluster } from 'ocpkit';
 * import type { Tenant } from 'ocpkit';
 *
 * export function addShopDatabase(shop: Tenant): PostgresCluster {
 *   const credentials = External.secret(shop, 'shop-db-pgbackrest', {
 *     keys: ['s3.conf'],
 *     providedBy: 'sealed-secret',
 *     note: 'pgBackRest [global] section: repo1-s3-key, repo1-s3-key-secret, repo1-cipher-pass',
 *   });
 *   return new PostgresCluster(shop, 'Database', {
 *     name: 'shop-db',
 *     namespace: shop.tenantName,
 *     postgresVersion: 16,
 *     instances: [{ replicas: 2, storage: '20Gi', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } } }],
 *     users: [{ name: 'shop', databases: ['shop'] }],
 *     backups: {
 *       s3: { bucket: 'shop-db-backups', region: 'eu-central-1' },
 *       credentials,
 *       schedules: { full: '0 2 * * 0', differential: '0 2 * * 1-6' },
 *       retention: { full: 4 },
 *     },
 *   });
 * }
 * ```
 */
export class PostgresCluster extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly port: number;
  /** The `<name>-primary` Service: the read-write endpoint. */
  public readonly primaryService: string;
  /** `<name>-primary.<namespace>.svc`, what PGO writes as `host` into the user Secrets. */
  public readonly primaryHost: string;
  /** The PostgreSQL major version the cluster runs. */
  public readonly postgresVersion: number;
  private readonly users: ReadonlyMap<string, PostgresUser>;
  private readonly primary: ApiObject;
  /** Extensions to create at bootstrap, by database (see {@link ensureExtensions}). */
  private readonly extensions = new Map<string, Set<string>>();
  private initSql?: k8s.KubeConfigMap;

  constructor(scope: Construct, id: string, props: PostgresClusterProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    nameAndNamespace(p, props?.name, props?.namespace, 41);
    if (!PGO_POSTGRES_VERSIONS.includes(props?.postgresVersion)) {
      p.add('postgresVersion', `${show(props?.postgresVersion)} is not a PostgreSQL major PGO 5.8.7 ships images for; allowed: ${PGO_POSTGRES_VERSIONS.join(', ')}`);
    }
    if (props?.port !== undefined) p.check('port', props.port, intRange(1024, 65535));

    const instances = this.instancesOf(p, props?.instances);
    const users = this.usersOf(p, props?.users);
    const backups = props?.backups === undefined ? undefined : this.backupsOf(p, props.backups, props.namespace, props.name);
    const waiver = props?.withoutBackupsReason;
    checkBackupsOrWaiver(p, props?.backups, waiver, 'pgBackRest to S3, with schedules and retention');
    p.throwIfAny('invalid PostgresCluster');

    this.name = props.name;
    this.namespace = props.namespace;
    this.port = props.port ?? 5432;
    this.postgresVersion = props.postgresVersion;
    this.primaryService = `${this.name}-primary`;
    this.primaryHost = `${this.primaryService}.${this.namespace}.svc`;
    this.users = new Map(props.users.map((u) => [u.name, u]));

    const reasons = [waiver, backups?.unencryptedReason].filter((r): r is string => typeof r === 'string');
    const primary = new ApiObject(this, 'Resource', {
      apiVersion: 'postgres-operator.crunchydata.com/v1beta1',
      kind: 'PostgresCluster',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        annotations: reasons.length ? { [DATABASE_BACKUP_WAIVER_ANNOTATION]: reasons.join('; ') } : undefined,
      },
      spec: {
        postgresVersion: props.postgresVersion,
        port: props.port,
        instances,
        users,
        backups: backups?.spec,
      },
    });
    this.node.defaultChild = primary;
    this.primary = primary;
    if (this.databaseOwners().size > 0) this.addInitSql();
    const endpoint = props.backups?.s3?.endpoint ?? props.backups?.s3?.storage?.endpoint;
    if (endpoint instanceof S3Endpoint) notePrivateS3(this, endpoint);
    else if (endpoint !== undefined) {
      this.node.addValidation({ validate: () => { const m = privateS3Problem(this, s3Url(endpoint)); return m ? [`backups.s3.endpoint: ${m}`] : []; } });
    }

    const by = `Crunchy PGO (PostgresCluster ${this.name})`;
    Provides.of(this).service(this.namespace, this.primaryService, { by });
    for (const u of props.users) {
      const keys = [...PGUSER_SECRET_KEYS, ...(u.databases?.length ? PGUSER_DATABASE_KEYS : [])];
      Provides.of(this).secret(this.namespace, this.userSecretName(u.name), { by, keys });
    }
  }

  /** Name of the Secret PGO writes for a user. */
  public userSecretName(user: string): string {
    return `${this.name}-pguser-${user}`;
  }

  /**
   * A key of a user's Secret (default `password`). Throws when the user is not declared, or the
   * key is one PGO does not write for it (`uri`, `dbname`, `jdbc-uri` need a database).
   */
  public userSecret(user: string, key: string = 'password'): SecretKey {
    const u = this.users.get(user);
    const path = this.node.path;
    if (!u) throw new OcpkitError([{ path, field: 'userSecret', message: `${show(user)} is not a user of this PostgresCluster; declared users: ${[...this.users.keys()].join(', ')}` }]);
    const keys: readonly string[] = [...PGUSER_SECRET_KEYS, ...(u.databases?.length ? PGUSER_DATABASE_KEYS : [])];
    if (!keys.includes(key)) {
      throw new OcpkitError([{ path, field: 'userSecret', message: `${show(key)} is not a key PGO writes for user ${show(user)}; it writes ${keys.join(', ')}${u.databases?.length ? '' : ' (dbname, uri and jdbc-uri only for a user with databases)'}` }]);
    }
    return SecretKey.of(this.userSecretName(user), key);
  }

  /**
   * Creates extensions a consumer needs that the database owner cannot create itself (untrusted
   * extensions such as `amcheck`; trusted ones such as `pg_trgm` the owner creates on its own since
   * PostgreSQL 13). They go into the cluster's `databaseInitSQL`: a ConfigMap `<name>-init-sql`
   * whose psql script PGO runs once as the superuser when it bootstraps the cluster, after creating
   * the users and databases (PGO docs "Database Initialization SQL"; crunchydata/postgres-operator
   * issue 3862: bootstrap only, later edits are not applied, so on an existing cluster create them
   * by hand once).
   */
  public ensureExtensions(database: string, extensions: readonly string[]): void {
    const owned = [...this.users.values()].some((u) => u.databases?.includes(database));
    if (!owned) throw new OcpkitError([{ path: this.node.path, field: 'ensureExtensions', message: `${show(database)} is not a database of this PostgresCluster's users` }]);
    for (const e of extensions) {
      if (!/^[a-z_][a-z0-9_]*$/.test(e)) throw new OcpkitError([{ path: this.node.path, field: 'ensureExtensions', message: `${show(e)} is not an extension name` }]);
    }
    const set = this.extensions.get(database) ?? new Set<string>();
    extensions.forEach((e) => set.add(e));
    this.extensions.set(database, set);
    this.addInitSql();
  }

  /** The `<name>-init-sql` ConfigMap and the cluster's `databaseInitSQL`, once. */
  private addInitSql(): void {
    if (this.initSql) return;
    this.initSql = new k8s.KubeConfigMap(this, 'InitSql', {
      metadata: { name: `${this.name}-init-sql`, namespace: this.namespace },
      data: Lazy.any({ produce: () => ({ [INIT_SQL_KEY]: this.renderInitSql() }) }) as unknown as Record<string, string>,
    });
    this.primary.addJsonPatch(JsonPatch.add('/spec/databaseInitSQL', { name: `${this.name}-init-sql`, key: INIT_SQL_KEY }));
  }

  /**
   * The bootstrap psql script: per database, make the first user that lists it its owner (with the
   * `public` schema), then create the extensions of {@link ensureExtensions}. PGO only grants a
   * user ALL on its databases, and since PostgreSQL 15 that no longer allows CREATE in schema
   * `public` (crunchydata/postgres-operator#3568), so an application could not create its tables.
   */
  private renderInitSql(): string {
    const lines: string[] = [];
    const owners = this.databaseOwners();
    const dbs = [...new Set([...owners.keys(), ...this.extensions.keys()])].sort();
    for (const db of dbs) {
      const owner = owners.get(db);
      if (owner) lines.push(`ALTER DATABASE "${db}" OWNER TO "${owner}";`);
      lines.push(`\\connect ${db}`);
      if (owner) lines.push(`ALTER SCHEMA public OWNER TO "${owner}";`);
      for (const e of [...(this.extensions.get(db) ?? [])].sort()) lines.push(`CREATE EXTENSION IF NOT EXISTS ${e};`);
    }
    return `${lines.join('\n')}\n`;
  }

  /** Database -> the first declared user that lists it. */
  private databaseOwners(): Map<string, string> {
    const owners = new Map<string, string>();
    for (const u of this.users.values()) for (const db of u.databases ?? []) if (!owners.has(db)) owners.set(db, u.name);
    return owners;
  }

  /** The databases a user lists (it owns those no earlier user lists); undefined when the user is not declared. */
  public databasesOf(user: string): readonly string[] | undefined {
    const u = this.users.get(user);
    return u ? (u.databases ?? []) : undefined;
  }

  /** The first database of a user (what its Secret's `dbname` holds). */
  public databaseOf(user: string): string | undefined {
    return this.users.get(user)?.databases?.[0];
  }

  private instancesOf(p: Problems, sets: readonly PostgresInstanceSet[] | undefined): any[] {
    if (!Array.isArray(sets) || sets.length === 0) {
      p.add('instances', 'needs at least one instance set: [{ replicas, storage, resources }]');
      return [];
    }
    const seen = new Set<string>();
    return sets.map((s, i) => {
      const f = `instances[${i}]`;
      const name = s?.name ?? 'instance1';
      if (typeof name !== 'string' || !INSTANCE_NAME.test(name) || name.length > 63) p.add(`${f}.name`, `${show(name)} is not an instance set name (lower-case letters, digits and '-')`);
      else if (seen.has(name)) p.add(`${f}.name`, `${show(name)} is used twice; instance set names are unique`);
      seen.add(name);
      if (s?.replicas !== undefined) p.check(`${f}.replicas`, s.replicas, intRange(1, 100));
      const storage = storageOf(p, `${f}.storage`, s?.storage);
      const resources = resourcesOf(p, `${f}.resources`, s?.resources);
      const sidecar = resourcesOf(p, `${f}.sidecarResources`, s?.sidecarResources);
      return {
        name,
        replicas: s?.replicas ?? 1,
        dataVolumeClaimSpec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: s?.storageClass,
          resources: { requests: { storage } },
        },
        resources,
        sidecars: sidecar ? { replicaCertCopy: { resources: sidecar } } : undefined,
      };
    });
  }

  private usersOf(p: Problems, users: readonly PostgresUser[] | undefined): any[] {
    if (!Array.isArray(users) || users.length === 0 || users.length > 64) {
      p.add('users', 'needs 1 to 64 users: [{ name, databases }] (each gets the Secret <cluster>-pguser-<name>)');
      return [];
    }
    const seen = new Set<string>();
    return users.map((u, i) => {
      const f = `users[${i}]`;
      if (typeof u?.name !== 'string' || !USERNAME.test(u.name) || u.name.length > 63) p.add(`${f}.name`, `${show(u?.name)} is not a user name (a DNS label: lower-case letters, digits and '-')`);
      else if (seen.has(u.name)) p.add(`${f}.name`, `${show(u.name)} is declared twice`);
      seen.add(u?.name);
      const dbs = u?.databases ?? [];
      if (!Array.isArray(dbs)) p.add(`${f}.databases`, 'must be a list of database names');
      else {
        dbs.forEach((d, j) => {
          if (typeof d !== 'string' || d.length < 1 || d.length > 63) p.add(`${f}.databases[${j}]`, `${show(d)} is not a database name (1 to 63 characters)`);
        });
        if (new Set(dbs).size !== dbs.length) p.add(`${f}.databases`, 'lists a database twice');
      }
      if (u?.options !== undefined) {
        // the CRD refuses ';', SQL comments and PASSWORD in options (x-kubernetes-validations)
        if (typeof u.options !== 'string' || u.options.length > 200 || u.options.includes(';') || /password/i.test(u.options) || /--|\/\*|\*\//.test(u.options)) {
          p.add(`${f}.options`, `${show(u.options)} is not allowed: role options (at most 200 characters) without ';', SQL comments or PASSWORD (PGO generates the password)`);
        }
      }
      if (u?.passwordType !== undefined) p.check(`${f}.passwordType`, u.passwordType, oneOf(['ASCII', 'AlphaNumeric']));
      return {
        name: u?.name,
        databases: Array.isArray(dbs) && dbs.length ? [...dbs] : undefined,
        options: u?.options,
        password: u?.passwordType ? { type: u.passwordType } : undefined,
      };
    });
  }

  private backupsOf(p: Problems, b: PgBackRestS3Backups, namespace: string, name: string): { spec: any; unencryptedReason?: string } | undefined {
    const f = 'backups';
    const key = b.credentialsKey ?? 's3.conf';
    if (typeof key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(key)) p.add(`${f}.credentialsKey`, `${show(key)} is not a Secret key`);
    const creds = externalSecretOf(p, `${f}.credentials`, b.credentials, namespace, [key], `External.secret(app, 'pgbackrest-s3', { namespace: '${namespace}', keys: ['s3.conf'], providedBy: 'sealed-secret', note: '[global] repo1-s3-key, repo1-s3-key-secret, repo1-cipher-pass' })`);
    const s3: ResolvedS3 | undefined = s3Of(p, `${f}.s3`, b.s3);
    const path = b.path ?? `/pgbackrest/${namespace}/${name}`;
    if (typeof path !== 'string' || !REPO_PATH.test(path) || path.includes('//') || path.split('/').includes('..')) p.add(`${f}.path`, `${show(path)} is not an absolute repository path ("/pgbackrest/<namespace>/<name>")`);
    const sched = b.schedules ?? ({} as PgBackRestSchedules);
    const full = cronOf(p, `${f}.schedules.full`, sched.full);
    const differential = sched.differential === undefined ? undefined : cronOf(p, `${f}.schedules.differential`, sched.differential);
    const incremental = sched.incremental === undefined ? undefined : cronOf(p, `${f}.schedules.incremental`, sched.incremental);
    const r = b.retention ?? ({} as PgBackRestRetention);
    p.check(`${f}.retention.full`, r.full, intRange(1, 9999999));
    if (r.fullType !== undefined) p.check(`${f}.retention.fullType`, r.fullType, oneOf(['count', 'time']));
    if (r.differential !== undefined) {
      p.check(`${f}.retention.differential`, r.differential, intRange(1, 9999999));
      if (differential === undefined) p.add(`${f}.retention.differential`, 'is set but schedules.differential is not; no differential backups would be taken');
    }
    const encrypted = b.unencryptedReason === undefined;
    if (!encrypted && (typeof b.unencryptedReason !== 'string' || b.unencryptedReason.trim() === '')) p.add(`${f}.unencryptedReason`, 'must be a written reason');
    const jobResources = resourcesOf(p, `${f}.jobResources`, b.jobResources);
    const sidecarResources = resourcesOf(p, `${f}.sidecarResources`, b.sidecarResources);
    if (!s3 || !creds) return undefined;

    const global: Record<string, string> = {
      'repo1-path': path,
      'repo1-retention-full': String(r.full),
      'repo1-retention-full-type': r.fullType ?? 'count',
    };
    if (r.differential !== undefined) global['repo1-retention-diff'] = String(r.differential);
    if (s3.forcePathStyle) global['repo1-s3-uri-style'] = 'path';
    if (s3.port !== undefined) global['repo1-storage-port'] = String(s3.port);
    if (encrypted) global['repo1-cipher-type'] = 'aes-256-cbc';
    // A private CA: projected next to the credentials into /etc/pgbackrest/conf.d (PGO v5.8.7
    // internal/pgbackrest/reconcile.go addConfigVolumeAndMounts: spec.backups.pgbackrest.configuration
    // is that projected volume in the instance pods' database and pgBackRest containers, the repo
    // host, the backup Jobs and restore pods), and named by `repo1-storage-ca-file`, pgBackRest's
    // "CA file other than the system default for storage (e.g. S3) certificates" (deprecated name
    // repo-s3-ca-file; https://pgbackrest.org/command.html). pgBackRest only reads `*.conf` files of
    // conf.d as configuration, so the certificate file beside them is not parsed as one.
    const configuration: any[] = [{ secret: { name: creds.object.name, items: [{ key, path: key }] } }];
    if (s3.ca) {
      configuration.push({ configMap: { name: s3.ca.configMap, items: [{ key: s3.ca.key, path: REPO_CA_FILE }] } });
      global['repo1-storage-ca-file'] = `${PGBACKREST_CONF_DIR}/${REPO_CA_FILE}`;
    }
    return {
      unencryptedReason: encrypted ? undefined : b.unencryptedReason,
      spec: {
        pgbackrest: {
          configuration,
          global,
          jobs: jobResources ? { resources: jobResources } : undefined,
          sidecars: sidecarResources ? { pgbackrest: { resources: sidecarResources } } : undefined,
          repos: [{
            name: 'repo1',
            s3: { bucket: s3.bucket, endpoint: s3.host, region: s3.region },
            schedules: { full, differential, incremental },
          }],
        },
      },
    };
  }
}
