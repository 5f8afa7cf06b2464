/**
 * A JSON-schema interpreter for the schemas ocpkit validates against (the Kubernetes core
 * definitions and CRD openAPIV3Schemas), answering exactly as ajv 8 does when it compiles them
 * with ocpkit's options (`strict: false, validateFormats: false, allErrors: true,
 * allowUnionTypes: true`): the same verdict and the same `errors`, in the same order, with the
 * same `instancePath`, `keyword`, `params` and `message`. test/schema/interpreter.test.ts holds it
 * to that against ajv itself, on the reference stack's objects, mutations of them and synthetic
 * schemas.
 *
 * Why not ajv: compiling is the cost. ajv turns a kind's whole schema into code before it
 * checks one object (the Argo CD ApplicationSet or the KubeVirt VirtualMachine schema are
 * hundreds of kilobytes), which took most of a cold synth; caching that code took 24 MB on disk
 * and its loading a tenth of a warm one. The interpreter prepares a schema node only when an
 * object reaches it, so a run pays for the parts of the schemas its objects use.
 *
 * What it follows of ajv 8.20 (read in its sources, lib/compile/validate/index.ts, dataType.ts,
 * rules.ts and lib/vocabularies/**):
 * - Keywords run in ajv's rule groups: the untyped group first (`$ref`, `enum`, `not`, `anyOf`,
 *   `oneOf`, `allOf`), then the number (`maximum`, `minimum`), string (`maxLength`, `minLength`,
 *   `pattern`), array (`maxItems`, `minItems`, `items`) and object groups (`maxProperties`,
 *   `minProperties`, `required`, `additionalProperties`, `properties`); a typed group only runs
 *   when the data has its type (`format` counts as a number and string keyword, checks nothing).
 * - The type is checked before everything, except when the schema has one type whose group has
 *   keywords: then its error is reported where that group would run. `nullable: true` adds
 *   `null`; the message names `type` as written.
 * - `anyOf` stops at the first branch that passes and then drops the branches' errors; `oneOf`
 *   stops at its second passing branch (ajv nests each branch in the else of the one before); `not` reports
 *   none of its branch's errors; properties are looked up as `data[name] !== undefined`;
 *   additional properties in `for...in` order; lengths count code points.
 * Other keywords ajv would enforce (`const`, `multipleOf`, `uniqueItems`, `patternProperties`, `if`,
 * tuples, ...) and unresolvable `$ref`s throw {@link UnsupportedSchema} when an object reaches
 * them; the caller then uses ajv for that kind. Keywords ajv ignores (annotations, `x-kubernetes-*`)
 * are ignored. Unlike ajv, it does not check the schema itself against the JSON-schema meta-schema
 * (a malformed schema part that no object reaches is never looked at).
 * @internal
 */

/** A schema the interpreter does not cover; validate with ajv instead. */
export class UnsupportedSchema extends Error {}

/** One error, in ajv's shape (its `ErrorObject` without `schemaPath`). */
export interface InterpretedError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message: string;
}

/** A compiled-looking validator: the verdict, and the errors of the last call (null when valid). */
export type InterpretedValidator = ((data: unknown) => boolean) & { errors: InterpretedError[] | null };

type Group = 'number' | 'string' | 'array' | 'object';

/** ajv keywords (draft-07 vocabulary) that change the verdict and that this interpreter does not implement. */
const UNSUPPORTED = ['id', 'const', 'exclusiveMaximum', 'exclusiveMinimum', 'multipleOf', 'uniqueItems', 'patternProperties', 'propertyNames', 'dependencies', 'contains', 'additionalItems', 'if', 'then', 'else', '$id', '$async', '$recursiveRef', '$dynamicRef'];
const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null', 'object', 'array']);
/** The keywords of each typed rule group (ajv lib/compile/rules.ts, filled in vocabulary order). */
const GROUP_KEYWORDS: Readonly<Record<Group, readonly string[]>> = {
  number: ['maximum', 'minimum', 'exclusiveMaximum', 'exclusiveMinimum', 'multipleOf', 'format'],
  string: ['maxLength', 'minLength', 'pattern', 'format'],
  array: ['maxItems', 'minItems', 'items', 'uniqueItems', 'additionalItems', 'contains'],
  object: ['maxProperties', 'minProperties', 'required', 'propertyNames', 'additionalProperties', 'dependencies', 'properties', 'patternProperties'],
};

