/**
 * bin/build-state.js: the record `npm run build` leaves of what build/ was compiled from, and the
 * CLI's use of it (it runs build/ in a checkout only while build/ is the compiled form of exactly
 * the sources there). Fixture checkouts in a temporary folder, with hand-written "compiled" files
 * that say where they come from.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const state = require('../../bin/build-state.js');

const REPO = path.resolve(__dirname, '..', '..');
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

function write(root: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), text);
}

/** A checkout with two library modules, a generated import, the compiler's inputs, and a stack importing ../../lib. */
function checkout(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-build-state-'));
  roots.push(root);
  write(root, 'lib/index.ts', "export * from './a';\nexport const from: string = 'sources';\nexport const h: number = require('../bin/helper').h;\n");
  write(root, 'lib/a.ts', "export const a: number = 1;\n");
  write(root, 'lib/data.json', '{"n": 1}\n');
  write(root, 'imports/k8s.ts', 'export const k = 1;\n');
  write(root, 'tsconfig.json', '{}\n');
  write(root, 'tsconfig.build.json', '{"extends": "./tsconfig.json", "files": ["bin/helper.js"]}\n');
  write(root, 'bin/helper.js', 'exports.h = 1;\n');
  write(root, 'node_modules/typescript/package.json', '{"version": "5.9.3"}\n');
  write(root, 'apps/stack/main.ts', "import * as lib from '../../lib';\nimport data = require('../../lib/data.json');\nexport const from = lib.from;\nexport const a = lib.a;\nexport const n = data.n;\n");
  return root;
}

/** What tsc would write for the fixture (by hand: `from` says build). */
function compile(root: string): void {
  write(root, 'build/lib/index.js', "'use strict';\nObject.defineProperty(exports, '__esModule', { value: true });\nObject.assign(exports, require('./a'));\nexports.from = 'build';\nexports.h = require('../bin/helper').h;\n");
  write(root, 'build/lib/a.js', "'use strict';\nexports.a = 2;\n");
  write(root, 'build/lib/data.json', '{"n": 2}\n');
  write(root, 'build/imports/k8s.js', "'use strict';\nexports.k = 1;\n");
  write(root, 'build/bin/helper.js', 'exports.h = 1;\n');
}

function build(root: string): boolean {
  state.forget(root);
  const before = state.snapshot(root);
  compile(root);
  return state.record(root, before);
}

