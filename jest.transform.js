'use strict';
// Jest transform for TypeScript: esbuild strips the types (same loader as bin/run-ts.js).
// `npm test` type-checks with tsc first. SWC and Jest 30 are not used: their native platform
// packages are incomplete on the registry this project installs from, which breaks `npm ci`.
const esbuild = require('esbuild');

module.exports = {
  process(source, filename) {
    const out = esbuild.transformSync(source, {
      loader: 'ts',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: filename,
    });
    return { code: out.code };
  },
};
