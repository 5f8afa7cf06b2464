import * as fs from 'fs';
import { readTree } from './read-tree';

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

/** True when the committed tree is exactly the fresh synth. */
export function isFresh(f: DistFreshness): boolean {
  return f.present && f.edited.length === 0 && f.missing.length === 0 && f.extra.length === 0;
}

/**
 * Compares the committed tree `committedDir` with a fresh synth `freshDir` of the same revision,
 * file by file and byte by byte (the synth is deterministic, and Argo CD syncs exactly the
 * committed bytes). Only the files a tree holds (YAML/JSON manifests) count.
 */
export function checkDistFreshness(committedDir: string, freshDir: string, revision: string, label = committedDir): DistFreshness {
  const fresh = readTree(freshDir);
  if (!fs.existsSync(committedDir)) return { revision, dir: label, present: false, edited: [], missing: [...fresh.keys()].sort(), extra: [] };
  const committed = readTree(committedDir);
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
