import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { External } from '../../lib/refs/provides';
import { BACKUP_RUNBOOKS, BackupScheduleSet, BucketEncryption, CronSchedule, DataProtection, DR_RUNBOOK, DRILL_RUNBOOK, TenantRestore, VELERO_REPOSITORY_PASSWORD } from '../../lib/backup';
import { Cluster } from '../../lib/gitops/cluster';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { defaultPipeline } from '../../lib/pipeline-defaults';
import { runPipeline } from '../../lib/synth/synthesizer';
import { testCluster, validator } from '../_helpers';
import { backupApp, pvc, storage, tenant } from './_fixtures';
import { csi } from './_csi';

/** Synthesizes with the runbook producer added to the default pipeline (references off, as in test/_helpers). */
function synthWithRunbooks(cluster: Cluster): ReadonlyMap<string, string> {
  const base = defaultPipeline({ validator: validator(), references: false });
  return runPipeline(cluster, { ...base, artifacts: [...(base.artifacts ?? []).filter((a) => a.id !== BACKUP_RUNBOOKS.id), BACKUP_RUNBOOKS] }).files;
}

interface Options { tenants?: string[]; bucket?: string; networkType?: 'OVNKubernetes' | 'OpenShiftSDN'; drill?: boolean }

function stack(o: Options = {}): Cluster {
  const cluster = o.networkType
    ? new Cluster({ platform: { openshift: '4.14', networkType: o.networkType, gitops: '1.12', argoCd: '2.10.18' }, name: 'test', environment: 'test', repoUrl: 'https://git.example.org/infra.git' })
    : testCluster();
  const names = o.tenants ?? ['forum', 'wiki'];
  for (const n of names) pvc(tenant(cluster, n), 'data');
  const vms = new GitOpsApp(cluster, 'Vms', { name: 'infra-vms', namespace: 'infra-vms' });
  pvc(vms, 'bastion-root');
  const app = backupApp(cluster);
  csi(app);
  const set = BackupScheduleSet.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily({ hour: 2 }), storage: storage(app, { bucket: o.bucket ?? 'community-backups' }), namespaces: ['infra-vms'] });
  if (o.drill !== false) new TenantRestore(app, 'Drill', { tenant: cluster.node.findChild(names[0]) as any, schedule: set });
  return cluster;
}

