import { Cluster } from '../../lib/gitops/cluster';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { SyncWave } from '../../lib/gitops/sync-wave';
import { CronSchedule } from '../../lib/backup/cron';
import { GoDuration } from '../../lib/backup/duration';
import { ExternalImage } from '../../lib/openshift/external-image';
import { InstallPlanApproval, InstallPlanApprover, OperatorInstall, OperatorInstallProps } from '../../lib/olm';
import { OcpkitError } from '../../lib/core/errors';
import { synth, testCluster } from '../_helpers';

/** Tests of the approver's objects; operator pins are checked against the catalog elsewhere. */
const WAIVER = { reason: 'test of the approver only; pins are checked in test/olm/catalog-check.test.ts' };
const NMSTATE: OperatorInstallProps = { packageName: 'kubernetes-nmstate-operator', namespace: 'openshift-nmstate', channel: 'stable', startingCsv: 'kubernetes-nmstate-operator.4.14.0-202410231636', catalogWaiver: WAIVER };
const CNV: OperatorInstallProps = { packageName: 'kubevirt-hyperconverged', namespace: 'openshift-cnv', channel: 'stable', startingCsv: 'kubevirt-hyperconverged-operator.v4.14.8', catalogWaiver: WAIVER };
const OADP: OperatorInstallProps = { packageName: 'redhat-oadp-operator', namespace: 'openshift-adp', channel: 'stable-1.4', startingCsv: 'oadp-operator.v1.4.4', catalogWaiver: WAIVER };

function stack(): { cluster: Cluster; operators: GitOpsApp; pins: GitOpsApp } {
  const cluster = testCluster();
  const operators = new GitOpsApp(cluster, 'Operators', { name: 'operators', syncWave: SyncWave.OPERATORS });
  const pins = new GitOpsApp(cluster, 'Pins', { name: 'operator-pins', syncWave: SyncWave.OPERATOR_PINS });
  return { cluster, operators, pins };
}

function manifests(cluster: Cluster, folder = 'operator-pins'): any[] {
  return synth(cluster).objects.filter((o) => o.file.startsWith(`test/${folder}/`)).map((o) => o.manifest);
}

function messages(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof OcpkitError) return e.problems.map((p) => `${p.field ? `${p.field}: ` : ''}${p.message}`);
    throw e;
  }
  throw new Error('expected an OcpkitError');
}

