import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { DEFAULT_GITLAB_OPERATOR_CSV, GitLabOperator, GitLabRunnerOperator } from '../../lib/gitlab';
import { InstallPlanApproval } from '../../lib/olm';
import { find, synth, testCluster } from '../_helpers';

describe('GitLab operators', () => {
  test('GitLab Operator and Runner Operator from the certified catalog, pinned, manual', () => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'Ops', { name: 'gitlab-operators' });
    const gl = new GitLabOperator(app, 'GitLab');
    new GitLabRunnerOperator(app, 'Runner', { approval: InstallPlanApproval.AUTOMATIC });
    const result = synth(cluster);
    expect(find(result, 'Subscription', 'gitlab-operator-kubernetes', 'gitlab-system').spec).toEqual({
      name: 'gitlab-operator-kubernetes', channel: 'stable', source: 'certified-operators', sourceNamespace: 'openshift-marketplace',
      startingCSV: 'gitlab-operator-kubernetes.v2.11.3', installPlanApproval: 'Manual',
    });
    expect(find(result, 'Subscription', 'gitlab-runner-operator', 'gitlab-runner-system').spec).toEqual({
      name: 'gitlab-runner-operator', channel: 'stable', source: 'certified-operators', sourceNamespace: 'openshift-marketplace',
      startingCSV: 'gitlab-runner-operator.v1.48.3', installPlanApproval: 'Automatic',
    });
    expect(find(result, 'OperatorGroup', 'gitlab-system').spec).toEqual({ targetNamespaces: ['gitlab-system'] });
    // from the 4.14 operator catalog (the chart of the bundle's example CR; no CHART_VERSIONS cited for 2.11.3)
    expect(gl.supportedChartVersions).toEqual(['9.11.4']);
  });

  test('an operator release whose chart set the catalog does not cite leaves the chart version unchecked', () => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'Ops', { name: 'gitlab-operators' });
    const gl = new GitLabOperator(app, 'GitLab', { startingCsv: 'gitlab-operator-kubernetes.v1.0.0', namespace: 'gitlab' });
    expect(gl.supportedChartVersions).toBeUndefined();
    expect(gl.operatorNamespace).toBe('gitlab');
    expect(DEFAULT_GITLAB_OPERATOR_CSV).toBe('gitlab-operator-kubernetes.v2.11.3');
  });

  test('bad CSV is reported with the construct path', () => {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'Ops', { name: 'gitlab-operators' });
    expect(() => new GitLabOperator(app, 'GitLab', { startingCsv: 'latest' })).toThrow(/\[Ops\/GitLab\] startingCsv: "latest" is not a pinned ClusterServiceVersion name/);
  });
});
