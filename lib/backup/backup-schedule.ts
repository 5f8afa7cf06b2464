import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { Schedule } from '../../imports/velero-schedule-velero.io';
import { Problems, show } from '../core/errors';
import { dnsLabel, duplicates } from '../core/rules';
import { Cluster } from '../gitops/cluster';
import { Tenant } from '../tenancy/tenant';
import { listProp } from './_rules';
import { LabelSelectorLike } from '../core/label-selector';
import { BackupCoverage } from './backup-coverage';
import { BackupExemption } from './backup-exemption';
import { BackupStorage, IBackupStorage } from './backup-storage';
import { asCronSchedule, CronLike, CronSchedule, cronRule } from './cron';
import { asGoDuration, DurationLike, GoDuration, durationRule } from './duration';
import { snapshotClassProblems, VeleroSnapshotClass } from './snapshot-class';
import { perWalk } from './_per-walk';
import { GitOpsApp } from '../gitops/gitops-app';
import { TreeIndex } from '../synth/pipeline';

/** Label every Backup created by an ocpkit schedule carries: the schedule's name. */
export const BACKUP_SCHEDULE_LABEL = 'ocpkit.io/backup-schedule';

/**
 * Labels Argo CD may use to track what it manages (label tracking, the default before Argo CD 3
 * and the OpenShift GitOps key). They must never reach a Backup; see {@link BackupSchedule}.
 */
export const ARGO_TRACKING_LABELS: readonly string[] = ['app.kubernetes.io/instance', 'argocd.argoproj.io/instance'];

/** How the data in volumes is backed up (the Kubernetes objects always are). */
export enum VolumeBackup {
  /**
   * CSI snapshots whose data the data mover (kopia, in the node agent) copies into the bucket.
   * Off-cluster and works for block volumes such as VM disks. Needs the node agent and the CSI
   * plugin ({@link DataProtection} enables both by default).
   */
  SNAPSHOT_MOVE_DATA = 'snapshot-move-data',
  /** CSI snapshots kept in the storage system: fast, but lost with the storage cluster. */
  SNAPSHOT = 'snapshot',
  /** File-system backup of mounted pod volumes by the node agent (kopia). Not for block-mode volumes. */
  FILE_SYSTEM = 'file-system',
  /** Kubernetes objects only, no volume data. Does not count as covering state. */
  NONE = 'none',
}

/** Which tenants a schedule backs up. */
export class TenantSelection {
  /**
   * Every tenant of the cluster, found at synth time (so a new tenant is backed up without
   * touching the schedule), except tenants with a {@link BackupExemption}.
   */
  public static all(): TenantSelection {
    return new TenantSelection(undefined);
  }

  /** These tenants. */
  public static of(...tenants: Tenant[]): TenantSelection {
    return new TenantSelection(tenants);
  }

  private constructor(public readonly tenants: readonly Tenant[] | undefined) {}

  /** True for {@link TenantSelection.all}. */
  public get isAll(): boolean {
    return this.tenants === undefined;
  }
}

/** A label selector over the objects to back up. */
export interface BackupLabelSelector extends LabelSelectorLike {
  /** Labels that must all match. @default none */
  readonly matchLabels?: Readonly<Record<string, string>>;
  /** Expressions that must all hold. @default none */
  readonly matchExpressions?: ReadonlyArray<{ readonly key: string; readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; readonly values?: readonly string[] }>;
}

