import { changedText, containersOf, listOf, objectName, podSpecOf, podSpecPath } from './_manifest';
import { formatPath, valueAt } from './field-path';
import { maskValue } from './masking';
import type { RiskFinding, RiskInput, RiskRule } from './risk';
import type { RiskContext } from './risk-context';
import { isolationLostFindings } from './risk-data';
import { canonicalJson } from './value-diff';

const WORKLOAD_KINDS = ['Pod', 'Deployment', 'DeploymentConfig', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DaemonSet', 'Job', 'CronJob'];

/* ---------------------------------------------------------------- RBAC */

/** One permission: API group, resource (or non-resource URL), verb, resource name (`*` = any). */
type Grant = readonly [string, string, string, string];

function grantsOf(rules: unknown): Grant[] {
  const out: Grant[] = [];
  for (const r of listOf(rules)) {
    const verbs = listOf(r?.verbs).map(String);
    const names = listOf(r?.resourceNames).map(String);
    const urls = listOf(r?.nonResourceURLs).map(String);
    for (const v of verbs) {
      for (const u of urls) out.push(['(url)', u, v, '*']);
      for (const g of listOf(r?.apiGroups).map(String)) {
        for (const res of listOf(r?.resources).map(String)) {
          for (const n of names.length ? names : ['*']) out.push([g, res, v, n]);
        }
      }
    }
  }
  return out;
}

function covers(old: Grant, neu: Grant): boolean {
  return old.every((o, i) => o === '*' || o === neu[i] || (i === 1 && o.endsWith('/*') && neu[1].startsWith(o.slice(0, -1))));
}

function describeGrants(grants: readonly Grant[]): string {
  const byTarget = new Map<string, Set<string>>();
  for (const [g, r, v, n] of grants) {
    const target = g === '(url)' ? r : `${r}${g ? `.${g}` : ''}${n !== '*' ? `/${n}` : ''}`;
    let verbs = byTarget.get(target);
    if (!verbs) byTarget.set(target, (verbs = new Set()));
    verbs.add(v);
  }
  const parts = [...byTarget].map(([t, vs]) => `${[...vs].join(',')} ${t}`);
  return parts.length > 6 ? `${parts.slice(0, 6).join('; ')}; and ${parts.length - 6} more` : parts.join('; ');
}

/** A Role or ClusterRole gains permissions (a verb, resource, API group or resource name it did not cover). */
function rbacRuleGrants(input: RiskInput): RiskFinding[] {
  const neu = grantsOf(input.new?.rules);
  if (input.op === 'added') {
    const aggregates = Object.keys(input.new?.metadata?.labels ?? {}).filter((l) => l.startsWith('rbac.authorization.k8s.io/aggregate-to-'));
    const wildcard = neu.filter((g) => g[1] === '*' || g[2] === '*' || g[0] === '*');
    const out: RiskFinding[] = [];
    if (aggregates.length) out.push({ reason: `new ${input.kind} ${input.name} is aggregated into ${aggregates.map((l) => l.slice('rbac.authorization.k8s.io/aggregate-to-'.length)).join(', ')}: everyone bound to those roles gains ${describeGrants(neu)}`, path: 'metadata.labels' });
    if (wildcard.length) out.push({ reason: `new ${input.kind} ${input.name} grants wildcards: ${describeGrants(wildcard)}`, path: 'rules' });
    return out;
  }
  const old = grantsOf(input.old?.rules);
  const gained = neu.filter((n) => !old.some((o) => covers(o, n)));
  return gained.length ? [{ reason: `${input.kind} ${input.name} now grants ${describeGrants(gained)}; everyone bound to it gains this`, path: 'rules' }] : [];
}

function subjectText(s: any): string {
  const kind = String(s?.kind ?? 'Subject');
  const name = String(s?.name ?? '?');
  return kind === 'ServiceAccount' ? `ServiceAccount ${s?.namespace ? `${s.namespace}/` : ''}${name}` : `${kind} ${name}`;
}

const BROAD_GROUPS = new Set(['system:authenticated', 'system:unauthenticated', 'system:serviceaccounts']);

/** A binding is added, gains subjects, or points at another role. */
function bindingGrants(input: RiskInput): RiskFinding[] {
  const m = input.new;
  const role = `${m?.roleRef?.kind ?? 'Role'} ${m?.roleRef?.name ?? '?'}`;
  const scope = input.kind === 'ClusterRoleBinding' ? 'cluster-wide' : `in namespace ${m?.metadata?.namespace ?? '?'}`;
  const subjects = listOf(m?.subjects);
  const broad = (list: any[]) => list.filter((s) => s?.kind === 'Group' && BROAD_GROUPS.has(String(s?.name)));
  const note = (list: any[]) => (broad(list).length ? ` (${broad(list).map((s) => s.name).join(', ')}: every matching user)` : '');
  if (input.op === 'added') {
    return [{ reason: `grants ${role} ${scope} to ${subjects.map(subjectText).join(', ') || 'no subjects'}${note(subjects)}`, path: 'subjects' }];
  }
  const out: RiskFinding[] = [];
  const oldKeys = new Set(listOf(input.old?.subjects).map((s) => canonicalJson(s)));
  const gained = subjects.filter((s) => !oldKeys.has(canonicalJson(s)));
  if (gained.length) out.push({ reason: `grants ${role} ${scope} to ${gained.map(subjectText).join(', ')} as well${note(gained)}`, path: 'subjects' });
  if (canonicalJson(input.old?.roleRef) !== canonicalJson(m?.roleRef)) {
    out.push({ reason: `binds ${subjects.map(subjectText).join(', ') || 'its subjects'} to ${role} instead of ${input.old?.roleRef?.kind ?? 'Role'} ${input.old?.roleRef?.name ?? '?'} ${scope}`, path: 'roleRef' });
  }
  return out;
}

/* ---------------------------------------------------------------- NetworkPolicy */

/** Whether rule `a` admits everything rule `b` admits (peers and ports; an absent list admits all). */
function ruleCovers(a: any, b: any, peersKey: 'from' | 'to'): boolean {
  const within = (outer: unknown, inner: unknown) => {
    const o = listOf(outer);
    if (o.length === 0) return true; // absent or empty: every peer / every port
    const i = listOf(inner);
    if (i.length === 0) return false;
    const keys = new Set(o.map((x) => canonicalJson(x)));
    return i.every((x) => keys.has(canonicalJson(x)));
  };
  return within(a?.[peersKey], b?.[peersKey]) && within(a?.ports, b?.ports);
}

function describeRule(r: any, peersKey: 'from' | 'to'): string {
  const peers = listOf(r?.[peersKey]);
  const ports = listOf(r?.ports);
  const who = peers.length === 0 ? (peersKey === 'from' ? 'from anywhere' : 'to anywhere') : `${peersKey} ${peers.map((p) => canonicalJson(p)).join(', ')}`;
  const on = ports.length === 0 ? 'on every port' : `on ${ports.map((p) => `${p?.protocol ?? 'TCP'}/${p?.port ?? '*'}${p?.endPort ? `-${p.endPort}` : ''}`).join(', ')}`;
  return `${who} ${on}`;
}

/** A NetworkPolicy is removed, admits more (a rule that no old rule covered), protects other pods, or drops a direction. */
function networkPolicyWidened(input: RiskInput, context: RiskContext): RiskFinding[] {
  // removed: security only when no remaining policy isolates its pods (else outage/network-policy-removed)
  if (input.op === 'removed') return isolationLostFindings(input, context);
  const out: RiskFinding[] = [];
  const o = input.old?.spec ?? {};
  const n = input.new?.spec ?? {};
  for (const [dir, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
    const oldRules = listOf(o[dir]);
    const wider = listOf(n[dir]).filter((r) => !oldRules.some((x) => ruleCovers(x, r, peers)));
    for (const r of wider) out.push({ reason: `admits ${dir} ${describeRule(r, peers)}, which it did not before`, path: `spec.${dir}` });
  }
  const types = (s: any) => listOf(s.policyTypes).map(String);
  const lost = types(o).filter((t) => !types(n).includes(t));
  if (lost.length) out.push({ reason: `no longer restricts ${lost.join(' and ')} (policyTypes): that direction is open for the selected pods`, path: 'spec.policyTypes' });
  if (canonicalJson(o.podSelector) !== canonicalJson(n.podSelector)) {
    out.push({ reason: `selects other pods (${canonicalJson(o.podSelector)} -> ${canonicalJson(n.podSelector)}): pods no longer selected lose this policy's protection`, path: 'spec.podSelector' });
  }
  return out;
}

/* ---------------------------------------------------------------- Argo CD AppProject */

const PROJECT_ALLOW = ['destinations', 'sourceRepos', 'clusterResourceWhitelist', 'namespaceResourceWhitelist', 'sourceNamespaces'];
const PROJECT_DENY = ['clusterResourceBlacklist', 'namespaceResourceBlacklist'];

function globCovers(pattern: unknown, value: unknown): boolean {
  if (typeof pattern !== 'string' || typeof value !== 'string') return canonicalJson(pattern) === canonicalJson(value);
  if (pattern === value || pattern === '*') return true;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(value);
}

/** Whether an allow-list entry `a` already allows everything entry `b` allows (Argo CD matches globs). */
function entryCovers(a: any, b: any): boolean {
  if (typeof a === 'string' || typeof b === 'string') return globCovers(a, b);
  const keys = new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})]);
  for (const k of keys) if (!globCovers(a?.[k] ?? '*', b?.[k] ?? '*')) return false;
  return true;
}

