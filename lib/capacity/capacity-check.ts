/**
 * The tenant capacity check: every namespace that has a ResourceQuota gets the sum of what its
 * workloads need, at their peak, compared with each `spec.hard` entry. It reads the synthesized
 * manifests (so raw ApiObjects and every construct are covered alike) and indexes them by
 * namespace in one pass.
 *
 * What a workload needs at its peak (pods are costed by ./pod-resources.ts, with the namespace's
 * LimitRange defaults):
 * - **Deployment**: `replicas` (or the `maxReplicas` of a HorizontalPodAutoscaler that scales it)
 *   plus the rolling-update surge: `maxSurge` extra pods, default 25% of the replicas rounded up;
 *   none for the Recreate strategy. Kubernetes 1.27 API (`io.k8s.api.apps.v1.RollingUpdateDeployment`
 *   in ../shared/crds/kubernetes/v1.27.0/_definitions.json): "Absolute number is calculated from
 *   percentage by rounding up. Defaults to 25%"; the controller resolves it with
 *   `intstr.GetScaledValueFromIntOrPercent(maxSurge, replicas, true)` (kubernetes/kubernetes
 *   pkg/controller/deployment/util/deployment_util.go `ResolveFenceposts`).
 * - **DeploymentConfig** (apps.openshift.io/v1): the same with `strategy.rollingParams.maxSurge`
 *   ("By default, 25% is used ... rounding up", ../shared/crds/profiles/ocp-4.14/openshift-api/derived/
 *   apps.openshift.io_deploymentconfigs.yaml), none for Recreate, plus the deployer pod of a rollout,
 *   which runs with `strategy.resources` ("resource requirements to execute the deployment and any
 *   hooks"). A DeploymentConfig without `replicas` is counted as 1 (not verified upstream).
 * - **StatefulSet**: `replicas` (or an HPA's `maxReplicas`); no surge (a rolling update deletes a
 *   pod before it recreates it); `volumeClaimTemplates` × replicas PVCs.
 * - **Job**: `parallelism` (default 1), at most `completions`; nothing while `suspend`ed.
 * - **CronJob**: the pods of its Job, twice with `concurrencyPolicy: Allow` (the default): Allow
 *   means a run may start while the previous one still runs, and one overlap is the most a static
 *   check can promise to have room for (more overlaps only happen when runs outlast several
 *   periods, which no quota could cover). Forbid and Replace never run two Jobs of the CronJob at
 *   once: once. Nothing while `suspend`ed.
 * - **ReplicaSet, ReplicationController**: `replicas`; **Pod**: one.
 * - **VirtualMachine**: its virt-launcher pod (lib/virt/_quota.ts: KubeVirt 1.0's requests,
 *   limits and memory overhead), the PVCs of its DataVolume templates, and once per namespace the
 *   **migration headroom**: the launcher pod of the largest live-migratable VM. A live migration
 *   creates the target launcher pod next to the source pod (kubevirt@v1.0.0
 *   pkg/virt-controller/services/template.go `RenderMigrationManifest`), and that pod counts
 *   against the ResourceQuota: KubeVirt 1.0 marks a migration refused by the quota with the
 *   condition `RejectedByResourceQuota` and retries it when the quota changes (kubevirt@v1.0.0
 *   pkg/virt-controller/watch/migration.go, from kubevirt/kubevirt#9738; the problem is
 *   kubevirt/kubevirt#9238). OpenShift Virtualization 4.14 only lifts this with the Managed Tenant
 *   Quota operator, which is off by default and Developer Preview (HyperConverged
 *   `featureGates.enableManagedTenantQuota`, ../shared/crds/profiles/ocp-4.14/hco/). Migrations
 *   of one namespace refused for quota wait and retry, so one VM's worth of headroom lets a node
 *   drain proceed VM by VM.
 * - **PersistentVolumeClaim** and **DataVolume** (CDI creates a PVC of the same name): their
 *   storage request, once per claim name.
 *
 * Quota keys checked: `requests.<r>` and `limits.<r>` for any container resource (`cpu` and
 * `memory` alone mean requests), `requests.storage`, `persistentvolumeclaims`, `pods`,
 * `<class>.storageclass.storage.k8s.io/requests.storage` and `/persistentvolumeclaims`,
 * `count/<resource>[.<group>]` and `services`, `secrets`, `configmaps`, `services.loadbalancers`
 * (objects in the stack; what OpenShift or controllers create besides is not counted). A quota
 * that tracks `requests.cpu`, `requests.memory`, `limits.cpu` or `limits.memory` also refuses any
 * pod with a container that has no such value after LimitRange defaults (the quota pod
 * evaluator's container constraints); that is reported too. Scoped quotas (`scopes`,
 * `scopeSelector`) are skipped. Not counted: DaemonSets (one pod per node), CDI importer and
 * scratch pods and PVCs while a DataVolume imports, Jobs' finished pods (they no longer count).
 */
