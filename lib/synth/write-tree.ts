import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OneLineError, signalExitCode } from '../core/errors';
import { processAlive } from '../core/process-alive';
import { containedFile } from './_object-names';

/**
 * Writing an output folder (`--out`) without ever destroying anything ocpkit did not write.
 *
 * **Ownership.** Every output carries a marker file at its root, `OUTPUT_MARKER`, listing
 * the files ocpkit wrote (deterministic: no time stamps, since dist/ is committed and CI checks
 * it is fresh). A folder is replaced only when it is absent, empty, or an ocpkit output whose
 * every file is listed in its marker; anything else (a home folder, `apps/`, a Git checkout, the
 * working directory or a parent of it, a symbolic link, a file, a marker folder with one unknown
 * file) is refused before anything is touched. A folder without the marker that is not empty is
 * refused too, whatever it looks like (an output of an ocpkit older than the marker has to be
 * deleted or moved away once). The marker is honoured only when it is a regular file of this
 * user's, and it may list only plain relative paths inside the folder; ocpkit deletes only files
 * it finds in the folder (never following links) that the marker lists.
 *
 * **The swap.** Node has no `renameat2(RENAME_EXCHANGE)`, and renaming the old folder away and
 * the new one into place leaves a moment (and, after a crash, an unbounded time) in which `--out`
 * is missing. Instead `--out` stays in place and is updated file by file, as a transaction:
 *
 * 1. the changed and added files (only those: unchanged files are not rewritten) are written to
 *    a sibling staging folder `<out>.ocpkit-tmp-<pid>-<random>/new`;
 * 2. a journal (`journal.json`, written atomically) lists the files to add, change and remove and
 *    the folders that may be created; from here on the transaction is rolled back on failure;
 * 3. removed files are moved to `<staging>/old`; changed files are hard-linked there, then the
 *    new version is renamed over them (each file is always either complete-old or complete-new,
 *    never missing or half written); added files are renamed into place; the marker comes last;
 * 4. deleting the journal is the commit point; then the staging folder is removed.
 *
 * A failure or signal before the commit undoes every step from the journal and the backups, so
 * "the previous contents are unchanged" is true. After a crash (SIGKILL, power aside: nothing is
 * fsynced) at any point, the next write finds the staging folder of the dead run, rolls it back
 * the same way (or, past the commit, just removes it) and reports what it did in one line.
 *
 * **Leftovers are not trusted.** A staging folder is found by its name only, so anyone who can
 * create a file next to `--out` can plant one. It is acted upon only when the folder, its `new/`
 * and `old/` folders and its journal are this user's and not writable by group or others (ocpkit
 * creates them with modes 700/600), nothing in it is a symbolic link, the journal names this very
 * `--out`, every path it lists is a plain relative path inside `--out` whose existing parent
 * folders are real folders (not links), every backup it would restore is a regular file of this
 * user's inside the staging folder, and `--out` holds nothing but an ocpkit output plus the files
 * the journal added. A "fresh" journal (the run created `--out`) removes `--out` only when it holds
 * exactly the files that run wrote, listed by its marker. Anything else is reported in one line
 * and left untouched: neither applied nor deleted.
 *
 * **Concurrency.** A lock file `<out>.ocpkit-lock` holding the writer's pid is created atomically
 * (link of a complete file, so it is never seen empty); a second writer is refused naming the
 * holder. A lock whose pid is dead is stale: it is moved aside and re-checked before removal, so
 * two runs breaking the same stale lock cannot both win.
 *
 * **Signals.** {@link writeTreeInterruptibly} (used by `ocpkit synth`) handles SIGINT, SIGTERM and
 * SIGHUP (a closed terminal) while it runs: the transaction stops at its next step, is rolled
 * back, the lock is released and the caller exits with 130/143/129. The synchronous {@link writeTree} has no signal handling (a
 * signal kills the process; the next write recovers).
 *
 * **Test hook** (tests only): `OCPKIT_TEST_WRITE_HOOK=<phase>:<fail|pause>[,...]` makes the
 * writer throw an injected error, or (in writeTreeInterruptibly only) print
 * `ocpkit-test: paused at <phase>` to stderr and wait up to 30 s or until a signal, after the
 * phase. Phases: locked, staged, journaled, removed, half, applied, committed; `rollback:fail`
 * makes the rollback itself fail.
 */

/** Name of the marker file at the root of every ocpkit output. */
export const OUTPUT_MARKER = '.ocpkit-output';
const MARKER_FORMAT = 1;
const TMP_INFIX = '.ocpkit-tmp-';
const LOCK_SUFFIX = '.ocpkit-lock';
const JOURNAL = 'journal.json';

/** `--out` may not be replaced; nothing was touched. One line. */
export class OutputRefusedError extends OneLineError {
  public override readonly exitCode: number = 2;

  constructor(message: string) {
    super(message, '--out');
    this.name = 'OutputRefusedError';
  }
}

/** Another writer holds the lock of `--out`; nothing was touched. */
export class OutputLockedError extends OneLineError {
  public override readonly exitCode: number = 2;

