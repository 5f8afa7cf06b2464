import { AssertionError } from 'assert';
import { ApiObject } from 'cdk8s';
import { Quantity } from '../../lib/core/quantity';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { Tenant } from '../../lib/tenancy';
import { expectProblem, fileOf, findObject, findObjects, problemsOf, synthInMemory, testCluster } from '../../lib/testing';

// ocpkit/testing: what a stack's own tests use (package.json exports it as `ocpkit/testing`).

function tenant(cluster = testCluster(), name = 'shop'): Tenant {
  return new Tenant(cluster, name, { name, displayName: name, groups: { admin: [`${name}-admins`] }, quota: { cpu: Quantity.parse('2'), memory: Quantity.parse('4Gi'), storage: Quantity.parse('10Gi') } });
}

/** A ConfigMap mounted by a pod that nothing creates: a dangling reference. */
function danglingConfigMap(t: Tenant): void {
  new ApiObject(t, 'Job', {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'report', namespace: t.tenantName },
    spec: { template: { spec: { restartPolicy: 'Never', volumes: [{ name: 'conf', configMap: { name: 'missing-conf' } }], containers: [{ name: 'c', image: 'quay.io/example/report@sha256:' + 'a'.repeat(64), resources: { limits: { cpu: '100m', memory: '64Mi' }, requests: { cpu: '100m', memory: '64Mi' } } }] } } },
  });
}

describe('ocpkit/testing', () => {
  test('synthInMemory synthesizes like the CLI and findObject/findObjects/fileOf pick objects by kind, name and namespace', () => {
    const cluster = testCluster({ environment: 'qa' });
    tenant(cluster, 'shop');
    tenant(cluster, 'blog');
    const result = synthInMemory(cluster);
    const ns = findObject(result, { kind: 'Namespace', name: 'shop' });
    expect(ns.metadata.name).toBe('shop');
    const quota = findObject(result, { kind: 'ResourceQuota', namespace: 'blog' });
    expect(quota.metadata.namespace).toBe('blog');
    const namespaces = findObjects(result, { kind: 'Namespace' }).map((m) => m.metadata.name);
    expect(namespaces).toEqual(expect.arrayContaining(['shop', 'blog']));
    expect(findObjects(result, { kind: 'Namespace', namespace: null }).length).toBe(findObjects(result, { kind: 'Namespace' }).length);
    expect(findObjects(result, { kind: 'Namespace', environment: 'elsewhere' })).toEqual([]);
    expect(fileOf(result, { kind: 'Namespace', name: 'shop' }).split('/')[0]).toBe('qa');
    // what is written is what findObjects returns
    expect(result.files.has(fileOf(result, { kind: 'ResourceQuota', namespace: 'shop' }))).toBe(true);
  });

  test('findObject fails with what there is when nothing or several objects match', () => {
    const cluster = testCluster();
    tenant(cluster, 'shop');
    tenant(cluster, 'blog');
    const result = synthInMemory(cluster);
    expect(() => findObject(result, { kind: 'Namespace', name: 'nope' })).toThrow(AssertionError);
    expect(() => findObject(result, { kind: 'Namespace', name: 'nope' })).toThrow(/no object with kind="Namespace" name="nope"; Namespace objects there are: .*\bblog\b/);
    expect(() => findObject(result, { kind: 'ResourceQuota' })).toThrow(/expected one object with kind="ResourceQuota", found 2/);
    expect(() => findObject(result, { kind: 'NoSuchKind' })).toThrow(/NoSuchKind objects there are: none/);
  });

  test('synthInMemory checks references by default, as ocpkit synth does; references: false tests a fragment', () => {
    const cluster = testCluster();
    danglingConfigMap(tenant(cluster));
    const problem = expectProblem(() => synthInMemory(cluster), { message: /missing-conf/ });
    expect(problem.path).toContain('Job');
    const fragment = testCluster();
    danglingConfigMap(tenant(fragment));
    expect(findObject(synthInMemory(fragment, { references: false }), { kind: 'Job', name: 'report' }).metadata.namespace).toBe('shop');
  });

  test('expectProblem returns the matching problem, and fails when the call succeeds or no problem matches', () => {
    const bad = () => tenant(testCluster(), 'Not_A_Label');
    const hit = expectProblem(bad, { field: 'name', message: 'DNS-1123' });
    expect(hit.field).toBe('name');
    expect(expectProblem(bad, { path: /Not_A_Label/ })).toEqual(hit);
    expect(() => expectProblem(() => 1, { field: 'name' })).toThrow(/expected a problem with field "name", but the call succeeded/);
    expect(() => expectProblem(bad, { field: 'quota.cpu' })).toThrow(/expected a problem with field "quota.cpu"; the problems were:\n {2}\[.*\] name: /);
  });

  test('problemsOf lists the problems of an OcpkitError, none on success, and rethrows anything else', () => {
    expect(problemsOf(() => tenant(testCluster(), 'Bad_Name')).map((p) => p.field)).toContain('name');
    expect(problemsOf(() => tenant(testCluster(), 'fine'))).toEqual([]);
    expect(() => problemsOf(() => { throw new TypeError('a bug'); })).toThrow(TypeError);
  });

  test('synthInMemory takes only clusters', () => {
    expect(() => synthInMemory([] as never)).toThrow(/takes a Cluster or a list of Clusters/);
    const app = new GitOpsApp(testCluster(), 'App', { name: 'app' });
    expect(() => synthInMemory(app as never)).toThrow(TypeError);
  });
});
