import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import {
  NodeNetworkConfigurationPolicy,
  NodeNetworkConfigurationPolicySpecMaxUnavailable,
} from '../../imports/nmstate-nncp-nmstate.io';
import { Problems, show } from '../core/errors';
import { dnsSubdomain, duplicates, intRange, labelKey, labelValue, oneOf } from '../core/rules';
import { Cluster } from '../gitops/cluster';
import { GitOpsApp } from '../gitops/gitops-app';
import { NetworkType, Platform } from '../platform/platform';
import { Tenant } from '../tenancy/tenant';
import { addressWithPrefix, cidrContains, interfaceName, ipv4, listProp, mtu as mtuRule, parseCidr, parseIpv4, selectorsMayOverlap, vlanId } from './_rules';
import { BondMode } from './bond-mode';
import type { HostBridge } from './host-bridge';

// Upstream facts this file relies on (checked at the pinned versions):
//
// Rollout (openshift/kubernetes-nmstate, branch release-4.14, commit 8f354cd):
// - api/shared/nodenetworkconfigurationpolicy_types.go: maxUnavailable is a field of one policy
//   ("percentage or number of machines that can be updating at a time. Default is 50%"), and the
//   count of nodes in progress (status.unavailableNodeCount) is kept per policy.
// - pkg/node/nodes.go: DefaultMaxunavailable = "50%", scaled with rounding UP over the nodes the
//   policy matches (intstr.GetScaledValueFromIntOrPercent(..., true)), minimum 1. On a compact
//   3-node cluster the default therefore lets 2 of 3 nodes (2 of 3 etcd members) apply at once.
// - controllers/handler/nodenetworkconfigurationpolicy_controller.go (incrementUnavailableNodeCount):
//   a node's handler waits while the policy's own count has reached the limit; nothing limits two
//   different policies, so two policies can reconfigure two nodes at the same time.
// - docs/user-guide/102-configuration.md: "If two policies need to be applied in specific order,
//   they should form a single policy"; the NNCP API has no ordering between policies.
// - pkg/client/client.go (ApplyDesiredState): every apply runs the connectivity probes (default
//   gateway, DNS, API server, node readiness; pkg/probe/probes.go) and rolls back with
//   `nmstatectl rollback` when they fail. The policy API has no switch to turn this off, and
//   ocpkit never renders anything that would.
// - Argo CD v2.10.18 ships no health check for nmstate.io resources
//   (resource_customizations/ has no nmstate.io folder), so sync waves would not wait for one
//   policy to be Available before the next: ordering by waves is not a rollout order.
// => ocpkit renders ONE policy per node group (every bridge, bond and VLAN of the group in it) with
//    maxUnavailable 1, and lets only one node group hold control-plane nodes.
//
// Machine network (the node IP) on OpenShift 4.14:
// - OVN-Kubernetes: openshift-docs enterprise-4.14 (PR 68605 and the 4.14 cherry-pick of
//   OCPBUGS-36674, PR 97566, modules/nw-ovn-kubernetes-features.adoc): the br-ex bridge and its
//   underlying interfaces must not be changed after installation; configuring the primary
//   interface (bonding included), creating sub-interfaces or VLANs on the primary interface, and
//   reusing it for additional networks are not supported.
// - OVN-Kubernetes localnet secondary networks for VMs (NAD type ovn-k8s-cni-overlay, topology
//   localnet, NNCP ovn.bridge-mappings onto br-ex) arrived in OpenShift Virtualization 4.15
//   (openshift-docs PR 71842, 4.15 virtualization release notes, "now supports the localnet
//   topology"; PR 70729 adds the procedure for 4.15+); 4.14 documents only the layer2 topology
//   for VMs (PR 64435, CNV-18089). ocpkit therefore offers no localnet network on 4.14: on
//   OVN-Kubernetes, VMs reach a physical network only through a Linux bridge on NICs that do not
//   carry br-ex (a second NIC pair, optionally a VLAN of it trunked by the switch).
// - OpenShift SDN does not put the uplink into an OVS bridge: a Linux bridge may take over the
//   interface that carries the node IP when the same policy moves the address onto the bridge
//   (the port keeps no IP): kubernetes-nmstate release-4.14 docs/examples/linux-bridge.yaml puts
//   `ipv4: {dhcp: true, enabled: true}` on the bridge over eth1. Copying a static
//   address with NNCP `capture` is documented as Technology Preview (openshift-docs PR 40886), so
//   ocpkit does not use it: a static address is written per node.

