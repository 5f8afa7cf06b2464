import { ApiObject } from 'cdk8s';
import { Cluster } from '../../lib/gitops/cluster';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { BondMode, BridgeNetwork, HostBridge, MachineAddress, NodeGroup, NodeGroupProps } from '../../lib/network';
import { NetworkType } from '../../lib/platform/platform';
import { Overrides } from '../../lib/synth/overrides';
import { find, synth } from '../_helpers';

const MASTERS = { 'node-role.kubernetes.io/master': '' };

function clusterOn(networkType: NetworkType): { cluster: Cluster; net: GitOpsApp } {
  const cluster = new Cluster({ platform: { openshift: '4.14', networkType, gitops: '1.12', argoCd: '2.10.18' }, name: 'test', environment: 'test', repoUrl: 'https://git.example.org/infra.git' });
  return { cluster, net: new GitOpsApp(cluster, 'Network', { name: 'network' }) };
}

/** Three compact-cluster nodes: 2x10G bonded (bond0, the machine network), 2x1G with VLANs 100 and 200 trunked, and a spare 10G NIC. */
function groupProps(over: Partial<NodeGroupProps> = {}): NodeGroupProps {
  return {
    name: 'nodes',
    nodeSelector: MASTERS,
    controlPlane: true,
    nics: [
      { name: 'ens1f0', mtu: 9000 },
      { name: 'ens1f1', mtu: 9000 },
      { name: 'eno1', vlans: [100, 200] },
      { name: 'eno2', vlans: [100, 200] },
      { name: 'ens2f0', mtu: 9000, vlans: [300] },
    ],
    bonds: [
      { name: 'bond0', ports: ['ens1f0', 'ens1f1'], mode: BondMode.LACP, mtu: 9000 },
      { name: 'bond1', ports: ['eno1', 'eno2'] },
    ],
    machineNetwork: { interface: 'bond0' },
    ...over,
  };
}

function interfaces(cluster: Cluster, policy = 'nodes'): Record<string, any> {
  const spec = find(synth(cluster), 'NodeNetworkConfigurationPolicy', policy).spec;
  return Object.fromEntries(spec.desiredState.interfaces.map((i: any) => [i.name, i]));
}

