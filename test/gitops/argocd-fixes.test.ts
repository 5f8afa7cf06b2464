import { GitOpsApp } from '../../lib';
import { argoCdHasFix } from '../../lib/gitops/argocd-fixes';
import { Cluster } from '../../lib/gitops/cluster';

describe('Argo CD releases and the fixes ocpkit depends on', () => {
  test.each([
    ['2.10.5', false], ['2.10.6', true], ['2.10.18', true],
    ['2.9.10', false], ['2.9.11', true],
    ['2.8.14', false], ['2.8.15', true],
    ['2.7.99', false], ['2.11.0', true], ['3.0.0', true],
  ])('RespectIgnoreDifferences on Argo CD %s: fixed = %s', (version, fixed) => {
    expect(argoCdHasFix(version, 'respect-ignore-differences')).toBe(fixed);
  });

  test.each([undefined, '', '2.10', 'v2.10.6x'])('an unknown release (%p) is neither fixed nor broken', (v) => {
    expect(argoCdHasFix(v as any, 'respect-ignore-differences')).toBeUndefined();
  });
});

describe('respectOnSync is refused where Argo CD is broken or unknown', () => {
  const cluster = (argoCd?: string) => new Cluster({ name: 'c', environment: 'e', repoUrl: 'https://git.example.org/x.git', platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12', argoCd } });
  const ignore = { group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'], respectOnSync: true };

  test('a declared release with the fix allows it and sets the sync option', () => {
    const app = new GitOpsApp(cluster('2.10.6'), 'App', { name: 'app' });
    app.addIgnoreDifference(ignore);
    expect(JSON.stringify(app.application.toJson())).toContain('RespectIgnoreDifferences=true');
  });

  test('a release before the fix is refused with the construct path and the fixed releases', () => {
    const app = new GitOpsApp(cluster('2.10.5'), 'App', { name: 'app' });
    expect(() => app.addIgnoreDifference(ignore)).toThrow(/\[App ignoreDifference\] respectOnSync: Argo CD 2\.10\.5 .* fixed in 2\.8\.15 \/ 2\.9\.11 \/ 2\.10\.6/);
  });

  test('an undeclared release is refused, saying what to declare', () => {
    const app = new GitOpsApp(cluster(), 'App', { name: 'app' });
    expect(() => app.addIgnoreDifference(ignore)).toThrow(/respectOnSync: .*declare it as platform\.argoCd/);
  });

  test('compare-only ignores need no declared release', () => {
    const app = new GitOpsApp(cluster(), 'App', { name: 'app' });
    expect(() => app.addIgnoreDifference({ ...ignore, respectOnSync: false })).not.toThrow();
  });

  test.each([
    ['2.9.14', /platform\.argoCd: Argo CD 2\.9\.14 is not on the 2\.10 line OpenShift GitOps 1\.12 ships/],
    ['latest', /platform\.argoCd: "latest" is not an Argo CD release/],
  ])('platform.argoCd %s is refused', (v, message) => {
    expect(() => cluster(v)).toThrow(message);
  });
});