/** How the nodes of a group get their machine-network (node) address. */
export class MachineAddress {
  /** The nodes get their address by DHCP (reservations keep each node's address). */
  public static dhcp(): MachineAddress {
    return new MachineAddress('dhcp');
  }

  /**
   * One fixed address and default gateway. A static address belongs to one node, so the group
   * must hold exactly one node (`nodeNames: [name]`).
   */
  public static staticAddress(options: { readonly address: string; readonly gateway: string }): MachineAddress {
    return new MachineAddress('static', options?.address, options?.gateway);
  }

  private constructor(
    /** `dhcp` or `static`. */
    public readonly kind: 'dhcp' | 'static',
    /** The address with prefix length (static only). */
    public readonly address?: string,
    /** The default gateway (static only). */
    public readonly gateway?: string,
  ) {}

  /** @internal */
  public _check(p: Problems, field: string): void {
    if (this.kind !== 'static') return;
    const ok = p.check(`${field}.address`, this.address, addressWithPrefix);
    if (p.check(`${field}.gateway`, this.gateway, ipv4) && ok && !cidrContains(parseCidr(this.address)!, parseIpv4(this.gateway)!)) {
      p.add(`${field}.gateway`, `gateway "${this.gateway}" is outside "${this.address}"; the default gateway must be on the machine network`);
    }
  }

  /** The nmstate `ipv4` section of the interface that carries the address. @internal */
  public _ipv4(): Record<string, unknown> {
    if (this.kind === 'dhcp') return { enabled: true, dhcp: true };
    const c = this.address!.split('/');
    return { 'enabled': true, 'dhcp': false, 'address': [{ 'ip': c[0], 'prefix-length': Number(c[1]) }] };
  }

  /** @internal */
  public toString(): string {
    return this.kind === 'dhcp' ? 'DHCP' : `static ${this.address} via ${this.gateway}`;
  }
}

/** A physical NIC of the nodes of a {@link NodeGroup}. */
export interface NicProps {
  /** Interface name on the nodes (`ens1f0`, `eno1`); the same on every node of the group. */
  readonly name: string;
  /**
   * Largest MTU the link carries (the switch port's MTU).
   * @default 1500
   */
  readonly mtu?: number;
  /**
   * VLAN ids the switch port trunks to this NIC (tagged). Untagged (native VLAN) traffic is
   * always assumed; a network or VLAN sub-interface on a VLAN not listed on every NIC under it is
   * refused.
   * @default none (untagged only)
   */
  readonly vlans?: readonly number[];
}

/** A bond of a {@link NodeGroup}. */
export interface NodeBondProps {
  /** Bond interface name (`bond0`); at most 15 characters. */
  readonly name: string;
  /** Member NICs (names of the group's `nics`). At least one. */
  readonly ports: readonly string[];
  /** @default BondMode.ACTIVE_BACKUP */
  readonly mode?: BondMode;
  /**
   * MTU of the bond; at most the MTU of each member NIC.
   * @default the smallest MTU of its NICs
   */
  readonly mtu?: number;
  /** Link monitoring interval in milliseconds (`miimon`). @default 100 */
  readonly miimonMs?: number;
}

/** The interface that carries the node IP. */
export interface MachineNetworkProps {
  /**
   * The NIC or bond (one of the group's `nics` or `bonds`) that holds the node IP after
   * installation. On OVN-Kubernetes this is the port of `br-ex`; no policy may touch it.
   */
  readonly interface: string;
  /**
   * How the nodes get that address. Needed only when (on OpenShift SDN) a Linux bridge takes the
   * interface over: the policy then moves this address onto the bridge.
   * @default undefined (no bridge may take the interface over)
   */
  readonly address?: MachineAddress;
}

/** Properties of a {@link NodeGroup}. */
export interface NodeGroupProps {
  /** Name of the group; also the name of its NodeNetworkConfigurationPolicy (a DNS subdomain). */
  readonly name: string;
  /**
   * Labels that select exactly the nodes of the group (an NNCP selects by labels only). Required
   * unless `nodeNames` names a single node (then `kubernetes.io/hostname` selects it).
   * @default {"kubernetes.io/hostname": nodeNames[0]} for a one-node group
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /**
   * Names of the nodes in the group, when known: documentation, and the count a static machine
   * address needs (one node).
   * @default unknown
   */
  readonly nodeNames?: readonly string[];
  /**
   * Whether the group holds control-plane (etcd) nodes. Only one group may: its single policy,
   * with maxUnavailable 1, is what keeps two control-plane nodes from being reconfigured at once.
   */
  readonly controlPlane: boolean;
  /** The physical NICs every node of the group has. */
  readonly nics: readonly NicProps[];
  /**
   * Bonds of the nodes, those made at installation (the machine-network bond) and those the
   * policy creates for bridges.
   * @default none
   */
  readonly bonds?: readonly NodeBondProps[];
  /** Which interface carries the machine network (the node IP). */
  readonly machineNetwork: MachineNetworkProps;
  /**
   * Nodes reconfigured at a time. A control-plane group allows only 1.
   * @default 1
   */
  readonly maxUnavailable?: number | string;
}

