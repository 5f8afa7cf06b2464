import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Problems, show } from '../core/errors';
import { asQuantity, Quantity, QuantityLike } from '../core/quantity';
import { dnsLabel, dnsSubdomain, intRange } from '../core/rules';
import { SecretKey } from '../core/secret-key';
import { Cluster } from '../gitops/cluster';
import { ExternalImage } from '../openshift/external-image';
import { bucketPrefixProblem, credentialsIdentityProblem, prefixesOverlap } from './_rules';
import { BackupExemption } from './backup-exemption';
import { BackupStorage } from './backup-storage';
import { EncryptionKind } from './bucket-encryption';
import { asCronSchedule, CronLike, CronSchedule, cronRule } from './cron';
import { EtcdSnapshotRecipient, snapshotEncryptionCommand } from './etcd-encryption';
import { SystemNamespaces } from '../policy/system-namespaces';

/** The OpenShift CLI image of the release the library targets (it has bash, chroot, find and cp). */
export const DEFAULT_ETCD_BACKUP_IMAGE = 'registry.redhat.io/openshift4/ose-cli:v4.14';
/** Label OpenShift 4.14 puts on control-plane nodes (the older `master` role label, still on every control-plane node). */
export const CONTROL_PLANE_NODE_LABEL = 'node-role.kubernetes.io/master';
/** The script every OpenShift control-plane node ships to snapshot etcd and the static pod resources. */
export const CLUSTER_BACKUP_SCRIPT = '/usr/local/bin/cluster-backup.sh';
/** Host folder the snapshot is written to first, inside the node's root (then copied to the target). */
const STAGING = '/var/tmp/ocpkit-etcd-backup';
/** Host path the recipient certificate is copied to, so that the node's openssl (through chroot) reads it. */
const RECIPIENT_ON_HOST = '/var/tmp/ocpkit-etcd-backup-recipient.pem';
/**
 * What cluster-backup.sh prints before it exits 1 because a control-plane operator is
 * progressing (openshift/cluster-etcd-operator release-4.14 `bindata/etcd/cluster-backup.sh`,
 * check_if_operator_is_progressing, run for kube-apiserver, kube-controller-manager,
 * kube-scheduler and etcd unless `--force`): only this failure is retried.
 */
export const OPERATOR_PROGRESSING_MESSAGE = 'operator is progressing';
/**
 * Default priority of the backup pods: above every workload without a class (0) so a full
 * control-plane node makes room for the nightly snapshot, below `openshift-user-critical`
 * (1000000000) and the system classes. User classes may not exceed 1000000000; the
 * `system-*` classes are for kube-system and openshift-* namespaces
 * (https://docs.openshift.com/container-platform/4.14/nodes/pods/nodes-pods-priority.html).
 */
export const ETCD_BACKUP_PRIORITY = 100000000;
/**
 * SELinux type of the copy container when the snapshots are on a host folder. The kubelet never
 * relabels a hostPath volume, so the files keep their host type (`var_lib_t` under /var/lib), which
 * a confined, unprivileged container (`container_t`, the type CRI-O gives it) may not read; the
 * privileged snapshot container runs as `spc_t` and is not affected. Giving the copy container
 * `spc_t` lets it read them while it stays unprivileged with no capability; the `privileged` SCC
 * the job's ServiceAccount uses allows any SELinux context (`seLinuxContext: RunAsAny`,
 * openshift/cluster-kube-apiserver-operator manifests/0000_20_kube-apiserver-operator_00_scc-privileged.yaml),
 * and the namespace is a declared system namespace for the no-host-access policy, which otherwise
 * refuses that type. Relabelling the folder instead (`chcon -t container_file_t`) would change the
 * host's labels for good and let every container read etcd snapshots; a volume claim is labelled
 * for the pod at mount, so a PVC target needs neither.
 */
