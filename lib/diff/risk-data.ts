import * as yaml from 'js-yaml';
import { FieldPath, formatPath, startsWith } from './field-path';
import { DESTRUCTIVE_DELETE_KINDS, RiskFinding, RiskInput, RiskRule, syncOptions } from './risk';
import type { RiskContext } from './risk-context';

/*
 * Removing a custom resource whose operator deletes data with it, and removing (or re-pointing)
 * an Argo CD Application that cascade-deletes what it deployed. Versions are those of the
 * OpenShift 4.14 profile (/work/shared/crds/profiles/ocp-4.14/README.md): Argo CD v2.10
 * (OpenShift GitOps 1.12), PGO 5.8, Percona XtraDB Cluster operator 1.14, GitLab operator 3.3,
 * OADP 1.4 (Velero 1.14), ODF object bucket claims.
 */

/**
 * Custom resources whose removal loses data, with why (one cited fact per kind). Percona XtraDB
 * clusters only lose their volumes with the `delete-pxc-pvc` finalizer: see {@link pxcDeletesPvcs}.
 */
const OPERATOR_DATA: Readonly<Record<string, string>> = {
  // PGO v5 "Delete a Postgres Cluster": PGO removes every object of the cluster; its PVCs are
  // owned by the PostgresCluster, so they go with it (and their volumes under reclaim policy
  // Delete). https://access.crunchydata.com/documentation/postgres-operator/latest/tutorials/basic-setup/delete-cluster
  // and CrunchyData/postgres-operator issue 3674 (maintainers: PVCs are deleted, no retain option).
  PostgresCluster: 'deletes a PostgresCluster: PGO deletes its instances, pgBackRest repository volumes and their PVCs with it (the database and its local backups are lost)',
  // Percona "Delete the database cluster" (k8spxc-docs docs/delete.md): with finalizer
  // delete-pxc-pvc the PVCs of the database pods are deleted with the custom resource.
  PerconaXtraDBCluster: 'deletes a PerconaXtraDBCluster with finalizer delete-pxc-pvc: the operator deletes the database volumes (PVCs) with it',
  // GitLab operator: the objects it renders from the chart carry owner references to the GitLab
  // CR, so Kubernetes garbage-collects them with it. NOT verified at operator 3.3.0 which of them
  // hold data (standalone PVCs such as a bundled MinIO's go with it; StatefulSet claims stay).
  GitLab: 'deletes a GitLab instance: the GitLab operator deletes every object it made for it (owned objects are garbage-collected), including any standalone volume of a bundled service; review what holds data before merging',
  // Velero: a BackupStorageLocation is where Schedules write and where restores read
  // (https://velero.io/docs/v1.14/locations/); without it, backups stored there cannot be
  // listed or restored from this cluster and Schedules that name it fail.
  BackupStorageLocation: 'deletes a Velero BackupStorageLocation: Schedules that write to it fail and the backups stored there can no longer be restored from this cluster',
  // lib-bucket-provisioner / Rook "Bucket Claim": the storage class sets the bucket's retention;
  // with reclaimPolicy Delete (the ODF default classes) deleting the claim deletes the bucket
  // and its objects. https://rook.github.io/docs/rook/v1.16/Storage-Configuration/Object-Storage-RGW/ceph-object-bucket-claim
  ObjectBucketClaim: 'deletes an ObjectBucketClaim: with the storage class reclaim policy Delete (the default of the ODF bucket classes) the bucket and every object in it are deleted',
};

/** Kinds whose removal from the stack can lose data: disks, VMs, namespaces and the operator data kinds above. */
export const DATA_KINDS: ReadonlySet<string> = new Set([...DESTRUCTIVE_DELETE_KINDS, ...Object.keys(OPERATOR_DATA)]);

/** The Argo CD finalizers that make deleting an Application delete its resources (foreground or background). */
const CASCADE_FINALIZERS = ['resources-finalizer.argocd.argoproj.io', 'resources-finalizer.argocd.argoproj.io/background'];

function finalizers(m: any): string[] {
  const f = m?.metadata?.finalizers;
  return Array.isArray(f) ? f.map(String) : [];
}

