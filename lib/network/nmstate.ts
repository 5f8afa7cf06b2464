import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Problems, show } from '../core/errors';
import { intRange, labelKey, labelValue, oneOf } from '../core/rules';
import { GitOpsApp } from '../gitops/gitops-app';
import { OperatorInstall } from '../olm/operator-install';
import { TreeIndex } from '../synth/pipeline';
import { Tenant } from '../tenancy/tenant';

// Upstream facts (openshift/kubernetes-nmstate, branch release-4.14, commit 8f354cd, the source of
// the 4.14 schema profile and of kubernetes-nmstate-operator.v4.14.0):
// - api/names/names.go: NMStateResourceName = "nmstate", "the name of the CR that the operator
//   will reconcile"; the CSV's alm-examples (manifests/stable/manifests/
//   kubernetes-nmstate-operator.clusterserviceversion.yaml) create `nmstate.io/v1` NMState "nmstate".
// - controllers/operator/nmstate_controller.go (Reconcile): the operator deploys the handler for the
//   oldest NMState of the cluster only and deletes every other one, so a cluster has exactly one.
// - same file (applyHandler): without spec.nodeSelector the handler DaemonSet runs on every Linux
//   node of the operator's architecture; without spec.tolerations it tolerates every taint
//   (operator Exists); setting either replaces that default. infraNodeSelector/infraTolerations
//   place the webhook and cert-manager Deployments (default: tolerate the control-plane taints).
// - the CSV's install modes are OwnNamespace/SingleNamespace and HANDLER_NAMESPACE is
//   "openshift-nmstate": the handler runs where the operator is installed.

/** Name of the one NMState resource the operator reconciles. */
export const NMSTATE_NAME = 'nmstate';
/** OLM package of the Kubernetes NMState operator. */
export const NMSTATE_PACKAGE = 'kubernetes-nmstate-operator';

/** A taint a pod tolerates (core/v1 Toleration). */
export interface Toleration {
  /** Taint key; empty with operator Exists matches every taint. @default "" */
  readonly key?: string;
  /** @default "Equal" */
  readonly operator?: 'Equal' | 'Exists';
  /** Taint value (operator Equal only). @default "" */
  readonly value?: string;
  /** Taint effect; unset matches every effect. @default all effects */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /** With NoExecute: seconds the pod stays after the taint appears. @default forever */
  readonly tolerationSeconds?: number;
}

/** Properties of {@link NMStateOperand}. */
export interface NMStateOperandProps {
  /**
   * Nodes the handler (the DaemonSet that applies NodeNetworkConfigurationPolicies) runs on.
   * A policy only takes effect on nodes with a handler: every HostBridge's nodes must match.
   * @default every Linux node
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /**
   * Taints the handler tolerates. Setting this replaces the default, which tolerates every taint.
   * @default every taint
   */
  readonly tolerations?: readonly Toleration[];
  /**
   * Nodes the NMState webhook and certificate manager run on.
   * @default any node, preferring control-plane nodes
   */
  readonly infraNodeSelector?: Readonly<Record<string, string>>;
  /**
   * Taints the webhook and certificate manager tolerate.
   * @default the control-plane NoSchedule taints
   */
  readonly infraTolerations?: readonly Toleration[];
}

/**
 * The operand of the Kubernetes NMState operator: the cluster-scoped `nmstate.io/v1` NMState
 * named `nmstate`. Without it the operator deploys no handler, and no HostBridge
 * (NodeNetworkConfigurationPolicy) is ever applied to a node.
 *
 * Define it in the GitOpsApp that holds the `kubernetes-nmstate-operator` OperatorInstall (the
 * Subscription syncs in wave -20, this resource in the default wave of custom resources, with
 * `SkipDryRunOnMissingResource` since its CRD arrives with the operator). The synth fails when
 * the cluster has no such install, or defines a second NMState (the operator deletes all but the oldest).
 *
 * Primary object (`ApiObject.of(nmstate)`, `Overrides.of(nmstate)`): the NMState.
 *
 * Emits: into the folder of the app it is in, the cluster-scoped `nmstate.io/v1` NMState `nmstate`.
 *
 * @see https://docs.openshift.com/container-platform/4.14/networking/k8s_nmstate/k8s-nmstate-about-the-k8s-nmstate-operator.html
 */
