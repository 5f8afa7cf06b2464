import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Problems, show } from '../core/errors';
import { Quantity } from '../core/quantity';
import { dnsLabel, dnsSubdomain, intRange } from '../core/rules';
import { SecretKey } from '../core/secret-key';
import { Cluster } from '../gitops/cluster';
import { ExternalImage } from '../openshift/external-image';
import { bucketPrefixProblem } from './_rules';
import { BackupExemption } from './backup-exemption';
import { BackupStorage } from './backup-storage';
import { EncryptionKind } from './bucket-encryption';
import { Cron, cronRule } from './cron';
import { SystemNamespaces } from '../policy/system-namespaces';

/** The OpenShift CLI image of the release the library targets (it has bash, chroot, find and cp). */
export const DEFAULT_ETCD_BACKUP_IMAGE = 'registry.redhat.io/openshift4/ose-cli:v4.14';
/** Label OpenShift 4.14 puts on control-plane nodes (the older `master` role label, still on every control-plane node). */
export const CONTROL_PLANE_NODE_LABEL = 'node-role.kubernetes.io/master';
/** The script every OpenShift control-plane node ships to snapshot etcd and the static pod resources. */
export const CLUSTER_BACKUP_SCRIPT = '/usr/local/bin/cluster-backup.sh';
/** Host folder the snapshot is written to first, inside the node's root (then copied to the target). */
const STAGING = '/var/tmp/ocpkit-etcd-backup';

/** Where etcd snapshots are kept. */
export class EtcdBackupTarget {
  /**
   * A folder on the control-plane node that ran the job. Simple, but each run may land on a
   * different node and a lost node loses its snapshots: combine it with `copyTo`.
   * RHCOS only writes under /var (and /home).
   * @param path @default '/var/lib/etcd-backup'
   */
  public static hostPath(path = '/var/lib/etcd-backup'): EtcdBackupTarget {
    return new EtcdBackupTarget('hostPath', path, undefined, undefined);
  }

  /** A new PersistentVolumeClaim of the given size (ReadWriteOnce), created with the backup. */
  public static newVolume(size: Quantity, storageClassName?: string): EtcdBackupTarget {
    return new EtcdBackupTarget('newVolume', undefined, size, storageClassName);
  }

  /** An existing PersistentVolumeClaim in the etcd backup namespace. */
  public static existingClaim(claimName: string): EtcdBackupTarget {
    return new EtcdBackupTarget('existingClaim', claimName, undefined, undefined);
  }

  private constructor(
    public readonly kind: 'hostPath' | 'newVolume' | 'existingClaim',
    /** Host path, or claim name for `existingClaim`. */
    public readonly value: string | undefined,
    public readonly size: Quantity | undefined,
    public readonly storageClassName: string | undefined,
  ) {}
}

/** The optional second step: copying each snapshot to an encrypted bucket. */
export interface EtcdBackupCopy {
  /** Bucket, endpoint and encryption to copy to (usually the Velero location's bucket). */
  readonly storage: BackupStorage;
  /**
   * AWS credentials file in the etcd backup namespace (Secrets do not cross namespaces, so this is
   * a separate Secret from Velero's).
   */
  readonly credentials: SecretKey;
  /** Image with the AWS CLI v2, pinned (`docker.io/amazon/aws-cli:2.22.35`). */
  readonly image: ExternalImage;
  /**
   * Key prefix of the snapshots in the bucket.
   * @default '<storage prefix>/etcd' or 'etcd'
   */
  readonly prefix?: string;
  /**
   * The raw 32-byte SSE-C key, in the etcd backup namespace. Required when the storage uses SSE-C.
   * @default none
   */
  readonly customerKey?: SecretKey;
}

/** Properties of {@link EtcdBackup}. */
export interface EtcdBackupProps {
  /**
   * Name of the namespace, ServiceAccount and CronJob.
   * @default 'etcd-backup'
   */
  readonly name?: string;
  /**
   * When snapshots are taken (UTC).
   * @default Cron.daily({ hour: 1 })
   */
  readonly schedule?: Cron;
  /**
   * Snapshots older than this many days are deleted from the target after each run.
   * @default 7
   */
  readonly retentionDays?: number;
  /**
   * Where snapshots are kept.
   * @default EtcdBackupTarget.hostPath('/var/lib/etcd-backup')
   */
  readonly target?: EtcdBackupTarget;
  /**
   * Image that runs the node's backup script through chroot; pinned by version or digest.
   * @default registry.redhat.io/openshift4/ose-cli:v4.14
   */
  readonly image?: ExternalImage;
  /**
   * Copy every snapshot to an encrypted bucket as well.
   * @default no copy
   */
  readonly copyTo?: EtcdBackupCopy;
  /** Successful jobs kept for inspection. @default 3 */
  readonly successfulJobsHistoryLimit?: number;
  /** Failed jobs kept for inspection. @default 3 */
  readonly failedJobsHistoryLimit?: number;
}

