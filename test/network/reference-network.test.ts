import { PLATFORM } from '../../apps/community/main';
import { addNetwork } from '../../apps/community/network';
import { Cluster } from '../../lib/gitops/cluster';
import { find, synth } from '../_helpers';

// The reference stack's node network (apps/community/network.ts) on its own declared platform
// (OpenShift SDN): the whole stack is asserted against dist/ in test/apps.
describe('reference stack: the nodes keep their machine network', () => {
  const cluster = new Cluster({ name: 'community', environment: 'production', repoUrl: 'https://git.example.org/infra.git', platform: PLATFORM });
  const net = addNetwork(cluster);
  const out = synth(cluster);

  test('the seed cluster is declared as OpenShift SDN', () => {
    expect(PLATFORM.networkType).toBe('OpenShiftSDN');
    expect(net.nodes.networkType).toBe('OpenShiftSDN');
  });

  test('one policy for the three control-plane nodes, one node at a time', () => {
    const nncps = out.objects.filter((o) => o.manifest.kind === 'NodeNetworkConfigurationPolicy');
    expect(nncps.map((o) => o.manifest.metadata.name)).toEqual(['hyperconverged-nodes']);
    const spec = nncps[0].manifest.spec;
    expect(spec.maxUnavailable).toBe(1);
    expect(spec.nodeSelector).toEqual({ 'node-role.kubernetes.io/master': '' });
    expect(nncps[0].file).toBe('production/network/nodenetworkconfigurationpolicy.hyperconverged-nodes.yaml');
  });

  test('bond0 held the node IP at installation; the policy moves the address onto br0-internal', () => {
    const spec = find(out, 'NodeNetworkConfigurationPolicy', 'hyperconverged-nodes').spec;
    const byName = Object.fromEntries(spec.desiredState.interfaces.map((i: any) => [i.name, i]));
    expect(Object.keys(byName)).toEqual(['bond0', 'br0-internal', 'bond1', 'br1-public']);
    expect(byName.bond0.ipv4).toEqual({ enabled: false });
    expect(byName['br0-internal'].ipv4).toEqual({ enabled: true, dhcp: true });
    expect(byName['br0-internal'].bridge.port).toEqual([{ name: 'bond0' }]);
    expect(byName['br1-public'].ipv4).toEqual({ enabled: false });
    expect([byName.bond0.mtu, byName['br0-internal'].mtu, byName.bond1.mtu, byName['br1-public'].mtu]).toEqual([9000, 9000, 1500, 1500]);
    expect(net.internal.carriesMachineNetwork).toBe(true);
    expect(net.public.carriesMachineNetwork).toBe(false);
  });

  test('the same layout is refused on OVN-Kubernetes (bond0 is the port of br-ex there)', () => {
    const ovn = new Cluster({ name: 'community', environment: 'production', repoUrl: 'https://git.example.org/infra.git', platform: { ...PLATFORM, networkType: 'OVNKubernetes' } });
    expect(() => addNetwork(ovn)).toThrow(/\[Network\/Internal\] port: "bond0" as the bridge port touches "bond0", which carries the machine network \(node IP\) and is the uplink of br-ex under OVN-Kubernetes/);
  });
});
