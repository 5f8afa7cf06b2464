'use strict';
// Minimal TypeScript loader for the CLI and scripts: transpiles .ts files with esbuild on require.
// It exists because ts-node does not work with TypeScript 7 (no JS compiler API); esbuild only
// strips types, so `npm test` runs `tsc --noEmit` (TypeScript 5.9, pinned) for the type-check.
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');

// Transpiled files are kept in node_modules/.cache/ocpkit/ts (OCPKIT_CACHE_DIR/ts; `off` disables),
// keyed by source text, file name, options and esbuild version, so a run that changed nothing
// does not start esbuild at all (about a third of a second for the CLI).
// `import()` is lowered to require so .ts modules loaded that way also go through this loader.
const OPTIONS = { loader: 'ts', format: 'cjs', target: 'node20', supported: { 'dynamic-import': false } };
const cacheDir = (() => {
  const env = process.env.OCPKIT_CACHE_DIR;
  if (env === 'off') return undefined;
  if (env) return path.join(path.resolve(env), 'ts');
  return path.join(__dirname, '..', 'node_modules', '.cache', 'ocpkit', 'ts');
})();
let esbuild;
let salt;

function transpile(source, filename) {
  esbuild ??= require('esbuild');
  return esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename }).code;
}

function cached(source, filename) {
  if (!cacheDir) return transpile(source, filename);
  salt ??= `${require('esbuild/package.json').version}\0${JSON.stringify(OPTIONS)}`;
  const key = crypto.createHash('sha256').update(`${salt}\0${filename}\0${source}`).digest('hex');
  const file = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    // not cached yet
  }
  const code = transpile(source, filename);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
  } catch {
    try { fs.rmSync(tmp, { force: true }); } catch { /* best effort */ }
  }
  return code;
}

if (!Module._extensions['.ts']) {
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
