import { Cluster } from '../../lib';
import { GitOpsApp } from '../../lib';
import { SyncWave } from '../../lib';
import { Quantity } from '../../lib';
import { External, SecretKey } from '../../lib';
import { PostgresCluster, Redis, S3Endpoint } from '../../lib';
import {
  ExternalGitaly, GitalySnapshots, GitLab, GitLabDataMigration, GitLabLogRelay, GitLabNetworkIsolation, GitLabOperator, GitLabRunner, GitLabRunnerOperator, RelayImage,
  RunnerImageBuilds, RunnerImages, RunnerJobNamespace, runnerVersionShippedBy, SyslogCa, SyslogFacility,
} from '../../lib';
import { BridgeNetwork, HostBridge, IBridgeNetwork } from '../../lib';
import { ExternalImage } from '../../lib';
import { DiskSource, GuestAddress, RunStrategy, SshAuthorizedKeys, VirtualMachine } from '../../lib';
import { Environment } from './environment';
import { Platform } from './platform';
import { CommunityVms, VM_STORAGE_CLASS } from './vms';

const GITLAB_NAMESPACE = 'gitlab-system';
const RUNNER_NAMESPACE = 'gitlab-runner-system';
/** Where CI jobs run: a namespace of their own, bounded and isolated (review M7). */
const JOB_NAMESPACE = 'gitlab-ci-jobs';
/** ODF Ceph RBD: the databases' volumes (RWO). */
const DB_STORAGE_CLASS = 'ocs-storagecluster-ceph-rbd';
/** The FreeIPA CA certificate, as a ConfigMap key in each namespace that needs it (CONTEXT: FreeIPA). */
const FREEIPA_CA = { configMap: 'freeipa-ca', key: 'ca.crt' } as const;
/**
 * The S3 endpoint of the cluster's object storage (Ceph RGW on an internal name): its certificate
 * is signed by the FreeIPA CA, which GitLab, pgBackRest and the runner cache are each given.
 */
const S3_ENDPOINT = S3Endpoint.privateCa('https://s3.int.community.example.org', FREEIPA_CA);
/** The Secret with the former GitLab's rails secrets (`secrets.yml`), for the restore. */
const RAILS_SECRET = 'gitlab-rails-secret';
/** The Toolbox's s3cmd configuration for the migration's backups and tmp buckets. */
const BACKUP_S3CFG = SecretKey.of('gitlab-backup-s3cfg', 'config');
/** The GitLab release the former instance runs when its backup is made (the pinned server release). */
const OLD_INSTANCE_VERSION = '18.11.4';
/** Linux bridge on the public 1G bond (apps/community/network.ts). */
const PUBLIC_BRIDGE = 'br1-public';

/** What the GitLab part of the stack exposes to others. */
export interface GitLabPart {
  readonly gitlab: GitLab;
  readonly gitaly: ExternalGitaly;
  readonly runners: readonly GitLabRunner[];
}

/**
 * GitLab on OpenShift, as the community runs it: the GitLab and Runner operators through OLM,
 * one GitLab instance (external PostgreSQL from the Crunchy operator, Redis, Ceph RGW object
 * storage, Keycloak login) whose Gitaly runs on a VM on the public network because that VM also
 * answers Git over SSH on port 22, a log relay to the central rsyslog, and two runners.
 *
 * Every credential is a Secret created out of band (SealedSecrets); only names and keys appear.
 */