/** An AppProject allows more destinations, repositories or resource kinds, or denies fewer. */
function appProjectWidened(input: RiskInput): RiskFinding[] {
  const out: RiskFinding[] = [];
  const o = input.old?.spec ?? {};
  const n = input.new?.spec ?? {};
  for (const f of PROJECT_ALLOW) {
    const gained = listOf(n[f]).filter((e) => !listOf(o[f]).some((x) => entryCovers(x, e)));
    if (gained.length) out.push({ reason: `AppProject ${input.name} now allows ${f} ${gained.map((g) => (typeof g === 'string' ? g : canonicalJson(g))).join(', ')}: its Applications can deploy there`, path: `spec.${f}` });
  }
  for (const f of PROJECT_DENY) {
    const newKeys = new Set(listOf(n[f]).map((x) => canonicalJson(x)));
    const lost = listOf(o[f]).filter((e) => !newKeys.has(canonicalJson(e)));
    if (lost.length) out.push({ reason: `AppProject ${input.name} no longer denies ${f} ${lost.map((g) => canonicalJson(g)).join(', ')}`, path: `spec.${f}` });
  }
  const policies = (s: any) => listOf(s.roles).flatMap((r) => listOf(r?.policies).map(String));
  const newPolicies = policies(n).filter((p) => !policies(o).includes(p));
  if (newPolicies.length) out.push({ reason: `AppProject ${input.name} role policies grant ${newPolicies.join('; ')}`, path: 'spec.roles' });
  return out;
}

