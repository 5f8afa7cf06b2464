import * as fs from 'fs';
import * as path from 'path';
import { pointerToken } from '../core/json-pointer';
import type Ajv from 'ajv';
import type { ErrorObject } from 'ajv';
import * as yaml from 'js-yaml';
import { cachedData, fileStamp, treeStamp } from './_data-cache';
import { SchemaInterpreter, UnsupportedSchema } from './_interpreter';
import { CORE_DEFINITIONS_FILE, coreDefinitionsFile, gvkKey, KindEntry, PROFILE_FALLBACKS, profileIndex, scanCrdFolder } from './catalog';
import { locateProfile, locateSchemas } from './locate';
import { isClusterScoped } from './scope';

/** One schema violation inside one object. */
export interface SchemaIssue {
  /** JSON pointer inside the object (`/spec/template/spec/containers/0/image`). */
  readonly pointer: string;
  /** What is wrong, in API-server words. */
  readonly message: string;
}

/**
 * Something in a schema file that JavaScript cannot use as written: a Go regular expression
 * (`[[:print:]]`, `(?i)`, `\pZ`) translated to JavaScript, or skipped when no translation exists.
 */
export interface SchemaWarning {
  readonly file: string;
  /** JSON pointer inside the kind's openAPIV3Schema. */
  readonly pointer: string;
  readonly action: 'translated' | 'skipped';
  readonly message: string;
}

/** Options for {@link SchemaValidator}. */
export interface SchemaValidatorOptions {
  /**
   * Folder holding the upstream schemas (the layout of `shared/crds`).
   * @default found by `locateSchemas`
   */
  readonly schemasDir?: string;
  /**
   * OpenShift minor version (`'4.14'`) whose profile (`<schemas>/profiles/ocp-<version>/`) to
   * validate against: kinds from its `index.yaml`, core kinds from the Kubernetes version of that
   * OpenShift, and from the newest shared schemas only the kinds the profile's README names
   * (`PROFILE_FALLBACKS`). A field newer than that OpenShift is then an error.
   * @default none: the newest shared schemas (`<schemas>/*`) and Kubernetes 1.27
   */
  readonly platform?: string;
  /**
   * Kubernetes minor version of the core schema (`'1.27'`).
   * @default with `platform`: the `kubernetes:` of the profile's operator catalog; else 1.27
   */
  readonly kubernetes?: string;
  /**
   * Extra CRD files or folders of them (user schema folders, kubeconform's `--schemas`); their
   * kinds take precedence over the shared ones.
   * @default none
   */
  readonly extraCrds?: readonly string[];
  /**
   * Reject fields the schema does not declare, as kubeconform's `-strict` does. The API server
   * silently prunes them, which hides typos.
   * @default true
   */
  readonly strict?: boolean;
  /**
   * Ignored: validators are no longer compiled and cached (schemas are interpreted; prepared
   * schemas go to the private data cache under `OCPKIT_CACHE_DIR`).
   * @deprecated since the schema interpreter; kept so existing stacks still compile
   */
  readonly cacheDir?: string | false;
}

/** A kind's validator: the verdict, and the errors (in ajv's shape) of its last call. */
type KindValidator = ((data: unknown) => boolean) & { errors?: readonly SchemaError[] | null };

/** What summarize() reads of an error (ajv's ErrorObject and the interpreter's alike). */
type SchemaError = Pick<ErrorObject, 'instancePath' | 'keyword' | 'params' | 'message'>;

