import { createHash } from 'crypto';
import { Construct } from 'constructs';
import { Problems } from '../core/errors';
import { dnsLabel, duplicates, intRange } from '../core/rules';
import { Cluster } from '../gitops/cluster';
import { TreeIndex } from '../synth/pipeline';
import { Tenant } from '../tenancy/tenant';
import { clampName, listProp } from './_rules';
import { BackupExemption } from './backup-exemption';
import { perWalk } from './_per-walk';
import { BackupSchedule, BackupScheduleProps, TenantSelection } from './backup-schedule';
import { asCronSchedule, CronSchedule, cronRule, shiftCron } from './cron';

/** Properties of {@link BackupScheduleSet}. */
export interface BackupScheduleSetProps extends Omit<BackupScheduleProps, 'tenants' | 'namespaces' | 'name'> {
  /** Prefix of every Schedule's name: the Schedule of namespace `forum` is `<name>-forum`. */
  readonly name: string;
  /**
   * Tenants to back up, one Schedule each.
   * @default TenantSelection.all(): every tenant of the cluster defined before this set, except exempt ones
   */
  readonly tenants?: TenantSelection;
  /**
   * Other namespaces (GitLab, VMs), one Schedule each; each must be defined in this stack.
   * @default none
   */
  readonly namespaces?: readonly string[];
  /**
   * Spread the start times: each Schedule starts between 0 and `spreadMinutes - 1` minutes after
   * `schedule`, at an offset derived from its namespace's name (the same namespace always gets the
   * same minute, so adding a tenant moves no other schedule). 0 starts them all at once.
   * @default 60
   */
  readonly spreadMinutes?: number;
}

/**
 * One Velero Schedule per namespace instead of one for all of them.
 *
 * Velero decides the phase per Backup: any error logged while backing up any item makes the whole
 * Backup `PartiallyFailed`, a fatal one `Failed` (vmware-tanzu/velero@v1.14.0
 * pkg/controller/backup_controller.go, the phase switch after the backup runs; OADP 1.4 builds
 * Velero 1.14: openshift/oadp-operator@oadp-1.4 go.mod). With one Backup for 48 namespaces, one
 * namespace's unreadable volume marks every tenant's backup failed, and the per-schedule metrics
 * (`velero_backup_partial_failure_total{schedule}`) cannot say whose. One Schedule per namespace
 * keeps each tenant's result, alert and restore its own.
 *
 * Tenants are taken when the set is defined (a Velero Schedule is an object of its own, so it
 * cannot appear at synth time): define the set after the tenants. A tenant defined later is not
 * silently left out: the synth fails and names it. Velero 1.14's backup controller reconciles
 * one Backup at a time (controller-runtime's default of one worker: pkg/controller/
 * backup_controller.go SetupWithManager), but data mover uploads go on after a Backup's own phase
 * (WaitingForPluginOperations), so Schedules started together pile their uploads up; spreading
 * the start times keeps the load on the node agents, the storage and the bucket even, and each
 * Schedule's start predictable for its alert.
 *
 * @example
 * Emits: one {@link BackupSchedule} per namespace, into the folder of the app it is in: a
 * `velero.io/v1` Schedule `<name>-<namespace>` (here `daily-shop`, `daily-gitlab-system`) in the
 * Velero namespace for each tenant (not exempted) and each of `namespaces`, starting at a fixed
 * minute within `spreadMinutes` (60 by default) of `schedule`.
 * ```ts
 * import { BackupScheduleSet, CronSchedule, GoDuration } from 'ocpkit';
 * import type { BackupStorage, GitOpsApp } from 'ocpkit';
 *
 * export function addDailyBackups(backup: GitOpsApp, storage: BackupStorage): BackupScheduleSet {
 *   return BackupScheduleSet.everyTenant(backup, 'Daily', {
 *     name: 'daily',
 *     schedule: CronSchedule.daily({ hour: 2 }),
 *     ttl: GoDuration.days(30),
 *     storage,
 *     namespaces: ['gitlab-system'],
 *   });
 * }
 * ```
 */
export class BackupScheduleSet extends Construct {
  /** One Schedule per tenant of the stack (and per namespace in `namespaces`). */
  public static everyTenant(scope: Construct, id: string, props: Omit<BackupScheduleSetProps, 'tenants'>): BackupScheduleSet {
    return new BackupScheduleSet(scope, id, { ...props, tenants: TenantSelection.all() });
  }

  /** The name prefix. */
  public readonly name: string;
  /** The Schedules, by namespace, sorted by namespace. */
  public readonly schedules: readonly BackupSchedule[];
  private readonly byNamespace = new Map<string, BackupSchedule>();
  private readonly everyTenant: boolean;

