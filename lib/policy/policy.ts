import { IConstruct } from 'constructs';
import { OcpkitError, Problem, show } from '../core/errors';
import { BUILTIN_POLICIES } from './builtin';

/** Prefix of the annotation that waives one policy on one object: `ocpkit.io/waive-<policy-id>: "<reason>"`. */
export const WAIVE_ANNOTATION_PREFIX = 'ocpkit.io/waive-';

/** One manifest a policy looks at, and where it came from. */
export interface PolicyObject {
  /** The rendered manifest. */
  readonly manifest: any;
  /** Construct path (synth) or `file#index` (a folder of YAML); every violation names it. */
  readonly path: string;
  /**
   * Objects of one group are one cluster: cross-object rules (a namespace's NetworkPolicies and
   * LimitRanges) only look inside the group. In a synth, the environment.
   */
  readonly group: string;
  /**
   * The object's file relative to the root of the output tree (`<environment>/<folder>/<file>`
   * in a synth, the path below the validated folder in `ocpkit validate`), when known. Rules that
   * depend on which Argo CD Application syncs an object (tenant-namespace-confinement) use its
   * folder.
   */
  readonly file?: string;
}

/** What a policy sees besides the object itself. */
export interface PolicyContext {
  /** Every object of the same group (cluster). */
  readonly objects: readonly PolicyObject[];
  /** Objects of the group by namespace (cluster-scoped objects under ''). */
  inNamespace(namespace: string): readonly PolicyObject[];
  /** True when `namespace` is a declared system namespace of the group (see SystemNamespaces). */
  isSystemNamespace(namespace: string | undefined): boolean;
}

/** One finding of a policy on one object: the JSON pointer inside it and what is wrong. */
export interface Finding {
  /** JSON pointer inside the manifest (`/spec/template/spec/containers/0/image`). */
  readonly pointer: string;
  /** What is wrong and what is allowed instead. */
  readonly message: string;
}

/**
 * A rule every synthesized object must follow unless waived. Policies look at rendered
 * manifests only, so the same checks run in `ocpkit synth` and in `ocpkit validate --policy`
 * over any folder of YAML.
 */
export interface PolicyRule {
  /** Stable id, used in waiver annotations (`ocpkit.io/waive-<id>`). A DNS label. */
  readonly id: string;
  /** One line: what the policy guarantees. */
  readonly title: string;
  /** Checks one object; returns nothing for objects the policy does not apply to. */
  check(obj: PolicyObject, ctx: PolicyContext): Finding[];
}

/** The waiver annotation key of a policy. */
export function waiverAnnotation(policyId: string): string {
  return `${WAIVE_ANNOTATION_PREFIX}${policyId}`;
}

/** The written reason an object is waived from a policy, if any (blank reasons do not count). */
export function waiverReason(manifest: any, policyId: string): string | undefined {
  const v = manifest?.metadata?.annotations?.[waiverAnnotation(policyId)];
  return typeof v === 'string' && v.trim().length > 0 ? v.trim() : undefined;
}

const EXTRA = new WeakMap<IConstruct, Map<string, PolicyRule>>();

/**
 * Stack-specific policies, registered on a Cluster (or any construct tree's root): they run in
 * that cluster's synths only, next to the built-in ones. Ids must be unique.
 */
export class Policies {
  /** Adds `rule` to the policies of the cluster `construct` belongs to. */
  public static add(construct: IConstruct, rule: PolicyRule): void {
    const root = construct.node.root;
    const extra = EXTRA.get(root) ?? new Map<string, PolicyRule>();
    const clash = BUILTIN_POLICIES.find((p) => p.id === rule?.id) ?? extra.get(rule?.id);
    if (clash && clash !== rule) {
      throw new OcpkitError([{ path: construct.node.path || 'Policies.add', field: 'id', message: `policy id ${JSON.stringify(rule.id)} is already taken; choose another id` }]);
    }
    if (typeof rule?.id !== 'string' || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(rule.id) || typeof rule.check !== 'function') {
      throw new OcpkitError([{ path: construct.node.path || 'Policies.add', field: 'rule', message: `${show(rule?.id)} is not a policy: give { id (a DNS label), title, check(obj, ctx) }` }]);
    }
    extra.set(rule.id, rule);
    EXTRA.set(root, extra);
  }

  /** Every policy of the cluster `construct` belongs to (built-in and added), sorted by id. */
  public static of(construct?: IConstruct): PolicyRule[] {
    const all = new Map<string, PolicyRule>();
    for (const p of BUILTIN_POLICIES) all.set(p.id, p);
    const extra = construct ? EXTRA.get(construct.node.root) : undefined;
    for (const p of extra?.values() ?? []) all.set(p.id, p);
    return [...all.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private constructor() {}
}

/** The built-in policies, sorted by id. */
export function policies(): PolicyRule[] {
  return Policies.of();
}

const WAIVERS = new WeakMap<IConstruct, Map<string, string>>();

/** Waivers recorded on one construct itself (not its ancestors): policy id -> reason. */
export function waiversOn(construct: IConstruct): ReadonlyMap<string, string> | undefined {
  return WAIVERS.get(construct);
}

/** Waivers, addressed by policy id. */
export class Policy {
  /**
   * Waives policy `policyId` for `construct` with a written reason that reviewers read: the
   * reason lands in the manifest as the annotation `ocpkit.io/waive-<policyId>`, so the waiver is
   * visible in Git and honoured by `ocpkit validate --policy` too. On a construct that is not
   * itself an ApiObject (a ContainerApp, a Tenant), every ApiObject defined below it is waived,
   * including objects added after this call (the annotation is stamped at synth time).
   *
   * Throws an OcpkitError for an unknown policy id or a blank reason.
   */
  public static waive(construct: IConstruct, policyId: string, reason: string): void {
    const path = construct?.node?.path ?? show(construct);
    const problems: Problem[] = [];
    const ids = construct?.node ? Policies.of(construct).map((p) => p.id) : Policies.of().map((p) => p.id);
    if (typeof policyId !== 'string' || !ids.includes(policyId)) {
      problems.push({ path, field: 'policyId', message: `${show(policyId)} is not a policy; use one of ${ids.map((i) => JSON.stringify(i)).join(', ')} (add your own with Policies.add(cluster, rule) before waiving it)` });
    }
    if (typeof reason !== 'string' || reason.trim().length === 0) {
      problems.push({ path, field: 'reason', message: `${show(reason)} is not a reason; a waiver needs a written reason that reviewers can read (for example "etcd snapshots need the host's etcd data dir")` });
    }
    if (!construct?.node) problems.push({ path, field: 'construct', message: 'must be a construct (an ApiObject, or a construct whose objects are waived)' });
    if (problems.length) throw new OcpkitError(problems, 'invalid policy waiver');
    // Recorded here; the policy-stamps transform writes the annotation on every object rendered
    // at or below the construct, in the open, when the cluster is synthesized.
    const mine = WAIVERS.get(construct) ?? new Map<string, string>();
    mine.set(policyId, reason.trim());
    WAIVERS.set(construct, mine);
  }

  /** Ids of every known policy, sorted. */
  public static ids(construct?: IConstruct): string[] {
    return Policies.of(construct).map((p) => p.id);
  }

  private constructor() {}
}
