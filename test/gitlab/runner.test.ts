import { synthesize } from '../../lib/pipeline-defaults';
import { checkPolicies, Policy } from '../../lib/policy';
import { k8s } from 'cdk8s-plus-27';
import { SecretKey } from '../../lib/core/secret-key';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { GitLabRunner, GitLabRunnerOperator, GitLabRunnerProps } from '../../lib/gitlab';
import { ExternalImage } from '../../lib/openshift/external-image';
import { find, synth, testCluster, validator } from '../_helpers';

function setup() {
  const cluster = testCluster();
  const ops = new GitOpsApp(cluster, 'Ops', { name: 'runner-operator' });
  const operator = new GitLabRunnerOperator(ops, 'RunnerOperator');
  const app = new GitOpsApp(cluster, 'Runners', { name: 'gitlab-runners', namespace: 'gitlab-runner-system' });
  return { cluster, app, operator };
}

const BASE: GitLabRunnerProps = { name: 'shared', gitlabUrl: 'https://gitlab.example.org', token: SecretKey.of('runner-shared', 'runner-token') };

describe('GitLabRunner', () => {
  test('minimal runner: the exact CR', () => {
    const { cluster, app } = setup();
    new GitLabRunner(app, 'Shared', BASE);
    const cr = find(synth(cluster), 'Runner', 'shared', 'gitlab-runner-system');
    expect(cr.apiVersion).toBe('apps.gitlab.com/v1beta2');
    expect(cr.spec).toEqual({ gitlabUrl: 'https://gitlab.example.org', token: 'runner-shared' });
    expect(cr.metadata.annotations['argocd.argoproj.io/sync-options']).toContain('SkipDryRunOnMissingResource=true');
  });

  test('tags, concurrency, S3 cache, config TOML and build image', () => {
    const { cluster, app, operator } = setup();
    new GitLabRunner(app, 'Builds', {
      ...BASE,
      name: 'builds',
      operator,
      token: SecretKey.of('runner-builds', 'runner-token'),
      tags: ['linux', 'x86_64', 'podman'],
      runUntagged: false,
      concurrent: 20,
      checkIntervalSeconds: 10,
      protectedOnly: true,
      cache: { server: 's3.example.org:9000', bucket: 'runner-cache', credentialsSecretName: 'runner-cache-s3', region: 'eu-1', path: 'builds' },
      configToml: '[[runners]]\n  [runners.kubernetes]\n    cpu_request = "500m"\n',
      buildImage: ExternalImage.tag('quay.io/community-infra/ci-base', '2024.11.1'),
      jobNamespace: 'gitlab-ci-jobs',
    });
    const result = synth(cluster);
    const cr = find(result, 'Runner', 'builds');
    expect(cr.spec).toEqual({
      gitlabUrl: 'https://gitlab.example.org',
      token: 'runner-builds',
      tags: 'linux,x86_64,podman',
      runUntagged: false,
      concurrent: 20,
      interval: 10,
      protected: true,
      cacheType: 's3',
      s3: { server: 's3.example.org:9000', bucket: 'runner-cache', credentials: 'runner-cache-s3', location: 'eu-1' },
      cachePath: 'builds',
      cacheShared: true,
      config: 'builds-config',
      buildImage: 'quay.io/community-infra/ci-base:2024.11.1',
      namespace: 'gitlab-ci-jobs',
    });
    expect(find(result, 'ConfigMap', 'builds-config').data['config.toml']).toContain('cpu_request = "500m"');
  });

  test('several runners side by side, existing config ConfigMap', () => {
    const { cluster, app } = setup();
    new GitLabRunner(app, 'A', { ...BASE, name: 'a', token: SecretKey.of('runner-a', 'runner-token'), tags: ['a'] });
    new GitLabRunner(app, 'B', { ...BASE, name: 'b', token: SecretKey.of('runner-b', 'runner-registration-token'), configMapName: 'shared-runner-config' });
    const result = synth(cluster);
    expect(find(result, 'Runner', 'a').spec.tags).toBe('a');
    expect(find(result, 'Runner', 'b').spec.config).toBe('shared-runner-config');
  });

  describe('never anyuid', () => {
    test('a RoleBinding granting anyuid to the runner service account fails the synth', () => {
      const { cluster, app } = setup();
      new GitLabRunner(app, 'Shared', BASE);
      new k8s.KubeRoleBinding(app, 'Anyuid', {
        metadata: { name: 'runner-anyuid', namespace: 'gitlab-runner-system' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:openshift:scc:anyuid' },
        subjects: [{ kind: 'ServiceAccount', name: 'gitlab-runner-app-sa', namespace: 'gitlab-runner-system' }],
      });
      expect(() => synth(cluster)).toThrow(/\[Runners\/Anyuid\] \/roleRef: policy runners-no-anyuid: grants the anyuid SCC to ServiceAccount "gitlab-runner-app-sa" in "gitlab-runner-system", where GitLab Runner Runners\/Shared\/Resource runs CI jobs; runners never get anyuid/);
    });

    test('a ClusterRoleBinding to every service account of the job namespace fails too', () => {
      const { cluster, app } = setup();
      new GitLabRunner(app, 'Shared', { ...BASE, jobNamespace: 'ci-jobs' });
      new k8s.KubeClusterRoleBinding(app, 'Anyuid', {
        metadata: { name: 'ci-anyuid' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:openshift:scc:anyuid' },
        subjects: [{ kind: 'Group', name: 'system:serviceaccounts:ci-jobs', apiGroup: 'rbac.authorization.k8s.io' }],
      });
      expect(() => synth(cluster)).toThrow(/grants the anyuid SCC to Group "system:serviceaccounts:ci-jobs" in "ci-jobs"/);
    });

    test('it is a policy: waivable with a reason, and checked by validate --policy over the written YAML', () => {
      const { cluster, app } = setup();
      new GitLabRunner(app, 'Shared', BASE);
      const binding = new k8s.KubeRoleBinding(app, 'Anyuid', {
        metadata: { name: 'runner-anyuid', namespace: 'gitlab-runner-system' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:openshift:scc:anyuid' },
        subjects: [{ kind: 'ServiceAccount', name: 'gitlab-runner-app-sa', namespace: 'gitlab-runner-system' }],
      });
      const objects = synthesize(cluster, { validator: validator(), policies: false, references: false }).objects.map((o, i) => ({ manifest: o.manifest, path: `#${i}`, group: 'g' }));
      expect(checkPolicies(objects).map((p) => p.message)).toEqual([expect.stringMatching(/^policy runners-no-anyuid: grants the anyuid SCC/)]);
      Policy.waive(binding, 'runners-no-anyuid', 'the image build runner needs root until builds move to buildah rootless');
      expect(() => synth(cluster)).not.toThrow();
    });

    test('anyuid elsewhere is none of the runner\'s business', () => {
      const { cluster, app } = setup();
      new GitLabRunner(app, 'Shared', BASE);
      const other = new GitOpsApp(cluster, 'Other', { name: 'legacy', namespace: 'legacy' });
      new k8s.KubeRoleBinding(other, 'Anyuid', {
        metadata: { name: 'legacy-anyuid', namespace: 'legacy' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:openshift:scc:anyuid' },
        subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'legacy' }],
      });
      expect(() => synth(cluster)).not.toThrow();
    });
  });

  describe('bad input', () => {
    test.each([
      ['URL not https', { gitlabUrl: 'http://gitlab.example.org' }, /\[Runners\/Bad\] gitlabUrl: "http:\/\/gitlab.example.org" is not an https URL; GitLab must be reached over TLS/],
      ['URL not a URL', { gitlabUrl: 'gitlab.example.org' }, /gitlabUrl: "gitlab.example.org" is not an https URL of a GitLab instance/],
      ['URL with a path', { gitlabUrl: 'https://gitlab.example.org/group' }, /gitlabUrl: "https:\/\/gitlab.example.org\/group" is not an https URL of a GitLab instance/],
      ['token as a string', { token: 'glrt-abc' }, /token: "glrt-abc" is not a Secret reference; use SecretKey.of\(secretName, "runner-token"\)/],
      ['token key the operator does not read', { token: SecretKey.of('runner', 'token') }, /token: key "token" is not read by the Runner Operator/],
      ['tag with comma', { tags: ['linux,arm'] }, /tags\[0\]: "linux,arm" is not a tag/],
      ['empty tag', { tags: [''] }, /tags\[0\]: "" is not a tag/],
      ['duplicate tag', { tags: ['a', 'a'] }, /tags: "a" listed twice/],
      ['tags as string', { tags: 'linux' }, /tags: "linux" must be a list of tags/],
      ['concurrent', { concurrent: 0 }, /concurrent: 0 must be an integer from 1 to 1000/],
      ['cache null', { cache: null }, /\[Runners\/Bad\] cache: null is not an S3 cache; give \{ server, bucket, credentialsSecretName \}/],
      ['cache server with scheme', { cache: { server: 'https://s3.example.org', bucket: 'cache', credentialsSecretName: 's3' } }, /cache.server: "https:\/\/s3.example.org" must be host or host:port without a scheme/],
      ['cache server port', { cache: { server: 's3.example.org:99999', bucket: 'cache', credentialsSecretName: 's3' } }, /cache.server: "s3.example.org:99999" is not host or host:port/],
      ['cache bucket', { cache: { server: 's3.example.org', bucket: 'C', credentialsSecretName: 's3' } }, /cache.bucket: "C" is not an S3 bucket name/],
      ['cache without bucket', { cache: { server: 's3.example.org', credentialsSecretName: 's3' } }, /cache.bucket: undefined is not an S3 bucket name/],
      ['config twice', { configToml: 'x', configMapName: 'y' }, /configToml: set either configToml or configMapName, not both/],
      ['build image as string', { buildImage: 'alpine:latest' }, /buildImage: must be an ExternalImage/],
      ['job namespace', { jobNamespace: 'CI' }, /jobNamespace: "CI" is not a DNS-1123 label/],
    ])('%s', (_n, override, message) => {
      const { app } = setup();
      expect(() => new GitLabRunner(app, 'Bad', { ...BASE, ...(override as any) })).toThrow(message);
    });

    test('namespace the Runner Operator does not watch', () => {
      const { cluster, operator } = setup();
      const other = new GitOpsApp(cluster, 'Other', { name: 'other', namespace: 'other' });
      expect(() => new GitLabRunner(other, 'Bad', { ...BASE, operator })).toThrow(/\[Other\/Bad\] namespace: "other" is not watched by the Runner Operator, which watches "gitlab-runner-system"/);
    });

    test('outside a namespaced GitOpsApp', () => {
      const { cluster } = setup();
      const bare = new GitOpsApp(cluster, 'Bare', { name: 'bare' });
      expect(() => new GitLabRunner(bare, 'Bad', BASE)).toThrow(/namespace: a GitLabRunner must be defined inside a GitOpsApp with a namespace/);
    });
  });
});
