/**
 * What the OpenShift GitOps operator lets the default Argo CD instance's application controller write,
 * as data read from upstream source (facts only, no logic). A synth check can compare every
 * (group, kind, scope) in `dist/` with these rules plus the RBAC ocpkit generates.
 *
 * How the grants are built (gitops-operator branch `v1.12`, commit d5cba6fa, go.mod pins
 * argocd-operator 897025209e7d = tag v0.10.2 on `release-0.10`, Argo CD v2.10.18):
 *
 * - Cluster-wide: argocd-operator `controllers/argocd/role.go` `reconcileClusterRole` creates ClusterRole
 *   `<cr.name>-<cr.namespace>-argocd-application-controller` (= `openshift-gitops-openshift-gitops-argocd-application-controller`)
 *   only for instances whose namespace is listed in env `ARGOCD_CLUSTER_CONFIG_NAMESPACES` (the
 *   gitops-operator CSV sets it to `openshift-gitops`: `bundle/manifests/gitops-operator.clusterserviceversion.yaml`).
 *   The gitops-operator hook (`controllers/argocd/openshift/openshift.go` `ReconcilerHook`, registered in
 *   `main.go` with `argocd.Register`) REPLACES its rules with `policyRulesForClusterConfig()`.
 *   `controllers/argocd/rolebinding.go` `reconcileClusterRoleBinding` binds it with a ClusterRoleBinding of
 *   the same name to ServiceAccount `openshift-gitops-argocd-application-controller` in `openshift-gitops`.
 *   So these rules hold in EVERY namespace (labelled or not) and for cluster-scoped kinds.
 * - Per managed namespace: `role.go` `reconcileRole` creates Role `<cr.name>-argocd-application-controller`
 *   in every namespace labelled `argocd.argoproj.io/managed-by=<namespace of the ArgoCD CR>` (here
 *   `openshift-gitops`; `util.go` `setManagedNamespaces`, which also adds the instance's own namespace).
 *   The hook sets its rules to `getPolicyRuleForApplicationController()` followed by the `rules` of the
 *   live ClusterRole `admin`, read with a GET at reconcile time. `admin` is an aggregated ClusterRole, so
 *   its `rules` are whatever the Kubernetes aggregation controller has filled in at that moment: the
 *   copy INCLUDES aggregated rules. `admin` changes do not trigger a reconcile (the ClusterRole watch in
 *   `util.go` `setResourceWatches` maps only objects carrying the ArgoCD instance annotations), so rules
 *   aggregated later (an operator installed after the last reconcile) reach the Role only at the next
 *   reconcile of the ArgoCD instance. A Role grants nothing on cluster-scoped kinds, so the `admin` copy
 *   only matters for namespaced kinds.
 */

/** One RBAC rule (resource rules only; non-resource URL rules are left out). */
export interface GrantRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/** What OpenShift GitOps <version> grants the default instance's application controller. */
export interface ControllerGrants {
  /** OpenShift GitOps minor version, e.g. `'1.12'`. */
  readonly gitops: string;
  /** Argo CD version the operator branch pins (go.mod and argocd-operator's default image). */
  readonly argocd: string;
  /** The application controller's ServiceAccount. */
  readonly serviceAccount: { readonly namespace: string; readonly name: string };
  /** The namespace label that makes a namespace managed (key and value). */
  readonly managedByLabel: { readonly key: string; readonly value: string };
  /** Where this was read. */
  readonly source: string;
  /** ClusterRole rules bound cluster-wide (apply to cluster-scoped kinds AND namespaced kinds in every namespace). */
  readonly cluster: readonly GrantRule[];
  /** Role rules in every namespace labelled argocd.argoproj.io/managed-by=<instance namespace>, NOT counting the `admin` ClusterRole copy. */
  readonly managedNamespace: readonly GrantRule[];
  /**
   * The rules of ClusterRole `admin` on OpenShift 4.14 from the bootstrap policies (Kubernetes admin/edit/view
   * aggregation roles + openshift-apiserver's additions), as data. The operator copies the live `admin`
   * into the managed-namespace Role, so the live copy is this plus `aggregatedToAdmin` of what is installed.
   */
  readonly adminRole: readonly GrantRule[];
  /**
   * Rules that other components add to `admin` by aggregation (label rbac.authorization.k8s.io/aggregate-to-admin),
   * keyed by OLM package or component. Present in the copy only when that component is installed.
   */
  readonly aggregatedToAdmin: Readonly<Record<string, readonly GrantRule[]>>;
  /** The source of each `aggregatedToAdmin` entry (same keys). */
  readonly aggregatedSources: Readonly<Record<string, string>>;
  /** Facts that limit how the rules may be read (what could not be verified included). */
  readonly notes: readonly string[];
}

