import { buildEnvironment } from '../../apps/community/main';
import { environments } from '../../apps/community/environment';
import { addGitLab } from '../../apps/community/gitlab';
import { Issuers } from '../../lib/certs/issuer';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { HostBridge } from '../../lib/network/host-bridge';
import { find, synth, testCluster } from '../_helpers';

describe('apps/community GitLab part', () => {
  const env = environments().find((e) => e.name === 'production')!;
  const result = synth(buildEnvironment(env));
  const inFolder = (folder: string) => result.objects.filter((o) => o.file.startsWith(`production/${folder}/`)).map((o) => o.file.split('/')[2]).sort();

  test('operators, GitLab with its Gitaly VM and log relay, two runners', () => {
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
      'configmap.gitlab-system.gitlab-log-relay-config.yaml',
    ]));
    expect(inFolder('gitlab-runners')).toEqual(['configmap.gitlab-runner-system.image-builds-config.yaml', 'runner.gitlab-runner-system.image-builds.yaml', 'runner.gitlab-runner-system.shared.yaml']);
  });

  test('the CR points at the Gitaly VM Service and the runners at the GitLab URL', () => {
    const v = find(result, 'GitLab', 'gitlab', 'gitlab-system').spec.chart.values;
    const svc = find(result, 'Service', 'gitaly', 'gitlab-system');
    expect(v.global.gitaly.external).toEqual([{ name: 'default', hostname: `${svc.metadata.name}.gitlab-system.svc`, port: svc.spec.ports[0].port, tlsEnabled: false }]);
    expect(v.global.hosts.ssh).toBe('git.community.example.org');
    for (const name of ['shared', 'image-builds']) expect(find(result, 'Runner', name).spec.gitlabUrl).toBe('https://gitlab.community.example.org');
  });
});

describe('apps/community GitLab part with a public host bridge', () => {
  test('the Gitaly VM gets a NetworkAttachmentDefinition on br1-public in its namespace', () => {
    const env = environments().find((e) => e.name === 'staging')!;
    const cluster = testCluster('staging');
    const network = new GitOpsApp(cluster, 'Network', { name: 'network' });
    new HostBridge(network, 'Public', { bridgeName: 'br1-public', bond: { name: 'bond1', ports: ['eno1', 'eno2'] }, nodeSelector: { 'node-role.kubernetes.io/worker': '' } });
    addGitLab(cluster, env, { issuer: Issuers.clusterIssuer('letsencrypt-dns') });
    const result = synth(cluster);
    const nad = find(result, 'NetworkAttachmentDefinition', 'public-network', 'gitlab-system');
    expect(JSON.parse(nad.spec.config).plugins[0].bridge).toBe('br1-public');
    const vm = find(result, 'VirtualMachine', 'gitaly', 'gitlab-system');
    expect(vm.spec.template.spec.networks).toContainEqual({ name: 'public', multus: { networkName: 'public-network' } });
  });
});
