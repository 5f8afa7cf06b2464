import type { Finding, PolicyObject, PolicyRule } from './policy';

/** Label that marks a tenant Namespace (set by `Tenant`). */
const TENANT_LABEL = 'ocpkit.io/tenant';

/** True when a manifest is a tenant Namespace. */
export function isTenantNamespace(m: any): boolean {
  return m?.kind === 'Namespace' && m?.apiVersion === 'v1' && typeof m?.metadata?.labels?.[TENANT_LABEL] === 'string';
}

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
 * `tenant-network-isolation`: every tenant namespace (a Namespace labelled `ocpkit.io/tenant`)
 * has a default-deny ingress NetworkPolicy (`podSelector: {}`, `policyTypes: [Ingress]`, no
 * rules), so a tenant only receives the traffic explicitly allowed.
 */
export const TENANT_NETWORK_ISOLATION: PolicyRule = {
  id: 'tenant-network-isolation',
  title: 'every tenant namespace has a default-deny ingress NetworkPolicy',
  check(obj: PolicyObject, ctx): Finding[] {
    const m = obj.manifest;
    if (!isTenantNamespace(m)) return [];
    const ns = m.metadata?.name;
    if (ctx.inNamespace(ns).some((o) => isDefaultDenyIngress(o.manifest))) return [];
    return [{
      pointer: '/metadata/name',
      message: `tenant namespace "${ns}" has no default-deny NetworkPolicy (podSelector: {}, policyTypes: [Ingress], no ingress rules); Tenant adds "deny-by-default", keep it`,
    }];
  },
};