/** A schema object, read once: what each rule group has to do. */
interface Node {
  /** A boolean schema. */
  readonly bool?: boolean;
  /** `type` as written (for the message). */
  readonly typeSchema?: unknown;
  /** The type is checked before every keyword (else at `deferred`'s group, if any). */
  readonly upfront: boolean;
  readonly deferred?: Group;
  readonly ref?: string;
  readonly enumValues?: readonly unknown[];
  readonly not?: unknown;
  readonly anyOf?: readonly unknown[];
  readonly oneOf?: readonly unknown[];
  readonly allOf?: readonly unknown[];
  readonly number: boolean;
  readonly maximum?: number;
  readonly minimum?: number;
  readonly string: boolean;
  readonly maxLength?: number;
  readonly minLength?: number;
  readonly pattern?: RegExp;
  readonly patternSource?: string;
  readonly array: boolean;
  readonly maxItems?: number;
  readonly minItems?: number;
  readonly items?: unknown;
  readonly object: boolean;
  readonly maxProperties?: number;
  readonly minProperties?: number;
  readonly required?: readonly string[];
  /** `additionalProperties` when it can fail: false, or a schema. */
  readonly additional?: unknown;
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly propertyNames?: readonly string[];
  /** Whether a data key is one of `properties` (ajv: by `===` up to 8 names, else own property). */
  readonly declared?: (key: string) => boolean;
  /**
   * `properties` by name, for the quiet pass, which walks the data's keys instead of the
   * schema's names; undefined when a name is also an Object.prototype member (ajv looks those up
   * on the prototype chain, so they are found on every object).
   */
  readonly byName?: ReadonlyMap<string, Slot>;
  /** The types as bits ({@link TYPE_BITS}), for the type check. */
  readonly typeMask: number;
  /** Prepared on first use: the nodes of `$ref`'s target, `items` and `additionalProperties`. */
  refNode?: Node;
  itemsNode?: Node;
  additionalNode?: Node;
}

/** A property's schema and, once an object reached it, its node. */
interface Slot {
  readonly schema: unknown;
  node?: Node;
}

/**
 * One bit per JSON type; `integer` is checked as a number with no fraction (ajv's checks,
 * lib/compile/validate/dataType.ts; strictNumbers is off with strict: false, so NaN and Infinity
 * are numbers).
 */
const TYPE_BITS: Readonly<Record<string, number>> = { null: 1, boolean: 2, object: 4, array: 8, number: 16, integer: 32, string: 64 };

/** The bit of a value's JSON type (an integral number has the number and the integer bits). */
function typeBit(data: unknown): number {
  switch (typeof data) {
    case 'string':
      return 64;
    case 'number':
      return !(data % 1) && !Number.isNaN(data) ? 48 : 16;
    case 'boolean':
      return 2;
    case 'object':
      return data === null ? 1 : Array.isArray(data) ? 8 : 4;
    default:
      return 0;
  }
}

/**
 * Interprets schemas; `resolveRef` gives the schema a `$ref` string points at (undefined: the
 * reference is not covered, {@link UnsupportedSchema}). One interpreter serves many schemas and
 * shares what it prepared between them (the core definitions every kind refers to).
 */
export class SchemaInterpreter {
  private readonly nodes = new WeakMap<object, Node>();
  private readonly refs = new Map<string, unknown>();
  private errors: InterpretedError[] = [];
  private readonly path: Array<string | number> = [];
  /**
   * Only the verdict is wanted: errors are counted with a placeholder, not written, and no
   * instance path is kept. Every object is checked quietly first (almost all are valid) and again
   * with its errors only when it fails; so are `not` and `anyOf`/`oneOf` branches (most branches
   * that fail do so on valid data: the integer branch of every int-or-string that holds a string).
   */
  private quiet = false;
  private static readonly TRUE: Node = booleanNode(true);
  private static readonly FALSE: Node = booleanNode(false);

