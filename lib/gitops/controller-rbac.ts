import { Problem } from '../core/errors';
import { isClusterScoped } from '../schema/scope';
import type { SynthCheck, SynthesizedObject } from '../synth/pipeline';
import { ControllerGrants, GITOPS_CONTROLLER_GRANTS, GrantRule } from './controller-grants';
import { apiGroup } from './delivery-annotations';
import { MANAGED_BY_LABEL } from './managed-namespace';

/**
 * What the Argo CD application controller of a cluster may write, and what it must be granted on
 * top so that every object of the stack syncs (field review B2: the default OpenShift GitOps
 * instance may not write ResourceQuota, LimitRange, ClusterIssuer or NMState objects).
 *
 * The default grants are data (lib/gitops/controller-grants.ts, with their upstream sources).
 * ocpkit counts only the grants that exist from the moment OpenShift GitOps runs:
 * - the cluster rules of the default instance (a ClusterRoleBinding; only for the instance in the
 *   operator's cluster-config namespace `openshift-gitops`);
 * - in namespaces labelled `argocd.argoproj.io/managed-by: <instance namespace>`, the operator's
 *   Role: its own rules, plus a copy of ClusterRole `admin` (Kubernetes + OpenShift, OLM's and
 *   Multus' aggregated rules, which ship with OpenShift itself).
 * Rules that operators aggregate into `admin` later (KubeVirt, CDI, cert-manager, OLM's per-CRD
 * admin roles) are NOT counted: the operator copies `admin` into its Role only when it reconciles
 * the ArgoCD instance, and a change of `admin` alone does not trigger that (gitops-operator v1.12 /
 * argocd-operator 897025209e7d, see the notes of the grants data), so right after an operator is
 * installed its kinds may stay unwritable for hours. Those kinds are granted explicitly.
 */

