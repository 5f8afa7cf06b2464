/**
 * The longest time between two consecutive runs of a five-field cron schedule (or macro), in
 * seconds: what "the last success is too old" must allow for. The expression must already be
 * valid (`cronProblem` in lib/backup/cron.ts).
 *
 * Semantics are robfig/cron's standard parser, which both Kubernetes CronJobs (kubernetes v1.27
 * pkg/controller/cronjob/cronjob_controllerv2.go: cron.ParseStandard of robfig/cron/v3) and Velero
 * schedules (vmware-tanzu/velero v1.14.0 pkg/controller/schedule_controller.go: cron.ParseStandard
 * of robfig/cron v1.1.0) use: when both day-of-month and day-of-week are restricted, a day
 * matches if either matches (dayMatches); `?` is `*`. Times are UTC (the controllers' time zone on OpenShift), so no daylight-saving gaps.
 * The gap is measured over two whole years from 2024-01-01 (a leap year), which covers every
 * pattern of months and weekdays that a yearly schedule can repeat with.
 */
const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const NAMES: Readonly<Record<number, readonly string[]>> = {
  3: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  4: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'],
};
const BOUNDS: readonly (readonly [number, number])[] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]];

interface FieldSet {
  readonly values: ReadonlySet<number>;
  /** The field was `*` or `?` (unrestricted), which matters for day-of-month/day-of-week. */
  readonly star: boolean;
}

function value(text: string, field: number): number {
  if (/^\d+$/.test(text)) return Number(text);
  const i = NAMES[field]?.indexOf(text.toUpperCase()) ?? -1;
  return i + BOUNDS[field][0];
}

function parseField(text: string, field: number): FieldSet {
  const [min, max] = BOUNDS[field];
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      [lo, hi] = [min, max];
      if (step === 1) star = true; // robfig/cron v3 getRange: "*" and "?" (step 1) set the star bit
    } else {
      const bounds = range.split('-');
      lo = value(bounds[0], field);
      // robfig/cron: "a/n" without a range end runs from a to the field's maximum
      hi = bounds.length === 2 ? value(bounds[1], field) : stepText !== undefined ? max : lo;
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, star };
}

/** Seconds between the two furthest-apart consecutive runs of the schedule. */
export function maxCronGapSeconds(expression: string): number {
  const text = MACROS[expression.trim()] ?? expression.trim();
  const f = text.split(/\s+/).map((t, i) => parseField(t, i));
  const [minutes, hours, dom, months, dow] = f;
  const minuteList = [...minutes.values].sort((a, b) => a - b);
  const hourList = [...hours.values].sort((a, b) => a - b);
  const start = Date.UTC(2024, 0, 1);
  const days = 366 + 365;
  let previous: number | undefined;
  let first: number | undefined;
  let gap = 0;
  for (let d = 0; d < days; d++) {
    const day = new Date(start + d * 86_400_000);
    if (!months.values.has(day.getUTCMonth() + 1)) continue;
    const domOk = dom.values.has(day.getUTCDate());
    const dowOk = dow.values.has(day.getUTCDay());
    const dayOk = dom.star || dow.star ? domOk && dowOk : domOk || dowOk;
    if (!dayOk) continue;
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
