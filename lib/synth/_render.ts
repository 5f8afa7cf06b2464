import { createHash } from 'crypto';
import { ApiObject, ApiObjectMetadataDefinition, App, ImplicitTokenResolver, JsonPatch, Lazy, LazyResolver, NumberStringUnionResolver, resolve } from 'cdk8s';

/**
 * A faster equivalent of cdk8s' `ApiObject.prototype.toJson`, used while ocpkit synthesizes.
 *
 * cdk8s renders an object in two walks over its props: `resolve` (lib/resolve.js), which for every
 * value finds the App by walking up the construct tree, copies the key path and asks each of the
 * App's resolvers, and `sanitizeValue` (lib/_util.js), which sorts keys and drops null values.
 * With the App's three default resolvers (Lazy, implicit tokens, number/string unions) the answer
 * depends only on the value, so one walk gives the same result: {@link fused} below applies, to each
 * value, exactly the steps of resolve then sanitize. At 2,000 tenants this is about 300 ms of a
 * 2 s synth (more than every policy together).
 *
 * It is used only when it is known to be equivalent:
 * - the cdk8s functions it stands for have exactly the source text it was written against
 *   ({@link KNOWN_SOURCES}: cdk8s 2.70.106; another version renders the stock way until these are
 *   re-read and the digest updated, which test/synth/fast-render.test.ts asks for);
 * - the object's App has exactly the default resolvers (a custom resolver sees key paths);
 * - primitive prototypes carry no `resolve` or `value` (which the resolvers would read);
 * - the walk meets nothing it leaves to cdk8s (an object cdk8s cannot render, a `__proto__` key):
 *   then the stock `toJson` renders the object again, so the failure reads exactly as cdk8s words
 *   it; an error thrown by a producer or a token is wrapped as cdk8s wraps it.
 * The stock method is put back when the outermost synth ends. `OCPKIT_FAST_RENDER=off` turns it off.
 * @internal
 */

interface SanitizeOptions {
  readonly sortKeys: boolean;
  readonly filterEmptyArrays: boolean;
  readonly filterEmptyObjects: boolean;
}

/** ApiObject.toJson: `sanitizeValue(resolve(...), { sortKeys })`. */
const OBJECT: SanitizeOptions = { sortKeys: true, filterEmptyArrays: false, filterEmptyObjects: false };
const UNSORTED_OBJECT: SanitizeOptions = { sortKeys: false, filterEmptyArrays: false, filterEmptyObjects: false };
/** ApiObjectMetadataDefinition.toJson: `sanitizeValue(resolve(...), { filterEmptyArrays, filterEmptyObjects })`. */
const METADATA: SanitizeOptions = { sortKeys: true, filterEmptyArrays: true, filterEmptyObjects: true };

/** Thrown inside the fast walk for what it leaves to the stock path. */
const DECLINED = new Error('left to the stock render');

type Sanitize = (value: unknown, options: SanitizeOptions) => unknown;

/**
 * `sanitizeValue(resolve(value))` for an App with the default resolvers, in one walk: null is
 * dropped (undefined); a Lazy is produced, an implicit token resolved, a number/string union
 * replaced by `{ value }`, and the result taken again; arrays map (holes kept, as `map` keeps
 * them); plain objects resolve their values in key order and then keep them in sorted key order
 * without null values; any other object is left to cdk8s' own sanitizeValue, as resolve returns
 * it untouched.
 */
function fused(v: any, o: SanitizeOptions): any {
  if (v === null || v === undefined) return undefined;
  const t = typeof v;
  if (t !== 'object' && t !== 'function') return v;
  if (v instanceof Lazy) return fused(v.produce(), o);
  if (typeof v.resolve === 'function') return fused(v.resolve(), o);
  const ctor = v.constructor;
  if (ctor !== Object) {
    // a number/string union (IntOrString, Quantity): cdk8s reads `.value` twice
    if (typeof v.value === 'number' || typeof v.value === 'string') return fused({ value: v.value }, o);
  }
  if (Array.isArray(v)) {
    // (an array that lost Array.prototype: cdk8s fails on `.map`, in its own words)
    if (typeof v.map !== 'function') throw DECLINED;
    if (o.filterEmptyArrays && v.length === 0) return undefined;
    return v.map((x) => fused(x, o));
  }
  if (ctor !== Object) {
    try {
      return stockSanitize!(v, o);
    } catch {
      // (an object cdk8s cannot render) cdk8s renders the whole object again and words the failure
      throw DECLINED;
    }
  }
  // cdk8s takes every member's value first (Object.entries), then resolves them in that order (a
  // member deleted meanwhile reads undefined here, which is dropped as cdk8s drops it)
  const keys = Object.keys(v);
  const n = keys.length;
  // a scratch array per nesting level, reused: most objects have a handful of members; the level
  // is taken before any member is read (a getter may render another object, which then nests above)
  const values = scratch[level] ?? (scratch[level] = []);
  level++;
  for (let i = 0; i < n; i++) {
    // `result.__proto__ = x` sets a prototype, not a member: leave such objects to cdk8s
    if (keys[i] === '__proto__') throw DECLINED;
    values[i] = v[keys[i]];
  }
  for (let i = 0; i < n; i++) values[i] = fused(values[i], o);
  level--;
  if (o.sortKeys && n > 1) sortByKey(keys, values, n);
  const out: Record<string, unknown> = {};
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    values[i] = undefined;
    if (x !== null && x !== undefined) {
      out[keys[i]] = x;
      kept++;
    }
  }
  if (o.filterEmptyObjects && kept === 0) return undefined;
  return out;
}

