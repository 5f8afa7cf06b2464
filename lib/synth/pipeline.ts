import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Problem } from '../core/errors';
import type { SchemaValidator } from '../schema/validator';
import type { VerdictStore } from './_verdicts';

/**
 * The synthesis pipeline and its plug-ins. A synth runs named phases, in this order:
 *
 * 1. **validate**: every construct's own validations (`node.addValidation`), which only report;
 * 2. **render**: every ApiObject's `toJson()` (or a copy of the render that validations already
 *    asked for in this synth, {@link TreeIndex.rendered});
 * 3. **transform**: the pipeline's {@link ManifestTransform}s, then those registered on the root
 *    (`Plugins.of(cluster).addTransform`), each given the manifest and the construct it came from;
 * 4. **place**: the {@link Placement} gives each object its folder; the file name comes from its
 *    kind, namespace and name (checked as Kubernetes names);
 * 5. **schema**: every manifest against its schema;
 * 6. **resolve**: the {@link SynthCheck}s of the `resolve` phase (references between objects);
 * 7. **check**: the remaining {@link SynthCheck}s (policies, capacity, coverage);
 *
 * then the files are returned; writing them is the caller's (`writeTree`). Checks and artifact
 * producers read the manifests; they do not change them. This module knows no
 * domain: what runs is a list handed to `synthesize` by a composition root
 * (`lib/pipeline-defaults.ts`) plus what each root registered on itself.
 */

/** A root of a construct tree that synthesizes into one environment folder (a Cluster). */
export interface SynthRoot extends IConstruct {
  /** Environment (or release train) this root is synthesized for. */
  readonly environment: string;
  /**
   * Names the first folder of every file of this root: the environment for a single cluster per
   * environment, the cluster name in a fleet (several clusters per environment).
   */
  readonly outputFolder: string;
}

/** One synthesized object and where it came from. */
export interface SynthesizedObject {
  /** The manifest, as written. */
  readonly manifest: any;
  /** Construct path of the object. */
  readonly path: string;
  /** File path relative to the output root (`production/forum/deployment.forum.web.yaml`). */
  readonly file: string;
  /** The construct that rendered it (absent for objects read back from files). */
  readonly source?: ApiObject;
  /** The root (cluster) it belongs to (absent for objects read back from files). */
  readonly root?: SynthRoot;
}

/** What a transform is told besides the manifest. */
export interface TransformContext {
  readonly root: SynthRoot;
  /** The construct that rendered the manifest. */
  readonly source: ApiObject;
}

/** Rewrites a rendered manifest (adds annotations, labels, normalizes) before it is placed and validated. */
export interface ManifestTransform {
  /** Stable id, for messages and for tests that list the pipeline. */
  readonly id: string;
  /** Returns the manifest to continue with (the same object, changed, or a new one). */
  transform(manifest: any, ctx: TransformContext): any;
  /**
   * Runs after every other transform, those registered on the cluster included (in the order
   * given among such transforms): the user's own overrides (`Overrides.of`) see the final manifest.
   * @default false
   */
  readonly runsLast?: boolean;
}

/** Where an object goes: its folder below the environment folder, or why it has none. */
export interface Placement {
  readonly id: string;
  folderOf(source: ApiObject, manifest: any, root: SynthRoot): { folder: string } | { problem: string };
}

/** What a check is told besides the objects. */
export interface CheckContext {
  /** The roots being synthesized (for a check registered on one root: only that root). */
  readonly roots: readonly SynthRoot[];
  /** Every construct of a root, from the one walk of its tree the synth made. */
  constructsOf(root: SynthRoot): readonly IConstruct[];
}

/**
 * A check over the synthesized objects (after schema validation). A check reads the manifests and
 * reports problems; it must not change them: a change would be written without schema validation,
 * and a synth keeping verdicts between runs (`SynthesizeOptions.verdictCache`) has looked each
 * manifest up before the checks. A change belongs in a {@link ManifestTransform}.
 */
export interface SynthCheck {
  readonly id: string;
  /** `resolve` checks (references) run before `check` checks. @default 'check' */
  readonly phase?: 'resolve' | 'check';
  check(objects: readonly SynthesizedObject[], ctx: CheckContext): Problem[];
}

/** A file of a root's environment folder that is not a manifest (`externals.yaml`, runbooks). */
export interface Artifact {
  /** Path relative to the environment folder (`externals.yaml`, `_runbooks/restore.md`). */
  readonly file: string;
  readonly text: string;
}

/** Produces the extra files of one root once every check passed (it reads the manifests). */
export interface ArtifactProducer {
  readonly id: string;
  produce(objects: readonly SynthesizedObject[], root: SynthRoot): Artifact[];
}

/** Everything a synth runs besides the constructs' own validations. */
export interface Pipeline {
  readonly transforms: readonly ManifestTransform[];
  readonly placement: Placement;
  readonly checks: readonly SynthCheck[];
  /**
   * Schema validator, or one per root (clusters declaring different platform versions validate
   * against different schemas); `false` only in tests of other failure modes.
   */
  readonly validator: SchemaValidator | false | ((root: SynthRoot) => SchemaValidator | false);
  /** Extra files per root (written next to the application folders). @default none */
  readonly artifacts?: readonly ArtifactProducer[];
  /**
   * Verdicts kept between runs: manifests whose exact text passed the schema check and the secret
   * scan before skip them (lib/synth/_verdicts.ts; the CLI's synth). Each manifest's key text is
   * made when it is looked up, before the checks. @default none
   * @internal
   */
  readonly verdicts?: VerdictStore;
}

