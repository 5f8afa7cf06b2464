'use strict';
// Minimal TypeScript loader for the CLI and scripts: transpiles .ts files with esbuild on require.
// It exists because ts-node does not work with TypeScript 7 (no JS compiler API); esbuild only
// strips types, so `npm test` runs `tsc --noEmit` (TypeScript 5.9, pinned) for the type-check.
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');
const { cacheRoot, privateDir, readEntry, readHashedEntry, writeEntry, readBinaryEntry, writeBinaryEntry, fileStamp, settledStamp } = require('./private-cache');

// Transpiled files are kept in a private cache folder (<cache root>/ts, see private-cache.js;
// OCPKIT_CACHE_DIR=off disables it), keyed by source text, file name, options and esbuild
// version, so a run that changed nothing does not start esbuild at all (about a third of a
// second for the CLI). Inline source maps make stack traces and error locations point at the
// TypeScript line: for the user's own files always (their errors are reported with file:line),
// for ocpkit's own lib/ only with --debug / OCPKIT_DEBUG=1 (Node parses every map it is given,
// about 0.15 s for ocpkit's modules, which an ordinary run never needs). `import()` is lowered
// to require so .ts modules loaded that way also go through this loader.
//
// Modules without a source map to register (ocpkit's own lib/ and imports/, and the JavaScript of
// ocpkit's dependencies in its node_modules) are compiled with V8's code cache of an earlier run
// (<cache root>/v8, sha256-checked like every entry, named by the code's hash and the V8 version):
// V8 then skips parsing and compiling them, about a quarter of a second of every run. Their cache
// is written when the process exits, so it holds every function the run compiled.
// https://nodejs.org/docs/latest-v20.x/api/vm.html#scriptcreatecacheddata
//
// esbuild is called once per run for ocpkit's own code, not once per module: at the first of its
// modules that is not in the cache, every .ts file of lib/ and imports/ that is not cached either is
// transpiled in one build (esbuild works on them in parallel and the per-call round trip goes), the
// results are kept in memory for the modules the run requires next and stored in the cache for the
// runs after (the same entries, same keys, as one file at a time). The output is byte for byte what
// transformSync gives each file (checked for all of them with esbuild 0.28; the build reads no
// tsconfig: tsconfigRaw is empty, like transform's).
// A module's code is still looked up at require time (by its stamp, else by its source text), so a
// file edited after the build is transpiled again; a file that changed while esbuild read it (its stamp or its text
// differs after the build) is left out of the batch. Not with --debug (the build would name
// each source map's file relative to it, transformSync names it absolute): then one file at a time.
// A stack's own modules, with their source maps, are batched too (transpileUserGraph below).
//
// A file whose version (its stamp: path, inode, size, modification and change times, see
// private-cache.js fileStamp) is the one its code was last looked up with goes straight to that
// entry: its source is not read nor hashed (5 MB of ocpkit's own sources in a checkout; any write
// of the file changes its stamp, so an edited file is looked up by its text again). The V8 cache
// of such a module is named by the code's hash the entry was checked with, not hashed again.
const OPTIONS = { loader: 'ts', format: 'cjs', target: 'node20', supported: { 'dynamic-import': false }, sourcesContent: false };
const ROOT = path.join(__dirname, '..') + path.sep;
const OWN_CODE = ['lib', 'imports'].map((d) => path.join(__dirname, '..', d) + path.sep);
const OWN_MODULES = realpath(path.join(__dirname, '..', 'node_modules')) + path.sep;
/**
 * Folders of JavaScript run with V8's code cache: this checkout's node_modules, ocpkit's compiled
 * build/ (what an installed package runs) and the folders its dependencies resolve to (in an
 * installed package they sit beside ocpkit in the consumer's node_modules, not inside it).
 */
let codeCacheDirs;
function dependencyCode(filename) {
  codeCacheDirs ??= [OWN_MODULES, realpath(path.join(__dirname, '..', 'build')) + path.sep, ...['cdk8s', 'cdk8s-plus-27', 'constructs', 'js-yaml', 'ajv'].map(packageDir).filter(Boolean)];
  return codeCacheDirs.some((d) => filename.startsWith(d)) && !filename.includes(`${path.sep}node_modules${path.sep}.cache${path.sep}`);
}

