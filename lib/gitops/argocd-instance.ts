import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Provides } from '../refs/provides';
import { TreeIndex } from '../synth/pipeline';
import type { Cluster } from './cluster';
import { BOOTSTRAP_FOLDER, controllerServiceAccount, defaultGrants, defaultRules, isUnsyncedFolder, KindUse, kindUses, missingGrants, rulesFor } from './controller-rbac';
import { Delivery } from './delivery';

/**
 * Health of a child Application as the root Application's sync waves see it: Progressing only
 * until the child has completed its first sync, then Healthy, whatever the child's own health.
 *
 * Argo CD has had no built-in health for Applications since 1.8 (argo-cd v2.10.18
 * docs/operator-manual/upgrading/1.7-1.8.md); without one, the root's waves only order creation,
 * and a tenant app may sync before the namespace it needs. The check those notes give returns the
 * child's own health, so the root waits at a wave until every child there is Healthy
 * (gitops-engine sync_context.go: a running task must turn Healthy; Degraded fails the sync): one
 * degraded tenant Issuer or a Subscription with an unhealthy catalog would then hold back every
 * later wave of the root, for good (argoproj/argo-cd#9988; field review M2). Here the waves give
 * the first bootstrap its order (namespaces before what lives in them, operators before their
 * custom resources) and never block afterwards: a child that has synced before (`status.history`,
 * written on each successful sync), is Synced, or whose first sync failed is Healthy to the root,
 * with the child's own state in the message. The child's own health stays visible on the child.
 */
export const APPLICATION_HEALTH_LUA = [
  'local hs = { status = "Progressing", message = "waiting for its first sync" }',
  'if obj.status == nil then return hs end',
  'local own = "unknown"',
  'if obj.status.health ~= nil and obj.status.health.status ~= nil then own = obj.status.health.status end',
  'local sync = "unknown"',
  'if obj.status.sync ~= nil and obj.status.sync.status ~= nil then sync = obj.status.sync.status end',
  'local op = obj.status.operationState',
  'if sync == "Synced" or (obj.status.history ~= nil and #obj.status.history > 0) then',
  '  return { status = "Healthy", message = "synced before (now " .. sync .. ", health " .. own .. ")" }',
  'end',
  'if op ~= nil and (op.phase == "Failed" or op.phase == "Error") then',
  '  return { status = "Healthy", message = "first sync " .. op.phase .. ": " .. (op.message or "") .. "; not holding back later waves" }',
  'end',
  'if op ~= nil and op.phase ~= nil then hs.message = "first sync " .. op.phase end',
  'return hs',
].join('\n');

/**
 * Health of an OLM Subscription that stays Healthy once its operator is installed, also while
 * an upgrade's InstallPlan waits for approval. Argo CD's built-in check (argo-cd v2.10.6 to
 * v2.10.18 resource_customizations/operators.coreos.com/Subscription/health.lua) reports
 * Progressing for `InstallPlanPending`, which with Manual approval is true whenever the catalog
 * offers an upgrade: every later sync wave then waits for a human (field review M1). Here:
 * Degraded when a failure condition is True (the built-in one also counts `InstallPlanMissing`
 * whatever its status); Healthy as soon as `status.installedCSV` is set (OLM 4.14's Subscription
 * status has no CSV phase: subscription_types.go), the pending upgrade named in the message;
 * Progressing until the first install. Which upgrade is approved is the InstallPlanApprover's job.
 */
export const SUBSCRIPTION_HEALTH_LUA = [
  'local hs = { status = "Progressing", message = "waiting for the first install" }',
  'if obj.status == nil then return hs end',
  'local failures = { CatalogSourcesUnhealthy = true, InstallPlanFailed = true, ResolutionFailed = true, InstallPlanMissing = true, BundleUnpackFailed = true }',
  'local pending = nil',
  'for _, c in ipairs(obj.status.conditions or {}) do',
  '  if c.status == "True" and failures[c.type] then',
  '    return { status = "Degraded", message = c.type .. ": " .. (c.message or "") }',
  '  end',
  '  if c.status == "True" and c.type == "InstallPlanPending" then pending = c.reason or "pending" end',
  'end',
  'if obj.status.installedCSV ~= nil and obj.status.installedCSV ~= "" then',
  '  hs.status = "Healthy"',
  '  hs.message = "installed " .. obj.status.installedCSV',
  '  if pending ~= nil then hs.message = hs.message .. "; upgrade to " .. (obj.status.currentCSV or "?") .. " waits (" .. pending .. ")" end',
  'elseif pending ~= nil then',
  '  hs.message = hs.message .. " (" .. pending .. ")"',
  'end',
  'return hs',
].join('\n');

