import {
  VirtualMachineSpecTemplateSpecDomainDevicesInterfaces,
  VirtualMachineSpecTemplateSpecNetworks,
} from '../../imports/kubevirt-vm-kubevirt.io';
import { Problems, show } from '../core/errors';
import { dnsLabel } from '../core/rules';
import { Cluster } from '../gitops/cluster';
import { formatIpv4, macAddress as macRule, parseCidr } from '../network/_rules';
import { DEFAULT_CLUSTER_NETWORK, DEFAULT_SERVICE_NETWORK } from '../platform/platform';
import { BridgeNetwork, IBridgeNetwork, isBridgeNetwork } from '../network/bridge-network';
import { GuestAddress, GuestInterface } from './guest-network';

/** One VM interface on a Multus bridge network. */
export interface NetworkAttachmentOptions {
  /** The network (a {@link BridgeNetwork}, or `BridgeNetwork.fromName(...)`). */
  readonly network: IBridgeNetwork;
  /**
   * Interface (and network) name inside the VM spec.
   * @default `nic-<n>`, counting from 1 in the order given
   */
  readonly name?: string;
  /**
   * Fixed MAC address (a VM moved from another hypervisor keeps the MAC its guest configuration
   * and DHCP reservations know).
   * @default a stable locally administered address derived from the VM and interface names
   */
  readonly macAddress?: string;
  /**
   * The network lives in another namespace and is referenced as `<namespace>/<name>`; without
   * this, a network outside the VM's namespace is an error.
   * @default false
   */
  readonly crossNamespace?: boolean;
  /**
   * How the guest configures this NIC (the address plan): bridged networks assign no address
   * (their NADs use `ipam: {}`), so a VM with typed cloud-init needs one per bridge interface;
   * it reaches the guest as NoCloud network data matched by the interface's MAC.
   * @default none (the guest configures the NIC itself; refused when the VM has typed cloud-init)
   */
  readonly address?: GuestAddress;
  /**
   * Name the guest gives the NIC.
   * @default the interface name
   */
  readonly guestName?: string;
}

/** One interface of a VM, as rendered. */
export interface VmInterface {
  readonly name: string;
  /** The bridge network, or undefined for the pod network. */
  readonly network?: IBridgeNetwork;
  readonly macAddress: string;
  /** `spec.template.spec.networks[].multus.networkName`: `<name>`, or `<namespace>/<name>` across namespaces. */
  readonly multusName?: string;
  /** The MAC was given (not derived). */
  readonly fixedMac?: boolean;
  /** How the guest configures the NIC, when the address plan says. */
  readonly address?: GuestAddress;
  /** Name the guest gives the NIC, when not the interface name. */
  readonly guestName?: string;
}

/** Whose interfaces these are. */
export interface VmNetworkOwner {
  readonly vmName: string;
  readonly namespace: string;
  /** The stable MAC of an interface without a fixed one. */
  readonly macFor: (interfaceName: string) => string;
  /** The cluster's pod and Service networks (its Platform), for the pod NIC's routes; undefined: the installer's defaults. */
  readonly clusterNetworks?: () => { readonly clusterNetwork: string; readonly serviceNetwork: string } | undefined;
}

/**
 * KubeVirt's masquerade gateway inside the guest: the first address of the default
 * `vmNetworkCIDR` 10.0.2.0/24 (kubevirt v1.0.1 pkg/network/link/address.go
 * getMasqueradeGwAndHostAddressesFromCIDR; the guest is 10.0.2.2).
 */
export const MASQUERADE_GATEWAY = '10.0.2.1';

/**
 * The interfaces of a VM: the pod network (masquerade) and bridge networks (Multus), each with a
 * stable MAC. `plan` checks one attachment against the rules and the interfaces already there
 * without changing anything; `commit` adds it.
 */
export class VmNetworks {
  private readonly ifaces: VmInterface[] = [];

  constructor(private readonly owner: VmNetworkOwner) {}

  /** The interfaces, pod network first. */
  public get all(): readonly VmInterface[] {
    return this.ifaces;
  }

  /** True when the VM is on the pod network. */
  public get hasPodNetwork(): boolean {
    return this.ifaces.some((f) => !f.network);
  }

  /** Number of bridge interfaces. */
  public get bridgeCount(): number {
    return this.ifaces.filter((f) => f.network).length;
  }

