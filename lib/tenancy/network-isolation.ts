import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { Problems, show } from '../core/errors';
import { dnsLabel, intRange } from '../core/rules';

/** Which traffic a tenant accepts on top of the default deny. */
export interface NetworkIsolationOptions {
  /** Allow pods of the tenant to reach each other. @default true */
  readonly allowSameNamespace?: boolean;
  /** Allow the OpenShift ingress routers (Routes) in. @default true */
  readonly allowIngressRouters?: boolean;
  /** Allow cluster monitoring (Prometheus scrapes) in. @default true */
  readonly allowMonitoring?: boolean;
}

/** Properties of {@link NetworkIsolation}. */
export interface NetworkIsolationProps extends NetworkIsolationOptions {
  readonly namespace: string;
  /**
   * Isolate only the pods with these labels (a VM's launcher pod in a namespace whose other
   * workloads are isolated elsewhere, or not yet); their policies are named `<prefix>-...`.
   * @default every pod of the namespace
   */
  readonly pods?: { readonly labels: Record<string, string>; readonly namePrefix: string };
}

/** Label OpenShift puts on the namespaces of the ingress routers. */
export const INGRESS_POLICY_GROUP = 'policy-group.network.openshift.io/ingress';
/** Label OpenShift puts on the monitoring namespaces. */
export const MONITORING_POLICY_GROUP = 'network.openshift.io/policy-group';

/**
 * Every pod of the namespaces with these labels (all namespaces when empty). `podSelector: {}` is
 * written out although Kubernetes reads a peer without it the same way: OpenShift's "About network
 * policy" warns (4.13 and later, OVN-Kubernetes) that a namespaceSelector without `podSelector: {}`
 * does not match host-network pods, and the ingress routers of a bare-metal cluster run on the host
 * network. Harmless on OpenShift SDN, needed after a migration to OVN-Kubernetes.
 * @see https://docs.redhat.com/en/documentation/openshift_container_platform/4.13/html/networking/network-policy
 */
function namespacePeer(labels: Record<string, string>): k8s.NetworkPolicyPeer {
  return { namespaceSelector: Object.keys(labels).length ? { matchLabels: { ...labels } } : {}, podSelector: {} };
}

/**
 * Default-deny ingress for a tenant namespace, plus the usual allowances: same namespace,
 * OpenShift ingress routers and cluster monitoring. Each allowance can be switched off.
 * Primary object (`ApiObject.of(isolation)`): the `deny-by-default` NetworkPolicy.
 *
 * Emits: into the folder of the app it is in, in `namespace`, the `networking.k8s.io/v1`
 * NetworkPolicies `deny-by-default`, `allow-same-namespace`, `allow-from-openshift-ingress` and
 * `allow-from-openshift-monitoring` (each allowance only when switched on; with `pods`, the names
 * take its `namePrefix` and the policies select those pods only); one more per
 * {@link NetworkIsolation.allowPorts} call.
 * @see https://docs.openshift.com/container-platform/4.14/networking/network_policy/multitenant-network-policy.html
 */
