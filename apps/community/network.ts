import { Cluster, GitOpsApp, SyncWave } from '../../lib';
import { BondMode, HostBridge } from '../../lib';

/** The host bridges of the community cluster (VM networks attach to them). */
export interface CommunityNetwork {
  /** The platform app holding the NMState policies (`dist/<env>/network/`). */
  readonly app: GitOpsApp;
  /** `br0-internal` on the bond of the two 10G NICs, jumbo frames (internal subnet, Ceph, IdM). */
  readonly internal: HostBridge;
  /** `br1-public` on the bond of the two 1G NICs (the public address block). */
  readonly public: HostBridge;
}

/** Every node is control plane and worker (three hyperconverged bare-metal machines). */
const ALL_NODES = { 'node-role.kubernetes.io/worker': '' };

/**
 * Node networking for VMs: on every node, the 10G pair and the 1G pair are each bonded and a
 * Linux bridge sits on each bond. The NodeNetworkConfigurationPolicies are cluster scoped, so
 * they live in the platform app `network`, synced before the VM apps.
 */
export function addNetwork(cluster: Cluster): CommunityNetwork {
  const app = new GitOpsApp(cluster, 'Network', { name: 'network', syncWave: SyncWave.CONFIG });
  const internal = new HostBridge(app, 'Internal', {
    bridgeName: 'br0-internal',
    mtu: 9000,
    bond: { name: 'bond0', ports: ['ens1f0', 'ens1f1'], mode: BondMode.LACP, mtu: 9000 },
    nodeSelector: ALL_NODES,
    maxUnavailable: 1,
    description: 'internal subnet (jumbo frames) for VMs',
  });
  const pub = new HostBridge(app, 'Public', {
    bridgeName: 'br1-public',
    mtu: 1500,
    bond: { name: 'bond1', ports: ['eno1', 'eno2'], mode: BondMode.ACTIVE_BACKUP },
    nodeSelector: ALL_NODES,
    maxUnavailable: 1,
    description: 'public address block for VMs',
  });
  return { app, internal, public: pub };
}
