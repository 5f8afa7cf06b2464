/**
 * Kinds that are cluster-scoped (no `metadata.namespace`), core and CRD alike, for the kinds
 * ocpkit knows. Keyed by `group/Kind` (`/Kind` for the core group).
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  '/Namespace', '/Node', '/PersistentVolume', 'storage.k8s.io/StorageClass',
  'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition', 'scheduling.k8s.io/PriorityClass',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'cert-manager.io/ClusterIssuer', 'nmstate.io/NodeNetworkConfigurationPolicy',
  'instancetype.kubevirt.io/VirtualMachineClusterInstancetype', 'instancetype.kubevirt.io/VirtualMachineClusterPreference',
  'security.openshift.io/SecurityContextConstraints', 'quota.openshift.io/ClusterResourceQuota',
  'machineconfiguration.openshift.io/MachineConfig', 'machineconfiguration.openshift.io/MachineConfigPool',
  'machineconfiguration.openshift.io/KubeletConfig', 'project.openshift.io/Project',
]);

/** True when the manifest's kind is cluster-scoped. */
export function isClusterScoped(apiVersion: string, kind: string): boolean {
  // asked for every object of every synth: one answer per (apiVersion, kind), no string built per call
  let byKind = SCOPES.get(apiVersion);
  if (!byKind) SCOPES.set(apiVersion, (byKind = new Map()));
  let scoped = byKind.get(kind);
  if (scoped === undefined) {
    const slash = apiVersion.indexOf('/');
    scoped = CLUSTER_SCOPED_KINDS.has(`${slash < 0 ? '' : apiVersion.slice(0, slash)}/${kind}`);
    if (byKind.size < 500) byKind.set(kind, scoped);
  }
  return scoped;
}

/** Answers of {@link isClusterScoped} (a fixed set's answers: a few dozen kinds). */
const SCOPES = new Map<string, Map<string, boolean>>();

/**
 * Drops `metadata.namespace` from cluster-scoped objects (a chart's default namespace is applied
 * to every object cdk8s renders, including Namespaces themselves).
 */
export function normalizeScope<T extends { apiVersion?: string; kind?: string; metadata?: { namespace?: string } }>(manifest: T): T {
  if (manifest.metadata?.namespace && isClusterScoped(String(manifest.apiVersion), String(manifest.kind))) {
    delete manifest.metadata.namespace;
  }
  return manifest;
}
