import { createHash } from 'crypto';
import * as path from 'path';
import { privateCache } from '../core/_private-cache';

/**
 * Verdicts of the context-free checks, kept between runs (the CLI's `ocpkit synth`): a manifest
 * whose exact YAML text passed the schema check and the secret scan before, under the same ocpkit
 * code, schema files, js-yaml, ajv and Node.js, is not checked again. On a save that changes a few
 * objects of a stack, only those are checked; the rest cost a hash of their text.
 *
 * - The key of a manifest is the sha256 of the schema set's identity
 *   (SchemaValidator.identity) and its YAML text (the text written to its file).
 * - Only clean answers are kept: no schema issue and a secret scan without secrets (with whether
 *   the generic host-access walk of no-host-access has anything to look at, which that rule then
 *   runs). Anything else is checked every run.
 * - The store is one file per identity of the checking code (the version of every module of
 *   ocpkit's library this process loaded, js-yaml's, ajv's, Node's), so an edit of ocpkit, an
 *   upgrade of js-yaml, ajv or Node starts a new, empty store. Entries are in the private cache
 *   (bin/private-cache.js: a folder of this user's, hashed entries, least recently used dropped).
 * - The key is only made of a strict text (fastDump's: exactly one JSON value, no undefined
 *   member), made when the manifest is looked up, before the checks (which read manifests, see
 *   SynthCheck); any other manifest is checked every run. Checks still see every object, and what
 *   is written is the same with the store on or off.
 * - A verdict applies only during the synth that looked it up (a store serves one synth).
 *
 * `OCPKIT_VERDICT_CACHE=off` turns it off.
 * @internal
 */

/** Bump when the layout of a store changes. */
const FORMAT = 'ocpkit-verdicts/1';
/** Bytes of a key kept (of the sha256). */
const KEY_BYTES = 16;
/** A record: the key, then one byte: 1 when the host-access walk could find something (see ManifestScan). */
const RECORD_BYTES = KEY_BYTES + 1;
/** The store folder is kept within this size. */
const STORE_BYTES = 16 * 1024 * 1024;
/** At most this many keys are kept per store: those of the last run first, then older ones. */
const MAX_KEYS = 1 << 18;

/** What one manifest's checks found this run, by manifest object. */
interface Entry {
  readonly store: VerdictStore;
  readonly key: string;
  /** Known clean from an earlier run: its schema check and secret scan are skipped. */
  readonly known: boolean;
  schemaClean: boolean;
  /** The secret scan found no secret (undefined: not scanned clean this run). */
  scanClean?: { readonly hostAccessPossible: boolean };
}

const ENTRIES = new WeakMap<object, Entry>();

/**
 * The outcome of an earlier clean secret scan of this manifest's text (no secrets; whether the
 * host-access walk has anything to look at), or undefined: scan it (see the module comment).
 */
export function knownScan(manifest: unknown): { readonly hostAccessPossible: boolean } | undefined {
  if (typeof manifest !== 'object' || manifest === null) return undefined;
  const e = ENTRIES.get(manifest);
  // only during the synth that looked it up: a manifest changed after it is scanned as any other
  return e?.known && e.store.active ? e.scanClean : undefined;
}

/** Records the outcome of a manifest's secret scan made this run. */
export function noteScan(manifest: unknown, secrets: number, hostAccessPossible: boolean): void {
  if (typeof manifest !== 'object' || manifest === null) return;
  const e = ENTRIES.get(manifest);
  if (e && !e.known && e.store.active) e.scanClean = secrets === 0 ? { hostAccessPossible } : undefined;
}

/**
 * The verdicts of one synth: opened by it, looked up per manifest, saved and closed at its end (a
 * store serves one synth; another synth of the same pipeline checks everything).
 */
export class VerdictStore {
  /**
   * The store of this process's ocpkit code in the private cache, or undefined when there is no
   * private cache, it is turned off, or the code's identity cannot be told.
   */
  public static open(): VerdictStore | undefined {
    if (process.env.OCPKIT_VERDICT_CACHE === 'off') return undefined;
    try {
      const root = privateCache.cacheRoot();
      const dir = root ? privateCache.privateDir(path.join(root, 'verdicts'), STORE_BYTES) : undefined;
      const code = codeIdentity();
      if (!dir || !code) return undefined;
      return new VerdictStore(path.join(dir, `${code}.verdicts.bin`));
    } catch {
      return undefined;
    }
  }