/** Scratch arrays of {@link fused}, by nesting level (`level`: the level in use). */
const scratch: unknown[][] = [];
let level = 0;

/**
 * Sorts the first `n` keys (as `Array.prototype.sort` orders strings: by UTF-16 code units) and
 * their values alike, in place: insertion sort for the few members most objects have (keys are
 * distinct, so the order is total), else by an index.
 */
function sortByKey(keys: string[], values: unknown[], n: number): void {
  let sorted = true;
  for (let i = 1; i < n; i++) {
    if (keys[i - 1] > keys[i]) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  if (n <= 24) {
    for (let i = 1; i < n; i++) {
      const k = keys[i];
      const x = values[i];
      let j = i - 1;
      for (; j >= 0 && keys[j] > k; j--) {
        keys[j + 1] = keys[j];
        values[j + 1] = values[j];
      }
      keys[j + 1] = k;
      values[j + 1] = x;
    }
    return;
  }
  const order = keys.map((_, j) => j).sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0));
  const k2 = order.map((i) => keys[i]);
  const v2 = order.map((i) => values[i]);
  for (let i = 0; i < n; i++) {
    keys[i] = k2[i];
    values[i] = v2[i];
  }
}

/**
 * sha256 of the source text of the cdk8s functions {@link fused} and the fast `toJson` stand for,
 * as read in cdk8s 2.70.106 (lib/api-object.js, lib/metadata.js, lib/resolve.js, lib/_util.js,
 * lib/lazy.js, lib/json-patch.js, lib/app.js). Any other text (another cdk8s) keeps the stock render.
 */
const KNOWN_SOURCES = new Set(['338ec527e794c50140529686dc4cc037bfa8efa6975f77df2709603d3fee8e3d']);

interface Installed {
  readonly stock: () => any;
  readonly options: SanitizeOptions;
}

let depth = 0;
/** cdk8s' sanitizeValue while installed (what the fast walk leaves to it). */
let stockSanitize: Sanitize | undefined;
let installed: Installed | undefined;
/** The replaced functions as last checked, and whether their text is the known one. */
let verdict: { readonly fns: readonly unknown[]; readonly ok: boolean } | undefined;

/** The cdk8s functions the fast path stands for, in a fixed order (undefined where one is missing). */
function replacedFunctions(sanitize: unknown): unknown[] {
  return [
    installed?.stock ?? ApiObject.prototype.toJson,
    ApiObjectMetadataDefinition.prototype.toJson,
    resolve,
    sanitize,
    LazyResolver.prototype.resolve,
    ImplicitTokenResolver.prototype.resolve,
    NumberStringUnionResolver.prototype.resolve,
    Lazy.prototype.produce,
    JsonPatch.apply,
    App.of,
  ];
}

/** sha256 of the source text of the replaced cdk8s functions (exported for the test that pins it). */
export function cdk8sSourceDigest(): string | undefined {
  return digestOf(replacedFunctions(loadSanitize()));
}

function digestOf(fns: readonly unknown[]): string | undefined {
  if (fns.some((f) => typeof f !== 'function')) return undefined;
  const h = createHash('sha256');
  for (const f of fns) h.update(Function.prototype.toString.call(f)).update('\0');
  return h.digest('hex');
}

let sanitizeFn: Sanitize | null | undefined;
function loadSanitize(): Sanitize | undefined {
  if (sanitizeFn === undefined) {
    try {
      // not exported from cdk8s' index; the digest covers its text
      sanitizeFn = require('cdk8s/lib/_util').sanitizeValue ?? null;
    } catch {
      sanitizeFn = null;
    }
  }
  return sanitizeFn ?? undefined;
}

/**
 * True when the fast render can stand in for cdk8s' own here: no opt-out, the cdk8s functions it
 * stands for are the very ones whose text was checked (a function replaced since, by a wrapper
 * or a patch, is checked again: its text differs, so cdk8s renders), plain primitive prototypes.
 */
