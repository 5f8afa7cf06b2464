import { Problems, show } from '../core/errors';
import { asQuantity, Quantity, QuantityLike } from '../core/quantity';

/**
 * Requests and limits of one kind of job container. Each becomes a `[runners.kubernetes]` key of
 * the runner's `config.toml` (names as in gitlabhq/gitlab-runner@v18.11.3:docs/executors/kubernetes/_index.md,
 * "CPU requests and limits" and "Memory requests and limits").
 */
export interface ContainerBounds {
  readonly cpuRequest: Quantity;
  readonly cpuLimit: Quantity;
  /** Memory request: a Quantity or a cdk8s Size. */
  readonly memoryRequest: QuantityLike;
  /** Memory limit: a Quantity or a cdk8s Size. */
  readonly memoryLimit: QuantityLike;
}

/** {@link ContainerBounds} with memory as a Quantity (after {@link resolveJobResources}). */
export type ResolvedBounds = ContainerBounds & { readonly memoryRequest: Quantity; readonly memoryLimit: Quantity };

/** {@link RunnerJobResources} with every memory value a Quantity. */
export type ResolvedJobResources = RunnerJobResources & { readonly build: ResolvedBounds; readonly helper: ResolvedBounds; readonly service: ResolvedBounds };

/**
 * What every job pod of a runner may use: the build container, the helper container, and each
 * service container (`services:` of a job).
 */
export interface RunnerJobResources {
  /** The build container (`cpu_request`, `cpu_limit`, `memory_request`, `memory_limit`). */
  readonly build: ContainerBounds;
  /** The helper container (`helper_cpu_request`, ...); GitLab suggests at least 250Mi of memory with caches and artifacts. */
  readonly helper: ContainerBounds;
  /** Each service container (`service_cpu_request`, ...). */
  readonly service: ContainerBounds;
  /**
   * Service containers counted per job when checking that `concurrent` jobs fit the job
   * namespace's quota. A job with more services than this still cannot exceed the quota (the
   * ResourceQuota refuses its pod), it only makes the synth-time check optimistic.
   * @default 1
   */
  readonly servicesPerJob?: number;
}

/** Prefixes of the config.toml keys of each container kind. */
const KINDS = { build: '', helper: 'helper_', service: 'service_' } as const;
const FIELDS = { cpuRequest: 'cpu_request', cpuLimit: 'cpu_limit', memoryRequest: 'memory_request', memoryLimit: 'memory_limit' } as const;

/**
 * The job resources with a cdk8s Size as memory turned into a Quantity; anything else unchanged,
 * for {@link checkJobResources} to report. Once that check passed, every memory value is a Quantity.
 */
export function resolveJobResources(r: RunnerJobResources): ResolvedJobResources {
  if (!r || typeof r !== 'object') return r as ResolvedJobResources;
  const bounds = (b: ContainerBounds) => (b && typeof b === 'object' ? { ...b, memoryRequest: asQuantity(b.memoryRequest), memoryLimit: asQuantity(b.memoryLimit) } : b);
  return { ...r, build: bounds(r.build), helper: bounds(r.helper), service: bounds(r.service) } as ResolvedJobResources;
}

/** Checks job resources (resolved): every value a Quantity, every request at most its limit, a positive limit. */
export function checkJobResources(p: Problems, field: string, r: ResolvedJobResources | undefined): boolean {
  if (!r || typeof r !== 'object') {
    p.add(field, `${show(r)}: every job needs requests and limits; give { build, helper, service } each as { cpuRequest, cpuLimit, memoryRequest, memoryLimit } (Quantity)`);
    return false;
  }
  const before = p.size;
  for (const kind of Object.keys(KINDS) as (keyof typeof KINDS)[]) {
    const b = r[kind];
    if (!b || typeof b !== 'object') {
      p.add(`${field}.${kind}`, `${show(b)}: give { cpuRequest, cpuLimit, memoryRequest, memoryLimit } (Quantity); a ${kind} container without limits is unbounded`);
      continue;
    }
    for (const f of Object.keys(FIELDS) as (keyof typeof FIELDS)[]) {
      const memory = f === 'memoryRequest' || f === 'memoryLimit';
      if (!(b[f] instanceof Quantity)) p.add(`${field}.${kind}.${f}`, `${show(b[f])} must be a Quantity (Quantity.parse("${memory ? '512Mi' : '500m'}"))${memory ? ' or a cdk8s Size' : ''}`);
    }
    if (b.cpuRequest instanceof Quantity && b.cpuLimit instanceof Quantity) {
      if (b.cpuLimit.value <= 0) p.add(`${field}.${kind}.cpuLimit`, `${b.cpuLimit} must be more than zero`);
      else if (b.cpuRequest.value > b.cpuLimit.value) p.add(`${field}.${kind}.cpuRequest`, `${b.cpuRequest} is more than the limit ${b.cpuLimit}; Kubernetes refuses a request above its limit`);
    }
    if (b.memoryRequest instanceof Quantity && b.memoryLimit instanceof Quantity) {
      if (b.memoryLimit.value <= 0) p.add(`${field}.${kind}.memoryLimit`, `${b.memoryLimit} must be more than zero`);
      else if (b.memoryRequest.value > b.memoryLimit.value) p.add(`${field}.${kind}.memoryRequest`, `${b.memoryRequest} is more than the limit ${b.memoryLimit}; Kubernetes refuses a request above its limit`);
    }
  }
  if (r.servicesPerJob !== undefined && !(Number.isInteger(r.servicesPerJob) && r.servicesPerJob >= 0 && r.servicesPerJob <= 20)) {
    p.add(`${field}.servicesPerJob`, `${show(r.servicesPerJob)} must be an integer from 0 to 20`);
  }
  return p.size === before;
}

