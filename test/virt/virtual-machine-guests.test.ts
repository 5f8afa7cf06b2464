import * as yaml from 'js-yaml';
import { SecretKey } from '../../lib/core/secret-key';
import { DataFile } from '../../lib/data/data-file';
import {
  AccessMode, CloudInit, ConsoleLogin, DiskSource, EvictionStrategy, GuestAddress, parseVmFile, SshAuthorizedKeys,
  stableMac, VirtualMachine, VmReadiness, VolumeMode,
} from '../../lib/virt';
import { launcherPod } from '../../lib/virt/_quota';
import { find, synth } from '../_helpers';
import { minimal, vmCluster } from './_fixtures';

const REPOS = [{ id: 'appstream', baseUrl: 'https://mirror.example.org/rhel9/AppStream/' }];
const typed = (over: object = {}) => CloudInit.build({ users: [{ name: 'ops', sudo: true }], sshAuthorizedKeys: SshAuthorizedKeys.fromSecret('ops-ssh-keys'), yumRepos: REPOS, ...over });

describe('migration: disks that cannot follow the VM', () => {
  test('LiveMigrate with an existing ReadWriteOnce claim says why and how to move it', () => {
    const { vms } = vmCluster();
    expect(() => new VirtualMachine(vms, 'V', minimal({ evictionStrategy: EvictionStrategy.LIVE_MIGRATE, rootDisk: { source: DiskSource.existingPvc('old-root') } })))
      .toThrow('[Vms/V] evictionStrategy: LiveMigrate needs ReadWriteMany disks, but rootdisk is not: rootdisk is existing PVC old-root (ReadWriteOnce), which cannot follow the VM to another node; set moveToReadWriteMany: true on the disk to copy it once into a ReadWriteMany Block DataVolume (a CDI clone, which runs while the VM is stopped); or use EvictionStrategy.NONE (the VM shuts down on every node drain)');
    expect(() => new VirtualMachine(vms, 'W', minimal({ name: 'w', evictionStrategy: EvictionStrategy.LIVE_MIGRATE, dataDisks: [{ name: 'scratch', size: '1Gi', accessMode: AccessMode.READ_WRITE_ONCE }] })))
      .toThrow('scratch is a ReadWriteOnce DataVolume; give it accessMode ReadWriteMany (Block on Ceph RBD)');
  });

  test('a VM that falls back to None tells why (migrationBlockers)', () => {
    const { vms } = vmCluster();
    const vm = new VirtualMachine(vms, 'V', minimal({ rootDisk: { source: DiskSource.existingPvc('old-root') } }));
    expect(vm.evictionStrategy).toBe(EvictionStrategy.NONE);
    expect(vm.migrationBlockers).toEqual([expect.stringMatching(/^rootdisk is existing PVC old-root \(ReadWriteOnce\), which cannot follow the VM to another node; set moveToReadWriteMany: true/)]);
    expect(new VirtualMachine(vms, 'A', minimal({ name: 'a' })).migrationBlockers).toEqual([]);
  });

  test('moveToReadWriteMany copies an existing claim into a RWX Block DataVolume (CDI clone from the same namespace) and live-migrates', () => {
    const { cluster, vms } = vmCluster();
    const vm = new VirtualMachine(vms, 'V', minimal({ rootDisk: { source: DiskSource.existingPvc('gitaly-root'), moveToReadWriteMany: true, size: '100Gi', storageClass: 'rbd-virt' } }));
    expect(vm.liveMigratable).toBe(true);
    expect(vm.evictionStrategy).toBe(EvictionStrategy.LIVE_MIGRATE);
    const s = find(synth(cluster), 'VirtualMachine', 'relay').spec;
    expect(s.dataVolumeTemplates[0].spec).toEqual({
      source: { pvc: { namespace: 'infra-vms', name: 'gitaly-root' } },
      storage: { accessModes: ['ReadWriteMany'], volumeMode: 'Block', storageClassName: 'rbd-virt', resources: { requests: { storage: '100Gi' } } },
    });
    expect(s.template.spec.volumes[0]).toEqual({ name: 'rootdisk', dataVolume: { name: 'relay-root' } });
    expect(s.template.spec.evictionStrategy).toBe('LiveMigrate');
  });

  test('the copy never takes the name of the claim it copies (CDI would refuse a claim it does not own)', () => {
    const { cluster, vms } = vmCluster();
    new VirtualMachine(vms, 'V', minimal({ rootDisk: { source: DiskSource.existingPvc('relay-root'), moveToReadWriteMany: true } }));
    const s = find(synth(cluster), 'VirtualMachine', 'relay').spec;
    expect(s.dataVolumeTemplates[0].metadata.name).toBe('relay-root-rwx');
    expect(s.dataVolumeTemplates[0].spec.source).toEqual({ pvc: { namespace: 'infra-vms', name: 'relay-root' } });
    expect(s.template.spec.volumes[0]).toEqual({ name: 'rootdisk', dataVolume: { name: 'relay-root-rwx' } });
  });

  test('without a size CDI takes the claim\'s size; a move to anything but RWX Block is refused', () => {
    const { cluster, vms } = vmCluster();
    new VirtualMachine(vms, 'V', minimal({ rootDisk: { source: DiskSource.existingPvc('old-root'), moveToReadWriteMany: true } }));
    expect(find(synth(cluster), 'VirtualMachine', 'relay').spec.dataVolumeTemplates[0].spec.storage).toEqual({ accessModes: ['ReadWriteMany'], volumeMode: 'Block' });
    expect(() => new VirtualMachine(vms, 'W', minimal({ name: 'w', rootDisk: { source: DiskSource.existingPvc('old-root'), moveToReadWriteMany: true, accessMode: AccessMode.READ_WRITE_ONCE, volumeMode: VolumeMode.FILESYSTEM } })))
      .toThrow(/rootDisk.accessMode: moveToReadWriteMany copies the disk into a ReadWriteMany volume; drop accessMode "ReadWriteOnce"[\s\S]*rootDisk.volumeMode: moveToReadWriteMany copies the disk into a Block volume/);
    expect(() => new VirtualMachine(vms, 'X', minimal({ name: 'x', rootDisk: { source: DiskSource.blank(), size: '1Gi', moveToReadWriteMany: true } })))
      .toThrow('[Vms/X] rootDisk.moveToReadWriteMany: applies to an existing PVC (DiskSource.existingPvc) only; blank disk already creates a DataVolume, give it accessMode ReadWriteMany');
    expect(() => new VirtualMachine(vms, 'Y', minimal({ name: 'y', rootDisk: { source: DiskSource.existingPvc('old-root'), size: '1Gi' } })))
      .toThrow(/rootDisk.size: an existing PVC keeps its own size; drop size for existing PVC old-root \(or set moveToReadWriteMany: true/);
  });

  test('a boot source clone is a DataVolume sourceRef', () => {
    const { cluster, vms } = vmCluster();
    new VirtualMachine(vms, 'V', minimal({ rootDisk: { source: DiskSource.bootSource('rhel9'), size: '30Gi' } }));
    expect(find(synth(cluster), 'VirtualMachine', 'relay').spec.dataVolumeTemplates[0].spec).toEqual({
      sourceRef: { kind: 'DataSource', namespace: 'openshift-virtualization-os-images', name: 'rhel9' },
      storage: { accessModes: ['ReadWriteMany'], volumeMode: 'Block', resources: { requests: { storage: '30Gi' } } },
    });
  });
});

describe('readiness', () => {
  test('default: a TCP probe on the guest port of the first TCP port; none without ports', () => {
    const { cluster, vms } = vmCluster();
    new VirtualMachine(vms, 'V', minimal({ ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'smtp', port: 25, targetPort: 2525 }] }));
    new VirtualMachine(vms, 'N', minimal({ name: 'n' }));
    const out = synth(cluster);
    expect(find(out, 'VirtualMachine', 'relay').spec.template.spec.readinessProbe).toEqual({ tcpSocket: { port: 2525 } });
    expect(find(out, 'VirtualMachine', 'n').spec.template.spec.readinessProbe).toBeUndefined();
  });

  test('a port added later (the Gitaly port) becomes the probe', () => {
    const { cluster, vms } = vmCluster();
    const vm = new VirtualMachine(vms, 'V', minimal());
    vm.addPort({ name: 'gitaly', port: 8075 });
    expect(find(synth(cluster), 'VirtualMachine', 'relay').spec.template.spec.readinessProbe).toEqual({ tcpSocket: { port: 8075 } });
  });

  test('explicit probes through the guest agent, with timings, and none', () => {
    const { cluster, vms } = vmCluster();
    new VirtualMachine(vms, 'A', minimal({ name: 'a', ports: [{ name: 'ssh', port: 22 }], readiness: VmReadiness.exec(['systemctl', 'is-active', 'gitaly'], { periodSeconds: 20, timeoutSeconds: 5 }) }));
    new VirtualMachine(vms, 'B', minimal({ name: 'b', podNetwork: false, readiness: VmReadiness.guestAgentPing() }));
    new VirtualMachine(vms, 'C', minimal({ name: 'c', ports: [{ name: 'ssh', port: 22 }], readiness: VmReadiness.none() }));
    const out = synth(cluster);
    expect(find(out, 'VirtualMachine', 'a').spec.template.spec.readinessProbe).toEqual({ exec: { command: ['systemctl', 'is-active', 'gitaly'] }, periodSeconds: 20, timeoutSeconds: 5 });
    expect(find(out, 'VirtualMachine', 'b').spec.template.spec.readinessProbe).toEqual({ guestAgentPing: {} });
    expect(find(out, 'VirtualMachine', 'c').spec.template.spec.readinessProbe).toBeUndefined();
  });

  test('refused: TCP without the pod network, empty exec, bad timings', () => {
    const { vms } = vmCluster();
    expect(() => new VirtualMachine(vms, 'V', minimal({ podNetwork: false, readiness: VmReadiness.tcp(22) })))
      .toThrow('[Vms/V] readiness: a TCP readiness probe reaches the guest through the pod network, and KubeVirt refuses it on a VM without one; set podNetwork: true, or use VmReadiness.exec([...]) or VmReadiness.guestAgentPing() (both through the guest agent)');
    expect(() => new VirtualMachine(vms, 'W', minimal({ name: 'w', readiness: VmReadiness.exec([]) }))).toThrow('[Vms/W] readiness.command: [] must be a non-empty list of strings');
    expect(() => new VirtualMachine(vms, 'X', minimal({ name: 'x', readiness: VmReadiness.tcp(70000, { periodSeconds: 5, timeoutSeconds: 5 }) })))
      .toThrow(/readiness.port: 70000 must be an integer from 1 to 65535[\s\S]*readiness.timeoutSeconds: 5 must be below periodSeconds \(5\)/);
    expect(() => new VirtualMachine(vms, 'Y', minimal({ name: 'y', readiness: { tcpSocket: { port: 22 } } as unknown as VmReadiness })))
      .toThrow(/readiness: \{"tcpSocket":\{"port":22\}\} is not a VmReadiness/);
  });

  test('an exec probe costs the launcher 110Mi (KubeVirt v1.0.1 addProbeOverheads); a TCP probe nothing', () => {
    const vmi = (readinessProbe?: object) => ({ domain: { cpu: { cores: 1 }, memory: { guest: '1Gi' } }, readinessProbe });
    const base = launcherPod(vmi()).overhead;
    expect(launcherPod(vmi({ exec: { command: ['true'] } })).overhead - base).toBe(110 * 2 ** 20);
    expect(launcherPod(vmi({ tcpSocket: { port: 22 } })).overhead).toBe(base);
    expect(launcherPod(vmi({ guestAgentPing: {} })).overhead).toBe(base);
  });
});