  constructor(private readonly resolveRef: (ref: string) => unknown) {}

  /** A validator for `schema`; nothing is prepared until it is called. */
  public compile(schema: unknown): InterpretedValidator {
    const fn = ((data: unknown): boolean => {
      this.errors = [];
      this.path.length = 0;
      this.quiet = true;
      this.validate(schema, data);
      if (this.errors.length === 0) {
        fn.errors = null;
        return true;
      }
      this.errors = [];
      this.quiet = false;
      this.validate(schema, data);
      const errors = this.errors;
      this.errors = [];
      fn.errors = errors.length ? errors : null;
      return errors.length === 0;
    }) as InterpretedValidator;
    fn.errors = null;
    return fn;
  }

  private node(schema: unknown): Node {
    if (schema === true) return SchemaInterpreter.TRUE;
    if (schema === false) return SchemaInterpreter.FALSE;
    if (!schema || typeof schema !== 'object' || Array.isArray(schema)) throw new UnsupportedSchema('a schema must be an object or a boolean');
    let n = this.nodes.get(schema);
    if (!n) {
      n = prepare(schema as Record<string, any>);
      this.nodes.set(schema, n);
    }
    return n;
  }

  private resolve(ref: string): unknown {
    let target = this.refs.get(ref);
    if (target === undefined) {
      target = this.resolveRef(ref);
      if (target === undefined) throw new UnsupportedSchema(`$ref ${ref} does not resolve`);
      this.refs.set(ref, target);
    }
    return target;
  }

