import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { NetworkAttachmentDefinition } from '../../imports/multus-nad-k8s.cni.cncf.io';
import { Problems, show } from '../core/errors';
import { dnsLabel, oneOf } from '../core/rules';
import { Cluster } from '../gitops/cluster';
import { mtu as mtuRule, vlanId } from './_rules';
import { HostBridge } from './host-bridge';
import { Ipam } from './ipam';

/** Which CNI plugin names the network uses. */
export enum CniFlavour {
  /** OpenShift Virtualization: `cnv-bridge` followed by `cnv-tuning`. */
  OPENSHIFT = 'openshift',
  /** Upstream plugins (`bridge`, `tuning`), for KubeVirt on plain Kubernetes. */
  UPSTREAM = 'upstream',
}

/** Annotation Multus uses to schedule pods only on nodes that offer the bridge (bridge-marker). */
export const RESOURCE_NAME_ANNOTATION = 'k8s.v1.cni.cncf.io/resourceName';

/** CNI spec version written into every BridgeNetwork config. */
export const CNI_VERSION = '0.3.1';

/** What a VM needs to know about a Multus network it attaches to. */
export interface IBridgeNetwork {
  /** NetworkAttachmentDefinition name. */
  readonly networkName: string;
  /** Namespace of the NetworkAttachmentDefinition. */
  readonly namespace: string;
  /** The host bridge behind it, when defined in this stack. */
  readonly hostBridge?: HostBridge;
  /** The MTU of the network, when known. */
  readonly mtu?: number;
}

/** Properties of a {@link BridgeNetwork}. */
export interface BridgeNetworkProps {
  /** NetworkAttachmentDefinition name (`internal-network`); the name VMs use. A DNS-1123 label. */
  readonly name: string;
  /**
   * Namespace of the NetworkAttachmentDefinition (VMs in other namespaces must opt in to a
   * cross-namespace reference).
   * @default the namespace of the enclosing GitOpsApp or Tenant
   */
  readonly namespace?: string;
  /** The host bridge the network attaches to. */
  readonly hostBridge: HostBridge;
  /**
   * MTU of the VM interfaces on this network. At most the bridge MTU.
   * @default the bridge MTU
   */
  readonly mtu?: number;
  /**
   * 802.1Q VLAN id the bridge port tags frames with. The port is then a member of this VLAN
   * only (`preserveDefaultVlan: false`), so a VM on a VLAN never sees the bridge's untagged
   * (native VLAN) traffic.
   * @default untagged
   */
  readonly vlan?: number;
  /**
   * Drop frames whose source MAC is not the interface's own (`macspoofchk`). On by default on
   * every bridge network, so no network silently lacks it; turn it off only for a guest that must
   * send frames with other source MACs (a nested bridge, a virtual-MAC failover), and say why.
   *
   * Plugin semantics (openshift-docs modules/virt-creating-linux-bridge-nad-cli.adoc, OpenShift
   * Virtualization 4.14): with `macspoofchk: true` only the one MAC address of the pod or guest
   * interface may leave it, and that MAC cannot be changed from inside; it needs nftables on the
   * node (RHCOS has it). The plugin's own default is off. A VM's MAC is fixed in its spec
   * (KubeMacPool or an explicit MAC), so ordinary guests are unaffected.
   * @default true
   */
  readonly macSpoofCheck?: boolean;
  /**
   * Address management.
   * @default Ipam.none()
   */
  readonly ipam?: Ipam;
  /**
   * Plugin names.
   * @default CniFlavour.OPENSHIFT
   */
  readonly flavour?: CniFlavour;
  /**
   * Add the `k8s.v1.cni.cncf.io/resourceName: bridge.network.kubevirt.io/<bridge>` annotation so
   * VMs are only scheduled on nodes that have the bridge (needs the bridge-marker component,
   * which OpenShift Virtualization installs).
   * @default true
   */
  readonly requireBridgeOnNode?: boolean;
}

/**
 * A Multus NetworkAttachmentDefinition in bridge mode: VM interfaces attached to it are plugged
 * into a {@link HostBridge} on the node.
 *
 * @example
 * Emits: into the tenant's folder (or the app's, in `namespace` or the app's namespace) a
 * `k8s.cni.cncf.io/v1` NetworkAttachmentDefinition `name` whose CNI config plugs VM interfaces into
 * the HostBridge's Linux bridge (`cnv-bridge` and `cnv-tuning`, MAC spoof check on), annotated with
 * the bridge's node resource (`bridge.network.kubevirt.io/<bridge>`) so that VMs are scheduled only
 * on nodes that have it.
 * ```ts
 * import { BridgeNetwork } from 'ocpkit';
 * import type { HostBridge, Tenant } from 'ocpkit';
 *
 * export function addInternalNetwork(tenant: Tenant, internal: HostBridge): BridgeNetwork {
 *   return new BridgeNetwork(tenant, 'InternalNetwork', { name: 'internal-network', hostBridge: internal });
 * }
 * ```
 * @see https://docs.openshift.com/container-platform/4.14/virt/vm_networking/virt-connecting-vm-to-linux-bridge.html
 */
export class BridgeNetwork extends Construct implements IBridgeNetwork {
  /**
   * References a NetworkAttachmentDefinition that exists on the cluster but is not defined in
   * this stack (its bridge, MTU and VLAN are then not checked).
   */
  public static fromName(namespace: string, name: string): IBridgeNetwork {
    const p = new Problems(`BridgeNetwork.fromName(${show(namespace)}, ${show(name)})`);
    p.check('namespace', namespace, dnsLabel);
    p.check('name', name, dnsLabel);
    p.throwIfAny();
    return { networkName: name, namespace };
  }

