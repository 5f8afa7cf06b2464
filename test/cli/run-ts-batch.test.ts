import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// bin/run-ts.js transpiles ocpkit's own modules (lib/, imports/) in one esbuild build at the first
// of them that is not cached, and stores them all. These tests run the loader on a private copy of
// the package (bin, lib, imports; node_modules linked), so files can be edited and counted.
const REPO = path.resolve(__dirname, '..', '..');

let pkg: string;
let tmp: string;

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(file);
    return e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [file] : [];
  });
}

/** Runs `script` (after loading the loader) in the copy with its caches in `cache`; its stdout. */
function run(script: string, cache: string, extra: { env?: Record<string, string>; preload?: string } = {}): string {
  const args = [...(extra.preload ? ['-r', extra.preload] : []), '-e', `require('./bin/run-ts.js');\n${script}`];
  const r = spawnSync(process.execPath, args, { cwd: pkg, encoding: 'utf8', env: { ...process.env, OCPKIT_DEBUG: '', OCPKIT_CACHE_DIR: cache, ...extra.env } });
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const entries = (cache: string) => fs.readdirSync(path.join(cache, 'ts')).filter((f) => f.endsWith('.js'));

// One module and what it computes; prints how many of ocpkit's own modules the run required.
const NAMES = [
  "const { fileName } = require('./lib/synth/_object-names.ts');",
  "const own = Object.keys(require.cache).filter((f) => /\\.ts$/.test(f)).length;",
  "process.stdout.write(fileName({ kind: 'Deployment', metadata: { namespace: 'ns', name: 'web' } }) + ' ' + own);",
].join('\n');
// The whole public API (lib/index.ts): names and types of its exports.
const API = [
  "const api = require('./lib/index.ts');",
  "process.stdout.write(Object.keys(api).sort().map((k) => k + ':' + typeof api[k]).join(','));",
].join('\n');

beforeAll(() => {
  // (the real path: Node reports real paths, and a temporary folder may sit behind a link, as on macOS)
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-run-ts-batch-')));
  pkg = path.join(tmp, 'pkg');
  fs.mkdirSync(pkg);
  for (const d of ['bin', 'lib', 'imports']) fs.cpSync(path.join(REPO, d), path.join(pkg, d), { recursive: true });
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(pkg, 'package.json'));
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');
  // A loader that runs without esbuild: every module it compiles must come from the cache.
  fs.writeFileSync(
    path.join(tmp, 'no-esbuild.js'),
    "const Module = require('module');\nconst load = Module._load;\nModule._load = function (request, ...rest) {\n  if (request === 'esbuild') throw new Error('esbuild was loaded');\n  return load.call(this, request, ...rest);\n};\n",
  );
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let cache: string;
beforeEach(() => {
  cache = fs.mkdtempSync(path.join(tmp, 'cache-'));
});
afterEach(() => fs.rmSync(cache, { recursive: true, force: true }));

describe('TypeScript loader: one esbuild build for ocpkit\'s own modules', () => {
  test('one cold run caches every own module, required or not; the next runs need no esbuild and compute the same', () => {
    const first = run(NAMES, cache);
    const [name, required] = first.split(' ');
    expect(name).toBe('deployment.ns.web.yaml');
    const own = tsFiles(path.join(pkg, 'lib')).length + tsFiles(path.join(pkg, 'imports')).length;
    expect(Number(required)).toBeLessThan(own / 4); // the run needed a handful of modules ...
    expect(entries(cache).length).toBe(own); // ... and the cache holds all of them
    for (const e of entries(cache)) expect(fs.statSync(path.join(cache, 'ts', e)).mode & 0o077).toBe(0);

    // Modules the first run never required are served from the cache, esbuild is not even loaded.
    const warm = { preload: path.join(tmp, 'no-esbuild.js') };
    expect(run(NAMES, cache, warm)).toBe(first);
    const api = run(API, cache, warm);
    expect(api).toMatch(/(^|,)Cluster:function(,|$)/);
    expect(entries(cache).length).toBe(own); // nothing was transpiled again
    // The same code as a cold run that transpiles on demand (--debug: one file at a time, with
    // source maps), and as one without a cache (the build in memory).
    expect(run(API, fs.mkdtempSync(path.join(tmp, 'cold-')))).toBe(api);
    expect(run(API, cache, { env: { OCPKIT_DEBUG: '1' } })).toBe(api);
    expect(run(API, 'off')).toBe(api);
  });

  test('nothing stale is served: a file edited after the build, in the same run or in the next, runs as edited', () => {
    const edited = path.join(pkg, 'lib', 'synth', '_object-names.ts');
    const original = fs.readFileSync(edited, 'utf8');
    try {
      // In one process: the build runs at the first own module (lib/core/errors.ts), then the file is edited.
      const script = [
        "require('./lib/core/errors.ts');",
        "const fs = require('fs');",
        `fs.appendFileSync(${JSON.stringify(edited)}, "\\nexport const probe = 'edited in the run';\\n");`,
        "process.stdout.write(String(require('./lib/synth/_object-names.ts').probe));",
      ].join('\n');
      expect(run(script, cache)).toBe('edited in the run');
      fs.writeFileSync(edited, original);
      expect(run(script, 'off')).toBe('edited in the run');

      // Across runs: the edit after a cold run (whose build cached the old text) is what the next run sees.
      fs.writeFileSync(edited, original);
      const probe = "process.stdout.write(String(require('./lib/synth/_object-names.ts').probe));";
      expect(run(probe, cache)).toBe('undefined');
      fs.writeFileSync(edited, `${original}\nexport const probe = 'edited between runs';\n`);
      expect(run(probe, cache)).toBe('edited between runs');
    } finally {
      fs.writeFileSync(edited, original);
    }
  });

  test('an unchanged file is not read again: its code comes by its stamp; an edit, even of the same size, is read and run as edited', () => {
    // a preload that reports every .ts file read (run-ts reads sources through fs.readFileSync)
    const spy = path.join(tmp, 'reads.js');
    fs.writeFileSync(spy, "const fs = require('fs');\nconst read = fs.readFileSync;\nconst seen = new Set();\nfs.readFileSync = function (f, ...rest) { if (typeof f === 'string' && f.endsWith('.ts')) seen.add(f); return read.call(this, f, ...rest); };\nprocess.on('exit', () => process.stderr.write('READS ' + JSON.stringify([...seen]) + '\\n'));\n");
    const reads = (script: string) => {
      const r = spawnSync(process.execPath, ['-r', spy, '-e', `require('./bin/run-ts.js');\n${script}`], { cwd: pkg, encoding: 'utf8', env: { ...process.env, OCPKIT_DEBUG: '', OCPKIT_CACHE_DIR: cache } });
      if (r.status !== 0) throw new Error(r.stderr);
      return { out: r.stdout, reads: JSON.parse(/READS (.*)/.exec(r.stderr)![1]) as string[] };
    };
    const file = path.join(pkg, 'lib', 'synth', '_object-names.ts');
    const original = fs.readFileSync(file, 'utf8');
    const settle = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2100);
    try {
      settle(); // files changed in the last two seconds are looked up by their text (see settled)
      const first = reads(NAMES);
      expect(first.reads.length).toBeGreaterThan(0);
      const second = reads(NAMES);
      expect(second).toEqual({ out: first.out, reads: [] });
      // the same length, another text: read again and run as edited
      fs.writeFileSync(file, original.replace('${name}.yaml`', '${name}.yml_`'));
      const edited = reads(NAMES);
      expect(edited.reads).toEqual([file]); // only the edited file, the others by their stamps
      expect(edited.out).toContain('.yml_');
      // just changed: its stamp is not trusted yet (a same-size rewrite within the clock's tick
      // would keep it), so it is read again; once settled, it is remembered and not read
      expect(reads(NAMES)).toEqual({ out: edited.out, reads: [file] });
      settle();
      expect(reads(NAMES)).toEqual({ out: edited.out, reads: [file] });
      expect(reads(NAMES)).toEqual({ out: edited.out, reads: [] });
    } finally {
      fs.writeFileSync(file, original);
    }
    expect(reads(NAMES).out).toBe(run(NAMES, 'off'));
  });

  test('the stamp index keeps only files that exist', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'stamps-'));
    const a = path.join(dir, 'a.ts');
    const b = path.join(dir, 'b.ts');
    fs.writeFileSync(a, "export const a: string = 'a';\n");
    fs.writeFileSync(b, "export const b: string = 'b';\n");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2100); // settled (see settled in run-ts.js)
    const index = () => {
      const f = fs.readdirSync(path.join(cache, 'ts')).find((n) => n.endsWith('.stamps.json'))!;
      const text = fs.readFileSync(path.join(cache, 'ts', f), 'utf8');
      return Object.keys(JSON.parse(text.slice(text.indexOf('\n') + 1)));
    };
    expect(run(`process.stdout.write(require(${JSON.stringify(a)}).a);`, cache)).toBe('a');
    expect(index()).toContain(a);
    fs.rmSync(a);
    expect(run(`process.stdout.write(require(${JSON.stringify(b)}).b);`, cache)).toBe('b');
    expect(index()).toContain(b);
    expect(index()).not.toContain(a);
  });

  test('compiled JavaScript (build/) is code-cached by its stamp: a same-size edit runs as edited', () => {
    const dir = path.join(pkg, 'build');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'word.js');
    const script = `process.stdout.write(require(${JSON.stringify(file)}).word());`;
    try {
      fs.writeFileSync(file, "exports.word = function () { return 'aaa'; };\n");
      expect(run(script, cache)).toBe('aaa');
      expect(run(script, cache)).toBe('aaa'); // its V8 cache now
      fs.writeFileSync(file, "exports.word = function () { return 'bbb'; };\n");
      expect(run(script, cache)).toBe('bbb');
      expect(run(script, cache)).toBe('bbb');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a syntax error in one own module does not stop the others: the broken one is reported by name', () => {
    const broken = path.join(pkg, 'imports', 'zz-broken.ts');
    fs.writeFileSync(broken, 'export const = ;\n');
    try {
      const first = run(NAMES, cache);
      expect(first.split(' ')[0]).toBe('deployment.ns.web.yaml');
      const r = spawnSync(process.execPath, ['-e', "require('./bin/run-ts.js'); require('./imports/zz-broken.ts');"], { cwd: pkg, encoding: 'utf8', env: { ...process.env, OCPKIT_CACHE_DIR: cache } });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('zz-broken.ts');
    } finally {
      fs.rmSync(broken, { force: true });
    }
  });
});

