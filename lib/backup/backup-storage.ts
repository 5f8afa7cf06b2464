import { Construct } from 'constructs';
import { BackupStorageLocation } from '../../imports/velero-bsl-velero.io';
import { Problems, show } from '../core/errors';
import { dnsLabel, dnsSubdomain, httpUrl } from '../core/rules';
import { SecretKey } from '../core/secret-key';
import { OADP_NAMESPACE, bucketNameProblem, bucketPrefixProblem, credentialsIdentityProblem, regionProblem } from './_rules';
import { BucketEncryption, EncryptionKind } from './bucket-encryption';
import { BackupCoverage } from './backup-coverage';
import { ObjectStore } from './object-store';

/** Annotation carrying the written reason of an unencrypted backup location. */
export const UNENCRYPTED_REASON_ANNOTATION = 'ocpkit.io/unencrypted-reason';

/** A Velero BackupStorageLocation that schedules and restores can refer to. */
export interface IBackupStorage {
  /** Name of the BackupStorageLocation. */
  readonly locationName: string;
  /** Namespace Velero runs in (where the location, schedules and restores live). */
  readonly veleroNamespace: string;
}

/** Properties of {@link BackupStorage}. */
export interface BackupStorageProps {
  /** Name of the BackupStorageLocation (`default` for the location Velero uses when none is named). */
  readonly name: string;
  /**
   * Namespace Velero runs in.
   * @default 'openshift-adp' (OADP)
   */
  readonly namespace?: string;
  /** Bucket name, following S3 naming rules. */
  readonly bucket: string;
  /**
   * Key prefix inside the bucket, so one bucket can hold several clusters (`velero/production`).
   * @default backups at the bucket root
   */
  readonly prefix?: string;
  /**
   * Region of the bucket. Required with a custom endpoint (MinIO and Ceph RGW accept `us-east-1`).
   * @default asked from AWS S3 (AWS only)
   */
  readonly region?: string;
  /**
   * S3 API endpoint of an S3-compatible store (MinIO, Ceph RGW), `https://minio.example.org:9000`.
   * @default AWS S3, derived from the region
   */
  readonly endpoint?: string;
  /**
   * Path-style addressing (`https://host/bucket/key`) instead of virtual-hosted style
   * (`https://bucket.host/key`). MinIO and most Ceph RGW setups need it.
   * @default true with a custom endpoint, false for AWS S3
   */
  readonly forcePathStyle?: boolean;
  /**
   * Secret key holding an AWS-style credentials file (`[default]` with `aws_access_key_id` and
   * `aws_secret_access_key`), in the Velero namespace. OADP's convention is
   * `SecretKey.of('cloud-credentials', 'cloud')`.
   */
  readonly credentials: SecretKey;
  /** Server-side encryption of the bucket: exactly one of SSE-S3, SSE-KMS, SSE-C, or an explicit opt-out. */
  readonly encryption: BucketEncryption;
  /**
   * What answers at the endpoint (AWS S3, MinIO with or without KES, Ceph RGW of a release):
   * `encryption` is checked against what that store accepts, so a MinIO without KMS and SSE-S3
   * fail at synth time instead of at every upload.
   * @default ObjectStore.awsS3() without an endpoint; with an endpoint, undeclared (encryption
   *   unchecked): declare it
   */
  readonly store?: ObjectStore;
  /**
   * Who the credentials are: the access key's user (or role) name at the object store, never the
   * key itself (`velero-production`). Compared across the environments of one synth: two
   * environments must not share credentials (lib/backup/isolation-check.ts).
   * @default undeclared (the isolation check refuses it when several environments are synthesized)
   */
  readonly credentialsIdentity?: string;
  /**
   * Whether backups that name no location go here.
   * @default true
   */
  readonly default?: boolean;
  /**
   * PEM bundle of the CA that signed the endpoint's certificate (private MinIO/RGW CAs).
   * @default the system trust store
   */
  readonly caCertificatePem?: string;
  /**
   * Profile inside the credentials file.
   * @default 'default'
   */
  readonly profile?: string;
}

