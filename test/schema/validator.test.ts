import { validator } from '../_helpers';

const deployment = (extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'forum' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'quay.io/x/web:1', ...extra }] } },
  },
});

describe('SchemaValidator', () => {
  const v = validator();

  test('a valid core object passes', () => {
    expect(v.validate(deployment())).toEqual([]);
  });

  test('unknown fields are errors with their JSON path (strict, like kubeconform -strict)', () => {
    expect(v.validate(deployment({ imagePullPolicyy: 'Always' }))).toEqual([
      { pointer: '/spec/template/spec/containers/0', message: 'unknown field "imagePullPolicyy" (not in the schema; the API server would drop it)' },
    ]);
  });

  test('wrong types and missing required fields are reported', () => {
    const issues = v.validate({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 'eighty' }] } });
    expect(issues.map((i) => i.pointer)).toContain('/spec/ports/0/port');
    const missing = v.validate({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { template: {} } });
    expect(missing).toContainEqual({ pointer: '/spec', message: 'missing required field "selector"' });
  });

  test('CRD schemas validate custom resources, metadata included', () => {
    const ok = { apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name: 'r', namespace: 'n' }, spec: { host: 'a.example.org', to: { kind: 'Service', name: 's' } } };
    expect(v.validate(ok)).toEqual([]);
    const bad = { ...ok, metadata: { name: 'r', namespace: 'n', lables: {} }, spec: { ...ok.spec, tls: { termination: 'sideways' } } };
    const issues = v.validate(bad);
    expect(issues).toContainEqual({ pointer: '/metadata', message: 'unknown field "lables" (not in the schema; the API server would drop it)' });
    expect(issues.some((i) => i.pointer === '/spec/tls/termination' && /must be one of "edge", "reencrypt", "passthrough"/.test(i.message))).toBe(true);
  });

  test('preserve-unknown-fields subtrees stay open', () => {
    const gitlab = { apiVersion: 'apps.gitlab.com/v1beta1', kind: 'GitLab', metadata: { name: 'g', namespace: 'gitlab' }, spec: { chart: { version: '7.6.0', values: { anything: { goes: true } } } } };
    expect(v.validate(gitlab)).toEqual([]);
  });

  test('unknown kinds are errors, never silently accepted', () => {
    expect(v.validate({ apiVersion: 'example.org/v1', kind: 'Widget', metadata: { name: 'w' } })[0].message).toMatch(/^no schema for example.org\/v1 Widget .*add a folder with its CustomResourceDefinition YAML/);
  });

  test('cluster-scoped kinds take no namespace', () => {
    expect(v.scopeOf('cert-manager.io/v1', 'ClusterIssuer')).toBe('Cluster');
    expect(v.scopeOf('v1', 'Namespace')).toBe('Cluster');
    expect(v.scopeOf('v1', 'ConfigMap')).toBe('Namespaced');
    const issues = v.validate({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', namespace: 'x' } });
    expect(issues).toEqual([{ pointer: '/metadata/namespace', message: 'Namespace is cluster-scoped and takes no namespace' }]);
  });
});

describe('schemas the interpreter does not cover', () => {
  // A user CRD using keywords the interpreter leaves to ajv (multipleOf, uniqueItems): the kind
  // is compiled by ajv and its answers are ajv's, before and after the switch.
  const fs = require('fs') as typeof import('fs');
  const os = require('os') as typeof import('os');
  const path = require('path') as typeof import('path');
  const { SchemaValidator } = require('../../lib/schema/validator') as typeof import('../../lib/schema/validator');
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-fallback-'));
    fs.writeFileSync(path.join(dir, 'gadget.yaml'), JSON.stringify({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gadgets.example.org' },
      spec: {
        group: 'example.org',
        scope: 'Namespaced',
        names: { kind: 'Gadget', plural: 'gadgets' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', multipleOf: 4 }, tags: { type: 'array', uniqueItems: true, items: { type: 'string' } } } } } } } }],
      },
    }));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const gadget = (spec: Record<string, unknown>) => ({ apiVersion: 'example.org/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'ns' }, spec });

  test('are validated by ajv: the keywords it alone enforces are enforced', () => {
    const v = new SchemaValidator({ extraCrds: [dir] });
    expect(v.validate(gadget({ size: 8, tags: ['a', 'b'] }))).toEqual([]);
    expect(v.validate(gadget({ size: 6, tags: ['a', 'a'], color: 'red' }))).toEqual([
      { pointer: '/spec', message: 'unknown field "color" (not in the schema; the API server would drop it)' },
      { pointer: '/spec/size', message: 'must be multiple of 4' },
      { pointer: '/spec/tags', message: 'must NOT have duplicate items (items ## 1 and 0 are identical)' },
    ]);
  });

  test('a first object that never reaches the keyword is answered by the interpreter, later ones by ajv alike', () => {
    const v = new SchemaValidator({ extraCrds: [dir] });
    expect(v.validate(gadget({}))).toEqual([]);
    expect(v.validate(gadget({ bogus: 1 }))).toEqual([{ pointer: '/spec', message: 'unknown field "bogus" (not in the schema; the API server would drop it)' }]);
    expect(v.validate(gadget({ size: 5 }))).toEqual([{ pointer: '/spec/size', message: 'must be multiple of 4' }]);
    expect(v.validate(gadget({ bogus: 1 }))).toEqual([{ pointer: '/spec', message: 'unknown field "bogus" (not in the schema; the API server would drop it)' }]);
  });
});
