import { show } from './errors';
import { hasUrlCredentials, redactUrlCredentials } from './secret-scan';

/**
 * A rule checks one value and returns what is wrong with it (naming the bad value and what is
 * allowed), or undefined when it is fine. Rules are shared by constructs and data-file loaders.
 */
export type Rule<T = unknown> = (value: T) => string | undefined;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A DNS-1123 label: lower-case alphanumerics and '-', at most 63 characters (namespace and most object names). */
export const dnsLabel: Rule<unknown> = (v) => {
  if (typeof v !== 'string' || v.length === 0 || v.length > 63 || !DNS_LABEL.test(v)) {
    return `${show(v)} is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`;
  }
  return undefined;
};

/** A DNS-1123 subdomain: dot-separated labels, at most 253 characters. */
export const dnsSubdomain: Rule<unknown> = (v) => {
  if (typeof v !== 'string' || v.length === 0 || v.length > 253 || !DNS_SUBDOMAIN.test(v)) {
    return `${show(v)} is not a DNS-1123 subdomain (dot-separated lower-case labels, at most 253 characters)`;
  }
  return undefined;
};

/** A fully qualified host name with at least two labels (`gitlab.example.org`). */
export const hostname: Rule<unknown> = (v) => {
  if (typeof v !== 'string' || !DNS_SUBDOMAIN.test(v) || !v.includes('.') || v.length > 253 || v.split('.').some((l) => l.length > 63)) {
    return `${show(v)} is not a DNS host name (for example "forum.example.org")`;
  }
  return undefined;
};

/** A non-empty string. */
export const nonEmpty: Rule<unknown> = (v) =>
  typeof v === 'string' && v.trim().length > 0 ? undefined : `${show(v)} must be a non-empty string`;

/** An integer within [min, max]. */
export function intRange(min: number, max: number): Rule<unknown> {
  return (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? undefined
      : `${show(v)} must be an integer from ${min} to ${max}`;
}

/**
 * Refuses a URL-shaped value that carries credentials in its user info (`https://user:pass@host`,
 * `https://<token>@host`, `user:pass@registry/image`); the message shows the URL with the user
 * info replaced by `***`. A user name alone over ssh (`ssh://git@host`, `git@host:path`) is no
 * secret and passes. Anything else passes (use it before or after a shape rule).
 */
export const noUrlCredentials: Rule<unknown> = (v) =>
  typeof v === 'string' && hasUrlCredentials(v)
    ? `${JSON.stringify(redactUrlCredentials(v))} carries credentials in the URL (user info ***); they would be written into Git. Give the URL without them and put the credentials in a Secret referenced by name`
    : undefined;

/** An http or https URL, without credentials in it. */
export const httpUrl: Rule<unknown> = (v) => {
  const cred = noUrlCredentials(v);
  if (cred) return cred;
  if (typeof v === 'string') {
    try {
      const u = new URL(v);
      if ((u.protocol === 'http:' || u.protocol === 'https:') && u.hostname && !u.username && !u.password) return undefined;
    } catch {
      // fall through
    }
  }
  return `${show(v)} is not an http(s) URL (for example "https://download.example.org/image.qcow2")`;
};

/** An https URL, without credentials in it. */
export const httpsUrl: Rule<unknown> = (v) => {
  const cred = noUrlCredentials(v);
  if (cred) return cred;
  if (typeof v === 'string') {
    try {
      const u = new URL(v);
      if (u.protocol === 'https:' && u.hostname && !u.username && !u.password) return undefined;
    } catch {
      // fall through
    }
  }
  return `${show(v)} is not an https URL (for example "https://gitlab.example.org")`;
};

/** One of a fixed set of strings. */
export function oneOf<T extends string>(allowed: readonly T[]): Rule<unknown> {
  return (v) =>
    typeof v === 'string' && (allowed as readonly string[]).includes(v)
      ? undefined
      : `${show(v)} is not allowed; use one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`;
}

/** Returns the values that occur more than once. */
export function duplicates<T>(values: readonly T[]): T[] {
  const seen = new Set<T>();
  const dup = new Set<T>();
  for (const v of values) {
    if (seen.has(v)) dup.add(v);
    seen.add(v);
  }
  return [...dup];
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A Kubernetes label (or annotation) key: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
export const labelKey: Rule<unknown> = (v) => {
  const bad = `${show(v)} is not a label key (an optional DNS prefix and "/", then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit, for example "example.org/team")`;
  if (typeof v !== 'string') return bad;
  const slash = v.lastIndexOf('/');
  const prefix = slash >= 0 ? v.slice(0, slash) : undefined;
  const name = slash >= 0 ? v.slice(slash + 1) : v;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return bad;
  return name.length > 0 && name.length <= 63 && LABEL_NAME.test(name) ? undefined : bad;
};

/** A Kubernetes label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. */
export const labelValue: Rule<unknown> = (v) =>
  typeof v === 'string' && (v === '' || (v.length <= 63 && LABEL_NAME.test(v)))
    ? undefined
    : `${show(v)} is not a label value (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)`;

/**
 * A Git repository URL Argo CD can clone: https (or http) or ssh (`ssh://...`, `git@host:path`).
 * Credentials are never part of it (Argo CD takes them from a repository Secret,
 * https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#repositories); an
 * ssh user name is fine.
 */
export const gitUrl: Rule<unknown> = (v) => {
  const cred = noUrlCredentials(v);
  if (cred) return cred;
  return typeof v === 'string' && /^(https?:\/\/(git@)?[^\s/@]+\/\S+|ssh:\/\/([A-Za-z0-9._-]+@)?[^\s@/]+\/\S+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:\S+)$/.test(v)
    ? undefined
    : `${show(v)} is not a Git repository URL (for example "https://gitlab.example.org/infra/cluster.git" or "git@gitlab.example.org:infra/cluster.git")`;
};
