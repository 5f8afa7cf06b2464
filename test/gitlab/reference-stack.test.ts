import { buildEnvironment } from '../../apps/community/main';
import { environments } from '../../apps/community/environment';
import { find, synth } from '../_helpers';

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
