import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import * as yaml from 'js-yaml';
import { ValidatorCache } from './_validator-cache';
import { CORE_DEFINITIONS_FILE, CRD_FILES, gvkKey } from './catalog';
import { locateSchemas } from './locate';
import { isClusterScoped } from './scope';

/** One schema violation inside one object. */
export interface SchemaIssue {
  /** JSON pointer inside the object (`/spec/template/spec/containers/0/image`). */
  readonly pointer: string;
  /** What is wrong, in API-server words. */
  readonly message: string;
}

/** Options for {@link SchemaValidator}. */
export interface SchemaValidatorOptions {
  /**
   * Folder holding the upstream schemas (the layout of `shared/crds`).
   * @default found by {@link locateSchemas}
   */
  readonly schemasDir?: string;
  /**
   * Extra CRD files or folders of them (kubeconform's `--schemas`); their kinds take precedence.
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
   * Folder where compiled validators are kept between runs (keyed by the schemas' contents), or
   * `false` to compile every run.
   * @default `OCPKIT_CACHE_DIR` (`off` disables), else node_modules/.cache/ocpkit/validators
   */
  readonly cacheDir?: string | false;
}

const CORE_ID = 'k8s.json';
const OBJECT_META = `${CORE_ID}#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;

/**
 * Validates Kubernetes objects against the Kubernetes 1.27 core schema and the upstream CRD
 * schemas. Schemas are loaded and compiled lazily, once per kind, so a run pays only for the
 * kinds it uses.
 */
export class SchemaValidator {
  public readonly schemasDir: string;
  private readonly strict: boolean;
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction | null>();
  private readonly crdFiles = new Map<string, string>();
  private readonly crdCache = new Map<string, any[]>();
  private coreKinds?: Map<string, string>;
  private coreDefinitions?: Record<string, any>;
  private coreAdded = false;
  private readonly crdScopes = new Map<string, string>();
  private readonly cache: ValidatorCache;

  constructor(options: SchemaValidatorOptions = {}) {
    this.schemasDir = locateSchemas(options.schemasDir);
    this.strict = options.strict ?? true;
    const cacheDir = options.cacheDir ?? ValidatorCache.defaultDir();
    this.cache = new ValidatorCache(cacheDir, __filename);
    // `optimize: false`: ajv's code optimizer costs about a third of compile time and does not
    // make validating these schemas measurably faster; `source` keeps code for the cache.
    this.ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true, allowUnionTypes: true, code: { optimize: false, source: cacheDir !== false } });
    for (const [key, rel] of Object.entries(CRD_FILES)) this.crdFiles.set(key, path.join(this.schemasDir, rel));
    for (const extra of options.extraCrds ?? []) this.addCrdSource(extra);
  }

  /** True when a schema is known for the kind. */
  public knows(apiVersion: string, kind: string): boolean {
    const key = gvkKey(apiVersion, kind);
    return this.crdFiles.has(key) || this.core().has(key);
  }

  /**
   * Validates one object. Returns the issues found (empty when valid). An unknown kind is an
   * issue too: nothing goes out unchecked.
   */
  public validate(obj: any): SchemaIssue[] {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return [{ pointer: '', message: 'document is not an object' }];
    if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      return [{ pointer: '', message: 'apiVersion and kind must be strings' }];
    }
    const fn = this.validatorFor(obj.apiVersion, obj.kind);
    if (!fn) return [{ pointer: '', message: `no schema known for ${obj.apiVersion} ${obj.kind} (not in Kubernetes 1.27 nor in the CRDs of ${this.schemasDir})` }];
    const issues = fn(obj) ? [] : summarize(fn.errors ?? []);
    if (obj.metadata?.namespace !== undefined && this.scopeOf(obj.apiVersion, obj.kind) === 'Cluster') {
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
    if (this.crdFiles.has(key)) {
      this.validatorFor(apiVersion, kind);
      return this.crdScopes.get(key) as 'Cluster' | 'Namespaced' | undefined;
    }
    if (!this.core().has(key)) return undefined;
    return isClusterScoped(apiVersion, kind) ? 'Cluster' : 'Namespaced';
  }

  private validatorFor(apiVersion: string, kind: string): ValidateFunction | null {
    const key = gvkKey(apiVersion, kind);
    let fn = this.compiled.get(key);
    if (fn !== undefined) return fn;
    fn = null;
    const crdFile = this.crdFiles.get(key);
    const coreFile = path.join(this.schemasDir, CORE_DEFINITIONS_FILE);
    const cacheKey = this.cache.key(crdFile ? [coreFile, crdFile] : [coreFile], key, String(this.strict));
    const hit = this.cache.get(cacheKey);
    if (hit) {
      if (hit.scope) this.crdScopes.set(key, hit.scope);
      this.compiled.set(key, hit.fn);
      return hit.fn;
    }
    if (crdFile) {
      const schema = this.crdSchema(crdFile, apiVersion, kind);
      if (schema) {
        this.ensureCore();
        fn = this.ajv.compile(schema);
      }
    } else {
      const def = this.core().get(key);
      if (def) this.ensureCore();
      if (def) fn = this.ajv.getSchema(`${CORE_ID}#/definitions/${def}`) ?? null;
    }
    if (fn) this.cache.put(cacheKey, this.ajv, fn, this.crdScopes.get(key));
    this.compiled.set(key, fn);
    return fn;
  }

  private crdSchema(file: string, apiVersion: string, kind: string): any | undefined {
    let docs = this.crdCache.get(file);
    if (!docs) {
      docs = (yaml.loadAll(fs.readFileSync(file, 'utf8')) as any[]).filter((d) => d?.kind === 'CustomResourceDefinition');
      this.crdCache.set(file, docs);
    }
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    for (const crd of docs) {
      if (crd.spec?.group !== group || crd.spec?.names?.kind !== kind) continue;
      const v = (crd.spec.versions ?? []).find((x: any) => x.name === version);
      const schema = v?.schema?.openAPIV3Schema ?? crd.spec.validation?.openAPIV3Schema;
      if (!schema) continue;
      this.crdScopes.set(gvkKey(apiVersion, kind), crd.spec.scope);
      const copy = JSON.parse(JSON.stringify(schema));
      dropNullCombinators(copy);
      // Some CRDs (Multus NAD) do not list apiVersion/kind; the API server always accepts them.
      copy.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, ...(copy.properties ?? {}), metadata: { $ref: OBJECT_META } };
      if (this.strict) tighten(copy);
      return copy;
    }
    return undefined;
  }

  /** Registers the (tightened) core definitions with ajv, once; only compiling needs them. */
  private ensureCore(): void {
    if (this.coreAdded) return;
    this.core();
    const definitions = this.coreDefinitions!;
    if (this.strict) for (const def of Object.values<any>(definitions)) tighten(def);
    this.ajv.addSchema({ $id: CORE_ID, definitions });
    this.coreAdded = true;
  }

  /** Loads the core definitions once and maps `apiVersion/Kind` to definition names. */
  private core(): Map<string, string> {
    if (this.coreKinds) return this.coreKinds;
    const doc = JSON.parse(fs.readFileSync(path.join(this.schemasDir, CORE_DEFINITIONS_FILE), 'utf8'));
    const kinds = new Map<string, string>();
    for (const [name, def] of Object.entries<any>(doc.definitions)) {
      for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
        const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
        // Kinds such as DeleteOptions list every group; only keep the definition's own.
        if (!kinds.has(gvkKey(apiVersion, gvk.kind)) || name.includes(`.${gvk.version}.${gvk.kind}`)) {
          kinds.set(gvkKey(apiVersion, gvk.kind), name);
        }
      }
    }
    this.coreDefinitions = doc.definitions;
    this.coreKinds = kinds;
    return kinds;
  }

  private addCrdSource(p: string): void {
    const files = fs.statSync(p).isDirectory()
      ? fs.readdirSync(p, { recursive: true }).map(String).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(p, f))
      : [p];
    for (const file of files) {
      let docs: any[];
      try {
        docs = yaml.loadAll(fs.readFileSync(file, 'utf8')) as any[];
      } catch {
        continue;
      }
      for (const crd of docs) {
        if (crd?.kind !== 'CustomResourceDefinition') continue;
        for (const v of crd.spec?.versions ?? []) {
          const apiVersion = `${crd.spec.group}/${v.name}`;
          this.crdFiles.set(gvkKey(apiVersion, crd.spec.names.kind), file);
        }
      }
    }
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
function summarize(errors: ErrorObject[]): SchemaIssue[] {
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
