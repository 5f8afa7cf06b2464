import { Quantity } from '../../lib/core/quantity';
import { SecretKey } from '../../lib/core/secret-key';
import { ExternalImage } from '../../lib/openshift/external-image';
import { BackupStorage, BucketEncryption, Cron, EtcdBackup, EtcdBackupTarget } from '../../lib/backup';
import { SystemNamespaces } from '../../lib/policy/system-namespaces';
import { find, synth, testCluster } from '../_helpers';
import { backupApp, storage, storageProps } from './_fixtures';

const AWS_CLI = () => ExternalImage.parse('docker.io/amazon/aws-cli:2.22.35');

describe('EtcdBackup', () => {
  test('declares its namespace a system namespace, so host access passes the policy without waivers', () => {
    const cluster = testCluster();
    new EtcdBackup(backupApp(cluster), 'Etcd');
    expect([...SystemNamespaces.of(cluster).keys()]).toEqual(['etcd-backup']);
    const r = synth(cluster);
    const job = find(r, 'CronJob', 'etcd-backup', 'etcd-backup');
    expect(Object.keys(job.metadata.annotations ?? {}).filter((k) => k.startsWith('ocpkit.io/waive-'))).toEqual([]);
    expect(job.spec.jobTemplate.spec.template.spec.hostNetwork).toBe(true);
  });

  test('defaults: namespace, SCC RBAC, daily CronJob on control-plane nodes writing to a host path', () => {
    const cluster = testCluster();
    new EtcdBackup(backupApp(cluster), 'Etcd');
    const r = synth(cluster);
    const ns = find(r, 'Namespace', 'etcd-backup');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ns.metadata.labels['security.openshift.io/scc.podSecurityLabelSync']).toBe('false');
    expect(ns.metadata.annotations['openshift.io/node-selector']).toBe('');
    expect(find(r, 'ServiceAccount', 'etcd-backup', 'etcd-backup')).toBeDefined();
    expect(find(r, 'ClusterRole', 'etcd-backup-use-privileged-scc').rules).toEqual([
      { apiGroups: ['security.openshift.io'], resources: ['securitycontextconstraints'], resourceNames: ['privileged'], verbs: ['use'] },
    ]);
    const rb = find(r, 'RoleBinding', 'etcd-backup-use-privileged-scc', 'etcd-backup');
    expect(rb.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'etcd-backup-use-privileged-scc' });
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'etcd-backup', namespace: 'etcd-backup' }]);

    const cj = find(r, 'CronJob', 'etcd-backup', 'etcd-backup');
    expect(cj.spec.schedule).toBe('0 1 * * *');
    expect(cj.spec.concurrencyPolicy).toBe('Forbid');
    expect(cj.spec.successfulJobsHistoryLimit).toBe(3);
    expect(cj.spec.failedJobsHistoryLimit).toBe(3);
    const pod = cj.spec.jobTemplate.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.serviceAccountName).toBe('etcd-backup');
    expect(pod.nodeSelector).toEqual({ 'node-role.kubernetes.io/master': '' });
    expect(pod.tolerations).toEqual([
      { key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    expect(pod.initContainers).toBeUndefined();
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0];
    expect(c.image).toBe('registry.redhat.io/openshift4/ose-cli:v4.14');
    expect(c.securityContext).toEqual({ privileged: true, runAsUser: 0 });
    const script: string = c.command[2];
    expect(script).toContain('chroot /host /usr/local/bin/cluster-backup.sh "/var/tmp/ocpkit-etcd-backup"');
    expect(script).toContain('find /backup -mindepth 1 -maxdepth 1 -type d -mmin +10080 -print -exec rm -rf {} +');
    expect(pod.volumes).toEqual([
      { name: 'host', hostPath: { path: '/', type: 'Directory' } },
      { name: 'backup', hostPath: { path: '/var/lib/etcd-backup', type: 'DirectoryOrCreate' } },
    ]);
    expect(r.objects.filter((o) => o.manifest.kind === 'PersistentVolumeClaim')).toHaveLength(0);
  });

  test('PVC target, schedule, retention and history limits', () => {
    const cluster = testCluster();
    new EtcdBackup(backupApp(cluster), 'Etcd', {
      name: 'etcd-snapshots',
      schedule: Cron.daily({ hour: 4, minute: 15 }),
      retentionDays: 14,
      target: EtcdBackupTarget.newVolume(Quantity.gibibytes(20), 'ocs-storagecluster-cephfs'),
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 5,
      image: ExternalImage.parse('registry.redhat.io/openshift4/ose-cli@sha256:' + 'a'.repeat(64)),
    });
    const r = synth(cluster);
    const claim = find(r, 'PersistentVolumeClaim', 'etcd-snapshots-snapshots', 'etcd-snapshots');
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'ocs-storagecluster-cephfs', resources: { requests: { storage: '20Gi' } } });
    const cj = find(r, 'CronJob', 'etcd-snapshots', 'etcd-snapshots');
    expect(cj.spec.schedule).toBe('15 4 * * *');
    expect(cj.spec.successfulJobsHistoryLimit).toBe(1);
    expect(cj.spec.failedJobsHistoryLimit).toBe(5);
    const pod = cj.spec.jobTemplate.spec.template.spec;
    expect(pod.volumes[1]).toEqual({ name: 'backup', persistentVolumeClaim: { claimName: 'etcd-snapshots-snapshots' } });
    expect(pod.containers[0].image).toMatch(/@sha256:a{64}$/);
    expect(pod.containers[0].command[2]).toContain('-mmin +20160');
  });

  test('copy step uploads to the encrypted bucket from an unprivileged second container', () => {
    const cluster = testCluster();
    const app = backupApp(cluster);
    const s = storage(app, { encryption: BucketEncryption.kms('alias/etcd') });
    new EtcdBackup(app, 'Etcd', { copyTo: { storage: s, credentials: SecretKey.of('etcd-s3', 'cloud'), image: AWS_CLI() } });
    const pod = find(synth(cluster), 'CronJob', 'etcd-backup').spec.jobTemplate.spec.template.spec;
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['snapshot']);
    const up = pod.containers[0];
    expect(up.name).toBe('copy-to-bucket');
    expect(up.image).toBe('docker.io/amazon/aws-cli:2.22.35');
    expect(up.securityContext).toEqual({ runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(up.command[2]).toContain('aws s3 cp --recursive --only-show-errors --endpoint-url "https://minio.example.org:9000" --sse aws:kms --sse-kms-key-id "alias/etcd" "/backup/${stamp}" "s3://community-backups/velero/test/etcd/${stamp}/"');
    expect(up.command[2]).toContain('aws configure set default.s3.addressing_style path');
    expect(up.env).toEqual(expect.arrayContaining([{ name: 'AWS_SHARED_CREDENTIALS_FILE', value: '/credentials/cloud' }, { name: 'AWS_DEFAULT_REGION', value: 'us-east-1' }]));
    expect(pod.volumes).toEqual(expect.arrayContaining([{ name: 'credentials', secret: { secretName: 'etcd-s3', items: [{ key: 'cloud', path: 'cloud' }] } }]));
  });

  test('SSE-C copy mounts the customer key', () => {
    const cluster = testCluster();
    const app = backupApp(cluster);
    const s = storage(app, { encryption: BucketEncryption.customerKey('/credentials/customer-key') });
    new EtcdBackup(app, 'Etcd', { copyTo: { storage: s, credentials: SecretKey.of('etcd-s3', 'cloud'), image: AWS_CLI(), customerKey: SecretKey.of('etcd-s3', 'customer-key'), prefix: 'etcd/prod' } });
    const pod = find(synth(cluster), 'CronJob', 'etcd-backup').spec.jobTemplate.spec.template.spec;
    expect(pod.containers[0].command[2]).toContain('--sse-c AES256 --sse-c-key fileb:///sse-c/key "/backup/${stamp}" "s3://community-backups/etcd/prod/${stamp}/"');
    expect(pod.volumes).toEqual(expect.arrayContaining([{ name: 'sse-c', secret: { secretName: 'etcd-s3', items: [{ key: 'customer-key', path: 'key' }] } }]));
  });

  describe('bad input', () => {
    const make = (props: any) => () => new EtcdBackup(backupApp(testCluster()), 'Etcd', props);
    test('retention of zero days', () => {
      expect(make({ retentionDays: 0 })).toThrow(/\[Backup\/Etcd\] retentionDays: 0 is not a retention: it would delete every snapshot/);
      expect(make({ retentionDays: 1.5 })).toThrow(/retentionDays: 1.5 must be an integer from 1 to 3650/);
    });
    test('invalid cron', () => {
      expect(make({ schedule: Cron.expression('0 1 * *') })).toThrow(/\[Backup\/Etcd\] schedule: "0 1 \* \*" has 4 fields/);
    });
    test('host path outside /var', () => {
      expect(make({ target: EtcdBackupTarget.hostPath('/etc/backup') })).toThrow(/target.path: "\/etc\/backup" is not a writable host folder; RHCOS nodes only write under \/var/);
      expect(make({ target: EtcdBackupTarget.hostPath('/var/tmp/ocpkit-etcd-backup') })).toThrow(/is the staging folder/);
    });
    test('image not pinned', () => {
      expect(() => ExternalImage.parse('registry.redhat.io/openshift4/ose-cli:latest')).toThrow(/"latest" is not a pinned version/);
      expect(make({ image: 'registry.redhat.io/openshift4/ose-cli:v4.14' })).toThrow(/image: "registry.redhat.io\/openshift4\/ose-cli:v4.14" must be an ExternalImage/);
    });
    test('copy to an unencrypted bucket, SSE-C without key, key without SSE-C', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      const plain = storage(app, { encryption: BucketEncryption.unencrypted('lab MinIO without real data') });
      expect(() => new EtcdBackup(app, 'A', { copyTo: { storage: plain, credentials: SecretKey.of('s', 'cloud'), image: AWS_CLI() } }))
        .toThrow(/\[Backup\/A\] copyTo.storage: bucket "community-backups" is unencrypted; etcd snapshots hold every Secret of the cluster/);
      const ssec = new BackupStorage(app, 'S2', storageProps({ name: 'ssec', bucket: 'b-ssec', encryption: BucketEncryption.customerKey('/credentials/k'), default: false }));
      expect(() => new EtcdBackup(app, 'B', { copyTo: { storage: ssec, credentials: SecretKey.of('s', 'cloud'), image: AWS_CLI() } })).toThrow(/copyTo.customerKey: bucket "b-ssec" uses SSE-C/);
    });
    test('other bad copy props', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      const s = storage(app);
      expect(() => new EtcdBackup(app, 'A', { copyTo: { storage: s, credentials: 'x' as any, image: 'aws' as any, prefix: '/etcd', customerKey: SecretKey.of('s', 'k') } }))
        .toThrow(/copyTo.customerKey: bucket "community-backups" does not use SSE-C[\s\S]*copyTo.credentials: must be a SecretKey[\s\S]*copyTo.image: "aws" must be an ExternalImage[\s\S]*copyTo.prefix: "\/etcd" is not a bucket prefix/);
    });
  });
});