const PLUGINS = new WeakMap<IConstruct, Plugins>();

/**
 * Transforms and checks registered on one root (a Cluster): they run only when that root is
 * synthesized, so two clusters of one process can have different check sets, and nothing is
 * registered as a side effect of loading a module.
 */
export class Plugins {
  /** The plug-ins of a root (created on first use). */
  public static of(root: IConstruct): Plugins {
    let p = PLUGINS.get(root);
    if (!p) {
      p = new Plugins();
      PLUGINS.set(root, p);
    }
    return p;
  }

  private readonly _transforms: ManifestTransform[] = [];
  private readonly _checks: SynthCheck[] = [];

  private constructor() {}

  /** Adds a transform (once: adding the same transform again does nothing). */
  public addTransform(t: ManifestTransform): void {
    if (!this._transforms.includes(t)) this._transforms.push(t);
  }

  /** Adds a check (once: adding the same check again does nothing). */
  public addCheck(c: SynthCheck): void {
    if (!this._checks.includes(c)) this._checks.push(c);
  }

  public get transforms(): readonly ManifestTransform[] {
    return this._transforms;
  }

  public get checks(): readonly SynthCheck[] {
    return this._checks;
  }
}

const WALKS = new WeakMap<IConstruct, readonly IConstruct[]>();
/** {@link TreeIndex.rendered}'s renders per remembered walk (a synth), by object. */
const RENDERS = new WeakMap<readonly IConstruct[], Map<ApiObject, { ok: true; manifest: any } | { ok: false; error: unknown }>>();
/** {@link TreeIndex.ofType}'s answers per remembered walk and type (the walk of a synth does not change). */
const BY_TYPE = new WeakMap<readonly IConstruct[], Map<Function, readonly IConstruct[]>>();

/**
 * The constructs of a tree, from one walk: during a synth, the walk the synthesizer made (so
 * cross-checks in `addValidation` do not walk the tree again each); outside a synth, a fresh walk.
 */
export class TreeIndex {
  /** Every construct below (and including) the root of `c`'s tree. */
  public static all(c: IConstruct): readonly IConstruct[] {
    const root = c.node.root;
    return WALKS.get(root) ?? walk(root);
  }

  /**
   * Every construct of `c`'s tree that is an instance of `type`. During a synth, found once per
   * type (cross-checks ask for the same types once per object they check); a new array each call.
   */
  public static ofType<T>(c: IConstruct, type: abstract new (...args: any[]) => T): T[] {
    const remembered = WALKS.get(c.node.root);
    if (!remembered) return walk(c.node.root).filter((x): x is T & IConstruct => x instanceof type) as T[];
    let types = BY_TYPE.get(remembered);
    if (!types) BY_TYPE.set(remembered, (types = new Map()));
    let found = types.get(type);
    if (!found) types.set(type, (found = remembered.filter((x) => x instanceof type)));
    return found.slice() as T[];
  }

  /**
   * The rendered manifest of an ApiObject (its `toJson()`), to read: never change it. During a
   * synth an object is rendered once for all who ask (cross-checks in `addValidation`, Lazy values
   * reading other objects) and the synthesizer starts from a copy of that render instead of
   * rendering it again (a VirtualMachine's render includes its cloud-init); outside a synth, a
   * fresh render each call. A render that throws throws again for every caller.
   */
  public static rendered(obj: ApiObject): Readonly<Record<string, any>> {
    const remembered = WALKS.get(obj.node.root);
    if (!remembered) return obj.toJson();
    let renders = RENDERS.get(remembered);
    if (!renders) RENDERS.set(remembered, (renders = new Map()));
    let r = renders.get(obj);
    if (!r) {
      try {
        r = { ok: true, manifest: obj.toJson() };
      } catch (e) {
        r = { ok: false, error: e };
      }
      renders.set(obj, r);
    }
    if (!r.ok) throw r.error;
    return r.manifest;
  }

  /**
   * @internal The synthesizer's render of an object, its own to change: a copy of the render
   * {@link rendered} made, else a fresh one.
   */
  public static _ownRender(obj: ApiObject): any {
    const remembered = WALKS.get(obj.node.root);
    const r = remembered && RENDERS.get(remembered)?.get(obj);
    if (r?.ok) {
      try {
        return structuredClone(r.manifest);
      } catch {
        // not plain data (a Lazy value that is a function, say): render it again
      }
    }
    return obj.toJson();
  }

  /** @internal used by the synthesizer around one synth */
  public static _remember(root: IConstruct, constructs: readonly IConstruct[]): void {
    WALKS.set(root, constructs);
  }

  /** @internal */
  public static _forget(root: IConstruct): void {
    WALKS.delete(root);
  }
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

/**
 * Sets a label or an annotation on a manifest, keeping the map sorted by key (as cdk8s renders
 * it), so a transform's entry lands where `metadata.addLabel`/`addAnnotation` would have put it.
 */
export function setMetadataEntry(manifest: any, map: 'labels' | 'annotations', key: string, value: string): void {
  const metadata = isObject(manifest.metadata) ? manifest.metadata : (manifest.metadata = {});
  const entries = Object.entries({ ...(isObject(metadata[map]) ? metadata[map] : {}), [key]: value });
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  metadata[map] = Object.fromEntries(entries);
}

/** Sets an annotation on a manifest, keeping the annotations sorted (see {@link setMetadataEntry}). */
export function setAnnotation(manifest: any, key: string, value: string): void {
  setMetadataEntry(manifest, 'annotations', key, value);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
