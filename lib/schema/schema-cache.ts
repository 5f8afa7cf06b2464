import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { hashMismatch, LockedFile, lockedProfiles, profileFolder, profileOf, SchemaLock, schemaLock, SchemaSetError, sha256, verifyFile } from './lock';
import { privateCache } from '../core/_private-cache';

/**
 * The per-user cache of the locked schema files: `<cache root>/schemas/<lock hash>/`, laid out
 * like the mirror (`kubernetes/…`, `argo-cd/…`, `profiles/ocp-4.14/…`), so every reader of a
 * schema folder works on it unchanged. The cache root is the one of ocpkit's other caches
 * (bin/private-cache.js: `OCPKIT_CACHE_DIR`, else node_modules/.cache/ocpkit, else
 * `$XDG_CACHE_HOME/ocpkit` or `~/.cache/ocpkit`), and it is used only when it is private to this
 * user.
 *
 * A set is made of units: the base (everything outside `profiles/`) and one unit per profile.
 * A unit is assembled in a staging folder next to the set, every file's sha256 checked against
 * the lock before it is written there, and only then renamed into place; the set folder itself
 * appears only once the base is complete. So a reader sees a whole unit or none: an interrupted
 * or refused sync leaves nothing half-synced behind. The marker file (`.ocpkit-schemas.json`)
 * records the lock hash and the units present.
 */
export const MARKER_FILE = '.ocpkit-schemas.json';

const MARKER_FORMAT = 'ocpkit-schemas-cache/1';

/** What {@link MARKER_FILE} holds. */
interface Marker {
  readonly format: typeof MARKER_FORMAT;
  readonly lock: string;
  readonly profiles: readonly string[];
}

/** Options shared by the cache functions (defaults: the shipped lock and the user's cache root). */
export interface SchemaCacheOptions {
  /** @default the lock shipped with ocpkit */
  readonly lock?: SchemaLock;
  /**
   * Cache root (the `schemas/` folder goes below it).
   * @default bin/private-cache.js cacheRoot(): `OCPKIT_CACHE_DIR`, node_modules/.cache/ocpkit, ~/.cache/ocpkit
   */
  readonly cacheRoot?: string;
}

/** Options of {@link syncSchemas}. */
export interface SyncOptions extends SchemaCacheOptions {
  /**
   * Mirror to take the files from, with the layout of `shared/crds`: a folder, or an `https://`
   * (or `http://`) base URL under which `<base>/<locked path>` serves each file (an internal
   * artifact store, a raw Git URL). The hashes make any mirror safe to use. A file missing from
   * a mirror folder is downloaded from its locked URL when it has one.
   */
  readonly from?: string;
  /**
   * OpenShift versions whose profiles to sync.
   * @default every profile in the lock
   */
  readonly profiles?: readonly string[];
  /**
   * Fetches a locked URL. @default global fetch (no retries; one line on failure)
   */
  readonly download?: (url: string) => Promise<Buffer>;
  /** Progress lines (one per unit). @default none */
  readonly log?: (line: string) => void;
}

/** What a sync did. */
export interface SyncReport {
  /** The schema folder now complete for the synced units. */
  readonly dir: string;
  /** Units written by this run (`base`, `profile 4.14`). */
  readonly written: readonly string[];
  /** Units that were already cached and verified. */
  readonly kept: readonly string[];
  readonly files: number;
  readonly bytes: number;
}

/** The cache root's `schemas/` folder, or undefined when caching is off (`OCPKIT_CACHE_DIR=off`) or no root exists. */
export function schemasCacheBase(options: SchemaCacheOptions = {}): string | undefined {
  const root = options.cacheRoot ?? privateCache.cacheRoot();
  return root ? path.join(root, 'schemas') : undefined;
}

/** The folder a lock's files are cached in (it may not exist). */
export function schemaSetDir(options: SchemaCacheOptions = {}): string | undefined {
  const base = schemasCacheBase(options);
  return base ? path.join(base, (options.lock ?? schemaLock()).hash) : undefined;
}

/**
 * The cached schema folder matching the lock, when its base unit is complete (the marker names
 * this lock) and the folder is private to this user; else undefined. Cheap: reads the marker
 * only, hashes nothing (see {@link checkSchemaCache} for a full check). Never creates anything.
 */
