import * as yaml from 'js-yaml';
import { show } from '../core/errors';
import { jsonPointer } from '../core/json-pointer';
import { isSecretWithData } from '../core/secret-scan';
import type { Finding } from './policy';

/**
 * The one capability a workload outside the system namespaces may add. OpenShift's default SCC
 * `restricted-v2` drops ALL and allows only NET_BIND_SERVICE to be added back, and the Pod
 * Security Standards "restricted" profile says the same.
 * @see https://docs.openshift.com/container-platform/4.14/authentication/managing-security-context-constraints.html (restricted-v2)
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Restricted: Capabilities)
 */
export const SAFE_CAPABILITIES: readonly string[] = ['NET_BIND_SERVICE'];

/**
 * SELinux types a container may ask for (Pod Security Standards "baseline": SELinux). Any other
 * type (`spc_t`, `unconfined_t`...) and any user or role escape the container's confinement.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Baseline: SELinux)
 */
export const SAFE_SELINUX_TYPES: readonly string[] = ['container_t', 'container_init_t', 'container_kvm_t'];

/** `sys_admin`, `CAP_SYS_ADMIN` and `SYS_ADMIN` are one capability (the runtime adds the prefix). */
function capName(c: unknown): string {
  const s = String(c).trim().toUpperCase();
  return s.startsWith('CAP_') ? s.slice(4) : s;
}

/** Capabilities of an `add` list that are not in {@link SAFE_CAPABILITIES}. */
export function unsafeCapabilities(add: unknown): string[] {
  if (!Array.isArray(add)) return add === undefined || add === null ? [] : [show(add)];
  return add.filter((c) => !SAFE_CAPABILITIES.includes(capName(c))).map((c) => (typeof c === 'string' ? c : show(c)));
}

/** One host-access finding inside a security context (pod or container level). */
export function securityContextFindings(sc: any, pointer: string, who: string, fix: string, level: 'pod' | 'container'): Finding[] {
  const out: Finding[] = [];
  if (!sc || typeof sc !== 'object') return out;
  if (level === 'container' && sc.privileged === true) out.push({ pointer: `${pointer}/privileged`, message: `${who} is privileged; ${fix}` });
  if (level === 'container' && sc.allowPrivilegeEscalation === true) {
    out.push({ pointer: `${pointer}/allowPrivilegeEscalation`, message: `${who} sets allowPrivilegeEscalation: true (setuid binaries can gain root); leave it unset or false, or ${fix}` });
  }
  if (level === 'container' && sc.capabilities && typeof sc.capabilities === 'object') {
    const bad = unsafeCapabilities(sc.capabilities.add);
    if (bad.length) out.push({ pointer: `${pointer}/capabilities/add`, message: `${who} adds capabilities ${bad.join(', ')}; only ${SAFE_CAPABILITIES.join(', ')} may be added (OpenShift restricted-v2), or ${fix}` });
  }
  if (level === 'container' && sc.procMount !== undefined && sc.procMount !== 'Default') {
    out.push({ pointer: `${pointer}/procMount`, message: `${who} sets procMount ${show(sc.procMount)} (an unmasked /proc exposes the host); only "Default" is allowed, or ${fix}` });
  }
  if (sc.runAsUser === 0 || sc.runAsUser === '0') out.push({ pointer: `${pointer}/runAsUser`, message: `${who} runs as root (runAsUser: 0); use a non-zero user or leave it to OpenShift's assigned range, or ${fix}` });
  if (sc.runAsNonRoot === false) out.push({ pointer: `${pointer}/runAsNonRoot`, message: `${who} sets runAsNonRoot: false; leave it unset or true, or ${fix}` });
  const se = sc.seLinuxOptions;
  if (se && typeof se === 'object') {
    if (se.user !== undefined && se.user !== '') out.push({ pointer: `${pointer}/seLinuxOptions/user`, message: `${who} sets the SELinux user ${show(se.user)}; only the level may be set, or ${fix}` });
    if (se.role !== undefined && se.role !== '') out.push({ pointer: `${pointer}/seLinuxOptions/role`, message: `${who} sets the SELinux role ${show(se.role)}; only the level may be set, or ${fix}` });
    if (se.type !== undefined && se.type !== '' && !SAFE_SELINUX_TYPES.includes(se.type)) {
      out.push({ pointer: `${pointer}/seLinuxOptions/type`, message: `${who} sets the SELinux type ${show(se.type)}; allowed types are ${SAFE_SELINUX_TYPES.join(', ')}, or ${fix}` });
    }
  }
  if (sc.seccompProfile?.type === 'Unconfined') out.push({ pointer: `${pointer}/seccompProfile/type`, message: `${who} runs without seccomp (Unconfined); use RuntimeDefault or Localhost, or ${fix}` });
  if (sc.windowsOptions?.hostProcess === true) out.push({ pointer: `${pointer}/windowsOptions/hostProcess`, message: `${who} is a Windows host process; ${fix}` });
  return out;
}