describe('stable MACs per cluster', () => {
  test('staging and production derive different bridge MACs; the pod MAC and firmware UUID stay', () => {
    const prod = vmCluster('production');
    const stg = vmCluster('staging');
    const a = new VirtualMachine(prod.vms, 'V', minimal({ networks: [{ network: prod.internal }] }));
    const b = new VirtualMachine(stg.vms, 'V', minimal({ networks: [{ network: stg.internal }] }));
    expect(a.interfaces[1].macAddress).not.toBe(b.interfaces[1].macAddress);
    expect(a.interfaces[1].macAddress).toBe(stableMac(`${prod.cluster.clusterName}/production/infra-vms/relay/nic-1`));
    expect(a.interfaces[0].macAddress).toBe(b.interfaces[0].macAddress);
    expect(a.firmwareUuid).toBe(b.firmwareUuid);
  });

  test('a migrated VM keeps its old MAC; the same MAC twice in one cluster fails, in two clusters it does not', () => {
    const prod = vmCluster('production');
    const stg = vmCluster('staging');
    new VirtualMachine(prod.vms, 'Old', minimal({ name: 'old', networks: [{ network: prod.internal, macAddress: '52:54:00:12:34:56' }] }));
    const copy = new VirtualMachine(stg.vms, 'Old', minimal({ name: 'old', networks: [{ network: stg.internal, macAddress: '52:54:00:12:34:56' }] }));
    expect(copy.interfaces[1].macAddress).toBe('52:54:00:12:34:56');
    expect(find(synth(prod.cluster), 'VirtualMachine', 'old').spec.template.spec.domain.devices.interfaces[1].macAddress).toBe('52:54:00:12:34:56');
    expect(() => synth(stg.cluster)).not.toThrow();
    new VirtualMachine(prod.vms, 'Twin', minimal({ name: 'twin', networks: [{ network: prod.internal, macAddress: '52:54:00:12:34:56' }] }));
    expect(() => synth(prod.cluster)).toThrow('[Vms/Twin] networks: MAC address 52:54:00:12:34:56 is also used by Vms/Old; MAC addresses must be unique on a network');
  });
});

