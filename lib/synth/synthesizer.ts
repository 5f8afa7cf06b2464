import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import * as yaml from 'js-yaml';
import { OcpkitError, Problem } from '../core/errors';
import { Cluster } from '../gitops/cluster';
import { applyDeliveryAnnotations } from '../gitops/delivery-annotations';
import { GitOpsApp } from '../gitops/gitops-app';
import { markManagedNamespace } from '../gitops/managed-namespace';
import { synthPolicyCheck } from '../policy/synth-policy-check';
import { normalizeScope } from '../schema/scope';
import { SchemaValidator } from '../schema/validator';
import { containedFile, fileName, objectNameProblems } from './_object-names';
import { fastDump } from './_yaml';

export { fileName } from './_object-names';

/** One synthesized object and where it came from. */
export interface SynthesizedObject {
  /** The manifest, as written. */
  readonly manifest: any;
  /** Construct path of the object. */
  readonly path: string;
  /** File path relative to the output root (`production/forum/deployment.forum.web.yaml`). */
  readonly file: string;
}

/** The result of synthesizing one or more clusters. */
export interface SynthesisResult {
  readonly objects: readonly SynthesizedObject[];
  /** Relative file path -> YAML text, sorted by path. */
  readonly files: ReadonlyMap<string, string>;
}

/** Options of {@link synthesize}. */
export interface SynthesizeOptions {
  /**
   * Validator to check every object with; `false` turns schema validation off (tests of other
   * failure modes only).
   * @default a SchemaValidator over the shared schemas
   */
  readonly validator?: SchemaValidator | false;
  /**
   * Run the policy checks of lib/policy (no literal Secrets, tenant isolation, no host access,
   * pinned images, encrypted backups, confined AppProjects, resource requests). Waive single
   * objects with `Policy.waive(construct, id, reason)`; `false` is for tests of other failure
   * modes only.
   * @default true
   */
  readonly policies?: boolean;
}

/** Checks run over the whole synthesized set, after schema validation (policy, coverage). */
export type SynthCheck = (objects: readonly SynthesizedObject[], clusters: readonly Cluster[]) => Problem[];
const checks: SynthCheck[] = [];

/** Registers a check that every synth runs over all objects. */
export function registerSynthCheck(check: SynthCheck): void {
  if (!checks.includes(check)) checks.push(check);
}

/**
 * Synthesizes clusters into YAML files, in one pass over each construct tree (linear in the
 * number of constructs, unlike cdk8s' `App.synth()`):
 *
 * 1. runs every construct's validations (`node.addValidation`), collecting all errors;
 * 2. renders every ApiObject and assigns it a folder and a stable file name
 *    (`<environment>/<folder>/<kind>.<namespace>.<name>.yaml`);
 * 3. validates every object against its schema;
 *
 * and throws one OcpkitError listing every problem of every cluster if anything failed.
 * Nothing is written here; see `writeTree`.
 */
export function synthesize(clusters: Cluster | readonly Cluster[], options: SynthesizeOptions = {}): SynthesisResult {
  const list = Array.isArray(clusters) ? clusters : [clusters as Cluster];
  const problems: Problem[] = [];
  const objects: SynthesizedObject[] = [];
  const byFile = new Map<string, string>();
  const byFolded = new Map<string, { path: string; file: string }>();
  const validator = options.validator === false ? undefined : options.validator ?? new SchemaValidator();
  const envs = new Set<string>();

  for (const cluster of list) {
    if (envs.has(cluster.environment)) {
      problems.push({ path: cluster.node.path || cluster.clusterName, field: 'environment', message: `environment "${cluster.environment}" is synthesized twice` });
    }
    envs.add(cluster.environment);
    const apiObjects: ApiObject[] = [];
    for (const c of walk(cluster)) {
      for (const msg of c.node.validate()) problems.push({ path: c.node.path, field: '', message: msg });
      if (c instanceof ApiObject) apiObjects.push(c);
    }
    for (const obj of apiObjects) {
      const path = obj.node.path;
      let manifest: any;
      try {
        manifest = applyDeliveryAnnotations(markManagedNamespace(normalizeScope(obj.toJson()), cluster.argoNamespace));
      } catch (e) {
        problems.push({ path, field: '', message: `cannot render: ${(e as Error).message}` });
        continue;
      }
      const folder = GitOpsApp.folderOf(obj);
      if (!folder) {
        problems.push({ path, field: '', message: 'object is not inside a GitOpsApp, so no Argo CD Application would sync it; define it under a GitOpsApp (or a Tenant)' });
        continue;
      }
      // Names become file names: only valid Kubernetes names, and only paths inside the output.
      const nameProblems = objectNameProblems(manifest);
      if (nameProblems.length) {
        for (const p of nameProblems) problems.push({ path, field: p.field, message: p.message });
        continue;
      }
      const file = containedFile(cluster.environment, folder, fileName(manifest));
      if (!file) {
        problems.push({ path, field: 'metadata.name', message: `the output file of ${manifest.kind} "${manifest.metadata.name}" would fall outside the output folder; environment, application and object names must be plain names` });
        continue;
      }
      const previous = byFile.get(file);
      if (previous) {
        problems.push({ path, field: 'metadata.name', message: `${manifest.kind} "${manifest.metadata?.name}" is also defined at ${previous}; names must be unique per kind and namespace` });
        continue;
      }
      // Case-insensitive file systems (macOS, Windows) would make two such files one.
      const folded = file.toLowerCase();
      const twin = byFolded.get(folded);
      if (twin) {
        problems.push({ path, field: 'metadata.name', message: `${manifest.kind} "${manifest.metadata.name}" differs only in letter case from the object at ${twin.path} (${twin.file}); on case-insensitive file systems one file would overwrite the other, rename one of them` });
        continue;
      }
      byFile.set(file, path);
      byFolded.set(folded, { path, file });
      if (validator) {
        if (!manifest.metadata?.namespace && validator.scopeOf(manifest.apiVersion, manifest.kind) === 'Namespaced') {
          problems.push({ path, field: 'metadata.namespace', message: `${manifest.kind} "${manifest.metadata?.name}" is namespaced but has no namespace; set one or define it in a GitOpsApp with a namespace` });
        }
        for (const issue of validator.validate(manifest)) {
          problems.push({ path, field: issue.pointer, message: `${issue.message} (${manifest.apiVersion} ${manifest.kind} "${manifest.metadata?.name}")` });
        }
      }
      objects.push({ manifest, path, file });
    }
  }
  if (options.policies !== false) problems.push(...synthPolicyCheck(objects, list));
  for (const check of checks) problems.push(...check(objects, list));
  if (problems.length > 0) throw new OcpkitError(problems, `synth failed with ${problems.length} problem${problems.length === 1 ? '' : 's'}`);

  objects.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const files = new Map<string, string>();
  for (const o of objects) files.set(o.file, toYaml(o.manifest));
  return { objects, files };
}

/** Every construct below (and including) the root, depth-first, children in definition order. */
export function walk(root: IConstruct): IConstruct[] {
  const out: IConstruct[] = [];
  const stack: IConstruct[] = [root];
  while (stack.length) {
    const c = stack.pop()!;
    out.push(c);
    const children = c.node.children;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return out;
}

/** YAML text of one manifest, deterministic (keys already sorted by cdk8s; no line folding). */
export function toYaml(manifest: unknown): string {
  // fastDump writes exactly what js-yaml would, faster; it declines what it cannot reproduce.
  return fastDump(manifest) ?? yaml.dump(manifest, { noRefs: true, lineWidth: -1, sortKeys: false });
}
