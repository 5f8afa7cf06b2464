/**
 * Deterministic data for test/schema/interpreter.test.ts: a seeded PRNG, mutations of valid
 * Kubernetes objects aimed at what their schema constrains, and data generated from synthetic
 * schemas. Nothing here knows what a validator answers; the test compares two of them.
 */

/** A seeded PRNG (mulberry32): the same seed gives the same sequence on every run. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  public next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  public int(n: number): number {
    return Math.floor(this.next() * n);
  }

  public chance(p: number): boolean {
    return this.next() < p;
  }

  public pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** Resolves a `$ref` string to its schema (undefined when unknown). */
export type Resolve = (ref: string) => any;

type Path = Array<string | number>;

/** One node of an object, with the schemas that apply to it (its own, its `$ref`s' and `allOf` branches'). */
interface Site {
  readonly path: Path;
  readonly value: unknown;
  readonly schemas: readonly any[];
}

/** The schemas directly governing a node: the schema, what its `$ref` and `allOf` lead to (not anyOf/oneOf branches). */
function expand(schema: any, resolve: Resolve, out: any[] = [], depth = 0): any[] {
  if (!schema || typeof schema !== 'object' || depth > 20) return out;
  out.push(schema);
  if (typeof schema.$ref === 'string') expand(resolve(schema.$ref), resolve, out, depth + 1);
  for (const b of Array.isArray(schema.allOf) ? schema.allOf : []) expand(b, resolve, out, depth + 1);
  return out;
}

/** Every node of `data` (root included) with the schemas that govern it. */
export function sites(data: unknown, schema: any, resolve: Resolve): Site[] {
  const out: Site[] = [];
  const walk = (value: unknown, schemas: any[], path: Path): void => {
    out.push({ path, value, schemas });
    if (Array.isArray(value)) {
      const items = schemas.flatMap((s) => (s.items && !Array.isArray(s.items) ? expand(s.items, resolve) : []));
      value.forEach((v, i) => walk(v, items, [...path, i]));
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const child = schemas.flatMap((s) => {
          const p = s.properties?.[k];
          if (p !== undefined) return expand(p, resolve);
          return s.additionalProperties && typeof s.additionalProperties === 'object' ? expand(s.additionalProperties, resolve) : [];
        });
        walk(v, child, [...path, k]);
      }
    }
  };
  walk(data, expand(schema, resolve), []);
  return out;
}

function setAt(root: any, path: Path, value: unknown): any {
  if (!path.length) return value;
  let node = root;
  for (const seg of path.slice(0, -1)) node = node[seg];
  node[path[path.length - 1]] = value;
  return root;
}

function deleteAt(root: any, path: Path): void {
  let node = root;
  for (const seg of path.slice(0, -1)) node = node[seg];
  const last = path[path.length - 1];
  if (Array.isArray(node)) node.splice(last as number, 1);
  else delete node[last];
}

/** A JSON value of a random type; `not` avoids one type (as `typeof`, with 'array' and 'null'). */
export function randomValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 6 : 8)) {
    case 0:
      return rng.pick(['', 'x', 'Value With Space', 'UPPER', 'a/b', 'ünï', '😀', '10', 'true', 'null']);
    case 1:
      return rng.pick([0, 1, -1, 7, 65536, 2 ** 31, -(2 ** 40)]);
    case 2:
      return rng.pick([0.5, -2.25, 1e-9, 3.000001]);
    case 3:
      return rng.chance(0.5);
    case 4:
      return null;
    case 5:
      return rng.pick(['another', 42, false]);
    case 6:
      return { [rng.pick(['a', 'name', 'zz', 'a/b', 'a~b'])]: randomValue(rng, depth + 1) };
    default:
      return [randomValue(rng, depth + 1)];
  }
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** A value of another JSON type than `v`. */
function otherType(rng: Rng, v: unknown): unknown {
  const candidates: unknown[] = ['text', 'UPPER case', 12, 3.5, -1, true, false, null, {}, { x: 1 }, [], ['x'], [1, 2]];
  const others = candidates.filter((c) => typeName(c) !== typeName(v));
  return rng.pick(others);
}

