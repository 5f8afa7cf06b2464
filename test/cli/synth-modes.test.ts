import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { main } from '../../lib/cli/main';
import { typecheckStack } from '../../lib/cli/typecheck';
import { captureOutput } from '../_helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'ocpkit.js');
const LIB = JSON.stringify(path.join(ROOT, 'lib'));
const GOOD = 'test/fixtures/good-stack.ts';

// This file tests the type-check itself: synth checks unless a test says --no-typecheck (test/_env.js turns
// it off for the other test files).
process.env.OCPKIT_TYPECHECK = '1';

const made: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-modes-'));
  made.push(d);
  return d;
}
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Every file under dir, relative path -> text. */
function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) out.set(f.split(path.sep).join('/'), fs.readFileSync(p, 'utf8'));
  }
  return out;
}

/** A two-environment stack in a temporary folder, importing ocpkit's sources. */
function twoEnvStack(dir: string): string {
  const file = path.join(dir, 'two.ts');
  fs.writeFileSync(file, [
    `import { Cluster, Quantity, Tenant } from ${LIB};`,
    'function env(environment: string): Cluster {',
    "  const c = new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12' }, name: 'fixture', environment, repoUrl: 'https://git.example.org/infra.git' });",
    "  new Tenant(c, 'Forum', { name: 'forum', displayName: 'Forum', groups: { admin: ['forum-admins'] }, quota: { cpu: Quantity.parse('1'), memory: Quantity.parse('1Gi'), storage: Quantity.parse('1Gi') } });",
    '  return c;',
    '}',
    "export function build(): Cluster[] { return [env('staging'), env('production')]; }",
    '',
  ].join('\n'));
  return file;
}

function run(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 170_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ocpkit synth: arguments (util.parseArgs)', () => {
  const io = captureOutput();

  test('an unknown option names the command and the nearest option; exit 2', async () => {
    expect(await main(['synth', GOOD, '--outt', 'x'])).toBe(2);
    expect(io.err()).toBe('ocpkit synth: unknown option --outt for ocpkit synth; did you mean --out?\n');
  });

  test('an option nothing is near lists the options', async () => {
    expect(await main(['validate', 'dist', '--frobnicate'])).toBe(2);
    expect(io.err()).toBe('ocpkit validate: unknown option --frobnicate for ocpkit validate; options: --schemas, --platform, --policy, --json\n');
  });

  test('an unknown command suggests the nearest one', async () => {
    expect(await main(['synht'])).toBe(2);
    expect(io.err().split('\n')[0]).toBe('ocpkit: unknown command "synht"; did you mean synth?');
    expect(await main(['frobnicate'])).toBe(2);
    expect(io.err()).toMatch(/^ocpkit: unknown command "frobnicate"\nusage:/m);
  });

  test('a missing value is one line', async () => {
    expect(await main(['synth', GOOD, '--out'])).toBe(2);
    expect(io.err()).toBe('ocpkit synth: --out needs a value\n');
  });

  test('--out=DIR and --out DIR write the same tree; -- ends the options', async () => {
    const a = path.join(tmp(), 'a');
    const b = path.join(tmp(), 'b');
    expect(await main(['synth', `--out=${a}`, '--no-typecheck', GOOD])).toBe(0);
    expect(await main(['synth', '--out', b, '--no-typecheck', '--', GOOD])).toBe(0);
    expect(files(b)).toEqual(files(a));
    expect(files(a).size).toBeGreaterThan(3);
    // after --, an option-like word is a positional: two stack modules, a usage error
    expect(await main(['synth', '--no-typecheck', '--', GOOD, '--out'])).toBe(2);
    expect(io.err()).toMatch(/synth takes exactly one stack module/);
  });

  test('--help lists every option', async () => {
    expect(await main(['synth', '--help'])).toBe(0);
    for (const o of ['--out DIR', '--stdout', '--env NAME', '--json', '--no-typecheck']) expect(io.out()).toContain(o);
  });
});