/* ---------------------------------------------------------------- TLS */

/** Rank of a Route's TLS termination: how much of the path is encrypted. */
const TERMINATION_RANK: Readonly<Record<string, number>> = { none: 0, edge: 1, reencrypt: 2, passthrough: 2 };

/**
 * A Route or Ingress serves with less TLS: TLS removed, edge termination instead of re-encrypt or
 * passthrough (the router talks plain HTTP to the pods), or `insecureEdgeTerminationPolicy:
 * Allow` (plain HTTP served next to HTTPS). Route semantics:
 * https://docs.openshift.com/container-platform/4.14/networking/routes/secured-routes.html
 */
function tlsWeakened(input: RiskInput): RiskFinding[] {
  const out: RiskFinding[] = [];
  if (input.kind === 'Route') {
    const o = input.op === 'changed' ? input.old?.spec?.tls : undefined;
    const n = input.new?.spec?.tls;
    const host = input.new?.spec?.host ?? input.name;
    if (o && !n) return [{ reason: `Route ${host} no longer uses TLS: it is served over plain HTTP`, path: 'spec.tls' }];
    const ot = String(o?.termination ?? 'none');
    const nt = String(n?.termination ?? 'none');
    if (o && (TERMINATION_RANK[nt] ?? 0) < (TERMINATION_RANK[ot] ?? 0)) {
      out.push({ reason: `Route ${host} terminates TLS at the router (${ot} -> ${nt}): traffic from the router to the pods is no longer encrypted`, path: 'spec.tls.termination' });
    }
    if (n?.insecureEdgeTerminationPolicy === 'Allow' && o?.insecureEdgeTerminationPolicy !== 'Allow') {
      out.push({ reason: `Route ${host} serves plain HTTP next to HTTPS (insecureEdgeTerminationPolicy: Allow${o?.insecureEdgeTerminationPolicy ? `, was ${o.insecureEdgeTerminationPolicy}` : ''})`, path: 'spec.tls.insecureEdgeTerminationPolicy' });
    }
    if (input.op === 'added' && !n) out.push({ reason: `new Route ${host} has no TLS: it is served over plain HTTP`, path: 'spec.tls' });
    return out;
  }
  // Ingress: hosts that lose their TLS entry
  const hostsOf = (m: any) => new Set(listOf(m?.spec?.tls).flatMap((t) => listOf(t?.hosts).map(String)));
  const before = hostsOf(input.old);
  const after = hostsOf(input.new);
  const lost = [...before].filter((h) => !after.has(h));
  if (lost.length) out.push({ reason: `Ingress ${input.name} no longer terminates TLS for ${lost.join(', ')}`, path: 'spec.tls' });
  return out;
}

