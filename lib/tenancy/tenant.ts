import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AcmeAccount, AcmeIssuer, checkCertificateHostnames } from '../certs/acme-issuer';
import { CertificateScope } from '../certs/certificate-scope';
import { Problems } from '../core/errors';
import { dnsLabel, labelKey, labelValue, nonEmpty, oneOf } from '../core/rules';
import { GitOpsApp } from '../gitops/gitops-app';
import { Delivery } from '../gitops/delivery';
import { SyncWave } from '../gitops/sync-wave';
import { GroupAccess, TenantGroups } from './group-access';
import { NetworkIsolation, NetworkIsolationOptions } from './network-isolation';
import { PodSecurityLevel } from './pod-security';
import { TenantProject } from './tenant-project';
import { ContainerDefaults, TenantQuota, TenantQuotaLimits } from './tenant-quota';
import { TENANCY_FOLDER, tenancyApp } from './tenancy-app';

/** Label carrying the tenant name on the namespace and everything ocpkit creates for it. */
export const TENANT_LABEL = 'ocpkit.io/tenant';
const RESERVED_PREFIXES = ['openshift', 'kube-', 'default'];
const RESERVED_LABELS = [TENANT_LABEL, 'security.openshift.io/scc.podSecurityLabelSync', 'argocd.argoproj.io/managed-by'];

/** Properties of a {@link Tenant}. */
export interface TenantProps {
  /** Tenant name: the OpenShift project (namespace), folder and Argo CD Application name. DNS-1123 label. */
  readonly name: string;
  /** Human-readable name shown in the OpenShift console. */
  readonly displayName: string;
  /** @default no description */
  readonly description?: string;
  /** Who asked for the project (OpenShift `openshift.io/requester`). @default no requester */
  readonly requester?: string;
  /** Groups and the access they get. At least one admin group. */
  readonly groups: TenantGroups;
  /** ResourceQuota of the tenant. */
  readonly quota: TenantQuotaLimits;
  /** LimitRange defaults for containers. @default see ContainerDefaults */
  readonly containerDefaults?: ContainerDefaults;
  /** Pod Security Admission level enforced in the namespace. @default PodSecurityLevel.RESTRICTED */
  readonly podSecurity?: PodSecurityLevel;
  /** Allowances on top of the default-deny ingress policy. @default all allowed */
  readonly network?: NetworkIsolationOptions;
  /** Extra namespace labels (for network policies of other tenants to select on). @default none */
  readonly labels?: Record<string, string>;
  /**
   * Certificates for the tenant's Routes: the tenant gets its own namespaced ACME Issuer whose
   * solver covers only `hostnames`, with its own TSIG key that the DNS server lets write only the
   * `_acme-challenge` records of those names. The tenant's Routes, Ingresses and Certificates may
   * use only that Issuer, for those names; ClusterIssuers are refused.
   * @default no certificates: Routes with cert-manager annotations are refused
   */
  readonly tls?: TenantTls;
}

/** The certificate names of a tenant (see {@link TenantProps.tls}). */
export interface TenantTls {
  /**
   * Host names the tenant may get certificates for: exact lower-case names (a Route's host must
   * be one of them), `*.name` for the wildcard certificate of `name`.
   */
  readonly hostnames: readonly string[];
  /** The platform's ACME settings (CA, contact, RFC 2136 name server, TSIG key naming). */
  readonly acme: AcmeAccount;
}

/**
 * What an OpenShift admin hands a community project: a namespace with project annotations and
 * Pod Security labels, quota and container defaults, group RBAC, default-deny network policies,
 * and an Argo CD AppProject + Application confined to that namespace.
 *
 * The Namespace, quota and limit range go to the platform `tenancy` folder (tenants cannot change
 * them); RBAC, network policies and the tenant's workloads go to the tenant's own folder.
 *
 * Primary object (`ApiObject.of(tenant)`, `Overrides.of(tenant)`): the Namespace (labels and
 * annotations are what users most often add). The others: `tenant.quota` (ResourceQuota),
 * `tenant.application` (Argo CD Application), and the `Access`, `Network`, `Project` children.
 *
 * @example
 * Emits: to the platform `tenancy` folder the Namespace (with the OpenShift project annotations and
 * Pod Security labels), its ResourceQuota and LimitRange; to the tenant's own folder `shop/` a
 * RoleBinding per group role and four NetworkPolicies (deny by default; allow the same namespace,
 * the OpenShift ingress routers and monitoring); to the app-of-apps the AppProject `tenant-shop`
 * confined to the namespace and the Application that syncs `shop/` (with the first tenant, the
 * Application of the `tenancy` folder too).
 * ```ts
 * import { Quantity, Tenant } from 'ocpkit';
 * import type { Cluster } from 'ocpkit';
 *
 * export function addShop(cluster: Cluster): Tenant {
 *   return new Tenant(cluster, 'Shop', {
 *     name: 'shop',
 *     displayName: 'Web shop',
 *     groups: { admin: ['shop-admins'], edit: ['shop-developers'] },
 *     quota: { cpu: Quantity.parse('4'), memory: Quantity.parse('16Gi'), storage: Quantity.parse('50Gi') },
 *   });
 * }
 * ```
 */