describe('InstallPlanApprover', () => {
  test('pins every Manual install of the cluster, sorted, and leaves Automatic ones out', () => {
    const { cluster, operators, pins } = stack();
    new OperatorInstall(operators, 'Virt', CNV);
    new OperatorInstall(operators, 'NmState', NMSTATE);
    new OperatorInstall(operators, 'Oadp', { ...OADP, approval: InstallPlanApproval.AUTOMATIC });
    new InstallPlanApprover(pins, 'Approver');
    const cm = manifests(cluster).find((m) => m.kind === 'ConfigMap');
    expect(cm.metadata).toMatchObject({ name: 'installplan-approver', namespace: 'installplan-approver' });
    expect(cm.data.pins).toBe(
      'openshift-cnv kubevirt-hyperconverged kubevirt-hyperconverged-operator.v4.14.8\n'
      + 'openshift-nmstate kubernetes-nmstate-operator kubernetes-nmstate-operator.4.14.0-202410231636\n',
    );
  });

  test('least privilege: one ClusterRole (installplans get/list/patch, nothing else) bound to its ServiceAccount only', () => {
    const { cluster, operators, pins } = stack();
    new OperatorInstall(operators, 'Virt', CNV);
    new OperatorInstall(operators, 'NmState', NMSTATE);
    new InstallPlanApprover(pins, 'Approver');
    const mine = manifests(cluster);
    expect(mine.filter((m) => m.kind === 'Role' || m.kind === 'RoleBinding')).toEqual([]);
    const roles = mine.filter((m) => m.kind === 'ClusterRole');
    expect(roles).toHaveLength(1);
    expect(roles[0].rules).toEqual([{ apiGroups: ['operators.coreos.com'], resources: ['installplans'], verbs: ['get', 'list', 'patch'] }]);
    const bindings = mine.filter((m) => m.kind === 'ClusterRoleBinding');
    expect(bindings).toHaveLength(1);
    expect(bindings[0].roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roles[0].metadata.name });
    expect(bindings[0].subjects).toEqual([{ kind: 'ServiceAccount', name: 'installplan-approver', namespace: 'installplan-approver' }]);
    expect(mine.filter((m) => m.kind === 'ServiceAccount').map((m) => `${m.metadata.namespace}/${m.metadata.name}`)).toEqual(['installplan-approver/installplan-approver']);
  });

  test('its app must sync before every app holding a Manual Subscription (review: the first install waits for it)', () => {
    const cluster = testCluster();
    const operators = new GitOpsApp(cluster, 'Operators', { name: 'operators', syncWave: SyncWave.OPERATORS });
    const late = new GitOpsApp(cluster, 'Pins', { name: 'operator-pins', syncWave: SyncWave.CONFIG });
    new OperatorInstall(operators, 'Virt', CNV);
    new InstallPlanApprover(late, 'Approver');
    expect(messages(() => synth(cluster)).join('\n')).toMatch(/the approver's GitOpsApp "operator-pins" syncs at wave 0, not before "operators" \(wave -20\), whose Manual Subscription kubevirt-hyperconverged waits for it: the first install would never be approved; give "operator-pins" a lower syncWave \(SyncWave.OPERATOR_PINS\)/);
  });

  test('an install defined after the approver is pinned too (the pins are read at synth time)', () => {
    const { cluster, operators, pins } = stack();
    new OperatorInstall(operators, 'NmState', NMSTATE);
    new InstallPlanApprover(pins, 'Approver');
    new OperatorInstall(operators, 'Virt', CNV);
    expect(manifests(cluster).find((m) => m.kind === 'ConfigMap').data.pins).toContain('openshift-cnv kubevirt-hyperconverged kubevirt-hyperconverged-operator.v4.14.8\n');
  });

  test('a CronJob that never overlaps, with restricted pod security, requests and limits, reading the pins ConfigMap', () => {
    const { cluster, operators, pins } = stack();
    new OperatorInstall(operators, 'NmState', NMSTATE);
    new InstallPlanApprover(pins, 'Approver');
    const cron = manifests(cluster).find((m) => m.kind === 'CronJob');
    expect(cron.spec.schedule).toBe('*/5 * * * *');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).toBe('installplan-approver');
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0];
    expect(c.image).toBe('registry.redhat.io/openshift4/ose-cli:v4.14');
    expect(c.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.resources.requests).toEqual({ cpu: '10m', memory: '64Mi' });
    expect(c.resources.limits).toEqual({ cpu: '200m', memory: '256Mi' });
    expect(pod.volumes).toContainEqual({ name: 'pins', configMap: { name: 'installplan-approver' } });
    expect(c.volumeMounts).toContainEqual({ name: 'pins', mountPath: '/etc/installplan-approver', readOnly: true });
  });

  test('drift alerts: one rule per pin on OLM\'s csv_succeeded, in a namespace the platform Prometheus reads', () => {
    const { cluster, operators, pins } = stack();
    new OperatorInstall(operators, 'Virt', CNV);
    new OperatorInstall(operators, 'NmState', NMSTATE);
    new InstallPlanApprover(pins, 'Approver', { driftAlertAfter: GoDuration.minutes(90) });
    const mine = manifests(cluster);
    const ns = mine.find((m) => m.kind === 'Namespace');
    expect(ns.metadata.labels['openshift.io/cluster-monitoring']).toBe('true');
    const rule = mine.find((m) => m.kind === 'PrometheusRule');
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata.namespace).toBe('installplan-approver');
    const rules = rule.spec.groups[0].rules;
    const drift = rules.filter((r: any) => r.alert === 'OperatorNotAtPinnedVersion');
    expect(drift.map((r: any) => r.expr)).toEqual([
      'absent(csv_succeeded{exported_namespace="openshift-cnv", name="kubevirt-hyperconverged-operator.v4.14.8"} == 1)',
      'absent(csv_succeeded{exported_namespace="openshift-nmstate", name="kubernetes-nmstate-operator.4.14.0-202410231636"} == 1)',
    ]);
    expect(drift[0].for).toBe('90m');
    expect(drift[0].labels).toEqual({ severity: 'warning', namespace: 'openshift-cnv', subscription: 'kubevirt-hyperconverged', pinned_csv: 'kubevirt-hyperconverged-operator.v4.14.8' });
    expect(drift[0].annotations.description).toContain('versions.yaml');
    expect(drift[0].annotations.description).toContain('oc get installplan -n openshift-cnv');
    // its runbook: the page lib/monitoring writes into dist/<env>/_runbooks/alerts/, on the cluster's
    // GitLab at the tracked revision (test cluster: https://git.example.org/infra.git, main, env "test")
    for (const d of drift) expect(d.annotations.runbook_url).toBe('https://git.example.org/infra/-/blob/main/dist/test/_runbooks/alerts/OperatorNotAtPinnedVersion.md');
    const failing = rules.find((r: any) => r.alert === 'InstallPlanApproverFailing');
    expect(failing.expr).toContain('namespace="installplan-approver"');
  });

  test('alerts: false emits no PrometheusRule and no monitoring label', () => {
    const { cluster, operators, pins } = stack();
    new OperatorInstall(operators, 'NmState', NMSTATE);
    new InstallPlanApprover(pins, 'Approver', { alerts: false, name: 'pins', schedule: CronSchedule.expression('*/10 * * * *'), image: ExternalImage.parse('quay.io/example/oc:4.14.0') });
    const mine = manifests(cluster);
    expect(mine.filter((m) => m.kind === 'PrometheusRule')).toEqual([]);
    const ns = mine.find((m) => m.kind === 'Namespace');
    expect(ns.metadata.name).toBe('pins');
    expect(ns.metadata.labels['openshift.io/cluster-monitoring']).toBeUndefined();
    const cron = mine.find((m) => m.kind === 'CronJob');
    expect(cron.spec.schedule).toBe('*/10 * * * *');
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0].image).toBe('quay.io/example/oc:4.14.0');
  });

  test('every emitted object validates against the OpenShift 4.14 schemas and passes the policies', () => {
    const { cluster, operators, pins } = stack();
    new OperatorInstall(operators, 'Virt', CNV);
    new OperatorInstall(operators, 'NmState', NMSTATE);
    new InstallPlanApprover(pins, 'Approver');
    // synth() validates every manifest against its schema and runs every check; it throws otherwise.
    const kinds = manifests(cluster).map((m) => m.kind).sort();
    expect(kinds).toEqual(['ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'CronJob', 'Namespace', 'PrometheusRule', 'ServiceAccount']);
  });

  test('refuses bad props and a scope outside a GitOpsApp', () => {
    const { cluster, pins } = stack();
    expect(messages(() => new InstallPlanApprover(pins, 'Bad', { name: 'Not_A_Label', driftAlertAfter: GoDuration.minutes(5), schedule: CronSchedule.expression('every minute') })).sort()).toEqual([
      expect.stringMatching(/^driftAlertAfter: "5m" is not whole minutes of at least 10m/),
      expect.stringMatching(/^name: /),
      expect.stringMatching(/^schedule: /),
    ]);
    expect(messages(() => new InstallPlanApprover(cluster, 'Outside'))).toEqual(['scope: define the InstallPlanApprover inside a GitOpsApp (its own, without Subscriptions)']);
  });

  test('refuses a second approver and an approver sharing an app with a Subscription', () => {
    const { cluster, operators, pins } = stack();
    new OperatorInstall(operators, 'NmState', NMSTATE);
    new InstallPlanApprover(pins, 'One');
    new InstallPlanApprover(operators, 'Two', { name: 'approver-two' });
    const problems = messages(() => synth(cluster));
    expect(problems).toContain('the cluster has another InstallPlanApprover at Operators/Two; define one per cluster');
    expect(problems).toContain('the cluster has another InstallPlanApprover at Pins/One; define one per cluster');
    expect(problems.join('\n')).toMatch(/OperatorInstall Operators\/NmState is in the approver's GitOpsApp "operators"/);
  });

  test('refuses two pins of one Subscription', () => {
    const { cluster, operators, pins } = stack();
    const other = new GitOpsApp(cluster, 'Other', { name: 'other' });
    new OperatorInstall(operators, 'NmState', NMSTATE);
    new OperatorInstall(other, 'NmStateAgain', { ...NMSTATE, startingCsv: 'kubernetes-nmstate-operator.4.14.0-202411010000', createNamespace: false, createOperatorGroup: false });
    new InstallPlanApprover(pins, 'Approver');
    expect(messages(() => synth(cluster)).join('\n')).toMatch(/Subscription openshift-nmstate\/kubernetes-nmstate-operator is pinned twice/);
  });
});
