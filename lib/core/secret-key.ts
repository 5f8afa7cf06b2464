import { OcpkitError, Problems } from './errors';
import { dnsSubdomain } from './rules';

/**
 * A reference to one key of an existing Secret. ocpkit never writes secret values: credentials
 * are created out of band (or through SealedSecrets / External Secrets) and referenced by name
 * and key.
 */
export class SecretKey {
  /**
   * References `key` in the Secret `secretName` (in the namespace of the object that uses it).
   * Throws when the name is not a valid object name or the key is missing.
   */
  public static of(secretName: string, key: string): SecretKey {
    const p = new Problems(`SecretKey ${secretName}`);
    p.check('secretName', secretName, dnsSubdomain);
    if (typeof key !== 'string' || !/^[-._a-zA-Z0-9]+$/.test(key)) {
      p.add('key', `${JSON.stringify(key)} is not a Secret key; name the key inside the Secret that holds the value (letters, digits, '-', '_', '.')`);
    }
    p.throwIfAny('invalid Secret reference');
    return new SecretKey(secretName, key);
  }

  private constructor(public readonly secretName: string, public readonly key: string) {}

  /** The Kubernetes `secretKeyRef` form. */
  public toSelector(): { name: string; key: string } {
    return { name: this.secretName, key: this.key };
  }

  public toString(): string {
    return `${this.secretName}/${this.key}`;
  }
}

/** Checks that a value is a SecretKey, for props coming from untyped data. */
export function assertSecretKey(path: string, field: string, value: unknown): asserts value is SecretKey {
  if (!(value instanceof SecretKey)) {
    throw new OcpkitError([{ path, field, message: 'must be a SecretKey.of(secretName, key) reference; secret values are never written into manifests' }]);
  }
}