const CORE_ID = 'k8s.json';
const OBJECT_META = `${CORE_ID}#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;

/**
 * Validates Kubernetes objects against the Kubernetes core schema and CRD schemas: those of a
 * platform profile (`platform: '4.14'`) or the newest shared ones, plus user schema folders.
 * Schema files are found by their contents (see ./catalog.ts) and loaded lazily, once per kind,
 * so a run pays only for the kinds it uses. Objects are checked by an interpreter that answers
 * as ajv would (./_interpreter.ts); a schema using a keyword it does not cover is compiled with
 * ajv instead. A schema pattern JavaScript cannot compile is translated or skipped, never a
 * crash; see {@link SchemaValidator.warnings}.
 */
export class SchemaValidator {
  public readonly schemasDir: string;
  /** OpenShift version of the profile validated against, if any. */
  public readonly platform?: string;
  /** The profile folder, when `platform` is set. */
  public readonly profileDir?: string;
  /** Kubernetes minor version of the core schema. */
  public readonly kubernetes: string;
  private readonly strict: boolean;
  private compiler?: Ajv;
  private interpreter?: SchemaInterpreter;
  private readonly compiled = new Map<string, KindValidator | null>();
  private readonly userKinds = new Map<string, KindEntry>();
  private readonly userDirs: string[] = [];
  private readonly profileKinds?: ReadonlyMap<string, KindEntry>;
  /** The profile's fallback kinds, each with the shared file it is read from. */
  private readonly fallbacks: ReadonlyMap<string, string>;
  private sharedKinds?: ReadonlyMap<string, KindEntry>;
  private readonly crdCache = new Map<string, any[]>();
  private readonly preparedKinds = new Map<string, PreparedKind | null>();
  private readonly coreFile: string;
  private coreKinds?: Map<string, string>;
  private coreDefinitions?: Record<string, any>;
  private coreAdded = false;
  private readonly crdScopes = new Map<string, string>();
  private readonly _warnings = new Map<string, SchemaWarning[]>();

  constructor(options: SchemaValidatorOptions = {}) {
    this.schemasDir = locateSchemas(options.schemasDir);
    this.strict = options.strict ?? true;
    if (options.platform !== undefined) {
      this.platform = options.platform;
      this.profileDir = locateProfile(this.schemasDir, options.platform, { path: 'schemas', field: 'platform' });
      this.profileKinds = profileIndex(this.profileDir);
      this.fallbacks = new Map(Object.entries(PROFILE_FALLBACKS[options.platform] ?? {}));
    } else {
      this.fallbacks = new Map();
    }
    this.kubernetes = options.kubernetes ?? (this.profileDir ? catalogKubernetes(this.profileDir) : undefined) ?? '1.27';
    this.coreFile = path.join(this.schemasDir, options.kubernetes || this.profileDir ? coreDefinitionsFile(this.kubernetes) : CORE_DEFINITIONS_FILE);
    for (const extra of options.extraCrds ?? []) {
      const abs = path.resolve(extra);
      this.userDirs.push(abs);
      for (const [k, e] of scanCrdFolder(abs, { origin: `schema folder ${abs}` }).kinds) this.userKinds.set(k, e);
    }
  }

  /**
   * What identifies the answers of this validator: how it reads schemas (platform, Kubernetes
   * version, strictness, core file, fallbacks, user folders) and the version of every file of its
   * schema folders (a stat each, not a read). Made once per validator; used to key verdicts kept
   * between runs (lib/synth/_verdicts.ts). Undefined for a subclass (its own rules are not in it).
   * @internal
   */
  public identity(): string | undefined {
    // a subclass may check more than the schema files say: its answers are not keyed by them
    if (this.constructor !== SchemaValidator) return undefined;
    this._identity ??= treeStamp(
      JSON.stringify([this.platform ?? null, this.kubernetes, this.strict, this.coreFile, [...this.fallbacks], this.userDirs]),
      [this.schemasDir, ...this.userDirs],
    );
    return this._identity;
  }
  private _identity?: string;

  /**
   * Patterns of the schemas compiled so far that JavaScript could not use as written: translated
   * from Go syntax, or skipped (then that field's pattern is not checked).
   */
  public get warnings(): readonly SchemaWarning[] {
    return [...this._warnings.values()].flat();
  }

  /**
   * ajv, created on the first schema the interpreter does not cover (none of the shared schemas):
   * an ordinary run never loads it (some sixty modules).
   */
  private get ajv(): Ajv {
    if (!this.compiler) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const AjvClass = (require('ajv') as typeof import('ajv')).default;
      // `optimize: false`: ajv's code optimizer costs about a third of compile time and does not
      // make validating these schemas measurably faster.
      this.compiler = new AjvClass(AJV_OPTIONS);
    }
    return this.compiler;
  }

  /**
   * The interpreter, sharing the (tightened) core definitions between kinds: `$ref`s are
   * `k8s.json#/definitions/X` (from CRD schemas' metadata) or `#/definitions/X` (inside the core
   * document). CRD schemas hold no other `$ref`: the API server refuses `$ref` in a CRD.
   */
  private get interpret(): SchemaInterpreter {
    if (!this.interpreter) {
      this.core();
      const definitions = this.coreDefinitions!;
      this.interpreter = new SchemaInterpreter((ref) => {
        const m = /^(?:k8s\.json)?#\/definitions\/([^/]+)$/.exec(ref);
        return m && Object.prototype.hasOwnProperty.call(definitions, m[1]) ? definitions[m[1]] : undefined;
      });
    }
    return this.interpreter;
  }

  /** True when a schema is known for the kind. */
  public knows(apiVersion: string, kind: string): boolean {
    const key = gvkKey(apiVersion, kind);
    return this.entryOf(key) !== undefined || this.core().has(key);
  }

  /** validate()'s answers per apiVersion and kind: the compiled function (or none) and whether the kind is cluster-scoped. */
  private readonly byKind = new Map<string, Map<string, { fn: KindValidator | null; clusterScoped: boolean }>>();

  /**
   * Validates one object. Returns the issues found (empty when valid). An unknown kind is an
   * issue too: nothing goes out unchecked.
   */
  public validate(obj: any): SchemaIssue[] {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return [{ pointer: '', message: 'document is not an object' }];
    if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      return [{ pointer: '', message: 'apiVersion and kind must be strings' }];
    }
    // per (apiVersion, kind) once: the compiled function and the scope (asked for every object)
    let kinds = this.byKind.get(obj.apiVersion);
    if (!kinds) this.byKind.set(obj.apiVersion, (kinds = new Map()));
    let known = kinds.get(obj.kind);
    if (!known) {
      const f = this.validatorFor(obj.apiVersion, obj.kind);
      known = { fn: f, clusterScoped: f ? this.scopeOf(obj.apiVersion, obj.kind) === 'Cluster' : false };
      kinds.set(obj.kind, known);
    }
    let fn = known.fn;
    if (!fn) return [{ pointer: '', message: this.unknownKind(obj.apiVersion, obj.kind) }];
    let valid: boolean;
    try {
      valid = fn(obj);
    } catch (e) {
      if (!(e instanceof UnsupportedSchema)) throw e;
      // a keyword the interpreter does not cover: this kind is compiled by ajv from now on
      fn = known.fn = this.compileWithAjv(obj.apiVersion, obj.kind);
      valid = fn(obj);
    }
    const issues = valid ? [] : summarize(fn.errors ?? []);
    if (obj.metadata?.namespace !== undefined && known.clusterScoped) {
      issues.push({ pointer: '/metadata/namespace', message: `${obj.kind} is cluster-scoped and takes no namespace` });
    }
    return issues;
  }

  /**
   * `Cluster` or `Namespaced` for a kind whose schema is known (CRD scope, or the core list),
   * undefined otherwise.
   */
  public scopeOf(apiVersion: string, kind: string): 'Cluster' | 'Namespaced' | undefined {
    const key = gvkKey(apiVersion, kind);
    const entry = this.entryOf(key);
    if (entry) {
      if (entry.scope) return entry.scope;
      this.validatorFor(apiVersion, kind);
      return this.crdScopes.get(key) as 'Cluster' | 'Namespaced' | undefined;
    }
    if (!this.core().has(key)) return undefined;
    return isClusterScoped(apiVersion, kind) ? 'Cluster' : 'Namespaced';
  }

  /** What this validator validates against, for messages. */
  public describe(): string {
    const base = this.profileDir ? `the OpenShift ${this.platform} profile (${this.profileDir})` : `the shared schemas (${this.schemasDir})`;
    return `Kubernetes ${this.kubernetes} and ${base}${this.userDirs.length ? ` and ${this.userDirs.join(', ')}` : ''}`;
  }

  /** The schema file of a CRD kind: user folders first, then the profile (or the newest shared schemas). */
  private entryOf(key: string): KindEntry | undefined {
    const user = this.userKinds.get(key);
    if (user) return user;
    if (this.profileKinds) {
      const p = this.profileKinds.get(key);
      if (p) return p;
      return this.fallbacks.has(key) ? this.fallbackEntry(key) : undefined;
    }
    return this.shared().get(key);
  }

  /** A fallback kind's entry in the shared schemas: from the file named for it when that file defines it, else from the whole folder. */
  private fallbackEntry(key: string): KindEntry | undefined {
    const hinted = this.fallbacks.get(key);
    if (hinted !== undefined && !this.sharedKinds) {
      const file = path.join(this.schemasDir, ...hinted.split('/'));
      let entry: KindEntry | undefined;
      try {
        entry = scanCrdFolder(file, { origin: 'shared schemas' }).kinds.get(key);
      } catch {
        entry = undefined; // no such file here: the whole folder says
      }
      if (entry) return entry;
    }
    return this.shared().get(key);
  }

  private shared(): ReadonlyMap<string, KindEntry> {
    this.sharedKinds ??= scanCrdFolder(this.schemasDir, { top: true, origin: 'shared schemas' }).kinds;
    return this.sharedKinds;
  }

  private unknownKind(apiVersion: string, kind: string): string {
    const key = gvkKey(apiVersion, kind);
    const how = 'add a folder with its CustomResourceDefinition YAML: the Cluster prop `schemaDirs` (synth) or `ocpkit validate --schemas DIR`';
    if (this.profileKinds) {
      const newer = this.shared().get(key);
      if (newer) {
        return `no schema for ${apiVersion} ${kind} in the OpenShift ${this.platform} profile (${this.profileDir}); only the newest shared schemas have it (${path.relative(this.schemasDir, newer.file)}), which OpenShift ${this.platform} may not serve; use a version the profile lists, or ${how}`;
      }
      return `no schema for ${apiVersion} ${kind} in Kubernetes ${this.kubernetes} nor the OpenShift ${this.platform} profile (${this.profileDir}); ${how}`;
    }
    return `no schema for ${apiVersion} ${kind} in Kubernetes ${this.kubernetes} nor the CRDs of ${this.schemasDir}; ${how}`;
  }

  private validatorFor(apiVersion: string, kind: string): KindValidator | null {
    const key = gvkKey(apiVersion, kind);
    const known = this.compiled.get(key);
    if (known !== undefined) return known;
    const schema = this.schemaOf(apiVersion, kind);
    const fn = schema === undefined ? null : this.interpret.compile(schema);
    this.compiled.set(key, fn);
    return fn;
  }

  /** The schema a kind is validated against: its prepared CRD schema, or its core definition. */
  private schemaOf(apiVersion: string, kind: string): any | undefined {
    const key = gvkKey(apiVersion, kind);
    const crdFile = this.entryOf(key)?.file;
    if (crdFile) return this.crdSchema(crdFile, apiVersion, kind);
    const def = this.core().get(key);
    if (def === undefined) return undefined;
    return this.coreDefinitions![def];
  }

  /** The kind's validator compiled by ajv (for schemas the interpreter does not cover). */
  private compileWithAjv(apiVersion: string, kind: string): KindValidator {
    const key = gvkKey(apiVersion, kind);
    const crdFile = this.entryOf(key)?.file;
    this.ensureCore();
    const fn = crdFile ? this.ajv.compile(this.crdSchema(crdFile, apiVersion, kind)) : this.ajv.getSchema(`${CORE_ID}#/definitions/${this.core().get(key)}`)!;
    this.compiled.set(key, fn);
    return fn;
  }

  /**
   * The prepared schema of a CRD kind (patterns made JavaScript, apiVersion/kind/metadata added,
   * tightened when strict), its scope and pattern warnings: prepared once and then read back as
   * JSON from the private data cache on later runs, keyed by the versions of the CRD file and of
   * this module (`fileStamp`), the kind and the strict flag (parsing the YAML of the large CRDs a stack uses is about 0.1 s).
   */
  private crdSchema(file: string, apiVersion: string, kind: string): any | undefined {
    const key = gvkKey(apiVersion, kind);
    let prepared = this.preparedKinds.get(key);
    if (prepared === undefined) {
      prepared = cachedData(
        () => [fileStamp(__filename), fileStamp(file), apiVersion, kind, String(this.strict)],
        () => prepareCrdKind(this.crdDocuments(file), file, apiVersion, kind, this.strict),
      );
      this.preparedKinds.set(key, prepared);
      if (prepared) {
        this.crdScopes.set(key, prepared.scope);
        if (prepared.warnings.length) this._warnings.set(key, prepared.warnings);
      }
    }
    return prepared?.schema;
  }

  private crdDocuments(file: string): any[] {
    let docs = this.crdCache.get(file);
    if (!docs) {
      docs = (yaml.loadAll(fs.readFileSync(file, 'utf8')) as any[]).filter((d) => d?.kind === 'CustomResourceDefinition');
      this.crdCache.set(file, docs);
    }
    return docs;
  }

  /** Registers the (tightened) core definitions with ajv, once; only compiling needs them. */
  private ensureCore(): void {
    if (this.coreAdded) return;
    this.core();
    this.ajv.addSchema({ $id: CORE_ID, definitions: this.coreDefinitions! });
    this.coreAdded = true;
  }

  /**
   * Loads the core definitions once (tightened when strict) and maps `apiVersion/Kind` to
   * definition names; prepared once, then read back from the private data cache.
   */
  private core(): Map<string, string> {
    if (this.coreKinds) return this.coreKinds;
    const prepared = cachedData(
      () => [fileStamp(__filename), fileStamp(this.coreFile), String(this.strict)],
      () => prepareCore(JSON.parse(fs.readFileSync(this.coreFile, 'utf8')).definitions, this.strict),
    );
    this.coreDefinitions = prepared.definitions;
    this.coreKinds = new Map(prepared.kinds);
    return this.coreKinds;
  }
}