describe('NodeGroup', () => {
  describe('renders one policy per group', () => {
    test('every bridge of the group in one NNCP with maxUnavailable 1, bridges on a bond and on a single NIC', () => {
      const { cluster, net } = clusterOn('OVNKubernetes');
      const nodes = new NodeGroup(net, 'Nodes', groupProps());
      const pub = new HostBridge(net, 'Public', { bridgeName: 'br1-public', nodes, port: 'bond1' });
      const lab = new HostBridge(net, 'Lab', { bridgeName: 'br2-lab', nodes, port: 'ens2f0', mtu: 9000 });
      const out = synth(cluster);
      const nncps = out.objects.filter((o) => o.manifest.kind === 'NodeNetworkConfigurationPolicy');
      expect(nncps.map((o) => o.manifest.metadata.name)).toEqual(['nodes']);
      const spec = nncps[0].manifest.spec;
      expect(spec.maxUnavailable).toBe(1);
      expect(spec.nodeSelector).toEqual(MASTERS);
      expect(spec.desiredState.interfaces).toEqual([
        {
          'name': 'bond1', 'type': 'bond', 'state': 'up', 'mtu': 1500, 'ipv4': { enabled: false }, 'ipv6': { enabled: false },
          'link-aggregation': { mode: 'active-backup', options: { miimon: '100' }, port: ['eno1', 'eno2'] },
        },
        { name: 'br1-public', type: 'linux-bridge', state: 'up', mtu: 1500, ipv4: { enabled: false }, ipv6: { enabled: false }, bridge: { options: { stp: { enabled: false } }, port: [{ name: 'bond1' }] } },
        // a bridge may sit on one NIC, no bond needed
        { name: 'ens2f0', type: 'ethernet', state: 'up', mtu: 9000, ipv4: { enabled: false }, ipv6: { enabled: false } },
        { name: 'br2-lab', type: 'linux-bridge', state: 'up', mtu: 9000, ipv4: { enabled: false }, ipv6: { enabled: false }, bridge: { options: { stp: { enabled: false } }, port: [{ name: 'ens2f0' }] } },
      ]);
      // bond0 carries br-ex and the node IP: the policy does not mention it
      expect(spec.desiredState.interfaces.map((i: any) => i.name)).not.toContain('bond0');
      expect([pub.policyName, lab.policyName]).toEqual(['nodes', 'nodes']);
      expect(pub.path).toBe('br1-public → bond1 → eno1, eno2');
      expect(lab.path).toBe('br2-lab → ens2f0');
    });

    test('the group policy is the primary object of the group; its bridges have none of their own', () => {
      const { net } = clusterOn('OVNKubernetes');
      const nodes = new NodeGroup(net, 'Nodes', groupProps());
      const pub = new HostBridge(net, 'Public', { bridgeName: 'br1-public', nodes, port: 'bond1' });
      const lab = new HostBridge(net, 'Lab', { bridgeName: 'br2-lab', nodes, port: 'ens2f0' });
      expect(ApiObject.of(nodes).kind).toBe('NodeNetworkConfigurationPolicy');
      expect(Overrides.of(nodes).target).toBe(ApiObject.of(nodes));
      expect(pub.resource).toBe(ApiObject.of(nodes));
      expect(lab.resource).toBe(ApiObject.of(nodes));
      expect(() => Overrides.of(pub)).toThrow(/\[Network\/Public\] HostBridge has no primary object to override; /);
    });

    test('a bridge on a VLAN sub-interface of a bond', () => {
      const { cluster, net } = clusterOn('OVNKubernetes');
      const nodes = new NodeGroup(net, 'Nodes', groupProps());
      const b = new HostBridge(net, 'V100', { bridgeName: 'br-vlan100', nodes, port: 'bond1', vlan: 100 });
      const i = interfaces(cluster);
      expect(Object.keys(i)).toEqual(['bond1', 'bond1.100', 'br-vlan100']);
      expect(i['bond1.100']).toEqual({ name: 'bond1.100', type: 'vlan', state: 'up', mtu: 1500, vlan: { 'base-iface': 'bond1', 'id': 100 }, ipv4: { enabled: false }, ipv6: { enabled: false } });
      expect(i['br-vlan100'].bridge.port).toEqual([{ name: 'bond1.100' }]);
      expect(b.path).toBe('br-vlan100 → bond1.100 → bond1 → eno1, eno2');
    });

    test('OpenShift SDN: a VLAN on the machine-network bond keeps the node IP where it is (bond0 is not in the policy)', () => {
      const { cluster, net } = clusterOn('OpenShiftSDN');
      const nodes = new NodeGroup(net, 'Nodes', groupProps({ nics: groupProps().nics.map((n) => (n.name.startsWith('ens1') ? { ...n, vlans: [400] } : n)) }));
      const b = new HostBridge(net, 'Storage', { bridgeName: 'br-storage', nodes, port: 'bond0', vlan: 400 });
      expect(b.carriesMachineNetwork).toBe(false);
      expect(Object.keys(interfaces(cluster))).toEqual(['bond0.400', 'br-storage']);
    });

    test('OpenShift SDN: a static address of a one-node group moves onto the bridge with its default route', () => {
      const { cluster, net } = clusterOn('OpenShiftSDN');
      const nodes = new NodeGroup(net, 'Worker4', groupProps({
        name: 'worker-4', nodeSelector: undefined, nodeNames: ['worker-4.example.org'], controlPlane: false,
        machineNetwork: { interface: 'bond0', address: MachineAddress.staticAddress({ address: '192.0.2.14/24', gateway: '192.0.2.1' }) },
      }));
      new HostBridge(net, 'Internal', { bridgeName: 'br0-internal', nodes, port: 'bond0' });
      const spec = find(synth(cluster), 'NodeNetworkConfigurationPolicy', 'worker-4').spec;
      expect(spec.nodeSelector).toEqual({ 'kubernetes.io/hostname': 'worker-4.example.org' });
      const br = spec.desiredState.interfaces.find((i: any) => i.name === 'br0-internal');
      expect(br.ipv4).toEqual({ 'enabled': true, 'dhcp': false, 'address': [{ 'ip': '192.0.2.14', 'prefix-length': 24 }] });
      expect(br.mtu).toBe(9000);
      expect(spec.desiredState.routes).toEqual({ config: [{ 'destination': '0.0.0.0/0', 'next-hop-address': '192.0.2.1', 'next-hop-interface': 'br0-internal' }] });
    });

    test('OpenShift SDN: a bridge on a NIC that held the node IP takes it over (no bond needed)', () => {
      const { cluster, net } = clusterOn('OpenShiftSDN');
      const nodes = new NodeGroup(net, 'Nodes', groupProps({ bonds: [], machineNetwork: { interface: 'ens1f0', address: MachineAddress.dhcp() } }));
      const b = new HostBridge(net, 'Br', { bridgeName: 'br0', nodes, port: 'ens1f0' });
      expect(b.carriesMachineNetwork).toBe(true);
      const i = interfaces(cluster);
      expect(i.ens1f0.ipv4).toEqual({ enabled: false });
      expect(i.br0.ipv4).toEqual({ enabled: true, dhcp: true });
    });
  });

  describe('the node IP rule', () => {
    const bridgeOn = (networkType: NetworkType, over: Partial<NodeGroupProps>, bridge: { port: string; vlan?: number }) => () => {
      const { net } = clusterOn(networkType);
      const nodes = new NodeGroup(net, 'Nodes', groupProps(over));
      return new HostBridge(net, 'Br', { bridgeName: 'br0', nodes, ...bridge });
    };

    test('OVN-Kubernetes: the uplink under br-ex is never a bridge port', () => {
      expect(bridgeOn('OVNKubernetes', { machineNetwork: { interface: 'bond0', address: MachineAddress.dhcp() } }, { port: 'bond0' }))
        .toThrow(/\[Network\/Br\] port: "bond0" as the bridge port touches "bond0", which carries the machine network \(node IP\) and is the uplink of br-ex under OVN-Kubernetes; OpenShift 4.14 supports no NMState change, bond, VLAN or bridge on it \(and no localnet network for VMs before 4.15\); put the bridge on NICs that do not carry the machine network \(here: "ens2f0", "bond1"\)/);
    });
    test('OVN-Kubernetes: no VLAN sub-interface on the uplink either', () => {
      expect(bridgeOn('OVNKubernetes', {}, { port: 'bond0', vlan: 100 }))
        .toThrow(/\[Network\/Br\] vlan: a VLAN sub-interface on "bond0" touches "bond0", which carries the machine network \(node IP\) and is the uplink of br-ex/);
    });
    test('a bond over the NIC that carries the node IP must itself be named as the machine network', () => {
      expect(bridgeOn('OpenShiftSDN', { machineNetwork: { interface: 'ens1f0', address: MachineAddress.dhcp() } }, { port: 'bond0' }))
        .toThrow(/\[Network\/Nodes\] machineNetwork.interface: NIC "ens1f0" is a port of bond "bond0", so it cannot hold the node IP; name the bond/);
    });
    test('OpenShift SDN: taking over the machine-network interface without moving the address leaves the nodes without it', () => {
      expect(bridgeOn('OpenShiftSDN', {}, { port: 'bond0' }))
        .toThrow(/\[Network\/Br\] port: "bond0" carries the machine network \(node IP\); as the bridge port it loses its address, so the policy would leave every node of Network\/Nodes without its address; declare how the nodes get it \(machineNetwork.address: MachineAddress.dhcp\(\) or MachineAddress.staticAddress\(\{ address, gateway \}\)\) and the policy moves it onto "br0"/);
    });
    test('a NIC of the machine bond cannot be pulled out into a bridge', () => {
      expect(bridgeOn('OpenShiftSDN', {}, { port: 'ens1f0' })).toThrow(/\[Network\/Br\] port: NIC "ens1f0" is a port of bond "bond0"; a NIC in a bond cannot also be a bridge port \(use the bond\)/);
    });
    test('only one bridge carries the machine network', () => {
      const { net } = clusterOn('OpenShiftSDN');
      const nodes = new NodeGroup(net, 'Nodes', groupProps({ machineNetwork: { interface: 'bond0', address: MachineAddress.dhcp() } }));
      new HostBridge(net, 'A', { bridgeName: 'br0', nodes, port: 'bond0' });
      expect(() => new HostBridge(net, 'B', { bridgeName: 'br9', nodes, port: 'bond0' }))
        .toThrow(/\[Network\/B\] port: the machine network of Network\/Nodes is already carried by bridge "br0" \(Network\/A\)[\s\S]*port: "bond0" is already the port of bridge "br0" \(Network\/A\); an interface can be the port of one bridge only/);
    });
  });

  describe('rollout: never two control-plane nodes at once', () => {
    // The mechanism: kubernetes-nmstate counts maxUnavailable per policy and cannot order two
    // policies, and Argo CD 2.10 has no NNCP health check to gate sync waves. So all control-plane
    // nodes are configured by one policy (one NodeGroup) with maxUnavailable 1.
    test('two node groups cannot both hold control-plane nodes', () => {
      const { cluster, net } = clusterOn('OVNKubernetes');
      const a = new NodeGroup(net, 'Cp1', groupProps({ name: 'cp-1', nodeSelector: undefined, nodeNames: ['cp-1'] }));
      const b = new NodeGroup(net, 'Cp2', groupProps({ name: 'cp-2', nodeSelector: undefined, nodeNames: ['cp-2'] }));
      new HostBridge(net, 'A', { bridgeName: 'br1-public', nodes: a, port: 'bond1' });
      new HostBridge(net, 'B', { bridgeName: 'br1-public', nodes: b, port: 'bond1' });
      expect(() => synth(cluster)).toThrow(/\[Network\/Cp2\] controlPlane: control-plane nodes are already configured by Network\/Cp1 \(policy "cp-1"\); kubernetes-nmstate limits maxUnavailable per policy and cannot order two policies, so two policies could reconfigure two control-plane nodes at once \(etcd loses quorum on a 3-node cluster\); put every control-plane node in one NodeGroup/);
    });
    test('two groups that may select the same node are refused', () => {
      const { cluster, net } = clusterOn('OVNKubernetes');
      new NodeGroup(net, 'Workers', groupProps({ name: 'workers', controlPlane: false, nodeSelector: { 'node-role.kubernetes.io/worker': '' } }));
      new NodeGroup(net, 'Gpu', groupProps({ name: 'gpu', controlPlane: false, nodeSelector: { 'example.org/gpu': 'true' } }));
      expect(() => synth(cluster)).toThrow(/\[Network\/Gpu\] nodeSelector: \{"example.org\/gpu":"true"\} may select the same nodes as Network\/Workers \(policy "workers"\); two policies on one node are applied independently of each other; make the node groups disjoint/);
    });
    test('disjoint worker groups may have their own policies', () => {
      const { cluster, net } = clusterOn('OVNKubernetes');
      new NodeGroup(net, 'Cp', groupProps({ nodeSelector: { 'example.org/group': 'control-plane' } }));
      new NodeGroup(net, 'RackA', groupProps({ name: 'rack-a', controlPlane: false, nodeSelector: { 'example.org/group': 'rack-a' } }));
      new NodeGroup(net, 'RackB', groupProps({ name: 'rack-b', controlPlane: false, nodeSelector: { 'example.org/group': 'rack-b' }, maxUnavailable: '25%' }));
      expect(() => synth(cluster)).not.toThrow();
    });
    test('a control-plane group allows maxUnavailable 1 only', () => {
      const { net } = clusterOn('OVNKubernetes');
      expect(() => new NodeGroup(net, 'Cp', groupProps({ maxUnavailable: '50%' })))
        .toThrow(/\[Network\/Cp\] maxUnavailable: "50%" is not allowed on a control-plane group; only 1 is \(kubernetes-nmstate rounds percentages up: "50%" of 3 nodes is 2/);
      expect(() => new NodeGroup(net, 'Cp2', groupProps({ maxUnavailable: 2 }))).toThrow(/maxUnavailable: 2 is not allowed on a control-plane group/);
    });
    test('once nodes are declared, a HostBridge with its own policy is refused', () => {
      const { cluster, net } = clusterOn('OVNKubernetes');
      new NodeGroup(net, 'Nodes', groupProps());
      new HostBridge(net, 'Legacy', { bridgeName: 'br9', bond: { name: 'bond9', ports: ['ens3f0'] }, nodeSelector: MASTERS, maxUnavailable: 1 });
      expect(() => synth(cluster)).toThrow(/\[Network\/Legacy\] nodes: this cluster declares its nodes \(Network\/Nodes\); a HostBridge must be on a NodeGroup \(nodes:, port:\) so its policy, the node IP and the rollout can be checked/);
    });
  });

  describe('refuses', () => {
    const make = (over: any) => () => {
      const { net } = clusterOn('OVNKubernetes');
      return new NodeGroup(net, 'Bad', groupProps(over));
    };
    test('no node selector and no single node name', () => {
      expect(make({ nodeSelector: {} })).toThrow(/\[Network\/Bad\] nodeSelector: \{\} is empty; select the group's nodes by label/);
      expect(make({ nodeSelector: undefined, nodeNames: ['a', 'b'] })).toThrow(/nodeSelector: undefined is empty/);
    });
    test('controlPlane not given', () => {
      expect(make({ controlPlane: undefined })).toThrow(/\[Network\/Bad\] controlPlane: undefined must be true or false/);
    });
    test('a bond port that is no NIC, and a NIC in two bonds', () => {
      expect(make({ bonds: [{ name: 'bond0', ports: ['ens9'] }] })).toThrow(/bonds\[0\].ports: "ens9" is not a NIC of this group; bond ports must be listed in nics \("ens1f0", "ens1f1", "eno1", "eno2", "ens2f0"\)/);
      expect(make({ bonds: [{ name: 'bond0', ports: ['ens1f0'] }, { name: 'bond1', ports: ['ens1f0'] }] })).toThrow(/bonds\[1\].ports: NIC "ens1f0" is already a port of bond "bond0"; a NIC can belong to one bond only/);
    });
    test('a bond MTU above a NIC MTU', () => {
      expect(make({ bonds: [{ name: 'bond0', ports: ['ens1f0', 'eno1'], mtu: 9000 }] })).toThrow(/\[Network\/Bad\] bonds\[0\].mtu: bond MTU 9000 is larger than the MTU 1500 of its NIC "eno1"; the bond MTU must be at most the MTU of every member NIC/);
    });
    test('a machine-network interface that is not in the group, or a bonded NIC', () => {
      expect(make({ machineNetwork: { interface: 'eth0' } })).toThrow(/\[Network\/Bad\] machineNetwork.interface: "eth0" is not a NIC or bond of this group; name the interface that carries the node IP/);
      expect(make({ machineNetwork: { interface: 'ens1f0' } })).toThrow(/machineNetwork.interface: NIC "ens1f0" is a port of bond "bond0", so it cannot hold the node IP; name the bond/);
      expect(make({ machineNetwork: undefined })).toThrow(/machineNetwork: undefined must name the interface that carries the node IP/);
    });
    test('a static machine address for more than one node, or with a gateway off the network', () => {
      expect(make({ machineNetwork: { interface: 'bond0', address: MachineAddress.staticAddress({ address: '192.0.2.10/24', gateway: '192.0.2.1' }) } }))
        .toThrow(/machineNetwork.address: a static address belongs to one node, and an NMState policy gives every node it selects the same configuration; give this group exactly one node \(nodeNames: \["<node>"\]\), or use MachineAddress.dhcp\(\) \(now: nodeNames not set\)/);
      expect(make({ nodeNames: ['n1'], machineNetwork: { interface: 'bond0', address: MachineAddress.staticAddress({ address: '192.0.2.10/24', gateway: '198.51.100.1' }) } }))
        .toThrow(/machineNetwork.address.gateway: gateway "198.51.100.1" is outside "192.0.2.10\/24"/);
      expect(make({ machineNetwork: { interface: 'bond0', address: 'dhcp' } })).toThrow(/machineNetwork.address: "dhcp" is not a MachineAddress/);
    });
    test('bad NIC names, MTUs and VLAN ids', () => {
      expect(make({ nics: [{ name: 'ens1f0', mtu: 100, vlans: [0, 5000] }, { name: 'ens1f0' }] }))
        .toThrow(/nics\[0\].mtu: 100 is not a valid MTU[\s\S]*nics\[0\].vlans\[0\]: 0 is not a VLAN id[\s\S]*nics\[0\].vlans\[1\]: 5000 is not a VLAN id[\s\S]*nics\[1\].name: NIC "ens1f0" is listed twice/);
    });
    test('a NodeGroup inside a Tenant or outside any GitOpsApp', () => {
      const { cluster } = clusterOn('OVNKubernetes');
      expect(() => new NodeGroup(cluster, 'Nodes', groupProps())).toThrow(/\[Nodes\] a NodeGroup must be defined inside a GitOpsApp/);
    });
  });

  describe('HostBridge on a NodeGroup refuses', () => {
    const on = (over: any) => () => {
      const { net } = clusterOn('OVNKubernetes');
      const nodes = new NodeGroup(net, 'Nodes', groupProps());
      return new HostBridge(net, 'Br', { bridgeName: 'br1', nodes, port: 'bond1', ...over });
    };
    test('a port that is not in the group', () => {
      expect(on({ port: 'bond7' })).toThrow(/\[Network\/Br\] port: "bond7" is not a NIC or bond of Network\/Nodes; use one of "ens1f0", "ens1f1", "eno1", "eno2", "ens2f0", "bond0", "bond1"/);
    });
    test('a VLAN the switch does not trunk to the NICs', () => {
      expect(on({ vlan: 300 })).toThrow(/\[Network\/Br\] vlan: VLAN 300 is not trunked to NIC "eno1" \(under "bond1"; its vlans: 100, 200\); add it to the NIC's vlans once the switch port carries it/);
    });
    test('a bridge MTU above the MTU of its port', () => {
      expect(on({ mtu: 9000 })).toThrow(/\[Network\/Br\] mtu: bridge MTU 9000 is larger than the MTU 1500 of "bond1" \(NICs: eno1 1500, eno2 1500\); the bridge MTU must be at most the MTU of the interface under it/);
    });
    test('settings that belong to the group', () => {
      expect(on({ nodeSelector: MASTERS, maxUnavailable: 2, bond: { name: 'bond1', ports: ['eno1'] } }))
        .toThrow(/bond: is set by the NodeGroup Network\/Nodes[\s\S]*nodeSelector: is set by the NodeGroup[\s\S]*maxUnavailable: is set by the NodeGroup/);
    });
    test('port and vlan without a NodeGroup', () => {
      const { net } = clusterOn('OVNKubernetes');
      expect(() => new HostBridge(net, 'Old', { bridgeName: 'br1', bond: { name: 'bond1', ports: ['eno1'] }, nodeSelector: MASTERS, port: 'bond1', vlan: 100 }))
        .toThrow(/port: is only used on a NodeGroup \(nodes:\)[\s\S]*vlan: is only used on a NodeGroup/);
    });
    test('an untagged bridge on a port that already carries a VLAN bridge, and a bridge name twice', () => {
      const { net } = clusterOn('OVNKubernetes');
      const nodes = new NodeGroup(net, 'Nodes', groupProps());
      new HostBridge(net, 'V', { bridgeName: 'br-v100', nodes, port: 'bond1', vlan: 100 });
      expect(() => new HostBridge(net, 'Pub', { bridgeName: 'br-v100', nodes, port: 'bond1' }))
        .toThrow(/\[Network\/Pub\] bridgeName: bridge "br-v100" is already on Network\/Nodes \(Network\/V\)[\s\S]*port: "bond1" carries VLAN sub-interface "bond1.100" of bridge "br-v100" \(Network\/V\); put this bridge on a VLAN of it too, or untagged on another interface/);
    });
    test('a VLAN on a port that is already a bridge port', () => {
      const { net } = clusterOn('OVNKubernetes');
      const nodes = new NodeGroup(net, 'Nodes', groupProps());
      new HostBridge(net, 'Pub', { bridgeName: 'br1-public', nodes, port: 'bond1' });
      expect(() => new HostBridge(net, 'V', { bridgeName: 'br-v100', nodes, port: 'bond1', vlan: 100 }))
        .toThrow(/\[Network\/V\] vlan: "bond1" is the port of bridge "br1-public" \(Network\/Pub\); a VLAN of an enslaved interface does not get traffic, give this network a VLAN on that bridge \(BridgeNetwork vlan:\) instead/);
    });
  });
});

describe('BridgeNetwork path check on a NodeGroup (NAD → bridge → bond → NIC)', () => {
  function setup() {
    const { cluster, net } = clusterOn('OVNKubernetes');
    const nodes = new NodeGroup(net, 'Nodes', groupProps());
    const pub = new HostBridge(net, 'Public', { bridgeName: 'br1-public', nodes, port: 'bond1' });
    const v200 = new HostBridge(net, 'V200', { bridgeName: 'br-v200', nodes, port: 'ens2f0', vlan: 300, mtu: 9000 });
    const vms = new GitOpsApp(cluster, 'Vms', { name: 'vms', namespace: 'infra-vms' });
    return { cluster, pub, v200, vms };
  }
  test('a VLAN trunked on every NIC of the path is fine', () => {
    const { cluster, pub, vms } = setup();
    new BridgeNetwork(vms, 'N', { name: 'dmz', hostBridge: pub, vlan: 200 });
    expect(JSON.parse(find(synth(cluster), 'NetworkAttachmentDefinition', 'dmz').spec.config).plugins[0]).toMatchObject({ vlan: 200, preserveDefaultVlan: false, macspoofchk: true });
  });
  test('a VLAN the NICs on the path do not carry', () => {
    const { pub, vms } = setup();
    expect(() => new BridgeNetwork(vms, 'N', { name: 'dmz', hostBridge: pub, vlan: 42 }))
      .toThrow(/\[Vms\/N\] vlan: VLAN 42 is not trunked to NIC "eno1" on path br1-public → bond1 → eno1, eno2 \(its vlans: 100, 200\); list it in the NIC's vlans of Network\/Nodes once the switch port carries it[\s\S]*VLAN 42 is not trunked to NIC "eno2"/);
  });
  test('a VLAN tag on a bridge that already sits on a VLAN sub-interface', () => {
    const { v200, vms } = setup();
    expect(() => new BridgeNetwork(vms, 'N', { name: 'x', hostBridge: v200, vlan: 300 }))
      .toThrow(/\[Vms\/N\] vlan: bridge "br-v200" sits on VLAN sub-interface "ens2f0.300" \(path br-v200 → ens2f0.300 → ens2f0\), so its frames are already in VLAN 300; leave vlan unset/);
  });
  test('an MTU above the bridge MTU names the path', () => {
    const { pub, vms } = setup();
    expect(() => new BridgeNetwork(vms, 'N', { name: 'pub', hostBridge: pub, mtu: 9000 }))
      .toThrow(/\[Vms\/N\] mtu: 9000 is larger than the MTU 1500 of bridge "br1-public" \(Network\/Public, path br1-public → bond1 → eno1, eno2\); the network MTU must be at most the bridge MTU/);
  });
});
