import { buildEnvironment } from '../../apps/community/main';
import { environments } from '../../apps/community/environment';
import { addGitLab } from '../../apps/community/gitlab';
import { CommunityVms } from '../../apps/community/vms';
import { Issuers } from '../../lib/certs/issuer';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { HostBridge } from '../../lib/network/host-bridge';
import { find, synth, testCluster } from '../_helpers';

describe('apps/community GitLab part', () => {
  const env = environments().find((e) => e.name === 'production')!;
  const result = synth(buildEnvironment(env));
  const inFolder = (folder: string) => result.objects.filter((o) => o.file.startsWith(`production/${folder}/`)).map((o) => o.file.split('/')[2]).sort();

  test('operators; GitLab with its database, Redis, Gitaly VM, isolation and log relay; one bounded runner', () => {
    expect(inFolder('gitlab-operators')).toEqual([
      'namespace.gitlab-runner-system.yaml',
      'namespace.gitlab-system.yaml',
      'operatorgroup.gitlab-runner-system.gitlab-runner-system.yaml',
      'operatorgroup.gitlab-system.gitlab-system.yaml',
      'subscription.gitlab-runner-system.gitlab-runner-operator.yaml',
      'subscription.gitlab-system.gitlab-operator-kubernetes.yaml',
    ]);
    expect(inFolder('gitlab')).toEqual(expect.arrayContaining([
      'gitlab.gitlab-system.gitlab.yaml',
      'virtualmachine.gitlab-system.gitaly.yaml',
      'service.gitlab-system.gitaly.yaml',
      'deployment.gitlab-system.gitlab-log-relay.yaml',
      'persistentvolumeclaim.gitlab-system.gitlab-log-relay-logs.yaml',
      'persistentvolumeclaim.gitlab-system.gitlab-log-relay-state.yaml',
      'configmap.gitlab-system.gitlab-log-relay-config.yaml',
      'configmap.gitlab-system.gitaly-gitaly-node.yaml',
      'postgrescluster.gitlab-system.gitlab-db.yaml',
      'configmap.gitlab-system.gitlab-db-init-sql.yaml',
      'statefulset.gitlab-system.gitlab-redis.yaml',
      'service.gitlab-system.gitlab-redis.yaml',
      'networkpolicy.gitlab-system.deny-by-default.yaml',
    ]));
    // image builds run on the sponsored runners outside the cluster; jobs in their own bounded namespace
    expect(inFolder('gitlab-runners')).toEqual(expect.arrayContaining(['runner.gitlab-runner-system.shared.yaml', 'namespace.gitlab-ci-jobs.yaml', 'resourcequota.gitlab-ci-jobs.tenant-quota.yaml', 'networkpolicy.gitlab-ci-jobs.deny-by-default.yaml']));
    expect(inFolder('gitlab-runners').filter((f) => f.startsWith('runner.'))).toEqual(['runner.gitlab-runner-system.shared.yaml']);
  });

  test('the GitLab release, its runner and its database line up: 18.11 server, 18.11 runner, PostgreSQL 16, mail through the relay', () => {
    const v = find(result, 'GitLab', 'gitlab', 'gitlab-system');
    expect(v.spec.chart.version).toBe('9.11.4');
    const runner = find(result, 'Runner', 'shared', 'gitlab-runner-system');
    expect(runner.spec.runnerImage).toMatch(/gitlab-runner-ocp:v18\.11\.\d+$/);
    expect(find(result, 'PostgresCluster', 'gitlab-db', 'gitlab-system').spec.postgresVersion).toBe(16);
    expect(v.spec.chart.values.global.psql).toMatchObject({ host: 'gitlab-db-primary.gitlab-system.svc', password: { secret: 'gitlab-db-pguser-gitlab', key: 'password' } });
    expect(v.spec.chart.values.global.redis).toMatchObject({ host: 'gitlab-redis.gitlab-system.svc', port: 6379 });
    expect(v.spec.chart.values.global.smtp).toMatchObject({ enabled: true, address: 'mail-relay.infra-vms.svc', port: 25 });
  });

  test('the CR points at the Gitaly VM Service and the runners at the GitLab URL', () => {
    const v = find(result, 'GitLab', 'gitlab', 'gitlab-system').spec.chart.values;
    const svc = find(result, 'Service', 'gitaly', 'gitlab-system');
    expect(v.global.gitaly.external).toEqual([{ name: 'default', hostname: `${svc.metadata.name}.gitlab-system.svc`, port: svc.spec.ports[0].port, tlsEnabled: false }]);
    expect(v.global.hosts.ssh).toBe('git.community.example.org');
    expect(find(result, 'Runner', 'shared').spec.gitlabUrl).toBe('https://gitlab.community.example.org');
  });
});

describe('apps/community GitLab part with a public host bridge', () => {
  test('the Gitaly VM gets a NetworkAttachmentDefinition on br1-public in its namespace', () => {
    const env = environments().find((e) => e.name === 'staging')!;
    const cluster = testCluster('staging');
    const network = new GitOpsApp(cluster, 'Network', { name: 'network' });
    new HostBridge(network, 'Public', { bridgeName: 'br1-public', bond: { name: 'bond1', ports: ['eno1', 'eno2'] }, nodeSelector: { 'node-role.kubernetes.io/worker': '' } });
    addGitLab(cluster, env, { issuer: Issuers.clusterIssuer('letsencrypt-dns') }, { byName: new Map() } as unknown as CommunityVms);
    const result = synth(cluster);
    const nad = find(result, 'NetworkAttachmentDefinition', 'public-network', 'gitlab-system');
    expect(JSON.parse(nad.spec.config).plugins[0].bridge).toBe('br1-public');
    const vm = find(result, 'VirtualMachine', 'gitaly', 'gitlab-system');
    expect(vm.spec.template.spec.networks).toContainEqual({ name: 'public', multus: { networkName: 'public-network' } });
  });
});
