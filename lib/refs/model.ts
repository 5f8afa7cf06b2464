/**
 * The vocabulary of reference resolution: what a manifest refers to, and what satisfies a
 * reference (an object of the stack, something the platform or an operator creates, or an
 * explicit external declaration).
 */

/** Kinds a reference can name (the target's kind; the API group is implied, see `API_VERSION_OF`). */
export type RefKind =
  | 'Namespace'
  | 'Secret'
  | 'ConfigMap'
  | 'PersistentVolumeClaim'
  | 'DataVolume'
  | 'DataSource'
  | 'ServiceAccount'
  | 'Service'
  | 'NetworkAttachmentDefinition'
  | 'ClusterIssuer'
  | 'Issuer'
  | 'AppProject'
  | 'CatalogSource'
  | 'ClusterRole'
  | 'Role'
  | 'Schedule';

/** apiVersion written for each kind in `externals.yaml`. */
export const API_VERSION_OF: Readonly<Record<RefKind, string>> = {
  Namespace: 'v1',
  Secret: 'v1',
  ConfigMap: 'v1',
  PersistentVolumeClaim: 'v1',
  DataVolume: 'cdi.kubevirt.io/v1beta1',
  DataSource: 'cdi.kubevirt.io/v1beta1',
  ServiceAccount: 'v1',
  Service: 'v1',
  NetworkAttachmentDefinition: 'k8s.cni.cncf.io/v1',
  ClusterIssuer: 'cert-manager.io/v1',
  Issuer: 'cert-manager.io/v1',
  AppProject: 'argoproj.io/v1alpha1',
  CatalogSource: 'operators.coreos.com/v1alpha1',
  ClusterRole: 'rbac.authorization.k8s.io/v1',
  Role: 'rbac.authorization.k8s.io/v1',
  Schedule: 'velero.io/v1',
};

/** Kinds without a namespace. */
export const CLUSTER_SCOPED: ReadonlySet<RefKind> = new Set<RefKind>(['Namespace', 'ClusterIssuer', 'ClusterRole']);

/** One reference found in a manifest. */
export interface Reference {
  readonly kind: RefKind;
  /** Namespace of the target (absent for cluster-scoped kinds). */
  readonly namespace?: string;
  readonly name: string;
  /** A key inside a Secret or ConfigMap, when the reference names one. */
  readonly key?: string;
  /** JSON pointer of the referring field inside the manifest (`/spec/template/spec/volumes/2/secret/secretName`). */
  readonly field: string;
}

/** How an external object gets onto the cluster. */
export type ProvidedBy = 'by-hand' | 'sealed-secret' | 'external-secret' | 'pre-existing';

export const PROVIDED_BY: readonly ProvidedBy[] = ['by-hand', 'sealed-secret', 'external-secret', 'pre-existing'];

/** An object the stack needs but does not create, and how it gets there: one entry of `externals.yaml`. */
export interface ExternalObject {
  readonly kind: RefKind;
  readonly namespace?: string;
  readonly name: string;
  /** Keys the object must hold (Secrets, ConfigMaps); every referenced key must be listed. */
  readonly keys: readonly string[];
  readonly providedBy: ProvidedBy;
  /** What it is and how to make it (never its value). */
  readonly note: string;
  /** It must exist before Argo CD first syncs (a controller would otherwise create a default in its place). */
  readonly beforeFirstSync?: boolean;
  /** Construct path of the declaration. */
  readonly path: string;
}

/** An object something other than the stack's manifests creates (OpenShift, an operator). */
export interface Provision {
  readonly kind: RefKind;
  readonly namespace?: string;
  readonly name: string;
  /** Keys it holds; absent: any key. */
  readonly keys?: readonly string[];
  /** Who creates it (`OpenShift 4.14`, `Crunchy PGO`), for messages. */
  readonly by: string;
}

/** Identity of an object in the index. */
export function refId(kind: RefKind, namespace: string | undefined, name: string): string {
  return `${kind}\u0000${CLUSTER_SCOPED.has(kind) ? '' : namespace ?? ''}\u0000${name}`;
}

/** `Secret gitlab-system/gitlab-redis` or `ClusterRole admin`. */
export function describeTarget(kind: RefKind, namespace: string | undefined, name: string): string {
  return `${kind} ${!CLUSTER_SCOPED.has(kind) && namespace ? `${namespace}/` : ''}${name}`;
}
