import { ClusterInstancetype, DiskSource, VirtualMachineTemplate } from '../../lib/virt';
import { find, synth } from '../_helpers';
import { vmCluster } from './_fixtures';

describe('VirtualMachineTemplate', () => {
  test('stamps out a family with per-VM overrides', () => {
    const { cluster, vms, internal } = vmCluster();
    const builders = new VirtualMachineTemplate({
      cpu: 8, memory: '16Gi', labels: { role: 'build' },
      rootDisk: { source: DiskSource.pvcClone({ namespace: 'golden', name: 'fedora-39' }), size: '100Gi' },
      networks: [{ network: internal }],
    });
    const a = builders.create(vms, 'Build1', { name: 'build-1' });
    const b = builders.create(vms, 'Build2', { name: 'build-2', memory: '32Gi', labels: { arch: 'x86' } });
    const out = synth(cluster);
    expect(a.vmName).toBe('build-1');
    expect(find(out, 'VirtualMachine', 'build-1').spec.template.spec.domain.memory.guest).toBe('16Gi');
    const m2 = find(out, 'VirtualMachine', 'build-2');
    expect(m2.spec.template.spec.domain.memory.guest).toBe('32Gi');
    expect(m2.metadata.labels).toEqual({ role: 'build', arch: 'x86', 'ocpkit.io/vm': 'build-2' });
    expect(m2.spec.dataVolumeTemplates[0].metadata.name).toBe('build-2-root');
    expect(b.interfaces.map((i) => i.name)).toEqual(['default', 'nic-1']);
  });

  test('an instancetype override drops the template size, and the other way round', () => {
    const { cluster, vms } = vmCluster();
    const t = new VirtualMachineTemplate({ cpu: 2, memory: '4Gi', rootDisk: { source: DiskSource.blank(), size: '10Gi' } });
    t.create(vms, 'A', { name: 'a', instancetype: ClusterInstancetype.fromName('u1.large') });
    const sized = t.extend({ instancetype: ClusterInstancetype.fromName('u1.small') });
    sized.create(vms, 'B', { name: 'b', cpu: 1, memory: '1Gi' });
    const out = synth(cluster);
    expect(find(out, 'VirtualMachine', 'a').spec.instancetype.name).toBe('u1.large');
    expect(find(out, 'VirtualMachine', 'b').spec.instancetype).toBeUndefined();
  });

  test('errors name the stamped VM', () => {
    const { vms } = vmCluster();
    const t = new VirtualMachineTemplate({ cpu: 2, memory: '4Gi', rootDisk: { source: DiskSource.blank(), size: '10Gi' } });
    expect(() => t.create(vms, 'Bad', { name: 'bad', memory: '4GB' })).toThrow(/\[Vms\/Bad\] memory: "4GB" is not a Kubernetes quantity/);
  });
});
