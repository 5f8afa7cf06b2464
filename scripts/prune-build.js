#!/usr/bin/env node
'use strict';
// Runs before `tsc -p tsconfig.build.json` (npm run build / prepare). tsc's incremental build never
// deletes the output of a source that was renamed or removed (build/lib/openshift/workload.js
// outlived lib/openshift/workload.ts), and package.json's `files` would pack it. This removes every
// .js / .d.ts under build/lib, build/imports and build/bin whose source (.ts, or .js for bin/) is
// gone, and the build info when it removed anything, so tsc rebuilds what depended on it.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
let removed = 0;

function prune(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const out = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      prune(out);
      if (fs.readdirSync(out).length === 0) fs.rmdirSync(out);
      continue;
    }
    const m = /^(.*?)(\.d\.ts|\.js)$/.exec(entry.name);
    if (!m) continue;
    const rel = path.relative(path.join(root, 'build'), path.join(dir, m[1]));
    const sources = [`${rel}.ts`, `${rel}.js`].map((s) => path.join(root, s));
    if (!sources.some((s) => fs.existsSync(s))) {
      fs.rmSync(out);
      removed++;
    }
  }
}

for (const d of ['lib', 'imports', 'bin']) prune(path.join(root, 'build', d));
if (removed > 0) {
  fs.rmSync(path.join(root, 'build', '.tsbuildinfo'), { force: true });
  process.stdout.write(`prune-build: removed ${removed} output file(s) whose source is gone\n`);
}
