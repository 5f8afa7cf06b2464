import { Problems, show } from '../core/errors';

export { OADP_NAMESPACE } from './oadp-namespace';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const BUCKET_CHARS = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/**
 * S3 bucket naming rules (general purpose buckets): 3-63 characters, lower-case letters, digits,
 * dots and hyphens, starting and ending with a letter or digit, no `..`, not an IP address, and
 * none of the prefixes and suffixes AWS reserves.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function bucketNameProblem(v: unknown): string | undefined {
  const rules = 'S3 bucket names have 3-63 lower-case letters, digits, dots or hyphens and start and end with a letter or digit';
  if (typeof v !== 'string') return `${show(v)} is not a bucket name (${rules})`;
  if (v.length < 3 || v.length > 63) return `${show(v)} has ${v.length} characters; ${rules}`;
  if (!BUCKET_CHARS.test(v)) return `${show(v)} breaks S3 naming rules: ${rules}`;
  if (v.includes('..')) return `${show(v)} breaks S3 naming rules: two dots in a row are not allowed`;
  if (v.includes('.-') || v.includes('-.')) return `${show(v)} breaks S3 naming rules: a dot next to a hyphen is not allowed`;
  if (IPV4.test(v)) return `${show(v)} breaks S3 naming rules: a bucket name must not look like an IP address`;
  const pre = RESERVED_PREFIXES.find((x) => v.startsWith(x));
  if (pre) return `${show(v)} breaks S3 naming rules: the prefix "${pre}" is reserved`;
  const suf = RESERVED_SUFFIXES.find((x) => v.endsWith(x));
  if (suf) return `${show(v)} breaks S3 naming rules: the suffix "${suf}" is reserved`;
  return undefined;
}

/** An object-key prefix inside a bucket: no leading or trailing slash, no empty segments. */
export function bucketPrefixProblem(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length === 0 || v.length > 512 || v.startsWith('/') || v.endsWith('/') || v.includes('//') || !/^[A-Za-z0-9!_.*'()\/-]+$/.test(v)) {
    return `${show(v)} is not a bucket prefix (path segments of letters, digits and "-_.!*'()" separated by "/", no leading or trailing "/", for example "velero/production")`;
  }
  return undefined;
}

/** An S3 region name (`us-east-1`; MinIO and Ceph RGW accept any such word, often `us-east-1` or `default`). */
export function regionProblem(v: unknown): string | undefined {
  return typeof v === 'string' && /^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/.test(v) ? undefined : `${show(v)} is not a region name (for example "us-east-1")`;
}

/**
 * The declared identity of object-store credentials: a user, service-account or role name
 * (`velero-production`, `arn:aws:iam::123456789012:user/velero`), never the access key or secret.
 */
export function credentialsIdentityProblem(v: unknown): string | undefined {
  if (typeof v !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9@:/+=,._-]{0,255}$/.test(v)) {
    return `${show(v)} is not a credentials identity; give the user or role name the access key belongs to (for example "velero-production"), never the key`;
  }
  // An AWS access key id (AKIA/ASIA + 16) or a 40-character secret is a key, not a name.
  if (/^(AKIA|ASIA)[A-Z0-9]{16}$/.test(v) || /^[A-Za-z0-9/+=]{40}$/.test(v)) {
    return 'looks like an access key or secret, not a name; give the user or role name the key belongs to (for example "velero-production")';
  }
  return undefined;
}

/** Whether two bucket prefixes overlap (one equals or contains the other; no prefix is the whole bucket). */
export function prefixesOverlap(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return true;
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/** An absolute file path inside a container. */
export function absolutePathProblem(v: unknown): string | undefined {
  return typeof v === 'string' && /^\/[^\s]*$/.test(v) && !v.includes('/../') && !v.endsWith('/..') && v !== '/'
    ? undefined
    : `${show(v)} is not an absolute path (for example "/credentials/customer-key")`;
}

/** Cuts a generated name to 63 characters without leaving a trailing '-' or '.'. */
export function clampName(name: string, max = 63): string {
  return name.slice(0, max).replace(/[-.]+$/, '');
}

/**
 * The list a prop holds, or `[]` after recording a problem when it is neither a list nor absent
 * (JavaScript callers and data files can pass a string where a list belongs).
 */
export function listProp<T>(p: Problems, field: string, value: readonly T[] | undefined | null, example: string): readonly T[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  p.add(field, `${show(value)} is not a list; write a list such as ${example}`);
  return [];
}
