/**
 * The private cache rules (bin/private-cache.js, plain JavaScript shared with bin/run-ts.js): where
 * ocpkit's caches live, which folders are trusted, how entries are read, written and kept within
 * bounds, and what identifies a file's version. One typed view of it for the library.
 * @internal
 */
export interface PrivateCache {
  /** Root of ocpkit's caches, or undefined when they are off (`OCPKIT_CACHE_DIR=off`). */
  cacheRoot(): string | undefined;
  /** `dir`, made private to this user (and kept within `maxBytes`), or undefined when it cannot be. */
  privateDir(dir: string, maxBytes?: number): string | undefined;
  /** Why `dir` is not trusted (owner, mode), or undefined. */
  untrustedReason(dir: string): string | undefined;
  readEntry(file: string): string | undefined;
  writeEntry(file: string, body: string): void;
  readBinaryEntry(file: string): Buffer | undefined;
  writeBinaryEntry(file: string, body: Buffer): void;
  /** Path, device, inode, size, modification and change times in ns: a file's version without reading it. */
  fileStamp(file: string): string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const privateCache: PrivateCache = require('../../bin/private-cache.js');
