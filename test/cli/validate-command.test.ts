import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../lib/cli/main';
import { validateTree } from '../../lib/check/validate-tree';

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-validate-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('ocpkit validate', () => {
  let out: jest.SpyInstance;
  beforeEach(() => { out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true); });
  afterEach(() => out.mockRestore());

  test('clean folder exits 0', async () => {
    const dir = folder({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n' });
    expect(await main(['validate', dir])).toBe(0);
    expect(out.mock.calls.join('')).toMatch(/1 documents in 1 files, 0 errors/);
  });

  test('one line per error with file, document index, JSON path and message', () => {
    const dir = folder({
      'multi.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: x}]}\n',
      'widget.yaml': 'apiVersion: example.org/v1\nkind: Widget\nmetadata: {name: w}\n',
      'broken.yaml': 'a: [\n',
    });
    const report = validateTree(dir);
    expect(report.documents).toBe(3);
    expect(report.errors).toHaveLength(3);
    expect(report.errors[0]).toMatch(/broken.yaml: YAML does not parse/);
    expect(report.errors[1]).toMatch(/multi.yaml#1 v1\/Service s: \/spec\/ports\/0\/port: must be/);
    expect(report.errors[2]).toMatch(/widget.yaml#0 example.org\/v1\/Widget w: : no schema for example.org\/v1 Widget .*--schemas DIR/);
  });

  test('invalid folder exits 1, missing folder exits 2', async () => {
    const dir = folder({ 'bad.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, bogus: 1}\n' });
    expect(await main(['validate', dir])).toBe(1);
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await main(['validate', '/nonexistent/folder'])).toBe(2);
    expect(await main(['validate'])).toBe(2);
  });

  test('--schemas adds CRDs for kinds the shared schemas lack', async () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.org}
spec:
  group: example.org
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            apiVersion: {type: string}
            kind: {type: string}
            metadata: {type: object}
            spec: {type: object, properties: {size: {type: integer}}}
`;
    const schemas = folder({ 'widget-crd.yaml': crd });
    const dir = folder({ 'w.yaml': 'apiVersion: example.org/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 3}\n' });
    expect(await main(['validate', dir, '--schemas', schemas])).toBe(0);
    const bad = folder({ 'w.yaml': 'apiVersion: example.org/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: big}\n' });
    expect(validateTree(bad, { extraCrds: [schemas] }).errors[0]).toMatch(/\/spec\/size: must be integer/);
  });
});
