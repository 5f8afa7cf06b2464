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
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return CLUSTER_SCOPED_KINDS.has(`${group}/${kind}`);
}

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
