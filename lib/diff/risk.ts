import { Quantity } from '../core/quantity';
import { SYNC_OPTIONS_ANNOTATION } from '../gitops/delivery-annotations';
import { FieldPath, formatPath, startsWith } from './field-path';
import type { RiskContext } from './risk-context';
import { RawFieldChange } from './value-diff';

/**
 * What a reviewer must be told about a change, by what it can cost:
 * - `destructive`: data can be lost (a disk, VM or namespace deleted or replaced);
 * - `security`: access is granted or widened, protection is weakened, or secret material appears;
 * - `outage`: something that runs stops or becomes unreachable (quota below demand, node network,
 *   networks under running VMs, replicas to zero, hosts and ports, operator upgrades);
 * - `weakening`: safety margins shrink (backup retention, schedules, coverage, credential lifetime).
 */
export type RiskClass = 'destructive' | 'security' | 'outage' | 'weakening';

/** Every risk class, most severe first: the order changes are listed and budgets are spent in. */
export const RISK_CLASSES: readonly RiskClass[] = ['destructive', 'security', 'outage', 'weakening'];

/** One reason a change is risky. */
export interface Risk {
  /** One sentence for the reviewer: what happens and what to check. */
  readonly reason: string;
  /** The field that causes it, when there is one (`spec.storageClassName`). */
  readonly path?: string;
  /**
   * The class of the risk. Every risk {@link diffTrees} reports has one; absent only in results
   * built by hand before classes existed, where it means `destructive`.
   */
  readonly class?: RiskClass;
  /** The id of the rule that found it (`security/rbac-grant`), see `RISK_RULES`. */
  readonly rule?: string;
}

/** The class of a risk (`destructive` for risks built without one). */
export function riskClass(r: Risk): RiskClass {
  return r.class ?? 'destructive';
}

/** The classes of a list of risks, most severe first, each once. */
export function classesOf(risks: readonly Risk[]): RiskClass[] {
  const seen = new Set(risks.map(riskClass));
  return RISK_CLASSES.filter((c) => seen.has(c));
}

/** A risk found by a rule, before the rule's class and id are attached. */
export interface RiskFinding {
  readonly reason: string;
  readonly path?: string;
}

/**
 * One risk rule: data the classifier runs. `kinds` and `ops` select the resources it looks at;
 * `check` returns its findings (each becomes a {@link Risk} of the rule's class).
 */
export interface RiskRule {
  /** `class/name`, stable: it appears in JSON output (`rule`). */
  readonly id: string;
  readonly class: RiskClass;
  /** Kinds the rule applies to; `*` for every kind. */
  readonly kinds: readonly string[] | '*';
  /** Operations the rule applies to. */
  readonly ops: readonly RiskInput['op'][];
  /** What the rule flags, in one sentence (for documentation and the rule list). */
  readonly description: string;
  readonly check: (input: RiskInput, context: RiskContext) => readonly RiskFinding[];
}

/** Kinds whose deletion loses data: disks, VMs, namespaces (and everything in them). */
export const DESTRUCTIVE_DELETE_KINDS: ReadonlySet<string> = new Set([
  'PersistentVolumeClaim', 'PersistentVolume', 'DataVolume', 'VirtualMachine', 'Namespace', 'Project',
]);

/** What the classifier looks at for one resource. */
export interface RiskInput {
  readonly kind: string;
  readonly name: string;
  readonly op: 'added' | 'removed' | 'changed';
  /** File of the object in its tree (`production/forum/quota.yaml`): the environment rules look in. @default '' */
  readonly file?: string;
  readonly old?: any;
  readonly new?: any;
  /** Field changes (after noise filtering), for `changed`. */
  readonly changes: readonly RawFieldChange[];
  /** Old and new application folder when the object moved between Argo CD Applications. */
  readonly moved?: { readonly from: string; readonly to: string };
}

