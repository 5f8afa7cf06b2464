import { Cluster } from '../../lib/gitops/cluster';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { BondMode, HostBridge, HostBridgeProps } from '../../lib/network';
import { testCluster } from '../_helpers';

export const WORKERS = { 'node-role.kubernetes.io/worker': '' };

/** A cluster with a `network` app and the reference internal bridge (bond0 of two 10G NICs, MTU 9000). */
export function networkCluster(env = 'test'): { cluster: Cluster; net: GitOpsApp; internal: HostBridge } {
  const cluster = testCluster(env);
  const net = new GitOpsApp(cluster, 'Network', { name: 'network' });
  const internal = new HostBridge(net, 'Internal', internalProps());
  return { cluster, net, internal };
}

export function internalProps(over: Partial<HostBridgeProps> = {}): HostBridgeProps {
  return {
    bridgeName: 'br0-internal',
    mtu: 9000,
    bond: { name: 'bond0', ports: ['ens1f0', 'ens1f1'], mode: BondMode.LACP, mtu: 9000 },
    nodeSelector: WORKERS,
    ...over,
  };
}
