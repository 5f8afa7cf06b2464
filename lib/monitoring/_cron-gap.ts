/**
 * The longest time between two consecutive runs of a five-field cron schedule (or macro), in
 * seconds: what "the last success is too old" must allow for.
 *
 * Fields are read as robfig/cron's standard parser reads them (lib/core/cron-fields.ts, shared
 * with the checks and the diff). Times are UTC (the controllers' time zone on OpenShift), so no daylight-saving gaps.
 * The gap is measured over two whole years from 2024-01-01 (a leap year), which covers every
 * pattern of months and weekdays that a yearly schedule can repeat with.
 */
import { cronRunsOn, parseCron } from '../core/cron-fields';

/** Seconds between the two furthest-apart consecutive runs of the schedule; undefined when it cannot be read. */
export function maxCronGapSeconds(expression: string): number | undefined {
  const f = parseCron(expression);
  if (!f) return undefined;
  const [minutes, hours] = f;
  const minuteList = [...minutes.values].sort((a, b) => a - b);
  const hourList = [...hours.values].sort((a, b) => a - b);
  const start = Date.UTC(2024, 0, 1);
  const days = 366 + 365;
  let previous: number | undefined;
  let first: number | undefined;
  let gap = 0;
  for (let d = 0; d < days; d++) {
    const day = new Date(start + d * 86_400_000);
    if (!cronRunsOn(f, day)) continue;
    for (const h of hourList) {
      for (const m of minuteList) {
        const t = day.getTime() / 1000 + h * 3600 + m * 60;
        if (previous !== undefined) gap = Math.max(gap, t - previous);
        first ??= t;
        previous = t;
      }
    }
  }
  // a schedule that fires once in two years (or never, e.g. 30 February) repeats at most yearly
  if (previous === undefined || first === previous) return 366 * 86_400;
  return gap;
}