describe('the record of what build/ was compiled from', () => {
  test('a build of unchanged sources is current: its outputs are the .js and .json files the CLI loads', () => {
    const root = checkout();
    expect(build(root)).toBe(true);
    const outputs: Set<string> = state.currentBuild(root);
    expect([...outputs].map((f) => path.relative(root, f)).sort()).toEqual(['build/bin/helper.js', 'build/imports/k8s.js', 'build/lib/a.js', 'build/lib/data.json', 'build/lib/index.js']);
  });

  test('no record, another format or an unreadable record: not current', () => {
    const root = checkout();
    compile(root);
    expect(state.currentBuild(root)).toBeUndefined();
    expect(build(root)).toBe(true);
    const file = path.join(root, state.RECORD);
    const data = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...data, format: 'ocpkit-build/1' }));
    expect(state.currentBuild(root)).toBeUndefined();
    fs.writeFileSync(file, '{');
    expect(state.currentBuild(root)).toBeUndefined();
  });

  test('a source edited after the build (same size too), added or removed makes the sources run', () => {
    const root = checkout();
    expect(build(root)).toBe(true);
    write(root, 'lib/a.ts', "export const a: number = 3;\n"); // same size
    expect(state.currentBuild(root)).toBeUndefined();
    write(root, 'lib/a.ts', "export const a: number = 1;\n");
    expect(state.currentBuild(root)).toBeInstanceOf(Set); // back to what was compiled, by its text
    write(root, 'lib/new.ts', 'export const n = 1;\n');
    expect(state.currentBuild(root)).toBeUndefined();
    fs.rmSync(path.join(root, 'lib/new.ts'));
    fs.rmSync(path.join(root, 'imports/k8s.ts'));
    expect(state.currentBuild(root)).toBeUndefined();
  });

  test('a change of the compiler, its configuration, the installed dependencies or the JavaScript build/bin copies is a changed source', () => {
    for (const [rel, text] of [['tsconfig.json', '{"compilerOptions":{}}\n'], ['tsconfig.build.json', '{"files": ["bin/helper.js"]}\n'], ['node_modules/typescript/package.json', '{"version": "5.9.4"}\n'], ['node_modules/.package-lock.json', '{"packages": {}}\n'], ['bin/helper.js', 'exports.h = 2;\n']]) {
      const root = checkout();
      expect(build(root)).toBe(true);
      write(root, rel, text);
      expect([rel, state.currentBuild(root)]).toEqual([rel, undefined]);
    }
  });

  test('an output changed or removed after the build is not trusted', () => {
    const root = checkout();
    expect(build(root)).toBe(true);
    write(root, 'build/lib/a.js', "'use strict';\nexports.a = 9;\n");
    expect(state.currentBuild(root)).toBeUndefined();
    write(root, 'build/lib/a.js', "'use strict';\nexports.a = 2;\n");
    expect(state.currentBuild(root)).toBeInstanceOf(Set);
    fs.rmSync(path.join(root, 'build/lib/data.json'));
    expect(state.currentBuild(root)).toBeUndefined();
  });

  test('a file touched without a change (a new stamp, e.g. git checkout) is checked by its text and still current', () => {
    const root = checkout();
    expect(build(root)).toBe(true);
    const later = new Date(Date.now() + 60_000);
    for (const rel of ['lib/a.ts', 'build/lib/a.js']) fs.utimesSync(path.join(root, rel), later, later);
    expect(state.currentBuild(root)).toBeInstanceOf(Set);
  });

  test('a source that changed during the build leaves no record (build/ may hold a mix)', () => {
    const root = checkout();
    state.forget(root);
    const before = state.snapshot(root);
    write(root, 'lib/a.ts', "export const a: number = 4;\n");
    compile(root);
    expect(state.record(root, before)).toBe('lib/a.ts changed during the build');
    expect(fs.existsSync(path.join(root, state.RECORD))).toBe(false);
    expect(state.currentBuild(root)).toBeUndefined();
  });

  test('a source changed and changed back during the build leaves no record either (tsc may have read the other text)', () => {
    const root = checkout();
    const before = state.snapshot(root);
    const text = fs.readFileSync(path.join(root, 'lib/a.ts'), 'utf8');
    write(root, 'lib/a.ts', "export const a: number = 4;\n");
    write(root, 'lib/a.ts', text);
    compile(root);
    expect(state.record(root, before)).toBe('lib/a.ts changed during the build');
    expect(state.currentBuild(root)).toBeUndefined();
  });

  test('a stamp is recorded only for a source that last changed at least two seconds before the record', () => {
    const root = checkout();
    const old = new Date(Date.now() - 60_000);
    // written just now: its change time is now, whatever its modification time says
    fs.utimesSync(path.join(root, 'lib/a.ts'), old, old);
    expect(build(root)).toBe(true);
    const sources = JSON.parse(fs.readFileSync(path.join(root, state.RECORD), 'utf8')).sources;
    expect(sources['lib/a.ts'][0]).toBeNull();
    expect(sources['lib/a.ts'][1]).toMatch(/^[0-9a-f]{64}$/);
    expect(sources['bin/helper.js'][1]).toMatch(/^[0-9a-f]{64}$/); // listed in tsconfig.build.json's files
  });

  test('an input recorded as missing must stay missing; a tsconfig.build.json that is not plain JSON is never trusted', () => {
    const root = checkout();
    fs.rmSync(path.join(root, 'node_modules'), { recursive: true });
    expect(build(root)).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(root, state.RECORD), 'utf8')).sources['node_modules/typescript/package.json']).toEqual([null, null]);
    expect(state.currentBuild(root)).toBeInstanceOf(Set);
    write(root, 'node_modules/typescript/package.json', '{"version": "5.9.3"}\n');
    expect(state.currentBuild(root)).toBeUndefined();
    write(root, 'tsconfig.build.json', '// a comment\n{}\n');
    expect(build(root)).toBe('tsconfig.build.json is not plain JSON');
    expect(state.currentBuild(root)).toBeUndefined();
  });
});

