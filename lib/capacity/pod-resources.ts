/**
 * What one pod costs a namespace's ResourceQuota once the API server has defaulted it and the
 * LimitRanger admission plug-in has applied the namespace's LimitRanges (Kubernetes 1.27, the
 * version of OpenShift 4.14):
 *
 * 1. API defaulting of the Pod (kubernetes/kubernetes pkg/apis/core/v1/defaults.go
 *    `SetDefaults_Pod`: "If limits are specified, but requests are not, default requests to
 *    limits", for containers and init containers);
 * 2. API defaulting of a LimitRange item of type Container (same file,
 *    `SetDefaults_LimitRangeItem`): a missing `default` is the `max`, a missing `defaultRequest` is
 *    the `default`, else the `min`;
 * 3. LimitRanger admission (plugin/pkg/admission/limitranger/admission.go `PodLimitFunc`,
 *    `mergeContainerResources`): every container without a limit (request) of a resource gets the
 *    LimitRange default, first LimitRange first; then each container must stay within `min`/`max`
 *    (a `max` also demands a limit), and the pod's sum within the `Pod` item's `min`/`max`;
 * 4. ResourceQuota usage of a pod: the larger of the sum over containers and the largest init
 *    container, per resource (the pod evaluator's `PodRequestsAndLimits`).
 */
import { formatBytes, Quantity, quantityProblem } from '../core/quantity';

/** Resource name → amount in base units (cores, bytes, items). */
export type Res = Record<string, number>;

/** A Kubernetes quantity in base units, or undefined when missing or malformed (the schema check reports those). */
export function amount(v: unknown): number | undefined {
  if (typeof v !== 'string') return parsed(v);
  // a stack writes the same few quantities ("500m", "2Gi") thousands of times: each is parsed once
  if (AMOUNTS.has(v)) return AMOUNTS.get(v);
  const n = parsed(v);
  if (AMOUNTS.size >= 4096) AMOUNTS.clear();
  AMOUNTS.set(v, n);
  return n;
}

const AMOUNTS = new Map<string, number | undefined>();

function parsed(v: unknown): number | undefined {
  if (v === undefined || v === null || quantityProblem(v) !== undefined) return undefined;
  return Quantity.parse(v as string).value;
}

/** A resource list (`{ cpu: "500m", memory: "1Gi" }`) in base units. */
export function resourceList(list: unknown): Res {
  const out: Res = {};
  if (list && typeof list === 'object' && !Array.isArray(list)) {
    for (const [k, v] of Object.entries(list)) {
      const n = amount(v);
      if (n !== undefined) out[k] = n;
    }
  }
  return out;
}

/** One constraint of a LimitRange (for messages: which LimitRange set it). */
export interface Bound {
  readonly limitRange: string;
  readonly value: number;
}

/** The LimitRanges of one namespace, merged as the LimitRanger plug-in applies them. */
export interface LimitRules {
  /** Default requests and limits of containers (first LimitRange that sets a resource wins). */
  readonly defaultRequest: Res;
  readonly defaultLimit: Res;
  /** Which LimitRange gave each default (for messages). */
  readonly defaultFrom: Record<string, string>;
  readonly containerMax: ReadonlyMap<string, Bound[]>;
  readonly containerMin: ReadonlyMap<string, Bound[]>;
  readonly podMax: ReadonlyMap<string, Bound[]>;
  readonly claimMax: Bound[];
  readonly claimMin: Bound[];
}

function push(m: Map<string, Bound[]>, key: string, b: Bound): void {
  const l = m.get(key);
  if (l) l.push(b);
  else m.set(key, [b]);
}

/** Merges the LimitRange manifests of one namespace (in the order given). */
export function limitRules(limitRanges: readonly any[]): LimitRules {
  const defaultRequest: Res = {};
  const defaultLimit: Res = {};
  const defaultFrom: Record<string, string> = {};
  const containerMax = new Map<string, Bound[]>();
  const containerMin = new Map<string, Bound[]>();
  const podMax = new Map<string, Bound[]>();
  const claimMax: Bound[] = [];
  const claimMin: Bound[] = [];
  for (const lr of limitRanges) {
    const name = String(lr?.metadata?.name ?? '');
    const items = Array.isArray(lr?.spec?.limits) ? lr.spec.limits : [];
    for (const item of items) {
      const max = resourceList(item?.max);
      const min = resourceList(item?.min);
      if (item?.type === 'Container') {
        // SetDefaults_LimitRangeItem
        const def = { ...max, ...resourceList(item.default) };
        const defReq = { ...min, ...def, ...resourceList(item.defaultRequest) };
        for (const [k, v] of Object.entries(def)) {
          if (!(k in defaultLimit)) {
            defaultLimit[k] = v;
            defaultFrom[`limits.${k}`] = name;
          }
        }
        for (const [k, v] of Object.entries(defReq)) {
          if (!(k in defaultRequest)) {
            defaultRequest[k] = v;
            defaultFrom[`requests.${k}`] = name;
          }
        }
        for (const [k, v] of Object.entries(max)) push(containerMax, k, { limitRange: name, value: v });
        for (const [k, v] of Object.entries(min)) push(containerMin, k, { limitRange: name, value: v });
      } else if (item?.type === 'Pod') {
        for (const [k, v] of Object.entries(max)) push(podMax, k, { limitRange: name, value: v });
      } else if (item?.type === 'PersistentVolumeClaim') {
        if (max.storage !== undefined) claimMax.push({ limitRange: name, value: max.storage });
        if (min.storage !== undefined) claimMin.push({ limitRange: name, value: min.storage });
      }
    }
  }
  return { defaultRequest, defaultLimit, defaultFrom, containerMax, containerMin, podMax, claimMax, claimMin };
}