const ALL = ['*'] as const;
// Kubernetes bootstrap policy verb sets (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go: Read, Write, ReadWrite).
const READ = ['get', 'list', 'watch'] as const;
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;
const READ_WRITE = [...READ, ...WRITE] as const;

function rule(apiGroups: readonly string[], resources: readonly string[], verbs: readonly string[]): GrantRule {
  return { apiGroups, resources, verbs };
}

/**
 * ClusterRole rules of the default instance's controller.
 * Source: redhat-developer/gitops-operator branch v1.12 (d5cba6fa), controllers/argocd/openshift/openshift.go,
 * policyRulesForClusterConfig(). The same function also grants non-resource URLs `*` get/list (left out here).
 */
const CLUSTER_1_12: readonly GrantRule[] = [
  rule(ALL, ALL, READ),
  rule(['operators.coreos.com'], ALL, ALL),
  rule(['operator.openshift.io'], ALL, ALL),
  rule(['user.openshift.io'], ALL, ALL),
  rule(['config.openshift.io'], ALL, ALL),
  rule(['console.openshift.io'], ALL, ALL),
  rule([''], ['namespaces', 'persistentvolumeclaims', 'persistentvolumes', 'configmaps'], ALL),
  // Includes bind/escalate: the controller can create RoleBindings/ClusterRoleBindings to any role.
  rule(['rbac.authorization.k8s.io'], ALL, ALL),
  rule(['storage.k8s.io'], ALL, ALL),
  rule(['machine.openshift.io'], ALL, ALL),
  rule(['machineconfiguration.openshift.io'], ALL, ALL),
  rule(['compliance.openshift.io'], ['scansettingbindings'], ALL),
];

/**
 * Role rules in managed namespaces, before the `admin` copy.
 * Source: redhat-developer/gitops-operator branch v1.12, controllers/argocd/openshift/openshift.go,
 * getPolicyRuleForApplicationController() (appended to by ReconcilerHook with ClusterRole admin's rules).
 */
const MANAGED_NAMESPACE_1_12: readonly GrantRule[] = [
  rule(ALL, ALL, READ),
  rule(['monitoring.coreos.com'], ALL, ALL),
  rule(['argoproj.io'], ['applications', 'applicationsets', 'appprojects', 'argocds'], ALL),
];

/**
 * ClusterRole `admin` on OpenShift 4.14 from the bootstrap policies. `admin` aggregates label
 * aggregate-to-admin; `edit` carries that label and aggregates aggregate-to-edit; `view` carries
 * aggregate-to-edit and aggregates aggregate-to-view. So admin = the union below.
 */
