import { ApiObject } from 'cdk8s';
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

const extra = new Map<string, PolicyRule>();

/**
 * Adds a stack-specific policy to the built-in ones (ids must be unique); it runs in every synth
 * and in `ocpkit validate --policy` of the same process.
 */
export function registerPolicy(rule: PolicyRule): void {
  const clash = BUILTIN_POLICIES.find((p) => p.id === rule.id) ?? extra.get(rule.id);
  if (clash && clash !== rule) {
    throw new OcpkitError([{ path: 'registerPolicy', field: 'id', message: `policy id ${JSON.stringify(rule.id)} is already taken; choose another id` }]);
  }
  extra.set(rule.id, rule);
}

/** Every policy (built-in and registered), sorted by id. */
export function policies(): PolicyRule[] {
  const all = new Map<string, PolicyRule>();
  for (const p of BUILTIN_POLICIES) all.set(p.id, p);
  for (const p of extra.values()) all.set(p.id, p);
  return [...all.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Waivers, addressed by policy id. */
export class Policy {
  /**
   * Waives policy `policyId` for `construct` with a written reason that reviewers read: the
   * reason lands in the manifest as the annotation `ocpkit.io/waive-<policyId>`, so the waiver is
   * visible in Git and honoured by `ocpkit validate --policy` too. On a construct that is not
   * itself an ApiObject (a Workload, a Tenant), every ApiObject defined below it is waived,
   * including objects added after this call.
   *
   * Throws an OcpkitError for an unknown policy id or a blank reason.
   */
  public static waive(construct: IConstruct, policyId: string, reason: string): void {
    const path = construct?.node?.path ?? show(construct);
    const problems: Problem[] = [];
    const ids = policies().map((p) => p.id);
    if (typeof policyId !== 'string' || !ids.includes(policyId)) {
      problems.push({ path, field: 'policyId', message: `${show(policyId)} is not a policy; use one of ${ids.map((i) => JSON.stringify(i)).join(', ')}` });
    }
    if (typeof reason !== 'string' || reason.trim().length === 0) {
      problems.push({ path, field: 'reason', message: `${show(reason)} is not a reason; a waiver needs a written reason that reviewers can read (for example "etcd snapshots need the host's etcd data dir")` });
    }
    if (!construct?.node) problems.push({ path, field: 'construct', message: 'must be a construct (an ApiObject, or a construct whose objects are waived)' });
    if (problems.length) throw new OcpkitError(problems, 'invalid policy waiver');
    const key = waiverAnnotation(policyId);
    const text = reason.trim();
    const stamp = () => {
      for (const c of construct.node.findAll()) if (c instanceof ApiObject) c.metadata.addAnnotation(key, text);
    };
    stamp();
    // Objects added after the waiver are stamped when the tree is validated, right before rendering.
    if (!(construct instanceof ApiObject)) construct.node.addValidation({ validate: () => (stamp(), []) });
  }

  /** Ids of every known policy, sorted. */
  public static ids(): string[] {
    return policies().map((p) => p.id);
  }

  private constructor() {}
}