interface Nic { readonly name: string; readonly mtu: number; readonly vlans: readonly number[] }
interface Bond { readonly name: string; readonly ports: readonly string[]; readonly mode: BondMode; readonly mtu: number; readonly miimonMs: number }

const groups = new WeakMap<Cluster, NodeGroup[]>();

/**
 * Nodes that share one network layout: their NICs, bonds, and which interface carries the
 * machine network (the node IP). HostBridges on the group (`new HostBridge(app, id, { nodes,
 * port, ... })`) are rendered together into ONE NodeNetworkConfigurationPolicy with
 * `maxUnavailable: 1`, so the group's nodes are reconfigured one at a time (kubernetes-nmstate
 * limits parallelism per policy only, and cannot order two policies).
 *
 * Rules checked at synth time: node groups must not share nodes; only one group may hold
 * control-plane nodes; once a cluster declares a NodeGroup, every HostBridge must be on one.
 * What may touch the machine network depends on the cluster's declared network type
 * (`platform.networkType`): see {@link HostBridge}.
 *
 * Primary object (`ApiObject.of(group)`, `Overrides.of(group)`): the policy (rendered once a
 * bridge is added).
 *
 * Emits: once a HostBridge is on it, into the folder of the app it is in a cluster-scoped
 * `nmstate.io/v1` NodeNetworkConfigurationPolicy named after the group, with `maxUnavailable: 1`:
 * the group's NICs, bonds, VLANs and bridges, and the machine network's address where a bridge
 * takes over its interface. Without a bridge it emits nothing.
 */
export class NodeGroup extends Construct {
  /** Every NodeGroup of a cluster, in definition order. */
  public static allIn(cluster: Cluster): readonly NodeGroup[] {
    return groups.get(cluster) ?? [];
  }

  public readonly groupName: string;
  public readonly nodeSelector: Readonly<Record<string, string>>;
  public readonly nodeNames: readonly string[] | undefined;
  public readonly controlPlane: boolean;
  /** Interface holding the node IP. */
  public readonly machineInterface: string;
  /** How the nodes get the machine address, when declared. */
  public readonly machineAddress: MachineAddress | undefined;
  public readonly cluster: Cluster;
  /** Name of the policy. */
  public readonly policyName: string;
  /** The cluster's network plugin, when its platform is declared. */
  public readonly networkType: NetworkType | undefined;
  private readonly maxUnavailable: number | string;
  private readonly nics = new Map<string, Nic>();
  private readonly bonds = new Map<string, Bond>();
  private readonly bridges: HostBridge[] = [];
  private policy?: NodeNetworkConfigurationPolicy;

