import { Size } from 'cdk8s';
import { synthesize } from '../../lib/pipeline-defaults';
import { SecretKey } from '../../lib/core/secret-key';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { BridgeNetwork, Ipam } from '../../lib/network';
import {
  AccessMode, ClusterInstancetype, ClusterPreference, CloudInit, DELETE_AFTER_COMPLETION_ANNOTATION, DiskSource,
  EvictionStrategy, RunStrategy, SshAuthorizedKeys, stableMac, stableUuid, VirtualMachine, VM_IGNORED_FIELDS, VM_LABEL, VolumeMode,
} from '../../lib/virt';
import { find, newestValidator, synth, testCluster } from '../_helpers';
import { minimal, vmCluster } from './_fixtures';

describe('VirtualMachine', () => {
  test('minimal VM: exact spec', () => {
    const { cluster, vms } = vmCluster();
    const vm = new VirtualMachine(vms, 'Relay', minimal());
    const out = synth(cluster);
    const m = find(out, 'VirtualMachine', 'relay');
    const uuid = stableUuid('infra-vms/relay');
    expect(vm.firmwareUuid).toBe(uuid);
    expect(m.apiVersion).toBe('kubevirt.io/v1');
    expect(m.metadata.namespace).toBe('infra-vms');
    expect(m.metadata.labels).toEqual({ [VM_LABEL]: 'relay' });
    expect(m.spec).toEqual({
      runStrategy: 'Always',
      dataVolumeTemplates: [{
        metadata: { name: 'relay-root', annotations: { [DELETE_AFTER_COMPLETION_ANNOTATION]: 'false' } },
        spec: {
          source: { pvc: { namespace: 'golden', name: 'rhel9' } },
          storage: { accessModes: ['ReadWriteMany'], volumeMode: 'Block', resources: { requests: { storage: '20Gi' } } },
        },
      }],
      template: {
        metadata: { labels: { [VM_LABEL]: 'relay' } },
        spec: {
          evictionStrategy: 'LiveMigrate',
          terminationGracePeriodSeconds: 180,
          domain: {
            cpu: { cores: 1, sockets: 1, threads: 1 },
            memory: { guest: '2Gi' },
            resources: { requests: { cpu: '100m', memory: '2Gi' } },
            firmware: { uuid, serial: uuid },
            devices: {
              disks: [{ name: 'rootdisk', disk: { bus: 'virtio' }, bootOrder: 1 }],
              interfaces: [{ name: 'default', masquerade: {}, model: 'virtio', macAddress: stableMac('infra-vms/relay/default') }],
            },
          },
          networks: [{ name: 'default', pod: {} }],
          volumes: [{ name: 'rootdisk', dataVolume: { name: 'relay-root' } }],
        },
      },
    });
    expect(m.spec.running).toBeUndefined();
    expect(out.objects.some((o) => o.manifest.kind === 'Service')).toBe(false);
  });

  test('stable identifiers do not depend on the construct path', () => {
    const a = vmCluster('a');
    const b = vmCluster('b');
    const x = new VirtualMachine(a.vms, 'One', minimal());
    const y = new VirtualMachine(b.vms, 'Other', minimal());
    expect(x.firmwareUuid).toBe(y.firmwareUuid);
    expect(x.firmwareUuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(x.interfaces[0].macAddress).toBe(y.interfaces[0].macAddress);
    expect(stableMac('x')).toMatch(/^02(:[0-9a-f]{2}){5}$/);
  });

  test('owning app ignores the fields KubeVirt fills in, once per app', () => {
    const { cluster, vms } = vmCluster();
    new VirtualMachine(vms, 'A', minimal({ name: 'a' }));
    new VirtualMachine(vms, 'B', minimal({ name: 'b' }));
    const app = find(synth(cluster), 'Application', 'vms');
    expect(app.spec.ignoreDifferences).toEqual([{ group: 'kubevirt.io', kind: 'VirtualMachine', jqPathExpressions: [...VM_IGNORED_FIELDS] }]);
    expect(VM_IGNORED_FIELDS).toEqual(expect.arrayContaining(['.spec.instancetype.revisionName', '.spec.template.spec.domain.machine']));
  });

  test('run strategies', () => {
    for (const s of Object.values(RunStrategy)) {
      const { cluster, vms } = vmCluster();
      new VirtualMachine(vms, 'V', minimal({ runStrategy: s }));
      expect(find(synth(cluster), 'VirtualMachine', 'relay').spec.runStrategy).toBe(s);
    }
  });

  test('CPU topology, explicit CPU request, node selector, labels and grace period', () => {
    const { cluster, vms } = vmCluster();
    const vm = new VirtualMachine(vms, 'V', minimal({
      cpu: { cores: 2, sockets: 2, threads: 2 }, cpuRequest: '2', nodeSelector: { 'kubernetes.io/hostname': 'node1' },
      labels: { app: 'mail' }, annotations: { note: 'x' }, terminationGracePeriodSeconds: 30,
    }));
    expect(vm.vcpus).toBe(8);
    const s = find(synth(cluster), 'VirtualMachine', 'relay');
    expect(s.spec.template.spec.domain.cpu).toEqual({ cores: 2, sockets: 2, threads: 2 });
    expect(s.spec.template.spec.domain.resources.requests.cpu).toBe('2');
    expect(s.spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/hostname': 'node1' });
    expect(s.spec.template.spec.terminationGracePeriodSeconds).toBe(30);
    expect(s.metadata.labels).toEqual({ app: 'mail', [VM_LABEL]: 'relay' });
    expect(s.spec.template.metadata.labels).toEqual({ app: 'mail', [VM_LABEL]: 'relay' });
    expect(s.metadata.annotations.note).toBe('x');
  });

  test('default CPU request is 100m per vCPU', () => {
    const { vms } = vmCluster();
    const vm = new VirtualMachine(vms, 'V', minimal({ cpu: { cores: 3, sockets: 2 } }));
    expect(vm.requests.cpu.toString()).toBe('600m');
    expect(vm.requests.memory.value).toBe(2 * 2 ** 30 + 256 * 2 ** 20);
    expect(vm.requests.storage.value).toBe(20 * 2 ** 30);
    expect(vm.requests.volumes).toBe(1);
  });

  describe('disk sources', () => {
    test('HTTP(S) image import', () => {
      const { cluster, vms } = vmCluster();
      new VirtualMachine(vms, 'V', minimal({ rootDisk: { source: DiskSource.httpImage('https://images.example.org/rhel9.qcow2', { certConfigMap: 'images-ca' }), size: '30Gi', storageClass: 'ocs-storagecluster-ceph-rbd-virtualization' } }));
      const dv = find(synth(cluster), 'VirtualMachine', 'relay').spec.dataVolumeTemplates[0];
      expect(dv.spec.source).toEqual({ http: { url: 'https://images.example.org/rhel9.qcow2', certConfigMap: 'images-ca' } });
      expect(dv.spec.storage.storageClassName).toBe('ocs-storagecluster-ceph-rbd-virtualization');
      expect(dv.metadata.annotations[DELETE_AFTER_COMPLETION_ANNOTATION]).toBe('false');
    });

    test('registry image gets docker://', () => {
      const { cluster, vms } = vmCluster();
      new VirtualMachine(vms, 'V', minimal({ rootDisk: { source: DiskSource.registryImage('quay.io/containerdisks/fedora:39', { pullMethod: 'node' }), size: '10Gi' } }));
      expect(find(synth(cluster), 'VirtualMachine', 'relay').spec.dataVolumeTemplates[0].spec.source)
        .toEqual({ registry: { url: 'docker://quay.io/containerdisks/fedora:39', pullMethod: 'node' } });
    });

    test('ISO installer: isoSize takes a cdk8s Size like the string', () => {
      const installer = (isoSize: any) => {
        const { cluster, vms } = vmCluster();
        new VirtualMachine(vms, 'V', minimal({ rootDisk: { source: DiskSource.isoInstaller('http://mirror.example.org/netinst.iso', { isoSize }), size: '40Gi' } }));
        return find(synth(cluster), 'VirtualMachine', 'relay').spec.dataVolumeTemplates.find((d: any) => d.metadata.name === 'relay-installer');
      };
      expect(installer(Size.mebibytes(2048))).toEqual(installer('2Gi'));
      expect(installer(Size.mebibytes(2048)).spec.storage.resources.requests.storage).toBe('2Gi');
    });

    test('ISO installer: blank root disk boots first, ISO as a SATA CD-ROM second', () => {
      const { cluster, vms } = vmCluster();
      const vm = new VirtualMachine(vms, 'V', minimal({ rootDisk: { source: DiskSource.isoInstaller('http://mirror.example.org/netinst.iso', { isoSize: '2Gi' }), size: '40Gi' } }));
      const s = find(synth(cluster), 'VirtualMachine', 'relay').spec;
      expect(s.dataVolumeTemplates.map((d: any) => [d.metadata.name, d.spec.source])).toEqual([
        ['relay-root', { blank: {} }],
        ['relay-installer', { http: { url: 'http://mirror.example.org/netinst.iso' } }],
      ]);
      expect(s.template.spec.domain.devices.disks).toEqual([
        { name: 'rootdisk', disk: { bus: 'virtio' }, bootOrder: 1 },
        { name: 'installer', cdrom: { bus: 'sata', readonly: true }, bootOrder: 2 },
      ]);
      expect(vm.requests.storage.value).toBe(42 * 2 ** 30);
      expect(vm.requests.volumes).toBe(2);
    });

    test('existing PVC is used as is, without a DataVolume', () => {
      const { cluster, vms } = vmCluster();
      const vm = new VirtualMachine(vms, 'V', minimal({ rootDisk: { source: DiskSource.existingPvc('relay-disk-migrated') } }));
      const s = find(synth(cluster), 'VirtualMachine', 'relay').spec;
      expect(s.dataVolumeTemplates).toEqual([]);
      expect(s.template.spec.volumes).toEqual([{ name: 'rootdisk', persistentVolumeClaim: { claimName: 'relay-disk-migrated' } }]);
      expect(vm.liveMigratable).toBe(false);
      expect(s.template.spec.evictionStrategy).toBe('None');
    });

    test('data disks with size, storage class, modes; blank by default', () => {
      const { cluster, vms } = vmCluster();
      new VirtualMachine(vms, 'V', minimal({
        dataDisks: [
          { name: 'spool', size: '50Gi', storageClass: 'fast' },
          { name: 'archive', size: '1Ti', accessMode: AccessMode.READ_WRITE_ONCE, volumeMode: VolumeMode.FILESYSTEM, source: DiskSource.httpImage('https://x.example.org/a.raw') },
        ],
      }));
      const s = find(synth(cluster), 'VirtualMachine', 'relay').spec;
      expect(s.dataVolumeTemplates[1]).toEqual({
        metadata: { name: 'relay-spool', annotations: { [DELETE_AFTER_COMPLETION_ANNOTATION]: 'false' } },
        spec: { source: { blank: {} }, storage: { accessModes: ['ReadWriteMany'], volumeMode: 'Block', storageClassName: 'fast', resources: { requests: { storage: '50Gi' } } } },
      });
      expect(s.dataVolumeTemplates[2].spec.storage).toEqual({ accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', resources: { requests: { storage: '1Ti' } } });
      expect(s.template.spec.domain.devices.disks.map((d: any) => d.name)).toEqual(['rootdisk', 'spool', 'archive']);
      expect(s.template.spec.evictionStrategy).toBe('None');
    });
  });

  describe('eviction', () => {
    test('LiveMigrate when every disk is RWX, None otherwise, explicit wins', () => {
      const { vms } = vmCluster();
      expect(new VirtualMachine(vms, 'A', minimal({ name: 'a' })).evictionStrategy).toBe(EvictionStrategy.LIVE_MIGRATE);
      expect(new VirtualMachine(vms, 'B', minimal({ name: 'b', rootDisk: { source: DiskSource.blank(), size: '1Gi', accessMode: AccessMode.READ_WRITE_ONCE } })).evictionStrategy).toBe(EvictionStrategy.NONE);
      expect(new VirtualMachine(vms, 'C', minimal({ name: 'c', evictionStrategy: EvictionStrategy.EXTERNAL })).evictionStrategy).toBe(EvictionStrategy.EXTERNAL);
    });
    test('LiveMigrate with a RWO disk is refused', () => {
      const { vms } = vmCluster();
      expect(() => new VirtualMachine(vms, 'V', minimal({ evictionStrategy: EvictionStrategy.LIVE_MIGRATE, dataDisks: [{ name: 'd', size: '1Gi', accessMode: AccessMode.READ_WRITE_ONCE }] })))
        .toThrow(/\[Vms\/V\] evictionStrategy: LiveMigrate needs ReadWriteMany disks, but d is not/);
    });
  });

  describe('networks', () => {
    test('pod network plus bridge networks, networks match interfaces one to one', () => {
      const { cluster, vms, internal, pub } = vmCluster();
      const vm = new VirtualMachine(vms, 'V', minimal({ networks: [{ network: internal }, { network: pub, macAddress: '02:00:00:00:00:2a' }] }));
      const spec = find(synth(cluster), 'VirtualMachine', 'relay').spec.template.spec;
      expect(spec.networks).toEqual([
        { name: 'default', pod: {} },
        { name: 'nic-1', multus: { networkName: 'internal-network' } },
        { name: 'nic-2', multus: { networkName: 'public-network' } },
      ]);
      expect(spec.domain.devices.interfaces.map((i: any) => i.name)).toEqual(spec.networks.map((n: any) => n.name));
      // Bridge MACs are salted with the cluster (name and output folder).
      expect(spec.domain.devices.interfaces[1]).toEqual({ name: 'nic-1', bridge: {}, model: 'virtio', macAddress: stableMac(`${cluster.clusterName}/${cluster.outputFolder}/infra-vms/relay/nic-1`) });
      expect(spec.domain.devices.interfaces[2].macAddress).toBe('02:00:00:00:00:2a');
      expect(vm.interfaces.map((i) => i.network?.networkName)).toEqual([undefined, 'internal-network', 'public-network']);
    });

    test('without the pod network: no masquerade, no auto-attached pod interface', () => {
      const { cluster, vms, internal } = vmCluster();
      new VirtualMachine(vms, 'V', minimal({ podNetwork: false, networks: [{ network: internal, name: 'internal' }] }));
      const spec = find(synth(cluster), 'VirtualMachine', 'relay').spec.template.spec;
      expect(spec.networks).toEqual([{ name: 'internal', multus: { networkName: 'internal-network' } }]);
      expect(spec.domain.devices.autoattachPodInterface).toBe(false);
    });

    test('cross-namespace reference when asked for explicitly', () => {
      const { cluster, vms } = vmCluster();
      new VirtualMachine(vms, 'V', minimal({ networks: [{ network: BridgeNetwork.fromName('shared-net', 'legacy'), crossNamespace: true }] }));
      expect(find(synth(cluster), 'VirtualMachine', 'relay').spec.template.spec.networks[1]).toEqual({ name: 'nic-1', multus: { networkName: 'shared-net/legacy' } });
    });

    test('a network of another namespace without crossNamespace is refused', () => {
      const { cluster, internalBridge, vms } = vmCluster();
      const other = new GitOpsApp(cluster, 'Other', { name: 'other', namespace: 'other' });
      const n = new BridgeNetwork(other, 'N', { name: 'internal-network', hostBridge: internalBridge });
      expect(() => new VirtualMachine(vms, 'V', minimal({ networks: [{ network: n }] })))
        .toThrow(/\[Vms\/V\] networks\[0\].network: network "internal-network" is defined in namespace "other", not in the VM's namespace "infra-vms"; define a BridgeNetwork in "infra-vms" or set crossNamespace: true/);
    });

    test('interface name collisions, malformed MACs and non-networks are refused', () => {
      const { vms, internal, pub } = vmCluster();
      expect(() => new VirtualMachine(vms, 'V', minimal({ networks: [{ network: internal, name: 'net' }, { network: pub, name: 'net' }] })))
        .toThrow(/\[Vms\/V\] networks: interface name "net" is used twice; every interface and network needs its own name/);
      expect(() => new VirtualMachine(vms, 'W', minimal({ name: 'w', networks: [{ network: internal, name: 'default' }] })))
        .toThrow(/networks: interface name "default" is used twice \("default" is the pod network\)/);
      expect(() => new VirtualMachine(vms, 'X', minimal({ name: 'x', networks: [{ network: internal, macAddress: '02:00:00:00:00' }] })))
        .toThrow(/\[Vms\/X\] networks\[0\].macAddress: "02:00:00:00:00" is not a MAC address; write six colon-separated hex pairs/);
      expect(() => new VirtualMachine(vms, 'Y', minimal({ name: 'y', networks: [{ network: internal, macAddress: '01:00:5e:00:00:01' }] })))
        .toThrow(/networks\[0\].macAddress: "01:00:5e:00:00:01" is a multicast MAC address/);
      expect(() => new VirtualMachine(vms, 'Z', minimal({ name: 'z', networks: [{ network: 'internal-network' as any }] })))
        .toThrow(/networks\[0\].network: "internal-network" is not a BridgeNetwork/);
      expect(() => new VirtualMachine(vms, 'Q', minimal({ name: 'q', networks: [{ network: internal, name: 'NIC_1' }] })))
        .toThrow(/networks\[0\].name: "NIC_1" is not a DNS-1123 label/);
      expect(() => new VirtualMachine(vms, 'R', minimal({ name: 'r', networks: [{ network: internal, macAddress: '02:00:00:00:00:01' }, { network: pub, macAddress: '02:00:00:00:00:01' }] })))
        .toThrow(/networks: MAC address 02:00:00:00:00:01 is used by two interfaces/);
    });

    test('the same fixed MAC on two VMs fails at synth time', () => {
      const { cluster, vms, internal } = vmCluster();
      new VirtualMachine(vms, 'A', minimal({ name: 'a', networks: [{ network: internal, macAddress: '02:00:00:00:00:07' }] }));
      new VirtualMachine(vms, 'B', minimal({ name: 'b', networks: [{ network: internal, macAddress: '02:00:00:00:00:07' }] }));
      expect(() => synth(cluster)).toThrow(/\[Vms\/B\] networks: MAC address 02:00:00:00:00:07 is also used by Vms\/A/);
    });

    test('a network of another environment fails at synth time', () => {
      const prod = vmCluster('production');
      const stg = vmCluster('staging');
      new VirtualMachine(stg.vms, 'V', minimal({ networks: [{ network: prod.internal }] }));
      expect(() => synth(stg.cluster)).toThrow(/\[Vms\/V\] networks: network "internal-network" \(Vms\/InternalNet\) belongs to another cluster/);
    });

    test('a static-IPAM network shared by two interfaces fails at synth time', () => {
      const { cluster, vms, internalBridge } = vmCluster();
      const fixed = new BridgeNetwork(vms, 'Fixed', { name: 'fixed', hostBridge: internalBridge, ipam: Ipam.staticAddresses([{ address: '192.0.2.10/24' }]) });
      new VirtualMachine(vms, 'A', minimal({ name: 'a', networks: [{ network: fixed }] }));
      expect(() => synth(cluster)).not.toThrow();
      new VirtualMachine(vms, 'B', minimal({ name: 'b', networks: [{ network: fixed }] }));
      expect(() => synth(cluster)).toThrow(/\[Vms\/B\] networks: interface "nic-1" attaches to network "fixed" \(Vms\/Fixed\), whose static IPAM gives every interface the same address, and interface "nic-1" of Vms\/A is already attached to it/);
    });

    test('a whereabouts network may be shared', () => {
      const { cluster, vms, internalBridge } = vmCluster();
      const pool = new BridgeNetwork(vms, 'Pool', { name: 'pool', hostBridge: internalBridge, ipam: Ipam.whereabouts({ range: '10.10.0.0/24' }) });
      new VirtualMachine(vms, 'A', minimal({ name: 'a', networks: [{ network: pool }] }));
      new VirtualMachine(vms, 'B', minimal({ name: 'b', networks: [{ network: pool }] }));
      expect(find(synth(cluster), 'VirtualMachine', 'b').spec.template.spec.networks[1]).toEqual({ name: 'nic-1', multus: { networkName: 'pool' } });
    });

    test('addNetwork attaches one more NIC', () => {
      const { cluster, vms, internal, pub } = vmCluster();
      const vm = new VirtualMachine(vms, 'V', minimal({ networks: [{ network: internal }] }));
      vm.addNetwork({ network: pub });
      expect(() => vm.addNetwork({ network: pub, name: 'nic-2' })).toThrow(/interface name "nic-2" is used twice/);
      expect(find(synth(cluster), 'VirtualMachine', 'relay').spec.template.spec.networks.map((n: any) => n.name)).toEqual(['default', 'nic-1', 'nic-2']);
    });
  });

  describe('service', () => {
    test('ports become a Service selecting the VM pod', () => {
      const { cluster, vms } = vmCluster();
      const vm = new VirtualMachine(vms, 'V', minimal({ ports: [{ name: 'smtp', port: 25 }, { name: 'submission', port: 587, targetPort: 1587 }] }));
      vm.addPort({ name: 'dns', port: 53, protocol: 'UDP' });
      const svc = find(synth(cluster), 'Service', 'relay', 'infra-vms');
      expect(svc.spec).toEqual({
        selector: { [VM_LABEL]: 'relay' },
        ports: [
          { name: 'smtp', port: 25, protocol: 'TCP', targetPort: 25 },
          { name: 'submission', port: 587, protocol: 'TCP', targetPort: 1587 },
          { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        ],
      });
      expect(vm.serviceHost).toBe('relay.infra-vms.svc');
      expect(vm.serviceName).toBe('relay');
      expect(vm.portNumber('submission')).toBe(587);
      expect(vm.service).toBeDefined();
    });
    test('addPort creates the Service on first use', () => {
      const { cluster, vms } = vmCluster();
      const vm = new VirtualMachine(vms, 'V', minimal());
      expect(vm.service).toBeUndefined();
      vm.addPort({ name: 'gitaly', port: 8075 });
      expect(find(synth(cluster), 'Service', 'relay').spec.ports).toEqual([{ name: 'gitaly', port: 8075, protocol: 'TCP', targetPort: 8075 }]);
    });
    test('bad ports are refused', () => {
      const { vms } = vmCluster();
      expect(() => new VirtualMachine(vms, 'V', minimal({ ports: [{ name: 'SMTP', port: 70000 }] }))).toThrow(/ports\[0\].name: "SMTP" is not a port name[\s\S]*ports\[0\].port: 70000 must be an integer from 1 to 65535/);
      expect(() => new VirtualMachine(vms, 'W', minimal({ name: 'w', ports: [{ name: 'a', port: 1 }, { name: 'a', port: 1 }] }))).toThrow(/ports: port name "a" is used twice[\s\S]*ports: port 1\/TCP is listed twice/);
      expect(() => new VirtualMachine(vms, 'X', minimal({ name: 'x', podNetwork: false, ports: [{ name: 'a', port: 1 }] }))).toThrow(/ports: a Service reaches the VM through the pod network/);
      const vm = new VirtualMachine(vms, 'Y', minimal({ name: 'y' }));
      expect(() => vm.portNumber('ssh')).toThrow(/\[Vms\/Y\] ports: the VM publishes no port named "ssh"/);
      expect(() => vm.addPort({ name: 'p', port: 0 })).toThrow(/ports\[0\].port: 0 must be an integer/);
    });
  });

  describe('cloud-init', () => {
    test('typed user data and SSH keys from a Secret through the guest agent', () => {
      const { cluster, vms } = vmCluster();
      new VirtualMachine(vms, 'V', minimal({
        cloudInit: CloudInit.build({ users: [{ name: 'ops', sudo: true }], sshAuthorizedKeys: SshAuthorizedKeys.fromSecret('ops-ssh-keys'), packages: ['postfix'], runCommands: ['postconf -e relayhost=mx.example.org'], yumRepos: [{ id: 'appstream', baseUrl: 'https://mirror.example.org/rhel9/AppStream/' }] }),
      }));
      const spec = find(synth(cluster), 'VirtualMachine', 'relay').spec.template.spec;
      expect(spec.accessCredentials).toEqual([{ sshPublicKey: { source: { secret: { secretName: 'ops-ssh-keys' } }, propagationMethod: { qemuGuestAgent: { users: ['ops'] } } } }]);
      const vol = spec.volumes.find((v: any) => v.name === 'cloudinitdisk');
      expect(vol.cloudInitNoCloud.userData).toMatch(/^#cloud-config\nhostname: relay\n/);
      expect(spec.domain.devices.disks.at(-1)).toEqual({ name: 'cloudinitdisk', disk: { bus: 'virtio' } });
      expect(JSON.stringify(spec)).not.toMatch(/ssh-(rsa|ed25519)/);
    });
    test('NoCloud propagation exists from KubeVirt 1.1: refused on OpenShift 4.14 (KubeVirt 1.0.1), rendered for a newer schema', () => {
      const { cluster, vms } = vmCluster();
      new VirtualMachine(vms, 'V', minimal({ cloudInit: CloudInit.build({ sshAuthorizedKeys: SshAuthorizedKeys.fromSecret('k', { propagation: 'noCloud' as any }) }) }));
      expect(() => synth(cluster)).toThrow(/\[Vms\/V\/Resource\] \/spec\/template\/spec\/accessCredentials\/0\/sshPublicKey\/propagationMethod: unknown field "noCloud"/);
      const newest = synthesize(cluster, { validator: newestValidator(), references: false });
      expect(find(newest, 'VirtualMachine', 'relay').spec.template.spec.accessCredentials[0].sshPublicKey.propagationMethod).toEqual({ noCloud: {} });
    });
    test('user data from a Secret', () => {
      const { cluster, vms } = vmCluster();
      new VirtualMachine(vms, 'V', minimal({ cloudInit: CloudInit.fromSecret(SecretKey.of('relay-cloudinit', 'userdata')) }));
      const vol = find(synth(cluster), 'VirtualMachine', 'relay').spec.template.spec.volumes.find((v: any) => v.name === 'cloudinitdisk');
      expect(vol).toEqual({ name: 'cloudinitdisk', cloudInitNoCloud: { secretRef: { name: 'relay-cloudinit' } } });
    });
    test('user data above 2048 bytes must move to a Secret', () => {
      const { vms } = vmCluster();
      const runCommands = Array.from({ length: 80 }, (_, i) => `echo line-${i}-${'x'.repeat(20)}`);
      expect(() => new VirtualMachine(vms, 'V', minimal({ cloudInit: CloudInit.build({ runCommands }) })))
        .toThrow(/\[Vms\/V\] cloudInit: the rendered user data is \d+ bytes; KubeVirt accepts at most 2048 bytes inline. Put it in a Secret/);
    });
    test('not a CloudInit', () => {
      const { vms } = vmCluster();
      expect(() => new VirtualMachine(vms, 'V', minimal({ cloudInit: { userData: '#cloud-config' } as any }))).toThrow(/cloudInit: \{"userData":"#cloud-config"\} is not a CloudInit/);
    });
  });

  describe('instancetypes and preferences', () => {
    test('instancetype and preference instead of CPU and memory', () => {
      const { cluster, vms } = vmCluster();
      const vm = new VirtualMachine(vms, 'V', {
        name: 'idm', instancetype: ClusterInstancetype.fromName('u1.large', { guestCpus: 2, memory: '8Gi' }), preference: ClusterPreference.fromName('rhel.9'),
        rootDisk: { source: DiskSource.pvcClone({ namespace: 'golden', name: 'rhel9' }), size: '30Gi' },
      });
      const s = find(synth(cluster), 'VirtualMachine', 'idm').spec;
      expect(s.instancetype).toEqual({ kind: 'VirtualMachineClusterInstancetype', name: 'u1.large' });
      expect(s.preference).toEqual({ kind: 'VirtualMachineClusterPreference', name: 'rhel.9' });
      expect(s.template.spec.domain.cpu).toBeUndefined();
      expect(s.template.spec.domain.memory).toBeUndefined();
      expect(s.template.spec.domain.resources).toBeUndefined();
      expect(s.template.spec.domain.devices.disks[0]).toEqual({ name: 'rootdisk', disk: {}, bootOrder: 1 });
      expect(s.template.spec.domain.devices.interfaces[0].model).toBeUndefined();
      expect(vm.requests.cpu.toString()).toBe('200m');
    });
    test('instancetype and explicit CPU/memory are mutually exclusive', () => {
      const { vms } = vmCluster();
      expect(() => new VirtualMachine(vms, 'V', minimal({ instancetype: ClusterInstancetype.fromName('u1.small'), cpuRequest: '1' })))
        .toThrow(/\[Vms\/V\] cpu: cannot be combined with instancetype "u1.small"; the instancetype sets the vCPUs[\s\S]*memory: cannot be combined with instancetype "u1.small"[\s\S]*cpuRequest: cannot be combined/);
    });
    test('neither is refused', () => {
      const { vms } = vmCluster();
      expect(() => new VirtualMachine(vms, 'V', minimal({ cpu: undefined, memory: undefined })))
        .toThrow(/cpu: is required \(a number of cores or \{ cores, sockets, threads \}\) unless an instancetype is given[\s\S]*memory: is required/);
    });
    test('bad instancetype or preference objects', () => {
      const { vms } = vmCluster();
      expect(() => new VirtualMachine(vms, 'V', { ...minimal({ cpu: undefined, memory: undefined }), instancetype: 'u1.small' as any, preference: 'rhel.9' as any }))
        .toThrow(/instancetype: "u1.small" is not an instancetype[\s\S]*preference: "rhel.9" is not a preference/);
    });
  });

  describe('refuses', () => {
    const make = (over: any) => () => {
      const { vms } = vmCluster();
      return new VirtualMachine(vms, 'Bad', minimal(over));
    };
    test('networks, ports and data disks that are not lists', () => {
      expect(make({ networks: 'internal-network' })).toThrow(/\[Vms\/Bad\] networks: "internal-network" is not a list; write a list such as \[\{ network: internalNetwork \}\]/);
      expect(make({ ports: 'ssh' })).toThrow(/\[Vms\/Bad\] ports: "ssh" is not a list; write a list such as \[\{ name: "ssh", port: 22 \}\]/);
      expect(make({ dataDisks: { name: 'data' } })).toThrow(/\[Vms\/Bad\] dataDisks: \{"name":"data"\} is not a list; write a list such as/);
    });
    test('memory like 8GB, with what to write instead', () => {
      expect(make({ memory: '8GB' })).toThrow(/\[Vms\/Bad\] memory: "8GB" is not a Kubernetes quantity; write "8Gi" \(binary\) or "8G" \(decimal\)/);
      expect(make({ memory: '512mb' })).toThrow(/memory: "512mb" is not a Kubernetes quantity; write "512Mi"/);
      expect(make({ memory: '16' })).toThrow(/memory: "16" is below 64Mi/);
    });
    test('disk sizes and CPU requests that are not quantities', () => {
      expect(make({ rootDisk: { source: DiskSource.blank(), size: '20 GB' } })).toThrow(/rootDisk.size: "20 GB" is not a Kubernetes quantity; write "20Gi"/);
      expect(make({ dataDisks: [{ name: 'd', size: '1TB' }] })).toThrow(/dataDisks\[0\].size: "1TB" is not a Kubernetes quantity; write "1Ti"/);
      expect(make({ cpuRequest: 'two' })).toThrow(/cpuRequest: "two" is not a Kubernetes quantity/);
      expect(make({ rootDisk: { source: DiskSource.blank() } })).toThrow(/rootDisk.size: is required for a blank disk/);
    });
    test('an ISO or image URL that is not http(s)', () => {
      expect(make({ rootDisk: { source: DiskSource.isoInstaller('ftp://mirror.example.org/x.iso'), size: '20Gi' } }))
        .toThrow(/\[Vms\/Bad\] rootDisk.source.url: "ftp:\/\/mirror.example.org\/x.iso" is not an http\(s\) URL/);
      expect(make({ rootDisk: { source: DiskSource.httpImage('/srv/images/rhel.qcow2'), size: '20Gi' } }))
        .toThrow(/rootDisk.source.url: "\/srv\/images\/rhel.qcow2" is not an http\(s\) URL/);
      expect(make({ dataDisks: [{ name: 'd', size: '1Gi', source: DiskSource.httpImage('s3://bucket/x') }] }))
        .toThrow(/dataDisks\[0\].source.url: "s3:\/\/bucket\/x" is not an http\(s\) URL/);
    });
    test('a clone source without namespace or name', () => {
      expect(make({ rootDisk: { source: DiskSource.pvcClone({ name: 'rhel9' } as any), size: '20Gi' } }))
        .toThrow(/\[Vms\/Bad\] rootDisk.source.namespace: is missing; a clone source needs the namespace and the name of the PVC/);
      expect(make({ rootDisk: { source: DiskSource.pvcClone({ namespace: 'golden', name: '' }), size: '20Gi' } }))
        .toThrow(/rootDisk.source.name: is missing; a clone source needs the namespace and the name/);
      expect(make({ rootDisk: { source: DiskSource.pvcClone({ namespace: 'Golden', name: 'x' }), size: '20Gi' } }))
        .toThrow(/rootDisk.source.namespace: "Golden" is not a DNS-1123 label/);
    });
    test('a bad registry image, pull method, cert config map, existing PVC name and size', () => {
      expect(make({ rootDisk: { source: DiskSource.registryImage('fedora'), size: '1Gi' } })).toThrow(/rootDisk.source.image: "fedora" is not a registry image reference/);
      expect(make({ rootDisk: { source: DiskSource.registryImage('quay.io/x/y:1', { pullMethod: 'kubelet' as any }), size: '1Gi' } })).toThrow(/rootDisk.source.pullMethod: "kubelet" is not allowed/);
      expect(make({ rootDisk: { source: DiskSource.httpImage('https://x.example.org/a', { certConfigMap: 'CA' }), size: '1Gi' } })).toThrow(/rootDisk.source.certConfigMap: "CA" is not a DNS-1123 label/);
      expect(make({ rootDisk: { source: DiskSource.existingPvc('Disk') } })).toThrow(/rootDisk.source.claimName: "Disk" is not a DNS-1123 label/);
      expect(make({ rootDisk: { source: DiskSource.existingPvc('disk'), size: '1Gi' } })).toThrow(/rootDisk.size: an existing PVC keeps its own size/);
    });
    test('a root disk without a DiskSource', () => {
      expect(make({ rootDisk: { source: 'https://x.example.org/a.qcow2', size: '1Gi' } })).toThrow(/rootDisk.source: "https:\/\/x.example.org\/a.qcow2" is not a DiskSource/);
    });
    test('disk name collisions and reserved names', () => {
      expect(make({ dataDisks: [{ name: 'd', size: '1Gi' }, { name: 'd', size: '1Gi' }] })).toThrow(/dataDisks: disk name "d" is used twice/);
      expect(make({ dataDisks: [{ name: 'cloudinitdisk', size: '1Gi' }] })).toThrow(/dataDisks\[0\].name: "cloudinitdisk" is reserved/);
      expect(make({ dataDisks: [{ name: 'Data', size: '1Gi' }] })).toThrow(/dataDisks\[0\].name: "Data" is not a DNS-1123 label/);
      expect(make({ dataDisks: [{ name: 'd', size: '1Gi', accessMode: 'RWX' }] })).toThrow(/dataDisks\[0\].accessMode: "RWX" is not allowed; use one of "ReadWriteOnce", "ReadWriteMany"/);
      expect(make({ dataDisks: [{ name: 'd', size: '1Gi', volumeMode: 'block', storageClass: 'Fast SSD' }] })).toThrow(/volumeMode: "block" is not allowed[\s\S]*storageClass: "Fast SSD" is not a StorageClass name/);
    });
    test('bad names, run strategy, the deprecated running flag and CPU', () => {
      expect(make({ name: 'Mail_Relay' })).toThrow(/\[Vms\/Bad\] name: "Mail_Relay" is not a DNS-1123 label/);
      expect(make({ runStrategy: 'Sometimes' })).toThrow(/runStrategy: "Sometimes" is not allowed; use one of "Always", "RerunOnFailure", "Manual", "Halted", "Once"/);
      expect(make({ running: true })).toThrow(/running: spec.running is deprecated; use runStrategy/);
      expect(make({ cpu: 0 })).toThrow(/cpu: 0 must be an integer from 1 to 512/);
      expect(make({ cpu: { cores: 2, sockets: 0, threads: 9 } })).toThrow(/cpu.sockets: 0 must be an integer[\s\S]*cpu.threads: 9 must be an integer from 1 to 8/);
      expect(make({ cpu: '2' })).toThrow(/cpu: "2" must be a number of cores or \{ cores, sockets, threads \}/);
      expect(make({ evictionStrategy: 'Migrate' })).toThrow(/evictionStrategy: "Migrate" is not allowed/);
      expect(make({ terminationGracePeriodSeconds: -1 })).toThrow(/terminationGracePeriodSeconds: -1 must be an integer/);
      expect(make({ labels: { [VM_LABEL]: 'x' } })).toThrow(/labels.ocpkit.io\/vm: is set by ocpkit to the VM name/);
      expect(make({ name: 'a'.repeat(60) })).toThrow(/DataVolume name "a{60}-root" is longer than 63 characters/);
    });
    test('a VM outside a GitOpsApp, or without a namespace', () => {
      const cluster = testCluster();
      expect(() => new VirtualMachine(cluster, 'V', minimal())).toThrow(/\[V\] a VirtualMachine must be defined inside a GitOpsApp or a Tenant/);
      const app = new GitOpsApp(cluster, 'NoNs', { name: 'no-ns' });
      expect(() => new VirtualMachine(app, 'V', minimal())).toThrow(/\[NoNs\/V\] namespace: is not set and the enclosing GitOpsApp has no namespace/);
    });
    test('all problems of one VM together', () => {
      try {
        make({ name: 'X', memory: '8GB', rootDisk: { source: DiskSource.httpImage('ftp://x'), size: '1Gi' } })();
        throw new Error('no error');
      } catch (e: any) {
        expect(e.name).toBe('OcpkitError');
        expect(e.problems.map((p: any) => p.field)).toEqual(['name', 'memory', 'rootDisk.source.url']);
      }
    });
  });

  test('allIn finds VMs below a scope', () => {
    const { cluster, vms } = vmCluster();
    const a = new VirtualMachine(vms, 'A', minimal({ name: 'a' }));
    expect(VirtualMachine.allIn(cluster)).toEqual([a]);
  });
});