export function addGitLab(cluster: Cluster, env: Environment, platform: Platform, vms: CommunityVms): GitLabPart {
  const operators = new GitOpsApp(cluster, 'GitLabOperators', { name: 'gitlab-operators', syncWave: SyncWave.OPERATORS });
  const operator = new GitLabOperator(operators, 'GitLabOperator', { namespace: GITLAB_NAMESPACE, startingCsv: env.versions.get('operators.gitlab.csv') });
  const runnerOperator = new GitLabRunnerOperator(operators, 'RunnerOperator', { namespace: RUNNER_NAMESPACE, startingCsv: env.versions.get('operators.gitlab-runner.csv') });

  const app = new GitOpsApp(cluster, 'GitLab', { name: 'gitlab', namespace: GITLAB_NAMESPACE, syncWave: SyncWave.WORKLOADS });

  const vm = new VirtualMachine(app, 'GitalyVm', {
    name: 'gitaly',
    runStrategy: RunStrategy.ALWAYS,
    cpu: env.name === 'production' ? 8 : 2,
    memory: Quantity.gibibytes(env.name === 'production' ? 32 : 8),
    // The disk of the former monolithic GitLab VM, stripped down to Gitaly + GitLab Shell, copied
    // into a RWX Block volume so the VM live-migrates on drains (review M11).
    rootDisk: { source: DiskSource.existingPvc('gitaly-root'), moveToReadWriteMany: true, storageClass: VM_STORAGE_CLASS },
    dataDisks: [{ name: 'repositories', size: env.name === 'production' ? '2Ti' : '200Gi', storageClass: VM_STORAGE_CLASS, serial: 'repositories' }],
    // git.<domain> resolves to this address: Git over SSH on port 22 (CONTEXT); Gitaly's own port
    // is only on the pod network's Service.
    networks: [{
      network: publicNetwork(cluster, app),
      name: 'public',
      address: GuestAddress.fixed(env.name === 'production' ? '198.51.100.30/24' : '203.0.113.30/24', {
        gateway: env.name === 'production' ? '198.51.100.1' : '203.0.113.1',
        dns: [env.name === 'production' ? '198.51.100.53' : '203.0.113.53'],
      }),
    }],
    // The node's configuration (Omnibus gitlab.rb for Gitaly + GitLab Shell, sshd) and its tokens
    // come from GitOps as a ConfigMap disk and the gitaly-secrets Secret disk; a boot unit applies
    // them on every boot (review M11). After a change: virtctl restart gitaly (KubeVirt 1.0 does
    // not restart a running VM for template changes).
    cloudInit: ExternalGitaly.guestCloudInit({ users: [{ name: 'ops', groups: ['wheel'], sudo: true }], sshAuthorizedKeys: SshAuthorizedKeys.fromSecret('ops-ssh-keys') }),
  });
  const gitaly = new ExternalGitaly(app, 'Gitaly', {
    vm,
    sshHost: `git.${env.domain}`,
    authToken: SecretKey.of('gitaly-secrets', 'auth-token'),
    shellSecret: SecretKey.of('gitaly-secrets', 'shell-secret'),
    guest: {
      repositoriesDisk: 'repositories',
      // No guest agent in the stripped-down image yet: a VM snapshot is crash-consistent (review
      // N13). Accepted until backups are reworked (issue 16), which adds a logical repository backup.
      snapshots: GitalySnapshots.crashConsistent('accepted for now: Git writes objects and refs by atomic rename, so a crash-consistent snapshot restores to a consistent repository state; a logical gitaly-backup comes with the backup rework (issue 16)'),
    },
  });

  // GitLab's PostgreSQL through Crunchy PGO (installed cluster-wide by the platform): PostgreSQL 16,
  // which GitLab 18 needs, two instances (Patroni fails over), pgBackRest to the cluster's S3,
  // encrypted with its own passphrase. PGO creates the Service gitlab-db-primary and the Secret
  // gitlab-db-pguser-gitlab that GitLab's values name (field review B5).
  const dbCredentials = External.secret(app, 'gitlab-db-pgbackrest', {
    keys: ['s3.conf'],
    providedBy: 'sealed-secret',
    note: `pgBackRest configuration of gitlab-db ([global] repo1-s3-key, repo1-s3-key-secret, repo1-cipher-pass) for bucket gitlab-db-backups-${env.name}`,
  });
  const database = new PostgresCluster(app, 'Database', {
    name: 'gitlab-db',
    namespace: GITLAB_NAMESPACE,
    postgresVersion: 16,
    instances: [{
      replicas: 2,
      storage: env.name === 'production' ? '200Gi' : '20Gi',
      storageClass: DB_STORAGE_CLASS,
      resources: { requests: { cpu: '1', memory: '4Gi' }, limits: { memory: '8Gi' } },
    }],
    users: [{ name: 'gitlab', databases: ['gitlabhq_production'] }],
    backups: {
      s3: { bucket: `gitlab-db-backups-${env.name}`, endpoint: S3_ENDPOINT, region: 'us-east-1' },
      credentials: dbCredentials,
      schedules: { full: '0 2 * * 0', differential: '0 2 * * 1-6', incremental: '0 */6 * * *' },
      retention: { full: 4, differential: 7 },
    },
  });
  const redis = new Redis(app, 'Redis', {
    name: 'gitlab-redis',
    namespace: GITLAB_NAMESPACE,
    image: ExternalImage.parse(env.versions.get('images.redis')),
    password: SecretKey.of('gitlab-redis', 'password'),
    storage: '10Gi',
    storageClass: DB_STORAGE_CLASS,
    resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '2Gi' } },
  });
  const mailRelay = vms.byName.get('mail-relay');

  const gitlab = new GitLab(app, 'GitLab', {
    name: 'gitlab',
    operator,
    chartVersion: env.versions.get('charts.gitlab'),
    hostname: `gitlab.${env.domain}`,
    domain: env.domain,
    tls: { issuer: platform.issuer },
    // The data of the former monolithic GitLab (an Omnibus install) arrives by backup and restore,
    // as the chart documents it; staging rehearses it first. The old instance is upgraded to the
    // pinned release before its backup (a backup restores only to the version that made it).
    migration: GitLabDataMigration.fromLinuxPackage({
      source: 'the former monolithic GitLab VM (Omnibus; its disk is gitaly-root)',
      sourceVersion: OLD_INSTANCE_VERSION,
      railsSecret: RAILS_SECRET,
      backupsBucket: `gitlab-backups-${env.name}`,
      tmpBucket: `gitlab-restore-tmp-${env.name}`,
      s3cfg: BACKUP_S3CFG,
    }),
    database: { cluster: database },
    redis,
    objectStorage: {
      endpoint: S3_ENDPOINT,
      connection: SecretKey.of('gitlab-object-storage', 'connection'),
      buckets: {
        artifacts: `gitlab-artifacts-${env.name}`,
        lfs: `gitlab-lfs-${env.name}`,
        uploads: `gitlab-uploads-${env.name}`,
        packages: `gitlab-packages-${env.name}`,
        externalDiffs: `gitlab-mr-diffs-${env.name}`,
        terraformState: `gitlab-terraform-${env.name}`,
      },
    },
    gitaly,
    oidc: {
      issuer: `https://id.${env.domain}/realms/community`,
      clientId: 'gitlab',
      provider: SecretKey.of('gitlab-oidc-provider', 'provider'),
      label: 'Community account',
    },
    // Outgoing mail through the cluster's Postfix relay VM (infra-vms opens its Service ports to
    // every namespace); notifications, confirmations and password resets (review M14).
    ...(mailRelay ? { smtp: { server: { host: mailRelay.serviceHost, port: mailRelay.portNumber('smtp') }, from: `gitlab@${env.domain}`, replyTo: `noreply@${env.domain}` } } : {}),
    webservice: { minReplicas: env.replicas(3), maxReplicas: env.replicas(6), cpu: Quantity.parse('1'), memory: Quantity.parse('3Gi'), memoryLimit: Quantity.parse('4Gi') },
    sidekiq: { minReplicas: env.replicas(2), maxReplicas: env.replicas(4), cpu: Quantity.parse('500m'), memory: Quantity.parse('2Gi'), memoryLimit: Quantity.parse('3Gi') },
    values: {
      global: { time_zone: 'UTC', appConfig: { usernameChangingEnabled: false } },
    },
  });

  addGitLabExternals(app);
  External.secret(app, RAILS_SECRET, {
    keys: ['secrets.yml'],
    providedBy: 'by-hand',
    note: `the old instance's rails secrets for the data migration; steps: ${gitlab.migrationSteps.join(' ')}`,
  });
  External.secret(app, BACKUP_S3CFG.secretName, {
    keys: [BACKUP_S3CFG.key],
    providedBy: 'external-secret',
    note: `s3cmd .s3cfg of the GitLab Toolbox for the data migration's backups and tmp buckets: the backup-s3cfg template of ConfigMap gitlab-secret-templates with the S3 keys filled in (host_base and host_bucket = ${S3_ENDPOINT.url}'s host; no ca_certs_file: the FreeIPA CA in global.certificates.customCAs reaches the Toolbox's trust store)`,
  });
  // gitlab-system denies by default; each of GitLab's flows is opened on its own (routers to
  // Workhorse, GitLab's pods to Gitaly, PostgreSQL and Redis, the Gitaly VM to the internal API,
  // the API server to the operator's webhook).
  // CDI's upload proxy may reach upload servers here: gitaly-root is uploaded with virtctl
  // image-upload, and a re-upload after the first sync must pass the default deny.
  new GitLabNetworkIsolation(app, 'Isolation', { gitlab, gitaly, database, redis: { pods: redis.podLabels, port: redis.port }, cdiUploads: true });

  // The relay image is built from images/rsyslog-relay/Containerfile (it adds the TLS stream
  // driver the upstream image lacks, review B4); the central rsyslog's certificate is signed by
  // the FreeIPA CA, whose certificate the stack reads from a declared ConfigMap.
  new GitLabLogRelay(app, 'LogRelay', {
    gitlab,
    image: RelayImage.derived(ExternalImage.parse(env.versions.get('images.rsyslog-relay'))),
    target: { host: 'rsyslog.int.community.example.org', port: 6514, tls: { ca: SyslogCa.configMapKey('freeipa-ca', 'ca.crt') } },
    defaultFacility: SyslogFacility.LOCAL4,
  });
  External.configMap(app, FREEIPA_CA.configMap, {
    keys: [FREEIPA_CA.key],
    providedBy: 'by-hand',
    note: 'the FreeIPA CA certificate (ipa-getcert / /etc/ipa/ca.crt), which signs the central rsyslog\'s and the Ceph RGW\'s TLS certificates (log relay, GitLab customCAs, pgBackRest repo1-storage-ca-file)',
  });

  const runnersApp = new GitOpsApp(cluster, 'GitLabRunners', { name: 'gitlab-runners', namespace: RUNNER_NAMESPACE, syncWave: SyncWave.WORKLOADS });
  // CI jobs run in their own namespace: quota, LimitRange, default-deny ingress and a low,
  // non-preempting priority, so a burst of jobs cannot starve the control plane, Ceph or the VMs
  // on the three hyperconverged nodes (review M7). Image builds do not run here: rootless buildah
  // does not work under restricted-v2 and no SCC for it is verified on 4.14 (review M6); they run on
  // the community's sponsored self-hosted runners (CONTEXT).
  const jobs = new RunnerJobNamespace(runnersApp, 'CiJobs', {
    name: JOB_NAMESPACE,
    quota: { cpu: Quantity.parse(env.name === 'production' ? '24' : '8'), memory: Quantity.parse(env.name === 'production' ? '96Gi' : '32Gi'), pods: env.replicas(40) },
    maxPerContainer: { cpu: Quantity.parse('2'), memory: Quantity.parse('4Gi') },
  });
  const cache = { server: S3_ENDPOINT, bucket: `gitlab-runner-cache-${env.name}`, credentialsSecretName: 'runner-cache-s3' };
  const images = RunnerImages.openshift(runnerVersionShippedBy(runnerOperator) ?? gitlab.gitlabVersion);
  const shared = new GitLabRunner(runnersApp, 'SharedRunner', {
    name: 'shared',
    operator: runnerOperator,
    server: gitlab,
    images,
    token: SecretKey.of('runner-shared', 'runner-token'),
    // Decided in GitLab when the runner is created (Admin > CI/CD > Runners), not by the CR.
    registration: { tags: ['linux', 'x86_64'], runUntagged: true },
    jobNamespace: jobs,
    concurrent: env.replicas(10),
    jobResources: {
      build: { cpuRequest: Quantity.parse('500m'), cpuLimit: Quantity.parse('2'), memoryRequest: Quantity.parse('1Gi'), memoryLimit: Quantity.parse('4Gi') },
      helper: { cpuRequest: Quantity.parse('50m'), cpuLimit: Quantity.parse('500m'), memoryRequest: Quantity.parse('64Mi'), memoryLimit: Quantity.parse('256Mi') },
      service: { cpuRequest: Quantity.parse('100m'), cpuLimit: Quantity.parse('1'), memoryRequest: Quantity.parse('256Mi'), memoryLimit: Quantity.parse('1Gi') },
    },
    cache: { ...cache, path: 'shared' },
    buildImage: ExternalImage.parse(env.versions.get('images.ci-base')),
    imageBuilds: RunnerImageBuilds.elsewhere('the community\'s sponsored self-hosted runners (tags buildah, rootless), outside this cluster'),
  });
  const runners = [shared];
  External.secret(runnersApp, 'runner-shared', {
    keys: ['runner-token'],
    providedBy: 'sealed-secret',
    note: shared.registrationNote,
  });
  External.configMap(runnersApp, FREEIPA_CA.configMap, {
    namespace: JOB_NAMESPACE,
    keys: [FREEIPA_CA.key],
    providedBy: 'by-hand',
    note: 'the FreeIPA CA certificate (/etc/ipa/ca.crt), which signs the Ceph RGW certificate; mounted into CI job pods so the runner helper can reach the cache bucket',
  });
  External.secret(runnersApp, 'runner-cache-s3', {
    keys: ['accesskey', 'secretkey'],
    providedBy: 'sealed-secret',
    note: `S3 access key of the runner cache bucket gitlab-runner-cache-${env.name} (keys as the GitLab Runner Operator reads them)`,
  });
  return { gitlab, gitaly, runners };
}