  constructor(message: string, public readonly holder: number) {
    super(message, '--out');
    this.name = 'OutputLockedError';
  }
}

/** Writing failed. `restored` is true only when `--out` is exactly as before. */
export class OutputWriteError extends OneLineError {
  public override readonly exitCode: number = 1;

  constructor(message: string, public readonly restored: boolean, public readonly staging?: string) {
    super(message, '--out');
    this.name = 'OutputWriteError';
  }
}

/** SIGINT/SIGTERM/SIGHUP arrived before the commit; the write was undone (when `restored`). */
export class OutputInterruptedError extends OneLineError {
  /** 128 + the signal number, as shells report it. */
  public override readonly exitCode: number;

  constructor(public readonly signal: NodeJS.Signals, public readonly restored: boolean, public readonly staging?: string) {
    super(`interrupted by ${signal}`);
    this.name = 'OutputInterruptedError';
    this.exitCode = signalExitCode(signal);
  }
}

/** What a write did. */
export interface WriteReport {
  /** Files written (added or changed, the marker included). */
  readonly written: number;
  /** Files of the previous output that were removed. */
  readonly removed: number;
  /** Files left alone because their content did not change. */
  readonly unchanged: number;
  /** One line on what was recovered from interrupted earlier runs (stale lock, staging folders), if anything. */
  readonly recovered?: string;
  /** A signal that arrived after the commit point (the new output is complete). */
  readonly interruptedAfterCommit?: NodeJS.Signals;
}

type Phase = 'locked' | 'staged' | 'journaled' | 'removed' | 'half' | 'applied' | 'committed';
/** Phases at which an interruption still rolls back. */
const BEFORE_COMMIT: ReadonlySet<Phase> = new Set(['locked', 'staged', 'journaled', 'removed', 'half', 'applied']);

interface Journal {
  readonly format: number;
  readonly out: string;
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
  /** Folders that did not exist (as folders) when the write was planned, deepest first. */
  readonly dirs: string[];
  /** `--out` did not exist: the staged tree is renamed into place as a whole. */
  readonly fresh?: boolean;
}

class Interrupted extends Error {
  constructor(public readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

/** Text of the marker file for an output holding `files` (sorted, deterministic). */
export function markerText(files: Iterable<string>): string {
  const list = [...files].sort();
  return [
    '# Written by ocpkit: this folder is an ocpkit output and is replaced as a whole by the next synth.',
    '# ocpkit only deletes the files listed here, and refuses to replace the folder if it holds any other file.',
    `format: ${MARKER_FORMAT}`,
    'tool: ocpkit',
    'files:',
    ...list.map((f) => `- ${f}`),
    '',
  ].join('\n');
}

/** Files listed in a marker, or a reason why it is not one ocpkit can read. */
function parseMarker(text: string): Set<string> | string {
  const lines = text.split('\n');
  if (!lines.includes('tool: ocpkit')) return 'it does not say `tool: ocpkit`';
  const format = lines.find((l) => l.startsWith('format: '));
  if (format !== `format: ${MARKER_FORMAT}`) return `its ${format ?? 'format line is missing'}; this ocpkit reads format ${MARKER_FORMAT}`;
  const start = lines.indexOf('files:');
  if (start < 0) return 'it has no `files:` list';
  const files = new Set<string>();
  for (const l of lines.slice(start + 1)) {
    if (l === '') continue;
    if (!l.startsWith('- ')) return `unexpected line ${JSON.stringify(l.slice(0, 60))}`;
    const rel = l.slice(2);
    if (!isPlainRelative(rel)) return `it lists ${JSON.stringify(rel.slice(0, 60))}, which is not a plain relative path inside the folder`;
    files.add(rel);
  }
  return files;
}

/** A relative POSIX path that stays inside the folder: no absolute path, empty, `.` or `..` segment, NUL, backslash or line break. */
function isPlainRelative(rel: string): boolean {
  return typeof rel === 'string' && rel !== '' && !/[\0\n\r\\]/.test(rel) && containedFile(rel) === rel;
}

/** Why `p` is not a folder (or regular file) of this user's that others cannot write to, or undefined. Never follows a link. */
function notOwned(p: string, want: 'folder' | 'file', modeMatters = true): string | undefined {
  const st = lstat(p);
  if (!st) return `${path.basename(p)} is missing`;
  if (want === 'folder' ? !st.isDirectory() : !st.isFile()) return `${p} is ${typeName(st)}, not ${want === 'folder' ? 'a folder' : 'a regular file'}`;
  const uid = process.getuid?.();
  if (uid === undefined) return undefined; // no POSIX owners (Windows)
  if (st.uid !== uid) return `${p} belongs to uid ${st.uid}, not to this user (uid ${uid})`;
  if (modeMatters && st.mode & 0o022) return `${p} is writable by ${st.mode & 0o002 ? 'every user' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)})`;
  return undefined;
}

/** The files the marker of `abs` lists, or why it is not a marker ocpkit honours (a regular file of this user's it can read). */
function readMarker(abs: string): Set<string> | string {
  const file = path.join(abs, OUTPUT_MARKER);
  const foreign = notOwned(file, 'file', false);
  if (foreign) return foreign;
  return parseMarker(readNoFollow(file));
}

/** Reads a file without following a symbolic link in its last component. */
function readNoFollow(file: string): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
  try {
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function errorCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException)?.code;
}

function describe(e: unknown): string {
  const message = (e as Error)?.message;
  return typeof message === 'string' ? message.split('\n')[0] : String(e);
}

function lstat(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (e) {
    if (errorCode(e) === 'ENOENT' || errorCode(e) === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** The path with its existing part resolved through symbolic links (the rest appended). */
function realish(abs: string): string {
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(head), ...tail);
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return abs;
      tail.unshift(path.basename(head));
      head = parent;
    }
  }
}

function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : `${parent}${path.sep}`);
}

