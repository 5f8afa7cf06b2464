import * as fs from 'fs';
import * as yaml from 'js-yaml';
import { OcpkitError } from './errors';

/**
 * The one YAML reader for everything ocpkit reads that a user (or an attacker) wrote: data files
 * (tenants.yaml, vms.yaml, the release train, through DataFile), the trees `ocpkit validate` and
 * `ocpkit diff` read, the diff ignore file, and YAML strings in GitLab chart values.
 *
 * It refuses, quickly and with the line where known:
 * - files larger than `YAML_LIMITS`.maxBytes (checked before the file is read);
 * - bytes that are not UTF-8 (YAML 1.2 streams are Unicode; `fs.readFileSync(f, 'utf8')` would
 *   silently turn them into U+FFFD);
 * - alias bombs ("billion laughs"): js-yaml 4 expands an alias by reference, so loading is cheap,
 *   but anything that later walks, copies or stringifies the result (a deep copy, the diff, a
 *   policy scan, JSON.stringify) does the exponential work. Every alias is charged the size of
 *   the node it stands for, expanded, and a file whose aliases stand for more than
 *   maxAliasNodes nodes in total is refused while it is being parsed. Aliases are allowed below
 *   that budget (an anchored group list reused by several tenants is legitimate YAML). This is
 *   the rule go-yaml applies for Kubernetes (gopkg.in/yaml.v3 decode.go, `allowedAliasRatio`),
 *   with a fixed budget instead of a ratio;
 * - aliases that refer to a node that contains them (a cycle: every walker would loop);
 * - keys `__proto__`, `constructor` and `prototype` (no Kubernetes field and no ocpkit data-file
 *   field has these names, and copying such a key into a plain object changes its prototype);
 * - nesting deeper than maxDepth (js-yaml's own limit, made explicit).
 *
 * A leading byte order mark (U+FEFF) is removed by {@link decodeYaml}, so every reader sees the
 * same text whether or not an editor wrote one.
 */
export const YAML_LIMITS: YamlLimits = {
  maxBytes: 8 * 1024 * 1024,
  maxAliasNodes: 100_000,
  maxDepth: 100,
};

/** Limits of the safe YAML reader (see `YAML_LIMITS` for the defaults). */
export interface YamlLimits {
  /**
   * Largest file or string, in bytes. Kubernetes stores an object in etcd in at most 1.5 MiB
   * (etcd `--max-request-bytes` default), so a manifest file of several MiB is already unusual.
   */
  readonly maxBytes: number;
  /** Most nodes that all aliases of one file may stand for, expanded. */
  readonly maxAliasNodes: number;
  /** Deepest nesting of collections. */
  readonly maxDepth: number;
}

/** Keys refused in every mapping. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Input refused by the safe reader (or YAML that does not parse): the reason, and the 1-based
 * line where it was found when known. Callers turn it into their own one-line error
 * (OcpkitError for data files, DiffInputError for diff, an error line for validate).
 */
export class YamlInputError extends OcpkitError {
  public override readonly exitCode: number = 2;

  /**
   * @param reason what is wrong (for syntax errors, js-yaml's reason)
   * @param line 1-based line, when known
   * @param syntax true when the text is not YAML at all (as opposed to YAML that ocpkit refuses)
   * @param column 1-based column of a syntax error
   */
  constructor(public readonly reason: string, public readonly line?: number, public readonly syntax = false, public readonly column?: number) {
    const message = syntax ? `YAML does not parse: ${reason}${line !== undefined ? ` (${line}:${column ?? 1})` : ''}` : line === undefined ? reason : `line ${line}: ${reason}`;
    super([{ path: '', field: line === undefined ? '' : `line ${line}`, message: reason }]);
    this.name = 'YamlInputError';
    this.withMessage(message);
  }

  /**
   * One line naming the file: `file:line: reason` for a refusal, `file: YAML does not parse:
   * reason (line:column)` for a syntax error.
   */
  public at(file: string): string {
    if (this.syntax) return `${file}: ${this.message}`;
    return this.line === undefined ? `${file}: ${this.reason}` : `${file}:${this.line}: ${this.reason}`;
  }
}

/** Options of `loadYaml` / `loadAllYaml`. */
export interface SafeYamlOptions {
  /** Parse as JSON (js-yaml's JSON compatibility: later duplicate keys win, as JSON.parse). @default false */
  readonly json?: boolean;
  /** @default YAML_LIMITS */
  readonly limits?: Partial<YamlLimits>;
}