describe('TypeScript loader: one esbuild build for a stack and the modules it imports', () => {
  // A user's stack outside ocpkit: an entry importing siblings and a sub-folder in the ways
  // the loader resolves (./b, ./sub for its index.ts), one module only required at run time.
  let stack: string;
  beforeAll(() => {
    stack = fs.mkdtempSync(path.join(tmp, 'stack-'));
    fs.mkdirSync(path.join(stack, 'sub'));
    fs.writeFileSync(path.join(stack, 'main.ts'), "import { b } from './b';\nimport { c } from './c';\nimport { d } from './sub';\nconst late: { e: string } = require('./late');\nexport const all: string = [b, c, d, late.e].join('+');\n");
    fs.writeFileSync(path.join(stack, 'b.ts'), "export const b: string = 'b';\n");
    fs.writeFileSync(path.join(stack, 'c.ts'), "import { b } from './b';\nexport const c: string = `c(${b})`;\n");
    fs.writeFileSync(path.join(stack, 'sub', 'index.ts'), "export const d: string = 'd';\n");
    fs.writeFileSync(path.join(stack, 'late.ts'), "export const e: string = 'e';\n");
  });
  const ALL = () => `process.stdout.write(require(${JSON.stringify(path.join(stack, 'main.ts'))}).all);`;
  // cached code whose inline source map names a file of the stack
  const { readEntry } = require('../../bin/private-cache.js') as { readEntry(file: string): string | undefined };
  const userEntries = (dir: string) => entries(dir).map((e) => readEntry(path.join(dir, 'ts', e)) ?? '').filter((text) => {
    const map = /\/\/# sourceMappingURL=data:application\/json;base64,(\S+)\s*$/.exec(text);
    return map !== null && JSON.parse(Buffer.from(map[1], 'base64').toString('utf8')).sources.every((f: string) => f.startsWith(stack));
  });

  test('one cold run caches every module of the stack, each byte for byte what transformSync makes of it', () => {
    const { transformSync } = require('esbuild') as typeof import('esbuild');
    // counts esbuild's calls by kind (printed on exit)
    const counter = path.join(tmp, 'count-esbuild.js');
    fs.writeFileSync(counter, [
      "const Module = require('module');",
      'const load = Module._load;',
      'const calls = {};',
      "process.on('exit', () => process.stderr.write('ESBUILD ' + JSON.stringify(calls)));",
      'Module._load = function (request, ...rest) {',
      '  const m = load.call(this, request, ...rest);',
      "  if (request !== 'esbuild') return m;",
      "  return { ...m, transformSync: (...a) => { calls.transformSync = (calls.transformSync || 0) + 1; return m.transformSync(...a); }, buildSync: (...a) => { calls.buildSync = (calls.buildSync || 0) + 1; return m.buildSync(...a); } };",
      '};',
    ].join('\n'));
    const counted = spawnSync(process.execPath, ['-r', counter, '-e', `require('./bin/run-ts.js');\n${ALL()}`], { cwd: pkg, encoding: 'utf8', env: { ...process.env, OCPKIT_DEBUG: '', OCPKIT_CACHE_DIR: cache } });
    expect(counted.stdout).toBe('b+c(b)+d+e');
    // one build for the stack's five modules (it uses no ocpkit module); none one at a time
    expect(JSON.parse(/ESBUILD (.*)$/.exec(counted.stderr)![1])).toEqual({ buildSync: 1 });
    const cachedCode = userEntries(cache);
    const files = ['main.ts', 'b.ts', 'c.ts', path.join('sub', 'index.ts'), 'late.ts'].map((f) => path.join(stack, f));
    const expected = files.map((f) => transformSync(fs.readFileSync(f, 'utf8'), { loader: 'ts', format: 'cjs', target: 'node20', supported: { 'dynamic-import': false }, sourcesContent: false, sourcemap: 'inline', sourcefile: f }).code);
    expect(cachedCode.sort()).toEqual(expected.sort());
    // the next run needs no esbuild, and a run without a cache computes the same
    expect(run(ALL(), cache, { preload: path.join(tmp, 'no-esbuild.js') })).toBe('b+c(b)+d+e');
    expect(run(ALL(), 'off')).toBe('b+c(b)+d+e');
  });

  test('a stack under a package.json of "type": "module" keeps TypeScript\'s default imports (its modules go one by one)', () => {
    const esm = fs.mkdtempSync(path.join(tmp, 'esm-'));
    fs.writeFileSync(path.join(esm, 'package.json'), '{ "type": "module" }\n');
    fs.writeFileSync(path.join(esm, 'main.ts'), "import five from './five';\nimport { c } from './c';\nexport const all: string = `${five} ${c}`;\n");
    fs.writeFileSync(path.join(esm, 'five.ts'), 'const five: number = 5;\nexport default five;\n');
    fs.writeFileSync(path.join(esm, 'c.ts'), "export const c: string = 'c';\n");
    const script = `process.stdout.write(require(${JSON.stringify(path.join(esm, 'main.ts'))}).all);`;
    expect(run(script, cache)).toBe('5 c');
    expect(run(script, cache, { preload: path.join(tmp, 'no-esbuild.js') })).toBe('5 c'); // from the cache
    expect(run(script, 'off')).toBe('5 c');
  });

  test('an error in the stack names its file and line; with a syntax error in one module the others still run and are cached', () => {
    const broken = path.join(stack, 'late.ts');
    const original = fs.readFileSync(broken, 'utf8');
    try {
      fs.writeFileSync(path.join(stack, 'b.ts'), "export const b: string = 'b';\nif (process.env.BOOM) throw new Error('boom in b');\n");
      const r = spawnSync(process.execPath, ['-e', `require('./bin/run-ts.js');\n${ALL()}`], { cwd: pkg, encoding: 'utf8', env: { ...process.env, OCPKIT_CACHE_DIR: cache, BOOM: '1' } });
      expect(r.stderr).toContain(`${path.join(stack, 'b.ts')}:2`);
      fs.writeFileSync(broken, 'export const = ;\n');
      const fresh = fs.mkdtempSync(path.join(tmp, 'cold-'));
      const s = spawnSync(process.execPath, ['-e', `require('./bin/run-ts.js');\n${ALL()}`], { cwd: pkg, encoding: 'utf8', env: { ...process.env, OCPKIT_CACHE_DIR: fresh } });
      expect(s.status).not.toBe(0);
      expect(s.stderr).toContain('late.ts');
      expect(userEntries(fresh).length).toBe(4); // the four good modules were cached
    } finally {
      fs.writeFileSync(broken, original);
      fs.writeFileSync(path.join(stack, 'b.ts'), "export const b: string = 'b';\n");
    }
  });
});

