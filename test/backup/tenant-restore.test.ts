import { BackupSchedule, Cron, RESTORE_DRILL_FOLDER, TenantRestore, TenantSelection } from '../../lib/backup';
import { find, fileOf, synth, testCluster } from '../_helpers';
import { backupApp, pvc, storage, tenant } from './_fixtures';

function setup() {
  const cluster = testCluster();
  const forum = tenant(cluster, 'forum');
  pvc(forum, 'data');
  const wiki = tenant(cluster, 'wiki');
  const app = backupApp(cluster);
  const daily = BackupSchedule.everyTenant(app, 'Daily', { name: 'daily', schedule: Cron.daily(), storage: storage(app) });
  return { cluster, forum, wiki, app, daily };
}

describe('TenantRestore', () => {
  test('restores one tenant from a named backup into a drill namespace, outside the synced folders', () => {
    const { cluster, forum, app, daily } = setup();
    new TenantRestore(app, 'Drill', { tenant: forum, schedule: daily, backupName: 'daily-20241118020000' });
    const r = synth(cluster);
    const restore = find(r, 'Restore', 'forum-from-daily-20241118020000', 'openshift-adp');
    expect(restore.spec).toEqual({
      backupName: 'daily-20241118020000',
      includedNamespaces: ['forum'],
      namespaceMapping: { forum: 'forum-restore-drill' },
      restorePVs: true,
      existingResourcePolicy: 'none',
    });
    expect(fileOf(r, 'Restore', 'forum-from-daily-20241118020000')).toBe(`test/${RESTORE_DRILL_FOLDER}/restore.openshift-adp.forum-from-daily-20241118020000.yaml`);
    // No Argo CD Application syncs the drill folder.
    const apps = r.objects.filter((o) => o.manifest.kind === 'Application').map((o) => o.manifest.spec.source.path);
    expect(apps.some((p: string) => p.includes(RESTORE_DRILL_FOLDER))).toBe(false);
  });

  test('latest backup of the schedule, in place', () => {
    const { cluster, forum, app, daily } = setup();
    new TenantRestore(app, 'Real', { tenant: forum, schedule: daily, targetNamespace: 'forum', name: 'forum-in-place' });
    const spec = find(synth(cluster), 'Restore', 'forum-in-place').spec;
    expect(spec.scheduleName).toBe('daily');
    expect(spec.backupName).toBeUndefined();
    expect(spec.namespaceMapping).toBeUndefined();
  });

  describe('bad input', () => {
    test('tenant not in the schedule', () => {
      const cluster = testCluster();
      const forum = tenant(cluster, 'forum');
      const wiki = tenant(cluster, 'wiki');
      const app = backupApp(cluster);
      const onlyForum = new BackupSchedule(app, 'Forum', { name: 'forum-only', schedule: Cron.daily(), storage: storage(app), tenants: TenantSelection.of(forum) });
      new TenantRestore(app, 'Drill', { tenant: wiki, schedule: onlyForum });
      expect(() => synth(cluster)).toThrow(/\[Backup\/Drill\] schedule: schedule "forum-only" does not back up tenant "wiki" \(it covers forum\)/);
    });
    test('bad names and missing references', () => {
      const { forum, app, daily } = setup();
      expect(() => new TenantRestore(app, 'A', { tenant: forum, schedule: daily, backupName: 'Daily_1' })).toThrow(/\[Backup\/A\] backupName: "Daily_1" is not a DNS-1123 subdomain/);
      expect(() => new TenantRestore(app, 'B', { tenant: app as any, schedule: daily })).toThrow(/\[Backup\/B\] tenant: .* is not a Tenant/);
      expect(() => new TenantRestore(app, 'C', { tenant: forum, schedule: undefined as any })).toThrow(/schedule: undefined is not a BackupSchedule/);
      expect(() => new TenantRestore(app, 'D', { tenant: forum, schedule: daily, targetNamespace: 'Forum' })).toThrow(/targetNamespace: "Forum" is not a DNS-1123 label/);
    });
  });
});
