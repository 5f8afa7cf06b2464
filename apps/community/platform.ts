import {
  AcmeAccount, AcmeIssuer, Cluster, ClusterEvictionStrategy, GitOpsApp, GLOBAL_OPERATORS_NAMESPACE, HyperConverged, IIssuer, NMStateOperand,
  OperatorInstall, OperatorTargets, PGO_OPERATOR, Provides, SyncWave, TreeIndex,
} from '../../lib';
import { Environment } from './environment';

/** Platform pieces every tenant relies on. */
export interface Platform {
  /**
   * The ACME settings every tenant Issuer is stamped from (a tenant's `tls` prop): Let's Encrypt,
   * DNS-01 against FreeIPA with one TSIG key per namespace. Absent in stacks without tenant
   * certificates (a tenant Route is then refused).
   */
  readonly acme?: AcmeAccount;
  /** GitLab's own namespaced Issuer (in its namespace, for its host names only). */
  readonly issuer: IIssuer;
}

/**
 * Why the Red Hat operator pins stand although the OpenShift 4.14 operator catalog
 * (../shared/crds/profiles/ocp-4.14/catalog/operators.yaml) cannot confirm them: the
 * redhat-operators bundles are not public, so the catalog marks their CSV names, skipRanges and
 * OpenShift ranges `unknown` and cites the product documentation instead. Each reason names that
 * documentation. A waiver only covers the CSV line it was written for (`csv` is a prefix of the
 * pin): a pin moved to another line is checked again.
 */
const RED_HAT_PIN_WAIVERS: Readonly<Record<string, { readonly csv: string; readonly reason: string }>> = {
  'openshift-cert-manager-operator': {
    csv: 'cert-manager-operator.v1.13.',
    reason: 'Red Hat downstream bundle: the catalog records cert-manager-operator.v1.13.1 in stable-v1 and stable-v1.13 '
      + '(openshift/cert-manager-operator@388153c branch cert-manager-1.13, operand cert-manager 1.13.6, the version of the 4.14 '
      + 'schema profile) but has no citable OpenShift range for it (openshift_range: unknown); confirm with `oc get packagemanifest '
      + 'openshift-cert-manager-operator -n openshift-marketplace` before the first install',
  },
  'kubernetes-nmstate-operator': {
    csv: 'kubernetes-nmstate-operator.4.14.',
    reason: 'the NMState operator is built per OpenShift minor: the catalog records kubernetes-nmstate-operator.v4.14.0 from '
      + 'openshift/kubernetes-nmstate@8f354cd (branch release-4.14) and notes that the builds shipped in redhat-operators carry a '
      + 'build suffix whose names are not public; 4.14.0-<build> is such a build of the 4.14 operator (name not verifiable offline)',
  },
  'kubevirt-hyperconverged': {
    csv: 'kubevirt-hyperconverged-operator.v4.14.',
    reason: 'OpenShift Virtualization 4.14 (CSV kubevirt-hyperconverged-operator.v4.14.z, channel stable, source redhat-operators) '
      + 'is the 4.14 release of the product: openshift/openshift-docs PR 101065 (enterprise-4.14 attributes, HCOVersion 4.14.14), '
      + 'cited by the catalog; the downstream bundle and its OpenShift range are not public',
  },
  'redhat-oadp-operator': {
    csv: 'oadp-operator.v1.4.',
    reason: 'OADP 1.4 supports OpenShift 4.14 to 4.18 (OADP-Velero-OKD table, https://docs.okd.io/latest/backup_and_restore/'
      + 'application_backup_and_restore/installing/oadp-installing-operator.html, cited by the catalog for 1.4.0-1.4.3); the z-stream '
      + 'CSV names in redhat-operators are not public (the oadp-1.4 branch bundle stays at 1.4.0; openshift-docs PR 102583 documents up to 1.4.7)',
  },
};

/**
 * Waives the catalog check, with the reasons of {@link RED_HAT_PIN_WAIVERS}, for every Red Hat
 * operator install of the cluster whose pin is on the waived CSV line (the platform operators
 * below, OADP in ./backup.ts). Call once the stack is built.
 */
export function waiveRedHatPins(cluster: Cluster): void {
  for (const install of TreeIndex.ofType(cluster, OperatorInstall)) {
    const w = RED_HAT_PIN_WAIVERS[install.packageName];
    if (w && install.catalogWaiver === undefined && install.startingCsv.startsWith(w.csv)) install.waiveCatalog(w.reason);
  }
}