/** Host ports of a container's `ports` list (Pod Security Standards "baseline": Host Ports). */
export function hostPortFindings(ports: unknown, pointer: string, who: string, fix: string): Finding[] {
  if (!Array.isArray(ports)) return [];
  const out: Finding[] = [];
  ports.forEach((p: any, i) => {
    const hp = p?.hostPort;
    if (hp !== undefined && hp !== null && hp !== 0 && hp !== '0') {
      out.push({ pointer: `${pointer}/${i}/hostPort`, message: `${who} binds host port ${show(hp)}; expose it with a Service or Route instead, or ${fix}` });
    }
  });
  return out;
}

/** Keys whose presence (with the given value test) means host access, wherever they appear. */
const HOST_KEYS: Record<string, { test: (v: any) => boolean; what: (v: any) => string }> = {
  privileged: { test: (v) => v === true || v === 'true', what: () => 'a privileged container' },
  hostNetwork: { test: (v) => v === true || v === 'true', what: () => 'the host network' },
  hostPID: { test: (v) => v === true || v === 'true', what: () => 'the host PID namespace' },
  hostIPC: { test: (v) => v === true || v === 'true', what: () => 'the host IPC namespace' },
  hostPath: { test: (v) => v !== undefined && v !== null && v !== '' && v !== false, what: (v) => `a host path ${show(typeof v === 'object' ? v?.path : v)}` },
  hostDisk: { test: (v) => !!v && typeof v === 'object', what: (v) => `a host disk ${show(v?.path)}` },
  allowPrivilegeEscalation: { test: (v) => v === true || v === 'true', what: () => 'privilege escalation (allowPrivilegeEscalation: true)' },
  runAsUser: { test: (v) => v === 0 || v === '0', what: () => 'root (runAsUser: 0)' },
  runAsNonRoot: { test: (v) => v === false || v === 'false', what: () => 'root (runAsNonRoot: false)' },
  procMount: { test: (v) => typeof v === 'string' && v !== 'Default', what: (v) => `an unmasked /proc (procMount: ${show(v)})` },
  hostPort: { test: (v) => typeof v === 'number' ? v !== 0 : typeof v === 'string' && /^[1-9][0-9]*$/.test(v), what: (v) => `host port ${show(v)}` },
  hostProcess: { test: (v) => v === true || v === 'true', what: () => 'a Windows host process' },
  capabilities: { test: (v) => !!v && typeof v === 'object' && unsafeCapabilities(v.add).length > 0, what: (v) => `added capabilities ${unsafeCapabilities(v.add).join(', ')} (only ${SAFE_CAPABILITIES.join(', ')} may be added)` },
  seLinuxOptions: {
    test: (v) => !!v && typeof v === 'object' && ((v.user ?? '') !== '' || (v.role ?? '') !== '' || ((v.type ?? '') !== '' && !SAFE_SELINUX_TYPES.includes(v.type))),
    what: (v) => `SELinux options ${show(v)} (only the level, or a type among ${SAFE_SELINUX_TYPES.join(', ')})`,
  },
};

/** {@link HOST_KEYS} by key (a map lookup per member of the walk). */
const HOST_RULES = new Map(Object.entries(HOST_KEYS));

/** Matches a host-access key written as a YAML/JSON mapping key inside a string. */
const KEY_IN_TEXT = new RegExp(`(^|[\\s{,"'-])(${Object.keys(HOST_KEYS).join('|')})["']?\\s*:`, 'm');

