import { VirtualMachine, ClusterInstancetype, DiskSource, EvictionStrategy } from '../../lib/virt';
import { AccessMode } from '../../lib/virt/disk-source';
import { BridgeNetwork } from '../../lib/network';
import { TENANT_CAPACITY_CHECK } from '../../lib/capacity/capacity-check';
import { Cluster } from '../../lib/gitops/cluster';
import { defaultPipeline } from '../../lib/pipeline-defaults';
import { runPipeline } from '../../lib/synth/synthesizer';
import { find } from '../_helpers';
import { minimal, tenant, vmCluster } from './_fixtures';

/** The default pipeline with only the capacity check (references and policies are tested elsewhere). */
function synth(cluster: Cluster) {
  return runPipeline(cluster, { ...defaultPipeline({ validator: false, policies: false }), checks: [TENANT_CAPACITY_CHECK] });
}

function problems(cluster: Cluster): string {
  try {
    synth(cluster);
    return '';
  } catch (e: any) {
    return e.message;
  }
}

/** A VM whose disk is ReadWriteOnce, so KubeVirt cannot live-migrate it (no migration headroom). */
const rwo = (over: any) => minimal({ rootDisk: { source: DiskSource.blank(), size: '20Gi', accessMode: AccessMode.READ_WRITE_ONCE }, evictionStrategy: EvictionStrategy.NONE, ...over });

describe('VMs in a tenant', () => {
  test('VMs that fit the quota synthesize, with a memory limit for the LimitRange', () => {
    const { cluster, internalBridge } = vmCluster();
    // Two 4Gi VMs plus the migration target pod of one, each with 250Mi of launcher overhead: 12.8Gi.
    const t = tenant(cluster, 'builds', { cpu: '2', memory: '13Gi', storage: '100Gi' });
    const net = new BridgeNetwork(t, 'Net', { name: 'internal-network', hostBridge: internalBridge });
    new VirtualMachine(t, 'B1', minimal({ name: 'build-1', cpu: 4, memory: '4Gi', networks: [{ network: net }] }));
    new VirtualMachine(t, 'B2', minimal({ name: 'build-2', cpu: 4, memory: '4Gi' }));
    const out = synth(cluster);
    const vm = find(out, 'VirtualMachine', 'build-1', 'builds');
    expect(vm.spec.template.spec.domain.resources).toEqual({ requests: { cpu: '400m', memory: '4Gi' }, limits: { memory: '4Gi' } });
    expect(out.objects.find((o) => o.manifest.metadata.name === 'build-1')!.file).toBe('test/builds/virtualmachine.builds.build-1.yaml');
  });

  // KubeVirt 1.0 launcher overhead of a 4Gi, 1 vCPU VM: 4Gi/512 + 210Mi + 8Mi + 8Mi + 16Mi = 250Mi.
  test('memory over quota fails with the numbers per VM (launcher overhead included)', () => {
    const { cluster } = vmCluster();
    const t = tenant(cluster, 'builds', { cpu: '8', memory: '8Gi', storage: '100Gi' });
    new VirtualMachine(t, 'B1', rwo({ name: 'build-1', memory: '4Gi' }));
    new VirtualMachine(t, 'B2', rwo({ name: 'build-2', memory: '4Gi' }));
    const msg = problems(cluster);
    expect(msg).toContain('[builds] quota: requests.memory: the workloads of tenant "builds" need 8692Mi (build-1 4346Mi, build-2 4346Mi) but ResourceQuota "tenant-quota" allows 8Gi; raise quota.memory of the tenant or shrink the workloads');
    expect(msg).toContain('[builds] quota: limits.memory: the workloads of tenant "builds" need 8692Mi (build-1 4346Mi, build-2 4346Mi)');
  });

  test('a live-migratable VM needs room for its migration target pod', () => {
    const { cluster } = vmCluster();
    const t = tenant(cluster, 'builds', { cpu: '8', memory: '8Gi', storage: '100Gi' });
    new VirtualMachine(t, 'B1', minimal({ name: 'build-1', memory: '4Gi' }));
    expect(problems(cluster)).toContain('[builds] quota: requests.memory: the workloads of tenant "builds" need 8692Mi (build-1 4346Mi, migration headroom (build-1) 4346Mi) but ResourceQuota "tenant-quota" allows 8Gi');
  });

  test('CPU, storage, PVC and pod counts over quota', () => {
    const { cluster } = vmCluster();
    const t = tenant(cluster, 'builds', { cpu: '1', memory: '64Gi', storage: '30Gi' }, { pods: 2, persistentVolumeClaims: 1 });
    new VirtualMachine(t, 'B1', minimal({ name: 'build-1', cpu: 8 }));
    new VirtualMachine(t, 'B2', minimal({ name: 'build-2', cpu: 4 }));
    const msg = problems(cluster);
    expect(msg).toContain('[builds] quota: requests.cpu: the workloads of tenant "builds" need 2 (build-1 0.8, build-2 0.4, migration headroom (build-1) 0.8) but ResourceQuota "tenant-quota" allows 1; raise quota.cpu of the tenant');
    expect(msg).toContain('[builds] quota: requests.storage: the workloads of tenant "builds" need 40Gi (build-1 20Gi, build-2 20Gi) but ResourceQuota "tenant-quota" allows 30Gi; raise quota.storage of the tenant');
    expect(msg).toContain('[builds] quota: persistentvolumeclaims: the workloads of tenant "builds" create 2 PersistentVolumeClaims (build-1 1, build-2 1) but ResourceQuota "tenant-quota" allows 1; raise quota.persistentVolumeClaims of the tenant');
    expect(msg).toContain('[builds] quota: pods: the workloads of tenant "builds" run up to 3 pods (build-1 1, build-2 1, migration headroom (build-1) 1) but ResourceQuota "tenant-quota" allows 2; raise quota.pods of the tenant');
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

  test('VMs and the tenant\'s other workloads share one check: each number is reported once', () => {
    const { cluster } = vmCluster();
    const t = tenant(cluster, 'builds', { cpu: '8', memory: '6Gi', storage: '1Ti' });
    new VirtualMachine(t, 'B1', rwo({ name: 'a', memory: '4Gi' }));
    new VirtualMachine(t, 'B2', rwo({ name: 'b', memory: '2Gi' }));
    const lines = problems(cluster).split('\n').filter((l) => l.includes('requests.memory'));
    expect(lines).toHaveLength(1);
    expect(t.node.tryFindChild('VmQuotaCheck')).toBeUndefined();
  });

  test('platform VMs have no memory limit and no quota check', () => {
    const { cluster, vms } = vmCluster();
    new VirtualMachine(vms, 'V', minimal({ memory: '200Gi' }));
    expect(find(synth(cluster), 'VirtualMachine', 'relay').spec.template.spec.domain.resources.limits).toBeUndefined();
  });
});