const ADMIN_OCP_4_14: readonly GrantRule[] = [
  // Kubernetes 1.27 (openshift/kubernetes as vendored by openshift/openshift-apiserver release-4.14,
  // vendor/k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go, ClusterRoles()):
  // system:aggregate-to-admin
  rule(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
  rule(['rbac.authorization.k8s.io'], ['roles', 'rolebindings'], READ_WRITE),
  // system:aggregate-to-edit (no write on resourcequotas or limitranges: "quota/limits ... control namespaces")
  rule([''], ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy'], READ),
  rule([''], ['serviceaccounts'], ['impersonate']),
  rule([''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward'], WRITE),
  rule([''], ['pods/eviction'], ['create']),
  rule([''], ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy',
    'persistentvolumeclaims', 'configmaps', 'secrets', 'events'], WRITE),
  rule([''], ['serviceaccounts/token'], ['create']),
  rule(['apps'], ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale',
    'deployments/rollback', 'replicasets', 'replicasets/scale'], WRITE),
  rule(['autoscaling'], ['horizontalpodautoscalers'], WRITE),
  rule(['batch'], ['jobs', 'cronjobs'], WRITE),
  rule(['extensions'], ['daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'ingresses',
    'replicasets', 'replicasets/scale', 'replicationcontrollers/scale', 'networkpolicies'], WRITE),
  rule(['policy'], ['poddisruptionbudgets'], WRITE),
  rule(['networking.k8s.io'], ['networkpolicies', 'ingresses'], WRITE),
  rule(['coordination.k8s.io'], ['leases'], READ_WRITE),
  // system:aggregate-to-view
  rule([''], ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services',
    'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps'], READ),
  rule([''], ['limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status',
    'namespaces/status', 'replicationcontrollers/status', 'pods/log'], READ),
  rule([''], ['namespaces'], READ),
  rule(['discovery.k8s.io'], ['endpointslices'], READ),
  rule(['apps'], ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets',
    'daemonsets/status', 'deployments', 'deployments/status', 'deployments/scale', 'replicasets',
    'replicasets/status', 'replicasets/scale'], READ),
  rule(['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], READ),
  rule(['batch'], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status'], READ),
  rule(['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status',
    'ingresses', 'ingresses/status', 'replicasets', 'replicasets/scale', 'replicasets/status',
    'replicationcontrollers/scale', 'networkpolicies'], READ),
  rule(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], READ),
  rule(['networking.k8s.io'], ['networkpolicies', 'ingresses', 'ingresses/status'], READ),

  // OpenShift 4.14: openshift/openshift-apiserver release-4.14, pkg/bootstrappolicy/policy.go (ensured at
  // start-up by pkg/cmd/openshift-apiserver/openshiftapiserver/openshift_apiserver.go, EnsureRBACPolicy);
  // rules as rendered in test/testdata/bootstrappolicy/bootstrap_cluster_roles.yaml,
  // ClusterRole system:openshift:aggregate-to-admin. (system:openshift:aggregate-to-edit/-view,
  // system:image-builder and registry-admin also reach admin; their rules are subsets of the union here.)
  rule(['', 'authorization.openshift.io'], ['rolebindings', 'roles'], READ_WRITE),
  rule(['', 'authorization.openshift.io'], ['localresourceaccessreviews', 'localsubjectaccessreviews', 'subjectrulesreviews'], ['create']),
  rule(['', 'security.openshift.io'], ['podsecuritypolicyreviews', 'podsecuritypolicyselfsubjectreviews', 'podsecuritypolicysubjectreviews'], ['create']),
  rule(['', 'authorization.openshift.io'], ['rolebindingrestrictions'], READ),
  rule(['', 'build.openshift.io'], ['buildconfigs', 'buildconfigs/webhooks', 'builds'], READ_WRITE),
  rule(['', 'build.openshift.io'], ['builds/log'], READ),
  rule(['', 'build.openshift.io'], ['buildconfigs/instantiate', 'buildconfigs/instantiatebinary', 'builds/clone'], ['create']),
  rule(['', 'build.openshift.io'], ['builds/details'], ['update']),
  rule(['build.openshift.io'], ['jenkins'], ['admin', 'edit', 'view']),
  rule(['', 'apps.openshift.io'], ['deploymentconfigs', 'deploymentconfigs/scale'], READ_WRITE),
  rule(['', 'apps.openshift.io'], ['deploymentconfigrollbacks', 'deploymentconfigs/instantiate', 'deploymentconfigs/rollback'], ['create']),
  rule(['', 'apps.openshift.io'], ['deploymentconfigs/log', 'deploymentconfigs/status'], READ),
  rule(['', 'image.openshift.io'], ['imagestreamimages', 'imagestreammappings', 'imagestreams', 'imagestreams/secrets',
    'imagestreamtags', 'imagetags'], READ_WRITE),
  rule(['', 'image.openshift.io'], ['imagestreams/status'], READ),
  rule(['', 'image.openshift.io'], ['imagestreams/layers'], ['get', 'update']),
  rule(['', 'image.openshift.io'], ['imagestreamimports'], ['create']),
  rule(['', 'project.openshift.io'], ['projects'], ['delete', 'get', 'patch', 'update']),
  rule(['', 'quota.openshift.io'], ['appliedclusterresourcequotas'], READ),
  rule(['', 'route.openshift.io'], ['routes'], READ_WRITE),
  rule(['', 'route.openshift.io'], ['routes/custom-host'], ['create']),
  rule(['', 'route.openshift.io'], ['routes/status'], [...READ, 'update']),
  rule(['', 'template.openshift.io'], ['processedtemplates', 'templateconfigs', 'templateinstances', 'templates'], READ_WRITE),
  rule(['networking.k8s.io'], ['networkpolicies'], READ_WRITE),
  rule(['', 'build.openshift.io'], ['buildlogs'], READ_WRITE),
  rule([''], ['resourcequotausages'], READ),
  rule(['', 'authorization.openshift.io'], ['resourceaccessreviews', 'subjectaccessreviews'], ['create']),
];

/** Verbs OLM puts in the per-CRD `<crd>-<version>-admin` ClusterRole it creates for a Succeeded CSV (see `olm-owned-crds:` entries). */
export const OLM_OWNED_CRD_ADMIN_VERBS: readonly string[] = ALL;

const AGGREGATED_1_12: Record<string, readonly GrantRule[]> = {
  // OLM core (OpenShift 4.14 payload): ClusterRoles aggregate-olm-edit and aggregate-olm-view.
  'olm': [
    rule(['operators.coreos.com'], ['subscriptions'], ['create', 'update', 'patch', 'delete']),
    rule(['operators.coreos.com'], ['clusterserviceversions', 'catalogsources', 'installplans', 'subscriptions'], ['delete']),
    rule(['operators.coreos.com'], ['clusterserviceversions', 'catalogsources', 'installplans', 'subscriptions', 'operatorgroups'], READ),
    rule(['packages.operators.coreos.com'], ['packagemanifests', 'packagemanifests/icon'], READ),
  ],
  // Multus (cluster-network-operator payload): ClusterRole net-attach-def-project. READ ONLY: admin cannot
  // create NetworkAttachmentDefinitions, so the managed-namespace Role cannot either.
  'multus': [
    rule(['k8s.cni.cncf.io'], ['network-attachment-definitions'], ['watch', 'list', 'get']),
  ],
  // KubeVirt (operand of kubevirt-hyperconverged): ClusterRole kubevirt.io:admin (kubevirt.io:edit and
  // kubevirt.io:view also reach admin through edit/view). The cluster-scoped kinds listed here
  // (virtualmachineclusterinstancetypes, virtualmachineclusterpreferences) are useless in a Role.
  'kubevirt': [
    rule(['subresources.kubevirt.io'], ['virtualmachineinstances/console', 'virtualmachineinstances/vnc',
      'virtualmachineinstances/vnc/screenshot', 'virtualmachineinstances/portforward', 'virtualmachineinstances/guestosinfo',
      'virtualmachineinstances/filesystemlist', 'virtualmachineinstances/userlist'], ['get']),
    rule(['subresources.kubevirt.io'], ['virtualmachineinstances/pause', 'virtualmachineinstances/unpause',
      'virtualmachineinstances/addvolume', 'virtualmachineinstances/removevolume', 'virtualmachineinstances/freeze',
      'virtualmachineinstances/unfreeze', 'virtualmachineinstances/softreboot'], ['update']),
    rule(['subresources.kubevirt.io'], ['virtualmachines/expand-spec', 'virtualmachines/portforward'], ['get']),
    rule(['subresources.kubevirt.io'], ['virtualmachines/start', 'virtualmachines/stop', 'virtualmachines/restart',
      'virtualmachines/addvolume', 'virtualmachines/removevolume', 'virtualmachines/migrate', 'virtualmachines/memorydump',
      'virtualmachines/addinterface'], ['update']),
    rule(['subresources.kubevirt.io'], ['expand-vm-spec'], ['update']),
    rule(['kubevirt.io'], ['virtualmachines', 'virtualmachineinstances', 'virtualmachineinstancepresets',
      'virtualmachineinstancereplicasets', 'virtualmachineinstancemigrations'], READ_WRITE),
    rule(['snapshot.kubevirt.io'], ['virtualmachinesnapshots', 'virtualmachinesnapshotcontents', 'virtualmachinerestores'], READ_WRITE),
    rule(['export.kubevirt.io'], ['virtualmachineexports'], READ_WRITE),
    rule(['clone.kubevirt.io'], ['virtualmachineclones'], READ_WRITE),
    rule(['instancetype.kubevirt.io'], ['virtualmachineinstancetypes', 'virtualmachineclusterinstancetypes',
      'virtualmachinepreferences', 'virtualmachineclusterpreferences'], READ_WRITE),
    rule(['pool.kubevirt.io'], ['virtualmachinepools'], READ_WRITE),
    rule(['migrations.kubevirt.io'], ['migrationpolicies'], READ),
  ],
  // CDI (operand of kubevirt-hyperconverged): ClusterRole cdi.kubevirt.io:admin (edit is identical).
  // Only DataVolumes are writable: DataSource and DataImportCron are read-only (cdi.kubevirt.io:view).
  'cdi': [
    rule(['cdi.kubevirt.io'], ['datavolumes'], ALL),
    rule(['cdi.kubevirt.io'], ['datavolumes/source'], ['create']),
    rule(['upload.cdi.kubevirt.io'], ['uploadtokenrequests'], ALL),
    rule(['cdi.kubevirt.io'], ['cdiconfigs', 'dataimportcrons', 'datasources', 'datavolumes', 'objecttransfers',
      'storageprofiles', 'volumeimportsources', 'volumeuploadsources', 'volumeclonesources'], READ),
  ],
  // cert-manager operand deployed by the cert-manager Operator for Red Hat OpenShift 1.13: ClusterRoles
  // cert-manager-edit and cert-manager-view.
  'cert-manager': [
    rule(['cert-manager.io'], ['certificates', 'certificaterequests', 'issuers'], ['create', 'delete', 'deletecollection', 'patch', 'update']),
    rule(['cert-manager.io'], ['certificates/status'], ['update']),
    rule(['acme.cert-manager.io'], ['challenges', 'orders'], ['create', 'delete', 'deletecollection', 'patch', 'update']),
    rule(['cert-manager.io'], ['certificates', 'certificaterequests', 'issuers'], READ),
    rule(['acme.cert-manager.io'], ['challenges', 'orders'], READ),
  ],
  // OLM per-CRD admin roles (`<crd>-<version>-admin`, verbs *) for the CRDs a Succeeded CSV owns.
  'olm-owned-crds:openshift-cert-manager-operator': [
    rule(['cert-manager.io'], ['certificaterequests', 'certificates', 'clusterissuers', 'issuers'], OLM_OWNED_CRD_ADMIN_VERBS),
    rule(['acme.cert-manager.io'], ['challenges', 'orders'], OLM_OWNED_CRD_ADMIN_VERBS),
    rule(['operator.openshift.io'], ['certmanagers'], OLM_OWNED_CRD_ADMIN_VERBS),
  ],
  'olm-owned-crds:kubevirt-hyperconverged': [
    rule(['hco.kubevirt.io'], ['hyperconvergeds'], OLM_OWNED_CRD_ADMIN_VERBS),
    rule(['networkaddonsoperator.network.kubevirt.io'], ['networkaddonsconfigs'], OLM_OWNED_CRD_ADMIN_VERBS),
    rule(['kubevirt.io'], ['kubevirts'], OLM_OWNED_CRD_ADMIN_VERBS),
    rule(['ssp.kubevirt.io'], ['ssps'], OLM_OWNED_CRD_ADMIN_VERBS),
    rule(['cdi.kubevirt.io'], ['cdis'], OLM_OWNED_CRD_ADMIN_VERBS),
    rule(['hostpathprovisioner.kubevirt.io'], ['hostpathprovisioners'], OLM_OWNED_CRD_ADMIN_VERBS),
    rule(['mtq.kubevirt.io'], ['mtqs'], OLM_OWNED_CRD_ADMIN_VERBS),
  ],
};

const AGGREGATED_SOURCES_1_12: Record<string, string> = {
  'olm': 'openshift/operator-framework-olm release-4.14, manifests/0000_50_olm_09-aggregated.clusterrole.yaml (aggregate-olm-edit, aggregate-olm-view)',
  'multus': 'openshift/cluster-network-operator release-4.14, bindata/network/multus/002-rbac.yaml (ClusterRole net-attach-def-project)',
  'kubevirt': 'kubevirt/kubevirt v1.0.1 (HCO release-1.10 hack/config KUBEVIRT_VERSION), pkg/virt-operator/resource/generate/rbac/cluster.go newAdminClusterRole (kubevirt.io:admin)',
  'cdi': 'kubevirt/containerized-data-importer v1.57.0 (HCO release-1.10 hack/config CDI_VERSION), pkg/operator/resources/cluster/rbac.go getAdminPolicyRules/getViewPolicyRules',
  'cert-manager': 'openshift/cert-manager-operator cert-manager-1.13, bindata/cert-manager-deployment/controller/cert-manager-edit-cr.yaml and cert-manager-view-cr.yaml (operand v1.13.6)',
  'olm-owned-crds:openshift-cert-manager-operator': 'mechanism: openshift/operator-framework-olm release-4.14, staging/operator-lifecycle-manager/pkg/controller/operators/olm/operatorgroup.go ensureClusterRolesForCSV/ensureProvidedAPIClusterRole (label aggregate-to-admin, AdminVerbs *), called from operator.go for CSVPhaseSucceeded; owned CRDs: openshift/cert-manager-operator cert-manager-1.13 bundle/manifests/cert-manager-operator.clusterserviceversion.yaml',
  'olm-owned-crds:kubevirt-hyperconverged': 'mechanism as for olm-owned-crds:openshift-cert-manager-operator; owned CRDs: kubevirt/hyperconverged-cluster-operator release-1.10 deploy/index-image/community-kubevirt-hyperconverged/1.10.8/manifests/kubevirt-hyperconverged-operator.v1.10.8.clusterserviceversion.yaml (community bundle; the Red Hat CNV 4.14 bundle was not compared)',
};

/** Grants by OpenShift GitOps minor version. */
export const GITOPS_CONTROLLER_GRANTS: Readonly<Record<string, ControllerGrants>> = {
  '1.12': {
    gitops: '1.12',
    argocd: '2.10.18',
    serviceAccount: { namespace: 'openshift-gitops', name: 'openshift-gitops-argocd-application-controller' },
    managedByLabel: { key: 'argocd.argoproj.io/managed-by', value: 'openshift-gitops' },
    source: 'redhat-developer/gitops-operator branch v1.12 (d5cba6fa, 2024-10-22): controllers/argocd/openshift/openshift.go '
      + '(ReconcilerHook, policyRulesForClusterConfig, getPolicyRuleForApplicationController), controllers/gitopsservice_controller.go, '
      + 'bundle/manifests/gitops-operator.clusterserviceversion.yaml; argoproj-labs/argocd-operator 897025209e7d (v0.10.2): '
      + 'controllers/argocd/role.go, rolebinding.go, util.go; OpenShift 4.14 admin: openshift/openshift-apiserver release-4.14',
    cluster: CLUSTER_1_12,
    managedNamespace: MANAGED_NAMESPACE_1_12,
    adminRole: ADMIN_OCP_4_14,
    aggregatedToAdmin: AGGREGATED_1_12,
    aggregatedSources: AGGREGATED_SOURCES_1_12,
    notes: [
      'managedNamespace + adminRole + aggregatedToAdmin apply only to namespaced kinds, only in namespaces labelled managed-by (and openshift-gitops itself).',
      'The admin copy is refreshed only when the ArgoCD instance is reconciled; a change to ClusterRole admin alone does not trigger it.',
      'Kubernetes admin/edit grant no write on resourcequotas or limitranges (read only).',
      'Multus grants admin read only on network-attachment-definitions; CDI grants admin write only on datavolumes (not datasources/dataimportcrons).',
      'Cluster-scoped kinds outside the cluster rules (e.g. cert-manager.io clusterissuers, nmstate.io/*, instancetype.kubevirt.io cluster kinds, hco.kubevirt.io outside a managed namespace) need extra grants.',
      'aggregatedToAdmin is not exhaustive: other OpenShift 4.14 payload operators may add aggregate-to-admin ClusterRoles that were not enumerated here; nmstate, OADP and GitLab operator bundles were not read.',
    ],
  },
};