/** Immutable fields by kind: changing one means delete and re-create. `*` matches a list member. */
const IMMUTABLE: Readonly<Record<string, readonly (readonly string[])[]>> = {
  PersistentVolumeClaim: [
    ['spec', 'storageClassName'], ['spec', 'accessModes'], ['spec', 'volumeMode'], ['spec', 'volumeName'],
    ['spec', 'dataSource'], ['spec', 'dataSourceRef'], ['spec', 'selector'],
  ],
  DataVolume: [
    ['spec', 'source'], ['spec', 'sourceRef'],
    ['spec', 'storage', 'storageClassName'], ['spec', 'storage', 'accessModes'], ['spec', 'storage', 'volumeMode'],
    ['spec', 'pvc', 'storageClassName'], ['spec', 'pvc', 'accessModes'], ['spec', 'pvc', 'volumeMode'],
  ],
  VirtualMachine: [
    ['spec', 'dataVolumeTemplates', '*', 'spec', 'source'], ['spec', 'dataVolumeTemplates', '*', 'spec', 'sourceRef'],
    ['spec', 'dataVolumeTemplates', '*', 'spec', 'storage', 'storageClassName'], ['spec', 'dataVolumeTemplates', '*', 'spec', 'storage', 'accessModes'],
    ['spec', 'dataVolumeTemplates', '*', 'spec', 'pvc', 'storageClassName'], ['spec', 'dataVolumeTemplates', '*', 'spec', 'pvc', 'accessModes'],
  ],
  Deployment: [['spec', 'selector']],
  ReplicaSet: [['spec', 'selector']],
  DaemonSet: [['spec', 'selector']],
  StatefulSet: [['spec', 'selector'], ['spec', 'volumeClaimTemplates'], ['spec', 'serviceName'], ['spec', 'podManagementPolicy']],
  Job: [['spec', 'selector'], ['spec', 'template'], ['spec', 'completionMode']],
  Service: [['spec', 'clusterIP'], ['spec', 'clusterIPs']],
  // RoleBinding/ClusterRoleBinding roleRef is immutable too, but losing a binding loses no data:
  // it is the outage rule `outage/roleref` (lib/diff/risk-data.ts), not a destructive one.
};

const DISK_KINDS: ReadonlySet<string> = new Set(['PersistentVolumeClaim', 'DataVolume', 'VirtualMachine']);

/** Deleting a disk, VM or namespace (rule `destructive/delete`). */
export function deleteFindings(input: RiskInput): RiskFinding[] {
  if (input.op !== 'removed' || !DESTRUCTIVE_DELETE_KINDS.has(input.kind)) return [];
  // Still destructive (it is on its way out), but say honestly who deletes it: with Prune=false
  // Argo CD leaves it on the cluster, unmanaged, until an administrator deletes it.
  const kept = syncOptions(input.old).includes('Prune=false');
  return [{ reason: kept ? `${deleteReason(input.kind)} once an administrator deletes it (Prune=false: Argo CD leaves it on the cluster, no longer managed)` : deleteReason(input.kind) }];
}

/** Removing or pausing a Velero Schedule: no backups at all from it (rule `destructive/backup-schedule`). */
export function backupScheduleFindings(input: RiskInput): RiskFinding[] {
  if (input.op === 'removed') {
    if (!isVelero(input.old)) return [];
    const ns = includedNamespaces(input.old);
    return [{ reason: `removes a Velero backup schedule: ${ns ? `namespaces ${ns.join(', ')} are` : 'its namespaces are'} no longer backed up by it` }];
  }
  if (isVelero(input.new) && input.new?.spec?.paused === true && input.old?.spec?.paused !== true) {
    return [{ reason: `pauses backup schedule ${input.name}: no new backups are taken until it is unpaused`, path: 'spec.paused' }];
  }
  return [];
}

/** A disk, VM or namespace that Argo CD deletes and re-creates: Replace/Force sync options, or a move the old Application prunes (rule `destructive/replace`). */
export function replaceFindings(input: RiskInput): RiskFinding[] {
  if (input.op !== 'changed' || !DESTRUCTIVE_DELETE_KINDS.has(input.kind)) return [];
  const risks: RiskFinding[] = [];
  const opts = syncOptions(input.new);
  if (opts.includes('Replace=true') || opts.includes('Force=true')) {
    risks.push({ reason: `Argo CD replaces (deletes and re-creates) this ${input.kind} because of sync option ${opts.includes('Force=true') ? 'Force=true' : 'Replace=true'}` });
  }
  if (input.moved && !syncOptions(input.old).includes('Prune=false')) {
    risks.push({ reason: `moves from Application ${input.moved.from} to ${input.moved.to}; the old Application prunes it (no Prune=false on the old object)` });
  }
  return risks;
}