export const SPC_T = 'spc_t';
/** Registries that limit anonymous pulls (Docker Hub: 100 pulls per 6 hours per address). */
const DOCKER_HUB = /^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//;

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

  /**
   * A new PersistentVolumeClaim of the given size (a Quantity or a cdk8s `Size`; ReadWriteOnce),
   * created with the backup.
   */
  public static newVolume(size: QuantityLike, storageClassName?: string): EtcdBackupTarget {
    return new EtcdBackupTarget('newVolume', undefined, asQuantity(size) as Quantity, storageClassName);
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
  /**
   * Who `credentials` are (user or role name at the object store, never the key): compared with
   * every other environment's by the isolation check.
   * @default undeclared (refused when several environments are synthesized together)
   */
  readonly credentialsIdentity?: string;
  /**
   * Image with the AWS CLI v2 (and bash, GNU date), pinned, from a registry without anonymous
   * pull limits: `public.ecr.aws/aws-cli/aws-cli:<version>` (AWS's own copy of the Docker Hub
   * image; ECR Public caps unauthenticated pulls by volume, 500 GB a month, not by count:
   * https://docs.aws.amazon.com/AmazonECR/latest/public/public-service-quotas.html) or a mirror
   * in the cluster's registry. Docker Hub images are refused.
   */
  readonly image: ExternalImage;
  /**
   * Key prefix of the snapshots in the bucket. It must not overlap the Velero location's
   * prefix: Velero marks a location unavailable when its prefix holds any folder other than its
   * own (vmware-tanzu/velero@v1.14.0 pkg/persistence/object_store.go IsValid,
   * "Backup store contains invalid top-level directories").
   * @default 'etcd/<environment>'
   */
  readonly prefix?: string;
  /**
   * Snapshot folders older than this many days are deleted from the bucket prefix after each
   * successful upload (by the job, with the same credentials: no lifecycle rule to keep in step,
   * works on AWS S3, MinIO and Ceph RGW alike; the credentials need s3:DeleteObject on the
   * prefix, so protect the bucket with versioning or object lock against a stolen key).
   * @default 30
   */
  readonly retentionDays?: number;
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
   * @default CronSchedule.daily({ hour: 1 })
   */
  readonly schedule?: CronLike;
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
  /**
   * Certificate the snapshots are encrypted to on the node, before they are written to the
   * target or leave the cluster (the private key stays offline). Required with `copyTo`.
   * @default unencrypted on the target (only without copyTo)
   */
  readonly encryptTo?: EtcdSnapshotRecipient;
  /**
   * How often, and how far apart, the snapshot is retried when cluster-backup.sh refuses because
   * a control-plane operator is Progressing (upgrades, certificate rotations). Other failures
   * fail the run at once (and the Job retries its pod once).
   * @default { attempts: 12, intervalMinutes: 10 } (two hours)
   */
  readonly retry?: { readonly attempts?: number; readonly intervalMinutes?: number };
  /**
   * Existing PriorityClass for the backup pods (`openshift-user-critical`, for instance).
   * @default a PriorityClass named after the backup, value ETCD_BACKUP_PRIORITY
   */
  readonly priorityClassName?: string;
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
 * it to the ServiceAccount in that namespace only (RBAC, not an edited SCC), a PriorityClass
 * (unless an existing one is named), with `encryptTo` a ConfigMap holding the recipient
 * certificate, optionally a PVC, and a CronJob (concurrency forbidden, history limits) pinned to
 * control-plane nodes with their tolerations.
 *
 * Each run: retries cluster-backup.sh while a control-plane operator is Progressing (the script
 * refuses then; other failures fail at once); with `encryptTo`, archives the result and encrypts
 * it on the node (`openssl cms`, `snapshotEncryptionCommand`) so only
 * `<target>/<yyyymmdd-hhmmss>/etcd-<stamp>.tar.cms` (and its SHA-256) is kept; deletes snapshot
 * folders older than `retentionDays`. With `copyTo`, a second, unprivileged container uploads the
 * new folder to the bucket (with the bucket's server-side encryption on top), then deletes the
 * bucket's snapshot folders older than `copyTo.retentionDays`. A PVC target is exempted from
 * Velero coverage: etcd snapshots must not depend on the cluster they restore.
 *
 * Job semantics: the in-script retry waits out upgrades (a Job's own pod retries back off 10 s,
 * 20 s, 40 s ... capped at 6 minutes, far too short for an upgrade:
 * https://v1-27.docs.kubernetes.io/docs/concepts/workloads/controllers/job/#pod-backoff-failure-policy);
 * `activeDeadlineSeconds` covers every attempt plus an hour.
 *
 * @example
 * Emits: into the folder of the app it is in the Namespace `etcd-backup` (default `name`), in it a
 * ServiceAccount and CronJob `etcd-backup`, a RoleBinding `etcd-backup-use-privileged-scc`, with
 * `encryptTo` a ConfigMap `etcd-backup-recipient`, with a new-volume target a PVC; and the
 * cluster-scoped ClusterRole `etcd-backup-use-privileged-scc` and PriorityClass `etcd-backup`.
 * ```ts
 * import { CronSchedule, EtcdBackup, EtcdBackupTarget } from 'ocpkit';
 * import type { GitOpsApp } from 'ocpkit';
 *
 * export function addEtcdSnapshots(backup: GitOpsApp): EtcdBackup {
 *   return new EtcdBackup(backup, 'Etcd', {
 *     schedule: CronSchedule.daily({ hour: 1 }),
 *     retentionDays: 3,
 *     target: EtcdBackupTarget.hostPath('/var/lib/etcd-backup'),
 *   });
 * }
 * ```
 * @see https://docs.openshift.com/container-platform/4.14/backup_and_restore/control_plane_backup_and_restore/backing-up-etcd.html
 */
export class EtcdBackup extends Construct {
  public readonly namespace: string;
  public readonly cronJob: k8s.KubeCronJob;
  public readonly serviceAccountName: string;
  /** The copy to a bucket, if any (read by the isolation check). */
  public readonly copy?: { readonly storage: BackupStorage; readonly prefix: string; readonly credentialsIdentity?: string };
  /** Name of the PriorityClass the pods run with. */
  public readonly priorityClassName: string;

  constructor(scope: Construct, id: string, props: EtcdBackupProps = {}) {
    super(scope, id);
    const p = new Problems(this.node.path);
    if (props.name !== undefined) p.check('name', props.name, dnsLabel);
    const schedule = asCronSchedule(props.schedule) ?? CronSchedule.daily({ hour: 1 });
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
      } else if (v === STAGING || v.startsWith(`${STAGING}/`) || v.startsWith(`${STAGING}-`)) {
        p.add('target.path', `${show(v)} is the staging folder of the backup script; choose another folder`);
      }
    } else if (target.kind === 'newVolume') {
      if (!(target.size instanceof Quantity)) p.add('target.size', `${show(target.size)} must be a Quantity (Quantity.gibibytes(20)) or a cdk8s Size (Size.gibibytes(20))`);
      if (target.storageClassName !== undefined) p.check('target.storageClassName', target.storageClassName, dnsSubdomain);
    } else {
      p.check('target.claimName', target.value, dnsSubdomain);
    }
    const image = props.image ?? ExternalImage.parse(DEFAULT_ETCD_BACKUP_IMAGE);
    if (!(image instanceof ExternalImage)) p.add('image', `${show(image)} must be an ExternalImage pinned by version or digest (ExternalImage.parse("registry.redhat.io/openshift4/ose-cli:v4.14"))`);
    else checkRegistry(p, 'image', image);
    const recipient = props.encryptTo;
    if (recipient !== undefined) {
      if (!(recipient instanceof EtcdSnapshotRecipient)) p.add('encryptTo', `${show(recipient)} must be EtcdSnapshotRecipient.certificate(pem)`);
      else for (const [field, msg] of recipient.problems('encryptTo')) p.add(field, msg);
    }
    const attempts = props.retry?.attempts ?? 12;
    const intervalMinutes = props.retry?.intervalMinutes ?? 10;
    p.check('retry.attempts', attempts, intRange(1, 48));
    p.check('retry.intervalMinutes', intervalMinutes, intRange(1, 60));
    if (props.priorityClassName !== undefined) p.check('priorityClassName', props.priorityClassName, dnsSubdomain);
    const copy = props.copyTo;
    const cluster = Cluster.of(this);
    const copyPrefix = copy?.prefix ?? `etcd/${cluster.outputFolder}`;
    if (copy) {
      checkCopy(p, copy, copyPrefix);
      if (recipient === undefined) {
        p.add('encryptTo', 'is required with copyTo: etcd snapshots hold every Secret and the control-plane keys, so they are encrypted on the node before they leave it; give EtcdSnapshotRecipient.certificate(pem) with the public certificate of an offline key');
      }
    }
    p.throwIfAny();

    const name = props.name ?? 'etcd-backup';
    this.namespace = name;
    this.serviceAccountName = name;
    this.priorityClassName = props.priorityClassName ?? name;
    if (copy) this.copy = { storage: copy.storage, prefix: copyPrefix, credentialsIdentity: copy.credentialsIdentity };

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
    if (props.priorityClassName === undefined) {
      new k8s.KubePriorityClass(this, 'Priority', {
        metadata: { name },
        value: ETCD_BACKUP_PRIORITY,
        globalDefault: false,
        preemptionPolicy: 'PreemptLowerPriority',
        description: 'Nightly etcd snapshot (ocpkit EtcdBackup): may preempt workloads without a priority class on a full control-plane node',
      });
    }

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

    const volumes: k8s.Volume[] = [{ name: 'host', hostPath: { path: '/', type: 'Directory' } }, backupVolume];
    const snapshotMounts: k8s.VolumeMount[] = [{ name: 'host', mountPath: '/host' }, { name: 'backup', mountPath: '/backup' }];
    if (recipient) {
      const configMapName = `${name}-recipient`;
      new k8s.KubeConfigMap(this, 'Recipient', {
        metadata: {
          name: configMapName,
          namespace: name,
          annotations: { 'ocpkit.io/description': `Public certificate etcd snapshots are encrypted to${recipient.subject ? ` (${recipient.subject})` : ''}; the private key is kept offline` },
        },
        data: { 'recipient.pem': recipient.pem },
      });
      volumes.push({ name: 'recipient', configMap: { name: configMapName } });
      snapshotMounts.push({ name: 'recipient', mountPath: '/recipient', readOnly: true });
    }
    const snapshot: k8s.Container = {
      name: 'snapshot',
      image: image.reference,
      command: ['/bin/bash', '-c', snapshotScript({ retentionDays, attempts, intervalMinutes, encrypt: recipient !== undefined })],
      securityContext: { privileged: true, runAsUser: 0 },
      volumeMounts: snapshotMounts,
      resources: { requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('256Mi') } },
    };
    const containers: k8s.Container[] = [];
    const initContainers: k8s.Container[] = [];
    if (copy) {
      initContainers.push(snapshot);
      const upload = uploadContainer(copy, copyPrefix, target.kind === 'hostPath');
      containers.push(upload.container);
      volumes.push(...upload.volumes);
    } else {
      containers.push(snapshot);
    }

    // Host access is this job's purpose: declare its namespace a system namespace for the
    // no-host-access policy instead of waiving the policy object by object.
    SystemNamespaces.declare(cluster, name, copy && target.kind === 'hostPath'
      ? 'etcd snapshots run the control-plane node\'s cluster-backup.sh through chroot, with host networking to reach the local etcd member; the bucket copy reads the host-folder snapshots as spc_t'
      : 'etcd snapshots run the control-plane node\'s cluster-backup.sh through chroot, with host networking to reach the local etcd member');
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
            activeDeadlineSeconds: attempts * intervalMinutes * 60 + 3600,
            template: {
              metadata: { labels: { 'app.kubernetes.io/name': 'etcd-backup', 'app.kubernetes.io/managed-by': 'ocpkit' } },
              spec: {
                serviceAccountName: name,
                automountServiceAccountToken: false,
                hostNetwork: true,
                restartPolicy: 'Never',
                priorityClassName: this.priorityClassName,
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

/** Refuses images from Docker Hub (anonymous pulls are limited per address; a nightly job on three nodes shares the quota with everything else). */
function checkRegistry(p: Problems, field: string, image: ExternalImage): void {
  const first = image.repository.split('/')[0];
  const hub = DOCKER_HUB.test(image.repository) || !(first.includes('.') || first.includes(':') || first === 'localhost');
  if (hub) {
    p.add(field, `${show(image.reference)} comes from Docker Hub, which limits anonymous pulls; use a registry without anonymous pull limits (public.ecr.aws/aws-cli/aws-cli for the AWS CLI, registry.redhat.io, quay.io) or a mirror in your own registry`);
  }
}

function checkCopy(p: Problems, copy: EtcdBackupCopy, prefix: string): void {
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
    if (bucketPrefixProblem(prefix) === undefined && prefixesOverlap(prefix, copy.storage.prefix)) {
      p.add('copyTo.prefix', copy.storage.prefix
        ? `"${prefix}" overlaps the Velero prefix "${copy.storage.prefix}" of bucket "${copy.storage.bucket}"; Velero marks a location unavailable when its prefix holds folders of its own ("invalid top-level directories"), use a prefix beside it (for example "etcd/<environment>")`
        : `bucket "${copy.storage.bucket}" has no Velero prefix, so Velero owns the whole bucket and refuses other folders in it ("invalid top-level directories"); give the BackupStorage a prefix (for example "velero/<environment>") or copy to another bucket`);
    }
  }
  if (!(copy.credentials instanceof SecretKey)) p.add('copyTo.credentials', 'must be a SecretKey.of(secretName, key) naming an AWS credentials file in the etcd backup namespace');
  if (copy.credentialsIdentity !== undefined) p.check('copyTo.credentialsIdentity', copy.credentialsIdentity, credentialsIdentityProblem);
  if (!(copy.image instanceof ExternalImage)) p.add('copyTo.image', `${show(copy.image)} must be an ExternalImage with the AWS CLI, pinned by version or digest`);
  else checkRegistry(p, 'copyTo.image', copy.image);
  if (copy.prefix !== undefined) p.check('copyTo.prefix', copy.prefix, bucketPrefixProblem);
  if (copy.retentionDays !== undefined) p.check('copyTo.retentionDays', copy.retentionDays, intRange(1, 3650));
}

interface SnapshotScriptOptions {
  readonly retentionDays: number;
  readonly attempts: number;
  readonly intervalMinutes: number;
  readonly encrypt: boolean;
}

/**
 * Runs the node's backup script into a staging folder (retrying while a control-plane operator
 * is Progressing), encrypts the result on the node or copies it as is to /backup/<stamp>, prunes.
 */
function snapshotScript(o: SnapshotScriptOptions): string {
  const lines = [
    'set -euo pipefail',
    'stamp="$(date -u +%Y%m%d-%H%M%S)"',
    ...(o.encrypt ? [
      // Fail before the snapshot, not after it, when the node has no openssl.
      'if ! chroot /host openssl version >/dev/null 2>&1; then echo "openssl is missing on this node (chroot /host openssl version failed); cannot encrypt the etcd snapshot" >&2; exit 1; fi',
    ] : []),
    'attempt=1',
    'while true; do',
    `  rm -rf "/host${STAGING}"`,
    `  if chroot /host ${CLUSTER_BACKUP_SCRIPT} "${STAGING}" 2>&1 | tee /tmp/cluster-backup.log; then break; fi`,
    `  if grep -q "${OPERATOR_PROGRESSING_MESSAGE}" /tmp/cluster-backup.log && [ "\${attempt}" -lt ${o.attempts} ]; then`,
    `    echo "attempt \${attempt}/${o.attempts}: a control-plane operator is progressing; next attempt in ${o.intervalMinutes} minute(s)"`,
    '    attempt=$((attempt + 1))',
    `    sleep ${o.intervalMinutes * 60}`,
    '    continue',
    '  fi',
    `  echo "cluster-backup.sh failed (attempt \${attempt}/${o.attempts})" >&2`,
    `  rm -rf "/host${STAGING}"`,
    '  exit 1',
    'done',
    'mkdir -p "/backup/${stamp}"',
  ];
  if (o.encrypt) {
    lines.push(
      `cp /recipient/recipient.pem "/host${RECIPIENT_ON_HOST}"`,
      `${snapshotEncryptionCommand({ sourceDir: `/host${STAGING}`, recipient: RECIPIENT_ON_HOST, output: '/backup/${stamp}/etcd-${stamp}.tar.cms.partial', opensslPrefix: 'chroot /host' })}`,
      'mv "/backup/${stamp}/etcd-${stamp}.tar.cms.partial" "/backup/${stamp}/etcd-${stamp}.tar.cms"',
      '(cd "/backup/${stamp}" && sha256sum "etcd-${stamp}.tar.cms" > "etcd-${stamp}.tar.cms.sha256")',
      `rm -f "/host${RECIPIENT_ON_HOST}"`,
    );
  } else {
    lines.push(`cp -a "/host${STAGING}/." "/backup/\${stamp}/"`);
  }
  lines.push(
    `rm -rf "/host${STAGING}"`,
    'echo "${stamp}" > /backup/.latest',
    `echo "etcd snapshot written to \${stamp}${o.encrypt ? ' (encrypted)' : ''}; deleting snapshots older than ${o.retentionDays} day(s)"`,
    `find /backup -mindepth 1 -maxdepth 1 -type d -mmin +${o.retentionDays * 24 * 60} -print -exec rm -rf {} +`,
  );
  return lines.join('\n');
}

function uploadContainer(copy: EtcdBackupCopy, prefix: string, hostPathTarget: boolean): { container: k8s.Container; volumes: k8s.Volume[] } {
  const s = copy.storage;
  const retentionDays = copy.retentionDays ?? 30;
  const flags: string[] = [];
  if (s.endpoint) flags.push(`--endpoint-url "${s.endpoint}"`);
  const endpoint = s.endpoint ? ` --endpoint-url "${s.endpoint}"` : '';
  switch (s.encryption.kind) {
    case EncryptionKind.S3_MANAGED: flags.push('--sse AES256'); break;
    case EncryptionKind.KMS: flags.push(`--sse aws:kms --sse-kms-key-id "${s.encryption.kmsKeyId}"`); break;
    case EncryptionKind.CUSTOMER_KEY: flags.push('--sse-c AES256 --sse-c-key fileb:///sse-c/key'); break;
    default: break;
  }
  const url = `s3://${s.bucket}/${prefix}`;
  const script = [
    'set -euo pipefail',
    'stamp="$(cat /backup/.latest)"',
    ...(s.forcePathStyle ? ['aws configure set default.s3.addressing_style path'] : []),
    `aws s3 cp --recursive --only-show-errors ${flags.join(' ')} "/backup/\${stamp}" "${url}/\${stamp}/"`,
    `echo "copied \${stamp} to ${url}/\${stamp}/"`,
    // Retention in the bucket: folder names are UTC stamps, so they compare as strings.
    `cutoff="$(date -u -d "@$(( $(date -u +%s) - ${retentionDays} * 86400 ))" +%Y%m%d-%H%M%S)"`,
    `aws s3 ls${endpoint} "${url}/" | while read -r kind folder; do`,
    '  [ "${kind}" = "PRE" ] || continue',
    '  folder="${folder%/}"',
    '  [[ "${folder}" =~ ^[0-9]{8}-[0-9]{6}$ ]] || continue',
    '  if [[ "${folder}" < "${cutoff}" ]]; then',
    `    echo "deleting ${url}/\${folder}/ (older than ${retentionDays} day(s))"`,
    `    aws s3 rm --recursive --only-show-errors${endpoint} "${url}/\${folder}/"`,
    '  fi',
    'done',
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
      securityContext: { runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, ...(hostPathTarget ? { seLinuxOptions: { type: SPC_T } } : {}) },
      volumeMounts,
      resources: { requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('256Mi') } },
    },
    volumes,
  };
}