/** The folder (with a trailing separator) of a package as ocpkit resolves it, or undefined (found once per name). */
const PACKAGE_DIRS = new Map();
function packageDir(name) {
  if (!PACKAGE_DIRS.has(name)) PACKAGE_DIRS.set(name, findPackageDir(name));
  return PACKAGE_DIRS.get(name);
}

function findPackageDir(name) {
  try {
    let dir = path.dirname(require.resolve(name, { paths: [path.join(__dirname, '..')] }));
    while (dir !== path.dirname(dir)) {
      const pkg = path.join(dir, 'package.json');
      if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === name) return realpath(dir) + path.sep;
      dir = path.dirname(dir);
    }
  } catch {
    // not installed: its modules are compiled by Node
  }
  return undefined;
}
const MAP_ALL = process.argv.includes('--debug') || process.env.OCPKIT_DEBUG === '1';
const V8_TAG = process.versions.v8.replace(/[^0-9A-Za-z.-]/g, '_');

function realpath(p) {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

function ownCode(filename) {
  return OWN_CODE.some((d) => filename.startsWith(d));
}

function optionsFor(filename) {
  return MAP_ALL || !ownCode(filename) ? { ...OPTIONS, sourcemap: 'inline' } : OPTIONS;
}
let cacheDir;
let v8Dir;
let esbuild;
let salt;

function transpile(source, filename) {
  esbuild ??= require('esbuild');
  return esbuild.transformSync(source, { ...optionsFor(filename), sourcefile: filename }).code;
}

/** Every .ts file (not .d.ts) under `dir`, recursively; none when it cannot be read. */
function tsFiles(dir, out = []) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) tsFiles(file, out);
    else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(file);
  }
  return out;
}

/** Code of ocpkit's own modules transpiled by the one build, by cache key; undefined until it ran. */
let batch;

/**
 * Transpiles, in one esbuild build, every module of lib/ and imports/ whose entry is not in the
 * cache (all of them without a cache), keeps the code by key and stores it in the cache (see above).
 */
function transpileOwnCode() {
  batch = new Map();
  const todo = [];
  for (const filename of OWN_CODE.flatMap((d) => tsFiles(d))) {
    // cached under the stamp it has now: neither read nor transpiled
    const e = loadStamps() ? stamps.get(filename) : undefined;
    if (e && stampOf(filename) === e[0] && fs.existsSync(entryFile(e[1]))) continue;
    const m = moduleSource(filename);
    if (m && !m.cached) todo.push(m);
    else if (m) rememberStamp(filename, m.before, m.key);
  }
  buildBatch(todo, batch, { inlineMaps: false, base: ROOT });
}

/** `{ filename, key, before, source, cached }` of a module (`cached`: its code is in the cache); undefined when it cannot be read (its require says why). */
function moduleSource(filename) {
  try {
    const before = fileStamp(filename);
    const source = fs.readFileSync(filename, 'utf8');
    const key = keyOf(source, filename);
    return { filename, key, before, source, cached: Boolean(cacheDir) && fs.existsSync(entryFile(key)) };
  } catch {
    return undefined;
  }
}

/**
 * Transpiles modules (`moduleSource` entries) in one esbuild build and keeps the code of each in
 * `into` by key, and in the cache. `inlineMaps`: with inline source maps, named as transformSync
 * names them (see withSourceName). `base`: the folder output paths are relative to. A module that
 * changed while esbuild read it (its stamp or its text differs after the build) is left out;
 * with a syntax error anywhere nothing is kept, and each module is transpiled on its own (the
 * broken one says where). One module alone is not worth a build.
 */
