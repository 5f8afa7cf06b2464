import { BondMode, Cluster, GitOpsApp, HostBridge, MachineAddress, NodeGroup, SyncWave } from '../../lib';

/** The host bridges of the community cluster (VM networks attach to them). */
export interface CommunityNetwork {
  /** The platform app holding the NMState policy (`dist/<env>/network/`). */
  readonly app: GitOpsApp;
  /** The three hyperconverged nodes, their NICs and bonds, and where the node IP lives. */
  readonly nodes: NodeGroup;
  /**
   * `br0-internal` on the bond of the two 10G NICs, jumbo frames: the internal subnet, which is
   * also the machine network (Ceph, IdM, the node IPs). It carries each node's address.
   */
  readonly internal: HostBridge;
  /** `br1-public` on the bond of the two 1G NICs (the public address block); no node address. */
  readonly public: HostBridge;
}

/**
 * Node networking for VMs on the three hyperconverged bare-metal nodes (control plane, ODF and
 * hypervisor at once; ../shared/CONTEXT.md): on every node the 10G pair and the 1G pair are each
 * bonded and a Linux bridge sits on each bond.
 *
 * What carries the node IP: the cluster runs OpenShift SDN (declared in main.ts, kept across
 * upgrades), and at installation the node IP is on `bond0`, the 10G LACP bond. `br0-internal`
 * takes `bond0` over as its port, so the one policy moves the address onto the bridge: the
 * bridge gets DHCP (the machine network's DHCP server keeps a reservation per node), `bond0`
 * keeps no address. nmstate's probes (gateway, DNS, API server) roll a node back if it loses
 * its connectivity. `br1-public` sits on the 1G bond, which holds no node address.
 *
 * Rollout: one NodeNetworkConfigurationPolicy for all three nodes (both bonds, both bridges) with
 * maxUnavailable 1, so only one control-plane node (one etcd member) is reconfigured at a time;
 * two policies would each count their own nodes and could take two nodes at once.
 *
 * The same layout on OVN-Kubernetes would be refused: there `bond0` is the port of `br-ex` and
 * no policy may touch it; the internal bridge would need NICs of its own.
 */
export function addNetwork(cluster: Cluster): CommunityNetwork {
  const app = new GitOpsApp(cluster, 'Network', { name: 'network', syncWave: SyncWave.CONFIG });
  const nodes = new NodeGroup(app, 'Nodes', {
    name: 'hyperconverged-nodes',
    nodeSelector: { 'node-role.kubernetes.io/master': '' },
    controlPlane: true,
    nics: [
      { name: 'ens1f0', mtu: 9000 },
      { name: 'ens1f1', mtu: 9000 },
      { name: 'eno1' },
      { name: 'eno2' },
    ],
    bonds: [
      { name: 'bond0', ports: ['ens1f0', 'ens1f1'], mode: BondMode.LACP, mtu: 9000 },
      { name: 'bond1', ports: ['eno1', 'eno2'], mode: BondMode.ACTIVE_BACKUP },
    ],
    machineNetwork: { interface: 'bond0', address: MachineAddress.dhcp() },
  });
  const internal = new HostBridge(app, 'Internal', {
    bridgeName: 'br0-internal',
    nodes,
    port: 'bond0',
    mtu: 9000,
    description: 'internal subnet and machine network (node IP), jumbo frames',
  });
  const pub = new HostBridge(app, 'Public', {
    bridgeName: 'br1-public',
    nodes,
    port: 'bond1',
    description: 'public address block for VMs',
  });
  return { app, nodes, internal, public: pub };
}
