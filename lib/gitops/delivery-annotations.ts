import type { ResolvedDelivery } from './delivery';
import { SYNC_WAVE_ANNOTATION, SyncWave } from './sync-wave';

/** The Argo CD annotation that carries per-object sync options (comma-separated `Key=value`). */
export const SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';

/**
 * Kinds Argo CD must never prune or delete on its own: deleting them loses data (disks, VMs),
 * everything inside them (namespaces), or the volumes their operator deletes with them (a
 * PostgresCluster's PVCs: crunchydata/postgres-operator docs "Delete a Postgres Cluster" and
 * issue 3674; a PerconaXtraDBCluster's with its delete-pxc-pvc finalizer: percona k8spxc docs
 * delete.md; an ObjectBucketClaim's bucket under a Delete reclaim policy: Rook "Bucket Claim"). Removing them from Git leaves them on
 * the cluster; an administrator deletes them by hand.
 */
export const STATEFUL_KINDS: ReadonlySet<string> = new Set([
  'PersistentVolumeClaim', 'DataVolume', 'VirtualMachine', 'Namespace', 'Project',
  'PostgresCluster', 'PerconaXtraDBCluster', 'ObjectBucketClaim',
]);

/**
 * Custom resources that are applied server-side: they are big enough (or grow big enough, for VMs
 * with cloud-init) that the `last-applied-configuration` annotation of a client-side apply would
 * hit the 256 KiB annotation limit, and their controllers own many of their fields.
 */
export const SERVER_SIDE_APPLY_KINDS: ReadonlySet<string> = new Set(['apps.gitlab.com/GitLab', 'kubevirt.io/VirtualMachine']);

/** Any object whose JSON exceeds this size is applied server-side too. */
export const SERVER_SIDE_APPLY_MIN_BYTES = 128 * 1024;

/**
 * API groups that exist on every OpenShift 4.14 cluster before Argo CD syncs anything: Kubernetes
 * itself, OpenShift's own APIs, OLM, Multus and the monitoring stack, and Argo CD's own kinds.
 * Objects of any other group are custom resources whose CRD an operator installs, so Argo CD
 * cannot dry-run them before that operator is running.
 */
export const BUILT_IN_GROUPS: ReadonlySet<string> = new Set([
  // Kubernetes
  '', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io',
  'storage.k8s.io', 'apiextensions.k8s.io', 'admissionregistration.k8s.io', 'coordination.k8s.io',
  'discovery.k8s.io', 'scheduling.k8s.io', 'node.k8s.io', 'certificates.k8s.io', 'events.k8s.io',
  'flowcontrol.apiserver.k8s.io', 'snapshot.storage.k8s.io',
  // OpenShift 4.14 core (not operator add-ons such as oadp.openshift.io)
  'apps.openshift.io', 'authorization.openshift.io', 'build.openshift.io', 'config.openshift.io',
  'console.openshift.io', 'image.openshift.io', 'machine.openshift.io', 'machineconfiguration.openshift.io',
  'network.openshift.io', 'oauth.openshift.io', 'operator.openshift.io', 'project.openshift.io',
  'quota.openshift.io', 'route.openshift.io', 'security.openshift.io', 'template.openshift.io',
  'user.openshift.io', 'k8s.ovn.org', 'k8s.cni.cncf.io', 'monitoring.coreos.com', 'operators.coreos.com',
  // Argo CD (OpenShift GitOps is running before it syncs anything)
  'argoproj.io',
]);

const WAVE_BY_KIND: Readonly<Record<string, number>> = {
  // operators and CRDs first; AppProjects too, since the Applications that name them need them
  'operators.coreos.com/Subscription': SyncWave.OPERATORS,
  'operators.coreos.com/OperatorGroup': SyncWave.OPERATOR_GROUPS,
  'operators.coreos.com/CatalogSource': SyncWave.OPERATORS,
  'apiextensions.k8s.io/CustomResourceDefinition': SyncWave.OPERATORS,
  'argoproj.io/AppProject': SyncWave.PROJECTS,
  // namespaces
  '/Namespace': SyncWave.NAMESPACES,
  'project.openshift.io/Project': SyncWave.NAMESPACES,
  // policy
  '/ResourceQuota': SyncWave.POLICY,
  '/LimitRange': SyncWave.POLICY,
  '/ServiceAccount': SyncWave.POLICY,
  'quota.openshift.io/ClusterResourceQuota': SyncWave.POLICY,
  'rbac.authorization.k8s.io/Role': SyncWave.POLICY,
  'rbac.authorization.k8s.io/ClusterRole': SyncWave.POLICY,
  'rbac.authorization.k8s.io/RoleBinding': SyncWave.POLICY,
  'rbac.authorization.k8s.io/ClusterRoleBinding': SyncWave.POLICY,
  'networking.k8s.io/NetworkPolicy': SyncWave.POLICY,
  'security.openshift.io/SecurityContextConstraints': SyncWave.POLICY,
  'policy/PodDisruptionBudget': SyncWave.POLICY,
  // workloads
  'apps/Deployment': SyncWave.WORKLOADS,
  'apps/StatefulSet': SyncWave.WORKLOADS,
  'apps/DaemonSet': SyncWave.WORKLOADS,
  'apps/ReplicaSet': SyncWave.WORKLOADS,
  'apps.openshift.io/DeploymentConfig': SyncWave.WORKLOADS,
  'batch/Job': SyncWave.WORKLOADS,
  'batch/CronJob': SyncWave.WORKLOADS,
  '/Pod': SyncWave.WORKLOADS,
  'kubevirt.io/VirtualMachine': SyncWave.WORKLOADS,
  'apps.gitlab.com/Runner': SyncWave.WORKLOADS,
  // the GitLab CR deploys GitLab's workloads: after the Secrets and ConfigMaps it names
  'apps.gitlab.com/GitLab': SyncWave.WORKLOADS,
  // a Schedule starts backups: after the DataProtectionApplication (config) creates its storage location
  'velero.io/Schedule': SyncWave.WORKLOADS,
};

