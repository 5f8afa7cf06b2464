import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { initCommand } from '../../lib/cli/init-command';
import { Cluster } from '../../lib/gitops/cluster';
import { ContainerApp } from '../../lib/openshift/container-app';
import { Policy } from '../../lib/policy/policy';
import { Tenant } from '../../lib/tenancy/tenant';
import { expectProblem, findObject, findObjects, synthInMemory } from '../../lib/testing';
import { collectSamples, compileSamples, DocSample, examplesOf, guideBlocksOf, tsFilesUnder } from '../../scripts/doc-examples';

const ROOT = path.join(__dirname, '..', '..');

/** The construct classes whose doc comments must carry a compiled @example that says what they emit. */
const DOCUMENTED: ReadonlyArray<[string, string]> = [
  ['lib/tenancy/tenant.ts', 'Tenant'],
  ['lib/virt/virtual-machine.ts', 'VirtualMachine'],
  ['lib/gitops/gitops-app.ts', 'GitOpsApp'],
  ['lib/gitops/cluster.ts', 'Cluster'],
  ['lib/backup/backup-storage.ts', 'BackupStorage'],
  ['lib/databases/postgres.ts', 'PostgresCluster'],
  ['lib/refs/provides.ts', 'External'],
];

/**
 * A repository as `ocpkit init` writes it, in a temporary folder, where `import ... from 'ocpkit'`
 * runs this checkout's lib/ (types: the `paths` of the samples' compiler options; at run time: a
 * two-line package in node_modules) and cdk8s, constructs and cdk8s-plus-27 are the repository's.
 */
async function scaffold(parent: string, name: string): Promise<string> {
  const dir = path.join(parent, name);
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    expect(await initCommand([dir, '--no-install', '--name', name, '--repo-url', `https://gitlab.example.org/platform/${name}.git`])).toBe(0);
  } finally {
    write.mockRestore();
  }
  const shim = path.join(dir, 'node_modules', 'ocpkit');
  fs.mkdirSync(shim, { recursive: true });
  fs.writeFileSync(path.join(shim, 'package.json'), '{ "name": "ocpkit", "main": "index.js" }\n');
  fs.writeFileSync(path.join(shim, 'index.js'), `module.exports = require(${JSON.stringify(path.join(ROOT, 'lib', 'index.ts'))});\n`);
  fs.writeFileSync(path.join(shim, 'testing.js'), `module.exports = require(${JSON.stringify(path.join(ROOT, 'lib', 'testing.ts'))});\n`);
  for (const pkg of ['cdk8s', 'cdk8s-plus-27', 'constructs']) fs.symlinkSync(path.join(ROOT, 'node_modules', pkg), path.join(dir, 'node_modules', pkg), 'dir');
  return dir;
}

/** Loads a stack module of a scaffolded repository and calls its `build()`. */
function buildStack(dir: string): Cluster[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(dir, 'apps', 'main.ts')) as { build(): Cluster | Cluster[] };
  const built = mod.build();
  return Array.isArray(built) ? built : [built];
}

