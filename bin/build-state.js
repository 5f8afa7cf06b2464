'use strict';
// Whether build/ is the compiled form of exactly this checkout's sources, so the CLI can run it
// instead of transpiling lib/ and imports/ (about 0.45 s of a run with empty caches).
//
// `npm run build` (scripts/build.js) hashes every input of `tsc -p tsconfig.build.json` before
// it compiles and, when tsc succeeds, writes build/.ocpkit-build.json: for each input and each
// output the CLI loads, its stamp (private-cache.js fileStamp) and its sha256. A run trusts
// build/ only when all of these hold:
// - the inputs are the same files: every file under lib/ and imports/ (a new or removed file
//   changes what a specifier resolves to; symbolic links followed, as tsc reads them), both
//   tsconfig files, the compiler's package.json, node_modules/.package-lock.json and the `files`
//   tsconfig.build.json lists (bin/ helpers, which build/bin holds copies of);
// - each input has the recorded stamp, or else the recorded text (read and hashed);
// - the .js and .json files under build/lib, build/imports and build/bin are the recorded ones
//   (none added, none missing), each with its recorded stamp, or else its recorded text.
// It is all or nothing: tsc's output for one file depends on others (a re-export of a name that is
// only a type is dropped, a const enum is inlined), so one changed source means the sources run.
//
// A stamp is recorded only for a file that last changed at least two seconds before (a same-size
// rewrite within one tick of the file system's clock keeps the stamp; git treats such "racily
// clean" files the same way), and for a source only when it did not change during the build. An
// unsettled file is checked by its text; a run that finds every file as recorded writes the record
// again with the stamps that have settled since (as git refreshes its index), so the outputs tsc
// has just written are hashed by the first run after a build only.
//
// The record also vouches that build/ is complete: every .ts source (not .d.ts) and every file
// tsconfig.build.json lists has its .js output. It lists the .d.ts outputs too (not checked by a
// run, which loads none). scripts/build.js has tsc emit everything again when build/ is not as the
// previous record left it, declarations included (an output edited or deleted by hand, or no
// record): tsc's incremental build re-emits only what it thinks changed, never what was altered.
// scripts/build.js holds build/.ocpkit-build.lock while it builds, so two builds never overlap (a
// slower one could otherwise write outputs of older sources after a later one compiled).
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { fileStamp, settledStamp } = require('./private-cache');

const FORMAT = 'ocpkit-build/3';
const RECORD = path.join('build', '.ocpkit-build.json');
/** Folders whose every file is an input (at any depth). */
const INPUT_TREES = ['lib', 'imports'];
/** Single files that are inputs too (a missing one is recorded as missing), with the `files` tsconfig.build.json lists. */
// (npm rewrites node_modules/.package-lock.json on every install that changes node_modules: tsc
// reads the dependencies' declaration files, which decide what an import of theirs compiles to)
const INPUT_FILES = ['tsconfig.json', 'tsconfig.build.json', path.join('node_modules', 'typescript', 'package.json'), path.join('node_modules', '.package-lock.json')];
/** Output folders; their .js and .json files are what a run loads. */
const OUTPUT_TREES = [path.join('build', 'lib'), path.join('build', 'imports'), path.join('build', 'bin')];

