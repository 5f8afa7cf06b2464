import { Construct } from 'constructs';
import {
  NodeNetworkConfigurationPolicy,
  NodeNetworkConfigurationPolicySpecMaxUnavailable,
} from '../../imports/nmstate-nncp-nmstate.io';
import { Problems, show } from '../core/errors';
import { dnsSubdomain, duplicates, intRange, oneOf } from '../core/rules';
import { Cluster } from '../gitops/cluster';
import { interfaceName, mtu as mtuRule, selectorsMayOverlap, vlanId } from './_rules';
import { Tenant } from '../tenancy/tenant';
import { GitOpsApp } from '../gitops/gitops-app';
import { BondMode } from './bond-mode';
import { NodeGroup } from './node-group';

export { BondMode };

/** The bond a {@link HostBridge} sits on. */
export interface BondOptions {
  /** Bond interface name (`bond0`); at most 15 characters. */
  readonly name: string;
  /** Member NICs, as named on the nodes (`eno1`, `ens2f0`). At least one; usually two. */
  readonly ports: readonly string[];
  /**
   * Bonding mode.
   * @default BondMode.ACTIVE_BACKUP
   */
  readonly mode?: BondMode;
  /**
   * MTU of the bond (its ports follow it). Must be at least the bridge MTU.
   * @default the bridge MTU, else 1500
   */
  readonly mtu?: number;
  /**
   * Link monitoring interval in milliseconds (`miimon`); 0 turns link monitoring off.
   * @default 100
   */
  readonly miimonMs?: number;
}

