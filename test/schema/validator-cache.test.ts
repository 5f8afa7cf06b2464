import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SchemaValidator } from '../../lib/schema/validator';

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

  test('cacheDir: false writes nothing', () => {
    const before = fs.readdirSync(dir);
    expect(new SchemaValidator({ cacheDir: false }).validate(deployment({}))).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual(before);
  });
});
