/**
 * How often a cron schedule runs, for comparing two schedules (`0 2 * * *` against
 * `0 2 * * 0`). Five fields (minute hour day-of-month month day-of-week) with `*`, `?`, lists,
 * ranges, steps and month/day names, plus the `@hourly`/`@daily`/`@weekly`/`@monthly`/`@yearly`
 * macros and `@every`: the syntax of Kubernetes CronJobs
 * (https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax) and of
 * Velero Schedules, both parsed by robfig/cron v3's standard parser
 * (https://pkg.go.dev/github.com/robfig/cron/v3). When both day fields are restricted a day
 * matches either of them (the cron rule robfig/cron keeps).
 */

const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function field(text: string, min: number, max: number, names?: readonly string[]): Set<number> | undefined {
  const out = new Set<number>();
  const value = (s: string): number | undefined => {
    const i = names ? names.indexOf(s.toUpperCase()) : -1;
    if (i >= 0) return i + min;
    return /^\d+$/.test(s) ? Number(s) : undefined;
  };
  for (const part of text.split(',')) {
    const m = /^(\*|\?|[^/-]+)(?:-([^/]+))?(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    let lo: number | undefined;
    let hi: number | undefined;
    if (m[1] === '*' || m[1] === '?') {
      lo = min;
      hi = max;
    } else {
      lo = value(m[1]);
      hi = m[2] !== undefined ? value(m[2]) : m[3] !== undefined ? max : lo;
    }
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (lo === undefined || hi === undefined || lo < min || hi > max || lo > hi || step < 1) return undefined;
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/**
 * Runs of a cron schedule in the (non-leap) year 2025, or undefined when the schedule cannot be
 * read (then no comparison is made). A `CRON_TZ=`/`TZ=` prefix is ignored: it shifts runs, it
 * does not change how many there are.
 */
export function runsPerYear(schedule: unknown): number | undefined {
  if (typeof schedule !== 'string') return undefined;
  let s = schedule.trim().replace(/^(?:CRON_TZ|TZ)=\S+\s+/, '');
  if (MACROS[s]) s = MACROS[s];
  const every = /^@every\s+(\d+)([smh])$/.exec(s);
  if (every) return Math.floor((365 * 86400) / (Number(every[1]) * { s: 1, m: 60, h: 3600 }[every[2] as 's' | 'm' | 'h']));
  const parts = s.split(/\s+/);
  if (parts.length !== 5) return undefined;
  const minutes = field(parts[0], 0, 59);
  const hours = field(parts[1], 0, 23);
  const dom = field(parts[2], 1, 31);
  const months = field(parts[3], 1, 12, MONTHS);
  const dowRaw = field(parts[4].replace(/\b7\b/g, '0'), 0, 6, DAYS);
  if (!minutes || !hours || !dom || !months || !dowRaw) return undefined;
  const domStar = parts[2] === '*' || parts[2] === '?';
  const dowStar = parts[4] === '*' || parts[4] === '?';
  let days = 0;
  const start = Date.UTC(2025, 0, 1);
  for (let d = 0; d < 365; d++) {
    const date = new Date(start + d * 86400000);
    if (!months.has(date.getUTCMonth() + 1)) continue;
    const inDom = dom.has(date.getUTCDate());
    const inDow = dowRaw.has(date.getUTCDay());
    const match = domStar && dowStar ? true : domStar ? inDow : dowStar ? inDom : inDom || inDow;
    if (match) days++;
  }
  return days * hours.size * minutes.size;
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
