import { DiffInputError } from '../diff/diff-input-error';
import { diffTrees, DiffResult } from '../diff/diff-trees';
import { formatMarkdown } from '../diff/format-markdown';
import { formatText } from '../diff/format-text';
import { BaseSynthInterrupted, DEFAULT_STACK, synthBaseAndWorkingTree } from '../diff/git-base';
import { DEFAULT_IGNORE_FILE, IgnoreList } from '../diff/ignore-list';
import { parseArgs, UsageError } from './main';

const FORMATS = ['text', 'markdown', 'json'];
const FAIL_ON = ['destructive', 'none'];

/** Exit codes of `ocpkit diff`, like `kubectl diff` / `argocd app diff`. */
export enum DiffExit {
  NO_CHANGES = 0,
  CHANGES = 1,
  USAGE_OR_INPUT_ERROR = 2,
  DESTRUCTIVE = 3,
}

export const DIFF_USAGE = `usage: ocpkit diff OLD_DIR NEW_DIR [options]
       ocpkit diff --base GIT_REF [--stack apps/community/main.ts] [options]

options:
  --format text|markdown|json   output format (default text; markdown for PR/MR comments)
  --fail-on destructive         exit 3 when a change is destructive
  --ignore-file FILE            ignore list (default ${DEFAULT_IGNORE_FILE} in the current folder, if present)
  --no-controller-noise-filter  also report fields controllers rewrite (images set by image-change triggers)

exit codes: 0 no changes, 1 changes, 2 usage or input error, 3 destructive changes with --fail-on destructive
`;

/**
 * `ocpkit diff OLD_DIR NEW_DIR` / `ocpkit diff --base GIT_REF`: what a merge would change on the
 * cluster, per resource and field, destructive changes first, secrets masked.
 */
export async function diffCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(DIFF_USAGE);
    return DiffExit.NO_CHANGES;
  }
  const { positional, options } = parseArgs(args, ['format', 'fail-on', 'ignore-file', 'base', 'stack'], ['no-controller-noise-filter']);
  const format = typeof options.format === 'string' ? options.format : 'text';
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  const failOn = typeof options['fail-on'] === 'string' ? options['fail-on'] : 'none';
  if (!FAIL_ON.includes(failOn)) throw new UsageError(`--fail-on must be one of ${FAIL_ON.join(', ')}, got "${failOn}"`);
  const base = typeof options.base === 'string' ? options.base : undefined;
  if (base !== undefined && positional.length !== 0) throw new UsageError(`--base compares GIT_REF with the working tree; it takes no folders\n${DIFF_USAGE}`);
  if (base === undefined && positional.length !== 2) throw new UsageError(`diff takes two folders (OLD_DIR NEW_DIR) or --base GIT_REF\n${DIFF_USAGE}`);
  if (base === undefined && options.stack !== undefined) throw new UsageError('--stack only applies with --base');

  try {
    const ignoreFile = typeof options['ignore-file'] === 'string' ? options['ignore-file'] : undefined;
    const ignore = IgnoreList.load(ignoreFile ?? DEFAULT_IGNORE_FILE, ignoreFile === undefined);
    const diffOptions = { ignore, suppressControllerFields: options['no-controller-noise-filter'] !== true };
    let result: DiffResult;
    let title = 'ocpkit diff';
    if (base !== undefined) {
      const pair = await synthBaseAndWorkingTree({ ref: base, stack: typeof options.stack === 'string' ? options.stack : DEFAULT_STACK });
      try {
        result = diffTrees(pair.oldDir, pair.newDir, diffOptions);
      } finally {
        pair.cleanup();
      }
      const signal = pair.interrupted();
      if (signal) throw new BaseSynthInterrupted(signal);
      title = `ocpkit diff against ${base} (${pair.baseCommit})`;
    } else {
      result = diffTrees(positional[0], positional[1], diffOptions);
    }
    const text = format === 'markdown' ? formatMarkdown(result, { title }) : format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : formatText(result);
    await write(text);
    if (result.changes.length === 0) return DiffExit.NO_CHANGES;
    if (failOn === 'destructive' && result.summary.destructive > 0) return DiffExit.DESTRUCTIVE;
    return DiffExit.CHANGES;
  } catch (e) {
    if (e instanceof BaseSynthInterrupted) {
      process.stderr.write(`ocpkit diff: ${e.message}\n`);
      // 128 + signal number, as shells report a process stopped by it
      return e.signal === 'SIGINT' ? 130 : e.signal === 'SIGHUP' ? 129 : 143;
    }
    if (e instanceof DiffInputError) {
      process.stderr.write(`ocpkit diff: ${e.message}\n`);
      return DiffExit.USAGE_OR_INPUT_ERROR;
    }
    throw e;
  }
}

/** Writes to stdout and waits until it is flushed (large diffs piped into files or `gh`). */
function write(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', () => resolve());
  });
}
