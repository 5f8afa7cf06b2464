/**
 * What makes a restore drill safe: the resources a drill does not restore, and the Velero resource
 * modifiers applied to what it does restore.
 *
 * Facts (Velero 1.14, which OADP 1.4 builds: openshift/oadp-operator@oadp-1.4 go.mod requires
 * vmware-tanzu/velero v1.14.0, replaced by the openshift/velero fork; the OADP 1.4 Restore CRD has
 * `spec.resourceModifier`, bundle/manifests/velero.io_restores.yaml):
 * - A Restore's `spec.resourceModifier` names a ConfigMap of the Restore's own namespace (kind
 *   compared case-insensitively with "configmap"); it must hold exactly one data entry, a YAML
 *   document `version: v1` with `resourceModifierRules`; each rule has `conditions`
 *   (`groupResource`, required; `namespaces`, `resourceNameRegex`, `labelSelector`, `matches`) and
 *   one of `patches` (RFC 6902), `mergePatches` or `strategicPatches` (`patchData`). A ConfigMap
 *   that does not parse or validate fails the Restore's validation
 *   (vmware-tanzu/velero@v1.14.0 pkg/controller/restore_controller.go, internal/resourcemodifiers/
 *   resource_modifiers.go, resource_modifiers_validator.go, json_merge_patch.go;
 *   site/content/docs/v1.14/restore-resource-modifiers.md).
 * - `conditions.namespaces` are the namespaces of the backup, not the mapped ones: modifiers run
 *   before the object's namespace is remapped (pkg/restore/restore.go restoreItem, and the doc).
 * - A JSON Patch `remove` of an absent path is an error of the item, so a drill uses JSON merge
 *   patches: a `null` removes a key when present and does nothing otherwise (RFC 7386).
 * - Velero restores running Pods, with their owner references stripped (pkg/restore/restore.go
 *   resetMetadata), and Jobs not yet completed (isCompleted): left in, a drill would start the
 *   application before any Deployment is scaled; they are excluded. Volume data restored by the
 *   data mover or from CSI snapshots comes with the PVC, not the pod. File-system backups
 *   (kopia, PodVolumeRestore) are restored through the restored pods, so they cannot be drilled
 *   this way.
 */

import { ARGO_TRACKING_LABELS } from './backup-schedule';

/** Built-in and cert-manager/KubeVirt kinds a drill never restores (part of {@link DRILL_EXCLUDED_RESOURCES}). */
const DRILL_BASE_EXCLUSIONS: Readonly<Record<string, string>> = {
  'pods': 'restored pods would run the application before its controller is scaled to zero',
  'replicasets.apps': 'restored ReplicaSets keep their replica count and would start pods',
  'jobs.batch': 'a restored unfinished Job runs again',
  'cronjobs.batch': 'scheduled work (mail, clean-ups, exports) must not run twice',
  'routes.route.openshift.io': 'the copy would claim the live host names',
  'ingresses.networking.k8s.io': 'OpenShift turns Ingresses into Routes for the live host names, and cert-manager orders certificates for them',
  'certificates.cert-manager.io': 'cert-manager would order a second certificate for the live host names (Let\'s Encrypt allows 5 duplicates a week)',
  'certificaterequests.cert-manager.io': 'in-flight requests for the live host names',
  'issuers.cert-manager.io': 'the tenant\'s ACME issuer and its DNS credentials stay with the tenant',
  'orders.acme.cert-manager.io': 'in-flight ACME orders for the live host names',
  'challenges.acme.cert-manager.io': 'in-flight ACME challenges for the live host names',
  'networkpolicies.networking.k8s.io': 'the tenant\'s policies admit the routers and monitoring; the drill namespace has its own',
  'resourcequotas': 'the drill namespace gets the tenant\'s quota before the restore',
  'limitranges': 'the drill namespace gets the tenant\'s defaults before the restore',
  'virtualmachineinstances.kubevirt.io': 'a restored VMI would boot the VM',
  'virtualmachineinstancemigrations.kubevirt.io': 'migrations of the live VMs mean nothing in the copy',
};