/**
 * A daily etcd snapshot on OpenShift, done the supported way: the control-plane node's own
 * `cluster-backup.sh` (etcd snapshot plus the static pod resources needed to restore it), run
 * through `chroot /host` from a privileged pod on a control-plane node, with host networking to
 * reach the local etcd member.
 *
 * Synthesizes: a Namespace (Pod Security `privileged`, no default node selector), a
 * ServiceAccount, a ClusterRole allowing `use` of the `privileged` SCC and a RoleBinding granting
 * it to the ServiceAccount in that namespace only (RBAC, not an edited SCC), optionally a PVC, and
 * a CronJob (concurrency forbidden, history limits) pinned to control-plane nodes with their
 * tolerations. Each run writes `<target>/<yyyymmdd-hhmmss>/`, then deletes snapshot folders older
 * than `retentionDays`; with `copyTo`, a second, unprivileged container uploads the new folder to
 * the bucket with the bucket's server-side encryption (expire old copies with a bucket lifecycle
 * rule). A PVC target is exempted from Velero coverage: etcd snapshots must not depend on the
 * cluster they restore.
 *
 * @see https://docs.openshift.com/container-platform/4.14/backup_and_restore/control_plane_backup_and_restore/backing-up-etcd.html
 */
export class EtcdBackup extends Construct {
  public readonly namespace: string;
  public readonly cronJob: k8s.KubeCronJob;
  public readonly serviceAccountName: string;

