import { Cron } from 'cdk8s';
import { CRON_FIELDS, CRON_MACROS, CronField, cronFieldValue } from '../core/cron-fields';
import { show } from '../core/errors';

const MACROS = Object.keys(CRON_MACROS);
const EXAMPLE = 'for example "0 2 * * *" (02:00 every day) or "30 3 * * 0" (03:30 on Sundays)';

/** What is wrong with one field of a cron expression, or undefined. */
function fieldProblem(text: string, f: CronField): string | undefined {
  const bad = `${f.name} ${show(text)}`;
  const allowed = `${f.min}-${f.max}${f.names ? ` or ${f.names[0]}-${f.names[f.names.length - 1]}` : ''}`;
  for (const part of text.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || range === '') return `${bad} is not a cron field (write values, ranges "a-b", lists "a,b" and steps "*/n")`;
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) < 1)) return `${bad} has step ${show(step)}; a step is a whole number of at least 1`;
    if (range === '*' || (range === '?' && (f.name === 'day of month' || f.name === 'day of week'))) continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `${bad} is not a cron field`;
    const values = bounds.map((b) => cronFieldValue(b, f));
    if (values.some((v) => v === undefined || v < f.min || v > f.max)) return `${bad} is out of range; allowed: ${allowed}`;
    if (values.length === 2 && values[0]! > values[1]!) return `${bad} is a backwards range`;
  }
  return undefined;
}

/** Explains why a string is not a cron schedule Velero and Kubernetes CronJobs accept, or undefined. */
export function cronProblem(expression: unknown): string | undefined {
  if (typeof expression !== 'string') return `${show(expression)} is not a cron expression (${EXAMPLE})`;
  const s = expression.trim();
  if (s !== expression || s.length === 0) return `${show(expression)} is not a cron expression (${EXAMPLE})`;
  if (s.startsWith('@')) {
    if (MACROS.includes(s)) return undefined;
    if (s.startsWith('@every ')) return `${show(expression)}: "@every" is not accepted by Kubernetes CronJobs; write five fields (${EXAMPLE})`;
    return `${show(expression)} is not a cron macro; use one of ${MACROS.join(', ')} or five fields`;
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5) {
    return `${show(expression)} has ${fields.length} field${fields.length === 1 ? '' : 's'}; a cron schedule has five: minute hour day-of-month month day-of-week (${EXAMPLE})`;
  }
  for (let i = 0; i < 5; i++) {
    const msg = fieldProblem(fields[i], CRON_FIELDS[i]);
    if (msg) return `${show(expression)}: ${msg}`;
  }
  return undefined;
}

/** Options of {@link CronSchedule.daily} and {@link CronSchedule.weekly}. */
export interface CronTime {
  /** Hour of day, 0-23 (cluster time zone: UTC on OpenShift). @default 0 */
  readonly hour?: number;
  /** Minute of the hour, 0-59. @default 0 */
  readonly minute?: number;
}

/**
 * A cron schedule in the five-field syntax that both Velero Schedules and Kubernetes CronJobs
 * accept (`minute hour day-of-month month day-of-week`, plus the `@daily`-style macros).
 * Times are in the controller's time zone, UTC on OpenShift.
 *
 * Factories never throw: constructs check the expression and report a bad one with their path
 * and field, together with everything else wrong with their props.
 */
export class CronSchedule {
  /** Any five-field expression or macro, checked by the construct that uses it. */
  public static expression(expression: string): CronSchedule {
    return new CronSchedule(expression);
  }

  /** Once a day at the given time. */
  public static daily(time: CronTime = {}): CronSchedule {
    return new CronSchedule(`${time.minute ?? 0} ${time.hour ?? 0} * * *`);
  }

  /** Once an hour at the given minute. */
  public static hourly(minute = 0): CronSchedule {
    return new CronSchedule(`${minute} * * * *`);
  }

  /** Once a week, on `dayOfWeek` (0 = Sunday ... 6 = Saturday), at the given time. */
  public static weekly(dayOfWeek: number, time: CronTime = {}): CronSchedule {
    return new CronSchedule(`${time.minute ?? 0} ${time.hour ?? 0} * * ${dayOfWeek}`);
  }

  private constructor(public readonly expressionText: string) {}

  /** What is wrong with the expression, or undefined when it is valid. */
  public problem(): string | undefined {
    return cronProblem(this.expressionText);
  }

  public toString(): string {
    return this.expressionText;
  }
}

/**
 * A schedule as ocpkit props take it: a {@link CronSchedule} or cdk8s' own `Cron`
 * (`Cron.daily()`, `Cron.schedule({ minute: '0', hour: '2' })` from 'cdk8s').
 */
export type CronLike = CronSchedule | Cron;

/** The {@link CronSchedule} of a cdk8s `Cron` (its expression string); any other value unchanged. */
export function asCronSchedule<T>(value: T): T | CronSchedule {
  return value instanceof Cron ? CronSchedule.expression(value.expressionString) : value;
}

/** Rule for props: a valid {@link CronSchedule} (or cdk8s `Cron`). */
export function cronRule(raw: unknown): string | undefined {
  const value = asCronSchedule(raw);
  if (!(value instanceof CronSchedule)) return `${show(value)} must be a CronSchedule or a cdk8s Cron (CronSchedule.daily({ hour: 2 }), CronSchedule.expression("0 2 * * *"), Cron.daily() from 'cdk8s')`;
  return value.problem();
}

/**
 * The same schedule started `minutes` later: the minute and hour fields move, wrapping past
 * midnight only when every day-selecting field is `*` (a weekly or monthly schedule would move to
 * the next day, which is not "later the same run"). Returns the shifted CronSchedule, or what prevents it.
 */
export function shiftCron(cron: CronSchedule, minutes: number): { cron: CronSchedule } | { problem: string } {
  const fields = cron.expressionText.trim().split(/\s+/);
  if (fields.length !== 5 || !/^\d+$/.test(fields[0]) || !/^\d+$/.test(fields[1])) {
    return { problem: `${show(cron.expressionText)} has no fixed minute and hour to start from; spreading start times needs one (CronSchedule.daily({ hour: 2 }), CronSchedule.weekly(0, { hour: 3 }))` };
  }
  const start = Number(fields[1]) * 60 + Number(fields[0]) + minutes;
  const everyDay = fields[2] === '*' && fields[3] === '*' && fields[4] === '*';
  if (start >= 24 * 60 && !everyDay) {
    return { problem: `${show(cron.expressionText)} shifted by ${minutes} minutes runs past midnight into another day; start it earlier or spread less` };
  }
  const t = start % (24 * 60);
  return { cron: CronSchedule.expression(`${t % 60} ${Math.floor(t / 60)} ${fields.slice(2).join(' ')}`) };
}
