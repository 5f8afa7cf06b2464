/**
 * A MySQL (Percona XtraDB Cluster) cluster run by the Percona XtraDB Cluster operator 1.14.0
 * (schema: ../shared/crds/profiles/ocp-4.14/percona-xtradb/1.14.0/, pxc.percona.com/v1).
 *
 * Facts verified in percona/percona-xtradb-cluster-operator at tag v1.14.0:
 * - pkg/apis/pxc/v1/pxc_types.go: a cluster name has at most 22 characters (`clusterNameMaxLen`);
 *   `pxc.image` is required ("pxc.Image can't be empty"), so is `haproxy.image` with HAProxy;
 *   `secretsName` defaults to `<cluster>-secrets`; unless `allowUnsafeConfigurations`, the
 *   operator rewrites `pxc.size` to 3..5 and odd, and `haproxy.size` to at least 2
 *   (`setSafeDefaults`), so other sizes are refused here instead of silently changed; the HAProxy
 *   Services are `<cluster>-haproxy` and `<cluster>-haproxy-replicas`
 *   (`HaproxyServiceNamespacedName`, `HAProxyReplicasNamespacedName`); a schedule entry is
 *   `{ name, schedule, keep, storageName }` (`PXCScheduledBackupSchedule`).
 * - pkg/controller/pxc/secrets.go `reconcileUsersSecret`: when the users Secret is missing the
 *   operator creates it, with generated passwords under the keys root, xtrabackup, monitor,
 *   proxyadmin, operator, replication (`setUserSecretDefaults`).
 * - pkg/pxc/service.go: the PXC Service is `<cluster>-pxc` (`NewServicePXC`).
 * - pkg/pxc/backup/job.go: the backup Job reads `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`
 *   from the storage's `s3.credentialsSecret`; `s3.bucket` may be `<bucket>/<prefix>`
 *   (`BucketAndPrefix`).
 * - pkg/pxc/app/statefulset/haproxy.go: the `haproxy` container takes `haproxy.resources`, the
 *   `pxc-monit` container `haproxy.sidecarResources`.
 * - deploy/cr.yaml: the images of the release (the defaults below).
 * 1.14.0 has no declarative application users (only the system users above): applications get a
 * database and user from a migration or by hand, and consumers reference `rootPassword()` only
 * for administration.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { CronLike } from '../backup/cron';
import { OcpkitError, Problems, show } from '../core/errors';
import { QuantityLike } from '../core/quantity';
import { intRange, nonEmpty } from '../core/rules';
import { SecretKey } from '../core/secret-key';
import { External, Provides } from '../refs/provides';
import { checkBackupsOrWaiver, ComputeResources, cronOf, externalSecretOf, nameAndNamespace, ResolvedS3, resourcesOf, S3Target, s3Of, storageOf } from './_common';
import { DATABASE_BACKUP_WAIVER_ANNOTATION } from './postgres';

/** Images of the operator 1.14.0 release (deploy/cr.yaml at v1.14.0). */
export const PXC_1_14_IMAGES = {
  pxc: 'percona/percona-xtradb-cluster:8.0.35-27.1',
  haproxy: 'percona/percona-xtradb-cluster-operator:1.14.0-haproxy',
  backup: 'percona/percona-xtradb-cluster-operator:1.14.0-pxc8.0-backup-pxb8.0.35',
} as const;

/** Keys the operator writes into `<cluster>-secrets` (pkg/controller/pxc/secrets.go at v1.14.0). */
export const PXC_SECRET_KEYS = ['root', 'xtrabackup', 'monitor', 'proxyadmin', 'operator', 'replication'] as const;

/** Backups of a Percona XtraDB Cluster to S3 with xtrabackup. */
export interface PxcS3Backups {
  readonly s3: S3Target;
  /** Prefix inside the bucket. @default `pxc/<namespace>/<name>` */
  readonly prefix?: string;
  /** Secret in the database namespace with `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, declared with `External.secret(...)`. */
  readonly credentials: External;
  /**
   * Cron schedule of the backups (each is a full xtrabackup): an expression, a CronSchedule or a
   * cdk8s `Cron`.
   */
  readonly schedule: string | CronLike;
  /** Backups to keep (older ones are deleted by the operator). */
  readonly keep: number;
  /** Requests and limits of the backup Jobs. @default none (LimitRange defaults) */
  readonly resources?: ComputeResources;
  /**
   * How the backups are protected at rest. The 1.14.0 storage spec has no encryption setting
   * (`backup.storages.<name>` in the 4.14 profile schema: s3 bucket, credentialsSecret, region,
   * endpointUrl only), so xtrabackup's files reach the bucket as they are: say what encrypts them
   * (the bucket's default encryption, an encrypted disk under MinIO). Lands in an annotation.
   */
  readonly encryptedBy: string;
}

