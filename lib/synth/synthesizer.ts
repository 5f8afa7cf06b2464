import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import * as yaml from 'js-yaml';
import { isOcpkitError, OcpkitError, Problem } from '../core/errors';
import { containedFile, fileName, objectNameProblems } from './_object-names';
import { withFastRender } from './_render';
import { fastDump } from './_yaml';
import { CheckContext, ManifestTransform, Pipeline, Plugins, SynthCheck, SynthesizedObject, SynthRoot, TreeIndex, walk } from './pipeline';

export { fileName } from './_object-names';
export { walk } from './pipeline';
export type { SynthesizedObject } from './pipeline';

/** The result of synthesizing one or more roots (clusters). */
export interface SynthesisResult {
  readonly objects: readonly SynthesizedObject[];
  /** Relative file path -> YAML text, sorted by path. */
  readonly files: ReadonlyMap<string, string>;
}

/**
 * Runs the synthesis pipeline (see `./pipeline`) over roots, in one pass over each construct tree
 * (linear in the number of constructs, unlike cdk8s' `App.synth()`), and throws one OcpkitError
 * listing every problem of every root if anything failed. Nothing is written here; see
 * `writeTree`. Most callers want `synthesize` from `lib/pipeline-defaults`, which supplies the
 * default pipeline.
 */
export function runPipeline(roots: SynthRoot | readonly SynthRoot[], pipeline: Pipeline): SynthesisResult {
  // cdk8s' render, in one walk instead of two (same output; see ./_render)
  return withFastRender(() => synthesizeRoots(roots, pipeline));
}