export class Tenant extends GitOpsApp {
  public readonly tenantName: string;
  public readonly quota: TenantQuota;
  public readonly namespaceObject: k8s.KubeNamespace;
  /** The tenant's own ACME Issuer (from its `tls` prop), if it may have certificates. */
  public readonly issuer?: AcmeIssuer;

  constructor(scope: Construct, id: string, props: TenantProps) {
    const pre = new Problems(`${scope?.node?.path ? `${scope.node.path}/` : ''}${id}`);
    if (!props || typeof props !== 'object') pre.add('props', `${JSON.stringify(props)} is not a TenantProps object ({ name, displayName, groups, quota })`);
    if (scope?.node?.tryFindChild(id)) pre.add('id', `construct id "${id}" is already used in ${scope.node.path || 'the cluster'}; give every tenant its own id (usually its name)`);
    pre.throwIfAny();
    pre.check('name', props.name, dnsLabel);
    if (typeof props.name === 'string' && RESERVED_PREFIXES.some((r) => props.name.startsWith(r))) {
      pre.add('name', `"${props.name}" starts with a prefix reserved by OpenShift (${RESERVED_PREFIXES.join(', ')})`);
    }
    if (props.name === TENANCY_FOLDER) pre.add('name', `"${TENANCY_FOLDER}" is reserved for the platform tenancy folder`);
    pre.check('displayName', props.displayName, nonEmpty);
    if (props.podSecurity !== undefined) pre.check('podSecurity', props.podSecurity, oneOf(Object.values(PodSecurityLevel)));
    if (props.labels !== undefined && (props.labels === null || typeof props.labels !== 'object' || Array.isArray(props.labels))) {
      pre.add('labels', `${JSON.stringify(props.labels)} is not a mapping of label keys to values`);
    } else {
      for (const [k, v] of Object.entries(props.labels ?? {})) {
        if (pre.check(`labels[${JSON.stringify(k)}]`, k, labelKey) && pre.check(`labels.${k}`, v, labelValue) && RESERVED_LABELS.some((r) => k === r || k.startsWith('pod-security.kubernetes.io/'))) {
          pre.add(`labels.${k}`, `is set by Tenant itself (tenant name, Pod Security level, Argo CD management); use the matching Tenant prop instead`);
        }
      }
    }
    if (props.tls !== undefined) {
      if (!props.tls || typeof props.tls !== 'object') pre.add('tls', `${JSON.stringify(props.tls)} is not a TenantTls ({ hostnames, acme })`);
      else {
        checkCertificateHostnames(pre, 'tls.hostnames', props.tls.hostnames);
        if (!(props.tls.acme instanceof AcmeAccount)) pre.add('tls.acme', 'must be an AcmeAccount (AcmeAccount.rfc2136({ email, nameserver, ... }))');
      }
    }
    pre.throwIfAny();

    super(scope, id, { name: props.name, namespace: props.name, project: `tenant-${props.name}`, syncWave: SyncWave.WORKLOADS });
    this.tenantName = props.name;
    const level = props.podSecurity ?? PodSecurityLevel.RESTRICTED;
    tenancyApp(this.cluster);

    this.namespaceObject = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: props.name,
        labels: {
          ...props.labels,
          [TENANT_LABEL]: props.name,
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/audit': level,
          'pod-security.kubernetes.io/warn': level,
          // Keep OpenShift's label syncer from overwriting the levels set here.
          'security.openshift.io/scc.podSecurityLabelSync': 'false',
          // Lets the OpenShift GitOps instance manage the tenant's objects.
          'argocd.argoproj.io/managed-by': this.cluster.argoNamespace,
        },
        annotations: {
          'openshift.io/display-name': props.displayName,
          ...(props.description ? { 'openshift.io/description': props.description } : {}),
          ...(props.requester ? { 'openshift.io/requester': props.requester } : {}),
        },
      },
    });
    Delivery.of(this.namespaceObject).folder(TENANCY_FOLDER);
    this.node.defaultChild = this.namespaceObject;

    this.quota = new TenantQuota(this, 'Quota', { namespace: props.name, limits: props.quota, containerDefaults: props.containerDefaults });
    Delivery.of(this.quota).folder(TENANCY_FOLDER);
    new GroupAccess(this, 'Access', { namespace: props.name, groups: props.groups });
    new NetworkIsolation(this, 'Network', { namespace: props.name, ...props.network });
    new TenantProject(this, 'Project', { name: `tenant-${props.name}`, namespace: props.name, description: props.displayName, groups: props.groups });

    // The Issuer is the platform's decision, like the quota: it goes to the tenancy folder.
    this.issuer = props.tls ? new AcmeIssuer(this, 'Issuer', { namespace: props.name, hostnames: props.tls.hostnames, account: props.tls.acme }) : undefined;
    if (this.issuer) Delivery.of(this.issuer).folder(TENANCY_FOLDER);
    CertificateScope.declare(this, { namespace: props.name, owner: `tenant "${props.name}"`, issuer: this.issuer });
  }
}
