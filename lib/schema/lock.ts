import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { formatProblem, OcpkitError, Problem } from '../core/errors';
import LOCK_JSON from './schemas.lock.json';

/**
 * The schema lock: which upstream schema files ocpkit reads, where each came from and its
 * sha256. The files themselves are not part of ocpkit; `ocpkit schemas sync` fills a per-user
 * cache from a mirror (`--from DIR`) or from the locked URLs, checking every hash
 * (./schema-cache.ts). The lock is generated from the mirror's provenance tables by
 * `npm run schemas:lock` (scripts/lock-schemas.ts) and holds facts only: paths, URLs, hashes.
 */
export interface SchemaLock {
  readonly format: typeof LOCK_FORMAT;
  /** sha256 of the locked file set (`lockHash`); names the cache folder. */
  readonly hash: string;
  readonly files: readonly LockedFile[];
}

/** One locked file. */
export interface LockedFile {
  /** Path relative to the schema folder (`kubernetes/v1.27.0/_definitions.json`, `profiles/ocp-4.14/index.yaml`). */
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  /**
   * Raw URL of the byte-identical upstream file at its pinned commit, or null when no upstream
   * file has these bytes (assembled, derived, patched or extracted for the mirror, or written
   * for ocpkit): such files can only be synced from a mirror (`--from DIR`).
   */
  readonly url: string | null;
  /** Upstream repository, ref, commit and path the file comes from, when known. */
  readonly upstream?: { readonly repo: string; readonly ref: string; readonly commit: string; readonly path: string };
  /** Why `url` is null. */
  readonly note?: string;
}

/** Version of the lock file layout. */
export const LOCK_FORMAT = 'ocpkit-schemas-lock/1';

/** Name of the lock file, next to this module. */
export const LOCK_FILE = path.join(__dirname, 'schemas.lock.json');

/** The lock shipped with ocpkit. */
export function schemaLock(): SchemaLock {
  return LOCK_JSON as SchemaLock;
}

/** sha256 (hex) of bytes. */
export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Hash of a locked file set: sha256 over `path NUL sha256 LF` for every file in path order.
 * URLs and notes do not count, so fixing a URL keeps the cache.
 */
export function lockHash(files: readonly Pick<LockedFile, 'path' | 'sha256'>[]): string {
  return sha256([...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((f) => `${f.path}\0${f.sha256}\n`).join(''));
}

/** Folder of the platform profiles inside a schema folder (also in ./locate.ts). */
const PROFILES = 'profiles';

/** The OpenShift version whose profile a locked path belongs to (`profiles/ocp-4.14/...` -> `4.14`), else undefined (the base set). */
export function profileOf(lockedPath: string): string | undefined {
  const m = /^profiles\/ocp-(\d+\.\d+)\//.exec(lockedPath);
  return m?.[1];
}

/** OpenShift versions that have a profile in the lock, sorted. */
export function lockedProfiles(lock: SchemaLock = schemaLock()): string[] {
  const set = new Set<string>();
  for (const f of lock.files) {
    const p = profileOf(f.path);
    if (p) set.add(p);
  }
  return [...set].sort((a, b) => Number(a.split('.')[0]) - Number(b.split('.')[0]) || Number(a.split('.')[1]) - Number(b.split('.')[1]));
}

/** The folder of a profile inside a schema folder. */
export function profileFolder(openshift: string): string {
  return `${PROFILES}/ocp-${openshift}`;
}

/**
 * A schema-set problem reported on one line (`[where] field: message`), with no heading line:
 * the CLI prints it as `ocpkit <command>: [schemas] ...`. Still an OcpkitError (exit code 1).
 */
export class SchemaSetError extends OcpkitError {
  constructor(problem: Problem) {
    super([problem]);
    this.message = formatProblem(problem);
    this.name = 'SchemaSetError';
  }
}

/**
 * Checks a file against its locked hash: undefined when `file` holds exactly the locked bytes,
 * else why not, on one line (missing, or both hashes).
 */
export function verifyFile(file: string, locked: LockedFile): string | undefined {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    return `${locked.path}: missing (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  const actual = sha256(data);
  return actual === locked.sha256 ? undefined : hashMismatch(locked, actual);
}

/** The one-line complaint about a file whose bytes do not match the lock. */
export function hashMismatch(locked: LockedFile, actual: string): string {
  return `${locked.path}: sha256 ${actual} does not match the locked sha256 ${locked.sha256}`;
}