/**
 * Health of a Crunchy PGO PostgresCluster, so that a later sync wave of the same Application (the
 * GitLab CR at WORKLOADS after its database at CONFIG) waits until PostgreSQL answers. Argo CD
 * 2.10.18 has no check for it (argo-cd v2.10.18 resource_customizations/ holds none for
 * postgres-operator.crunchydata.com), and without one the resource counts as healthy as soon as it
 * is applied: gitops-engine b6ec82aedce5 (the version argo-cd v2.10.18's go.mod pins)
 * pkg/sync/sync_context.go marks a running task with no health Succeeded, with Healthy Succeeded,
 * with Degraded Failed, and keeps waiting otherwise. Status fields at CrunchyData/postgres-operator
 * v5.8.7 (pkg/apis/.../v1beta1/postgrescluster_types.go, internal/controller/postgrescluster):
 * `status.instances[]` {name, replicas, readyReplicas, updatedReplicas} counted per instance set
 * from the pods (instance.go), `status.observedGeneration` written only after a reconcile that
 * succeeded (controller.go), `status.patroni.systemIdentifier` once Patroni has initialized the
 * cluster (patroni.go), and condition `Progressing` False with reason `Paused` when
 * `spec.paused` is set or backups were removed without authorization (controller.go).
 * Healthy: PGO has reconciled the current generation, Patroni bootstrapped, and every requested
 * instance (`spec.instances[].replicas`, default 1) is ready and up to date; Suspended while paused;
 * Progressing otherwise. Backups (stanza, first full backup) are not part of it.
 * With `spec.databaseInitSQL` (the extensions GitLab needs, created by the superuser), PostgreSQL
 * answering is not enough: PGO v5.8.7 internal/controller/postgrescluster/postgres.go
 * `reconcileDatabaseInitSQL` runs the ConfigMap's SQL on the writable pod and only after it
 * succeeded sets `status.databaseInitSQL` to `spec.databaseInitSQL.name` (the ConfigMap's name);
 * a failed run leaves it unset and is retried. So Progressing until the status is set. Not
 * "until it equals the spec's name": PGO returns early once the status is set, so a renamed
 * ConfigMap never runs and an equality test would wait forever; the message names that case.
 */
export const POSTGRES_CLUSTER_HEALTH_LUA = [
  'local hs = { status = "Progressing", message = "waiting for PGO" }',
  'if obj.status == nil then return hs end',
  'for _, c in ipairs(obj.status.conditions or {}) do',
  '  if c.type == "Progressing" and c.status == "False" and c.reason == "Paused" then',
  '    return { status = "Suspended", message = c.message or "paused" }',
  '  end',
  'end',
  'local gen = obj.metadata and obj.metadata.generation',
  'if gen ~= nil and (obj.status.observedGeneration == nil or obj.status.observedGeneration < gen) then',
  '  hs.message = "PGO has not reconciled generation " .. gen .. " yet"',
  '  return hs',
  'end',
  'local want = 0',
  'for _, s in ipairs((obj.spec and obj.spec.instances) or {}) do want = want + (s.replicas or 1) end',
  'local ready = 0',
  'for _, s in ipairs(obj.status.instances or {}) do',
  '  ready = ready + (s.readyReplicas or 0)',
  '  if (s.updatedReplicas or 0) < (s.replicas or 0) then',
  '    hs.message = "instance set " .. (s.name or "?") .. ": " .. (s.updatedReplicas or 0) .. " of " .. s.replicas .. " pods updated"',
  '    return hs',
  '  end',
  'end',
  'if ready < want then',
  '  hs.message = ready .. " of " .. want .. " PostgreSQL instances ready"',
  '  return hs',
  'end',
  'if obj.status.patroni == nil or obj.status.patroni.systemIdentifier == nil or obj.status.patroni.systemIdentifier == "" then',
  '  hs.message = "Patroni has not initialized the cluster yet"',
  '  return hs',
  'end',
  'local init = obj.spec and obj.spec.databaseInitSQL',
  'local ran = obj.status.databaseInitSQL',
  'if init ~= nil and init.name ~= nil then',
  '  if ran == nil or ran == "" then',
  '    hs.message = ready .. " of " .. want .. " PostgreSQL instances ready; the init SQL of ConfigMap " .. init.name .. " has not succeeded yet"',
  '    return hs',
  '  end',
  '  if ran ~= init.name then',
  '    return { status = "Healthy", message = ready .. " of " .. want .. " PostgreSQL instances ready; init SQL ran from ConfigMap " .. ran .. ", PGO runs it once, so ConfigMap " .. init.name .. " was not run" }',
  '  end',
  'end',
  'return { status = "Healthy", message = ready .. " of " .. want .. " PostgreSQL instances ready" }',
].join('\n');

