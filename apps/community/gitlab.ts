import { Cluster } from '../../lib';
import { GitOpsApp } from '../../lib';
import { SyncWave } from '../../lib';
import { Quantity } from '../../lib';
import { SecretKey } from '../../lib';
import {
  ExternalGitaly, GitLab, GitLabLogRelay, GitLabOperator, GitLabRunner, GitLabRunnerOperator, SyslogFacility,
} from '../../lib';
import { BridgeNetwork, HostBridge, IBridgeNetwork } from '../../lib';
import { ExternalImage } from '../../lib';
import { DiskSource, RunStrategy, VirtualMachine } from '../../lib';
import { Environment } from './environment';
import { Platform } from './platform';

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
    // The disk of the former monolithic GitLab VM, stripped down to Gitaly + GitLab Shell.
    rootDisk: { source: DiskSource.existingPvc('gitaly-root') },
    dataDisks: [{ name: 'repositories', size: env.name === 'production' ? '2Ti' : '200Gi', storageClass: 'ocs-storagecluster-ceph-rbd' }],
    networks: [{ network: publicNetwork(cluster, app), name: 'public' }],
  });
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
  return { gitlab, gitaly, runners };
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
