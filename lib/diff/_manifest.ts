import { Quantity } from '../core/quantity';

/** Where a kind keeps its pod template (`spec.template.spec` of a Deployment). */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  DeploymentConfig: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** The field path of the pod spec of a workload kind, or undefined for other kinds. */
export function podSpecPath(kind: string): readonly string[] | undefined {
  return POD_SPEC_PATHS[kind];
}

/** The value at a path of object keys, or undefined. */
export function at(m: unknown, path: readonly string[]): any {
  let v: any = m;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[k];
  }
  return v;
}

/** The pod spec of a workload manifest, or undefined. */
export function podSpecOf(m: any): any {
  const p = typeof m?.kind === 'string' ? POD_SPEC_PATHS[m.kind] : undefined;
  const spec = p ? at(m, p) : undefined;
  return spec && typeof spec === 'object' ? spec : undefined;
}

/** How many pods a workload runs at once: replicas (default 1); a DaemonSet counts 1 per node, here 1. */
export function podCount(m: any): number {
  if (m?.kind === 'Deployment' || m?.kind === 'StatefulSet' || m?.kind === 'ReplicaSet' || m?.kind === 'DeploymentConfig' || m?.kind === 'ReplicationController') {
    const r = m?.spec?.replicas;
    return typeof r === 'number' ? r : 1;
  }
  if (m?.kind === 'Job' || m?.kind === 'CronJob') {
    const spec = m.kind === 'CronJob' ? m?.spec?.jobTemplate?.spec : m?.spec;
    const p = spec?.parallelism;
    return typeof p === 'number' ? p : 1;
  }
  return 1;
}

/** Containers (and init containers) of a pod spec. */
export function containersOf(spec: any): any[] {
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((c) => c && typeof c === 'object') : []);
  return [...list(spec?.containers), ...list(spec?.initContainers)];
}

/** A quantity's value as a number, or undefined when it is not one. */
export function quantityValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (!Quantity.isValid(v)) return undefined;
  return Quantity.parse(v as string | number).value;
}

/** Members of a list field, or an empty list. */
export function listOf(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

/**
 * Seconds of a Go duration (`720h0m0s`, `1h30m`, `90s`; Velero's `ttl`, cert-manager's
 * `duration`), or undefined when it is not one.
 */
export function goDurationSeconds(v: unknown): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  let i = 0;
  re.lastIndex = 0;
  while (i < v.length) {
    re.lastIndex = i;
    const m = re.exec(v);
    if (!m) return v === '0' ? 0 : undefined;
    total += Number(m[1]) * unit[m[2]];
    i = re.lastIndex;
  }
  return total;
}

/** `2592000` seconds as `30d`, `36h`, `90m`, `45s`. */
export function formatSeconds(s: number): string {
  if (s >= 86400 && s % 86400 === 0) return `${s / 86400}d`;
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600}h`;
  if (s >= 60 && s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** `ns/name` or `name`. */
export function objectName(m: any): string {
  const ns = m?.metadata?.namespace;
  return `${typeof ns === 'string' && ns ? `${ns}/` : ''}${m?.metadata?.name}`;
}

/**
 * The old and new text of a changed field, when it is text: a string, or a list of strings (a
 * container `command`/`args`, diffed as a whole), joined by line breaks.
 */
export function changedText(c: { readonly op: string; readonly old?: unknown; readonly new?: unknown }): [string, string] | undefined {
  if (c.op !== 'changed') return undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join('\n') : undefined);
  const a = text(c.old);
  const b = text(c.new);
  return a !== undefined && b !== undefined ? [a, b] : undefined;
}