/* ---------------------------------------------------------------- backup encryption */

/**
 * Server-side encryption settings of the AWS object store plugin (`serverSideEncryption`,
 * `kmsKeyId`, `customerKeyEncryptionFile` in a BackupStorageLocation's `config`; the OADP
 * DataProtectionApplication passes `backupLocations[].velero.config` through unchanged).
 * Source: vmware-tanzu/velero-plugin-for-aws@0384addf backupstoragelocation.md (also `insecureSkipTLSVerify`).
 */
const SSE_KEYS = ['serverSideEncryption', 'kmsKeyId', 'customerKeyEncryptionFile'];

function encryptionOf(config: any): string | undefined {
  const set = SSE_KEYS.filter((k) => typeof config?.[k] === 'string' && config[k] !== '');
  return set.length ? set.map((k) => `${k}=${config[k]}`).join(', ') : undefined;
}

/** Backups are no longer encrypted at rest: SSE settings removed from a backup location, or `--sse` dropped from a copy command. */
function backupEncryptionOff(input: RiskInput): RiskFinding[] {
  const out: RiskFinding[] = [];
  if (input.op !== 'changed') return out;
  if (input.kind === 'DataProtectionApplication') {
    const byName = (m: any) => new Map(listOf(m?.spec?.backupLocations).map((l, i) => [String(l?.name ?? i), l]));
    const before = byName(input.old);
    for (const [name, loc] of byName(input.new)) {
      const was = encryptionOf(before.get(name)?.velero?.config);
      if (was && !encryptionOf(loc?.velero?.config)) out.push({ reason: `backup location ${name} no longer encrypts backups at rest (was ${was})`, path: `spec.backupLocations[name=${name}].velero.config` });
    }
  } else if (input.kind === 'BackupStorageLocation') {
    const was = encryptionOf(input.old?.spec?.config);
    if (was && !encryptionOf(input.new?.spec?.config)) out.push({ reason: `backup location ${input.name} no longer encrypts backups at rest (was ${was})`, path: 'spec.config' });
  }
  for (const c of input.changes) {
    const t = changedText(c);
    if (!t) continue;
    if (/(^|\s)--sse(\s|=|$)/.test(t[0]) && !/(^|\s)--sse(\s|=|$)/.test(t[1])) out.push({ reason: 'a command no longer passes --sse: what it uploads is not encrypted at rest by the bucket', path: formatPath(c.path) });
  }
  return out;
}

/* ---------------------------------------------------------------- privileged and host access */

interface HostAccess {
  readonly path: string;
  readonly what: string;
}