/** Immutable fields (and the data of an immutable ConfigMap/Secret) changed: delete and re-create (rule `destructive/immutable`). */
export function immutableFindings(input: RiskInput): RiskFinding[] {
  const risks: RiskFinding[] = [];
  const kind = input.kind;
  const immutable = IMMUTABLE[kind] ?? [];
  const immutableData = (kind === 'ConfigMap' || kind === 'Secret') && input.old?.immutable === true;
  for (const c of input.changes) {
    if (immutable.some((p) => startsWith(c.path, p as string[]))) {
      risks.push({ reason: `changes an immutable field of a ${kind}: Kubernetes rejects the update, it needs delete and re-create`, path: formatPath(c.path) });
    } else if (immutableData && ['data', 'binaryData', 'stringData'].includes(c.path[0] as string)) {
      risks.push({ reason: `changes the data of an immutable ${kind}: it needs delete and re-create`, path: formatPath(c.path) });
    }
  }
  return risks;
}

/** A disk request made smaller (rule `destructive/shrink`). */
export function shrinkFindings(input: RiskInput): RiskFinding[] {
  if (!DISK_KINDS.has(input.kind)) return [];
  const risks: RiskFinding[] = [];
  for (const c of input.changes) {
    const shrink = shrinks(c);
    if (shrink) risks.push({ reason: `shrinks a disk from ${shrink.from} to ${shrink.to}: volumes cannot shrink, it needs a new volume`, path: formatPath(c.path) });
  }
  return risks;
}

/**
 * Every destructive finding of one resource change: deleting (or replacing) a PVC, DataVolume,
 * VirtualMachine or Namespace; changing an immutable field (PVC storage class or access modes,
 * workload selectors, a Service's clusterIP, a Job's template, the data of an
 * immutable ConfigMap/Secret); shrinking a disk; removing or pausing a Velero backup Schedule;
 * moving a stateful object to another Argo CD Application when the old one may prune it.
 */
export function destructiveFindings(input: RiskInput): RiskFinding[] {
  return [...deleteFindings(input), ...backupScheduleFindings(input), ...replaceFindings(input), ...immutableFindings(input), ...shrinkFindings(input)];
}

function deleteReason(kind: string): string {
  if (kind === 'Namespace' || kind === 'Project') return `deletes a ${kind} and everything in it`;
  if (kind === 'VirtualMachine') return 'deletes a VirtualMachine (and the DataVolumes it owns)';
  return `deletes a ${kind}: the data on it is lost`;
}

/** True for objects of the velero.io API group. */
export function isVelero(m: any): boolean {
  return typeof m?.apiVersion === 'string' && m.apiVersion.startsWith('velero.io/');
}

/** The namespaces a Velero Schedule backs up, or undefined for all (`*` or none listed). */
export function includedNamespaces(m: any): string[] | undefined {
  const ns = m?.spec?.template?.includedNamespaces;
  return Array.isArray(ns) && ns.length > 0 && !ns.includes('*') ? ns.map(String) : undefined;
}

function shrinks(c: RawFieldChange): { from: string; to: string } | undefined {
  if (c.op !== 'changed' || !endsWithStorageRequest(c.path)) return undefined;
  if (!Quantity.isValid(c.old) || !Quantity.isValid(c.new)) return undefined;
  const from = Quantity.parse(c.old as string).value;
  const to = Quantity.parse(c.new as string).value;
  return to < from ? { from: String(c.old), to: String(c.new) } : undefined;
}

function endsWithStorageRequest(path: FieldPath): boolean {
  const n = path.length;
  return n >= 3 && path[n - 1] === 'storage' && path[n - 2] === 'requests' && path[n - 3] === 'resources';
}

/** Sync options of a manifest (`argocd.argoproj.io/sync-options`), trimmed. */
export function syncOptions(m: any): string[] {
  const v = m?.metadata?.annotations?.[SYNC_OPTIONS_ANNOTATION];
  return typeof v === 'string' ? v.split(',').map((s) => s.trim()) : [];
}

/** Drops repeated risks (same reason and field). */
export function dedupe<T extends RiskFinding>(risks: T[]): T[] {
  const seen = new Set<string>();
  return risks.filter((r) => {
    const k = `${r.reason}|${r.path ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
