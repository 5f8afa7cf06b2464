#!/usr/bin/env node
'use strict';
// `npm run build` (and `prepare`): prunes outputs whose source is gone (prune-build.js), compiles
// with `tsc -p tsconfig.build.json` and, when tsc succeeds and no input changed meanwhile, records
// what build/ was compiled from (bin/build-state.js), so the CLI in this checkout runs build/
// while it is the compiled form of the sources. tsc's exit code is this script's.
// tsc's incremental build (build/.tsbuildinfo) re-emits only the sources it thinks changed: an
// output edited or deleted since would stay. So unless build/ is exactly as the last record left
// it, the build info goes first and tsc emits everything.
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const state = require('../bin/build-state');

const root = path.resolve(__dirname, '..');
/** The child running now (prune-build.js, then tsc): a signal that stops the build is passed on to it. */
let running;
/** Runs a Node script to its end; its exit code (1 when it was stopped by a signal). */
function node(args) {
  return new Promise((resolve) => {
    running = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
    running.on('error', () => resolve(1));
    running.on('close', (code) => {
      running = undefined;
      resolve(code ?? 1);
    });
  });
}

// One build at a time: a slower build could write outputs of older sources after a later one
// compiled, and the later one's record would vouch for them. The lock file names its builder (pid
// and, where /proc tells, the process's start time: a pid is reused, in a container even by the
// next build), created whole (a link of a complete file). A lock whose builder is gone is broken;
// a build stopped by a signal removes its lock first.
const LOCK = path.join(root, 'build', '.ocpkit-build.lock');
const WAIT_MS = 10 * 60_000;

/** The start time of a process (field 22 of /proc/<pid>/stat), or undefined where /proc does not tell. */
function startTime(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const ME = `${process.pid} ${startTime(process.pid) ?? ''}`.trim();

/** `{ pid, start, ino }` of the lock in `file`; undefined when there is none; pid NaN when unreadable. */
function holderOf(file) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const [pid, start] = fs.readFileSync(fd, 'utf8').trim().split(' ');
    return { pid: Number(pid), start, ino: fs.fstatSync(fd).ino };
  } catch (e) {
    return e.code === 'ENOENT' ? undefined : { pid: NaN };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function alive(holder) {
  const { pid, start } = holder;
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false; // not a builder; or this one's, from before an exec
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (e.code !== 'EPERM') return false;
  }
  const now = start === undefined ? undefined : startTime(pid);
  return now === undefined || now === start;
}

/** Moves the lock of a builder that is gone away; puts it back when it turns out to be another lock (taken meanwhile). */
function breakLock(dead) {
  const aside = `${LOCK}.${process.pid}.stale`;
  try {
    fs.renameSync(LOCK, aside); // one breaker wins; the others find no lock
  } catch {
    return;
  }
  try {
    if (fs.statSync(aside).ino !== dead.ino) fs.linkSync(aside, LOCK);
  } catch {
    // (a third builder linked its lock in between: two locks cannot both be put back)
  }
  fs.rmSync(aside, { force: true });
}

function lock() {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  const mine = `${LOCK}.${process.pid}.tmp`;
  fs.writeFileSync(mine, `${ME}\n`);
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
      const gone = !alive(holder);
      if (gone) breakLock(holder);
      else if (!told) {
        process.stderr.write(`build: waiting for the build of process ${holder.pid} to finish\n`);
        told = true;
      }
      if (Date.now() > deadline) {
        process.stderr.write(`build: process ${holder.pid} has been building for over ${WAIT_MS / 60_000} minutes (${path.relative(root, LOCK)}); stop it or remove the file\n`);
        fs.rmSync(mine, { force: true });
        process.exit(1);
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, gone ? 20 : 200);
    }
  } finally {
    fs.rmSync(mine, { force: true });
  }
  const release = () => {
    try {
      if (fs.readFileSync(LOCK, 'utf8').trim() === ME) fs.rmSync(LOCK, { force: true });
    } catch {
      // gone already
    }
  };
  process.on('exit', release);
  // stopped: the child goes too, the lock is released, and the exit code says which signal (128 + its number)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      running?.kill(signal);
      release();
      process.exit(128 + os.constants.signals[signal]);
    });
  }
}

async function build() {
  lock();
  let status = await node([path.join(__dirname, 'prune-build.js')]);
  if (status !== 0) return status;
  const intact = state.outputsIntact(root);
  state.forget(root);
  if (!intact) fs.rmSync(path.join(root, 'build', '.tsbuildinfo'), { force: true });
  const before = state.snapshot(root);
  status = await node([path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
  const recorded = status === 0 ? state.record(root, before) : 'tsc failed';
  if (status === 0 && recorded !== true) {
    process.stdout.write(`build: not recorded as the compiled form of the sources (${recorded}): the CLI runs the sources until the next build\n`);
  }
  return status;
}

build().then((status) => {
  process.exitCode = status;
});