describe('ocpkit synth --json', () => {
  const io = captureOutput();

  test('success: one JSON object with the counts, environments and output folder', async () => {
    const out = path.join(tmp(), 'dist');
    expect(await main(['synth', GOOD, '--out', out, '--json', '--no-typecheck'])).toBe(0);
    const report = JSON.parse(io.out());
    const written = files(out);
    expect(report).toMatchObject({ environments: ['production'], out, removed: 0, typecheck: { status: 'skipped' } });
    // every synthesized file plus the output marker
    expect(report.files).toBe(written.size - 1);
    expect(report.written).toBe(written.size);
    const objects = [...written].filter(([f]) => f.endsWith('.yaml') && !f.endsWith('externals.yaml')).length;
    expect(report.objects).toBe(objects);
    expect(typeof report.ms).toBe('number');
  });

  test('failure: the problems on stdout as JSON, the same exit code, the usual lines on stderr', async () => {
    const out = path.join(tmp(), 'dist');
    expect(await main(['synth', 'test/fixtures/bad-stack.ts', '--out', out, '--json', '--no-typecheck'])).toBe(1);
    const { problems } = JSON.parse(io.out());
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) expect(Object.keys(p).sort()).toEqual(['field', 'message', 'path']);
    expect(io.err()).toContain(problems[0].message);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('a usage error is a problem too (exit 2)', async () => {
    expect(await main(['synth', '--json'])).toBe(2);
    expect(JSON.parse(io.out()).problems[0].message).toMatch(/exactly one stack module/);
  });
});

describe('ocpkit synth --stdout', () => {
  const io = captureOutput();

  test('one YAML stream of the manifests that --out writes, in the same order, nothing on disk', async () => {
    const out = path.join(tmp(), 'dist');
    expect(await main(['synth', GOOD, '--out', out, '--no-typecheck'])).toBe(0);
    io.stdout.mockClear();
    io.stderr.mockClear();
    const before = files(path.dirname(out));
    expect(await main(['synth', GOOD, '--stdout', '--no-typecheck'])).toBe(0);
    expect(files(path.dirname(out))).toEqual(before);
    const stream = yaml.loadAll(io.out());
    const expected = [...files(out)]
      .filter(([f]) => f.endsWith('.yaml') && !/^[^/]+\/externals\.yaml$/.test(f))
      .map(([, text]) => yaml.load(text));
    expect(stream).toEqual(expected);
    expect(stream.length).toBeGreaterThan(3);
    expect(io.err()).toMatch(/^ocpkit synth: \d+ manifest files of production -> stdout\n$/);
  });

  test('a console.log in the stack goes to stderr: stdout stays one YAML stream (and one JSON object with --json)', () => {
    const dir = tmp();
    const stack = fs.readFileSync(twoEnvStack(dir), 'utf8').replace("export function build(): Cluster[] { return [", "export function build(): Cluster[] { console.log('building'); console.info('info'); return [");
    fs.writeFileSync(path.join(dir, 'two.ts'), `console.log('loading');\n${stack}`);
    const r = run(['synth', 'two.ts', '--stdout', '--env', 'staging', '--no-typecheck'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('---\n')).toBe(true);
    expect((yaml.loadAll(r.stdout) as any[]).every((d) => typeof d?.kind === 'string')).toBe(true);
    expect(r.stderr).toMatch(/^loading\nbuilding\ninfo\n/);
    const j = run(['synth', 'two.ts', '--out', 'out', '--json', '--no-typecheck'], dir);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout).environments).toEqual(['staging', 'production']);
  }, 180_000);

  test('--stdout with --out, or --env without --stdout, is a usage error', async () => {
    expect(await main(['synth', GOOD, '--stdout', '--out', 'x'])).toBe(2);
    expect(await main(['synth', GOOD, '--env', 'production'])).toBe(2);
    expect(io.err()).toMatch(/--env only applies with --stdout/);
  });

  test('several environments need --env, which picks one; the error lists the names', () => {
    const dir = tmp();
    twoEnvStack(dir);
    const none = run(['synth', 'two.ts', '--stdout', '--no-typecheck'], dir);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe('ocpkit synth: the stack has 2 environments (staging, production); pick one with --env NAME\n');
    const wrong = run(['synth', 'two.ts', '--stdout', '--env', 'prod', '--no-typecheck'], dir);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--env "prod" is not an environment of the stack; environments: staging, production/);
    const staging = run(['synth', 'two.ts', '--stdout', '--env', 'staging', '--no-typecheck'], dir);
    expect(staging.code).toBe(0);
    const docs = yaml.loadAll(staging.stdout) as any[];
    expect(docs.length).toBeGreaterThan(3);
    const paths = docs.filter((d) => d.kind === 'Application').map((d) => String(d.spec?.source?.path));
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) expect(p).toMatch(/^dist\/staging\//);
    expect(fs.readdirSync(dir)).toEqual(['two.ts']);
  }, 180_000);
});