/** Breaks a pattern: a space, upper case, a slash, or emptiness. */
function breakString(rng: Rng, s: string): string {
  const at = rng.int(s.length + 1);
  switch (rng.int(5)) {
    case 0:
      return `${s.slice(0, at)} ${s.slice(at)}`;
    case 1:
      return s.toUpperCase() === s ? `${s}Ä` : s.toUpperCase();
    case 2:
      return `${s.slice(0, at)}/${s.slice(at)}`;
    case 3:
      return '';
    default:
      return `-${s}-`;
  }
}

const has = (site: Site, key: string) => site.schemas.some((s) => s[key] !== undefined);
const first = (site: Site, key: string) => site.schemas.find((s) => s[key] !== undefined)?.[key];

/** The kinds of mutation; each returns false when the object offers no place for it. */
export const MUTATIONS = {
  /** A value of another type anywhere. */
  retype(rng: Rng, obj: any, all: Site[]): boolean {
    const s = rng.pick(all.filter((x) => x.path.length));
    if (!s) return false;
    setAt(obj, s.path, otherType(rng, s.value));
    return true;
  },
  /** An unknown field in a random object, at any depth. */
  unknownField(rng: Rng, obj: any, all: Site[]): boolean {
    const objects = all.filter((x) => x.value && typeof x.value === 'object' && !Array.isArray(x.value));
    const s = rng.pick(objects);
    if (!s) return false;
    (s.value as any)[rng.pick(['extra', 'nmae', 'Spec', 'a/b', 'x~y', 'toString', 'constructor'])] = randomValue(rng);
    return true;
  },
  /** Removes a field the schema requires (else any field). */
  deleteRequired(rng: Rng, obj: any, all: Site[]): boolean {
    const req = all.flatMap((s) => {
      const names: string[] = s.schemas.flatMap((x) => (Array.isArray(x.required) ? x.required : []));
      return names.filter((n) => s.value && typeof s.value === 'object' && (s.value as any)[n] !== undefined).map((n) => [...s.path, n]);
    });
    const target = req.length ? rng.pick(req) : rng.pick(all.filter((x) => x.path.length))?.path;
    if (!target) return false;
    deleteAt(obj, target);
    return true;
  },
  /** A value outside an enum. */
  outsideEnum(rng: Rng, obj: any, all: Site[]): boolean {
    const s = rng.pick(all.filter((x) => x.path.length && has(x, 'enum')));
    if (!s) return false;
    const allowed: unknown[] = first(s, 'enum');
    const v = allowed.find((a) => typeof a === 'string');
    setAt(obj, s.path, rng.pick([typeof v === 'string' ? `${v}x` : 'not-allowed', typeof v === 'string' ? v.toLowerCase() + '_' : 0, 99, null]));
    return true;
  },
  /** A string that no longer matches its pattern (or a pattern-constrained field given a new string). */
  breakPattern(rng: Rng, obj: any, all: Site[]): boolean {
    const s = rng.pick(all.filter((x) => x.path.length && has(x, 'pattern')));
    if (!s) return false;
    setAt(obj, s.path, breakString(rng, typeof s.value === 'string' ? s.value : String(s.value)));
    return true;
  },
  /** Length, item, property and number limits crossed. */
  exceedLimit(rng: Rng, obj: any, all: Site[]): boolean {
    const keys = ['maxLength', 'minLength', 'maximum', 'minimum', 'maxItems', 'minItems', 'maxProperties', 'minProperties'];
    const s = rng.pick(all.filter((x) => x.path.length && keys.some((k) => has(x, k))));
    if (!s) return false;
    const k = rng.pick(keys.filter((key) => has(s, key)));
    const limit: number = first(s, k);
    const chars = rng.pick(['a', 'é', '😀']);
    const value = {
      maxLength: () => chars.repeat(limit + rng.int(2)), // at the limit (surrogate pairs count one) or past it
      minLength: () => chars.repeat(Math.max(0, limit - 1)),
      maximum: () => limit + rng.pick([1, 0.5, 0]),
      minimum: () => limit - rng.pick([1, 0.5, 0]),
      maxItems: () => Array.from({ length: limit + 1 }, () => (Array.isArray(s.value) && s.value.length ? s.value[0] : 'x')),
      minItems: () => [],
      maxProperties: () => Object.fromEntries(Array.from({ length: limit + 1 }, (_, i) => [`k${i}`, 'v'])),
      minProperties: () => ({}),
    }[k as 'maxLength']();
    setAt(obj, s.path, value);
    return true;
  },
  /** An array emptied. */
  emptyArray(rng: Rng, obj: any, all: Site[]): boolean {
    const s = rng.pick(all.filter((x) => x.path.length && Array.isArray(x.value) && x.value.length));
    if (!s) return false;
    setAt(obj, s.path, []);
    return true;
  },
  /** A number with a fraction where an integer is expected (or any number). */
  nonInteger(rng: Rng, obj: any, all: Site[]): boolean {
    const ints = all.filter((x) => x.path.length && x.schemas.some((t) => t.type === 'integer' || t['x-kubernetes-int-or-string']));
    const s = rng.pick(ints.length ? ints : all.filter((x) => typeof x.value === 'number'));
    if (!s) return false;
    setAt(obj, s.path, rng.pick([1.5, -0.25, 1e21 + 0.5, 8080.1]));
    return true;
  },
  /** An int-or-string field (a Quantity, a port) given a boolean, an object or null. */
  intOrString(rng: Rng, obj: any, all: Site[]): boolean {
    const s = rng.pick(all.filter((x) => x.path.length && x.schemas.some((t) => t['x-kubernetes-int-or-string'] || t.format === 'int-or-string' || (Array.isArray(t.anyOf) && t.anyOf.length === 2))));
    if (!s) return false;
    setAt(obj, s.path, rng.pick([true, false, {}, null, [], '', 'not a number']));
    return true;
  },
  /** A field set to null (nullable or not). */
  nulled(rng: Rng, obj: any, all: Site[]): boolean {
    const s = rng.pick(all.filter((x) => x.path.length));
    if (!s) return false;
    setAt(obj, s.path, null);
    return true;
  },
} satisfies Record<string, (rng: Rng, obj: any, all: Site[]) => boolean>;

