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

let main;
try {
  require('./run-ts');
  ({ main } = require('../lib/cli/main.ts'));
} catch (e) {
  fatal(e);
}
main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, fatal);
