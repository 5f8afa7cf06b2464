import * as yaml from 'js-yaml';
import { k8s } from 'cdk8s-plus-27';
import {
  BackupSchedule, BackupScheduleSet, CronSchedule, DRILL_EXCLUDED_RESOURCES, RESTORE_DRILL_FOLDER, TenantRestore, TenantSelection, VolumeBackup,
} from '../../lib/backup';
import { drillExcludedResources, drillModifierRules } from '../../lib/backup/_drill';
import { ApiObject } from 'cdk8s';
import { Quantity } from '../../lib/core/quantity';
import { Tenant } from '../../lib/tenancy/tenant';
import { find, fileOf, synth, testCluster } from '../_helpers';
import { backupApp, pvc, storage, tenant } from './_fixtures';
import { csi } from './_csi';

function setup() {
  const cluster = testCluster();
  const forum = tenant(cluster, 'forum');
  pvc(forum, 'data');
  const wiki = tenant(cluster, 'wiki');
  const app = backupApp(cluster);
  csi(app);
  const daily = BackupSchedule.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily(), storage: storage(app) });
  return { cluster, forum, wiki, app, daily };
}

/** RFC 7386 JSON merge patch, as Velero applies `mergePatches` (evanphx/json-patch MergePatch). */
function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** The modifier rules of a drill's ConfigMap, parsed as Velero reads them (one data entry, YAML). */
function modifierRules(result: any, name: string): any[] {
  const cm = find(result, 'ConfigMap', name, 'openshift-adp');
  expect(Object.keys(cm.data)).toHaveLength(1);
  const doc: any = yaml.load(Object.values(cm.data)[0] as string);
  expect(doc.version).toBe('v1');
  return doc.resourceModifierRules;
}

/**
 * Velero's group-resource match: a gobwas/glob pattern with '.' as separator (`*` stops at a dot,
 * `**` does not, `?` is one character but a dot).
 */