/**
 * Where Velero keeps backups: an S3-compatible bucket (AWS S3, Ceph RGW, MinIO) with server-side
 * encryption, reached with credentials from a Secret. Synthesizes a `velero.io/v1`
 * BackupStorageLocation for the AWS object-store plugin; when a {@link DataProtection} (OADP)
 * lists it, the same settings go into the DataProtectionApplication instead, and OADP creates
 * the BackupStorageLocation.
 *
 * Primary object (`ApiObject.of(storage)`, `Overrides.of(storage)`): the BackupStorageLocation.
 * A location a DataProtection lists renders none of its own, so it has no primary object then:
 * override the DataProtection (its DataProtectionApplication's `spec.backupLocations`) instead.
 *
 * Encryption is mandatory by type: {@link BucketEncryption} offers SSE-S3, SSE-KMS and SSE-C, and
 * an unencrypted bucket only through `BucketEncryption.unencrypted(reason)`.
 *
 *
 * @example
 * Emits: a `velero.io/v1` BackupStorageLocation `offsite` in `openshift-adp` (AWS plugin, region,
 * SSE-S3, credentials from `cloud-credentials`/`cloud`) into the `backup` folder. The namespace and
 * the Secret are declared as externals, so they are listed in `externals.yaml` and the references
 * resolve.
 * ```ts
 * import { BackupStorage, BucketEncryption, External, GitOpsApp, SecretKey, SyncWave } from 'ocpkit';
 * import type { Cluster } from 'ocpkit';
 *
 * export function addBackupBucket(cluster: Cluster): BackupStorage {
 *   const backup = new GitOpsApp(cluster, 'Backup', { name: 'backup', syncWave: SyncWave.CONFIG });
 *   External.namespace(backup, 'openshift-adp', { providedBy: 'pre-existing', note: 'created with the OADP operator install' });
 *   External.secret(backup, 'cloud-credentials', {
 *     namespace: 'openshift-adp',
 *     keys: ['cloud'],
 *     providedBy: 'sealed-secret',
 *     note: 'AWS credentials file of the backup bucket',
 *   });
 *   return new BackupStorage(backup, 'Offsite', {
 *     name: 'offsite',
 *     bucket: 'community-backups',
 *     region: 'eu-central-1',
 *     credentials: SecretKey.of('cloud-credentials', 'cloud'),
 *     encryption: BucketEncryption.s3Managed(),
 *   });
 * }
 * ```
 * @see https://velero.io/docs/main/api-types/backupstoragelocation/
 * @see https://github.com/vmware-tanzu/velero-plugin-for-aws/blob/main/backupstoragelocation.md
 */
export class BackupStorage extends Construct implements IBackupStorage {
  /** Refers to a BackupStorageLocation that exists on the cluster but not in this stack. */
  public static fromName(name: string, namespace: string = OADP_NAMESPACE): IBackupStorage {
    const p = new Problems(`BackupStorage.fromName(${show(name)})`);
    p.check('name', name, dnsSubdomain);
    p.check('namespace', namespace, dnsLabel);
    p.throwIfAny('invalid backup storage reference');
    return { locationName: name, veleroNamespace: namespace };
  }

  public readonly locationName: string;
  public readonly veleroNamespace: string;
  public readonly bucket: string;
  public readonly prefix?: string;
  public readonly region?: string;
  public readonly endpoint?: string;
  public readonly forcePathStyle: boolean;
  public readonly credentials: SecretKey;
  public readonly encryption: BucketEncryption;
  /** The declared object store (`ObjectStore.awsS3()` when there is no endpoint and none was declared). */
  public readonly store?: ObjectStore;
  /** Declared identity of the credentials (user or role name at the store). */
  public readonly credentialsIdentity?: string;
  public readonly isDefault: boolean;
  private readonly caCertificatePem?: string;
  private readonly profile: string;
  private adoptedBy?: string;