/** A PerconaXtraDBCluster with the finalizer that deletes its PVCs (`delete-pxc-pvc`, prefixed `finalizers.percona.com/` or `percona.com/`, or bare in older CRs). */
function pxcDeletesPvcs(m: any): boolean {
  return finalizers(m).some((f) => f === 'delete-pxc-pvc' || f.endsWith('/delete-pxc-pvc'));
}

/** Who deletes a removed object: Argo CD (pruned), or an administrator when Prune=false leaves it. */
function byWhom(m: any, reason: string): string {
  return syncOptions(m).includes('Prune=false') ? `${reason} once an administrator deletes it (Prune=false: Argo CD leaves it on the cluster, no longer managed)` : reason;
}

/** Removing a custom resource whose operator deletes data with it (rule `destructive/operator-data`). */
export function operatorDataFindings(input: RiskInput): RiskFinding[] {
  if (input.op !== 'removed') return [];
  const reason = OPERATOR_DATA[input.kind];
  if (reason === undefined) return [];
  if (input.kind === 'PerconaXtraDBCluster' && !pxcDeletesPvcs(input.old)) return [];
  return [{ reason: byWhom(input.old, reason) }];
}

/** Removing a PerconaXtraDBCluster without `delete-pxc-pvc`: the database stops, its volumes stay (rule `outage/database-removed`). */
export function databaseRemovedFindings(input: RiskInput): RiskFinding[] {
  if (input.op !== 'removed' || input.kind !== 'PerconaXtraDBCluster' || pxcDeletesPvcs(input.old)) return [];
  return [{ reason: byWhom(input.old, 'deletes a PerconaXtraDBCluster: its pods stop (the PVCs stay: no delete-pxc-pvc finalizer)') }];
}

function sourcePaths(app: any): string[] {
  const one = app?.spec?.source?.path;
  const many = Array.isArray(app?.spec?.sources) ? app.spec.sources.map((s: any) => s?.path) : [];
  return [one, ...many].filter((p): p is string => typeof p === 'string' && p !== '');
}

/** `PersistentVolumeClaim forum/data` for the data objects of an Application's folder that lack Delete=false. */
function unprotectedData(app: any, context: RiskContext): string[] {
  const out: string[] = [];
  for (const p of sourcePaths(app)) {
    for (const o of context.objectsOfSourcePath?.(p) ?? []) {
      const m = o.manifest;
      if (!DATA_KINDS.has(m?.kind) || syncOptions(m).includes('Delete=false')) continue;
      if (m.kind === 'PerconaXtraDBCluster' && !pxcDeletesPvcs(m)) continue;
      out.push(`${m.kind} ${m.metadata?.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata?.name}`);
    }
  }
  return [...new Set(out)].sort();
}

/**
 * Removing an Application with Argo CD's resources finalizer: Argo CD deletes every resource it
 * deployed (cascade, foreground by default, background with the `/background` finalizer), except
 * those annotated with sync option Delete=false. Argo CD v2.10 docs, user-guide/app_deletion.md
 * ("About The Deletion Finalizer") and user-guide/sync-options.md ("No Resource Deletion",
 * Delete=false keeps a resource when its Application is deleted):
 * https://argo-cd.readthedocs.io/en/release-2.10/user-guide/app_deletion/ (rule `destructive/app-cascade`).
 */
export function appCascadeFindings(input: RiskInput, context: RiskContext): RiskFinding[] {
  if (input.op !== 'removed' || !finalizers(input.old).some((f) => CASCADE_FINALIZERS.includes(f))) return [];
  const data = unprotectedData(input.old, context);
  if (data.length === 0) return [];
  return [{ reason: byWhom(input.old, `removes Argo CD Application ${input.name} with the resources finalizer: Argo CD cascade-deletes what it deployed, and these data objects lack sync option Delete=false: ${data.join(', ')}`) }];
}

/** The same removal when no data object is exposed: what it deployed stops (rule `outage/app-removed`). */
export function appRemovedFindings(input: RiskInput, context: RiskContext): RiskFinding[] {
  if (input.op !== 'removed' || !finalizers(input.old).some((f) => CASCADE_FINALIZERS.includes(f))) return [];
  if (unprotectedData(input.old, context).length > 0) return [];
  return [{ reason: byWhom(input.old, `removes Argo CD Application ${input.name} with the resources finalizer: Argo CD cascade-deletes everything it deployed (objects with Delete=false stay)`) }];
}

