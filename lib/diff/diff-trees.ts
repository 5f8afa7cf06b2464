import { controllerFields } from './controller-fields';
import { FieldPath, formatPath, valueAt } from './field-path';
import { summarize } from './resource-summary';
import { IgnoreList } from './ignore-list';
import { maskValue } from './masking';
import { countDocuments, looksLikeManifest, readTree, TreeFiles, TreeObject, TreeParser } from './read-tree';
import { classesOf, Risk, RISK_CLASSES, RiskClass } from './risk';
import { contextOfFiles, contextOfObjects, RiskContext } from './risk-context';
import { classify } from './risk-rules';
import { canonicalJson, diffValues, FieldOp, RawFieldChange } from './value-diff';

/** Options of {@link diffTrees}. */
export interface DiffOptions {
  /**
   * Resources and fields left out of the diff (the in-repo `.ocpkit-diff-ignore.yaml`).
   * @default nothing ignored
   */
  readonly ignore?: IgnoreList;
  /**
   * Leave out fields that controllers rewrite on the cluster (images set by an image-change trigger).
   * @default true
   */
  readonly suppressControllerFields?: boolean;
}

/** One changed field, safe to print: secret values are already masked. */
export interface FieldChange {
  /** Field path as reviewers read it (`spec.template.spec.containers[name=web].image`). */
  readonly path: string;
  readonly op: FieldOp;
  /** Old value (absent for `added`); masked when secret. */
  readonly old?: unknown;
  /** New value (absent for `removed`); masked when secret. */
  readonly new?: unknown;
  /** True when a value was masked: the field changed, its content is not shown. */
  readonly masked: boolean;
  /** Why this field makes the change risky, if it does (the first risk naming this field or a parent). */
  readonly risk?: string;
  /** The class of that risk. */
  readonly riskClass?: RiskClass;
}

/** A resource that was added, removed or changed. */
export interface ResourceChange {
  readonly op: 'added' | 'removed' | 'changed';
  readonly apiVersion: string;
  readonly kind: string;
  /** Namespace, absent for cluster-scoped objects. */
  readonly namespace?: string;
  readonly name: string;
  /** Application folder (`production/forum`): the new one, or the old one for removed objects. */
  readonly app: string;
  /** File relative to the tree root (new file, or old for removed objects). */
  readonly file: string;
  /** Old application folder when the object moved to another Argo CD Application. */
  readonly movedFrom?: string;
  /** Changed fields (for `changed`), in document order. */
  readonly fields: readonly FieldChange[];
  /** Why the change is risky, each with its class and rule; empty when it is not. */
  readonly risks: readonly Risk[];
  /**
   * The classes of its risks, most severe first (`['destructive', 'security']`); empty when none.
   * Always set by {@link diffTrees}; absent only in results built by hand.
   */
  readonly classes?: readonly RiskClass[];
  /** Whether one of its risks is `destructive`. */
  readonly destructive: boolean;
  /**
   * For added and removed resources: one line of what the object grants or costs (subjects and
   * role, quota values, images, hosts, sizes), when its kind has one.
   */
  readonly summary?: string;
}

/** Counts per application folder. */
export interface AppSummary {
  readonly app: string;
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
  readonly destructive: number;
  /** Resources per risk class (a resource counts once in each of its classes). */
  readonly classes?: Readonly<Record<RiskClass, number>>;
}

/** The result of a diff, ordered for reading: destructive, then security, outage and weakening changes, then the rest. */
export interface DiffResult {
  readonly changes: readonly ResourceChange[];
  /** One row per application folder with changes, sorted by folder. */
  readonly apps: readonly AppSummary[];
  readonly summary: {
    readonly added: number;
    readonly removed: number;
    readonly changed: number;
    /** Resources with at least one destructive risk. */
    readonly destructive: number;
    /** Resources per risk class (a resource counts once in each of its classes). */
    readonly classes?: Readonly<Record<RiskClass, number>>;
    readonly unchanged: number;
    /** Objects in the old and the new tree. */
    readonly oldObjects: number;
    readonly newObjects: number;
    /** Field differences left out as controller noise or by the ignore list. */
    readonly ignoredFields: number;
    /** Resources left out entirely by the ignore list. */
    readonly ignoredResources: number;
  };
}

/**
 * Compares two synthesized trees (`ocpkit diff OLD NEW`). Each file is read once; files with the
 * same path and the same bytes on both sides are not parsed at all, the others are parsed and
 * compared object by object (keyed by environment, API group, kind, namespace and name), so the
 * work is linear in the size of the trees plus the size of what changed.
 * Throws DiffInputError for folders that are not trees and for YAML that does not parse.
 */
