import { show } from '../core/errors';
import { BucketEncryption, EncryptionKind } from './bucket-encryption';

/** What answers at a backup bucket's endpoint. */
export enum ObjectStoreKind {
  AWS_S3 = 'AWS S3',
  MINIO = 'MinIO',
  CEPH_RGW = 'Ceph RGW',
}

/** Key management a MinIO deployment is started with. */
export enum MinioKms {
  /** No KMS: MinIO refuses SSE-S3 and SSE-KMS; SSE-C (keys sent by the client) still works over TLS. */
  NONE = 'none',
  /** MinIO KES in front of a KMS (`MINIO_KMS_KES_ENDPOINT`, `MINIO_KMS_KES_KEY_NAME`): SSE-S3, SSE-KMS and SSE-C. */
  KES = 'kes',
}

/** Ceph releases whose RGW encryption support is modelled (the release the gateway runs). */
export enum CephRelease {
  /** Ceph 16 (ODF 4.10 and older): no SSE-S3 in RGW. */
  PACIFIC = 'pacific',
  /** Ceph 17 (ODF 4.12-4.14, RHCS 6): SSE-S3 through the bucket-encryption API with a Vault backend. */
  QUINCY = 'quincy',
  /** Ceph 18 (ODF 4.15+, RHCS 7). */
  REEF = 'reef',
  /** Ceph 19. */
  SQUID = 'squid',
}

/** Key management backends Ceph RGW can fetch SSE-KMS keys from (`rgw crypt s3 kms backend`). */
export type CephKmsBackend = 'vault' | 'barbican' | 'kmip';

/** What a MinIO deployment is (see {@link ObjectStore.minio}). */
export interface MinioProps {
  /** The key management MinIO runs with; decides which server-side encryption it accepts. */
  readonly kms: MinioKms;
}

/** What a Ceph RGW is (see {@link ObjectStore.cephRgw}). */
export interface CephRgwProps {
  /** Ceph release of the gateway (`ceph version`). */
  readonly release: CephRelease;
  /**
   * Backend of SSE-KMS (`rgw crypt s3 kms backend`), when one is configured.
   * @default none: SSE-KMS is refused
   */
  readonly kmsBackend?: CephKmsBackend;
  /**
   * Whether the SSE-S3 backend is configured (`rgw crypt sse s3 backend = vault` and its Vault settings).
   * @default false: SSE-S3 is refused
   */
  readonly sseS3Vault?: boolean;
}

const CEPH_KMS: readonly CephKmsBackend[] = ['vault', 'barbican', 'kmip'];

/**
 * The kind of object store behind a backup bucket, declared so that the bucket's server-side
 * encryption is checked against what that store can do. A mismatch fails at synth time instead
 * of every upload failing at night.
 *
 * - AWS S3 supports SSE-S3, SSE-KMS and SSE-C.
 * - MinIO answers SSE-S3 and SSE-KMS requests with "Server side encryption specified but KMS is
 *   not configured" unless it runs with KES (minio/minio `cmd/api-errors.go` ErrKMSNotConfigured;
 *   https://min.io/docs/minio/linux/administration/server-side-encryption/server-side-encryption-sse-s3.html).
 *   SSE-C needs no KMS (the client sends the key) but MinIO refuses SSE over plain http
 *   ("MinIO SSE requires enabling Network Encryption (TLS)",
 *   https://min.io/docs/minio/linux/administration/server-side-encryption.html).
 * - Ceph RGW: SSE-C needs no configuration; SSE-KMS needs a KMS backend (Barbican, Vault or
 *   KMIP); SSE-S3 exists from Quincy on (bucket-encryption API) and needs the Vault SSE-S3
 *   backend; encryption requests must come over https (`rgw crypt require ssl`)
 *   (https://docs.ceph.com/en/quincy/radosgw/encryption/).
 */
export class ObjectStore {
  /** Amazon S3 (no endpoint, or an AWS S3 endpoint such as a VPC or FIPS endpoint). */
  public static awsS3(): ObjectStore {
    return new ObjectStore(ObjectStoreKind.AWS_S3, {});
  }

  /**
   * A MinIO server. MinIO's gateway mode (the old "caching gateway") was removed upstream; a
   * MinIO in front of another bucket today is a plain MinIO server (with replication or
   * tiering), and what it accepts depends on its KMS.
   */
  public static minio(props: MinioProps): ObjectStore {
    return new ObjectStore(ObjectStoreKind.MINIO, { ...props });
  }