/** API group of an `apiVersion` (`apps/v1` -> `apps`, `v1` -> ``). */
export function apiGroup(apiVersion: unknown): string {
  const s = String(apiVersion ?? '');
  const slash = s.indexOf('/');
  return slash < 0 ? '' : s.slice(0, slash);
}

/**
 * The sync wave an object gets when it sets none: operators (Subscriptions, OperatorGroups,
 * CatalogSources, CRDs, AppProjects), then Namespaces, then policy (quotas, RBAC, network
 * policies), then configuration (ConfigMaps, Secrets, PVCs, networks and every other custom
 * resource), then workloads (Deployments, CronJobs, VirtualMachines).
 */
export function defaultSyncWave(apiVersion: string, kind: string): number {
  return WAVE_BY_KIND[`${apiGroup(apiVersion)}/${kind}`] ?? SyncWave.CONFIG;
}

/** The wave of an object: the nearest `Delivery` choice on its constructs' path, else its kind's. */
export function waveOf(apiVersion: string, kind: string, chosen?: ResolvedDelivery): number {
  return chosen?.wave?.wave ?? defaultSyncWave(apiVersion, kind);
}

/** True for kinds whose CRD an operator installs (not Kubernetes, OpenShift or Argo CD built-ins). */
export function isOperatorProvided(apiVersion: string): boolean {
  return !BUILT_IN_GROUPS.has(apiGroup(apiVersion));
}

/**
 * Merges sync options into an existing `sync-options` value. An option whose key the object
 * already sets explicitly (say `Prune=true`) is kept as written; the others are appended in the
 * given order. Nothing is duplicated.
 */