function synthesizeRoots(roots: SynthRoot | readonly SynthRoot[], pipeline: Pipeline): SynthesisResult {
  const list: readonly SynthRoot[] = Array.isArray(roots) ? roots : [roots as SynthRoot];
  const problems: Problem[] = [];
  const objects: SynthesizedObject[] = [];
  const byFile = new Map<string, string>();
  const byFolded = new Map<string, string>();
  const envs = new Set<string>();
  const walks = new Map<SynthRoot, readonly IConstruct[]>();
  const verdicts = pipeline.verdicts?.open() ? pipeline.verdicts : undefined;

  try {
    for (const root of list) {
      if (envs.has(root.outputFolder)) {
        problems.push({ path: root.node.path || root.node.id || root.outputFolder, field: 'outputFolder', message: `output folder "${root.outputFolder}" is synthesized twice; give every cluster its own environment or folder` });
      }
      envs.add(root.outputFolder);
      // One walk per tree: validations and checks reuse it through TreeIndex / CheckContext.
      const constructs = walk(root);
      walks.set(root, constructs);
      TreeIndex._remember(root, constructs);

      // validate
      const apiObjects: ApiObject[] = [];
      for (const c of constructs) {
        for (const msg of c.node.validate()) problems.push({ path: c.node.path, field: '', message: msg });
        if (c instanceof ApiObject) apiObjects.push(c);
      }
      const v = typeof pipeline.validator === 'function' ? pipeline.validator(root) : pipeline.validator;
      const validator = v === false ? undefined : v;
      const declared = [...pipeline.transforms, ...Plugins.of(root).transforms];
      const transforms = [...declared.filter((t) => !t.runsLast), ...declared.filter((t) => t.runsLast)];
      for (const obj of apiObjects) {
        const path = obj.node.path;
        // render + transform
        let manifest: any;
        let current: ManifestTransform | undefined; // the phase: render until the first transform
        try {
          manifest = TreeIndex._ownRender(obj);
          const context = { root, source: obj };
          for (const t of transforms) {
            current = t;
            manifest = t.transform(manifest, context);
          }
        } catch (e) {
          const phase = current ? `transform ${current.id}` : 'render';
          // A transform that refuses the manifest says where (an OcpkitError); anything else is reported with the phase.
          if (isOcpkitError(e)) problems.push(...e.problems.map((p) => ({ ...p, path: p.path || path })));
          else problems.push({ path, field: '', message: `cannot ${phase}: ${(e as Error)?.message ?? String(e)}` });
          continue;
        }
        // place
        const placed = pipeline.placement.folderOf(obj, manifest, root);
        if ('problem' in placed) {
          problems.push({ path, field: '', message: placed.problem });
          continue;
        }
        // Names become file names: only valid Kubernetes names, and only paths inside the output.
        const nameProblems = objectNameProblems(manifest);
        if (nameProblems.length) {
          for (const p of nameProblems) problems.push({ path, field: p.field, message: p.message });
          continue;
        }
        const file = containedFile(root.outputFolder, placed.folder, fileName(manifest));
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
          problems.push({ path, field: 'metadata.name', message: `${manifest.kind} "${manifest.metadata.name}" differs only in letter case from the object at ${byFile.get(twin)} (${twin}); on case-insensitive file systems one file would overwrite the other, rename one of them` });
          continue;
        }
        byFile.set(file, path);
        byFolded.set(folded, file);
        // schema (skipped for a text that passed it before, see ./_verdicts; only a strict text,
        // one JSON value, is a key)
        if (validator) {
          if (!manifest.metadata?.namespace && validator.scopeOf(manifest.apiVersion, manifest.kind) === 'Namespaced') {
            problems.push({ path, field: 'metadata.namespace', message: `${manifest.kind} "${manifest.metadata?.name}" is namespaced but has no namespace; set one or define it in a GitOpsApp with a namespace` });
          }
          const schemaSet = verdicts && typeof validator.identity === 'function' ? validator.identity() : undefined;
          const strict = schemaSet === undefined ? undefined : fastDump(manifest, true);
          if (strict === undefined || !verdicts!.lookup(manifest, schemaSet!, strict)) {
            const issues = validator.validate(manifest);
            for (const issue of issues) {
              problems.push({ path, field: issue.pointer, message: `${issue.message} (${manifest.apiVersion} ${manifest.kind} "${manifest.metadata?.name}")` });
            }
            if (issues.length === 0) verdicts?.schemaClean(manifest);
          }
        }
        objects.push({ manifest, path, file, source: obj, root });
      }
    }

    // resolve, then check: the pipeline's checks see every root; a root's own checks see its objects.
    const ctxFor = (roots: readonly SynthRoot[]): CheckContext => ({ roots, constructsOf: (r) => walks.get(r) ?? walk(r) });
    const run = (check: SynthCheck, objs: readonly SynthesizedObject[], ctx: CheckContext) => {
      try {
        problems.push(...check.check(objs, ctx));
      } catch (e) {
        if (isOcpkitError(e)) problems.push(...e.problems);
        else throw e;
      }
    };
    for (const phase of ['resolve', 'check'] as const) {
      const inPhase = (c: SynthCheck) => (c.phase ?? 'check') === phase;
      for (const check of pipeline.checks.filter(inPhase)) run(check, objects, ctxFor(list));
      for (const root of list) {
        const own = Plugins.of(root).checks.filter(inPhase);
        if (own.length === 0) continue;
        const mine = objects.filter((o) => o.root === root);
        for (const check of own) run(check, mine, ctxFor([root]));
      }
    }
    // what this run found clean (the secret scan ran in the policy check), for the next run
    verdicts?.save();
  } finally {
    verdicts?.close();
    for (const root of list) TreeIndex._forget(root);
  }
  if (problems.length > 0) throw new OcpkitError(problems, `synth failed with ${problems.length} problem${problems.length === 1 ? '' : 's'}`);

  // artifacts: extra files per root, only for a synth that passed
  const extra: [string, string][] = [];
  for (const producer of pipeline.artifacts ?? []) {
    for (const root of list) {
      for (const a of producer.produce(objects.filter((o) => o.root === root), root)) {
        const file = containedFile(root.outputFolder, ...a.file.split('/'));
        if (!file || byFile.has(file)) {
          problems.push({ path: root.node.path || root.outputFolder, field: producer.id, message: `artifact ${JSON.stringify(a.file)} is not a free path inside the environment folder` });
          continue;
        }
        byFile.set(file, producer.id);
        extra.push([file, a.text]);
      }
    }
  }
  if (problems.length > 0) throw new OcpkitError(problems, `synth failed with ${problems.length} problem${problems.length === 1 ? '' : 's'}`);

  objects.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const all: [string, string][] = objects.map((o) => [o.file, toYaml(o.manifest)]);
  if (extra.length > 0) {
    all.push(...extra);
    all.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
  return { objects, files: new Map(all) };
}

/** YAML text of one manifest, deterministic (keys already sorted by cdk8s; no line folding). */
export function toYaml(manifest: unknown): string {
  // fastDump writes exactly what js-yaml would, faster; it declines what it cannot reproduce.
  return fastDump(manifest) ?? yaml.dump(manifest, { noRefs: true, lineWidth: -1, sortKeys: false });
}
