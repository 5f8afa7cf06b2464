import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../core/errors';
import { readFolderFile, scanFolder } from '../core/read-folder';
import { loadAllYaml, YamlInputError } from '../core/safe-yaml';
import { checkPolicies } from '../policy/check-policies';
import { PolicyObject } from '../policy/policy';
import { isExternalsDocument, isExternalsPath } from '../refs/externals-file';
import { SchemaValidator } from '../schema/validator';

/** Options of {@link validateTree}. */
export interface ValidateTreeOptions {
  /** Extra CRD files or folders. @default none */
  readonly extraCrds?: readonly string[];
  /** Shared schema folder. @default located automatically */
  readonly schemasDir?: string;
  /**
   * OpenShift minor version whose schema profile to validate against (`'4.14'`): a field newer
   * than that OpenShift is an error. @default none: the newest shared schemas
   */
  readonly platform?: string;
  /**
   * Also run the policy checks of lib/policy (the same ones every synth runs), honouring waiver
   * annotations. In an ocpkit output tree (`<environment>/<app>/*.yaml`, each environment with a
   * `root/` folder) each environment is checked as its own cluster; any other folder is one cluster.
   * @default false
   */
  readonly policy?: boolean;
}

/** Result of {@link validateTree}. */
export interface TreeReport {
  readonly files: number;
  readonly documents: number;
  /** One line per error: `file:#index apiVersion/kind name: /json/path: message`. */
  readonly errors: readonly string[];
}

/**
 * Every `.yaml`/`.yml`/`.json` file below a folder, sorted, as the shared walker lists them
 * (lib/core/read-folder.ts: no linked folders, nothing outside the tree, no FIFOs or devices,
 * hidden folders and node_modules skipped).
 */
export function manifestFiles(dir: string): string[] {
  checkFolder(dir);
  return scanFolder(dir).files.map((f) => path.join(dir, f.rel.split('/').join(path.sep)));
}

function checkFolder(dir: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new UsageError(`${dir} is not a folder`);
  }
  if (!st.isDirectory()) throw new UsageError(`${dir} is not a folder`);
}

/** Validates every Kubernetes document in a folder (kubeconform-style, strict about unknown fields). */
export function validateTree(dir: string, options: ValidateTreeOptions = {}): TreeReport {
  const validator = new SchemaValidator({ schemasDir: options.schemasDir, extraCrds: options.extraCrds, platform: options.platform });
  checkFolder(dir);
  const scan = scanFolder(dir);
  const files = scan.files.map((f) => path.join(dir, f.rel.split('/').join(path.sep)));
  const errors: string[] = [];
  const shown = (rel: string) => path.relative(process.cwd(), path.join(dir, rel)) || rel;
  // one line per file the walker refused (linked folders, FIFOs, folders named *.yaml ...)
  for (const p of scan.problems) errors.push(`${shown(p.rel)}: ${p.message}`);
  let documents = 0;
  const policyObjects: PolicyObject[] = [];
  const labels = new Map<string, string>();
  // `<env>/externals.yaml` (lib/refs) is no manifest: it does not count for the layout, and is skipped below
  const groupOf = environmentGrouping(dir, files.filter((f) => !isExternalsPath(path.relative(dir, f).split(path.sep).join('/'))));
  for (const [n, file] of files.entries()) {
    const rel = path.relative(process.cwd(), file) || file;
    const read = readFolderFile(scan.files[n]);
    if ('problem' in read) {
      errors.push(`${shown(read.problem.rel)}: ${read.problem.message}`);
      continue;
    }
    let docs: unknown[];
    try {
      docs = loadAllYaml(read.text, { json: file.endsWith('.json') });
    } catch (e) {
      if (!(e instanceof YamlInputError)) throw e;
      errors.push(e.at(rel));
      continue;
    }
    docs.forEach((doc: any, i) => {
      if (doc === null || doc === undefined) return;
      if (isExternalsDocument(doc)) return; // the externals list of an environment (lib/refs/externals-file.ts), not an object
      documents++;
      const what = `${doc?.apiVersion ?? '?'}/${doc?.kind ?? '?'} ${doc?.metadata?.name ?? '?'}`;
      for (const issue of validator.validate(doc)) errors.push(`${rel}#${i} ${what}: ${issue.pointer}: ${issue.message}`);
      if (options.policy && doc && typeof doc === 'object' && !Array.isArray(doc)) {
        policyObjects.push({ manifest: doc, path: `${rel}#${i}`, group: groupOf(file), file: path.relative(dir, file).split(path.sep).join('/') });
        labels.set(`${rel}#${i}`, what);
      }
    });
  }
  if (options.policy) {
    for (const p of checkPolicies(policyObjects)) errors.push(`${p.path} ${labels.get(p.path) ?? ''}: ${p.field}: ${p.message}`);
  }
  return { files: files.length, documents, errors };
}

/**
 * How documents are grouped into clusters for cross-object policies: by environment folder in
 * an ocpkit output tree (every file at `<env>/<app>/<file>` and every environment with a `root/`
 * app-of-apps folder), else the whole folder is one cluster.
 */
function environmentGrouping(dir: string, files: readonly string[]): (file: string) => string {
  const rels = files.map((f) => path.relative(dir, f).split(path.sep));
  const envs = new Set(rels.map((r) => r[0]));
  const ocpkitLayout = rels.length > 0 && rels.every((r) => r.length === 3)
    && [...envs].every((e) => rels.some((r) => r[0] === e && r[1] === 'root'));
  return ocpkitLayout ? (file) => path.relative(dir, file).split(path.sep)[0] : () => '.';
}
