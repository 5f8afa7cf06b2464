import { show } from '../core/errors';
import { pointerToken } from '../core/json-pointer';
import type { Finding, PolicyRule } from './policy';
import { isTenantNamespace } from './tenant-network-isolation';

const RUN_LEVEL = 'openshift.io/run-level';
const ENFORCE = 'pod-security.kubernetes.io/enforce';
const LABEL_SYNC = 'security.openshift.io/scc.podSecurityLabelSync';
const CLUSTER_MONITORING = 'openshift.io/cluster-monitoring';
/** Namespace annotations OpenShift allocates for SCC admission (the UID, group and SELinux ranges pods get). */
const SCC_ANNOTATIONS = ['openshift.io/sa.scc.uid-range', 'openshift.io/sa.scc.supplemental-groups', 'openshift.io/sa.scc.mcs'];

/**
 * `namespace-admission-labels`: outside the declared system namespaces, no Namespace or Project
 * carries a label or annotation that switches admission off or widens it:
 *
 * Pod Security levels themselves are not refused here: on OpenShift the SCC admission decides
 * what a pod may do (restricted-v2 for tenants' service accounts), and a privileged Pod Security
 * level is a platform decision made through Tenant's `podSecurity` (policy tenant-pod-security).
 * What is refused is what switches SCC admission off or widens it:
 *
 * - `openshift.io/run-level` (any value): namespaces with run level 0 or 1 skip the admission
 *   plugins, SCC and Pod Security admission included ("highly privileged projects",
 *   openshift-docs snippets/default-projects.adoc); no value is left to chance.
 * - `security.openshift.io/scc.podSecurityLabelSync: "false"` without an explicit enforce level
 *   `restricted` or `baseline`: with the label syncer off and no level, the namespace falls back
 *   to the cluster-wide default (privileged on OpenShift 4.14).
 *   @see https://docs.openshift.com/container-platform/4.14/authentication/understanding-and-managing-pod-security-admission.html
 * - the SCC range annotations `openshift.io/sa.scc.uid-range`, `.supplemental-groups`, `.mcs`:
 *   OpenShift allocates them per namespace, and restricted-v2 runs pods inside them
 *   (MustRunAsRange); a hand-written range can include UID 0.
 *   @see https://docs.openshift.com/container-platform/4.14/authentication/managing-security-context-constraints.html
 * - on tenant namespaces, `openshift.io/cluster-monitoring: "true"`: it makes the namespace a
 *   platform-monitoring namespace, whose ServiceMonitors and PrometheusRules the platform
 *   Prometheus (with its cluster-wide service account) loads; tenants use user-workload monitoring.
 *   @see https://docs.openshift.com/container-platform/4.14/monitoring/enabling-monitoring-for-user-defined-projects.html
 */
export const NAMESPACE_ADMISSION_LABELS: PolicyRule = {
  id: 'namespace-admission-labels',
  title: 'no namespace outside the system namespaces carries labels or annotations that turn admission off (run-level, label sync without a level, SCC ranges)',
  check(obj, ctx): Finding[] {
    const m = obj.manifest;
    const isNs = (m?.kind === 'Namespace' && m?.apiVersion === 'v1') || (m?.kind === 'Project' && typeof m?.apiVersion === 'string' && m.apiVersion.split('/')[0] === 'project.openshift.io');
    if (!isNs) return [];
    const name = m.metadata?.name;
    if (ctx.isSystemNamespace(name)) return [];
    const labels = m.metadata?.labels && typeof m.metadata.labels === 'object' ? m.metadata.labels : {};
    const annotations = m.metadata?.annotations && typeof m.metadata.annotations === 'object' ? m.metadata.annotations : {};
    const what = `${m.kind} "${name}"`;
    const system = 'only a declared system namespace (SystemNamespaces.declare(cluster, namespace, reason)) may';
    const out: Finding[] = [];
    const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
    if (own(labels, RUN_LEVEL)) {
      out.push({ pointer: `/metadata/labels/${pointerToken(RUN_LEVEL)}`, message: `${what} carries ${RUN_LEVEL}: ${show(labels[RUN_LEVEL])}, which exempts the namespace from SCC and Pod Security admission; remove the label (${system} carry it)` });
    }
    const enforce = labels[ENFORCE];
    if (labels[LABEL_SYNC] === 'false' && enforce !== 'restricted' && enforce !== 'baseline' && enforce !== 'privileged') {
      out.push({ pointer: `/metadata/labels/${pointerToken(LABEL_SYNC)}`, message: `${what} turns OpenShift's Pod Security label sync off (${LABEL_SYNC}: "false") without enforcing a level, so the cluster default applies; set ${ENFORCE} to "restricted" or "baseline" too, or drop the label` });
    }
    for (const a of SCC_ANNOTATIONS) {
      if (own(annotations, a)) {
        out.push({ pointer: `/metadata/annotations/${pointerToken(a)}`, message: `${what} sets ${a}: ${show(annotations[a])}; OpenShift allocates this SCC range itself and a hand-written one can admit root, remove it (${system} set it)` });
      }
    }
    if (isTenantNamespace(m) && labels[CLUSTER_MONITORING] === 'true') {
      out.push({ pointer: `/metadata/labels/${pointerToken(CLUSTER_MONITORING)}`, message: `tenant namespace "${name}" carries ${CLUSTER_MONITORING}: "true", which hands its ServiceMonitors and rules to the platform Prometheus; tenants use monitoring for user-defined projects, remove the label` });
    }
    return out;
  },
};
