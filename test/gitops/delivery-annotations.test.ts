import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { GitLab } from '../../imports/gitlab-apps.gitlab.com';
import { Subscription } from '../../imports/olm-subscription-operators.coreos.com';
import { VirtualMachine } from '../../imports/kubevirt-vm-kubevirt.io';
import { Cluster } from '../../lib/gitops/cluster';
import {
  applyDeliveryAnnotations,
  defaultSyncWave,
  isOperatorProvided,
  mergeSyncOptions,
  SYNC_OPTIONS_ANNOTATION,
} from '../../lib/gitops/delivery-annotations';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { SYNC_WAVE_ANNOTATION, SyncWave } from '../../lib/gitops/sync-wave';
import { synthesize } from '../../lib/pipeline-defaults';

const annotationsOf = (m: any): Record<string, string> => m.metadata.annotations;

describe('applyDeliveryAnnotations', () => {
  test('minimal ConfigMap: config wave only, annotations inserted in key order', () => {
    const m = applyDeliveryAnnotations({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns' }, data: { x: '1' } });
    expect(m).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { annotations: { [SYNC_WAVE_ANNOTATION]: '0' }, name: 'a', namespace: 'ns' }, data: { x: '1' } });
    expect(Object.keys(m.metadata)).toEqual(['annotations', 'name', 'namespace']);
  });

  test.each([
    ['operators.coreos.com/v1alpha1', 'Subscription', SyncWave.OPERATORS],
    ['operators.coreos.com/v1', 'OperatorGroup', SyncWave.OPERATOR_GROUPS],
    ['operators.coreos.com/v1alpha1', 'CatalogSource', SyncWave.OPERATORS],
    ['v1', 'Namespace', SyncWave.NAMESPACES],
    ['v1', 'ResourceQuota', SyncWave.POLICY],
    ['v1', 'LimitRange', SyncWave.POLICY],
    ['rbac.authorization.k8s.io/v1', 'RoleBinding', SyncWave.POLICY],
    ['networking.k8s.io/v1', 'NetworkPolicy', SyncWave.POLICY],
    ['v1', 'ConfigMap', SyncWave.CONFIG],
    ['v1', 'PersistentVolumeClaim', SyncWave.CONFIG],
    ['k8s.cni.cncf.io/v1', 'NetworkAttachmentDefinition', SyncWave.CONFIG],
    ['nmstate.io/v1', 'NodeNetworkConfigurationPolicy', SyncWave.CONFIG],
    ['apps.gitlab.com/v1beta1', 'GitLab', SyncWave.WORKLOADS],
    ['velero.io/v1', 'Schedule', SyncWave.WORKLOADS],
    ['argoproj.io/v1alpha1', 'AppProject', SyncWave.PROJECTS],
    ['apps/v1', 'Deployment', SyncWave.WORKLOADS],
    ['batch/v1', 'CronJob', SyncWave.WORKLOADS],
    ['kubevirt.io/v1', 'VirtualMachine', SyncWave.WORKLOADS],
  ])('%s %s gets wave %d', (apiVersion, kind, wave) => {
    expect(defaultSyncWave(apiVersion, kind)).toBe(wave);
    const m = applyDeliveryAnnotations({ apiVersion, kind, metadata: { name: 'x' } });
    expect(annotationsOf(m)[SYNC_WAVE_ANNOTATION]).toBe(String(wave));
  });

  test('waves are ordered operators < namespaces < policy < config < workloads', () => {
    const order = [
      defaultSyncWave('operators.coreos.com/v1alpha1', 'Subscription'),
      defaultSyncWave('v1', 'Namespace'),
      defaultSyncWave('v1', 'ResourceQuota'),
      defaultSyncWave('v1', 'ConfigMap'),
      defaultSyncWave('apps/v1', 'Deployment'),
    ];
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(new Set(order).size).toBe(5);
  });

  test('an explicit sync wave is kept', () => {
    const m = applyDeliveryAnnotations({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { annotations: { [SYNC_WAVE_ANNOTATION]: '3' }, name: 'x' } });
    expect(annotationsOf(m)[SYNC_WAVE_ANNOTATION]).toBe('3');
  });

  test.each([
    ['kubevirt.io/v1', true],
    ['cdi.kubevirt.io/v1beta1', true],
    ['velero.io/v1', true],
    ['oadp.openshift.io/v1alpha1', true],
    ['cert-manager.io/v1', true],
    ['nmstate.io/v1', true],
    ['apps.gitlab.com/v1beta1', true],
    ['v1', false],
    ['apps/v1', false],
    ['route.openshift.io/v1', false],
    ['image.openshift.io/v1', false],
    ['k8s.cni.cncf.io/v1', false],
    ['operators.coreos.com/v1alpha1', false],
    ['argoproj.io/v1alpha1', false],
  ])('%s operator-provided: %s', (apiVersion, expected) => {
    expect(isOperatorProvided(apiVersion)).toBe(expected);
    const m = applyDeliveryAnnotations({ apiVersion, kind: 'Thing', metadata: { name: 'x' } });
    const opts = annotationsOf(m)[SYNC_OPTIONS_ANNOTATION];
    if (expected) expect(opts).toBe('SkipDryRunOnMissingResource=true');
    else expect(opts).toBeUndefined();
  });

  test.each(['PersistentVolumeClaim', 'Namespace'])('core stateful kind %s: Prune=false,Delete=false', (kind) => {
    const m = applyDeliveryAnnotations({ apiVersion: 'v1', kind, metadata: { name: 'x' } });
    expect(annotationsOf(m)[SYNC_OPTIONS_ANNOTATION]).toBe('Prune=false,Delete=false');
  });

  test('DataVolume: operator CR and stateful', () => {
    const m = applyDeliveryAnnotations({ apiVersion: 'cdi.kubevirt.io/v1beta1', kind: 'DataVolume', metadata: { name: 'x' } });
    expect(annotationsOf(m)[SYNC_OPTIONS_ANNOTATION]).toBe('SkipDryRunOnMissingResource=true,Prune=false,Delete=false');
  });

  test.each([
    ['postgres-operator.crunchydata.com/v1beta1', 'PostgresCluster'],
    ['pxc.percona.com/v1', 'PerconaXtraDBCluster'],
    ['objectbucket.io/v1alpha1', 'ObjectBucketClaim'],
  ])('%s %s: its operator deletes the volumes with it, so Argo CD never prunes or deletes it', (apiVersion, kind) => {
    const m = applyDeliveryAnnotations({ apiVersion, kind, metadata: { name: 'x' } });
    expect(annotationsOf(m)[SYNC_OPTIONS_ANNOTATION]).toMatch(/(?:^|,)Prune=false,Delete=false(?:,|$)/);
  });

  test('VirtualMachine: operator CR, stateful and server-side applied', () => {
    const m = applyDeliveryAnnotations({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'x' } });
    expect(annotationsOf(m)[SYNC_OPTIONS_ANNOTATION]).toBe('SkipDryRunOnMissingResource=true,Prune=false,Delete=false,ServerSideApply=true');
  });

  test('GitLab CR is server-side applied', () => {
    const m = applyDeliveryAnnotations({ apiVersion: 'apps.gitlab.com/v1beta1', kind: 'GitLab', metadata: { name: 'x' } });
    expect(annotationsOf(m)[SYNC_OPTIONS_ANNOTATION]).toBe('SkipDryRunOnMissingResource=true,ServerSideApply=true');
  });

  test('any object over 128 KiB is server-side applied', () => {
    const m = applyDeliveryAnnotations({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { big: 'x'.repeat(130 * 1024) } });
    expect(annotationsOf(m)[SYNC_OPTIONS_ANNOTATION]).toBe('ServerSideApply=true');
  });

  test('existing sync options are merged without duplicates, explicit keys win', () => {
    const m = applyDeliveryAnnotations({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { annotations: { [SYNC_OPTIONS_ANNOTATION]: 'Prune=false, Replace=false', zeta: 'z' }, name: 'x' },
    });
    expect(annotationsOf(m)[SYNC_OPTIONS_ANNOTATION]).toBe('Prune=false,Replace=false,Delete=false');
    expect(Object.keys(annotationsOf(m))).toEqual([SYNC_OPTIONS_ANNOTATION, SYNC_WAVE_ANNOTATION, 'zeta']);
  });

  test('mergeSyncOptions keeps an explicit Prune=true', () => {
    expect(mergeSyncOptions('Prune=true', ['Prune=false', 'Delete=false'])).toBe('Prune=true,Delete=false');
    expect(mergeSyncOptions(undefined, ['A=1', 'A=2'])).toBe('A=1');
    expect(mergeSyncOptions('', [])).toBe('');
  });

  test('idempotent: applying twice changes nothing', () => {
    const once = applyDeliveryAnnotations({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'x', labels: { a: 'b' } } });
    const twice = applyDeliveryAnnotations(JSON.parse(JSON.stringify(once)));
    expect(twice).toEqual(once);
    expect(JSON.stringify(twice)).toBe(JSON.stringify(once));
  });

  test('leaves non-manifests alone', () => {
    expect(applyDeliveryAnnotations(null)).toBeNull();
    expect(applyDeliveryAnnotations({ kind: 'List' })).toEqual({ kind: 'List' });
    expect(applyDeliveryAnnotations({ apiVersion: 'v1', kind: 'List' })).toEqual({ apiVersion: 'v1', kind: 'List' });
  });
});