/** A container after defaulting and LimitRange defaults. */
export interface EffectiveContainer {
  /** `container "web"`, `init container "migrate"`. */
  readonly label: string;
  readonly init: boolean;
  readonly requests: Res;
  readonly limits: Res;
  /** `requests.memory`, `limits.memory` ... that came from a LimitRange. */
  readonly defaulted: readonly string[];
}

/** A pod as the quota and the LimitRanger see it. */
export interface EffectivePod {
  readonly containers: readonly EffectiveContainer[];
  /** Quota usage: max(sum of containers, largest init container) per resource. */
  readonly requests: Res;
  readonly limits: Res;
  /** Why the API server or the LimitRanger would refuse the pod (one line each, without the workload name). */
  readonly refusals: readonly string[];
}

/** A raw container (`{ name, resources }`) with the list it belongs to. */
export interface RawContainer {
  readonly container: any;
  readonly init: boolean;
}

/** The containers of a pod spec, init containers first. */
export function containersOfPodSpec(spec: any): RawContainer[] {
  const out: RawContainer[] = [];
  for (const c of Array.isArray(spec?.initContainers) ? spec.initContainers : []) out.push({ container: c, init: true });
  for (const c of Array.isArray(spec?.containers) ? spec.containers : []) out.push({ container: c, init: false });
  return out;
}

/** A resource amount for messages: cores for CPU, binary units for bytes, else a plain number. */
export function formatResource(resource: string, v: number): string {
  if (/cpu/.test(resource)) return `${Number(v.toFixed(3))}`;
  if (/memory|storage|hugepages/.test(resource)) return formatBytes(Math.round(v));
  return `${Number(v.toFixed(3))}`;
}

const fmt = formatResource;

/** The pod the API server admits from these containers, with the namespace's LimitRange rules. */
export function effectivePod(containers: readonly RawContainer[], rules: LimitRules): EffectivePod {
  const out: EffectiveContainer[] = [];
  const refusals: string[] = [];
  for (const { container, init } of containers) {
    const label = `${init ? 'init container' : 'container'} "${container?.name ?? '?'}"`;
    const limits = resourceList(container?.resources?.limits);
    const requests = resourceList(container?.resources?.requests);
    for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v; // SetDefaults_Pod
    const defaulted: string[] = [];
    for (const [k, v] of Object.entries(rules.defaultLimit)) {
      if (!(k in limits)) {
        limits[k] = v;
        defaulted.push(`limits.${k}`);
      }
    }
    for (const [k, v] of Object.entries(rules.defaultRequest)) {
      if (!(k in requests)) {
        requests[k] = v;
        defaulted.push(`requests.${k}`);
      }
    }
    for (const [k, req] of Object.entries(requests)) {
      const lim = limits[k];
      if (lim !== undefined && req > lim + 1e-9) {
        const from = defaulted.includes(`limits.${k}`) ? ` (the default limit of LimitRange "${rules.defaultFrom[`limits.${k}`]}")` : '';
        refusals.push(`${label} requests ${k} ${fmt(k, req)} above its limit ${fmt(k, lim)}${from}; give it its own ${k} limit`);
      }
    }
    if (!init) {
      for (const [k, bounds] of rules.containerMax) {
        for (const b of bounds) {
          const lim = limits[k];
          if (lim === undefined) refusals.push(`${label} has no ${k} limit but LimitRange "${b.limitRange}" sets a maximum of ${fmt(k, b.value)} per container, which needs one`);
          else if (lim > b.value + 1e-9) refusals.push(`${label} has a ${k} limit of ${fmt(k, lim)}, above the maximum ${fmt(k, b.value)} per container of LimitRange "${b.limitRange}"`);
        }
      }
      for (const [k, bounds] of rules.containerMin) {
        for (const b of bounds) {
          const req = requests[k];
          if (req === undefined || req < b.value - 1e-9) refusals.push(`${label} requests ${req === undefined ? 'no' : fmt(k, req)} ${k}, below the minimum ${fmt(k, b.value)} per container of LimitRange "${b.limitRange}"`);
        }
      }
    }
    out.push({ label, init, requests, limits, defaulted });
  }
  const total = (pick: (c: EffectiveContainer) => Res): Res => {
    const sum: Res = {};
    const initMax: Res = {};
    for (const c of out) {
      for (const [k, v] of Object.entries(pick(c))) {
        if (c.init) initMax[k] = Math.max(initMax[k] ?? 0, v);
        else sum[k] = (sum[k] ?? 0) + v;
      }
    }
    for (const [k, v] of Object.entries(initMax)) sum[k] = Math.max(sum[k] ?? 0, v);
    return sum;
  };
  const requests = total((c) => c.requests);
  const limits = total((c) => c.limits);
  for (const [k, bounds] of rules.podMax) {
    for (const b of bounds) {
      const lim = limits[k];
      if (lim !== undefined && lim > b.value + 1e-9) refusals.push(`the pod's ${k} limits add up to ${fmt(k, lim)}, above the maximum ${fmt(k, b.value)} per pod of LimitRange "${b.limitRange}"`);
    }
  }
  return { containers: out, requests, limits, refusals };
}

