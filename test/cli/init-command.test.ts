import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { initCommand } from '../../lib/cli/init-command';
import { UsageError } from '../../lib/cli/main';
import { findObject, findObjects, synthInMemory } from '../../lib/testing';
import { captureOutput } from '../_helpers';

const REPO = path.join(__dirname, '..', '..');
const OWN = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));

/** Every file under dir, relative with '/', sorted. */
function tree(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? tree(path.join(dir, e.name), rel) : [rel];
  }).sort();
}

describe('ocpkit init', () => {
  const io = captureOutput();
  let tmp: string;
  beforeEach(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-init-')); });
  afterEach(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

  test('--help exits 0 and documents the options', async () => {
    await expect(initCommand(['--help'])).resolves.toBe(0);
    expect(io.out()).toMatch(/^usage: ocpkit init DIR/);
    for (const opt of ['--ocpkit', '--name', '--repo-url', '--no-install']) expect(io.out()).toContain(opt);
  });

  test('scaffolds a cluster repository: package.json on ocpkit, strict tsconfig, stack, data files, CI for GitLab and GitHub', async () => {
    const tarball = path.join(tmp, 'ocpkit-9.9.9.tgz');
    fs.writeFileSync(tarball, '');
    const dir = path.join(tmp, 'Edge_Cluster');
    const cwd = process.cwd();
    process.chdir(tmp); // a relative tarball path is made absolute: package.json lives in DIR
    try {
      await expect(initCommand(['Edge_Cluster', '--ocpkit', 'ocpkit-9.9.9.tgz', '--no-install'])).resolves.toBe(0);
    } finally {
      process.chdir(cwd);
    }
    expect(tree(dir)).toEqual(['.github/workflows/ocpkit.yml', '.gitignore', '.gitlab-ci.yml', 'README.md', 'apps/main.ts', 'apps/tenants.yaml', 'apps/versions.yaml', 'cdk8s.yaml', 'package.json', 'tsconfig.json']);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('edge-cluster'); // from the folder name, made a DNS label
    expect(pkg.dependencies.ocpkit).toBe(`file:${tarball}`);
    // the construct libraries (ocpkit's peers) and the compiler at the versions ocpkit is tested with
    for (const dep of ['cdk8s', 'cdk8s-plus-27', 'constructs']) expect(pkg.dependencies[dep]).toBe(OWN.devDependencies[dep]);
    for (const dep of ['typescript', '@types/node']) expect(pkg.devDependencies[dep]).toBe(OWN.devDependencies[dep]);
    expect(pkg.scripts.synth).toBe('ocpkit synth apps/main.ts --out dist');
    const tsconfig = JSON.parse(fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8'));
    expect(tsconfig.compilerOptions.strict).toBe(true);
    expect((yaml.load(fs.readFileSync(path.join(dir, 'cdk8s.yaml'), 'utf8')) as any).app).toContain('ocpkit synth apps/main.ts');
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8').split('\n')).toContain('node_modules/');
    for (const rel of tree(dir)) {
      const text = fs.readFileSync(path.join(dir, rel), 'utf8');
      expect({ rel, shared: text.includes('../shared') || text.includes('shared/crds') }).toEqual({ rel, shared: false });
      expect({ rel, placeholder: /\{\{[A-Z_]+\}\}/.test(text) }).toEqual({ rel, placeholder: false });
      if (/\.ya?ml$/.test(rel)) expect(() => yaml.load(text)).not.toThrow();
    }
    expect(fs.readFileSync(path.join(dir, 'apps/main.ts'), 'utf8')).toContain("name: 'edge-cluster'");
    expect(io.out()).toContain('next: cd Edge_Cluster && npm install && npm run synth');
  });

  test('CI jobs: GitHub actions pinned by full commit SHA, Node 24 on both, synth and a stale-dist check', async () => {
    const dir = path.join(tmp, 'c');
    await initCommand([dir, '--no-install']);
    const gh = yaml.load(fs.readFileSync(path.join(dir, '.github/workflows/ocpkit.yml'), 'utf8')) as any;
    const steps: any[] = gh.jobs.synth.steps;
    const uses = steps.filter((s) => s.uses).map((s) => s.uses as string);
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
    expect(steps.find((s) => String(s.uses).startsWith('actions/setup-node@')).with['node-version']).toBe(24);
    expect(gh.permissions).toEqual({ contents: 'read' });
    expect(Object.keys(gh.on)).toEqual(expect.arrayContaining(['pull_request']));
    const ghRun = steps.map((s) => s.run ?? '').join('\n');
    const gl = yaml.load(fs.readFileSync(path.join(dir, '.gitlab-ci.yml'), 'utf8')) as any;
    expect(gl.default.image).toMatch(/^node:24-/);
    const glRun = (gl.synth.script as string[]).join('\n');
    for (const run of [ghRun, glRun]) {
      expect(run).toContain('npm ci');
      expect(run).toContain('npm run typecheck');
      expect(run).toContain('npm run synth');
      expect(run).toContain('git status --porcelain -- dist');
    }
  });

  test('the scaffolded stack synthesizes: two tenants from tenants.yaml, the web image pinned per environment by versions.yaml', async () => {
    const dir = path.join(tmp, 'cluster');
    await initCommand([dir, '--no-install', '--name', 'lab', '--repo-url', 'https://gitlab.example.org/platform/lab.git']);
    // `ocpkit` resolves to this repository's sources (the packed package is tested in test/package)
    const shim = path.join(tmp, 'node_modules', 'ocpkit');
    fs.mkdirSync(shim, { recursive: true });
    fs.writeFileSync(path.join(shim, 'package.json'), JSON.stringify({ name: 'ocpkit', main: 'index.js' }));
    fs.writeFileSync(path.join(shim, 'index.js'), `module.exports = require(${JSON.stringify(path.join(REPO, 'lib', 'index.ts'))});\n`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const stack = require(path.join(dir, 'apps', 'main.ts'));
    const clusters = stack.build();
    const result = synthInMemory(clusters);
    const tenants = (yaml.load(fs.readFileSync(path.join(dir, 'apps', 'tenants.yaml'), 'utf8')) as any).tenants.map((t: any) => t.name);
    const versions = (yaml.load(fs.readFileSync(path.join(dir, 'apps', 'versions.yaml'), 'utf8')) as any).environments;
    expect(tenants).toHaveLength(2);
    expect(clusters.map((c: any) => c.environment).sort()).toEqual(Object.keys(versions).sort());
    for (const env of Object.keys(versions)) {
      for (const t of tenants) expect(findObject(result, { kind: 'Namespace', name: t, environment: env }).metadata.name).toBe(t);
      const web = findObject(result, { kind: 'Deployment', name: 'web', environment: env });
      expect(web.spec.template.spec.containers[0].image).toBe(versions[env]['images.web']);
    }
    const repos = findObjects(result, { kind: 'Application' }).map((a) => a.spec.source?.repoURL);
    expect(repos.length).toBeGreaterThan(0);
    expect(new Set(repos)).toEqual(new Set(['https://gitlab.example.org/platform/lab.git']));
  });

  test('refuses a folder that is not empty, in one line, and writes nothing', async () => {
    const dir = path.join(tmp, 'taken');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    const err = await initCommand([dir, '--no-install']).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/taken is not empty \(1 entry, e\.g\. notes\.txt\); init writes only into a new or empty folder/);
    expect(err.message).not.toContain('\n');
    expect(fs.readdirSync(dir)).toEqual(['notes.txt']);
    expect(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });

  test.each([
    [['a', 'b'], /exactly one folder/],
    [[], /exactly one folder/],
    [['x', '--name', 'Bad_Name'], /--name: "Bad_Name" is not a DNS-1123 label/],
    [['___'], /does not make a cluster name; give --name/],
    [['x', '--ocpkit', './missing-0.1.0.tgz'], /--ocpkit: \.\/missing-0\.1\.0\.tgz does not exist/],
    [['x', '--repo-url', 'https://user:token@git.example.org/a.git'], /--repo-url: .* is not an https URL without user info/],
    [['x', '--frobnicate'], /unknown option --frobnicate/],
  ])('usage error %j: one line, nothing written', async (args, message) => {
    const cwd = process.cwd();
    process.chdir(tmp);
    try {
      const err = await initCommand([...args, '--no-install']).catch((e) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain('\n');
    } finally {
      process.chdir(cwd);
    }
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  test('a file as DIR is refused', async () => {
    const file = path.join(tmp, 'f');
    fs.writeFileSync(file, '');
    await expect(initCommand([file, '--no-install'])).rejects.toThrow(/is not a folder; give a new or empty folder/);
  });

  test('without --ocpkit the dependency is the published ocpkit at this version', async () => {
    const dir = path.join(tmp, 'd');
    await initCommand([dir, '--no-install']);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies.ocpkit).toBe(`^${OWN.version}`);
  });
});