const APP_TARGET: readonly (readonly string[])[] = [['spec', 'source', 'path'], ['spec', 'source', 'repoURL'], ['spec', 'sources'], ['spec', 'destination']];

/**
 * An Application pointed at another folder, repository or destination: Argo CD syncs the new
 * target and, with automated prune, deletes what the old one deployed from the old place
 * (Argo CD v2.10 docs user-guide/auto_sync.md, "Automatic Pruning") (rule `outage/app-retarget`).
 */
export function appRetargetFindings(input: RiskInput): RiskFinding[] {
  if (input.op !== 'changed') return [];
  const hit = input.changes.find((c) => APP_TARGET.some((p) => startsWith(c.path as FieldPath, p as string[])));
  if (!hit) return [];
  const prune = input.new?.spec?.syncPolicy?.automated?.prune === true;
  return [{ reason: `changes what Argo CD Application ${input.name} deploys or where: ${prune ? 'with automated prune it deletes what the old source deployed (objects with Prune=false stay) and' : 'it'} syncs the new source, so the running objects are replaced`, path: formatPath(hit.path) }];
}

/**
 * A binding's roleRef changed: the API server rejects the update (roleRef cannot change once a
 * binding exists: Kubernetes docs, Using RBAC Authorization, RoleBinding and ClusterRoleBinding,
 * https://kubernetes.io/docs/reference/access-authn-authz/rbac/#clusterrolebinding-example),
 * so the sync fails until Argo CD replaces the binding; no data is lost. Replace=true alone uses
 * `kubectl replace` (an update, refused too); Force=true,Replace=true deletes and re-creates
 * (Argo CD v2.10 docs user-guide/sync-options.md, "Replace Resource Instead Of Applying Changes",
 * "Force Sync") (rule `outage/roleref`).
 */
export function roleRefFindings(input: RiskInput): RiskFinding[] {
  if (input.op !== 'changed') return [];
  const hit = input.changes.find((c) => c.path[0] === 'roleRef');
  return hit ? [{ reason: 'changes the roleRef of a binding: Kubernetes refuses the update; Argo CD must replace the binding (delete and re-create: sync options Force=true,Replace=true on it, or by hand): sync fails until then', path: formatPath(hit.path) }] : [];
}

/* ------------------------------------------------ NetworkPolicy removed (review 17 M6) */

/** The directions a NetworkPolicy isolates (Kubernetes: Ingress always when policyTypes is absent, Egress when it has egress rules). */
export function policyDirections(p: any): ('Ingress' | 'Egress')[] {
  const types = p?.spec?.policyTypes;
  if (Array.isArray(types) && types.length) return types.filter((t: unknown): t is 'Ingress' | 'Egress' => t === 'Ingress' || t === 'Egress');
  return Array.isArray(p?.spec?.egress) ? ['Ingress', 'Egress'] : ['Ingress'];
}

/**
 * Whether policy `other` surely selects every pod `removed` selected: an empty podSelector, or
 * matchLabels that are a subset of the removed one's (no matchExpressions on `other`). Other
 * selectors are not compared (treated as not selecting: the removal then counts as security).
 */
function selectsSamePods(other: any, removed: any): boolean {
  const sel = other?.spec?.podSelector ?? {};
  if (Array.isArray(sel.matchExpressions) && sel.matchExpressions.length) return false;
  const labels: Record<string, unknown> = sel.matchLabels ?? {};
  const theirs: Record<string, unknown> = removed?.spec?.podSelector?.matchLabels ?? {};
  return Object.entries(labels).every(([k, v]) => theirs[k] === v);
}

