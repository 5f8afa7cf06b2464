import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeCodeCaches } from '../../lib/schema/_validator-cache';
import { SchemaValidator } from '../../lib/schema/validator';

/** The sha256 of a cache entry's code, from its first line. */
function entryHash(file: string): string {
  return /^\/\/ ocpkit-cache sha256=([0-9a-f]{64})\n/.exec(fs.readFileSync(file, 'utf8'))![1];
}

/** A one-kind CRD whose spec has the given properties. */
function crd(properties: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.org' },
    spec: {
      group: 'example.org',
      scope: 'Namespaced',
      names: { kind: 'Widget', plural: 'widgets' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties } } } } }],
    },
  });
}

const widget = (spec: Record<string, unknown>) => ({ apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'ns' }, spec });
const deployment = (extra: Record<string, unknown>) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'ns' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'quay.io/x/web:1', ...extra }] } } },
});

describe('SchemaValidator compiled-validator cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-cache-test-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a second validator reuses the compiled code and reports exactly the same issues', () => {
    const cacheDir = path.join(dir, 'cache');
    const bad = deployment({ imagePullPolicy: 'Sometimes', bogus: true });
    const first = new SchemaValidator({ cacheDir }).validate(bad);
    const entries = fs.readdirSync(cacheDir);
    expect(entries.length).toBe(1);
    expect(entries[0]).toMatch(/^[0-9a-f]{64}\.js$/);

    const second = new SchemaValidator({ cacheDir });
    expect(second.validate(bad)).toEqual(first);
    expect(first.map((i) => i.message)).toEqual(expect.arrayContaining([expect.stringMatching(/unknown field "bogus"/)]));
    expect(second.validate(deployment({}))).toEqual([]);
    expect(fs.readdirSync(cacheDir)).toEqual(entries);
  });

  test('the cached code is what runs on a hit', () => {
    const cacheDir = path.join(dir, 'cache');
    new SchemaValidator({ cacheDir }).validate(deployment({}));
    const [entry] = fs.readdirSync(cacheDir);
    // Replace the entry with a validator that rejects everything: a hit must use it.
    // (written as the cache writes entries: with the sha256 of the code in the first line)
    const code = 'function v(d){v.errors=[{instancePath:"/x",keyword:"const",message:"from the cache",params:{}}];return false}\nmodule.exports=v;\n';
    fs.writeFileSync(path.join(cacheDir, entry), `// ocpkit-cache sha256=${createHash('sha256').update(code).digest('hex')}\n${code}`, { mode: 0o600 });
    expect(new SchemaValidator({ cacheDir }).validate(deployment({}))).toEqual([{ pointer: '/x', message: 'from the cache' }]);
  });

  test('a changed schema file never reuses the old code', () => {
    const cacheDir = path.join(dir, 'cache');
    const file = path.join(dir, 'widget.yaml');
    fs.writeFileSync(file, crd({ size: { type: 'integer' } }));
    const obj = widget({ size: 1, color: 'red' });
    expect(new SchemaValidator({ cacheDir, extraCrds: [file] }).validate(obj)).toEqual([{ pointer: '/spec', message: expect.stringMatching(/unknown field "color"/) }]);

    fs.writeFileSync(file, crd({ size: { type: 'integer' }, color: { type: 'string' } }));
    expect(new SchemaValidator({ cacheDir, extraCrds: [file] }).validate(obj)).toEqual([]);
    expect(fs.readdirSync(cacheDir).length).toBe(2);
  });

  test('the scope of a CRD kind comes back from the cache', () => {
    const cacheDir = path.join(dir, 'cache');
    const file = path.join(dir, 'widget.yaml');
    fs.writeFileSync(file, crd({}));
    expect(new SchemaValidator({ cacheDir, extraCrds: [file] }).scopeOf('example.org/v1', 'Widget')).toBe('Namespaced');
    expect(new SchemaValidator({ cacheDir, extraCrds: [file] }).scopeOf('example.org/v1', 'Widget')).toBe('Namespaced');
  });

  test('a corrupt entry is ignored and the schema compiled again', () => {
    const cacheDir = path.join(dir, 'cache');
    new SchemaValidator({ cacheDir }).validate(deployment({}));
    const [entry] = fs.readdirSync(cacheDir);
    fs.writeFileSync(path.join(cacheDir, entry), 'this is not javascript {');
    expect(new SchemaValidator({ cacheDir }).validate(deployment({ bogus: 1 }))).toEqual([
      { pointer: '/spec/template/spec/containers/0', message: expect.stringMatching(/unknown field "bogus"/) },
    ]);
  });

  test('a hit keeps V8\'s code cache of the validator, named by its code\'s hash, and answers the same with it', () => {
    const cacheDir = path.join(dir, 'cache');
    const bad = deployment({ imagePullPolicy: 'Sometimes', bogus: true });
    const first = new SchemaValidator({ cacheDir }).validate(bad);
    const [entry] = fs.readdirSync(cacheDir);
    new SchemaValidator({ cacheDir }).validate(bad); // a hit without a code cache: one is made
    writeCodeCaches();
    const v8 = fs.readdirSync(cacheDir).filter((f) => f.endsWith('.v8'));
    expect(v8).toEqual([`${entryHash(path.join(cacheDir, entry))}.${process.versions.v8}.v8`]);
    expect(fs.statSync(path.join(cacheDir, v8[0])).mode & 0o077).toBe(0);
    expect(new SchemaValidator({ cacheDir }).validate(bad)).toEqual(first);
    expect(new SchemaValidator({ cacheDir }).validate(deployment({}))).toEqual([]);
  });

  test('changed code never runs with the code cache of the old code, even at the same length', () => {
    const cacheDir = path.join(dir, 'cache');
    new SchemaValidator({ cacheDir }).validate(deployment({}));
    new SchemaValidator({ cacheDir }).validate(deployment({}));
    writeCodeCaches();
    const entry = fs.readdirSync(cacheDir).find((f) => f.endsWith('.js'))!;
    const old = fs.readFileSync(path.join(cacheDir, entry), 'utf8');
    const oldBody = old.slice(old.indexOf('\n') + 1);
    // V8 checks only the length of the source against a code cache: same length, other code
    let code = 'function v(d){v.errors=[{instancePath:"/x",keyword:"const",message:"new code",params:{}}];return false}\nmodule.exports=v;\n';
    code += `//${' '.repeat(oldBody.length - code.length - 2)}`;
    expect(code.length).toBe(oldBody.length);
    fs.writeFileSync(path.join(cacheDir, entry), `// ocpkit-cache sha256=${createHash('sha256').update(code).digest('hex')}\n${code}`, { mode: 0o600 });
    expect(new SchemaValidator({ cacheDir }).validate(deployment({}))).toEqual([{ pointer: '/x', message: 'new code' }]);
  });

  test('a damaged code cache is ignored and written again', () => {
    const cacheDir = path.join(dir, 'cache');
    const bad = deployment({ bogus: 1 });
    const first = new SchemaValidator({ cacheDir }).validate(bad);
    new SchemaValidator({ cacheDir }).validate(bad);
    writeCodeCaches();
    const v8 = path.join(cacheDir, fs.readdirSync(cacheDir).find((f) => f.endsWith('.v8'))!);
    const good = fs.readFileSync(v8);
    const damaged = Buffer.from(good);
    damaged[damaged.length >> 1] ^= 0xff;
    fs.writeFileSync(v8, damaged, { mode: 0o600 });
    expect(new SchemaValidator({ cacheDir }).validate(bad)).toEqual(first);
    writeCodeCaches();
    expect(fs.readFileSync(v8).equals(damaged)).toBe(false);
  });

  test('a run whose validators all come from the cache never loads ajv\'s compiler', () => {
    const cacheDir = path.join(dir, 'cache');
    const script = [
      "require('./bin/run-ts.js');",
      "const { SchemaValidator } = require('./lib/schema/validator.ts');",
      `const issues = new SchemaValidator({ cacheDir: ${JSON.stringify(cacheDir)} }).validate(${JSON.stringify(deployment({ bogus: 1 }))});`,
      "const compiler = Object.keys(require.cache).some((f) => /[\\/]ajv[\\/]dist[\\/]core\\.js$/.test(f));",
      'process.stdout.write(JSON.stringify({ issues: issues.map((i) => i.message), compiler }));',
    ].join('\n');
    const run = () => {
      const r = spawnSync(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '..', '..'), encoding: 'utf8', env: { ...process.env, OCPKIT_CACHE_DIR: path.join(dir, 'root') } });
      if (r.status !== 0) throw new Error(r.stderr);
      return JSON.parse(r.stdout);
    };
    const cold = run();
    expect(cold).toEqual({ issues: [expect.stringMatching(/unknown field "bogus"/)], compiler: true });
    expect(run()).toEqual({ ...cold, compiler: false });
  });

  test('cacheDir: false writes nothing', () => {
    const before = fs.readdirSync(dir);
    expect(new SchemaValidator({ cacheDir: false }).validate(deployment({}))).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual(before);
  });
});