export function diffTrees(oldDir: string, newDir: string, options: DiffOptions = {}): DiffResult {
  const oldFiles = readTree(oldDir);
  const newFiles = readTree(newDir);
  return diffTreeFiles(oldFiles, newFiles, options, oldDir, newDir);
}

/** {@link diffTrees} over files already in memory (relative path -> text). */
export function diffTreeFiles(oldFiles: TreeFiles, newFiles: TreeFiles, options: DiffOptions = {}, oldName = 'old', newName = 'new'): DiffResult {
  const oldParser = new TreeParser(oldName);
  const newParser = new TreeParser(newName);
  let unchangedFiles = 0;
  for (const [rel, text] of oldFiles) {
    const other = newFiles.get(rel);
    if (other === text && looksLikeManifest(text)) {
      unchangedFiles += countDocuments(text);
      continue;
    }
    oldParser.parse(rel, text);
    if (other !== undefined) newParser.parse(rel, other);
  }
  for (const [rel, text] of newFiles) {
    if (!oldFiles.has(rel)) newParser.parse(rel, text);
  }
  oldParser.throwIfAny();
  newParser.throwIfAny();
  const result = diffObjects(oldParser.objects, newParser.objects, options, contextOfFiles(newFiles, newName));
  return {
    ...result,
    summary: {
      ...result.summary,
      unchanged: result.summary.unchanged + unchangedFiles,
      oldObjects: result.summary.oldObjects + unchangedFiles,
      newObjects: result.summary.newObjects + unchangedFiles,
    },
  };
}

/**
 * Compares two sets of parsed objects, keyed by {@link TreeObject.key}. `context` tells the risk
 * rules about the rest of the new tree (default: `newObjects`, which then must be all of it).
 */
export function diffObjects(oldObjects: ReadonlyMap<string, TreeObject>, newObjects: ReadonlyMap<string, TreeObject>, options: DiffOptions = {}, context: RiskContext = contextOfObjects(newObjects)): DiffResult {
  const ignore = options.ignore;
  const suppress = options.suppressControllerFields ?? true;
  const changes: ResourceChange[] = [];
  let unchanged = 0;
  let ignoredFields = 0;
  let ignoredResources = 0;

  const ignoredWhole = (o: TreeObject) => ignore !== undefined && ignore.size > 0 && ignore.ignoresResource(o.manifest);

  for (const [key, before] of oldObjects) {
    const after = newObjects.get(key);
    if (!after) {
      if (ignoredWhole(before)) {
        ignoredResources++;
        continue;
      }
      changes.push(resourceChange('removed', before, undefined, [], undefined, context));
      continue;
    }
    if (ignoredWhole(after) || ignoredWhole(before)) {
      ignoredResources++;
      continue;
    }
    const raw = diffValues(before.manifest, after.manifest);
    let kept: RawFieldChange[] = raw;
    if (raw.length > 0) {
      const kind = after.manifest.kind;
      const controller = suppress ? controllerFields(kind, before.manifest, after.manifest) : () => false;
      const patterns = ignore && ignore.size ? ignore.pathPatternsFor(after.manifest) : [];
      kept = raw.filter((c) => !controller(c.path) && !IgnoreList.ignoresPath(patterns, c.path));
      ignoredFields += raw.length - kept.length;
    }
    const moved = before.app !== after.app ? { from: before.app, to: after.app } : undefined;
    if (kept.length === 0 && !moved) {
      unchanged++;
      continue;
    }
    changes.push(resourceChange('changed', before, after, kept, moved, context));
  }
  for (const [key, after] of newObjects) {
    if (oldObjects.has(key)) continue;
    if (ignoredWhole(after)) {
      ignoredResources++;
      continue;
    }
    changes.push(resourceChange('added', undefined, after, [], undefined, context));
  }

  changes.sort(compareChanges);
  const apps = new Map<string, { app: string; added: number; removed: number; changed: number; destructive: number; classes: Record<RiskClass, number> }>();
  const totals = zeroClasses();
  for (const c of changes) {
    let a = apps.get(c.app);
    if (!a) apps.set(c.app, (a = { app: c.app, added: 0, removed: 0, changed: 0, destructive: 0, classes: zeroClasses() }));
    a[c.op]++;
    if (c.destructive) a.destructive++;
    for (const k of c.classes ?? []) {
      a.classes[k]++;
      totals[k]++;
    }
  }
  return {
    changes,
    apps: [...apps.values()].sort((x, y) => cmp(x.app, y.app)),
    summary: {
      added: changes.filter((c) => c.op === 'added').length,
      removed: changes.filter((c) => c.op === 'removed').length,
      changed: changes.filter((c) => c.op === 'changed').length,
      destructive: changes.filter((c) => c.destructive).length,
      classes: totals,
      unchanged,
      oldObjects: oldObjects.size,
      newObjects: newObjects.size,
      ignoredFields,
      ignoredResources,
    },
  };
}

