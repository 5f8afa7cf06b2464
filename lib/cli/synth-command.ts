import { synthesize } from '../pipeline-defaults';
import { SynthesisResult } from '../synth/synthesizer';
import { Cluster } from '../gitops/cluster';
import { loadStack, StackError } from './load-stack';
import { checkOutputFolder, hasInterruptedWrites, OutputInterruptedError, OutputLockedError, OutputRefusedError, OutputWriteError, recoverOutput, WriteReport, writeTreeInterruptibly } from '../synth/write-tree';
import { OcpkitError, signalExitCode, UsageError } from '../core/errors';
import { isExternalsPath } from '../refs/externals-file';
import { OptionSpec, optionLines, parseCommandArgs } from './_args';
import { ownVersion } from './main';
import { startTypecheck } from './typecheck';
import { writeStdout } from './_output';

/**
 * `ocpkit synth APP.ts [--out DIR] [--stdout [--env NAME]] [--json] [--no-typecheck]`: type-checks
 * the stack module, loads it (it must export `build(): Cluster | Cluster[]`), synthesizes every
 * cluster (one folder per environment) and replaces DIR only when everything validated; or writes
 * the manifests to stdout as one YAML stream.
 */
export const SYNTH_HELP = `usage: ocpkit synth APP.ts [--out DIR] [--stdout [--env NAME]] [--json] [--no-typecheck]

Type-checks the stack module APP.ts (it exports build(): Cluster | Cluster[]), loads it and
synthesizes every cluster (one folder per environment: Argo CD Applications, externals.yaml,
runbooks) with schema validation, policies and reference resolution, then replaces DIR only when
all of it passed; a failed synth leaves DIR as it was.

options:
${optionLines([
    ['--out DIR', 'output folder (default $CDK8S_OUTDIR when set, as `cdk8s synth` passes it, else dist)'],
    ['--stdout', 'write the manifests as one multi-document YAML stream to stdout instead (nothing on disk;'],
    ['', 'externals.yaml and runbooks left out; files in the order of DIR): for an Argo CD Config'],
    ['', 'Management Plugin or `kubectl diff -f -`'],
    ['--env NAME', 'with --stdout: the environment to write (required when the stack has several)'],
    ['--json', 'print the result as one JSON object on stdout: objects, files, environments, out, written,'],
    ['', 'removed, ms; on failure {"problems":[{"path","field","message"}]} (same exit code)'],
    ['--no-typecheck', 'skip the type-check (TypeScript compiler API, tsconfig.json found upward from APP.ts;'],
    ['', 'a successful check is cached by the hash of every source file, so an unchanged stack skips it;'],
    ['', 'OCPKIT_TYPECHECK=0 does the same as --no-typecheck)'],
    ['--debug', 'print the stack trace of an unexpected error'],
  ])}

exit codes: 0 written, 1 problems found (one line per problem), 2 usage or input error (a type error,
a stack that does not load), 4 internal error, 128+N interrupted by signal N.
`;

/** What `synth --json` prints on success. */
export interface SynthJson {
  readonly objects: number;
  readonly files: number;
  readonly environments: readonly string[];
  /** The output folder; null with --stdout. */
  readonly out: string | null;
  readonly written: number;
  readonly removed: number;
  readonly ms: number;
  /** The type-check: skipped, cached (no compiler run) or checked, with its milliseconds. */
  readonly typecheck: { readonly status: 'skipped' | 'cached' | 'checked'; readonly ms: number };
}

const SYNTH_OPTIONS: OptionSpec = {
  'out': { type: 'string' },
  'env': { type: 'string' },
  'stdout': { type: 'boolean' },
  'json': { type: 'boolean' },
  'no-typecheck': { type: 'boolean' },
};

export async function synthCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(SYNTH_HELP);
    return 0;
  }
  const { positional, options } = parseCommandArgs('ocpkit synth', args, SYNTH_OPTIONS);
  // --json: on failure, main() writes the problems on stdout as one JSON object (for every command)
  return synth(positional, options, options.json === true);
}

