import { createHash } from 'crypto';
import * as fs from 'fs';
import { createRequire } from 'module';
import * as os from 'os';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';

/** Bump when the layout of a cache entry changes. */
const FORMAT = 'ocpkit-validator-cache/1';

/**
 * Compiled schema validators kept on disk between runs, as ajv standalone modules. Compiling the
 * Kubernetes and CRD schemas costs most of a synth's time otherwise (the Argo CD Application
 * schema alone takes about half a second); loading the compiled code takes a few milliseconds.
 *
 * An entry's key hashes everything its code depends on: the schema files' contents, the kind,
 * the strict flag, the ajv version and the source of the validator itself, so a changed schema
 * or a changed validator never reuses stale code. Entries are written atomically (temporary
 * file, then rename); a cache that cannot be read or written is silently skipped.
 * @internal
 */
export class ValidatorCache {
  /**
   * Cache folder: `OCPKIT_CACHE_DIR` (`off` disables it), else `node_modules/.cache/ocpkit` of
   * this package, else the system temporary folder.
   */
  public static defaultDir(): string | false {
    const env = process.env.OCPKIT_CACHE_DIR;
    if (env !== undefined && env !== '') return env === 'off' ? false : path.join(path.resolve(env), 'validators');
    const modules = path.resolve(__dirname, '..', '..', 'node_modules');
    if (fs.existsSync(modules)) return path.join(modules, '.cache', 'ocpkit', 'validators');
    return path.join(os.tmpdir(), `ocpkit-cache-${os.userInfo().uid}`, 'validators');
  }

  private readonly fileHashes = new Map<string, string>();
  private readonly salt: string | undefined;
  private readonly load = createRequire(__filename);

  constructor(private readonly dir: string | false, validatorSource: string) {
    let salt: string | undefined;
    try {
      const ajvVersion = this.load('ajv/package.json').version;
      const sources = [validatorSource, __filename].map((f) => fs.readFileSync(f, 'utf8')).join('\0');
      salt = `${FORMAT}\0${ajvVersion}\0${sha(sources)}`;
    } catch {
      salt = undefined;
    }
    this.salt = dir === false ? undefined : salt;
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
  public get(key: string | undefined): { fn: ValidateFunction; scope?: string } | undefined {
    if (key === undefined || this.dir === false) return undefined;
    let code: string;
    try {
      code = fs.readFileSync(path.join(this.dir, `${key}.js`), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const mod: { exports: any } = { exports: {} };
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      new Function('module', 'exports', 'require', code)(mod, mod.exports, this.load);
      const fn = mod.exports as ValidateFunction & { ocpkitScope?: string };
      return typeof fn === 'function' ? { fn, scope: fn.ocpkitScope ?? undefined } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Stores a compiled validator (best effort). */
  public put(key: string | undefined, ajv: Ajv, fn: ValidateFunction, scope?: string): void {
    if (key === undefined || this.dir === false) return;
    const file = path.join(this.dir, `${key}.js`);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      // Loaded on first use only: a run that hits the cache never needs it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const standaloneCode = (this.load('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
      const code = `${standaloneCode(ajv, fn)}\nmodule.exports.ocpkitScope = ${JSON.stringify(scope ?? null)};\n`;
      fs.mkdirSync(this.dir, { recursive: true });
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, file);
    } catch {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // nothing to clean up
      }
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