describe('disaster-recovery runbook', () => {
  test('written per environment into _runbooks/, deterministic, next to no synced folder', () => {
    const files = synthWithRunbooks(stack());
    expect(files.has(`test/${DR_RUNBOOK}`)).toBe(true);
    expect(files.has(`test/${DRILL_RUNBOOK}`)).toBe(true);
    expect(synthWithRunbooks(stack()).get(`test/${DR_RUNBOOK}`)).toBe(files.get(`test/${DR_RUNBOOK}`));
    const synced = [...files.keys()].filter((f) => f.startsWith('test/root/application.')).map((f) => files.get(f)!);
    expect(synced.some((text) => text.includes('_runbooks'))).toBe(false);
  });

  test('names the real schedules, namespaces, location and Applications of the stack', () => {
    const text = synthWithRunbooks(stack()).get(`test/${DR_RUNBOOK}`)!;
    expect(text).toContain('| default | aws | community-backups | velero/test | https://minio.example.org:9000 |');
    expect(text).toMatch(/\| daily-forum \| forum \| `\d+ 2 \* \* \*` \| 720h0m0s \| default \| CSI snapshot, data moved to the bucket \|/);
    expect(text).toMatch(/\| forum \| tenant \| daily-forum \| forum tenancy \| `NS=forum SCHEDULE=daily-forum APPS="forum tenancy"` \|/);
    expect(text).toMatch(/\| infra-vms \| platform \| daily-infra-vms \| infra-vms \| `NS=infra-vms SCHEDULE=daily-infra-vms APPS="infra-vms"` \|/);
    expect(text).toContain('| ocs-storagecluster-rbdplugin-snapclass | openshift-storage.rbd.csi.ceph.com | ocs-storagecluster-ceph-rbd, (default) |');
    expect(text).toContain(`oc -n openshift-gitops patch applications.argoproj.io test-root --type merge -p '{"spec":{"syncPolicy":{"automated":null}}}'`);
    expect(text).toContain('oc apply -f dist/test/bootstrap/application.openshift-gitops.test-root.yaml');
  });

  test('the order: pause before restore, root before its Applications; on a rebuilt cluster Velero restores before Argo CD is bootstrapped', () => {
    const text = synthWithRunbooks(stack()).get(`test/${DR_RUNBOOK}`)!;
    const at = (s: string) => {
      const i = text.indexOf(s);
      expect(i).toBeGreaterThanOrEqual(0);
      return i;
    };
    expect(at('patch applications.argoproj.io test-root')).toBeLessThan(at('for app in $APPS'));
    expect(at('2. Pause Argo CD')).toBeLessThan(at('4. Restore and wait'));
    expect(at('4. Restore and wait')).toBeLessThan(at('6. Resume Argo CD'));
    // rebuild: platform namespaces first, every schedule once, then bootstrap
    const rebuild = text.slice(at('## Restore the whole cluster'));
    const restores = [...rebuild.matchAll(/scheduleName: ([a-z0-9-]+)/g)].map((m) => m[1]);
    expect(restores).toEqual(['daily-infra-vms', 'daily-forum', 'daily-wiki']);
    expect(rebuild.indexOf('scheduleName: daily-wiki')).toBeLessThan(rebuild.indexOf('oc apply -f dist/test/bootstrap/'));
  });

  test('changes with the stack: a new tenant gets its row and its restore, another bucket shows', () => {
    const before = synthWithRunbooks(stack()).get(`test/${DR_RUNBOOK}`)!;
    const after = synthWithRunbooks(stack({ tenants: ['forum', 'wiki', 'pastebin'], bucket: 'other-backups' })).get(`test/${DR_RUNBOOK}`)!;
    expect(before).not.toContain('daily-pastebin');
    expect(after).toMatch(/\| pastebin \| tenant \| daily-pastebin \|/);
    expect(after).toContain('scheduleName: daily-pastebin, includedNamespaces: [pastebin]');
    expect(before).not.toContain('other-backups');
    expect(after).toContain('| default | aws | other-backups | velero/test |');
  });

  test('making room is derived per namespace: VMs halted, deleted with their DataVolumes, then the claims; workloads scaled down and back', () => {
    const cluster = stack();
    const forum = cluster.node.findChild('forum') as Construct;
    new ApiObject(forum, 'Vm', {
      apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'mailer' },
      spec: {
        runStrategy: 'Always',
        dataVolumeTemplates: [{ metadata: { name: 'mailer-root' }, spec: { source: { http: { url: 'https://images.example.org/a.qcow2' } }, storage: { resources: { requests: { storage: '10Gi' } } } } }],
        template: { spec: { domain: { devices: {} }, volumes: [{ name: 'root', dataVolume: { name: 'mailer-root' } }] } },
      },
    });
    new k8s.KubeDeployment(forum, 'Web', {
      metadata: { name: 'web' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'quay.io/x/web@sha256:' + 'a'.repeat(64) }] } } },
    });
    const text = synthWithRunbooks(cluster).get(`test/${DR_RUNBOOK}`)!;
    const section = text.slice(text.indexOf('#### forum'), text.indexOf('####', text.indexOf('#### forum') + 5));
    const order = [
      'oc -n forum scale deployment/web --replicas=0',
      `oc -n forum patch virtualmachines.kubevirt.io mailer --type merge -p '{"spec":{"runStrategy":"Halted","running":null}}'`,
      'oc -n forum wait virtualmachineinstances.kubevirt.io/mailer --for=delete',
      'oc -n forum delete virtualmachines.kubevirt.io mailer --wait=true',
      'oc -n forum delete datavolumes.cdi.kubevirt.io mailer-root --ignore-not-found --wait=true',
      'oc -n forum delete pvc data mailer-root --ignore-not-found --wait=true',
      'After the restore',
      'oc -n forum scale deployment/web --replicas=2',
    ];
    const at = order.map((x) => section.indexOf(x));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // the PVC-only namespace deletes its claim, without VM or workload commands
    const wiki = text.slice(text.indexOf('#### wiki'), text.indexOf('####', text.indexOf('#### wiki') + 5));
    expect(wiki).toContain('oc -n wiki delete pvc data --ignore-not-found --wait=true');
    expect(wiki).not.toMatch(/virtualmachines|scale /);
    // the generic step no longer deletes claims by hand before the VMs are gone
    expect(text).not.toContain('oc -n $NS delete pvc <claims to restore>');
  });

  test('SSE-C: outcomes from the objects and logs with aws s3 cp --sse-c, never the Velero CLI downloads', () => {
    const cluster = testCluster();
    pvc(tenant(cluster, 'forum'), 'data');
    const app = backupApp(cluster);
    csi(app);
    const ssec = storage(app, { encryption: BucketEncryption.customerKey('/credentials/customer-key') });
    External.secret(app, 'velero-repo-credentials', { namespace: 'openshift-adp', keys: ['repository-password'], providedBy: 'sealed-secret', beforeFirstSync: true, note: 'random per-cluster kopia repository password' });
    new DataProtection(app, 'Velero', { locations: [ssec], repositoryPassword: VELERO_REPOSITORY_PASSWORD });
    BackupScheduleSet.everyTenant(app, 'Daily', { name: 'daily', schedule: CronSchedule.daily({ hour: 2 }), storage: ssec });
    const text = synthWithRunbooks(cluster).get(`test/${DR_RUNBOOK}`)!;
    expect(text).toContain('oc -n openshift-adp get backups.velero.io $BACKUP -o yaml');
    expect(text).toContain('oc -n openshift-adp extract secret/cloud-credentials --keys=cloud,customer-key --to=$KEYS');
    expect(text).toContain('aws s3 cp --endpoint-url https://minio.example.org:9000 --sse-c AES256 --sse-c-key fileb://$KEYS/customer-key s3://community-backups/velero/test/backups/$BACKUP/$BACKUP-logs.gz -');
    expect(text).toContain('s3://community-backups/velero/test/restores/$RESTORE/restore-$RESTORE-logs.gz -');
    // path-style addressing for the S3-compatible endpoint, in a private config file written on one line
    expect(text).toContain(`printf '[default]\\ns3 =\\n    addressing_style = path\\n' > $KEYS/config`);
    expect(text).not.toMatch(/\.\/velero (backup|restore) (describe|logs)/);
    // the repository password Secret comes before Velero first starts, and on a rebuild before OADP is installed
    const first = text.indexOf('## Before Velero first starts');
    expect(first).toBeGreaterThan(0);
    expect(text.indexOf('oc -n openshift-adp get secret velero-repo-credentials', first)).toBeGreaterThan(first);
    const rebuild = text.slice(text.indexOf('## Restore the whole cluster'));
    expect(rebuild.indexOf('`velero-repo-credentials` must hold the password of the lost cluster')).toBeLessThan(rebuild.indexOf('3. Install OADP'));
    expect(rebuild.indexOf('`velero-repo-credentials` must hold the password of the lost cluster')).toBeGreaterThan(0);
    const plain = synthWithRunbooks(stack()).get(`test/${DR_RUNBOOK}`)!;
    expect(plain).toContain('./velero backup logs $BACKUP');
    expect(plain).not.toContain('--sse-c');
    expect(plain).not.toContain('## Before Velero first starts');
  });

  test('no Velero schedule, no runbook', () => {
    const cluster = testCluster();
    tenant(cluster, 'forum');
    const files = synthWithRunbooks(cluster);
    expect([...files.keys()].filter((f) => f.includes('_runbooks'))).toEqual([]);
  });
});

