import { parseArgs as nodeParseArgs } from 'util';
import { UsageError } from '../core/errors';

/** The options one command accepts: a string option takes a value, a boolean one is a switch. */
export type OptionSpec = Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string }>>;

/** What {@link parseCommandArgs} returns: the positionals, and each option given (switches as `true`). */
export interface ParsedArgs {
  readonly positional: string[];
  readonly options: Record<string, string | true>;
}

/**
 * Parses a command's arguments with Node's `util.parseArgs` (strict): `--flag value` and
 * `--flag=value` both work, `--` ends the options, and an option given twice keeps the last value.
 * An unknown option is one line naming the command and the nearest known option
 * (`unknown option --outt for ocpkit synth; did you mean --out?`); a missing value is
 * `--out needs a value`. Both are {@link UsageError}s (exit code 2).
 *
 * @param command the command as the user typed it, e.g. `ocpkit synth`
 */
export function parseCommandArgs(command: string, args: readonly string[], spec: OptionSpec): ParsedArgs {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = nodeParseArgs({ args: [...args], options: spec as any, strict: true, allowPositionals: true });
  } catch (e) {
    throw argsError(command, e, spec);
  }
  const options: Record<string, string | true> = {};
  for (const [key, value] of Object.entries(parsed.values)) {
    if (value === true || typeof value === 'string') options[key] = value;
  }
  return { positional: parsed.positionals, options };
}

/**
 * Turns an error of `util.parseArgs` into one line in ocpkit's words (see {@link parseCommandArgs});
 * for commands that call `util.parseArgs` themselves.
 */
export function argsError(command: string, e: unknown, spec: Readonly<Record<string, unknown>>): UsageError {
  const err = e as { code?: string; message?: string };
  const message = typeof err?.message === 'string' ? err.message : String(e);
  if (err?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /'([^']*)'/.exec(message)?.[1] ?? '';
    const name = given.replace(/^-+/, '');
    const known = Object.keys(spec);
    const near = nearest(name, known);
    const hint = near !== undefined
      ? `did you mean --${near}?`
      : known.length ? `options: ${known.map((k) => `--${k}`).join(', ')}` : 'it takes no options';
    const shown = given.startsWith('-') ? given : `--${given}`;
    return new UsageError(`unknown option ${shown} for ${command}; ${hint}`);
  }
  if (err?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const name = /'(-[^' ]+)/.exec(message)?.[1] ?? 'an option';
    if (/does not take an argument/.test(message)) return new UsageError(`${name} takes no value`);
    if (/ambiguous/.test(message)) return new UsageError(`${name} needs a value; to give one that starts with a dash, write ${name}=VALUE`);
    return new UsageError(`${name} needs a value`);
  }
  if (err?.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new UsageError(`${command} takes no arguments`);
  return new UsageError(`${command}: ${message.split('\n')[0]}`);
}

/**
 * The candidate closest to `word` by edit distance (insertions, deletions, substitutions and
 * swaps of two neighbours), when it is close enough to be a typo: at most 1 edit for words of up to
 * 4 characters, else 2. Undefined when none is.
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const limit = word.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** Optimal string alignment distance (Levenshtein plus the swap of two neighbouring characters). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The options of a spec as `--help` lines: `  --out DIR   what it does`. */
export function optionLines(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, what]) => `  ${flag.padEnd(width)}  ${what}`).join('\n');
}

/**
 * {@link parseCommandArgs} for the usual case: `strings` are options that take a value, `switches`
 * are booleans.
 */
export function parseFlags(command: string, args: readonly string[], strings: readonly string[], switches: readonly string[] = []): ParsedArgs {
  const spec: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const s of strings) spec[s] = { type: 'string' };
  for (const s of switches) spec[s] = { type: 'boolean' };
  return parseCommandArgs(command, args, spec);
}
