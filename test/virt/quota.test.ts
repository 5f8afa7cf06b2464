import { VirtualMachine, ClusterInstancetype, DiskSource } from '../../lib/virt';
import { BridgeNetwork } from '../../lib/network';
import { find, synth } from '../_helpers';
import { minimal, tenant, vmCluster } from './_fixtures';

describe('VMs in a tenant', () => {
  test('VMs that fit the quota synthesize, with a memory limit for the LimitRange', () => {
    const { cluster, internalBridge } = vmCluster();
    const t = tenant(cluster, 'builds', { cpu: '2', memory: '10Gi', storage: '100Gi' });
    const net = new BridgeNetwork(t, 'Net', { name: 'internal-network', hostBridge: internalBridge });
    new VirtualMachine(t, 'B1', minimal({ name: 'build-1', cpu: 4, memory: '4Gi', networks: [{ network: net }] }));
    new VirtualMachine(t, 'B2', minimal({ name: 'build-2', cpu: 4, memory: '4Gi' }));
    const out = synth(cluster);
    const vm = find(out, 'VirtualMachine', 'build-1', 'builds');
    expect(vm.spec.template.spec.domain.resources).toEqual({ requests: { cpu: '400m', memory: '4Gi' }, limits: { memory: '4Gi' } });
    expect(out.objects.find((o) => o.manifest.metadata.name === 'build-1')!.file).toBe('test/builds/virtualmachine.builds.build-1.yaml');
  });

  test('memory over quota fails with the numbers per VM', () => {
    const { cluster } = vmCluster();
    const t = tenant(cluster, 'builds', { cpu: '8', memory: '8Gi', storage: '100Gi' });
    new VirtualMachine(t, 'B1', minimal({ name: 'build-1', memory: '4Gi' }));
    new VirtualMachine(t, 'B2', minimal({ name: 'build-2', memory: '4Gi' }));
    expect(() => synth(cluster)).toThrow(/\[builds\/VmQuotaCheck\] quota.memory: the VMs of tenant "builds" need 8704Mi of memory \(guest memory plus a 256Mi launcher allowance each\) but the quota allows 8Gi \(8Gi\): build-1 4352Mi, build-2 4352Mi/);
  });

  test('CPU, storage, PVC and pod counts over quota', () => {
    const { cluster } = vmCluster();
    const t = tenant(cluster, 'builds', { cpu: '1', memory: '64Gi', storage: '30Gi' }, { pods: 1, persistentVolumeClaims: 1 });
    new VirtualMachine(t, 'B1', minimal({ name: 'build-1', cpu: 8 }));
    new VirtualMachine(t, 'B2', minimal({ name: 'build-2', cpu: 4 }));
    let msg = '';
    try {
      synth(cluster);
    } catch (e: any) {
      msg = e.message;
    }
    expect(msg).toMatch(/quota.cpu: the VMs of tenant "builds" request 1.2 CPU but the quota allows 1 \(1\): build-1 0.8, build-2 0.4/);
    expect(msg).toMatch(/quota.storage: the VMs of tenant "builds" request 40Gi of disk but the quota allows 30Gi \(30Gi\): build-1 20Gi, build-2 20Gi/);
    expect(msg).toMatch(/quota.persistentVolumeClaims: the VMs of tenant "builds" create 2 PersistentVolumeClaims but the quota allows 1/);
    expect(msg).toMatch(/quota.pods: tenant "builds" runs 2 VMs \(one launcher pod each\) but the quota allows 1 pods/);
  });

  test('a VM in a tenant must use the tenant namespace', () => {
    const { cluster } = vmCluster();
    const t = tenant(cluster, 'builds');
    expect(() => new VirtualMachine(t, 'V', minimal({ namespace: 'other' }))).toThrow(/\[builds\/V\] namespace: "other" is not the namespace of tenant "builds"/);
  });

  test('instancetypes are refused in tenants (LimitRange default limit)', () => {
    const { cluster } = vmCluster();
    const t = tenant(cluster, 'builds');
    expect(() => new VirtualMachine(t, 'V', { name: 'v', instancetype: ClusterInstancetype.fromName('u1.small', { guestCpus: 1, memory: '2Gi' }), rootDisk: { source: DiskSource.blank(), size: '1Gi' } }))
      .toThrow(/\[builds\/V\] instancetype: VMs in tenant "builds" need explicit cpu and memory/);
  });

  test('the quota check is added once per tenant', () => {
    const { cluster } = vmCluster();
    const t = tenant(cluster, 'builds', { cpu: '8', memory: '64Gi', storage: '1Ti' });
    new VirtualMachine(t, 'B1', minimal({ name: 'a' }));
    new VirtualMachine(t, 'B2', minimal({ name: 'b' }));
    expect(t.node.children.filter((c) => c.node.id === 'VmQuotaCheck')).toHaveLength(1);
    expect(() => synth(cluster)).not.toThrow();
  });

  test('platform VMs have no memory limit and no quota check', () => {
    const { cluster, vms } = vmCluster();
    new VirtualMachine(vms, 'V', minimal({ memory: '200Gi' }));
    expect(find(synth(cluster), 'VirtualMachine', 'relay').spec.template.spec.domain.resources.limits).toBeUndefined();
  });
});