import { Problem } from '../core/errors';
import type { SynthCheck, SynthesizedObject } from '../synth/pipeline';
import { Tenant } from '../tenancy/tenant';
import { dataVolumeClaim, vmCost, VmClaim } from '../virt/_quota';
import { databaseCost } from '../databases/workload-cost';
import { amount, containersOfPodSpec, EffectivePod, effectivePod, formatResource, LimitRules, limitRules, RawContainer } from './pod-resources';

/** One line of a sum: `web 3×2Gi`, `surge 1×2Gi`. */
interface Term {
  readonly owner: string;
  readonly part: string;
  readonly count: number;
  readonly each: number;
}

/** Everything of one namespace the check looks at. */
interface Namespace {
  readonly name: string;
  readonly quotas: SynthesizedObject[];
  readonly limitRanges: any[];
  readonly workloads: SynthesizedObject[];
  /** `Deployment/web` → maxReplicas of the HPA scaling it. */
  readonly autoscaled: Map<string, number>;
  /** `deployments.apps` / `services` → number of objects in the stack. */
  readonly counts: Map<string, number>;
  loadBalancers: number;
}

/** A workload's pods, for the quota's container constraints. */
interface PodUse {
  readonly object: SynthesizedObject;
  readonly what: string;
  readonly pod: EffectivePod;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'Job', 'CronJob', 'DeploymentConfig', 'ReplicaSet', 'ReplicationController', 'Pod', 'PersistentVolumeClaim', 'DataVolume', 'VirtualMachine', 'PostgresCluster', 'PerconaXtraDBCluster']);
const TRACKED_PER_CONTAINER: Record<string, [string, 'requests' | 'limits']> = {
  'requests.cpu': ['cpu', 'requests'], cpu: ['cpu', 'requests'],
  'requests.memory': ['memory', 'requests'], memory: ['memory', 'requests'],
  'limits.cpu': ['cpu', 'limits'], 'limits.memory': ['memory', 'limits'],
};
/** Which TenantQuotaLimits field feeds a quota key (for the hint in tenant messages). */
const TENANT_FIELD: Record<string, string> = {
  'requests.cpu': 'quota.cpu', 'requests.memory': 'quota.memory', 'limits.memory': 'quota.memory',
  'requests.storage': 'quota.storage', pods: 'quota.pods', persistentvolumeclaims: 'quota.persistentVolumeClaims',
};
const MAX_OWNERS_LISTED = 12;

/** `Deployment` → `deployments`, `NetworkPolicy` → `networkpolicies` (the resource name of count/ keys). */
export function resourceOfKind(kind: string): string {
  const k = kind.toLowerCase();
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  return `${k}s`;
}

function groupOf(apiVersion: unknown): string {
  const s = typeof apiVersion === 'string' ? apiVersion : '';
  const i = s.indexOf('/');
  return i < 0 ? '' : s.slice(0, i);
}

