/**
 * Argo CD sync waves used across ocpkit. Inside one Application, lower waves are applied (and
 * must be healthy) first.
 *
 * The same waves order the child Applications of the app-of-apps, but there Argo CD only waits
 * for a child Application to be *healthy* if the Argo CD instance has a health check for
 * `argoproj.io/Application` (built in until Argo CD 1.7, removed in 1.8). Without it the waves
 * only order creation, and a tenant Application may sync before the `tenancy` one created its
 * namespace (it then retries). On OpenShift GitOps add the check to the ArgoCD instance
 * (`spec.resourceHealthChecks`, group `argoproj.io`, kind `Application`, a Lua check that returns
 * `obj.status.health`).
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/upgrading/1.7-1.8/
 */
export enum SyncWave {
  /**
   * Applications that must run before any operator is installed: the InstallPlan approver, which
   * approves the first install of every Manual Subscription.
   */
  OPERATOR_PINS = -30,
  /** AppProjects: before every Application that names them. */
  PROJECTS = -40,
  /** Namespaces an operator is installed into (before its OperatorGroup). */
  OPERATOR_NAMESPACES = -22,
  /** OperatorGroups (before the Subscriptions of their namespace). */
  OPERATOR_GROUPS = -21,
  /** Operator subscriptions, AppProjects and anything that brings CRDs. */
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