/** The verbs Argo CD needs to apply, prune and self-heal an object. */
export const WRITE_VERBS: readonly string[] = ['create', 'update', 'patch', 'delete'];
/** The verbs the generated rules grant (reads included: the cluster cache watches every kind it manages). */
export const GRANTED_VERBS: readonly string[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** One kind an Argo CD Application writes, where. */
export interface KindUse {
  readonly group: string;
  readonly kind: string;
  /** The API resource (plural, lower case): `resourcequotas`. */
  readonly resource: string;
  /** Namespace of the object; undefined for cluster-scoped kinds. */
  readonly namespace?: string;
}

/** The default grants of the application controller of this OpenShift GitOps version, or undefined. */
export function defaultGrants(gitops: string): ControllerGrants | undefined {
  return Object.prototype.hasOwnProperty.call(GITOPS_CONTROLLER_GRANTS, gitops) ? GITOPS_CONTROLLER_GRANTS[gitops] : undefined;
}

/** The ServiceAccount of the application controller of the instance in `argoNamespace`. */
export function controllerServiceAccount(argoNamespace: string): { namespace: string; name: string } {
  // argocd-operator names it `<instance name>-argocd-application-controller`; ocpkit's instance is
  // named after its namespace (the default instance: openshift-gitops/openshift-gitops).
  return { namespace: argoNamespace, name: `${argoNamespace}-argocd-application-controller` };
}

/**
 * The API resource of a kind: lower case, plural. The English rules Kubernetes' CRDs and built-in
 * kinds follow, plus the exceptions (RBAC matches resource names exactly, so a wrong plural grants
 * nothing): checked in the tests against every CRD of the shared schemas, the 4.14 profile's and
 * the newest (Multus' NetworkAttachmentDefinition is `network-attachment-definitions`:
 * k8s.cni.cncf.io_network-attachment-definitions.yaml).
 */
export function resourceOf(kind: string): string {
  let r = RESOURCES.get(kind);
  if (r === undefined) {
    r = pluralOf(kind);
    if (RESOURCES.size < 1000) RESOURCES.set(kind, r);
  }
  return r;
}

/** kind -> resource, for the kinds seen (a pure function's answers: a few dozen kinds). */
const RESOURCES = new Map<string, string>();

function pluralOf(kind: string): string {
  const k = kind.toLowerCase();
  const exceptions: Record<string, string> = {
    endpoints: 'endpoints',
    securitycontextconstraints: 'securitycontextconstraints',
    networkattachmentdefinition: 'network-attachment-definitions',
  };
  if (exceptions[k]) return exceptions[k];
  if (/[^aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(k)) return `${k}es`;
  return `${k}s`;
}

/** True when one of the rules allows `verb` on `group`/`resource`. */
export function allows(rules: readonly GrantRule[], group: string, resource: string, verb: string): boolean {
  return rules.some((r) => (r.apiGroups.includes('*') || r.apiGroups.includes(group))
    && (r.resources.includes('*') || r.resources.includes(resource))
    && (r.verbs.includes('*') || r.verbs.includes(verb)));
}

/** Aggregations into `admin` that ship with OpenShift itself (present before any operator is installed). */
const PLATFORM_AGGREGATIONS = ['olm', 'multus'];

/** The rules the controller has by default, cluster-wide and in managed namespaces. */
export function defaultRules(grants: ControllerGrants | undefined, argoNamespace: string): { cluster: readonly GrantRule[]; managed: readonly GrantRule[] } {
  if (!grants) return { cluster: [], managed: [] };
  // the cluster rules are bound only for the instance in the operator's cluster-config namespace
  const cluster = grants.serviceAccount.namespace === argoNamespace ? grants.cluster : [];
  const managed = [...grants.managedNamespace, ...grants.adminRole, ...PLATFORM_AGGREGATIONS.flatMap((k) => grants.aggregatedToAdmin[k] ?? [])];
  return { cluster, managed };
}

/** Writes (one per group, resource and scope) the controller cannot make under `rules`. */
export interface MissingGrant {
  readonly group: string;
  readonly resource: string;
  readonly kind: string;
  /** Namespaces the kind is written to without a grant; empty for a cluster-scoped kind. */
  readonly namespaces: readonly string[];
  readonly clusterScoped: boolean;
  readonly verbs: readonly string[];
}

/**
 * The writes of `uses` that neither the defaults nor `extra` (rules bound cluster-wide) allow.
 * `managed` tells whether a namespace carries the managed-by label of the instance.
 */
export function missingGrants(
  uses: Iterable<KindUse>,
  defaults: { cluster: readonly GrantRule[]; managed: readonly GrantRule[] },
  managed: (namespace: string) => boolean,
  extra: readonly GrantRule[] = [],
): MissingGrant[] {
  const out = new Map<string, { group: string; resource: string; kind: string; namespaces: Set<string>; clusterScoped: boolean; verbs: Set<string> }>();
  const inManaged = [...defaults.cluster, ...defaults.managed, ...extra];
  const elsewhere = [...defaults.cluster, ...extra];
  // the verdict depends only on (group, resource, managed or not): one evaluation per distinct key
  const verdicts = new Map<string, Map<string, [readonly string[] | undefined, readonly string[] | undefined]>>();
  const managedNs = new Map<string, boolean>();
  for (const u of uses) {
    let isManaged = false;
    if (u.namespace !== undefined) {
      let m = managedNs.get(u.namespace);
      if (m === undefined) managedNs.set(u.namespace, (m = managed(u.namespace)));
      isManaged = m;
    }
    // by group, then resource: [elsewhere, in a managed namespace] (no key string per use)
    let byResource = verdicts.get(u.group);
    if (!byResource) verdicts.set(u.group, (byResource = new Map()));
    let pair = byResource.get(u.resource);
    if (!pair) byResource.set(u.resource, (pair = [undefined, undefined]));
    const slot = isManaged ? 1 : 0;
    let denied = pair[slot];
    if (!denied) {
      const rules = isManaged ? inManaged : elsewhere;
      pair[slot] = denied = WRITE_VERBS.filter((v) => !allows(rules, u.group, u.resource, v));
    }
    if (denied.length === 0) continue;
    const key = `${u.group}/${u.resource}/${u.namespace === undefined ? 'cluster' : 'ns'}`;
    let m = out.get(key);
    if (!m) out.set(key, (m = { group: u.group, resource: u.resource, kind: u.kind, namespaces: new Set(), clusterScoped: u.namespace === undefined, verbs: new Set() }));
    if (u.namespace !== undefined) m.namespaces.add(u.namespace);
    for (const v of denied) m.verbs.add(v);
  }
  return [...out.values()]
    .map((m) => ({ ...m, namespaces: [...m.namespaces].sort(), verbs: WRITE_VERBS.filter((v) => m.verbs.has(v)) }))
    .sort((a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource) || Number(a.clusterScoped) - Number(b.clusterScoped));
}

/**
 * The least rules that close `missing`: one rule per API group listing exactly the resources
 * needed, with the verbs Argo CD uses ({@link GRANTED_VERBS}). Sorted, so the output is stable.
 */
export function rulesFor(missing: readonly MissingGrant[]): GrantRule[] {
  const byGroup = new Map<string, Set<string>>();
  for (const m of missing) {
    let s = byGroup.get(m.group);
    if (!s) byGroup.set(m.group, (s = new Set()));
    s.add(m.resource);
  }
  return [...byGroup.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, resources]) => ({ apiGroups: [group], resources: [...resources].sort(), verbs: [...GRANTED_VERBS] }));
}

/** Folders no Argo CD Application syncs: applied by hand (bootstrap) or never (`_drafts`). */
export function isUnsyncedFolder(folder: string): boolean {
  return folder === BOOTSTRAP_FOLDER || folder.startsWith('_');
}

/** Folder of what is applied once by hand (or by a fleet's hub): the Argo CD instance, its RBAC, the root. */
export const BOOTSTRAP_FOLDER = 'bootstrap';