function typeName(st: fs.Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isDirectory()) return 'a folder';
  return 'a file';
}

/** Refusals that depend on the path alone (no folder contents read). */
function pathRefusal(abs: string, outdir: string): string | undefined {
  const st = lstat(abs);
  const nothing = 'nothing was changed';
  if (st?.isSymbolicLink()) {
    let target = '?';
    try {
      target = fs.readlinkSync(abs);
    } catch {
      // unreadable link: say so with "?"
    }
    return `--out ${outdir} is a symbolic link to ${target}; ocpkit does not write through links, give the real folder or a new one (e.g. --out dist); ${nothing}`;
  }
  if (st && st.isFile()) return `--out ${outdir} is an existing file; give a folder (ocpkit replaces only a folder it wrote itself), e.g. --out dist; ${nothing}`;
  if (st && !st.isDirectory()) return `--out ${outdir} is ${typeName(st)}, not a folder; give a folder, e.g. --out dist; ${nothing}`;
  const real = realish(abs);
  const cwd = realish(process.cwd());
  if (real === path.parse(real).root) return `--out ${outdir} is the root folder; give a dedicated folder, e.g. --out dist; ${nothing}`;
  if (real === cwd) return `--out ${outdir} would replace the working directory; give a dedicated folder, e.g. --out dist; ${nothing}`;
  if (isInside(cwd, real)) return `--out ${outdir} would replace a folder holding the working directory; give a dedicated folder, e.g. --out dist; ${nothing}`;
  const home = realish(os.homedir());
  if (real === home) return `--out ${outdir} is your home folder; give a dedicated folder, e.g. --out dist; ${nothing}`;
  if (isInside(home, real)) return `--out ${outdir} would replace a folder holding your home folder; give a dedicated folder, e.g. --out dist; ${nothing}`;
  if (st && lstat(path.join(abs, '.git'))) return `--out ${outdir} is a Git checkout (it has .git); give a dedicated folder, e.g. --out dist; ${nothing}`;
  return undefined;
}

/** Every entry below `dir`, sorted, as relative POSIX paths with their lstat type. */
function walk(dir: string): { files: string[]; others: Array<{ rel: string; what: string }> } {
  const files: string[] = [];
  const others: Array<{ rel: string; what: string }> = [];
  const visit = (abs: string, rel: string) => {
    const entries = fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) visit(path.join(abs, e.name), r);
      else if (e.isFile()) files.push(r);
      else others.push({ rel: r, what: e.isSymbolicLink() ? 'a symbolic link' : e.isFIFO() ? 'a FIFO' : e.isSocket() ? 'a socket' : 'a device' });
    }
  };
  visit(dir, '');
  return { files, others };
}

interface Inspection {
  /** Files ocpkit wrote that are there now (relative paths), the marker excluded. */
  readonly present: string[];
}

/** Whether `abs` may be replaced: its current ocpkit files, or a one-line refusal. */
function inspect(abs: string, outdir: string): Inspection | string {
  const refusal = pathRefusal(abs, outdir);
  if (refusal) return refusal;
  if (!lstat(abs)) return { present: [] };
  const { files, others } = walk(abs);
  const notOurs = (rel: string, what = 'which ocpkit did not write') =>
    `--out ${outdir} holds ${rel}, ${what}; ocpkit replaces only an empty folder or its own output, so give another folder (or move ${rel} away); nothing was changed`;
  if (others.length) return notOurs(others[0].rel, `${others[0].what} ocpkit did not write`);
  if (files.length === 0) return { present: [] };
  if (files.includes(OUTPUT_MARKER)) {
    const listed = readMarker(abs);
    if (typeof listed === 'string') return `--out ${outdir} has a ${OUTPUT_MARKER} that this ocpkit cannot honour (${listed}); nothing was changed`;
    const unknown = files.find((f) => f !== OUTPUT_MARKER && !listed.has(f));
    if (unknown) return notOurs(unknown, `which ocpkit did not write (it is not listed in ${OUTPUT_MARKER})`);
    return { present: files.filter((f) => f !== OUTPUT_MARKER) };
  }
  // No marker: whatever the files look like, they are not known to be ocpkit's.
  return `--out ${outdir} holds ${files[0]}, which ocpkit did not write (there is no ${OUTPUT_MARKER}); if it is an output of an older ocpkit, delete it or move it away first, otherwise give another folder; nothing was changed`;
}