async function synth(positional: string[], options: Record<string, string | true>, json: boolean): Promise<number> {
  if (positional.length !== 1) throw new UsageError('synth takes exactly one stack module, e.g. `ocpkit synth apps/community/main.ts`');
  const toStdout = options.stdout === true;
  const env = typeof options.env === 'string' ? options.env : undefined;
  if (toStdout && options.out !== undefined) throw new UsageError('--stdout writes nothing on disk; give --stdout or --out, not both');
  if (toStdout && json) throw new UsageError('--stdout writes YAML on stdout; give --stdout or --json, not both');
  if (env !== undefined && !toStdout) throw new UsageError('--env only applies with --stdout (synth to a folder writes every environment)');
  const started = Date.now();
  const skipCheck = options['no-typecheck'] === true || process.env.OCPKIT_TYPECHECK === '0';
  if (toStdout) return synthToStdout(positional[0], env, skipCheck);
  // `cdk8s synth` runs cdk8s.yaml's `app` command with CDK8S_OUTDIR set to its output folder
  // (cdk8s-cli 2.207.60, lib/util.js synthApp), and cdk8s' App defaults its outdir to it too
  // (cdk8s 2.70, lib/app.js): an explicit --out wins, as it does over cdk8s' own default.
  const outdir = typeof options.out === 'string' ? options.out : process.env.CDK8S_OUTDIR || 'dist';
  let refusal = checkOutputFolder(outdir);
  if (refusal && hasInterruptedWrites(outdir)) {
    // the pre-check does not trust staging folders: recovery examines them (under the lock) and
    // undoes only the interrupted writes it can verify; then the folder is checked again
    let note: string | undefined;
    try {
      note = recoverOutput(outdir);
    } catch (e) {
      if (e instanceof OutputRefusedError || e instanceof OutputLockedError) throw new UsageError(e.message);
      if (e instanceof OutputWriteError) throw new OcpkitError([{ path: outdir, field: '--out', message: `cannot recover the output folder (${e.message})` }]);
      throw e;
    }
    refusal = checkOutputFolder(outdir);
    if (note && refusal) refusal = `${note}; ${refusal}`;
    else if (note) process.stderr.write(`ocpkit synth: recovered ${outdir}: ${note}\n`);
  }
  if (refusal) throw new UsageError(refusal);
  const { clusters, result, typecheck } = await (json ? consoleToStderr(() => checkedSynth(positional[0], skipCheck)) : checkedSynth(positional[0], skipCheck));
  let report: WriteReport;
  try {
    report = await writeTreeInterruptibly(result.files, outdir);
  } catch (e) {
    if (e instanceof OutputRefusedError || e instanceof OutputLockedError) throw new UsageError(e.message);
    if (e instanceof OutputInterruptedError) {
      const state = e.restored ? 'the previous contents are unchanged' : `the previous contents could not be fully restored; the next \`ocpkit synth\` to ${outdir} restores them from ${e.staging}`;
      process.stderr.write(`ocpkit synth: interrupted by ${e.signal} while writing ${outdir}; ${state}\n`);
      return e.exitCode;
    }
    if (e instanceof OutputWriteError) {
      const state = e.restored ? 'the previous contents are unchanged' : `the previous contents could not be fully restored; the next \`ocpkit synth\` to ${outdir} restores them${e.staging ? ` from ${e.staging}` : ''}`;
      throw new OcpkitError([{ path: outdir, field: '--out', message: `cannot write the output there (${e.message}); ${state}` }]);
    }
    throw e;
  }
  if (report.recovered) process.stderr.write(`ocpkit synth: recovered ${outdir}: ${report.recovered}\n`);
  const envs = clusters.map((c) => c.outputFolder);
  if (json) {
    const out: SynthJson = { objects: result.objects.length, files: result.files.size, environments: envs, out: outdir, written: report.written, removed: report.removed, ms: Date.now() - started, typecheck };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    process.stdout.write(`ocpkit synth: ${result.objects.length} objects in ${result.files.size} files for ${envs.join(', ')} -> ${outdir}/ (${report.written} written, ${report.removed} removed; ${Date.now() - started} ms)\n`);
  }
  if (report.interruptedAfterCommit) {
    process.stderr.write(`ocpkit synth: interrupted by ${report.interruptedAfterCommit} after ${outdir} was complete\n`);
    return signalExitCode(report.interruptedAfterCommit);
  }
  return 0;
}

/**
 * Runs `fn` with console.log/info/debug written to stderr: with --stdout or --json, stdout is the
 * machine's (a YAML stream an Argo CD plugin reads, one JSON object), and a `console.log` in the
 * user's stack must not corrupt it.
 */
