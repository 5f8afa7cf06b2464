import * as path from 'path';
import { OcpkitError, Problem, show } from '../core/errors';
import { Quantity, quantityProblem } from '../core/quantity';
import { Rule } from '../core/rules';
import { loadYaml, readYamlFile, YamlInputError } from '../core/safe-yaml';
import { cachedData, fileStamp, yamlParserFiles } from '../schema/_data-cache';

/** The safe YAML reader's module (its version is part of a cached parse's key). */
const SAFE_YAML = require.resolve('../core/safe-yaml');

/** The content of YAML text (the safe reader's limits apply), or a one-line problem naming the file. */
function parseContent(name: string, text: string): unknown {
  try {
    return loadYaml(text);
  } catch (e) {
    if (e instanceof YamlInputError) throw yamlProblem(name, e);
    throw e;
  }
}

/**
 * A YAML data file that a stack reads (tenants.yaml, vms.yaml ...). It reads fields with their
 * types checked and collects every problem, each naming the file, the entry and the field, so a
 * stack can report all bad entries at once before any construct is built.
 */
export class DataFile {
  /**
   * Reads and parses a file; a missing or unreadable file, YAML that does not parse, and input
   * the safe reader refuses (see lib/core/safe-yaml.ts: size, UTF-8, alias bombs, `__proto__`
   * keys) throw at once, as one line naming the file and the line.
   */
  public static load(file: string, options: DataFileOptions = {}): DataFile {
    const name = path.basename(file);
    let text: string;
    try {
      text = readYamlFile(file);
    } catch (e) {
      if (e instanceof YamlInputError) throw yamlProblem(name, e);
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'is a folder' : (e as Error).message;
      throw new OcpkitError([{ path: name, field: '', message: `cannot read ${file}: ${why}` }]);
    }
    // The parsed content is kept in the private data cache, keyed by the text (read as always,
    // with the safe reader's checks: data files are small, reading is cheap, parsing is not) and
    // the reader's version (lib/schema/_data-cache.ts): an unchanged file is not parsed again.
    // Only plain data is cached, never an error: a file that does not parse fails every run.
    const content = cachedData(() => [text, fileStamp(SAFE_YAML), fileStamp(__filename), ...yamlParserFiles().map(fileStamp)], () => parseContent(name, text));
    return DataFile.fromContent(name, content, options);
  }

  /** Parses YAML text under a display name (with the limits of the safe reader). */
  public static parse(name: string, text: string, options: DataFileOptions = {}): DataFile {
    return DataFile.fromContent(name, parseContent(name, text), options);
  }

  private static fromContent(name: string, parsed: unknown, options: DataFileOptions): DataFile {
    let content = parsed;
    const problems: Problem[] = [];
    if (options.resolve) content = substitute(content, '', options.resolve, (field, message) => problems.push({ path: name, field, message }));
    const file = new DataFile(name, content);
    file.problems.push(...problems);
    return file;
  }

  private readonly problems: Problem[] = [];

  private constructor(public readonly name: string, public readonly content: unknown) {
    if (content === null || typeof content !== 'object' || Array.isArray(content)) {
      this.problems.push({ path: name, field: '', message: 'the file must be a YAML mapping at the top level' });
    }
  }

  /** The entries of the top-level list `key`; each entry is labelled by its `labelField` value. */
  public list(key: string, labelField = 'name'): DataEntry[] {
    const raw = (this.content as any)?.[key];
    if (!Array.isArray(raw)) {
      this.problems.push({ path: this.name, field: key, message: `must be a list of entries, got ${show(raw)}` });
      return [];
    }
    return raw.map((item, i) => {
      const label = item && typeof item === 'object' && typeof item[labelField] === 'string' ? ` (${item[labelField]})` : '';
      return new DataEntry(`${this.name}: ${key}[${i}]${label}`, item, this.problems);
    });
  }

  /** Records a problem found by the caller (duplicates, cross-entry rules). */
  public report(entry: DataEntry | undefined, field: string, message: string): void {
    this.problems.push({ path: entry?.where ?? this.name, field, message });
  }

  /** All problems so far. */
  public get allProblems(): readonly Problem[] {
    return this.problems;
  }

  /** Throws one OcpkitError with every problem, if any. */
  public throwIfAny(): void {
    if (this.problems.length) throw new OcpkitError(this.problems, `${this.name} has ${this.problems.length} problem${this.problems.length === 1 ? '' : 's'}`);
  }
}

/** Options of {@link DataFile.load}. */
export interface DataFileOptions {
  /**
   * Resolves `${key}` references inside string values (for example against the release train,
   * so a data file can say `http: ${vm-images.rhel-9}`); return undefined for an unknown key.
   * @default references are left as written
   */
  readonly resolve?: (key: string) => string | undefined;
}

const REFERENCE = /\$\{([^}]+)\}/g;

/** One-line OcpkitError for YAML that does not parse or that the safe reader refuses. */
function yamlProblem(name: string, e: YamlInputError): OcpkitError {
  if (e.syntax) {
    const at = e.line !== undefined ? ` at line ${e.line}, column ${e.column ?? 1}` : '';
    return new OcpkitError([{ path: name, field: '', message: `YAML does not parse${at}: ${e.reason}` }]);
  }
  return new OcpkitError([{ path: name, field: '', message: e.message }]);
}