/** A CRD kind as validated: its prepared schema, scope and pattern warnings. */
interface PreparedKind {
  readonly schema: any;
  readonly scope: string;
  readonly warnings: SchemaWarning[];
}

/** Prepares a CRD kind's schema for validation (see SchemaValidator.crdSchema); null when the file does not define it. */
function prepareCrdKind(docs: readonly any[], file: string, apiVersion: string, kind: string, strict: boolean): PreparedKind | null {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  for (const crd of docs) {
    if (crd.spec?.group !== group || crd.spec?.names?.kind !== kind) continue;
    const v = (crd.spec.versions ?? []).find((x: any) => x.name === version);
    const schema = v?.schema?.openAPIV3Schema ?? crd.spec.validation?.openAPIV3Schema;
    if (!schema) continue;
    const copy = JSON.parse(JSON.stringify(schema));
    dropDescriptions(copy);
    dropNullCombinators(copy);
    const warnings: SchemaWarning[] = [];
    fixPatterns(copy, '', (pointer, action, message) => warnings.push({ file, pointer, action, message }));
    // Some CRDs (Multus NAD) do not list apiVersion/kind; the API server always accepts them.
    copy.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, ...(copy.properties ?? {}), metadata: { $ref: OBJECT_META } };
    if (strict) tighten(copy);
    return { schema: copy, scope: crd.spec.scope, warnings };
  }
  return null;
}