/** Properties of {@link BackupSchedule}. */
export interface BackupScheduleProps {
  /** Name of the Schedule; Backups are named `<name>-<yyyyMMddHHmmss>`. */
  readonly name: string;
  /** When backups run (UTC). */
  readonly schedule: CronLike;
  /** Where backups go; the Schedule lives in the storage's Velero namespace. */
  readonly storage: IBackupStorage;
  /**
   * How long each backup is kept before Velero deletes it (and its snapshots and bucket objects).
   * @default GoDuration.days(30)
   */
  readonly ttl?: DurationLike;
  /**
   * Tenants to back up.
   * @default no tenants (use `namespaces`)
   */
  readonly tenants?: TenantSelection;
  /**
   * Other namespaces to back up (GitLab, VMs). Each must be defined in this stack, by a tenant,
   * a Namespace object or a GitOpsApp's namespace.
   * @default none
   */
  readonly namespaces?: readonly string[];
  /**
   * Resources to back up (`persistentvolumeclaims`, `deployments.apps`, ...).
   * @default every resource
   */
  readonly includedResources?: readonly string[];
  /**
   * Resources to leave out (`events`, `pods`, ...).
   * @default none
   */
  readonly excludedResources?: readonly string[];
  /**
   * Only objects whose labels match.
   * @default every object
   */
  readonly labelSelector?: BackupLabelSelector;
  /**
   * How volume data is backed up.
   * @default VolumeBackup.SNAPSHOT_MOVE_DATA
   */
  readonly volumes?: VolumeBackup;
  /**
   * Extra labels on every Backup the schedule creates. The Argo CD tracking labels are refused.
   * @default only `ocpkit.io/backup-schedule: <name>`
   */
  readonly backupLabels?: Readonly<Record<string, string>>;
  /**
   * Create the schedule paused.
   * @default false
   */
  readonly paused?: boolean;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const RESOURCE = /^(\*|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$/;
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/**
 * A Velero Schedule: a cron schedule, a TTL, a typed storage location, the namespaces (tenants
 * or others), resource and label filters, and the volume backup method.
 *
 * **Argo CD and the Backups.** Velero copies labels onto each Backup it creates: the Schedule's
 * own labels, unless `spec.template.metadata.labels` is set, in which case only those. Argo CD
 * with label tracking stamps its tracking label (`app.kubernetes.io/instance`, or
 * `argocd.argoproj.io/instance` on OpenShift GitOps) on the live Schedule, so copied Backups
 * would look like Argo CD's own objects missing from Git and be pruned. ocpkit therefore always
 * sets template labels (`ocpkit.io/backup-schedule: <name>` and `backupLabels`), which keeps
 * every Schedule label, whatever the tracking key, off the Backups, and refuses tracking labels
 * in `backupLabels`. Annotations are copied too (Velero 1.10+), including the
 * `argocd.argoproj.io/tracking-id` of annotation tracking (the Argo CD 3 default); that one is
 * harmless because the id names the Schedule, and Argo CD ignores objects whose tracking id does
 * not reference themselves.
 *
 * @example
 * Emits: into the folder of the app it is in a `velero.io/v1` Schedule `nightly` in the storage's
 * Velero namespace (`openshift-adp`), its backups labelled `ocpkit.io/backup-schedule: nightly`
 * and kept for the TTL, with the namespaces it covers (with `everyTenant`, every tenant not
 * exempted, found at synth time). It makes the cluster's {@link BackupCoverage} check run.
 * ```ts
 * import { BackupSchedule, CronSchedule, GoDuration } from 'ocpkit';
 * import type { BackupStorage, GitOpsApp } from 'ocpkit';
 *
 * export function addNightlyBackups(backup: GitOpsApp, storage: BackupStorage): BackupSchedule {
 *   return BackupSchedule.everyTenant(backup, 'Nightly', {
 *     name: 'nightly',
 *     schedule: CronSchedule.daily({ hour: 2 }),
 *     ttl: GoDuration.days(30),
 *     storage,
 *   });
 * }
 * ```
 * @see https://velero.io/docs/main/api-types/schedule/
 */
export class BackupSchedule extends Construct {
  /**
   * The common case in one call: back up every tenant of the stack (found at synth time, so a new
   * tenant is covered without touching this) plus `namespaces`.
   */
  public static everyTenant(scope: Construct, id: string, props: Omit<BackupScheduleProps, 'tenants'>): BackupSchedule {
    return new BackupSchedule(scope, id, { ...props, tenants: TenantSelection.all() });
  }

  public readonly scheduleName: string;
  /** When backups start (UTC). */
  public readonly cron: CronSchedule;
  /** How long each backup is kept. */
  public readonly ttl: GoDuration;
  public readonly veleroNamespace: string;
  public readonly storage: IBackupStorage;
  public readonly volumes: VolumeBackup;
  public readonly resource: Schedule;
  private readonly tenants?: TenantSelection;
  private readonly extraNamespaces: readonly string[];

  constructor(scope: Construct, id: string, props: BackupScheduleProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    p.check('name', props.name, dnsLabel);
    p.check('schedule', props.schedule, cronRule);
    if (props.ttl !== undefined) p.check('ttl', props.ttl, durationRule(3600, 'backup TTL'));
    const storage = props.storage;
    if (!storage || typeof storage.locationName !== 'string' || typeof storage.veleroNamespace !== 'string') {
      p.add('storage', `${show(storage)} is not a backup storage location; pass a BackupStorage or BackupStorage.fromName(name)`);
    }
    if (props.tenants !== undefined && !(props.tenants instanceof TenantSelection)) {
      p.add('tenants', 'must be TenantSelection.all() or TenantSelection.of(...tenants)');
    } else if (props.tenants?.tenants) {
      if (props.tenants.tenants.length === 0) p.add('tenants', 'TenantSelection.of() needs at least one tenant');
      props.tenants.tenants.forEach((t, i) => {
        if (!(t instanceof Tenant)) p.add(`tenants[${i}]`, `${show(t)} is not a Tenant`);
      });
    }
    const namespaces = listProp(p, 'namespaces', props.namespaces, '["gitlab-system", "infra-vms"]');
    namespaces.forEach((ns, i) => p.check(`namespaces[${i}]`, ns, dnsLabel));
    for (const d of duplicates(namespaces)) p.add('namespaces', `"${d}" is listed twice`);
    if (props.tenants === undefined && namespaces.length === 0) {
      p.add('tenants', 'the schedule names no tenant and no namespace; Velero would back up every namespace of the cluster. Use BackupSchedule.everyTenant, tenants or namespaces');
    }
    for (const field of ['includedResources', 'excludedResources'] as const) {
      listProp(p, field, props[field], '["persistentvolumeclaims", "virtualmachines.kubevirt.io"]').forEach((r, i) => {
        if (typeof r !== 'string' || !RESOURCE.test(r)) p.add(`${field}[${i}]`, `${show(r)} is not a resource name (lower-case plural, optionally with its group: "persistentvolumeclaims", "virtualmachines.kubevirt.io", or "*")`);
      });
    }
    if (props.labelSelector) checkSelector(p, 'labelSelector', props.labelSelector);
    if (props.volumes !== undefined && !Object.values(VolumeBackup).includes(props.volumes)) {
      p.add('volumes', `${show(props.volumes)} is not a VolumeBackup; use one of ${Object.keys(VolumeBackup).map((k) => `VolumeBackup.${k}`).join(', ')}`);
    }
    for (const [k, v] of Object.entries(props.backupLabels ?? {})) {
      if (ARGO_TRACKING_LABELS.includes(k)) p.add(`backupLabels.${k}`, `"${k}" is an Argo CD tracking label; on a Backup it makes Argo CD prune the backup`);
      else if (!LABEL_KEY.test(k) || k.length > 317) p.add(`backupLabels.${k}`, `${show(k)} is not a label key`);
      if (typeof v !== 'string' || !LABEL_VALUE.test(v)) p.add(`backupLabels.${k}`, `${show(v)} is not a label value (at most 63 letters, digits, '-', '_', '.')`);
    }
    p.throwIfAny();

    this.scheduleName = props.name;
    this.cron = asCronSchedule(props.schedule) as CronSchedule;
    this.storage = storage;
    this.veleroNamespace = storage.veleroNamespace;
    this.volumes = props.volumes ?? VolumeBackup.SNAPSHOT_MOVE_DATA;
    this.tenants = props.tenants;
    this.extraNamespaces = [...namespaces];
    const ttl = (asGoDuration(props.ttl) as GoDuration | undefined) ?? GoDuration.days(30);
    this.ttl = ttl;
    const v = this.volumes;

    this.resource = new Schedule(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: this.veleroNamespace,
      },
      spec: {
        schedule: this.cron.toString(),
        paused: props.paused,
        useOwnerReferencesInBackup: false,
        template: {
          metadata: { labels: { ...props.backupLabels, [BACKUP_SCHEDULE_LABEL]: props.name } },
          includedNamespaces: Lazy.any({ produce: () => this.namespaces() }) as unknown as string[],
          includedResources: props.includedResources ? [...props.includedResources] : undefined,
          excludedResources: props.excludedResources ? [...props.excludedResources] : undefined,
          labelSelector: props.labelSelector ? toSelector(props.labelSelector) : undefined,
          storageLocation: storage.locationName,
          ttl: ttl.toGoString(),
          snapshotVolumes: v === VolumeBackup.SNAPSHOT || v === VolumeBackup.SNAPSHOT_MOVE_DATA,
          snapshotMoveData: v === VolumeBackup.SNAPSHOT_MOVE_DATA ? true : undefined,
          defaultVolumesToFsBackup: v === VolumeBackup.FILE_SYSTEM,
        },
      },
    });
    BackupCoverage.of(this);
    this.node.addValidation({ validate: () => this.crossCheck() });
  }

