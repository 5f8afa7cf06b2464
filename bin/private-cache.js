'use strict';
// Private on-disk caches of generated code (transpiled TypeScript, compiled schema validators).
// Cached code is executed, so a cache is only used where no other user can have written it:
// the folder and every folder above it must be owned by this user or root and not writable by
// group or others unless sticky (like /tmp, whose entries only their owner may replace) -- the
// rule OpenSSH's StrictModes applies to ~/.ssh. Each entry carries the sha256 of its code, checked
// before the code runs, so a truncated or altered entry is recompiled instead of executed.
// Nothing here falls back to a shared temporary folder.
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const HEADER = '// ocpkit-cache sha256=';
const warned = new Set();

function sha256(text) {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** Why `dir` (which must exist) is not private to this user, or undefined when it is. */
function untrustedReason(dir) {
  if (typeof process.getuid !== 'function') return undefined; // no POSIX owners (Windows)
  const uid = process.getuid();
  let real;
  try {
    real = fs.realpathSync(dir);
  } catch (e) {
    return `cannot resolve ${dir} (${e.code || e.message})`;
  }
  let st = fs.lstatSync(real);
  if (!st.isDirectory()) return `${real} is not a folder`;
  if (st.uid !== uid) return `${real} belongs to uid ${st.uid}, not to this user (uid ${uid})`;
  if (st.mode & 0o022) return `${real} is writable by ${st.mode & 0o002 ? 'every user' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)})`;
  for (let up = path.dirname(real); ; up = path.dirname(up)) {
    st = fs.lstatSync(up);
    if (st.uid !== uid && st.uid !== 0) return `${up} (above the cache) belongs to uid ${st.uid}`;
    if ((st.mode & 0o022) && !(st.mode & 0o1000)) return `${up} (above the cache) is writable by other users and not sticky (mode ${(st.mode & 0o7777).toString(8)})`;
    if (up === path.dirname(up)) break;
  }
  return undefined;
}

/**
 * The cache folder `dir`, created private (mode 700) if missing, or undefined when it cannot be
 * trusted; the reason is printed once per folder and process, and the cache is then off.
 * `maxBytes`: the folder's entries are kept within that size (see keepWithin).
 */
function privateDir(dir, maxBytes) {
  const existed = maxBytes !== undefined && fs.existsSync(dir);
  const found = trustedDir(dir);
  if (found !== undefined && maxBytes !== undefined) keepWithin(found, maxBytes, !existed);
  return found;
}

function trustedDir(dir) {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    return undefined; // read-only or missing parent: no cache, nothing to say
  }
  let reason;
  try {
    reason = untrustedReason(dir);
  } catch (e) {
    reason = `cannot check ${dir} (${e.code || e.message})`;
  }
  if (reason === undefined) return dir;
  if (!warned.has(dir)) {
    warned.add(dir);
    process.stderr.write(`ocpkit: cache off: ${reason}; fix the permissions or set OCPKIT_CACHE_DIR to a private folder (or off)\n`);
  }
  return undefined;
}

/**
 * The bytes of `file` when it is a regular file (not followed through a symbolic link) owned by this
 * user and not writable by group or others; undefined otherwise or when it cannot be read.
 */
function readPrivateFile(file) {
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW || 0));
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) return undefined;
      if (typeof process.getuid === 'function' && (st.uid !== process.getuid() || (st.mode & 0o022))) return undefined;
      used.add(file);
      return fs.readFileSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Code stored under `file` if it is a regular file of this user's, not writable by others, with a matching hash. */
function readEntry(file) {
  return readHashedEntry(file)?.body;
}

/** {@link readEntry}, with the sha256 of the code (hex), e.g. to name what is derived from it. */
function readHashedEntry(file) {
  const text = readPrivateFile(file)?.toString('utf8');
  if (text === undefined) return undefined;
  const nl = text.indexOf('\n');
  if (nl < 0 || !text.startsWith(HEADER)) return undefined;
  const body = text.slice(nl + 1);
  const hash = text.slice(HEADER.length, nl);
  return hash === sha256(body) ? { body, sha256: hash } : undefined;
}

/** Stores code under `file` atomically (temporary file of mode 600, then rename); best effort. */
function writeEntry(file, body) {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, `${HEADER}${sha256(body)}\n${body}`, { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, file);
    used.add(file);
  } catch {
    try { fs.rmSync(tmp, { force: true }); } catch { /* nothing to clean up */ }
  }
}

const BINARY_MAGIC = Buffer.from('ocpkit-v8\n');

