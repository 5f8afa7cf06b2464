import { perGroup } from './_per-group';
import type { Finding, PolicyContext, PolicyRule } from './policy';

/** The ClusterRole OpenShift creates for using the `anyuid` SCC (`system:openshift:scc:<name>`). */
export const ANYUID_CLUSTER_ROLE = 'system:openshift:scc:anyuid';

/** Namespaces where a GitLab Runner manager or its jobs run, once per group of objects. */
const runnerNamespaces = perGroup((ctx: PolicyContext) => {
  const found = new Map<string, string>();
  for (const o of ctx.objects) {
    const m = o.manifest;
    if (m?.apiVersion === 'apps.gitlab.com/v1beta2' && m?.kind === 'Runner') {
      if (typeof m.metadata?.namespace === 'string') found.set(m.metadata.namespace, o.path);
      if (typeof m.spec?.namespace === 'string') found.set(m.spec.namespace, o.path);
    }
  }
  return found;
});

/**
 * `runners-no-anyuid`: no RoleBinding or ClusterRoleBinding grants the `anyuid` SCC to a service
 * account (or the service-account group) of a namespace where a GitLab Runner manager or its CI
 * jobs run: jobs run whatever a merge request says, and with anyuid they would run as root.
 */
export const RUNNERS_NO_ANYUID: PolicyRule = {
  id: 'runners-no-anyuid',
  title: 'no anyuid SCC for service accounts where GitLab Runner jobs run',
  check(obj, ctx): Finding[] {
    const m = obj.manifest;
    if (m?.apiVersion !== 'rbac.authorization.k8s.io/v1' || (m.kind !== 'RoleBinding' && m.kind !== 'ClusterRoleBinding')) return [];
    if (m.roleRef?.name !== ANYUID_CLUSTER_ROLE) return [];
    const runners = runnerNamespaces(ctx);
    if (runners.size === 0 || !Array.isArray(m.subjects)) return [];
    const out: Finding[] = [];
    m.subjects.forEach((s: any) => {
      const ns = s?.kind === 'ServiceAccount' ? (s.namespace ?? m.metadata?.namespace)
        : s?.kind === 'Group' && typeof s.name === 'string' && s.name.startsWith('system:serviceaccounts:') ? s.name.slice('system:serviceaccounts:'.length) : undefined;
      if (ns !== undefined && runners.has(ns)) {
        out.push({ pointer: '/roleRef', message: `grants the anyuid SCC to ${s.kind} "${s.name}" in "${ns}", where GitLab Runner ${runners.get(ns)} runs CI jobs; runners never get anyuid (jobs would run as root)` });
      }
    });
    return out;
  },
};