describe('what the record vouches for', () => {
  test('a build missing an output of a source or of a listed file is not recorded', () => {
    for (const missing of ['build/imports/k8s.js', 'build/bin/helper.js']) {
      const root = checkout();
      const before = state.snapshot(root);
      compile(root);
      fs.rmSync(path.join(root, missing), { force: true });
      expect(state.record(root, before)).toBe(`tsc wrote no ${missing}`);
      expect(state.currentBuild(root)).toBeUndefined();
    }
  });

  test('a source that is a symbolic link is followed: an edit of its target makes the sources run', () => {
    const root = checkout();
    const target = path.join(root, 'elsewhere.ts');
    fs.writeFileSync(target, 'export const s = 1;\n');
    fs.symlinkSync(target, path.join(root, 'lib', 'shared.ts'));
    write(root, 'build/lib/shared.js', "'use strict';\nexports.s = 1;\n");
    expect(build(root)).toBe(true);
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(root, state.RECORD), 'utf8')).outputs)).toContain('build/lib/shared.js');
    expect(state.currentBuild(root)).toBeInstanceOf(Set);
    fs.writeFileSync(target, 'export const s = 2;\n');
    expect(state.currentBuild(root)).toBeUndefined();
  });

  test('files checked by their text are recorded by their stamps once settled; then a run reads none of them, and an edit is still seen', () => {
    const root = checkout();
    expect(build(root)).toBe(true);
    const recorded = () => JSON.parse(fs.readFileSync(path.join(root, state.RECORD), 'utf8'));
    expect(recorded().outputs['build/lib/a.js'][0]).toBeNull(); // written by the build just now
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 10_000); // two seconds have passed
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const reads = jest.spyOn(require('fs') as typeof fs, 'readFileSync'); // the fs module build-state.js reads with
    try {
      expect(state.currentBuild(root)).toBeInstanceOf(Set);
      const refreshed = recorded();
      expect(refreshed.sources['lib/a.ts'][0]).toEqual(expect.stringContaining('lib'));
      expect(refreshed.outputs['build/lib/a.js'][0]).toEqual(expect.stringContaining('a.js'));
      reads.mockClear();
      expect(state.currentBuild(root)).toBeInstanceOf(Set);
      const readFiles = reads.mock.calls.map((c) => String(c[0]));
      expect(readFiles.filter((f) => f.startsWith(root) && !f.endsWith('.ocpkit-build.json') && !f.endsWith('tsconfig.build.json'))).toEqual([]);
    } finally {
      reads.mockRestore();
      clock.mockRestore();
    }
    write(root, 'lib/a.ts', "export const a: number = 7;\n");
    expect(state.currentBuild(root)).toBeUndefined();
  });

  test('outputsIntact: build/ exactly as the last record left it (else the next build emits everything)', () => {
    const root = checkout();
    compile(root);
    expect(state.outputsIntact(root)).toBe(false); // no record
    expect(build(root)).toBe(true);
    expect(state.outputsIntact(root)).toBe(true);
    write(root, 'lib/a.ts', "export const a: number = 5;\n"); // sources are tsc's business
    expect(state.outputsIntact(root)).toBe(true);
    write(root, 'build/lib/a.js', "'use strict';\nexports.a = 3;\n");
    expect(state.outputsIntact(root)).toBe(false);
    write(root, 'build/lib/a.js', "'use strict';\nexports.a = 2;\n");
    fs.rmSync(path.join(root, 'build/lib/data.json'));
    expect(state.outputsIntact(root)).toBe(false);
    write(root, 'build/lib/data.json', '{"n": 2}\n');
    write(root, 'build/lib/extra.js', '');
    expect(state.outputsIntact(root)).toBe(false);
  });

  test('outputsIntact covers the declarations npm pack ships (a run does not check them: it loads none)', () => {
    const root = checkout();
    write(root, 'build/lib/a.d.ts', 'export declare const a: number;\n');
    expect(build(root)).toBe(true);
    expect(state.outputsIntact(root)).toBe(true);
    write(root, 'build/lib/a.d.ts', 'export declare const a: string;\n');
    expect(state.outputsIntact(root)).toBe(false);
    expect(state.currentBuild(root)).toBeInstanceOf(Set);
    fs.rmSync(path.join(root, 'build/lib/a.d.ts'));
    expect(state.outputsIntact(root)).toBe(false);
  });
});

/**
 * A small checkout for scripts/build.js: the build scripts and helpers of this repository, its
 * node_modules (tsc), an incremental build like the repository's, two modules.
 */