function limitsOf(limits: Partial<YamlLimits> | undefined): YamlLimits {
  return limits ? { ...YAML_LIMITS, ...limits } : YAML_LIMITS;
}

function mib(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** Removes one leading byte order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Decodes file bytes as UTF-8 (refusing invalid sequences with the line of the first bad byte)
 * and removes a leading BOM.
 */
export function decodeYaml(bytes: Uint8Array, limits?: Partial<YamlLimits>): string {
  const max = limitsOf(limits).maxBytes;
  if (bytes.length > max) throw new YamlInputError(`is ${bytes.length} bytes; the limit is ${mib(max)} per file`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < bad; i++) if (bytes[i] === 0x0a) line++;
    throw new YamlInputError(`is not valid UTF-8 (byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')} at offset ${bad}); save the file as UTF-8`, line);
  }
  return stripBom(text);
}

/**
 * Offset of the first byte that is not part of a well-formed UTF-8 sequence (Unicode 15,
 * table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF); `bytes.length` if none.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i;
    }
    i += n + 1;
  }
  return bytes.length;
}

/**
 * Reads a file for the YAML reader: refuses anything but a regular file (a FIFO would block the
 * read forever, a device never ends) and files over the size limit before reading a byte, then
 * decodes it with {@link decodeYaml}. Throws YamlInputError for refusals; errors of the file
 * system (missing, unreadable) are thrown as Node reports them.
 */
export function readYamlFile(file: string, limits?: Partial<YamlLimits>): string {
  const max = limitsOf(limits).maxBytes;
  const before = fs.statSync(file);
  if (!before.isFile()) throw new YamlInputError(`is not a regular file (${fileKind(before)}); not read`);
  if (before.size > max) throw new YamlInputError(`is ${before.size} bytes; the limit is ${mib(max)} per file`);
  // O_NONBLOCK: if the path was swapped for a FIFO after the stat, open does not wait for a writer.
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new YamlInputError(`is not a regular file (${fileKind(st)}); not read`);
    if (st.size > max) throw new YamlInputError(`is ${st.size} bytes; the limit is ${mib(max)} per file`);
    // read at most max + 1 bytes, so a file that grows while it is read is still caught
    const buf = Buffer.allocUnsafe(Math.min(st.size, max) + 1);
    let got = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
      if (got === buf.length) break;
    }
    return decodeYaml(buf.subarray(0, got), limits);
  } finally {
    fs.closeSync(fd);
  }
}

/** What a non-regular file is, for messages. */
export function fileKind(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFile()) return 'a file';
  return 'not a regular file';
}

/** Parses one YAML document (undefined for an empty stream) with the limits above. */
export function loadYaml(text: string, options: SafeYamlOptions = {}): unknown {
  const docs = parse(text, options, false);
  return docs[0];
}

/** Parses every document of a YAML stream with the limits above. */
export function loadAllYaml(text: string, options: SafeYamlOptions = {}): unknown[] {
  return parse(text, options, true);
}

function parse(text: string, options: SafeYamlOptions, all: boolean): unknown[] {
  const limits = limitsOf(options.limits);
  if (text.length > limits.maxBytes || Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    throw new YamlInputError(`is ${Buffer.byteLength(text, 'utf8')} bytes; the limit is ${mib(limits.maxBytes)} per document`);
  }
  const guard = new Guard(stripBom(text), limits);
  const loadOptions: yaml.LoadOptions & { maxDepth?: number } = {
    json: options.json,
    maxDepth: limits.maxDepth,
    listener: (event, state) => guard.event(event, state),
  };
  try {
    if (all) return yaml.loadAll(guard.text, null, loadOptions);
    const doc = yaml.load(guard.text, loadOptions);
    return doc === undefined ? [] : [doc];
  } catch (e) {
    if (e instanceof YamlInputError) throw e;
    if (e instanceof yaml.YAMLException) {
      throw new YamlInputError(e.reason ?? e.message.split('\n')[0], e.mark ? e.mark.line + 1 : undefined, true, e.mark ? e.mark.column + 1 : undefined);
    }
    if (e instanceof RangeError) throw new YamlInputError(`YAML is nested too deeply to read (${e.message})`);
    throw e;
  }
}

/** Watches js-yaml's parse events: alias budget, cycles, forbidden keys. */
class Guard {
  private aliasNodes = 0;
  /** Collections (and other objects) whose node is complete; an alias to anything else is a cycle. */
  private readonly closed = new WeakSet<object>();
  private readonly sizes = new WeakMap<object, number>();
  /** Input position and line where each open node started. */
  private readonly open: { position: number; line: number }[] = [];