function buildBatch(todo, into, { inlineMaps, base }) {
  if (todo.length < 2) return; // one file: transformSync is as quick
  esbuild ??= require('esbuild');
  let outputs;
  try {
    const { loader, ...options } = OPTIONS;
    outputs = esbuild.buildSync({
      ...options,
      ...(inlineMaps ? { sourcemap: 'inline' } : {}),
      loader: { '.ts': loader },
      tsconfigRaw: '{}',
      entryPoints: todo.map((t) => t.filename),
      outbase: base,
      outdir: base,
      bundle: false,
      write: false,
      logLevel: 'silent',
    }).outputFiles;
  } catch {
    return;
  }
  const code = new Map(outputs.map((o) => [o.path, o.text]));
  for (const { filename, key, before } of todo) {
    const built = code.get(`${filename.slice(0, -'.ts'.length)}.js`);
    const text = inlineMaps ? withSourceName(built, filename) : built;
    let same = false;
    try {
      // unchanged since it was read: the same stamp and the same text (a same-size rewrite within
      // one tick of the file system's clock keeps the stamp)
      same = fileStamp(filename) === before && keyOf(fs.readFileSync(filename, 'utf8'), filename) === key;
    } catch {
      // gone: its require says so
    }
    if (text === undefined || !same) continue;
    into.set(key, text);
    if (cacheDir) {
      writeEntry(entryFile(key), text);
      rememberStamp(filename, before, key);
    }
  }
}

function cacheDirs() {
  if (cacheDir === undefined) {
    const root = cacheRoot();
    // kept within bounds (private-cache.js keepWithin): a few versions of every module fit
    cacheDir = (root && privateDir(path.join(root, 'ts'), 64 * 1024 * 1024)) || false;
    v8Dir = (cacheDir && privateDir(path.join(root, 'v8'), 128 * 1024 * 1024)) || false;
  }
}

/** What every key of the transpile cache starts from: the cache format, esbuild's version and the options (made once). */
function cacheSalt() {
  salt ??= `${CACHE_FORMAT}\0${require('esbuild/package.json').version}\0${JSON.stringify(OPTIONS)}`;
  return salt;
}

function keyOf(source, filename) {
  // CACHE_FORMAT: bumped when what is stored under a key changes (2: a stack's modules in a package.json
  // of "type": "module" were batched with ESM interop, see batchable)
  return crypto.createHash('sha256').update(`${cacheSalt()}\0${JSON.stringify(optionsFor(filename))}\0${filename}\0${source}`).digest('hex');
}

function entryFile(key) {
  return path.join(cacheDir, `${key}.js`);
}

/** The code of a module by its source text (cache, build, or one transpile), with its cache key and the code's sha256. */
function cached(source, filename) {
  cacheDirs();
  const own = !MAP_ALL && ownCode(filename);
  const key = keyOf(source, filename);
  const hit = cacheDir ? readHashedEntry(entryFile(key)) : undefined;
  if (hit !== undefined) return { code: hit.body, key, sha256: hit.sha256 };
  if (own && batch === undefined) transpileOwnCode();
  if (!ownCode(filename) && !userScanned.has(filename)) transpileUserGraph(filename);
  const built = own ? batch.get(key) : userBatch.get(key);
  let code;
  if (built !== undefined) {
    (own ? batch : userBatch).delete(key); // stored by the build; a module is compiled once
    code = built;
  } else {
    code = transpile(source, filename);
    if (cacheDir) writeEntry(entryFile(key), code);
  }
  return { code, key, sha256: crypto.createHash('sha256').update(code).digest('hex') };
}

