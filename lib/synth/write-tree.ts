import * as fs from 'fs';
import * as path from 'path';

/**
 * Replaces `outdir` with exactly the given files, atomically from the reader's point of view:
 * everything is written to a sibling temporary folder first, and only a complete tree is swapped
 * in. If writing fails, the previous `outdir` is left exactly as it was.
 */
export function writeTree(files: ReadonlyMap<string, string>, outdir: string): void {
  const target = path.resolve(outdir);
  const tmp = `${target}.tmp-${process.pid}`;
  const old = `${target}.old-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    const dirs = new Set<string>();
    for (const rel of files.keys()) dirs.add(path.dirname(path.join(tmp, rel)));
    fs.mkdirSync(tmp, { recursive: true });
    for (const d of dirs) fs.mkdirSync(d, { recursive: true });
    for (const [rel, text] of files) fs.writeFileSync(path.join(tmp, rel), text);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const hadOld = fs.existsSync(target);
  if (hadOld) fs.renameSync(target, old);
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    if (hadOld) fs.renameSync(old, target);
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  if (hadOld) fs.rmSync(old, { recursive: true, force: true });
}