/** The core definitions (tightened when strict) and the `apiVersion/Kind` -> definition name pairs. */
function prepareCore(definitions: Record<string, any>, strict: boolean): { definitions: Record<string, any>; kinds: Array<[string, string]> } {
  const kinds = new Map<string, string>();
  for (const [name, def] of Object.entries<any>(definitions)) {
    for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      // Kinds such as DeleteOptions list every group; only keep the definition's own.
      if (!kinds.has(gvkKey(apiVersion, gvk.kind)) || name.includes(`.${gvk.version}.${gvk.kind}`)) {
        kinds.set(gvkKey(apiVersion, gvk.kind), name);
      }
    }
  }
  for (const def of Object.values<any>(definitions)) dropDescriptions(def);
  if (strict) for (const def of Object.values<any>(definitions)) tighten(def);
  return { definitions, kinds: [...kinds] };
}

/** ajv's options where it still compiles (schemas the interpreter does not cover); the interpreter answers as ajv does with these. */
const AJV_OPTIONS = { strict: false, validateFormats: false, allErrors: true, allowUnionTypes: true, code: { optimize: false } } as const;

/**
 * The `kubernetes:` version in the header of a profile's operator catalog (`kubernetes: '1.27'`),
 * read from the first lines without parsing the whole file.
 */