/** Per direction the removed policy isolated: the remaining policies of the new tree (same environment and namespace) that still isolate its pods. */
function isolatingAfterRemoval(input: RiskInput, context: RiskContext): Map<'Ingress' | 'Egress', string[]> {
  const ns = input.old?.metadata?.namespace ?? '';
  const others = context.objectsInNamespace(input.file ?? '', ns).filter((m) => m?.kind === 'NetworkPolicy' && m?.metadata?.name !== input.name);
  const out = new Map<'Ingress' | 'Egress', string[]>();
  for (const dir of policyDirections(input.old)) {
    out.set(dir, others.filter((m) => policyDirections(m).includes(dir) && selectsSamePods(m, input.old)).map((m) => String(m.metadata?.name)));
  }
  return out;
}

/**
 * Removing a NetworkPolicy whose pods another policy still isolates: the traffic it allowed is
 * refused from now on (policies are additive allow-lists; a pod selected by any policy of a
 * direction only gets what some policy allows: https://kubernetes.io/docs/concepts/services-networking/network-policies/#isolated-and-non-isolated-pods)
 * (rule `outage/network-policy-removed`).
 */
export function allowPolicyRemovedFindings(input: RiskInput, context: RiskContext): RiskFinding[] {
  if (input.op !== 'removed') return [];
  const out: RiskFinding[] = [];
  for (const [dir, still] of isolatingAfterRemoval(input, context)) {
    const rules = input.old?.spec?.[dir === 'Ingress' ? 'ingress' : 'egress'];
    if (!still.length || !Array.isArray(rules) || rules.length === 0) continue;
    out.push({ reason: `removes NetworkPolicy ${input.name}: its pods stay isolated for ${dir} by ${still.join(', ')}, so the ${dir.toLowerCase()} traffic it allowed is cut` });
  }
  return out;
}

/** Removing a NetworkPolicy whose pods no other remaining policy isolates: isolation is gone (security, see risk-security). */
export function isolationLostFindings(input: RiskInput, context: RiskContext): RiskFinding[] {
  if (input.op !== 'removed') return [];
  const lost = [...isolatingAfterRemoval(input, context)].filter(([, still]) => still.length === 0).map(([dir]) => dir);
  return lost.length ? [{ reason: `removes NetworkPolicy ${input.name}: no remaining policy selects its pods for ${lost.join(' and ')}, so that traffic is no longer restricted` }] : [];
}

/* ------------------------------------------------ Route termination (review 17 M8) */

/** A target port that looks like plain HTTP (name without https/tls, or a number other than 443/8443). */
function httpTargetPort(route: any): boolean {
  const p = route?.spec?.port?.targetPort;
  if (p === undefined) return true; // unknown: the pods of an edge route serve HTTP
  return typeof p === 'number' ? p !== 443 && p !== 8443 : !/https|tls|ssl/i.test(String(p));
}

/**
 * A Route changed from edge (or reencrypt, to an HTTP port) to passthrough: the router stops
 * terminating TLS and hands the encrypted stream to a pod that serves plain HTTP. OpenShift 4.14
 * docs, Secured routes (edge: the router terminates TLS and talks HTTP to the pod; passthrough:
 * the router sends the TLS stream unchanged to the pod, which must terminate it):
 * https://docs.openshift.com/container-platform/4.14/networking/routes/secured-routes.html
 * (rule `outage/route-passthrough`).
 */
export function routePassthroughFindings(input: RiskInput): RiskFinding[] {
  if (input.op !== 'changed') return [];
  const from = input.old?.spec?.tls?.termination;
  const to = input.new?.spec?.tls?.termination;
  if (to !== 'passthrough' || (from !== 'edge' && from !== 'reencrypt')) return [];
  if (from === 'reencrypt' && !httpTargetPort(input.new)) return [];
  if (from === 'edge' && !httpTargetPort(input.new)) return [{ reason: `Route termination ${from} -> passthrough: the router no longer terminates TLS; the pod must serve TLS itself on its port`, path: 'spec.tls.termination' }];
  return [{ reason: `Route termination ${from} -> passthrough to an HTTP port: the router no longer terminates TLS and the pod serves plain HTTP, so clients fail the TLS handshake`, path: 'spec.tls.termination' }];
}

/* ------------------------------------------------ ssh_pwauth in VM cloud-init (review 17 M7) */

