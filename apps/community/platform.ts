import { AcmeClusterIssuer, Cluster, Dns01Solver, GitOpsApp, IIssuer, OperatorInstall, SecretKey, SyncWave } from '../../lib';
import { Environment } from './environment';

/** Platform pieces every tenant relies on. */
export interface Platform {
  /** Issuer of every public Route certificate. */
  readonly issuer: IIssuer;
}

/**
 * Operators the platform runs on, from the Red Hat catalog, each pinned to a CSV from the release
 * train: cert-manager, NMState (host bridges) and OpenShift Virtualization. Their operand
 * resources (the NMState and HyperConverged CRs) have no schema in the shared CRDs, so they are
 * created at bootstrap, not here; so is cert-manager's openshift-routes add-on (a Helm chart).
 */
function addPlatformOperators(cluster: Cluster, env: Environment): void {
  const app = new GitOpsApp(cluster, 'PlatformOperators', { name: 'platform-operators', syncWave: SyncWave.OPERATORS });
  const operators = [
    { id: 'CertManager', packageName: 'openshift-cert-manager-operator', namespace: 'cert-manager-operator', key: 'cert-manager' },
    { id: 'NmState', packageName: 'kubernetes-nmstate-operator', namespace: 'openshift-nmstate', key: 'nmstate' },
    { id: 'Virtualization', packageName: 'kubevirt-hyperconverged', namespace: 'openshift-cnv', key: 'cnv' },
  ];
  for (const o of operators) {
    new OperatorInstall(app, o.id, {
      packageName: o.packageName,
      namespace: o.namespace,
      channel: env.versions.get(`operators.${o.key}.channel`),
      startingCsv: env.versions.get(`operators.${o.key}.csv`),
    });
  }
}

/**
 * Certificates: Let's Encrypt through DNS-01 against the FreeIPA-managed zone (RFC 2136 + TSIG).
 * The TSIG key Secret is created out of band in the cert-manager namespace.
 */
export function addPlatform(cluster: Cluster, env: Environment): Platform {
  addPlatformOperators(cluster, env);
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
