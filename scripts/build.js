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

// One build at a time: a slower build could write outputs of older sources after a later one
// compiled, and the later one's record would vouch for them. The lock file holds the builder's
// pid, created whole (a link of a complete file); a lock whose process is gone is broken.
const LOCK = path.join(root, 'build', '.ocpkit-build.lock');
const WAIT_MS = 10 * 60_000;

function holderOf(file) {
  try {
    return Number(fs.readFileSync(file, 'utf8').trim());
  } catch (e) {
    return e.code === 'ENOENT' ? undefined : NaN;
  }
}

function alive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Moves a dead builder's lock away; puts it back if a live builder took the lock meanwhile. */
function breakLock(dead) {
  const aside = `${LOCK}.${process.pid}.stale`;
  try {
    fs.renameSync(LOCK, aside); // one breaker wins; the others find no lock
  } catch {
    return;
  }
  if (holderOf(aside) !== dead) {
    try {
      fs.linkSync(aside, LOCK);
    } catch {
      // another builder holds it now: it was not ours to break, and it is not lost
    }
  }
  fs.rmSync(aside, { force: true });
}

function lock() {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  const mine = `${LOCK}.${process.pid}.tmp`;
  fs.writeFileSync(mine, `${process.pid}\n`);
  const deadline = Date.now() + WAIT_MS;
  let told = false;
  try {
    for (;;) {
      try {
        fs.linkSync(mine, LOCK);
        break;
      } catch (e) {
        if (e.code !== 'EEXIST') throw e;
      }
      const holder = holderOf(LOCK);
      if (holder === undefined) continue; // released meanwhile
      if (!alive(holder)) {
        breakLock(holder);
        continue;
      }
      if (Date.now() > deadline) {
        process.stderr.write(`build: process ${holder} has been building for over ${WAIT_MS / 60_000} minutes (${path.relative(root, LOCK)}); stop it or remove the file\n`);
        process.exit(1);
      }
      if (!told) process.stderr.write(`build: waiting for the build of process ${holder} to finish\n`);
      told = true;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  } finally {
    fs.rmSync(mine, { force: true });
  }
  process.on('exit', () => {
    if (holderOf(LOCK) === process.pid) fs.rmSync(LOCK, { force: true });
  });
}

lock();
let status = node([path.join(__dirname, 'prune-build.js')]);
if (status === 0) {
  const intact = state.outputsIntact(root);
  state.forget(root);
  if (!intact) fs.rmSync(path.join(root, 'build', '.tsbuildinfo'), { force: true });
  const before = state.snapshot(root);
  status = node([path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
  const recorded = status === 0 ? state.record(root, before) : 'tsc failed';
  if (status === 0 && recorded !== true) {
    process.stdout.write(`build: not recorded as the compiled form of the sources (${recorded}): the CLI runs the sources until the next build\n`);
  }
}
process.exitCode = status;