  /** The namespaces backed up, resolved now (tenants at synth time, sorted). */
  public namespaces(): string[] {
    const set = new Set<string>(this.extraNamespaces);
    for (const t of this.selectedTenants()) set.add(t.tenantName);
    return [...set].sort();
  }

  private selectedTenants(): Tenant[] {
    if (!this.tenants) return [];
    if (!this.tenants.isAll) return [...this.tenants.tenants!];
    const exempt = BackupExemption.all(this);
    return perWalk(this, 'tenants', (all) => all.filter((c): c is Tenant => c instanceof Tenant)).filter((t) => !exempt.has(t.tenantName));
  }

  private crossCheck(): string[] {
    const out: string[] = [];
    const cluster = Cluster.of(this);
    const { tenantNames, defined } = perWalk(cluster, 'schedule-namespaces', (all) => {
      const names = all.filter((c): c is Tenant => c instanceof Tenant).map((t) => t.tenantName);
      const ns = new Set<string>(names);
      for (const c of all) {
        if (c instanceof ApiObject && c.kind === 'Namespace' && c.apiVersion === 'v1' && c.metadata.name) ns.add(c.metadata.name);
        if (c instanceof GitOpsApp && c.namespace) ns.add(c.namespace);
      }
      return { tenantNames: names, defined: ns as ReadonlySet<string> };
    });
    const exempt = BackupExemption.all(this);
    if (this.tenants && !this.tenants.isAll) {
      for (const t of this.tenants.tenants!) {
        if (Cluster.of(t) !== cluster) out.push(`tenants: tenant "${t.tenantName}" belongs to another cluster (${Cluster.of(t).environment})`);
        if (exempt.has(t.tenantName)) out.push(`tenants: tenant "${t.tenantName}" is exempt from backups (${exempt.get(t.tenantName)!.node.path}) but this schedule names it; drop one of the two`);
      }
    }
    for (const ns of this.extraNamespaces) {
      if (defined.has(ns)) continue;
      const known = tenantNames.length ? `tenants: ${[...tenantNames].sort().slice(0, 10).join(', ')}${tenantNames.length > 10 ? ', ...' : ''}` : 'the stack defines no tenant';
      out.push(`namespaces: "${ns}" is not defined by any tenant, Namespace or GitOpsApp of this stack (${known}); a schedule must not name a namespace that does not exist`);
    }
    if (this.namespaces().length === 0) {
      out.push('tenants: the schedule resolves to no namespace at all (no tenants, or all exempt); Velero would back up every namespace. Remove the schedule or name namespaces');
    }
    if (this.storage instanceof BackupStorage && Cluster.of(this.storage) !== cluster) {
      out.push(`storage: backup storage "${this.storage.locationName}" belongs to another cluster`);
    }
    if (this.volumes === VolumeBackup.SNAPSHOT || this.volumes === VolumeBackup.SNAPSHOT_MOVE_DATA) {
      const template = TreeIndex.rendered(this.resource)?.spec?.template;
      out.push(...snapshotClassProblems(this.scheduleName, template, BackupCoverage.of(this).statefulObjects(), VeleroSnapshotClass.all(this)));
    }
    return out;
  }
}