/**
 * Why `outdir` may not be replaced by an ocpkit output (one line), or undefined when it may.
 * Reads only; used by `ocpkit synth` before synthesizing. Staging folders next to it are not
 * trusted here: a folder left mixed by an interrupted run is refused until {@link recoverOutput}
 * (see {@link hasInterruptedWrites}) has checked and undone that run.
 */
export function checkOutputFolder(outdir: string): string | undefined {
  const abs = path.resolve(outdir);
  try {
    const r = inspect(abs, outdir);
    return typeof r === 'string' ? r : undefined;
  } catch (e) {
    return `--out ${outdir} cannot be read (${describe(e)}); nothing was changed`;
  }
}

/** Whether staging folders of (possibly) interrupted writes lie next to `outdir`, for {@link recoverOutput} to examine. */
export function hasInterruptedWrites(outdir: string): boolean {
  const abs = path.resolve(outdir);
  return !pathRefusal(abs, outdir) && stagingFolders(abs).length > 0;
}

function validateKeys(files: ReadonlyMap<string, string>): void {
  const folded = new Map<string, string>();
  for (const rel of files.keys()) {
    if (!isPlainRelative(rel) || rel === OUTPUT_MARKER) {
      throw new OutputWriteError(`file name ${JSON.stringify(rel)} is not a plain relative path inside the output`, true);
    }
    const lower = rel.toLowerCase();
    const twin = folded.get(lower);
    if (twin) throw new OutputWriteError(`files ${twin} and ${rel} differ only in letter case; one would overwrite the other on case-insensitive file systems`, true);
    folded.set(lower, rel);
  }
}

function readPid(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : NaN;
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}

const random = () => crypto.randomBytes(4).toString('hex');

/** Takes the lock of `abs`; returns the lock path and a note when a stale lock was removed. */
function acquireLock(abs: string, outdir: string): { lock: string; note?: string } {
  const lock = `${abs}${LOCK_SUFFIX}`;
  const mine = `${lock}.${process.pid}-${random()}`;
  let note: string | undefined;
  fs.writeFileSync(mine, `${process.pid}\n`);
  try {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        fs.linkSync(mine, lock); // atomic, fails when the lock exists; the lock is never seen empty
        return { lock, note };
      } catch (e) {
        if (errorCode(e) !== 'EEXIST') throw e;
      }
      const holder = readPid(lock);
      if (holder === undefined) continue; // released meanwhile
      const locked = (pid: number) => new OutputLockedError(`--out ${outdir} is being written by another ocpkit (pid ${pid}); wait for it to finish, or delete ${lock} if no such process runs; nothing was changed`, pid);
      if (processAlive(holder)) throw locked(holder);
      // Stale: move it aside, then make sure what we moved is the dead lock and not a fresh one.
      const aside = `${lock}.stale-${process.pid}-${random()}`;
      try {
        fs.renameSync(lock, aside);
      } catch (e) {
        if (errorCode(e) === 'ENOENT') continue;
        throw e;
      }
      const moved = readPid(aside);
      if (moved !== undefined && processAlive(moved)) {
        try {
          fs.linkSync(aside, lock);
        } catch {
          // someone else holds it now; they will be refused or refuse us either way
        }
        fs.rmSync(aside, { force: true });
        throw locked(moved);
      }
      fs.rmSync(aside, { force: true });
      note = `removed the stale lock of pid ${Number.isNaN(holder) ? '?' : holder}`;
    }
    throw new OutputLockedError(`--out ${outdir}: cannot take the lock ${lock}; another ocpkit keeps taking it; nothing was changed`, 0);
  } finally {
    fs.rmSync(mine, { force: true });
  }
}

function releaseLock(lock: string): void {
  try {
    if (readPid(lock) === process.pid) fs.unlinkSync(lock);
  } catch {
    // already gone
  }
}

/** Staging folders of `abs` (any pid) in its parent folder, sorted. */
function stagingFolders(abs: string): Array<{ dir: string; name: string; pid: number }> {
  const prefix = `${path.basename(abs)}${TMP_INFIX}`;
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(abs)).sort();
  } catch {
    return [];
  }
  return names.filter((n) => n.startsWith(prefix)).map((n) => ({ dir: path.join(path.dirname(abs), n), name: n, pid: Number(n.slice(prefix.length).split('-')[0]) }));
}

/**
 * The journal of a staging folder, undefined when there is none, or why it is not one to act on:
 * it must be a regular file of this user's, not writable by others, read without following a
 * link, and have the shape ocpkit writes.
 */
function readJournal(staging: string): Journal | undefined | string {
  const file = path.join(staging, JOURNAL);
  const st = lstat(file);
  if (!st) return undefined;
  const foreign = notOwned(file, 'file');
  if (foreign) return foreign;
  let j: Journal;
  try {
    j = JSON.parse(readNoFollow(file)) as Journal;
  } catch (e) {
    return `${JOURNAL} cannot be read (${describe(e)})`;
  }
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (typeof j !== 'object' || j === null || j.format !== 1 || typeof j.out !== 'string' || ![j.added, j.changed, j.removed, j.dirs].every(strings) || (j.fresh !== undefined && typeof j.fresh !== 'boolean')) {
    return `${JOURNAL} is not a journal of this ocpkit`;
  }
  return j;
}

