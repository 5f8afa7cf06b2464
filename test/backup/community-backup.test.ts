import { buildEnvironment } from '../../apps/community/main';
import { environments } from '../../apps/community/environment';
import { loadTenantFile } from '../../lib/tenancy/tenant-file';
import * as path from 'path';
import { X509Certificate } from 'crypto';
import { build } from '../../apps/community/main';
import {
  BACKUP_ISOLATION_CHECK, BACKUP_RUNBOOKS, BackupStorage, BucketEncryption, ETCD_BACKUP_PRIORITY, EncryptionKind, MinioKms, OPERATOR_PROGRESSING_MESSAGE, ObjectStoreKind, backupTargetsOf,
} from '../../lib/backup';
import { External } from '../../lib/refs/provides';
import { defaultPipeline, synthesize } from '../../lib/pipeline-defaults';
import { runPipeline } from '../../lib/synth/synthesizer';
import { find, synth, validator } from '../_helpers';

describe('reference stack backups', () => {
  const env = environments().find((e) => e.name === 'staging')!;
  const result = synth(buildEnvironment(env));

  test('one daily Schedule per tenant plus the GitLab and VM namespaces, each backing up its own namespace, started 02:00-02:59', () => {
    const tenants = loadTenantFile(path.join(__dirname, '../../apps/community/tenants.yaml')).map((t) => t.name);
    expect(tenants).toHaveLength(46);
    const schedules = result.objects.filter((o) => o.manifest.kind === 'Schedule').map((o) => o.manifest);
    // every tenant: even the nightly-build ones hold front ends and configuration that are not in Git
    const expected = [...tenants, 'gitlab-system', 'infra-vms'].sort();
    expect(expected).toEqual(expect.arrayContaining(['mirrors', 'openqa', 'os-images', 'flatpak-repo']));
    for (const t of ['os-images', 'flatpak-repo']) expect(find(result, 'Namespace', t).metadata.annotations?.['ocpkit.io/backup-exempt-reason']).toBeUndefined();
    expect(schedules.map((s) => s.metadata.name).sort()).toEqual(expected.map((ns) => `daily-${ns}`).sort());
    for (const s of schedules) {
      expect(s.metadata.namespace).toBe('openshift-adp');
      expect(s.spec.template.includedNamespaces).toEqual([s.metadata.name.slice('daily-'.length)]);
      expect(s.spec.schedule).toMatch(/^([0-9]|[1-5][0-9]) 2 \* \* \*$/);
    }
    // spread: not all at the same minute
    expect(new Set(schedules.map((s) => s.spec.schedule)).size).toBeGreaterThan(10);
  });

  test('one encrypted location inside the OADP DPA, etcd snapshots copied with SSE-C, a drill outside synced folders', () => {
    const dpa = find(result, 'DataProtectionApplication', 'velero', 'openshift-adp');
    expect(dpa.spec.backupLocations[0].velero.config.customerKeyEncryptionFile).toBe('/credentials/customer-key');
    expect(dpa.spec.backupLocations[0].velero.objectStorage).toEqual({ bucket: 'community-backups-staging', prefix: 'velero' });
    const cj = find(result, 'CronJob', 'etcd-backup', 'etcd-backup');
    expect(cj.spec.jobTemplate.spec.template.spec.containers[0].command[2]).toContain('--sse-c AES256');
    const drill = result.objects.find((o) => o.manifest.kind === 'Restore')!;
    expect(drill.file).toBe('staging/_restore-drills/restore.openshift-adp.discourse-from-latest.yaml');
  });
});

