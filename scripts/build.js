#!/usr/bin/env node
'use strict';
// `npm run build` (and `prepare`): prunes outputs whose source is gone (prune-build.js), compiles
// with `tsc -p tsconfig.build.json` and, when tsc succeeds and no input changed meanwhile, records
// what build/ was compiled from (bin/build-state.js), so the CLI in this checkout runs build/
// while it is the compiled form of the sources. tsc's exit code is this script's.
// tsc's incremental build (build/.tsbuildinfo) re-emits only the sources it thinks changed: an
// output edited or deleted since would stay. So unless build/ is exactly as the last record left
// it, the build info goes first and tsc emits everything.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const state = require('../bin/build-state');

const root = path.resolve(__dirname, '..');
const node = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

let status = node([path.join(__dirname, 'prune-build.js')]);
if (status === 0) {
  const intact = state.outputsIntact(root);
  state.forget(root);
  if (!intact) fs.rmSync(path.join(root, 'build', '.tsbuildinfo'), { force: true });
  const before = state.snapshot(root);
  status = node([path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
  if (status === 0 && !state.record(root, before)) {
    process.stdout.write('build: an input changed during the build; the CLI runs the sources until the next build\n');
  }
}
process.exitCode = status;