export type MutationName = keyof typeof MUTATIONS;
const NAMES = Object.keys(MUTATIONS) as MutationName[];

/**
 * A mutated deep copy of a valid object: one mutation, or two to four at once. Returns the copy
 * and the mutations applied.
 */
export function mutate(rng: Rng, valid: unknown, schema: any, resolve: Resolve): { data: any; applied: MutationName[] } {
  const data = JSON.parse(JSON.stringify(valid));
  const count = rng.chance(0.25) ? 2 + rng.int(3) : 1;
  const applied: MutationName[] = [];
  for (let i = 0; i < count; i++) {
    const name = rng.pick(NAMES);
    // sites are recomputed: an earlier mutation may have replaced a subtree
    if (MUTATIONS[name](rng, data, sites(data, schema, resolve))) applied.push(name);
    else if (MUTATIONS.retype(rng, data, sites(data, schema, resolve))) applied.push('retype');
  }
  return { data, applied };
}

/** Strings that exercise lengths (surrogate pairs), patterns (unicode, case, separators) and enums. */
const STRINGS = ['', 'a', 'ab', 'abc', 'abcd', 'ABC', 'a b', 'a/b', 'a~b', '😀', '😀😀', '😀😀😀', 'é', 'ééé', 'x'.repeat(9), 'web-1', 'Web_1', '10', '0.5', 'null', 'true', '\u00e9t\u00e9', '\ud83d'];
const NUMBERS = [0, 1, -1, 2, 3, 5, 9, 10, 11, 0.5, 2.5, -7.25, 100, 2 ** 53, -0];
// not `toString`/`valueOf`: ajv's deep equality (enum members that are objects) calls them and throws
const KEYS = ['a', 'b', 'c', 'name', 'a/b', 'a~b', '~1', 'hasOwnProperty', 'constructor', '__proto__', 'extra'];

