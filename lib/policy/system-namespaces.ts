import { OcpkitError, Problem, show } from '../core/errors';
import { dnsLabel } from '../core/rules';
import { Cluster } from '../gitops/cluster';

/**
 * Annotation that marks a namespace as a declared system namespace, with the written reason.
 * {@link SystemNamespaces.declare} stamps it on the Namespace (when the stack defines it) and on
 * every pod-running object in that namespace, so `ocpkit validate --policy` over the synthesized
 * YAML reaches the same verdict as the synth.
 */
export const SYSTEM_NAMESPACE_ANNOTATION = 'ocpkit.io/system-namespace';

const REGISTRY = new WeakMap<Cluster, Map<string, string>>();

/**
 * The platform's system namespaces: the only places where privileged containers, host
 * networking, host PIDs and host paths are allowed (policy `no-host-access`). A declaration is a
 * platform decision with a written reason, made on the Cluster, never inside a tenant.
 *
 * The etcd backup (a privileged job that reads the control-plane node's etcd data through a host
 * path) is the reference example:
 *
 * ```ts
 * SystemNamespaces.declare(cluster, 'etcd-backup', 'etcd snapshots run on a control-plane node with host access');
 * ```
 */
export class SystemNamespaces {
  /**
   * Declares `namespace` a system namespace of `cluster`. Declaring the same namespace again keeps
   * the first reason. A tenant namespace can never be a system namespace (the synth fails).
   */
  public static declare(cluster: Cluster, namespace: string, reason: string): void {
    const path = cluster?.node?.path || (cluster instanceof Cluster ? `cluster ${cluster.clusterName}` : 'SystemNamespaces');
    const problems: Problem[] = [];
    if (!(cluster instanceof Cluster)) problems.push({ path, field: 'cluster', message: `${show(cluster)} is not a Cluster; system namespaces are declared for the whole cluster` });
    const nsProblem = dnsLabel(namespace);
    if (nsProblem) problems.push({ path, field: 'namespace', message: nsProblem });
    if (typeof reason !== 'string' || reason.trim().length === 0) {
      problems.push({ path, field: 'reason', message: `${show(reason)} is not a reason; say why this namespace needs host access` });
    }
    if (problems.length) throw new OcpkitError(problems, 'invalid system namespace declaration');
    // Recorded here; the policy-stamps transform writes the annotation when the cluster is synthesized.
    const reg = SystemNamespaces.registry(cluster);
    if (!reg.has(namespace)) reg.set(namespace, reason.trim());
  }

  /** The declared system namespaces of a cluster and their reasons. */
  public static of(cluster: Cluster): ReadonlyMap<string, string> {
    return SystemNamespaces.registry(cluster);
  }

  private static registry(cluster: Cluster): Map<string, string> {
    let reg = REGISTRY.get(cluster);
    if (!reg) {
      reg = new Map<string, string>();
      REGISTRY.set(cluster, reg);
    }
    return reg;
  }

  private constructor() {}
}