/**
 * Why the transaction of `j` in `staging` may not be undone on `abs` (see the module comment), or
 * undefined when every step of {@link rollback} stays inside `abs` and `staging`, touches only
 * regular files, and `abs` holds nothing but an ocpkit output plus the files the journal added.
 */
function journalProblem(abs: string, staging: string, j: Journal): string | undefined {
  if (j.out !== abs) return `it belongs to ${j.out}`;
  for (const [list, rels] of Object.entries({ added: j.added, changed: j.changed, removed: j.removed, dirs: j.dirs })) {
    const bad = rels.find((rel) => !isPlainRelative(rel));
    if (bad !== undefined) return `its ${JOURNAL} lists ${JSON.stringify(bad.slice(0, 80))} in ${list}, which is not a plain relative path inside ${abs}`;
  }
  // backups are restored from old/; of new/ only the existence of staged files counts
  for (const [sub, modeMatters] of [['old', true], ['new', false]] as const) {
    const p = path.join(staging, sub);
    if (lstat(p)) {
      const foreign = notOwned(p, 'folder', modeMatters);
      if (foreign) return foreign;
    }
  }
  const out = lstat(abs);
  if (out && !out.isDirectory()) return `${abs} is ${typeName(out)}`;
  if (j.fresh) {
    // the run created --out by renaming its staged tree into place; it may take back only exactly that
    if (exists(path.join(staging, 'new')) || !out) return undefined;
    const { files, others } = walk(abs);
    if (others.length) return `${abs} holds ${others[0].rel}, ${others[0].what} that run did not write`;
    const listed = files.includes(OUTPUT_MARKER) ? readMarker(abs) : `${abs} has no ${OUTPUT_MARKER}`;
    if (typeof listed === 'string') return `its journal says it created ${abs}, but ${listed}`;
    const wrote = new Set(j.added.filter((f) => f !== OUTPUT_MARKER));
    const extra = files.find((f) => f !== OUTPUT_MARKER && !wrote.has(f)) ?? [...listed].find((f) => !wrote.has(f));
    if (extra !== undefined) return `its journal says it created ${abs}, but ${abs} holds or lists ${extra}, which that run did not write`;
    if (wrote.size !== files.length - 1 || listed.size !== wrote.size) return `its journal says it created ${abs}, but ${abs} does not hold exactly the files that run wrote`;
    return undefined;
  }
  if (!out) return `${abs} does not exist`;
  // every path the rollback touches, and every folder above it, is absent, a folder or a regular
  // file (a file where a folder was is a legitimate mid-write state: writing below it just fails),
  // never a link or a device, so nothing is written or removed through a link
  for (const rel of [...j.added, ...j.changed, ...j.removed, ...j.dirs]) {
    for (const p of [...parents(rel), rel]) {
      const st = lstat(path.join(abs, p));
      if (st && !st.isDirectory() && !st.isFile()) return `${path.join(abs, p)} is ${typeName(st)}, and its ${JOURNAL} writes ${p === rel ? 'to' : 'below'} it`;
    }
  }
  const { oldOf } = slots(staging, j);
  for (const rel of [...j.changed, ...j.removed]) {
    const backup = oldOf(rel);
    if (!lstat(backup)) continue;
    const foreign = notOwned(backup, 'file', false);
    if (foreign) return `backup ${foreign}`;
  }
  // --out is an ocpkit output, apart from the files this journal added
  const { files, others } = walk(abs);
  if (others.length) return `${abs} holds ${others[0].rel}, ${others[0].what} ocpkit did not write`;
  const listed = files.includes(OUTPUT_MARKER) ? readMarker(abs) : new Set<string>();
  if (typeof listed === 'string') return `${abs} has a ${OUTPUT_MARKER} that ocpkit cannot honour (${listed})`;
  const added = new Set(j.added);
  const unknown = files.find((f) => f !== OUTPUT_MARKER && !listed.has(f) && !added.has(f));
  if (unknown !== undefined) return `${abs} holds ${unknown}, which neither its ${OUTPUT_MARKER} nor that run wrote`;
  return undefined;
}

function exists(p: string): boolean {
  return lstat(p) !== undefined;
}

function hookActions(phase: string): string[] {
  const spec = process.env.OCPKIT_TEST_WRITE_HOOK;
  if (!spec) return [];
  return spec.split(',').filter((s) => s.startsWith(`${phase}:`)).map((s) => s.slice(phase.length + 1));
}

/**
 * Where a transaction keeps its files: staged new versions in `new/`, backups in `old/`. For an
 * absent `--out` the staged tree mirrors the output (it is renamed into place whole); otherwise
 * staged files and backups are flat, named by their index in the journal (no folders to make).
 */