function index(objects: readonly SynthesizedObject[]): Map<string, Namespace> {
  const out = new Map<string, Namespace>();
  // count/ resource names by kind and apiVersion, computed once per pair (30,000 objects have a few dozen)
  const resources = new Map<string, Map<unknown, string>>();
  const resourceOf = (kind: string, apiVersion: unknown, group: string): string => {
    let byVersion = resources.get(kind);
    if (!byVersion) resources.set(kind, (byVersion = new Map()));
    let r = byVersion.get(apiVersion);
    if (r === undefined) byVersion.set(apiVersion, (r = group ? `${resourceOfKind(kind)}.${group}` : resourceOfKind(kind)));
    return r;
  };
  const byEnv = new Map<string, Map<string, Namespace>>();
  const groups = new Map<unknown, string>();
  for (const o of objects) {
    const m = o.manifest;
    const ns = m?.metadata?.namespace;
    if (typeof ns !== 'string' || !ns) continue;
    // Clusters synthesized together may share namespace names: one bucket per environment and namespace.
    // (by environment, then namespace: no key string per object; `out` keeps the order of first appearance)
    const env = o.root?.outputFolder ?? o.file.split('/')[0];
    let inEnv = byEnv.get(env);
    if (!inEnv) byEnv.set(env, (inEnv = new Map()));
    let n = inEnv.get(ns);
    if (!n) {
      n = { name: ns, quotas: [], limitRanges: [], workloads: [], autoscaled: new Map(), counts: new Map(), loadBalancers: 0 };
      inEnv.set(ns, n);
      out.set(`${env}/${ns}`, n);
    }
    const kind = String(m.kind ?? '');
    let group = groups.get(m.apiVersion);
    if (group === undefined) groups.set(m.apiVersion, (group = groupOf(m.apiVersion)));
    const resource = resourceOf(kind, m.apiVersion, group);
    n.counts.set(resource, (n.counts.get(resource) ?? 0) + 1);
    if (kind === 'ResourceQuota' && group === '') n.quotas.push(o);
    else if (kind === 'LimitRange' && group === '') n.limitRanges.push(m);
    else if (kind === 'HorizontalPodAutoscaler') {
      const ref = m.spec?.scaleTargetRef;
      if (ref?.kind && ref?.name && typeof m.spec?.maxReplicas === 'number') n.autoscaled.set(`${ref.kind}/${ref.name}`, m.spec.maxReplicas);
    } else if (kind === 'Service' && group === '' && m.spec?.type === 'LoadBalancer') n.loadBalancers++;
    if (WORKLOAD_KINDS.has(kind)) n.workloads.push(o);
  }
  return out;
}

/** Extra pods of a rolling update: `maxSurge` (an int or a percentage of the replicas, rounded up). */
export function surgeOf(maxSurge: unknown, replicas: number): number {
  if (replicas <= 0) return 0;
  const v = maxSurge ?? '25%';
  if (typeof v === 'number') return Math.max(0, Math.floor(v));
  const m = /^(\d+(?:\.\d+)?)%$/.exec(String(v));
  if (m) return Math.ceil((Number(m[1]) * replicas) / 100);
  const n = Number(v);
  return Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0;
}

/** Pods a Job spec runs at once: `parallelism` (default 1), at most `completions`; 0 when suspended. */
export function jobPods(spec: any): number {
  if (spec?.suspend === true) return 0;
  const parallelism = typeof spec?.parallelism === 'number' ? spec.parallelism : 1;
  return typeof spec?.completions === 'number' ? Math.min(parallelism, spec.completions) : parallelism;
}

/** The sums of one namespace, per quota key. */
class Ledger {
  private readonly terms = new Map<string, Term[]>();

  public add(key: string, owner: string, part: string, count: number, each: number): void {
    if (count <= 0 || each <= 0) return;
    const l = this.terms.get(key);
    const t = { owner, part, count, each };
    if (l) l.push(t);
    else this.terms.set(key, [t]);
  }

  /** Adds `count` pods of one shape: their requests, limits and the pod count. */
  public addPods(owner: string, part: string, count: number, pod: EffectivePod): void {
    for (const [r, v] of Object.entries(pod.requests)) this.add(`requests.${r}`, owner, part, count, v);
    for (const [r, v] of Object.entries(pod.limits)) this.add(`limits.${r}`, owner, part, count, v);
    this.add('pods', owner, part, count, 1);
  }

  public addClaim(owner: string, part: string, count: number, claim: { storage: number; storageClass?: string }): void {
    this.add('requests.storage', owner, part, count, claim.storage);
    this.add('persistentvolumeclaims', owner, part, count, 1);
    if (claim.storageClass) {
      this.add(`${claim.storageClass}.storageclass.storage.k8s.io/requests.storage`, owner, part, count, claim.storage);
      this.add(`${claim.storageClass}.storageclass.storage.k8s.io/persistentvolumeclaims`, owner, part, count, 1);
    }
  }

  public get(key: string): readonly Term[] {
    return this.terms.get(key) ?? [];
  }
}

function total(terms: readonly Term[]): number {
  return terms.reduce((s, t) => s + t.count * t.each, 0);
}