/**
 * Operators the platform runs on, from the Red Hat catalog, each pinned to a CSV from the release
 * train: cert-manager, NMState (host bridges) and OpenShift Virtualization, and the operands of
 * the last two, in the same app so they sync after their Subscriptions (wave -20; the operands
 * take the default wave of custom resources and skip the dry-run until their CRDs exist): the
 * NMState resource (without it no NodeNetworkConfigurationPolicy is ever applied) and the
 * HyperConverged resource (without it OpenShift Virtualization deploys nothing) with the VM
 * settings of a 3-node hyperconverged cluster. cert-manager's openshift-routes add-on (a Helm
 * chart) is still created at bootstrap.
 * The catalog cannot confirm Red Hat's downstream pins: see {@link RED_HAT_PIN_WAIVERS}.
 */
function addPlatformOperators(cluster: Cluster, env: Environment): void {
  const app = new GitOpsApp(cluster, 'PlatformOperators', { name: 'platform-operators', syncWave: SyncWave.OPERATORS });
  const operators = [
    { id: 'CertManager', packageName: 'openshift-cert-manager-operator', namespace: 'cert-manager-operator', key: 'cert-manager' },
    { id: 'NmState', packageName: 'kubernetes-nmstate-operator', namespace: 'openshift-nmstate', key: 'nmstate' },
    { id: 'Virtualization', packageName: 'kubevirt-hyperconverged', namespace: 'openshift-cnv', key: 'cnv' },
  ];
  // Crunchy PGO watches every namespace (GitLab's database, and tenants that own one), installed
  // into openshift-operators, whose global OperatorGroup OpenShift provides.
  new OperatorInstall(app, 'Postgres', {
    ...PGO_OPERATOR,
    namespace: GLOBAL_OPERATORS_NAMESPACE,
    targets: OperatorTargets.allNamespaces(),
    createNamespace: false,
    createOperatorGroup: false,
    channel: env.versions.get('operators.pgo.channel'),
    startingCsv: env.versions.get('operators.pgo.csv'),
  });
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
  Provides.of(installs.get('Virtualization')!).namespace('openshift-virtualization-os-images', { by: 'OpenShift Virtualization' });

  // The handler runs on every node (the operator's default: every Linux node, every taint
  // tolerated), which the host bridges need: all three nodes carry them (./network.ts).
  new NMStateOperand(app, 'NmStateOperand');

  // Three nodes that are control plane, storage (ODF) and hypervisor at once, on 2x10G bonds that
  // also carry Ceph: node drains (MCO updates) move one node's VMs at a time, so two migrations in
  // the cluster are enough, and each is held to 256 MiB/s (about 2 Gbit/s) so Ceph and etcd keep
  // their share of the link. HCO's timeouts (800 s per GiB, 150 s without progress) stay.
  new HyperConverged(app, 'HyperConverged', {
    liveMigration: {
      parallelMigrationsPerCluster: 2,
      parallelOutboundMigrationsPerNode: 2,
      bandwidthPerMigration: '256Mi',
    },
    // HCO's default on a highly available cluster, written down: a VM that cannot migrate and
    // says nothing blocks the drain instead of going down (ocpkit's VMs say it themselves).
    evictionStrategy: ClusterEvictionStrategy.LIVE_MIGRATE,
    commonBootImageImport: true,
  });
}

/**
 * Certificates: Let's Encrypt through DNS-01 against the FreeIPA-managed zone (RFC 2136 + TSIG),
 * with no ACME ClusterIssuer at all. A ClusterIssuer is reachable from every namespace: any tenant
 * admin can name it in a Route, Ingress or Certificate (cert-manager's aggregated edit rules), and
 * on OpenShift 4.14 nothing in the stack could stop it (no approver-policy in the cert-manager
 * Operator 1.13, ValidatingAdmissionPolicy is Tech Preview). So every namespace with public names
 * gets its own namespaced Issuer and TSIG key: tenants through their `tls` prop (./tenants.ts),
 * GitLab here. Each key's FreeIPA update policy allows only its own `_acme-challenge` records
 * (the note of each key's External lists the lines), so the DNS server refuses anything else.
 */
/** GitLab's namespace (GITLAB_NAMESPACE of ./gitlab.ts, which imports this file). */
const GITLAB_NAMESPACE = 'gitlab-system';

export function addPlatform(cluster: Cluster, env: Environment): Platform {
  addPlatformOperators(cluster, env);
  const acme = AcmeAccount.rfc2136({
    email: 'infra-admins@community.example.org',
    nameserver: 'ipa1.int.community.example.org:53',
    // staging and production share the FreeIPA servers: one key per environment and namespace
    keyPrefix: `acme-${env.name}`,
  });
  const certs = new GitOpsApp(cluster, 'Certificates', { name: 'platform-certificates', syncWave: SyncWave.CONFIG });
  const issuer = new AcmeIssuer(certs, 'GitLabIssuer', {
    namespace: GITLAB_NAMESPACE,
    // the web UI, and the chart's KAS ingress (global.kas, on by default in the 7.x charts)
    hostnames: [`gitlab.${env.domain}`, `kas.${env.domain}`],
    account: acme,
  });
  return { acme, issuer };
}
