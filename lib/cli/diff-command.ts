import * as path from 'path';
import { POST_LIMITS } from '../diff/budget';
import { checkDistFreshness, describeFreshness, DistFreshness, isFresh } from '../diff/dist-freshness';
import { diffTrees, DiffResult } from '../diff/diff-trees';
import { formatMarkdown, mdText } from '../diff/format-markdown';
import { diagramsFor } from '../diff/topology-diagrams';
import { formatText } from '../diff/format-text';
import { BaseSynthInterrupted, synthBaseAndWorkingTree } from '../diff/git-base';
import { DEFAULT_IGNORE_FILE, IgnoreList } from '../diff/ignore-list';
import { RISK_CLASSES, RiskClass } from '../diff/risk';
import { UsageError } from '../core/errors';
import { parseFlags } from './_args';
import { writeStdout } from './_output';

const FORMATS = ['text', 'markdown', 'json'];
/** What `--fail-on` accepts: risk classes, `stale-dist` (with --base), `none`; a comma-separated list. */
const FAIL_ON: readonly string[] = [...RISK_CLASSES, 'stale-dist', 'none'];

/** Exit codes of `ocpkit diff`, like `kubectl diff` / `argocd app diff`. */
export enum DiffExit {
  NO_CHANGES = 0,
  CHANGES = 1,
  USAGE_OR_INPUT_ERROR = 2,
  /** A change of a class listed in --fail-on (or a stale dist/ with `stale-dist`). */
  DESTRUCTIVE = 3,
}

export const DIFF_USAGE = `usage: ocpkit diff OLD_DIR NEW_DIR [options]
       ocpkit diff --base GIT_REF [--stack apps/community/main.ts] [--dist dist] [options]

options:
  --format text|markdown|json   output format (default text; markdown for PR/MR comments)
  --json                        the same as --format json
  --fail-on CLASSES             exit 3 when a change has one of these risk classes, comma-separated:
                                ${RISK_CLASSES.join(', ')}; stale-dist (with --base: the committed dist/ is
                                not a fresh synth); none (default)
  --max-bytes N                 keep the output within N bytes: destructive and security changes first and
                                complete, the rest shortened, every resource left out still named
  --for github|gitlab           --max-bytes for a comment there (github ${POST_LIMITS.github}, gitlab ${POST_LIMITS.gitlab})
  --dist DIR                    with --base: the committed tree checked against a fresh synth (default dist)
  --ignore-file FILE            ignore list (default ${DEFAULT_IGNORE_FILE} in the current folder, if present)
  --no-controller-noise-filter  also report fields controllers rewrite (images set by image-change triggers)

With --base, the committed DIR/ of GIT_REF and of the working tree are compared byte by byte with
a fresh synth of the same sources; hand edits and stale files are reported (Argo CD syncs the
committed tree).

exit codes: 0 no changes, 1 changes, 2 usage or input error, 3 a change of a class in --fail-on,
4 internal error (a bug in ocpkit, never a verdict on the change: CI should fail on any code but 0, 1
and 3, and the stderr message belongs in a bug report)
`;

/** `--fail-on` parsed: the classes that fail, and whether a stale dist/ fails. */
function parseFailOn(value: string): { classes: RiskClass[]; staleDist: boolean } {
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`--fail-on must be a comma-separated list of ${FAIL_ON.join(', ')}, got "${value}"`);
  for (const i of items) if (!FAIL_ON.includes(i)) throw new UsageError(`--fail-on must be a comma-separated list of ${FAIL_ON.join(', ')}, got "${i}"`);
  if (items.includes('none') && items.length > 1) throw new UsageError('--fail-on none cannot be combined with other values');
  return { classes: RISK_CLASSES.filter((k) => items.includes(k)), staleDist: items.includes('stale-dist') };
}

function parseMaxBytes(options: Record<string, string | true>): number | undefined {
  const raw = options['max-bytes'];
  const preset = options.for;
  if (raw !== undefined && preset !== undefined) throw new UsageError('give --max-bytes or --for, not both');
  if (typeof preset === 'string') {
    if (!Object.prototype.hasOwnProperty.call(POST_LIMITS, preset)) throw new UsageError(`--for must be one of ${Object.keys(POST_LIMITS).join(', ')}, got "${preset}"`);
    return POST_LIMITS[preset];
  }
  if (typeof raw !== 'string') return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1024) throw new UsageError(`--max-bytes must be a whole number of bytes, at least 1024, got "${raw}"`);
  return Number(raw);
}

/**
 * `ocpkit diff OLD_DIR NEW_DIR` / `ocpkit diff --base GIT_REF`: what a merge would change on the
 * cluster, per resource and field, with the risk classes of each change (destructive, security,
 * outage, weakening) first, secrets masked; with --base, also whether the committed dist/ is a
 * fresh synth.
 */
