import * as fs from 'fs';
import { UsageError } from '../core/errors';

/**
 * The synthesized folder a command reads (its one positional argument, `dist` by default), or a
 * usage error naming the command: more than one folder, a folder that does not exist, a file.
 */
export function synthesizedFolder(command: string, positional: readonly string[], notAFolder: string): string {
  if (positional.length > 1) throw new UsageError(`${command} takes at most one folder, e.g. \`ocpkit ${command} --env production dist\``);
  const dir = positional[0] ?? 'dist';
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new UsageError(`${dir} does not exist; run \`ocpkit synth\` first or name the synthesized folder`);
  }
  if (!st.isDirectory()) throw new UsageError(`${dir} is not a folder${notAFolder}`);
  return dir;
}