/** The operator-managed and monitoring kinds a drill never restores (part of {@link DRILL_EXCLUDED_RESOURCES}). */
export const DRILL_OPERATOR_RESOURCES: Readonly<Record<string, string>> = {
  // Operator-managed custom resources: the operator would start the workloads again from them and
  // run their own backups into the production repository (pgBackRest, xtrabackup). The data they
  // manage comes back as PVCs; inspect it with a pod of your own. Plural names and groups from the
  // operators' CRDs (profile ocp-4.14 of the reference schemas: crunchy-pgo, percona-xtradb, gitlab).
  'postgresclusters.postgres-operator.crunchydata.com': 'PGO would start Postgres and pgBackRest would archive WAL and take backups into the production repository',
  'pgupgrades.postgres-operator.crunchydata.com': 'PGO would run a major upgrade on the copy',
  'perconaxtradbclusters.pxc.percona.com': 'the Percona operator would start the cluster and its scheduled backups into the production storage',
  'perconaxtradbclusterbackups.pxc.percona.com': 'a restored backup object makes the Percona operator take a backup into the production storage',
  'perconaxtradbclusterrestores.pxc.percona.com': 'a restored restore object makes the Percona operator run that restore again',
  'gitlabs.apps.gitlab.com': 'the GitLab operator would deploy a second GitLab against the live host names and object storage',
  'runners.apps.gitlab.com': 'a second runner would register with the live GitLab and take its jobs',
  // Monitoring objects: the copy's rules would fire alerts about a namespace nobody runs, and
  // its monitors would have the copy scraped as if it were production.
  'prometheusrules.monitoring.coreos.com': 'the copy\'s alert rules would fire for workloads scaled to zero',
  'servicemonitors.monitoring.coreos.com': 'monitoring would scrape the copy as production',
  'podmonitors.monitoring.coreos.com': 'monitoring would scrape the copy as production',
  'probes.monitoring.coreos.com': 'monitoring would probe the copy as production',
};

/** Resources a drill never restores, and why (lower-case plural with group, as Velero filters take them). */
export const DRILL_EXCLUDED_RESOURCES: Readonly<Record<string, string>> = { ...DRILL_BASE_EXCLUSIONS, ...DRILL_OPERATOR_RESOURCES };

/**
 * API groups whose kinds a drill restores as they are or tames with a modifier: Kubernetes' and
 * OpenShift's own, and the inert custom resources of KubeVirt, CDI, Multus, CSI snapshots and
 * cert-manager (the risky cert-manager kinds are excluded above). A custom resource of any other
 * group found in the tenant is taken for an operator's and left out of the drill
 * ({@link drillExcludedResources}); `ocpkit.io` kinds are synthesis-only and never reach a cluster.
 */
export const DRILL_RESTORED_GROUPS: readonly string[] = [
  '', 'apps', 'batch', 'autoscaling', 'policy', 'rbac.authorization.k8s.io', 'networking.k8s.io', 'discovery.k8s.io',
  'coordination.k8s.io', 'storage.k8s.io', 'snapshot.storage.k8s.io', 'apps.openshift.io', 'route.openshift.io', 'image.openshift.io',
  'authorization.openshift.io', 'kubevirt.io', 'cdi.kubevirt.io', 'instancetype.kubevirt.io', 'k8s.cni.cncf.io',
  'cert-manager.io', 'acme.cert-manager.io', 'monitoring.coreos.com', 'ocpkit.io',
];

/**
 * What a drill leaves out: {@link DRILL_EXCLUDED_RESOURCES}, then (sorted) the custom resources of
 * the tenant (Velero group-resource names) whose group is not in {@link DRILL_RESTORED_GROUPS}.
 */
export function drillExcludedResources(tenantResources: Iterable<string>): string[] {
  const fixed = Object.keys(DRILL_EXCLUDED_RESOURCES);
  const extra = new Set<string>();
  for (const gr of tenantResources) {
    const dot = gr.indexOf('.');
    const group = dot < 0 ? '' : gr.slice(dot + 1);
    if (!DRILL_RESTORED_GROUPS.includes(group) && !fixed.includes(gr)) extra.add(gr);
  }
  return [...fixed, ...[...extra].sort()];
}

/**
 * Argo CD's tracking metadata. Argo CD 2.10 tracks by label unless `application.resourceTrackingMethod`
 * says otherwise (argoproj/argo-cd@v2.10.18 util/argo/resource_tracking.go GetTrackingMethod), with
 * the key `app.kubernetes.io/instance` (common/common.go LabelKeyAppInstance; OpenShift GitOps sets
 * `argocd.argoproj.io/instance`, see ARGO_TRACKING_LABELS), and by the annotation
 * `argocd.argoproj.io/tracking-id` (AnnotationKeyAppInstance) with annotation tracking. Velero
 * restores labels and annotations as they were, so a copy in `<tenant>-drill` would carry the live
 * tenant Application's label and be shown, and with auto-prune deleted, as that Application's
 * resource missing from Git. Every restored object of a drill loses them.
 */
export const ARGO_TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';

