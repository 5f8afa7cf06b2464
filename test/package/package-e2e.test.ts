import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';

/*
 * Issue 18, "Done when" 1: the library as another team gets it. `npm pack` (which builds through
 * `prepare`), `ocpkit init` into a fresh folder outside this repository with the tarball as the
 * dependency (init runs `npm install` there, from the npm cache where it can), then in that folder
 * only: `npm run synth` through the installed CLI, a test module on `ocpkit/testing` run with the
 * installed loader, and `tsc` with the scaffold's strict tsconfig. Nothing there may name a
 * `../shared` path.
 *
 * Slow by nature (a build, an install, a synth and a type-check: about a minute on 2 cores when
 * the machine is otherwise idle); it runs with the rest of `npm test`, so .ci/run runs it.
 */

const REPO = path.join(__dirname, '..', '..');
const SHARED_SCHEMAS = path.resolve(REPO, '..', 'shared', 'crds');

/**
 * The environment of every child: no npm_* variables of an enclosing `npm test`, npm from its cache
 * where it can, and no OCPKIT_TYPECHECK=0 (test/_env.js): the consumer's synth type-checks, as a user's does.
 */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'OCPKIT_FROM_BUILD' && k !== 'OCPKIT_SCHEMAS' && k !== 'OCPKIT_TYPECHECK') env[k] = v;
  return { ...env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...extra };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return r;
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}

/** Files under dir (relative, '/'), without node_modules and dist. */
function sources(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules' || e.name === 'dist') return [];
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? sources(path.join(dir, e.name), rel) : [rel];
  });
}