  constructor(scope: Construct, id: string, props: EtcdBackupProps = {}) {
    super(scope, id);
    const p = new Problems(this.node.path);
    if (props.name !== undefined) p.check('name', props.name, dnsLabel);
    const schedule = props.schedule ?? Cron.daily({ hour: 1 });
    p.check('schedule', schedule, cronRule);
    const retentionDays = props.retentionDays ?? 7;
    if (retentionDays === 0) p.add('retentionDays', '0 is not a retention: it would delete every snapshot, the one just taken included; keep at least 1 day');
    else p.check('retentionDays', retentionDays, intRange(1, 3650));
    p.check('successfulJobsHistoryLimit', props.successfulJobsHistoryLimit ?? 3, intRange(0, 100));
    p.check('failedJobsHistoryLimit', props.failedJobsHistoryLimit ?? 3, intRange(0, 100));
    const target = props.target ?? EtcdBackupTarget.hostPath();
    if (!(target instanceof EtcdBackupTarget)) {
      p.add('target', 'must be EtcdBackupTarget.hostPath(path), .newVolume(size) or .existingClaim(name)');
    } else if (target.kind === 'hostPath') {
      const v = target.value;
      if (typeof v !== 'string' || !/^\/(var|home)\/[A-Za-z0-9._\/-]+$/.test(v) || v.includes('..') || v.endsWith('/')) {
        p.add('target.path', `${show(v)} is not a writable host folder; RHCOS nodes only write under /var (and /home), for example "/var/lib/etcd-backup"`);
      } else if (v === STAGING || v.startsWith(`${STAGING}/`)) {
        p.add('target.path', `${show(v)} is the staging folder of the backup script; choose another folder`);
      }
    } else if (target.kind === 'newVolume') {
      if (!(target.size instanceof Quantity)) p.add('target.size', `${show(target.size)} must be a Quantity (Quantity.gibibytes(20))`);
      if (target.storageClassName !== undefined) p.check('target.storageClassName', target.storageClassName, dnsSubdomain);
    } else {
      p.check('target.claimName', target.value, dnsSubdomain);
    }
    const image = props.image ?? ExternalImage.parse(DEFAULT_ETCD_BACKUP_IMAGE);
    if (!(image instanceof ExternalImage)) p.add('image', `${show(image)} must be an ExternalImage pinned by version or digest (ExternalImage.parse("registry.redhat.io/openshift4/ose-cli:v4.14"))`);
    const copy = props.copyTo;
    if (copy) checkCopy(p, copy);
    p.throwIfAny();

    const name = props.name ?? 'etcd-backup';
    this.namespace = name;
    this.serviceAccountName = name;
    const cluster = Cluster.of(this);

    new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name,
        labels: {
          'pod-security.kubernetes.io/enforce': 'privileged',
          'pod-security.kubernetes.io/audit': 'privileged',
          'pod-security.kubernetes.io/warn': 'privileged',
          'security.openshift.io/scc.podSecurityLabelSync': 'false',
          'argocd.argoproj.io/managed-by': cluster.argoNamespace,
        },
        annotations: {
          // No cluster-wide default node selector: the job picks control-plane nodes itself.
          'openshift.io/node-selector': '',
          'openshift.io/description': 'Daily etcd snapshots (ocpkit EtcdBackup)',
        },
      },
    });
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name, namespace: name } });
    const roleName = `${name}-use-privileged-scc`;
    new k8s.KubeClusterRole(this, 'SccRole', {
      metadata: { name: roleName },
      rules: [{ apiGroups: ['security.openshift.io'], resources: ['securitycontextconstraints'], resourceNames: ['privileged'], verbs: ['use'] }],
    });
    new k8s.KubeRoleBinding(this, 'SccBinding', {
      metadata: { name: roleName, namespace: name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name, namespace: name }],
    });

    let backupVolume: k8s.Volume;
    if (target.kind === 'hostPath') {
      backupVolume = { name: 'backup', hostPath: { path: target.value!, type: 'DirectoryOrCreate' } };
    } else {
      const claimName = target.kind === 'newVolume' ? `${name}-snapshots` : target.value!;
      if (target.kind === 'newVolume') {
        new k8s.KubePersistentVolumeClaim(this, 'Volume', {
          metadata: { name: claimName, namespace: name },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: target.storageClassName,
            resources: { requests: { storage: k8s.Quantity.fromString(target.size!.toString()) } },
          },
        });
      }
      backupVolume = { name: 'backup', persistentVolumeClaim: { claimName } };
      BackupExemption.exemptNamespace(this, name, 'holds etcd snapshots, which have their own retention and must not depend on the cluster they restore');
    }

    const snapshot: k8s.Container = {
      name: 'snapshot',
      image: image.reference,
      command: ['/bin/bash', '-c', snapshotScript(retentionDays)],
      securityContext: { privileged: true, runAsUser: 0 },
      volumeMounts: [{ name: 'host', mountPath: '/host' }, { name: 'backup', mountPath: '/backup' }],
      resources: { requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('256Mi') } },
    };
    const volumes: k8s.Volume[] = [{ name: 'host', hostPath: { path: '/', type: 'Directory' } }, backupVolume];
    const containers: k8s.Container[] = [];
    const initContainers: k8s.Container[] = [];
    if (copy) {
      initContainers.push(snapshot);
      const upload = uploadContainer(copy);
      containers.push(upload.container);
      volumes.push(...upload.volumes);
    } else {
      containers.push(snapshot);
    }

    // Host access is this job's purpose: declare its namespace a system namespace for the
    // no-host-access policy instead of waiving the policy object by object.
    SystemNamespaces.declare(Cluster.of(this), name, 'etcd snapshots run the control-plane node\'s cluster-backup.sh through chroot, with host networking to reach the local etcd member');
    this.cronJob = new k8s.KubeCronJob(this, 'Resource', {
      metadata: {
        name,
        namespace: name,
      },
      spec: {
        schedule: schedule.toString(),
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: props.successfulJobsHistoryLimit ?? 3,
        failedJobsHistoryLimit: props.failedJobsHistoryLimit ?? 3,
        jobTemplate: {
          spec: {
            backoffLimit: 1,
            activeDeadlineSeconds: 3600,
            template: {
              metadata: { labels: { 'app.kubernetes.io/name': 'etcd-backup', 'app.kubernetes.io/managed-by': 'ocpkit' } },
              spec: {
                serviceAccountName: name,
                automountServiceAccountToken: false,
                hostNetwork: true,
                restartPolicy: 'Never',
                nodeSelector: { [CONTROL_PLANE_NODE_LABEL]: '' },
                tolerations: [
                  { key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' },
                  { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
                ],
                initContainers: initContainers.length ? initContainers : undefined,
                containers,
                volumes,
              },
            },
          },
        },
      },
    });
  }
}

function checkCopy(p: Problems, copy: EtcdBackupCopy): void {
  if (!(copy.storage instanceof BackupStorage)) {
    p.add('copyTo.storage', `${show(copy.storage)} must be a BackupStorage (the bucket, endpoint and encryption to copy to)`);
  } else {
    if (copy.storage.encryption.kind === EncryptionKind.NONE) {
      p.add('copyTo.storage', `bucket "${copy.storage.bucket}" is unencrypted; etcd snapshots hold every Secret of the cluster, copy them only to an encrypted bucket`);
    }
    if (copy.storage.encryption.kind === EncryptionKind.CUSTOMER_KEY && !(copy.customerKey instanceof SecretKey)) {
      p.add('copyTo.customerKey', `bucket "${copy.storage.bucket}" uses SSE-C; give the 32-byte key as SecretKey.of(secretName, key) in the etcd backup namespace`);
    }
    if (copy.storage.encryption.kind !== EncryptionKind.CUSTOMER_KEY && copy.customerKey !== undefined) {
      p.add('copyTo.customerKey', `bucket "${copy.storage.bucket}" does not use SSE-C; remove customerKey`);
    }
  }
  if (!(copy.credentials instanceof SecretKey)) p.add('copyTo.credentials', 'must be a SecretKey.of(secretName, key) naming an AWS credentials file in the etcd backup namespace');
  if (!(copy.image instanceof ExternalImage)) p.add('copyTo.image', `${show(copy.image)} must be an ExternalImage with the AWS CLI, pinned by version or digest`);
  if (copy.prefix !== undefined) p.check('copyTo.prefix', copy.prefix, bucketPrefixProblem);
}

