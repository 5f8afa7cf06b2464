import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { validateCommand } from '../../lib/cli/validate-command';
import { captureOutput } from '../_helpers';

const VM = [
  'apiVersion: kubevirt.io/v1', 'kind: VirtualMachine', 'metadata: { name: vm, namespace: vms }',
  'spec:', '  runStrategy: Always', '  instancetype: { name: u1.small, inferFromVolumeFailurePolicy: Ignore }',
  '  template: { spec: { domain: { devices: {} } } }', '',
].join('\n');
const WIDGET = 'apiVersion: example.org/v1\nkind: Widget\nmetadata: { name: w, namespace: n }\nspec: { size: 2 }\n';
const WIDGET_CRD = [
  'apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata: { name: widgets.example.org }',
  'spec:', '  group: example.org', '  scope: Namespaced', '  names: { kind: Widget, plural: widgets }',
  '  versions:', '  - name: v1', '    served: true', '    storage: true', '    schema:', '      openAPIV3Schema:', '        type: object',
  '        properties:', '          spec: { type: object, properties: { size: { type: integer } } }', '',
].join('\n');

describe('ocpkit validate --platform / --schemas', () => {
  const io = captureOutput();
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-validate-'));
    fs.mkdirSync(path.join(dir, 'tree'));
    fs.mkdirSync(path.join(dir, 'crds'));
    fs.writeFileSync(path.join(dir, 'crds', 'widgets.yaml'), WIDGET_CRD);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a field newer than OpenShift 4.14 passes the newest schemas and fails with --platform 4.14', async () => {
    fs.writeFileSync(path.join(dir, 'tree', 'vm.yaml'), VM);
    expect(await validateCommand([path.join(dir, 'tree')])).toBe(0);
    expect(await validateCommand([path.join(dir, 'tree'), '--platform', '4.14'])).toBe(1);
    expect(io.out()).toMatch(/vm\.yaml#0 kubevirt\.io\/v1\/VirtualMachine vm: \/spec\/instancetype: unknown field "inferFromVolumeFailurePolicy"/);
  });

  test('--schemas adds an in-house kind; without it the error says how', async () => {
    fs.writeFileSync(path.join(dir, 'tree', 'w.yaml'), WIDGET);
    expect(await validateCommand([path.join(dir, 'tree'), '--platform', '4.14'])).toBe(1);
    expect(io.out()).toMatch(/no schema for example\.org\/v1 Widget .*ocpkit validate --schemas DIR/);
    expect(await validateCommand([path.join(dir, 'tree'), '--platform=4.14', '--schemas', path.join(dir, 'crds')])).toBe(0);
  });

  test.each([
    [['--platform', '4.99'], /--platform "4\.99" has no schema profile in .*; profiles available: 4\.14/],
    [['--schemas', '/nonexistent/crds'], /--schemas \/nonexistent\/crds: no such folder/],
  ])('usage errors: %j', async (args, message) => {
    await expect(validateCommand([path.join(dir, 'tree'), ...args])).rejects.toThrow(message);
  });
});
