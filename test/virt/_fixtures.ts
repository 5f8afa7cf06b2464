import { Quantity } from '../../lib/core/quantity';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { BondMode, BridgeNetwork, HostBridge } from '../../lib/network';
import { Tenant } from '../../lib/tenancy/tenant';
import { DiskSource, VirtualMachineProps } from '../../lib/virt';
import { testCluster } from '../_helpers';

/** A cluster with the two reference bridges, a platform `vms` app and its two networks. */
export function vmCluster(env = 'test') {
  const cluster = testCluster(env);
  const net = new GitOpsApp(cluster, 'Network', { name: 'network' });
  const sel = { 'node-role.kubernetes.io/worker': '' };
  const internalBridge = new HostBridge(net, 'Internal', { bridgeName: 'br0-internal', mtu: 9000, bond: { name: 'bond0', ports: ['ens1f0', 'ens1f1'], mode: BondMode.LACP }, nodeSelector: sel });
  const publicBridge = new HostBridge(net, 'Public', { bridgeName: 'br1-public', bond: { name: 'bond1', ports: ['eno1', 'eno2'] }, nodeSelector: sel });
  const vms = new GitOpsApp(cluster, 'Vms', { name: 'vms', namespace: 'infra-vms' });
  const internal = new BridgeNetwork(vms, 'InternalNet', { name: 'internal-network', hostBridge: internalBridge });
  const pub = new BridgeNetwork(vms, 'PublicNet', { name: 'public-network', hostBridge: publicBridge });
  return { cluster, net, vms, internal, pub, internalBridge, publicBridge };
}

export function tenant(scope: any, name = 'forum', quota = { cpu: '2', memory: '8Gi', storage: '100Gi' }, extra: any = {}): Tenant {
  return new Tenant(scope, name, {
    name, displayName: name, groups: { admin: [`${name}-admins`] },
    quota: { cpu: Quantity.parse(quota.cpu), memory: Quantity.parse(quota.memory), storage: Quantity.parse(quota.storage), ...extra },
  });
}

/** The smallest valid VM props. */
export function minimal(over: Partial<VirtualMachineProps> = {}): VirtualMachineProps {
  return {
    name: 'relay',
    cpu: 1,
    memory: '2Gi',
    rootDisk: { source: DiskSource.pvcClone({ namespace: 'golden', name: 'rhel9' }), size: '20Gi' },
    ...over,
  };
}