export function cachedSchemaSet(options: SchemaCacheOptions = {}): string | undefined {
  const dir = schemaSetDir(options);
  if (!dir) return undefined;
  const marker = readMarker(dir);
  if (!marker || marker.lock !== (options.lock ?? schemaLock()).hash) return undefined;
  try {
    return privateCache.untrustedReason(dir) === undefined ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Result of {@link checkSchemaCache}. */
export interface CacheStatus {
  /** The set folder (whether or not it exists), undefined when caching is off. */
  readonly dir?: string;
  /** The lock's hash. */
  readonly lock: string;
  /** True when the base unit is cached, private and every one of its files verifies. */
  readonly complete: boolean;
  /** Profiles cached and verified. */
  readonly profiles: readonly string[];
  /** Profiles in the lock that are not cached. */
  readonly missingProfiles: readonly string[];
  /** One line per problem (missing or altered files, a folder others can write). */
  readonly problems: readonly string[];
}

/** Checks the cached set against the lock, hashing every file. */
export function checkSchemaCache(options: SchemaCacheOptions = {}): CacheStatus {
  const lock = options.lock ?? schemaLock();
  const dir = schemaSetDir(options);
  const all = lockedProfiles(lock);
  if (!dir) return { lock: lock.hash, complete: false, profiles: [], missingProfiles: all, problems: ['caching is off (OCPKIT_CACHE_DIR=off) or there is no cache folder'] };
  const marker = readMarker(dir);
  if (!marker || marker.lock !== lock.hash) return { dir, lock: lock.hash, complete: false, profiles: [], missingProfiles: all, problems: [] };
  const problems: string[] = [];
  const reason = safeUntrusted(dir);
  if (reason) problems.push(reason);
  const bad = (unit: string | undefined) => lock.files.filter((f) => profileOf(f.path) === unit).map((f) => verifyFile(path.join(dir, f.path), f)).filter((p): p is string => p !== undefined);
  const baseProblems = bad(undefined);
  problems.push(...baseProblems);
  const profiles: string[] = [];
  for (const p of marker.profiles) {
    const pp = bad(p);
    problems.push(...pp);
    if (pp.length === 0 && all.includes(p)) profiles.push(p);
  }
  return { dir, lock: lock.hash, complete: !reason && baseProblems.length === 0, profiles, missingProfiles: all.filter((p) => !profiles.includes(p)), problems };
}

/**
 * Fills the cache with the locked files: from the mirror `from` when given (a file missing there
 * is downloaded if it has a URL), else from the locked URLs. Every file's sha256 is checked
 * before it is written; a mismatch throws a {@link SchemaSetError} naming the file and both
 * hashes, and nothing of the unit being synced becomes visible. Units already cached and intact
 * are kept; an altered one is replaced.
 */
export async function syncSchemas(options: SyncOptions = {}): Promise<SyncReport> {
  const lock = options.lock ?? schemaLock();
  const available = lockedProfiles(lock);
  const wanted = options.profiles ?? available;
  for (const p of wanted) {
    if (!available.includes(p)) throw problem('--profile', `${JSON.stringify(p)} has no profile in the schema lock; profiles available: ${available.join(', ') || 'none'}`);
  }
  const base = schemasCacheBase(options);
  if (!base) throw problem('OCPKIT_CACHE_DIR', 'caching is off (or there is no cache folder): set OCPKIT_CACHE_DIR to a private folder, or point OCPKIT_SCHEMAS at a schema folder instead');
  const baseDir = privateCache.privateDir(base);
  if (!baseDir) throw problem('OCPKIT_CACHE_DIR', `${base} is not a private folder of this user (see the line above); set OCPKIT_CACHE_DIR to one`);
  const remote = options.from !== undefined && /^https?:\/\//.test(options.from);
  const from = options.from === undefined ? undefined : remote ? options.from.replace(/\/+$/, '') : path.resolve(options.from);
  if (from !== undefined && !remote && !isDir(from)) throw problem('--from', `${from} is not a folder; give a mirror of the shared schemas (the layout of shared/crds): a folder or an https:// base URL`);

  sweepStale(baseDir);
  // sets of other locks (an older ocpkit) already hold most files: taken from there when the hash matches
  const others = fs.readdirSync(baseDir).filter((n) => /^[0-9a-f]{64}$/.test(n) && n !== lock.hash).map((n) => path.join(baseDir, n));
  const units: (string | undefined)[] = [undefined, ...wanted];
  const filesOf = (unit: string | undefined) => lock.files.filter((f) => profileOf(f.path) === unit);
  // Files that cannot be had: no mirror copy and no URL. Refused before anything is fetched.
  const unobtainable = units.flatMap(filesOf).filter((f) => f.url === null && (from === undefined || (!remote && !fs.existsSync(path.join(from, f.path)))) && !reuse(f, others));
  if (unobtainable.length) {
    const eg = unobtainable.slice(0, 2).map((f) => f.path).join(', ');
    throw problem('--from', from
      ? `${unobtainable.length} locked file${unobtainable.length === 1 ? ' is' : 's are'} missing from ${from} and ha${unobtainable.length === 1 ? 's' : 've'} no download URL (${eg}${unobtainable.length > 2 ? ', ...' : ''}); give a complete mirror of the shared schemas`
      : `${unobtainable.length} locked files have no download URL (assembled or derived for the mirror, or written for ocpkit: ${eg}, ...); run \`npx ocpkit schemas sync --from DIR\` with a mirror of the shared schemas (e.g. ../shared/crds)`);
  }
  const download = options.download ?? fetchBytes;
  const log = options.log ?? (() => undefined);
  const dir = path.join(baseDir, lock.hash);
  const written: string[] = [];
  const kept: string[] = [];
  let files = 0;
  let bytes = 0;

  const fill = async (staging: string, list: readonly LockedFile[], strip: string) => {
    for (const f of list) {
      const { data, source } = reuse(f, others) ?? await obtain(f, from, remote, download);
      const actual = sha256(data);
      if (actual !== f.sha256) throw problem(f.path, `${hashMismatch(f, actual).slice(f.path.length + 2)} (from ${source}); refused, nothing of it was cached`);
      const target = path.join(staging, f.path.slice(strip.length));
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
      fs.writeFileSync(target, data, { mode: 0o600, flag: 'wx' });
      files++;
      bytes += data.length;
    }
  };

  const marker = readMarker(dir);
  const intact = (unit: string | undefined) => filesOf(unit).every((f) => verifyFile(path.join(dir, f.path), f) === undefined);
  const baseOk = marker?.lock === lock.hash && safeUntrusted(dir) === undefined && intact(undefined);
  let present: string[] = baseOk ? marker!.profiles.filter((p) => available.includes(p)) : [];

  if (!baseOk) {
    // the whole set, staged next to it, renamed into place once complete
    const staging = stagingDir(baseDir);
    try {
      await fill(staging, filesOf(undefined), '');
      for (const p of wanted) await fill(staging, filesOf(p), '');
      writeMarker(staging, { format: MARKER_FORMAT, lock: lock.hash, profiles: [...wanted] });
      replaceDir(staging, dir);
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    written.push('base', ...wanted.map((p) => `profile ${p}`));
    log(`synced the base schemas${wanted.length ? ` and profile${wanted.length === 1 ? '' : 's'} ${wanted.join(', ')}` : ''} into ${dir}`);
    return { dir, written, kept, files, bytes };
  }
  kept.push('base');
  for (const p of wanted) {
    if (present.includes(p) && intact(p)) {
      kept.push(`profile ${p}`);
      continue;
    }
    const staging = stagingDir(baseDir);
    try {
      await fill(staging, filesOf(p), `${profileFolder(p)}/`);
      fs.mkdirSync(path.join(dir, 'profiles'), { recursive: true, mode: 0o700 });
      // out of the marker first: a reader never takes a profile the marker lists while it is swapped
      present = present.filter((x) => x !== p);
      writeMarker(dir, { format: MARKER_FORMAT, lock: lock.hash, profiles: present });
      replaceDir(staging, path.join(dir, profileFolder(p)));
      present = [...present, p].sort();
      writeMarker(dir, { format: MARKER_FORMAT, lock: lock.hash, profiles: present });
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
    written.push(`profile ${p}`);
    log(`synced profile ${p} into ${dir}`);
  }
  return { dir, written, kept, files, bytes };
}

function problem(field: string, message: string): SchemaSetError {
  return new SchemaSetError({ path: 'schemas', field, message });
}

/** A locked file's bytes from another cached set, when one holds exactly them. */
function reuse(f: LockedFile, others: readonly string[]): { data: Buffer; source: string } | undefined {
  for (const dir of others) {
    const file = path.join(dir, f.path);
    try {
      const data = fs.readFileSync(file);
      if (sha256(data) === f.sha256) return { data, source: file };
    } catch {
      // not there
    }
  }
  return undefined;
}

/**
 * Removes what interrupted syncs left next to the sets: staging folders and folders moved aside,
 * once the process that made them is gone (their names carry its pid).
 */
function sweepStale(baseDir: string): void {
  for (const name of fs.readdirSync(baseDir)) {
    const pid = Number((/^\.sync-(\d+)-[0-9a-f]+$/.exec(name) ?? /\.old-(\d+)-[0-9a-f]+$/.exec(name))?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    fs.rmSync(path.join(baseDir, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The bytes of a locked file and where they came from (a path or a URL, for messages). */
async function obtain(f: LockedFile, from: string | undefined, remote: boolean, download: (url: string) => Promise<Buffer>): Promise<{ data: Buffer; source: string }> {
  if (from !== undefined && remote) {
    const url = `${from}/${f.path.split('/').map(encodeURIComponent).join('/')}`;
    try {
      return { data: await download(url), source: url };
    } catch (e) {
      throw problem(f.path, `cannot download ${url} (${(e as Error).message.split('\n')[0]}); check the mirror URL given to --from`);
    }
  }
  if (from !== undefined) {
    const file = path.join(from, f.path);
    try {
      return { data: fs.readFileSync(file), source: file };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || f.url === null) throw problem(f.path, `cannot read it from ${from} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  try {
    return { data: await download(f.url!), source: f.url! };
  } catch (e) {
    throw problem(f.path, `cannot download ${f.url} (${(e as Error).message.split('\n')[0]}); with no network, run \`npx ocpkit schemas sync --from DIR\` with a mirror of the shared schemas`);
  }
}

/** Downloads a URL with Node's fetch (follows redirects); a status other than 200 is an error. */
async function fetchBytes(url: string): Promise<Buffer> {
  const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(120_000) });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

function stagingDir(baseDir: string): string {
  const dir = path.join(baseDir, `.sync-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(dir, { mode: 0o700 });
  return dir;
}

/**
 * Puts `from` at `to` (same file system): a rename, after moving an existing `to` aside. A `to`
 * that appears meanwhile (a concurrent sync) is moved aside the same way, once.
 */
function replaceDir(from: string, to: string, retry = true): void {
  if (fs.existsSync(to)) {
    const old = `${to}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
    fs.renameSync(to, old);
    try {
      fs.renameSync(from, to);
    } finally {
      fs.rmSync(old, { recursive: true, force: true });
    }
    return;
  }
  try {
    fs.renameSync(from, to);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!retry || (code !== 'ENOTEMPTY' && code !== 'EEXIST')) throw e;
    replaceDir(from, to, false);
  }
}

function readMarker(dir: string): Marker | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, MARKER_FILE), 'utf8'));
    return m?.format === MARKER_FORMAT && typeof m.lock === 'string' && Array.isArray(m.profiles) && m.profiles.every((p: unknown) => typeof p === 'string') ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the marker atomically (temporary file, then rename). */
function writeMarker(dir: string, marker: Marker): void {
  const tmp = path.join(dir, `${MARKER_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  fs.writeFileSync(tmp, `${JSON.stringify(marker)}\n`, { mode: 0o600, flag: 'wx' });
  fs.renameSync(tmp, path.join(dir, MARKER_FILE));
}

function safeUntrusted(dir: string): string | undefined {
  try {
    return privateCache.untrustedReason(dir);
  } catch (e) {
    return `cannot check ${dir} (${(e as Error).message})`;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