export async function diffCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(DIFF_USAGE);
    return DiffExit.NO_CHANGES;
  }
  const { positional, options } = parseFlags('ocpkit diff', args, ['format', 'fail-on', 'ignore-file', 'base', 'stack', 'max-bytes', 'for', 'dist'], ['no-controller-noise-filter', 'json']);
  if (options.json === true && typeof options.format === 'string' && options.format !== 'json') throw new UsageError(`--json is --format json; it cannot be combined with --format ${options.format}`);
  const format = options.json === true ? 'json' : typeof options.format === 'string' ? options.format : 'text';
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  const failOn = parseFailOn(typeof options['fail-on'] === 'string' ? options['fail-on'] : 'none');
  const maxBytes = parseMaxBytes(options);
  if (maxBytes !== undefined && format === 'json') throw new UsageError('--max-bytes and --for apply to text and markdown; JSON output is never shortened');
  const base = typeof options.base === 'string' ? options.base : undefined;
  if (base !== undefined && positional.length !== 0) throw new UsageError(`--base compares GIT_REF with the working tree; it takes no folders\n${DIFF_USAGE}`);
  if (base === undefined && positional.length !== 2) throw new UsageError(`diff takes two folders (OLD_DIR NEW_DIR) or --base GIT_REF\n${DIFF_USAGE}`);
  if (base === undefined && options.stack !== undefined) throw new UsageError('--stack only applies with --base');
  if (base === undefined && options.dist !== undefined) throw new UsageError('--dist only applies with --base');
  if (base === undefined && failOn.staleDist) throw new UsageError('--fail-on stale-dist only applies with --base');

  try {
    const ignoreFile = typeof options['ignore-file'] === 'string' ? options['ignore-file'] : undefined;
    const ignore = IgnoreList.load(ignoreFile ?? DEFAULT_IGNORE_FILE, ignoreFile === undefined);
    const diffOptions = { ignore, suppressControllerFields: options['no-controller-noise-filter'] !== true };
    let result: DiffResult;
    let title = 'ocpkit diff';
    const freshness: DistFreshness[] = [];
    // The pictures of a markdown diff read both trees now: with --base they are removed below.
    let diagrams: ((r: DiffResult) => string[]) | undefined;
    if (base !== undefined) {
      const pair = await synthBaseAndWorkingTree({ ref: base, stack: typeof options.stack === 'string' ? options.stack : undefined });
      const dist = typeof options.dist === 'string' ? options.dist : 'dist';
      const rel = path.isAbsolute(dist) ? path.relative(pair.root, dist) : path.relative(pair.root, path.resolve(dist));
      if (rel.startsWith('..')) throw new UsageError(`--dist ${dist} is outside the repository ${pair.root}`);
      try {
        result = diffTrees(pair.oldDir, pair.newDir, diffOptions);
        if (format === 'markdown') diagrams = diagramsFor(pair.oldDir, pair.newDir);
        freshness.push(checkDistFreshness(path.join(pair.baseCheckout, rel), pair.oldDir, `${base} (${pair.baseCommit})`, rel));
        freshness.push(checkDistFreshness(path.join(pair.root, rel), pair.newDir, 'the working tree', rel));
      } finally {
        pair.cleanup();
      }
      const signal = pair.interrupted();
      if (signal) throw new BaseSynthInterrupted(signal);
      title = `ocpkit diff against ${base} (${pair.baseCommit})`;
    } else {
      result = diffTrees(positional[0], positional[1], diffOptions);
      if (format === 'markdown') diagrams = diagramsFor(positional[0], positional[1]);
    }
    const notes = freshness.map((f) => `${isFresh(f) ? 'ok' : 'STALE'}: ${describeFreshness(f)}`);
    const text = format === 'markdown'
      ? formatMarkdown(result, { title, diagrams, maxLength: Infinity, maxBytes: maxBytes ?? 60000, notes: notes.map((n) => `> ${n.startsWith('ok') ? ':white_check_mark:' : ':x:'} ${mdText(n)}`) })
      : format === 'json'
        ? `${JSON.stringify(freshness.length ? { ...result, distFreshness: freshness } : result, null, 2)}\n`
        : formatText(result, { maxBytes, notes });
    await writeStdout(text);
    const stale = freshness.some((f) => !isFresh(f));
    if (failOn.staleDist && stale) return DiffExit.DESTRUCTIVE;
    if (failOn.classes.some((k) => result.changes.some((c) => (c.classes ?? []).includes(k) || (k === 'destructive' && c.destructive)))) return DiffExit.DESTRUCTIVE;
    if (result.changes.length === 0) return DiffExit.NO_CHANGES;
    return DiffExit.CHANGES;
  } catch (e) {
    if (e instanceof BaseSynthInterrupted) {
      process.stderr.write(`ocpkit diff: ${e.message}\n`);
      // 128 + signal number, as shells report a process stopped by it
      return e.signal === 'SIGINT' ? 130 : e.signal === 'SIGHUP' ? 129 : 143;
    }
    // a DiffInputError (exit 2, one line) is reported by main(), which also writes it as JSON with --format json
    throw e;
  }
}