export function fastRenderAvailable(): boolean {
  if (process.env.OCPKIT_FAST_RENDER === 'off') return false;
  const fns = replacedFunctions(loadSanitize());
  if (!verdict || fns.some((f, i) => f !== verdict!.fns[i])) {
    const digest = digestOf(fns);
    verdict = { fns, ok: digest !== undefined && KNOWN_SOURCES.has(digest) };
  }
  if (!verdict.ok) return false;
  const types = (NumberStringUnionResolver as any).TYPES;
  if (!Array.isArray(types) || types.length !== 2 || types[0] !== 'number' || types[1] !== 'string') return false;
  // the resolvers read `.resolve` and `.value` of every value, strings and numbers included
  for (const p of [String.prototype, Number.prototype, Boolean.prototype, BigInt.prototype, Symbol.prototype, Function.prototype]) {
    if ('resolve' in p || 'value' in p) return false;
  }
  return true;
}

/** True when `app` has exactly cdk8s' default resolvers, unchanged. */
function defaultResolvers(app: any): boolean {
  const r = app?.resolvers;
  return (
    Array.isArray(r) &&
    r.length === 3 &&
    r[0]?.constructor === LazyResolver &&
    r[1]?.constructor === ImplicitTokenResolver &&
    r[2]?.constructor === NumberStringUnionResolver &&
    r[0].resolve === LazyResolver.prototype.resolve &&
    r[1].resolve === ImplicitTokenResolver.prototype.resolve &&
    r[2].resolve === NumberStringUnionResolver.prototype.resolve
  );
}

/** Renders made by the fast walk and handed to cdk8s' own render while installed (for tests). */
export const renderCounts = { fast: 0, stock: 0 };

/** The fast `ApiObject.prototype.toJson` (see the module comment); `this` is the ApiObject. */
function fastToJson(this: any): any {
  const use = installed;
  if (!use || !defaultResolvers(App.of(this))) {
    renderCounts.stock++;
    return use ? use.stock.call(this) : ApiObject.prototype.toJson.call(this);
  }
  // a render inside a render (a producer calling toJson) nests its levels above the outer ones
  const base = level;
  try {
    // cdk8s: `{ ...this.props, metadata: this.metadata.toJson() }`: props are read first
    const data: Record<string, unknown> = { ...this.props };
    const md = this.metadata;
    data.metadata =
      md instanceof ApiObjectMetadataDefinition && md.toJson === ApiObjectMetadataDefinition.prototype.toJson && (md as any).apiObject === this
        ? fused(
            {
              ...(md as any)._additionalAttributes,
              name: md.name,
              namespace: md.namespace,
              annotations: (md as any).annotations,
              finalizers: (md as any).finalizers,
              ownerReferences: (md as any).ownerReferences,
              labels: (md as any).labels,
            },
            METADATA,
          )
        : md.toJson();
    const json = fused(data, use.options);
    const patches = this.patches;
    const patched = Array.isArray(patches) && patches.length === 0 ? json : JsonPatch.apply(json, ...patches);
    const result: Record<string, unknown> = {};
    for (const k of ['apiVersion', 'kind', 'metadata', ...Object.keys(patched)]) {
      if (k in patched) result[k] = patched[k];
    }
    renderCounts.fast++;
    return result;
  } catch (e) {
    level = base;
    // What the fast walk declines (an object cdk8s cannot render, a `__proto__` key) cdk8s renders
    // again and words its own way; what a producer or token threw fails as cdk8s fails it, without
    // running the producers a second time.
    if (e === DECLINED) {
      renderCounts.stock++;
      return use.stock.call(this);
    }
    throw new Error(`Failed serializing construct at path '${this.node.path}' with name '${this.name}': ${e}`);
  }
}

/**
 * Runs `fn` with the fast render standing in for `ApiObject.prototype.toJson` (when
 * {@link fastRenderAvailable}); nested calls share the outermost installation, which puts the
 * stock method back when it returns or throws.
 */
export function withFastRender<T>(fn: () => T): T {
  if (depth === 0 && fastRenderAvailable()) {
    const stock = ApiObject.prototype.toJson;
    if (stock !== fastToJson) {
      installed = { stock, options: process.env.CDK8S_DISABLE_SORT ? UNSORTED_OBJECT : OBJECT };
      stockSanitize = loadSanitize();
      ApiObject.prototype.toJson = fastToJson;
    }
  }
  depth++;
  try {
    return fn();
  } finally {
    depth--;
    if (depth === 0 && installed) {
      ApiObject.prototype.toJson = installed.stock;
      installed = undefined;
      stockSanitize = undefined;
    }
  }
}
