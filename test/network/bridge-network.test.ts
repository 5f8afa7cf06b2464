import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { BridgeNetwork, CniFlavour, HostBridge, Ipam, RESOURCE_NAME_ANNOTATION } from '../../lib/network';
import { find, synth } from '../_helpers';
import { networkCluster } from './_fixtures';

function setup() {
  const { cluster, net, internal } = networkCluster();
  const vms = new GitOpsApp(cluster, 'Vms', { name: 'vms', namespace: 'infra-vms' });
  return { cluster, net, internal, vms };
}

describe('BridgeNetwork', () => {
  test('the internal network renders the reference CNI config, with the MAC spoof check on', () => {
    const { cluster, internal, vms } = setup();
    const n = new BridgeNetwork(vms, 'Internal', { name: 'internal-network', hostBridge: internal });
    const nad = find(synth(cluster), 'NetworkAttachmentDefinition', 'internal-network');
    expect(nad.apiVersion).toBe('k8s.cni.cncf.io/v1');
    expect(nad.metadata.namespace).toBe('infra-vms');
    expect(nad.metadata.annotations[RESOURCE_NAME_ANNOTATION]).toBe('bridge.network.kubevirt.io/br0-internal');
    expect(JSON.parse(nad.spec.config)).toEqual(JSON.parse(
      '{"name":"internal-network","cniVersion":"0.3.1","plugins":[{"type":"cnv-bridge","bridge":"br0-internal","mtu":9000,"macspoofchk":true,"ipam":{}},{"type":"cnv-tuning"}]}',
    ));
    expect(nad.spec.config).toBe('{"name":"internal-network","cniVersion":"0.3.1","plugins":[{"type":"cnv-bridge","bridge":"br0-internal","mtu":9000,"macspoofchk":true,"ipam":{}},{"type":"cnv-tuning"}]}');
    expect(n.mtu).toBe(9000);
    expect(n.namespace).toBe('infra-vms');
    expect(n.networkName).toBe('internal-network');
  });

  test('MTU, VLAN and MAC spoof check', () => {
    const { cluster, internal, vms } = setup();
    new BridgeNetwork(vms, 'N', { name: 'storage', hostBridge: internal, mtu: 1500, vlan: 42, macSpoofCheck: true });
    const cfg = JSON.parse(find(synth(cluster), 'NetworkAttachmentDefinition', 'storage').spec.config);
    expect(cfg.plugins[0]).toEqual({ type: 'cnv-bridge', bridge: 'br0-internal', mtu: 1500, vlan: 42, preserveDefaultVlan: false, macspoofchk: true, ipam: {} });
  });

  test('an untagged network leaves the default VLAN alone', () => {
    const { cluster, internal, vms } = setup();
    new BridgeNetwork(vms, 'N', { name: 'plain', hostBridge: internal });
    const cfg = JSON.parse(find(synth(cluster), 'NetworkAttachmentDefinition', 'plain').spec.config);
    expect(Object.keys(cfg.plugins[0]).sort()).toEqual(['bridge', 'ipam', 'macspoofchk', 'mtu', 'type']);
  });

  test('the MAC spoof check is on unless a network opts out, and an opt-out is written out', () => {
    const { cluster, internal, vms } = setup();
    new BridgeNetwork(vms, 'On', { name: 'on', hostBridge: internal });
    new BridgeNetwork(vms, 'Off', { name: 'nested', hostBridge: internal, macSpoofCheck: false });
    const out = synth(cluster);
    expect(JSON.parse(find(out, 'NetworkAttachmentDefinition', 'on').spec.config).plugins[0].macspoofchk).toBe(true);
    expect(JSON.parse(find(out, 'NetworkAttachmentDefinition', 'nested').spec.config).plugins[0].macspoofchk).toBe(false);
  });

  test('upstream flavour uses bridge and tuning', () => {
    const { cluster, internal, vms } = setup();
    new BridgeNetwork(vms, 'N', { name: 'up', hostBridge: internal, flavour: CniFlavour.UPSTREAM });
    const cfg = JSON.parse(find(synth(cluster), 'NetworkAttachmentDefinition', 'up').spec.config);
    expect(cfg.plugins.map((p: any) => p.type)).toEqual(['bridge', 'tuning']);
  });

  test('the resourceName annotation can be left out', () => {
    const { cluster, internal, vms } = setup();
    new BridgeNetwork(vms, 'N', { name: 'n', hostBridge: internal, requireBridgeOnNode: false });
    expect(find(synth(cluster), 'NetworkAttachmentDefinition', 'n').metadata.annotations[RESOURCE_NAME_ANNOTATION]).toBeUndefined();
  });

  test('explicit namespace overrides the app namespace', () => {
    const { cluster, net, internal } = setup();
    new BridgeNetwork(net, 'N', { name: 'n', namespace: 'gitlab', hostBridge: internal });
    expect(find(synth(cluster), 'NetworkAttachmentDefinition', 'n').metadata.namespace).toBe('gitlab');
  });

  test('static and whereabouts IPAM', () => {
    const { cluster, internal, vms } = setup();
    new BridgeNetwork(vms, 'S', {
      name: 'static', hostBridge: internal,
      ipam: Ipam.staticAddresses([{ address: '192.0.2.10/24', gateway: '192.0.2.1' }], [{ destination: '0.0.0.0/0', gateway: '192.0.2.1' }]),
    });
    new BridgeNetwork(vms, 'W', {
      name: 'pool', hostBridge: internal,
      ipam: Ipam.whereabouts({ range: '10.10.0.0/24', rangeStart: '10.10.0.20', rangeEnd: '10.10.0.200', exclude: ['10.10.0.0/29'], gateway: '10.10.0.1' }),
    });
    const out = synth(cluster);
    expect(JSON.parse(find(out, 'NetworkAttachmentDefinition', 'static').spec.config).plugins[0].ipam).toEqual({
      type: 'static', addresses: [{ address: '192.0.2.10/24', gateway: '192.0.2.1' }], routes: [{ dst: '0.0.0.0/0', gw: '192.0.2.1' }],
    });
    expect(JSON.parse(find(out, 'NetworkAttachmentDefinition', 'pool').spec.config).plugins[0].ipam).toEqual({
      type: 'whereabouts', range: '10.10.0.0/24', range_start: '10.10.0.20', range_end: '10.10.0.200', exclude: ['10.10.0.0/29'], gateway: '10.10.0.1',
    });
  });

  test('fromName references an existing NAD', () => {
    expect(BridgeNetwork.fromName('shared', 'legacy')).toEqual({ networkName: 'legacy', namespace: 'shared' });
    expect(() => BridgeNetwork.fromName('Shared', '')).toThrow(/namespace: "Shared" is not a DNS-1123 label[\s\S]*name: "" is not a DNS-1123 label/);
  });

  describe('refuses', () => {
    const make = (over: any) => () => {
      const { internal, vms } = setup();
      return new BridgeNetwork(vms, 'Bad', { name: 'n', hostBridge: internal, ...over });
    };
    test('an MTU above the bridge MTU', () => {
      const { net, vms } = setup();
      const pub = new HostBridge(net, 'Public', { bridgeName: 'br1-public', bond: { name: 'bond1', ports: ['eno1', 'eno2'] }, nodeSelector: { x: 'y' } });
      expect(() => new BridgeNetwork(vms, 'Bad', { name: 'public-network', hostBridge: pub, mtu: 9000 }))
        .toThrow(/\[Vms\/Bad\] mtu: 9000 is larger than the MTU 1500 of bridge "br1-public" \(Network\/Public, path br1-public → bond1 → eno1, eno2\); the network MTU must be at most the bridge MTU/);
    });
    test('MTU outside 576..9216', () => {
      expect(make({ mtu: 100 })).toThrow(/\[Vms\/Bad\] mtu: 100 is not a valid MTU; use an integer from 576 to 9216/);
      expect(make({ mtu: 10000 })).toThrow(/mtu: 10000 is not a valid MTU/);
    });
    test('VLAN outside 1..4094', () => {
      expect(make({ vlan: 0 })).toThrow(/\[Vms\/Bad\] vlan: 0 is not a VLAN id; use an integer from 1 to 4094/);
      expect(make({ vlan: 4095 })).toThrow(/vlan: 4095 is not a VLAN id/);
    });
    test('a bridge given as a string', () => {
      expect(make({ hostBridge: 'br0-internal' })).toThrow(/\[Vms\/Bad\] hostBridge: "br0-internal" is not a HostBridge; pass the HostBridge construct/);
    });
    test('a bad name, flavour and mac spoof flag', () => {
      expect(make({ name: 'Internal_Net' })).toThrow(/name: "Internal_Net" is not a DNS-1123 label/);
      expect(make({ flavour: 'ovn' })).toThrow(/flavour: "ovn" is not allowed/);
      expect(make({ macSpoofCheck: 'yes' })).toThrow(/macSpoofCheck: "yes" must be true or false/);
    });
    test('no namespace anywhere', () => {
      const { net, internal } = setup();
      expect(() => new BridgeNetwork(net, 'Bad', { name: 'n', hostBridge: internal })).toThrow(/\[Network\/Bad\] namespace: is not set and the enclosing GitOpsApp has no namespace/);
    });
    test('a malformed CIDR in whereabouts', () => {
      expect(make({ ipam: Ipam.whereabouts({ range: '10.0.0.0/33' }) })).toThrow(/\[Vms\/Bad\] ipam.range: "10.0.0.0\/33" is not an IPv4 CIDR; write an address and a prefix length such as "192.0.2.0\/24"/);
      expect(make({ ipam: Ipam.whereabouts({ range: '10.0.256.0/24' }) })).toThrow(/ipam.range: "10.0.256.0\/24" is not an IPv4 CIDR/);
      expect(make({ ipam: Ipam.whereabouts({ range: '10.0.0.0' }) })).toThrow(/ipam.range: "10.0.0.0" is not an IPv4 CIDR/);
    });
    test('whereabouts addresses outside the range', () => {
      expect(make({ ipam: Ipam.whereabouts({ range: '10.0.0.0/24', rangeStart: '10.0.1.5', gateway: 'x', exclude: ['10.9.0.0/28', 'nope'] }) }))
        .toThrow(/ipam.rangeStart: "10.0.1.5" is outside the range "10.0.0.0\/24"[\s\S]*ipam.gateway: "x" is not an IPv4 address[\s\S]*ipam.exclude\[0\]: "10.9.0.0\/28" is outside the range[\s\S]*ipam.exclude\[1\]: "nope" is not an IPv4 CIDR/);
      expect(make({ ipam: Ipam.whereabouts({ range: '10.0.0.0/24', rangeStart: '10.0.0.200', rangeEnd: '10.0.0.10' }) }))
        .toThrow(/ipam.rangeEnd: "10.0.0.10" comes before rangeStart "10.0.0.200"/);
    });
    test('a malformed static address or gateway', () => {
      expect(make({ ipam: Ipam.staticAddresses([]) })).toThrow(/ipam.addresses: static IPAM needs at least one address/);
      expect(make({ ipam: Ipam.staticAddresses([{ address: '192.0.2.10' }]) })).toThrow(/ipam.addresses\[0\].address: "192.0.2.10" is not an IPv4 address with prefix length/);
      expect(make({ ipam: Ipam.staticAddresses([{ address: '192.0.2.10/24', gateway: '198.51.100.1' }]) })).toThrow(/ipam.addresses\[0\].gateway: gateway "198.51.100.1" is outside "192.0.2.10\/24"/);
      expect(make({ ipam: Ipam.staticAddresses([{ address: '192.0.2.10/24' }], [{ destination: 'default' }]) })).toThrow(/ipam.routes\[0\].destination: "default" is not an IPv4 CIDR/);
    });
    test('IPAM routes or excludes that are not lists', () => {
      expect(make({ ipam: Ipam.staticAddresses([{ address: '192.0.2.10/24' }], '0.0.0.0/0' as any) }))
        .toThrow(/\[Vms\/Bad\] ipam.routes: "0.0.0.0\/0" is not a list; write a list such as \[\{ destination/);
      expect(make({ ipam: Ipam.whereabouts({ range: '10.0.0.0/24', exclude: '10.0.0.0/28' as any }) }))
        .toThrow(/\[Vms\/Bad\] ipam.exclude: "10.0.0.0\/28" is not a list; write a list such as \["10.10.0.0\/28"\]/);
    });
    test('an IPAM that is not an Ipam', () => {
      expect(make({ ipam: { type: 'dhcp' } })).toThrow(/ipam: \{"type":"dhcp"\} is not an Ipam; use Ipam.none\(\)/);
    });
  });

  test('a bridge from another environment is refused at synth time', () => {
    const prod = networkCluster('production');
    const stg = networkCluster('staging');
    const vms = new GitOpsApp(stg.cluster, 'Vms', { name: 'vms', namespace: 'infra-vms' });
    new BridgeNetwork(vms, 'Internal', { name: 'internal-network', hostBridge: prod.internal });
    expect(() => synth(stg.cluster)).toThrow(/\[Vms\/Internal\] hostBridge: bridge "br0-internal" is defined by Network\/Internal in another cluster \(environment "production"\); no HostBridge of environment "staging" creates it/);
  });
});