describe('documentation samples (@example blocks of lib/, guide blocks of docs/)', () => {
  let tmp: string;
  let samples: DocSample[];
  let problems: string[];
  let diagnostics: string[];
  let guideRepo: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-doc-examples-'));
    const collected = collectSamples(ROOT);
    samples = collected.samples;
    problems = collected.problems.map((p) => `${p.source}:${p.line} ${p.message}`);
    // One repository from `ocpkit init`, with every guide file written over it and every
    // @example in examples/: all of it in one strict program.
    guideRepo = await scaffold(tmp, 'guide');
    const own = tsFilesUnder(guideRepo, 'apps').concat(fs.existsSync(path.join(guideRepo, 'test')) ? tsFilesUnder(guideRepo, 'test') : []);
    diagnostics = compileSamples(samples, guideRepo, ROOT, own);
  }, 180_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('every sample is usable: fenced, closed, and (guide blocks) naming its file once', () => {
    expect(problems).toEqual([]);
  });

  test('every @example and guide block compiles under strict settings, in one program', () => {
    expect(samples.filter((s) => s.source.startsWith('lib/')).length).toBeGreaterThanOrEqual(DOCUMENTED.length);
    expect(samples.filter((s) => s.source.startsWith('docs/')).length).toBeGreaterThan(0);
    expect(diagnostics).toEqual([]);
  });

  test.each(DOCUMENTED)('%s: %s has an @example that says what it emits', (file, cls) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const at = text.search(new RegExp(`\\nexport (abstract )?class ${cls}\\b`));
    expect(at).toBeGreaterThan(0);
    const comment = text.slice(text.lastIndexOf('/**', at), at);
    expect(comment).toMatch(/@example\n \* Emits: /);
    const line = text.slice(0, text.lastIndexOf('/**', at)).split('\n').length;
    const mine = samples.filter((s) => s.source === file && s.line > line && s.line < line + comment.split('\n').length);
    expect(mine).toHaveLength(1);
    expect(mine[0].code).toMatch(/from 'ocpkit'/);
  });

  test('the stack `ocpkit init` writes synthesizes as it is (the guide\'s first synth)', async () => {
    const dir = await scaffold(tmp, 'first');
    const result = synthInMemory(buildStack(dir));
    expect(findObject(result, { kind: 'Namespace', name: 'web', environment: 'staging' })).toBeDefined();
    expect(findObject(result, { kind: 'Deployment', name: 'web', namespace: 'web', environment: 'production' }).spec.template.spec.containers[0].image)
      .toBe('quay.io/example/website:1.0.0');
  });

  test('the guide\'s full stack synthesizes: tenants, the ContainerApp and its Route, the VM on its bridge, externals', () => {
    const clusters = buildStack(guideRepo);
    expect(clusters.map((c) => c.environment).sort()).toEqual(['production', 'staging']);
    const result = synthInMemory(clusters);
    for (const environment of ['staging', 'production']) {
      expect(findObject(result, { kind: 'Namespace', name: 'shop', environment })).toBeDefined();
      expect(findObject(result, { kind: 'Route', namespace: 'shop', environment }).spec.host).toMatch(/^shop\./);
      const vm = findObject(result, { kind: 'VirtualMachine', namespace: 'infra-vms', environment });
      expect(vm.spec.template.spec.networks.map((n: any) => n.multus?.networkName).filter(Boolean)).toEqual(['internal-network']);
      expect(findObject(result, { kind: 'NodeNetworkConfigurationPolicy', environment })).toBeDefined();
    }
    // the release train: each environment runs its own pin of the shop image
    const images = ['staging', 'production'].map((environment) => findObject(result, { kind: 'Deployment', name: 'shop', environment }).spec.template.spec.containers[0].image);
    expect(images[0]).not.toBe(images[1]);
    const externals = result.files.get('production/externals.yaml') ?? '';
    for (const name of ['ops-ssh-keys', 'acme-dns-tsig']) expect(externals).toContain(`name: ${name}`);
    expect(findObjects(result, { kind: 'Application', environment: 'production' }).length).toBeGreaterThan(2);
  });

  test('the escape hatches do what docs/escape-hatches.md says, on the guide\'s stack', () => {
    const load = (file: string): any => require(path.join(guideRepo, 'apps', 'hatches', file)); // eslint-disable-line @typescript-eslint/no-require-imports
    const [staging] = buildStack(guideRepo);
    const shop = staging.node.findChild('Shop') as Tenant;
    const app = shop.node.findChild('Shop') as ContainerApp;
    load('overrides.ts').tuneShop(app);
    load('raw-objects.ts').protectShop(shop);
    load('waivers.ts').waivePreviewPin(app);
    load('externals.ts').declareShopInputs(shop);
    load('checks.ts').addPlatformRules(staging, 'staging.example.org');
    const result = synthInMemory(staging);
    const deployment = findObject(result, { kind: 'Deployment', name: 'shop' });
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBe(60);
    expect(deployment.spec.template.spec.containers[0].args).toEqual(['--workers=4']);
    expect(deployment.metadata.annotations['example.org/owner']).toBe('shop-team');
    expect(deployment.metadata.annotations['ocpkit.io/waive-pinned-images']).toMatch(/nightly preview/);
    expect(findObject(result, { kind: 'PodDisruptionBudget', namespace: 'shop' }).metadata.annotations['example.org/reviewed-by']).toBe('platform-team');
    expect(findObject(result, { kind: 'Namespace', name: 'shop' }).metadata.labels['example.org/owner']).toBe('platform-team');
    const externals = result.files.get('staging/externals.yaml') ?? '';
    for (const name of ['smtp-credentials', 'legacy-uploads']) expect(externals).toContain(`name: ${name}`);
    expect(Policy.ids(staging)).toContain('no-load-balancers');

    // the check refuses a Route outside the domain, naming the object and the field
    const [other] = buildStack(guideRepo);
    load('checks.ts').addPlatformRules(other, 'example.net');
    expectProblem(() => synthInMemory(other), { path: 'Shop/Shop', field: '/spec/host', message: /is not under example\.net/ });
    // a schema folder that does not exist is refused when the Cluster is made, as the page says
    expectProblem(() => load('own-crds.ts').clusterWithOwnCrds(), { field: 'schemaDirs[0]', message: /"crds" is not a folder or file of CustomResourceDefinition YAML/ });
  });
});

