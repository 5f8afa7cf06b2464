/**
 * Argo CD sync waves used across ocpkit. Lower waves are applied (and must be healthy) first.
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 */
export enum SyncWave {
  /** Operator subscriptions and anything that brings CRDs. */
  OPERATORS = -20,
  /** Namespaces. */
  NAMESPACES = -10,
  /** Quotas, RBAC, network policies, AppProjects. */
  POLICY = -5,
  /** ConfigMaps, secrets references, storage, networks, custom resources configuring operators. */
  CONFIG = 0,
  /** Deployments, VMs and other workloads. */
  WORKLOADS = 10,
}

/** The annotation that carries a sync wave. */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