describe('V8 code caches: a synth improves the caches that shorter runs made', () => {
  const v8Files = () => fs.readdirSync(path.join(cache, 'v8')).filter((f) => f.endsWith('.v8'));
  const written = () => new Map(v8Files().map((f) => [f, fs.statSync(path.join(cache, 'v8', f)).mtimeMs]));
  const keyOf = (f: string) => f.slice(0, 64);
  // what ocpkit synth does once it has synthesized (lib/cli/synth-command.ts synthesizeMarked)
  const SYNTH = `${NAMES}\nglobalThis[Symbol.for('ocpkit.run-ts.full-run')]();`;

  test('a synth writes the full cache of every module whose cache a shorter run made; later runs write nothing', () => {
    run(NAMES, cache); // transpiles (and loads esbuild, which the runs below do not)
    fs.rmSync(path.join(cache, 'v8'), { recursive: true });
    run(NAMES, cache); // a short run (as --help or init): caches of what it ran
    const short = v8Files();
    expect(short.length).toBeGreaterThan(0);
    expect(short.filter((f) => f.includes('.full.'))).toEqual([]);
    run(SYNTH, cache);
    const full = new Set(v8Files().filter((f) => f.includes('.full.')).map(keyOf));
    expect(short.filter((f) => !full.has(keyOf(f)))).toEqual([]);
    const before = written();
    expect(run(NAMES, cache)).toBe(run(SYNTH, cache)); // the full caches are found first
    expect(written()).toEqual(before);
  });

  test('a full cache that V8 rejects (made under other V8 flags) does not hide the run\'s own cache', () => {
    run(NAMES, cache); // transpiles
    fs.rmSync(path.join(cache, 'v8'), { recursive: true });
    run(SYNTH, cache, { env: { NODE_OPTIONS: '--max-old-space-size=300' } }); // full caches under other flags
    run(NAMES, cache); // rejects them: writes its own (plain) caches
    const before = written();
    expect(v8Files().filter((f) => !f.includes('.full.')).length).toBeGreaterThan(0);
    run(NAMES, cache); // uses its own: writes nothing
    expect(written()).toEqual(before);
  });

  test('a synth whose modules had no cache writes full ones at once', () => {
    run(SYNTH, cache);
    const files = v8Files();
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => !f.includes('.full.'))).toEqual([]);
  });
});

