import * as fs from 'fs';
import * as path from 'path';
import { readFolderFile, scanFolder } from '../core/read-folder';
import { loadAllYaml, loadYaml, stripBom, YamlInputError } from '../core/safe-yaml';
import { apiGroup } from '../gitops/delivery-annotations';
import { externalsAsObjects, isExternalsDocument } from '../refs/externals-file';
import { fastParseYaml } from './_fast-yaml';
import { DiffInputError } from './diff-input-error';

/** One Kubernetes object of a synthesized tree. */
export interface TreeObject {
  /** Identity inside the tree: scope (environment), API group, kind, namespace, name. */
  readonly key: string;
  readonly manifest: any;
  /** File path relative to the tree root (`production/forum/deployment.forum.web.yaml`). */
  readonly file: string;
  /** Application folder: the file's folder relative to the root (`production/forum`), `.` at the root. */
  readonly app: string;
}

/** The files of a tree: relative path -> text. */
export type TreeFiles = Map<string, string>;

const MAX_ERRORS = 20;

/**
 * Reads every `.yaml`/`.yml`/`.json` file below a folder (hidden folders and node_modules are
 * skipped), once, with the shared walker and reader (lib/core/read-folder.ts): linked folders,
 * links out of the tree, dangling links, FIFOs and devices, folders named `*.yaml`, unreadable
 * files, files over the size limit and bytes that are not UTF-8 are problems, never read.
 * Throws {@link DiffInputError} listing those problems (one line each), when the path is not a
 * folder, or when the folder holds files but none of them is YAML (so it is not a synthesized
 * tree). An empty folder is an empty tree. A leading BOM is removed from every file.
 */
export function readTree(dir: string): TreeFiles {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new DiffInputError(`${dir} does not exist; ocpkit diff compares two synthesized trees (folders such as dist/)`);
  }
  if (!stat.isDirectory()) throw new DiffInputError(`${dir} is not a folder; ocpkit diff compares two synthesized trees (folders such as dist/)`);
  const scan = scanFolder(dir);
  const problems = scan.problems.map((p) => `${path.join(dir, p.rel)}: ${p.message}`);
  const files: TreeFiles = new Map();
  for (const f of scan.files) {
    const read = readFolderFile(f);
    if ('problem' in read) problems.push(`${path.join(dir, read.problem.rel)}: ${read.problem.message}`);
    else files.set(f.rel, read.text);
  }
  if (problems.length) {
    const shown = problems.slice(0, MAX_ERRORS);
    const more = problems.length > MAX_ERRORS ? `\n  ... and ${problems.length - MAX_ERRORS} more` : '';
    throw new DiffInputError(`${problems.length} problem${problems.length === 1 ? '' : 's'} in ${dir}:\n  ${shown.join('\n  ')}${more}`);
  }
  if (files.size === 0 && scan.others > 0) {
    throw new DiffInputError(`${dir} holds ${scan.others} file${scan.others === 1 ? '' : 's'} but no YAML manifests; it is not a synthesized tree (run \`ocpkit synth\` to make one)`);
  }
  return files;
}

/** Scope of a file: the folders above its application folder (the environment in `dist/`). */
export function scopeOf(rel: string): string {
  const parts = rel.split('/');
  return parts.slice(0, -2).join('/');
}

/** Application folder of a file (`production/forum`), `.` for files at the root. */
export function appOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '.' : rel.slice(0, i);
}

/** Identity of an object: scope, API group, kind, namespace and name (the version is not part of it). */
export function objectKey(scope: string, manifest: any): string {
  return `${scope}\u0000${apiGroup(manifest.apiVersion)}\u0000${manifest.kind}\u0000${manifest.metadata?.namespace ?? ''}\u0000${manifest.metadata.name}`;
}

/** Cheap test that a file is plausibly a manifest (used before trusting an unchanged file unparsed). */
export function looksLikeManifest(text: string): boolean {
  return text.includes('kind') && text.includes('apiVersion');
}

/** Number of YAML documents in a text, without parsing it. */
export function countDocuments(text: string): number {
  let n = text.trim().length > 0 && !text.startsWith('---') ? 1 : 0;
  const re = /(^|\n)---(?=\s|$)/g;
  while (re.exec(text)) n++;
  return n;
}

/**
 * Parses files into objects and collects every problem: YAML that does not parse, documents that
 * are not Kubernetes objects (no apiVersion, kind or metadata.name), and objects defined twice.
 * Throws one DiffInputError listing them (at most 20 lines).
 */
export class TreeParser {
  public readonly errors: string[] = [];
  public readonly objects = new Map<string, TreeObject>();

  constructor(private readonly root: string) {}

  public parse(rel: string, text: string): void {
    let docs: unknown[];
    try {
      // files from readTree have no BOM already; trees from elsewhere (git) are read the same way
      const body = stripBom(text);
      if (rel.endsWith('.json')) {
        const doc = loadYaml(body, { json: true });
        docs = doc === undefined ? [] : [doc];
      } else {
        const fast = fastParseYaml(body);
        docs = fast !== undefined ? [fast] : loadAllYaml(body);
      }
    } catch (e) {
      if (!(e instanceof YamlInputError)) throw e;
      const what = rel.endsWith('.json') && e.syntax ? e.at(this.where(rel)).replace('YAML does not parse', 'JSON does not parse') : e.at(this.where(rel));
      this.errors.push(what);
      return;
    }
    let scope = scopeOf(rel);
    const app = appOf(rel);
    // `<env>/externals.yaml` (lib/refs): each entry becomes an `External` pseudo-object of the
    // environment, so a review shows "added External gitlab-system/secret/x" when a change needs
    // a new object created outside the stack, and changed keys or notes as field changes.
    if (docs.length === 1 && isExternalsDocument(docs[0])) {
      docs = externalsAsObjects(docs[0]);
      scope = app;
    }
    docs.forEach((doc: any, i) => {
      if (doc === null || doc === undefined) return;
      const at = docs.length > 1 ? `${this.where(rel)}#${i}` : this.where(rel);
      const missing = typeof doc !== 'object' || Array.isArray(doc)
        ? 'a mapping with apiVersion, kind and metadata.name'
        : ['apiVersion', 'kind'].filter((k) => typeof doc[k] !== 'string' || doc[k] === '').concat(typeof doc.metadata?.name === 'string' && doc.metadata.name ? [] : ['metadata.name']).join(', ');
      if (missing) {
        this.errors.push(`${at}: not a Kubernetes object (missing ${missing})`);
        return;
      }
      const key = objectKey(scope, doc);
      const previous = this.objects.get(key);
      if (previous) {
        this.errors.push(`${at}: ${doc.kind} ${doc.metadata.namespace ? `${doc.metadata.namespace}/` : ''}${doc.metadata.name} is also defined in ${this.where(previous.file)}`);
        return;
      }
      this.objects.set(key, { key, manifest: doc, file: rel, app });
    });
  }

  /** Throws the collected problems, if any. */
  public throwIfAny(): void {
    if (!this.errors.length) return;
    const shown = this.errors.slice(0, MAX_ERRORS);
    const more = this.errors.length > MAX_ERRORS ? `\n  ... and ${this.errors.length - MAX_ERRORS} more` : '';
    throw new DiffInputError(`${this.errors.length} problem${this.errors.length === 1 ? '' : 's'} in ${this.root}:\n  ${shown.join('\n  ')}${more}`);
  }

  private where(rel: string): string {
    return path.join(this.root, rel);
  }
}