describe('cdk8s compatibility', () => {
  const io = captureOutput();

  test('without --out, synth writes to $CDK8S_OUTDIR (as `cdk8s synth` sets it)', async () => {
    const out = path.join(tmp(), 'cdk8s-out');
    const saved = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = out;
    try {
      expect(await main(['synth', GOOD, '--no-typecheck'])).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = saved;
    }
    expect(io.out()).toContain(`-> ${out}/`);
    expect(files(out).size).toBeGreaterThan(3);
  });

  test('cluster.synth() goes through ocpkit\'s synthesizer and writer: the same tree as ocpkit synth', async () => {
    const viaCli = path.join(tmp(), 'cli');
    expect(await main(['synth', GOOD, '--out', viaCli, '--no-typecheck'])).toBe(0);
    const dir = tmp();
    const viaApp = path.join(dir, 'app-out');
    fs.writeFileSync(path.join(dir, 'app.ts'), [
      `import { build } from ${JSON.stringify(path.join(ROOT, 'test', 'fixtures', 'good-stack'))};`,
      'build().synth();',
      '',
    ].join('\n'));
    const r = spawnSync(process.execPath, ['-r', path.join(ROOT, 'bin', 'run-ts.js'), 'app.ts'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: viaApp } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(files(viaApp)).toEqual(files(viaCli));
  }, 120_000);

  test('cluster.synth() refuses a folder that is not ocpkit output, with one OcpkitError', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'precious.txt'), 'keep me');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { build } = require('../fixtures/good-stack');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { isOcpkitError } = require('../../lib/core/errors');
    const saved = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = dir;
    let thrown: unknown;
    try {
      build().synth();
    } catch (e) {
      thrown = e;
    } finally {
      if (saved === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = saved;
    }
    expect(isOcpkitError(thrown)).toBe(true);
    expect(String((thrown as Error).message).split('\n')).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, 'precious.txt'), 'utf8')).toBe('keep me');
  });

  test('cluster.synth() of a second environment into the same folder refuses instead of removing the first', async () => {
    const dir = tmp();
    const out = path.join(dir, 'dist');
    twoEnvStack(dir);
    // the folder holds staging and production (ocpkit output)
    expect(await main(['synth', path.join(dir, 'two.ts'), '--out', out, '--no-typecheck'])).toBe(0);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { build } = require(path.join(dir, 'two.ts'));
    const [staging] = build();
    const saved = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = out;
    try {
      expect(() => staging.synth()).toThrow(/\[staging\] synth\(\): .*dist also holds "production", which writing this cluster's "staging" alone would remove; synthesize every cluster together with `ocpkit synth`/);
    } finally {
      if (saved === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = saved;
    }
    expect(fs.readdirSync(out).sort()).toEqual(['.ocpkit-output', 'production', 'staging']);
  }, 120_000);
});