describe('the packed library in a fresh folder', () => {
  let tmp: string;
  beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-e2e-')); });
  afterAll(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

  test('npm pack, ocpkit init, npm run synth and a strict type-check, with nothing from this repository', () => {
    expect(path.relative(REPO, tmp).startsWith('..')).toBe(true);
    const cache = path.join(tmp, 'cache');
    fs.mkdirSync(cache, { mode: 0o700 });

    // 1. the tarball: prepare builds build/; the package holds compiled code, templates and the CLI, no sources or dist/
    const packed = JSON.parse(ok(run('npm', ['pack', '--json', '--pack-destination', tmp], REPO, childEnv({})), 'npm pack'))[0];
    const tarball = path.join(tmp, packed.filename);
    const files: string[] = packed.files.map((f: { path: string }) => f.path);
    for (const f of ['build/lib/index.js', 'build/lib/index.d.ts', 'build/lib/testing.js', 'build/lib/testing.d.ts', 'build/lib/cli/main.js', 'bin/ocpkit.js', 'templates/init/apps/main.ts']) expect(files).toContain(f);
    expect(files.filter((f) => /^(dist|test|apps|bench|imports|lib)\//.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('templates/')))).toEqual([]);

    // 2. ocpkit init with the tarball as the dependency; init runs npm install there
    const cluster = path.join(tmp, 'cluster');
    const initArgs = [cluster, '--ocpkit', tarball, '--name', 'e2e'];
    const mainSource = fs.readFileSync(path.join(REPO, 'lib', 'cli', 'main.ts'), 'utf8');
    // The compiled CLI this repository packed (build/, as in the tarball). TODO: once lib/cli/main.ts
    // registers `init` (see lib/cli/init-command.ts), the first branch is the one that runs.
    const init = mainSource.includes("'./init-command'")
      ? run(process.execPath, [path.join(REPO, 'bin', 'ocpkit.js'), 'init', ...initArgs], tmp, childEnv({ OCPKIT_FROM_BUILD: '1', OCPKIT_CACHE_DIR: cache }))
      : run(process.execPath, ['-e', `require(${JSON.stringify(path.join(REPO, 'build', 'lib', 'cli', 'init-command.js'))}).initCommand(process.argv.slice(1)).then((c) => { process.exitCode = c; })`, ...initArgs], tmp, childEnv({ OCPKIT_CACHE_DIR: cache }));
    ok(init, 'ocpkit init');
    const installed = path.join(cluster, 'node_modules', 'ocpkit');
    expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false); // a copy of the tarball, not a link into this repository
    expect(fs.existsSync(path.join(installed, 'lib'))).toBe(false); // so the CLI runs build/
    expect(JSON.parse(fs.readFileSync(path.join(cluster, 'package.json'), 'utf8')).dependencies.ocpkit).toBe(`file:${tarball}`);
    // the construct libraries are peers: one copy, the project's
    for (const peer of ['cdk8s', 'constructs', 'cdk8s-plus-27']) expect(fs.existsSync(path.join(installed, 'node_modules', peer))).toBe(false);

    // 3. synth through the installed CLI, from the scaffold's own script.
    // TODO: `ocpkit schemas sync --from <mirror>` (helper E's command) into OCPKIT_CACHE_DIR instead of
    // OCPKIT_SCHEMAS once lib/cli/main.ts registers it; the scaffold itself names no schema folder.
    const env = childEnv({ OCPKIT_CACHE_DIR: cache, OCPKIT_SCHEMAS: SHARED_SCHEMAS });
    const synth = ok(run('npm', ['run', 'synth'], cluster, env), 'npm run synth');
    expect(synth).toMatch(/ocpkit synth: \d+ objects in \d+ files for staging, production -> dist\//);
    const versions = (yaml.load(fs.readFileSync(path.join(cluster, 'apps', 'versions.yaml'), 'utf8')) as any).environments;
    for (const envName of ['staging', 'production']) {
      const deployments = fs.readdirSync(path.join(cluster, 'dist', envName, 'web')).filter((f) => f.startsWith('deployment.'));
      expect(deployments).toHaveLength(1);
      const web = yaml.load(fs.readFileSync(path.join(cluster, 'dist', envName, 'web', deployments[0]), 'utf8')) as any;
      expect(web.spec.template.spec.containers[0].image).toBe(versions[envName]['images.web']);
    }

    // 4. a stack test on ocpkit/testing, run with the installed loader (runtime resolution of both entry points)
    fs.mkdirSync(path.join(cluster, 'test'));
    fs.writeFileSync(path.join(cluster, 'test', 'stack.check.ts'), [
      "import { findObjects, synthInMemory } from 'ocpkit/testing';",
      "import { build } from '../apps/main';",
      'const result = synthInMemory(build());',
      "const names: string[] = findObjects(result, { kind: 'Namespace', environment: 'production' }).map((m) => m.metadata.name);",
      "process.stdout.write(`namespaces: ${names.sort().join(',')}\\n`);",
      '',
    ].join('\n'));
    const check = ok(run(process.execPath, [path.join(installed, 'bin', 'run-ts.js'), 'test/stack.check.ts'], cluster, env), 'stack test on ocpkit/testing');
    const tenants: string[] = (yaml.load(fs.readFileSync(path.join(cluster, 'apps', 'tenants.yaml'), 'utf8')) as any).tenants.map((t: any) => t.name);
    const listed = /namespaces: (.*)/.exec(check)![1].split(',');
    for (const t of tenants) expect(listed).toContain(t);

    // 5. strict type-check of the stack and the test against the installed declarations
    const tsconfig = JSON.parse(fs.readFileSync(path.join(cluster, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions.strict).toBe(true);
    // --skipLibCheck false: ocpkit's shipped declarations compile too (the scaffold skips library checks)
    ok(run(process.execPath, [path.join(cluster, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', 'tsconfig.json', '--skipLibCheck', 'false'], cluster, env), 'tsc (strict)');
    // a type error is reported: the check is real
    fs.writeFileSync(path.join(cluster, 'test', 'typo.check.ts'), "import { Tenant } from 'ocpkit';\nexport const t: Tenant = 'not a tenant';\n");
    const typo = run(process.execPath, [path.join(cluster, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', 'tsconfig.json'], cluster, env);
    expect(typo.status).not.toBe(0);
    expect(typo.stdout).toMatch(/typo\.check\.ts.*TS2322/);

    // 6. the installed CLI answers --help; nothing in the scaffold names a ../shared path
    ok(run(process.execPath, [path.join(installed, 'bin', 'ocpkit.js'), '--help'], cluster, env), 'ocpkit --help');
    for (const rel of sources(cluster)) {
      expect({ rel, shared: fs.readFileSync(path.join(cluster, rel), 'utf8').includes('../shared') }).toEqual({ rel, shared: false });
    }
  }, 300_000);
});
