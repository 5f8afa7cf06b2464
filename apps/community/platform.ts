import { AcmeClusterIssuer, Cluster, Dns01Solver, External, GitOpsApp, IIssuer, OperatorInstall, Provides, SecretKey, SyncWave } from '../../lib';
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
  const installs = new Map<string, OperatorInstall>();
  for (const o of operators) {
    installs.set(o.id, new OperatorInstall(app, o.id, {
      packageName: o.packageName,
      namespace: o.namespace,
      channel: env.versions.get(`operators.${o.key}.channel`),
      startingCsv: env.versions.get(`operators.${o.key}.csv`),
    }));
  }
  // The operand namespace of the cert-manager Operator for Red Hat OpenShift: the controller runs
  // in `cert-manager`, which is also where it reads ClusterIssuer Secrets from (lib/refs/platform.ts).
  Provides.of(installs.get('CertManager')!).namespace('cert-manager', { by: 'cert-manager Operator for Red Hat OpenShift' });
  // OpenShift Virtualization keeps its boot sources in openshift-virtualization-os-images:
  // DataSource rhel8 (docs.openshift.com/container-platform/4.11/virt/virtual_machines/advanced_vm_management/virt-automatic-bootsource-updates.html)
  // and rhel9 (openshift-docs, HyperConverged dataImportCronTemplates `managedDataSource: rhel9`).
  // The full 4.14 list (fedora, centos-stream*) was not verified, so it is not declared.
  Provides.of(installs.get('Virtualization')!)
    .namespace('openshift-virtualization-os-images', { by: 'OpenShift Virtualization' })
    .dataSource('openshift-virtualization-os-images', 'rhel8', { by: 'OpenShift Virtualization (boot source)' })
    .dataSource('openshift-virtualization-os-images', 'rhel9', { by: 'OpenShift Virtualization (boot source)' });
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
  External.secret(certs, 'rfc2136-tsig', {
    namespace: 'cert-manager',
    keys: ['secret'],
    providedBy: 'by-hand',
    note: 'TSIG key "cert-manager" (HMAC-SHA512, base64) that FreeIPA allows to update the environment zone; cert-manager reads ClusterIssuer Secrets from its own namespace',
  });
  return { issuer };
}