export class NMStateOperand extends Construct {
  /** The NMState resource. */
  public readonly resource: ApiObject;
  /** Handler node selector, when set. */
  public readonly nodeSelector?: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: NMStateOperandProps = {}) {
    super(scope, id);
    const p = new Problems(this.node.path);
    const spec: Record<string, unknown> = {};
    const selector = (field: 'nodeSelector' | 'infraNodeSelector') => {
      const sel = props[field];
      if (sel === undefined) return;
      if (sel === null || typeof sel !== 'object' || Array.isArray(sel) || Object.keys(sel).length === 0) {
        p.add(field, `${show(sel)} must be a non-empty map of node labels (leave it unset for the operator's default)`);
        return;
      }
      const before = p.size;
      for (const [k, v] of Object.entries(sel)) {
        p.check(field, k, labelKey);
        p.check(`${field}.${k}`, v, labelValue);
      }
      if (p.size === before) spec[field] = { ...sel };
    };
    const tolerations = (field: 'tolerations' | 'infraTolerations') => {
      const list = props[field];
      if (list === undefined) return;
      if (!Array.isArray(list) || list.length === 0) {
        p.add(field, `${show(list)} must be a non-empty list of tolerations (leave it unset for the operator's default)`);
        return;
      }
      const before = p.size;
      const out = list.map((t, i) => tolerationOf(p, `${field}[${i}]`, t));
      if (p.size === before) spec[field] = out;
    };
    selector('nodeSelector');
    tolerations('tolerations');
    selector('infraNodeSelector');
    tolerations('infraTolerations');

    if (Tenant.enclosing(this)) {
      p.add('', 'an NMState is cluster scoped and cannot be defined inside a Tenant; define it in the GitOpsApp of its OperatorInstall (for example "platform-operators")');
    } else if (!GitOpsApp.enclosing(this)) {
      p.add('', 'an NMState must be defined inside a GitOpsApp, the one of its OperatorInstall (for example "platform-operators")');
    }
    p.throwIfAny();

    if (props.nodeSelector) this.nodeSelector = { ...props.nodeSelector };
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'nmstate.io/v1',
      kind: 'NMState',
      metadata: { name: NMSTATE_NAME },
      spec,
    });
    this.node.defaultChild = this.resource;
    this.node.addValidation({ validate: () => this.checkCluster() });
  }

  /** The operator must be installed in this cluster; one NMState per cluster. */
  private checkCluster(): string[] {
    const out: string[] = [];
    if (!TreeIndex.ofType(this, OperatorInstall).some((i) => i.packageName === NMSTATE_PACKAGE)) {
      out.push(`operator: the cluster has no OperatorInstall of package "${NMSTATE_PACKAGE}"; the NMState is its operand and nothing reconciles it without one. Add the install (namespace "openshift-nmstate") in the same GitOpsApp`);
    }
    const others = TreeIndex.ofType(this, NMStateOperand).filter((n) => n !== this);
    if (others.length) {
      out.push(`the cluster has another NMState (${others.map((n) => n.node.path).join(', ')}); the operator keeps the oldest and deletes the others, so define one`);
    }
    return out;
  }
}

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

function tolerationOf(p: Problems, field: string, t: Toleration): Record<string, unknown> | undefined {
  if (typeof t !== 'object' || t === null) {
    p.add(field, `${show(t)} must be a toleration ({ key, operator, value, effect })`);
    return undefined;
  }
  const operator = t.operator ?? 'Equal';
  p.check(`${field}.operator`, operator, oneOf(['Equal', 'Exists']));
  if (t.key !== undefined && t.key !== '') p.check(`${field}.key`, t.key, labelKey);
  if ((t.key === undefined || t.key === '') && operator !== 'Exists') p.add(`${field}.key`, 'a toleration without a key must use operator "Exists" (it then matches every taint)');
  if (t.value !== undefined) {
    if (operator === 'Exists' && t.value !== '') p.add(`${field}.value`, `${show(t.value)}: a toleration with operator "Exists" has no value`);
    else p.check(`${field}.value`, t.value, labelValue);
  }
  if (t.effect !== undefined) p.check(`${field}.effect`, t.effect, oneOf(EFFECTS));
  if (t.tolerationSeconds !== undefined) {
    if (t.effect !== 'NoExecute') p.add(`${field}.tolerationSeconds`, 'applies to effect "NoExecute" only');
    else p.check(`${field}.tolerationSeconds`, t.tolerationSeconds, intRange(0, 2 ** 31 - 1));
  }
  return {
    ...(t.key !== undefined ? { key: t.key } : {}),
    operator,
    ...(t.value !== undefined ? { value: t.value } : {}),
    ...(t.effect !== undefined ? { effect: t.effect } : {}),
    ...(t.tolerationSeconds !== undefined ? { tolerationSeconds: t.tolerationSeconds } : {}),
  };
}
