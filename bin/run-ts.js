'use strict';
// Minimal TypeScript loader for the CLI and scripts: transpiles .ts files with esbuild on require.
// It exists because ts-node does not work with TypeScript 7 (no JS compiler API); esbuild only
// strips types, so `npm test` runs `tsc --noEmit` (TypeScript 5.9, pinned) for the type-check.
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const { cacheRoot, privateDir, readEntry, writeEntry } = require('./private-cache');

// Transpiled files are kept in a private cache folder (<cache root>/ts, see private-cache.js;
// OCPKIT_CACHE_DIR=off disables it), keyed by source text, file name, options and esbuild
// version, so a run that changed nothing does not start esbuild at all (about a third of a
// second for the CLI). Inline source maps make stack traces and error locations point at the
// TypeScript line: for the user's own files always (their errors are reported with file:line),
// for ocpkit's own lib/ only with --debug / OCPKIT_DEBUG=1 (Node parses every map it is given,
// about 0.15 s for ocpkit's modules, which an ordinary run never needs). `import()` is lowered
// to require so .ts modules loaded that way also go through this loader.
const OPTIONS = { loader: 'ts', format: 'cjs', target: 'node20', supported: { 'dynamic-import': false } };
const OWN_LIB = path.join(__dirname, '..', 'lib') + path.sep;
const MAP_ALL = process.argv.includes('--debug') || process.env.OCPKIT_DEBUG === '1';

function optionsFor(filename) {
  return MAP_ALL || !filename.startsWith(OWN_LIB) ? { ...OPTIONS, sourcemap: 'inline' } : OPTIONS;
}
let cacheDir;
let esbuild;
let salt;

function transpile(source, filename) {
  esbuild ??= require('esbuild');
  return esbuild.transformSync(source, { ...optionsFor(filename), sourcefile: filename }).code;
}

function cached(source, filename) {
  if (cacheDir === undefined) {
    const root = cacheRoot();
    cacheDir = (root && privateDir(path.join(root, 'ts'))) || false;
  }
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

if (!Module._extensions['.ts']) {
  process.setSourceMapsEnabled(true);
  Module._extensions['.ts'] = function compileTs(module, filename) {
    module._compile(cached(fs.readFileSync(filename, 'utf8'), filename), filename);
  };
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
