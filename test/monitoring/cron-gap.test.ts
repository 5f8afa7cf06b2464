import { maxCronGapSeconds } from '../../lib/monitoring/_cron-gap';
import { anyOf, promDuration, promqlProblem, selector } from '../../lib/monitoring/_promql';

const H = 3600;
const D = 86_400;

describe('maxCronGapSeconds (robfig/cron semantics, UTC)', () => {
  test.each([
    ['0 2 * * *', D],
    ['@daily', D],
    ['15 * * * *', H],
    ['0 */6 * * *', 6 * H],
    ['0 1,13 * * *', 12 * H],
    ['0 2,4 * * *', 22 * H],
    ['30 3 * * 0', 7 * D],
    ['0 2 * * MON-FRI', 3 * D], // Friday 02:00 -> Monday 02:00
    ['0 0 1 * *', 31 * D], // the longest month
    ['0 0 1,15 * *', 17 * D], // 15 January -> 1 February
  ])('%s -> %d s', (cron, seconds) => {
    expect(maxCronGapSeconds(cron)).toBe(seconds);
  });

  test('day-of-month and day-of-week both restricted: either matches (the 1st or a Monday)', () => {
    expect(maxCronGapSeconds('0 0 1 * 1')).toBeLessThanOrEqual(7 * D);
    expect(maxCronGapSeconds('0 0 1 * 1')).toBeGreaterThan(0);
    // "*/1" is a star in robfig/cron, so only Mondays match
    expect(maxCronGapSeconds('0 0 */1 * 1')).toBe(7 * D);
    // "*/2" is not: odd days or Mondays
    expect(maxCronGapSeconds('0 0 */2 * 1')).toBeLessThanOrEqual(2 * D);
  });

  test('schedules that share their day fields but not their times each get their own gap (checked minute by minute)', () => {
    const { cronRunsOn, parseCron } = require('../../lib/core/cron-fields') as typeof import('../../lib/core/cron-fields');
    // every run over the two years from 2024-01-01, minute by minute; the longest wait between two
    const bruteForce = (cron: string): number => {
      const f = parseCron(cron)!;
      const start = Date.UTC(2024, 0, 1) / 1000;
      let previous: number | undefined;
      let longest = 0;
      let runs = 0;
      for (let day = start; day < start + (366 + 365) * D; day += D) {
        if (!cronRunsOn(f, new Date(day * 1000))) continue;
        for (let t = day; t < day + D; t += 60) {
          const date = new Date(t * 1000);
          if (!f[0].values.has(date.getUTCMinutes()) || !f[1].values.has(date.getUTCHours())) continue;
          if (previous !== undefined) longest = Math.max(longest, t - previous);
          previous = t;
          runs++;
        }
      }
      return runs <= 1 ? 366 * D : longest;
    };
    for (const cron of ['0 0 1 * 1', '30 5 1 * 1', '59 23 1 * 1', '0 0,12 1 * 1', '0 2 1-31 * 1', '5 4 */1 * 1', '7 2 * * 0', '58 2 * * 0', '0 3 31 * *', '45 23 31 * *']) {
      expect([cron, maxCronGapSeconds(cron)]).toEqual([cron, bruteForce(cron)]);
    }
  });

  test('a schedule that fires at most once a year counts as yearly', () => {
    expect(maxCronGapSeconds('0 0 29 2 *')).toBe(366 * D);
    expect(maxCronGapSeconds('@yearly')).toBe(366 * D);
  });
});

describe('PromQL helpers', () => {
  test('selectors escape label values', () => {
    expect(selector('up', { job: 'a"b\\c', namespace: ['=~', 'x|y'] })).toBe('up{job="a\\"b\\\\c", namespace=~"x|y"}');
    expect(anyOf(['b.c', 'a', 'a'])).toBe('a|b\\.c');
  });

  test('durations', () => {
    expect(promDuration(26 * H)).toBe('26h');
    expect(promDuration(7 * D)).toBe('7d');
    expect(promDuration(90 * 60)).toBe('90m');
    expect(promDuration(30)).toBe('1m');
  });

  test('plausibility: balanced, terminated, names its metrics', () => {
    expect(promqlProblem('time() - max by (namespace) (kube_cronjob_status_last_successful_time{cronjob="x"}) > 93600', ['kube_cronjob_status_last_successful_time'])).toBeUndefined();
    expect(promqlProblem('increase(velero_backup_failure_total{schedule="a"}[26h]) > 0')).toBeUndefined();
    expect(promqlProblem('sum(rate(x[5m])')).toBe('is missing ")" at the end');
    expect(promqlProblem('x{a="b"]')).toBe('has an unbalanced "]" at character 8');
    expect(promqlProblem('x{a="b}')).toBe('has an unterminated string starting at character 5');
    expect(promqlProblem('time() > 5')).toBe('names no metric');
    expect(promqlProblem('up == 0', ['velero_backup_failure_total'])).toBe('does not use velero_backup_failure_total');
    expect(promqlProblem('  ')).toBe('is empty; an alert needs a PromQL expression');
    // a label value naming a metric does not count as using it
    expect(promqlProblem('up{job="velero_backup_failure_total"}', ['velero_backup_failure_total'])).toBe('does not use velero_backup_failure_total');
  });
});
