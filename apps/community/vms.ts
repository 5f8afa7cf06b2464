import * as path from 'path';
import { k8s } from 'cdk8s-plus-27';
import { Cluster, External, GitOpsApp, NetworkIsolation, SyncWave, Tenant } from '../../lib';
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
  const entries = loadVmFile(VMS_FILE, { resolve: (key) => env.versions.lookup(key), networks: [INTERNAL_NETWORK, PUBLIC_NETWORK], defaultNamespace: VM_NAMESPACE, defaultStorageClass: VM_STORAGE_CLASS, environment: env.name });
  const app = new GitOpsApp(cluster, 'InfraVms', { name: VM_NAMESPACE, namespace: VM_NAMESPACE, syncWave: SyncWave.WORKLOADS });
  new k8s.KubeNamespace(app, 'Namespace', {
    metadata: {
      name: VM_NAMESPACE,
      labels: { 'openshift.io/cluster-monitoring': 'false' },
      annotations: {
        'openshift.io/display-name': 'Infrastructure virtual machines',
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
    // Interfaces are named after their network (review N4), in the guest too.
    const networks = e.networks.map((n) => ({ network: networkIn(scope, e.namespace, n.network), name: n.network === PUBLIC_NETWORK ? 'public' : 'internal', macAddress: n.macAddress, address: n.address, guestName: n.guestName }));
    byName.set(e.props.name, new VirtualMachine(scope, `Vm-${e.props.name}`, { ...e.props, networks }));
  }
  // The platform VMs' namespace is isolated like a tenant's: deny by default, the namespace itself,
  // the routers and monitoring; then, explicitly, each VM's Service ports to every namespace (the
  // mail relay and the IdM servers serve the whole cluster). Nothing else of a VM opens on the pod
  // network. (Bridge networks are not subject to NetworkPolicy: their exposure is the VLAN's.)
  const isolation = new NetworkIsolation(app, 'Network', { namespace: VM_NAMESPACE });
  for (const vm of byName.values()) {
    if (vm.namespace !== VM_NAMESPACE || vm.ports.length === 0) continue;
    isolation.allowPorts(`allow-${vm.vmName}-service`, {
      pods: { 'ocpkit.io/vm': vm.vmName },
      ports: vm.ports.map((port) => ({ port: port.targetPort ?? port.port, protocol: port.protocol })),
    });
  }
  addVmExternals(scopeOf);
  return { app, byName, network };
}

/** SSH key Secrets the VMs of vms.yaml name (`cloudInit.sshKeysSecret`), per namespace. */
const SSH_KEY_SECRETS: readonly { namespace: string; name: string; who: string }[] = [
  { namespace: VM_NAMESPACE, name: 'ops-ssh-keys', who: 'the ops team' },
  { namespace: VM_NAMESPACE, name: 'builder-ssh-keys', who: 'the package builders' },
  { namespace: 'openqa', name: 'openqa-ssh-keys', who: 'the openQA maintainers' },
];

/** Break-glass console password Secrets the VMs of vms.yaml name (`cloudInit.consoleLogin.passwordSecret`). */
const CONSOLE_SECRETS: readonly { namespace: string; name: string }[] = [
  { namespace: VM_NAMESPACE, name: 'vm-console-password' },
  { namespace: 'openqa', name: 'openqa-console-password' },
];

/** Disks of machines migrated from the old hypervisor (`disk: { pvc: ... }` in vms.yaml). */
const MIGRATED_DISKS: readonly string[] = ['idm-1-root', 'mailman-legacy-root'];

/**
 * What the VMs need that the stack does not create: the SSH public keys KubeVirt injects
 * (`accessCredentials`, every key of the Secret is one authorized key) and the disks migrated
 * from the old hypervisor.
 */
function addVmExternals(scopeOf: (namespace: string) => GitOpsApp): void {
  for (const k of SSH_KEY_SECRETS) {
    External.secret(scopeOf(k.namespace), k.name, {
      namespace: k.namespace,
      providedBy: 'by-hand',
      note: `SSH public keys of ${k.who}, one key per entry; KubeVirt propagates them through the guest agent`,
    });
  }
  for (const c of CONSOLE_SECRETS) {
    External.secret(scopeOf(c.namespace), c.name, {
      namespace: c.namespace,
      providedBy: 'by-hand',
      keys: ['passwordHash'],
      note: 'break-glass console password of the VMs (crypt hash made with `openssl passwd -6`, key passwordHash); attached to the VM as a read-only disk, never in user data',
    });
  }
  for (const name of MIGRATED_DISKS) {
    External.pvc(scopeOf(VM_NAMESPACE), name, {
      namespace: VM_NAMESPACE,
      providedBy: 'pre-existing',
      note: 'disk migrated from the old hypervisor before the first sync (virtctl image-upload)',
    });
  }
}
