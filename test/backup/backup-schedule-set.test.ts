import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { BackupExemption, BackupScheduleSet, CronSchedule, GoDuration, TenantSelection, shiftCron } from '../../lib/backup';
import { synth, testCluster } from '../_helpers';
import { backupApp, pvc, storage, tenant } from './_fixtures';
import { csi } from './_csi';

function schedules(result: any): Record<string, any> {
  return Object.fromEntries(result.objects.filter((o: any) => o.manifest.kind === 'Schedule').map((o: any) => [o.manifest.metadata.name, o.manifest]));
}

describe('BackupScheduleSet', () => {
  test('one Velero Schedule per tenant and namespace, each backing up only its namespace', () => {
    const cluster = testCluster();
    pvc(tenant(cluster, 'forum'), 'data');
    tenant(cluster, 'wiki');
    const cache = tenant(cluster, 'cache');
    BackupExemption.exempt(cache, 'mirror cache, refilled from upstream');
    new GitOpsApp(cluster, 'GitLab', { name: 'gitlab', namespace: 'gitlab-system' });
    const app = backupApp(cluster);
    csi(app);
    const set = BackupScheduleSet.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily({ hour: 2 }), ttl: GoDuration.days(14), storage: storage(app), namespaces: ['gitlab-system'], spreadMinutes: 0 });
    const s = schedules(synth(cluster));
    expect(Object.keys(s).sort()).toEqual(['daily-forum', 'daily-gitlab-system', 'daily-wiki']);
    for (const [name, ns] of [['daily-forum', 'forum'], ['daily-gitlab-system', 'gitlab-system'], ['daily-wiki', 'wiki']]) {
      expect(s[name].spec.schedule).toBe('0 2 * * *');
      expect(s[name].spec.template.includedNamespaces).toEqual([ns]);
      expect(s[name].spec.template.ttl).toBe('336h0m0s');
      expect(s[name].spec.template.metadata.labels['ocpkit.io/backup-schedule']).toBe(name);
    }
    expect(set.namespaces()).toEqual(['forum', 'gitlab-system', 'wiki']);
    expect(set.scheduleFor('wiki')!.scheduleName).toBe('daily-wiki');
    expect(set.scheduleFor('cache')).toBeUndefined();
  });

  test('start times spread over the window by namespace name: stable when a tenant is added, distinct, inside the window', () => {
    const build = (names: string[]) => {
      const cluster = testCluster();
      for (const n of names) tenant(cluster, n);
      const app = backupApp(cluster);
      BackupScheduleSet.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily({ hour: 2, minute: 30 }), storage: storage(app), spreadMinutes: 45 });
      return Object.fromEntries(Object.values(schedules(synth(cluster))).map((m: any) => [m.metadata.name, m.spec.schedule]));
    };
    const names = ['forum', 'wiki', 'pastebin', 'matrix', 'mirrors', 'static', 'events', 'openqa'];
    const before = build(names);
    const after = build([...names, 'added-later']);
    for (const n of names) expect(after[`daily-${n}`]).toBe(before[`daily-${n}`]);
    const minutes = Object.values(after).map((c) => {
      const [m, h, ...rest] = String(c).split(' ');
      expect(rest).toEqual(['*', '*', '*']);
      return Number(h) * 60 + Number(m);
    });
    for (const t of minutes) {
      expect(t).toBeGreaterThanOrEqual(2 * 60 + 30);
      expect(t).toBeLessThan(2 * 60 + 30 + 45);
    }
    expect(new Set(minutes).size).toBeGreaterThan(3);
  });

  test('shiftCron wraps a daily schedule past midnight and refuses to move a weekly one into the next day', () => {
    expect(String((shiftCron(CronSchedule.daily({ hour: 23, minute: 50 }), 20) as any).cron)).toBe('10 0 * * *');
    expect(String((shiftCron(CronSchedule.weekly(0, { hour: 3 }), 59) as any).cron)).toBe('59 3 * * 0');
    expect((shiftCron(CronSchedule.weekly(0, { hour: 23, minute: 30 }), 45) as any).problem).toMatch(/"30 23 \* \* 0" shifted by 45 minutes runs past midnight into another day/);
    expect((shiftCron(CronSchedule.expression('@daily'), 5) as any).problem).toMatch(/"@daily" has no fixed minute and hour/);
  });

  test('covers the stateful tenants for the coverage check', () => {
    const cluster = testCluster();
    pvc(tenant(cluster, 'forum'), 'data');
    pvc(tenant(cluster, 'wiki'), 'data');
    const app = backupApp(cluster);
    csi(app);
    BackupScheduleSet.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily({ hour: 2 }), storage: storage(app) });
    expect(() => synth(cluster)).not.toThrow();
  });

  describe('bad input', () => {
    test('a tenant defined after the set is named, not silently left out', () => {
      const cluster = testCluster();
      tenant(cluster, 'forum');
      const app = backupApp(cluster);
      BackupScheduleSet.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily({ hour: 2 }), storage: storage(app) });
      tenant(cluster, 'late');
      expect(() => synth(cluster)).toThrow(/\[Backup\/Daily\] tenants: tenant "late" \(late\) is defined after this schedule set, so no Schedule backs it up; define the set after every tenant/);
    });
    test('a set resolving to nothing, a schedule without fixed start, names cut to the same 63 characters', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      const s = storage(app);
      expect(() => BackupScheduleSet.everyTenant(app, 'A', { name: 'daily', schedule: CronSchedule.daily(), storage: s }))
        .toThrow(/\[Backup\/A\] tenants: the set names no tenant and no namespace; define it after the tenants, or name namespaces/);
      tenant(cluster, 'forum');
      expect(() => BackupScheduleSet.everyTenant(app, 'B', { name: 'daily', schedule: CronSchedule.hourly(5), storage: s }))
        .toThrow(/\[Backup\/B\] spreadMinutes: "5 \* \* \* \*" has no fixed minute and hour to start from; .*; or set spreadMinutes: 0/);
      const long = 'x'.repeat(58);
      tenant(cluster, `${long}-aa`);
      tenant(cluster, `${long}-ab`);
      expect(() => BackupScheduleSet.everyTenant(app, 'C', { name: 'daily', schedule: CronSchedule.daily(), storage: s }))
        .toThrow(/\[Backup\/C\] name: two namespaces give the Schedule name "daily-x+" \(names are cut at 63 characters\)/);
    });
    test('other bad props', () => {
      const cluster = testCluster();
      const forum = tenant(cluster, 'forum');
      const app = backupApp(cluster);
      const base = { name: 'daily', schedule: CronSchedule.daily(), storage: storage(app) };
      expect(() => new BackupScheduleSet(app, 'A', { ...base, name: 'Daily' })).toThrow(/\[Backup\/A\] name: "Daily" is not a DNS-1123 label/);
      expect(() => new BackupScheduleSet(app, 'B', { ...base, spreadMinutes: 1000 })).toThrow(/\[Backup\/B\] spreadMinutes:/);
      expect(() => new BackupScheduleSet(app, 'C', { ...base, tenants: TenantSelection.of(forum), namespaces: ['forum'] })).toThrow(/\[Backup\/C\] namespaces: "forum" is backed up twice/);
      expect(() => new BackupScheduleSet(app, 'D', { ...base, namespaces: 'gitlab-system' as any })).toThrow(/\[Backup\/D\] namespaces: "gitlab-system" is not a list/);
      expect(() => new BackupScheduleSet(app, 'E', { ...base, schedule: CronSchedule.expression('0 2 * *') })).toThrow(/\[Backup\/E\] schedule: "0 2 \* \*" has 4 fields/);
    });
  });
});
