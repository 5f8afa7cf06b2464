import { X509Certificate } from 'crypto';

/** Smallest RSA modulus accepted for the recipient key (NIST SP 800-57: 3072 bits for use beyond 2030). */
const MIN_RSA_BITS = 3072;
const CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The public half of the key etcd snapshots are encrypted to before they leave the node: an
 * X.509 certificate (PEM) kept in Git. The private key never enters the cluster or Git; it stays
 * offline with the people who restore, and decrypts a snapshot with
 * `openssl cms -decrypt -binary -inform DER -in <file>.tar.cms -inkey <key> -recip <cert> | tar -xf -`
 * (README, "Restoring an etcd snapshot").
 *
 * Why CMS and not `age`: the snapshot job already runs the node's own tools through `chroot
 * /host`, and RHCOS 4.14 (RHEL 9.2, OpenSSL 3.0) has `/usr/bin/openssl`: openshift/os
 * release-4.14 `manifest-rhel-9.2.yaml` includes `packages-openshift.yaml`, which installs
 * `openvswitch3.3`, and the upstream RPM spec of OVS 3.3 requires `openssl` (openvswitch/ovs
 * v3.3.0 `rhel/openvswitch-fedora.spec.in`). That is a dependency, not an explicit package of
 * RHCOS, and the Red Hat FDP spec itself was not readable here: so the job checks for `openssl`
 * on the node before it takes a snapshot and fails loudly if it is missing. Neither the
 * `ose-cli` image (openshift/oc release-4.14 `images/cli/Dockerfile.rhel` on openshift/images
 * `base/Dockerfile.rhel`) nor the AWS CLI image (aws/aws-cli 2.22.35 `docker/Dockerfile`)
 * installs `openssl` or `age` explicitly.
 *
 * Make a key pair offline (and keep `etcd-backup.key` off the cluster, encrypted):
 *
 *     openssl req -x509 -newkey rsa:4096 -days 3650 -subj /CN=etcd-backup-production \
 *       -keyout etcd-backup.key -out etcd-backup.crt
 *
 * `openssl cms -encrypt` does not check the certificate's validity period, so an expired
 * certificate keeps working; rotate it by committing a new one (older snapshots still need the
 * old key).
 */
export class EtcdSnapshotRecipient {
  /** A PEM X.509 certificate holding an RSA (3072 bits or more) or EC public key. */
  public static certificate(pem: string): EtcdSnapshotRecipient {
    return new EtcdSnapshotRecipient(pem);
  }

  private constructor(public readonly pem: string) {}

  /** What is wrong with the certificate, as `[field, message]` pairs (never echoing key material). */
  public problems(field: string): Array<[string, string]> {
    const pem = this.pem;
    if (typeof pem !== 'string') return [[field, 'must be a PEM X.509 certificate ("-----BEGIN CERTIFICATE-----" ...)']];
    if (/PRIVATE KEY-----/.test(pem)) {
      return [[field, 'holds a PRIVATE KEY; only the certificate (public key) may be in Git and in the cluster, keep the private key offline']];
    }
    const certs = pem.match(CERT) ?? [];
    if (certs.length !== 1) {
      return [[field, `holds ${certs.length} PEM certificates; give exactly one ("-----BEGIN CERTIFICATE-----" ... "-----END CERTIFICATE-----")`]];
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(certs[0]);
    } catch {
      return [[field, 'is not a parseable X.509 certificate (openssl x509 -in <file> -noout -text must read it)']];
    }
    const key = cert.publicKey;
    if (key.asymmetricKeyType === 'rsa') {
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS) return [[field, `has a ${bits}-bit RSA key; use at least ${MIN_RSA_BITS} bits (openssl req -x509 -newkey rsa:4096 ...)`]];
      return [];
    }
    if (key.asymmetricKeyType === 'ec') return [];
    return [[field, `has a ${key.asymmetricKeyType} key; openssl cms encrypts to RSA or EC recipients, use one of those`]];
  }

  /** Subject of the certificate (for descriptions), or undefined if it does not parse. */
  public get subject(): string | undefined {
    try {
      return new X509Certificate(this.pem).subject.replace(/\n/g, ', ');
    } catch {
      return undefined;
    }
  }
}

/** Options of `snapshotEncryptionCommand`. */
export interface SnapshotEncryptionCommand {
  /** Folder whose contents are archived (the output of cluster-backup.sh). */
  readonly sourceDir: string;
  /** Recipient certificate file, as `openssl` sees it. */
  readonly recipient: string;
  /** Encrypted file to write (`.tar.cms`). */
  readonly output: string;
  /** Prefix that runs `openssl` (`chroot /host` in the job; empty to run it here). @default '' */
  readonly opensslPrefix?: string;
}

/**
 * The shell pipeline that archives a snapshot folder and encrypts it to the recipient: `tar`
 * into `openssl cms -encrypt` (AES-256-CBC content key, wrapped for the recipient's public key;
 * `-stream` keeps memory flat however large the snapshot is, `-binary` leaves the tar bytes
 * untouched, DER output). One function builds it for the job and for the test that runs it.
 */
export function snapshotEncryptionCommand(o: SnapshotEncryptionCommand): string {
  const prefix = o.opensslPrefix ? `${o.opensslPrefix} ` : '';
  return `tar -C "${o.sourceDir}" -cf - . | ${prefix}openssl cms -encrypt -binary -stream -aes-256-cbc -outform DER "${o.recipient}" > "${o.output}"`;
}

/** The command that decrypts and unpacks one encrypted snapshot (offline, with the private key). */
export function snapshotDecryptionCommand(o: { input: string; key: string; certificate: string; targetDir: string }): string {
  return `openssl cms -decrypt -binary -inform DER -in "${o.input}" -inkey "${o.key}" -recip "${o.certificate}" | tar -C "${o.targetDir}" -xf -`;
}
