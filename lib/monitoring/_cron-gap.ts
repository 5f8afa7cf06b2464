/**
 * The longest time between two consecutive runs of a five-field cron schedule (or macro), in
 * seconds: what "the last success is too old" must allow for.
 *
 * Fields are read as robfig/cron's standard parser reads them (lib/core/cron-fields.ts, shared
 * with the checks and the diff). Times are UTC (the controllers' time zone on OpenShift), so no daylight-saving gaps.
 * The gap is measured over two whole years from 2024-01-01 (a leap year), which covers every
 * pattern of months and weekdays that a yearly schedule can repeat with.
 */
import { CronFieldSet, cronRunsOn, parseCron } from '../core/cron-fields';

/** Seconds between the two furthest-apart consecutive runs of the schedule; undefined when it cannot be read. */
export function maxCronGapSeconds(expression: string): number | undefined {
  if (!GAPS.has(expression)) GAPS.set(expression, computeGap(expression));
  return GAPS.get(expression);
}

/** Gaps by expression: a stack repeats a few schedules over many tenants. */
const GAPS = new Map<string, number | undefined>();

function computeGap(expression: string): number | undefined {
  const f = parseCron(expression);
  if (!f) return undefined;
  const [minutes, hours] = f;
  const minuteList = [...minutes.values].sort((a, b) => a - b);
  const hourList = [...hours.values].sort((a, b) => a - b);
  // the runs of one day, in seconds after midnight, and the longest wait between two of them
  const times: number[] = [];
  for (const h of hourList) for (const m of minuteList) times.push(h * 3600 + m * 60);
  let withinDay = 0;
  for (let i = 1; i < times.length; i++) withinDay = Math.max(withinDay, times[i] - times[i - 1]);
  // between two running days d1 < d2 (none between them): from d1's last run to d2's first
  const days = runningDays(f);
  // a schedule that fires once in two years (or never, e.g. 30 February) repeats at most yearly
  if (days.count === 0 || (days.count === 1 && times.length === 1)) return 366 * 86_400;
  const gap = days.count > 1 ? days.longest * 86_400 + times[0] - times[times.length - 1] : 0;
  return Math.max(gap, withinDay);
}

/** What the day fields of a schedule give over the two years: running days, longest distance in days between consecutive ones. */
interface RunningDays {
  readonly count: number;
  readonly longest: number;
}

/**
 * The running days of a schedule's day fields (day of month, month, day of week), by those
 * fields: schedules of a stack differ in their minute and hour far more often than in their days.
 */
const DAYS = new Map<string, RunningDays>();

function runningDays(f: readonly CronFieldSet[]): RunningDays {
  const key = f.slice(2).map((x) => `${x.star ? '*' : ''}${[...x.values].sort((a, b) => a - b).join(',')}`).join(' ');
  let known = DAYS.get(key);
  if (!known) {
    const start = Date.UTC(2024, 0, 1);
    let count = 0;
    let longest = 0;
    let previousDay: number | undefined;
    for (let d = 0; d < 366 + 365; d++) {
      if (!cronRunsOn(f, new Date(start + d * 86_400_000))) continue;
      if (previousDay !== undefined) longest = Math.max(longest, d - previousDay);
      previousDay = d;
      count++;
    }
    DAYS.set(key, (known = { count, longest }));
  }
  return known;
}
