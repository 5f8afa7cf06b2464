import * as fs from 'fs';
import * as path from 'path';
import { OcpkitError } from '../core/errors';
import { Cluster } from '../gitops/cluster';
import { UsageError } from './main';

/** Loads a stack module and calls its `build()` export. */
export function loadStack(file: string): Cluster[] {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) {
    throw new UsageError(`stack module ${file} does not exist; give the TypeScript file that exports build(), e.g. apps/community/main.ts`);
  }
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
