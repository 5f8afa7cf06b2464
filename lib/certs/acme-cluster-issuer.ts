import { Construct } from 'constructs';
import { ClusterIssuer, ClusterIssuerSpecAcmeSolversDns01 } from '../../imports/certmanager-clusterissuer-cert-manager.io';
import { Problems, show } from '../core/errors';
import { dnsLabel, hostname, httpsUrl, nonEmpty, oneOf } from '../core/rules';
import { SecretKey } from '../core/secret-key';
import { IIssuer } from './issuer';

/** Let's Encrypt production directory. */
export const LETSENCRYPT_PRODUCTION = 'https://acme-v02.api.letsencrypt.org/directory';
/** Let's Encrypt staging directory (untrusted certificates, generous rate limits). */
export const LETSENCRYPT_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';

/** How the ACME DNS-01 challenge record is published. */
export class Dns01Solver {
  /**
   * RFC 2136 dynamic DNS updates signed with TSIG (BIND, FreeIPA/named, PowerDNS).
   * @param options.nameserver `host:port` or IP of the authoritative server
   */
  public static rfc2136(options: { nameserver: string; tsigKeyName: string; tsigSecret: SecretKey; tsigAlgorithm?: 'HMACSHA256' | 'HMACSHA512' }): Dns01Solver {
    const p = new Problems('Dns01Solver.rfc2136');
    if (typeof options?.nameserver !== 'string' || !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(options.nameserver)) {
      p.add('nameserver', `${show(options?.nameserver)} is not a name server; write "host", "host:port" or "[ipv6]:port" (for example "ns1.example.org:53")`);
    }
    p.check('tsigKeyName', options?.tsigKeyName, nonEmpty);
    if (!(options?.tsigSecret instanceof SecretKey)) p.add('tsigSecret', `${show(options?.tsigSecret)} is not a SecretKey; use SecretKey.of(secretName, key)`);
    if (options?.tsigAlgorithm !== undefined) p.check('tsigAlgorithm', options.tsigAlgorithm, oneOf(['HMACSHA256', 'HMACSHA512']));
    p.throwIfAny('invalid DNS-01 solver');
    return new Dns01Solver('rfc2136', {
      rfc2136: {
        nameserver: options.nameserver,
        tsigKeyName: options.tsigKeyName,
        tsigAlgorithm: options.tsigAlgorithm ?? 'HMACSHA512',
        tsigSecretSecretRef: options.tsigSecret.toSelector(),
      },
    });
  }

  /** Cloudflare API with a scoped API token. */
  public static cloudflare(options: { apiToken: SecretKey }): Dns01Solver {
    if (!(options?.apiToken instanceof SecretKey)) {
      const p = new Problems('Dns01Solver.cloudflare');
      p.add('apiToken', `${show(options?.apiToken)} is not a SecretKey; use SecretKey.of(secretName, key)`);
      p.throwIfAny('invalid DNS-01 solver');
    }
    return new Dns01Solver('cloudflare', { cloudflare: { apiTokenSecretRef: options.apiToken.toSelector() } });
  }

  private constructor(public readonly kind: string, public readonly config: ClusterIssuerSpecAcmeSolversDns01) {}
}

/** Properties of {@link AcmeClusterIssuer}. */
export interface AcmeClusterIssuerProps {
  /** ClusterIssuer name, referenced by Routes and Certificates. */
  readonly name: string;
  /** ACME account contact. */
  readonly email: string;
  /** DNS-01 solver. */
  readonly dns01: Dns01Solver;
  /**
   * DNS zones this solver answers for (all names when empty).
   * @default every zone
   */
  readonly dnsZones?: readonly string[];
  /**
   * ACME directory.
   * @default LETSENCRYPT_PRODUCTION
   */
  readonly server?: string;
}

/**
 * A cert-manager ClusterIssuer for an ACME CA (Let's Encrypt) solving DNS-01 challenges, which
 * works without exposing HTTP and issues wildcard names. It is platform-wide: put it in a
 * platform GitOpsApp.
 *
 * Emits: into the folder of the app it is in, a `cert-manager.io/v1` ClusterIssuer `name` (its
 * ACME account key in the Secret `<name>-account-key`, which cert-manager creates) with one DNS-01
 * solver, limited to `dnsZones` when given.
 */
export class AcmeClusterIssuer extends Construct implements IIssuer {
  public readonly issuerName: string;
  public readonly issuerKind = 'ClusterIssuer' as const;

  constructor(scope: Construct, id: string, props: AcmeClusterIssuerProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    p.check('name', props.name, dnsLabel);
    if (typeof props.email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.email)) p.add('email', `${JSON.stringify(props.email)} is not an e-mail address`);
    if (props.server !== undefined) p.check('server', props.server, httpsUrl);
    (props.dnsZones ?? []).forEach((z, i) => p.check(`dnsZones[${i}]`, z, hostname));
    if (!(props.dns01 instanceof Dns01Solver)) p.add('dns01', 'must be a Dns01Solver (Dns01Solver.rfc2136(...) or Dns01Solver.cloudflare(...))');
    p.throwIfAny();
    this.issuerName = props.name;
    new ClusterIssuer(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        acme: {
          email: props.email,
          server: props.server ?? LETSENCRYPT_PRODUCTION,
          privateKeySecretRef: { name: `${props.name}-account-key` },
          solvers: [{
            dns01: props.dns01.config,
            selector: props.dnsZones?.length ? { dnsZones: [...props.dnsZones] } : undefined,
          }],
        },
      },
    });
  }
}
