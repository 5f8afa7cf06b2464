import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { OcpkitError, show } from '../core/errors';
import { pointerToken } from '../core/json-pointer';
import { labelKey, labelValue } from '../core/rules';
import { ManifestTransform, setMetadataEntry } from './pipeline';

/**
 * Overrides: the escape hatch for a field an ocpkit construct does not model.
 *
 * cdk8s has one (`ApiObject.addJsonPatch`), but its patches are applied *inside* `toJson()`,
 * before the generated L1 class filters the result through its typed `toJson_...` function,
 * which "discards all values that were not expected" (cdk8s-team/cdk8s#2172,
 * https://github.com/cdk8s-team/cdk8s/issues/2172; see `ApiObject.toJson` in cdk8s 2.70
 * `lib/api-object.js` and any generated `toJson()` in cdk8s-plus-27 `lib/imports/k8s.js`). A
 * misspelt field, or a field the L1 does not know, therefore vanishes without a word.
 *
 * Overrides are applied by the synthesis pipeline to the *final* manifest (after `toJson()` and
 * every other transform), *before* schema validation and the policies, so what they write is
 * what gets checked and written: a misspelt field fails the synth as
 * `[<construct path>] /spec/...: unknown field "..."`.
 *
 * Pointers are JSON Pointers (RFC 6901, https://www.rfc-editor.org/rfc/rfc6901): `/`-separated,
 * with `~1` for a `/` and `~0` for a `~` inside a key (`/metadata/annotations/example.com~1note`).
 * Patches follow JSON Patch (RFC 6902, https://www.rfc-editor.org/rfc/rfc6902): `add`, `remove`,
 * `replace`, `move`, `copy`, `test`; a path that does not exist where the RFC requires it to is an
 * error naming the construct and the pointer, never a silent no-op.
 */

/** One JSON Patch (RFC 6902) operation. */
export type JsonPatchOperation =
  | { readonly op: 'add'; readonly path: string; readonly value: unknown }
  | { readonly op: 'replace'; readonly path: string; readonly value: unknown }
  | { readonly op: 'test'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'move'; readonly from: string; readonly path: string }
  | { readonly op: 'copy'; readonly from: string; readonly path: string };

/** What Overrides records: JSON Patch operations, plus two forms of its own. */
type Operation =
  | JsonPatchOperation
  /** `addOverride`: set a value, creating missing objects on the way. */
  | { readonly op: 'set'; readonly path: string; readonly value: unknown }
  /** `addLabel` / `addAnnotation`: set a key of a metadata map, keeping the map sorted. */
  | { readonly op: 'meta'; readonly map: 'labels' | 'annotations'; readonly key: string; readonly value: string };

const OVERRIDES = new WeakMap<ApiObject, Overrides>();

/**
 * The primary object of a construct: the construct itself when it is an ApiObject, else its
 * `node.defaultChild` (followed like cdk8s' `ApiObject.of`). Every public ocpkit construct names
 * one in its class doc comment, or says why it has none; for those, this throws a one-line
 * OcpkitError naming the construct and the objects it does render (cdk8s' `ApiObject.of` throws
 * a plain Error there).
 */
export function primaryObject(c: IConstruct): ApiObject {
  const seen = new Set<IConstruct>();
  for (let x: IConstruct | undefined = c; x; x = x.node.defaultChild) {
    if (x instanceof ApiObject) return x;
    if (seen.has(x)) break;
    seen.add(x);
  }
  const path = c.node.path || '/';
  const objects = c.node.findAll().filter((x): x is ApiObject => x instanceof ApiObject);
  const listed = objects.slice(0, 5).map((o) => `${o.kind} at ${o.node.path}`).join(', ') + (objects.length > 5 ? ` and ${objects.length - 5} more` : '');
  const what = objects.length
    ? `patch one of the objects it renders instead (Overrides.of(apiObject)): ${listed}`
    : 'it renders no object of its own (see its doc comment for where its settings land)';
  throw new OcpkitError([{ path, field: '', message: `${c.constructor?.name ?? 'construct'} has no primary object to override; ${what}` }]);
}

/**
 * Overrides of one ApiObject, applied to its final manifest before schema validation.
 *
 * ```ts
 * Overrides.of(vm).addOverride('/spec/template/spec/domain/cpu/dedicatedCpuPlacement', true);
 * Overrides.of(app).addJsonPatch({ op: 'add', path: '/spec/template/spec/hostAliases', value: [...] });
 * ```
 */