  constructor(scope: Construct, id: string, props: BackupStorageProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    p.check('name', props.name, dnsSubdomain);
    if (props.namespace !== undefined) p.check('namespace', props.namespace, dnsLabel);
    p.check('bucket', props.bucket, bucketNameProblem);
    if (props.prefix !== undefined) p.check('prefix', props.prefix, bucketPrefixProblem);
    if (props.region !== undefined) p.check('region', props.region, regionProblem);
    if (props.endpoint !== undefined) {
      if (p.check('endpoint', props.endpoint, httpUrl)) {
        const u = new URL(props.endpoint);
        if (u.pathname !== '/' || u.search || u.hash) p.add('endpoint', `${show(props.endpoint)} has a path; give the S3 API endpoint only (scheme, host and port), the bucket goes in "bucket"`);
      }
      if (props.region === undefined) p.add('region', 'a custom endpoint needs a region (MinIO and Ceph RGW accept "us-east-1")');
    }
    if (!(props.credentials instanceof SecretKey)) {
      p.add('credentials', 'must be a SecretKey.of(secretName, key) naming an AWS credentials file (OADP: SecretKey.of("cloud-credentials", "cloud"))');
    }
    if (!(props.encryption instanceof BucketEncryption)) {
      p.add('encryption', `${show(props.encryption)} is not a BucketEncryption; choose BucketEncryption.s3Managed(), .kms(keyId), .customerKey(keyFile) or .unencrypted(reason)`);
    } else {
      for (const [field, msg] of props.encryption.problems()) p.add(field, msg);
      if (props.encryption.kind === EncryptionKind.CUSTOMER_KEY && typeof props.endpoint === 'string' && props.endpoint.startsWith('http:')) {
        p.add('endpoint', `${show(props.endpoint)} is plain http; object stores refuse SSE-C keys over http, use https`);
      }
    }
    const store = props.store ?? (props.endpoint === undefined ? ObjectStore.awsS3() : undefined);
    if (props.store !== undefined && !(props.store instanceof ObjectStore)) {
      p.add('store', `${show(props.store)} is not an ObjectStore; declare ObjectStore.awsS3(), .minio({ kms }) or .cephRgw({ release })`);
    } else if (store) {
      const own = store.problems();
      for (const [field, msg] of own) p.add(field, msg);
      if (own.length === 0 && props.encryption instanceof BucketEncryption) {
        for (const [field, msg] of store.encryptionProblems(props.encryption, props.endpoint)) {
          // SSE-C over http is reported once, above.
          if (!(field === 'endpoint' && props.encryption.kind === EncryptionKind.CUSTOMER_KEY)) p.add(field, `${msg} (store: ${store})`);
        }
      }
    }
    if (props.credentialsIdentity !== undefined) p.check('credentialsIdentity', props.credentialsIdentity, credentialsIdentityProblem);
    if (props.caCertificatePem !== undefined && (typeof props.caCertificatePem !== 'string' || !props.caCertificatePem.includes('-----BEGIN CERTIFICATE-----'))) {
      p.add('caCertificatePem', 'is not a PEM certificate bundle ("-----BEGIN CERTIFICATE-----" ...)');
    }
    if (props.profile !== undefined && (typeof props.profile !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(props.profile))) {
      p.add('profile', `${show(props.profile)} is not a credentials-file profile name`);
    }
    p.throwIfAny();

    this.locationName = props.name;
    this.veleroNamespace = props.namespace ?? OADP_NAMESPACE;
    this.bucket = props.bucket;
    this.prefix = props.prefix;
    this.region = props.region;
    this.endpoint = props.endpoint;
    this.forcePathStyle = props.forcePathStyle ?? props.endpoint !== undefined;
    this.credentials = props.credentials;
    this.encryption = props.encryption;
    this.store = store;
    this.credentialsIdentity = props.credentialsIdentity;
    this.isDefault = props.default ?? true;
    this.caCertificatePem = props.caCertificatePem;
    this.profile = props.profile ?? 'default';

    const spec = this.locationSpec();
    const reason = this.encryption.optOutReason;
    new BackupStorageLocation(this, 'Resource', {
      metadata: {
        name: this.locationName,
        namespace: this.veleroNamespace,
        annotations: reason ? { [UNENCRYPTED_REASON_ANNOTATION]: reason } : undefined,
      },
      spec: { ...spec, default: this.isDefault },
    });
    BackupCoverage.of(this);
  }

  /** The AWS plugin config map: region, endpoint, addressing style, profile and encryption. */
  public pluginConfig(): Record<string, string> {
    const config: Record<string, string> = { profile: this.profile };
    if (this.region) config.region = this.region;
    if (this.endpoint) config.s3Url = this.endpoint;
    if (this.forcePathStyle) config.s3ForcePathStyle = 'true';
    return { ...config, ...this.encryption.toPluginConfig() };
  }

  /** The location spec shared by the BackupStorageLocation and the DataProtectionApplication forms. */
  public locationSpec() {
    return {
      provider: 'aws',
      objectStorage: {
        bucket: this.bucket,
        prefix: this.prefix,
        caCert: this.caCertificatePem ? Buffer.from(this.caCertificatePem, 'utf8').toString('base64') : undefined,
      },
      config: this.pluginConfig(),
      credential: { name: this.credentials.secretName, key: this.credentials.key },
    };
  }

  /** `s3://bucket/prefix` (for messages and documentation). */
  public get url(): string {
    return `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ''}`;
  }

  /** Path of the DataProtection that renders this location, if any. */
  public get managedBy(): string | undefined {
    return this.adoptedBy;
  }

  /**
   * Hands the location over to an OADP DataProtectionApplication: the standalone
   * BackupStorageLocation is dropped (OADP creates and owns it; two writers would fight).
   * @internal
   */
  public _adopt(path: string): void {
    if (this.adoptedBy !== undefined && this.adoptedBy !== path) {
      const p = new Problems(path);
      p.add('locations', `backup storage ${this.node.path} is already listed by ${this.adoptedBy}; one OADP installation owns a location`);
      p.throwIfAny();
    }
    this.adoptedBy = path;
    this.node.tryRemoveChild('Resource');
  }
}