  /** A Ceph Object Gateway (ODF's object store, or an external Ceph cluster). */
  public static cephRgw(props: CephRgwProps): ObjectStore {
    return new ObjectStore(ObjectStoreKind.CEPH_RGW, { ...props });
  }

  private constructor(
    public readonly kind: ObjectStoreKind,
    private readonly props: Partial<MinioProps & CephRgwProps>,
  ) {}

  /** MinIO's KMS (MinIO only). */
  public get minioKms(): MinioKms | undefined {
    return this.kind === ObjectStoreKind.MINIO ? this.props.kms : undefined;
  }

  /** What is wrong with the declaration itself, as `[field, message]` pairs. */
  public problems(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    if (this.kind === ObjectStoreKind.MINIO && !Object.values(MinioKms).includes(this.props.kms as MinioKms)) {
      out.push(['store.kms', `${show(this.props.kms)} is not a MinioKms; say whether MinIO runs with KES: MinioKms.KES or MinioKms.NONE`]);
    }
    if (this.kind === ObjectStoreKind.CEPH_RGW) {
      if (!Object.values(CephRelease).includes(this.props.release as CephRelease)) {
        out.push(['store.release', `${show(this.props.release)} is not a Ceph release; one of ${Object.values(CephRelease).join(', ')} (\`ceph version\` on the gateway)`]);
      }
      if (this.props.kmsBackend !== undefined && !CEPH_KMS.includes(this.props.kmsBackend)) {
        out.push(['store.kmsBackend', `${show(this.props.kmsBackend)} is not an RGW KMS backend; one of ${CEPH_KMS.join(', ')}`]);
      }
      if (this.props.sseS3Vault !== undefined && typeof this.props.sseS3Vault !== 'boolean') {
        out.push(['store.sseS3Vault', `${show(this.props.sseS3Vault)} must be true or false`]);
      }
    }
    return out;
  }

  /**
   * Why this store cannot serve `encryption` at `endpoint`, as `[field, message]` pairs (empty
   * when it can). `endpoint` undefined means AWS S3's own endpoints.
   */
  public encryptionProblems(encryption: BucketEncryption, endpoint: string | undefined): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    const kind = encryption.kind;
    if (kind === EncryptionKind.NONE) return out;
    const plainHttp = typeof endpoint === 'string' && endpoint.startsWith('http:');
    switch (this.kind) {
      case ObjectStoreKind.AWS_S3:
        break;
      case ObjectStoreKind.MINIO:
        if ((kind === EncryptionKind.S3_MANAGED || kind === EncryptionKind.KMS) && this.props.kms !== MinioKms.KES) {
          out.push(['encryption', `${kind} on MinIO needs KES (MinIO answers "Server side encryption specified but KMS is not configured" without it); declare ObjectStore.minio({ kms: MinioKms.KES }) if it runs with KES, or use BucketEncryption.customerKey(keyFile) (SSE-C needs no KMS)`]);
        }
        if (plainHttp) out.push(['endpoint', `${show(endpoint)} is plain http; MinIO accepts server-side encryption only over TLS, use https`]);
        break;
      case ObjectStoreKind.CEPH_RGW: {
        const release = this.props.release;
        if (kind === EncryptionKind.KMS && this.props.kmsBackend === undefined) {
          out.push(['encryption', 'SSE-KMS on Ceph RGW needs a KMS backend (rgw crypt s3 kms backend: vault, barbican or kmip); declare it as kmsBackend, or use BucketEncryption.customerKey(keyFile) (SSE-C needs no configuration)']);
        }
        if (kind === EncryptionKind.S3_MANAGED) {
          if (release === CephRelease.PACIFIC) {
            out.push(['encryption', 'SSE-S3 is not available in Ceph RGW before Quincy (17); use BucketEncryption.customerKey(keyFile), or SSE-KMS with a KMS backend']);
          } else if (this.props.sseS3Vault !== true) {
            out.push(['encryption', 'SSE-S3 on Ceph RGW needs its Vault backend (rgw crypt sse s3 backend = vault); declare sseS3Vault: true if it is configured, or use BucketEncryption.customerKey(keyFile)']);
          }
        }
        if (plainHttp) out.push(['endpoint', `${show(endpoint)} is plain http; Ceph RGW refuses encryption requests without TLS (rgw crypt require ssl), use https`]);
        break;
      }
      default:
        break;
    }
    return out;
  }

  public toString(): string {
    if (this.kind === ObjectStoreKind.MINIO) return `MinIO (KMS: ${this.props.kms})`;
    if (this.kind === ObjectStoreKind.CEPH_RGW) return `Ceph RGW (${this.props.release})`;
    return this.kind;
  }
}