/** `web 3×2Gi + surge 1×2Gi, db 4Gi` (largest owners first when there are many). */
function breakdown(key: string, terms: readonly Term[]): string {
  const owners = new Map<string, Term[]>();
  for (const t of terms) {
    const l = owners.get(t.owner);
    if (l) l.push(t);
    else owners.set(t.owner, [t]);
  }
  let list = [...owners.entries()];
  let rest = '';
  if (list.length > MAX_OWNERS_LISTED) {
    list = list.sort((a, b) => total(b[1]) - total(a[1]));
    const hidden = list.slice(MAX_OWNERS_LISTED);
    rest = `, and ${hidden.length} more (${formatResource(key, hidden.reduce((s, [, ts]) => s + total(ts), 0))})`;
    list = list.slice(0, MAX_OWNERS_LISTED);
  }
  const part = (t: Term) => {
    const each = formatResource(key, t.each);
    return `${t.part ? `${t.part} ` : ''}${t.count === 1 && !t.part ? each : `${t.count}×${each}`}`;
  };
  return list.map(([owner, ts]) => `${owner} ${ts.map(part).join(' + ')}`).join(', ') + rest;
}

function tenantOf(o: SynthesizedObject): Tenant | undefined {
  const scopes = o.source?.node.scopes ?? [];
  for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i] instanceof Tenant) return scopes[i] as Tenant;
  return undefined;
}