export class Overrides {
  /**
   * The overrides of a construct's primary object (see `primaryObject`): an ApiObject
   * itself, or the object an ocpkit construct names as its primary one (ContainerApp: its
   * Deployment; VirtualMachine: its VirtualMachine; Tenant: its Namespace, ...).
   */
  public static of(c: IConstruct): Overrides {
    const obj = primaryObject(c);
    let o = OVERRIDES.get(obj);
    if (!o) {
      o = new Overrides(obj);
      OVERRIDES.set(obj, o);
    }
    return o;
  }

  /** The overrides of an object if any were added (the synthesizer's lookup; creates nothing). */
  public static tryGet(obj: ApiObject): Overrides | undefined {
    return OVERRIDES.get(obj);
  }

  /** The object these overrides apply to. */
  public readonly target: ApiObject;
  private readonly ops: Operation[] = [];

  private constructor(target: ApiObject) {
    this.target = target;
  }

  /**
   * Sets the value at a pointer in the final manifest, creating missing objects on the way
   * (`/spec/template/spec/domain/cpu/dedicatedCpuPlacement` works even when the rendered VM has
   * no `cpu`). An array element is replaced (`/.../containers/0/image`) or appended (index `-`,
   * or the array's length); an index beyond that is an error. The schema check then sees the
   * result: a misspelt field fails the synth.
   */
  public addOverride(pointer: string, value: unknown): this {
    const tokens = this.pointer('addOverride', pointer);
    if (tokens.length === 0) this.fail(pointer, 'addOverride cannot replace the whole object; give a field path such as "/spec/replicas"');
    this.ops.push({ op: 'set', path: pointer, value: this.json(pointer, value) });
    return this;
  }

  /**
   * Removes the value at a pointer from the final manifest. The field must exist there when the
   * synth applies it: removing a misspelt or absent field is an error, not a no-op.
   */
  public removeOverride(pointer: string): this {
    const tokens = this.pointer('removeOverride', pointer);
    if (tokens.length === 0) this.fail(pointer, 'removeOverride cannot remove the whole object; remove the construct instead');
    this.ops.push({ op: 'remove', path: pointer });
    return this;
  }

  /**
   * Adds JSON Patch (RFC 6902) operations, applied in order to the final manifest: `add` (the
   * parent must exist), `remove` and `replace` (the target must exist), `move` and `copy` (`from`
   * must exist), `test` (the value there must equal `value`, or the synth fails: a guard that an
   * assumption about the rendered object still holds).
   */
  public addJsonPatch(...ops: JsonPatchOperation[]): this {
    const checked: Operation[] = [];
    ops.forEach((op, i) => {
      if (!op || typeof op !== 'object') this.fail(`[${i}]`, `${show(op)} is not a JSON Patch operation ({ op, path, value? | from? })`);
      const kind = (op as any).op;
      if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(kind)) {
        this.fail(`[${i}].op`, `${show(kind)} is not a JSON Patch operation; use add, remove, replace, move, copy or test`);
      }
      const tokens = this.pointer(`${kind}`, (op as any).path);
      if ((kind === 'move' || kind === 'copy')) this.pointer(`${kind} from`, (op as any).from);
      if (kind === 'remove' && tokens.length === 0) this.fail((op as any).path, 'remove cannot remove the whole object; remove the construct instead');
      if (kind === 'move' && ((op as any).path === (op as any).from || (op as any).path.startsWith(`${(op as any).from}/`))) {
        // RFC 6902 4.4: "The "from" location MUST NOT be a proper prefix of the "path" location"
        this.fail((op as any).path, `move cannot move ${(op as any).from} into itself`);
      }
      if (kind === 'add' || kind === 'replace' || kind === 'test') {
        if (!('value' in op)) this.fail((op as any).path, `${kind} needs a value`);
        checked.push({ ...op, value: this.json((op as any).path, (op as any).value) } as Operation);
      } else {
        checked.push({ ...op } as Operation);
      }
    });
    this.ops.push(...checked);
    return this;
  }

  /** Adds a label to the object's final manifest (after every transform; sorted by key). */
  public addLabel(key: string, value: string): this {
    this.metadataEntry('labels', key, value);
    return this;
  }

  /** Adds an annotation to the object's final manifest (after every transform; sorted by key). */
  public addAnnotation(key: string, value: string): this {
    this.metadataEntry('annotations', key, value);
    return this;
  }

  /** How many operations are recorded. */
  public get size(): number {
    return this.ops.length;
  }

  /**
   * Applies every recorded operation, in order, to a manifest (changed in place and returned).
   * Throws an Error naming the operation and pointer when one does not apply.
   */
  public applyTo(manifest: any): any {
    let doc = manifest;
    const what = `${manifest?.kind ?? 'object'} ${JSON.stringify(manifest?.metadata?.name ?? '')}`;
    for (const op of this.ops) doc = applyOne(doc, op, what);
    return doc;
  }

  private metadataEntry(map: 'labels' | 'annotations', key: string, value: string): void {
    const field = `metadata.${map}.${key}`;
    const keyProblem = labelKey(key);
    if (keyProblem) this.fail(field, keyProblem);
    if (map === 'labels') {
      const valueProblem = labelValue(value);
      if (valueProblem) this.fail(field, valueProblem);
    } else if (typeof value !== 'string') {
      this.fail(field, `${show(value)} must be a string; quote numbers and booleans`);
    }
    this.ops.push({ op: 'meta', map, key, value });
  }

  /** Parses a pointer (RFC 6901) or throws an OcpkitError naming it. */
  private pointer(what: string, pointer: unknown): string[] {
    if (typeof pointer !== 'string') this.fail(what, `${show(pointer)} is not a JSON pointer; write one such as "/spec/template/spec/hostname"`);
    const parsed = parsePointer(pointer as string);
    if (typeof parsed === 'string') this.fail(pointer as string, parsed);
    return parsed as string[];
  }

  /** A deep copy of a JSON value (objects with `toJSON`, such as Quantity, become their JSON form). */
  private json(pointer: string, value: unknown): unknown {
    const bad = (where: string, v: unknown) => this.fail(pointer, `value${where} ${typeof v === 'function' ? 'is a function' : typeof v === 'number' ? String(v) : show(v)} is not JSON (strings, numbers, booleans, null, lists and plain objects only); use removeOverride to delete a field`);
    const copy = (v: unknown, where: string): unknown => {
      if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
      if (typeof v === 'number') return Number.isFinite(v) ? v : bad(where, v);
      if (Array.isArray(v)) return v.map((x, i) => copy(x, `${where}[${i}]`));
      if (typeof v === 'object') {
        if (typeof (v as any).toJSON === 'function') return copy((v as any).toJSON(), where);
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) return bad(where, v);
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v as object)) out[k] = copy(x, `${where}.${k}`);
        return out;
      }
      return bad(where, v);
    };
    return copy(value, '');
  }

  private fail(field: string, message: string): never {
    throw new OcpkitError([{ path: this.target.node.path, field, message }]);
  }
}