/** Properties of a {@link HostBridge}. */
export interface HostBridgeProps {
  /** Linux bridge name (`br0-internal`); at most 15 characters. BridgeNetworks refer to it. */
  readonly bridgeName: string;
  /**
   * The node group the bridge is on. The bridge is then rendered into the group's one policy,
   * its port is one of the group's NICs or bonds (`port`), and the machine-network rule of the
   * cluster's network type is checked. Without it (the older form) the HostBridge renders its own
   * policy from `bond` and `nodeSelector`, and nothing is known about the node IP; a cluster
   * that declares a NodeGroup refuses such bridges.
   * @default none (own policy from `bond` and `nodeSelector`)
   */
  readonly nodes?: NodeGroup;
  /**
   * With `nodes`: the NIC or bond of the group that becomes the bridge's port (a single NIC
   * needs no bond).
   */
  readonly port?: string;
  /**
   * With `nodes`: put the bridge on the VLAN sub-interface `<port>.<vlan>` instead of the port
   * itself; the switch must trunk the VLAN to every NIC under the port (their `vlans`).
   * @default untagged (the bridge sits on the port)
   */
  readonly vlan?: number;
  /** Without `nodes`: the bond that becomes the bridge's only port. */
  readonly bond?: BondOptions;
  /**
   * MTU of the bridge. At most the MTU of the interface under it.
   * @default the MTU of the interface under it (without `nodes`: the bond MTU, else 1500)
   */
  readonly mtu?: number;
  /**
   * Spanning Tree Protocol on the bridge.
   * @default false
   */
  readonly stp?: boolean;
  /**
   * Without `nodes`: labels selecting the nodes that get the bond and bridge. Must not be empty:
   * an empty selector would reconfigure the network of every node, control plane included.
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /**
   * Without `nodes`: name of the NodeNetworkConfigurationPolicy.
   * @default the bridge name
   */
  readonly policyName?: string;
  /**
   * Without `nodes`: how many matching nodes NMState reconfigures at a time (a count or a
   * percentage such as "50%"). With `nodes`, the NodeGroup sets it.
   * @default NMState's default ("50%", rounded up)
   */
  readonly maxUnavailable?: number | string;
  /**
   * Human-readable description put on the bridge interface.
   * @default none
   */
  readonly description?: string;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(|[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;

const registry = new WeakMap<Cluster, HostBridge[]>();

/**
 * A Linux bridge on the nodes, for VMs: BridgeNetworks (NetworkAttachmentDefinitions) attach VM
 * interfaces to it.
 *
 * On a {@link NodeGroup} (`nodes`, `port`, optional `vlan`) the bridge sits on one of the group's
 * NICs or bonds, or on a VLAN sub-interface of one, and is rendered into the group's single
 * policy. What it may do with the interface that carries the node IP depends on the cluster's
 * declared network type:
 * - OVN-Kubernetes: that interface is the port of `br-ex`, made at installation; the bridge may
 *   not use it, a bond of its NICs, or a VLAN on it (not supported on OpenShift 4.14; see
 *   lib/network/node-group.ts for the sources). Put the bridge on other NICs.
 * - OpenShift SDN: the bridge may take the interface over only when the group declares
 *   `machineNetwork.address`; the policy then moves that address (DHCP or static) onto the bridge
 *   and leaves the port without one. A VLAN sub-interface on it keeps the address where it is.
 * Anything that would leave a node without its address is refused.
 *
 * Without `nodes` (the older form) the bridge renders its own policy on a bond (`bond`,
 * `nodeSelector`); nothing is then known about the node IP or the other policies.
 *
 * The policy is cluster scoped, so a HostBridge must live in a platform GitOpsApp (such as
 * `network`), never in a Tenant.
 *
 * Primary object (`ApiObject.of(bridge)`, `Overrides.of(bridge)`): its own
 * NodeNetworkConfigurationPolicy. A bridge on a NodeGroup has none: it is rendered into the
 * group's policy (`resource`), which `Overrides.of(nodeGroup)` patches.
 *
 * @example
 * Emits: without `nodes`, into its platform app's folder a cluster-scoped `nmstate.io/v1`
 * NodeNetworkConfigurationPolicy named after the bridge (`br0-internal`; `policyName` overrides)
 * that makes the bond and the Linux bridge on the selected nodes, without IP addresses. On a
 * NodeGroup it emits nothing itself: the bridge is added to the group's one policy.
 * ```ts
 * import { BondMode, GitOpsApp, HostBridge, SyncWave } from 'ocpkit';
 * import type { Cluster } from 'ocpkit';
 *
 * export function addInternalBridge(cluster: Cluster): HostBridge {
 *   const network = new GitOpsApp(cluster, 'Network', { name: 'network', syncWave: SyncWave.CONFIG });
 *   return new HostBridge(network, 'Internal', {
 *     bridgeName: 'br0-internal',
 *     mtu: 9000,
 *     bond: { name: 'bond0', ports: ['ens1f0', 'ens1f1'], mode: BondMode.LACP, mtu: 9000 },
 *     nodeSelector: { 'node-role.kubernetes.io/worker': '' },
 *   });
 * }
 * ```
 * @see https://nmstate.io/kubernetes-nmstate/examples.html
 */
export class HostBridge extends Construct {
  /** Every HostBridge defined in a cluster, in definition order. */
  public static allIn(cluster: Cluster): readonly HostBridge[] {
    return registry.get(cluster) ?? [];
  }

  /** Name of the Linux bridge. */
  public readonly bridgeName: string;
  /** MTU of the bridge. */
  public readonly mtu: number;
  /**
   * Name of the bond (on a NodeGroup: the NIC or bond) under the bridge, or under its VLAN
   * sub-interface.
   */
  public readonly bondName: string;
  /** MTU of the bond (on a NodeGroup: of the NIC or bond under the bridge). */
  public readonly bondMtu: number;
  /** The physical NICs under the bridge. */
  public readonly ports: readonly string[];
  /** Node selector of the policy. */
  public readonly nodeSelector: Readonly<Record<string, string>>;
  /** Name of the NodeNetworkConfigurationPolicy. */
  public readonly policyName: string;
  /** The cluster this bridge is defined in. */
  public readonly cluster: Cluster;
  /** The NodeNetworkConfigurationPolicy (on a NodeGroup: the group's). */
  public readonly resource: NodeNetworkConfigurationPolicy;
  /** The node group, when the bridge is on one. */
  public readonly nodes: NodeGroup | undefined;
  /** The interface that is the bridge's port: the NIC or bond, or `<port>.<vlan>`. */
  public readonly uplink: string;
  /** MTU of {@link uplink}. */
  public readonly uplinkMtu: number;
  /** The VLAN of the sub-interface under the bridge, when it sits on one. */
  public readonly uplinkVlan: number | undefined;
  /** True when the bridge holds the node IP (OpenShift SDN, the group's address moved onto it). */
  public readonly carriesMachineNetwork: boolean;
  /** Spanning Tree Protocol on. */
  public readonly stp: boolean;
  /** Description of the bridge interface. */
  public readonly description: string | undefined;

  constructor(scope: Construct, id: string, props: HostBridgeProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    p.check('bridgeName', props.bridgeName, interfaceName);
    if (props.mtu !== undefined) p.check('mtu', props.mtu, mtuRule);
    if (props.stp !== undefined && typeof props.stp !== 'boolean') p.add('stp', `${show(props.stp)} must be true or false`);
    if (Tenant.enclosing(this)) {
      p.add('', 'a HostBridge creates a cluster-scoped NodeNetworkConfigurationPolicy and cannot be defined inside a Tenant; define it in a platform GitOpsApp (for example "network")');
    } else if (!GitOpsApp.enclosing(this)) {
      p.add('', 'a HostBridge must be defined inside a GitOpsApp (for example new GitOpsApp(cluster, "Network", { name: "network" }))');
    }
    this.stp = props.stp ?? false;
    this.description = props.description;
    this.bridgeName = props.bridgeName;
    this.cluster = Cluster.of(this);

    if (props.nodes !== undefined) {
      const g = props.nodes;
      if (!(g instanceof NodeGroup)) {
        p.add('nodes', `${show(g)} is not a NodeGroup; pass the NodeGroup construct of the nodes the bridge is on`);
        p.throwIfAny();
      }
      const r = this.checkOnGroup(p, g, props);
      p.throwIfAny();
      this.nodes = g;
      this.bondName = props.port!;
      this.bondMtu = g.mtuOf(props.port!);
      this.uplink = r.uplink;
      this.uplinkMtu = r.uplinkMtu;
      this.uplinkVlan = props.vlan;
      this.mtu = props.mtu ?? r.uplinkMtu;
      this.ports = [...g.nicsUnder(props.port!)];
      this.nodeSelector = { ...g.nodeSelector };
      this.policyName = g.policyName;
      this.carriesMachineNetwork = r.takesOver;
      // The policy belongs to the group (shared with its other bridges): no primary object here;
      // Overrides.of(nodeGroup) patches it.
      this.resource = g._register(this);
    } else {
      const bond = (props.bond ?? {}) as BondOptions;
      for (const f of ['port', 'vlan'] as const) {
        if (props[f] !== undefined) p.add(f, `is only used on a NodeGroup (nodes:); without one the bridge sits on its bond`);
      }
      p.check('bond.name', bond.name, interfaceName);
      if (bond.name !== undefined && bond.name === props.bridgeName) p.add('bond.name', `${show(bond.name)} is also the bridge name; the bond and the bridge need different names`);
      if (!Array.isArray(bond.ports) || bond.ports.length === 0) {
        p.add('bond.ports', `${show(bond.ports)} must list at least one member NIC (for example ["eno1", "eno2"])`);
      } else {
        bond.ports.forEach((port, i) => p.check(`bond.ports[${i}]`, port, interfaceName));
        for (const d of duplicates(bond.ports)) p.add('bond.ports', `NIC "${d}" is listed twice`);
        for (const n of bond.ports) {
          if (n === props.bridgeName || n === bond.name) p.add('bond.ports', `NIC "${n}" has the name of the bridge or bond itself`);
        }
      }
      if (bond.mode !== undefined) p.check('bond.mode', bond.mode, oneOf(Object.values(BondMode)));
      if (bond.miimonMs !== undefined) p.check('bond.miimonMs', bond.miimonMs, intRange(0, 60000));
      if (bond.mtu !== undefined) p.check('bond.mtu', bond.mtu, mtuRule);
      const bridgeMtu = props.mtu ?? bond.mtu ?? 1500;
      const bondMtu = bond.mtu ?? props.mtu ?? 1500;
      if (typeof bridgeMtu === 'number' && typeof bondMtu === 'number' && bridgeMtu > bondMtu) {
        p.add('mtu', `bridge MTU ${bridgeMtu} is larger than the MTU ${bondMtu} of bond "${bond.name}"; the bridge MTU must be at most the bond MTU`);
      }
      const sel = props.nodeSelector;
      if (sel === undefined || sel === null || typeof sel !== 'object' || Object.keys(sel).length === 0) {
        p.add('nodeSelector', `${show(sel)} is empty; an NMState policy without a node selector reconfigures every node (control plane included). Select the nodes explicitly, for example {"node-role.kubernetes.io/worker": ""}`);
      } else {
        for (const [k, v] of Object.entries(sel)) {
          if (!LABEL_KEY.test(k)) p.add(`nodeSelector`, `${show(k)} is not a label key`);
          if (typeof v !== 'string' || !LABEL_VALUE.test(v)) p.add(`nodeSelector.${k}`, `${show(v)} is not a label value (at most 63 letters, digits, '-', '_', '.'; may be empty)`);
        }
      }
      if (props.policyName !== undefined) p.check('policyName', props.policyName, dnsSubdomain);
      if (props.maxUnavailable !== undefined) {
        const mu = props.maxUnavailable;
        const ok = (typeof mu === 'number' && Number.isInteger(mu) && mu >= 1) || (typeof mu === 'string' && /^([1-9]\d?|100)%$/.test(mu));
        if (!ok) p.add('maxUnavailable', `${show(mu)} must be a whole number of nodes (1 or more) or a percentage such as "50%"`);
      }
      p.throwIfAny();

      this.nodes = undefined;
      this.mtu = bridgeMtu;
      this.bondName = bond.name;
      this.bondMtu = bondMtu;
      this.uplink = bond.name;
      this.uplinkMtu = bondMtu;
      this.uplinkVlan = undefined;
      this.carriesMachineNetwork = false;
      this.ports = [...bond.ports];
      this.nodeSelector = { ...sel! };
      this.policyName = props.policyName ?? props.bridgeName.toLowerCase().replace(/[_.]/g, '-');

      const noIp = { enabled: false };
      const desiredState = {
        interfaces: [
          {
            'name': bond.name,
            'type': 'bond',
            'state': 'up',
            'mtu': bondMtu,
            'ipv4': noIp,
            'ipv6': noIp,
            'link-aggregation': {
              mode: bond.mode ?? BondMode.ACTIVE_BACKUP,
              options: { miimon: String(bond.miimonMs ?? 100) },
              port: [...bond.ports],
            },
          },
          {
            'name': props.bridgeName,
            ...(props.description ? { description: props.description } : {}),
            'type': 'linux-bridge',
            'state': 'up',
            'mtu': bridgeMtu,
            'ipv4': noIp,
            'ipv6': noIp,
            'bridge': {
              options: { stp: { enabled: this.stp } },
              port: [{ name: bond.name }],
            },
          },
        ],
      };
      this.resource = new NodeNetworkConfigurationPolicy(this, 'Resource', {
        metadata: { name: this.policyName },
        spec: {
          nodeSelector: { ...sel },
          maxUnavailable: props.maxUnavailable === undefined ? undefined
            : typeof props.maxUnavailable === 'number'
              ? NodeNetworkConfigurationPolicySpecMaxUnavailable.fromNumber(props.maxUnavailable)
              : NodeNetworkConfigurationPolicySpecMaxUnavailable.fromString(props.maxUnavailable),
          desiredState,
        },
      });
    }

    const list = registry.get(this.cluster) ?? [];
    list.push(this);
    registry.set(this.cluster, list);
    this.node.addValidation({ validate: () => this.checkAgainstOthers() });
  }

  /**
   * The interfaces from the bridge down to the NICs, for messages:
   * `br0-internal → bond0 → ens1f0, ens1f1`.
   */
  public get path(): string {
    const steps = [this.bridgeName, this.uplink];
    if (this.uplink !== this.bondName) steps.push(this.bondName);
    const nics = this.ports.filter((n) => n !== steps[steps.length - 1]);
    return nics.length ? `${steps.join(' → ')} → ${nics.join(', ')}` : steps.join(' → ');
  }

  /** True when some node could carry both this bridge and `other` (no label key with differing values). */
  public mayShareNodesWith(other: HostBridge): boolean {
    if (this.nodes && other.nodes) return this.nodes === other.nodes || this.nodes.mayShareNodesWith(other.nodes);
    return selectorsMayOverlap(this.nodeSelector, other.nodeSelector);
  }

  /** Port, VLAN, MTU and the machine-network rule on a NodeGroup. */
  private checkOnGroup(p: Problems, g: NodeGroup, props: HostBridgeProps): { uplink: string; uplinkMtu: number; takesOver: boolean } {
    const none = { uplink: '', uplinkMtu: 1500, takesOver: false };
    for (const f of ['bond', 'nodeSelector', 'policyName', 'maxUnavailable'] as const) {
      if (props[f] !== undefined) p.add(f, `is set by the NodeGroup ${g.node.path}; a bridge on a NodeGroup names its port instead (port:)`);
    }
    const port = props.port;
    const known = [...g.nicNames, ...g.bondNames].map((x) => `"${x}"`).join(', ');
    if (typeof port !== 'string' || (!g.isNic(port) && !g.isBond(port))) {
      p.add('port', `${show(port)} is not a NIC or bond of ${g.node.path}; use one of ${known}`);
      return none;
    }
    const bondOfPort = g.isNic(port) ? g.bondOf(port) : undefined;
    if (bondOfPort) {
      p.add('port', `NIC "${port}" is a port of bond "${bondOfPort}"; a NIC in a bond cannot also be a bridge port (use the bond)`);
      return none;
    }
    if (port === props.bridgeName) p.add('port', `"${port}" is also the bridge name`);
    let uplink = port;
    let uplinkMtu = g.mtuOf(port);
    if (props.vlan !== undefined && p.check('vlan', props.vlan, vlanId)) {
      uplink = `${port}.${props.vlan}`;
      p.check('vlan', uplink, (v) => (interfaceName(v) ? `the VLAN sub-interface name ${interfaceName(v)}; use a shorter port name` : undefined));
      for (const nic of g.nicsUnder(port)) {
        if (!g.vlansOf(nic).includes(props.vlan)) {
          p.add('vlan', `VLAN ${props.vlan} is not trunked to NIC "${nic}" (under "${port}"; its vlans: ${g.vlansOf(nic).join(', ') || 'none'}); add it to the NIC's vlans once the switch port carries it`);
        }
      }
    }
    if (props.mtu !== undefined && typeof props.mtu === 'number' && props.mtu > uplinkMtu) {
      p.add('mtu', `bridge MTU ${props.mtu} is larger than the MTU ${uplinkMtu} of "${port}" (NICs: ${g.nicsUnder(port).map((n) => `${n} ${g.mtuOf(n)}`).join(', ')}); the bridge MTU must be at most the MTU of the interface under it`);
    }
    // The machine-network (node IP) rule.
    const machine = g.machineInterface;
    const touches = g.nicsUnder(port).some((n) => g.machineNics.includes(n));
    let takesOver = false;
    if (touches) {
      const what = props.vlan !== undefined ? `a VLAN sub-interface on "${port}"` : `"${port}" as the bridge port`;
      // OpenShift SDN must be declared for the bridge to touch the node IP; an undeclared network
      // type gets OpenShift 4.14's default (OVN-Kubernetes) rule.
      if (g.networkType !== 'OpenShiftSDN') {
        const others = [...g.nicNames.filter((n) => !g.machineNics.includes(n) && !g.bondOf(n)), ...g.bondNames.filter((b) => !g.nicsUnder(b).some((n) => g.machineNics.includes(n)))];
        p.add(props.vlan !== undefined ? 'vlan' : 'port', `${what} touches "${machine}", which carries the machine network (node IP) and is the uplink of br-ex under OVN-Kubernetes; OpenShift 4.14 supports no NMState change, bond, VLAN or bridge on it (and no localnet network for VMs before 4.15); put the bridge on NICs that do not carry the machine network (${others.length ? `here: ${others.map((x) => `"${x}"`).join(', ')}` : 'this group has none'})`);
      } else if (props.vlan === undefined) {
        // The group's invariants (a NIC in one bond at most, the machine NIC in none, no bonded
        // NIC as a port) leave one way to touch the machine network here: port === machine.
        if (!g.machineAddress) {
          p.add('port', `"${port}" carries the machine network (node IP); as the bridge port it loses its address, so the policy would leave every node of ${g.node.path} without its address; declare how the nodes get it (machineNetwork.address: MachineAddress.dhcp() or MachineAddress.staticAddress({ address, gateway })) and the policy moves it onto "${props.bridgeName}"`);
        } else {
          const taken = g.hostBridges.find((b) => b.carriesMachineNetwork);
          if (taken) p.add('port', `the machine network of ${g.node.path} is already carried by bridge "${taken.bridgeName}" (${taken.node.path})`);
          takesOver = true;
        }
      }
      // OpenShift SDN with a VLAN: a sub-interface on the machine-network interface leaves that
      // interface and its address alone.
    }
    for (const other of g.hostBridges) {
      if (other.bridgeName === props.bridgeName) p.add('bridgeName', `bridge "${props.bridgeName}" is already on ${g.node.path} (${other.node.path})`);
      if (other.uplink === uplink) p.add(props.vlan !== undefined ? 'vlan' : 'port', `"${uplink}" is already the port of bridge "${other.bridgeName}" (${other.node.path}); an interface can be the port of one bridge only`);
      else if (props.vlan === undefined && other.bondName === port && other.uplinkVlan !== undefined) {
        p.add('port', `"${port}" carries VLAN sub-interface "${other.uplink}" of bridge "${other.bridgeName}" (${other.node.path}); put this bridge on a VLAN of it too, or untagged on another interface`);
      } else if (props.vlan !== undefined && other.uplink === port) {
        p.add('vlan', `"${port}" is the port of bridge "${other.bridgeName}" (${other.node.path}); a VLAN of an enslaved interface does not get traffic, give this network a VLAN on that bridge (BridgeNetwork vlan:) instead`);
      }
    }
    return { uplink, uplinkMtu, takesOver };
  }

  /** Two HostBridges on the same nodes must not create the same bridge or bond, or take the same NIC. */
  private checkAgainstOthers(): string[] {
    const out: string[] = [];
    const groupsInCluster = NodeGroup.allIn(this.cluster);
    if (!this.nodes && groupsInCluster.length > 0) {
      out.push(`nodes: this cluster declares its nodes (${groupsInCluster.map((g) => g.node.path).join(', ')}); a HostBridge must be on a NodeGroup (nodes:, port:) so its policy, the node IP and the rollout can be checked`);
    }
    const all = HostBridge.allIn(this.cluster);
    const mine = all.indexOf(this);
    for (const other of all.slice(0, mine)) {
      if (this.nodes && other.nodes) continue; // the NodeGroup checks its own bridges
      if (!this.mayShareNodesWith(other)) continue;
      const where = `${other.node.path} (policy "${other.policyName}")`;
      if (other.bridgeName === this.bridgeName) out.push(`bridgeName: bridge "${this.bridgeName}" is also created by ${where} on the same nodes; give each bridge its own name or disjoint node selectors`);
      if (other.bondName === this.bondName) out.push(`bond.name: bond "${this.bondName}" is also created by ${where} on the same nodes`);
      for (const port of this.ports) {
        if (other.ports.includes(port)) out.push(`bond.ports: NIC "${port}" is already a port of bond "${other.bondName}" in ${where}; a NIC can belong to one bond only`);
      }
      if (other.bridgeName === this.bondName || other.bondName === this.bridgeName) {
        out.push(`bridgeName: interface names of this policy collide with ${where}`);
      }
    }
    return out;
  }
}
