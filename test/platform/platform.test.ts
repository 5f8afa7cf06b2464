import * as path from 'path';
import { Cluster } from '../../lib/gitops/cluster';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { OperatorInstall } from '../../lib/olm';
import { compareVersions, OperatorCatalog, rangeCovers } from '../../lib/platform/operator-catalog';
import { Platform } from '../../lib/platform/platform';
import { ReleaseTrain } from '../../lib';
import { synthesize } from '../../lib/pipeline-defaults';
import { build, PLATFORM } from '../../apps/community/main';

const BASE = { name: 'c', environment: 'e', repoUrl: 'https://git.example.org/x.git' };
const OK = { openshift: '4.14', networkType: 'OpenShiftSDN', gitops: '1.12' } as const;

describe('Cluster declares its platform', () => {
  test('the declared platform is reachable from any construct, with facts derived from the catalog', () => {
    const cluster = new Cluster({ ...BASE, platform: OK });
    const app = new GitOpsApp(cluster, 'App', { name: 'app' });
    const p = Platform.of(app)!;
    expect(p).toBe(cluster.platform);
    expect(p).toMatchObject({ openshift: '4.14', networkType: 'OpenShiftSDN', gitops: '1.12', argoCd: '2.10.18', kubernetes: '1.27' });
    expect(p.profileDir).toMatch(/profiles[\\/]ocp-4\.14$/);
    expect(p.atLeast('4.13')).toBe(true);
    expect(p.atLeast('4.15')).toBe(false);
  });

  test.each<[string, any, RegExp]>([
    ['missing', undefined, /\[cluster c\] platform: is required: declare what the cluster runs/],
    ['an OpenShift version without a profile', { ...OK, openshift: '4.99' }, /^invalid platform:\n {2}\[cluster c\] platform\.openshift: "4\.99" has no schema profile \(no profiles[\\/]ocp-4\.99[\\/]index\.yaml in .*\); profiles available: 4\.14$/],
    ['an OpenShift version that is not a minor version', { ...OK, openshift: 4.14 }, /platform\.openshift: 4\.14 is not an OpenShift minor version; write it as "4\.14" \(profiles available: 4\.14\)/],
    ['an unknown network type', { ...OK, networkType: 'Calico' }, /platform\.networkType: "Calico" is not a network type; one of OVNKubernetes, OpenShiftSDN/],
    ['a GitOps version the catalog does not record', { ...OK, gitops: '1.99' }, /platform\.gitops: OpenShift GitOps 1\.99 is not in the operator catalog of OpenShift 4\.14 .*; it records 1\.10, 1\.11, 1\.12 for 4\.14/],
  ])('refused: %s', (_name, platform, message) => {
    expect(() => new Cluster({ ...BASE, platform })).toThrow(message);
  });
});