/** Properties of {@link PerconaXtraDBCluster}. */
export interface PerconaXtraDBClusterProps {
  /** Name (at most 22 characters, the operator's limit). */
  readonly name: string;
  readonly namespace: string;
  /** PXC nodes: 3 or 5 (the operator's safe sizes). @default 3 */
  readonly size?: number;
  /** Data volume of each node (`20Gi`, a Quantity or a cdk8s `Size`). */
  readonly storage: string | QuantityLike;
  /** @default the cluster's default StorageClass */
  readonly storageClass?: string;
  /** Requests and limits of the `pxc` container. @default none (LimitRange defaults) */
  readonly resources?: ComputeResources;
  /** HAProxy pods in front of the nodes (at least 2). @default 2 */
  readonly haproxySize?: number;
  /** Requests and limits of the `haproxy` container. @default none */
  readonly haproxyResources?: ComputeResources;
  /** Images. @default PXC_1_14_IMAGES */
  readonly images?: { readonly pxc?: string; readonly haproxy?: string; readonly backup?: string };
  /** Backups. Required unless `withoutBackupsReason` says why not. */
  readonly backups?: PxcS3Backups;
  /** Written reason to run without backups. @default backups required */
  readonly withoutBackupsReason?: string;
}

/** Annotation saying what encrypts a database's backups at rest when the operator does not. */
export const BACKUP_ENCRYPTED_BY_ANNOTATION = 'ocpkit.io/backup-encrypted-by';

const PREFIX = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
const STORAGE_NAME = 's3-backups';

/**
 * A Percona XtraDB Cluster (MySQL 8.0, synchronous replication) behind HAProxy, with scheduled
 * xtrabackup backups to S3 and their retention. Declares what the operator creates: the
 * `<name>-secrets` Secret of system users and the `<name>-haproxy` Service (`mysql.host`).
 *
 * Primary object: the PerconaXtraDBCluster.
 *
 * Emits: into the folder of the app it is in, in `namespace`, a `pxc.percona.com/v1`
 * PerconaXtraDBCluster `name` (with its backup schedule, storage and retention, or the reason it has
 * none as an annotation). The operator's Secret `<name>-secrets` and the Services
 * `<name>-haproxy`, `<name>-haproxy-replicas` and `<name>-pxc` are declared as provided, so
 * references to them resolve.
 */
