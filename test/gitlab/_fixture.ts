import { Issuers } from '../../lib/certs/issuer';
import { Quantity } from '../../lib/core/quantity';
import { SecretKey } from '../../lib/core/secret-key';
import { Cluster } from '../../lib/gitops/cluster';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { ExternalGitaly, GitLab, GitLabDataMigration, GitLabOperator, GitLabProps } from '../../lib/gitlab';
import { BridgeNetwork } from '../../lib/network/bridge-network';
import { DiskSource } from '../../lib/virt/disk-source';
import { VirtualMachine } from '../../lib/virt/virtual-machine';
import { testCluster } from '../_helpers';

export const PUBLIC_NET = BridgeNetwork.fromName('gitlab-system', 'public-network');

export interface Fixture {
  cluster: Cluster;
  app: GitOpsApp;
  vm: VirtualMachine;
  gitaly: ExternalGitaly;
  operator: GitLabOperator;
}

/** A cluster with the GitLab operator, a Gitaly VM on the public network and its ExternalGitaly. */
export function fixture(vmName = 'gitaly', opts: { moveToReadWriteMany?: boolean } = {}): Fixture {
  const cluster = testCluster();
  const operators = new GitOpsApp(cluster, 'Operators', { name: 'gitlab-operator' });
  const operator = new GitLabOperator(operators, 'GitLabOperator');
  const app = new GitOpsApp(cluster, 'GitLab', { name: 'gitlab', namespace: 'gitlab-system' });
  const vm = new VirtualMachine(app, 'GitalyVm', {
    name: vmName,
    cpu: 4,
    memory: Quantity.gibibytes(16),
    rootDisk: { source: DiskSource.existingPvc('gitaly-root'), moveToReadWriteMany: opts.moveToReadWriteMany },
    networks: [{ network: PUBLIC_NET }],
  });
  const gitaly = new ExternalGitaly(app, 'Gitaly', {
    vm,
    publicNetwork: PUBLIC_NET,
    sshHost: 'git.example.org',
    authToken: SecretKey.of('gitaly-secrets', 'auth-token'),
    shellSecret: SecretKey.of('gitaly-secrets', 'shell-secret'),
  });
  return { cluster, app, vm, gitaly, operator };
}

/** Props of a complete GitLab, given the fixture's Gitaly. */
export function gitlabProps(f: Fixture, override: Partial<GitLabProps> = {}): GitLabProps {
  return {
    name: 'gitlab',
    chartVersion: '9.11.4',
    hostname: 'gitlab.example.org',
    domain: 'example.org',
    tls: { issuer: Issuers.clusterIssuer('letsencrypt-dns') },
    database: { host: 'gitlab-db-primary.databases.svc', password: SecretKey.of('gitlab-db', 'password') },
    redis: { host: 'redis.gitlab-system.svc', password: SecretKey.of('gitlab-redis', 'password') },
    objectStorage: {
      endpoint: 'https://s3.example.org',
      connection: SecretKey.of('gitlab-object-storage', 'connection'),
      buckets: { artifacts: 'gitlab-artifacts', lfs: 'gitlab-lfs', uploads: 'gitlab-uploads', packages: 'gitlab-packages' },
    },
    gitaly: f.gitaly,
    operator: f.operator,
    migration: GitLabDataMigration.newInstance('test instance'),
    ...override,
  };
}

/** The fixture plus a GitLab. */
export function withGitLab(override: Partial<GitLabProps> = {}): Fixture & { gitlab: GitLab } {
  const f = fixture();
  const gitlab = new GitLab(f.app, 'GitLab', gitlabProps(f, override));
  return { ...f, gitlab };
}
