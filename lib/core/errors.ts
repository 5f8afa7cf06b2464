import { redactSecrets } from './secret-scan';

/**
 * One thing wrong with the input: where (construct path or data-file entry), which field,
 * what was given and what is allowed.
 */
export interface Problem {
  /** Construct path (`community/forum/Quota`) or data-file location (`tenants.yaml: tenants[3] (forum)`). */
  readonly path: string;
  /** Field name or JSON path inside the object (`quota.memory`, `/spec/template/spec`). */
  readonly field: string;
  /** What is wrong and what is allowed instead. */
  readonly message: string;
}

/** Renders a problem on one line: `[path] field: message`. */
export function formatProblem(p: Problem): string {
  const field = p.field ? ` ${p.field}:` : '';
  return `[${p.path}]${field} ${p.message}`;
}

/** Renders a value for an error message, short and unambiguous; secrets in it are redacted (see secret-scan). */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(redactSecrets(value));
  try {
    const s = redactSecrets(JSON.stringify(value));
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(value);
  }
}

/**
 * The error every ocpkit check throws. It carries all problems found in one pass, so a synth
 * reports everything wrong at once; its message has one line per problem.
 */
export class OcpkitError extends Error {
  public readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[], heading?: string) {
    const lines = problems.map(formatProblem);
    const head = heading ?? `${problems.length} problem${problems.length === 1 ? '' : 's'} found`;
    super(`${head}:\n  ${lines.join('\n  ')}`);
    this.name = 'OcpkitError';
    this.problems = problems;
  }
}

/**
 * Collects problems for one construct or data entry, then throws them together.
 */
export class Problems {
  private readonly list: Problem[] = [];

  /** @param path construct path or data-file location that every problem is reported under */
  constructor(public readonly path: string) {}

  /** Records a problem with `field`. */
  public add(field: string, message: string): void {
    this.list.push({ path: this.path, field, message });
  }

  /** Runs a rule over a value and records its complaint, if any. Returns true when the value passed. */
  public check<T>(field: string, value: T, rule: (v: T) => string | undefined): boolean {
    const msg = rule(value);
    if (msg) this.add(field, msg);
    return !msg;
  }

  /** Adds problems gathered elsewhere. */
  public addAll(problems: readonly Problem[]): void {
    this.list.push(...problems);
  }

  public get size(): number {
    return this.list.length;
  }

  public get all(): readonly Problem[] {
    return this.list;
  }

  /** Throws an OcpkitError when anything was recorded. */
  public throwIfAny(heading?: string): void {
    if (this.list.length > 0) throw new OcpkitError(this.list, heading);
  }
}
