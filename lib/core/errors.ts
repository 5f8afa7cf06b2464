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

/** The brand every ocpkit error carries, shared by all copies of the package in one process (`Symbol.for`). */
const OCPKIT_ERROR = Symbol.for('ocpkit.error');

/**
 * The exit code of a process stopped by a signal, as shells report it: 128 + the signal number
 * (SIGHUP 129, SIGINT 130, SIGTERM 143); 1 for any other signal.
 */
export function signalExitCode(signal: string): number {
  return signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : signal === 'SIGHUP' ? 129 : 1;
}

/**
 * The error every ocpkit check throws, and the base of every error ocpkit throws on purpose
 * ({@link UsageError}, the CLI's StackError, the writer's Output*Error, DiffInputError,
 * YamlInputError, SchemaSetError, BaseSynthInterrupted). It carries all problems found in one pass,
 * so a synth reports everything wrong at once; its message has one line per problem. Subclasses
 * with a message of their own keep it (`withMessage`) and carry it as one problem.
 *
 * `exitCode` is the CLI's exit code for it (1 problems found, 2 usage or input error, 128 + n for
 * an interruption by signal n); {@link isOcpkitError} recognises the family across two copies of
 * the package.
 */
export class OcpkitError extends Error {
  public readonly problems: readonly Problem[];
  /** Exit code of the `ocpkit` CLI for this error: 1 for problems found in the input. */
  public readonly exitCode: number = 1;

  constructor(problems: readonly Problem[], heading?: string) {
    const lines = problems.map(formatProblem);
    const head = heading ?? `${problems.length} problem${problems.length === 1 ? '' : 's'} found`;
    super(`${head}:\n  ${lines.join('\n  ')}`);
    this.name = 'OcpkitError';
    this.problems = problems;
    Object.defineProperty(this, OCPKIT_ERROR, { value: true });
  }

  /**
   * For subclasses whose message is one sentence of their own (no problem list): replaces the
   * message built from the problems with `message`. Returns `this`.
   */
  protected withMessage(message: string): this {
    this.message = message;
    return this;
  }
}

/**
 * True when `e` is an error of the ocpkit family ({@link OcpkitError} or a subclass), also when it
 * comes from another copy of the ocpkit package (a stack's own dependency next to the CLI's): the
 * check is a `Symbol.for` brand, not `instanceof`.
 */
export function isOcpkitError(e: unknown): e is OcpkitError {
  try {
    return typeof e === 'object' && e !== null && (e as { [OCPKIT_ERROR]?: unknown })[OCPKIT_ERROR] === true;
  } catch {
    return false; // a Proxy whose traps throw
  }
}

/**
 * An ocpkit error that is one sentence of its own rather than a list of problems: its message is
 * `message`, carried as one problem under `field`. The base of {@link UsageError} and of the other
 * one-line errors (the CLI's StackError, DiffInputError, the writer's Output*Error, ...).
 */
export class OneLineError extends OcpkitError {
  constructor(message: string, field = '') {
    super([{ path: '', field, message }]);
    this.name = 'OneLineError';
    this.withMessage(message);
  }
}

/** Wrong arguments or options for a command, or input that cannot be used: exit code 2. */
export class UsageError extends OneLineError {
  public override readonly exitCode: number = 2;

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
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