/** Limits of the generic walk: it never visits more nodes, nests deeper or parses longer text. */
export const WALK_LIMITS = { nodes: 20000, depth: 64, text: 64 * 1024 } as const;

/**
 * Watches a walk over a whole manifest that reaches every value (the secret scan's, see
 * no-literal-secrets) for anything {@link genericHostAccess} could report on the members it walks
 * (all but apiVersion, kind, metadata and status): a host-access key, text mentioning one, a
 * member nested deeper than its limit, more values than its budget, or a value the watched walk
 * does not go into (an embedded Secret with data). When it saw none, the generic walk would find
 * nothing, and need not run. Conservative: any host-access key counts, whatever its value.
 */
export class HostAccessHint {
  private nodes = 0;
  private seen = false;

  /** True when the generic walk could find something (or the watched walk stopped early). */
  public get possible(): boolean {
    return this.seen;
  }

  /** The `visit` callback of the watched walk. */
  public readonly visit = (v: unknown, path: readonly (string | number)[]): void => {
    if (this.seen) return;
    // every value counts, so a walk that stopped at its own budget is never taken for complete
    if (++this.nodes > WALK_LIMITS.nodes) {
      this.seen = true;
      return;
    }
    if (path.length === 0) return;
    const top = path[0];
    if (top === 'apiVersion' || top === 'kind' || top === 'metadata' || top === 'status') return;
    const key = path[path.length - 1];
    if (path.length - 1 > WALK_LIMITS.depth || (typeof key === 'string' && HOST_RULES.has(key))) this.seen = true;
    else if (typeof v === 'string') this.seen = v.includes(':') && KEY_IN_TEXT.test(v);
    else if (v !== null && typeof v === 'object') this.seen = isSecretWithData(v);
  };
}

/**
 * Every host-access setting anywhere below `value` (a custom resource's spec, chart values, Helm
 * values of an Argo CD Application...), for kinds whose pod specs ocpkit does not know: an
 * operator renders pods from them, so `securityContext`, `privileged`, `hostNetwork`, `hostPath`
 * and the other keys of {@link HOST_KEYS} mean host access whatever object carries them. Strings
 * that hold YAML or JSON mentioning such a key (chart values like `extraVolumes: |`) are parsed
 * and walked too; a string that mentions one and does not parse is a finding (it cannot be
 * checked). The walk is bounded ({@link WALK_LIMITS}); an object beyond the bounds is a finding.
 */
export function genericHostAccess(value: unknown, pointer: string, where: string, fix: string): Finding[] {
  const walk: Walk = { out: [], budget: WALK_LIMITS.nodes, exhausted: false, seen: new Set(), pointer, where, fix };
  visit(walk, value, undefined, undefined, 0, undefined);
  return walk.out;
}

/**
 * A path step of the generic walk: a parent link and a key. Steps are made only for containers
 * whose members are looked at and for findings (most values of a manifest are leaves that need
 * none), and pointers only for findings.
 */
interface Step {
  readonly parent: Step | undefined;
  readonly key: string | number;
}

/** State of one {@link genericHostAccess} walk. */
interface Walk {
  readonly out: Finding[];
  budget: number;
  exhausted: boolean;
  /** YAML aliases: each shared node is looked at once. */
  readonly seen: Set<unknown>;
  readonly pointer: string;
  readonly where: string;
  readonly fix: string;
}

function stepOf(parent: Step | undefined, key: string | number | undefined): Step | undefined {
  return key === undefined ? parent : { parent, key };
}

function ptrOf(w: Walk, s: Step | undefined): string {
  const keys: (string | number)[] = [];
  for (let x = s; x; x = x.parent) keys.push(x.key);
  return w.pointer + jsonPointer(keys.reverse());
}

/**
 * Visits `v`, the member `key` of the container at `parent` (`key` undefined: `v` is at `parent`
 * itself, the root or a value inside YAML text, whose findings all name `inText`).
 */