function globMatch(pattern: string, groupResource: string): boolean {
  const re = pattern.split(/(\*\*|\*|\?)/).map((t) => (t === '**' ? '.*' : t === '*' ? '[^.]*' : t === '?' ? '[^.]' : t.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${re}$`).test(groupResource);
}

/** Applies every matching rule of a drill to an object of the backup, as the restore would. */
function applyRules(rules: any[], groupResource: string, namespace: string, obj: any): any {
  let out = obj;
  for (const r of rules) {
    if (!globMatch(r.conditions.groupResource, groupResource) || !r.conditions.namespaces.includes(namespace)) continue;
    for (const m of r.mergePatches) out = mergePatch(out, JSON.parse(m.patchData));
  }
  return out;
}

describe('TenantRestore drill', () => {
  test('restores one tenant into <tenant>-drill with workloads off, risky kinds left out, modifiers next to the Restore', () => {
    const { cluster, forum, app, daily } = setup();
    new TenantRestore(app, 'Drill', { tenant: forum, schedule: daily, backupName: 'daily-20241118020000' });
    const r = synth(cluster);
    const restore = find(r, 'Restore', 'forum-from-daily-20241118020000', 'openshift-adp');
    expect(restore.spec).toEqual({
      backupName: 'daily-20241118020000',
      includedNamespaces: ['forum'],
      excludedResources: Object.keys(DRILL_EXCLUDED_RESOURCES),
      namespaceMapping: { forum: 'forum-drill' },
      restorePVs: true,
      existingResourcePolicy: 'none',
      resourceModifier: { kind: 'ConfigMap', name: 'forum-from-daily-20241118020000-modifiers' },
    });
    for (const kind of ['cronjobs.batch', 'routes.route.openshift.io', 'pods', 'certificates.cert-manager.io', 'networkpolicies.networking.k8s.io']) {
      expect(restore.spec.excludedResources).toContain(kind);
    }
    // every drill file lands in the folder no Argo CD Application syncs
    const drillFiles = r.objects.filter((o) => o.path.startsWith('Backup/Drill/')).map((o) => o.file);
    expect(drillFiles.length).toBe(8);
    for (const f of drillFiles) expect(f.startsWith(`test/${RESTORE_DRILL_FOLDER}/`)).toBe(true);
    const apps = r.objects.filter((o) => o.manifest.kind === 'Application').map((o) => o.manifest.spec.source.path);
    expect(apps.some((p: string) => p.includes(RESTORE_DRILL_FOLDER))).toBe(false);
    expect(fileOf(r, 'Restore', 'forum-from-daily-20241118020000')).toBe(`test/${RESTORE_DRILL_FOLDER}/restore.openshift-adp.forum-from-daily-20241118020000.yaml`);
  });

  test('the resource modifiers scale workloads to zero and halt VMs (merge patches, source namespace)', () => {
    const { cluster, forum, app, daily } = setup();
    new TenantRestore(app, 'Drill', { tenant: forum, schedule: daily });
    const rules = modifierRules(synth(cluster), 'forum-from-latest-modifiers');
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3, template: {} } };
    expect(applyRules(rules, 'deployments.apps', 'forum', deployment).spec).toEqual({ replicas: 0, template: {} });
    expect(applyRules(rules, 'statefulsets.apps', 'forum', { spec: { replicas: 2 } }).spec.replicas).toBe(0);
    expect(applyRules(rules, 'deploymentconfigs.apps.openshift.io', 'forum', { spec: { replicas: 1 } }).spec.replicas).toBe(0);
    // both VM styles end up stopped, with only runStrategy left (running and runStrategy exclude each other)
    expect(applyRules(rules, 'virtualmachines.kubevirt.io', 'forum', { spec: { running: true, template: {} } }).spec).toEqual({ runStrategy: 'Halted', template: {} });
    expect(applyRules(rules, 'virtualmachines.kubevirt.io', 'forum', { spec: { runStrategy: 'Always' } }).spec).toEqual({ runStrategy: 'Halted' });
    // conditions name the namespace of the backup (modifiers run before the namespace is remapped)
    expect(applyRules(rules, 'deployments.apps', 'forum-drill', deployment).spec.replicas).toBe(3);
    for (const rule of rules) expect(Object.keys(rule).sort()).toEqual(['conditions', 'mergePatches']);
  });

  test('the glob model follows Velero: * stops at a dot, ** matches every group-resource', () => {
    expect(globMatch('*', 'pods')).toBe(true);
    expect(globMatch('*', 'deployments.apps')).toBe(false);
    expect(globMatch('*.*', 'deployments.apps')).toBe(true);
    expect(globMatch('*.*', 'virtualmachines.kubevirt.io')).toBe(false);
    for (const gr of ['pods', 'persistentvolumeclaims', 'deployments.apps', 'virtualmachines.kubevirt.io', 'datavolumes.cdi.kubevirt.io']) expect(globMatch('**', gr)).toBe(true);
  });

  test('every restored object loses Argo CD\'s tracking label and annotation, whatever its kind; other metadata stays', () => {
    const { cluster, forum, app, daily } = setup();
    new TenantRestore(app, 'Drill', { tenant: forum, schedule: daily });
    const rules = modifierRules(synth(cluster), 'forum-from-latest-modifiers');
    const tracked = (extra: any = {}) => ({
      metadata: {
        name: 'x',
        labels: { 'app.kubernetes.io/instance': 'forum', 'argocd.argoproj.io/instance': 'forum', 'app.kubernetes.io/name': 'web' },
        annotations: { 'argocd.argoproj.io/tracking-id': 'forum:apps/Deployment:forum/web', 'example.org/keep': 'yes' },
      },
      ...extra,
    });
    for (const gr of ['persistentvolumeclaims', 'secrets', 'services', 'deployments.apps', 'virtualmachines.kubevirt.io', 'datavolumes.cdi.kubevirt.io']) {
      const out = applyRules(rules, gr, 'forum', tracked());
      expect(out.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'web' });
      expect(out.metadata.annotations).toEqual({ 'example.org/keep': 'yes' });
    }
    // untracked objects are left as they are (a merge patch removes nothing that is absent)
    const plain = applyRules(rules, 'configmaps', 'forum', { metadata: { name: 'c', labels: { a: 'b' }, annotations: { c: 'd' } }, data: { k: 'v' } });
    expect(plain).toEqual({ metadata: { name: 'c', labels: { a: 'b' }, annotations: { c: 'd' } }, data: { k: 'v' } });
    // and the tracking rule does not undo the workload rules
    expect(applyRules(rules, 'deployments.apps', 'forum', tracked({ spec: { replicas: 2 } })).spec.replicas).toBe(0);
  });

  test('operator-managed and monitoring kinds are left out of a drill, also custom resources of operators the library does not know', () => {
    const { cluster, forum, app, daily } = setup();
    new ApiObject(forum, 'Sealed', { apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 'w' }, spec: { encryptedData: { k: 'AgB' } } });
    new ApiObject(forum, 'Vm', { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'vm' }, spec: { runStrategy: 'Always', template: { spec: { domain: { devices: {} } } } } });
    new TenantRestore(app, 'Drill', { tenant: forum, schedule: daily });
    const excluded: string[] = find(synth(cluster), 'Restore', 'forum-from-latest', 'openshift-adp').spec.excludedResources;
    for (const gr of ['postgresclusters.postgres-operator.crunchydata.com', 'perconaxtradbclusters.pxc.percona.com', 'perconaxtradbclusterbackups.pxc.percona.com',
      'gitlabs.apps.gitlab.com', 'runners.apps.gitlab.com', 'prometheusrules.monitoring.coreos.com', 'servicemonitors.monitoring.coreos.com', 'podmonitors.monitoring.coreos.com']) {
      expect(excluded).toContain(gr);
    }
    expect(excluded).toContain('sealedsecrets.bitnami.com');
    expect(excluded).not.toContain('virtualmachines.kubevirt.io');
    expect(excluded.filter((x) => x.includes('ocpkit.io'))).toEqual([]);
    expect(drillExcludedResources(['widgets.widgets.example.org', 'services', 'datavolumes.cdi.kubevirt.io', 'widgets.widgets.example.org']).slice(Object.keys(DRILL_EXCLUDED_RESOURCES).length)).toEqual(['widgets.widgets.example.org']);
  });

  test('cert-manager annotations found on the tenant\'s restored objects are stripped, by exact key', () => {
    const { cluster, forum, app, daily } = setup();
    new k8s.KubeService(forum, 'Svc', {
      metadata: { name: 'web', annotations: { 'cert-manager.io/issuer-name': 'forum-acme', 'example.org/keep': 'yes' } },
      spec: { ports: [{ port: 80 }], selector: { app: 'web' } },
    });
    new TenantRestore(app, 'Drill', { tenant: forum, schedule: daily });
    const rules = modifierRules(synth(cluster), 'forum-from-latest-modifiers');
    expect(rules.filter((x) => x.conditions.groupResource === 'services')).toHaveLength(1);
    const svc = { metadata: { name: 'web', annotations: { 'cert-manager.io/issuer-name': 'forum-acme', 'example.org/keep': 'yes' } } };
    expect(applyRules(rules, 'services', 'forum', svc).metadata.annotations).toEqual({ 'example.org/keep': 'yes' });
  });

  test('kinds a drill does not restore get no annotation rule', () => {
    const rules = drillModifierRules('forum', new Map([['routes.route.openshift.io', ['cert-manager.io/issuer-name']], ['secrets', ['cert-manager.io/certificate-name']]]));
    expect(rules.map((r) => r.conditions.groupResource)).toEqual(['**', 'deployments.apps', 'statefulsets.apps', 'deploymentconfigs.apps.openshift.io', 'virtualmachines.kubevirt.io', 'secrets']);
  });

  test('the drill namespace exists before the restore, with the tenant\'s quota, Pod Security level and its own isolation', () => {
    const { cluster, forum, app, daily } = setup();
    new TenantRestore(app, 'Drill', { tenant: forum, schedule: daily });
    const r = synth(cluster);
    const ns = find(r, 'Namespace', 'forum-drill');
    const live = find(r, 'Namespace', 'forum');
    for (const k of ['pod-security.kubernetes.io/enforce', 'pod-security.kubernetes.io/audit', 'pod-security.kubernetes.io/warn']) {
      expect(ns.metadata.labels[k]).toBe(live.metadata.labels[k]);
    }
    expect(ns.metadata.labels['ocpkit.io/restore-drill']).toBe('true');
    // no Argo CD tracking of the tenant's Namespace is copied
    expect(ns.metadata.labels['app.kubernetes.io/instance']).toBeUndefined();
    expect(find(r, 'ResourceQuota', 'tenant-quota', 'forum-drill').spec).toEqual(find(r, 'ResourceQuota', 'tenant-quota', 'forum').spec);
    expect(find(r, 'LimitRange', 'tenant-defaults', 'forum-drill').spec).toEqual(find(r, 'LimitRange', 'tenant-defaults', 'forum').spec);
    expect(find(r, 'NetworkPolicy', 'drill-deny-all', 'forum-drill').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(find(r, 'NetworkPolicy', 'drill-allow-same-namespace', 'forum-drill').spec).toEqual({
      podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: {} }] }],
    });
    const dns = find(r, 'NetworkPolicy', 'drill-allow-dns', 'forum-drill').spec;
    expect(dns.egress[0].to).toEqual([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } }, podSelector: {} }]);
    expect(dns.egress[0].ports.map((p: any) => `${p.protocol}/${p.port}`)).toEqual(['UDP/5353', 'TCP/5353']);
    // a larger tenant quota gives a larger drill quota: copied, not fixed
    const c2 = testCluster();
    const big = new Tenant(c2, 'big', {
      name: 'big', displayName: 'big', groups: { admin: ['a'] },
      quota: { cpu: Quantity.parse('16'), memory: Quantity.parse('64Gi'), storage: Quantity.parse('2Ti') },
    });
    const a2 = backupApp(c2);
    csi(a2);
    new TenantRestore(a2, 'Drill', { tenant: big, schedule: BackupSchedule.everyTenant(a2, 'D', { name: 'd', schedule: CronSchedule.daily(), storage: storage(a2) }) });
    expect(find(synth(c2), 'ResourceQuota', 'tenant-quota', 'big-drill').spec.hard['requests.storage']).toBe('2Ti');
  });

  test('clean-up commands: the Restore, the drill namespace, the modifiers', () => {
    const { forum, app, daily } = setup();
    const drill = new TenantRestore(app, 'Drill', { tenant: forum, schedule: daily });
    expect(drill.cleanupCommands()).toEqual([
      'oc -n openshift-adp delete restore.velero.io forum-from-latest',
      'oc delete namespace forum-drill --wait=true',
      'oc -n openshift-adp delete configmap forum-from-latest-modifiers',
    ]);
  });

  test('from a schedule set: the tenant\'s own schedule, latest backup', () => {
    const cluster = testCluster();
    const forum = tenant(cluster, 'forum');
    tenant(cluster, 'wiki');
    const app = backupApp(cluster);
    csi(app);
    const set = BackupScheduleSet.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily({ hour: 2 }), storage: storage(app) });
    new TenantRestore(app, 'Drill', { tenant: forum, schedule: set });
    const spec = find(synth(cluster), 'Restore', 'forum-from-latest').spec;
    expect(spec.scheduleName).toBe('daily-forum');
    expect(spec.backupName).toBeUndefined();
  });
});

describe('TenantRestore in place', () => {
  test('latest backup of the schedule, into the tenant\'s namespace: no drill objects, no modifiers', () => {
    const { cluster, forum, app, daily } = setup();
    const real = new TenantRestore(app, 'Real', { tenant: forum, schedule: daily, targetNamespace: 'forum', name: 'forum-in-place' });
    const r = synth(cluster);
    expect(find(r, 'Restore', 'forum-in-place').spec).toEqual({
      scheduleName: 'daily', includedNamespaces: ['forum'], restorePVs: true, existingResourcePolicy: 'none',
    });
    expect(r.objects.filter((o) => o.path.startsWith('Backup/Real/')).map((o) => o.manifest.kind)).toEqual(['Restore']);
    expect(real.cleanupCommands()).toEqual(['oc -n openshift-adp delete restore.velero.io forum-in-place']);
  });
});

describe('TenantRestore bad input', () => {
  test('tenant not in the schedule', () => {
    const cluster = testCluster();
    const forum = tenant(cluster, 'forum');
    const wiki = tenant(cluster, 'wiki');
    const app = backupApp(cluster);
    csi(app);
    const onlyForum = new BackupSchedule(app, 'Forum', { name: 'forum-only', schedule: CronSchedule.daily(), storage: storage(app), tenants: TenantSelection.of(forum) });
    new TenantRestore(app, 'Drill', { tenant: wiki, schedule: onlyForum });
    expect(() => synth(cluster)).toThrow(/\[Backup\/Drill\] schedule: schedule "forum-only" does not back up tenant "wiki" \(it covers forum\)/);
  });
  test('tenant without a schedule in the set', () => {
    const cluster = testCluster();
    const forum = tenant(cluster, 'forum');
    const wiki = tenant(cluster, 'wiki');
    const app = backupApp(cluster);
    csi(app);
    const set = new BackupScheduleSet(app, 'Set', { name: 'daily', schedule: CronSchedule.daily({ hour: 2 }), storage: storage(app), tenants: TenantSelection.of(forum) });
    new TenantRestore(app, 'Drill', { tenant: wiki, schedule: set });
    expect(() => synth(cluster)).toThrow(/\[Backup\/Drill\] schedule: schedule set "daily" has no Schedule for tenant "wiki" \(it covers forum\)/);
  });
  test('a drill of file-system backups is refused', () => {
    const cluster = testCluster();
    const forum = tenant(cluster, 'forum');
    const app = backupApp(cluster);
    const fs = BackupSchedule.everyTenant(app, 'Fs', { name: 'fs', schedule: CronSchedule.daily(), storage: storage(app), volumes: VolumeBackup.FILE_SYSTEM });
    new TenantRestore(app, 'Drill', { tenant: forum, schedule: fs });
    expect(() => synth(cluster)).toThrow(/\[Backup\/Drill\] schedule: schedule "fs" uses file-system backups, whose volume data Velero restores through the restored pods, so a drill would have to start the application; drill from a schedule using CSI snapshots/);
  });
  test('a drill into another tenant\'s namespace is refused', () => {
    const { cluster, forum, app, daily } = setup();
    new TenantRestore(app, 'Drill', { tenant: forum, schedule: daily, targetNamespace: 'wiki' });
    expect(() => synth(cluster)).toThrow(/\[Backup\/Drill\] targetNamespace: "wiki" is the namespace of tenant "wiki" \(wiki\); a drill needs a namespace of its own/);
  });
  test('bad names and missing references', () => {
    const { forum, app, daily } = setup();
    expect(() => new TenantRestore(app, 'A', { tenant: forum, schedule: daily, backupName: 'Daily_1' })).toThrow(/\[Backup\/A\] backupName: "Daily_1" is not a DNS-1123 subdomain/);
    expect(() => new TenantRestore(app, 'B', { tenant: app as any, schedule: daily })).toThrow(/\[Backup\/B\] tenant: .* is not a Tenant/);
    expect(() => new TenantRestore(app, 'C', { tenant: forum, schedule: undefined as any })).toThrow(/schedule: undefined is not a BackupSchedule or BackupScheduleSet/);
    expect(() => new TenantRestore(app, 'D', { tenant: forum, schedule: daily, targetNamespace: 'Forum' })).toThrow(/targetNamespace: "Forum" is not a DNS-1123 label/);
  });
});
