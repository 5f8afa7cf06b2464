/** Label that lets an OpenShift GitOps Argo CD instance manage a namespace's objects. */
export const MANAGED_BY_LABEL = 'argocd.argoproj.io/managed-by';

/**
 * Labels every Namespace the stack creates with `argocd.argoproj.io/managed-by: <argo namespace>`
 * (unless it already carries the label): the OpenShift GitOps operator then grants the Argo CD
 * instance the rights to sync into it, so platform namespaces (operators, VMs, GitLab, backups)
 * work as tenant namespaces do.
 * @see https://docs.openshift.com/gitops/1.12/argocd_instance/setting-up-argocd-instance.html
 */
export function markManagedNamespace<T extends { apiVersion?: string; kind?: string; metadata?: { name?: string; labels?: Record<string, string> } }>(manifest: T, argoNamespace: string): T {
  if (manifest.kind !== 'Namespace' || manifest.apiVersion !== 'v1' || !manifest.metadata) return manifest;
  const labels = manifest.metadata.labels ?? {};
  if (labels[MANAGED_BY_LABEL] === undefined) {
    manifest.metadata.labels = Object.fromEntries(Object.entries({ ...labels, [MANAGED_BY_LABEL]: argoNamespace }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return manifest;
}
