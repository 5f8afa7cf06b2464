import { Quantity } from '../core/quantity';
import { goDurationSeconds } from './_manifest';
import { FieldPath, PathSegment } from './field-path';

/** What happened to one field. `reordered`: same members, different order, in a list where order matters. */
export type FieldOp = 'added' | 'removed' | 'changed' | 'reordered';

/** One changed field of a resource. Values are plain JSON (masked later where they are secret). */
export interface RawFieldChange {
  readonly path: FieldPath;
  readonly op: FieldOp;
  readonly old?: unknown;
  readonly new?: unknown;
}

/**
 * Lists whose members form a set: order carries no meaning, so reordering them is not a change.
 * Keyed by the field name holding the list. Lists not named here keep their order significant
 * (command, args, clusterIPs, VM disks and interfaces, init containers ...).
 */
const SET_LIKE_LISTS: ReadonlySet<string> = new Set([
  // core pod spec
  'containers', 'volumes', 'volumeMounts', 'volumeDevices', 'ports', 'imagePullSecrets', 'tolerations',
  'hostAliases', 'topologySpreadConstraints', 'add', 'drop', 'accessModes', 'finalizers',
  // selectors and RBAC
  'matchExpressions', 'values', 'namespaces', 'rules', 'subjects', 'verbs', 'apiGroups', 'resources',
  'resourceNames', 'nonResourceURLs',
  // network policy
  'ingress', 'egress', 'from', 'to', 'policyTypes',
  // Argo CD
  'sourceRepos', 'destinations', 'clusterResourceWhitelist', 'clusterResourceBlacklist',
  'namespaceResourceWhitelist', 'namespaceResourceBlacklist', 'ignoreDifferences', 'syncOptions', 'roles', 'groups',
  // cert-manager, Velero, KubeVirt
  'dnsNames', 'ipAddresses', 'uris', 'emailAddresses', 'includedNamespaces', 'excludedNamespaces',
  'includedResources', 'excludedResources', 'networks',
]);

/** Lists matched by a key field whose order matters even though members have unique names. */
const ORDERED_KEYED_LISTS: ReadonlySet<string> = new Set(['initContainers', 'disks', 'interfaces', 'steps', 'env', 'envFrom']);

/** Field names that hold a Kubernetes quantity (`1Gi` equals `1024Mi`; `pods: 50` equals `'50'`). */
const QUANTITY_KEYS: ReadonlySet<string> = new Set(['storage', 'memory', 'cpu', 'ephemeral-storage', 'guest', 'pods']);
const QUANTITY_PARENTS: ReadonlySet<string> = new Set(['requests', 'limits', 'hard', 'capacity', 'default', 'defaultRequest', 'max', 'min']);

/** Key fields tried, in order, to match list members (`containers[name=web]`). */
const KEY_FIELDS = ['name', 'mountPath', 'devicePath', 'containerPort', 'port', 'ip'];

/**
 * Compares two parsed manifests field by field and returns what differs. Key order and YAML
 * formatting never count (the inputs are parsed); members of set-like lists are matched by their
 * key field or by value, so reordering them is not a change; equal quantities written
 * differently (`1Gi`/`1024Mi`) are equal.
 */
export function diffValues(a: unknown, b: unknown): RawFieldChange[] {
  const out: RawFieldChange[] = [];
  walk(a, b, [], out);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep equality of plain JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as any)[k], (b as any)[k])) return false;
  }
  return true;
}