export class PerconaXtraDBCluster extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** The read-write Service, `<name>-haproxy`. */
  public readonly service: string;
  /** `<name>-haproxy.<namespace>.svc` */
  public readonly host: string;
  public readonly port = 3306;
  /** The Secret of system users the operator generates, `<name>-secrets`. */
  public readonly usersSecretName: string;

  constructor(scope: Construct, id: string, props: PerconaXtraDBClusterProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    nameAndNamespace(p, props?.name, props?.namespace, 22);
    const size = props?.size ?? 3;
    if (size !== 3 && size !== 5) p.add('size', `${show(size)} is not allowed: 3 or 5 (the operator 1.14.0 rewrites other sizes to an odd number from 3 to 5 unless unsafe configurations are allowed)`);
    const haproxySize = props?.haproxySize ?? 2;
    p.check('haproxySize', haproxySize, intRange(2, 16));
    const storage = storageOf(p, 'storage', props?.storage);
    const resources = resourcesOf(p, 'resources', props?.resources);
    const haproxyResources = resourcesOf(p, 'haproxyResources', props?.haproxyResources);
    const images = { ...PXC_1_14_IMAGES, ...(props?.images ?? {}) };
    for (const k of ['pxc', 'haproxy', 'backup'] as const) p.check(`images.${k}`, images[k], nonEmpty);
    const backups = props?.backups === undefined ? undefined : this.backupsOf(p, props.backups, props.namespace, props.name);
    const waiver = props?.withoutBackupsReason;
    checkBackupsOrWaiver(p, props?.backups, waiver, 'xtrabackup to S3, with a schedule and keep');
    p.throwIfAny('invalid PerconaXtraDBCluster');

    this.name = props.name;
    this.namespace = props.namespace;
    this.service = `${this.name}-haproxy`;
    this.host = `${this.service}.${this.namespace}.svc`;
    this.usersSecretName = `${this.name}-secrets`;

    const primary = new ApiObject(this, 'Resource', {
      apiVersion: 'pxc.percona.com/v1',
      kind: 'PerconaXtraDBCluster',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        annotations: waiver ? { [DATABASE_BACKUP_WAIVER_ANNOTATION]: waiver } : { [BACKUP_ENCRYPTED_BY_ANNOTATION]: props.backups!.encryptedBy },
      },
      spec: {
        crVersion: '1.14.0',
        secretsName: this.usersSecretName,
        pxc: {
          size,
          image: images.pxc,
          resources,
          volumeSpec: {
            persistentVolumeClaim: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: props.storageClass,
              resources: { requests: { storage } },
            },
          },
        },
        haproxy: { enabled: true, size: haproxySize, image: images.haproxy, resources: haproxyResources },
        proxysql: { enabled: false },
        backup: backups ? { image: images.backup, ...backups } : undefined,
      },
    });
    this.node.defaultChild = primary;

    const by = `Percona XtraDB Cluster operator (PerconaXtraDBCluster ${this.name})`;
    Provides.of(this)
      .secret(this.namespace, this.usersSecretName, { by, keys: [...PXC_SECRET_KEYS] })
      .service(this.namespace, this.service, { by })
      .service(this.namespace, `${this.name}-haproxy-replicas`, { by })
      .service(this.namespace, `${this.name}-pxc`, { by });
  }

  /** A system user's password in `<name>-secrets` (default `root`). */
  public userSecret(user: (typeof PXC_SECRET_KEYS)[number] = 'root'): SecretKey {
    if (!(PXC_SECRET_KEYS as readonly string[]).includes(user)) {
      throw new OcpkitError([{ path: this.node.path, field: 'userSecret', message: `${show(user)} is not a user the operator generates; it writes ${PXC_SECRET_KEYS.join(', ')}` }]);
    }
    return SecretKey.of(this.usersSecretName, user);
  }

  private backupsOf(p: Problems, b: PxcS3Backups, namespace: string, name: string): any {
    const f = 'backups';
    const creds = externalSecretOf(p, `${f}.credentials`, b.credentials, namespace, ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
      `External.secret(app, 'pxc-backup-s3', { namespace: '${namespace}', keys: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'], providedBy: 'sealed-secret', note: '...' })`);
    const s3: ResolvedS3 | undefined = s3Of(p, `${f}.s3`, b.s3);
    // Not wired: ocpkit writes no CA into the Percona XtraDB Cluster operator's S3 storage (not verified what it offers).
    if (s3?.ca) p.add(`${f}.s3.endpoint`, `${s3.endpointUrl} has a private CA, which ocpkit cannot hand to Percona XtraDB Cluster backups yet; use a store whose certificate a public CA signs`);
    const prefix = b.prefix ?? `pxc/${namespace}/${name}`;
    if (typeof prefix !== 'string' || !PREFIX.test(prefix) || prefix.split('/').includes('..')) p.add(`${f}.prefix`, `${show(prefix)} is not a key prefix (segments of letters, digits, '.', '_', '-' separated by '/')`);
    const schedule = cronOf(p, `${f}.schedule`, b.schedule);
    p.check(`${f}.keep`, b.keep, intRange(1, 1000));
    if (typeof b.encryptedBy !== 'string' || b.encryptedBy.trim() === '') p.add(`${f}.encryptedBy`, 'must say what encrypts the backups at rest (the operator 1.14.0 uploads them unencrypted), for example "SSE-KMS default encryption of the bucket"');
    const resources = resourcesOf(p, `${f}.resources`, b.resources);
    if (!s3 || !creds) return undefined;
    return {
      storages: {
        [STORAGE_NAME]: {
          type: 's3',
          resources,
          s3: { bucket: `${s3.bucket}/${prefix}`, credentialsSecret: creds.object.name, region: s3.region, endpointUrl: s3.endpointUrl },
        },
      },
      schedule: [{ name: 'scheduled', schedule, keep: b.keep, storageName: STORAGE_NAME }],
    };
  }
}