export function mergeSyncOptions(existing: string | undefined, add: readonly string[]): string {
  const parts = (existing ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const keys = new Set(parts.map((p) => p.split('=')[0]));
  for (const opt of add) {
    const key = opt.split('=')[0];
    if (!keys.has(key)) {
      parts.push(opt);
      keys.add(key);
    }
  }
  return parts.join(',');
}

/**
 * Adds the Argo CD delivery annotations every synthesized object needs, unless it set them itself:
 *
 * - `argocd.argoproj.io/sync-wave`: the wave its constructs chose with `Delivery.of(c).syncWave()`,
 *   else the one of its kind ({@link defaultSyncWave});
 * - the sync options its constructs chose with `Delivery.of(c).syncOptions()`;
 * - sync option `SkipDryRunOnMissingResource=true` on custom resources whose CRD arrives with an
 *   operator in the same sync;
 * - `Prune=false,Delete=false` on stateful kinds ({@link STATEFUL_KINDS});
 * - `ServerSideApply=true` on large custom resources ({@link SERVER_SIDE_APPLY_KINDS}, or over
 *   {@link SERVER_SIDE_APPLY_MIN_BYTES}).
 *
 * Existing annotations win; options are merged without duplicates. The annotation map is
 * written back with sorted keys so the output stays byte-identical between synths.
 * Mutates and returns the manifest.
 */
export function applyDeliveryAnnotations<T>(manifest: T, chosen?: ResolvedDelivery): T {
  const m = manifest as any;
  if (!m || typeof m !== 'object' || typeof m.kind !== 'string' || typeof m.apiVersion !== 'string') return manifest;
  const metadata = m.metadata && typeof m.metadata === 'object' ? m.metadata : undefined;
  if (!metadata) return manifest;
  const existing = metadata.annotations;
  // Common shapes (an annotation map, or none at all) are rebuilt once, in key order, without an
  // intermediate copy; anything else (null, an array...) takes the general path below, which
  // gives the same result for every shape.
  const plain = existing !== null && typeof existing === 'object' && !Array.isArray(existing);
  if (!plain && (existing !== undefined || 'annotations' in metadata)) return applyGeneral(m, metadata, chosen);

  const wave = plain && existing[SYNC_WAVE_ANNOTATION] !== undefined ? undefined : String(waveOf(m.apiVersion, m.kind, chosen));
  const options = syncOptionsFor(m, chosen);
  const merged = options ? mergeSyncOptions(plain ? existing[SYNC_OPTIONS_ANNOTATION] : undefined, options) : undefined;

  const keys = plain ? Object.keys(existing) : [];
  if (wave !== undefined && !(plain && SYNC_WAVE_ANNOTATION in existing)) keys.push(SYNC_WAVE_ANNOTATION);
  if (merged !== undefined && !(plain && SYNC_OPTIONS_ANNOTATION in existing)) keys.push(SYNC_OPTIONS_ANNOTATION);
  keys.sort();
  const sorted: Record<string, string> = {};
  for (const k of keys) {
    sorted[k] = k === SYNC_WAVE_ANNOTATION && wave !== undefined ? wave : k === SYNC_OPTIONS_ANNOTATION && merged !== undefined ? merged : existing[k];
  }
  if (plain) {
    metadata.annotations = sorted;
  } else {
    // insert `annotations` in key order, like the rest of the rendered manifest
    const metaKeys = Object.keys(metadata);
    metaKeys.push('annotations');
    metaKeys.sort();
    const ordered: Record<string, unknown> = {};
    for (const k of metaKeys) ordered[k] = k === 'annotations' ? sorted : metadata[k];
    m.metadata = ordered;
  }
  return manifest;
}

/** The sync options an object gets from its constructs and its kind, or undefined when none. */
function syncOptionsFor(m: any, chosen: ResolvedDelivery | undefined): string[] | undefined {
  const options: string[] = chosen?.syncOptions?.length ? [...chosen.syncOptions] : [];
  if (isOperatorProvided(m.apiVersion)) options.push('SkipDryRunOnMissingResource=true');
  if (STATEFUL_KINDS.has(m.kind)) options.push('Prune=false', 'Delete=false');
  if (SERVER_SIDE_APPLY_KINDS.has(`${apiGroup(m.apiVersion)}/${m.kind}`) || isLarge(m)) {
    options.push('ServerSideApply=true');
  }
  return options.length > 0 ? options : undefined;
}

/** {@link applyDeliveryAnnotations} for any shape of `metadata.annotations` (copy, add, sort). */
function applyGeneral(m: any, metadata: any, chosen: ResolvedDelivery | undefined): any {
  const annotations: Record<string, string> = { ...(metadata.annotations ?? {}) };
  if (annotations[SYNC_WAVE_ANNOTATION] === undefined) {
    annotations[SYNC_WAVE_ANNOTATION] = String(waveOf(m.apiVersion, m.kind, chosen));
  }
  const options = syncOptionsFor(m, chosen);
  if (options) annotations[SYNC_OPTIONS_ANNOTATION] = mergeSyncOptions(annotations[SYNC_OPTIONS_ANNOTATION], options);
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(annotations).sort()) sorted[k] = annotations[k];
  if (metadata.annotations) {
    metadata.annotations = sorted;
  } else {
    const rebuilt: Record<string, unknown> = { annotations: sorted };
    for (const k of Object.keys(metadata)) rebuilt[k] = metadata[k];
    const ordered: Record<string, unknown> = {};
    for (const k of Object.keys(rebuilt).sort()) ordered[k] = rebuilt[k];
    m.metadata = ordered;
  }
  return m;
}

/**
 * True when the manifest's JSON is longer than {@link SERVER_SIDE_APPLY_MIN_BYTES}. Counts
 * string lengths and keys (a lower bound of the JSON length that is within a few percent of it
 * for manifests) and stops as soon as the limit is passed; most manifests are a few hundred
 * bytes, so this never builds their JSON text.
 */
function isLarge(manifest: unknown): boolean {
  return sizeAtLeast(manifest, 0) > SERVER_SIDE_APPLY_MIN_BYTES;
}

/** `size` plus a lower bound of the JSON length of `v`, stopping once past the limit (no allocation per node). */
function sizeAtLeast(v: unknown, size: number): number {
  if (typeof v === 'string') return size + v.length + 2;
  if (typeof v !== 'object' || v === null) return size + 4;
  if (Array.isArray(v)) {
    size += 2 + v.length;
    for (let i = 0; i < v.length && size <= SERVER_SIDE_APPLY_MIN_BYTES; i++) size = sizeAtLeast(v[i], size);
    return size;
  }
  for (const k in v) {
    size = sizeAtLeast((v as any)[k], size + k.length + 4);
    if (size > SERVER_SIDE_APPLY_MIN_BYTES) return size;
  }
  return size;
}