  public readonly networkName: string;
  public readonly namespace: string;
  public readonly hostBridge: HostBridge;
  public readonly mtu: number;
  /** VLAN id, if tagged. */
  public readonly vlan?: number;
  /** Address management of the network. */
  public readonly ipam: Ipam;
  /** The NetworkAttachmentDefinition. */
  public readonly resource: NetworkAttachmentDefinition;
  /** The CNI configuration, as an object (`spec.config` holds it as JSON text). */
  public readonly cniConfig: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: BridgeNetworkProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    p.check('name', props.name, dnsLabel);
    const namespace = props.namespace ?? Chart.of(this).namespace;
    if (namespace === undefined) {
      p.add('namespace', 'is not set and the enclosing GitOpsApp has no namespace; give the namespace of the NetworkAttachmentDefinition');
    } else {
      p.check('namespace', namespace, dnsLabel);
    }
    const bridge = props.hostBridge;
    if (!(bridge instanceof HostBridge)) {
      p.add('hostBridge', `${show(bridge)} is not a HostBridge; pass the HostBridge construct that creates the bridge on the nodes (a bridge name alone cannot be checked)`);
    }
    if (props.mtu !== undefined && p.check('mtu', props.mtu, mtuRule) && bridge instanceof HostBridge && props.mtu > bridge.mtu) {
      p.add('mtu', `${props.mtu} is larger than the MTU ${bridge.mtu} of bridge "${bridge.bridgeName}" (${bridge.node.path}, path ${bridge.path}); the network MTU must be at most the bridge MTU`);
    }
    if (props.vlan !== undefined && p.check('vlan', props.vlan, vlanId) && bridge instanceof HostBridge && bridge.nodes) {
      // The path check: the VLAN must reach the NICs (trunked by the switch), and a bridge on a
      // VLAN sub-interface is in that VLAN already (a tag on top would be a second, inner tag).
      if (bridge.uplinkVlan !== undefined) {
        p.add('vlan', `bridge "${bridge.bridgeName}" sits on VLAN sub-interface "${bridge.uplink}" (path ${bridge.path}), so its frames are already in VLAN ${bridge.uplinkVlan}; leave vlan unset, or put the network on a bridge over the untagged port`);
      } else {
        for (const nic of bridge.ports) {
          const trunked = bridge.nodes.vlansOf(nic);
          if (!trunked.includes(props.vlan)) {
            p.add('vlan', `VLAN ${props.vlan} is not trunked to NIC "${nic}" on path ${bridge.path} (its vlans: ${trunked.join(', ') || 'none'}); list it in the NIC's vlans of ${bridge.nodes.node.path} once the switch port carries it`);
          }
        }
      }
    }
    if (props.macSpoofCheck !== undefined && typeof props.macSpoofCheck !== 'boolean') p.add('macSpoofCheck', `${show(props.macSpoofCheck)} must be true or false`);
    if (props.flavour !== undefined) p.check('flavour', props.flavour, oneOf(Object.values(CniFlavour)));
    const ipam = props.ipam ?? Ipam.none();
    if (!(ipam instanceof Ipam)) p.add('ipam', `${show(ipam)} is not an Ipam; use Ipam.none(), Ipam.staticAddresses([...]) or Ipam.whereabouts({ range })`);
    else ipam._check(p, 'ipam');
    p.throwIfAny();

    this.networkName = props.name;
    this.namespace = namespace!;
    this.hostBridge = bridge;
    this.mtu = props.mtu ?? bridge.mtu;
    this.vlan = props.vlan;
    this.ipam = ipam;
    const upstream = props.flavour === CniFlavour.UPSTREAM;
    this.cniConfig = {
      name: props.name,
      cniVersion: CNI_VERSION,
      plugins: [
        {
          type: upstream ? 'bridge' : 'cnv-bridge',
          bridge: bridge.bridgeName,
          mtu: this.mtu,
          ...(props.vlan !== undefined ? { vlan: props.vlan, preserveDefaultVlan: false } : {}),
          macspoofchk: props.macSpoofCheck ?? true,
          ipam: ipam._render(),
        },
        { type: upstream ? 'tuning' : 'cnv-tuning' },
      ],
    };
    const annotations: Record<string, string> = {};
    if (props.requireBridgeOnNode ?? true) annotations[RESOURCE_NAME_ANNOTATION] = `bridge.network.kubevirt.io/${bridge.bridgeName}`;
    this.resource = new NetworkAttachmentDefinition(this, 'Resource', {
      metadata: { name: props.name, namespace: this.namespace, annotations },
      spec: { config: JSON.stringify(this.cniConfig) },
    });
    this.node.addValidation({ validate: () => this.checkBridge() });
  }

  /** The bridge must come from a HostBridge of the same cluster (a HostBridge of another environment does not count). */
  private checkBridge(): string[] {
    const cluster = Cluster.of(this);
    if (this.hostBridge.cluster !== cluster) {
      return [`hostBridge: bridge "${this.hostBridge.bridgeName}" is defined by ${this.hostBridge.node.path} in another cluster (environment "${this.hostBridge.cluster.environment}"); no HostBridge of environment "${cluster.environment}" creates it`];
    }
    return [];
  }
}

/** True when `value` is a BridgeNetwork or a BridgeNetwork.fromName() reference. */
export function isBridgeNetwork(value: unknown): value is IBridgeNetwork {
  return value instanceof BridgeNetwork || (typeof value === 'object' && value !== null
    && typeof (value as any).networkName === 'string' && typeof (value as any).namespace === 'string');
}

