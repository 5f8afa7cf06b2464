'use strict';
// Minimal TypeScript loader for the CLI and scripts: transpiles .ts files with esbuild on require.
// It exists because ts-node does not work with TypeScript 7 (no JS compiler API); esbuild only
// strips types, so `npm test` runs `tsc --noEmit` (TypeScript 5.9, pinned) for the type-check.
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');
const { cacheRoot, privateDir, readEntry, writeEntry, readBinaryEntry, writeBinaryEntry } = require('./private-cache');

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
const OPTIONS = { loader: 'ts', format: 'cjs', target: 'node20', supported: { 'dynamic-import': false }, sourcesContent: false };
const ROOT = path.join(__dirname, '..') + path.sep;
const OWN_CODE = ['lib', 'imports'].map((d) => path.join(__dirname, '..', d) + path.sep);
const OWN_MODULES = realpath(path.join(__dirname, '..', 'node_modules')) + path.sep;
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

function cacheDirs() {
  if (cacheDir === undefined) {
    const root = cacheRoot();
    cacheDir = (root && privateDir(path.join(root, 'ts'))) || false;
    v8Dir = (cacheDir && privateDir(path.join(root, 'v8'))) || false;
  }
}

function cached(source, filename) {
  cacheDirs();
  if (!cacheDir) return transpile(source, filename);
  salt ??= `${require('esbuild/package.json').version}\0${JSON.stringify(OPTIONS)}`;
  const key = crypto.createHash('sha256').update(`${salt}\0${JSON.stringify(optionsFor(filename))}\0${filename}\0${source}`).digest('hex');
  const file = path.join(cacheDir, `${key}.js`);
  const hit = readEntry(file);
  if (hit !== undefined) return hit;
  const code = transpile(source, filename);
  writeEntry(file, code);
  return code;
}

/** Scripts compiled without a usable code cache, by the file their cache goes to (written on exit). */
const pendingCodeCaches = new Map();
let exitHooked = false;

function writeCodeCaches() {
  for (const [file, script] of pendingCodeCaches) {
    try {
      writeBinaryEntry(file, script.createCachedData());
    } catch {
      // best effort: the next run compiles again
    }
  }
  pendingCodeCaches.clear();
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
function runWithCodeCache(module, code, filename) {
  cacheDirs();
  if (!v8Dir || code.includes('//# sourceMappingURL=data:') && !filename.startsWith(OWN_MODULES)) return false;
  const key = crypto.createHash('sha256').update(`${filename}\0${code}`).digest('hex');
  const file = path.join(v8Dir, `${key}.${V8_TAG}.v8`);
  const cachedData = readBinaryEntry(file);
  let script;
  try {
    script = new vm.Script(Module.wrap(code), {
      filename,
      cachedData,
      importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
  } catch {
    return false; // not CommonJS (an ES module, a #! line): Node's own loader knows what to do or say
  }
  if (cachedData === undefined || script.cachedDataRejected) {
    if (!exitHooked) process.once('exit', writeCodeCaches);
    exitHooked = true;
    pendingCodeCaches.set(file, script);
  }
  const fn = script.runInThisContext({ displayErrors: true });
  fn.call(module.exports, module.exports, requireOf(module), module, filename, path.dirname(filename));
  return true;
}

if (!Module._extensions['.ts']) {
  process.setSourceMapsEnabled(true);
  Module._extensions['.ts'] = function compileTs(module, filename) {
    const code = cached(fs.readFileSync(filename, 'utf8'), filename);
    if (MAP_ALL || !ownCode(filename) || !runWithCodeCache(module, code, filename)) module._compile(code, filename);
  };
  // The JavaScript of ocpkit's own dependencies (cdk8s, cdk8s-plus-27, constructs, ajv, js-yaml):
  // their inline source maps (cdk8s ships them) are not registered, so an error inside them is
  // reported at the JavaScript line; --debug keeps Node's own path.
  const compileJs = Module._extensions['.js'];
  if (!MAP_ALL && process.env.OCPKIT_CODE_CACHE !== 'off') {
    Module._extensions['.js'] = function compileDependency(module, filename) {
      if (!filename.startsWith(OWN_MODULES) || filename.slice(OWN_MODULES.length).includes(`${path.sep}node_modules${path.sep}.cache`)) return compileJs(module, filename);
      return runWithCodeCache(module, fs.readFileSync(filename, 'utf8'), filename) || compileJs(module, filename);
    };
  }
}

if (require.main === module) {
  const [script, ...rest] = process.argv.slice(2);
  if (!script) {
    process.stderr.write('usage: node bin/run-ts.js FILE.ts [ARGS...]\n');
    process.exit(2);
  }
  process.argv = [process.argv[0], script, ...rest];
  require(require('path').resolve(script));
}