function slots(staging: string, j: Journal) {
  const index = (list: string[]) => new Map(list.map((rel, i) => [rel, i]));
  const changed = index(j.changed);
  const removed = index(j.removed);
  const oldOf = (rel: string) => path.join(staging, 'old', changed.has(rel) ? `c${changed.get(rel)}` : `r${removed.get(rel)}`);
  if (j.fresh) {
    // every file staged under its own path: rel is a plain relative path (checked before), so
    // joining is appending it with the platform's separator
    const base = `${path.join(staging, 'new')}${path.sep}`;
    const native = path.sep === '/' ? (rel: string) => rel : (rel: string) => rel.split('/').join(path.sep);
    return { newOf: (rel: string) => base + native(rel), oldOf };
  }
  const added = index(j.added);
  return {
    newOf: (rel: string) => path.join(staging, 'new', added.has(rel) ? `a${added.get(rel)}` : `c${changed.get(rel)}`),
    oldOf,
  };
}

/**
 * Undoes a transaction from its journal and backups. Idempotent: every step checks what is there,
 * so it works after a crash at any point of {@link apply} (and after a crash of itself). Journals
 * found on disk are checked by {@link journalProblem} first.
 */
function rollback(abs: string, staging: string, j: Journal): void {
  if (hookActions('rollback').includes('fail')) throw new Error('injected failure in rollback');
  const { newOf: inNew, oldOf: inOld } = slots(staging, j);
  if (j.fresh) {
    // the staged tree was renamed into place as a whole, or not at all
    if (!exists(path.join(staging, 'new')) && exists(abs)) fs.renameSync(abs, path.join(staging, 'new'));
    return;
  }
  // 1. files we added: remove them once moved in (the staged copy is gone)
  for (const rel of j.added) if (!exists(inNew(rel)) && lstat(path.join(abs, rel))?.isFile()) fs.unlinkSync(path.join(abs, rel));
  // 2. files we changed: the backup (a hard link to the old file) goes back over the new one
  for (const rel of j.changed) if (exists(inOld(rel))) fs.renameSync(inOld(rel), path.join(abs, rel));
  // 3. folders we created, deepest first, if empty
  for (const d of j.dirs) {
    try {
      fs.rmdirSync(path.join(abs, d));
    } catch {
      // not empty, or not created
    }
  }
  // 4. files we removed come back
  for (const rel of j.removed) {
    if (!exists(inOld(rel))) continue;
    fs.mkdirSync(path.dirname(path.join(abs, rel)), { recursive: true });
    fs.renameSync(inOld(rel), path.join(abs, rel));
  }
}

/** Finds staging folders of dead runs for `abs`, undoes or removes those it can trust; returns notes. */
function recover(abs: string, outdir: string): string[] {
  const notes: string[] = [];
  const parent = path.dirname(abs);
  // lock candidates (`<lock>.<pid>-<random>`) and moved-aside stale locks of dead runs
  const lockPrefix = `${path.basename(abs)}${LOCK_SUFFIX}.`;
  for (const name of fs.readdirSync(parent)) {
    if (!name.startsWith(lockPrefix)) continue;
    const pid = Number(name.slice(lockPrefix.length).replace(/^stale-/, '').split('-')[0]);
    if (pid === process.pid || processAlive(pid)) continue;
    if (notOwned(path.join(parent, name), 'file', false)) notes.push(`left ${name} alone (not a lock file of this user's)`);
    else fs.rmSync(path.join(parent, name), { force: true });
  }
  // `<out>.tmp-<pid>` / `<out>.old-<pid>` of ocpkit before the marker (rename swap): an old tree of
  // this user's is put back when --out is missing (it was the only copy); otherwise they are reported, not deleted.
  const legacy = new RegExp(`^${path.basename(abs).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(tmp|old)-(\\d+)$`);
  for (const name of fs.readdirSync(parent).sort()) {
    const m = legacy.exec(name);
    if (!m || processAlive(Number(m[2]))) continue;
    if (m[1] === 'old' && !lstat(abs) && !notOwned(path.join(parent, name), 'folder')) {
      fs.renameSync(path.join(parent, name), abs);
      notes.push(`restored ${outdir} from ${name}, left by an older ocpkit that was interrupted`);
    } else {
      notes.push(`found ${name}, left by an interrupted older ocpkit (pid ${m[2]}); not removed, delete it if you do not need it`);
    }
  }
  for (const s of stagingFolders(abs)) {
    if (s.pid !== process.pid && processAlive(s.pid)) {
      notes.push(`left ${s.name} alone (pid ${s.pid} is running)`);
      continue;
    }
    let j: Journal | undefined;
    let problem: string | undefined;
    try {
      problem = notOwned(s.dir, 'folder');
      if (!problem) {
        const read = readJournal(s.dir);
        if (typeof read === 'string') problem = read;
        else if ((j = read)) problem = journalProblem(abs, s.dir, j);
      }
    } catch (e) {
      problem = `cannot examine it (${describe(e)})`;
    }
    if (problem) {
      notes.push(`left ${s.name} alone (${problem}); it was neither applied nor deleted, remove it yourself if it is not an interrupted ocpkit write`);
      continue;
    }
    try {
      if (j) rollback(abs, s.dir, j);
    } catch (e) {
      throw new OutputWriteError(`cannot undo the interrupted write of pid ${s.pid} kept in ${s.dir} (${describe(e)}); ${outdir} may hold a mix of two outputs`, false, s.dir);
    }
    fs.rmSync(s.dir, { recursive: true, force: true });
    notes.push(j ? `restored ${outdir} as it was before the interrupted write of pid ${s.pid}` : `removed the temporary files of the interrupted write of pid ${s.pid}`);
  }
  return notes;
}