describe('ocpkit synth type-checks the stack', () => {
  /** A stack whose Tenant has a misspelt optional prop (`descripton`): it synthesizes, but does not type-check. */
  function typoStack(dir: string, typo: boolean): void {
    fs.writeFileSync(path.join(dir, 'stack.ts'), [
      `import { Cluster, Quantity, Tenant } from ${LIB};`,
      'export function build(): Cluster {',
      "  const c = new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12' }, name: 'fixture', environment: 'production', repoUrl: 'https://git.example.org/infra.git' });",
      "  new Tenant(c, 'Forum', {",
      `    name: 'forum', displayName: 'Forum', ${typo ? 'descripton' : 'description'}: 'the forum', groups: { admin: ['forum-admins'] },`,
      "    quota: { cpu: Quantity.parse('1'), memory: Quantity.parse('1Gi'), storage: Quantity.parse('1Gi') },",
      '  });',
      '  return c;',
      '}',
      '',
    ].join('\n'));
  }

  test('a typo\'d prop fails with the TS error line and exit 2, the output untouched; --no-typecheck synthesizes it', () => {
    const dir = tmp();
    const cache = tmp();
    const env = { OCPKIT_CACHE_DIR: cache };
    typoStack(dir, true);
    const bad = run(['synth', 'stack.ts', '--out', 'out'], dir, env);
    expect(bad.stderr).toMatch(/^ocpkit synth: the stack does not type-check \(fix it, or pass --no-typecheck to synthesize anyway\):\n {2}stack\.ts:5:42: TS2561: Object literal may only specify known properties, but 'descripton' does not exist in type 'TenantProps'\. Did you mean to write 'description'\?\n$/);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);

    const unchecked = run(['synth', 'stack.ts', '--out', 'out', '--no-typecheck', '--json'], dir, env);
    expect(unchecked.code).toBe(0);
    expect(JSON.parse(unchecked.stdout).typecheck.status).toBe('skipped');

    typoStack(dir, false);
    const checked = run(['synth', 'stack.ts', '--out', 'out', '--json'], dir, env);
    expect(checked.code).toBe(0);
    expect(JSON.parse(checked.stdout).typecheck.status).toMatch(/^(checked|cached)$/);
  }, 600_000);

  test('a typo\'d required prop (quotaa): build() fails at run time, and the type error is what is reported (exit 2)', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'stack.ts'), [
      `import { Cluster, Quantity, Tenant } from ${LIB};`,
      'export function build(): Cluster {',
      "  const c = new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12' }, name: 'fixture', environment: 'production', repoUrl: 'https://git.example.org/infra.git' });",
      "  new Tenant(c, 'Forum', {",
      "    name: 'forum', displayName: 'Forum', groups: { admin: ['forum-admins'] },",
      "    quotaa: { cpu: Quantity.parse('1'), memory: Quantity.parse('1Gi'), storage: Quantity.parse('1Gi') },",
      '  });',
      '  return c;',
      '}',
      '',
    ].join('\n'));
    const checked = run(['synth', 'stack.ts', '--out', 'out'], dir, { OCPKIT_CACHE_DIR: 'off' });
    expect(checked.stderr).toMatch(/^ocpkit synth: the stack does not type-check \(fix it, or pass --no-typecheck to synthesize anyway\):\n {2}stack\.ts:6:5: TS2561: .*'quotaa' does not exist in type 'TenantProps'\. Did you mean to write 'quota'\?\n$/);
    expect(checked.code).toBe(2);
    // without the check, the run-time validation speaks (exit 1): it does not synthesize
    const unchecked = run(['synth', 'stack.ts', '--out', 'out', '--no-typecheck'], dir, { OCPKIT_CACHE_DIR: 'off' });
    expect(unchecked.code).toBe(1);
    expect(unchecked.stderr).toMatch(/quota/);
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  }, 180_000);

  test('the cache cannot hide a change: a file added beside the imports, an extended tsconfig, a dependency\'s declarations; tsconfig declaration files are loaded', () => {
    const dir = tmp();
    const cache = tmp();
    const write = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    };
    write('base.json', JSON.stringify({ compilerOptions: { strict: false, target: 'ES2022', module: 'commonjs', types: [] } }));
    write('tsconfig.json', JSON.stringify({ extends: './base.json', include: ['*.ts', 'types/*.d.ts'] }));
    write('types/globals.d.ts', 'declare const BUILD_ENV: string;\n');
    write('names/index.ts', 'export const n = 1;\n');
    write('node_modules/dep/package.json', JSON.stringify({ name: 'dep', version: '1.0.0', types: 'index.d.ts' }));
    write('node_modules/dep/index.d.ts', 'export declare const d: number;\n');
    write('stack.ts', "import { n } from './names';\nimport { d } from 'dep';\nexport function build(x) { return [n, d + 1, BUILD_ENV, x]; }\n");
    const check = () => typecheckStack(path.join(dir, 'stack.ts'), { cacheRoot: cache, ocpkitVersion: '1.0.0' });
    // a global declared by a .d.ts the tsconfig includes resolves (the stack alone does not name it)
    expect(check()).toMatchObject({ cached: false });
    expect(check()).toMatchObject({ cached: true });
    // the extended config turns strict on: x has an implicit any
    write('base.json', JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'commonjs', types: [] } }));
    expect(check).toThrow(/stack\.ts:3:23: TS7006/);
    write('stack.ts', "import { n } from './names';\nimport { d } from 'dep';\nexport function build(x: number) { return [n, d + 1, BUILD_ENV, x]; }\n");
    expect(check()).toMatchObject({ cached: false });
    // a file added beside the import now wins its resolution ('./names' -> names.ts)
    write('names.ts', "export const n: number = 'x';\n");
    expect(check).toThrow(/names\.ts:1:14: TS2322/);
    fs.rmSync(path.join(dir, 'names.ts'));
    expect(check()).toMatchObject({ cached: true });
    // a dependency's declarations change (an upgrade)
    write('node_modules/dep/index.d.ts', 'export declare const d: string;\nexport declare const e: number;\n');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, 'node_modules/dep/index.d.ts'), later, later);
    expect(check()).toMatchObject({ cached: false });
  }, 120_000);

  test('a successful check is cached by the version of every source file: unchanged is a hit without the compiler, any edit a miss', () => {
    // a program of its own (no ocpkit sources in it, which other work may edit meanwhile)
    const dir = tmp();
    const cache = tmp();
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'commonjs', types: [] } }));
    fs.writeFileSync(path.join(dir, 'helper.ts'), 'export const size: number = 3;\n');
    fs.writeFileSync(path.join(dir, 'stack.ts'), "import { size } from './helper';\nexport function build(): number { return size; }\n");
    const check = () => typecheckStack(path.join(dir, 'stack.ts'), { cacheRoot: cache, ocpkitVersion: '1.0.0' });
    expect(check()).toMatchObject({ cached: false, files: 2 });
    expect(check()).toMatchObject({ cached: true, files: 2 });
    // an imported file changes: a miss, and a type error in it is found
    fs.writeFileSync(path.join(dir, 'helper.ts'), "export const size: number = 'three';\n");
    expect(check).toThrow(/helper\.ts:1:14: TS2322: Type 'string' is not assignable to type 'number'/);
    fs.writeFileSync(path.join(dir, 'helper.ts'), 'export const size: number = 4;\n');
    expect(check()).toMatchObject({ cached: false });
    // written again with the same text: its version changed, so the check runs again (a miss, never a stale hit)
    expect(check()).toMatchObject({ cached: true });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); // past the file system clock's tick
    fs.writeFileSync(path.join(dir, 'helper.ts'), 'export const size: number = 4;\n');
    expect(check()).toMatchObject({ cached: false });
    // the tsconfig and ocpkit's version are part of the key too
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'commonjs', types: [], noUnusedLocals: true } }));
    expect(check()).toMatchObject({ cached: false });
    expect(check()).toMatchObject({ cached: true });
    expect(typecheckStack(path.join(dir, 'stack.ts'), { cacheRoot: cache, ocpkitVersion: '1.0.1' })).toMatchObject({ cached: false });
    // without a cache, every check runs the compiler
    expect(typecheckStack(path.join(dir, 'stack.ts'), { cacheRoot: false })).toMatchObject({ cached: false });
    expect(typecheckStack(path.join(dir, 'stack.ts'), { cacheRoot: false })).toMatchObject({ cached: false });
  }, 120_000);

  test('more than 20 diagnostics: the first 20, then how many more', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, types: [] } }));
    fs.writeFileSync(path.join(dir, 'stack.ts'), Array.from({ length: 23 }, (_, i) => `export const v${i}: number = 'x';`).join('\n'));
    let error: any;
    try {
      typecheckStack(path.join(dir, 'stack.ts'), { cacheRoot: false });
    } catch (e) {
      error = e;
    }
    expect(error.exitCode).toBe(2);
    expect(error.problems).toHaveLength(23);
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(1 + 20 + 1);
    expect(lines[20]).toMatch(/^ {2}.*stack\.ts:20:14: TS2322: /);
    expect(lines[21]).toBe('  ... and 3 more');
  }, 60_000);

  test('no typescript anywhere: one line saying what to do, exit 2', () => {
    const dir = tmp();
    typoStack(dir, false);
    // a preload that makes `typescript` unresolvable from anywhere, as in a folder without it
    fs.writeFileSync(path.join(dir, 'no-ts.js'), [
      "const Module = require('module');",
      'const original = Module._resolveFilename;',
      "Module._resolveFilename = function (request, ...rest) { if (request === 'typescript') throw Object.assign(new Error('no typescript'), { code: 'MODULE_NOT_FOUND' }); return original.call(this, request, ...rest); };",
      '',
    ].join('\n'));
    const r = spawnSync(process.execPath, ['-r', './no-ts.js', BIN, 'synth', 'stack.ts', '--out', 'out'], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('ocpkit synth: cannot type-check the stack: the typescript package is not installed next to it or to ocpkit; run `npm install --save-dev typescript`, or pass --no-typecheck\n');
    expect(r.status).toBe(2);
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
    const skipped = spawnSync(process.execPath, ['-r', './no-ts.js', BIN, 'synth', 'stack.ts', '--out', 'out', '--no-typecheck'], { cwd: dir, encoding: 'utf8' });
    expect(skipped.status).toBe(0);
  }, 120_000);
});

describe('ci-examples/argocd-cmp/plugin.yaml', () => {
  test('is a ConfigManagementPlugin whose generate command is synth --stdout with options synth knows', () => {
    const plugin = yaml.load(fs.readFileSync(path.join(ROOT, 'ci-examples', 'argocd-cmp', 'plugin.yaml'), 'utf8')) as any;
    expect(plugin).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'ConfigManagementPlugin', metadata: { name: 'ocpkit' } });
    const generate: string = plugin.spec.generate.command.join(' ');
    expect(generate).toMatch(/ocpkit synth "\$\{ARGOCD_ENV_STACK:-apps\/main\.ts\}" --stdout --env "\$ARGOCD_ENV_ENVIRONMENT"/);
    // every option of the command is one synth accepts (an unknown one would fail every render)
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SYNTH_HELP } = require('../../lib/cli/synth-command') as typeof import('../../lib/cli/synth-command');
    for (const option of generate.slice(generate.indexOf('ocpkit synth')).match(/ --[a-z-]+/g) ?? []) expect(SYNTH_HELP).toContain(option.trim());
  });
});