function project(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-build-'));
  roots.push(root);
  for (const f of ['scripts/build.js', 'scripts/prune-build.js', 'bin/build-state.js', 'bin/private-cache.js']) write(root, f, fs.readFileSync(path.join(REPO, f), 'utf8'));
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  write(root, 'tsconfig.json', JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, noEmit: true, types: [] } }));
  write(root, 'tsconfig.build.json', JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: false, outDir: 'build', rootDir: '.', incremental: true, tsBuildInfoFile: 'build/.tsbuildinfo' }, include: ['lib/**/*.ts'] }));
  write(root, 'lib/a.ts', "import { b } from './b';\nexport const a: number = b + 1;\n");
  write(root, 'lib/b.ts', 'export const b: number = 1;\n');
  return root;
}

describe('npm run build (scripts/build.js) with the real compiler', () => {
  const run = (root: string) => spawnSync(process.execPath, [path.join(root, 'scripts', 'build.js')], { cwd: root, encoding: 'utf8' });

  test('records a complete build; repairs outputs edited or deleted since; leaves no record when tsc fails', () => {
    const root = project();
    expect(run(root).status).toBe(0);
    expect(state.currentBuild(root)).toBeInstanceOf(Set);
    const a = path.join(root, 'build', 'lib', 'a.js');
    const compiled = fs.readFileSync(a, 'utf8');
    expect(compiled).toContain('b_1.b + 1');
    // tsc's incremental build alone would keep both of these
    fs.writeFileSync(a, compiled.replace('b_1.b + 1', 'b_1.b + 9'));
    fs.rmSync(path.join(root, 'build', 'lib', 'b.js'));
    expect(state.currentBuild(root)).toBeUndefined();
    expect(run(root).status).toBe(0);
    expect(fs.readFileSync(a, 'utf8')).toBe(compiled);
    expect(fs.existsSync(path.join(root, 'build', 'lib', 'b.js'))).toBe(true);
    expect(state.currentBuild(root)).toBeInstanceOf(Set);
    // a type error: tsc fails (and still emits); the sources run
    write(root, 'lib/b.ts', "export const b: number = 'one';\n");
    const failed = run(root);
    expect(failed.status).not.toBe(0);
    expect(failed.stdout).toContain('TS2322');
    expect(fs.existsSync(path.join(root, state.RECORD))).toBe(false);
    expect(state.currentBuild(root)).toBeUndefined();
  }, 60_000);
});