/** Runs the node's backup script into a staging folder, moves the result to /backup/<stamp>, prunes. */
function snapshotScript(retentionDays: number): string {
  return [
    'set -euo pipefail',
    'stamp="$(date -u +%Y%m%d-%H%M%S)"',
    `rm -rf "/host${STAGING}"`,
    `chroot /host ${CLUSTER_BACKUP_SCRIPT} "${STAGING}"`,
    'mkdir -p "/backup/${stamp}"',
    `cp -a "/host${STAGING}/." "/backup/\${stamp}/"`,
    `rm -rf "/host${STAGING}"`,
    'echo "${stamp}" > /backup/.latest',
    `echo "etcd snapshot written to \${stamp}; deleting snapshots older than ${retentionDays} day(s)"`,
    `find /backup -mindepth 1 -maxdepth 1 -type d -mmin +${retentionDays * 24 * 60} -print -exec rm -rf {} +`,
  ].join('\n');
}

function uploadContainer(copy: EtcdBackupCopy): { container: k8s.Container; volumes: k8s.Volume[] } {
  const s = copy.storage;
  const prefix = copy.prefix ?? (s.prefix ? `${s.prefix}/etcd` : 'etcd');
  const flags: string[] = [];
  if (s.endpoint) flags.push(`--endpoint-url "${s.endpoint}"`);
  switch (s.encryption.kind) {
    case EncryptionKind.S3_MANAGED: flags.push('--sse AES256'); break;
    case EncryptionKind.KMS: flags.push(`--sse aws:kms --sse-kms-key-id "${s.encryption.kmsKeyId}"`); break;
    case EncryptionKind.CUSTOMER_KEY: flags.push('--sse-c AES256 --sse-c-key fileb:///sse-c/key'); break;
    default: break;
  }
  const script = [
    'set -euo pipefail',
    'stamp="$(cat /backup/.latest)"',
    ...(s.forcePathStyle ? ['aws configure set default.s3.addressing_style path'] : []),
    `aws s3 cp --recursive --only-show-errors ${flags.join(' ')} "/backup/\${stamp}" "s3://${s.bucket}/${prefix}/\${stamp}/"`,
    `echo "copied \${stamp} to s3://${s.bucket}/${prefix}/\${stamp}/"`,
  ].join('\n');
  const env: k8s.EnvVar[] = [
    { name: 'HOME', value: '/tmp/home' },
    { name: 'AWS_CONFIG_FILE', value: '/tmp/home/aws-config' },
    { name: 'AWS_SHARED_CREDENTIALS_FILE', value: `/credentials/${copy.credentials.key}` },
    // S3-compatible stores (MinIO, older Ceph RGW) reject the CLI's default CRC checksums.
    { name: 'AWS_REQUEST_CHECKSUM_CALCULATION', value: 'when_required' },
    { name: 'AWS_RESPONSE_CHECKSUM_VALIDATION', value: 'when_required' },
  ];
  if (s.region) env.push({ name: 'AWS_DEFAULT_REGION', value: s.region });
  const volumeMounts: k8s.VolumeMount[] = [
    { name: 'backup', mountPath: '/backup', readOnly: true },
    { name: 'credentials', mountPath: '/credentials', readOnly: true },
    { name: 'tmp', mountPath: '/tmp/home' },
  ];
  const volumes: k8s.Volume[] = [
    { name: 'credentials', secret: { secretName: copy.credentials.secretName, items: [{ key: copy.credentials.key, path: copy.credentials.key }] } },
    { name: 'tmp', emptyDir: {} },
  ];
  if (copy.customerKey) {
    volumeMounts.push({ name: 'sse-c', mountPath: '/sse-c', readOnly: true });
    volumes.push({ name: 'sse-c', secret: { secretName: copy.customerKey.secretName, items: [{ key: copy.customerKey.key, path: 'key' }] } });
  }
  return {
    container: {
      name: 'copy-to-bucket',
      image: copy.image.reference,
      command: ['/bin/bash', '-c', script],
      env,
      // Root to read the snapshot files (mode 0600, owned by root), without any capability.
      securityContext: { runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      volumeMounts,
      resources: { requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('256Mi') } },
    },
    volumes,
  };
}