  /** Keys of the store as read, with whether the host-access walk had anything to look at. */
  private readonly previous: Map<string, boolean>;
  private readonly seen: Entry[] = [];
  private state: 'new' | 'open' | 'closed' = 'new';

  /** True while the synth it serves runs. */
  public get active(): boolean {
    return this.state === 'open';
  }

  /** Starts the synth it serves; false when it served one already (it is then not used). */
  public open(): boolean {
    if (this.state !== 'new') return false;
    this.state = 'open';
    return true;
  }

  /** Ends the synth it serves: its verdicts no longer apply to the manifests it looked up. */
  public close(): void {
    this.state = 'closed';
  }

  /** A store kept in `file` (read now, written by {@link save}). */
  public constructor(private readonly file: string) {
    this.previous = new Map();
    const data = privateCache.readBinaryEntry(file);
    if (data && data.length % RECORD_BYTES === 0) {
      for (let i = 0; i < data.length; i += RECORD_BYTES) this.previous.set(data.toString('hex', i, i + KEY_BYTES), data[i + KEY_BYTES] === 1);
    }
  }

  /**
   * Looks a manifest up by its YAML text under a schema set; true when it passed both checks before
   * (the synth then skips them). Either way its outcome this run is recorded against the manifest.
   */
  public lookup(manifest: object, schemaSet: string, text: string): boolean {
    if (!this.active) return false;
    const key = createHash('sha256').update(schemaSet).update('\0').update(text).digest('hex').slice(0, KEY_BYTES * 2);
    const host = this.previous.get(key);
    const known = host !== undefined;
    const e: Entry = { store: this, key, known, schemaClean: known, scanClean: known ? { hostAccessPossible: host } : undefined };
    ENTRIES.set(manifest, e);
    this.seen.push(e);
    return known;
  }

  /** Records that a manifest looked up this run has no schema issue. */
  public schemaClean(manifest: object): void {
    const e = ENTRIES.get(manifest);
    if (e && !e.known && e.store === this && this.active) e.schemaClean = true;
  }

  /**
   * Writes the store: the keys of this run's clean manifests, then earlier ones up to
   * {@link MAX_KEYS}. Nothing is written when no new key was found. Best effort.
   */
  public save(): void {
    if (!this.active) return;
    const keep = new Map<string, boolean>();
    let added = false;
    for (const e of this.seen) {
      if (!e.schemaClean || !e.scanClean || keep.has(e.key)) continue;
      keep.set(e.key, e.scanClean.hostAccessPossible);
      if (!e.known) added = true;
    }
    if (!added) return;
    for (const [k, host] of this.previous) {
      if (keep.size >= MAX_KEYS) break;
      if (!keep.has(k)) keep.set(k, host);
    }
    const out = Buffer.alloc(keep.size * RECORD_BYTES);
    let at = 0;
    for (const [k, host] of keep) {
      out.write(k, at, KEY_BYTES, 'hex');
      out[at + KEY_BYTES] = host ? 1 : 0;
      at += RECORD_BYTES;
    }
    privateCache.writeBinaryEntry(this.file, out);
  }
}

/** The directory of ocpkit's library (lib/ in this repository, build/lib/ in an installed package). */
const LIBRARY = path.resolve(__dirname, '..');

/**
 * The identity of the checking code of this process: the version ({@link privateCache.fileStamp}:
 * path, inode, size, times) of every module of ocpkit's library loaded so far (by then every
 * check is), of js-yaml (the secret scan parses embedded YAML with it), of ajv (schemas the
 * interpreter does not cover are compiled with it) and Node's version.
 * Undefined when the loaded modules cannot be listed (not Node's CommonJS loader).
 */
function codeIdentity(): string | undefined {
  const cache = require.cache as Record<string, unknown> | undefined;
  if (!cache) return undefined;
  const own = Object.keys(cache)
    .filter((f) => f.startsWith(LIBRARY + path.sep))
    .sort();
  if (own.length === 0) return undefined;
  const h = createHash('sha256').update(`${FORMAT}\0${process.version}\0`);
  for (const f of own) h.update(privateCache.fileStamp(f)).update('\0');
  for (const dep of ['js-yaml/package.json', 'ajv/package.json']) h.update(privateCache.fileStamp(require.resolve(dep))).update('\0');
  return h.digest('hex');
}