describe('how a broken sample is reported', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-doc-broken-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const BROKEN = [
    "import { Construct } from 'constructs';", // 1
    '',
    '/**', // 3
    ' * A thing.',
    ' *',
    ' * @example', // 6
    ' * Emits: nothing.',
    ' * ```ts', // 8
    " * import { Quantity } from 'ocpkit';", // 9
    " * export const size: number = Quantity.parse('1Gi');", // 10: a Quantity is not a number
    ' * ```',
    ' */',
    'export class Thing extends Construct {}',
    '',
  ].join('\n');

  test('a type error names the source file, the line in it and the column: in an @example and in a guide block (one program)', () => {
    const { samples, problems } = examplesOf('lib/fake/thing.ts', BROKEN);
    expect(problems).toEqual([]);
    expect(samples).toHaveLength(1);
    expect(samples[0]).toMatchObject({ source: 'lib/fake/thing.ts', line: 9, lang: 'ts', target: 'examples/lib/fake/thing.1.ts' });
    const md = ['Intro', '', '```ts (guide)', '// apps/broken.ts', "import { Tenant } from 'ocpkit';", 'export const t: Tenant = 42;', '```', ''].join('\n');
    const guide = guideBlocksOf('docs/broken.md', md);
    expect(guide.problems).toEqual([]);
    const out = compileSamples([...samples, ...guide.samples], tmp, ROOT);
    expect(out).toEqual([
      // column 17 of the source line: ` * ` (3) + `export const ` (13) + 1
      expect.stringMatching(/^lib\/fake\/thing\.ts:10:17 TS2322: Type 'Quantity' is not assignable to type 'number'/),
      expect.stringMatching(/^docs\/broken\.md:6:14 TS2322: Type 'number' is not assignable to type 'Tenant'/),
    ]);
  }, 120_000);

  test('an @example without a ```ts fence, and an unclosed fence, are reported at their lines', () => {
    const unfenced = ['/**', ' * @example', ' * new Thing(scope, "x");', ' */', 'export class Thing {}'].join('\n');
    expect(examplesOf('lib/a.ts', unfenced).problems).toEqual([{ source: 'lib/a.ts', line: 2, message: expect.stringMatching(/no ```ts fence/) }]);
    const unclosed = ['/**', ' * @example', ' * ```ts', ' * const x = 1;', ' */', 'export class Thing {}'].join('\n');
    expect(examplesOf('lib/b.ts', unclosed).problems).toEqual([{ source: 'lib/b.ts', line: 3, message: expect.stringMatching(/not closed/) }]);
    // ```ts fences outside @example (prose of a doc comment) are not examples
    const prose = ['/**', ' * ```ts', ' * not(compiled);', ' * ```', ' */', 'export class Thing {}'].join('\n');
    expect(examplesOf('lib/c.ts', prose)).toEqual({ samples: [], problems: [] });
  });

  test('guide blocks: the file named on the first line is the target; unnamed or unmarked TypeScript is reported', () => {
    const md = [
      '# Guide', // 1
      '```ts (guide)', // 2
      '// apps/shop.ts', // 3
      'export const x = 1;',
      '```',
      '```ts (guide)', // 6
      'export const y = 2;', // 7: no file line
      '```',
      '```ts', // 9: not a guide block
      'z();',
      '```',
      '```yaml (guide)', // 12
      '# apps/versions.yaml',
      'environments: {}',
      '```',
      '```sh',
      'npm run synth',
      '```',
    ].join('\n');
    const { samples, problems } = guideBlocksOf('docs/g.md', md);
    expect(samples.map((s) => [s.target, s.lang, s.line])).toEqual([['apps/shop.ts', 'ts', 3], ['apps/versions.yaml', 'yaml', 13]]);
    expect(problems.map((p) => p.line)).toEqual([7, 9]);
  });
});
