import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { BondMode, HostBridge } from '../../lib/network';
import { Quantity } from '../../lib/core/quantity';
import { Tenant } from '../../lib/tenancy/tenant';
import { find, synth, testCluster } from '../_helpers';
import { internalProps, networkCluster, WORKERS } from './_fixtures';

describe('HostBridge', () => {
  test('minimal bridge renders one NNCP with a bond and a linux bridge on top', () => {
    const cluster = testCluster();
    const net = new GitOpsApp(cluster, 'Network', { name: 'network' });
    new HostBridge(net, 'Public', { bridgeName: 'br1-public', bond: { name: 'bond1', ports: ['eno1', 'eno2'] }, nodeSelector: WORKERS });
    const out = synth(cluster);
    const nncp = find(out, 'NodeNetworkConfigurationPolicy', 'br1-public');
    expect(nncp.apiVersion).toBe('nmstate.io/v1');
    expect(nncp.metadata.namespace).toBeUndefined();
    expect(nncp.spec).toEqual({
      nodeSelector: { 'node-role.kubernetes.io/worker': '' },
      desiredState: {
        interfaces: [
          {
            'name': 'bond1', 'type': 'bond', 'state': 'up', 'mtu': 1500,
            'ipv4': { enabled: false }, 'ipv6': { enabled: false },
            'link-aggregation': { mode: 'active-backup', options: { miimon: '100' }, port: ['eno1', 'eno2'] },
          },
          {
            name: 'br1-public', type: 'linux-bridge', state: 'up', mtu: 1500,
            ipv4: { enabled: false }, ipv6: { enabled: false },
            bridge: { options: { stp: { enabled: false } }, port: [{ name: 'bond1' }] },
          },
        ],
      },
    });
    expect(out.objects.find((o) => o.manifest.kind === 'NodeNetworkConfigurationPolicy')!.file).toBe('test/network/nodenetworkconfigurationpolicy.br1-public.yaml');
  });

  test('jumbo frames, LACP, miimon, STP, policy name and maxUnavailable', () => {
    const cluster = testCluster();
    const net = new GitOpsApp(cluster, 'Network', { name: 'network' });
    const b = new HostBridge(net, 'Internal', {
      ...internalProps(), stp: true, policyName: 'internal-bridge', maxUnavailable: 1, description: 'internal subnet',
      bond: { name: 'bond0', ports: ['ens1f0', 'ens1f1'], mode: BondMode.LACP, mtu: 9000, miimonMs: 140 },
    });
    expect(b.mtu).toBe(9000);
    expect(b.bondMtu).toBe(9000);
    const nncp = find(synth(cluster), 'NodeNetworkConfigurationPolicy', 'internal-bridge');
    const [bond, bridge] = nncp.spec.desiredState.interfaces;
    expect(bond['link-aggregation']).toEqual({ mode: '802.3ad', options: { miimon: '140' }, port: ['ens1f0', 'ens1f1'] });
    expect(bond.mtu).toBe(9000);
    expect(bridge.mtu).toBe(9000);
    expect(bridge.description).toBe('internal subnet');
    expect(bridge.bridge.options.stp.enabled).toBe(true);
    expect(nncp.spec.maxUnavailable).toBe(1);
  });

  test('bond MTU defaults to the bridge MTU and the other way round', () => {
    const { net } = networkCluster();
    const a = new HostBridge(net, 'A', { bridgeName: 'br-a', mtu: 9000, bond: { name: 'bond-a', ports: ['eth5'] }, nodeSelector: { a: 'x' } });
    const b = new HostBridge(net, 'B', { bridgeName: 'br-b', bond: { name: 'bond-b', ports: ['eth6'], mtu: 9000 }, nodeSelector: { a: 'x' } });
    expect([a.mtu, a.bondMtu, b.mtu, b.bondMtu]).toEqual([9000, 9000, 9000, 9000]);
  });

  test('percentage maxUnavailable is kept as a string', () => {
    const { cluster, net } = networkCluster();
    new HostBridge(net, 'P', { bridgeName: 'br9', bond: { name: 'bond9', ports: ['eth9'] }, nodeSelector: { x: 'y' }, maxUnavailable: '25%' });
    expect(find(synth(cluster), 'NodeNetworkConfigurationPolicy', 'br9').spec.maxUnavailable).toBe('25%');
  });

  describe('refuses', () => {
    const make = (over: any) => () => {
      const cluster = testCluster();
      const net = new GitOpsApp(cluster, 'Network', { name: 'network' });
      return new HostBridge(net, 'Bad', { ...internalProps(), ...over });
    };
    test('an empty node selector', () => {
      expect(make({ nodeSelector: {} })).toThrow(/\[Network\/Bad\] nodeSelector: \{\} is empty; an NMState policy without a node selector reconfigures every node/);
    });
    test('a missing node selector', () => {
      expect(make({ nodeSelector: undefined })).toThrow(/\[Network\/Bad\] nodeSelector: undefined is empty/);
    });
    test('a bad node selector label', () => {
      expect(make({ nodeSelector: { 'bad key!': 'x', ok: 'bad value!' } })).toThrow(/nodeSelector: "bad key!" is not a label key[\s\S]*nodeSelector.ok: "bad value!" is not a label value/);
    });
    test('a bridge name longer than 15 characters', () => {
      expect(make({ bridgeName: 'br0-internal-net' })).toThrow(/\[Network\/Bad\] bridgeName: "br0-internal-net" is 16 characters long; Linux interface names have at most 15 characters/);
    });
    test('a bond name longer than 15 characters', () => {
      expect(make({ bond: { name: 'bond-internal-10g', ports: ['eth0'] } })).toThrow(/bond.name: "bond-internal-10g" is 17 characters long/);
    });
    test('a malformed NIC name', () => {
      expect(make({ bond: { name: 'bond0', ports: ['eth 0'] } })).toThrow(/bond.ports\[0\]: "eth 0" is not a Linux interface name/);
    });
    test('no member NICs, duplicates, and a NIC named like the bond', () => {
      expect(make({ bond: { name: 'bond0', ports: [] } })).toThrow(/bond.ports: \[\] must list at least one member NIC/);
      expect(make({ bond: { name: 'bond0', ports: ['eth0', 'eth0'] } })).toThrow(/bond.ports: NIC "eth0" is listed twice/);
      expect(make({ bond: { name: 'bond0', ports: ['bond0'] } })).toThrow(/bond.ports: NIC "bond0" has the name of the bridge or bond itself/);
    });
    test('a bond named like the bridge', () => {
      expect(make({ bridgeName: 'br0', bond: { name: 'br0', ports: ['eth0'] } })).toThrow(/bond.name: "br0" is also the bridge name/);
    });
    test('MTU outside 576..9216', () => {
      expect(make({ mtu: 575 })).toThrow(/\[Network\/Bad\] mtu: 575 is not a valid MTU; use an integer from 576 to 9216/);
      expect(make({ mtu: 9217, bond: { name: 'bond0', ports: ['eth0'], mtu: 9217 } })).toThrow(/mtu: 9217 is not a valid MTU[\s\S]*bond.mtu: 9217 is not a valid MTU/);
      expect(make({ mtu: 1500.5 })).toThrow(/mtu: 1500.5 is not a valid MTU/);
    });
    test('a bridge MTU above the bond MTU', () => {
      expect(make({ mtu: 9000, bond: { name: 'bond0', ports: ['eth0'], mtu: 1500 } })).toThrow(/\[Network\/Bad\] mtu: bridge MTU 9000 is larger than the MTU 1500 of bond "bond0"/);
    });
    test('an unknown bond mode, bad miimon and bad maxUnavailable', () => {
      expect(make({ bond: { name: 'bond0', ports: ['eth0'], mode: 'balance-rr' } })).toThrow(/bond.mode: "balance-rr" is not allowed; use one of "active-backup", "balance-xor", "802.3ad"/);
      expect(make({ bond: { name: 'bond0', ports: ['eth0'], miimonMs: -1 } })).toThrow(/bond.miimonMs: -1 must be an integer from 0 to 60000/);
      expect(make({ maxUnavailable: '150%' })).toThrow(/maxUnavailable: "150%" must be a whole number of nodes/);
      expect(make({ maxUnavailable: 0 })).toThrow(/maxUnavailable: 0 must be a whole number/);
    });
    test('a bad policy name', () => {
      expect(make({ policyName: 'Internal_Bridge' })).toThrow(/policyName: "Internal_Bridge" is not a DNS-1123 subdomain/);
    });
    test('a HostBridge inside a tenant', () => {
      const cluster = testCluster();
      const t = new Tenant(cluster, 'forum', {
        name: 'forum', displayName: 'Forum', groups: { admin: ['forum-admins'] },
        quota: { cpu: Quantity.parse('2'), memory: Quantity.parse('4Gi'), storage: Quantity.parse('10Gi') },
      });
      expect(() => new HostBridge(t, 'Br', internalProps())).toThrow(/\[forum\/Br\] a HostBridge creates a cluster-scoped NodeNetworkConfigurationPolicy and cannot be defined inside a Tenant/);
    });
    test('a HostBridge outside any GitOpsApp', () => {
      const cluster = testCluster();
      expect(() => new HostBridge(cluster, 'Br', internalProps())).toThrow(/\[Br\] a HostBridge must be defined inside a GitOpsApp/);
    });
    test('every problem at once', () => {
      let err: any;
      try {
        make({ bridgeName: 'a-very-long-bridge-name', mtu: 100, nodeSelector: {} })();
      } catch (e) {
        err = e;
      }
      expect(err.name).toBe('OcpkitError');
      expect(err.problems.map((p: any) => p.field).sort()).toEqual(['bridgeName', 'mtu', 'nodeSelector']);
    });
  });

  describe('across HostBridges on the same nodes', () => {
    test('the same bridge, bond or NIC twice is an error at synth time', () => {
      const { cluster, net } = networkCluster();
      new HostBridge(net, 'Again', internalProps({ policyName: 'again' }));
      expect(() => synth(cluster)).toThrow(/\[Network\/Again\] bridgeName: bridge "br0-internal" is also created by Network\/Internal \(policy "br0-internal"\) on the same nodes[\s\S]*bond "bond0" is also created[\s\S]*NIC "ens1f0" is already a port of bond "bond0"/);
    });
    test('disjoint node selectors may reuse names', () => {
      const { cluster, net } = networkCluster();
      new HostBridge(net, 'Other', internalProps({ policyName: 'other', nodeSelector: { 'node-role.kubernetes.io/worker': 'no' } }));
      expect(() => synth(cluster)).not.toThrow();
    });
    test('mayShareNodesWith compares selectors key by key', () => {
      const { net, internal } = networkCluster();
      const other = new HostBridge(net, 'O', { bridgeName: 'br5', bond: { name: 'bond5', ports: ['eth5'] }, nodeSelector: { 'kubernetes.io/hostname': 'node1' } });
      expect(internal.mayShareNodesWith(other)).toBe(true);
      const disjoint = new HostBridge(net, 'D', { bridgeName: 'br6', bond: { name: 'bond6', ports: ['eth6'] }, nodeSelector: { 'node-role.kubernetes.io/worker': 'x' } });
      expect(internal.mayShareNodesWith(disjoint)).toBe(false);
    });
  });

  test('allIn lists the bridges of one cluster only', () => {
    const a = networkCluster('a');
    const b = networkCluster('b');
    expect(HostBridge.allIn(a.cluster)).toEqual([a.internal]);
    expect(HostBridge.allIn(b.cluster)).toEqual([b.internal]);
  });
});