  private fail(keyword: string, params: Record<string, unknown>, message: string): void {
    if (this.quiet) {
      this.errors.push(QUIET);
      return;
    }
    let instancePath = '';
    for (const seg of this.path) instancePath += typeof seg === 'number' ? `/${seg}` : `/${seg.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    this.errors.push({ instancePath, keyword, params, message });
  }

  private typeError(n: Node): void {
    this.fail('type', { type: n.typeSchema }, `must be ${n.typeSchema}`);
  }

  /** Validates `data` against `schema`, adding its errors; valid when it added none. */
  private validate(schema: unknown, data: unknown): void {
    this.check(this.node(schema), data);
  }

  /** {@link validate} with the schema's node. */
  private check(n: Node, data: unknown): void {
    if (n.bool !== undefined) {
      if (!n.bool) this.fail('false schema', {}, 'boolean schema is false');
      return;
    }
    if (n.upfront && (n.typeMask & typeBit(data)) === 0) this.typeError(n);

    // the untyped group
    if (n.ref !== undefined) this.check((n.refNode ??= this.node(this.resolve(n.ref))), data);
    if (n.enumValues !== undefined && !inEnum(n.enumValues, data)) {
      this.fail('enum', { allowedValues: n.enumValues }, 'must be equal to one of the allowed values');
    }
    if (n.not !== undefined && this.passes(n.not, data)) this.fail('not', {}, 'must NOT be valid');
    if (n.anyOf !== undefined && !n.anyOf.some((branch) => this.passes(branch, data))) {
      // none passed: again, keeping the branches' errors (ajv reports them before its own)
      if (!this.quiet) for (const branch of n.anyOf) this.validate(branch, data);
      this.fail('anyOf', {}, 'must match a schema in anyOf');
    }
    if (n.oneOf !== undefined) {
      // ajv nests each later branch in the else of the one before: a second passing branch
      // ends the search (the branches after it are not evaluated)
      let passing: number | [number, number] | null = null;
      let tried = 0;
      for (const branch of n.oneOf) {
        const i = tried++;
        if (!this.passes(branch, data)) continue;
        if (passing === null) passing = i;
        else {
          passing = [passing as number, i];
          break;
        }
      }
      if (passing === null || Array.isArray(passing)) {
        // again, keeping the errors of the branches that were tried (the passing ones add none)
        if (!this.quiet) for (let i = 0; i < tried; i++) this.validate(n.oneOf[i], data);
        this.fail('oneOf', { passingSchemas: passing }, 'must match exactly one schema in oneOf');
      }
    }
    if (n.allOf !== undefined) for (const branch of n.allOf) this.validate(branch, data);

    if (n.number) {
      if (typeof data === 'number') {
        if (n.maximum !== undefined && (data > n.maximum || Number.isNaN(data))) this.fail('maximum', { comparison: '<=', limit: n.maximum }, `must be <= ${n.maximum}`);
        if (n.minimum !== undefined && (data < n.minimum || Number.isNaN(data))) this.fail('minimum', { comparison: '>=', limit: n.minimum }, `must be >= ${n.minimum}`);
      } else if (n.deferred === 'number') this.typeError(n);
    }
    if (n.string) {
      if (typeof data === 'string') {
        if (n.maxLength !== undefined && codePoints(data) > n.maxLength) this.fail('maxLength', { limit: n.maxLength }, `must NOT have more than ${n.maxLength} characters`);
        if (n.minLength !== undefined && codePoints(data) < n.minLength) this.fail('minLength', { limit: n.minLength }, `must NOT have fewer than ${n.minLength} characters`);
        if (n.pattern !== undefined && !n.pattern.test(data)) this.fail('pattern', { pattern: n.patternSource }, `must match pattern "${n.patternSource}"`);
      } else if (n.deferred === 'string') this.typeError(n);
    }
    if (n.array) {
      if (Array.isArray(data)) {
        if (n.maxItems !== undefined && data.length > n.maxItems) this.fail('maxItems', { limit: n.maxItems }, `must NOT have more than ${n.maxItems} items`);
        if (n.minItems !== undefined && data.length < n.minItems) this.fail('minItems', { limit: n.minItems }, `must NOT have fewer than ${n.minItems} items`);
        if (n.items !== undefined && n.items !== true) {
          const items = (n.itemsNode ??= this.node(n.items));
          if (this.quiet) {
            for (let i = 0; i < data.length; i++) this.check(items, data[i]);
          } else {
            const path = this.path;
            for (let i = 0; i < data.length; i++) {
              path.push(i);
              this.check(items, data[i]);
              path.pop();
            }
          }
        }
      } else if (n.deferred === 'array') this.typeError(n);
    }
    if (n.object) {
      if (data && typeof data === 'object' && !Array.isArray(data)) this.objectKeywords(n, data as Record<string, unknown>);
      else if (n.deferred === 'object') this.typeError(n);
    }
  }

  /** Whether `data` passes `schema`, adding no errors. */
  private passes(schema: unknown, data: unknown): boolean {
    const errors = this.errors;
    const start = errors.length;
    const quiet = this.quiet;
    this.quiet = true;
    try {
      this.validate(schema, data);
    } finally {
      this.quiet = quiet;
    }
    const passed = errors.length === start;
    errors.length = start;
    return passed;
  }

  private objectKeywords(n: Node, data: Record<string, unknown>): void {
    if (n.maxProperties !== undefined && Object.keys(data).length > n.maxProperties) this.fail('maxProperties', { limit: n.maxProperties }, `must NOT have more than ${n.maxProperties} properties`);
    if (n.minProperties !== undefined && Object.keys(data).length < n.minProperties) this.fail('minProperties', { limit: n.minProperties }, `must NOT have fewer than ${n.minProperties} properties`);
    if (n.required !== undefined) {
      for (const name of n.required) {
        if (data[name] === undefined) this.fail('required', { missingProperty: name }, `must have required property '${name}'`);
      }
    }
    if (this.quiet && (n.byName !== undefined || n.propertyNames === undefined) && isPlainObject(data)) {
      // the verdict only: one pass over the data's keys (the order of errors does not matter)
      const byName = n.byName;
      const additional = n.additional;
      if (byName === undefined && additional === undefined) return;
      for (const key in data) {
        const slot = byName?.get(key);
        if (slot !== undefined) {
          const value = data[key];
          if (value !== undefined) this.check((slot.node ??= this.node(slot.schema)), value);
        } else if (additional === false) this.errors.push(QUIET);
        else if (additional !== undefined) this.check((n.additionalNode ??= this.node(additional)), data[key]);
      }
      return;
    }
    const path = this.path;
    if (n.additional !== undefined) {
      const declared = n.declared!;
      for (const key in data) {
        if (declared(key)) continue;
        if (n.additional === false) {
          this.fail('additionalProperties', { additionalProperty: key }, 'must NOT have additional properties');
        } else {
          path.push(key);
          this.validate(n.additional, data[key]);
          path.pop();
        }
      }
    }
    if (n.propertyNames !== undefined) {
      const props = n.properties!;
      for (const name of n.propertyNames) {
        const value = data[name];
        if (value === undefined) continue;
        path.push(name);
        this.validate(props[name], value);
        path.pop();
      }
    }
  }
}

/**
 * An object made of data (parsed JSON or YAML, a rendered manifest): the quiet pass walks its
 * enumerable keys, which then are all its properties; class instances (getters on a prototype)
 * take the path that looks every declared name up, as ajv does.
 */
function isPlainObject(data: object): boolean {
  const proto = Object.getPrototypeOf(data);
  return proto === Object.prototype || proto === null;
}

/** What a quiet pass records for an error: only that there was one. */
const QUIET: InterpretedError = { instancePath: '', keyword: '', params: {}, message: '' };

function booleanNode(value: boolean): Node {
  return { bool: value, typeMask: 0, upfront: false, number: false, string: false, array: false, object: false };
}

function has(schema: Record<string, any>, group: Group): boolean {
  return GROUP_KEYWORDS[group].some((k) => schema[k] !== undefined);
}

/** Reads one schema object (ajv's compile-time work for it, done on first use). */
function prepare(schema: Record<string, any>): Node {
  for (const k of UNSUPPORTED) if (schema[k] !== undefined) throw new UnsupportedSchema(`keyword ${k}`);
  if (Array.isArray(schema.items)) throw new UnsupportedSchema('items as a tuple');
  const written: unknown[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (!written.every((t) => typeof t === 'string' && JSON_TYPES.has(t))) throw new UnsupportedSchema(`type ${JSON.stringify(schema.type)}`);
  const types = [...(written as string[])];
  if (types.includes('null')) {
    if (schema.nullable === false) throw new UnsupportedSchema('type null with nullable: false');
  } else {
    if (!types.length && schema.nullable !== undefined) throw new UnsupportedSchema('nullable without type');
    if (schema.nullable === true) types.push('null');
  }
  const groups = { number: has(schema, 'number'), string: has(schema, 'string'), array: has(schema, 'array'), object: has(schema, 'object') };
  const single = types.length === 1 ? types[0] : undefined;
  const ownGroup = single === 'number' || single === 'string' || single === 'array' || single === 'object' ? single : undefined;
  const upfront = types.length > 0 && !(ownGroup !== undefined && groups[ownGroup]);

  const typeMask = types.reduce((m, t) => m | TYPE_BITS[t] | (t === 'number' ? TYPE_BITS.integer : 0), 0);
  const node: { -readonly [K in keyof Node]: Node[K] } = { typeSchema: schema.type, typeMask, upfront, deferred: upfront ? undefined : ownGroup, ...groups };
  if (schema.$ref !== undefined) {
    if (typeof schema.$ref !== 'string') throw new UnsupportedSchema('$ref must be a string');
    node.ref = schema.$ref;
  }
  if (schema.enum !== undefined) {
    if (!Array.isArray(schema.enum) || schema.enum.length === 0) throw new UnsupportedSchema('enum must be a non-empty array');
    node.enumValues = schema.enum;
  }
  if (schema.not !== undefined) node.not = schema.not;
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (schema[k] === undefined) continue;
    if (!Array.isArray(schema[k])) throw new UnsupportedSchema(`${k} must be an array`);
    node[k] = schema[k];
  }
  for (const k of ['maximum', 'minimum', 'maxLength', 'minLength', 'maxItems', 'minItems', 'maxProperties', 'minProperties'] as const) {
    if (schema[k] === undefined) continue;
    if (typeof schema[k] !== 'number') throw new UnsupportedSchema(`${k} must be a number`);
    node[k] = schema[k];
  }
  if (schema.pattern !== undefined) {
    if (typeof schema.pattern !== 'string') throw new UnsupportedSchema('pattern must be a string');
    try {
      node.pattern = new RegExp(schema.pattern, 'u');
    } catch {
      throw new UnsupportedSchema(`pattern ${schema.pattern} does not compile`);
    }
    node.patternSource = schema.pattern;
  }
  if (schema.items !== undefined) node.items = schema.items;
  if (schema.required !== undefined) {
    if (!Array.isArray(schema.required) || !schema.required.every((r: unknown) => typeof r === 'string')) throw new UnsupportedSchema('required must list names');
    if (schema.required.length) node.required = schema.required;
  }
  const properties = schema.properties;
  if (properties !== undefined && (!properties || typeof properties !== 'object' || Array.isArray(properties))) throw new UnsupportedSchema('properties must be an object');
  const names = properties ? Object.keys(properties).filter((p) => p !== '__proto__') : [];
  if (names.length) {
    node.properties = properties;
    node.propertyNames = names;
    if (!names.some((p) => p in Object.prototype)) node.byName = new Map(names.map((p) => [p, { schema: properties[p] }]));
  }
  const additional = schema.additionalProperties;
  if (additional !== undefined && additional !== true && !isEmptyObject(additional)) {
    if (additional !== false && (!additional || typeof additional !== 'object' || Array.isArray(additional))) throw new UnsupportedSchema('additionalProperties must be a boolean or a schema');
    node.additional = additional;
    if (names.length > 8) {
      node.declared = (key) => Object.prototype.hasOwnProperty.call(properties, key);
    } else {
      const set = new Set(names);
      node.declared = (key) => set.has(key);
    }
  }
  return node;
}

function isEmptyObject(v: unknown): boolean {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
}

/** String length in code points, as ajv counts it (a surrogate pair is one character). */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    }
  }
  return n;
}

/**
 * Whether `data` is one of `values`, compared as ajv's `enum` does: deep equality for object
 * entries and `===` for the others, except that a list of 200 or more (its `loopEnum`) compares
 * every entry deeply (then NaN equals NaN).
 */
function inEnum(values: readonly unknown[], data: unknown): boolean {
  if (values.length >= 200) return values.some((v) => equal(data, v));
  return values.some((v) => (typeof v === 'object' && v !== null ? equal(data, v) : data === v));
}

/**
 * Deep equality as ajv's `equal` (fast-deep-equal) decides it: NaN equals NaN; objects of another
 * constructor differ; regular expressions by source and flags; objects with their own valueOf or
 * toString (a Date) by those; otherwise the same own keys with equal values.
 */
function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return a !== a && b !== b; // NaN
  const x = a as any;
  const y = b as any;
  if (x.constructor !== y.constructor) return false;
  if (Array.isArray(x)) return x.length === y.length && x.every((v: unknown, i: number) => equal(v, y[i]));
  if (x.constructor === RegExp) return x.source === y.source && x.flags === y.flags;
  if (x.valueOf !== Object.prototype.valueOf && typeof x.valueOf === 'function' && typeof y.valueOf === 'function') return x.valueOf() === y.valueOf();
  if (x.toString !== Object.prototype.toString && typeof x.toString === 'function' && typeof y.toString === 'function') return x.toString() === y.toString();
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  return keys.every((k) => Object.prototype.hasOwnProperty.call(y, k)) && keys.every((k) => equal(x[k], y[k]));
}