function checkSelector(p: Problems, field: string, s: BackupLabelSelector): void {
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) {
    if (!LABEL_KEY.test(k)) p.add(`${field}.matchLabels`, `${show(k)} is not a label key`);
    if (typeof v !== 'string' || !LABEL_VALUE.test(v)) p.add(`${field}.matchLabels.${k}`, `${show(v)} is not a label value`);
  }
  listProp(p, `${field}.matchExpressions`, s.matchExpressions, '[{ key: "backup", operator: "NotIn", values: ["skip"] }]').forEach((e, i) => {
    if (!LABEL_KEY.test(String(e?.key))) p.add(`${field}.matchExpressions[${i}].key`, `${show(e?.key)} is not a label key`);
    if (!OPERATORS.includes(e?.operator)) p.add(`${field}.matchExpressions[${i}].operator`, `${show(e?.operator)} is not one of ${OPERATORS.join(', ')}`);
    const needsValues = e?.operator === 'In' || e?.operator === 'NotIn';
    if (needsValues && !(e.values && e.values.length > 0)) p.add(`${field}.matchExpressions[${i}].values`, `operator ${e.operator} needs at least one value`);
    if (!needsValues && e?.values && e.values.length > 0) p.add(`${field}.matchExpressions[${i}].values`, `operator ${e.operator} takes no values`);
  });
}

function toSelector(s: BackupLabelSelector) {
  return {
    matchLabels: s.matchLabels ? { ...s.matchLabels } : undefined,
    matchExpressions: s.matchExpressions?.map((e) => ({ key: e.key, operator: e.operator, values: e.values ? [...e.values] : undefined })),
  };
}
