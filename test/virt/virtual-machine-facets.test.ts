import { DataFile } from '../../lib/data/data-file';
import { BridgeNetwork } from '../../lib/network';
import { AccessMode, EvictionStrategy, parseVmFile, VirtualMachine } from '../../lib/virt';
import { VM_LIMITS } from '../../lib/virt/_vm-rules';
import { find, synth } from '../_helpers';
import { minimal, vmCluster } from './_fixtures';

/** Everything a caller can observe of a VM's parts. */
function shape(vm: VirtualMachine) {
  return {
    interfaces: vm.interfaces.map((i) => [i.name, i.macAddress, i.multusName]),
    ports: vm.ports.map((p) => [p.name, p.port]),
    requests: JSON.stringify(vm.requests),
    eviction: vm.evictionStrategy,
    migratable: vm.liveMigratable,
    service: vm.service !== undefined,
  };
}

describe('VirtualMachine facets: props go through the add methods', () => {
  test('props and add methods give the same VM', () => {
    const a = vmCluster();
    new VirtualMachine(a.vms, 'V', minimal({
      networks: [{ network: a.internal }, { network: a.pub, name: 'public' }],
      dataDisks: [{ name: 'spool', size: '5Gi' }],
      ports: [{ name: 'smtp', port: 25 }],
    }));
    const b = vmCluster();
    const vm = new VirtualMachine(b.vms, 'V', minimal());
    vm.addNetwork({ network: b.internal });
    vm.addNetwork({ network: b.pub, name: 'public' });
    vm.addDataDisk({ name: 'spool', size: '5Gi' });
    vm.addPort({ name: 'smtp', port: 25 });
    const [x, y] = [synth(a.cluster), synth(b.cluster)];
    expect(find(y, 'VirtualMachine', 'relay')).toEqual(find(x, 'VirtualMachine', 'relay'));
    expect(find(y, 'Service', 'relay')).toEqual(find(x, 'Service', 'relay'));
  });

  test('a refused addNetwork leaves the interfaces as they were (it used to drop the previous one)', () => {
    const { vms, internal } = vmCluster();
    const vm = new VirtualMachine(vms, 'V', minimal());
    const before = shape(vm);
    expect(() => vm.addNetwork({ network: 'not-a-network' as unknown as BridgeNetwork }))
      .toThrow(/\[Vms\/V\] networks\[0\].network: "not-a-network" is not a BridgeNetwork/);
    expect(vm.interfaces.map((i) => i.name)).toEqual(['default']);
    vm.addNetwork({ network: internal });
    const withOne = shape(vm);
    expect(() => vm.addNetwork({ network: internal, name: 'nic-1' })).toThrow(/\[Vms\/V\] networks: interface name "nic-1" is used twice; every interface and network needs its own name/);
    expect(() => vm.addNetwork({ network: internal, macAddress: 'zz' })).toThrow(/networks\[1\].macAddress: "zz" is not a MAC address/);
    expect(() => vm.addNetwork({ network: internal, macAddress: vm.interfaces[1].macAddress })).toThrow(/networks: MAC address 02:[0-9a-f:]+ is used by two interfaces/);
    expect(shape(vm)).toEqual(withOne);
    expect(before.interfaces).toEqual([withOne.interfaces[0]]);
  });

  test('a refused addPort leaves ports and Service as they were', () => {
    const { vms } = vmCluster();
    const vm = new VirtualMachine(vms, 'V', minimal());
    expect(() => vm.addPort({ name: 'Bad_Name', port: 22 })).toThrow(/ports\[0\].name: "Bad_Name" is not a port name/);
    expect(vm.service).toBeUndefined();
    vm.addPort({ name: 'ssh', port: 22 });
    const before = shape(vm);
    expect(() => vm.addPort({ name: 'ssh', port: 2222 })).toThrow(/\[Vms\/V\] ports: port name "ssh" is used twice/);
    expect(() => vm.addPort({ name: 'ssh2', port: 22 })).toThrow(/ports: port 22\/TCP is listed twice/);
    expect(shape(vm)).toEqual(before);
    const off = new VirtualMachine(vms, 'Off', minimal({ name: 'off', podNetwork: false }));
    expect(() => off.addPort({ name: 'ssh', port: 22 })).toThrow(/\[Vms\/Off\] ports: a Service reaches the VM through the pod network; set podNetwork: true or drop ports/);
    expect(off.service).toBeUndefined();
  });

  test('addDataDisk adds a DataVolume; a refused disk changes nothing', () => {
    const { cluster, vms } = vmCluster();
    const vm = new VirtualMachine(vms, 'V', minimal({ dataDisks: [{ name: 'spool', size: '5Gi' }] }));
    const before = shape(vm);
    expect(() => vm.addDataDisk({ name: 'spool', size: '1Gi' })).toThrow(/\[Vms\/V\] dataDisks: disk name "spool" is used twice/);
    expect(() => vm.addDataDisk({ name: 'cloudinitdisk', size: '1Gi' })).toThrow(/dataDisks\[1\].name: "cloudinitdisk" is reserved for the VM's own disks/);
    expect(() => vm.addDataDisk({ name: 'x', size: '1 GB' })).toThrow(/dataDisks\[1\].size: "1 GB" is not a Kubernetes quantity/);
    expect(shape(vm)).toEqual(before);
    // A ReadWriteOnce disk on a VM with the default eviction: allowed, and the VM stops migrating.
    vm.addDataDisk({ name: 'scratch', size: '1Gi', accessMode: AccessMode.READ_WRITE_ONCE });
    expect(vm.liveMigratable).toBe(false);
    expect(vm.evictionStrategy).toBe(EvictionStrategy.NONE);
    expect(vm.requests.volumes).toBe(3);
    const s = find(synth(cluster), 'VirtualMachine', 'relay').spec;
    expect(s.dataVolumeTemplates.map((d: any) => d.metadata.name)).toEqual(['relay-root', 'relay-spool', 'relay-scratch']);
    expect(s.template.spec.evictionStrategy).toBe('None');
  });

  test('an explicit LiveMigrate refuses a disk that cannot migrate, and keeps the VM as it was', () => {
    const { vms } = vmCluster();
    const vm = new VirtualMachine(vms, 'V', minimal({ evictionStrategy: EvictionStrategy.LIVE_MIGRATE }));
    const before = shape(vm);
    expect(() => vm.addDataDisk({ name: 'scratch', size: '1Gi', accessMode: AccessMode.READ_WRITE_ONCE }))
      .toThrow(/\[Vms\/V\] evictionStrategy: LiveMigrate needs ReadWriteMany disks, but scratch is not/);
    expect(shape(vm)).toEqual(before);
    expect(vm.liveMigratable).toBe(true);
  });

  test('vms.yaml and the construct share one limits table', () => {
    const parse = (cpu: unknown) => () => parseVmFile(DataFile.parse('vms.yaml', `vms:\n  - name: a\n    namespace: infra-vms\n    cpu: ${JSON.stringify(cpu)}\n    memory: 1Gi\n    disk: { blank: {}, size: 1Gi }\n`));
    const construct = (cpu: unknown) => () => new VirtualMachine(vmCluster().vms, 'V', minimal({ cpu: cpu as number }));
    for (const [field, max] of [['cpu', VM_LIMITS.cpu[1]], ['cores', VM_LIMITS.cores[1]], ['sockets', VM_LIMITS.sockets[1]], ['threads', VM_LIMITS.threads[1]]] as const) {
      const ok = field === 'cpu' ? max : { cores: 1, [field]: max };
      const bad = field === 'cpu' ? max + 1 : { cores: 1, [field]: max + 1 };
      expect(parse(ok)).not.toThrow();
      expect(construct(ok)).not.toThrow();
      const message = `${max + 1} must be an integer from ${VM_LIMITS[field][0]} to ${max}`;
      expect(parse(bad)).toThrow(message);
      expect(construct(bad)).toThrow(message);
    }
    // Port names: the same 15-character rule in both.
    const port = (name: string) => () => parseVmFile(DataFile.parse('vms.yaml', `vms:\n  - name: a\n    namespace: infra-vms\n    cpu: 1\n    memory: 1Gi\n    disk: { blank: {}, size: 1Gi }\n    ports: [{ name: ${name}, port: 22 }]\n`));
    expect(port('a-very-long-port-name')).toThrow(/ports\[0\].name: "a-very-long-port-name" is not a port name \(a DNS label of at most 15 characters\)/);
    expect(() => new VirtualMachine(vmCluster().vms, 'V', minimal({ ports: [{ name: 'a-very-long-port-name', port: 22 }] }))).toThrow(/ports\[0\].name: "a-very-long-port-name" is not a port name/);
    expect(() => parseVmFile(DataFile.parse('vms.yaml', 'vms:\n  - name: a\n    namespace: infra-vms\n    cpu: 1\n    memory: "16"\n    disk: { blank: {}, size: 1Gi }\n'))).toThrow(/memory: "16" is below 64Mi/);
  });
});
