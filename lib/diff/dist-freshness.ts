import * as fs from 'fs';
import * as path from 'path';
import { readFolderFile, scanFolder } from '../core/read-folder';
import { DiffInputError } from './diff-input-error';

/** How a committed tree (`dist/`) differs from a fresh synth of the same revision. */
export interface DistFreshness {
  /** Which revision: `the working tree`, `main (1a2b3c4d5e6f)`. */
  readonly revision: string;
  /** The committed folder, as given. */
  readonly dir: string;
  /** False when the revision has no such folder at all. */
  readonly present: boolean;
  /** Files whose committed text is not what the synth writes: edited by hand, or not re-synthesized. */
  readonly edited: readonly string[];
  /** Files the synth writes that are not committed. */
  readonly missing: readonly string[];
  /** Committed files the synth does not write (left over, or added by hand). */
  readonly extra: readonly string[];
}

/**
 * Every file below `dir` (hidden folders and node_modules skipped, links out of the tree refused,
 * as `ocpkit diff` reads trees): manifests and the synth's other artifacts (runbooks, externals).
 */
function readAll(dir: string): Map<string, string> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new DiffInputError(`${dir} is not a folder`);
  // files with an extension (.yaml, .json, .md): folders of a synthesized tree have none
  const scan = scanFolder(dir, /\.[A-Za-z0-9]+$/);
  const problems = scan.problems.map((p) => `${path.join(dir, p.rel)}: ${p.message}`);
  const out = new Map<string, string>();
  for (const f of scan.files) {
    const read = readFolderFile(f);
    if ('problem' in read) problems.push(`${path.join(dir, read.problem.rel)}: ${read.problem.message}`);
    else out.set(f.rel, read.text);
  }
  if (problems.length) throw new DiffInputError(`cannot check ${dir} against a fresh synth: ${problems.slice(0, 5).join('; ')}`);
  return out;
}

/** True when the committed tree is exactly the fresh synth. */
export function isFresh(f: DistFreshness): boolean {
  return f.present && f.edited.length === 0 && f.missing.length === 0 && f.extra.length === 0;
}

/**
 * Compares the committed tree `committedDir` with a fresh synth `freshDir` of the same revision,
 * file by file and byte by byte (the synth is deterministic, and Argo CD syncs exactly the
 * committed bytes). Every file counts: manifests and the synth's other artifacts (runbooks).
 */
export function checkDistFreshness(committedDir: string, freshDir: string, revision: string, label = committedDir): DistFreshness {
  const fresh = readAll(freshDir);
  if (!fs.existsSync(committedDir)) return { revision, dir: label, present: false, edited: [], missing: [...fresh.keys()].sort(), extra: [] };
  const committed = readAll(committedDir);
  const edited: string[] = [];
  const missing: string[] = [];
  for (const [rel, text] of fresh) {
    const c = committed.get(rel);
    if (c === undefined) missing.push(rel);
    else if (c !== text) edited.push(rel);
  }
  const extra = [...committed.keys()].filter((rel) => !fresh.has(rel));
  return { revision, dir: label, present: true, edited: edited.sort(), missing: missing.sort(), extra: extra.sort() };
}

function list(files: readonly string[], max = 10): string {
  return files.length > max ? `${files.slice(0, max).join(', ')}, and ${files.length - max} more` : files.join(', ');
}

/** One line for the reader: fresh, or what differs and how to fix it. */
export function describeFreshness(f: DistFreshness): string {
  if (!f.present) return `${f.dir}/ of ${f.revision} is missing: commit the output of \`ocpkit synth\` (Argo CD syncs the committed tree)`;
  if (isFresh(f)) return `${f.dir}/ of ${f.revision} is exactly a fresh synth`;
  const parts: string[] = [];
  if (f.edited.length) parts.push(`${f.edited.length} file(s) differ from the synth (edited by hand or not re-synthesized): ${list(f.edited)}`);
  if (f.missing.length) parts.push(`${f.missing.length} file(s) not committed: ${list(f.missing)}`);
  if (f.extra.length) parts.push(`${f.extra.length} committed file(s) the synth does not write: ${list(f.extra)}`);
  return `${f.dir}/ of ${f.revision} is NOT what its sources synthesize (Argo CD syncs the committed tree): ${parts.join('; ')}; run \`ocpkit synth\` and commit the result`;
}