/** Collects the usage of one namespace and the problems its workloads have regardless of the quota. */
function account(ns: Namespace, rules: LimitRules, problems: Problem[]): { ledger: Ledger; pods: PodUse[] } {
  const ledger = new Ledger();
  const pods: PodUse[] = [];
  const claimed = new Set<string>();
  const refusedOnce = new Set<SynthesizedObject>();
  const podOf = (o: SynthesizedObject, what: string, containers: RawContainer[]): EffectivePod => {
    const pod = effectivePod(containers, rules);
    pods.push({ object: o, what, pod });
    if (pod.refusals.length && !refusedOnce.has(o)) {
      refusedOnce.add(o);
      for (const r of pod.refusals) problems.push({ path: o.path, field: 'resources', message: `${what}: ${r}; the API server would refuse its pods` });
    }
    return pod;
  };
  const claim = (owner: string, part: string, count: number, c: VmClaim | { name: string; storage: number; storageClass?: string }, o: SynthesizedObject, what: string) => {
    if (count === 1) {
      if (claimed.has(c.name)) return;
      claimed.add(c.name);
    }
    for (const b of rules.claimMax) if (c.storage > b.value) problems.push({ path: o.path, field: 'storage', message: `${what}: claim "${c.name}" requests ${formatResource('storage', c.storage)}, above the maximum ${formatResource('storage', b.value)} per PersistentVolumeClaim of LimitRange "${b.limitRange}"` });
    for (const b of rules.claimMin) if (c.storage < b.value) problems.push({ path: o.path, field: 'storage', message: `${what}: claim "${c.name}" requests ${formatResource('storage', c.storage)}, below the minimum ${formatResource('storage', b.value)} per PersistentVolumeClaim of LimitRange "${b.limitRange}"` });
    ledger.addClaim(owner, part, count, c);
  };
  // Claims first, so a PVC and the DataVolume or VM template of the same name count once.
  const order = (k: string) => (k === 'PersistentVolumeClaim' ? 0 : k === 'DataVolume' ? 1 : 2);
  const workloads = [...ns.workloads].sort((a, b) => order(a.manifest.kind) - order(b.manifest.kind));
  let headroom: { name: string; pod: EffectivePod } | undefined;
  for (const o of workloads) {
    const m = o.manifest;
    const kind: string = m.kind;
    const name = String(m.metadata?.name ?? '');
    const what = `${kind} "${name}"`;
    const spec = m.spec ?? {};
    const replicasOf = (dflt: number) => ns.autoscaled.get(`${kind}/${name}`) ?? (typeof spec.replicas === 'number' ? spec.replicas : dflt);
    switch (kind) {
      case 'PersistentVolumeClaim':
        claim(name, '', 1, { name, storage: amount(spec.resources?.requests?.storage) ?? 0, storageClass: typeof spec.storageClassName === 'string' ? spec.storageClassName : undefined }, o, what);
        break;
      case 'DataVolume':
        claim(name, '', 1, dataVolumeClaim(name, spec), o, what);
        break;
      case 'Deployment':
      case 'DeploymentConfig': {
        const replicas = replicasOf(1);
        const pod = podOf(o, what, containersOfPodSpec(spec.template?.spec));
        ledger.addPods(name, '', replicas, pod);
        const dc = kind === 'DeploymentConfig';
        const strategy = spec.strategy ?? {};
        const surge = strategy.type === 'Recreate' ? 0 : surgeOf(dc ? strategy.rollingParams?.maxSurge : strategy.rollingUpdate?.maxSurge, replicas);
        ledger.addPods(name, 'surge', surge, pod);
        if (dc) {
          ledger.addPods(name, 'deployer', 1, podOf(o, `${what} (deployer pod)`, [{ container: { name: 'deployment', resources: strategy.resources }, init: false }]));
        }
        break;
      }
      case 'ReplicaSet':
      case 'ReplicationController':
        ledger.addPods(name, '', replicasOf(1), podOf(o, what, containersOfPodSpec(spec.template?.spec)));
        break;
      case 'StatefulSet': {
        const replicas = replicasOf(1);
        ledger.addPods(name, '', replicas, podOf(o, what, containersOfPodSpec(spec.template?.spec)));
        for (const t of Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : []) {
          const tpl = String(t?.metadata?.name ?? '');
          const s = t?.spec ?? {};
          claim(name, tpl, replicas, { name: `${tpl}-${name}`, storage: amount(s.resources?.requests?.storage) ?? 0, storageClass: typeof s.storageClassName === 'string' ? s.storageClassName : undefined }, o, what);
        }
        break;
      }
      case 'Job':
        ledger.addPods(name, '', jobPods(spec), podOf(o, what, containersOfPodSpec(spec.template?.spec)));
        break;
      case 'CronJob': {
        if (spec.suspend === true) break;
        const job = spec.jobTemplate?.spec ?? {};
        const n = jobPods(job);
        const pod = podOf(o, what, containersOfPodSpec(job.template?.spec));
        ledger.addPods(name, '', n, pod);
        const policy = spec.concurrencyPolicy ?? 'Allow';
        if (policy === 'Allow') ledger.addPods(name, 'overlapping run', n, pod);
        break;
      }
      case 'Pod':
        ledger.addPods(name, '', 1, podOf(o, what, containersOfPodSpec(spec)));
        break;
      case 'VirtualMachine': {
        if (groupOf(m.apiVersion) !== 'kubevirt.io') break;
        const cost = vmCost(m);
        const sum = cost.claims.filter((c) => !claimed.has(c.name));
        for (const c of sum) claimed.add(c.name);
        if (sum.length) {
          const storage = sum.reduce((s, c) => s + c.storage, 0);
          ledger.add('requests.storage', name, '', 1, storage);
          ledger.add('persistentvolumeclaims', name, '', 1, sum.length);
          for (const c of sum) {
            if (c.storageClass) {
              ledger.add(`${c.storageClass}.storageclass.storage.k8s.io/requests.storage`, name, '', 1, c.storage);
              ledger.add(`${c.storageClass}.storageclass.storage.k8s.io/persistentvolumeclaims`, name, '', 1, 1);
            }
            for (const b of rules.claimMax) if (c.storage > b.value) problems.push({ path: o.path, field: 'storage', message: `${what}: claim "${c.name}" requests ${formatResource('storage', c.storage)}, above the maximum ${formatResource('storage', b.value)} per PersistentVolumeClaim of LimitRange "${b.limitRange}"` });
          }
        }
        if (!cost.launcher) break;
        const pod = podOf(o, `${what} (virt-launcher pod)`, [{ container: { name: 'compute', resources: { requests: cost.launcher.requests, limits: cost.launcher.limits } }, init: false }]);
        ledger.addPods(name, '', 1, pod);
        if (cost.migratable) {
          const bigger = !headroom
            || (pod.requests.memory ?? 0) > (headroom.pod.requests.memory ?? 0)
            || ((pod.requests.memory ?? 0) === (headroom.pod.requests.memory ?? 0) && (pod.requests.cpu ?? 0) > (headroom.pod.requests.cpu ?? 0));
          if (bigger) headroom = { name, pod };
        }
        break;
      }
      case 'PostgresCluster':
      case 'PerconaXtraDBCluster': {
        // the pods and volumes the database operator creates for it (lib/databases/workload-cost.ts)
        const cost = databaseCost(m);
        if (!cost) break;
        for (const pods of cost.pods) ledger.addPods(name, pods.part, pods.count, podOf(o, `${what} (${pods.part})`, [...pods.containers]));
        // operator-made claims carry generated names: each part is its own claim (keyed by the
        // database and part, which nothing else in the namespace is named)
        for (const c of cost.claims) {
          claim(name, c.part, c.count, { name: `${kind}/${name} ${c.part}`, storage: amount(c.storage) ?? 0, storageClass: c.storageClass }, o, what);
        }
        break;
      }
      default:
        break;
    }
  }
  if (headroom) ledger.addPods(`migration headroom (${headroom.name})`, '', 1, headroom.pod);
  return { ledger, pods };
}

