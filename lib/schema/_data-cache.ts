import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { privateCache } from '../core/_private-cache';

/** Bump when the layout of an entry changes. */
const FORMAT = 'ocpkit-data-cache/2';
/** The data cache is kept within this size (bin/private-cache.js keepWithin). */
const DATA_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * A large, read-only data file of the schema set (the operator catalog of a profile, about 250 KB
 * of YAML, a third of a second to parse on a slow machine), parsed by `parse` once and then read
 * back as JSON from the private cache (`<cache root>/data`, bin/private-cache.js) on later runs.
 * The entry is keyed by the file's version ({@link fileStamp}), the version of the module that
 * parses it (`parserModule`, so a changed parser never reuses an old answer), the versions of
 * `alsoKeyedBy` (what that module depends on, e.g. {@link yamlParserFiles}) and this module's format;
 * what `parse` throws is never cached. Only plain JSON data (objects, arrays, strings, finite
 * numbers, booleans, null) is cached; anything else is parsed every run.
 * @internal
 */
export function cachedDataFile<T>(file: string, parse: (file: string) => T, parserModule: string, alsoKeyedBy: readonly string[] = []): T {
  return cachedData(() => [fileStamp(parserModule), fileStamp(file), ...alsoKeyedBy.map(fileStamp)], () => parse(file));
}

/** Files whose versions also key a YAML data file's parse: js-yaml's package.json (an upgrade of the parser below lib/core/safe-yaml). */
export function yamlParserFiles(): readonly string[] {
  YAML_PARSER_FILES ??= [require.resolve('js-yaml/package.json')];
  return YAML_PARSER_FILES;
}
let YAML_PARSER_FILES: readonly string[] | undefined;

/**
 * A file's version without reading it (path, device, inode, size, modification and change times
 * in ns; bin/private-cache.js): a cache key of megabytes of schema files then costs a stat, not
 * a read and a hash of them.
 * @internal
 */
export function fileStamp(file: string): string {
  return privateCache.fileStamp(file);
}

/**
 * Data computed by `compute` once and read back as JSON from the private cache on later runs,
 * keyed by everything it depends on (`keyParts`: file stamps or bytes, the computing module's
 * stamp, options; called once, and a throw there means no cache). The same rules as
 * {@link cachedDataFile}: only plain JSON data is cached, what `compute` throws never is.
 * @internal
 */
export function cachedData<T>(keyParts: () => ReadonlyArray<string | Buffer>, compute: () => T): T {
  let dir: string | undefined;
  let key: string | undefined;
  try {
    const root = privateCache.cacheRoot();
    dir = root ? privateCache.privateDir(path.join(root, 'data'), DATA_CACHE_BYTES) : undefined;
    if (root && dir && !retiredChecked) dropRetiredValidatorCache(root);
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

let retiredChecked = false;

/**
 * Removes what ocpkit's former compiled-validator cache left in `<root>/validators` (ajv standalone
 * modules and their V8 code caches, about 24 MB, unused since schemas are interpreted): only files
 * named as that cache named them, in a folder private to this user; anything else stays, and so
 * does the folder then. Once per process, best effort.
 */
function dropRetiredValidatorCache(root: string): void {
  retiredChecked = true;
  const dir = path.join(root, 'validators');
  try {
    if (!fs.existsSync(dir) || !privateCache.privateDir(dir)) return;
    let kept = 0;
    for (const name of fs.readdirSync(dir)) {
      if (/^[0-9a-f]{64}(?:\.js|\.[0-9A-Za-z._-]+\.v8)$/.test(name)) fs.rmSync(path.join(dir, name), { force: true });
      else kept++;
    }
    if (kept === 0) fs.rmdirSync(dir);
  } catch {
    // best effort: an old cache folder only takes space
  }
}

/**
 * The version of a set of folders (and files) as read with `options`: the {@link fileStamp} of
 * every file under them (a stat each, without reading them), at any depth, through links to files
 * and folders (a folder reached twice, by a link cycle, counts once); folders the CRD scan skips
 * (`.`-named ones and `node_modules`) are skipped here too. A changed, added or removed file gives
 * another stamp.
 * @internal
 */
export function treeStamp(options: string, folders: readonly string[]): string {
  const h = createHash('sha256').update(`ocpkit-tree-stamp/2\0${options}\0`);
  const files: string[] = [];
  const seen = new Set<string>();
  const visit = (dir: string) => {
    let real: string;
    let names: string[];
    try {
      real = fs.realpathSync(dir);
      if (seen.has(real)) return;
      seen.add(real);
      names = fs.readdirSync(dir);
    } catch {
      files.push(`${dir}\0(unreadable)`);
      return;
    }
    for (const name of names) {
      const p = path.join(dir, name);
      let st: fs.Stats;
      try {
        st = fs.statSync(p); // through links
      } catch {
        files.push(`${p}\0(dangling)`);
        continue;
      }
      if (st.isDirectory()) {
        if (!name.startsWith('.') && name !== 'node_modules') visit(p);
      } else {
        files.push(p);
      }
    }
  };
  for (const f of folders) {
    try {
      if (fs.statSync(f).isDirectory()) visit(f);
      else files.push(f);
    } catch {
      files.push(`${f}\0(missing)`);
    }
  }
  files.sort();
  for (const f of files) {
    try {
      h.update(f.includes('\0') ? f : fileStamp(f)).update('\0');
    } catch {
      h.update(`${f}\0(gone)\0`);
    }
  }
  return h.digest('hex');
}
