import * as fs from 'fs';
import * as path from 'path';
import { OcpkitError } from '../core/errors';
import { synthesize } from '../synth/synthesizer';
import { loadStack } from './load-stack';
import { writeTree } from '../synth/write-tree';
import { parseArgs, UsageError } from './main';

/**
 * `ocpkit synth APP.ts [--out DIR]`: loads the stack module, which must export
 * `build(): Cluster | Cluster[]`, synthesizes every cluster (one folder per environment) and
 * replaces DIR only when everything validated.
 */
export async function synthCommand(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, ['out']);
  if (positional.length !== 1) throw new UsageError('synth takes exactly one stack module, e.g. `ocpkit synth apps/community/main.ts`');
  const outdir = typeof options.out === 'string' ? options.out : 'dist';
  checkOutdir(outdir);
  const started = Date.now();
  const clusters = loadStack(positional[0]);
  const result = synthesize(clusters);
  try {
    writeTree(result.files, outdir);
  } catch (e) {
    throw new OcpkitError([{ path: outdir, field: '--out', message: `cannot write the output there (${(e as Error).message}); the previous contents are unchanged` }]);
  }
  const envs = clusters.map((c) => c.environment).join(', ');
  process.stdout.write(`ocpkit synth: ${result.objects.length} objects in ${result.files.size} files for ${envs} -> ${outdir}/ (${Date.now() - started} ms)\n`);
  return 0;
}

/**
 * Refuses output folders that writeTree must not replace: an existing file, the working
 * directory or one of its parents, and Git checkouts.
 */
function checkOutdir(outdir: string): void {
  const abs = path.resolve(outdir);
  const cwd = process.cwd();
  if (fs.existsSync(abs) && !fs.statSync(abs).isDirectory()) {
    throw new UsageError(`--out ${outdir} is an existing file; give a folder (it is replaced as a whole), e.g. --out dist`);
  }
  if (abs === cwd || cwd.startsWith(`${abs}${path.sep}`) || abs === path.parse(abs).root || fs.existsSync(path.join(abs, '.git'))) {
    throw new UsageError(`--out ${outdir} would replace ${abs === cwd ? 'the working directory' : 'a folder holding the working directory or a Git checkout'}; the output folder is replaced as a whole, give a dedicated one, e.g. --out dist`);
  }
}
