import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The package's shape (package.json, tsconfig.build.json) and the CLI's choice between the
// compiled build/ and the TypeScript sources; the packed package itself is tested in package-e2e.

const REPO = path.join(__dirname, '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const BUILD = JSON.parse(fs.readFileSync(path.join(REPO, 'tsconfig.build.json'), 'utf8'));

/** Where tsc -p tsconfig.build.json writes the output of a source file. */
function emitted(source: string, ext: '.js' | '.d.ts'): string {
  return `./${path.posix.join(BUILD.compilerOptions.outDir, source.replace(/\.ts$/, ext))}`;
}

describe('package.json', () => {
  test('entry points are the compiled root API, ocpkit/testing and ocpkit/diff, with their declarations', () => {
    expect(PKG.main).toBe(emitted('lib/index.ts', '.js').slice(2));
    expect(PKG.types).toBe(emitted('lib/index.ts', '.d.ts').slice(2));
    expect(PKG.exports['.']).toEqual({ types: emitted('lib/index.ts', '.d.ts'), default: emitted('lib/index.ts', '.js') });
    expect(PKG.exports['./testing']).toEqual({ types: emitted('lib/testing.ts', '.d.ts'), default: emitted('lib/testing.ts', '.js') });
    expect(fs.existsSync(path.join(REPO, 'lib', 'index.ts')) && fs.existsSync(path.join(REPO, 'lib', 'testing.ts'))).toBe(true);
    // node10 resolution has no exports: typesVersions maps the subpath
    expect(PKG.typesVersions['*'].testing).toEqual([emitted('lib/testing.ts', '.d.ts').slice(2)]);
    // the review tools are their own entry, so a stack does not load them
    expect(PKG.exports['./diff']).toEqual({ types: emitted('lib/diff-api.ts', '.d.ts'), default: emitted('lib/diff-api.ts', '.js') });
    expect(PKG.typesVersions['*'].diff).toEqual([emitted('lib/diff-api.ts', '.d.ts').slice(2)]);
  });

  test('the build covers lib/ and imports/ and emits declarations; prepare builds (git installs, npm pack)', () => {
    expect(BUILD.include).toEqual(expect.arrayContaining(['lib/**/*.ts', 'imports/**/*.ts']));
    expect(BUILD.compilerOptions.declaration).toBe(true);
    expect(BUILD.compilerOptions.outDir).not.toBe('dist'); // dist/ is the synthesized YAML
    // scripts/build.js: stale outputs of removed sources are pruned first (scripts/prune-build.js),
    // then tsc builds, then what it compiled is recorded (bin/build-state.js, test/package/build-state.test.ts)
    expect(PKG.scripts.build).toBe('node scripts/build.js');
    const script = fs.readFileSync(path.join(REPO, 'scripts', 'build.js'), 'utf8');
    expect(script.indexOf('prune-build.js')).toBeGreaterThan(0);
    expect(script.indexOf("'tsconfig.build.json'")).toBeGreaterThan(script.indexOf('prune-build.js'));
    expect(PKG.scripts.prepare).toBe('npm run build');
    // every plain-JS helper lib/ requires from bin/ is emitted beside build/lib
    const required = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts')) for (const m of fs.readFileSync(p, 'utf8').matchAll(/require\('((?:\.\.\/)+bin\/[\w.-]+\.js)'\)/g)) required.add(path.relative(REPO, path.resolve(path.dirname(p), m[1])));
      }
    };
    walk(path.join(REPO, 'lib'));
    expect(required.size).toBeGreaterThan(0);
    for (const f of required) expect(BUILD.files).toContain(f);
  });

  test('cdk8s, constructs and cdk8s-plus-27 are peers (one copy, the consumer\'s), pinned for this repository as dev dependencies', () => {
    for (const dep of ['cdk8s', 'constructs', 'cdk8s-plus-27']) {
      expect(PKG.dependencies[dep]).toBeUndefined();
      expect(PKG.peerDependencies[dep]).toBe(`^${PKG.devDependencies[dep]}`);
    }
    // the CLI loads the user's TypeScript stack at run time: its loader is a runtime dependency
    expect(PKG.dependencies.esbuild).toBeDefined();
  });

  test('files: compiled code, the CLI, the init templates; no sources, tests or dist/', () => {
    expect(PKG.files).toEqual(expect.arrayContaining(['bin/*.js', 'templates/']));
    expect(PKG.files.some((f: string) => f.startsWith('build/lib/'))).toBe(true);
    expect(PKG.files.some((f: string) => f.startsWith('build/imports/'))).toBe(true);
    expect(PKG.files.filter((f: string) => /^(lib|imports|test|dist|apps|bench)\b/.test(f) || /\*\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
  });
});

describe('this repository\'s CLI running build/ and running the sources', () => {
  test('use the same cache folder (one copy of bin/private-cache.js: build/bin\'s would look for build/node_modules)', () => {
    // npm ci builds build/ (prepare); OCPKIT_FROM_BUILD=1 runs it whatever the sources
    expect(fs.existsSync(path.join(REPO, 'build', 'lib', 'cli', 'main.js'))).toBe(true);
    const status = (fromBuild: string) => {
      const env: NodeJS.ProcessEnv = { ...process.env, OCPKIT_FROM_BUILD: fromBuild };
      delete env.OCPKIT_CACHE_DIR;
      const r = spawnSync(process.execPath, [path.join(REPO, 'bin', 'ocpkit.js'), 'schemas', 'status'], { cwd: REPO, encoding: 'utf8', env });
      return /cache: (\S+?):? /.exec(r.stdout + r.stderr)?.[1];
    };
    const fromSources = status('0');
    expect(fromSources).toContain(path.join(REPO, 'node_modules', '.cache', 'ocpkit'));
    expect(status('1')).toBe(fromSources);
  });
});

describe('bin/ocpkit.js chooses what it runs', () => {
  let pkg: string;
  beforeAll(() => {
    pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-bin-'));
    fs.mkdirSync(path.join(pkg, 'bin'));
    for (const f of fs.readdirSync(path.join(REPO, 'bin'))) if (f.endsWith('.js')) fs.copyFileSync(path.join(REPO, 'bin', f), path.join(pkg, 'bin', f));
    fs.mkdirSync(path.join(pkg, 'build', 'lib', 'cli'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'build', 'lib', 'cli', 'main.js'), "exports.main = async (argv) => { process.stdout.write(`build ${argv.join(' ')}`); return 0; };\n");
  });
  afterAll(() => fs.rmSync(pkg, { recursive: true, force: true }));

  const cli = (env: Record<string, string> = {}) => spawnSync(process.execPath, [path.join(pkg, 'bin', 'ocpkit.js'), 'x'], {
    encoding: 'utf8',
    env: { ...process.env, OCPKIT_CACHE_DIR: 'off', OCPKIT_FROM_BUILD: '', NODE_PATH: path.join(REPO, 'node_modules'), ...env },
  });

  test('an installed package (build/, no lib/ sources) runs build/', () => {
    const r = cli();
    expect(r.stdout).toBe('build x');
    expect(r.status).toBe(0);
  });

  test('with the sources present it runs build/ while `npm run build` recorded it as their compiled form (with --debug too), else or with OCPKIT_FROM_BUILD=0 the sources', () => {
    fs.mkdirSync(path.join(pkg, 'lib', 'cli'), { recursive: true });
    const main = path.join(pkg, 'lib', 'cli', 'main.ts');
    fs.writeFileSync(main, "export async function main(argv: string[]): Promise<number> { process.stdout.write(`source ${argv.join(' ')}`); return 0; }\n");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const state = require(path.join(pkg, 'bin', 'build-state.js'));
    try {
      expect(state.record(pkg, state.snapshot(pkg))).toBe(true); // what scripts/build.js does around tsc
      expect(cli().stdout).toBe('build x');
      expect(cli({ OCPKIT_FROM_BUILD: '0' }).stdout).toBe('source x');
      // --debug shows the trace of the code that failed: it does not switch to the sources
      expect(spawnSync(process.execPath, [path.join(pkg, 'bin', 'ocpkit.js'), 'x', '--debug'], { encoding: 'utf8', env: { ...process.env, OCPKIT_CACHE_DIR: 'off', OCPKIT_FROM_BUILD: '', NODE_PATH: path.join(REPO, 'node_modules') } }).stdout).toBe('build x --debug');
      fs.appendFileSync(main, '// edited after the build\n');
      expect(cli().stdout).toBe('source x');
    } finally {
      fs.rmSync(path.join(pkg, 'lib'), { recursive: true, force: true });
      state.forget(pkg);
    }
  });

  test('a stack here importing ../lib shares build/lib with the CLI that runs build/: current, or forced with OCPKIT_FROM_BUILD=1 after an edit', () => {
    fs.mkdirSync(path.join(pkg, 'lib', 'cli'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'lib', 'cli', 'main.ts'), 'export async function main(): Promise<number> { return 0; }\n');
    fs.writeFileSync(path.join(pkg, 'lib', 'index.ts'), "export const id: string = 'source';\n");
    fs.writeFileSync(path.join(pkg, 'build', 'lib', 'index.js'), "exports.id = 'build';\n");
    fs.mkdirSync(path.join(pkg, 'apps'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'apps', 'stack.ts'), "import lib = require('../lib');\nexport const stackLib = lib;\n");
    const cliMain = path.join(pkg, 'build', 'lib', 'cli', 'main.js');
    const plain = fs.readFileSync(cliMain, 'utf8');
    // the CLI: whether the stack's library is the very module object the CLI has, and which
    fs.writeFileSync(cliMain, "exports.main = async () => { const own = require('../index'); const { stackLib } = require(require('path').join(__dirname, '..', '..', '..', 'apps', 'stack.ts')); process.stdout.write(`${stackLib === own} ${stackLib.id}`); return 0; };\n");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const state = require(path.join(pkg, 'bin', 'build-state.js'));
    try {
      expect(state.record(pkg, state.snapshot(pkg))).toBe(true);
      expect(cli().stdout).toBe('true build');
      fs.appendFileSync(path.join(pkg, 'lib', 'index.ts'), '// edited after the build\n');
      expect(cli({ OCPKIT_FROM_BUILD: '1' }).stdout).toBe('true build');
    } finally {
      fs.writeFileSync(cliMain, plain);
      fs.rmSync(path.join(pkg, 'build', 'lib', 'index.js'));
      for (const d of ['lib', 'apps']) fs.rmSync(path.join(pkg, d), { recursive: true, force: true });
      state.forget(pkg);
    }
  });

  test('with the sources present and no record of a build, it runs them through the TypeScript loader, or build/ with OCPKIT_FROM_BUILD=1', () => {
    fs.mkdirSync(path.join(pkg, 'lib', 'cli'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'lib', 'cli', 'main.ts'), "export async function main(argv: string[]): Promise<number> { process.stdout.write(`source ${argv.join(' ')}`); return 0; }\n");
    try {
      expect(cli().stdout).toBe('source x');
      expect(cli({ OCPKIT_FROM_BUILD: '1' }).stdout).toBe('build x');
      fs.rmSync(path.join(pkg, 'build'), { recursive: true });
      expect(cli({ OCPKIT_FROM_BUILD: '1' }).stdout).toBe('source x'); // nothing built: the sources
    } finally {
      fs.rmSync(path.join(pkg, 'lib'), { recursive: true, force: true });
    }
  });
});
