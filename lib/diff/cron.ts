/**
 * How often a cron schedule runs, for comparing two schedules (`0 2 * * *` against
 * `0 2 * * 0`). Five fields (minute hour day-of-month month day-of-week) with `*`, `?`, lists,
 * ranges, steps and month/day names, plus the `@hourly`/`@daily`/`@weekly`/`@monthly`/`@yearly`
 * macros and `@every`: the syntax of Kubernetes CronJobs
 * (https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax) and of
 * Velero Schedules, both parsed by robfig/cron v3's standard parser
 * (https://pkg.go.dev/github.com/robfig/cron/v3), fields read by lib/core/cron-fields.ts.
 */

import { CRON_MACROS, cronRunsOn, parseCron } from '../core/cron-fields';

/**
 * Runs of a cron schedule in the (non-leap) year 2025, or undefined when the schedule cannot be
 * read (then no comparison is made). A `CRON_TZ=`/`TZ=` prefix is ignored: it shifts runs, it
 * does not change how many there are.
 */
export function runsPerYear(schedule: unknown): number | undefined {
  if (typeof schedule !== 'string') return undefined;
  let s = schedule.trim().replace(/^(?:CRON_TZ|TZ)=\S+\s+/, '');
  if (CRON_MACROS[s]) s = CRON_MACROS[s];
  const every = /^@every\s+(\d+)([smh])$/.exec(s);
  if (every) return Math.floor((365 * 86400) / (Number(every[1]) * { s: 1, m: 60, h: 3600 }[every[2] as 's' | 'm' | 'h']));
  const fields = parseCron(s);
  if (!fields) return undefined;
  const [minutes, hours] = fields;
  let days = 0;
  const start = Date.UTC(2025, 0, 1);
  for (let d = 0; d < 365; d++) {
    if (cronRunsOn(fields, new Date(start + d * 86400000))) days++;
  }
  return days * minutes.values.size * hours.values.size;
}

/** A run count per year in words: `daily`, `weekly`, `about every 2 days`, `12 times a year`. */
export function describeFrequency(runs: number): string {
  if (runs === 365) return 'daily';
  if (runs === 52 || runs === 53) return 'weekly';
  if (runs === 12) return 'monthly';
  if (runs === 8760) return 'hourly';
  if (runs > 365) return `${Math.round(runs / 365)} times a day`;
  return `${runs} times a year`;
}