/** What one job pod asks for and may use at most, in base units (cores, bytes). */
export interface JobFootprint {
  readonly cpuRequest: number;
  readonly cpuLimit: number;
  readonly memoryRequest: number;
  readonly memoryLimit: number;
  /** `build 1 + helper 100m + 1 x service 250m`, per field, for messages. */
  readonly explain: Record<'cpuRequest' | 'cpuLimit' | 'memoryRequest' | 'memoryLimit', string>;
}

/** Build + helper + servicesPerJob x service. */
export function jobFootprint(r: ResolvedJobResources): JobFootprint {
  const n = r.servicesPerJob ?? 1;
  const sum = (f: keyof typeof FIELDS) => r.build[f].value + r.helper[f].value + n * r.service[f].value;
  const explain = (f: keyof typeof FIELDS) => `build ${r.build[f]} + helper ${r.helper[f]}${n ? ` + ${n} x service ${r.service[f]}` : ''}`;
  return {
    cpuRequest: sum('cpuRequest'),
    cpuLimit: sum('cpuLimit'),
    memoryRequest: sum('memoryRequest'),
    memoryLimit: sum('memoryLimit'),
    explain: { cpuRequest: explain('cpuRequest'), cpuLimit: explain('cpuLimit'), memoryRequest: explain('memoryRequest'), memoryLimit: explain('memoryLimit') },
  };
}

/**
 * `[runners.kubernetes]` keys ocpkit writes and a hand-written template may not set: the job
 * requests and limits, their `*_overwrite_max_allowed` (they let a job raise its own limits
 * through KUBERNETES_CPU_LIMIT and friends, docs/executors/kubernetes/_index.md@v18.11.3), the
 * pod-level ones, the job namespace and its overwrite, and the priority class.
 */
export function isOwnedKubernetesKey(key: string): boolean {
  return /^(helper_|service_|pod_)?(cpu|memory|ephemeral_storage)_(request|limit)(_overwrite_max_allowed)?$/.test(key)
    || key === 'namespace' || key === 'namespace_overwrite_allowed' || key === 'namespace_per_job' || key === 'priority_class_name';
}

/** The keys ocpkit writes under `[runners.kubernetes]`. */
export interface GeneratedKubernetesKeys {
  readonly namespace: string;
  readonly priorityClassName: string;
  readonly resources: ResolvedJobResources;
  /** The private CA of the S3 cache endpoint (a ConfigMap in the job namespace). */
  readonly cacheCa?: { readonly configMap: string; readonly key: string };
}

/** Where the cache endpoint's CA is mounted in job pods. */
export const RUNNER_CACHE_CA_DIR = '/etc/ocpkit/s3-cache-ca';

/*
 * The S3 cache's CA, facts from gitlabhq/gitlab-runner@v18.11.3:
 * - the helper's cache-extractor / cache-archiver speak TLS to the store with Go's default
 *   transport (commands/helpers/cache_client.go prepareTransport: no RootCAs), i.e. the system
 *   roots; `[runners.cache.s3]` has no CA option (the manager only presigns URLs);
 * - Go's crypto/x509 (root_unix.go loadSystemRoots) reads the first system bundle file, then every
 *   certificate file of the directories in SSL_CERT_DIR (colon-separated, replacing the default
 *   directories /etc/ssl/certs, /etc/pki/tls/certs), so listing our directory and the defaults adds
 *   the CA without losing the system roots;
 * - `[[runners]] environment` entries are job variables (common/config.go RunnerConfig.GetVariables)
 *   exported at the top of every stage script, the restore-cache and archive-cache scripts that run
 *   the helper too (shells/abstract.go writeExports in writeRestoreCacheScript/writeArchiveCacheScript);
 * - `[[runners.kubernetes.volumes.config_map]]` (name = the ConfigMap, mount_path, read_only, items;
 *   common/config.go KubernetesConfigMap) is mounted into the build and the helper containers
 *   (executors/kubernetes/kubernetes.go buildContainer: VolumeMounts getVolumeMounts ->
 *   getVolumeMountsForConfig).
 */
function cacheCaLines(ca: { readonly configMap: string; readonly key: string }): { env: string; volume: string[] } {
  return {
    env: `  environment = [${JSON.stringify(`SSL_CERT_DIR=${RUNNER_CACHE_CA_DIR}:/etc/ssl/certs:/etc/pki/tls/certs`)}]`,
    volume: [
      '    [[runners.kubernetes.volumes.config_map]]',
      `      name = ${JSON.stringify(ca.configMap)}`,
      `      mount_path = ${JSON.stringify(RUNNER_CACHE_CA_DIR)}`,
      '      read_only = true',
      '      [runners.kubernetes.volumes.config_map.items]',
      `        ${JSON.stringify(ca.key)} = "s3-cache-ca.crt"`,
    ],
  };
}

