import { Cluster } from '../../lib/gitops/cluster';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { SyncWave } from '../../lib/gitops/sync-wave';
import { NMStateOperand, NMStateOperandProps } from '../../lib/network';
import { OperatorInstall } from '../../lib/olm';
import { Overrides } from '../../lib/synth/overrides';
import { Quantity } from '../../lib/core/quantity';
import { Tenant } from '../../lib/tenancy/tenant';
import { fileOf, find, synth, testCluster } from '../_helpers';

const WAIVER = { reason: 'test of the NMState operand; operator pins are checked in test/olm/catalog-check.test.ts' };

function platform(install = true): { cluster: Cluster; app: GitOpsApp } {
  const cluster = testCluster();
  const app = new GitOpsApp(cluster, 'PlatformOperators', { name: 'platform-operators', syncWave: SyncWave.OPERATORS });
  if (install) {
    new OperatorInstall(app, 'NmState', {
      packageName: 'kubernetes-nmstate-operator',
      namespace: 'openshift-nmstate',
      channel: 'stable',
      startingCsv: 'kubernetes-nmstate-operator.4.14.0-202410231636',
      catalogWaiver: WAIVER,
    });
  }
  return { cluster, app };
}

describe('NMStateOperand', () => {
  test('minimal: the cluster-scoped NMState named "nmstate", operator defaults kept', () => {
    const { cluster, app } = platform();
    new NMStateOperand(app, 'NMState');
    const m = find(synth(cluster), 'NMState', 'nmstate');
    expect(m.apiVersion).toBe('nmstate.io/v1');
    expect(m.metadata.namespace).toBeUndefined();
    expect(m.spec ?? {}).toEqual({});
  });

  test('placement fields appear as set and validate against the 4.14 schema', () => {
    const { cluster, app } = platform();
    new NMStateOperand(app, 'NMState', {
      nodeSelector: { 'node-role.kubernetes.io/worker': '' },
      tolerations: [{ operator: 'Exists' }],
      infraNodeSelector: { 'node-role.kubernetes.io/master': '' },
      infraTolerations: [
        { key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    });
    expect(find(synth(cluster), 'NMState', 'nmstate').spec).toEqual({
      nodeSelector: { 'node-role.kubernetes.io/worker': '' },
      tolerations: [{ operator: 'Exists' }],
      infraNodeSelector: { 'node-role.kubernetes.io/master': '' },
      infraTolerations: [
        { key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    });
  });

  test('the 4.14 schema is applied: an unknown spec field is refused', () => {
    const { cluster, app } = platform();
    const n = new NMStateOperand(app, 'NMState');
    Overrides.of(n).addOverride('/spec/probeConfiguration', {});
    expect(() => synth(cluster)).toThrow(/unknown field "probeConfiguration"/);
  });

  test('lands after its operator: Subscription at wave -20, NMState later, skipping dry-run, in platform-operators', () => {
    const { cluster, app } = platform();
    new NMStateOperand(app, 'NMState');
    const out = synth(cluster);
    const wave = (m: any) => Number(m.metadata.annotations['argocd.argoproj.io/sync-wave']);
    const sub = find(out, 'Subscription', 'kubernetes-nmstate-operator', 'openshift-nmstate');
    const nm = find(out, 'NMState', 'nmstate');
    expect(wave(sub)).toBe(-20);
    expect(wave(nm)).toBeGreaterThan(wave(sub));
    expect(nm.metadata.annotations['argocd.argoproj.io/sync-options']).toContain('SkipDryRunOnMissingResource=true');
    expect(fileOf(out, 'NMState', 'nmstate').split('/').slice(0, 2)).toEqual(fileOf(out, 'Subscription', 'kubernetes-nmstate-operator').split('/').slice(0, 2));
  });

  describe('validation', () => {
    const bad: Array<[string, NMStateOperandProps, RegExp]> = [
      ['empty node selector', { nodeSelector: {} }, /nodeSelector: \{\} must be a non-empty map of node labels/],
      ['bad label key', { nodeSelector: { 'node role': '' } }, /nodeSelector: "node role" is not a label key/],
      ['bad label value', { infraNodeSelector: { 'node-role.kubernetes.io/infra': 'yes please' } }, /infraNodeSelector\.node-role\.kubernetes\.io\/infra: "yes please"/],
      ['empty toleration list', { tolerations: [] }, /tolerations: \[\] must be a non-empty list of tolerations/],
      ['keyless Equal toleration', { tolerations: [{ value: 'x' }] }, /tolerations\[0\]\.key: a toleration without a key must use operator "Exists"/],
      ['Exists with a value', { tolerations: [{ key: 'a', operator: 'Exists', value: 'b' }] }, /tolerations\[0\]\.value: "b": a toleration with operator "Exists" has no value/],
      ['unknown effect', { infraTolerations: [{ key: 'a', operator: 'Exists', effect: 'NoRun' as any }] }, /infraTolerations\[0\]\.effect: "NoRun" is not allowed; use one of "NoSchedule", "PreferNoSchedule", "NoExecute"/],
      ['seconds without NoExecute', { tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 10 }] }, /tolerations\[0\]\.tolerationSeconds: applies to effect "NoExecute" only/],
    ];
    test.each(bad)('%s', (_name, props, message) => {
      const { app } = platform();
      expect(() => new NMStateOperand(app, 'NMState', props)).toThrow(new RegExp(`\\[PlatformOperators/NMState\\] ${message.source}`));
    });

    test('without the NMState operator install the synth fails', () => {
      const { cluster, app } = platform(false);
      new NMStateOperand(app, 'NMState');
      expect(() => synth(cluster)).toThrow(/\[PlatformOperators\/NMState\] operator: the cluster has no OperatorInstall of package "kubernetes-nmstate-operator"/);
    });

    test('a second NMState fails (the operator would delete it)', () => {
      const { cluster, app } = platform();
      new NMStateOperand(app, 'A');
      const other = new GitOpsApp(cluster, 'Network', { name: 'network' });
      new NMStateOperand(other, 'B');
      expect(() => synth(cluster)).toThrow(/\[PlatformOperators\/A\] the cluster has another NMState \(Network\/B\)/);
    });

    test('not inside a Tenant', () => {
      const { cluster } = platform();
      const t = new Tenant(cluster, 'forum', { name: 'forum', displayName: 'forum', groups: { admin: ['forum-admins'] }, quota: { cpu: Quantity.parse('1'), memory: Quantity.parse('1Gi'), storage: Quantity.parse('1Gi') } });
      expect(() => new NMStateOperand(t, 'NMState')).toThrow(/\[forum\/NMState\] an NMState is cluster scoped and cannot be defined inside a Tenant/);
    });
  });
});