export async function consoleToStderr<T>(fn: () => Promise<T>): Promise<T> {
  const saved = { log: console.log, info: console.info, debug: console.debug };
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  try {
    return await fn();
  } finally {
    console.log = saved.log;
    console.info = saved.info;
    console.debug = saved.debug;
  }
}

/**
 * Synthesizes with the verdict store, then tells ocpkit's loader (bin/run-ts.js, when it runs this
 * process) that this process synthesized: the V8 code caches it writes at exit then hold the
 * functions a synth runs, not only those a shorter command ran (see FULL_RUN there). Not after a
 * synth that failed: it may have stopped early.
 */
function synthesizeMarked(clusters: Cluster[]): SynthesisResult {
  const result = synthesize(clusters, { verdictCache: true });
  const mark = (globalThis as Record<symbol, unknown>)[Symbol.for('ocpkit.run-ts.full-run')];
  if (typeof mark === 'function') mark();
  return result;
}

/** How the type-check went, for `synth --json`. */
type TypeCheckSummary = SynthJson['typecheck'];

/**
 * Loads the stack, picks its clusters and synthesizes them while the stack is type-checked
 * (unless `skip`) in a worker thread (a cache hit needs none): a miss costs about the longer of
 * the check and the synth, not their sum. A stack that does not load at all (a syntax error, a
 * missing import, an exception while loading: a StackError) is reported as such, without waiting
 * for the check. When `build()` or the synth fails with problems, the type errors, if any, are
 * reported instead: a misspelt prop (`quotaa`) is the likelier cause of a missing value. A type
 * error fails the synth before anything is written (exit 2).
 */
async function checkedSynth(stack: string, skip: boolean, pick: (clusters: Cluster[]) => Cluster[] = (c) => c): Promise<{ clusters: Cluster[]; result: SynthesisResult; typecheck: TypeCheckSummary }> {
  if (skip) {
    const clusters = pick(loadStack(stack));
    return { clusters, result: synthesizeMarked(clusters), typecheck: { status: 'skipped', ms: 0 } };
  }
  const check = startTypecheck(stack, { ocpkitVersion: ownVersion() });
  let clusters: Cluster[];
  try {
    clusters = pick(loadStack(stack));
  } catch (e) {
    if (e instanceof StackError || e instanceof UsageError) {
      check.cancel();
      throw e;
    }
    await check.result;
    throw e;
  }
  let result: SynthesisResult;
  try {
    result = synthesizeMarked(clusters);
  } catch (e) {
    await check.result;
    throw e;
  }
  const r = await check.result;
  return { clusters, result, typecheck: { status: r.cached ? 'cached' : 'checked', ms: r.ms } };
}

/**
 * `synth --stdout`: the manifests of one environment (the only one, or `--env`) as one
 * multi-document YAML stream, in the order of the files `synth --out` writes; externals.yaml and
 * the runbooks (Markdown) are left out, as no Argo CD Application syncs them. Only the stream goes
 * to stdout.
 */
async function synthToStdout(stack: string, env: string | undefined, skipCheck: boolean): Promise<number> {
  const { clusters: picked, result } = await consoleToStderr(() => checkedSynth(stack, skipCheck, (clusters) => {
    const names = clusters.map((c) => c.outputFolder);
    if (env === undefined && clusters.length > 1) throw new UsageError(`the stack has ${clusters.length} environments (${names.join(', ')}); pick one with --env NAME`);
    if (env !== undefined && !names.includes(env)) throw new UsageError(`--env ${JSON.stringify(env)} is not an environment of the stack; environments: ${names.join(', ')}`);
    return env === undefined ? clusters : clusters.filter((c) => c.outputFolder === env);
  }));
  const docs: string[] = [];
  for (const [rel, text] of result.files) {
    if (!rel.endsWith('.yaml') || isExternalsPath(rel)) continue;
    docs.push(text.endsWith('\n') ? text : `${text}\n`);
  }
  await writeStdout(docs.map((d) => `---\n${d}`).join(''));
  process.stderr.write(`ocpkit synth: ${docs.length} manifest files of ${picked.map((c) => c.outputFolder).join(', ')} -> stdout\n`);
  return 0;
}