function visit(w: Walk, v: any, parent: Step | undefined, key: string | number | undefined, depth: number, inText: string | undefined): void {
  if (w.exhausted) return;
  if (--w.budget < 0 || depth > WALK_LIMITS.depth) {
    w.exhausted = true;
    w.out.push({ pointer: inText ?? ptrOf(w, stepOf(parent, key)), message: `${w.where} is too large or too deeply nested to check for host access (more than ${WALK_LIMITS.nodes} values or ${WALK_LIMITS.depth} levels); split it, or ${w.fix}` });
    return;
  }
  if (typeof v === 'string') {
    // a key in text is followed by a colon: most strings (names, labels) have none
    if (inText === undefined && v.length <= WALK_LIMITS.text * 16 && v.includes(':') && KEY_IN_TEXT.test(v)) {
      const here = stepOf(parent, key);
      const ptr = ptrOf(w, here);
      if (v.length > WALK_LIMITS.text) {
        w.out.push({ pointer: ptr, message: `${w.where} holds text of ${v.length} characters that mentions host-access settings; it is too long to check, ${w.fix}` });
        return;
      }
      let parsed: unknown;
      try {
        parsed = yaml.load(v, { json: true });
      } catch {
        w.out.push({ pointer: ptr, message: `${w.where} holds text that mentions ${KEY_IN_TEXT.exec(v)![2]} but is not YAML, so it cannot be checked for host access; ${w.fix}` });
        return;
      }
      visit(w, parsed, here, undefined, depth + 1, ptr);
    }
    return;
  }
  if (!v || typeof v !== 'object') return;
  if (w.seen.has(v)) return;
  w.seen.add(v);
  // inside YAML text every finding names the string's pointer: no steps below it
  const here = inText ? parent : stepOf(parent, key);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) visit(w, v[i], here, inText ? undefined : i, depth + 1, inText);
    return;
  }
  for (const k of Object.keys(v)) {
    const child = v[k];
    const rule = HOST_RULES.get(k);
    if (rule && rule.test(child)) {
      w.out.push({ pointer: inText ?? ptrOf(w, { parent: here, key: k }), message: `${w.where} asks for ${rule.what(child)}${inText ? ' in the YAML text of this value' : ''}; ${w.fix}` });
      continue;
    }
    visit(w, child, here, inText ? undefined : k, depth + 1, inText);
  }
}

/**
 * Host access in a GitLab Runner `config.toml` (Kubernetes executor): the runner turns these
 * settings into the job pods' security context and volumes. Read line by line (ocpkit has no
 * TOML parser, and these are single-line keys and table headers).
 * @see https://docs.gitlab.com/runner/executors/kubernetes/ (privileged, allow_privilege_escalation, cap_add, volumes.host_path, pod_security_context)
 */
export function runnerTomlHostAccess(text: string, pointer: string, where: string, fix: string): Finding[] {
  const out: Finding[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const at = `${where}, config.toml line ${i + 1}`;
    if (/^\[\[?\s*runners\.kubernetes\.volumes\.host_path\s*\]\]?$/.test(line)) {
      out.push({ pointer, message: `${at} mounts a host path into job pods; ${fix}` });
      return;
    }
    const m = /^"?([A-Za-z0-9_]+)"?\s*=\s*(.+)$/.exec(line);
    if (!m) return;
    const [, key, value] = m;
    const v = value.trim();
    if ((key === 'privileged' || key === 'allow_privilege_escalation') && v === 'true') {
      out.push({ pointer, message: `${at} sets ${key} = true for job pods; ${fix}` });
    } else if (key === 'run_as_user' && v === '0') {
      out.push({ pointer, message: `${at} runs job pods as root (run_as_user = 0); ${fix}` });
    } else if (key === 'run_as_non_root' && v === 'false') {
      out.push({ pointer, message: `${at} sets run_as_non_root = false; ${fix}` });
    } else if (key === 'cap_add') {
      const caps = [...v.matchAll(/"([^"]*)"|'([^']*)'/g)].map((x) => x[1] ?? x[2]);
      const bad = unsafeCapabilities(caps);
      if (bad.length || !/^\[.*\]$/.test(v)) out.push({ pointer, message: `${at} adds capabilities ${bad.length ? bad.join(', ') : v} to job pods; only ${SAFE_CAPABILITIES.join(', ')} may be added, or ${fix}` });
    } else if (key === 'host_network' || key === 'host_pid' || key === 'host_ipc') {
      if (v === 'true') out.push({ pointer, message: `${at} sets ${key} = true; ${fix}` });
    }
  });
  return out;
}
