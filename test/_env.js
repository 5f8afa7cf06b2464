// Jest setupFiles: runs in every test file's environment before its tests.
// `ocpkit synth` type-checks the stack unless OCPKIT_TYPECHECK=0. Most tests spawn synth for other
// reasons (output folders, errors, diffs), many with the cache off (OCPKIT_CACHE_DIR=off), and would
// each pay a cold TypeScript check of ocpkit's sources (10-20 s on 2 cores): they inherit
// OCPKIT_TYPECHECK=0 from here. The tests of the check itself (test/cli/synth-modes.test.ts) and the
// package test of a consumer repository (test/package/package-e2e.test.ts) turn it back on.
if (process.env.OCPKIT_TYPECHECK === undefined) process.env.OCPKIT_TYPECHECK = '0';
// In this repository the CLI runs build/ when `npm run build` recorded it as the compiled form of
// the sources (bin/build-state.js), which depends on what was built and edited here: spawned CLIs
// run the sources (OCPKIT_FROM_BUILD=0) unless a test says otherwise, so what they test does not
// depend on the state of build/. test/package/ tests the choice; .ci/run synthesizes dist/ from build/.
if (process.env.OCPKIT_FROM_BUILD === undefined) process.env.OCPKIT_FROM_BUILD = '0';
