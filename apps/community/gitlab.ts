import { Cluster } from '../../lib';
import { GitOpsApp } from '../../lib';
import { SyncWave } from '../../lib';
import { Quantity } from '../../lib';
import { External, NetworkIsolation, SecretKey } from '../../lib';
import {
  ExternalGitaly, GitLab, GitLabLogRelay, GitLabOperator, GitLabRunner, GitLabRunnerOperator, SyslogFacility,
} from '../../lib';
import { BridgeNetwork, HostBridge, IBridgeNetwork } from '../../lib';
import { ExternalImage } from '../../lib';
import { DiskSource, RunStrategy, VirtualMachine } from '../../lib';
import { Environment } from './environment';
import { Platform } from './platform';
import { VM_STORAGE_CLASS } from './vms';

const GITLAB_NAMESPACE = 'gitlab-system';
const RUNNER_NAMESPACE = 'gitlab-runner-system';
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
export function addGitLab(cluster: Cluster, env: Environment, platform: Platform): GitLabPart {
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
    dataDisks: [{ name: 'repositories', size: env.name === 'production' ? '2Ti' : '200Gi', storageClass: VM_STORAGE_CLASS }],
    networks: [{ network: publicNetwork(cluster, app), name: 'public' }],
  });
  // The Gitaly VM's pod is isolated (issue 14: platform namespaces running VMs deny by default):
  // only GitLab's own pods reach Gitaly's gRPC port (a token is its only other protection), and
  // monitoring. SSH comes in on the public bridge, which NetworkPolicy does not govern. The
  // namespace's other pods (GitLab's chart and operator) are isolated with GitLab (issue 15).
  new NetworkIsolation(app, 'GitalyIsolation', { namespace: GITLAB_NAMESPACE, pods: { labels: { 'ocpkit.io/vm': 'gitaly' }, namePrefix: 'gitaly' }, allowSameNamespace: false, allowIngressRouters: false })
    .allowPorts('gitaly-allow-grpc-from-gitlab', { pods: { 'ocpkit.io/vm': 'gitaly' }, ports: [{ port: 8075 }], from: [GITLAB_NAMESPACE] });
  const gitaly = new ExternalGitaly(app, 'Gitaly', {
    vm,
    sshHost: `git.${env.domain}`,
    authToken: SecretKey.of('gitaly-secrets', 'auth-token'),
    shellSecret: SecretKey.of('gitaly-secrets', 'shell-secret'),
  });

  const gitlab = new GitLab(app, 'GitLab', {
    name: 'gitlab',
    operator,
    chartVersion: env.versions.get('charts.gitlab'),
    hostname: `gitlab.${env.domain}`,
    domain: env.domain,
    tls: { issuer: platform.issuer },
    database: { host: 'gitlab-db-primary.gitlab-system.svc', password: SecretKey.of('gitlab-db-pguser-gitlab', 'password') },
    redis: { host: 'gitlab-redis.gitlab-system.svc', password: SecretKey.of('gitlab-redis', 'password') },
    objectStorage: {
      endpoint: 'https://s3.int.community.example.org',
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
    webservice: { minReplicas: env.replicas(3), maxReplicas: env.replicas(6), cpu: Quantity.parse('1'), memory: Quantity.parse('3Gi'), memoryLimit: Quantity.parse('4Gi') },
    sidekiq: { minReplicas: env.replicas(2), maxReplicas: env.replicas(4), cpu: Quantity.parse('500m'), memory: Quantity.parse('2Gi'), memoryLimit: Quantity.parse('3Gi') },
    values: {
      global: { time_zone: 'UTC', appConfig: { usernameChangingEnabled: false } },
    },
  });

  addGitLabExternals(app);

  new GitLabLogRelay(app, 'LogRelay', {
    gitlab,
    image: ExternalImage.parse(env.versions.get('images.rsyslog')),
    target: { host: 'rsyslog.int.community.example.org', port: 6514, tls: {} },
    defaultFacility: SyslogFacility.LOCAL4,
  });

  const runnersApp = new GitOpsApp(cluster, 'GitLabRunners', { name: 'gitlab-runners', namespace: RUNNER_NAMESPACE, syncWave: SyncWave.WORKLOADS });
  const cache = { server: 's3.int.community.example.org', bucket: `gitlab-runner-cache-${env.name}`, credentialsSecretName: 'runner-cache-s3' };
  const runners = [
    new GitLabRunner(runnersApp, 'SharedRunner', {
      name: 'shared',
      operator: runnerOperator,
      gitlabUrl: gitlab.url,
      token: SecretKey.of('runner-shared', 'runner-token'),
      tags: ['linux', 'x86_64'],
      runUntagged: true,
      concurrent: env.replicas(20),
      cache: { ...cache, path: 'shared' },
      buildImage: ExternalImage.parse(env.versions.get('images.ci-base')),
    }),
    new GitLabRunner(runnersApp, 'ImageRunner', {
      name: 'image-builds',
      operator: runnerOperator,
      gitlabUrl: gitlab.url,
      token: SecretKey.of('runner-image-builds', 'runner-token'),
      tags: ['buildah', 'rootless'],
      concurrent: env.replicas(4),
      protectedOnly: true,
      cache: { ...cache, path: 'image-builds' },
      // Image builds run rootless buildah (vfs storage): no privileged pods and no anyuid.
      configToml: [
        '[[runners]]',
        '  [runners.kubernetes]',
        '    cpu_request = "1"',
        '    memory_request = "2Gi"',
        '    [runners.kubernetes.pod_labels]',
        '      "ci.community.example.org/kind" = "image-build"',
        '',
      ].join('\n'),
    }),
  ];
  for (const name of ['runner-shared', 'runner-image-builds']) {
    External.secret(runnersApp, name, {
      keys: ['runner-token'],
      providedBy: 'sealed-secret',
      note: `authentication token (glrt-...) of the "${name.replace(/^runner-/, '')}" runner, created in GitLab (Admin > CI/CD > Runners)`,
    });
  }
  External.secret(runnersApp, 'runner-cache-s3', {
    keys: ['accesskey', 'secretkey'],
    providedBy: 'sealed-secret',
    note: `S3 access key of the runner cache bucket gitlab-runner-cache-${env.name} (keys as the GitLab Runner Operator reads them)`,
  });
  return { gitlab, gitaly, runners };
}

