import { Quantity } from '../../lib/core/quantity';
import { SecretKey } from '../../lib/core/secret-key';
import { ExternalImage } from '../../lib/openshift/external-image';
import { BackupStorage, BucketEncryption, CronSchedule, ETCD_BACKUP_PRIORITY, EtcdBackup, EtcdBackupTarget } from '../../lib/backup';
import { SystemNamespaces } from '../../lib/policy/system-namespaces';
import { securityContextFindings } from '../../lib/policy/_host-access';
import * as fs from 'fs';
import { EtcdSnapshotRecipient } from '../../lib/backup';
import { find, synth, testCluster } from '../_helpers';
import { backupApp, storage, storageProps } from './_fixtures';
import { makeKeyPair, testRecipient } from './_etcd-keys';

const AWS_CLI = () => ExternalImage.parse('public.ecr.aws/aws-cli/aws-cli:2.22.35');

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
    // Without encryptTo the snapshot stays as cluster-backup.sh wrote it (on the node only).
    expect(script).not.toContain('openssl');
    expect(r.objects.filter((o) => o.manifest.kind === 'ConfigMap')).toHaveLength(0);
  });

  test('a dedicated PriorityClass by default, or an existing one by name', () => {
    const cluster = testCluster();
    const app = backupApp(cluster);
    new EtcdBackup(app, 'Etcd');
    new EtcdBackup(app, 'Other', { name: 'etcd-other', priorityClassName: 'openshift-user-critical' });
    const r = synth(cluster);
    const pc = find(r, 'PriorityClass', 'etcd-backup');
    expect(pc.value).toBe(ETCD_BACKUP_PRIORITY);
    expect(pc.value).toBeLessThan(1000000000); // user classes above 1e9 are refused; openshift-user-critical is 1e9
    expect(pc.globalDefault).toBe(false);
    expect(pc.preemptionPolicy).toBe('PreemptLowerPriority');
    expect(find(r, 'CronJob', 'etcd-backup').spec.jobTemplate.spec.template.spec.priorityClassName).toBe('etcd-backup');
    expect(find(r, 'CronJob', 'etcd-other').spec.jobTemplate.spec.template.spec.priorityClassName).toBe('openshift-user-critical');
    expect(r.objects.filter((o) => o.manifest.kind === 'PriorityClass')).toHaveLength(1);
  });

  test('the job deadline covers every retry: attempts x interval + 1 hour', () => {
    const cluster = testCluster();
    new EtcdBackup(backupApp(cluster), 'Etcd', { retry: { attempts: 6, intervalMinutes: 5 } });
    const cj = find(synth(cluster), 'CronJob', 'etcd-backup');
    expect(cj.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(6 * 5 * 60 + 3600);
    expect(cj.spec.jobTemplate.spec.template.spec.containers[0].command[2]).toContain('sleep 300');
  });

  test('PVC target, schedule, retention and history limits', () => {
    const cluster = testCluster();
    new EtcdBackup(backupApp(cluster), 'Etcd', {
      name: 'etcd-snapshots',
      schedule: CronSchedule.daily({ hour: 4, minute: 15 }),
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
    new EtcdBackup(app, 'Etcd', { encryptTo: testRecipient(), copyTo: { storage: s, credentials: SecretKey.of('etcd-s3', 'cloud'), image: AWS_CLI() } });
    const pod = find(synth(cluster), 'CronJob', 'etcd-backup').spec.jobTemplate.spec.template.spec;
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['snapshot']);
    const up = pod.containers[0];
    expect(up.name).toBe('copy-to-bucket');
    expect(up.image).toBe('public.ecr.aws/aws-cli/aws-cli:2.22.35');
    // The snapshots are on a host folder the kubelet never relabels: the copy runs as spc_t, unprivileged.
    expect(up.securityContext).toEqual({ runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seLinuxOptions: { type: 'spc_t' } });
    expect(up.volumeMounts).toEqual(expect.arrayContaining([{ name: 'backup', mountPath: '/backup', readOnly: true }]));
    expect(pod.volumes).toEqual(expect.arrayContaining([{ name: 'backup', hostPath: { path: '/var/lib/etcd-backup', type: 'DirectoryOrCreate' } }]));
    expect(up.command[2]).toContain('aws s3 cp --recursive --only-show-errors --endpoint-url "https://minio.example.org:9000" --sse aws:kms --sse-kms-key-id "alias/etcd" "/backup/${stamp}" "s3://community-backups/etcd/test/${stamp}/"');
    expect(up.command[2]).toContain('aws configure set default.s3.addressing_style path');
    expect(up.env).toEqual(expect.arrayContaining([{ name: 'AWS_SHARED_CREDENTIALS_FILE', value: '/credentials/cloud' }, { name: 'AWS_DEFAULT_REGION', value: 'us-east-1' }]));
    expect(pod.volumes).toEqual(expect.arrayContaining([{ name: 'credentials', secret: { secretName: 'etcd-s3', items: [{ key: 'cloud', path: 'cloud' }] } }]));
  });

  test('the spc_t copy container passes only because its namespace is a declared system namespace', () => {
    const cluster = testCluster();
    const app = backupApp(cluster);
    new EtcdBackup(app, 'Etcd', { encryptTo: testRecipient(), copyTo: { storage: storage(app, { encryption: BucketEncryption.kms('alias/etcd') }), credentials: SecretKey.of('etcd-s3', 'cloud'), image: AWS_CLI() } });
    const up = find(synth(cluster), 'CronJob', 'etcd-backup').spec.jobTemplate.spec.template.spec.containers[0];
    // the same security context anywhere else is a host-access finding of the policy
    const findings = securityContextFindings(up.securityContext, '/sc', 'container "copy-to-bucket"', 'fix', 'container');
    expect(findings.map((f) => f.pointer)).toEqual(expect.arrayContaining(['/sc/seLinuxOptions/type']));
    expect([...SystemNamespaces.of(cluster).entries()]).toEqual([['etcd-backup', expect.stringContaining('reads the host-folder snapshots as spc_t')]]);
  });

  test('a claim target is labelled for the pod at mount: the copy container keeps the default SELinux type', () => {
    const cluster = testCluster();
    const app = backupApp(cluster);
    new EtcdBackup(app, 'Etcd', {
      target: EtcdBackupTarget.existingClaim('etcd-snapshots'),
      encryptTo: testRecipient(),
      copyTo: { storage: storage(app, { encryption: BucketEncryption.kms('alias/etcd') }), credentials: SecretKey.of('etcd-s3', 'cloud'), image: AWS_CLI() },
    });
    const up = find(synth(cluster), 'CronJob', 'etcd-backup').spec.jobTemplate.spec.template.spec.containers[0];
    expect(up.securityContext).toEqual({ runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  });

  test('SSE-C copy mounts the customer key', () => {
    const cluster = testCluster();
    const app = backupApp(cluster);
    const s = storage(app, { encryption: BucketEncryption.customerKey('/credentials/customer-key') });
    new EtcdBackup(app, 'Etcd', { encryptTo: testRecipient(), copyTo: { storage: s, credentials: SecretKey.of('etcd-s3', 'cloud'), image: AWS_CLI(), customerKey: SecretKey.of('etcd-s3', 'customer-key'), prefix: 'etcd/prod' } });
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
      expect(make({ schedule: CronSchedule.expression('0 1 * *') })).toThrow(/\[Backup\/Etcd\] schedule: "0 1 \* \*" has 4 fields/);
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
      expect(() => new EtcdBackup(app, 'A', { encryptTo: testRecipient(), copyTo: { storage: plain, credentials: SecretKey.of('s', 'cloud'), image: AWS_CLI() } }))
        .toThrow(/\[Backup\/A\] copyTo.storage: bucket "community-backups" is unencrypted; etcd snapshots hold every Secret of the cluster/);
      const ssec = new BackupStorage(app, 'S2', storageProps({ name: 'ssec', bucket: 'b-ssec', encryption: BucketEncryption.customerKey('/credentials/k'), default: false }));
      expect(() => new EtcdBackup(app, 'B', { encryptTo: testRecipient(), copyTo: { storage: ssec, credentials: SecretKey.of('s', 'cloud'), image: AWS_CLI() } })).toThrow(/copyTo.customerKey: bucket "b-ssec" uses SSE-C/);
    });
    test('other bad copy props', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      const s = storage(app);
      expect(() => new EtcdBackup(app, 'A', { copyTo: { storage: s, credentials: 'x' as any, image: 'aws' as any, prefix: '/etcd', customerKey: SecretKey.of('s', 'k') } }))
        .toThrow(/copyTo.customerKey: bucket "community-backups" does not use SSE-C[\s\S]*copyTo.credentials: must be a SecretKey[\s\S]*copyTo.image: "aws" must be an ExternalImage[\s\S]*copyTo.prefix: "\/etcd" is not a bucket prefix/);
    });
    test('a copy needs client-side encryption', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      const s = storage(app);
      expect(() => new EtcdBackup(app, 'A', { copyTo: { storage: s, credentials: SecretKey.of('s', 'cloud'), image: AWS_CLI() } }))
        .toThrow(/\[Backup\/A\] encryptTo: is required with copyTo: etcd snapshots hold every Secret and the control-plane keys, so they are encrypted on the node/);
    });
    test('Docker Hub images are refused (anonymous pull limits)', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      const s = storage(app);
      for (const ref of ['docker.io/amazon/aws-cli:2.22.35', 'amazon/aws-cli:2.22.35']) {
        expect(() => new EtcdBackup(app, `A${ref.length}`, { encryptTo: testRecipient(), copyTo: { storage: s, credentials: SecretKey.of('s', 'cloud'), image: ExternalImage.parse(ref) } }))
          .toThrow(/copyTo.image: "(docker.io\/)?amazon\/aws-cli:2.22.35" comes from Docker Hub, which limits anonymous pulls; use a registry without anonymous pull limits \(public.ecr.aws\/aws-cli\/aws-cli/);
      }
      expect(make({ image: ExternalImage.parse('docker.io/library/busybox:1.36') })).toThrow(/\[Backup\/Etcd\] image: "docker.io\/library\/busybox:1.36" comes from Docker Hub/);
    });
    test('the etcd prefix must stay out of the Velero prefix', () => {
      const cluster = testCluster();
      const app = backupApp(cluster);
      const s = storage(app); // prefix velero/test
      const copy = (prefix: string | undefined, st = s) => () => new EtcdBackup(app, `E${prefix}`, { encryptTo: testRecipient(), copyTo: { storage: st, prefix, credentials: SecretKey.of('s', 'cloud'), image: AWS_CLI() } });
      expect(copy('velero/test/etcd')).toThrow(/copyTo.prefix: "velero\/test\/etcd" overlaps the Velero prefix "velero\/test" of bucket "community-backups"; Velero marks a location unavailable/);
      expect(copy('velero')).toThrow(/copyTo.prefix: "velero" overlaps the Velero prefix/);
      const whole = new BackupStorage(app, 'Whole', storageProps({ name: 'whole', bucket: 'whole-bucket', prefix: undefined, default: false }));
      expect(copy('etcd', whole)).toThrow(/copyTo.prefix: bucket "whole-bucket" has no Velero prefix, so Velero owns the whole bucket/);
      expect(copy('velero-etcd/test')).not.toThrow();
    });
    test('recipient certificates: no private key, strong keys only, one certificate', () => {
      const bad = (pem: string) => make({ encryptTo: EtcdSnapshotRecipient.certificate(pem) });
      const kp = makeKeyPair('rsa:2048');
      expect(bad(kp.certPem)).toThrow(/\[Backup\/Etcd\] encryptTo: has a 2048-bit RSA key; use at least 3072 bits/);
      const withKey = kp.certPem + fs.readFileSync(kp.keyFile, 'utf8');
      expect(bad(withKey)).toThrow(/encryptTo: holds a PRIVATE KEY; only the certificate \(public key\) may be in Git and in the cluster/);
      // The refusal never echoes the key material.
      expect(bad(withKey)).not.toThrow(/MII/);
      expect(bad(kp.certPem + kp.certPem)).toThrow(/encryptTo: holds 2 PEM certificates; give exactly one/);
      expect(bad('-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----')).toThrow(/encryptTo: is not a parseable X.509 certificate/);
      expect(make({ encryptTo: 'pem' })).toThrow(/encryptTo: "pem" must be EtcdSnapshotRecipient.certificate\(pem\)/);
    });
    test('retry bounds', () => {
      expect(make({ retry: { attempts: 0 } })).toThrow(/retry.attempts: 0 must be an integer from 1 to 48/);
      expect(make({ retry: { intervalMinutes: 120 } })).toThrow(/retry.intervalMinutes: 120 must be an integer from 1 to 60/);
    });
  });
});