describe('reference stack backups: encryption that means something, isolation, etcd robustness (issue 16)', () => {
  const clusters = build();
  const result = synthesize(clusters, { validator: validator(), references: false, checks: [BACKUP_ISOLATION_CHECK] });
  const inEnv = (envName: string) => result.objects.filter((o) => o.file.startsWith(`${envName}/`)).map((o) => o.manifest);
  const one = (envName: string, kind: string, name: string) => {
    const hits = inEnv(envName).filter((m) => m.kind === kind && m.metadata?.name === name);
    expect(hits).toHaveLength(1);
    return hits[0];
  };

  test('both environments pass the isolation check: own bucket, own credentials for Velero and the etcd copy', () => {
    const targets = Object.fromEntries(clusters.map((c) => [c.environment, backupTargetsOf(c.node.findAll()).map((x) => `${x.what} ${x.bucket}/${x.prefix} as ${x.credentialsIdentity}`)]));
    expect(targets).toEqual({
      staging: ['velero location community-backups-staging/velero as velero-staging', 'etcd copy community-backups-staging/etcd as etcd-backup-staging'],
      production: ['velero location community-backups-production/velero as velero-production', 'etcd copy community-backups-production/etcd as etcd-backup-production'],
    });
    // The synth above ran BACKUP_ISOLATION_CHECK over both clusters and did not throw.
    expect(result.objects.length).toBeGreaterThan(0);
  });

  test('the MinIO gateway says what it is, and its encryption is one it serves (SSE-C, no KMS needed)', () => {
    for (const c of clusters) {
      const s = c.node.findAll().find((x): x is BackupStorage => x instanceof BackupStorage)!;
      expect(s.store?.kind).toBe(ObjectStoreKind.MINIO);
      expect(s.store?.minioKms).toBe(MinioKms.NONE);
      expect(s.encryption.kind).toBe(EncryptionKind.CUSTOMER_KEY);
      expect(s.store!.encryptionProblems(s.encryption, s.endpoint)).toEqual([]);
      // SSE-S3 would be refused on this store: the check is live, not decorative.
      expect(s.store!.encryptionProblems(BucketEncryption.s3Managed(), s.endpoint)).not.toEqual([]);
    }
  });

  test('Velero\'s kopia password comes from a per-cluster Secret the stack declares', () => {
    for (const c of clusters) {
      const ext = c.node.findAll().filter((x): x is External => x instanceof External).map((x) => x.object)
        .find((o) => o.kind === 'Secret' && o.name === 'velero-repo-credentials');
      expect(ext).toMatchObject({ namespace: 'openshift-adp', keys: ['repository-password'] });
    }
  });

  test('etcd snapshots: encrypted on the node to a per-environment certificate, priority class, retries, bucket retention, no Docker Hub', () => {
    const subjects = new Set<string>();
    for (const envName of ['staging', 'production']) {
      const cm = one(envName, 'ConfigMap', 'etcd-backup-recipient');
      subjects.add(new X509Certificate(cm.data['recipient.pem']).subject);
      const pod = one(envName, 'CronJob', 'etcd-backup').spec.jobTemplate.spec.template.spec;
      expect(pod.priorityClassName).toBe('etcd-backup');
      expect(one(envName, 'PriorityClass', 'etcd-backup').value).toBe(ETCD_BACKUP_PRIORITY);
      const snapshot: string = pod.initContainers[0].command[2];
      expect(snapshot).toContain('openssl cms -encrypt');
      expect(snapshot).toContain(OPERATOR_PROGRESSING_MESSAGE);
      expect(pod.volumes.find((v: any) => v.name === 'backup')).toEqual({ name: 'backup', hostPath: { path: '/var/lib/etcd-backup', type: 'DirectoryOrCreate' } });
      const upload = pod.containers[0];
      expect(upload.image).toMatch(/^public\.ecr\.aws\/aws-cli\/aws-cli:\d+\.\d+\.\d+$/);
      expect(upload.command[2]).toContain('- 30 * 86400');
      expect(upload.command[2]).toContain(`s3://community-backups-${envName}/etcd`);
    }
    expect(subjects.size).toBe(2);
    const images = result.objects.flatMap((o) => JSON.stringify(o.manifest).match(/"image":"[^"]+"/g) ?? []);
    expect(images.filter((i) => /"image":"(docker\.io\/)?amazon\//.test(i))).toEqual([]);
  });

  test('no private key reaches any synthesized object', () => {
    expect(result.objects.filter((o) => JSON.stringify(o.manifest).includes('PRIVATE KEY')).map((o) => o.file)).toEqual([]);
  });
});

describe('reference stack: safe drills, runbooks, exact coverage (issue 16 part 2)', () => {
  const env = environments().find((e) => e.name === 'staging')!;
  const cluster = buildEnvironment(env);
  const base = defaultPipeline({ validator: validator() });
  const synthesized = runPipeline(cluster, { ...base, artifacts: [...(base.artifacts ?? []).filter((a) => a.id !== BACKUP_RUNBOOKS.id), BACKUP_RUNBOOKS] });

  test('the discourse drill: its own namespace with discourse\'s quota, modifiers, the tenant\'s own schedule', () => {
    const r = synthesized;
    expect(find(r, 'ResourceQuota', 'tenant-quota', 'discourse-drill').spec).toEqual(find(r, 'ResourceQuota', 'tenant-quota', 'discourse').spec);
    const restore = find(r, 'Restore', 'discourse-from-latest', 'openshift-adp');
    expect(restore.spec.scheduleName).toBe('daily-discourse');
    expect(restore.spec.namespaceMapping).toEqual({ discourse: 'discourse-drill' });
    expect(restore.spec.resourceModifier).toEqual({ kind: 'ConfigMap', name: 'discourse-from-latest-modifiers' });
    for (const o of r.objects.filter((x) => x.manifest.metadata?.namespace === 'discourse-drill' || x.manifest.metadata?.name === 'discourse-drill')) {
      expect(o.file.startsWith('staging/_restore-drills/')).toBe(true);
    }
  });

  test('the runbooks name every schedule of the stack and the root Application', () => {
    const dr = synthesized.files.get('staging/_runbooks/disaster-recovery.md')!;
    const names = synthesized.objects.filter((o) => o.manifest.kind === 'Schedule').map((o) => o.manifest.metadata.name as string);
    expect(names.length).toBe(48);
    expect(names).toEqual(expect.arrayContaining(['daily-os-images', 'daily-flatpak-repo']));
    // the repository password comes before the bootstrap folder, as ocpkit bootstrap lists it
    expect(dr).toContain('the bootstrap checklist lists it, with its namespace, before the bootstrap folder is applied');
    // SSE-C location: logs read with the customer key from the bucket, never through the Velero CLI downloads
    expect(dr).toContain('aws s3 cp --endpoint-url https://s3-cache.int.community.example.org --sse-c AES256 --sse-c-key fileb://$KEYS/customer-key s3://community-backups-staging/velero/backups/$BACKUP/$BACKUP-logs.gz -');
    expect(dr).not.toMatch(/\.\/velero (backup|restore) (describe|logs)/);
    // making room in discourse: its Deployment scaled down before, back to Git's replicas after
    const discourse = dr.slice(dr.indexOf('#### discourse'), dr.indexOf('####', dr.indexOf('#### discourse') + 5));
    expect(discourse).toContain('oc -n discourse scale deployment/discourse --replicas=0');
    expect(discourse).toMatch(/After the restore[\s\S]*oc -n discourse scale deployment\/discourse --replicas=[1-9]/);
    for (const n of names) expect(dr).toContain(`scheduleName: ${n},`);
    expect(dr).toContain('patch applications.argoproj.io community-staging-root');
    expect(dr).toContain('| ocs-storagecluster-cephfsplugin-snapclass | openshift-storage.cephfs.csi.ceph.com | ocs-storagecluster-cephfs |');
    const drills = synthesized.files.get('staging/_runbooks/restore-drills.md')!;
    expect(drills).toContain('oc delete namespace discourse-drill --wait=true');
    expect(drills).toContain('`postgresclusters.postgres-operator.crunchydata.com`');
    expect(drills).toContain('no Argo CD tracking label or annotation');
  });
});
