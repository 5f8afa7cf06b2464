#!/usr/bin/env node
'use strict';
// Entry point. Whatever happens, the user sees one line and a documented exit code (see
// `ocpkit --help`); the stack trace only with --debug or OCPKIT_DEBUG=1.
const { safeMessage, safeStack } = require('./safe-message');

const debug = process.argv.includes('--debug') || process.env.OCPKIT_DEBUG === '1';

function fatal(e) {
  try {
    process.stderr.write(`ocpkit: internal error: ${safeMessage(e)}; ${debug ? 'stack trace follows' : 'rerun with --debug for the stack trace'}\n`);
    const stack = debug ? safeStack(e) : undefined;
    if (stack) process.stderr.write(`${stack}\n`);
  } finally {
    process.exit(4);
  }
}

// Errors that escape every command's handler (a callback, a stream, a stray promise) still end as one line.
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

// Installed as a package, the CLI runs the compiled JavaScript in build/ (`npm run build`; the
// package's `files` ship build/ and no TypeScript sources). In this repository, where the sources
// are (lib/cli/main.ts), it runs build/ too while that is the compiled form of exactly these
// sources (`npm run build` records what it compiled, bin/build-state.js), and a stack here that
// imports ../../lib gets build/lib's modules; once a source changes it runs the sources through
// the TypeScript loader, so an edit needs no rebuild. OCPKIT_FROM_BUILD=1 runs build/ whatever
// the sources (to try what a package would run; a stack here gets build/lib's modules too),
// OCPKIT_FROM_BUILD=0 always the sources (with --debug, stack traces then name TypeScript lines).
// --debug itself does not switch: it shows the trace of the code that failed. Either way the
// loader is registered: the user's stack module is TypeScript.
function entryPoint() {
  const path = require('path');
  const fs = require('fs');
  const root = path.join(__dirname, '..');
  const source = path.join(root, 'lib', 'cli', 'main.ts');
  const built = path.join(root, 'build', 'lib', 'cli', 'main.js');
  if (!fs.existsSync(built)) return source;
  if (!fs.existsSync(source)) return built;
  const choice = process.env.OCPKIT_FROM_BUILD;
  if (choice === '0') return source;
  const state = require('./build-state');
  const outputs = state.currentBuild(root) ?? (choice === '1' ? state.builtOutputs(root) : undefined);
  if (!outputs) return source;
  state.runFromBuild(root, outputs);
  return built;
}

let main;
try {
  require('./run-ts');
  ({ main } = require(entryPoint()));
} catch (e) {
  fatal(e);
}
main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, fatal);
