import * as path from 'path';
import { k8s } from 'cdk8s-plus-27';
import { Cluster, GitOpsApp, SYNC_WAVE_ANNOTATION, SyncWave, Tenant } from '../../lib';
import { BridgeNetwork } from '../../lib';
import { loadVmFile, OcpkitError, VirtualMachine } from '../../lib';
import { Environment } from './environment';
import { addNetwork, CommunityNetwork } from './network';

const VMS_FILE = path.join(__dirname, 'vms.yaml');

/** Platform namespace of the infrastructure VMs. */
export const VM_NAMESPACE = 'infra-vms';
/** Network names VMs can use (one NetworkAttachmentDefinition per namespace that uses it). */
export const INTERNAL_NETWORK = 'internal-network';
export const PUBLIC_NETWORK = 'public-network';
/** StorageClass of VM disks: ODF Ceph RBD tuned for VMs (RWX Block, so VMs live-migrate). */
export const VM_STORAGE_CLASS = 'ocs-storagecluster-ceph-rbd-virtualization';

/** The VMs of the community cluster. */
export interface CommunityVms {
  /** The platform app of the infrastructure VMs (`dist/<env>/infra-vms/`). */
  readonly app: GitOpsApp;
  /** Every VM by name. */
  readonly byName: ReadonlyMap<string, VirtualMachine>;
  /** The host bridges (the GitLab stack attaches its Gitaly VM to the public one). */
  readonly network: CommunityNetwork;
}

/**
 * Node networking and every VM of the stack. Call it before the GitLab part: its Gitaly VM finds
 * the public HostBridge defined here.
 */
export function addVirtualization(cluster: Cluster, env: Environment, tenants: ReadonlyMap<string, Tenant>): CommunityVms {
  return addVirtualMachines(cluster, env, addNetwork(cluster), tenants);
}

/**
 * The VMs from vms.yaml: infrastructure VMs in the platform namespace `infra-vms`, and VMs of
 * tenants in their tenant (quota-checked). Each namespace gets the NetworkAttachmentDefinitions
 * its VMs use.
 */
export function addVirtualMachines(cluster: Cluster, env: Environment, network: CommunityNetwork, tenants: ReadonlyMap<string, Tenant>): CommunityVms {
  const entries = loadVmFile(VMS_FILE, { resolve: (key) => env.versions.lookup(key), networks: [INTERNAL_NETWORK, PUBLIC_NETWORK], defaultNamespace: VM_NAMESPACE, defaultStorageClass: VM_STORAGE_CLASS });
  const app = new GitOpsApp(cluster, 'InfraVms', { name: VM_NAMESPACE, namespace: VM_NAMESPACE, syncWave: SyncWave.WORKLOADS });
  new k8s.KubeNamespace(app, 'Namespace', {
    metadata: {
      name: VM_NAMESPACE,
      labels: { 'openshift.io/cluster-monitoring': 'false' },
      annotations: {
        'openshift.io/display-name': 'Infrastructure virtual machines',
        [SYNC_WAVE_ANNOTATION]: String(SyncWave.NAMESPACES),
        'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
      },
    },
  });

  const nets = new Map<string, BridgeNetwork>();
  const scopeOf = (namespace: string): GitOpsApp => {
    if (namespace === VM_NAMESPACE) return app;
    const t = tenants.get(namespace);
    if (!t) throw new OcpkitError([{ path: 'vms.yaml', field: 'namespace', message: `"${namespace}" is neither ${VM_NAMESPACE} nor a tenant of tenants.yaml` }]);
    return t;
  };
  const networkIn = (scope: GitOpsApp, namespace: string, name: string): BridgeNetwork => {
    const key = `${namespace}/${name}`;
    let n = nets.get(key);
    if (!n) {
      const bridge = name === PUBLIC_NETWORK ? network.public : network.internal;
      n = new BridgeNetwork(scope, name === PUBLIC_NETWORK ? 'PublicNetwork' : 'InternalNetwork', { name, namespace, hostBridge: bridge, macSpoofCheck: name === PUBLIC_NETWORK ? true : undefined });
      nets.set(key, n);
    }
    return n;
  };

  const byName = new Map<string, VirtualMachine>();
  for (const e of entries) {
    const scope = scopeOf(e.namespace);
    const networks = e.networks.map((n) => ({ network: networkIn(scope, e.namespace, n.network), macAddress: n.macAddress }));
    byName.set(e.props.name, new VirtualMachine(scope, `Vm-${e.props.name}`, { ...e.props, networks }));
  }
  return { app, byName, network };
}