function zeroClasses(): Record<RiskClass, number> {
  return Object.fromEntries(RISK_CLASSES.map((c) => [c, 0])) as Record<RiskClass, number>;
}

function resourceChange(op: ResourceChange['op'], before: TreeObject | undefined, after: TreeObject | undefined, raw: RawFieldChange[], moved: { from: string; to: string } | undefined, context: RiskContext): ResourceChange {
  const current = (after ?? before)!;
  const m = current.manifest;
  const kind: string = m.kind;
  const risks = classify({ kind, name: m.metadata.name, op, file: current.file, old: before?.manifest, new: after?.manifest, changes: raw, moved }, context);
  const riskByPath = new Map<string, Risk>();
  for (const r of risks) if (r.path && !riskByPath.has(r.path)) riskByPath.set(r.path, r);
  const fields = raw.map((c) => toFieldChange(kind, c, riskByPath, before?.manifest, after?.manifest));
  const summary = op === 'changed' ? undefined : summarize(m);
  return {
    op,
    apiVersion: m.apiVersion,
    kind,
    namespace: m.metadata.namespace,
    name: m.metadata.name,
    app: current.app,
    file: current.file,
    movedFrom: moved?.from,
    fields,
    risks,
    classes: classesOf(risks),
    destructive: risks.some((r) => r.class === 'destructive'),
    ...(summary ? { summary } : {}),
  };
}

function toFieldChange(kind: string, c: RawFieldChange, riskByPath: ReadonlyMap<string, Risk>, before: unknown, after: unknown): FieldChange {
  const path = formatPath(c.path);
  const parentPath = c.path.slice(0, -1);
  const old = c.op === 'added' ? undefined : maskValue(kind, c.path, c.old, valueAt(before, parentPath));
  const neu = c.op === 'removed' ? undefined : maskValue(kind, c.path, c.new, valueAt(after, parentPath));
  const masked = wasMasked(c.old, old) || wasMasked(c.new, neu);
  const risk = riskByPath.get(path) ?? riskOfParent(c.path, riskByPath);
  const out: { -readonly [K in keyof FieldChange]: FieldChange[K] } = { path, op: c.op, masked };
  if (c.op !== 'added') out.old = old;
  if (c.op !== 'removed') out.new = neu;
  if (risk) {
    out.risk = risk.reason;
    out.riskClass = risk.class;
  }
  return out;
}

function wasMasked(raw: unknown, shown: unknown): boolean {
  if (raw === undefined) return false;
  if (raw === null || typeof raw !== 'object') return shown !== raw;
  return canonicalJson(raw) !== canonicalJson(shown);
}


/** A risk recorded on a parent field (`spec.accessModes`) applies to its members (`spec.accessModes[ReadWriteMany]`). */
function riskOfParent(path: FieldPath, riskByPath: ReadonlyMap<string, Risk>): Risk | undefined {
  if (riskByPath.size === 0) return undefined;
  for (let n = path.length - 1; n > 0; n--) {
    const r = riskByPath.get(formatPath(path.slice(0, n)));
    if (r) return r;
  }
  return undefined;
}

const OP_ORDER: Record<ResourceChange['op'], number> = { removed: 0, changed: 1, added: 2 };

/** Rank of a change: the index of its most severe class (0 = destructive), or 4 without risks. */
export function severityRank(c: ResourceChange): number {
  const classes = c.classes ?? classesOf(c.risks);
  return classes.length ? RISK_CLASSES.indexOf(classes[0]) : RISK_CLASSES.length;
}

function compareChanges(a: ResourceChange, b: ResourceChange): number {
  const ra = severityRank(a);
  const rb = severityRank(b);
  if (ra !== rb) return ra - rb;
  return cmp(a.app, b.app) || OP_ORDER[a.op] - OP_ORDER[b.op] || cmp(a.kind, b.kind) || cmp(a.namespace ?? '', b.namespace ?? '') || cmp(a.name, b.name);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