function substitute(value: unknown, at: string, resolve: (key: string) => string | undefined, report: (field: string, message: string) => void): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (whole, key: string) => {
      const v = resolve(key.trim());
      if (v === undefined) report(at, `\${${key}} is not defined (not pinned in the release train?)`);
      return v ?? whole;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, `${at}[${i}]`, resolve, report));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    // The input is bounded (the safe reader caps size and alias expansion) and has no
    // `__proto__`/`constructor`/`prototype` keys, so this copy cannot blow up or change a prototype.
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, at ? `${at}.${k}` : k, resolve, report);
    return out;
  }
  return value;
}

/** Options of the field readers. */
export interface FieldOptions<T> {
  /** @default false */
  readonly optional?: boolean;
  /** Extra rule checked after the type. @default none */
  readonly rule?: Rule<T>;
}

/** One entry (or nested mapping) of a data file. */
export class DataEntry {
  private readonly obj: Record<string, unknown>;

  constructor(public readonly where: string, raw: unknown, private readonly sink: Problem[], private readonly prefix = '') {
    const ok = raw !== null && typeof raw === 'object' && !Array.isArray(raw);
    if (!ok && !prefix) sink.push({ path: where, field: '', message: `entry must be a mapping, got ${show(raw)}` });
    this.obj = ok ? (raw as Record<string, unknown>) : {};
  }

  /**
   * The entry's fields as parsed, for readers that branch on a value's shape (a number or a
   * mapping) before reading it with the typed accessors.
   */
  public get raw(): Readonly<Record<string, unknown>> {
    return this.obj;
  }

  /** True when the field is present. */
  public has(field: string): boolean {
    return this.obj[field] !== undefined && this.obj[field] !== null;
  }

  public string(field: string, opts: FieldOptions<string> = {}): string | undefined {
    return this.read(field, opts, (v) => (typeof v === 'string' ? undefined : `must be a string, got ${show(v)}`)) as string | undefined;
  }

  public number(field: string, opts: FieldOptions<number> = {}): number | undefined {
    return this.read(field, opts, (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `must be a number, got ${show(v)}`)) as number | undefined;
  }

  public boolean(field: string, opts: FieldOptions<boolean> = {}): boolean | undefined {
    return this.read(field, opts, (v) => (typeof v === 'boolean' ? undefined : `must be true or false, got ${show(v)}`)) as boolean | undefined;
  }

  /** A list of strings (each checked by `rule`). */
  public stringList(field: string, opts: FieldOptions<string> = {}): string[] | undefined {
    const v = this.read(field, { optional: opts.optional }, (x) =>
      Array.isArray(x) && x.every((i) => typeof i === 'string') ? undefined : `must be a list of strings, got ${show(x)}`) as string[] | undefined;
    if (v && opts.rule) {
      v.forEach((item, i) => {
        const msg = opts.rule!(item);
        if (msg) this.report(`${field}[${i}]`, msg);
      });
    }
    return v;
  }

  /** A mapping of strings to strings (labels, annotations). */
  public stringMap(field: string, opts: { optional?: boolean } = {}): Record<string, string> | undefined {
    return this.read(field, opts, (x) =>
      x !== null && typeof x === 'object' && !Array.isArray(x) && Object.values(x).every((v) => typeof v === 'string')
        ? undefined
        : `must be a mapping of strings, got ${show(x)}`) as Record<string, string> | undefined;
  }

  /** A Kubernetes quantity (`4`, `500m`, `8Gi`). */
  public quantity(field: string, opts: { optional?: boolean } = {}): Quantity | undefined {
    const v = this.read(field, opts, quantityProblem);
    return v === undefined ? undefined : Quantity.parse(v as string);
  }

  /** A nested mapping. */
  public object(field: string, opts: { optional?: boolean } = {}): DataEntry | undefined {
    const v = this.read(field, opts, (x) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? undefined : `must be a mapping, got ${show(x)}`));
    return v === undefined ? undefined : new DataEntry(this.where, v, this.sink, `${this.prefix}${field}.`);
  }

  /** Reports fields that are not in `allowed` (typos would otherwise be ignored). */
  public allowOnly(allowed: readonly string[]): void {
    for (const k of Object.keys(this.obj)) {
      if (!allowed.includes(k)) this.report(k, `unknown field; allowed fields are ${allowed.join(', ')}`);
    }
  }

  /** Records a problem with a field of this entry. */
  public report(field: string, message: string): void {
    this.sink.push({ path: this.where, field: `${this.prefix}${field}`, message });
  }

  private read(field: string, opts: FieldOptions<any>, typeRule: Rule<unknown>): unknown {
    const v = this.obj[field];
    if (v === undefined || v === null) {
      if (!opts.optional) this.report(field, 'is required');
      return undefined;
    }
    const typeMsg = typeRule(v);
    if (typeMsg) {
      this.report(field, typeMsg);
      return undefined;
    }
    const ruleMsg = opts.rule?.(v);
    if (ruleMsg) {
      this.report(field, ruleMsg);
      return undefined;
    }
    return v;
  }
}