  constructor(scope: Construct, id: string, props: BackupScheduleSetProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    p.check('name', props.name, dnsLabel);
    p.check('schedule', props.schedule, cronRule);
    const spread = props.spreadMinutes ?? 60;
    p.check('spreadMinutes', spread, intRange(0, 720));
    if (props.tenants !== undefined && !(props.tenants instanceof TenantSelection)) p.add('tenants', 'must be TenantSelection.all() or TenantSelection.of(...tenants)');
    const namespaces = listProp(p, 'namespaces', props.namespaces, '["gitlab-system", "infra-vms"]');
    namespaces.forEach((ns, i) => p.check(`namespaces[${i}]`, ns, dnsLabel));
    p.throwIfAny();

    this.name = props.name;
    const selection = props.tenants ?? TenantSelection.all();
    this.everyTenant = selection.isAll;
    const exempt = BackupExemption.all(this);
    const tenants = selection.isAll
      ? TreeIndex.all(this).filter((c): c is Tenant => c instanceof Tenant && Cluster.of(c) === Cluster.of(this)).filter((t) => !exempt.has(t.tenantName))
      : [...selection.tenants!];
    const members: { ns: string; tenant?: Tenant }[] = [
      ...tenants.map((t) => ({ ns: t.tenantName, tenant: t })),
      ...namespaces.map((ns) => ({ ns })),
    ].sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
    for (const d of duplicates(members.map((m) => m.ns))) p.add('namespaces', `"${d}" is backed up twice (a tenant of the set, or listed twice)`);
    if (members.length === 0) p.add('tenants', 'the set names no tenant and no namespace; define it after the tenants, or name namespaces');
    const names = members.map((m) => clampName(`${props.name}-${m.ns}`));
    for (const d of duplicates(names)) p.add('name', `two namespaces give the Schedule name "${d}" (names are cut at 63 characters); use a shorter prefix`);
    const starts = members.map((m) => shiftCron(asCronSchedule(props.schedule) as CronSchedule, spreadOffset(m.ns, spread)));
    const bad = starts.find((s): s is { problem: string } => 'problem' in s);
    if (bad) p.add('spreadMinutes', `${bad.problem}; or set spreadMinutes: 0`);
    p.throwIfAny();

    const { spreadMinutes: _s, tenants: _t, namespaces: _n, name: _name, ...rest } = props;
    this.schedules = members.map((m, i) => {
      const schedule = new BackupSchedule(this, m.ns, {
        ...rest,
        name: names[i],
        schedule: (starts[i] as { cron: CronSchedule }).cron,
        tenants: m.tenant ? TenantSelection.of(m.tenant) : undefined,
        namespaces: m.tenant ? undefined : [m.ns],
      });
      this.byNamespace.set(m.ns, schedule);
      return schedule;
    });
    this.node.addValidation({ validate: () => this.lateTenants() });
  }

  /** The Schedule of a namespace, or undefined when the set does not back it up. */
  public scheduleFor(namespace: string): BackupSchedule | undefined {
    return this.byNamespace.get(namespace);
  }

  /** The namespaces backed up, sorted. */
  public namespaces(): string[] {
    return [...this.byNamespace.keys()];
  }

  /** Tenants of the cluster that came after the set and that no schedule backs up. */
  private lateTenants(): string[] {
    if (!this.everyTenant) return [];
    const cluster = Cluster.of(this);
    const exempt = BackupExemption.all(this);
    const covered = perWalk(cluster, 'scheduled-namespaces', (all) => {
      const out = new Set<string>();
      for (const c of all) if (c instanceof BackupSchedule) for (const ns of c.namespaces()) out.add(ns);
      return out;
    });
    return TreeIndex.all(cluster)
      .filter((c): c is Tenant => c instanceof Tenant && Cluster.of(c) === cluster)
      .filter((t) => !exempt.has(t.tenantName) && !covered.has(t.tenantName))
      .map((t) => `tenants: tenant "${t.tenantName}" (${t.node.path}) is defined after this schedule set, so no Schedule backs it up; define the set after every tenant, or exempt the tenant with BackupExemption.exempt(tenant, reason)`);
  }
}

/** Minutes after the base start for a namespace: a stable function of its name, below `spread`. */
export function spreadOffset(namespace: string, spread: number): number {
  if (spread <= 1) return 0;
  return createHash('sha256').update(namespace).digest().readUInt32BE(0) % spread;
}

/** True for a {@link BackupScheduleSet}. */
export function isScheduleSet(x: unknown): x is BackupScheduleSet {
  return x instanceof BackupScheduleSet;
}

/** The schedule backing up `namespace`: the schedule itself, or the set's member. */
export function scheduleOf(schedule: BackupSchedule | BackupScheduleSet, namespace: string): BackupSchedule | undefined {
  if (schedule instanceof BackupScheduleSet) return schedule.scheduleFor(namespace);
  return schedule;
}