/** JSON text with sorted keys: equal for deep-equal values. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** Like canonicalJson, but members of nested set-like lists are sorted, so equal sets give equal keys. */
function setKey(v: unknown, field?: string): string {
  if (Array.isArray(v)) {
    const parts = v.map((x) => setKey(x));
    if (field !== undefined && SET_LIKE_LISTS.has(field)) parts.sort();
    return `[${parts.join(',')}]`;
  }
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${setKey(v[k], k)}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

function walk(a: unknown, b: unknown, path: PathSegment[], out: RawFieldChange[]): void {
  if (a === b) return;
  if (isObject(a) && isObject(b)) {
    for (const k in a) {
      if (!Object.prototype.hasOwnProperty.call(a, k)) continue;
      if (!Object.prototype.hasOwnProperty.call(b, k)) {
        out.push({ path: [...path, k], op: 'removed', old: a[k] });
      } else if (a[k] !== b[k]) {
        path.push(k);
        walk(a[k], b[k], path, out);
        path.pop();
      }
    }
    for (const k in b) {
      if (Object.prototype.hasOwnProperty.call(b, k) && !Object.prototype.hasOwnProperty.call(a, k)) out.push({ path: [...path, k], op: 'added', new: b[k] });
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    diffLists(a, b, path, out);
    return;
  }
  if ((typeof a === 'string' || typeof a === 'number') && (typeof b === 'string' || typeof b === 'number') && sameQuantity(path, String(a), String(b))) return;
  if (typeof a === 'string' && typeof b === 'string' && (sameDuration(path, a, b) || sameJson(a, b))) return;
  out.push({ path: path.slice(), op: 'changed', old: a, new: b });
}

/** Walks one level down with `seg` pushed on the shared path. */
function walkAt(a: unknown, b: unknown, path: PathSegment[], seg: PathSegment, out: RawFieldChange[]): void {
  path.push(seg);
  walk(a, b, path, out);
  path.pop();
}

/** Field names that hold a Go duration (Velero `ttl: 720h0m0s` equals `720h`). */
const DURATION_KEYS: ReadonlySet<string> = new Set(['ttl', 'csiSnapshotTimeout', 'itemOperationTimeout']);

function sameDuration(path: readonly PathSegment[], a: string, b: string): boolean {
  const key = path[path.length - 1];
  if (typeof key !== 'string' || !DURATION_KEYS.has(key)) return false;
  const x = goDurationSeconds(a);
  return x !== undefined && x === goDurationSeconds(b);
}

/** Two strings holding equal JSON objects or arrays (a NAD's `spec.config` with other key order or spacing). */
function sameJson(a: string, b: string): boolean {
  const t = a.trimStart()[0];
  if ((t !== '{' && t !== '[') || b.trimStart()[0] !== t) return false;
  try {
    return deepEqual(JSON.parse(a), JSON.parse(b));
  } catch {
    return false;
  }
}

function sameQuantity(path: readonly PathSegment[], a: string, b: string): boolean {
  const key = path[path.length - 1];
  const parent = path[path.length - 2];
  if (!(typeof key === 'string' && QUANTITY_KEYS.has(key)) && !(typeof parent === 'string' && QUANTITY_PARENTS.has(parent))) return false;
  if (!Quantity.isValid(a) || !Quantity.isValid(b)) return false;
  return Quantity.parse(a).value === Quantity.parse(b).value;
}

function listName(path: readonly PathSegment[]): string | undefined {
  const last = path[path.length - 1];
  return typeof last === 'string' ? last : undefined;
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}

/** The key field that identifies every member of both lists uniquely, if there is one. */
function keyField(a: readonly unknown[], b: readonly unknown[]): string | undefined {
  if (a.length + b.length === 0) return undefined;
  if (!a.every(isObject) || !b.every(isObject)) return undefined;
  for (const field of KEY_FIELDS) {
    if (uniqueBy(a, field) && uniqueBy(b, field)) return field;
  }
  return undefined;
}

function uniqueBy(list: readonly unknown[], field: string): boolean {
  const seen = new Set<unknown>();
  for (const item of list) {
    const v = (item as Record<string, unknown>)[field];
    if (v === undefined || !isScalar(v) || seen.has(v)) return false;
    seen.add(v);
  }
  return true;
}

function diffLists(a: readonly unknown[], b: readonly unknown[], path: PathSegment[], out: RawFieldChange[]): void {
  if (a.length === b.length && deepEqual(a, b)) return;
  const name = listName(path);
  const setLike = name !== undefined && SET_LIKE_LISTS.has(name);
  const key = keyField(a, b);
  if (key !== undefined) {
    diffKeyedLists(a as Record<string, unknown>[], b as Record<string, unknown>[], key, path, out, name !== undefined && isOrdered(name, a, b));
    return;
  }
  if (setLike) {
    diffSets(a, b, path, out);
    return;
  }
  if (a.every(isScalar) && b.every(isScalar)) {
    if (!deepEqual(a, b)) out.push({ path: path.slice(), op: 'changed', old: a, new: b });
    return;
  }
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) walkAt(a[i], b[i], path, i, out);
  for (let i = n; i < a.length; i++) out.push({ path: [...path, i], op: 'removed', old: a[i] });
  for (let i = n; i < b.length; i++) out.push({ path: [...path, i], op: 'added', new: b[i] });
}

/** Whether the order of a keyed list matters. Env order only matters when a value refers to another variable. */
function isOrdered(name: string, a: readonly unknown[], b: readonly unknown[]): boolean {
  if (!ORDERED_KEYED_LISTS.has(name)) return false;
  if (name === 'env') return [...a, ...b].some((e) => typeof (e as any)?.value === 'string' && (e as any).value.includes('$('));
  return true;
}

function diffKeyedLists(a: Record<string, unknown>[], b: Record<string, unknown>[], key: string, path: PathSegment[], out: RawFieldChange[], ordered: boolean): void {
  const byKey = new Map<unknown, Record<string, unknown>>();
  for (const item of b) byKey.set(item[key], item);
  const oldKeys = new Set<unknown>();
  for (const item of a) {
    const k = item[key];
    oldKeys.add(k);
    const seg = { by: key, value: k as string };
    const other = byKey.get(k);
    if (other === undefined) out.push({ path: [...path, seg], op: 'removed', old: item });
    else walkAt(item, other, path, seg, out);
  }
  for (const item of b) {
    if (!oldKeys.has(item[key])) out.push({ path: [...path, { by: key, value: item[key] as string }], op: 'added', new: item });
  }
  if (ordered) {
    const common = (list: Record<string, unknown>[], other: Set<unknown>) => list.map((i) => i[key]).filter((k) => other.has(k));
    const newKeys = new Set(b.map((i) => i[key]));
    const before = common(a, newKeys);
    const after = common(b, oldKeys);
    if (before.some((k, i) => k !== after[i])) out.push({ path: path.slice(), op: 'reordered', old: before, new: after });
  }
}

/**
 * Members matched by value (multiset): only additions and removals count, except that a removed
 * and an added object that agree on at least half of their fields (an alerting rule whose
 * threshold changed, a NetworkPolicy rule that gained a port) are shown as one changed member,
 * field by field, instead of a whole removal and a whole addition.
 */
function diffSets(a: readonly unknown[], b: readonly unknown[], path: PathSegment[], out: RawFieldChange[]): void {
  const counts = new Map<string, number>();
  const bKeys = b.map((x) => setKey(x));
  for (const k of bKeys) counts.set(k, (counts.get(k) ?? 0) + 1);
  const removed: number[] = [];
  a.forEach((item, i) => {
    const k = setKey(item);
    const n = counts.get(k) ?? 0;
    if (n > 0) counts.set(k, n - 1);
    else removed.push(i);
  });
  const aCounts = new Map<string, number>();
  for (const item of a) {
    const k = setKey(item);
    aCounts.set(k, (aCounts.get(k) ?? 0) + 1);
  }
  const added: number[] = [];
  b.forEach((_item, i) => {
    const k = bKeys[i];
    const n = aCounts.get(k) ?? 0;
    if (n > 0) aCounts.set(k, n - 1);
    else added.push(i);
  });
  const pairs = pairSimilar(a, b, removed, added);
  const paired = new Set(pairs.map(([i]) => i));
  const pairedNew = new Set(pairs.map(([, j]) => j));
  for (const i of removed) if (!paired.has(i)) out.push({ path: [...path, isScalar(a[i]) ? { item: a[i] } : i], op: 'removed', old: a[i] });
  for (const [i, j] of pairs) walkAt(a[i], b[j], path, j, out);
  for (const j of added) if (!pairedNew.has(j)) out.push({ path: [...path, isScalar(b[j]) ? { item: b[j] } : j], op: 'added', new: b[j] });
}

/** Beyond this many candidate pairs, removed and added members are not paired (kept linear in practice). */
const MAX_PAIRING = 10_000;

/** Greedy pairs (old index, new index) of objects that agree on at least half of their fields, most similar first. */
function pairSimilar(a: readonly unknown[], b: readonly unknown[], removed: readonly number[], added: readonly number[]): [number, number][] {
  if (removed.length === 0 || added.length === 0 || removed.length * added.length > MAX_PAIRING) return [];
  const scored: [number, number, number][] = [];
  for (const i of removed) {
    const x = a[i];
    if (!isObject(x)) continue;
    for (const j of added) {
      const y = b[j];
      if (!isObject(y)) continue;
      const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
      let same = 0;
      for (const k of keys) if (Object.prototype.hasOwnProperty.call(x, k) && Object.prototype.hasOwnProperty.call(y, k) && deepEqual(x[k], y[k])) same++;
      const score = same / keys.size;
      if (score >= 0.5) scored.push([score, i, j]);
    }
  }
  scored.sort((p, q) => q[0] - p[0] || p[1] - q[1] || p[2] - q[2]);
  const usedOld = new Set<number>();
  const usedNew = new Set<number>();
  const out: [number, number][] = [];
  for (const [, i, j] of scored) {
    if (usedOld.has(i) || usedNew.has(j)) continue;
    usedOld.add(i);
    usedNew.add(j);
    out.push([i, j]);
  }
  return out.sort((p, q) => p[1] - q[1]);
}