describe('synthesize applies delivery annotations', () => {
  function build(): Cluster {
    const cluster = new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12' }, name: 'test', environment: 'test', repoUrl: 'https://git.example.org/infra.git' });
    const app = new GitOpsApp(cluster, 'Virt', { name: 'virt', namespace: 'vms' });
    const base = new GitOpsApp(cluster, 'Base', { name: 'base' });
    new k8s.KubeNamespace(base, 'Ns', { metadata: { name: 'vms' } });
    new k8s.KubePersistentVolumeClaim(app, 'Pvc', {
      metadata: { name: 'data', namespace: 'vms', annotations: { [SYNC_OPTIONS_ANNOTATION]: 'Prune=false' } },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString('10Gi') } } },
    });
    new VirtualMachine(app, 'Vm', {
      metadata: { name: 'legacy', namespace: 'vms' },
      spec: { runStrategy: 'Always', template: { spec: { domain: { devices: {} } } } },
    });
    new Subscription(base, 'Sub', {
      metadata: { name: 'kubevirt-hyperconverged', namespace: 'openshift-cnv' },
      spec: { name: 'kubevirt-hyperconverged', source: 'redhat-operators', sourceNamespace: 'openshift-marketplace', channel: 'stable' },
    });
    new GitLab(app, 'GitLab', { metadata: { name: 'gitlab', namespace: 'vms' }, spec: { chart: { version: '7.5.0', values: {} } } as any });
    new ApiObject(app, 'Cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'vms' } });
    return cluster;
  }

  test('every object carries a wave and the right sync options; output is byte-identical twice', () => {
    const result = synthesize(build(), { references: false });
    const byFile = new Map(result.objects.map((o) => [o.file, o.manifest]));
    const ann = (f: string) => annotationsOf(byFile.get(f));
    expect(ann('test/base/namespace.vms.yaml')).toEqual({ [SYNC_WAVE_ANNOTATION]: '-10', [SYNC_OPTIONS_ANNOTATION]: 'Prune=false,Delete=false' });
    expect(ann('test/virt/persistentvolumeclaim.vms.data.yaml')[SYNC_OPTIONS_ANNOTATION]).toBe('Prune=false,Delete=false');
    expect(ann('test/virt/virtualmachine.vms.legacy.yaml')).toEqual({
      [SYNC_WAVE_ANNOTATION]: '10',
      [SYNC_OPTIONS_ANNOTATION]: 'SkipDryRunOnMissingResource=true,Prune=false,Delete=false,ServerSideApply=true',
    });
    expect(ann('test/base/subscription.openshift-cnv.kubevirt-hyperconverged.yaml')).toEqual({ [SYNC_WAVE_ANNOTATION]: '-20' });
    expect(ann('test/virt/gitlab.vms.gitlab.yaml')[SYNC_OPTIONS_ANNOTATION]).toBe('SkipDryRunOnMissingResource=true,ServerSideApply=true');
    expect(ann('test/virt/configmap.vms.cfg.yaml')).toEqual({ [SYNC_WAVE_ANNOTATION]: '0' });
    // the GitOpsApp's Application keeps its own wave
    expect(ann('test/root/application.openshift-gitops.virt.yaml')[SYNC_WAVE_ANNOTATION]).toBe('0');
    for (const o of result.objects) expect(annotationsOf(o.manifest)[SYNC_WAVE_ANNOTATION]).toMatch(/^-?\d+$/);

    const again = synthesize(build(), { references: false });
    expect([...again.files.entries()]).toEqual([...result.files.entries()]);
  });
});
