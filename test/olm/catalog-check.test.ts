import { Cluster } from '../../lib/gitops/cluster';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { CatalogSource, OperatorInstall, OperatorInstallProps } from '../../lib/olm';
import { synthesize } from '../../lib/pipeline-defaults';
import { testCluster } from '../_helpers';

function installWith(props: Partial<OperatorInstallProps>, cluster: Cluster = testCluster()): { cluster: Cluster; install: OperatorInstall } {
  const app = new GitOpsApp(cluster, 'Operators', { name: 'operators' });
  const install = new OperatorInstall(app, 'Op', {
    packageName: 'gitlab-operator-kubernetes', namespace: 'gitlab-system', channel: 'stable', startingCsv: 'gitlab-operator-kubernetes.v0.27.1',
    catalog: CatalogSource.CERTIFIED_OPERATORS, ...props,
  });
  return { cluster, install };
}

/** The catalog problems of a synth (policies and references off: other failure modes). */
function catalogProblems(cluster: Cluster): string[] {
  try {
    synthesize(cluster, { policies: false, references: false });
    return [];
  } catch (e) {
    return ((e as any).problems ?? []).map((p: any) => `[${p.path}] ${p.field}: ${p.message}`);
  }
}

const REASON = 'downstream CSV not public; OpenShift support documented in the product release notes (https://docs.example.org)';

describe('OperatorInstall pins are checked against the OpenShift 4.14 operator catalog', () => {
  test.each<[string, Partial<OperatorInstallProps>, RegExp]>([
    ['a package the catalog does not know', { packageName: 'acme-operator', startingCsv: 'acme-operator.v1.0.0' },
      /^\[Operators\/Op\] packageName: package "acme-operator" is not in the OpenShift 4\.14 operator catalog .*; it knows gitlab-operator-kubernetes, .*add catalogWaiver/],
    ['a CSV built for OpenShift <= 4.13 (maxOpenShiftVersion 4.13)', { startingCsv: 'gitlab-operator-kubernetes.v0.26.0' },
      /^\[Operators\/Op\] startingCsv: gitlab-operator-kubernetes\.v0\.26\.0 declares OpenShift v4\.10-v4\.13 \(olm\.maxOpenShiftVersion 4\.13\), not 4\.14; the newest CSV declaring OpenShift 4\.14 in channel "stable" is gitlab-operator-kubernetes\.v3\.3\.0/],
    ['a CSV the catalog does not record', { startingCsv: 'gitlab-operator-kubernetes.v0.27.9' },
      /^\[Operators\/Op\] startingCsv: "gitlab-operator-kubernetes\.v0\.27\.9" is not a CSV the catalog knows/],
    ['a channel the package does not have', { channel: 'fast' },
      /^\[Operators\/Op\] channel: channel "fast" is not a channel of "gitlab-operator-kubernetes" for OpenShift 4\.14; the catalog lists stable, unstable/],
    ['the wrong catalog source', { catalog: CatalogSource.REDHAT_OPERATORS },
      /^\[Operators\/Op\] catalog: package "gitlab-operator-kubernetes" comes from the certified-operators or community-operators catalog source, not "redhat-operators"/],
    ['a Red Hat CSV the catalog marks unknown', { packageName: 'openshift-cert-manager-operator', namespace: 'cert-manager-operator', channel: 'stable-v1', startingCsv: 'cert-manager-operator.v1.13.1', catalog: CatalogSource.REDHAT_OPERATORS },
      /^\[Operators\/Op\] startingCsv: the catalog cannot confirm that cert-manager-operator\.v1\.13\.1 supports OpenShift 4\.14: com\.redhat\.openshift\.versions unknown.*add catalogWaiver: \{ reason \} citing/],
    ['a bundle declaring 4.14 that the 4.14 catalog template does not serve (Crunchy 5.8.8)', { packageName: 'crunchy-postgres-operator', namespace: 'pgo', channel: 'v5', startingCsv: 'postgresoperator.v5.8.8' },
      /^\[Operators\/Op\] startingCsv: postgresoperator\.v5\.8\.8 declares OpenShift 4\.14 but is not in the OpenShift 4\.14 catalog template of channel "v5"; the newest CSV declaring OpenShift 4\.14 in channel "v5" is postgresoperator\.v5\.8\.7/],
  ])('refused: %s', (_name, props, message) => {
    const lines = catalogProblems(installWith(props).cluster);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.some((l) => message.test(l))).toBe(true);
  });

  test.each<[string, Partial<OperatorInstallProps>]>([
    ['GitLab operator 0.27.1 (v4.10-v4.14)', {}],
    ['GitLab Runner operator 1.46.0', { packageName: 'gitlab-runner-operator', namespace: 'gitlab-runner-system', startingCsv: 'gitlab-runner-operator.v1.46.0' }],
    ['Crunchy PGO 5.8.7 (newest of the 4.14 template)', { packageName: 'crunchy-postgres-operator', namespace: 'pgo', channel: 'v5', startingCsv: 'postgresoperator.v5.8.7' }],
  ])('accepted: %s', (_name, props) => {
    expect(catalogProblems(installWith(props).cluster)).toEqual([]);
  });

  test('a waiver with a reason accepts an unconfirmed pin; on a confirmed pin it must go', () => {
    expect(catalogProblems(installWith({ startingCsv: 'gitlab-operator-kubernetes.v0.26.0', catalogWaiver: { reason: REASON } }).cluster)).toEqual([]);
    const { cluster, install } = installWith({ packageName: 'kubevirt-hyperconverged', namespace: 'openshift-cnv', startingCsv: 'kubevirt-hyperconverged-operator.v4.14.9', catalog: CatalogSource.REDHAT_OPERATORS });
    expect(catalogProblems(cluster)).toEqual([expect.stringMatching(/^\[Operators\/Op\] startingCsv: the catalog cannot confirm that kubevirt-hyperconverged-operator\.v4\.14\.z supports OpenShift 4\.14/)]);
    install.waiveCatalog(REASON);
    expect(catalogProblems(cluster)).toEqual([]);
    expect(catalogProblems(installWith({ catalogWaiver: { reason: REASON } }).cluster)).toEqual([
      '[Operators/Op] catalogWaiver: the OpenShift 4.14 operator catalog confirms gitlab-operator-kubernetes.v0.27.1 (channel "stable"), so the waiver is not needed; remove it',
    ]);
  });

  test.each([[''], ['   '], ['because']])('a waiver without a real reason (%j) is refused at once', (reason) => {
    expect(() => installWith({ catalogWaiver: { reason } })).toThrow(/catalogWaiver\.reason: .* is not a reason; write why the pin is right/);
    const { install } = installWith({});
    expect(() => install.waiveCatalog(reason)).toThrow(/catalogWaiver\.reason/);
  });

  test('two clusters in one synth are each checked against their own platform', () => {
    const a = installWith({ startingCsv: 'gitlab-operator-kubernetes.v0.26.0' }, testCluster('a')).cluster;
    const b = installWith({}, testCluster('b')).cluster;
    expect(() => synthesize([a, b], { policies: false, references: false })).toThrow(/\[Operators\/Op\] startingCsv: gitlab-operator-kubernetes\.v0\.26\.0 declares/);
    expect(() => synthesize([b], { policies: false, references: false })).not.toThrow();
  });
});
