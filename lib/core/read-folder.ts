import * as fs from 'fs';
import * as path from 'path';
import { fileKind, readYamlFile, YamlInputError, YamlLimits } from './safe-yaml';

/**
 * The one folder walker of `ocpkit validate` and `ocpkit diff`. It lists the manifest files of a
 * tree without ever leaving it, blocking, or looping:
 *
 * - entries are examined with lstat semantics (the directory entry's own type), so nothing is
 *   opened to find out what it is;
 * - a symbolic link to a folder is reported and not followed: no loop and no escape is possible,
 *   and no object is read twice through two paths (ocpkit never writes links into its output);
 * - a symbolic link to a file is read only when its target, fully resolved, is a regular file
 *   inside the tree; a link that leaves the tree or dangles is reported;
 * - FIFOs, sockets and devices named like manifests are reported and never opened (opening a
 *   FIFO for reading waits for a writer forever);
 * - a folder named like a manifest (`x.yaml/`) is reported, not descended into;
 * - folders that cannot be listed are reported; hidden folders and `node_modules` are skipped.
 *
 * Every problem is one line: the path relative to the tree and what is wrong.
 */
export interface FolderProblem {
  /** Path relative to the tree root, with `/` separators. */
  readonly rel: string;
  readonly message: string;
}

/** One manifest file of a tree. */
export interface FolderFile {
  /** Path relative to the tree root, with `/` separators. */
  readonly rel: string;
  /** Path to open: below the root, or the resolved target of a symbolic link inside the tree. */
  readonly abs: string;
}

/** What {@link scanFolder} found. */
export interface FolderScan {
  /** Manifest files, sorted by relative path. */
  readonly files: readonly FolderFile[];
  /** Other regular files (not named like manifests). */
  readonly others: number;
  readonly problems: readonly FolderProblem[];
}

/** Names of the files the walker reads. */
export const MANIFEST_NAME = /\.(ya?ml|json)$/;

/**
 * Lists the manifest files below `root` (which must be a folder; a symbolic link given as the
 * root itself is followed, since the user named it).
 */
export function scanFolder(root: string, match: RegExp = MANIFEST_NAME): FolderScan {
  const files: FolderFile[] = [];
  const problems: FolderProblem[] = [];
  let others = 0;
  const realRoot = fs.realpathSync(root);
  const inside = (p: string) => p === realRoot || p.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep);
  const stack: { abs: string; rel: string }[] = [{ abs: root, rel: '' }];
  while (stack.length) {
    const { abs, rel } = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      problems.push({ rel: rel || '.', message: `cannot list this folder: ${ioReason(e)}` });
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0)); // popped in ascending order
    for (const e of entries) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      const childAbs = path.join(abs, e.name);
      const named = match.test(e.name);
      if (e.isDirectory()) {
        if (e.name.startsWith('.') || e.name === 'node_modules') continue;
        if (named) problems.push({ rel: childRel, message: 'is a folder named like a manifest file; rename it (its contents are not read)' });
        else stack.push({ abs: childAbs, rel: childRel });
      } else if (e.isFile()) {
        if (named) files.push({ rel: childRel, abs: childAbs });
        else others++;
      } else if (e.isSymbolicLink()) {
        if (e.name.startsWith('.')) continue;
        const link = symlink(childAbs, inside);
        if (link.problem) problems.push({ rel: childRel, message: link.problem });
        else if (link.target && named) files.push({ rel: childRel, abs: link.target });
        else if (link.target) others++;
      } else if (named) {
        problems.push({ rel: childRel, message: `is ${fileKindOf(e)}, not a regular file; not read` });
      }
    }
  }
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  problems.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return { files, others, problems };
}

/** A symbolic link: its resolved target when it is a regular file inside the tree, else a problem. */
function symlink(abs: string, inside: (real: string) => boolean): { target?: string; problem?: string } {
  let to = '?';
  try {
    to = fs.readlinkSync(abs);
  } catch {
    // keep '?'
  }
  const shown = JSON.stringify(to);
  let real: string;
  let st: fs.Stats;
  try {
    real = fs.realpathSync(abs);
    st = fs.statSync(real);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { problem: `is a symbolic link to ${shown} that loops; not followed` };
    if (code === 'ENOENT' || code === 'ENOTDIR') return { problem: `is a dangling symbolic link (to ${shown}); remove it or restore its target` };
    return { problem: `is a symbolic link to ${shown} that cannot be resolved: ${ioReason(e)}` };
  }
  if (st.isDirectory()) return { problem: `is a symbolic link to a folder (${shown}); ocpkit does not follow linked folders, copy the folder or point ocpkit at it` };
  if (!inside(real)) return { problem: `is a symbolic link to ${shown}, outside the tree; not read` };
  if (!st.isFile()) return { problem: `is a symbolic link to ${shown}, which is ${fileKind(st)}; not read` };
  return { target: real };
}

function fileKindOf(e: fs.Dirent): string {
  if (e.isFIFO()) return 'a named pipe';
  if (e.isSocket()) return 'a socket';
  if (e.isCharacterDevice()) return 'a character device';
  if (e.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** A short reason for a file-system error (no stack, no errno number). */
export function ioReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or folder';
    case 'EISDIR':
      return 'is a folder';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENOTDIR':
      return 'a parent is not a folder';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'EIO':
      return 'input/output error';
    default:
      return code ? `${code}` : ((e as Error)?.message ?? String(e)).split('\n')[0];
  }
}

/**
 * Reads one file of a scan with the safe YAML reader's checks (regular file, size, UTF-8, BOM).
 * Returns the text, or a one-line problem.
 */
export function readFolderFile(file: FolderFile, limits?: Partial<YamlLimits>): { text: string } | { problem: FolderProblem } {
  try {
    return { text: readYamlFile(file.abs, limits) };
  } catch (e) {
    if (e instanceof YamlInputError) return { problem: { rel: e.line === undefined ? file.rel : `${file.rel}:${e.line}`, message: e.reason } };
    return { problem: { rel: file.rel, message: `cannot be read: ${ioReason(e)}` } };
  }
}