  constructor(scope: Construct, id: string, props: NodeGroupProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    p.check('name', props.name, dnsSubdomain);
    if (typeof props.controlPlane !== 'boolean') p.add('controlPlane', `${show(props.controlPlane)} must be true or false (does the group hold control-plane nodes?)`);
    const names = listProp<string>(p, 'nodeNames', props.nodeNames, '["node-1"]');
    names.forEach((n, i) => p.check(`nodeNames[${i}]`, n, dnsSubdomain));
    for (const d of duplicates(names)) p.add('nodeNames', `node "${d}" is listed twice`);
    let sel = props.nodeSelector;
    if (sel === undefined && names.length === 1) sel = { 'kubernetes.io/hostname': names[0] };
    if (sel === undefined || sel === null || typeof sel !== 'object' || Object.keys(sel).length === 0) {
      p.add('nodeSelector', `${show(sel)} is empty; select the group's nodes by label (an NMState policy selects by labels only), for example {"node-role.kubernetes.io/master": ""}, or name a single node in nodeNames`);
    } else {
      for (const [k, v] of Object.entries(sel)) {
        p.check('nodeSelector', k, labelKey);
        p.check(`nodeSelector.${k}`, v, labelValue);
      }
    }
    if (props.maxUnavailable !== undefined) {
      const mu = props.maxUnavailable;
      const ok = (typeof mu === 'number' && Number.isInteger(mu) && mu >= 1) || (typeof mu === 'string' && /^([1-9]\d?|100)%$/.test(mu));
      if (!ok) p.add('maxUnavailable', `${show(mu)} must be a whole number of nodes (1 or more) or a percentage such as "25%"`);
      else if (props.controlPlane === true && mu !== 1) {
        p.add('maxUnavailable', `${show(mu)} is not allowed on a control-plane group; only 1 is (kubernetes-nmstate rounds percentages up: "50%" of 3 nodes is 2, and two control-plane nodes reconfigured at once can cost etcd its quorum)`);
      }
    }

    // NICs
    listProp<NicProps>(p, 'nics', props.nics, '[{ name: "ens1f0", mtu: 9000 }]').forEach((n, i) => {
      const f = `nics[${i}]`;
      if (!p.check(`${f}.name`, n?.name, interfaceName)) return;
      if (n.mtu !== undefined) p.check(`${f}.mtu`, n.mtu, mtuRule);
      const vlans = listProp<number>(p, `${f}.vlans`, n.vlans, '[100, 200]');
      vlans.forEach((v, j) => p.check(`${f}.vlans[${j}]`, v, vlanId));
      for (const d of duplicates(vlans)) p.add(`${f}.vlans`, `VLAN ${d} is listed twice`);
      if (this.nics.has(n.name)) p.add(`${f}.name`, `NIC "${n.name}" is listed twice`);
      this.nics.set(n.name, { name: n.name, mtu: n.mtu ?? 1500, vlans: [...vlans] });
    });
    if (this.nics.size === 0 && Array.isArray(props.nics)) p.add('nics', 'lists no NIC; name the physical NICs of the nodes (for example [{ name: "ens1f0", mtu: 9000 }])');

    // Bonds
    const portOf = new Map<string, string>();
    listProp<NodeBondProps>(p, 'bonds', props.bonds, '[{ name: "bond0", ports: ["ens1f0", "ens1f1"] }]').forEach((b, i) => {
      const f = `bonds[${i}]`;
      if (!p.check(`${f}.name`, b?.name, interfaceName)) return;
      if (this.nics.has(b.name) || this.bonds.has(b.name)) p.add(`${f}.name`, `"${b.name}" is already the name of a NIC or bond of this group`);
      const ports = listProp<string>(p, `${f}.ports`, b.ports, '["ens1f0", "ens1f1"]');
      if (ports.length === 0) p.add(`${f}.ports`, `${show(b.ports)} must list at least one member NIC`);
      for (const d of duplicates(ports)) p.add(`${f}.ports`, `NIC "${d}" is listed twice`);
      let ok = ports.length > 0;
      for (const port of ports) {
        if (!this.nics.has(port)) {
          p.add(`${f}.ports`, `"${port}" is not a NIC of this group; bond ports must be listed in nics (${[...this.nics.keys()].map((x) => `"${x}"`).join(', ') || 'none'})`);
          ok = false;
        } else if (portOf.has(port) && portOf.get(port) !== b.name) {
          p.add(`${f}.ports`, `NIC "${port}" is already a port of bond "${portOf.get(port)}"; a NIC can belong to one bond only`);
          ok = false;
        } else {
          portOf.set(port, b.name);
        }
      }
      if (b.mode !== undefined) p.check(`${f}.mode`, b.mode, oneOf(Object.values(BondMode)));
      if (b.miimonMs !== undefined) p.check(`${f}.miimonMs`, b.miimonMs, intRange(0, 60000));
      if (!ok) return;
      const smallest = Math.min(...ports.map((x) => this.nics.get(x)!.mtu));
      let mtu = smallest;
      if (b.mtu !== undefined && p.check(`${f}.mtu`, b.mtu, mtuRule)) {
        mtu = b.mtu;
        for (const x of ports) {
          const nic = this.nics.get(x)!;
          if (b.mtu > nic.mtu) p.add(`${f}.mtu`, `bond MTU ${b.mtu} is larger than the MTU ${nic.mtu} of its NIC "${x}"; the bond MTU must be at most the MTU of every member NIC`);
        }
      }
      this.bonds.set(b.name, { name: b.name, ports: [...ports], mode: b.mode ?? BondMode.ACTIVE_BACKUP, mtu, miimonMs: b.miimonMs ?? 100 });
    });

    // Machine network
    const mn = props.machineNetwork;
    if (!mn || typeof mn !== 'object') {
      p.add('machineNetwork', `${show(mn)} must name the interface that carries the node IP, for example { interface: "bond0" }`);
    } else {
      if (!this.nics.has(mn.interface) && !this.bonds.has(mn.interface)) {
        p.add('machineNetwork.interface', `${show(mn.interface)} is not a NIC or bond of this group; name the interface that carries the node IP (one of ${[...this.nics.keys(), ...this.bonds.keys()].map((x) => `"${x}"`).join(', ') || 'none'})`);
      } else if (portOf.has(mn.interface)) {
        p.add('machineNetwork.interface', `NIC "${mn.interface}" is a port of bond "${portOf.get(mn.interface)}", so it cannot hold the node IP; name the bond`);
      }
      if (mn.address !== undefined) {
        if (!(mn.address instanceof MachineAddress)) {
          p.add('machineNetwork.address', `${show(mn.address)} is not a MachineAddress; use MachineAddress.dhcp() or MachineAddress.staticAddress({ address, gateway })`);
        } else {
          mn.address._check(p, 'machineNetwork.address');
          if (mn.address.kind === 'static' && names.length !== 1) {
            p.add('machineNetwork.address', `a static address belongs to one node, and an NMState policy gives every node it selects the same configuration; give this group exactly one node (nodeNames: ["<node>"]), or use MachineAddress.dhcp() (now: ${names.length === 0 ? 'nodeNames not set' : `${names.length} nodes`})`);
          }
        }
      }
    }
    if (Tenant.enclosing(this)) {
      p.add('', 'a NodeGroup renders a cluster-scoped NodeNetworkConfigurationPolicy and cannot be defined inside a Tenant; define it in a platform GitOpsApp (for example "network")');
    } else if (!GitOpsApp.enclosing(this)) {
      p.add('', 'a NodeGroup must be defined inside a GitOpsApp (for example new GitOpsApp(cluster, "Network", { name: "network" }))');
    }
    p.throwIfAny();

    this.groupName = props.name;
    this.policyName = props.name;
    this.nodeSelector = { ...sel! };
    this.nodeNames = props.nodeNames ? [...names] : undefined;
    this.controlPlane = props.controlPlane;
    this.machineInterface = mn.interface;
    this.machineAddress = mn.address;
    this.maxUnavailable = props.maxUnavailable ?? 1;
    this.cluster = Cluster.of(this);
    this.networkType = Platform.of(this)?.networkType;
    const list = groups.get(this.cluster) ?? [];
    list.push(this);
    groups.set(this.cluster, list);
    this.node.addValidation({ validate: () => this.checkAgainstOthers() });
  }

