import { Provision, RefKind } from './model';

/**
 * What OpenShift 4.14 (and the OpenShift GitOps instance the bootstrap installs) creates by
 * itself, so references to it resolve without a declaration. Each row says where it was checked.
 *
 * Objects that exist in **every** namespace are rules, not rows: see `PER_NAMESPACE`.
 */
export interface PlatformFacts {
  /** Name of the table, for messages (`OpenShift 4.14`). */
  readonly name: string;
  readonly objects: readonly Provision[];
  /** Objects OpenShift creates in every namespace (the namespace itself must resolve). */
  readonly perNamespace: readonly { readonly kind: RefKind; readonly name: string; readonly keys?: readonly string[]; readonly by: string }[];
  /**
   * ConfigMaps whose content OpenShift injects: a ConfigMap of the stack with this label (value
   * "true") or annotation gets the key, although the stack writes no data for it.
   */
  readonly injectedConfigMapKeys: readonly { readonly label?: string; readonly annotation?: string; readonly key: string; readonly by: string }[];
  /**
   * Namespace cert-manager reads a ClusterIssuer's Secrets from (its "cluster resource namespace").
   * cert-manager docs (https://cert-manager.io/docs/configuration/#cluster-resource-namespace):
   * "By default, this namespace is cert-manager", the namespace the controller runs in; the
   * cert-manager Operator for Red Hat OpenShift 1.13 runs the controller in `cert-manager`
   * (openshift/cert-manager-operator branch cert-manager-1.13, operand namespace).
   */
  readonly clusterResourceNamespace: string;
}

const OCP = 'OpenShift 4.14';
const GITOPS = 'OpenShift GitOps (installed at bootstrap)';

const ns = (name: string, by: string = OCP): Provision => ({ kind: 'Namespace', name, by });
const clusterRole = (name: string, by: string = OCP): Provision => ({ kind: 'ClusterRole', name, by });

/**
 * OpenShift 4.14.
 *
 * - Namespaces: "default projects" `default`, `kube-public`, `kube-system`, `openshift`,
 *   `openshift-infra`, and the `openshift-*` projects of cluster operators
 *   (https://docs.openshift.com/container-platform/4.14/applications/projects/working-with-projects.html);
 *   listed by name, not as a prefix, so a typo in an `openshift-` name still fails. The
 *   marketplace and operators namespaces are where OLM keeps the default catalogs and the global
 *   OperatorGroup (lib/olm: MARKETPLACE_NAMESPACE, GLOBAL_OPERATORS_NAMESPACE).
 * - CatalogSources: the four default catalogs in `openshift-marketplace`
 *   (https://docs.openshift.com/container-platform/4.14/operators/understanding/olm-rh-catalogs.html).
 * - ClusterRoles: the default cluster roles admin, basic-user, cluster-admin, cluster-reader,
 *   edit, self-provisioner, view
 *   (https://docs.openshift.com/container-platform/4.14/authentication/using-rbac.html#default-roles_using-rbac).
 *   The `system:openshift:scc:<scc>` ClusterRoles for the default SCCs: NOT verified in the stored
 *   4.14 documents (recalled from the SCC documentation of later releases); listed so that
 *   granting an SCC through RBAC resolves, flagged here for review.
 * - `openshift-gitops` and its AppProject `default`: created by the OpenShift GitOps operator for
 *   its default Argo CD instance (Argo CD creates the `default` project in its namespace:
 *   https://argo-cd.readthedocs.io/en/stable/user-guide/projects/#the-default-project); the
 *   operator is installed at bootstrap (README, `ocpkit bootstrap` step 1).
 */
export const OPENSHIFT_4_14: PlatformFacts = {
  name: OCP,
  clusterResourceNamespace: 'cert-manager',
  objects: [
    ...['default', 'kube-public', 'kube-system', 'kube-node-lease', 'openshift', 'openshift-infra', 'openshift-config', 'openshift-config-managed',
      'openshift-marketplace', 'openshift-operators', 'openshift-operator-lifecycle-manager', 'openshift-monitoring', 'openshift-user-workload-monitoring',
      'openshift-ingress', 'openshift-ingress-operator', 'openshift-etcd', 'openshift-machine-api', 'openshift-machine-config-operator',
      'openshift-image-registry', 'openshift-dns', 'openshift-network-operator', 'openshift-console'].map((n) => ns(n)),
    ...['redhat-operators', 'certified-operators', 'community-operators', 'redhat-marketplace'].map((n): Provision => ({ kind: 'CatalogSource', namespace: 'openshift-marketplace', name: n, by: `${OCP} (default catalogs)` })),
    ...['admin', 'basic-user', 'cluster-admin', 'cluster-reader', 'edit', 'self-provisioner', 'view'].map((n) => clusterRole(n)),
    ...['anyuid', 'hostaccess', 'hostmount-anyuid', 'hostnetwork', 'hostnetwork-v2', 'nonroot', 'nonroot-v2', 'privileged', 'restricted', 'restricted-v2']
      .map((scc) => clusterRole(`system:openshift:scc:${scc}`, `${OCP} (SCC roles, unverified)`)),
    ns('openshift-gitops', GITOPS),
    { kind: 'AppProject', namespace: 'openshift-gitops', name: 'default', by: GITOPS },
  ],
  perNamespace: [
    // "Default project service accounts": builder, deployer and default in every project
    // (https://docs.openshift.com/container-platform/4.14/authentication/using-service-accounts-in-applications.html#default-service-accounts-and-roles_using-service-accounts).
    { kind: 'ServiceAccount', name: 'default', by: OCP },
    { kind: 'ServiceAccount', name: 'builder', by: OCP },
    { kind: 'ServiceAccount', name: 'deployer', by: OCP },
    // Kubernetes publishes the cluster CA in every namespace (RootCAConfigMap, GA in 1.21:
    // https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/), OpenShift the service CA
    // (openshift-service-ca.crt, https://docs.openshift.com/container-platform/4.14/security/certificates/service-serving-certificate.html).
    { kind: 'ConfigMap', name: 'kube-root-ca.crt', keys: ['ca.crt'], by: 'Kubernetes' },
    { kind: 'ConfigMap', name: 'openshift-service-ca.crt', keys: ['service-ca.crt'], by: OCP },
  ],
  injectedConfigMapKeys: [
    // https://docs.openshift.com/container-platform/4.14/networking/configuring-a-custom-pki.html#certificate-injection-using-operators_configuring-a-custom-pki
    { label: 'config.openshift.io/inject-trusted-cabundle', key: 'ca-bundle.crt', by: `${OCP} (trusted CA bundle injection)` },
    // https://docs.openshift.com/container-platform/4.14/security/certificates/service-serving-certificate.html#add-service-certificate-configmap_service-serving-certificate
    { annotation: 'service.beta.openshift.io/inject-cabundle', key: 'service-ca.crt', by: `${OCP} (service CA injection)` },
  ],
};