function sha256(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** Every file under `dir` (relative to `root`), recursively, through symbolic links as tsc reads them; none when it cannot be read. */
function filesUnder(root, dir, keep = () => true, out = []) {
  let entries;
  try {
    entries = fs.readdirSync(path.join(root, dir), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const rel = path.join(dir, e.name);
    let kind = e;
    if (e.isSymbolicLink()) {
      try {
        kind = fs.statSync(path.join(root, rel));
      } catch {
        out.push(rel); // dangling: an input that cannot be read (recorded as missing)
        continue;
      }
    }
    if (kind.isDirectory()) filesUnder(root, rel, keep, out);
    else if (kind.isFile() && keep(rel)) out.push(rel);
  }
  return out;
}

/** The .js and .json files under build/'s output folders (relative paths, sorted). */
function outputFiles(root) {
  return OUTPUT_TREES.flatMap((d) => filesUnder(root, d, (f) => /\.(js|json)$/.test(f)).sort());
}

/** The .d.ts files under build/'s output folders (relative paths, sorted): not loaded by a run, but shipped by npm pack. */
function declarationFiles(root) {
  return OUTPUT_TREES.flatMap((d) => filesUnder(root, d, (f) => f.endsWith('.d.ts')).sort());
}

/** The output tsc writes for a .ts source or a listed JavaScript file (relative paths). */
function outputOf(rel) {
  return path.join('build', rel.endsWith('.ts') ? `${rel.slice(0, -'.ts'.length)}.js` : rel);
}

/**
 * The inputs of the build (relative paths), in a fixed order: the trees, the single files and the
 * `files` of tsconfig.build.json (the JavaScript helpers build/bin holds copies of); undefined
 * when tsconfig.build.json is not plain JSON (then build/ is never trusted).
 */
function inputs(root) {
  let listed;
  try {
    const files = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')).files ?? [];
    listed = Array.isArray(files) && files.every((f) => typeof f === 'string') ? files.map((f) => path.normalize(f)) : undefined;
  } catch (e) {
    listed = e && e.code === 'ENOENT' ? [] : undefined;
  }
  if (listed === undefined) return undefined;
  return [...INPUT_TREES.flatMap((d) => filesUnder(root, d).sort()), ...INPUT_FILES, ...listed];
}

/** The outputs a complete build has: one .js for every .ts source (not .d.ts) and for every listed file. */
function expectedOutputs(names) {
  const trees = INPUT_TREES.map((d) => d + path.sep);
  return names.filter((rel) => (rel.endsWith('.ts') && !rel.endsWith('.d.ts') && trees.some((t) => rel.startsWith(t))) || (rel.endsWith('.js') && !trees.some((t) => rel.startsWith(t)))).map(outputOf);
}

/** `[stamp, sha256]` of a file, or `[null, null]` when it is missing or unreadable. */
function version(file) {
  try {
    const stamp = fileStamp(file);
    return [stamp, sha256(fs.readFileSync(file))];
  } catch {
    return [null, null];
  }
}

function nowNs() {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Versions of the build's inputs, taken before tsc reads them (for {@link record}). */
function snapshot(root) {
  return (inputs(root) ?? []).map((rel) => [rel, ...version(path.join(root, rel))]);
}

/** Removes the record (before a build: build/ is not trusted while tsc writes it). */
function forget(root) {
  fs.rmSync(path.join(root, RECORD), { force: true });
}

/**
 * Writes the record after a successful build from the inputs `before` ({@link snapshot}). Returns
 * true, or why nothing was written: an input changed during the build (even if changed back: tsc
 * may have read it in between; build/ may then hold a mix), or an expected output is missing.
 */
function record(root, before) {
  const now = inputs(root);
  if (now === undefined) return 'tsconfig.build.json is not plain JSON';
  if (before.length === 0) return 'no inputs were recorded before the build';
  if (now.length !== before.length || now.some((rel, i) => rel !== before[i][0])) return 'a file was added to or removed from the inputs during the build';
  const at = nowNs();
  // what is recorded of a file: its stamp only once settled (else it is checked by its text)
  const entry = (stamp, sha) => [stamp !== null && settledStamp(stamp, at) ? stamp : null, sha];
  const sources = {};
  for (const [rel, stamp, sha] of before) {
    const [stampAfter, shaAfter] = version(path.join(root, rel));
    if (shaAfter !== sha || stampAfter !== stamp) return `${rel} changed during the build`;
    sources[rel] = entry(stamp, sha);
  }
  const table = (names) => {
    const t = {};
    for (const rel of names) t[rel] = entry(...version(path.join(root, rel)));
    return t;
  };
  const outputs = table(outputFiles(root));
  if (Object.values(outputs).some(([, sha]) => sha === null)) return 'an output could not be read';
  const missing = expectedOutputs(now).find((rel) => !Object.prototype.hasOwnProperty.call(outputs, rel));
  if (missing) return `tsc wrote no ${missing}`;
  write(root, { format: FORMAT, sources, outputs, declarations: table(declarationFiles(root)) });
  return true;
}

function write(root, data) {
  const file = path.join(root, RECORD);
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, `${JSON.stringify(data)}\n`);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function readRecord(root) {
  try {
    const data = JSON.parse(fs.readFileSync(path.join(root, RECORD), 'utf8'));
    const table = (t) => t !== null && typeof t === 'object' && !Array.isArray(t);
    return data && data.format === FORMAT && table(data.sources) && table(data.outputs) && table(data.declarations) ? data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when `names` are exactly the files `table` records and each is as recorded ({@link same});
 * `byText(rel, stamp)` hears of each matched by its text, with the stamp taken before the read.
 */
function allSame(root, names, table, byText = () => undefined) {
  if (names.length !== Object.keys(table).length) return false;
  for (const rel of names) {
    const found = Object.prototype.hasOwnProperty.call(table, rel) ? same(root, rel, table[rel]) : false;
    if (found === false) return false;
    if (typeof found === 'string') byText(rel, found);
  }
  return true;
}

/**
 * True when build/ holds exactly the outputs of the record left by the last build, declarations
 * included (before a new build: else tsc must emit everything).
 */
function outputsIntact(root) {
  const data = readRecord(root);
  return data !== undefined && allSame(root, outputFiles(root), data.outputs) && allSame(root, declarationFiles(root), data.declarations);
}

/**
 * Whether the file `rel` under `root` is the recorded `[stamp, sha256]`: true by its stamp, false,
 * or (matched by its text) the stamp taken before it was read, to record once it has settled.
 */
function same(root, rel, recorded) {
  if (!Array.isArray(recorded) || recorded.length !== 2) return false;
  const file = path.join(root, rel);
  const [stamp, sha] = recorded;
  if (sha === null) return !fs.existsSync(file);
  let now;
  try {
    now = fileStamp(file);
  } catch {
    return false;
  }
  if (stamp !== null && now === stamp) return true;
  try {
    return sha256(fs.readFileSync(file)) === sha ? now : false;
  } catch {
    return false;
  }
}

/**
 * The build's outputs (absolute paths) when build/ under `root` is the compiled form of the
 * sources there now (see above); undefined otherwise (no record, another format, anything changed).
 */
function currentBuild(root) {
  const data = readRecord(root);
  if (!data) return undefined;
  const names = inputs(root);
  if (names === undefined) return undefined;
  const at = nowNs();
  let settledSince = false;
  const refresh = (table) => (rel, stamp) => {
    if (!settledStamp(stamp, at)) return;
    table[rel] = [stamp, table[rel][1]];
    settledSince = true;
  };
  const outputs = outputFiles(root);
  if (!allSame(root, names, data.sources, refresh(data.sources)) || !allSame(root, outputs, data.outputs, refresh(data.outputs))) return undefined;
  const built = new Set(outputs);
  if (expectedOutputs(names).some((rel) => !built.has(rel))) return undefined;
  if (settledSince) {
    try {
      write(root, data); // best effort: the next run checks these files by their stamps
    } catch {
      // a read-only checkout: they are checked by their text again
    }
  }
  return new Set(outputs.map((rel) => path.join(root, rel)));
}

/** Every .js and .json output under build/ now (absolute paths), whatever it was compiled from: for OCPKIT_FROM_BUILD=1. */
function builtOutputs(root) {
  return new Set(outputFiles(root).map((rel) => path.join(root, rel)));
}

/** The real path of `p` (through symbolic links), or `p` when it cannot be resolved. */
function realpath(p) {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

const HOOK = Symbol.for('ocpkit.build-state.resolve');

/**
 * Makes every require of a module of lib/ or imports/ under `root` (a .ts file, or a .json one)
 * load its compiled form from `outputs` ({@link currentBuild}) instead: the CLI runs build/ and a
 * stack in this checkout that imports `../../lib` gets the same modules, so one copy of the library
 * is loaded; and build/bin's helpers load from bin/ (see below). Specifiers resolve as before; only
 * the file they resolve to is swapped.
 */
function runFromBuild(root, outputs) {
  const Module = require('module');
  if (Module[HOOK]) return;
  Module[HOOK] = true;
  // each tree by its path and by its real path (Node resolves a module to the real path of its file,
  // so a lib/ that is a symbolic link is found under its target)
  const trees = INPUT_TREES.flatMap((d) => {
    const at = path.join(root, d);
    return [...new Set([at, realpath(at)])].map((prefix) => ({ prefix: prefix + path.sep, tree: d }));
  });
  // build/bin holds tsc's copies of the JavaScript helpers lib/ requires from bin/: the CLI has
  // loaded bin/'s already (its TypeScript loader uses private-cache.js), and a second copy would
  // find another cache folder (private-cache.js cacheRoot looks for node_modules beside its own
  // folder: build/node_modules does not exist). For a current build/ the record vouches that both
  // are the same code; with OCPKIT_FROM_BUILD=1 the helpers are this checkout's.
  const buildBins = [...new Set([path.join(root, 'build', 'bin'), realpath(path.join(root, 'build', 'bin'))])].map((d) => d + path.sep);
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function resolveToBuild(...args) {
    const filename = resolve.apply(this, args);
    if (typeof filename !== 'string') return filename;
    const buildBin = buildBins.find((d) => filename.startsWith(d));
    if (buildBin) {
      const helper = path.join(root, 'bin', filename.slice(buildBin.length));
      return fs.existsSync(helper) ? helper : filename;
    }
    const found = trees.find((t) => filename.startsWith(t.prefix));
    if (!found) return filename;
    const built = path.join(root, outputOf(path.join(found.tree, filename.slice(found.prefix.length))));
    return outputs.has(built) ? built : filename;
  };
}

module.exports = { snapshot, forget, record, outputsIntact, currentBuild, builtOutputs, runFromBuild, RECORD };
