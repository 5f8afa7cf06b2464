/**
 * The five-field cron syntax that Kubernetes CronJobs and Velero Schedules share, read the way
 * their common parser reads it: robfig/cron's standard parser (kubernetes v1.27
 * pkg/controller/cronjob/cronjob_controllerv2.go and vmware-tanzu/velero v1.14.0
 * pkg/controller/schedule_controller.go both call cron.ParseStandard). One reading for every
 * part of ocpkit: the checks of CronSchedule (lib/backup/cron.ts), the longest gap between runs
 * that backup alerts allow for (lib/monitoring/_cron-gap.ts) and the run counts the diff compares
 * (lib/diff/cron.ts).
 *
 * Facts of robfig/cron v3 parser.go kept here: `?` is `*`; `a/n` without a range end runs from a
 * to the field's maximum; a `*` or `?` with step 1 sets the field's "star bit", and when neither
 * day field has it a day matches if either day field matches (dayMatches); day-of-week is 0-6;
 * the macros below.
 */

/** The macros a five-field schedule may be written as (robfig/cron v3 parseDescriptor, without `@every`). */
export const CRON_MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** One field of a cron expression: its name in messages, its bounds and its names (JAN, SUN). */
export interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

/** minute, hour, day of month, month, day of week. */
export const CRON_FIELDS: readonly CronField[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  { name: 'day of week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
];

/** A number or a name (JAN, sun) of a field, or undefined. */
export function cronFieldValue(text: string, f: CronField): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const i = f.names?.indexOf(text.toUpperCase()) ?? -1;
  return i >= 0 ? i + f.min : undefined;
}

/** The values a field selects, and whether it is unrestricted (robfig's star bit). */
export interface CronFieldSet {
  readonly values: ReadonlySet<number>;
  readonly star: boolean;
}

/** Expands one field (lists, ranges, steps, names), or undefined when robfig/cron would refuse it. */
export function parseCronField(text: string, f: CronField): CronFieldSet | undefined {
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined || range === '') return undefined;
    if (stepText !== undefined && !/^\d+$/.test(stepText)) return undefined;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) return undefined;
    let lo: number | undefined;
    let hi: number | undefined;
    if (range === '*' || range === '?') {
      [lo, hi] = [f.min, f.max];
      if (step === 1) star = true;
    } else {
      const bounds = range.split('-');
      if (bounds.length > 2) return undefined;
      lo = cronFieldValue(bounds[0], f);
      hi = bounds.length === 2 ? cronFieldValue(bounds[1], f) : stepText !== undefined ? f.max : lo;
    }
    if (lo === undefined || hi === undefined || lo < f.min || hi > f.max || lo > hi) return undefined;
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values, star };
}

/** The five fields of an expression or macro, or undefined when it cannot be read. */
export function parseCron(expression: string): CronFieldSet[] | undefined {
  const text = CRON_MACROS[expression.trim()] ?? expression.trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 5) return undefined;
  const fields = parts.map((p, i) => parseCronField(p, CRON_FIELDS[i]));
  return fields.every((x): x is CronFieldSet => x !== undefined) ? fields : undefined;
}

/**
 * Whether a schedule with these fields runs on a (UTC) day: its month matches and its day
 * matches robfig's dayMatches (both day fields when either is unrestricted, else either one).
 */
export function cronRunsOn(fields: readonly CronFieldSet[], day: Date): boolean {
  const [, , dom, months, dow] = fields;
  if (!months.values.has(day.getUTCMonth() + 1)) return false;
  const domOk = dom.values.has(day.getUTCDate());
  const dowOk = dow.values.has(day.getUTCDay());
  return dom.star || dow.star ? domOk && dowOk : domOk || dowOk;
}