  constructor(public readonly text: string, private readonly limits: YamlLimits) {}

  public event(event: 'open' | 'close', state: yaml.State): void {
    if (event === 'open') {
      this.open.push({ position: state.position, line: state.line });
      return;
    }
    const start = this.open.pop() ?? { position: state.position, line: state.line };
    const kind = state.kind as string | null;
    const result = state.result;
    if (kind === null && result !== null && typeof result === 'object') {
      this.alias(state, start, result);
      return;
    }
    if (result !== null && typeof result === 'object') this.closed.add(result);
    if (kind === 'scalar' && typeof result === 'string' && FORBIDDEN_KEYS.has(result) && isKey(state.input, state.position)) {
      throw forbiddenKey(result, state.line + 1);
    }
    if (kind === 'mapping' && result !== null && typeof result === 'object') {
      // explicit keys (`? constructor`) are not scalars followed by `:`; they are reported at the
      // line where their mapping starts
      for (const k of FORBIDDEN_KEYS) if (Object.prototype.hasOwnProperty.call(result, k)) throw forbiddenKey(k, start.line + 1);
    }
  }

  private alias(state: yaml.State, start: { position: number; line: number }, target: object): void {
    const at = aliasToken(state.input, start.position, start.line);
    if (!this.closed.has(target)) {
      throw new YamlInputError(`alias *${at.name} refers to a node that contains it (a cycle); ocpkit refuses recursive aliases`, at.line);
    }
    const cap = this.limits.maxAliasNodes + 1;
    this.aliasNodes += size(target, this.sizes, cap);
    if (this.aliasNodes > this.limits.maxAliasNodes) {
      throw new YamlInputError(
        `aliases expand to more than ${this.limits.maxAliasNodes} nodes (at *${at.name}); ocpkit refuses alias bombs ("billion laughs"): write the repeated values out or use fewer aliases`,
        at.line,
      );
    }
  }
}

function forbiddenKey(key: string, line: number): YamlInputError {
  return new YamlInputError(`key ${JSON.stringify(key)} is not allowed (a JavaScript prototype name: copied into an object it replaces or shadows the object's prototype; no Kubernetes or ocpkit field has this name)`, line);
}

/** True when the scalar that ends at `pos` is followed by `:` on its line: it is a mapping key. */
function isKey(input: string, pos: number): boolean {
  let i = pos;
  while (input.charCodeAt(i) === 0x20 || input.charCodeAt(i) === 0x09) i++;
  return input.charCodeAt(i) === 0x3a;
}

/** The alias token after `from` (skipping blanks, line breaks and comments): its name and 1-based line. */
function aliasToken(input: string, from: number, line: number): { name: string; line: number } {
  let i = from;
  let l = line;
  while (i < input.length) {
    const c = input.charCodeAt(i);
    if (c === 0x0a) l++;
    if (c === 0x23) {
      while (i < input.length && input.charCodeAt(i) !== 0x0a) i++;
      continue;
    }
    if (c === 0x2a) break;
    i++;
  }
  const m = /^\*([^\s,[\]{}]+)/.exec(input.slice(i, i + 200));
  return { name: m ? m[1] : '?', line: l + 1 };
}

/** Nodes of a value counted as if every shared reference were a copy (memoized, stops above `cap`). */
function size(v: unknown, memo: WeakMap<object, number>, cap: number): number {
  if (v === null || typeof v !== 'object') return 1;
  const known = memo.get(v);
  if (known !== undefined) return known;
  let n = 1;
  if (Array.isArray(v)) {
    for (const c of v) {
      n += size(c, memo, cap);
      if (n > cap) break;
    }
  } else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
    for (const k in v) {
      n += 1 + size((v as Record<string, unknown>)[k], memo, cap);
      if (n > cap) break;
    }
  }
  memo.set(v, n);
  return n;
}

/**
 * Reads and parses a YAML data file ocpkit itself depends on (a schema index, the operator
 * catalog), with the limits above; any refusal is an OcpkitError naming the file.
 */
export function loadYamlDataFile(file: string): unknown {
  try {
    return loadYaml(readYamlFile(file));
  } catch (e) {
    if (e instanceof YamlInputError) throw new OcpkitError([{ path: file, field: '', message: e.message }]);
    throw e;
  }
}