describe('OperatorCatalog (profile ocp-4.14)', () => {
  const catalog = new Cluster({ ...BASE, platform: OK }).platform.catalog;

  test('it is read once per file version', () => {
    expect(OperatorCatalog.load(path.dirname(path.dirname(catalog.file)))).toBe(catalog);
    expect(catalog.openshift).toBe('4.14');
  });

  test('packages, CSVs and the chart versions an operator accepts (when cited)', () => {
    expect(catalog.package('gitlab-operator-kubernetes')).toMatchObject({ catalogSource: 'certified-operators', defaultChannel: 'stable', channels: ['stable', 'unstable'] });
    expect(catalog.supportedChartVersions('gitlab-operator-kubernetes', 'gitlab-operator-kubernetes.v0.27.1')).toEqual(['7.7.2', '7.6.4', '7.5.6']);
    expect(catalog.supportedChartVersions('gitlab-operator-kubernetes', 'gitlab-operator-kubernetes.v0.30.0')).toEqual(['7.10.0']);
    // no CHART_VERSIONS cited: the chart of the bundle's example CR, with its GitLab release only when stated as fact
    expect(catalog.chartReleases('gitlab-operator-kubernetes', 'gitlab-operator-kubernetes.v2.11.3')).toEqual([{ chart: '9.11.4', gitlab: '18.11.4' }]);
    expect(catalog.csv('gitlab-operator-kubernetes', 'gitlab-operator-kubernetes.v2.11.3')?.supportedChartVersionsSource).toMatch(/^the example GitLab CR \(alm-examples\) of the bundle redhat-openshift-ecosystem\/certified-operators@/);
    expect(catalog.chartReleases('gitlab-operator-kubernetes', 'gitlab-operator-kubernetes.v3.3.0')).toEqual([{ chart: '10.3.0', gitlab: undefined }]);
    // cited CHART_VERSIONS whose GitLab release the catalog calls a pattern only
    expect(catalog.chartReleases('gitlab-operator-kubernetes', 'gitlab-operator-kubernetes.v0.27.1')?.[0]).toEqual({ chart: '7.7.2', gitlab: undefined });
    expect(catalog.chartReleases('gitlab-operator-kubernetes', 'gitlab-operator-kubernetes.v1.10.0')?.[2]).toEqual({ chart: '8.7.6', gitlab: '17.7.4' });
    // neither cited nor an example
    expect(catalog.supportedChartVersions('gitlab-operator-kubernetes', 'gitlab-operator-kubernetes.v1.0.0')).toBeUndefined();
    expect(catalog.csv('kubevirt-hyperconverged', 'kubevirt-hyperconverged-operator.v4.14.9')?.csv).toBe('kubevirt-hyperconverged-operator.v4.14.z');
    expect(catalog.csv('kubevirt-hyperconverged', 'kubevirt-hyperconverged-operator.v4.15.1')).toBeUndefined();
    expect(catalog.package('openshift-gitops-operator')?.csvsUnknown).toBe(true);
    const newest = catalog.csvsFor('gitlab-operator-kubernetes', 'stable', '4.14');
    expect(newest[0].csv).toBe('gitlab-operator-kubernetes.v0.27.0');
    expect(newest[newest.length - 1].csv).toBe('gitlab-operator-kubernetes.v3.3.0');
  });

  test.each<[string, string, boolean]>([
    ['v4.12', '4.14', true], ['v4.15', '4.14', false], ['v4.10-v4.14', '4.14', true], ['v4.10-v4.13', '4.14', false],
    ['=v4.14', '4.14', true], ['=v4.12', '4.14', false], ['v4.6,v4.14', '4.14', true], ['v4.9-v4.11', '4.10', true],
  ])('com.redhat.openshift.versions %j covers %s: %s', (label, version, covers) => {
    expect(rangeCovers(label, version)).toBe(covers);
  });

  test('versions compare numerically', () => {
    expect(['4.14', '4.9', '4.10'].sort(compareVersions)).toEqual(['4.9', '4.10', '4.14']);
  });
});

describe('the reference stack (apps/community)', () => {
  test('declares OpenShift 4.14 on OpenShift SDN with GitOps 1.12, and synthesizes against the 4.14 profile and catalog', () => {
    expect(PLATFORM).toEqual({ openshift: '4.14', networkType: 'OpenShiftSDN', gitops: '1.12', argoCd: '2.10.18' });
    const clusters = build();
    for (const c of clusters) expect(c.platform.openshift).toBe('4.14');
    const result = synthesize(clusters);
    expect(result.objects.length).toBeGreaterThan(1000);
    // every operator pin is confirmed by the catalog or carries a reasoned waiver
    const installs = clusters.flatMap((c) => c.node.findAll().filter((x): x is OperatorInstall => x instanceof OperatorInstall));
    const waived = installs.filter((i) => i.catalogWaiver).map((i) => i.packageName).sort();
    expect([...new Set(waived)]).toEqual(['kubernetes-nmstate-operator', 'kubevirt-hyperconverged', 'openshift-cert-manager-operator', 'redhat-oadp-operator']);
  });

  test.each(['production', 'staging'])('%s: the pinned GitLab chart is one the pinned operator accepts (catalog)', (env) => {
    const train = ReleaseTrain.load(path.join(__dirname, '..', '..', 'apps', 'community', 'versions.yaml'), env);
    const catalog = new Cluster({ ...BASE, platform: OK }).platform.catalog;
    const charts = catalog.supportedChartVersions('gitlab-operator-kubernetes', train.get('operators.gitlab.csv'));
    expect(charts).toContain(train.get('charts.gitlab'));
  });
});