/**
 * The group-resource pattern that matches every resource: Velero 1.14 compiles
 * `conditions.groupResource` as a gobwas/glob pattern with '.' as separator
 * (vmware-tanzu/velero@v1.14.0 internal/resourcemodifiers/resource_modifiers.go match,
 * `glob.Compile(groupResource, '.')`, against `schema.GroupResource.String()`, pkg/restore/restore.go):
 * `*` stops at a dot, so neither `*` (core only) nor `*.*` (one-dot groups only: not
 * `virtualmachines.kubevirt.io`) covers everything; `**` matches across separators, the empty group
 * included (gobwas/glob v0.2.3, the version velero v1.14.0 go.mod requires, README "super wildcard").
 */
export const EVERY_GROUP_RESOURCE = '**';

/** One rule of a Velero resource modifier document (the subset ocpkit writes). */
export interface ModifierRule {
  readonly conditions: {
    readonly groupResource: string;
    readonly namespaces: readonly string[];
  };
  readonly mergePatches: readonly { readonly patchData: string }[];
}

/** A merge patch as Velero reads it (JSON is YAML; one line keeps the document deterministic). */
function patch(data: unknown): { patchData: string } {
  return { patchData: JSON.stringify(data) };
}

/**
 * Prefixes of cert-manager's annotation keys (ingress-shim's `cert-manager.io/issuer`, the Routes
 * add-on's `cert-manager.io/issuer-name`, ...). A merge patch names keys, not prefixes, so a drill
 * strips exactly the keys with these prefixes found on the tenant's rendered objects of each kind
 * it restores (Routes, Ingresses and cert-manager's own kinds are not restored at all).
 */
export const CERT_MANAGER_ANNOTATION_PREFIXES: readonly string[] = ['cert-manager.io/', 'acme.cert-manager.io/'];

/** The drill's modifier rules for one source namespace. */
export function drillModifierRules(namespace: string, certManagerAnnotations: ReadonlyMap<string, readonly string[]>): ModifierRule[] {
  const ns = [namespace];
  const rules: ModifierRule[] = [
    // no Argo CD tracking metadata on anything restored (merge patch: absent keys are no error)
    {
      conditions: { groupResource: EVERY_GROUP_RESOURCE, namespaces: ns },
      mergePatches: [patch({ metadata: { labels: Object.fromEntries(ARGO_TRACKING_LABELS.map((k) => [k, null])), annotations: { [ARGO_TRACKING_ANNOTATION]: null } } })],
    },
    // scaled to zero: the copy holds data, runs nothing (apps/v1 and OpenShift DeploymentConfigs)
    { conditions: { groupResource: 'deployments.apps', namespaces: ns }, mergePatches: [patch({ spec: { replicas: 0 } })] },
    { conditions: { groupResource: 'statefulsets.apps', namespaces: ns }, mergePatches: [patch({ spec: { replicas: 0 } })] },
    { conditions: { groupResource: 'deploymentconfigs.apps.openshift.io', namespaces: ns }, mergePatches: [patch({ spec: { replicas: 0 } })] },
    // VMs stay stopped: runStrategy Halted, and `running` (mutually exclusive with runStrategy) removed
    // (KubeVirt run strategies: https://kubevirt.io/user-guide/compute/run_strategies/)
    { conditions: { groupResource: 'virtualmachines.kubevirt.io', namespaces: ns }, mergePatches: [patch({ spec: { runStrategy: 'Halted', running: null } })] },
  ];
  for (const [groupResource, keys] of [...certManagerAnnotations.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (keys.length === 0 || groupResource in DRILL_EXCLUDED_RESOURCES) continue;
    rules.push({
      conditions: { groupResource, namespaces: ns },
      mergePatches: [patch({ metadata: { annotations: Object.fromEntries([...keys].sort().map((k) => [k, null])) } })],
    });
  }
  return rules;
}

/** The YAML document of a resource modifier ConfigMap (deterministic: fixed key order, one patch per line). */
export function modifierDocument(rules: readonly ModifierRule[]): string {
  const q = (s: string) => JSON.stringify(s);
  const lines = ['version: v1', 'resourceModifierRules:'];
  for (const r of rules) {
    lines.push('- conditions:');
    lines.push(`    groupResource: ${q(r.conditions.groupResource)}`);
    lines.push('    namespaces:');
    for (const n of r.conditions.namespaces) lines.push(`    - ${q(n)}`);
    lines.push('  mergePatches:');
    for (const m of r.mergePatches) lines.push(`  - patchData: ${q(m.patchData)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Velero's plural resource name with group for a rendered kind, for the kinds a tenant holds. */
export function groupResourceOf(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const lower = kind.toLowerCase();
  const plural = lower.endsWith('s') ? `${lower}es` : lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : `${lower}s`;
  return group ? `${plural}.${group}` : plural;
}
