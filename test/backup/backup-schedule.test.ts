import { k8s } from 'cdk8s-plus-27';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import {
  ARGO_TRACKING_LABELS, BACKUP_SCHEDULE_LABEL, BackupExemption, BackupSchedule, BackupStorage, CronSchedule, GoDuration, TenantSelection, VolumeBackup,
} from '../../lib/backup';
import { find, synth, testCluster } from '../_helpers';
import { backupApp, storage, tenant } from './_fixtures';
import { csi } from './_csi';

describe('BackupSchedule', () => {
  test('minimal schedule: exact Velero Schedule', () => {
    const cluster = testCluster();
    const forum = tenant(cluster, 'forum');
    const app = backupApp(cluster);
    csi(app);
    new BackupSchedule(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily({ hour: 2 }), storage: storage(app), tenants: TenantSelection.of(forum) });
    const s = find(synth(cluster), 'Schedule', 'daily', 'openshift-adp');
    expect(s.spec).toEqual({
      schedule: '0 2 * * *',
      useOwnerReferencesInBackup: false,
      template: {
        metadata: { labels: { [BACKUP_SCHEDULE_LABEL]: 'daily' } },
        includedNamespaces: ['forum'],
        storageLocation: 'default',
        ttl: '720h0m0s',
        snapshotVolumes: true,
        snapshotMoveData: true,
        defaultVolumesToFsBackup: false,
      },
    });
    expect(s.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('10');
  });

  test('everyTenant derives namespaces at synth time: a tenant added later is included, exempt ones are not', () => {
    const cluster = testCluster();
    const app = backupApp(cluster);
    csi(app);
    const sched = BackupSchedule.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily(), storage: storage(app) });
    tenant(cluster, 'wiki');
    tenant(cluster, 'forum');
    const cache = tenant(cluster, 'cache');
    BackupExemption.exempt(cache, 'rebuilds itself from the upstream mirrors');
    expect(find(synth(cluster), 'Schedule', 'daily').spec.template.includedNamespaces).toEqual(['forum', 'wiki']);
    tenant(cluster, 'added-later');
    expect(sched.namespaces()).toEqual(['added-later', 'forum', 'wiki']);
  });

  test('namespaces defined by a GitOpsApp or a Namespace object are accepted', () => {
    const cluster = testCluster();
    tenant(cluster, 'forum');
    new GitOpsApp(cluster, 'GitLab', { name: 'gitlab', namespace: 'gitlab-system' });
    const vms = new GitOpsApp(cluster, 'Vms', { name: 'vms' });
    new k8s.KubeNamespace(vms, 'Ns', { metadata: { name: 'legacy-vms' } });
    const app = backupApp(cluster);
    csi(app);
    BackupSchedule.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily(), storage: storage(app), namespaces: ['gitlab-system', 'legacy-vms'] });
    expect(find(synth(cluster), 'Schedule', 'daily').spec.template.includedNamespaces).toEqual(['forum', 'gitlab-system', 'legacy-vms']);
  });

  test('filters, TTL, file-system backups, extra Backup labels, fromName storage, paused', () => {
    const cluster = testCluster();
    tenant(cluster, 'forum');
    const app = backupApp(cluster);
    csi(app);
    new BackupSchedule(app, 'Weekly', {
      name: 'weekly',
      schedule: CronSchedule.weekly(0, { hour: 3 }),
      storage: BackupStorage.fromName('secondary'),
      ttl: GoDuration.days(90),
      namespaces: ['forum'],
      includedResources: ['persistentvolumeclaims', 'deployments.apps'],
      excludedResources: ['events'],
      labelSelector: { matchLabels: { backup: 'yes' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['cache'] }] },
      volumes: VolumeBackup.FILE_SYSTEM,
      backupLabels: { 'example.org/retention': 'long' },
      paused: true,
    });
    const t = find(synth(cluster), 'Schedule', 'weekly').spec;
    expect(t.paused).toBe(true);
    expect(t.template).toMatchObject({
      storageLocation: 'secondary',
      ttl: '2160h0m0s',
      includedResources: ['persistentvolumeclaims', 'deployments.apps'],
      excludedResources: ['events'],
      labelSelector: { matchLabels: { backup: 'yes' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['cache'] }] },
      snapshotVolumes: false,
      defaultVolumesToFsBackup: true,
      metadata: { labels: { 'example.org/retention': 'long', [BACKUP_SCHEDULE_LABEL]: 'weekly' } },
    });
    expect(t.template.snapshotMoveData).toBeUndefined();
  });

  test('template labels are always set, so the Schedule labels (Argo CD tracking) never reach Backups', () => {
    const cluster = testCluster();
    tenant(cluster, 'forum');
    const app = backupApp(cluster);
    csi(app);
    BackupSchedule.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily(), storage: storage(app), volumes: VolumeBackup.NONE });
    const labels = find(synth(cluster), 'Schedule', 'daily').spec.template.metadata.labels;
    expect(Object.keys(labels).length).toBeGreaterThan(0);
    for (const k of ARGO_TRACKING_LABELS) expect(labels[k]).toBeUndefined();
  });

  describe('bad input', () => {
    const setup = () => {
      const cluster = testCluster();
      const forum = tenant(cluster, 'forum');
      const app = backupApp(cluster);
      csi(app);
      return { cluster, forum, app, storage: storage(app) };
    };
    test('invalid cron', () => {
      const { app, storage: s } = setup();
      expect(() => BackupSchedule.everyTenant(app, 'D', { name: 'daily', schedule: CronSchedule.expression('0 25 * * *'), storage: s })).toThrow(/\[Backup\/D\] schedule: "0 25 \* \* \*": hour "25" is out of range; allowed: 0-23/);
      expect(() => BackupSchedule.everyTenant(app, 'E', { name: 'daily', schedule: '0 2 * * *' as any, storage: s })).toThrow(/\[Backup\/E\] schedule: "0 2 \* \* \*" must be a CronSchedule/);
    });
    test('TTL that is not a duration, or too short', () => {
      const { app, storage: s } = setup();
      expect(() => BackupSchedule.everyTenant(app, 'D', { name: 'daily', schedule: CronSchedule.daily(), storage: s, ttl: GoDuration.fromString('30d') })).toThrow(/\[Backup\/D\] ttl: "30d" is not a duration: Go durations have no days; write "720h"/);
      expect(() => BackupSchedule.everyTenant(app, 'E', { name: 'daily', schedule: CronSchedule.daily(), storage: s, ttl: '720h' as any })).toThrow(/ttl: "720h" must be a GoDuration/);
      expect(() => BackupSchedule.everyTenant(app, 'F', { name: 'daily', schedule: CronSchedule.daily(), storage: s, ttl: GoDuration.minutes(5) })).toThrow(/ttl: "5m" is too short/);
    });
    test('a namespace no tenant defines fails the synth', () => {
      const { cluster, app, storage: s } = setup();
      new BackupSchedule(app, 'D', { name: 'daily', schedule: CronSchedule.daily(), storage: s, namespaces: ['forum', 'no-such-ns'] });
      expect(() => synth(cluster)).toThrow(/\[Backup\/D\] namespaces: "no-such-ns" is not defined by any tenant, Namespace or GitOpsApp of this stack \(tenants: forum\)/);
    });
    test('no tenants and no namespaces', () => {
      const { app, storage: s } = setup();
      expect(() => new BackupSchedule(app, 'D', { name: 'daily', schedule: CronSchedule.daily(), storage: s })).toThrow(/\[Backup\/D\] tenants: the schedule names no tenant and no namespace; Velero would back up every namespace/);
    });
    test('everyTenant with every tenant exempt resolves to nothing', () => {
      const { cluster, forum, app, storage: s } = setup();
      BackupExemption.exempt(forum, 'static files only, rebuilt by CI');
      BackupSchedule.everyTenant(app, 'D', { name: 'daily', schedule: CronSchedule.daily(), storage: s });
      expect(() => synth(cluster)).toThrow(/\[Backup\/D\] tenants: the schedule resolves to no namespace at all/);
    });
    test('naming an exempt tenant explicitly', () => {
      const { cluster, forum, app, storage: s } = setup();
      BackupExemption.exempt(forum, 'static files only, rebuilt by CI');
      new BackupSchedule(app, 'D', { name: 'daily', schedule: CronSchedule.daily(), storage: s, tenants: TenantSelection.of(forum) });
      expect(() => synth(cluster)).toThrow(/tenants: tenant "forum" is exempt from backups \(forum\/BackupExemption\) but this schedule names it/);
    });
    test('Argo CD tracking labels on Backups are refused', () => {
      const { app, storage: s } = setup();
      expect(() => BackupSchedule.everyTenant(app, 'D', { name: 'daily', schedule: CronSchedule.daily(), storage: s, backupLabels: { 'app.kubernetes.io/instance': 'backup' } }))
        .toThrow(/backupLabels.app.kubernetes.io\/instance: "app.kubernetes.io\/instance" is an Argo CD tracking label/);
    });
    test('other bad props', () => {
      const { forum, app, storage: s } = setup();
      const base = { name: 'daily', schedule: CronSchedule.daily(), storage: s, tenants: TenantSelection.of(forum) };
      expect(() => new BackupSchedule(app, 'A', { ...base, name: 'Daily' })).toThrow(/\[Backup\/A\] name: "Daily" is not a DNS-1123 label/);
      expect(() => new BackupSchedule(app, 'B', { ...base, storage: undefined as any })).toThrow(/storage: undefined is not a backup storage location/);
      expect(() => new BackupSchedule(app, 'C', { ...base, includedResources: ['PVC'] })).toThrow(/includedResources\[0\]: "PVC" is not a resource name/);
      expect(() => new BackupSchedule(app, 'D', { ...base, labelSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } })).toThrow(/labelSelector.matchExpressions\[0\].values: operator In needs at least one value/);
      expect(() => new BackupSchedule(app, 'E', { ...base, volumes: 'restic' as any })).toThrow(/volumes: "restic" is not a VolumeBackup/);
      expect(() => new BackupSchedule(app, 'F', { ...base, tenants: TenantSelection.of() })).toThrow(/tenants: TenantSelection.of\(\) needs at least one tenant/);
      expect(() => new BackupSchedule(app, 'G', { ...base, tenants: TenantSelection.of(app as any) })).toThrow(/tenants\[0\]: .* is not a Tenant/);
      expect(() => new BackupSchedule(app, 'H', { ...base, namespaces: ['x', 'x'] })).toThrow(/namespaces: "x" is listed twice/);
    });
    test('lists given as strings are refused with the field, not crashed on', () => {
      const { forum, app, storage: s } = setup();
      const base = { name: 'daily', schedule: CronSchedule.daily(), storage: s, tenants: TenantSelection.of(forum) };
      expect(() => new BackupSchedule(app, 'A', { ...base, namespaces: 'gitlab-system' as any })).toThrow(/\[Backup\/A\] namespaces: "gitlab-system" is not a list; write a list such as \["gitlab-system", "infra-vms"\]/);
      expect(() => new BackupSchedule(app, 'B', { ...base, excludedResources: 'events' as any })).toThrow(/\[Backup\/B\] excludedResources: "events" is not a list/);
      expect(() => new BackupSchedule(app, 'C', { ...base, labelSelector: { matchExpressions: 'backup=yes' as any } })).toThrow(/\[Backup\/C\] labelSelector.matchExpressions: "backup=yes" is not a list/);
    });
  });
});
