import { Construct } from 'constructs';
import { Route as RouteResource, RouteSpecTlsInsecureEdgeTerminationPolicy, RouteSpecTlsTermination, RouteSpecToKind } from '../../imports/route-route.openshift.io';
import { certificateUseProblems, CertificateScope } from '../certs/certificate-scope';
import { IIssuer, routeCertificateAnnotations } from '../certs/issuer';
import { Problems } from '../core/errors';
import { dnsLabel, hostname, oneOf } from '../core/rules';

/** Where TLS ends. */
export enum RouteTls {
  /** The router terminates TLS and talks plain HTTP to the pods. */
  EDGE = 'edge',
  /** The router terminates TLS and opens a new TLS connection to the pods (service-serving certificate). */
  REENCRYPT = 'reencrypt',
}

/** A port of a Service, as a Route targets it. */
export interface IServicePort {
  readonly serviceName: string;
  /** Port name on the Service. */
  readonly portName: string;
}

/** Properties of {@link Route}. */
export interface RouteProps {
  readonly name: string;
  readonly namespace: string;
  /** Public host name. */
  readonly host: string;
  /** The Service port the router sends traffic to. */
  readonly target: IServicePort;
  /** @default RouteTls.EDGE */
  readonly tls?: RouteTls;
  /**
   * cert-manager issuer of the Route's certificate (through the openshift-routes integration).
   * Inside a Tenant only the tenant's own Issuer is allowed (from its `tls` prop), and only for
   * its host names; a ClusterIssuer is refused there.
   * @default the Issuer of the enclosing Tenant
   */
  readonly issuer?: IIssuer;
  /** @default '/' (no path) */
  readonly path?: string;
}

/**
 * An OpenShift Route with TLS whose certificate comes from cert-manager. Plain HTTP is
 * redirected to HTTPS.
 *
 * Emits: into the folder of the app it is in, in `namespace`, a `route.openshift.io/v1` Route
 * `name` to the target's Service port, edge (or re-encrypt) TLS with HTTP redirected to HTTPS, and
 * the `cert-manager.io/issuer-name`, `issuer-kind` and `issuer-group` annotations from which
 * cert-manager's OpenShift Routes support issues its certificate.
 */
export class Route extends Construct {
  public readonly host: string;

  constructor(scope: Construct, id: string, props: RouteProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    p.check('name', props.name, dnsLabel);
    p.check('namespace', props.namespace, dnsLabel);
    p.check('host', props.host, hostname);
    if (typeof props.target?.serviceName !== 'string' || typeof props.target?.portName !== 'string') {
      p.add('target', `${JSON.stringify(props.target)} is not a Service port; pass a ContainerApp (or another IServicePort with serviceName and portName)`);
    }
    if (props.tls !== undefined) p.check('tls', props.tls, oneOf(Object.values(RouteTls)));
    const declared = CertificateScope.of(this);
    const certScope = declared && declared.namespace === props.namespace ? declared : undefined;
    const issuer = props.issuer ?? certScope?.issuer;
    if (!issuer?.issuerName) {
      p.add('issuer', certScope
        ? `${certScope.owner} declares no tls, so it has no Issuer; declare tls: { hostnames, acme } on the tenant`
        : 'a cert-manager issuer is required (an AcmeIssuer of the namespace, an AcmeClusterIssuer, or Issuers.clusterIssuer(name))');
    } else if (certScope) {
      for (const msg of certificateUseProblems(certScope, issuer.issuerKind, issuer.issuerName, typeof props.host === 'string' ? [props.host] : [])) p.add(msg.startsWith('names the') ? 'issuer' : 'host', msg);
    }
    if (issuer?.issuerKind === 'Issuer' && issuer.namespace !== undefined && issuer.namespace !== props.namespace) {
      p.add('issuer', `the Issuer ${issuer.namespace}/${issuer.issuerName} lives in another namespace; cert-manager looks an Issuer up in the Route's namespace "${props.namespace}"`);
    }
    if (props.path !== undefined && !/^\/[^\s]*$/.test(props.path)) p.add('path', `${JSON.stringify(props.path)} must start with "/"`);
    p.throwIfAny();
    this.host = props.host;
    const tls = props.tls ?? RouteTls.EDGE;
    new RouteResource(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, annotations: routeCertificateAnnotations(issuer!) },
      spec: {
        host: props.host,
        path: props.path && props.path !== '/' ? props.path : undefined,
        to: { kind: RouteSpecToKind.SERVICE, name: props.target.serviceName, weight: 100 },
        port: { targetPort: props.target.portName },
        tls: {
          termination: tls === RouteTls.EDGE ? RouteSpecTlsTermination.EDGE : RouteSpecTlsTermination.REENCRYPT,
          insecureEdgeTerminationPolicy: RouteSpecTlsInsecureEdgeTerminationPolicy.REDIRECT,
        },
      },
    });
  }
}
