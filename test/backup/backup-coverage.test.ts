import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { BACKUP_EXEMPT_ANNOTATION, BackupExemption, BackupSchedule, CronSchedule, TenantSelection, VolumeBackup } from '../../lib/backup';
import { find, synth, testCluster } from '../_helpers';
import { backupApp, pvc, storage, tenant } from './_fixtures';
import { csi } from './_csi';

/** A VirtualMachine by kind only (lib/virt builds the real ones). */
function vm(scope: any, name: string): ApiObject {
  return new ApiObject(scope, `vm-${name}`, {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name },
    spec: {
      runStrategy: 'Always',
      dataVolumeTemplates: [{ metadata: { name: `${name}-root` }, spec: { storage: { resources: { requests: { storage: '20Gi' } } }, source: { blank: {} } } }],
      template: { spec: { domain: { devices: {} } } },
    },
  });
}

describe('backup coverage check', () => {
  test('passes when every stateful tenant is covered by everyTenant', () => {
    const cluster = testCluster();
    pvc(tenant(cluster, 'forum'), 'data');
    vm(tenant(cluster, 'legacy'), 'gitaly');
    tenant(cluster, 'stateless');
    const app = backupApp(cluster);
    csi(app);
    BackupSchedule.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily(), storage: storage(app) });
    expect(() => synth(cluster)).not.toThrow();
  });

  test('fails naming the uncovered tenant and its stateful objects', () => {
    const cluster = testCluster();
    const forum = tenant(cluster, 'forum');
    pvc(forum, 'data');
    const legacy = tenant(cluster, 'legacy');
    vm(legacy, 'gitaly');
    const app = backupApp(cluster);
    csi(app);
    new BackupSchedule(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily(), storage: storage(app), tenants: TenantSelection.of(forum) });
    expect(() => synth(cluster)).toThrow(/\[BackupCoverage\] tenant "legacy" \(legacy\) holds state that no Velero schedule backs up \(schedules: openshift-adp\/daily\): VirtualMachine "gitaly" with 1 dataVolumeTemplate; add the tenant to a BackupSchedule/);
    expect(() => synth(cluster)).not.toThrow(/tenant "forum"/);
  });

  test('a cluster with a storage location but no schedule fails for stateful tenants', () => {
    const cluster = testCluster();
    pvc(tenant(cluster, 'forum'), 'data');
    storage(backupApp(cluster));
    expect(() => synth(cluster)).toThrow(/tenant "forum" .*holds state that no Velero schedule backs up \(the cluster has no Velero Schedule\): PersistentVolumeClaim "data"/);
  });

  test('a cluster without Velero is not checked', () => {
    const cluster = testCluster();
    pvc(tenant(cluster, 'forum'), 'data');
    expect(() => synth(cluster)).not.toThrow();
  });

  test('an exemption with a reason satisfies the check and is annotated on the namespace', () => {
    const cluster = testCluster();
    const cache = tenant(cluster, 'cache');
    pvc(cache, 'mirror');
    pvc(tenant(cluster, 'forum'), 'data');
    BackupExemption.exempt(cache, 'mirror cache, refilled from upstream in an hour');
    const app = backupApp(cluster);
    csi(app);
    BackupSchedule.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily(), storage: storage(app) });
    const r = synth(cluster);
    expect(find(r, 'Namespace', 'cache').metadata.annotations[BACKUP_EXEMPT_ANNOTATION]).toBe('mirror cache, refilled from upstream in an hour');
    expect(find(r, 'Schedule', 'daily').spec.template.includedNamespaces).toEqual(['forum']);
  });

  test('non-tenant namespaces with state are checked too, and can be exempted', () => {
    const cluster = testCluster();
    const gitlab = new GitOpsApp(cluster, 'GitLab', { name: 'gitlab', namespace: 'gitlab-system' });
    new k8s.KubeStatefulSet(gitlab, 'Sts', {
      metadata: { name: 'gitaly' },
      spec: {
        serviceName: 'gitaly', selector: { matchLabels: { a: 'b' } },
        template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'quay.io/x/y:1.0', resources: { requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('256Mi') }, limits: { memory: k8s.Quantity.fromString('256Mi') } } }] } },
        volumeClaimTemplates: [{ metadata: { name: 'repo' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString('1Gi') } } } }],
      },
    });
    const app = backupApp(cluster);
    csi(app);
    pvc(tenant(cluster, 'forum'), 'data');
    BackupSchedule.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily(), storage: storage(app) });
    expect(() => synth(cluster)).toThrow(/\[BackupCoverage\] namespace "gitlab-system" holds state .*StatefulSet "gitaly" with 1 volumeClaimTemplate; add it to a BackupSchedule's namespaces or exempt it/);
    BackupExemption.exemptNamespace(app, 'gitlab-system', 'repositories are mirrored to the DR site nightly');
    expect(() => synth(cluster)).not.toThrow();
  });

  test('filters decide coverage: excluded resources, label selector, no volume data', () => {
    const mk = (props: any) => {
      const cluster = testCluster();
      pvc(tenant(cluster, 'forum'), 'data', { app: 'forum' });
      const app = backupApp(cluster);
      csi(app);
      BackupSchedule.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily(), storage: storage(app), ...props });
      return () => synth(cluster);
    };
    expect(mk({ excludedResources: ['pvc'] })).toThrow(/tenant "forum"/);
    expect(mk({ includedResources: ['deployments.apps'] })).toThrow(/tenant "forum"/);
    expect(mk({ includedResources: ['persistentvolumeclaims'] })).not.toThrow();
    expect(mk({ labelSelector: { matchLabels: { app: 'wiki' } } })).toThrow(/tenant "forum"/);
    expect(mk({ labelSelector: { matchLabels: { app: 'forum' } } })).not.toThrow();
    expect(mk({ labelSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } })).not.toThrow();
    expect(mk({ volumes: VolumeBackup.NONE })).toThrow(/tenant "forum"/);
    expect(mk({ volumes: VolumeBackup.FILE_SYSTEM })).not.toThrow();
  });

  test('a VM needs its PVCs backed up as well', () => {
    const cluster = testCluster();
    vm(tenant(cluster, 'legacy'), 'gitaly');
    const app = backupApp(cluster);
    csi(app);
    BackupSchedule.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily(), storage: storage(app), includedResources: ['virtualmachines.kubevirt.io'] });
    expect(() => synth(cluster)).toThrow(/tenant "legacy"/);
  });

  test('bad exemptions', () => {
    const cluster = testCluster();
    const forum = tenant(cluster, 'forum');
    expect(() => BackupExemption.exempt(tenant(cluster, 'wiki'), '')).toThrow(/\[wiki\/BackupExemption\] reason: "" is not a reason/);
    expect(() => new BackupExemption(forum, 'X', { reason: 'some long enough reason' })).toThrow(/\[forum\/X\] tenant: give exactly one of tenant and namespace/);
    const app = backupApp(cluster);
    csi(app);
    expect(() => BackupExemption.exemptNamespace(app, 'Bad NS', 'some long enough reason')).toThrow(/namespace: "Bad NS" is not a DNS-1123 label/);
    BackupExemption.exempt(forum, 'first reason, long enough');
    BackupExemption.exemptNamespace(app, 'forum', 'second reason, long enough');
    expect(() => synth(cluster)).toThrow(/namespace "forum" is exempted twice/);
  });
});