  /** Names of the group's NICs. */
  public get nicNames(): readonly string[] {
    return [...this.nics.keys()];
  }

  /** Names of the group's bonds. */
  public get bondNames(): readonly string[] {
    return [...this.bonds.keys()];
  }

  /** True when `name` is a NIC of the group. */
  public isNic(name: string): boolean {
    return this.nics.has(name);
  }

  /** True when `name` is a bond of the group. */
  public isBond(name: string): boolean {
    return this.bonds.has(name);
  }

  /** The bond a NIC belongs to, if any. */
  public bondOf(nic: string): string | undefined {
    for (const b of this.bonds.values()) if (b.ports.includes(nic)) return b.name;
    return undefined;
  }

  /** The physical NICs under a NIC or bond. */
  public nicsUnder(name: string): readonly string[] {
    const b = this.bonds.get(name);
    if (b) return b.ports;
    return this.nics.has(name) ? [name] : [];
  }

  /** MTU of a NIC or bond of the group. */
  public mtuOf(name: string): number {
    return this.bonds.get(name)?.mtu ?? this.nics.get(name)?.mtu ?? 1500;
  }

  /** VLANs the switch trunks to a NIC. */
  public vlansOf(nic: string): readonly number[] {
    return this.nics.get(nic)?.vlans ?? [];
  }

  /** The NICs that carry the node IP (the machine-network NIC, or the ports of its bond). */
  public get machineNics(): readonly string[] {
    return this.nicsUnder(this.machineInterface);
  }

  /** True when some node could be in both groups (no label with differing values; no common name when both list names). */
  public mayShareNodesWith(other: NodeGroup): boolean {
    if (this.nodeNames && other.nodeNames && !this.nodeNames.some((n) => other.nodeNames!.includes(n))) return false;
    return selectorsMayOverlap(this.nodeSelector, other.nodeSelector);
  }