describe('guest network configuration (NoCloud network data from the VM\'s interfaces and MACs)', () => {
  test('static addresses matched by MAC; the public NIC owns the default route, the pod network is DHCP without it', () => {
    const { cluster, vms, internal, pub } = vmCluster();
    const vm = new VirtualMachine(vms, 'V', minimal({
      networks: [
        { network: internal, name: 'internal', address: GuestAddress.fixed('10.40.0.25/22') },
        { network: pub, name: 'public', address: GuestAddress.fixed('198.51.100.25/24', { gateway: '198.51.100.1', dns: ['198.51.100.53'] }) },
      ],
      cloudInit: typed(),
    }));
    const vol = find(synth(cluster), 'VirtualMachine', 'relay').spec.template.spec.volumes.find((v: any) => v.name === 'cloudinitdisk');
    const [pod, nic1, nic2] = vm.interfaces.map((i) => i.macAddress);
    expect(yaml.load(vol.cloudInitNoCloud.networkData)).toEqual({
      version: 2,
      ethernets: {
        // no default route, but the pod and Service networks through the masquerade gateway, and
        // the cluster DNS: replies to pods and node probes leave by the pod NIC, Service names resolve
        pod: {
          'match': { macaddress: pod }, 'set-name': 'pod', 'dhcp4': true, 'dhcp4-overrides': { 'use-routes': false, 'route-metric': 500 },
          'routes': [{ to: '10.128.0.0/14', via: '10.0.2.1' }, { to: '172.30.0.0/16', via: '10.0.2.1' }],
          'nameservers': { addresses: ['172.30.0.10'], search: ['infra-vms.svc.cluster.local', 'svc.cluster.local', 'cluster.local'] },
        },
        internal: { 'match': { macaddress: nic1 }, 'set-name': 'internal', 'dhcp4': false, 'addresses': ['10.40.0.25/22'] },
        public: { 'match': { macaddress: nic2 }, 'set-name': 'public', 'dhcp4': false, 'addresses': ['198.51.100.25/24'], 'routes': [{ to: '0.0.0.0/0', via: '198.51.100.1' }], 'nameservers': { addresses: ['198.51.100.53'] } },
      },
    });
    expect(vol.cloudInitNoCloud.userData).toMatch(/^#cloud-config\n/);
  });

  test('without a bridge gateway the pod network owns the default route; explicit DHCP is allowed', () => {
    const { cluster, vms, internal } = vmCluster();
    new VirtualMachine(vms, 'V', minimal({ networks: [{ network: internal, address: GuestAddress.dhcp({ defaultRoute: false }) }], cloudInit: typed() }));
    const data: any = yaml.load(find(synth(cluster), 'VirtualMachine', 'relay').spec.template.spec.volumes.find((v: any) => v.name === 'cloudinitdisk').cloudInitNoCloud.networkData);
    expect(data.ethernets.pod).toEqual({ 'match': { macaddress: expect.any(String) }, 'set-name': 'pod', 'dhcp4': true });
    expect(data.ethernets['nic-1']).toMatchObject({ 'dhcp4': true, 'dhcp4-overrides': { 'use-routes': false, 'route-metric': 500 } });
  });

  test('with typed cloud-init every bridged NIC needs an address (checked when the interfaces are final)', () => {
    const { cluster, vms, internal, pub } = vmCluster();
    const vm = new VirtualMachine(vms, 'V', minimal({ networks: [{ network: internal, address: GuestAddress.fixed('10.40.0.25/22') }], cloudInit: typed() }));
    vm.addNetwork({ network: pub });
    expect(() => synth(cluster)).toThrow(/\[Vms\/V\] networks\[2\].address: interface "nic-2" has no address: bridged networks do not assign addresses to VMs/);
  });

  test('addresses without cloud-init cannot reach the guest; a bad address object is refused at once', () => {
    const { cluster, vms, internal } = vmCluster();
    new VirtualMachine(vms, 'V', minimal({ networks: [{ network: internal, address: GuestAddress.fixed('10.40.0.25/22') }] }));
    expect(() => synth(cluster)).toThrow('[Vms/V] networks: the address plan reaches the guest as cloud-init NoCloud network data, and this VM has no cloudInit; give cloudInit (CloudInit.build({...})), or drop the addresses if the guest image configures its own network');
    expect(() => new VirtualMachine(vms, 'W', minimal({ name: 'w', networks: [{ network: internal, address: '10.40.0.26/22' as unknown as GuestAddress }] })))
      .toThrow('[Vms/W] networks[0].address: "10.40.0.26/22" is not a GuestAddress; use GuestAddress.fixed("192.0.2.10/24", { gateway }), GuestAddress.dhcp() or GuestAddress.none()');
  });

  test('the boot source names the guest OS: a RHEL image without repositories cannot install packages', () => {
    const { vms } = vmCluster();
    expect(() => new VirtualMachine(vms, 'V', minimal({ rootDisk: { source: DiskSource.bootSource('rhel9'), size: '30Gi' }, cloudInit: CloudInit.build({ packages: ['postfix'] }) })))
      .toThrow(/\[Vms\/V\] cloudInit.packages: a RHEL guest has no package repositories until it is registered/);
    expect(() => new VirtualMachine(vms, 'W', minimal({ name: 'w', rootDisk: { source: DiskSource.registryImage('quay.io/containerdisks/fedora:40'), size: '30Gi' }, cloudInit: CloudInit.build({ packages: ['postfix'] }) })))
      .not.toThrow();
  });

  test('a break-glass console login attaches its Secret as a labelled disk, never in the user data', () => {
    const { cluster, vms } = vmCluster();
    new VirtualMachine(vms, 'V', minimal({ cloudInit: typed({ consoleLogin: ConsoleLogin.fromSecret({ user: 'breakglass', passwordHash: SecretKey.of('vm-console-password', 'passwordHash') }) }) }));
    const spec = find(synth(cluster), 'VirtualMachine', 'relay').spec.template.spec;
    expect(spec.volumes.at(-1)).toEqual({ name: 'breakglass', secret: { secretName: 'vm-console-password', volumeLabel: 'BREAKGLASS' } });
    expect(spec.domain.devices.disks.at(-1)).toEqual({ name: 'breakglass', disk: { bus: 'virtio' } });
  });
});

describe('vms.yaml: addresses, readiness, boot sources, moves', () => {
  const OPTS = { networks: ['internal-network', 'public-network'], defaultNamespace: 'infra-vms', environment: 'staging' };
  const parse = (text: string, opts: object = OPTS) => parseVmFile(DataFile.parse('vms.yaml', text), opts);

  test('per-environment addresses and MACs, readiness, boot source and a move to RWX', () => {
    const [vm] = parse(`
vms:
  - name: relay
    cpu: 1
    memory: 1Gi
    disk: { bootSource: rhel9, size: 30Gi }
    dataDisks: [{ name: old, pvc: old-data, moveToRwx: true, size: 10Gi }]
    networks:
      - { network: public-network, address: { production: 198.51.100.25/24, staging: 203.0.113.25/24 }, gateway: { production: 198.51.100.1, staging: 203.0.113.1 }, dns: [203.0.113.53] }
      - { network: internal-network, address: dhcp, mac: { production: "02:c0:00:00:00:01", staging: "02:c0:00:00:01:01" } }
    readiness: { tcp: 2525 }
`);
    expect(vm.networks[0].address).toEqual(GuestAddress.fixed('203.0.113.25/24', { gateway: '203.0.113.1', dns: ['203.0.113.53'], search: undefined }));
    expect(vm.networks[1]).toMatchObject({ macAddress: '02:c0:00:00:01:01', address: GuestAddress.dhcp() });
    expect(vm.props.readiness).toEqual(VmReadiness.tcp(2525));
    expect(vm.props.rootDisk.source.sourceRef).toEqual({ kind: 'DataSource', namespace: 'openshift-virtualization-os-images', name: 'rhel9' });
    expect(vm.props.dataDisks![0]).toMatchObject({ name: 'old', moveToReadWriteMany: true, size: '10Gi' });
  });

  test('bad addresses, readiness and maps, one line each', () => {
    let msg = '';
    try {
      parse(`
vms:
  - name: relay
    cpu: 1
    memory: 1Gi
    disk: { bootSource: rhel7, size: 30Gi }
    networks:
      - { network: public-network, address: { production: 198.51.100.25/24 }, netmask: 24 }
      - { network: internal-network, address: dhcp, gateway: 10.0.0.1 }
    readiness: { http: 80 }
`);
    } catch (e: any) {
      msg = e.message;
    }
    expect(msg.split('\n').slice(1).map((l) => l.trim())).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\[vms.yaml: vms\[0\] \(relay\)\] disk.bootSource: "rhel7" is not allowed; use one of "rhel8", "rhel9", "fedora", "centos-stream9"/),
      '[vms.yaml: vms[0] (relay)] networks[0].netmask: unknown field; allowed fields are network, mac, address, gateway, dns, search, guestName',
      '[vms.yaml: vms[0] (relay)] networks[0].address: has no entry for environment "staging" (it has "production")',
      '[vms.yaml: vms[0] (relay)] networks[1]: gateway, dns and search belong to a static address, not to address: dhcp',
      '[vms.yaml: vms[0] (relay)] readiness: {"http":80} must be { tcp: <port> }, { exec: [command, args...] }, guestAgentPing or none',
    ]));
    expect(() => parse('vms:\n  - { name: a, cpu: 1, memory: 1Gi, disk: { blank: {}, size: 1Gi }, networks: [{ network: internal-network, address: { staging: 10.0.0.1/24 } }] }\n', { networks: ['internal-network'], defaultNamespace: 'x' }))
      .toThrow('networks[0].address: is a map by environment, but the file is not read for an environment; write one value');
  });
});
