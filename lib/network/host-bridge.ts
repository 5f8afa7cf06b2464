import { Construct } from 'constructs';
import {
  NodeNetworkConfigurationPolicy,
  NodeNetworkConfigurationPolicySpecMaxUnavailable,
} from '../../imports/nmstate-nncp-nmstate.io';
import { Problems, show } from '../core/errors';
import { dnsSubdomain, duplicates, intRange, oneOf } from '../core/rules';
import { Cluster } from '../gitops/cluster';
import { interfaceName, mtu as mtuRule } from './_rules';
import { Tenant } from '../tenancy/tenant';
import { GitOpsApp } from '../gitops/gitops-app';

/**
 * Bond modes OpenShift supports on NMState bonds.
 * @see https://docs.openshift.com/container-platform/4.14/networking/k8s_nmstate/k8s-nmstate-updating-node-network-config.html
 */
export enum BondMode {
  /** One port active, the other standby; needs no switch configuration. */
  ACTIVE_BACKUP = 'active-backup',
  /** Static link aggregation with XOR hashing; the switch needs a port channel. */
  BALANCE_XOR = 'balance-xor',
  /** LACP (IEEE 802.3ad); the switch needs an LACP port channel. */
  LACP = '802.3ad',
}

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
  /** The bond that becomes the bridge's only port. */
  readonly bond: BondOptions;
  /**
   * MTU of the bridge. At most the bond MTU.
   * @default the bond MTU, else 1500
   */
  readonly mtu?: number;
  /**
   * Spanning Tree Protocol on the bridge.
   * @default false
   */
  readonly stp?: boolean;
  /**
   * Labels selecting the nodes that get the bond and bridge. Must not be empty: an empty
   * selector would reconfigure the network of every node, control plane included.
   */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /**
   * Name of the NodeNetworkConfigurationPolicy.
   * @default the bridge name
   */
  readonly policyName?: string;
  /**
   * How many matching nodes NMState reconfigures at a time (a count or a percentage such as "50%").
   * @default NMState's default ("50%")
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
 * A Linux bridge on top of a bond of physical NICs, on every node a selector picks: one NMState
 * NodeNetworkConfigurationPolicy (cluster scoped). BridgeNetworks attach VMs to the bridge.
 *
 * The policy is cluster scoped, so a HostBridge must live in a platform GitOpsApp (such as
 * `network`), never in a Tenant.
 *
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
  /** Name of the bond under the bridge. */
  public readonly bondName: string;
  /** MTU of the bond. */
  public readonly bondMtu: number;
  /** Member NICs of the bond. */
  public readonly ports: readonly string[];
  /** Node selector of the policy. */
  public readonly nodeSelector: Readonly<Record<string, string>>;
  /** Name of the NodeNetworkConfigurationPolicy. */
  public readonly policyName: string;
  /** The cluster this bridge is defined in. */
  public readonly cluster: Cluster;
  /** The NodeNetworkConfigurationPolicy. */
  public readonly resource: NodeNetworkConfigurationPolicy;

  constructor(scope: Construct, id: string, props: HostBridgeProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    const bond = (props.bond ?? {}) as BondOptions;
    p.check('bridgeName', props.bridgeName, interfaceName);
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
    if (props.mtu !== undefined) p.check('mtu', props.mtu, mtuRule);
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
    if (Tenant.enclosing(this)) {
      p.add('', 'a HostBridge creates a cluster-scoped NodeNetworkConfigurationPolicy and cannot be defined inside a Tenant; define it in a platform GitOpsApp (for example "network")');
    } else if (!GitOpsApp.enclosing(this)) {
      p.add('', 'a HostBridge must be defined inside a GitOpsApp (for example new GitOpsApp(cluster, "Network", { name: "network" }))');
    }
    p.throwIfAny();

    this.bridgeName = props.bridgeName;
    this.mtu = bridgeMtu;
    this.bondName = bond.name;
    this.bondMtu = bondMtu;
    this.ports = [...bond.ports];
    this.nodeSelector = { ...sel };
    this.policyName = props.policyName ?? props.bridgeName.toLowerCase().replace(/[_.]/g, '-');
    this.cluster = Cluster.of(this);

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
            options: { stp: { enabled: props.stp ?? false } },
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

    const list = registry.get(this.cluster) ?? [];
    list.push(this);
    registry.set(this.cluster, list);
    this.node.addValidation({ validate: () => this.checkAgainstOthers() });
  }

  /** True when some node could carry both this bridge and `other` (no label key with differing values). */
  public mayShareNodesWith(other: HostBridge): boolean {
    for (const [k, v] of Object.entries(this.nodeSelector)) {
      if (Object.prototype.hasOwnProperty.call(other.nodeSelector, k) && other.nodeSelector[k] !== v) return false;
    }
    return true;
  }

  /** Two HostBridges on the same nodes must not create the same bridge or bond, or take the same NIC. */
  private checkAgainstOthers(): string[] {
    const out: string[] = [];
    const all = HostBridge.allIn(this.cluster);
    const mine = all.indexOf(this);
    for (const other of all.slice(0, mine)) {
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
