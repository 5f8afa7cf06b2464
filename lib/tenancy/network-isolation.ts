import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';

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
}

/** Label OpenShift puts on the namespaces of the ingress routers. */
export const INGRESS_POLICY_GROUP = 'policy-group.network.openshift.io/ingress';
/** Label OpenShift puts on the monitoring namespaces. */
export const MONITORING_POLICY_GROUP = 'network.openshift.io/policy-group';

/**
 * Default-deny ingress for a tenant namespace, plus the usual allowances: same namespace,
 * OpenShift ingress routers and cluster monitoring. Each allowance can be switched off.
 * Primary object (`ApiObject.of(isolation)`): the `deny-by-default` NetworkPolicy.
 * @see https://docs.openshift.com/container-platform/4.14/networking/network_policy/multitenant-network-policy.html
 */
export class NetworkIsolation extends Construct {
  constructor(scope: Construct, id: string, props: NetworkIsolationProps) {
    super(scope, id);
    const ns = props.namespace;
    const policy = (cid: string, name: string, from?: k8s.NetworkPolicyPeer[]) =>
      new k8s.KubeNetworkPolicy(this, cid, {
        metadata: { name, namespace: ns },
        spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: from ? [{ from }] : undefined },
      });
    policy('DenyAll', 'deny-by-default');
    if (props.allowSameNamespace ?? true) policy('SameNamespace', 'allow-same-namespace', [{ podSelector: {} }]);
    if (props.allowIngressRouters ?? true) {
      policy('IngressRouters', 'allow-from-openshift-ingress', [{ namespaceSelector: { matchLabels: { [INGRESS_POLICY_GROUP]: '' } } }]);
    }
    if (props.allowMonitoring ?? true) {
      policy('Monitoring', 'allow-from-openshift-monitoring', [{ namespaceSelector: { matchLabels: { [MONITORING_POLICY_GROUP]: 'monitoring' } } }]);
    }
    this.node.defaultChild = this.node.tryFindChild('DenyAll');
  }
}