/** Parents of `rel`, outermost first (`a`, `a/b` for `a/b/c.yaml`; `/`, `/a` for `/a/b`). */
function parents(rel: string): string[] {
  const parts = rel.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/') || '/');
  return out;
}

function isDir(p: string): boolean {
  return lstat(p)?.isDirectory() ?? false;
}

/**
 * The write as a sequence of steps; it yields after each phase so a driver can inject failures,
 * pause (tests) or stop on a signal by throwing into it, which rolls back.
 */
function* transaction(files: ReadonlyMap<string, string>, outdir: string): Generator<Phase, WriteReport, void> {
  const abs = path.resolve(outdir);
  validateKeys(files);
  const early = pathRefusal(abs, outdir);
  if (early) throw new OutputRefusedError(early);
  let taken: { lock: string; note?: string };
  try {
    const file = parents(abs).find((p) => lstat(p) && !isDir(p));
    if (file) throw new Error(`ENOTDIR: ${file} is a file, not a folder`);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    taken = acquireLock(abs, outdir);
  } catch (e) {
    if (e instanceof OutputLockedError) throw e;
    throw new OutputWriteError(describe(e), true);
  }
  try {
    yield 'locked';
    const notes = recover(abs, outdir);
    if (taken.note) notes.unshift(taken.note);
    const recovered = notes.length ? notes.join('; ') : undefined;
    const inspected = inspect(abs, outdir);
    if (typeof inspected === 'string') throw new OutputRefusedError(recovered ? `${recovered}; ${inspected}` : inspected);

    // Plan: compare with what is there; unchanged files are not touched.
    const marker = markerText(files.keys());
    const wanted = (rel: string) => (rel === OUTPUT_MARKER ? marker : files.get(rel)!);
    const added: string[] = [];
    const changed: string[] = [];
    const present = new Set(inspected.present);
    if (lstat(path.join(abs, OUTPUT_MARKER))) present.add(OUTPUT_MARKER);
    let unchanged = 0;
    const plan = (rel: string) => {
      if (!present.has(rel)) added.push(rel);
      else if (fs.readFileSync(path.join(abs, rel), 'utf8') !== wanted(rel)) changed.push(rel);
      else unchanged++;
    };
    for (const rel of files.keys()) plan(rel);
    plan(OUTPUT_MARKER);
    const removed = inspected.present.filter((f) => !files.has(f));
    const report = { written: added.length + changed.length, removed: removed.length, unchanged, recovered };
    if (added.length + changed.length + removed.length === 0) return report;
    // the marker goes in last: it lists the new files only when they are all there
    const byMarkerLast = (a: string, b: string) => (a === OUTPUT_MARKER ? 1 : b === OUTPUT_MARKER ? -1 : 0);
    added.sort(byMarkerLast);
    changed.sort(byMarkerLast);
    // An absent --out is created by renaming the whole staged tree into place (one step, nothing to replace).
    const fresh = !lstat(abs);
    const dirs = new Set<string>();
    if (!fresh) {
      const known = new Map<string, boolean>();
      const dirAt = (p: string) => {
        let d = known.get(p);
        if (d === undefined) known.set(p, (d = isDir(path.join(abs, p))));
        return d;
      };
      for (const rel of added) for (const p of parents(rel)) if (!dirAt(p)) dirs.add(p);
    }
    const depth = (d: string) => d.split('/').length;
    const journal: Journal = { format: 1, out: abs, fresh, added, changed, removed, dirs: [...dirs].sort((a, b) => depth(b) - depth(a) || (a < b ? 1 : -1)) };

    // 1. stage
    const staging = `${abs}${TMP_INFIX}${process.pid}-${random()}`;
    const made = new Set<string>();
    const mkdir = (d: string) => {
      if (made.has(d)) return;
      fs.mkdirSync(d, { recursive: true });
      made.add(d);
    };
    const { newOf: inNew, oldOf: inOld } = slots(staging, journal);
    try {
      // private (700/600): a later recovery acts only on staging folders nobody else can have written
      fs.mkdirSync(staging, { mode: 0o700 });
      fs.mkdirSync(path.join(staging, 'new')); // default mode: a fresh --out is this folder renamed
      if (!fresh) fs.mkdirSync(path.join(staging, 'old'), { mode: 0o700 });
      for (const rel of [...added, ...changed]) {
        const target = inNew(rel);
        if (fresh) mkdir(path.dirname(target));
        fs.writeFileSync(target, wanted(rel));
      }
    } catch (e) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw new OutputWriteError(describe(e), true);
    }
    const journalFile = path.join(staging, JOURNAL);
    try {
      yield 'staged';
      fs.writeFileSync(`${journalFile}.tmp`, JSON.stringify(journal), { mode: 0o600 });
      fs.renameSync(`${journalFile}.tmp`, journalFile);
      yield 'journaled';

      // 2. apply
      if (fresh) {
        yield 'removed';
        yield 'half';
        fs.renameSync(path.join(staging, 'new'), abs);
        yield 'applied';
      }
      for (const rel of fresh ? [] : removed) {
        fs.renameSync(path.join(abs, rel), inOld(rel));
      }
      const emptied = new Set<string>();
      for (const rel of removed) for (const p of parents(rel)) emptied.add(p);
      for (const d of [...emptied].sort((a, b) => b.split('/').length - a.split('/').length)) {
        try {
          fs.rmdirSync(path.join(abs, d));
        } catch {
          // still holds files
        }
      }
      if (!fresh) yield 'removed';
      const moves = fresh ? [] : [...changed.map((rel) => ({ rel, changed: true })), ...added.map((rel) => ({ rel, changed: false }))].sort((a, b) => byMarkerLast(a.rel, b.rel));
      const half = Math.floor(moves.length / 2);
      for (let i = 0; i < moves.length; i++) {
        if (i === half) yield 'half';
        const { rel } = moves[i];
        const target = path.join(abs, rel);
        if (moves[i].changed) {
          try {
            fs.linkSync(target, inOld(rel));
          } catch {
            fs.copyFileSync(target, inOld(rel)); // file systems without hard links
          }
        } else {
          mkdir(path.dirname(target));
        }
        fs.renameSync(inNew(rel), target);
      }
      if (!fresh) yield 'applied';
    } catch (e) {
      let restored = true;
      try {
        if (exists(journalFile)) rollback(abs, staging, journal);
        fs.rmSync(staging, { recursive: true, force: true });
      } catch {
        restored = false;
      }
      if (e instanceof Interrupted) throw new OutputInterruptedError(e.signal, restored, restored ? undefined : staging);
      throw new OutputWriteError(describe(e), restored, restored ? undefined : staging);
    }
    // 3. commit: without the journal, a later recovery only removes the staging folder
    fs.unlinkSync(journalFile);
    yield 'committed';
    fs.rmSync(staging, { recursive: true, force: true });
    return report;
  } catch (e) {
    if (e instanceof OutputRefusedError || e instanceof OutputWriteError || e instanceof OutputInterruptedError) throw e;
    if (e instanceof Interrupted) throw new OutputInterruptedError(e.signal, true);
    throw new OutputWriteError(describe(e), true);
  } finally {
    releaseLock(taken.lock);
  }
}

