import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { OcpkitError } from '../../lib/core/errors';
import { Quantity } from '../../lib/core/quantity';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { synthesize, walk } from '../../lib/synth/synthesizer';
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
    expect(() => synthesize([testCluster('prod'), testCluster('prod')], { validator: false })).toThrow(/environment "prod" is synthesized twice/);
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
