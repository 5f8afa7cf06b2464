import { Problems } from '../core/errors';
import { dnsLabel, dnsSubdomain } from '../core/rules';

/** Namespace of the catalogs OpenShift ships (`openshift-marketplace`). */
export const MARKETPLACE_NAMESPACE = 'openshift-marketplace';

/**
 * An OLM catalog (CatalogSource) operators are installed from. The four catalogs OpenShift
 * ships are constants; {@link CatalogSource.of} references any other one (a mirrored catalog in a
 * disconnected cluster, a custom index image).
 *
 * @see https://olm.operatorframework.io/docs/concepts/crds/catalogsource/
 */
export class CatalogSource {
  /** Red Hat's own operators (OpenShift Virtualization, OADP, NMState, cert-manager for OpenShift). */
  public static readonly REDHAT_OPERATORS = new CatalogSource('redhat-operators', MARKETPLACE_NAMESPACE);
  /** Operators certified by Red Hat and supported by their vendor (GitLab, GitLab Runner). */
  public static readonly CERTIFIED_OPERATORS = new CatalogSource('certified-operators', MARKETPLACE_NAMESPACE);
  /** Community operators, not supported by Red Hat. */
  public static readonly COMMUNITY_OPERATORS = new CatalogSource('community-operators', MARKETPLACE_NAMESPACE);
  /** Operators sold through Red Hat Marketplace. */
  public static readonly REDHAT_MARKETPLACE = new CatalogSource('redhat-marketplace', MARKETPLACE_NAMESPACE);

  /**
   * A CatalogSource that already exists on the cluster.
   * @param namespace where the CatalogSource lives (default `openshift-marketplace`)
   */
  public static of(name: string, namespace: string = MARKETPLACE_NAMESPACE): CatalogSource {
    const p = new Problems(`CatalogSource ${name}`);
    p.check('name', name, dnsSubdomain);
    p.check('namespace', namespace, dnsLabel);
    p.throwIfAny('invalid catalog source');
    return new CatalogSource(name, namespace);
  }

  private constructor(public readonly name: string, public readonly namespace: string) {}

  public toString(): string {
    return `${this.namespace}/${this.name}`;
  }
}
