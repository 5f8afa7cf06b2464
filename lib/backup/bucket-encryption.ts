import { show } from '../core/errors';
import type { DataProtection } from './data-protection';
import type { ObjectStore } from './object-store';

/** How objects in a backup bucket are encrypted at rest. */
export enum EncryptionKind {
  /** SSE-S3: the object store manages the keys (AES256). */
  S3_MANAGED = 'SSE-S3',
  /** SSE-KMS: a key in a key management service, by id or alias. */
  KMS = 'SSE-KMS',
  /** SSE-C: a 32-byte key the client sends with every request. */
  CUSTOMER_KEY = 'SSE-C',
  /** No server-side encryption (explicit opt-out with a written reason). */
  NONE = 'none',
}

/**
 * Server-side encryption of a backup bucket: exactly one of SSE-S3, SSE-KMS or SSE-C. Velero
 * backups hold every Secret of the namespaces they cover, so an unencrypted bucket needs an
 * explicit {@link BucketEncryption.unencrypted} with a reason that reviewers can read.
 *
 * The values map to the config keys of the Velero AWS object-store plugin
 * (`serverSideEncryption`, `kmsKeyId`, `customerKeyEncryptionFile`; the plugin OADP 1.4 ships,
 * openshift/velero-plugin-for-aws branch oadp-1.4 `velero-plugin-for-aws/object_store.go`, sends
 * SSE-KMS when a key id is set, else SSE-C when a key file is set, else `serverSideEncryption`).
 * What the object store accepts is checked against the BackupStorage's declared
 * {@link ObjectStore} (MinIO without KES refuses SSE-S3 and SSE-KMS).
 *
 * What server-side encryption covers, and what it does not:
 * - It applies to what the plugin writes: backup tarballs (every Kubernetes object, Secrets
 *   included), logs and metadata. It protects the disks of the store, and with SSE-C also
 *   against someone who holds the bucket credentials but not the key.
 * - Volume data that Velero 1.14 moves with kopia (file-system backups, CSI data mover) is
 *   written by kopia's own S3 client, which gets no SSE settings from the location
 *   (openshift/velero 9ac863aaa452, the fork OADP 1.4 builds: pkg/repository/provider/unified_repo.go
 *   getStorageVariables passes endpoint, bucket, prefix, region and CA only). Kopia encrypts that
 *   data itself with a key derived from the repository password, which is why
 *   {@link DataProtection} requires a per-cluster `velero-repo-credentials`.
 */
export class BucketEncryption {
  /** SSE-S3: the object store encrypts with keys it manages (AES256). Supported by AWS, Ceph RGW (Quincy+, Vault backend) and MinIO (with KES). */
  public static s3Managed(): BucketEncryption {
    return new BucketEncryption(EncryptionKind.S3_MANAGED, undefined);
  }

  /**
   * SSE-KMS with a key id, ARN or alias (`alias/velero`). The credentials must be allowed to use
   * the key. AWS S3 only (the plugin sets `serverSideEncryption: aws:kms` itself).
   */
  public static kms(keyId: string): BucketEncryption {
    return new BucketEncryption(EncryptionKind.KMS, keyId);
  }

  /**
   * SSE-C with a customer key: `keyFile` is the path, inside the Velero pod, of a file holding
   * the 32-byte key. With OADP, put the key into the `cloud-credentials` Secret under its own key
   * (`customer-key`) and refer to `/credentials/customer-key` (OADP 1.4 mounts that whole Secret
   * at /credentials: openshift/oadp-operator@oadp-1.4 pkg/credentials/credentials.go). Works on
   * AWS S3, on MinIO without KES and on Ceph RGW without configuration; the object store refuses
   * SSE-C over plain http, and `velero backup logs`/`download` cannot read SSE-C objects (they
   * use pre-signed URLs without the key). Lose the key and the backups are unreadable: keep a
   * copy offline.
   */
  public static customerKey(keyFile: string): BucketEncryption {
    return new BucketEncryption(EncryptionKind.CUSTOMER_KEY, keyFile);
  }

  /**
   * No server-side encryption. Only for buckets that are encrypted some other way (an encrypted
   * disk under a local MinIO, for instance); `reason` says which, and lands in the synthesized
   * object as an annotation.
   */
  public static unencrypted(reason: string): BucketEncryption {
    return new BucketEncryption(EncryptionKind.NONE, reason);
  }

  private constructor(public readonly kind: EncryptionKind, private readonly value: string | undefined) {}

  /** KMS key id (SSE-KMS only). */
  public get kmsKeyId(): string | undefined {
    return this.kind === EncryptionKind.KMS ? this.value : undefined;
  }

  /** Key file inside the Velero pod (SSE-C only). */
  public get customerKeyFile(): string | undefined {
    return this.kind === EncryptionKind.CUSTOMER_KEY ? this.value : undefined;
  }

  /** The written reason of an opt-out (unencrypted only). */
  public get optOutReason(): string | undefined {
    return this.kind === EncryptionKind.NONE ? this.value : undefined;
  }

  /** What is wrong with the settings, as `[field, message]` pairs. */
  public problems(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    if (this.kind === EncryptionKind.KMS && (typeof this.value !== 'string' || !/^[A-Za-z0-9:/_.-]{1,2048}$/.test(this.value))) {
      out.push(['encryption.kmsKeyId', `${show(this.value)} is not a KMS key id, ARN or alias (for example "alias/velero" or "1234abcd-12ab-34cd-56ef-1234567890ab")`]);
    }
    if (this.kind === EncryptionKind.CUSTOMER_KEY && (typeof this.value !== 'string' || !/^\/[^\s]+$/.test(this.value) || this.value.endsWith('/'))) {
      out.push(['encryption.keyFile', `${show(this.value)} is not an absolute file path inside the Velero pod (for example "/credentials/customer-key")`]);
    }
    if (this.kind === EncryptionKind.NONE && (typeof this.value !== 'string' || this.value.trim().length < 10)) {
      out.push(['encryption.reason', `${show(this.value)} is not a reason; an unencrypted backup bucket needs a written reason (at least a few words) saying how the data is protected instead`]);
    }
    return out;
  }

  /** The Velero AWS plugin config keys for this encryption. */
  public toPluginConfig(): Record<string, string> {
    switch (this.kind) {
      case EncryptionKind.S3_MANAGED:
        return { serverSideEncryption: 'AES256' };
      case EncryptionKind.KMS:
        return { kmsKeyId: this.value! };
      case EncryptionKind.CUSTOMER_KEY:
        return { customerKeyEncryptionFile: this.value! };
      default:
        return {};
    }
  }

  public toString(): string {
    return this.kind;
  }
}