/** Host access and privilege a pod spec asks for, each with its field path (relative to the pod spec). */
function hostAccess(spec: any): HostAccess[] {
  const out: HostAccess[] = [];
  if (!spec) return out;
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC', 'hostUsers']) {
    if (f === 'hostUsers' ? spec[f] === false : spec[f] === true) out.push({ path: f, what: f === 'hostUsers' ? 'hostUsers: false' : `${f}: true` });
  }
  for (const v of listOf(spec.volumes)) if (v?.hostPath) out.push({ path: `volumes[name=${v.name}].hostPath`, what: `hostPath ${v.hostPath.path ?? '?'}` });
  const podSc = spec.securityContext ?? {};
  if (podSc.runAsUser === 0) out.push({ path: 'securityContext.runAsUser', what: 'runs as root (runAsUser: 0)' });
  for (const c of containersOf(spec)) {
    const sc = c.securityContext ?? {};
    const base = `${listOf(spec.initContainers).includes(c) ? 'initContainers' : 'containers'}[name=${c.name}].securityContext`;
    if (sc.privileged === true) out.push({ path: `${base}.privileged`, what: `container ${c.name} privileged` });
    if (sc.allowPrivilegeEscalation === true) out.push({ path: `${base}.allowPrivilegeEscalation`, what: `container ${c.name} allowPrivilegeEscalation` });
    if (sc.runAsUser === 0) out.push({ path: `${base}.runAsUser`, what: `container ${c.name} runs as root (runAsUser: 0)` });
    if (sc.runAsNonRoot === false) out.push({ path: `${base}.runAsNonRoot`, what: `container ${c.name} runAsNonRoot: false` });
    for (const cap of listOf(sc.capabilities?.add)) out.push({ path: `${base}.capabilities.add[${cap}]`, what: `container ${c.name} capability ${cap}` });
    for (const p of listOf(c.ports)) if (p?.hostPort) out.push({ path: `containers[name=${c.name}].ports`, what: `container ${c.name} hostPort ${p.hostPort}` });
  }
  return out;
}

/** A workload gains privileges or host access (or a new workload has them). */
function privilegeAdded(input: RiskInput): RiskFinding[] {
  const prefix = podSpecPath(input.kind)!.join('.');
  const after = hostAccess(podSpecOf(input.new));
  if (input.op === 'added') {
    return after.length ? [{ reason: `new ${input.kind} ${input.name} runs with ${after.map((a) => a.what).join(', ')}`, path: prefix }] : [];
  }
  const before = new Set(hostAccess(podSpecOf(input.old)).map((a) => a.what));
  return after.filter((a) => !before.has(a.what)).map((a) => ({ reason: `${input.kind} ${input.name} gains ${a.what}`, path: `${prefix}.${a.path}` }));
}

/* ---------------------------------------------------------------- plaintext secrets */

/**
 * Secret material appears in the committed tree: a Secret with values (Git holds them in plain
 * text, base64 is an encoding), or a value outside a Secret that is secret by its field name or
 * content. Argo CD syncs the committed tree, so everyone who can read the repository reads it.
 */
function plaintextSecret(input: RiskInput): RiskFinding[] {
  const out: RiskFinding[] = [];
  const m = input.new;
  const secretValues = (s: any) => ['data', 'stringData'].flatMap((f) => Object.keys(s?.[f] ?? {}).map((k) => `${f}.${k}`));
  if (input.kind === 'Secret') {
    const now = secretValues(m);
    const before = new Set(input.op === 'changed' ? secretValues(input.old) : []);
    const changed = input.op === 'changed' ? input.changes.filter((c) => c.path[0] === 'data' || c.path[0] === 'stringData').map((c) => formatPath(c.path)) : [];
    const fresh = now.filter((k) => !before.has(k));
    const keys = [...new Set([...fresh, ...changed])];
    if (keys.length) out.push({ reason: `Secret ${objectName(m)} holds values in Git (${keys.join(', ')}): anyone who can read the repository can read them; keep secret values out of Git (an external secret store or a SealedSecret)`, path: keys.length === 1 ? keys[0] : undefined });
    return out;
  }
  const seen = new Set<string>();
  // secret by the same judgement as the masking (names of Secrets, on/off values and public
  // certificates are not secret material)
  const visit = (v: unknown, path: (string | number)[], parent?: unknown) => {
    if (typeof v === 'string') {
      if (v && maskValue(input.kind, path, v, parent) !== v) seen.add(formatPath(path));
      return;
    }
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...path, i], v));
    else for (const [k, x] of Object.entries(v)) visit(x, [...path, k], v);
  };
  if (input.op === 'added') visit(m, []);
  else for (const c of input.changes) if (c.op !== 'removed') visit(c.new, [...c.path] as (string | number)[], valueAt(input.new, c.path.slice(0, -1)));
  const paths = [...seen];
  if (paths.length) out.push({ reason: `secret material in plain text in ${input.kind} ${objectName(m)} (${paths.slice(0, 5).join(', ')}${paths.length > 5 ? `, and ${paths.length - 5} more` : ''}): move it into a Secret from outside Git`, path: paths.length === 1 ? paths[0] : undefined });
  return out;
}