function catalogKubernetes(profileDir: string): string | undefined {
  try {
    const fd = fs.openSync(path.join(profileDir, 'catalog', 'operators.yaml'), 'r');
    try {
      const buf = Buffer.alloc(4096);
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      return /^kubernetes:\s*['"]?(\d+\.\d+)['"]?\s*$/m.exec(buf.subarray(0, n).toString('utf8'))?.[1];
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/**
 * POSIX character classes of Go's RE2 (ASCII only), as JavaScript class contents.
 * @see https://github.com/google/re2/wiki/Syntax ("ASCII classes")
 */
const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F', digit: '0-9',
  graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ', upper: 'A-Z',
  word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/**
 * Rewrites a Go (RE2) regular expression as a JavaScript one (unicode mode, as ajv compiles
 * them): POSIX classes `[[:print:]]` become explicit ASCII ranges, `\pZ` becomes `\p{Z}`,
 * `(?P<name>` becomes `(?<name>`, and the case-insensitive flag (`(?i)` to the end of its group,
 * or a `(?i:...)` group) becomes letter alternation (`a` -> `[aA]`). Returns undefined for what
 * it cannot translate (other inline flags, negated POSIX classes).
 */
export function translateGoPattern(p: string): string | undefined {
  let out = '';
  let inClass = false;
  let ci = false;
  const stack: boolean[] = [];
  const isLetter = (c: string | undefined) => c !== undefined && /^[A-Za-z]$/.test(c);
  const swap = (c: string) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase());
  for (let i = 0; i < p.length;) {
    const c = p[i];
    if (c === '\\') {
      const n = p[i + 1];
      if ((n === 'p' || n === 'P') && isLetter(p[i + 2])) {
        out += `\\${n}{${p[i + 2]}}`;
        i += 3;
      } else {
        out += c + (n ?? '');
        i += 2;
      }
      continue;
    }
    if (inClass) {
      if (c === '[' && p[i + 1] === ':') {
        const end = p.indexOf(':]', i + 2);
        const cls = end < 0 ? undefined : POSIX_CLASSES[p.slice(i + 2, end)];
        if (cls === undefined) return undefined;
        out += ci && (cls === 'a-z' || cls === 'A-Z') ? 'A-Za-z' : cls;
        i = end + 2;
      } else if (c === ']') {
        inClass = false;
        out += c;
        i++;
      } else if (ci && isLetter(c)) {
        const to = p[i + 2];
        if (p[i + 1] === '-' && isLetter(to) && (c === c.toLowerCase()) === (to === to.toLowerCase())) {
          out += `${c}-${to}${swap(c)}-${swap(to)}`;
          i += 3;
        } else {
          out += c + swap(c);
          i++;
        }
      } else {
        out += c;
        i++;
      }
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      if (p[i] === '^') {
        out += '^';
        i++;
      }
      if (p[i] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(') {
      if (p.startsWith('(?i)', i)) {
        ci = true;
        i += 4;
        continue;
      }
      stack.push(ci);
      if (p.startsWith('(?i:', i)) {
        ci = true;
        out += '(?:';
        i += 4;
      } else if (p.startsWith('(?P<', i)) {
        out += '(?<';
        i += 4;
      } else {
        out += c;
        i++;
      }
      continue;
    }
    if (c === ')') {
      ci = stack.pop() ?? false;
      out += c;
      i++;
      continue;
    }
    out += ci && isLetter(c) ? `[${c}${swap(c)}]` : c;
    i++;
  }
  return compiles(out) ? out : undefined;
}

/**
 * Makes every `pattern` of a schema one JavaScript can compile: kept when it compiles,
 * translated from Go syntax when possible, else removed; each change is reported.
 */
function fixPatterns(schema: any, pointer: string, report: (pointer: string, action: 'translated' | 'skipped', message: string) => void): void {
  if (!schema || typeof schema !== 'object') return;
  if (Array.isArray(schema)) {
    schema.forEach((s, i) => fixPatterns(s, `${pointer}/${i}`, report));
    return;
  }
  if (typeof schema.pattern === 'string' && !compiles(schema.pattern)) {
    const js = translateGoPattern(schema.pattern);
    if (js !== undefined) {
      report(`${pointer}/pattern`, 'translated', `Go pattern ${JSON.stringify(schema.pattern)} checked as JavaScript ${JSON.stringify(js)}`);
      schema.pattern = js;
    } else {
      report(`${pointer}/pattern`, 'skipped', `Go pattern ${JSON.stringify(schema.pattern)} has no JavaScript translation; not checked`);
      delete schema.pattern;
    }
  }
  for (const [k, v] of Object.entries<any>(schema)) {
    if (k !== 'pattern' && v && typeof v === 'object') fixPatterns(v, `${pointer}/${pointerToken(k)}`, report);
  }
}

/** Some upstream CRDs (Route) carry `anyOf: null`, which is not JSON Schema; drop those keys. */
function dropNullCombinators(schema: any): void {
  if (!schema || typeof schema !== 'object') return;
  for (const key of Object.keys(schema)) {
    const v = schema[key];
    if (v === null && (key === 'anyOf' || key === 'oneOf' || key === 'allOf')) delete schema[key];
    // OADP's DPA has `nullable` on int-or-string maps without `type`, which ajv refuses to compile.
    else if (key === 'nullable' && schema.type === undefined) delete schema[key];
    else if (typeof v === 'object') dropNullCombinators(v);
  }
}

/**
 * Removes the `description` of every schema and subschema (most of the text of the Kubernetes
 * and CRD schemas; kept, they are parsed on every warm run). A description checks nothing, so no
 * verdict or error changes. Only schema positions are visited (`properties`, `items`,
 * `additionalProperties`, the combinators, `definitions`), never data such as `enum`, `default`
 * or `example` values.
 */
function dropDescriptions(schema: any): void {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return;
  if (typeof schema.description === 'string') delete schema.description;
  for (const k of ['properties', 'patternProperties', 'definitions']) {
    const m = schema[k];
    if (m && typeof m === 'object' && !Array.isArray(m)) for (const child of Object.values(m)) dropDescriptions(child);
  }
  for (const k of ['items', 'additionalProperties', 'not', 'additionalItems']) {
    if (Array.isArray(schema[k])) schema[k].forEach(dropDescriptions);
    else dropDescriptions(schema[k]);
  }
  for (const k of ['anyOf', 'oneOf', 'allOf']) if (Array.isArray(schema[k])) schema[k].forEach(dropDescriptions);
}

/**
 * Adds `additionalProperties: false` to every object schema that lists its properties and does
 * not preserve unknown fields. Combinator branches (anyOf/oneOf/allOf/not) are left alone: their
 * `properties` only add constraints to the parent's.
 */
function tighten(schema: any): void {
  if (!schema || typeof schema !== 'object') return;
  if (schema.properties && schema.additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields']) {
    schema.additionalProperties = false;
  }
  for (const child of Object.values<any>(schema.properties ?? {})) tighten(child);
  if (schema.items && !Array.isArray(schema.items)) tighten(schema.items);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') tighten(schema.additionalProperties);
}

/** Turns ajv's errors into one message per problem, dropping the noise of failed union branches. */
function summarize(errors: readonly SchemaError[]): SchemaIssue[] {
  const out: SchemaIssue[] = [];
  const seen = new Set<string>();
  const deep = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf');
  const list = deep.length ? deep : errors;
  for (const e of list) {
    let message: string;
    switch (e.keyword) {
      case 'additionalProperties':
        message = `unknown field "${(e.params as any).additionalProperty}" (not in the schema; the API server would drop it)`;
        break;
      case 'enum':
        message = `must be one of ${((e.params as any).allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
        break;
      case 'required':
        message = `missing required field "${(e.params as any).missingProperty}"`;
        break;
      default:
        message = e.message ?? e.keyword;
    }
    const key = `${e.instancePath}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ pointer: e.instancePath || '/', message });
  }
  return out;
}
