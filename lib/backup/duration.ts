import { Duration } from 'cdk8s';
import { show } from '../core/errors';

const UNIT_NS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;

/** Explains why a string is not a Go duration (`720h`, `90m`, `1h30m`), or undefined. */
export function durationProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return `${show(value)} is not a duration (for example "720h" or "1h30m")`;
  const days = /^(\d+)\s*(d|day|days)$/i.exec(value);
  if (days) return `${show(value)} is not a duration: Go durations have no days; write "${Number(days[1]) * 24}h" (or use GoDuration.days(${days[1]}))`;
  const weeks = /^(\d+)\s*(w|week|weeks)$/i.exec(value);
  if (weeks) return `${show(value)} is not a duration: Go durations have no weeks; write "${Number(weeks[1]) * 168}h"`;
  if (!GO_DURATION.test(value)) return `${show(value)} is not a duration; write a number and a unit (h, m, s, ms), for example "720h" or "1h30m"`;
  return undefined;
}

function toNanos(text: string): number {
  let total = 0;
  for (const m of text.matchAll(PART)) total += Number(m[1]) * UNIT_NS[m[2]];
  return total;
}

/**
 * A length of time, rendered in Go's `time.Duration` syntax (`720h0m0s`) that Velero TTLs and
 * timeouts use. Factories never throw: constructs check the value (and its allowed range) and
 * report problems with their path and field.
 */
export class GoDuration {
  /** Parses a Go duration string such as `720h`, `90m` or `1h30m` (checked by the construct). */
  public static fromString(text: string): GoDuration {
    return new GoDuration(text);
  }

  /** Whole days (24 hours each). */
  public static days(n: number): GoDuration {
    return GoDuration.hours(n * 24);
  }

  /** Hours. */
  public static hours(n: number): GoDuration {
    return new GoDuration(Number.isFinite(n) ? `${n}h` : String(n));
  }

  /** Minutes. */
  public static minutes(n: number): GoDuration {
    return new GoDuration(Number.isFinite(n) ? `${n}m` : String(n));
  }

  private constructor(private readonly text: string) {}

  /** What is wrong with the value, or undefined. */
  public problem(): string | undefined {
    return durationProblem(this.text);
  }

  /** Length in seconds (NaN when invalid). */
  public get seconds(): number {
    return this.problem() ? NaN : toNanos(this.text) / 1e9;
  }

  /** Go's canonical rendering (`720h0m0s`, `1h30m0s`, `45s`), as Velero writes it. */
  public toGoString(): string {
    if (this.problem()) return this.text;
    let rest = Math.round(this.seconds);
    const h = Math.floor(rest / 3600);
    rest -= h * 3600;
    const m = Math.floor(rest / 60);
    const s = rest - m * 60;
    if (h > 0) return `${h}h${m}m${s}s`;
    if (m > 0) return `${m}m${s}s`;
    return `${s}s`;
  }

  public toString(): string {
    return this.text;
  }
}

/**
 * A length of time as ocpkit props take it: a {@link GoDuration} or cdk8s' own `Duration`
 * (`Duration.days(30)` from 'cdk8s'), which ocpkit renders in Go syntax.
 */
export type DurationLike = GoDuration | Duration;

/**
 * The {@link GoDuration} of a cdk8s `Duration` (whole hours, else minutes, seconds or
 * milliseconds, exactly); any other value is returned unchanged for the construct's check to report.
 */
export function asGoDuration(value: unknown): unknown {
  if (!(value instanceof Duration)) return value;
  const ms = value.toMilliseconds();
  if (!Number.isFinite(ms) || ms < 0) return GoDuration.fromString(String(ms));
  const [amount, unit] = ms % 3_600_000 === 0 ? [ms / 3_600_000, 'h'] : ms % 60_000 === 0 ? [ms / 60_000, 'm'] : ms % 1000 === 0 ? [ms / 1000, 's'] : [ms, 'ms'];
  return GoDuration.fromString(`${amount}${unit}`);
}

/** Rule for props: a valid {@link GoDuration} (or cdk8s `Duration`) of at least `minSeconds`. */
export function durationRule(minSeconds: number, what = 'duration'): (value: unknown) => string | undefined {
  return (raw) => {
    const value = asGoDuration(raw);
    if (!(value instanceof GoDuration)) return `${show(value)} must be a GoDuration or a cdk8s Duration (GoDuration.days(30), GoDuration.fromString("720h"), Duration.days(30) from 'cdk8s')`;
    const p = value.problem();
    if (p) return p;
    if (value.seconds < minSeconds) return `${show(value.toString())} is too short; a ${what} must be at least ${minSeconds >= 3600 ? `${minSeconds / 3600}h` : `${minSeconds}s`}`;
    return undefined;
  };
}