/* ---------------------------------------------------------------- policy waivers */

/** Prefix of ocpkit's policy waiver annotations (lib/policy/policy.ts WAIVE_ANNOTATION_PREFIX). */
const WAIVER = 'ocpkit.io/waive-';

/** An object is waived from an ocpkit policy (`ocpkit.io/waive-<policy>: reason`) it was not waived from before. */
function policyWaived(input: RiskInput): RiskFinding[] {
  const waivers = (m: any) => Object.entries(m?.metadata?.annotations ?? {}).filter(([k]) => k.startsWith(WAIVER));
  const before = new Set(input.op === 'changed' ? waivers(input.old).map(([k]) => k) : []);
  return waivers(input.new)
    .filter(([k]) => !before.has(k))
    .map(([k, reason]) => ({ reason: `waives policy ${k.slice(WAIVER.length)} on ${input.kind} ${objectName(input.new)} ("${String(reason)}"): the check that would refuse this object is off for it`, path: `metadata.annotations[${JSON.stringify(k)}]` }));
}

/** The security rules: access granted or widened, protection weakened, secrets exposed. */
export const SECURITY_RULES: readonly RiskRule[] = [
  { id: 'security/rbac-rules', class: 'security', kinds: ['Role', 'ClusterRole'], ops: ['added', 'changed'], description: 'a Role or ClusterRole grants more (verbs, resources, API groups, names), or a new one grants wildcards or is aggregated into other roles', check: rbacRuleGrants },
  { id: 'security/rbac-binding', class: 'security', kinds: ['RoleBinding', 'ClusterRoleBinding'], ops: ['added', 'changed'], description: 'a binding is added, gains subjects, or binds to another role', check: bindingGrants },
  { id: 'security/network-policy', class: 'security', kinds: ['NetworkPolicy'], ops: ['removed', 'changed'], description: 'a NetworkPolicy is removed, admits traffic no old rule admitted, selects other pods, or stops restricting a direction', check: networkPolicyWidened },
  { id: 'security/appproject', class: 'security', kinds: ['AppProject'], ops: ['changed'], description: 'an Argo CD AppProject allows more destinations, repositories or resource kinds, denies fewer, or grants more role policies', check: appProjectWidened },
  { id: 'security/tls', class: 'security', kinds: ['Route', 'Ingress'], ops: ['added', 'changed'], description: 'TLS removed or terminated earlier (edge instead of re-encrypt/passthrough), or plain HTTP allowed (insecureEdgeTerminationPolicy: Allow)', check: tlsWeakened },
  { id: 'security/backup-encryption', class: 'security', kinds: '*', ops: ['changed'], description: 'backups no longer encrypted at rest (SSE settings removed from a backup location, --sse dropped from an upload command)', check: backupEncryptionOff },
  { id: 'security/privilege', class: 'security', kinds: WORKLOAD_KINDS, ops: ['added', 'changed'], description: 'a workload gains privileged mode, host network/PID/IPC, hostPath volumes, host ports, root, privilege escalation or added capabilities', check: privilegeAdded },
  { id: 'security/policy-waiver', class: 'security', kinds: '*', ops: ['added', 'changed'], description: 'an object is newly waived from an ocpkit policy (ocpkit.io/waive-<policy> annotation)', check: policyWaived },
  { id: 'security/plaintext-secret', class: 'security', kinds: '*', ops: ['added', 'changed'], description: 'secret values appear in the committed tree (a Secret with data, or a credential in another object)', check: plaintextSecret },
];
