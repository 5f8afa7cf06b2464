/**
 * cdk8s' own Duration, Cron and Size are accepted where ocpkit takes a GoDuration, a CronSchedule
 * or a Quantity, and render exactly as ocpkit's own value of the same length, schedule or size.
 */
import { Cron, Duration, Size } from 'cdk8s';
import { BackupSchedule, CronSchedule, EtcdBackup, GoDuration, TenantSelection } from '../../lib/backup';
import { Quantity } from '../../lib/core/quantity';
import { BackupAlerts } from '../../lib/monitoring/backup-alerts';
import { find, synth, testCluster } from '../_helpers';
import { backupApp, storage, tenant } from './_fixtures';
import { csi } from './_csi';

function scheduleSpec(schedule: CronSchedule | Cron, ttl: GoDuration | Duration) {
  const cluster = testCluster();
  const forum = tenant(cluster, 'forum');
  const app = backupApp(cluster);
  csi(app);
  new BackupSchedule(app, 'Daily', { name: 'daily', schedule, ttl, storage: storage(app), tenants: TenantSelection.of(forum) });
  return find(synth(cluster), 'Schedule', 'daily', 'openshift-adp').spec;
}

describe('cdk8s value types', () => {
  test('a BackupSchedule with cdk8s Cron and Duration is the one with CronSchedule and GoDuration', () => {
    const theirs = scheduleSpec(Cron.schedule({ minute: '30', hour: '2' }), Duration.days(14));
    const ours = scheduleSpec(CronSchedule.daily({ hour: 2, minute: 30 }), GoDuration.days(14));
    expect(theirs).toEqual(ours);
    expect(theirs.template.ttl).toBe('336h0m0s');
    expect(theirs.schedule).toBe('30 2 * * *');
  });

  test.each([
    [Duration.hours(36), '36h0m0s'],
    [Duration.minutes(90), '1h30m0s'],
    [Duration.seconds(3725), '1h2m5s'],
  ])('cdk8s %s becomes the Go duration %s', (d, go) => {
    expect(scheduleSpec(CronSchedule.daily(), d).template.ttl).toBe(go);
  });

  test('a cdk8s Duration is still checked: a backup TTL under an hour is refused with the path', () => {
    expect(() => scheduleSpec(CronSchedule.daily(), Duration.minutes(30))).toThrow(/\[.*Daily\] ttl: "30m" is too short; a backup TTL must be at least 1h/);
  });

  test('a bad cdk8s Cron is refused like a bad CronSchedule, with the path', () => {
    const cluster = testCluster();
    const app = backupApp(cluster);
    expect(() => new EtcdBackup(app, 'Etcd', { schedule: Cron.schedule({ minute: '61' }) } as any)).toThrow(/\[.*Etcd\] schedule: "61 \* \* \* \*"/);
  });

  test('a value that is neither names both accepted types', () => {
    const cluster = testCluster();
    const app = backupApp(cluster);
    expect(() => new BackupAlerts(app, 'Alerts', { grace: 7200 as any })).toThrow(/grace: 7200 must be a GoDuration or a cdk8s Duration/);
  });

  test.each([
    [Size.gibibytes(8), '8Gi'],
    [Size.mebibytes(2048), '2Gi'],
    [Size.mebibytes(1536), '1536Mi'],
    [Size.tebibytes(1), '1Ti'],
  ])('Quantity.parse takes a cdk8s Size (%s is %s), exactly', (size, text) => {
    const q = Quantity.parse(size);
    expect(q.toString()).toBe(text);
    expect(q.value).toBe(Quantity.parse(text).value);
  });
});