  /** Adds the pod network interface (`default`); `address` is how the guest configures it, if given. */
  public addPodNetwork(address?: GuestAddress): void {
    this.ifaces.push({ name: 'default', macAddress: this.owner.macFor('default'), address });
  }

  /** True when some interface carries an address of the address plan. */
  public get hasAddressPlan(): boolean {
    return this.ifaces.some((f) => f.network && f.address !== undefined);
  }

  /**
   * The guest side of the interfaces (for NoCloud network data): every bridge interface with its
   * address, and the pod network by DHCP (KubeVirt's masquerade DHCP server), owning the default
   * route unless a bridge interface does.
   */
  public guestInterfaces(): GuestInterface[] {
    const bridgeOwns = this.ifaces.some((f) => f.network && f.address instanceof GuestAddress && f.address.ownsDefaultRoute);
    return this.ifaces.map((f) => ({
      name: f.name,
      mac: f.macAddress,
      address: f.network ? f.address : (f.address ?? (bridgeOwns ? this.podNicWithoutDefaultRoute() : GuestAddress.dhcp())),
      guestName: f.guestName,
    }));
  }

  /**
   * The pod NIC when a bridged NIC owns the default route: DHCP without its default route, but
   * with routes to the pod and Service networks through the masquerade gateway (KubeVirt forwards
   * inbound traffic to the guest with the caller's address, so replies to pods, probes from the
   * node and calls to Services must leave by the pod NIC), and the cluster DNS first with the
   * cluster search domains, so Service names resolve.
   */
  private podNicWithoutDefaultRoute(): GuestAddress {
    const n = this.owner.clusterNetworks?.() ?? { clusterNetwork: DEFAULT_CLUSTER_NETWORK, serviceNetwork: DEFAULT_SERVICE_NETWORK };
    const svc = parseCidr(n.serviceNetwork);
    const dns = svc ? formatIpv4(svc.address + 10) : undefined;
    return GuestAddress.dhcp({
      defaultRoute: false,
      routes: [{ to: n.clusterNetwork, via: MASQUERADE_GATEWAY }, { to: n.serviceNetwork, via: MASQUERADE_GATEWAY }],
      dns: dns ? [dns] : undefined,
      search: [`${this.owner.namespace}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'],
    });
  }

  /**
   * The interface one attachment adds, or undefined with the reasons in `p`. `n` numbers the
   * default name (`nic-<n>`).
   */
  public plan(p: Problems, field: string, opts: NetworkAttachmentOptions, n: number): VmInterface | undefined {
    const before = p.size;
    const net = opts?.network;
    if (!isBridgeNetwork(net)) {
      p.add(`${field}.network`, `${show(net)} is not a BridgeNetwork; pass the BridgeNetwork construct (or BridgeNetwork.fromName(namespace, name) for one defined outside this stack)`);
      return undefined;
    }
    const ifName = opts.name ?? `nic-${n}`;
    if (!p.check(`${field}.name`, ifName, dnsLabel)) return undefined;
    if (opts.macAddress !== undefined && !p.check(`${field}.macAddress`, opts.macAddress, macRule)) return undefined;
    if (opts.address !== undefined && !(opts.address instanceof GuestAddress)) p.add(`${field}.address`, `${show(opts.address)} is not a GuestAddress; use GuestAddress.fixed("192.0.2.10/24", { gateway }), GuestAddress.dhcp() or GuestAddress.none()`);
    const ns = this.owner.namespace;
    if (net.namespace !== ns && !opts.crossNamespace) {
      p.add(`${field}.network`, `network "${net.networkName}" is defined in namespace "${net.namespace}", not in the VM's namespace "${ns}"; define a BridgeNetwork in "${ns}" or set crossNamespace: true to reference "${net.namespace}/${net.networkName}"`);
    }
    if (this.ifaces.some((f) => f.name === ifName)) {
      p.add('networks', `interface name "${ifName}" is used twice${ifName === 'default' ? ' ("default" is the pod network)' : ''}; every interface and network needs its own name`);
    }
    const mac = opts.macAddress ?? this.owner.macFor(ifName);
    if (this.ifaces.some((f) => f.macAddress.toLowerCase() === mac.toLowerCase())) p.add('networks', `MAC address ${mac.toLowerCase()} is used by two interfaces`);
    if (p.size > before) return undefined;
    return {
      name: ifName,
      network: net,
      macAddress: mac,
      multusName: net.namespace !== ns ? `${net.namespace}/${net.networkName}` : net.networkName,
      fixedMac: opts.macAddress !== undefined,
      address: opts.address,
      guestName: opts.guestName,
    };
  }

  /** Adds what {@link plan} returned. */
  public commit(iface: VmInterface): void {
    this.ifaces.push(iface);
  }

  /** The interfaces and networks of the VM spec (one to one, same names). */
  public render(usePreference: boolean): {
    interfaces: VirtualMachineSpecTemplateSpecDomainDevicesInterfaces[];
    networks: VirtualMachineSpecTemplateSpecNetworks[];
    autoattachPodInterface?: boolean;
  } {
    const interfaces = this.ifaces.map((f): VirtualMachineSpecTemplateSpecDomainDevicesInterfaces => ({
      name: f.name,
      ...(f.network ? { bridge: {} } : { masquerade: {} }),
      ...(usePreference ? {} : { model: 'virtio' }),
      macAddress: f.macAddress,
    }));
    const networks = this.ifaces.map((f): VirtualMachineSpecTemplateSpecNetworks => (f.network && f.multusName
      ? { name: f.name, multus: { networkName: f.multusName } }
      : { name: f.name, pod: {} }));
    return { interfaces, networks, autoattachPodInterface: this.hasPodNetwork ? undefined : false };
  }
}

/** A VM as the cluster-wide network checks see it. */
export interface VmOnNetworks {
  readonly path: string;
  readonly cluster: Cluster;
  readonly networks: VmNetworks;
}

/**
 * Checks across the VMs of one cluster, for one VM (`self`): its networks belong to its cluster,
 * a static-IPAM network has one interface, and its MACs are not used by another VM of the same
 * cluster (two clusters may share a MAC only if they never share a segment, which stable MACs
 * salted per cluster avoid). `peers` are the VMs of that cluster in definition order (the same
 * array for every VM of one synth, so the MAC index is built once).
 */
export function networkCrossChecks(self: VmOnNetworks, peers: readonly VmOnNetworks[]): string[] {
  const out: string[] = [];
  const cluster = self.cluster;
  const mine = self.networks.all.filter((f) => f.network);
  for (const f of mine) {
    const net = f.network;
    if (net instanceof BridgeNetwork && Cluster.of(net) !== cluster) {
      out.push(`networks: network "${net.networkName}" (${net.node.path}) belongs to another cluster; use the BridgeNetwork of environment "${cluster.environment}"`);
    }
  }
  for (const f of mine) {
    const net = f.network;
    if (!(net instanceof BridgeNetwork) || net.ipam.kind !== 'static') continue;
    const first = peers.flatMap((vm) => vm.networks.all.filter((g) => g.network === net).map((g) => ({ vm, g })))[0];
    if (first && (first.vm !== self || first.g !== f)) {
      out.push(`networks: interface "${f.name}" attaches to network "${net.networkName}" (${net.node.path}), whose static IPAM gives every interface the same address, and interface "${first.g.name}" of ${first.vm.path} is already attached to it; give each such VM its own network, or use Ipam.none() (the guest sets its address) or Ipam.whereabouts({ range })`);
    }
  }
  const owners = macOwners(peers);
  for (const m of new Set(mine.map((f) => f.macAddress.toLowerCase()))) {
    const owner = owners.get(m);
    if (owner && owner !== self.path) out.push(`networks: MAC address ${m} is also used by ${owner}; MAC addresses must be unique on a network`);
  }
  return out;
}

const MAC_OWNERS = new WeakMap<readonly VmOnNetworks[], Map<string, string>>();

/** The first VM (in definition order) using each bridge MAC, computed once per list of VMs. */
function macOwners(vms: readonly VmOnNetworks[]): Map<string, string> {
  let m = MAC_OWNERS.get(vms);
  if (!m) {
    m = new Map();
    for (const vm of vms) {
      for (const f of vm.networks.all) {
        const mac = f.macAddress.toLowerCase();
        if (f.network && !m.has(mac)) m.set(mac, vm.path);
      }
    }
    MAC_OWNERS.set(vms, m);
  }
  return m;
}