/** The cloud-init user data texts of a VirtualMachine (NoCloud and ConfigDrive volumes, plain `userData`). */
function userDataOf(vm: any): string[] {
  const volumes = vm?.spec?.template?.spec?.volumes;
  if (!Array.isArray(volumes)) return [];
  return volumes.flatMap((v: any) => [v?.cloudInitNoCloud?.userData, v?.cloudInitConfigDrive?.userData]).filter((u): u is string => typeof u === 'string');
}

/** Whether some user data turns sshd password authentication on (`ssh_pwauth` true, or a YAML 1.1 yes/on). */
function sshPasswordAuth(vm: any): boolean {
  return userDataOf(vm).some((text) => {
    let doc: any;
    try {
      doc = yaml.load(text);
    } catch {
      return /^\s*ssh_pwauth\s*:\s*(?:true|yes|on|1)\s*$/im.test(text);
    }
    const v = doc?.ssh_pwauth;
    return v === true || v === 1 || (typeof v === 'string' && /^(?:true|yes|on|1)$/i.test(v.trim()));
  });
}

/**
 * A VirtualMachine's cloud-init turns on SSH password login: cloud-init's cc_set_passwords sets
 * sshd PasswordAuthentication from `ssh_pwauth`
 * (https://cloudinit.readthedocs.io/en/latest/reference/modules.html#set-passwords)
 * (rule `security/ssh-password-auth`).
 */
export function sshPwauthFindings(input: RiskInput): RiskFinding[] {
  if (input.op === 'removed' || !sshPasswordAuth(input.new) || (input.op === 'changed' && sshPasswordAuth(input.old))) return [];
  return [{ reason: 'cloud-init ssh_pwauth turns on SSH password login on this VM (brute-force exposure; prefer keys)' }];
}

/** The security rules of this file. */
export const DATA_SECURITY_RULES: readonly RiskRule[] = [
  { id: 'security/ssh-password-auth', class: 'security', kinds: ['VirtualMachine'], ops: ['added', 'changed'], description: "a VirtualMachine's cloud-init sets ssh_pwauth to true", check: sshPwauthFindings },
];

/** The destructive rules of this file. */
export const DATA_DESTRUCTIVE_RULES: readonly RiskRule[] = [
  { id: 'destructive/operator-data', class: 'destructive', kinds: Object.keys(OPERATOR_DATA), ops: ['removed'], description: 'a custom resource whose operator deletes data with it is removed (PostgresCluster, PerconaXtraDBCluster with delete-pxc-pvc, GitLab, BackupStorageLocation, ObjectBucketClaim)', check: operatorDataFindings },
  { id: 'destructive/app-cascade', class: 'destructive', kinds: ['Application'], ops: ['removed'], description: 'an Argo CD Application with the resources finalizer is removed while data objects in its folder lack Delete=false', check: appCascadeFindings },
];

/** The outage rules of this file. */
export const DATA_OUTAGE_RULES: readonly RiskRule[] = [
  { id: 'outage/app-removed', class: 'outage', kinds: ['Application'], ops: ['removed'], description: 'an Argo CD Application with the resources finalizer is removed (what it deployed is deleted)', check: appRemovedFindings },
  { id: 'outage/app-retarget', class: 'outage', kinds: ['Application'], ops: ['changed'], description: "an Argo CD Application's source path, repository or destination changes", check: appRetargetFindings },
  { id: 'outage/roleref', class: 'outage', kinds: ['RoleBinding', 'ClusterRoleBinding'], ops: ['changed'], description: "a binding's roleRef changes: the update is refused until Argo CD replaces the binding", check: roleRefFindings },
  { id: 'outage/network-policy-removed', class: 'outage', kinds: ['NetworkPolicy'], ops: ['removed'], description: 'an allow NetworkPolicy is removed while another policy still isolates its pods (its traffic is cut)', check: allowPolicyRemovedFindings },
  { id: 'outage/route-passthrough', class: 'outage', kinds: ['Route'], ops: ['changed'], description: 'a Route goes from edge (or reencrypt to an HTTP port) to passthrough termination', check: routePassthroughFindings },
  { id: 'outage/database-removed', class: 'outage', kinds: ['PerconaXtraDBCluster'], ops: ['removed'], description: 'a PerconaXtraDBCluster without delete-pxc-pvc is removed (pods stop, volumes stay)', check: databaseRemovedFindings },
];