/** Code of the user's modules transpiled by a build of their import graph, by cache key. */
const userBatch = new Map();
/** User modules some build of an import graph has looked at (a later miss among them is not a new graph). */
const userScanned = new Set();
/** At most this many modules of the user's in one build (more are transpiled one by one). */
const USER_GRAPH_LIMIT = 500;
/** Relative module specifiers in import, export ... from, require() and import() (comments too: more is harmless). */
const RELATIVE_SPECIFIER = /\b(?:from|import|require)\s*\(?\s*(['"])(\.{1,2}\/[^'"\n]*)\1/g;
const MAP_PREFIX = '//# sourceMappingURL=data:application/json;base64,';
const CACHE_FORMAT = 'ocpkit-ts/2';

/** The .ts file a relative specifier names from `dir` as Node resolves it here (./x.ts, ./x, ./x/index), or undefined. */
function tsTarget(dir, spec) {
  const base = path.resolve(dir, spec);
  const candidates = base.endsWith('.ts') ? [base] : [`${base}.ts`, path.join(base, 'index.ts')];
  for (const c of candidates) {
    if (c.endsWith('.d.ts') || c.includes(`${path.sep}node_modules${path.sep}`) || ownCode(c)) continue;
    try {
      if (fs.statSync(c).isFile()) return c;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/**
 * The user's code (a stack and the modules it imports; not ocpkit's, not node_modules) is also
 * transpiled in one build: at the first of its modules not in the cache, the .ts files reachable
 * from it by relative imports (found by a plain text search, so a few more than needed at worst)
 * that are not cached either go through one esbuild build, kept in memory and in the cache like
 * ocpkit's own (one build instead of a process round trip per module: about 5 ms a module). The
 * build names each inline source map's file relative to it; the absolute name transformSync writes
 * is put back, so the code is byte for byte transformSync's. A module the search missed, changed
 * since it was read, or whose map is not the expected one is transpiled on its own as before.
 */
function transpileUserGraph(entry) {
  const todo = [];
  const queue = [entry];
  userScanned.add(entry);
  while (queue.length > 0 && todo.length < USER_GRAPH_LIMIT) {
    const filename = queue.shift();
    const found = moduleSource(filename);
    if (!found) continue;
    if (!found.cached && batchable(filename)) todo.push(found);
    for (const m of found.source.matchAll(RELATIVE_SPECIFIER)) {
      const target = tsTarget(path.dirname(filename), m[2]);
      if (target !== undefined && !userScanned.has(target)) {
        userScanned.add(target);
        queue.push(target);
      }
    }
  }
  buildBatch(todo, userBatch, { inlineMaps: true, base: path.parse(entry).root });
}

/**
 * True when a module of the user's gives the same code from the build as from transformSync:
 * its name is printable ASCII without a quote (names esbuild might escape differently from
 * JSON.stringify in the source map; a backslash it escapes alike), and no package.json above it
 * says `"type": "module"` (the build reads it and then imports with Node's ESM interop, so a
 * default import would get the whole module; transformSync reads no package.json).
 */
function batchable(filename) {
  return /^[\x20-\x7e]*$/.test(filename) && !filename.includes('"') && packageType(path.dirname(filename)) !== 'module';
}

/** The `type` of the nearest package.json at or above `dir` (undefined without one), by folder. */
const PACKAGE_TYPES = new Map();
function packageType(dir) {
  if (PACKAGE_TYPES.has(dir)) return PACKAGE_TYPES.get(dir);
  let type;
  const file = path.join(dir, 'package.json');
  if (fs.existsSync(file)) {
    try {
      const t = JSON.parse(fs.readFileSync(file, 'utf8')).type;
      type = typeof t === 'string' ? t : undefined;
    } catch {
      type = 'unreadable'; // not batched: Node and esbuild may read it differently
    }
  } else {
    const parent = path.dirname(dir);
    type = parent === dir ? undefined : packageType(parent);
  }
  PACKAGE_TYPES.set(dir, type);
  return type;
}

/**
 * A build's output with its inline source map naming `filename` (absolute) as its one source, as
 * transformSync names it; undefined when the map is not the single-source map expected.
 */
function withSourceName(text, filename) {
  if (text === undefined) return undefined;
  const at = text.lastIndexOf(MAP_PREFIX);
  if (at < 0) return undefined;
  const rest = text.slice(at + MAP_PREFIX.length);
  const encoded = rest.trimEnd();
  let json;
  let map;
  try {
    json = Buffer.from(encoded, 'base64').toString('utf8');
    map = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!Array.isArray(map.sources) || map.sources.length !== 1) return undefined;
  const found = /"sources":(\s*)(\[[^\]]*\])/.exec(json);
  if (!found || found[2] !== JSON.stringify(map.sources)) return undefined;
  const fixed = `${json.slice(0, found.index)}"sources":${found[1]}${JSON.stringify([filename])}${json.slice(found.index + found[0].length)}`;
  return `${text.slice(0, at)}${MAP_PREFIX}${Buffer.from(fixed, 'utf8').toString('base64')}${rest.slice(encoded.length)}`;
}

/**
 * The stamp index: for each .ts file, the stamp its code was last looked up with and that code's
 * cache key (one entry per file, written on exit when it changed). Undefined until first used;
 * false without a cache.
 */
let stamps;
let stampsChanged = false;

function stampsFile() {
  return path.join(cacheDir, `${crypto.createHash('sha256').update(`${cacheSalt()}\0stamp index`).digest('hex')}.stamps.json`);
}

function loadStamps() {
  if (stamps !== undefined) return stamps;
  cacheDirs();
  stamps = false;
  if (!cacheDir) return stamps;
  stamps = new Map();
  try {
    const text = readEntry(stampsFile());
    const data = text === undefined ? undefined : JSON.parse(text);
    if (data && typeof data === 'object') {
      for (const [file, e] of Object.entries(data)) if (Array.isArray(e) && typeof e[0] === 'string' && /^[0-9a-f]{64}$/.test(e[1])) stamps.set(file, e);
    }
  } catch {
    // unreadable: every file is looked up by its text, and the index written anew
  }
  return stamps;
}

function stampOf(filename) {
  try {
    return fileStamp(filename);
  } catch {
    return undefined;
  }
}

/** The cached code of a file whose stamp is the one its code was last looked up with, with its sha256; else undefined. */
function byStamp(filename) {
  if (MAP_ALL || !loadStamps()) return undefined;
  const e = stamps.get(filename);
  if (!e || stampOf(filename) !== e[0]) return undefined;
  return readHashedEntry(entryFile(e[1]));
}

/** At most this many files in the stamp index (the least recently remembered go first). */
const MAX_STAMPS = 4096;

function rememberStamp(filename, stamp, key) {
  if (MAP_ALL || !settledStamp(stamp) || !loadStamps()) return;
  const e = stamps.get(filename);
  if (e && e[0] === stamp && e[1] === key) return;
  stamps.delete(filename); // (re)inserted last: the most recently remembered
  stamps.set(filename, [stamp, key]);
  if (!stampsChanged) process.once('exit', writeStamps);
  stampsChanged = true;
}

function writeStamps() {
  try {
    // files that are gone leave the index, and it keeps the most recently remembered
    const kept = [...stamps].filter(([file]) => fs.existsSync(file)).slice(-MAX_STAMPS);
    writeEntry(stampsFile(), JSON.stringify(Object.fromEntries(kept)));
  } catch {
    // best effort: the next run looks files up by their text
  }
}

/** Scripts compiled without a usable code cache, by the name of the file their cache goes to (written on exit). */
const pendingCodeCaches = new Map();
/** Scripts compiled with a code cache that a run other than a synth made, by the same name. */
const partialCodeCaches = new Map();
let exitHooked = false;
/** Set by {@link FULL_RUN}: this process ran a synth. */
let fullRun = false;

/**
 * A code cache holds the functions V8 had compiled when it was made, and V8 keeps using it as it
 * is: a module whose cache an `ocpkit --help` or `ocpkit init` made (which load most of the
 * library and run little of it) would compile the rest of its functions in every later synth,
 * about 50 ms of the reference stack's warm synth. So a cache is named after the run that made it:
 * `<key>.full.<v8>.v8` by a run that synthesized (the synth command says so through
 * `globalThis[Symbol.for('ocpkit.run-ts.full-run')]`), `<key>.<v8>.v8` by any other run. The full
 * one is looked up first, and a synth writes the full cache of every module whose cache came from
 * another run (once: then it has one).
 */
const FULL_RUN = Symbol.for('ocpkit.run-ts.full-run');
globalThis[FULL_RUN] ??= () => {
  fullRun = true;
};

function codeCacheFile(key, full) {
  return path.join(v8Dir, `${key}.${full ? 'full.' : ''}${V8_TAG}.v8`);
}

function writeCodeCaches() {
  const write = (key, script) => {
    try {
      writeBinaryEntry(codeCacheFile(key, fullRun), script.createCachedData());
    } catch {
      // best effort: the next run compiles again
    }
  };
  for (const [key, script] of pendingCodeCaches) write(key, script);
  if (fullRun) for (const [key, script] of partialCodeCaches) write(key, script);
  pendingCodeCaches.clear();
  partialCodeCaches.clear();
}

/** `require` of a module, as Node's own loader gives it (lib/internal/modules/helpers.js makeRequireFunction). */
function requireOf(module) {
  const require = (id) => module.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/**
 * Runs a module's code compiled with V8's code cache (see above); false when it must go through
 * Node's own compile: no private cache, or code with a source map Node should register.
 */
function runWithCodeCache(module, code, filename, codeHash, stamp) {
  cacheDirs();
  if (!v8Dir || code.includes('//# sourceMappingURL=data:') && !dependencyCode(filename)) return false;
  // named by the file and its code: the code's hash when the caller has it (a checked cache entry),
  // else the file's stamp (read after it), else the code itself
  const name = codeHash !== undefined ? `${filename}\0sha256:${codeHash}` : stamp !== undefined ? `${filename}\0stamp:${stamp}` : `${filename}\0${code}`;
  const key = crypto.createHash('sha256').update(name).digest('hex');
  const compile = (cachedData) => new vm.Script(Module.wrap(code), {
    filename,
    cachedData,
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const full = readBinaryEntry(codeCacheFile(key, true));
  let fromFull = full !== undefined;
  let script;
  try {
    script = compile(full ?? readBinaryEntry(codeCacheFile(key, false)));
    if (fromFull && script.cachedDataRejected) {
      // V8 rejects a cache made under other V8 flags (e.g. --max-old-space-size in NODE_OPTIONS):
      // this run's own kind may still be usable
      fromFull = false;
      const plain = readBinaryEntry(codeCacheFile(key, false));
      if (plain !== undefined) script = compile(plain);
    }
  } catch {
    return false; // not CommonJS (an ES module, a #! line): Node's own loader knows what to do or say
  }
  const usable = script.cachedDataRejected === false;
  if (!usable || !fromFull) {
    if (!exitHooked) process.once('exit', writeCodeCaches);
    exitHooked = true;
    (usable ? partialCodeCaches : pendingCodeCaches).set(key, script);
  }
  const fn = script.runInThisContext({ displayErrors: true });
  fn.call(module.exports, module.exports, requireOf(module), module, filename, path.dirname(filename));
  return true;
}

/**
 * A stand-in for a module a dependency requires when it loads but ocpkit's synth never uses: the
 * module is loaded at the first use of the stand-in, and every use goes to it.
 *
 * The one such module: cdk8s' lib/yaml.js requires its bundled `yaml` package (72 modules) at load
 * time, for cdk8s' Yaml.load/stringify, Include, Helm and App.synth's output, none of which ocpkit's
 * synth calls (it writes YAML itself). cdk8s 2.70 reads it as `YAML.stringify(...)` and
 * `YAML.parseAllDocuments(...)` only, through TypeScript's __importStar, which hands over a module
 * flagged `__esModule` as it is: the stand-in says so, so nothing is loaded until cdk8s uses it.
 * Measured on the reference stack: 12 ms of a warm synth, 22 ms of a cold one.
 * OCPKIT_LAZY_MODULES=off loads it when cdk8s asks, as Node would.
 */
function lazyModule(load) {
  let real;
  const target = () => (real ??= load());
  const flagged = (key) => key === '__esModule' && !Object.prototype.hasOwnProperty.call(target(), key);
  return new Proxy(Object.create(null), {
    // an ES module's interop flag, so TypeScript's __importStar hands the stand-in over as it is
    get: (_, key) => (key === '__esModule' ? true : Reflect.get(target(), key)),
    has: (_, key) => key === '__esModule' || Reflect.has(target(), key),
    ownKeys: () => [...Reflect.ownKeys(target()), ...(flagged('__esModule') ? ['__esModule'] : [])],
    getOwnPropertyDescriptor: (_, key) => {
      if (flagged(key)) return { value: true, writable: false, enumerable: false, configurable: true };
      const d = Reflect.getOwnPropertyDescriptor(target(), key);
      return d && { ...d, configurable: true }; // the empty target holds nothing non-configurable
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(target()),
    set: (_, key, value) => Reflect.set(target(), key, value),
    // what a Proxy over an empty target cannot promise is refused (a TypeError), never half done
    defineProperty: (_, key, d) => d.configurable !== false && Reflect.defineProperty(target(), key, d),
    deleteProperty: (_, key) => Reflect.deleteProperty(target(), key),
    preventExtensions: () => false,
    isExtensible: () => true,
  });
}

const LAZY_HOOK = Symbol.for('ocpkit.run-ts.lazy-modules');
if (process.env.OCPKIT_LAZY_MODULES !== 'off' && !Module[LAZY_HOOK]) {
  const cdk8s = packageDir('cdk8s');
  const cdk8sYaml = cdk8s && path.join(cdk8s, 'lib', 'yaml.js');
  if (cdk8sYaml) {
    Module[LAZY_HOOK] = true;
    const load = Module._load;
    Module._load = function lazyLoad(request, parent, isMain) {
      if (request === 'yaml' && parent?.filename === cdk8sYaml) return lazyModule(() => load.call(this, request, parent, isMain));
      return load.call(this, request, parent, isMain);
    };
  }
}

if (!Module._extensions['.ts']) {
  process.setSourceMapsEnabled(true);
  Module._extensions['.ts'] = function compileTs(module, filename) {
    let code;
    let codeHash;
    const known = byStamp(filename);
    if (known) {
      code = known.body;
      codeHash = known.sha256;
    } else {
      // the stamp first: a file that changes while it is read keeps no entry under its new stamp
      const stamp = stampOf(filename);
      const found = cached(fs.readFileSync(filename, 'utf8'), filename);
      code = found.code;
      codeHash = found.sha256; // (its V8 cache is named by the code's hash on either path)
      if (stamp !== undefined) rememberStamp(filename, stamp, found.key);
    }
    if (MAP_ALL || !ownCode(filename) || !runWithCodeCache(module, code, filename, codeHash)) module._compile(code, filename);
  };
  // The JavaScript of ocpkit's own dependencies (cdk8s, cdk8s-plus-27, constructs, ajv, js-yaml) and
  // of its build/ (an installed package): run with V8's code cache (dependencyCode above);
  // their inline source maps (cdk8s ships them) are not registered, so an error inside them is
  // reported at the JavaScript line; --debug keeps Node's own path.
  const compileJs = Module._extensions['.js'];
  if (!MAP_ALL && process.env.OCPKIT_CODE_CACHE !== 'off') {
    Module._extensions['.js'] = function compileDependency(module, filename) {
      if (!dependencyCode(filename)) return compileJs(module, filename);
      // its V8 cache is named by the file's stamp, taken before the read (a file that changes while
      // it is read gets a cache no later run looks up), so megabytes of code are not hashed each
      // run; a file changed in the last two seconds by its code (private-cache.js settledStamp)
      const stamp = stampOf(filename);
      return runWithCodeCache(module, fs.readFileSync(filename, 'utf8'), filename, undefined, stamp !== undefined && settledStamp(stamp) ? stamp : undefined) || compileJs(module, filename);
    };
  }
}

/** For tests. */
module.exports = { lazyModule };

if (require.main === module) {
  const [script, ...rest] = process.argv.slice(2);
  if (!script) {
    process.stderr.write('usage: node bin/run-ts.js FILE.ts [ARGS...]\n');
    process.exit(2);
  }
  process.argv = [process.argv[0], script, ...rest];
  require(require('path').resolve(script));
}