function countTerms(ns: Namespace, ledger: Ledger, key: string): readonly Term[] | undefined {
  const count = (resource: string): Term[] => {
    const n = ns.counts.get(resource) ?? 0;
    return n ? [{ owner: 'objects in the stack', part: '', count: n, each: 1 }] : [];
  };
  if (key === 'count/pods') return ledger.get('pods');
  if (key === 'count/persistentvolumeclaims') return ledger.get('persistentvolumeclaims');
  if (key.startsWith('count/')) return count(key.slice('count/'.length));
  if (key === 'services' || key === 'secrets' || key === 'configmaps' || key === 'replicationcontrollers' || key === 'resourcequotas') return count(key);
  if (key === 'services.loadbalancers') return ns.loadBalancers ? [{ owner: 'Services of type LoadBalancer', part: '', count: ns.loadBalancers, each: 1 }] : [];
  return undefined;
}

function ledgerKey(key: string): string {
  if (key === 'cpu' || key === 'memory' || key === 'ephemeral-storage') return `requests.${key}`;
  return key;
}

function verb(key: string, need: string): string {
  if (key === 'pods' || key === 'count/pods') return `run up to ${need} pods`;
  if (/persistentvolumeclaims$/.test(key)) return `create ${need} PersistentVolumeClaims`;
  return `need ${need}`;
}

/** Checks one namespace against each of its ResourceQuotas. */
function checkNamespace(name: string, ns: Namespace, problems: Problem[]): void {
  const rules = limitRules(ns.limitRanges);
  const { ledger, pods } = account(ns, rules, problems);
  for (const q of ns.quotas) {
    const spec = q.manifest.spec ?? {};
    if ((Array.isArray(spec.scopes) && spec.scopes.length) || spec.scopeSelector) continue;
    const quotaName = String(q.manifest.metadata?.name ?? '');
    const tenant = tenantOf(q);
    const path = tenant ? tenant.node.path : q.path;
    const field = tenant ? 'quota' : 'spec.hard';
    const who = tenant ? `the workloads of tenant "${tenant.tenantName}"` : `the workloads of namespace "${name}"`;
    for (const [key, raw] of Object.entries(spec.hard ?? {})) {
      const hard = amount(raw);
      if (hard === undefined) continue;
      const terms = countTerms(ns, ledger, key) ?? ledger.get(ledgerKey(key));
      const need = total(terms);
      if (need > hard * (1 + 1e-12) + 1e-9) {
        const hint = tenant && TENANT_FIELD[ledgerKey(key)] ? `; raise ${TENANT_FIELD[ledgerKey(key)]} of the tenant or shrink the workloads` : '';
        problems.push({
          path,
          field,
          message: `${key}: ${who} ${verb(key, formatResource(key, need))} (${breakdown(key, terms)}) but ResourceQuota "${quotaName}" allows ${formatResource(key, hard)}${hint}`,
        });
      }
      // A quota on requests/limits of cpu or memory refuses pods whose containers do not say.
      const tracked = TRACKED_PER_CONTAINER[key];
      if (!tracked) continue;
      const [resource, side] = tracked;
      const seen = new Set<SynthesizedObject>();
      for (const use of pods) {
        if (seen.has(use.object)) continue;
        const missing = use.pod.containers.filter((c) => c[side][resource] === undefined);
        if (!missing.length) continue;
        seen.add(use.object);
        problems.push({
          path: use.object.path,
          field: 'resources',
          message: `${use.what}: ${missing.map((c) => c.label).join(', ')} ${missing.length === 1 ? 'has' : 'have'} no ${resource} ${side === 'limits' ? 'limit' : 'request'} and no LimitRange of namespace "${name}" gives a default, but ResourceQuota "${quotaName}" tracks ${key}, so its pods are refused; set resources.${side}.${resource}`,
        });
      }
    }
  }
}

/**
 * The capacity check of the default pipeline: every namespace with a ResourceQuota, against the
 * peak needs of its workloads (see the module comment).
 */
export const TENANT_CAPACITY_CHECK: SynthCheck = {
  id: 'tenant-capacity',
  phase: 'check',
  check(objects) {
    const problems: Problem[] = [];
    for (const ns of index(objects).values()) if (ns.quotas.length) checkNamespace(ns.name, ns, problems);
    // Environments built from the same code report the same line once.
    const seen = new Set<string>();
    return problems.filter((p) => {
      const key = `${p.path}\0${p.field}\0${p.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  },
};
