import { show } from '../core/errors';
import { createHash } from 'crypto';

/**
 * Object names and namespaces become file names (`<kind>.<namespace>.<name>.yaml`), so they are
 * checked here, before any path is built, with the rules the kube-apiserver applies to them
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/):
 *
 * - `metadata.namespace` and Namespace/Project names: RFC 1123 labels (apimachinery
 *   `ValidateNamespaceName`);
 * - Service names: RFC 1035 labels, starting with a letter (`ValidateServiceName`);
 * - RBAC objects and OpenShift users/groups: path segment names, anything but `.`, `..`, `/`
 *   and `%` (`path.IsValidPathSegmentName`, used by `ValidateRBACName`), so `system:foo` is allowed;
 * - CronJobs: DNS subdomains of at most 52 characters (the controller appends 11 characters to
 *   make Job names; kubernetes.io/docs/concepts/workloads/controllers/cron-jobs);
 * - every other kind, custom resources included: DNS-1123 subdomains of at most 253 characters.
 *
 * Whatever the rule, control characters and NUL never pass, so every name is a single safe path
 * segment; {@link containedFile} then checks the final path as well.
 */
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

type NameRule = 'label' | 'label1035' | 'pathSegment' | 'subdomain';

const RULES: ReadonlyMap<string, { rule: NameRule; max: number }> = new Map([
  ['/Namespace', { rule: 'label', max: 63 }],
  ['project.openshift.io/Project', { rule: 'label', max: 63 }],
  ['/Service', { rule: 'label1035', max: 63 }],
  ['rbac.authorization.k8s.io/Role', { rule: 'pathSegment', max: 253 }],
  ['rbac.authorization.k8s.io/ClusterRole', { rule: 'pathSegment', max: 253 }],
  ['rbac.authorization.k8s.io/RoleBinding', { rule: 'pathSegment', max: 253 }],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', { rule: 'pathSegment', max: 253 }],
  ['user.openshift.io/Group', { rule: 'pathSegment', max: 253 }],
  ['user.openshift.io/User', { rule: 'pathSegment', max: 253 }],
  ['batch/CronJob', { rule: 'subdomain', max: 52 }],
]);

/** The kinds {@link RULES} names (a group never holds `/`, so only these kinds can have a rule of their own). */
const RULE_KINDS: ReadonlySet<string> = new Set([...RULES.keys()].map((k) => k.slice(k.indexOf('/') + 1)));

const DESCRIBE: Record<NameRule, string> = {
  label: "a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)",
  label1035: "a DNS-1035 label (lower-case letters, digits and '-', starting with a letter and ending with a letter or digit)",
  pathSegment: "a path segment name (any characters but '/', '%' and control characters, not '.' or '..')",
  subdomain: "a DNS-1123 subdomain (dot-separated lower-case labels of letters, digits and '-')",
};

function groupOf(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string') return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function passes(rule: NameRule, max: number, v: string): boolean {
  if (v.length === 0 || v.length > max || CONTROL.test(v)) return false;
  switch (rule) {
    case 'label': return LABEL.test(v);
    case 'label1035': return LABEL_1035.test(v);
    case 'subdomain': return SUBDOMAIN.test(v);
    case 'pathSegment': return v !== '.' && v !== '..' && !v.includes('/') && !v.includes('%');
  }
}

/** What is wrong with a manifest's name and namespace as Kubernetes names (and so as file names). */
export function objectNameProblems(manifest: any): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  const kind = typeof manifest?.kind === 'string' ? manifest.kind : '';
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(kind) || kind.length > 63) {
    out.push({ field: 'kind', message: `${show(manifest?.kind)} is not a Kubernetes kind (letters and digits, starting with a letter)` });
  }
  const ns = manifest?.metadata?.namespace;
  if (ns !== undefined && ns !== null && !passes('label', 63, String(ns))) {
    out.push({ field: 'metadata.namespace', message: `${show(ns)} is not ${DESCRIBE.label} of at most 63 characters` });
  }
  const name = manifest?.metadata?.name;
  const { rule, max } = (RULE_KINDS.has(kind) ? RULES.get(`${groupOf(manifest?.apiVersion)}/${kind}`) : undefined) ?? { rule: 'subdomain' as NameRule, max: 253 };
  if (typeof name !== 'string' || !passes(rule, max, name)) {
    out.push({ field: 'metadata.name', message: `${show(name)} is not a valid ${kind || 'object'} name: it must be ${DESCRIBE[rule]} of at most ${max} characters` });
  }
  return out;
}

/** Longest file name most file systems accept, in bytes. */
const MAX_FILE_NAME = 255;

/**
 * Stable file name of a manifest whose kind, namespace and name passed {@link objectNameProblems}:
 * `<kind>.<namespace>.<name>.yaml` (no namespace for cluster-scoped kinds). A name that would make
 * the file name longer than 255 bytes is shortened and given a hash of the full name, so the file
 * name stays unique and deterministic.
 */
export function fileName(manifest: any): string {
  const kind = String(manifest.kind).toLowerCase();
  const ns = manifest.metadata?.namespace;
  const name = String(manifest.metadata?.name);
  const head = ns ? `${kind}.${ns}.` : `${kind}.`;
  const full = `${head}${name}.yaml`;
  // a UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, is 4)
  if (full.length * 3 <= MAX_FILE_NAME || Buffer.byteLength(full) <= MAX_FILE_NAME) return full;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 12);
  let short = name;
  while (Buffer.byteLength(`${head}${short}-${hash}.yaml`) > MAX_FILE_NAME) short = short.slice(0, -1);
  return `${head}${short}-${hash}.yaml`;
}

/**
 * The relative output path `parts.join('/')` after checking that it stays inside the output
 * folder: no empty, `.` or `..` segment, no absolute path, nothing that resolves elsewhere.
 * Returns undefined when the path would escape.
 */
export function containedFile(...parts: string[]): string | undefined {
  // Every segment a plain name (no empty, `.` or `..` segment, no separator or NUL inside) is
  // exactly "resolves inside the output folder": nothing can climb out or start from the root.
  // (segment by segment with indexOf: no array per part)
  for (const part of parts) {
    if (part.includes('\\') || part.includes('\0')) return undefined;
    let start = 0;
    for (;;) {
      const end = part.indexOf('/', start);
      const len = (end < 0 ? part.length : end) - start;
      if (len === 0 || (len <= 2 && part.charCodeAt(start) === 46 && (len === 1 || part.charCodeAt(start + 1) === 46))) return undefined;
      if (end < 0) break;
      start = end + 1;
    }
  }
  return parts.join('/');
}