/**
 * The OpenShift GitOps Argo CD instance of a cluster, as code, in the cluster's `bootstrap/`
 * folder (applied once by hand, or delivered by a fleet's hub; no Application of the cluster
 * syncs it, so nothing the root Application needs lives only inside what the root syncs):
 *
 * - the `ArgoCD` custom resource (argoproj.io/v1beta1, the storage version of GitOps 1.12) of the
 *   instance in the cluster's Argo CD namespace (the default instance: openshift-gitops), with the
 *   health checks the stack relies on (`APPLICATION_HEALTH_LUA`,
 *   `SUBSCRIPTION_HEALTH_LUA`, `POSTGRES_CLUSTER_HEALTH_LUA`), the ApplicationSet controller kept on (a CR applied without
 *   `spec.applicationSet` turns it off: argocd-operator 897025209e7d controllers/argocd/applicationset.go),
 *   and the default instance's RBAC and SSO written down (gitops-operator v1.12
 *   controllers/argocd/argocd.go NewCR: `g, system:cluster-admins, role:admin`, scopes `[groups]`,
 *   Dex with OpenShift OAuth);
 * - a ClusterRole with exactly the (group, resource) writes the stack's Applications need beyond
 *   what OpenShift GitOps grants by default (lib/gitops/controller-rbac.ts), derived from the
 *   objects of the cluster at synth time, and its ClusterRoleBinding to the application
 *   controller's ServiceAccount.
 *
 * Primary object (`ApiObject.of(instance)`): the ArgoCD resource.
 *
 * Emits: into `dist/<environment>/bootstrap/` an `argoproj.io/v1beta1` ArgoCD (the default:
 * `openshift-gitops/openshift-gitops`), a ClusterRole and a ClusterRoleBinding
 * `<argo-namespace>-ocpkit-application-controller`. The root app makes it; a stack does not.
 */
export class ArgoCdInstance extends Construct {
  /** The ArgoCD custom resource. */
  public readonly resource: ApiObject;
  /** The derived ClusterRole of the application controller. */
  public readonly controllerRole: k8s.KubeClusterRole;

  constructor(scope: Construct, id: string, cluster: Cluster) {
    super(scope, id);
    Delivery.of(this).folder(BOOTSTRAP_FOLDER);
    const ns = cluster.argoNamespace;
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1beta1',
      kind: 'ArgoCD',
      metadata: {
        name: ns,
        namespace: ns,
        // what the stack was synthesized for (platform.gitops / platform.argoCd): `ocpkit bootstrap`
        // prints the install channel and a check of the running Argo CD release from them
        annotations: {
          'ocpkit.io/gitops-version': cluster.platform.gitops,
          ...(cluster.platform.declaredArgoCd ? { 'ocpkit.io/argocd-version': cluster.platform.declaredArgoCd } : {}),
        },
      },
      spec: {
        applicationSet: {},
        rbac: {
          defaultPolicy: '',
          policy: 'g, system:cluster-admins, role:admin\ng, cluster-admins, role:admin\n',
          scopes: '[groups]',
        },
        resourceHealthChecks: [
          { group: 'argoproj.io', kind: 'Application', check: APPLICATION_HEALTH_LUA },
          { group: 'operators.coreos.com', kind: 'Subscription', check: SUBSCRIPTION_HEALTH_LUA },
          { group: 'postgres-operator.crunchydata.com', kind: 'PostgresCluster', check: POSTGRES_CLUSTER_HEALTH_LUA },
        ],
        server: { route: { enabled: true } },
        sso: { provider: 'dex', dex: { openShiftOAuth: true } },
      },
    });
    this.node.defaultChild = this.resource;

    const sa = controllerServiceAccount(ns);
    // argocd-operator creates the controller's ServiceAccount for the instance
    // (controllers/argocd/service_account.go, `<instance>-argocd-application-controller`)
    Provides.of(this).object('ServiceAccount', sa.namespace, sa.name, { by: 'the OpenShift GitOps operator (for the ArgoCD instance)' });
    const roleName = `${ns}-ocpkit-application-controller`;
    this.controllerRole = new k8s.KubeClusterRole(this, 'ControllerRole', {
      metadata: {
        name: roleName,
        annotations: { 'ocpkit.io/description': 'writes the stack\'s Applications make beyond what OpenShift GitOps grants its application controller by default (derived by ocpkit from the synthesized objects)' },
      },
      rules: Lazy.any({ produce: () => rulesFor(derivedMissing(cluster)).map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })) }),
    });
    new k8s.KubeClusterRoleBinding(this, 'ControllerBinding', {
      metadata: { name: roleName },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: sa.namespace }],
    });
  }
}

/** The writes of the cluster's synced objects the default grants do not allow. */
function derivedMissing(cluster: Cluster) {
  const use = kindUses();
  const uses: KindUse[] = [];
  const namespaces = new Set<string>([cluster.argoNamespace]);
  for (const c of TreeIndex.all(cluster)) {
    if (!(c instanceof ApiObject)) continue;
    if (c.kind === 'Namespace' && c.apiVersion === 'v1' && c.metadata.name) namespaces.add(c.metadata.name);
    const folder = Delivery.folderOf(c);
    if (folder === undefined || isUnsyncedFolder(folder)) continue;
    uses.push(use(c.apiVersion, c.kind, c.metadata.namespace));
  }
  // every Namespace of the stack is labelled managed-by the instance (lib/gitops/managed-namespace.ts)
  return missingGrants(uses, defaultRules(defaultGrants(cluster.platform.gitops), cluster.argoNamespace), (n) => namespaces.has(n));
}
