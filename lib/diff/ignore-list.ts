import * as fs from 'fs';
import { ioReason } from '../core/read-folder';
import { loadYaml, readYamlFile, YamlInputError } from '../core/safe-yaml';
import { DiffInputError } from './diff-input-error';
import { FieldPath, formatPath } from './field-path';

/** Default name of the in-repository ignore list, looked up in the current folder. */
export const DEFAULT_IGNORE_FILE = '.ocpkit-diff-ignore.yaml';

/**
 * One entry of the ignore list. `kind`, `apiVersion`, `namespace` and `name` are glob patterns
 * (`*` matches any run of characters); an omitted one matches everything. Without `paths` the
 * whole resource is ignored; with `paths`, only those fields (and everything below them).
 */
export interface IgnoreRule {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  /**
   * Field path patterns as the diff prints them (`spec.replicas`, `metadata.annotations["x/y"]`,
   * `spec.template.spec.containers[name=*].image`): `*` matches within one step, `**` across steps.
   */
  readonly paths?: readonly string[];
  /** Why; shown nowhere, for the people who maintain the list. */
  readonly reason?: string;
}

const RULE_KEYS = new Set(['apiVersion', 'kind', 'namespace', 'name', 'paths', 'reason']);

/** A compiled ignore list. */
export class IgnoreList {
  /**
   * Loads and checks an ignore file; a missing file gives an empty list when `optional`. The file
   * is read by the safe YAML reader (lib/core/safe-yaml.ts: regular file, size, UTF-8, BOM, alias
   * budget, no `__proto__` keys); every refusal is one line naming the file and line.
   */
  public static load(file: string, optional = false): IgnoreList {
    let exists: boolean;
    try {
      fs.lstatSync(file);
      exists = true;
    } catch {
      exists = false;
    }
    if (!exists) {
      if (optional) return new IgnoreList([]);
      throw new DiffInputError(`ignore list ${file} does not exist`);
    }
    let doc: unknown;
    try {
      doc = loadYaml(readYamlFile(file));
    } catch (e) {
      if (e instanceof YamlInputError) throw new DiffInputError(`ignore list ${e.at(file)}`);
      throw new DiffInputError(`ignore list ${file} cannot be read: ${ioReason(e)}`);
    }
    return IgnoreList.fromDocument(doc, file);
  }

  /** Checks a parsed ignore document (`{ ignore: [ {kind, name, paths}, ... ] }`). */
  public static fromDocument(doc: unknown, where = DEFAULT_IGNORE_FILE): IgnoreList {
    if (doc === null || doc === undefined) return new IgnoreList([]);
    const problems: string[] = [];
    const list = (doc as any)?.ignore;
    if (typeof doc !== 'object' || Array.isArray(doc) || !Array.isArray(list)) {
      throw new DiffInputError(`ignore list ${where}: expected a mapping with a list \`ignore:\` of {apiVersion?, kind?, namespace?, name?, paths?} entries`);
    }
    for (const k of Object.keys(doc as object)) if (k !== 'ignore') problems.push(`${k}: unknown key (only \`ignore\` is allowed)`);
    list.forEach((rule: any, i: number) => {
      const at = `ignore[${i}]`;
      if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
        problems.push(`${at}: expected a mapping, got ${JSON.stringify(rule)}`);
        return;
      }
      for (const k of Object.keys(rule)) {
        if (!RULE_KEYS.has(k)) problems.push(`${at}.${k}: unknown key (allowed: ${[...RULE_KEYS].join(', ')})`);
      }
      for (const k of ['apiVersion', 'kind', 'namespace', 'name', 'reason']) {
        if (rule[k] !== undefined && (typeof rule[k] !== 'string' || rule[k] === '')) problems.push(`${at}.${k}: expected a non-empty string, got ${JSON.stringify(rule[k])}`);
      }
      if (rule.paths !== undefined && (!Array.isArray(rule.paths) || rule.paths.length === 0 || !rule.paths.every((p: unknown) => typeof p === 'string' && p !== ''))) {
        problems.push(`${at}.paths: expected a non-empty list of field paths such as "spec.replicas", got ${JSON.stringify(rule.paths)}`);
      }
      if (rule.apiVersion === undefined && rule.kind === undefined && rule.namespace === undefined && rule.name === undefined && rule.paths === undefined) {
        problems.push(`${at}: matches every resource; give at least one of kind, name, namespace, apiVersion or paths`);
      }
    });
    if (problems.length) throw new DiffInputError(`ignore list ${where} is invalid:\n  ${problems.join('\n  ')}`);
    return new IgnoreList(list as IgnoreRule[]);
  }

  private readonly compiled: { match: (m: any) => boolean; paths?: RegExp[] }[];

  constructor(public readonly rules: readonly IgnoreRule[]) {
    this.compiled = rules.map((r) => {
      const api = r.apiVersion ? glob(r.apiVersion) : undefined;
      const kind = r.kind ? glob(r.kind) : undefined;
      const ns = r.namespace ? glob(r.namespace) : undefined;
      const name = r.name ? glob(r.name) : undefined;
      return {
        match: (m: any) =>
          (!api || api.test(String(m?.apiVersion ?? ''))) &&
          (!kind || kind.test(String(m?.kind ?? ''))) &&
          (!ns || ns.test(String(m?.metadata?.namespace ?? ''))) &&
          (!name || name.test(String(m?.metadata?.name ?? ''))),
        paths: r.paths?.map(pathGlob),
      };
    });
  }

  public get size(): number {
    return this.rules.length;
  }

  /** True when a rule without `paths` matches the resource: it is left out of the diff entirely. */
  public ignoresResource(manifest: unknown): boolean {
    return this.compiled.some((c) => !c.paths && c.match(manifest));
  }

  /** The path patterns that apply to a resource, to test with {@link IgnoreList.ignoresPath}. */
  public pathPatternsFor(manifest: unknown): RegExp[] {
    const out: RegExp[] = [];
    for (const c of this.compiled) if (c.paths && c.match(manifest)) out.push(...c.paths);
    return out;
  }

  /** True when a field path is covered by one of the patterns (the field or a parent of it). */
  public static ignoresPath(patterns: readonly RegExp[], path: FieldPath): boolean {
    if (patterns.length === 0) return false;
    const text = formatPath(path);
    return patterns.some((p) => p.test(text));
  }
}

function escape(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** Whole-string glob: `*` any run of characters. */
function glob(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escape).join('.*')}$`);
}

/** Path glob: `**` anything, `*` anything within one step; matches the field or any field below it. */
function pathGlob(pattern: string): RegExp {
  const body = pattern
    .split('**')
    .map((part) => part.split('*').map(escape).join('[^.\\[\\]]*'))
    .join('.*');
  return new RegExp(`^${body}(?=$|[.\\[])`);
}