/**
 * What the GitLab instance needs that the stack does not create. PostgreSQL and Redis are not
 * modelled yet (field review B5; issue 15 adds them): until then the database Service and Secret
 * and the Redis Service and Secret are external, and GitLab does not start without them.
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
  External.service(app, 'gitlab-db-primary', {
    providedBy: 'pre-existing',
    note: 'NOT MODELLED YET (field review B5, issue 15): the primary Service of a Crunchy PostgresCluster gitlab-db; nothing in the stack creates it',
  });
  External.secret(app, 'gitlab-db-pguser-gitlab', {
    keys: ['password'],
    providedBy: 'pre-existing',
    note: 'NOT MODELLED YET (field review B5, issue 15): created by Crunchy PGO for user gitlab of PostgresCluster gitlab-db, which the stack does not define',
  });
  External.service(app, 'gitlab-redis', {
    providedBy: 'pre-existing',
    note: 'NOT MODELLED YET (field review B5, issue 15): Redis for GitLab; nothing in the stack creates it',
  });
  External.secret(app, 'gitlab-redis', {
    keys: ['password'],
    providedBy: 'pre-existing',
    note: 'NOT MODELLED YET (field review B5, issue 15): password of the Redis above',
  });
  External.pvc(app, 'gitaly-root', {
    providedBy: 'pre-existing',
    note: 'root disk of the former monolithic GitLab VM, migrated into the cluster before the first sync (virtctl image-upload); RWX Block for live migration',
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