export class NetworkIsolation extends Construct {
  constructor(scope: Construct, id: string, props: NetworkIsolationProps) {
    super(scope, id);
    const ns = props.namespace;
    if (props.pods !== undefined) {
      const p = new Problems(this.node.path);
      if (!props.pods.labels || Object.keys(props.pods.labels).length === 0) p.add('pods.labels', 'select the pods by at least one label; to isolate every pod leave pods out');
      p.check('pods.namePrefix', props.pods.namePrefix, dnsLabel);
      p.throwIfAny();
    }
    const selector = props.pods ? { matchLabels: { ...props.pods.labels } } : {};
    const named = (name: string) => (props.pods ? `${props.pods.namePrefix}-${name}` : name);
    const policy = (cid: string, name: string, from?: k8s.NetworkPolicyPeer[]) =>
      new k8s.KubeNetworkPolicy(this, cid, {
        metadata: { name: named(name), namespace: ns },
        spec: { podSelector: selector, policyTypes: ['Ingress'], ingress: from ? [{ from }] : undefined },
      });
    policy('DenyAll', 'deny-by-default');
    if (props.allowSameNamespace ?? true) policy('SameNamespace', 'allow-same-namespace', [{ podSelector: {} }]);
    if (props.allowIngressRouters ?? true) {
      policy('IngressRouters', 'allow-from-openshift-ingress', [namespacePeer({ [INGRESS_POLICY_GROUP]: '' })]);
    }
    if (props.allowMonitoring ?? true) {
      policy('Monitoring', 'allow-from-openshift-monitoring', [namespacePeer({ [MONITORING_POLICY_GROUP]: 'monitoring' })]);
    }
    this.node.defaultChild = this.node.tryFindChild('DenyAll');
    this.namespace = ns;
  }

  private readonly namespace: string;

  /**
   * Opens chosen ports of chosen pods (VMs: their launcher pods carry the VM's labels) to other
   * namespaces, one named policy per call: the explicit allow next to the default deny. Nothing
   * else of those pods opens (SSH on the pod network stays reachable from the namespace only).
   */
  public allowPorts(name: string, options: AllowPortsOptions): k8s.KubeNetworkPolicy {
    const p = new Problems(`${this.node.path} allowPorts`);
    p.check('name', name, dnsLabel);
    if (!options || typeof options !== 'object') p.add('options', 'give { pods, ports, from }');
    p.throwIfAny();
    if (!options.pods || typeof options.pods !== 'object' || Object.keys(options.pods).length === 0) p.add('pods', 'select the pods by at least one label, e.g. { "ocpkit.io/vm": "mail-relay" }; an empty selector would open every pod of the namespace');
    if (!Array.isArray(options.ports) || options.ports.length === 0) p.add('ports', 'list at least one port; a policy without ports opens every port');
    else options.ports.forEach((port, i) => p.check(`ports[${i}].port`, port?.port, intRange(1, 65535)));
    const from = options.from ?? 'all-namespaces';
    if (from !== 'all-namespaces' && (!Array.isArray(from) || from.length === 0)) p.add('from', `${show(from)} is not 'all-namespaces' or a list of namespace names`);
    else if (Array.isArray(from)) from.forEach((n, i) => p.check(`from[${i}]`, n, dnsLabel));
    if (this.node.tryFindChild(`Allow-${name}`)) p.add('name', `a policy "${name}" is already defined here`);
    p.throwIfAny();
    const peers: k8s.NetworkPolicyPeer[] = from === 'all-namespaces'
      ? [namespacePeer({})]
      : (from as readonly string[]).map((n) => namespacePeer({ 'kubernetes.io/metadata.name': n }));
    return new k8s.KubeNetworkPolicy(this, `Allow-${name}`, {
      metadata: { name, namespace: this.namespace },
      spec: {
        podSelector: { matchLabels: { ...options.pods } },
        policyTypes: ['Ingress'],
        ingress: [{ from: peers, ports: options.ports.map((x) => ({ port: k8s.IntOrString.fromNumber(x.port), protocol: x.protocol ?? 'TCP' })) }],
      },
    });
  }
}

/** What {@link NetworkIsolation.allowPorts} opens. */
export interface AllowPortsOptions {
  /** Labels of the pods whose ports open. */
  readonly pods: Record<string, string>;
  /** The ports (of the pods, not of a Service). */
  readonly ports: readonly { readonly port: number; readonly protocol?: 'TCP' | 'UDP' | 'SCTP' }[];
  /**
   * Who may connect: every namespace, or the named ones (matched by the
   * `kubernetes.io/metadata.name` label Kubernetes sets on every namespace).
   * @default 'all-namespaces'
   */
  readonly from?: 'all-namespaces' | readonly string[];
}
