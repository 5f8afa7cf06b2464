'use strict';
// Whether build/ is the compiled form of exactly this checkout's sources, so the CLI can run it
// instead of transpiling lib/ and imports/ (about 0.45 s of a run with empty caches).
//
// `npm run build` (scripts/build.js) hashes every input of `tsc -p tsconfig.build.json` before
// it compiles and, when tsc succeeds, writes build/.ocpkit-build.json: for each input and each
// output the CLI loads, its stamp (private-cache.js fileStamp) and its sha256. A run trusts
// build/ only when all of these hold:
// - the inputs are the same files: every file under lib/ and imports/ (a new or removed file
//   changes what a specifier resolves to), both tsconfig files, the compiler's package.json and
//   the `files` tsconfig.build.json lists (bin/ helpers, which build/bin holds copies of);
// - each input has the recorded stamp, or else the recorded text (read and hashed);
// - each recorded output has its recorded stamp, or else its recorded text.
// It is all or nothing: tsc's output for one file depends on others (a re-export of a name that is
// only a type is dropped, a const enum is inlined), so one changed source means the sources run.
//
// A source's stamp is recorded only when the file had last changed at least two seconds before the
// record is written and did not change during the build (a same-size rewrite within one tick of
// the file system's clock keeps the stamp; git treats such "racily clean" files the same way); an
// unsettled one is checked by its text on every run.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { fileStamp } = require('./private-cache');

const FORMAT = 'ocpkit-build/1';
const RECORD = path.join('build', '.ocpkit-build.json');
/** Folders whose every file is an input (at any depth). */
const INPUT_TREES = ['lib', 'imports'];
/** Single files that are inputs too (a missing one is recorded as missing), with the `files` tsconfig.build.json lists. */
const INPUT_FILES = ['tsconfig.json', 'tsconfig.build.json', path.join('node_modules', 'typescript', 'package.json')];
/** Output folders; their .js and .json files are what a run loads. */
const OUTPUT_TREES = [path.join('build', 'lib'), path.join('build', 'imports'), path.join('build', 'bin')];
/** A file that changed this recently (by its change time) may change again within its clock's tick. */
const SETTLE_NS = 2_000_000_000n;

function sha256(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/** Every regular file under `dir` (relative to `root`), recursively, sorted; none when it cannot be read. */
function filesUnder(root, dir, keep = () => true, out = []) {
  let entries;
  try {
    entries = fs.readdirSync(path.join(root, dir), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) filesUnder(root, rel, keep, out);
    else if (e.isFile() && keep(rel)) out.push(rel);
  }
  return out;
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

/** `[stamp, sha256]` of a file, or `[null, null]` when it is missing or unreadable. */
function version(file) {
  try {
    const stamp = fileStamp(file);
    return [stamp, sha256(fs.readFileSync(file))];
  } catch {
    return [null, null];
  }
}

function settledAt(stamp, nowNs) {
  const ctime = stamp.slice(stamp.lastIndexOf('\0') + 1);
  try {
    return nowNs - BigInt(ctime) >= SETTLE_NS;
  } catch {
    return false;
  }
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
 * false (and writes nothing) when the inputs changed during the build: build/ may then hold a mix.
 */
function record(root, before) {
  const now = inputs(root);
  if (now === undefined || before.length === 0 || now.length !== before.length || now.some((rel, i) => rel !== before[i][0])) return false;
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const sources = {};
  for (const [rel, stamp, sha] of before) {
    const [stampAfter, shaAfter] = version(path.join(root, rel));
    if (shaAfter !== sha) return false;
    sources[rel] = [stamp !== null && stampAfter === stamp && settledAt(stamp, nowNs) ? stamp : null, sha];
  }
  const outputs = {};
  for (const rel of OUTPUT_TREES.flatMap((d) => filesUnder(root, d, (f) => /\.(js|json)$/.test(f)).sort())) {
    const [stamp, sha] = version(path.join(root, rel));
    if (sha === null) return false;
    outputs[rel] = [stamp, sha];
  }
  const file = path.join(root, RECORD);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ format: FORMAT, sources, outputs })}\n`);
  fs.renameSync(tmp, file);
  return true;
}

/** True when the file `rel` under `root` is the recorded `[stamp, sha256]` (by its stamp, else its text). */
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
    return sha256(fs.readFileSync(file)) === sha;
  } catch {
    return false;
  }
}

/**
 * The build's outputs (absolute paths) when build/ under `root` is the compiled form of the
 * sources there now (see above); undefined otherwise (no record, another format, anything changed).
 */
function currentBuild(root) {
  let data;
  try {
    data = JSON.parse(fs.readFileSync(path.join(root, RECORD), 'utf8'));
  } catch {
    return undefined;
  }
  if (!data || data.format !== FORMAT || typeof data.sources !== 'object' || typeof data.outputs !== 'object' || !data.sources || !data.outputs) return undefined;
  const names = inputs(root);
  if (names === undefined || names.length !== Object.keys(data.sources).length) return undefined;
  for (const rel of names) if (!Object.prototype.hasOwnProperty.call(data.sources, rel) || !same(root, rel, data.sources[rel])) return undefined;
  const outputs = new Set();
  for (const [rel, recorded] of Object.entries(data.outputs)) {
    if (!same(root, rel, recorded)) return undefined;
    outputs.add(path.join(root, rel));
  }
  return outputs;
}

const HOOK = Symbol.for('ocpkit.build-state.resolve');

/**
 * Makes every require of a module of lib/ or imports/ under `root` (a .ts file, or a .json one)
 * load its compiled form from `outputs` ({@link currentBuild}) instead: the CLI runs build/ and a
 * stack in this checkout that imports `../../lib` gets the same modules, so one copy of the library
 * is loaded. Specifiers resolve as before; only the file they resolve to is swapped.
 */
function runFromBuild(root, outputs) {
  const Module = require('module');
  if (Module[HOOK]) return;
  Module[HOOK] = true;
  const trees = INPUT_TREES.map((d) => path.join(root, d) + path.sep);
  const build = path.join(root, 'build');
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function resolveToBuild(...args) {
    const filename = resolve.apply(this, args);
    if (typeof filename !== 'string' || !trees.some((t) => filename.startsWith(t))) return filename;
    const rel = path.relative(root, filename);
    const built = path.join(build, rel.endsWith('.ts') ? `${rel.slice(0, -'.ts'.length)}.js` : rel);
    return outputs.has(built) ? built : filename;
  };
}

module.exports = { snapshot, forget, record, currentBuild, runFromBuild, RECORD };