/** The pipeline step that applies overrides: after every other transform (`runsLast`), the cluster's own included, so an override sees and decides the final manifest. */
export const APPLY_OVERRIDES: ManifestTransform = {
  id: 'overrides',
  runsLast: true,
  transform: (manifest, { source }) => OVERRIDES.get(source)?.applyTo(manifest) ?? manifest,
};

/** Tokens of a JSON pointer (RFC 6901), or what is wrong with it. */
function parsePointer(pointer: string): string[] | string {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return `${show(pointer)} is not a JSON pointer: it starts with "/" (for example "/spec/replicas")`;
  const tokens = pointer.slice(1).split('/');
  for (const t of tokens) {
    if (/~(?![01])/.test(t)) return `${show(pointer)} has a "~" that is not "~0" (for "~") or "~1" (for "/")`;
  }
  // RFC 6901 section 4: "~1" first, then "~0", so "~01" becomes "~1", not "/".
  return tokens.map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Escapes one key for a JSON pointer (`example.com/note` -> `example.com~1note`). */
export const escapePointerToken: (key: string) => string = pointerToken;

class PatchError extends Error {}

function applyOne(doc: any, op: Operation, what: string): any {
  const label = op.op === 'set' ? `addOverride ${op.path}` : op.op === 'meta' ? `add ${op.map} ${op.key}` : `${op.op} ${op.path}`;
  try {
    switch (op.op) {
      case 'meta':
        setMetadataEntry(doc, op.map, op.key, op.value);
        return doc;
      case 'set':
        return setValue(doc, tokensOf(op.path), clone(op.value));
      case 'add':
        return addValue(doc, tokensOf(op.path), clone(op.value));
      case 'remove':
        removeValue(doc, tokensOf(op.path));
        return doc;
      case 'replace': {
        const tokens = tokensOf(op.path);
        if (tokens.length === 0) return clone(op.value);
        const { parent, key } = locate(doc, tokens, 'existing');
        parent[key as any] = clone(op.value);
        return doc;
      }
      case 'move': {
        const value = valueAt(doc, tokensOf(op.from), 'from');
        removeValue(doc, tokensOf(op.from));
        return addValue(doc, tokensOf(op.path), value);
      }
      case 'copy':
        return addValue(doc, tokensOf(op.path), clone(valueAt(doc, tokensOf(op.from), 'from')));
      case 'test': {
        const actual = valueAt(doc, tokensOf(op.path), 'path');
        if (!deepEqual(actual, op.value)) throw new PatchError(`the value there is ${show(actual)}, not ${show(op.value)}`);
        return doc;
      }
    }
  } catch (e) {
    // The synthesizer fills in the construct path; the field is the pointer the override names.
    if (e instanceof PatchError) throw new OcpkitError([{ path: '', field: op.op === 'meta' ? `/metadata/${op.map}` : op.path, message: `override "${label}" does not apply to the rendered ${what}: ${e.message}` }]);
    throw e;
  }
}

function tokensOf(pointer: string): string[] {
  return parsePointer(pointer) as string[];
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function pointerOf(tokens: readonly string[]): string {
  return tokens.length ? `/${tokens.map(escapePointerToken).join('/')}` : '(the object)';
}

/** What a missing location's container holds, to help spot the typo. */
function describeMissing(container: any, tokens: readonly string[], i: number): string {
  const at = pointerOf(tokens.slice(0, i));
  if (Array.isArray(container)) return `${at} is a list of ${container.length} and has no element ${JSON.stringify(tokens[i])}`;
  if (isObject(container)) {
    const keys = Object.keys(container);
    return `${at} has no field ${JSON.stringify(tokens[i])} (it has: ${keys.length ? keys.join(', ') : 'nothing'})`;
  }
  return `${at} is ${show(container)}, not an object or a list`;
}

function arrayIndex(arr: any[], token: string, allowEnd: boolean): number | undefined {
  if (token === '-') return allowEnd ? arr.length : undefined;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const n = Number(token);
  return n < arr.length || (allowEnd && n === arr.length) ? n : undefined;
}

/** The container and key of a location; `existing` requires the target itself to exist too. */
function locate(doc: any, tokens: readonly string[], mode: 'existing' | 'parent'): { parent: any; key: string | number } {
  let cur = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const next = child(cur, tokens[i]);
    if (next === undefined) throw new PatchError(`${describeMissing(cur, tokens, i)}`);
    cur = next;
  }
  const last = tokens[tokens.length - 1];
  if (Array.isArray(cur)) {
    const idx = arrayIndex(cur, last, mode === 'parent');
    if (idx === undefined) throw new PatchError(describeMissing(cur, tokens, tokens.length - 1));
    return { parent: cur, key: idx };
  }
  if (!isObject(cur)) throw new PatchError(describeMissing(cur, tokens, tokens.length - 1));
  if (mode === 'existing' && !Object.prototype.hasOwnProperty.call(cur, last)) throw new PatchError(describeMissing(cur, tokens, tokens.length - 1));
  return { parent: cur, key: last };
}

function child(cur: any, token: string): any {
  if (Array.isArray(cur)) {
    const idx = arrayIndex(cur, token, false);
    return idx === undefined ? undefined : cur[idx];
  }
  if (isObject(cur) && Object.prototype.hasOwnProperty.call(cur, token)) return cur[token];
  return undefined;
}

function valueAt(doc: any, tokens: readonly string[], which: string): any {
  if (tokens.length === 0) return doc;
  try {
    const { parent, key } = locate(doc, tokens, 'existing');
    return parent[key as any];
  } catch (e) {
    if (e instanceof PatchError && which === 'from') throw new PatchError(`"from": ${e.message}`);
    throw e;
  }
}

function addValue(doc: any, tokens: readonly string[], value: unknown): any {
  if (tokens.length === 0) return value;
  const { parent, key } = locate(doc, tokens, 'parent');
  if (Array.isArray(parent)) parent.splice(key as number, 0, value);
  else parent[key] = value;
  return doc;
}

function removeValue(doc: any, tokens: readonly string[]): void {
  const { parent, key } = locate(doc, tokens, 'existing');
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key];
}

/** addOverride: like add, but missing objects on the way are created; array elements are replaced. */
function setValue(doc: any, tokens: readonly string[], value: unknown): any {
  let cur = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    let next = child(cur, tokens[i]);
    if (next === undefined) {
      if (!isObject(cur)) throw new PatchError(describeMissing(cur, tokens, i));
      next = cur[tokens[i]] = {};
    }
    cur = next;
  }
  const last = tokens[tokens.length - 1];
  if (Array.isArray(cur)) {
    const idx = arrayIndex(cur, last, true);
    if (idx === undefined) throw new PatchError(describeMissing(cur, tokens, tokens.length - 1));
    cur[idx] = value;
  } else if (isObject(cur)) {
    cur[last] = value;
  } else {
    throw new PatchError(describeMissing(cur, tokens, tokens.length - 1));
  }
  return doc;
}

function clone<T>(v: T): T {
  return v === null || typeof v !== 'object' ? v : JSON.parse(JSON.stringify(v));
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