/**
 * What the GitLab instance needs that the stack does not create (PostgreSQL's Service and user
 * Secret come from Crunchy PGO, Redis is in the stack).
 */
function addGitLabExternals(app: GitOpsApp): void {
  External.secret(app, 'gitaly-secrets', {
    keys: ['auth-token', 'shell-secret'],
    providedBy: 'sealed-secret',
    note: 'Gitaly auth token and GitLab Shell secret; the same values go into the Gitaly VM configuration',
  });
  External.secret(app, 'gitlab-object-storage', {
    keys: ['connection'],
    providedBy: 'external-secret',
    note: 'object storage connection: the object-store-connection.yaml template of ConfigMap gitlab-secret-templates with the S3 keys filled in',
  });
  External.secret(app, 'gitlab-oidc-provider', {
    keys: ['provider'],
    providedBy: 'external-secret',
    note: 'OpenID Connect provider: the oidc-provider.yaml template of ConfigMap gitlab-secret-templates with the Keycloak client secret filled in',
  });
  External.secret(app, 'gitlab-redis', {
    keys: ['password'],
    providedBy: 'sealed-secret',
    note: 'password of the gitlab-redis Redis (REDIS_PASSWORD): letters, digits and _~!@#$%^&*()-=<>,.?;:| only (the image refuses others)',
  });
  External.secret(app, 'ops-ssh-keys', {
    providedBy: 'by-hand',
    note: 'SSH public keys of the ops team for the Gitaly VM (the keys of infra-vms/ops-ssh-keys), one key per entry; KubeVirt propagates them through the guest agent',
  });
  External.pvc(app, 'gitaly-root', {
    providedBy: 'pre-existing',
    note: 'root disk of the former monolithic GitLab VM, uploaded with virtctl image-upload (GitLabNetworkIsolation admits CDI\'s upload proxy). The VM copies it into gitaly-root-rwx (RWX Block): a CSI clone when it is Block on the RBD provisioner, otherwise a host-assisted copy, which GitLabNetworkIsolation admits inside gitlab-system. '
      // The Gitaly node's configuration arrives only through cloud-init (its runcmd installs the
      // apply unit): the VM gives cloud-init a NoCloud disk (lib/virt cloudInitNoCloud, a disk
      // labelled cidata). cloud-init's systemd generator keeps it off with /etc/cloud/cloud-init.disabled
      // or cloud-init=disabled on the kernel command line, and when ds-identify finds no datasource
      // (read in cloud-init 22.4.2 as Debian 12 ships it: systemd/cloud-init-generator, tools/ds-identify
      // dscheck_NoCloud looks for the cidata label; docs.cloud-init.io/en/24.1/reference/datasources.html).
      + 'The old disk must run cloud-init at boot with the NoCloud datasource (KubeVirt cloudInitNoCloud; ConfigDrive is not offered), or the node never gets its Gitaly configuration and the old monolith boots as it was. '
      + 'Check on the old VM before its last shutdown: cloud-init installed (rpm -q cloud-init or dpkg -s cloud-init); systemctl is-enabled cloud-init-local cloud-init cloud-config cloud-final all enabled; no /etc/cloud/cloud-init.disabled and no cloud-init=disabled in /proc/cmdline; datasource_list in /etc/cloud/cloud.cfg and /etc/cloud/cloud.cfg.d/*.cfg absent or naming NoCloud. '
      + 'After the first boot in the cluster: cloud-id prints nocloud, cloud-init status --long says done, systemctl status ocpkit-gitaly-apply.service ran',
  });
}

/**
 * The public bridge network in the GitLab namespace: a NetworkAttachmentDefinition on the
 * `br1-public` host bridge when the stack defines that bridge, otherwise a reference to one
 * created outside the stack.
 */
function publicNetwork(cluster: Cluster, app: GitOpsApp): IBridgeNetwork {
  const bridge = HostBridge.allIn(cluster).find((b) => b.bridgeName === PUBLIC_BRIDGE);
  if (!bridge) return BridgeNetwork.fromName(GITLAB_NAMESPACE, 'public-network');
  return new BridgeNetwork(app, 'PublicNetwork', { name: 'public-network', hostBridge: bridge });
}