describe('restore-drill runbook', () => {
  test('files in apply order (namespace, quota and isolation, modifiers, restore), then the clean-up', () => {
    const text = synthWithRunbooks(stack()).get(`test/${DRILL_RUNBOOK}`)!;
    const lines = text.split('\n').filter((l) => l.startsWith('oc apply -f dist/test/_restore-drills/'));
    expect(lines.map((l) => l.split('/').pop()!.split('.')[0])).toEqual([
      'namespace', 'limitrange', 'networkpolicy', 'networkpolicy', 'networkpolicy', 'resourcequota', 'configmap', 'restore',
    ]);
    const cleanup = text.indexOf('oc delete namespace forum-drill --wait=true');
    expect(cleanup).toBeGreaterThan(text.indexOf('restore.openshift-adp.forum-from-latest.yaml'));
    expect(text).toContain('oc -n openshift-adp delete restore.velero.io forum-from-latest');
    expect(text).toContain('from the newest completed backup of schedule `daily-forum` into `forum-drill`');
  });

  test('warns on OpenShift SDN that egress rules are not enforced, not on OVN-Kubernetes', () => {
    const sdn = synthWithRunbooks(stack({ networkType: 'OpenShiftSDN' })).get(`test/${DRILL_RUNBOOK}`)!;
    const ovn = synthWithRunbooks(stack({ networkType: 'OVNKubernetes' })).get(`test/${DRILL_RUNBOOK}`)!;
    expect(sdn).toContain('OpenShift SDN, which does not enforce the egress rules');
    expect(ovn).not.toContain('OpenShift SDN');
  });

  test('no drill, no drill runbook', () => {
    const files = synthWithRunbooks(stack({ drill: false }));
    expect(files.has(`test/${DRILL_RUNBOOK}`)).toBe(false);
    expect(files.has(`test/${DR_RUNBOOK}`)).toBe(true);
  });
});
