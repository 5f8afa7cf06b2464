import { Cluster } from '../gitops/cluster';
import { GitOpsApp } from '../gitops/gitops-app';
import { SyncWave } from '../gitops/sync-wave';

/** Folder (and Argo CD Application) holding every tenant's Namespace, quota and limit range. */
export const TENANCY_FOLDER = 'tenancy';

/**
 * The platform GitOpsApp that owns what a tenant must not change itself: Namespaces (cluster
 * scoped), ResourceQuotas and LimitRanges. Created on first use, once per cluster.
 */
export function tenancyApp(cluster: Cluster): GitOpsApp {
  const existing = cluster.node.tryFindChild('Tenancy');
  if (existing) return existing as GitOpsApp;
  return new GitOpsApp(cluster, 'Tenancy', { name: TENANCY_FOLDER, syncWave: SyncWave.NAMESPACES });
}
