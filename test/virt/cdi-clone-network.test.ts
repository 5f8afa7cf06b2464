import { ApiObject } from 'cdk8s';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { Policy } from '../../lib/policy/policy';
import { selectorMatches } from '../../lib/core/label-selector';
import { sameNamespaceIngress } from '../../lib/policy/cdi-clone-network';
import { NetworkIsolation } from '../../lib/tenancy/network-isolation';
import { cloneSourceNamespaces } from '../../lib/virt/cdi-clone-flows';
import { DiskSource } from '../../lib/virt/disk-source';
import { VirtualMachine } from '../../lib/virt/virtual-machine';
import { synth, testCluster } from '../_helpers';
import { minimal, tenant } from './_fixtures';

/** A cluster with namespace `vms` (a VM app) and namespace `golden` (where clone sources live). */
function world() {
  const cluster = testCluster();
  const vms = new GitOpsApp(cluster, 'Vms', { name: 'vms', namespace: 'vms' });
  const golden = new GitOpsApp(cluster, 'Golden', { name: 'golden', namespace: 'golden' });
  return { cluster, vms, golden };
}

const isolate = (scope: GitOpsApp, ns: string, allowSameNamespace: boolean) =>
  new NetworkIsolation(scope, 'Isolation', { namespace: ns, allowSameNamespace, allowIngressRouters: false, allowMonitoring: false });

describe('cdi-clone-network: a clone must be able to run host-assisted in its SOURCE namespace', () => {
  test('moving an existing claim in a namespace that denies same-namespace traffic fails the synth, naming the DataVolume and the policies', () => {
    const { cluster, vms } = world();
    isolate(vms, 'vms', false);
    new VirtualMachine(vms, 'Vm', minimal({ rootDisk: { source: DiskSource.existingPvc('old-root'), moveToReadWriteMany: true } }));
    expect(() => synth(cluster)).toThrow(/\[Vms\/Vm\/Resource\] \/spec\/dataVolumeTemplates\/0\/spec\/source\/pvc: policy cdi-clone-network: DataVolume "relay-root" clones PVC vms\/old-root; .*inside namespace "vms", which NetworkPolicies "deny-by-default" deny/);
  });

  test('the same move passes when the namespace admits its own pods (NetworkIsolation default, a Tenant)', () => {
    const a = world();
    isolate(a.vms, 'vms', true);
    new VirtualMachine(a.vms, 'Vm', minimal({ rootDisk: { source: DiskSource.existingPvc('old-root'), moveToReadWriteMany: true } }));
    expect(() => synth(a.cluster)).not.toThrow();

    const cluster = testCluster();
    const t = tenant(cluster, 'forum');
    new VirtualMachine(t, 'Vm', minimal({ namespace: 'forum', rootDisk: { source: DiskSource.existingPvc('old-root'), moveToReadWriteMany: true } }));
    expect(() => synth(cluster)).not.toThrow();
  });

  test('a cross-namespace clone is judged by the source namespace (CDI runs both pods there), not the VM\'s', () => {
    const srcDenies = world();
    isolate(srcDenies.golden, 'golden', false);
    new VirtualMachine(srcDenies.vms, 'Vm', minimal());
    expect(() => synth(srcDenies.cluster)).toThrow(/clones PVC golden\/rhel9; .*inside namespace "golden"/);

    const targetDenies = world();
    isolate(targetDenies.vms, 'vms', false);
    new VirtualMachine(targetDenies.vms, 'Vm', minimal());
    expect(() => synth(targetDenies.cluster)).not.toThrow();
  });

  test('a written waiver accepts a clone known to be a CSI clone', () => {
    const { cluster, vms } = world();
    isolate(vms, 'vms', false);
    const vm = new VirtualMachine(vms, 'Vm', minimal({ rootDisk: { source: DiskSource.existingPvc('old-root'), moveToReadWriteMany: true } }));
    Policy.waive(vm, 'cdi-clone-network', 'old-root is Block on the same RBD provisioner: CDI takes a CSI clone');
    expect(() => synth(cluster)).not.toThrow();
  });

  test('a plain existing claim, an import and a blank disk clone nothing', () => {
    const { cluster, vms } = world();
    isolate(vms, 'vms', false);
    new VirtualMachine(vms, 'A', minimal({ name: 'a', rootDisk: { source: DiskSource.existingPvc('old-root') } }));
    new VirtualMachine(vms, 'B', minimal({ name: 'b', rootDisk: { source: DiskSource.httpImage('https://images.example.org/x.qcow2'), size: '20Gi' }, dataDisks: [{ name: 'data', size: '10Gi' }] }));
    expect(() => synth(cluster)).not.toThrow();
  });
});