/**
 * Data for a synthetic schema: mostly shaped by the schema (its enum members, its properties,
 * lengths around its limits), with random values mixed in at every level so each keyword sees
 * both passing and failing data. `defs` resolves `#/definitions/...`.
 */
export function generate(rng: Rng, schema: any, defs: Record<string, any>, depth = 0): unknown {
  if (schema === true || schema === false || !schema || typeof schema !== 'object' || depth > 6 || rng.chance(0.12)) return randomValue(rng, depth > 4 ? 3 : 0);
  if (typeof schema.$ref === 'string' && rng.chance(0.8)) {
    const target = defs[schema.$ref.replace('#/definitions/', '')];
    if (target) return generate(rng, target, defs, depth + 1);
  }
  if (Array.isArray(schema.enum) && rng.chance(0.6)) return JSON.parse(JSON.stringify(rng.pick(schema.enum)) ?? 'null');
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(schema[k]) && rng.chance(0.6)) {
      const branch = rng.pick(schema[k]);
      const base = generate(rng, branch, defs, depth + 1);
      // keep the parent's own properties in play too
      if (base && typeof base === 'object' && !Array.isArray(base) && schema.properties) return { ...(generate(rng, { properties: schema.properties }, defs, depth + 1) as object), ...base };
      return base;
    }
  }
  if (schema.not && rng.chance(0.3)) return generate(rng, schema.not, defs, depth + 1);
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  let type = types.length ? rng.pick(types) : undefined;
  if (schema.nullable && rng.chance(0.15)) return null;
  if (!type) {
    if (schema.properties || schema.required || schema.additionalProperties !== undefined || schema.maxProperties !== undefined || schema.minProperties !== undefined) type = 'object';
    else if (schema.items || schema.maxItems !== undefined || schema.minItems !== undefined) type = 'array';
    else if (schema.maxLength !== undefined || schema.minLength !== undefined || schema.pattern) type = 'string';
    else if (schema.maximum !== undefined || schema.minimum !== undefined) type = 'number';
    else return randomValue(rng);
  }
  switch (type) {
    case 'string': {
      const limit = schema.maxLength ?? schema.minLength;
      if (limit !== undefined && rng.chance(0.5)) return rng.pick(['a', '😀', 'é']).repeat(Math.max(0, limit + rng.int(3) - 1));
      return rng.pick(STRINGS);
    }
    case 'number':
    case 'integer': {
      const limit = schema.maximum ?? schema.minimum;
      if (limit !== undefined && rng.chance(0.5)) return limit + rng.pick([-1, -0.5, 0, 0.5, 1]);
      return rng.pick(NUMBERS);
    }
    case 'boolean':
      return rng.chance(0.5);
    case 'null':
      return null;
    case 'array': {
      const n = schema.maxItems !== undefined || schema.minItems !== undefined ? Math.max(0, (schema.maxItems ?? schema.minItems) + rng.int(3) - 1) : rng.int(4);
      return Array.from({ length: n }, () => generate(rng, schema.items ?? {}, defs, depth + 1));
    }
    default: {
      const out: Record<string, unknown> = {};
      const props = schema.properties ?? {};
      for (const name of Object.keys(props)) if (rng.chance(0.7)) out[name] = generate(rng, props[name], defs, depth + 1);
      for (const name of Array.isArray(schema.required) ? schema.required : []) if (rng.chance(0.8) && out[name] === undefined) out[name] = generate(rng, props[name] ?? {}, defs, depth + 1);
      const extra = rng.int(3) === 0 ? 1 + rng.int(2) : 0;
      for (let i = 0; i < extra; i++) {
        const key = rng.pick(KEYS);
        const value = typeof schema.additionalProperties === 'object' && rng.chance(0.6) ? generate(rng, schema.additionalProperties, defs, depth + 1) : randomValue(rng, depth + 1);
        if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
        else out[key] = value;
      }
      return out;
    }
  }
}