  /** The HostBridges on this group, in definition order. */
  public get hostBridges(): readonly HostBridge[] {
    return [...this.bridges];
  }

  /**
   * Adds a bridge to the group's policy (called by HostBridge) and returns the policy.
   * @internal
   */
  public _register(bridge: HostBridge): NodeNetworkConfigurationPolicy {
    this.bridges.push(bridge);
    if (!this.policy) {
      this.policy = new NodeNetworkConfigurationPolicy(this, 'Resource', {
        metadata: { name: this.policyName },
        spec: {
          nodeSelector: { ...this.nodeSelector },
          maxUnavailable: typeof this.maxUnavailable === 'number'
            ? NodeNetworkConfigurationPolicySpecMaxUnavailable.fromNumber(this.maxUnavailable)
            : NodeNetworkConfigurationPolicySpecMaxUnavailable.fromString(this.maxUnavailable),
          desiredState: Lazy.any({ produce: () => this.desiredState() }),
        },
      });
      this.node.defaultChild = this.policy;
    }
    return this.policy;
  }

  /** The policy's desired state: every NIC, bond, VLAN and bridge the group's bridges use. */
  private desiredState(): Record<string, unknown> {
    const noIp = { enabled: false };
    const interfaces: Record<string, unknown>[] = [];
    const done = new Set<string>();
    const routes: Record<string, unknown>[] = [];
    const addLink = (name: string) => {
      if (done.has(name)) return;
      done.add(name);
      const b = this.bonds.get(name);
      if (b) {
        interfaces.push({
          'name': b.name, 'type': 'bond', 'state': 'up', 'mtu': b.mtu, 'ipv4': noIp, 'ipv6': noIp,
          'link-aggregation': { mode: b.mode, options: { miimon: String(b.miimonMs) }, port: [...b.ports] },
        });
      } else {
        interfaces.push({ name, type: 'ethernet', state: 'up', mtu: this.mtuOf(name), ipv4: noIp, ipv6: noIp });
      }
    };
    for (const br of this.bridges) {
      if (br.uplinkVlan !== undefined) {
        // A VLAN on the machine-network interface (OpenShift SDN only) leaves that interface and
        // its address alone: it is not rendered.
        if (br.bondName !== this.machineInterface) addLink(br.bondName);
        if (!done.has(br.uplink)) {
          done.add(br.uplink);
          interfaces.push({ 'name': br.uplink, 'type': 'vlan', 'state': 'up', 'mtu': br.uplinkMtu, 'vlan': { 'base-iface': br.bondName, 'id': br.uplinkVlan }, 'ipv4': noIp, 'ipv6': noIp });
        }
      } else {
        addLink(br.uplink);
      }
      const carries = br.carriesMachineNetwork && this.machineAddress;
      interfaces.push({
        name: br.bridgeName,
        ...(br.description ? { description: br.description } : {}),
        type: 'linux-bridge',
        state: 'up',
        mtu: br.mtu,
        ipv4: carries ? this.machineAddress!._ipv4() : noIp,
        ipv6: noIp,
        bridge: { options: { stp: { enabled: br.stp } }, port: [{ name: br.uplink }] },
      });
      if (carries && this.machineAddress!.kind === 'static') {
        routes.push({ 'destination': '0.0.0.0/0', 'next-hop-address': this.machineAddress!.gateway, 'next-hop-interface': br.bridgeName });
      }
    }
    return routes.length ? { interfaces, routes: { config: routes } } : { interfaces };
  }

  private checkAgainstOthers(): string[] {
    const out: string[] = [];
    const all = NodeGroup.allIn(this.cluster);
    const mine = all.indexOf(this);
    for (const other of all.slice(0, mine)) {
      const where = `${other.node.path} (policy "${other.policyName}")`;
      if (this.controlPlane && other.controlPlane) {
        out.push(`controlPlane: control-plane nodes are already configured by ${where}; kubernetes-nmstate limits maxUnavailable per policy and cannot order two policies, so two policies could reconfigure two control-plane nodes at once (etcd loses quorum on a 3-node cluster); put every control-plane node in one NodeGroup`);
      } else if (this.mayShareNodesWith(other)) {
        out.push(`nodeSelector: ${JSON.stringify(this.nodeSelector)} may select the same nodes as ${where}; two policies on one node are applied independently of each other; make the node groups disjoint (a label both select with different values)`);
      }
    }
    return out;
  }
}