describe('the evaluation under the check', () => {
  test('clone sources of VirtualMachines and DataVolumes: PVC, snapshot, DataSource; namespace defaults to the object\'s', () => {
    expect(cloneSourceNamespaces({
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { namespace: 'a' },
      spec: { dataVolumeTemplates: [
        { metadata: { name: 'x' }, spec: { source: { pvc: { name: 'p' } } } },
        { metadata: { name: 'y' }, spec: { sourceRef: { kind: 'DataSource', namespace: 'os', name: 'rhel9' } } },
        { metadata: { name: 'z' }, spec: { source: { http: { url: 'https://e.org/i' } } } },
      ] },
    }).map((c) => [c.namespace, c.pointer])).toEqual([['a', '/spec/dataVolumeTemplates/0/spec/source/pvc'], ['os', '/spec/dataVolumeTemplates/1/spec/sourceRef']]);
    expect(cloneSourceNamespaces({ apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: 'd', namespace: 'b' }, spec: { source: { snapshot: { namespace: 'c', name: 's' } } } })
      .map((c) => c.namespace)).toEqual(['c']);
    expect(cloneSourceNamespaces({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'a' } })).toEqual([]);
  });

  test('selectors: matchLabels and every matchExpressions operator', () => {
    const l = { app: 'x', tier: 'db' };
    expect(selectorMatches({}, l)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'x' } }, l)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'y' } }, l)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] }, l)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] }, l)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'gone', operator: 'Exists' }] }, l)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'gone', operator: 'DoesNotExist' }] }, l)).toBe(true);
  });

  test('ports: a rule for another port, another protocol or a range that misses does not admit; a covering range does', () => {
    const ctxOf = (ports: any[]) => {
      const objs = [
        { manifest: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'n' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }, path: 'p', group: 'g' },
        { manifest: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow', namespace: 'n' }, spec: { podSelector: { matchLabels: { to: 'y' } }, ingress: [{ from: [{ podSelector: { matchLabels: { from: 'x' } } }], ports }] } }, path: 'p', group: 'g' },
      ];
      return { objects: objs, inNamespace: (ns: string) => objs.filter((o) => o.manifest.metadata.namespace === ns), isSystemNamespace: () => false };
    };
    const verdict = (ports: any[]) => sameNamespaceIngress('n', { to: 'y' }, { from: 'x' }, 8443, ctxOf(ports)).verdict;
    expect(verdict([{ port: 8443 }])).toBe('allowed');
    expect(verdict([{ port: 8000, endPort: 9000 }])).toBe('allowed');
    expect(verdict([])).toBe('allowed');
    expect(verdict([{ port: 8080 }])).toBe('denied');
    expect(verdict([{ port: 8443, protocol: 'UDP' }])).toBe('denied');
    expect(verdict([{ port: 9000, endPort: 9100 }])).toBe('denied');
    expect(sameNamespaceIngress('other', { to: 'y' }, { from: 'x' }, 8443, ctxOf([])).verdict).toBe('open');
  });
});

describe('cdi-clone-network follows a DataSource of the stack to its claim (CDI v1.57.1 clones DataSource.spec.source)', () => {
  /** `golden` holds DataSource rhel9 pointing at a claim in `images` (namespace given or not). */
  function withDataSource(pvcNamespace: string | undefined) {
    const w = world();
    const images = new GitOpsApp(w.cluster, 'Images', { name: 'images', namespace: 'images' });
    new ApiObject(w.golden, 'Ds', {
      apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataSource', metadata: { name: 'rhel9', namespace: 'golden' },
      spec: { source: { pvc: { name: 'rhel9-disk', ...(pvcNamespace ? { namespace: pvcNamespace } : {}) } } },
    });
    new VirtualMachine(w.vms, 'Vm', minimal({ rootDisk: { source: DiskSource.dataSource({ namespace: 'golden', name: 'rhel9' }), size: '30Gi' } }));
    return { ...w, images };
  }

  test('the claim\'s namespace denying same-namespace traffic fails, naming the DataSource and its claim; the DataSource\'s own namespace does not matter', () => {
    const denies = withDataSource('images');
    isolate(denies.images, 'images', false);
    isolate(denies.golden, 'golden', true);
    expect(() => synth(denies.cluster)).toThrow(/\/spec\/dataVolumeTemplates\/0\/spec\/sourceRef: policy cdi-clone-network: DataVolume "relay-root" clones DataSource golden\/rhel9, whose PVC is images\/rhel9-disk; .*inside namespace "images", which NetworkPolicies "deny-by-default" deny/);

    const onlyDataSourceNsDenies = withDataSource('images');
    isolate(onlyDataSourceNsDenies.images, 'images', true);
    isolate(onlyDataSourceNsDenies.golden, 'golden', false);
    expect(() => synth(onlyDataSourceNsDenies.cluster)).not.toThrow();
  });

  test('a DataSource claim without a namespace is the DataVolume\'s namespace (CDI\'s default), not the DataSource\'s', () => {
    const w = withDataSource(undefined);
    isolate(w.vms, 'vms', false);
    expect(() => synth(w.cluster)).toThrow(/clones DataSource golden\/rhel9, whose PVC is vms\/rhel9-disk; .*inside namespace "vms"/);
  });

  test('a DataSource outside the stack is judged in its own namespace', () => {
    const w = world();
    isolate(w.golden, 'golden', false);
    new VirtualMachine(w.vms, 'Vm', minimal({ rootDisk: { source: DiskSource.dataSource({ namespace: 'golden', name: 'elsewhere' }), size: '30Gi' } }));
    expect(() => synth(w.cluster)).toThrow(/clones DataSource golden\/elsewhere; .*inside namespace "golden"/);
  });
});