function kubernetesLines(k: GeneratedKubernetesKeys, indent: string): string[] {
  const out = [`${indent}namespace = ${JSON.stringify(k.namespace)}`, `${indent}priority_class_name = ${JSON.stringify(k.priorityClassName)}`];
  for (const [kind, prefix] of Object.entries(KINDS) as [keyof typeof KINDS, string][]) {
    for (const [f, key] of Object.entries(FIELDS) as [keyof typeof FIELDS, string][]) {
      out.push(`${indent}${prefix}${key} = ${JSON.stringify(k.resources[kind][f].toString())}`);
    }
  }
  return out;
}

const TABLE = /^\[\s*([A-Za-z0-9_.\s"-]+?)\s*\]$/;
const ARRAY_TABLE = /^\[\[\s*([A-Za-z0-9_.\s"-]+?)\s*\]\]$/;
const KEY = /^("?)([A-Za-z0-9_.-]+)\1\s*=/;

/**
 * The runner's `config.toml` template: the `[[runners]]` entry with ocpkit's `[runners.kubernetes]`
 * keys, merged into an optional hand-written template. The template is checked line by line: it
 * may hold one `[[runners]]` entry and must not set a key ocpkit owns ({@link isOwnedKubernetesKey}),
 * so the limits can never be dropped or overridden. ocpkit's keys go right under the template's
 * `[runners.kubernetes]` header, or into a `[runners.kubernetes]` table it adds.
 * Problems are reported under `field`.
 */
export function runnerConfigToml(p: Problems, field: string, generated: GeneratedKubernetesKeys, template?: string): string | undefined {
  const ca = generated.cacheCa ? cacheCaLines(generated.cacheCa) : undefined;
  if (template === undefined) {
    return ['[[runners]]', ...(ca ? [ca.env] : []), '  [runners.kubernetes]', ...kubernetesLines(generated, '    '), ...(ca?.volume ?? []), ''].join('\n');
  }
  if (typeof template !== 'string' || template.trim() === '') {
    p.add(field, `${show(template)} must be a non-empty config.toml template (or leave it out)`);
    return undefined;
  }
  const lines = template.split(/\r?\n/);
  let table = '';
  let runnersEntries = 0;
  let kubernetesHeader = -1;
  let runnersHeader = -1;
  const before = p.size;
  lines.forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const at = `line ${i + 1}`;
    const arr = ARRAY_TABLE.exec(line);
    const tab = arr ? undefined : TABLE.exec(line);
    if (arr || tab) {
      table = (arr ?? tab)![1].replace(/\s|"/g, '');
      if (arr && table === 'runners') {
        runnersEntries++;
        runnersHeader = i;
      }
      if (tab && table === 'runners.kubernetes') kubernetesHeader = i;
      if (!table.startsWith('runners')) p.add(field, `${at}: [${table}] is outside the [[runners]] entry; the template may only configure the runner ([[runners]] and its sub-tables)`);
      return;
    }
    const m = KEY.exec(line);
    if (!m) return;
    const path = `${table ? `${table}.` : ''}${m[2]}`;
    if (!table) {
      p.add(field, `${at}: "${m[2]}" is a global setting; concurrent and check_interval come from the Runner CR (concurrent, checkIntervalSeconds), the template may only configure [[runners]]`);
    } else if (ca && path === 'runners.environment') {
      p.add(field, `${at}: environment is set by ocpkit while the cache endpoint has a private CA (SSL_CERT_DIR, so the helper trusts it); pass job variables another way or drop the template's environment`);
    } else if (path.startsWith('runners.kubernetes.') && isOwnedKubernetesKey(path.slice('runners.kubernetes.'.length))) {
      p.add(field, `${at}: ${path.slice('runners.'.length)} is set by ocpkit from the runner's jobResources and jobNamespace (job requests, limits, namespace and priority class); change those props instead`);
    }
  });
  if (runnersEntries !== 1) p.add(field, `has ${runnersEntries} [[runners]] entries; a template configures exactly one ([[runners]] then [runners.kubernetes] ...)`);
  if (p.size !== before) return undefined;
  const own = kubernetesLines(generated, '    ');
  const out = [...lines];
  if (kubernetesHeader >= 0) out.splice(kubernetesHeader + 1, 0, ...own);
  else {
    while (out.length && out[out.length - 1].trim() === '') out.pop();
    out.push('  [runners.kubernetes]', ...own);
  }
  if (ca) {
    // After every table of the template (an array of tables may come last), and the variable right
    // under [[runners]] (before any of its sub-tables).
    while (out.length && out[out.length - 1].trim() === '') out.pop();
    out.push(...ca.volume);
    out.splice(runnersHeader + 1, 0, ca.env);
  }
  return `${out.join('\n')}\n`;
}