/**
 * Bytes stored under `file` by {@link writeBinaryEntry} (V8 code caches: compiled bytecode, as
 * trusted as code), under the same rules as {@link readEntry}: a regular file of this user's, not
 * writable by others, whose sha256 (stored after a magic line) matches.
 */
function readBinaryEntry(file) {
  const data = readPrivateFile(file);
  if (data === undefined) return undefined;
  const start = BINARY_MAGIC.length + 32;
  if (data.length < start || !data.subarray(0, BINARY_MAGIC.length).equals(BINARY_MAGIC)) return undefined;
  const body = data.subarray(start);
  return crypto.createHash('sha256').update(body).digest().equals(data.subarray(BINARY_MAGIC.length, start)) ? body : undefined;
}

/** Stores bytes under `file` atomically, with their sha256 (see {@link readBinaryEntry}); best effort. */
function writeBinaryEntry(file, body) {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, Buffer.concat([BINARY_MAGIC, crypto.createHash('sha256').update(body).digest(), body]), { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, file);
    used.add(file);
  } catch {
    try { fs.rmSync(tmp, { force: true }); } catch { /* nothing to clean up */ }
  }
}

// Size bounds. Entries are named by the hash of what they hold, so every change of ocpkit, of a
// dependency or of a stack adds entries and none is ever overwritten: without a bound the caches
// grow by megabytes per upgrade. At most once a day, when a process (its main thread) that used a
// bounded folder exits, a folder over its bound loses its least recently used entries down to half
// the bound. Use is told by modification time: a write sets it, and the pass first sets it anew
// on the entries this process read, which it keeps in any case. Only files ocpkit wrote go: named
// as it names entries (a 64-digit hash, optional tags, .js/.json/.v8/.bin) and starting with its entry
// header; also the temporary files of writes interrupted more than a day ago. One process prunes
// a folder at a time (an exclusive claim file); best effort: a process that finds an entry gone
// computes it again.

/** Entry files this process read or wrote. */
const used = new Set();
/** Bounded folders: folder -> { maxBytes, fresh }. */
const bounds = new Map();
const ENTRY_NAME = /^[0-9a-f]{64}(?:\.[0-9A-Za-z._-]+)?\.(?:js|json|v8|bin)$/;
const TEMPORARY_NAME = /^[0-9a-f]{64}(?:\.[0-9A-Za-z._-]+)?\.(?:js|json|v8|bin)\.\d+\.[0-9a-f]{8}\.tmp$/;
const PRUNE_STAMP = '.pruned';
const PRUNE_CLAIM = '.pruning';
const DAY_MS = 24 * 3600 * 1000;
/** A claim older than this was left by a process that died while pruning. */
const CLAIM_STALE_MS = 10 * 60 * 1000;

/**
 * Keeps the entries of the private cache folder `dir` within `maxBytes` (checked when the process
 * exits). `fresh`: this process made the folder, so everything in it is its own, in use: the
 * first pass is only due a day later.
 */
function keepWithin(dir, maxBytes, fresh = false) {
  if (bounds.has(dir)) return;
  // a worker thread knows only what it used itself: the main thread prunes
  if (!require('worker_threads').isMainThread) return;
  if (bounds.size === 0) process.once('exit', () => {
    for (const [d, b] of bounds) {
      if (b.fresh) markPruned(path.join(d, PRUNE_STAMP), Date.now());
      else prune(d, b.maxBytes, Date.now());
    }
  });
  bounds.set(dir, { maxBytes, fresh });
}

