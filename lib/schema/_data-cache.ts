import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

// Shared with bin/run-ts.js (plain JavaScript): the private-cache rules for everything ocpkit keeps on disk.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const privateCache: {
  cacheRoot(): string | undefined;
  privateDir(dir: string): string | undefined;
  readEntry(file: string): string | undefined;
  writeEntry(file: string, body: string): void;
} = require('../../bin/private-cache.js');

/** Bump when the layout of an entry changes. */
const FORMAT = 'ocpkit-data-cache/2';

/**
 * A large, read-only data file of the schema set (the operator catalog of a profile, about 250 KB
 * of YAML, a third of a second to parse on a slow machine), parsed by `parse` once and then read
 * back as JSON from the private cache (`<cache root>/data`, bin/private-cache.js) on later runs.
 * The entry is keyed by the file's bytes, the source of the module that parses it
 * (`parserModule`, so a changed parser never reuses an old answer) and this module's format;
 * what `parse` throws is never cached. Only plain JSON data (objects, arrays, strings, finite
 * numbers, booleans, null) is cached; anything else is parsed every run.
 * @internal
 */
export function cachedDataFile<T>(file: string, parse: (file: string) => T, parserModule: string): T {
  return cachedData(() => [fs.readFileSync(parserModule), fs.readFileSync(file)], () => parse(file));
}

/**
 * Data computed by `compute` once and read back as JSON from the private cache on later runs,
 * keyed by everything it depends on (`keyParts`: file bytes, the computing module's source,
 * options; called once, and a throw there means no cache). The same rules as
 * {@link cachedDataFile}: only plain JSON data is cached, what `compute` throws never is.
 * @internal
 */
export function cachedData<T>(keyParts: () => ReadonlyArray<string | Buffer>, compute: () => T): T {
  let dir: string | undefined;
  let key: string | undefined;
  try {
    const root = privateCache.cacheRoot();
    dir = root ? privateCache.privateDir(path.join(root, 'data')) : undefined;
    if (dir) {
      const h = createHash('sha256').update(`${FORMAT}\0`);
      for (const part of keyParts()) h.update(part).update('\0');
      key = h.digest('hex');
      const text = privateCache.readEntry(path.join(dir, `${key}.json`));
      if (text !== undefined) return JSON.parse(text) as T;
    }
  } catch {
    key = undefined; // unreadable: compute as if there were no cache
  }
  const value = compute();
  if (dir && key && isPlainData(value)) privateCache.writeEntry(path.join(dir, `${key}.json`), JSON.stringify(value));
  return value;
}


/** True when JSON.parse(JSON.stringify(v)) gives back the same data (plain objects only). */
function isPlainData(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every((x) => x !== undefined && isPlainData(x));
  if (typeof v !== 'object') return false;
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  return Object.values(v as object).every((x) => x !== undefined && isPlainData(x));
}
