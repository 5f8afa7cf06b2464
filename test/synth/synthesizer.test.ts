import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { OcpkitError } from '../../lib/core/errors';
import { Quantity } from '../../lib/core/quantity';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { defaultPipeline, synthesize } from '../../lib/pipeline-defaults';
import type { SynthCheck } from '../../lib/synth/pipeline';
import { walk } from '../../lib/synth/synthesizer';
import { Tenant } from '../../lib/tenancy';
import { build as badStack } from '../fixtures/bad-stack';
import { synth, testCluster, validator } from '../_helpers';

const quota = { cpu: Quantity.parse('1'), memory: Quantity.parse('1Gi'), storage: Quantity.parse('1Gi') };

describe('synthesize', () => {
  test('is deterministic: two synths of the same stack are byte-identical', () => {
    const make = () => {
      const c = testCluster();
      for (const n of ['b', 'a', 'c']) new Tenant(c, n, { name: n, displayName: n, groups: { admin: ['x'] }, quota });
      return synth(c);
    };
    const one = make();
    const two = make();
    expect([...one.files.entries()]).toEqual([...two.files.entries()]);
    expect([...one.files.keys()]).toEqual([...one.files.keys()].sort());
  });

  test('reports every problem of the run together, naming construct path and JSON path', () => {
    let error: OcpkitError | undefined;
    try {
      synthesize(badStack(), { validator: validator() });
    } catch (e) {
      error = e as OcpkitError;
    }
    expect(error).toBeInstanceOf(OcpkitError);
    expect(error!.message).toMatch(/^synth failed with 2 problems:/);
    expect(error!.problems).toEqual([
      { path: 'Forum/Quota/Resource', field: '/metadata/labels/tier', message: 'must be string (v1 ResourceQuota "tenant-quota")' },
      { path: 'Platform/Odd', field: '/data/a', message: 'must be string (v1 ConfigMap "odd")' },
    ]);
  });

  test('construct validations run and are prefixed with the construct path', () => {
    const c = testCluster();
    const app = new GitOpsApp(c, 'Platform', { name: 'platform', namespace: 'p' });
    const thing = new Construct(app, 'Thing');
    thing.node.addValidation({ validate: () => ['bridge "br9" is not created by any HostBridge'] });
    expect(() => synth(c)).toThrow(/\[Platform\/Thing\] bridge "br9" is not created by any HostBridge/);
  });

  test('objects outside any GitOpsApp are refused', () => {
    const c = testCluster();
    new ApiObject(c.root, 'Stray', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stray', namespace: 'x' } });
    // the root chart is the app-of-apps folder itself, so that works; a chart of its own does not
    const { Chart } = require('cdk8s');
    const loose = new Chart(c, 'Loose');
    new ApiObject(loose, 'Stray', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stray2', namespace: 'x' } });
    expect(() => synth(c)).toThrow(/\[Loose\/Stray\] object is not inside a GitOpsApp/);
  });

  test('two objects with the same kind, namespace and name are refused', () => {
    const c = testCluster();
    const app = new GitOpsApp(c, 'Platform', { name: 'platform', namespace: 'p' });
    new ApiObject(app, 'A', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same' } });
    new ApiObject(app, 'B', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'same' } });
    expect(() => synth(c)).toThrow(/\[Platform\/B\] metadata.name: ConfigMap "same" is also defined at Platform\/A/);
  });

  test('namespaced objects need a namespace', () => {
    const c = testCluster();
    const app = new GitOpsApp(c, 'Platform', { name: 'platform' });
    new ApiObject(app, 'A', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    expect(() => synth(c)).toThrow(/\[Platform\/A\] metadata.namespace: ConfigMap "cm" is namespaced but has no namespace/);
  });

  test('the same environment twice is refused', () => {
    expect(() => synthesize([testCluster('prod'), testCluster('prod')], { validator: false })).toThrow(/output folder "prod" is synthesized twice/);
  });

  test('walk visits every construct once, in definition order', () => {
    const c = testCluster();
    const app = new GitOpsApp(c, 'P', { name: 'p', namespace: 'p' });
    new Construct(app, 'X');
    const paths = walk(c).map((n) => n.node.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths.indexOf('P')).toBeLessThan(paths.indexOf('P/X'));
  });
});

describe('the pipeline', () => {
  const countConfigMaps: (label: string) => SynthCheck = (label) => ({
    id: `count-${label}`,
    check: (objects) => objects.filter((o) => o.manifest.kind === 'ConfigMap').map((o) => ({ path: o.path, field: '', message: `${label} saw ${o.manifest.metadata.name}` })),
  });
  const stack = (env: string) => {
    const c = testCluster(env);
    const app = new GitOpsApp(c, 'App', { name: 'app', namespace: 'app' });
    new ApiObject(app, 'Cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${env}` } });
    return c;
  };

  test('two clusters with different check sets in one process: each check sees its own cluster only', () => {
    const a = stack('a');
    const b = stack('b');
    a.addCheck(countConfigMaps('only-a'));
    let error: OcpkitError | undefined;
    try {
      synthesize([a, b], { validator: false, references: false });
    } catch (e) {
      error = e as OcpkitError;
    }
    expect(error?.problems.map((p) => p.message)).toEqual(['only-a saw cm-a']);
    expect(() => synthesize(b, { validator: false, references: false })).not.toThrow();
    // A check passed to synthesize sees every cluster of that synth, and nothing remains registered after it.
    expect(() => synthesize([b], { validator: false, references: false, checks: [countConfigMaps('all')] })).toThrow(/all saw cm-b/);
    expect(() => synthesize([b], { validator: false, references: false })).not.toThrow();
  });

  test('transforms registered on a cluster run after the default ones, on that cluster only', () => {
    const a = stack('a');
    const b = stack('b');
    const seen: string[] = [];
    a.addTransform({ id: 'label', transform: (m) => {
      seen.push(`${m.metadata.name}:${Object.keys(m.metadata.annotations ?? {}).join(',')}`);
      return { ...m, metadata: { ...m.metadata, labels: { team: 'infra' } } };
    } });
    const result = synthesize([a, b], { validator: false, references: false });
    expect(result.objects.find((o) => o.manifest.metadata.name === 'cm-a')!.manifest.metadata.labels).toEqual({ team: 'infra' });
    expect(result.objects.find((o) => o.manifest.metadata.name === 'cm-b')!.manifest.metadata.labels).toBeUndefined();
    // the delivery annotations (a default transform) were already there
    expect(seen.filter((s) => s.startsWith('cm-a:'))).toEqual(['cm-a:argocd.argoproj.io/sync-wave']);
  });

  test('problems thrown by another copy of ocpkit (a plugin with its own) are reported as problems, not as a crash', () => {
    let Foreign: typeof OcpkitError | undefined;
    jest.isolateModules(() => {
      Foreign = (require('../../lib/core/errors') as typeof import('../../lib/core/errors')).OcpkitError;
    });
    expect(Foreign).not.toBe(OcpkitError);
    const a = stack('a');
    a.addTransform({ id: 'refuse', transform: (m) => {
      if (m.metadata.name === 'cm-a') throw new Foreign!([{ path: '', field: 'data', message: 'refused by a plugin' }]);
      return m;
    } });
    let error: unknown;
    try {
      synthesize([a], { validator: false, references: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OcpkitError);
    expect((error as OcpkitError).problems).toEqual([{ path: 'App/Cm', field: 'data', message: 'refused by a plugin' }]); // the object's construct path
    const check: SynthCheck = { id: 'foreign', check: () => { throw new Foreign!([{ path: 'x', field: 'y', message: 'from a foreign check' }]); } };
    expect(() => synthesize([stack('b')], { validator: false, references: false, checks: [check] })).toThrow(/from a foreign check/);
  });

  test('lists its phases in order, and lib/synth knows no domain', () => {
    const p = defaultPipeline({ validator: false });
    expect(p.transforms.map((t) => t.id)).toEqual(['policy-stamps', 'normalize-scope', 'managed-namespaces', 'delivery-annotations', 'application-retry', 'overrides']);
    expect(p.placement.id).toBe('gitops-folders');
    expect(p.checks.map((c) => c.id)).toEqual(['policies', 'tenant-capacity', 'operator-catalog', 'backup-isolation', 'argocd-controller-rbac', 'references']);
    expect(p.checks.find((c) => c.id === 'references')?.phase).toBe('resolve');
    const fs = require('fs') as typeof import('fs');
    const path = require('path') as typeof import('path');
    const dir = path.join(__dirname, '..', '..', 'lib', 'synth');
    for (const f of fs.readdirSync(dir)) {
      const imports = [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/from '(\.\.\/[^']+)'/g)].map((m) => m[1]);
      for (const i of imports) expect(i).toMatch(/^\.\.\/(core|schema)\//);
    }
  });

  test('no module-level registry: a cluster built earlier changes nothing in a later synth', () => {
    const first = stack('first');
    first.addCheck(countConfigMaps('first'));
    expect(() => synthesize(stack('second'), { validator: false, references: false })).not.toThrow();
  });
});