/** The kinds the synthesized objects of one cluster make the controller write. */
export function usesOf(objects: readonly SynthesizedObject[]): KindUse[] {
  const use = kindUses();
  const out: KindUse[] = [];
  for (const o of objects) {
    // the second path segment of `<cluster>/<folder>/<file>`, without splitting every path
    const a = o.file.indexOf('/');
    const b = o.file.indexOf('/', a + 1);
    const folder = a < 0 ? '' : o.file.slice(a + 1, b < 0 ? undefined : b);
    if (isUnsyncedFolder(folder)) continue;
    const m = o.manifest;
    out.push(use(String(m.apiVersion), String(m.kind), m.metadata?.namespace));
  }
  return out;
}

/**
 * The KindUse of an object (group, API resource, and its namespace unless the kind is
 * cluster-scoped), each kind's group, resource and scope worked out once: for the synthesized
 * manifests (the check) and for the constructs (the derived ClusterRole) alike.
 */
export function kindUses(): (apiVersion: string, kind: string, namespace: string | undefined) => KindUse {
  // by apiVersion, then kind (no key string per object)
  const kinds = new Map<string, Map<string, { group: string; resource: string; clusterScoped: boolean }>>();
  return (apiVersion, kind, namespace) => {
    let byKind = kinds.get(apiVersion);
    if (!byKind) kinds.set(apiVersion, (byKind = new Map()));
    let k = byKind.get(kind);
    if (!k) byKind.set(kind, (k = { group: apiGroup(apiVersion), resource: resourceOf(kind), clusterScoped: isClusterScoped(apiVersion, kind) }));
    return { group: k.group, kind, resource: k.resource, namespace: k.clusterScoped ? undefined : namespace ?? '' };
  };
}

/**
 * The synth check: every kind an Application of the cluster writes is writable by its
 * application controller under the default grants plus the rules bound to its ServiceAccount by
 * ClusterRoleBindings in the stack (as synthesized: overrides included). One line per missing
 * permission (group, resource, scope).
 */
export function controllerRbacCheck(): SynthCheck {
  return {
    id: 'argocd-controller-rbac',
    check(objects, ctx) {
      const problems: Problem[] = [];
      for (const root of ctx.roots) {
        // a Cluster (duck-typed: lib/gitops/cluster.ts imports this module through the root app)
        const c = root as unknown as { argoNamespace?: unknown; platform?: { gitops?: unknown } };
        if (typeof c.argoNamespace !== 'string' || typeof c.platform?.gitops !== 'string') continue;
        const argoNamespace = c.argoNamespace;
        const gitops = c.platform.gitops;
        const mine = objects.filter((o) => o.root === root);
        const grants = defaultGrants(gitops);
        const sa = controllerServiceAccount(argoNamespace);
        const managedNs = new Set<string>([argoNamespace]);
        const roles = new Map<string, GrantRule[]>();
        const bound: string[] = [];
        for (const o of mine) {
          const m = o.manifest;
          if (m.kind === 'Namespace' && m.metadata?.labels?.[MANAGED_BY_LABEL] === argoNamespace) managedNs.add(m.metadata.name);
          if (m.kind === 'ClusterRole' && apiGroup(m.apiVersion) === 'rbac.authorization.k8s.io') roles.set(m.metadata.name, (m.rules ?? []).map(asRule));
          if (m.kind === 'ClusterRoleBinding' && m.roleRef?.kind === 'ClusterRole'
            && (m.subjects ?? []).some((s: any) => s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace)) bound.push(m.roleRef.name);
        }
        const extra = bound.flatMap((r) => roles.get(r) ?? []);
        const missing = missingGrants(usesOf(mine), defaultRules(grants, argoNamespace), (ns) => managedNs.has(ns), extra);
        for (const m of missing) {
          const where = m.clusterScoped ? 'cluster-scoped' : `in ${m.namespaces.length === 1 ? `namespace ${m.namespaces[0]}` : `${m.namespaces.length} namespaces (${m.namespaces.slice(0, 3).join(', ')}${m.namespaces.length > 3 ? ', ...' : ''})`}`;
          problems.push({
            path: `${root.outputFolder}/${BOOTSTRAP_FOLDER}`,
            field: 'rbac',
            message: `the Argo CD application controller (${sa.namespace}/${sa.name}) cannot ${m.verbs.join('/')} ${m.group || 'core'}/${m.resource} (${m.kind}) ${where}: ${grants ? `OpenShift GitOps ${gitops} does not grant it by default` : `no default grants are recorded for OpenShift GitOps ${gitops}`}, and no ClusterRoleBinding in the stack grants it; keep the derived controller ClusterRole (ArgoCdInstance) or bind one that does`,
          });
        }
      }
      return problems;
    },
  };
}

function asRule(r: any): GrantRule {
  return { apiGroups: r?.apiGroups ?? [], resources: r?.resources ?? [], verbs: r?.verbs ?? [] };
}