/** Sets the time of the last pass (creating the stamp; never through a link); best effort. */
function markPruned(stamp, now) {
  try {
    const fd = fs.openSync(stamp, fs.constants.O_WRONLY | fs.constants.O_CREAT | (fs.constants.O_NOFOLLOW || 0), 0o600);
    try {
      fs.futimesSync(fd, new Date(now), new Date(now));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // the next process tries again
  }
}

/** One pass over a bounded folder (see above), unless one ran in the last day; returns the files removed. */
function prune(dir, maxBytes, now) {
  const removed = [];
  const claim = path.join(dir, PRUNE_CLAIM);
  const stamp = path.join(dir, PRUNE_STAMP);
  const age = (file) => {
    try {
      return now - fs.lstatSync(file).mtimeMs;
    } catch {
      return undefined;
    }
  };
  const stampAge = age(stamp);
  // pruned in the last day (a stamp from the future, a clock set back, does not count)
  if (stampAge !== undefined && stampAge >= -CLAIM_STALE_MS && stampAge < DAY_MS) return removed;
  const claimAge = age(claim);
  if (claimAge !== undefined && claimAge < CLAIM_STALE_MS && claimAge >= -CLAIM_STALE_MS) return removed; // another process prunes it
  try {
    if (claimAge !== undefined) fs.unlinkSync(claim);
    fs.writeFileSync(claim, String(process.pid), { mode: 0o600, flag: 'wx' });
  } catch {
    return removed; // taken by another process meanwhile, or a folder this process cannot write
  }
  try {
    for (const file of used) {
      if (path.dirname(file) !== dir) continue;
      try {
        const st = fs.lstatSync(file);
        if (st.isFile() && now - st.mtimeMs > DAY_MS) fs.utimesSync(file, new Date(now), new Date(now));
      } catch {
        // gone meanwhile
      }
    }
    const entries = [];
    let total = 0;
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      const entry = ENTRY_NAME.test(name);
      if (!entry && !TEMPORARY_NAME.test(name)) continue;
      let st;
      try {
        st = fs.lstatSync(file);
      } catch {
        continue;
      }
      if (!st.isFile()) continue;
      if (!entry) {
        if (now - st.mtimeMs > DAY_MS && (st.size === 0 || isOwnEntry(file)) && removeFile(file)) removed.push(file);
        continue;
      }
      total += st.size;
      entries.push({ file, size: st.size, mtime: st.mtimeMs });
    }
    if (total > maxBytes) {
      entries.sort((a, b) => a.mtime - b.mtime);
      for (const e of entries) {
        if (total <= maxBytes / 2) break;
        if (used.has(e.file) || !isOwnEntry(e.file)) continue;
        if (removeFile(e.file)) removed.push(e.file);
        total -= e.size; // removed here or by another process: gone either way
      }
    }
    markPruned(stamp, now);
  } catch {
    // best effort: the next process tries again
  } finally {
    try {
      fs.unlinkSync(claim);
    } catch {
      // already gone
    }
  }
  return removed;
}

/** True when `file` starts as ocpkit's entries do (the text entries' header, or the code caches' magic). */
function isOwnEntry(file) {
  try {
    const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW || 0));
    try {
      const head = Buffer.alloc(HEADER.length);
      const n = fs.readSync(fd, head, 0, head.length, 0);
      const text = head.subarray(0, n);
      return text.equals(Buffer.from(HEADER)) || text.subarray(0, BINARY_MAGIC.length).equals(BINARY_MAGIC);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** Removes a file; true when this call removed it (false: gone already, or not removable). */
function removeFile(file) {
  try {
    fs.unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Root of ocpkit's caches: OCPKIT_CACHE_DIR (`off` disables them), else node_modules/.cache/ocpkit
 * next to this package, else $XDG_CACHE_HOME/ocpkit or ~/.cache/ocpkit. Never the shared temporary folder.
 */
function cacheRoot() {
  const env = process.env.OCPKIT_CACHE_DIR;
  if (env === 'off') return undefined;
  if (env) return path.resolve(env);
  const modules = path.join(__dirname, '..', 'node_modules');
  if (fs.existsSync(modules)) return path.join(modules, '.cache', 'ocpkit');
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'ocpkit');
  let home;
  try { home = os.homedir(); } catch { home = undefined; }
  return home ? path.join(home, '.cache', 'ocpkit') : undefined;
}

/**
 * What identifies a file's version without reading it: its path, device, inode, size, and
 * modification and change times in nanoseconds. Any write changes the change time (which no
 * program can set back), so an edited file never has its old stamp. Used as a cache key (the data
 * cache) and to tell whether a file changed while it was read (run-ts.js's batch transpile).
 */
function fileStamp(file) {
  const st = fs.statSync(file, { bigint: true });
  return `${path.resolve(file)}\0${st.dev}\0${st.ino}\0${st.size}\0${st.mtimeNs}\0${st.ctimeNs}`;
}

/** A file changed this recently (by its change time) may change again within its clock's tick. */
const SETTLE_NS = 2_000_000_000n;

/**
 * True when a {@link fileStamp} is safe to stand for the file's text: the file last changed at
 * least two seconds before `nowNs` (now by default). A stamp (times with the file system's tick, a
 * few milliseconds on Linux, up to a second or two elsewhere) of a file rewritten with the same
 * size within one tick would be the same; such a recent file is looked up by its text, as git
 * treats "racily clean" index entries.
 */
function settledStamp(stamp, nowNs = BigInt(Date.now()) * 1_000_000n) {
  const ctime = stamp.slice(stamp.lastIndexOf('\0') + 1);
  try {
    return nowNs - BigInt(ctime) >= SETTLE_NS;
  } catch {
    return false;
  }
}

module.exports = { cacheRoot, privateDir, readEntry, readHashedEntry, writeEntry, readBinaryEntry, writeBinaryEntry, untrustedReason, fileStamp, settledStamp, prune };
