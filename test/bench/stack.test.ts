import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { chartCount, floorSynth, stockCdk8sApp } from '../../bench/equivalents';
import { buildBenchCluster, bumpedTenants, tenantName, vmCount } from '../../bench/stack';
import { synth } from '../_helpers';

/** Objects per kind in a synthesized result. */
function kinds(objects: readonly { manifest: any }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of objects) out[o.manifest.kind] = (out[o.manifest.kind] ?? 0) + 1;
  return out;
}

describe('benchmark stack', () => {
  test('20 tenants: every object the issue asks for, validated', () => {
    const result = synth(buildBenchCluster({ tenants: 20 }));
    // i % 2 === 0 adds an edit binding (10 tenants), i % 3 === 0 a view binding (7 tenants).
    expect(kinds(result.objects)).toEqual({
      Namespace: 20,
      ResourceQuota: 20,
      LimitRange: 20,
      RoleBinding: 20 + 10 + 7,
      NetworkPolicy: 80,
      AppProject: 20 + 1,
      // One per tenant, the root Application (bootstrap) and the platform tenancy folder.
      Application: 20 + 2,
      Issuer: 20,
      Deployment: 20,
      Service: 20 + 2,
      Route: 20,
      VirtualMachine: 2,
      // bootstrap: the Argo CD instance and its application controller's derived RBAC
      ArgoCD: 1,
      ClusterRole: 1,
      ClusterRoleBinding: 1,
    });
    expect(result.objects).toHaveLength(307);
    expect(result.objects.filter((o) => o.manifest.kind === 'VirtualMachine').map((o) => o.manifest.metadata.namespace)).toEqual(['t0000', 't0010']);
  });

  test('object counts grow linearly with the number of tenants', () => {
    const count = (n: number) => synth(buildBenchCluster({ tenants: n })).objects.length;
    const base = count(10);
    expect(count(30) - base).toBe(2 * (count(20) - base));
    expect(vmCount(46)).toBe(5);
    expect(vmCount(2000)).toBe(200);
  });

  test('without VMs there is no VirtualMachine and two objects fewer per VM tenant', () => {
    const result = synth(buildBenchCluster({ tenants: 20, vms: false }));
    expect(kinds(result.objects).VirtualMachine).toBeUndefined();
    expect(result.objects).toHaveLength(307 - 2 * 2);
  });

  test('the bumped tree differs in 1% of the objects: the Deployment of every 6th tenant', () => {
    const a = synth(buildBenchCluster({ tenants: 200 })).files;
    const b = synth(buildBenchCluster({ tenants: 200, bumped: bumpedTenants(200) })).files;
    expect([...b.keys()]).toEqual([...a.keys()]);
    const changed = [...a.keys()].filter((f) => a.get(f) !== b.get(f));
    expect(bumpedTenants(200).size).toBe(33);
    expect(changed).toHaveLength(33);
    expect(changed.filter((f) => !/\/deployment\.t\d{4}\.web\.yaml$/.test(f))).toEqual([]);
    expect(changed.length / a.size).toBeGreaterThanOrEqual(0.009);
    expect(changed.length / a.size).toBeLessThanOrEqual(0.011);
  });

  test('tenant names are zero-padded and stable', () => {
    expect(tenantName(7)).toBe('t0007');
    expect(tenantName(1999)).toBe('t1999');
  });
});

describe('benchmark baselines render the same objects', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-bench-test-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('stock cdk8s: one chart per tenant (plus platform charts), identical manifests', () => {
    const result = synth(buildBenchCluster({ tenants: 12 }));
    const app = stockCdk8sApp(result.objects, path.join(dir, 'cdk8s'));
    // One chart per top-level construct: the 12 tenants and the platform apps.
    expect(chartCount(result.objects)).toBe(app.charts.length);
    expect(app.charts.filter((c) => /^t\d{4}$/.test(c.node.id))).toHaveLength(12);
    const docs = yaml.loadAll(app.synthYaml()) as any[];
    const key = (m: any) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
    const byKey = new Map(docs.map((d) => [key(d), d]));
    expect(docs).toHaveLength(result.objects.length);
    for (const o of result.objects) expect(byKey.get(key(o.manifest))).toEqual(o.manifest);
  });

  test('floor: one file per ApiObject of the tree', () => {
    const cluster = buildBenchCluster({ tenants: 12 });
    const objects = synth(buildBenchCluster({ tenants: 12 })).objects.length;
    expect(floorSynth([cluster], dir)).toBe(objects);
    expect((fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml'))).toHaveLength(objects);
  });
});
