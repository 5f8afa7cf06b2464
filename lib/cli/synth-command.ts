import { OcpkitError } from '../core/errors';
import { synthesize } from '../pipeline-defaults';
import { loadStack } from './load-stack';
import { checkOutputFolder, hasInterruptedWrites, OutputInterruptedError, OutputLockedError, OutputRefusedError, OutputWriteError, recoverOutput, WriteReport, writeTreeInterruptibly } from '../synth/write-tree';
import { parseArgs, UsageError } from './main';

/**
 * `ocpkit synth APP.ts [--out DIR]`: loads the stack module, which must export
 * `build(): Cluster | Cluster[]`, synthesizes every cluster (one folder per environment) and
 * replaces DIR only when everything validated.
 */
export const SYNTH_HELP = `usage: ocpkit synth APP.ts [--out DIR]

Loads the stack module APP.ts (it exports build(): Cluster | Cluster[]), synthesizes every cluster
(one folder per environment: Argo CD Applications, externals.yaml, runbooks) with schema
validation, policies and reference resolution, and replaces DIR (default dist) only when all of it
passed; a failed synth leaves DIR as it was. Exit codes: 0 written, 2 usage or input error (one line
per problem), 4 internal error.
`;

export async function synthCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(SYNTH_HELP);
    return 0;
  }
  const { positional, options } = parseArgs(args, ['out']);
  if (positional.length !== 1) throw new UsageError('synth takes exactly one stack module, e.g. `ocpkit synth apps/community/main.ts`');
  const outdir = typeof options.out === 'string' ? options.out : 'dist';
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
  const started = Date.now();
  const clusters = loadStack(positional[0]);
  const result = synthesize(clusters);
  let report: WriteReport;
  try {
    report = await writeTreeInterruptibly(result.files, outdir);
  } catch (e) {
    if (e instanceof OutputRefusedError || e instanceof OutputLockedError) throw new UsageError(e.message);
    if (e instanceof OutputInterruptedError) {
      const state = e.restored ? 'the previous contents are unchanged' : `the previous contents could not be fully restored; the next \`ocpkit synth\` to ${outdir} restores them from ${e.staging}`;
      process.stderr.write(`ocpkit synth: interrupted by ${e.signal} while writing ${outdir}; ${state}\n`);
      return signalExit(e.signal);
    }
    if (e instanceof OutputWriteError) {
      const state = e.restored ? 'the previous contents are unchanged' : `the previous contents could not be fully restored; the next \`ocpkit synth\` to ${outdir} restores them${e.staging ? ` from ${e.staging}` : ''}`;
      throw new OcpkitError([{ path: outdir, field: '--out', message: `cannot write the output there (${e.message}); ${state}` }]);
    }
    throw e;
  }
  if (report.recovered) process.stderr.write(`ocpkit synth: recovered ${outdir}: ${report.recovered}\n`);
  const envs = clusters.map((c) => c.outputFolder).join(', ');
  process.stdout.write(`ocpkit synth: ${result.objects.length} objects in ${result.files.size} files for ${envs} -> ${outdir}/ (${report.written} written, ${report.removed} removed; ${Date.now() - started} ms)\n`);
  if (report.interruptedAfterCommit) {
    process.stderr.write(`ocpkit synth: interrupted by ${report.interruptedAfterCommit} after ${outdir} was complete\n`);
    return signalExit(report.interruptedAfterCommit);
  }
  return 0;
}

/** Exit code of a process stopped by a signal, as shells report it: 128 + signal number. */
function signalExit(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : signal === 'SIGHUP' ? 129 : 1;
}
