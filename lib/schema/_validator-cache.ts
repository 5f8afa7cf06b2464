import { createHash } from 'crypto';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import * as vm from 'vm';
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';

// Shared with bin/run-ts.js, which must stay plain JavaScript (it loads the TypeScript).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const privateCache: {
  cacheRoot(): string | undefined;
  privateDir(dir: string): string | undefined;
  readEntry(file: string): string | undefined;
  readHashedEntry(file: string): { body: string; sha256: string } | undefined;
  writeEntry(file: string, body: string): void;
  readBinaryEntry(file: string): Buffer | undefined;
  writeBinaryEntry(file: string, body: Buffer): void;
} = require('../../bin/private-cache.js');

/**
 * V8 code caches still to be written: validators loaded without a usable one. Written when the
 * process exits, so that they hold the bytecode of every function the run compiled, not only the
 * top level (V8 compiles functions lazily, on their first call).
 */
const pendingCodeCaches = new Map<string, vm.Script>();
let exitHooked = false;

/**
 * Writes the V8 code caches of the validators loaded so far without one (done on exit anyway).
 * @internal
 */
export function writeCodeCaches(): void {
  for (const [file, script] of pendingCodeCaches) {
    try {
      privateCache.writeBinaryEntry(file, script.createCachedData());
    } catch {
      // best effort: the next run compiles again
    }
  }
  pendingCodeCaches.clear();
}

/** Names a V8 code cache after the V8 version that made it (another version rejects it anyway). */
const V8_TAG = process.versions.v8.replace(/[^0-9A-Za-z.-]/g, '_');

/** Bump when the layout of a cache entry changes. */
const FORMAT = 'ocpkit-validator-cache/2';

/**
 * Compiled schema validators kept on disk between runs, as ajv standalone modules. Compiling the
 * Kubernetes and CRD schemas costs most of a synth's time otherwise (the Argo CD Application
 * schema alone takes about half a second); loading the compiled code takes a few milliseconds.
 *
 * An entry's key hashes everything its code depends on: the schema files' contents, the kind,
 * the strict flag, the ajv version and the source of the validator itself, so a changed schema
 * or a changed validator never reuses stale code. Entries are written atomically (temporary
 * file, then rename) with the sha256 of their code; a cache that cannot be read or written is
 * skipped, and one that is not private to this user is refused (bin/private-cache.js).
 * @internal
 */
export class ValidatorCache {
  /**
   * Cache folder: `<cache root>/validators`, where the root is `OCPKIT_CACHE_DIR` (`off` disables
   * it), else `node_modules/.cache/ocpkit` of this package, else the user's own cache folder
   * (`$XDG_CACHE_HOME/ocpkit`, `~/.cache/ocpkit`); never a shared temporary folder. The folder is
   * only used when it is private to this user (bin/private-cache.js), since its entries are code.
   */
  public static defaultDir(): string | false {
    const root = privateCache.cacheRoot();
    return root ? path.join(root, 'validators') : false;
  }

  private readonly fileHashes = new Map<string, string>();
  private readonly salt: string | undefined;
  private readonly load = createRequire(__filename);

  constructor(dir: string | false, validatorSource: string) {
    let salt: string | undefined;
    try {
      const ajvVersion = this.load('ajv/package.json').version;
      const sources = [validatorSource, __filename].map((f) => fs.readFileSync(f, 'utf8')).join('\0');
      salt = `${FORMAT}\0${ajvVersion}\0${sha(sources)}`;
    } catch {
      salt = undefined;
    }
    this.salt = dir === false ? undefined : salt;
    this.dir = dir;
  }

  private dir: string | false;
  private checked = false;

  /** The cache folder once it is known to be private to this user, else false (cache off). */
  private usableDir(): string | false {
    if (!this.checked && this.dir !== false) this.dir = privateCache.privateDir(this.dir) ?? false;
    this.checked = true;
    return this.dir;
  }

  /** Cache key for a validator built from these files and parts, or undefined when caching is off. */
  public key(files: readonly string[], ...parts: string[]): string | undefined {
    if (this.salt === undefined) return undefined;
    try {
      return sha([this.salt, ...files.map((f) => this.hashOf(f)), ...parts].join('\0'));
    } catch {
      return undefined;
    }
  }

  /** The cached validator and the scope stored with it, if present. */
  public get(key: string | undefined): { fn: ValidateFunction; scope?: string; warnings?: unknown[] } | undefined {
    const dir = key === undefined ? false : this.usableDir();
    if (dir === false) return undefined;
    // Only code this user wrote, unchanged since (its sha256 is checked), is ever run.
    const entry = privateCache.readHashedEntry(path.join(dir, `${key}.js`));
    if (entry === undefined) return undefined;
    const code = entry.body;
    try {
      const mod: { exports: any } = { exports: {} };
      // Compiled through vm.Script with V8's code cache of an earlier run (stored next to the
      // entry, sha256-checked like it): parsing and compiling these large generated modules costs
      // more than running them; with the bytecode cached, loading a validator is a copy. It is
      // named by the code's own sha256: V8 checks only the source's length against its cache.
      // https://nodejs.org/docs/latest-v20.x/api/vm.html#scriptcreatecacheddata
      const cacheFile = path.join(dir, `${entry.sha256}.${V8_TAG}.v8`);
      const cachedData = privateCache.readBinaryEntry(cacheFile);
      const script = new vm.Script(`(function (module, exports, require) {${code}\n})`, { filename: `ocpkit-validator-${key}.js`, cachedData });
      if (cachedData === undefined || script.cachedDataRejected) {
        if (!exitHooked) process.once('exit', writeCodeCaches);
        exitHooked = true;
        pendingCodeCaches.set(cacheFile, script);
      }
      script.runInThisContext()(mod, mod.exports, this.load);
      const fn = mod.exports as ValidateFunction & { ocpkitScope?: string; ocpkitWarnings?: unknown[] };
      return typeof fn === 'function' ? { fn, scope: fn.ocpkitScope ?? undefined, warnings: Array.isArray(fn.ocpkitWarnings) ? fn.ocpkitWarnings : undefined } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stores a compiled validator (best effort). */
  public put(key: string | undefined, ajv: Ajv, fn: ValidateFunction, scope?: string, warnings: readonly unknown[] = []): void {
    const dir = key === undefined ? false : this.usableDir();
    if (dir === false) return;
    try {
      // Loaded on first use only: a run that hits the cache never needs it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const standaloneCode = (this.load('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
      const code = `${standaloneCode(ajv, fn)}\nmodule.exports.ocpkitScope = ${JSON.stringify(scope ?? null)};\nmodule.exports.ocpkitWarnings = ${JSON.stringify(warnings)};\n`;
      privateCache.writeEntry(path.join(dir, `${key}.js`), code);
    } catch {
      // best effort: the validator works without the cache
    }
  }

  private hashOf(file: string): string {
    let h = this.fileHashes.get(file);
    if (h === undefined) {
      h = sha(fs.readFileSync(file));
      this.fileHashes.set(file, h);
    }
    return h;
  }
}

function sha(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
