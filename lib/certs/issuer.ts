import { Problems } from '../core/errors';
import { dnsSubdomain } from '../core/rules';

/** Something that signs certificates for cert-manager: a ClusterIssuer or a namespaced Issuer. */
export interface IIssuer {
  readonly issuerName: string;
  /** `ClusterIssuer` or `Issuer`. */
  readonly issuerKind: 'ClusterIssuer' | 'Issuer';
  /** Namespace of an `Issuer` (only objects of that namespace can use it). @default unknown */
  readonly namespace?: string;
}

/** References to issuers that already exist on the cluster. */
export class Issuers {
  /** A ClusterIssuer defined outside this stack. */
  public static clusterIssuer(name: string): IIssuer {
    const p = new Problems(`ClusterIssuer ${name}`);
    p.check('name', name, dnsSubdomain);
    p.throwIfAny();
    return { issuerName: name, issuerKind: 'ClusterIssuer' };
  }

  private constructor() {}
}

/**
 * Annotations that make cert-manager's OpenShift Routes integration (cert-manager-openshift-routes)
 * request a certificate for a Route and write it into the Route's TLS fields.
 * @see https://github.com/cert-manager/openshift-routes
 */
export function routeCertificateAnnotations(issuer: IIssuer): Record<string, string> {
  return {
    'cert-manager.io/issuer-name': issuer.issuerName,
    'cert-manager.io/issuer-kind': issuer.issuerKind,
    'cert-manager.io/issuer-group': 'cert-manager.io',
  };
}
