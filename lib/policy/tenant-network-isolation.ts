import { perGroup } from './_per-group';
import type { Finding, PolicyContext, PolicyObject, PolicyRule } from './policy';

/** Label that marks a tenant Namespace (set by `Tenant`). */
const TENANT_LABEL = 'ocpkit.io/tenant';

/** True when a manifest is a tenant Namespace. */
export function isTenantNamespace(m: any): boolean {
  return m?.kind === 'Namespace' && m?.apiVersion === 'v1' && typeof m?.metadata?.labels?.[TENANT_LABEL] === 'string';
}

/** Names of the tenant namespaces of a group, found once per group. */
export const tenantNamespaceNames: (ctx: PolicyContext) => ReadonlySet<string> = perGroup(
  (ctx) => new Set(ctx.objects.filter((o) => isTenantNamespace(o.manifest)).map((o) => o.manifest.metadata.name as string)),
);

function emptySelector(sel: any): boolean {
  if (sel === undefined || sel === null) return true;
  if (typeof sel !== 'object') return false;
  const labels = sel.matchLabels;
  const exprs = sel.matchExpressions;
  return (!labels || Object.keys(labels).length === 0) && (!Array.isArray(exprs) || exprs.length === 0);
}

/**
 * True for a NetworkPolicy that denies all ingress to every pod of its namespace: an empty pod
 * selector, Ingress among its policy types, and no ingress rule.
 */
export function isDefaultDenyIngress(m: any): boolean {
  if (m?.kind !== 'NetworkPolicy' || m?.apiVersion !== 'networking.k8s.io/v1') return false;
  const spec = m.spec ?? {};
  if (!emptySelector(spec.podSelector)) return false;
  const types: unknown = spec.policyTypes;
  const ingressCovered = Array.isArray(types) ? types.includes('Ingress') : true;
  const noRules = spec.ingress === undefined || spec.ingress === null || (Array.isArray(spec.ingress) && spec.ingress.length === 0);
  return ingressCovered && noRules;
}

/**
 * True for a selector that selects (nearly) everything: empty, or only `NotIn`/`DoesNotExist`
 * expressions, which match every object lacking a label (any other tenant's namespace).
 */
function wideSelector(sel: any): boolean {
  if (sel === undefined || sel === null) return true;
  if (typeof sel !== 'object') return false;
  const labels = sel.matchLabels;
  if (labels && typeof labels === 'object' && Object.keys(labels).length > 0) return false;
  const exprs = Array.isArray(sel.matchExpressions) ? sel.matchExpressions : [];
  return exprs.every((e: any) => e?.operator === 'NotIn' || e?.operator === 'DoesNotExist');
}

/** `0.0.0.0/0`, `::/0` and any other prefix of length 0 (every address). */
function everyAddress(cidr: unknown): boolean {
  return typeof cidr === 'string' && /\/0+$/.test(cidr.trim());
}

/**
 * Ingress rules of a NetworkPolicy that admit every source: a rule with no `from` (or an empty
 * one), a peer `namespaceSelector: {}` (every namespace, whatever its podSelector), or an
 * `ipBlock` of every address. Rules of a policy whose policyTypes leave out Ingress do nothing.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/ (behavior of to and from selectors)
 */
export function openIngress(m: any): Array<{ pointer: string; why: string }> {
  const spec = m?.spec ?? {};
  if (Array.isArray(spec.policyTypes) && !spec.policyTypes.includes('Ingress')) return [];
  if (!Array.isArray(spec.ingress)) return [];
  const out: Array<{ pointer: string; why: string }> = [];
  spec.ingress.forEach((rule: any, i: number) => {
    const from = rule?.from;
    if (from === undefined || from === null || (Array.isArray(from) && from.length === 0)) {
      out.push({ pointer: `/spec/ingress/${i}`, why: 'has an ingress rule without "from", which admits every source' });
      return;
    }
    if (!Array.isArray(from)) return;
    from.forEach((peer: any, j: number) => {
      if (!peer || typeof peer !== 'object') return;
      if (peer.ipBlock && everyAddress(peer.ipBlock.cidr)) {
        out.push({ pointer: `/spec/ingress/${i}/from/${j}/ipBlock/cidr`, why: `admits every address (ipBlock ${JSON.stringify(peer.ipBlock.cidr)})` });
      } else if (peer.namespaceSelector !== undefined && peer.namespaceSelector !== null && wideSelector(peer.namespaceSelector)) {
        out.push({ pointer: `/spec/ingress/${i}/from/${j}/namespaceSelector`, why: 'admits pods of every namespace (a namespaceSelector without matchLabels)' });
      } else if (!peer.ipBlock && (peer.namespaceSelector ?? null) === null && (peer.podSelector ?? null) === null) {
        out.push({ pointer: `/spec/ingress/${i}/from/${j}`, why: 'has an empty "from" peer' });
      }
    });
  });
  return out;
}

/**
 * `tenant-network-isolation`: every tenant namespace (a Namespace labelled `ocpkit.io/tenant`)
 * has a default-deny ingress NetworkPolicy (`podSelector: {}`, `policyTypes: [Ingress]`, no
 * rules), so a tenant only receives the traffic explicitly allowed; and no NetworkPolicy in a
 * tenant namespace admits every source (NetworkPolicies are additive: one allow-all policy next
 * to the default deny re-opens the pods it selects to the whole cluster).
 */
export const TENANT_NETWORK_ISOLATION: PolicyRule = {
  id: 'tenant-network-isolation',
  title: 'every tenant namespace has a default-deny ingress NetworkPolicy and no NetworkPolicy that admits every source',
  check(obj: PolicyObject, ctx): Finding[] {
    const m = obj.manifest;
    if (m?.kind === 'NetworkPolicy' && m?.apiVersion === 'networking.k8s.io/v1') {
      const ns = m.metadata?.namespace;
      if (typeof ns !== 'string' || !tenantNamespaceNames(ctx).has(ns)) return [];
      return openIngress(m).map((f) => ({ pointer: f.pointer, message: `NetworkPolicy "${m.metadata?.name}" in tenant namespace "${ns}" ${f.why}, which re-opens what "deny-by-default" closes; allow named sources only: pods of the same namespace (podSelector), namespaces selected by label (namespaceSelector with matchLabels, like the OpenShift ingress and monitoring policy groups), or specific ipBlock ranges` }));
    }
    if (!isTenantNamespace(m)) return [];
    const ns = m.metadata?.name;
    if (ctx.inNamespace(ns).some((o) => isDefaultDenyIngress(o.manifest))) return [];
    return [{
      pointer: '/metadata/name',
      message: `tenant namespace "${ns}" has no default-deny NetworkPolicy (podSelector: {}, policyTypes: [Ingress], no ingress rules); Tenant adds "deny-by-default", keep it`,
    }];
  },
};
