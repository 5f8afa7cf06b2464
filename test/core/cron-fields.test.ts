/**
 * One reading of cron fields for the checks (cronProblem), the backup alerts' overdue windows
 * (maxCronGapSeconds) and the diff's run counts (runsPerYear), matching robfig/cron v3.
 */
import { cronProblem } from '../../lib/backup/cron';
import { cronRunsOn, parseCron } from '../../lib/core/cron-fields';
import { runsPerYear } from '../../lib/diff/cron';
import { maxCronGapSeconds } from '../../lib/monitoring/_cron-gap';

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

describe('cron fields', () => {
  test('every expression the check accepts can be read, and the readings agree', () => {
    const accepted = ['0 2 * * *', '*/15 * * * *', '30 3 * * 0', '0 0 1,15 * *', '0 4 * JAN-MAR MON-FRI', '5 0 ? * SUN', '0 0 1 * 1', '@daily', '@weekly', '0 2 */2 * *', '10-50/10 1-5 * * *'];
    for (const e of accepted) {
      expect(cronProblem(e)).toBeUndefined();
      expect(parseCron(e)).toBeDefined();
      expect(runsPerYear(e)).toBeGreaterThan(0);
      expect(maxCronGapSeconds(e)).toBeGreaterThan(0);
    }
  });

  test('what robfig/cron refuses cannot be read by any of them', () => {
    for (const e of ['61 * * * *', '0 24 * * *', '0 0 0 * *', '0 0 * 13 *', '0 0 * * 7', '* * *', '0 0 5-1 * *', '*/0 * * * *', 'a b c d e']) {
      expect(cronProblem(e)).toBeDefined();
      expect(parseCron(e)).toBeUndefined();
      expect(runsPerYear(e)).toBeUndefined();
      expect(maxCronGapSeconds(e)).toBeUndefined();
    }
  });

  test('star bit: * and */1 leave a day field unrestricted, */2 restricts it (robfig getRange)', () => {
    expect(parseCron('0 0 * * *')![2].star).toBe(true);
    expect(parseCron('0 0 */1 * *')![2].star).toBe(true);
    expect(parseCron('0 0 */2 * *')![2].star).toBe(false);
  });

  test('two restricted day fields match either (dayMatches); an unrestricted one defers to the other', () => {
    const either = parseCron('0 0 1 * MON')!; // the 1st of the month OR any Monday
    expect(cronRunsOn(either, day('2025-01-01'))).toBe(true); // a Wednesday, the 1st
    expect(cronRunsOn(either, day('2025-01-06'))).toBe(true); // a Monday
    expect(cronRunsOn(either, day('2025-01-07'))).toBe(false);
    const mondays = parseCron('0 0 * * MON')!;
    expect(cronRunsOn(mondays, day('2025-01-01'))).toBe(false);
    expect(cronRunsOn(mondays, day('2025-01-06'))).toBe(true);
    // every other day of the month restricts the day-of-month field, so with Mondays it is "either"
    expect(runsPerYear('0 0 */2 * MON')).toBeGreaterThan(runsPerYear('0 0 */2 * *')!);
  });
});
