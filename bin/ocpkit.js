#!/usr/bin/env node
'use strict';
require('./run-ts');
const { main } = require('../lib/cli/main.ts');
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
