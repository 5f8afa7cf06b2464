import { CronSchedule, cronProblem, cronRule } from '../../lib/backup';

describe('CronSchedule', () => {
  test('factories render five fields', () => {
    expect(CronSchedule.daily({ hour: 2 }).toString()).toBe('0 2 * * *');
    expect(CronSchedule.daily().toString()).toBe('0 0 * * *');
    expect(CronSchedule.hourly(15).toString()).toBe('15 * * * *');
    expect(CronSchedule.weekly(0, { hour: 3, minute: 30 }).toString()).toBe('30 3 * * 0');
    expect(CronSchedule.expression('*/15 1-5 1,15 JAN-MAR mon-fri').problem()).toBeUndefined();
  });

  test.each(['0 2 * * *', '@daily', '@hourly', '5 4 * * sun', '0 0 1 */2 *', '0 22 * * 1-5', '0 0 ? * *'])('accepts %s', (e) => {
    expect(cronProblem(e)).toBeUndefined();
  });

  test.each([
    ['61 * * * *', /minute "61" is out of range; allowed: 0-59/],
    ['0 24 * * *', /hour "24" is out of range/],
    ['0 2 * *', /has 4 fields; a cron schedule has five/],
    ['0 2 * * * *', /has 6 fields/],
    ['0 2 32 * *', /day of month "32" is out of range/],
    ['0 2 * 13 *', /month "13" is out of range; allowed: 1-12 or JAN-DEC/],
    ['0 2 * * 7', /day of week "7" is out of range/],
    ['0 5-2 * * *', /backwards range/],
    ['*/0 * * * *', /step "0"/],
    ['every day', /has 2 fields/],
    ['@every 1h', /"@every" is not accepted by Kubernetes CronJobs/],
    ['@sometimes', /is not a cron macro/],
    ['', /is not a cron expression/],
    [' 0 2 * * *', /is not a cron expression/],
  ])('refuses %j', (e, re) => {
    expect(cronProblem(e)).toMatch(re);
  });

  test('cronRule refuses a plain string', () => {
    expect(cronRule('0 2 * * *')).toMatch(/must be a CronSchedule or a cdk8s Cron \(CronSchedule.daily/);
    expect(cronRule(CronSchedule.daily({ hour: 25 }))).toMatch(/hour "25" is out of range/);
  });
});
