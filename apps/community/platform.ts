import { AcmeClusterIssuer, Cluster, Dns01Solver, GitOpsApp, IIssuer, SecretKey, SyncWave } from '../../lib';
import { Environment } from './environment';

/** Platform pieces every tenant relies on. */
export interface Platform {
  /** Issuer of every public Route certificate. */
  readonly issuer: IIssuer;
}

/**
 * Certificates: Let's Encrypt through DNS-01 against the FreeIPA-managed zone (RFC 2136 + TSIG).
 * The TSIG key Secret is created out of band in the cert-manager namespace.
 */
export function addPlatform(cluster: Cluster, env: Environment): Platform {
  const certs = new GitOpsApp(cluster, 'Certificates', { name: 'platform-certificates', syncWave: SyncWave.CONFIG });
  const issuer = new AcmeClusterIssuer(certs, 'LetsEncrypt', {
    name: 'letsencrypt-dns',
    email: 'infra-admins@community.example.org',
    dnsZones: [env.domain],
    dns01: Dns01Solver.rfc2136({
      nameserver: 'ipa1.int.community.example.org:53',
      tsigKeyName: 'cert-manager',
      tsigSecret: SecretKey.of('rfc2136-tsig', 'secret'),
    }),
  });
  return { issuer };
}
