import { show } from '../core/errors';
import { noUrlCredentials, Rule } from '../core/rules';
import { SecretKey } from '../core/secret-key';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

/** A semantic version without a leading "v" (`7.6.0`), as the GitLab CR's `spec.chart.version` requires. */
export const semver: Rule<unknown> = (v) => {
  if (typeof v === 'string' && SEMVER.test(v)) return undefined;
  const hint = typeof v === 'string' && /^v\d/.test(v) ? ` (drop the leading "v": "${v.slice(1)}")` : '';
  return `${show(v)} is not a chart version; write a semantic version such as "7.6.0"${hint}`;
};

/** A host name or IPv4 address (syslog targets, S3 endpoints). */
export const hostOrIp: Rule<unknown> = (v) => {
  if (typeof v === 'string') {
    if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(v) && v.split('.').every((o) => Number(o) <= 255)) return undefined;
    if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(v) && v.length <= 253) return undefined;
  }
  return `${show(v)} is not a host name or IPv4 address (for example "syslog.example.org")`;
};

/** An https URL without path, query or credentials (`https://gitlab.example.org`). */
export const httpsOrigin: Rule<unknown> = (v) => {
  const cred = noUrlCredentials(v);
  if (cred) return cred;
  if (typeof v === 'string') {
    try {
      const u = new URL(v);
      if (u.protocol === 'https:' && u.hostname && !u.username && !u.password && (u.pathname === '/' || u.pathname === '') && !u.search && !u.hash) return undefined;
      if (u.protocol !== 'https:') return `${show(v)} is not an https URL; GitLab must be reached over TLS (for example "https://gitlab.example.org")`;
    } catch {
      // fall through
    }
  }
  return `${show(v)} is not an https URL of a GitLab instance (for example "https://gitlab.example.org", no path)`;
};

/**
 * A {@link SecretKey} (a Secret name and the key inside it), never a value. `key` is how the
 * hint names the key (`key`, or `"runner-token"` where only one key is read).
 */
export function secretKeyRef(key = 'key'): Rule<unknown> {
  return (v) => (v instanceof SecretKey ? undefined : `${show(v)} is not a Secret reference; use SecretKey.of(secretName, ${key}), secret values are never written into manifests`);
}

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** An S3 bucket name: 3-63 lower-case letters, digits, '.' and '-', starting and ending alphanumeric. */
export const s3Bucket: Rule<unknown> = (v) => (typeof v === 'string' && S3_BUCKET.test(v) ? undefined : `${show(v)} is not an S3 bucket name (3-63 lower-case letters, digits, '.' and '-')`);
