import { Cluster } from '../../lib/gitops/cluster';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { CatalogSource, InstallPlanApproval, OperatorInstall, OperatorTargets } from '../../lib/olm';
import { synthesize } from '../../lib/pipeline-defaults';

function setup() {
  const cluster = new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12' }, name: 'test', environment: 'test', repoUrl: 'https://git.example.org/infra.git' });
  const app = new GitOpsApp(cluster, 'Operators', { name: 'operators' });
  return { cluster, app };
}

/** The rendered objects of a kind (references off: the mirrored CatalogSource below exists only on a real cluster). */
function objectsOf(cluster: Cluster, kind: string): any[] {
  return synthesize(cluster, { references: false }).objects.map((o) => o.manifest).filter((m) => m.kind === kind);
}

/** Tests of the objects an install renders; the catalog check has its own tests (catalog-check.test.ts). */
const WAIVER = { reason: 'test of the rendered objects only; pins are checked in test/olm/catalog-check.test.ts' };
const GITLAB = { packageName: 'gitlab-operator-kubernetes', namespace: 'gitlab-system', channel: 'stable', startingCsv: 'gitlab-operator-kubernetes.v0.27.1' };

describe('OperatorInstall', () => {
  test('minimal install: namespace, own-namespace OperatorGroup, pinned manual Subscription', () => {
    const { cluster, app } = setup();
    new OperatorInstall(app, 'GitLab', { ...GITLAB, catalogWaiver: WAIVER }); // the default source is redhat-operators
    const result = synthesize(cluster);
    const mine = result.objects.filter((o) => o.file.startsWith('test/operators/'));
    expect(mine.map((o) => o.file).sort()).toEqual([
      'test/operators/namespace.gitlab-system.yaml',
      'test/operators/operatorgroup.gitlab-system.gitlab-system.yaml',
      'test/operators/subscription.gitlab-system.gitlab-operator-kubernetes.yaml',
    ]);
    const sub = mine.find((o) => o.manifest.kind === 'Subscription')!.manifest;
    expect(sub).toEqual({
      apiVersion: 'operators.coreos.com/v1alpha1',
      kind: 'Subscription',
      metadata: { name: 'gitlab-operator-kubernetes', namespace: 'gitlab-system', annotations: { 'argocd.argoproj.io/sync-wave': '-20' } },
      spec: {
        name: 'gitlab-operator-kubernetes',
        channel: 'stable',
        source: 'redhat-operators',
        sourceNamespace: 'openshift-marketplace',
        startingCSV: 'gitlab-operator-kubernetes.v0.27.1',
        installPlanApproval: 'Manual',
      },
    });
    const og = mine.find((o) => o.manifest.kind === 'OperatorGroup')!.manifest;
    expect(og.apiVersion).toBe('operators.coreos.com/v1');
    expect(og.spec).toEqual({ targetNamespaces: ['gitlab-system'] });
    expect(og.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-21');
    const ns = mine.find((o) => o.manifest.kind === 'Namespace')!.manifest;
    expect(ns.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-22');
    expect(ns.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Prune=false,Delete=false');
  });

  test('catalog, automatic approval, env and namespace labels', () => {
    const { cluster, app } = setup();
    new OperatorInstall(app, 'CertManager', {
      packageName: 'openshift-cert-manager-operator',
      namespace: 'cert-manager-operator',
      channel: 'stable-v1',
      startingCsv: 'cert-manager-operator.v1.13.0',
      catalog: CatalogSource.of('mirrored-redhat', 'mirror-catalogs'),
      approval: InstallPlanApproval.AUTOMATIC,
      env: { OPERATOR_LOG_LEVEL: '2' },
      namespaceLabels: { 'openshift.io/cluster-monitoring': 'true' },
      catalogWaiver: WAIVER,
    });
    const sub = objectsOf(cluster, 'Subscription')[0];
    expect(sub.spec.source).toBe('mirrored-redhat');
    expect(sub.spec.sourceNamespace).toBe('mirror-catalogs');
    expect(sub.spec.installPlanApproval).toBe('Automatic');
    expect(sub.spec.config).toEqual({ env: [{ name: 'OPERATOR_LOG_LEVEL', value: '2' }] });
    const ns = objectsOf(cluster, 'Namespace').find((n) => n.metadata.name === 'cert-manager-operator');
    expect(ns.metadata.labels).toEqual({ 'argocd.argoproj.io/managed-by': 'openshift-gitops', 'openshift.io/cluster-monitoring': 'true' });
  });

  test('all-namespaces and listed target namespaces', () => {
    const { cluster, app } = setup();
    new OperatorInstall(app, 'Runner', { packageName: 'gitlab-runner-operator', namespace: 'gitlab-runner-system', channel: 'stable', startingCsv: 'gitlab-runner-operator.v1.46.0', catalog: CatalogSource.CERTIFIED_OPERATORS, targets: OperatorTargets.allNamespaces() });
    new OperatorInstall(app, 'Oadp', { packageName: 'redhat-oadp-operator', namespace: 'openshift-adp', channel: 'stable-1.4', startingCsv: 'oadp-operator.v1.4.1', catalogWaiver: WAIVER, targets: OperatorTargets.namespaces('openshift-adp', 'backups') });
    const groups = objectsOf(cluster, 'OperatorGroup');
    expect(groups.find((g) => g.metadata.namespace === 'gitlab-runner-system').spec).toEqual({});
    expect(groups.find((g) => g.metadata.namespace === 'openshift-adp').spec).toEqual({ targetNamespaces: ['openshift-adp', 'backups'] });
  });

  test('openshift-operators: no namespace and no group when told so; CSV without "v" accepted', () => {
    const { cluster, app } = setup();
    const install = new OperatorInstall(app, 'NMState', {
      packageName: 'kubernetes-nmstate-operator',
      namespace: 'openshift-operators',
      channel: 'stable',
      startingCsv: 'kubernetes-nmstate-operator.4.14.0-202310201027',
      createNamespace: false,
      createOperatorGroup: false,
      catalogWaiver: WAIVER,
    });
    expect(install.namespaceObject).toBeUndefined();
    expect(install.operatorGroup).toBeUndefined();
    expect(objectsOf(cluster, 'OperatorGroup')).toEqual([]);
    expect(objectsOf(cluster, 'Subscription')[0].spec.startingCSV).toBe('kubernetes-nmstate-operator.4.14.0-202310201027');
  });

  describe('bad input', () => {
    test.each([
      ['packageName', { packageName: 'GitLab Operator' }, /\[Operators\/Bad\] packageName: "GitLab Operator" is not a DNS-1123 subdomain/],
      ['namespace', { namespace: 'gitlab_system' }, /\[Operators\/Bad\] namespace: "gitlab_system" is not a DNS-1123 label/],
      ['channel', { channel: '' }, /channel: "" is not a channel name/],
      ['startingCsv without version', { startingCsv: 'gitlab-operator-kubernetes' }, /startingCsv: "gitlab-operator-kubernetes" is not a pinned ClusterServiceVersion name/],
      ['startingCsv missing', { startingCsv: undefined }, /startingCsv: undefined is not a pinned ClusterServiceVersion/],
      ['approval', { approval: 'Sometimes' }, /approval: "Sometimes" is not allowed; use one of "Automatic", "Manual"/],
      ['catalog as string', { catalog: 'redhat-operators' }, /catalog: must be a CatalogSource/],
      ['empty target list', { targets: OperatorTargets.namespaces() }, /targets: OperatorTargets.namespaces\(\) needs at least one namespace/],
      ['bad target', { targets: OperatorTargets.namespaces('Bad_NS') }, /targets\[0\]: "Bad_NS" is not a DNS-1123 label/],
      ['env name', { env: { 'bad-name': 'x' } }, /env.bad-name: "bad-name" is not an environment variable name/],
      ['openshift-operators defaults', { namespace: 'openshift-operators' }, /createNamespace: "openshift-operators" exists on every OpenShift cluster[\s\S]*createOperatorGroup: "openshift-operators" already has the "global-operators" OperatorGroup/],
    ])('%s', (_name, override, message) => {
      const { app } = setup();
      expect(() => new OperatorInstall(app, 'Bad', { ...GITLAB, ...(override as any) })).toThrow(message);
    });

    test('all problems reported together', () => {
      const { app } = setup();
      expect(() => new OperatorInstall(app, 'Bad', { ...GITLAB, channel: '', startingCsv: 'x' })).toThrow(/2 problems found/);
    });

    test('CatalogSource.of checks its name', () => {
      expect(() => CatalogSource.of('Red Hat')).toThrow(/\[CatalogSource Red Hat\] name: "Red Hat" is not a DNS-1123 subdomain/);
    });

    test('two OperatorGroups in one namespace fail at synth', () => {
      const { cluster, app } = setup();
      new OperatorInstall(app, 'A', GITLAB);
      new OperatorInstall(app, 'B', { ...GITLAB, packageName: 'other-operator', startingCsv: 'other-operator.v1.0.0', operatorGroupName: 'second' });
      expect(() => synthesize(cluster)).toThrow(/\[Operators\/A\] namespace "gitlab-system" gets a second OperatorGroup from Operators\/B/);
    });
  });
});