/**
 * Replaces `outdir` with exactly the given files (relative POSIX paths -> text) plus the
 * `OUTPUT_MARKER`, as a crash-safe transaction (see the module comment). Throws
 * OutputRefusedError, OutputLockedError or OutputWriteError (with `restored`).
 */
export function writeTree(files: ReadonlyMap<string, string>, outdir: string): WriteReport {
  const gen = transaction(files, outdir);
  let step = gen.next();
  while (!step.done) {
    const fail = BEFORE_COMMIT.has(step.value) && hookActions(step.value).includes('fail');
    step = fail ? gen.throw(new Error(`injected failure after ${step.value}`)) : gen.next();
  }
  return step.value;
}

/**
 * {@link writeTree} for the command line: SIGINT, SIGTERM and SIGHUP while it runs stop the write at its
 * next step and undo it (OutputInterruptedError), instead of killing the process mid-write.
 */
export async function writeTreeInterruptibly(files: ReadonlyMap<string, string>, outdir: string): Promise<WriteReport> {
  let signal: NodeJS.Signals | undefined;
  let wake: (() => void) | undefined;
  const handler = (s: NodeJS.Signals) => {
    signal ??= s;
    wake?.();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler);
  try {
    const gen = transaction(files, outdir);
    let step = gen.next();
    while (!step.done) {
      const phase = step.value;
      const actions = hookActions(phase);
      if (actions.includes('pause') && !signal) {
        process.stderr.write(`ocpkit-test: paused at ${phase}\n`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 30_000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      } else {
        // lets a pending signal reach the handler
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (actions.includes('fail') && BEFORE_COMMIT.has(phase)) step = gen.throw(new Error(`injected failure after ${phase}`));
      else if (signal && BEFORE_COMMIT.has(phase)) step = gen.throw(new Interrupted(signal));
      else step = gen.next();
    }
    return signal ? { ...step.value, interruptedAfterCommit: signal } : step.value;
  } finally {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    process.off('SIGHUP', handler);
  }
}

/**
 * Undoes or removes what interrupted writes to `outdir` left behind (under its lock); returns one
 * line saying what was done, or undefined when there was nothing to do.
 */
export function recoverOutput(outdir: string): string | undefined {
  const abs = path.resolve(outdir);
  const refusal = pathRefusal(abs, outdir);
  if (refusal) throw new OutputRefusedError(refusal);
  const taken = acquireLock(abs, outdir);
  try {
    const notes = recover(abs, outdir);
    if (taken.note) notes.unshift(taken.note);
    return notes.length ? notes.join('; ') : undefined;
  } finally {
    releaseLock(taken.lock);
  }
}