describe('one build at a time (build/.ocpkit-build.lock)', () => {
  const lockFile = (root: string) => path.join(root, 'build', '.ocpkit-build.lock');
  function start(root: string): { done: Promise<number | null>; stderr: () => string } {
    const child = spawn(process.execPath, [path.join(root, 'scripts', 'build.js')], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    return { done: new Promise((resolve) => child.on('close', (code) => resolve(code))), stderr: () => err };
  }

  test('a build waits while a live process holds the lock, then builds and releases it', async () => {
    const root = project();
    write(root, 'build/.ocpkit-build.lock', `${process.pid}\n`); // this test's process: alive
    const b = start(root);
    for (let i = 0; i < 100 && !b.stderr().includes('waiting'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(b.stderr()).toContain(`build: waiting for the build of process ${process.pid} to finish`);
    expect(fs.existsSync(path.join(root, state.RECORD))).toBe(false);
    fs.rmSync(lockFile(root));
    expect(await b.done).toBe(0);
    expect(state.currentBuild(root)).toBeInstanceOf(Set);
    expect(fs.existsSync(lockFile(root))).toBe(false);
  }, 60_000);

  test('a lock naming the builder itself (a pid from before an exec) or a reused pid (another start time) is broken without waiting', async () => {
    const own = project();
    const r = spawnSync('bash', ['-c', `mkdir -p build && echo $$ > build/.ocpkit-build.lock && exec ${JSON.stringify(process.execPath)} scripts/build.js`], { cwd: own, encoding: 'utf8', timeout: 60_000 });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(state.currentBuild(own)).toBeInstanceOf(Set);
    const reused = project();
    write(reused, 'build/.ocpkit-build.lock', `${process.pid} 1\n`); // this process, but not started at tick 1
    const b = start(reused);
    expect(await b.done).toBe(0);
    expect(b.stderr()).not.toContain('waiting');
  }, 60_000);

  test('a build stopped by a signal removes its lock and leaves no record', async () => {
    const root = project();
    const child = spawn(process.execPath, [path.join(root, 'scripts', 'build.js')], { cwd: root, stdio: 'ignore' });
    const stopped = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    for (let i = 0; i < 200 && !fs.existsSync(lockFile(root)); i++) await new Promise((r) => setTimeout(r, 25));
    expect(fs.readFileSync(lockFile(root), 'utf8')).toMatch(new RegExp(`^${child.pid}\\b`));
    child.kill('SIGTERM');
    expect(await stopped).toBe(143); // 128 + SIGTERM: tsc stopped too
    expect(fs.existsSync(path.join(root, state.RECORD))).toBe(false);
    expect(fs.existsSync(lockFile(root))).toBe(false);
    expect(fs.readdirSync(path.join(root, 'build')).filter((f) => f.startsWith('.ocpkit-build.lock'))).toEqual([]);
  }, 60_000);

  test('the lock of a process that is gone is broken without waiting', async () => {
    const root = project();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    write(root, 'build/.ocpkit-build.lock', `${gone}\n`);
    const b = start(root);
    expect(await b.done).toBe(0);
    expect(b.stderr()).not.toContain('waiting');
    expect(state.currentBuild(root)).toBeInstanceOf(Set);
    expect(fs.existsSync(lockFile(root))).toBe(false);
  }, 60_000);
});

describe('a stack in the checkout gets build/ modules while build/ is current', () => {
  // a child process: the TypeScript loader, then what bin/ocpkit.js does for a current build
  const probe = (root: string) => spawnSync(process.execPath, ['-e', [
    `require(${JSON.stringify(path.join(REPO, 'bin', 'run-ts.js'))});`,
    `const state = require(${JSON.stringify(path.join(REPO, 'bin', 'build-state.js'))});`,
    `const outputs = state.currentBuild(${JSON.stringify(root)});`,
    `if (outputs) state.runFromBuild(${JSON.stringify(root)}, outputs);`,
    `const m = require(${JSON.stringify(path.join(root, 'apps', 'stack', 'main.ts'))});`,
    "const lib = Object.keys(require.cache).filter((f) => f.startsWith(process.argv[1]) && !f.includes('apps')).map((f) => f.slice(process.argv[1].length + 1)).sort();",
    "const real = require('fs').realpathSync(process.argv[1]);",
    "lib.push(...Object.keys(require.cache).filter((f) => f.startsWith(real + '/') && !f.startsWith(process.argv[1] + '/') && !f.includes('apps')).map((f) => 'real:' + f.slice(real.length + 1)));",
    'process.stdout.write(JSON.stringify({ from: m.from, a: m.a, n: m.n, lib }));',
  ].join('\n'), root], { encoding: 'utf8', env: { ...process.env, OCPKIT_CACHE_DIR: 'off' } });

  test('imports of ../../lib load build/lib (one copy of the library); after an edit, the sources', () => {
    const root = checkout();
    expect(build(root)).toBe(true);
    const r = probe(root);
    expect(r.stderr).toBe('');
    // build/bin's copy of a helper is not loaded: bin/'s is (the one the CLI's loader already has)
    expect(JSON.parse(r.stdout)).toEqual({ from: 'build', a: 2, n: 2, lib: ['bin/helper.js', 'build/lib/a.js', 'build/lib/data.json', 'build/lib/index.js'] });
    write(root, 'lib/index.ts', "export * from './a';\nexport const from: string = 'edited';\nexport const h: number = require('../bin/helper').h;\n");
    expect(JSON.parse(probe(root).stdout)).toEqual({ from: 'edited', a: 1, n: 1, lib: ['bin/helper.js', 'lib/a.ts', 'lib/data.json', 'lib/index.ts'] });
  });

  test('a lib/ that is a symbolic link (Node resolves modules to their real paths) maps to build/ too', () => {
    const root = checkout();
    const real = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-real-lib-'));
    roots.push(real);
    fs.renameSync(path.join(root, 'lib'), path.join(real, 'lib'));
    fs.symlinkSync(path.join(real, 'lib'), path.join(root, 'lib'));
    expect(build(root)).toBe(true);
    const r = probe(root);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ from: 'build', a: 2, n: 2 });
  });
});
