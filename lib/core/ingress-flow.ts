import type { k8s } from 'cdk8s-plus-27';

/** One allowed ingress flow, as a NetworkPolicy of the receiving namespace renders it. */
export interface IngressFlow {
  /** NetworkPolicy name. */
  readonly name: string;
  /** Labels of the receiving pods ({} = every pod of the namespace). */
  readonly to: Readonly<Record<string, string>>;
  readonly ports: readonly number[];
  readonly from: readonly k8s.NetworkPolicyPeer[];
  /** What the flow is and the source that proves its ports and labels. */
  readonly why: string;
}
