import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { Quantity } from '../../lib/core/quantity';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { Tenant } from '../../lib/tenancy/tenant';
import { find, synth, testCluster } from '../_helpers';

describe('GitOpsApp', () => {
  test('instanceof follows the prototype chain, not cdk8s Chart branding', () => {
    const c = testCluster();
    const app = new GitOpsApp(c, 'P', { name: 'p', namespace: 'p' });
    const plain = new Chart(c, 'Plain');
    const t = new Tenant(c, 'T', { name: 't', displayName: 'T', groups: { admin: ['a'] }, quota: { cpu: Quantity.parse('1'), memory: Quantity.parse('1Gi'), storage: Quantity.parse('1Gi') } });
    expect(plain instanceof GitOpsApp).toBe(false);
    expect(c.root instanceof GitOpsApp).toBe(false);
    expect(app instanceof Tenant).toBe(false);
    expect(t instanceof GitOpsApp).toBe(true);
    expect(t instanceof Tenant).toBe(true);
    expect(t instanceof Chart).toBe(true);
    expect(Tenant.enclosing(new Construct(app, 'X'))).toBeUndefined();
    expect(Tenant.enclosing(new Construct(t, 'Y'))).toBe(t);
    expect(GitOpsApp.enclosing(new Construct(plain, 'Z'))).toBeUndefined();
  });

  test('its Application syncs its folder, with ignoreDifferences added later', () => {
    const c = testCluster();
    const app = new GitOpsApp(c, 'Net', { name: 'network', syncWave: -3 });
    app.addIgnoreDifference({ group: 'kubevirt.io', kind: 'VirtualMachine', jsonPointers: ['/spec/template/spec/domain/firmware'] });
    const a = find(synth(c), 'Application', 'network');
    expect(a.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-3');
    expect(a.spec.project).toBe('platform');
    expect(a.spec.source).toEqual({ path: 'dist/test/network', repoURL: 'https://git.example.org/infra.git', targetRevision: 'main' });
    expect(a.spec.ignoreDifferences).toEqual([{ group: 'kubevirt.io', jsonPointers: ['/spec/template/spec/domain/firmware'], kind: 'VirtualMachine' }]);
    // compare-only by default: no RespectIgnoreDifferences (it copies whole arrays of custom resources)
    expect(a.spec.syncPolicy.syncOptions).toEqual(['PruneLast=true']);
  });

  test('respectOnSync turns on RespectIgnoreDifferences for the whole Application', () => {
    const c = testCluster();
    const app = new GitOpsApp(c, 'Web', { name: 'web', namespace: 'web' });
    app.addIgnoreDifference({ group: 'apps', kind: 'Deployment', name: 'w', jqPathExpressions: ['.spec.replicas'], respectOnSync: true });
    app.addIgnoreDifference({ group: 'apps', kind: 'Deployment', name: 'v', jsonPointers: ['/spec/replicas'] });
    const a = find(synth(c), 'Application', 'web');
    expect(a.spec.syncPolicy.syncOptions).toEqual(['PruneLast=true', 'RespectIgnoreDifferences=true']);
    expect(a.spec.ignoreDifferences).toHaveLength(2);
    expect(a.spec.ignoreDifferences[0]).not.toHaveProperty('respectOnSync');
  });

  test('bad ignore entries are refused with the app path and field', () => {
    const app = new GitOpsApp(testCluster(), 'Net', { name: 'network' });
    expect(() => app.addIgnoreDifference({ group: 'apps', kind: 'Deployment' }))
      .toThrow(/\[Net ignoreDifference\] jqPathExpressions: give at least one jq path expression or JSON pointer/);
    expect(() => app.addIgnoreDifference({ group: 'apps', kind: 'Deployment', jsonPointers: ['spec/replicas'] }))
      .toThrow(/\[Net ignoreDifference\] jsonPointers\[0\]: "spec\/replicas" is not a JSON pointer \(it starts with "\/"/);
    expect(() => app.addIgnoreDifference({ group: 'apps', kind: 'Deployment', jqPathExpressions: ['spec.replicas'] }))
      .toThrow(/jqPathExpressions\[0\]: "spec.replicas" is not a jq path expression \(it starts with "\."/);
    expect(() => app.addIgnoreDifference({ group: undefined as any, kind: '', jsonPointers: ['/a'] }))
      .toThrow(/group: undefined is not an API group[^]*kind: /);
    expect(() => app.addIgnoreDifference({ group: '', kind: 'Service', jsonPointers: ['/a'], respectOnSync: 'yes' as any }))
      .toThrow(/respectOnSync: must be true or false, got "yes"/);
    expect(() => app.addIgnoreDifference(undefined as any)).toThrow(/\[Net ignoreDifference\] diff: undefined is not an IgnoreDifference/);
  });

  test('bad names and reserved folders are refused', () => {
    expect(() => new GitOpsApp(testCluster(), 'X', { name: 'Not Valid' })).toThrow(/\[X\] name: "Not Valid" is not a DNS-1123 label/);
    expect(() => new GitOpsApp(testCluster(), 'X', { name: 'root' })).toThrow(/"root" is reserved/);
    expect(() => new GitOpsApp(testCluster(), 'X', { name: 'ok', syncWave: 1000 })).toThrow(/syncWave: 1000 must be an integer from -100 to 100/);
  });
});
