'use strict';
// Minimal TypeScript loader for the CLI and scripts: transpiles .ts files with esbuild on require.
// It exists because ts-node does not work with TypeScript 7 (no JS compiler API); esbuild only
// strips types, so `npm test` runs `tsc --noEmit` (TypeScript 5.9, pinned) for the type-check.
const fs = require('fs');
const Module = require('module');
const esbuild = require('esbuild');

if (!Module._extensions['.ts']) {
  Module._extensions['.ts'] = function compileTs(module, filename) {
    const source = fs.readFileSync(filename, 'utf8');
    const out = esbuild.transformSync(source, {
      loader: 'ts',
      format: 'cjs',
      target: 'node20',
      sourcefile: filename,
    });
    module._compile(out.code, filename);
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
