import * as path from 'path';
import { OcpkitError } from '../core/errors';
import { Cluster } from '../gitops/cluster';
import { synthesize } from '../synth/synthesizer';
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
  const started = Date.now();
  const clusters = loadStack(positional[0]);
  const result = synthesize(clusters);
  writeTree(result.files, outdir);
  const envs = clusters.map((c) => c.environment).join(', ');
  process.stdout.write(`ocpkit synth: ${result.objects.length} objects in ${result.files.size} files for ${envs} -> ${outdir}/ (${Date.now() - started} ms)\n`);
  return 0;
}

/** Loads a stack module and calls its `build()` export. */
export function loadStack(file: string): Cluster[] {
  const abs = path.resolve(file);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(abs);
  const build = mod.build ?? mod.default;
  if (typeof build !== 'function') {
    throw new OcpkitError([{ path: file, field: 'build', message: 'the stack module must export a function `build(): Cluster | Cluster[]`' }]);
  }
  const out = build();
  const list: unknown[] = Array.isArray(out) ? out : [out];
  if (list.length === 0 || !list.every((c) => c instanceof Cluster)) {
    throw new OcpkitError([{ path: file, field: 'build', message: 'build() must return a Cluster or a list of Clusters' }]);
  }
  return list as Cluster[];
}
