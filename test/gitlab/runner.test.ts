import { synthesize } from '../../lib/pipeline-defaults';
import { checkPolicies, Policy } from '../../lib/policy';
import { ApiObject, Size } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Quantity } from '../../lib/core/quantity';
import { SecretKey } from '../../lib/core/secret-key';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import {
  GitLabRunner, GitLabRunnerOperator, GitLabRunnerProps, RunnerImageBuilds, RunnerImages, RunnerJobNamespace, RunnerJobResources,
  RUNNER_REGISTRATION_ANNOTATION, runnerVersionShippedBy,
} from '../../lib/gitlab';
import { ExternalImage } from '../../lib/openshift/external-image';
import { find, synth, testCluster, validator } from '../_helpers';

const q = Quantity.parse;
const SERVER = { url: 'https://gitlab.example.org', gitlabVersion: '18.11.4' };

/** build 1/2 cores, 2Gi/4Gi; helper 100m/500m, 256Mi/512Mi; service 250m/1, 512Mi/1Gi. */
const JOBS: RunnerJobResources = {
  build: { cpuRequest: q('1'), cpuLimit: q('2'), memoryRequest: q('2Gi'), memoryLimit: q('4Gi') },
  helper: { cpuRequest: q('100m'), cpuLimit: q('500m'), memoryRequest: q('256Mi'), memoryLimit: q('512Mi') },
  service: { cpuRequest: q('250m'), cpuLimit: q('1'), memoryRequest: q('512Mi'), memoryLimit: q('1Gi') },
};

function setup(quota = { cpu: q('16'), memory: q('64Gi'), pods: 30 }) {
  const cluster = testCluster();
  const ops = new GitOpsApp(cluster, 'Ops', { name: 'runner-operator' });
  const operator = new GitLabRunnerOperator(ops, 'RunnerOperator');
  const app = new GitOpsApp(cluster, 'Runners', { name: 'gitlab-runners', namespace: 'gitlab-runner-system' });
  const jobs = new RunnerJobNamespace(app, 'Jobs', { name: 'ci-jobs', quota, maxPerContainer: { cpu: q('4'), memory: q('8Gi') } });
  return { cluster, app, operator, jobs };
}

function base(jobs: RunnerJobNamespace): GitLabRunnerProps {
  return {
    name: 'shared',
    server: SERVER,
    images: RunnerImages.openshift('18.11.3'),
    token: SecretKey.of('runner-shared', 'runner-token'),
    registration: {},
    jobNamespace: jobs,
    jobResources: JOBS,
    concurrent: 4,
  };
}

/** The `[runners.kubernetes]` keys of a config.toml, as key -> raw value text. */
function kubernetesKeys(toml: string): Record<string, string> {
  const out: Record<string, string> = {};
  let table = '';
  for (const raw of toml.split('\n')) {
    const line = raw.trim();
    const t = /^\[\[?([^\]]+)\]\]?$/.exec(line);
    if (t) table = t[1].trim();
    else if (table === 'runners.kubernetes') {
      const m = /^([a-z_]+)\s*=\s*"(.*)"$/.exec(line);
      if (m) out[m[1]] = m[2];
    }
  }
  return out;
}

describe('GitLabRunner', () => {
  test('the Runner CR: server URL, pinned runner and helper images, generated config, job namespace', () => {
    const { cluster, app, jobs } = setup();
    new GitLabRunner(app, 'Shared', base(jobs));
    const result = synth(cluster);
    const cr = find(result, 'Runner', 'shared', 'gitlab-runner-system');
    expect(cr.apiVersion).toBe('apps.gitlab.com/v1beta2');
    expect(cr.spec).toMatchObject({
      gitlabUrl: 'https://gitlab.example.org',
      token: 'runner-shared',
      runnerImage: 'registry.gitlab.com/gitlab-org/ci-cd/gitlab-runner-ubi-images/gitlab-runner-ocp:v18.11.3',
      helperImage: 'registry.gitlab.com/gitlab-org/ci-cd/gitlab-runner-ubi-images/gitlab-runner-helper-ocp:x86_64-v18.11.3',
      config: 'shared-config',
      namespace: 'ci-jobs',
      concurrent: 4,
    });
    expect(cr.metadata.annotations['argocd.argoproj.io/sync-options']).toContain('SkipDryRunOnMissingResource=true');
    expect(cr.metadata.annotations['ocpkit.io/gitlab-runner-version']).toBe('18.11.3');
  });

  describe('version alignment with the server', () => {
    test('a runner of the server\'s major.minor is accepted, whatever the patch', () => {
      const { app, jobs } = setup();
      expect(() => new GitLabRunner(app, 'Shared', { ...base(jobs), server: { url: SERVER.url, gitlabVersion: '18.11.0' }, images: RunnerImages.openshift('18.11.4') })).not.toThrow();
    });

    test.each([
      ['older minor', '18.9.0'],
      ['newer major', '19.0.0'],
      ['older major', '16.5.1'],
    ])('%s is refused with both versions in the message', (_n, version) => {
      const { app, jobs } = setup();
      expect(() => new GitLabRunner(app, 'Bad', { ...base(jobs), images: RunnerImages.openshift(version) }))
        .toThrow(new RegExp(`\\[Runners/Bad\\] images: GitLab Runner ${version.replace(/\./g, '\\.')} .* does not match GitLab 18\\.11\\.4 at https://gitlab\\.example\\.org: runner and server major\\.minor must stay in step`));
    });

    test('a server release that is not a version is refused', () => {
      const { app, jobs } = setup();
      expect(() => new GitLabRunner(app, 'Bad', { ...base(jobs), server: { url: SERVER.url, gitlabVersion: 'latest' } })).toThrow(/server.gitlabVersion: "latest" is not a chart version/);
    });

    test('images by digest need the release, and it is checked like a tag', () => {
      const d = (c: string) => `sha256:${c.repeat(64)}`;
      const runner = ExternalImage.digest('registry.example.org/mirror/gitlab-runner-ocp', d('a'));
      const helper = ExternalImage.digest('registry.example.org/mirror/gitlab-runner-helper-ocp', d('b'));
      expect(() => RunnerImages.of({ runner, helper })).toThrow(/version: an image is pinned by digest, which does not say which GitLab Runner release it is/);
      const images = RunnerImages.of({ runner, helper, version: '18.9.1' });
      const { app, jobs } = setup();
      expect(() => new GitLabRunner(app, 'Bad', { ...base(jobs), images })).toThrow(/GitLab Runner 18\.9\.1 .* does not match GitLab 18\.11\.4/);
    });

    test('tags must name a release, and runner and helper the same one', () => {
      const runner = ExternalImage.tag('registry.example.org/m/gitlab-runner-ocp', 'v18.11.3');
      expect(() => RunnerImages.of({ runner, helper: ExternalImage.tag('registry.example.org/m/gitlab-runner-helper-ocp', 'x86_64-v18.10.0') }))
        .toThrow(/helper: helper image is GitLab Runner 18\.10\.0 but the runner image is 18\.11\.3/);
      expect(() => RunnerImages.of({ runner, helper: ExternalImage.tag('registry.example.org/m/gitlab-runner-helper-ocp', 'stable') }))
        .toThrow(/helper: tag "stable" does not end in "v<major>.<minor>.<patch>"/);
      expect(() => RunnerImages.of({ runner, helper: ExternalImage.tag('registry.example.org/m/gitlab-runner-helper-ocp', 'x86_64-v18.11.3'), version: '18.11.2' }))
        .toThrow(/runner: tag "v18.11.3" is GitLab Runner 18.11.3, but version says 18.11.2/);
      expect(RunnerImages.of({ runner, helper: ExternalImage.tag('registry.example.org/m/gitlab-runner-helper-ocp', 'ppc64le-v18.11.3') }).version).toBe('18.11.3');
    });

    test('images as strings are refused', () => {
      expect(() => RunnerImages.of({ runner: 'gitlab/gitlab-runner:latest' as any, helper: 'x' as any })).toThrow(/runner: "gitlab\/gitlab-runner:latest" must be an ExternalImage/);
      const { app, jobs } = setup();
      expect(() => new GitLabRunner(app, 'Bad', { ...base(jobs), images: 'v18.11.3' as any })).toThrow(/images: "v18.11.3" must be RunnerImages/);
    });

    test('the Runner Operator release the catalog says ships GitLab Runner 18.11.3', () => {
      const cluster = testCluster();
      const ops = new GitOpsApp(cluster, 'Ops', { name: 'runner-operator' });
      const operator = new GitLabRunnerOperator(ops, 'RunnerOperator', { startingCsv: 'gitlab-runner-operator.v1.48.3' });
      expect(runnerVersionShippedBy(operator)).toBe('18.11.3');
    });
  });

  describe('server-side settings', () => {
    test('with an authentication token they go to the annotation and the note, never into the spec', () => {
      const { cluster, app, jobs } = setup();
      const runner = new GitLabRunner(app, 'Builds', { ...base(jobs), name: 'builds', registration: { tags: ['linux', 'x86_64'], runUntagged: false, protectedOnly: true } });
      const cr = find(synth(cluster), 'Runner', 'builds');
      expect(cr.spec.tags).toBeUndefined();
      expect(cr.spec.protected).toBeUndefined();
      // the neutral values the operator documentation prescribes for a glrt- token
      expect(cr.spec).toMatchObject({ locked: true, runUntagged: false });
      expect(JSON.parse(cr.metadata.annotations[RUNNER_REGISTRATION_ANNOTATION])).toEqual({ tag_list: ['linux', 'x86_64'], run_untagged: false, access_level: 'ref_protected', locked: false });
      expect(cr.metadata.annotations['ocpkit.io/gitlab-runner-registration-source']).toMatch(/set in GitLab when the runner is created/);
      expect(runner.registeredInGitLab).toBe(true);
      expect(runner.registrationNote).toMatch(/^create runner "builds" in GitLab \(https:\/\/gitlab.example.org\) with tags linux, x86_64; run untagged jobs: no; protected branches only: yes \(access level ref_protected\)/);
    });

    test('an untagged runner runs untagged jobs (GitLab\'s default), still not written into the spec', () => {
      const { cluster, app, jobs } = setup();
      const runner = new GitLabRunner(app, 'Shared', base(jobs));
      const cr = find(synth(cluster), 'Runner', 'shared');
      expect(runner.registration).toEqual({ tags: [], runUntagged: true, protectedOnly: false, locked: false });
      expect(cr.spec.runUntagged).toBe(false);
      expect(JSON.parse(cr.metadata.annotations[RUNNER_REGISTRATION_ANNOTATION]).run_untagged).toBe(true);
    });

    test('with the deprecated registration token the operator sends them at registration: they are in the spec', () => {
      const { cluster, app, jobs } = setup();
      const runner = new GitLabRunner(app, 'Legacy', { ...base(jobs), name: 'legacy', token: SecretKey.of('runner-legacy', 'runner-registration-token'), registration: { tags: ['a', 'b'], protectedOnly: true } });
      const cr = find(synth(cluster), 'Runner', 'legacy');
      expect(cr.spec).toMatchObject({ tags: 'a,b', runUntagged: false, protected: true, locked: false });
      expect(cr.metadata.annotations['ocpkit.io/gitlab-runner-registration-source']).toMatch(/deprecated registration token/);
      expect(runner.registrationNote).toMatch(/^deprecated registration token: the operator registers runner "legacy" with tags a, b/);
    });

    test.each([
      ['tags at the top level (former API)', { tags: ['linux'] }, /\[Runners\/Bad\] tags: moved to registration.tags: GitLab decides tags when the runner is created/],
      ['protectedOnly at the top level', { protectedOnly: true }, /protectedOnly: moved to registration.protectedOnly/],
      ['gitlabUrl instead of server', { gitlabUrl: 'https://gitlab.example.org' }, /gitlabUrl: give `server`/],
      ['no registration', { registration: undefined }, /registration: undefined: give the runner's settings in GitLab/],
      ['tag with comma', { registration: { tags: ['linux,arm'] } }, /registration.tags\[0\]: "linux,arm" is not a tag/],
      ['duplicate tag', { registration: { tags: ['a', 'a'] } }, /registration.tags: "a" listed twice/],
      ['no tags and no untagged jobs', { registration: { runUntagged: false } }, /registration.runUntagged: false with no tags: the runner would take no job at all/],
      ['protectedOnly not a boolean', { registration: { protectedOnly: 'yes' } }, /registration.protectedOnly: "yes" must be true or false/],
    ])('%s is refused', (_n, override, message) => {
      const { app, jobs } = setup();
      expect(() => new GitLabRunner(app, 'Bad', { ...base(jobs), ...(override as any) })).toThrow(message);
    });
  });

  describe('bounded jobs', () => {
    test('memory given as cdk8s Sizes gives the same config.toml and job-namespace check as Quantities; CPU refuses a Size', () => {
      const toml = (resources: RunnerJobResources) => {
        const { cluster, app, jobs } = setup();
        new GitLabRunner(app, 'Shared', { ...base(jobs), jobResources: resources });
        return find(synth(cluster), 'ConfigMap', 'shared-config', 'gitlab-runner-system').data['config.toml'];
      };
      const sized: RunnerJobResources = {
        build: { ...JOBS.build, memoryRequest: Size.gibibytes(2), memoryLimit: Size.mebibytes(4096) },
        helper: { ...JOBS.helper, memoryRequest: Size.mebibytes(256), memoryLimit: Size.mebibytes(512) },
        service: { ...JOBS.service, memoryRequest: Size.mebibytes(512), memoryLimit: Size.gibibytes(1) },
      };
      expect(toml(sized)).toBe(toml(JOBS));
      const { app, jobs } = setup();
      expect(() => new GitLabRunner(app, 'Cpu', { ...base(jobs), name: 'cpu', jobResources: { ...JOBS, build: { ...JOBS.build, cpuLimit: Size.gibibytes(2) as any } } }))
        .toThrow(/jobResources.build.cpuLimit: .* must be a Quantity \(Quantity.parse\("500m"\)\)$/m);
      expect(() => new GitLabRunner(app, 'Mem', { ...base(jobs), name: 'mem', jobResources: { ...JOBS, build: { ...JOBS.build, memoryLimit: '4Gi' as any } } }))
        .toThrow(/jobResources.build.memoryLimit: "4Gi" must be a Quantity \(Quantity.parse\("512Mi"\)\) or a cdk8s Size/);
    });

    test('every container kind gets requests and limits in the generated config.toml, with namespace and priority class', () => {
      const { cluster, app, jobs } = setup();
      new GitLabRunner(app, 'Shared', base(jobs));
      const toml = find(synth(cluster), 'ConfigMap', 'shared-config', 'gitlab-runner-system').data['config.toml'];
      const keys = kubernetesKeys(toml);
      for (const [kind, prefix] of [['build', ''], ['helper', 'helper_'], ['service', 'service_']] as const) {
        expect(keys[`${prefix}cpu_request`]).toBe(JOBS[kind].cpuRequest.toString());
        expect(keys[`${prefix}cpu_limit`]).toBe(JOBS[kind].cpuLimit.toString());
        expect(keys[`${prefix}memory_request`]).toBe(JOBS[kind].memoryRequest.toString());
        expect(keys[`${prefix}memory_limit`]).toBe(JOBS[kind].memoryLimit.toString());
      }
      expect(keys.namespace).toBe('ci-jobs');
      expect(keys.priority_class_name).toBe('ci-jobs-jobs');
      expect(toml.match(/^\[\[runners\]\]$/gm)).toHaveLength(1);
    });

    test('a hand-written template is merged under [runners.kubernetes] and keeps its own settings', () => {
      const { cluster, app, jobs } = setup();
      new GitLabRunner(app, 'Shared', {
        ...base(jobs),
        configToml: ['[[runners]]', '  [runners.kubernetes]', '    poll_timeout = 360', '    [runners.kubernetes.pod_labels]', '      "ci.example.org/kind" = "shared"', ''].join('\n'),
      });
      const toml = find(synth(cluster), 'ConfigMap', 'shared-config').data['config.toml'];
      const keys = kubernetesKeys(toml);
      expect(keys.cpu_limit).toBe('2');
      expect(keys.service_memory_limit).toBe('1Gi');
      expect(toml).toContain('poll_timeout = 360');
      expect(toml).toContain('"ci.example.org/kind" = "shared"');
      expect(toml.match(/^\s*\[runners\.kubernetes\]$/gm)).toHaveLength(1);
    });

    test('a template without [runners.kubernetes] gets the table added', () => {
      const { cluster, app, jobs } = setup();
      new GitLabRunner(app, 'Shared', { ...base(jobs), configToml: '[[runners]]\n  [runners.kubernetes.node_selector]\n    "kubernetes.io/arch" = "amd64"\n' });
      const keys = kubernetesKeys(find(synth(cluster), 'ConfigMap', 'shared-config').data['config.toml']);
      expect(keys.helper_memory_limit).toBe('512Mi');
    });

    test.each([
      ['a limit in the template', '[[runners]]\n  [runners.kubernetes]\n    cpu_limit = "8"\n', /configToml: line 3: kubernetes.cpu_limit is set by ocpkit from the runner's jobResources and jobNamespace/],
      ['a dotted key', '[[runners]]\n  kubernetes.memory_limit = "64Gi"\n', /configToml: line 2: kubernetes.memory_limit is set by ocpkit/],
      ['an overwrite maximum (jobs could raise their limits)', '[[runners]]\n  [runners.kubernetes]\n    memory_limit_overwrite_max_allowed = "32Gi"\n', /kubernetes.memory_limit_overwrite_max_allowed is set by ocpkit/],
      ['another namespace', '[[runners]]\n  [runners.kubernetes]\n    namespace = "default"\n', /kubernetes.namespace is set by ocpkit/],
      ['a global setting', 'concurrent = 100\n[[runners]]\n', /configToml: line 1: "concurrent" is a global setting/],
      ['two runners', '[[runners]]\n[[runners]]\n', /configToml: has 2 \[\[runners\]\] entries/],
    ])('%s is refused', (_n, configToml, message) => {
      const { app, jobs } = setup();
      expect(() => new GitLabRunner(app, 'Bad', { ...base(jobs), configToml })).toThrow(message);
    });

    test.each([
      ['no job resources', { jobResources: undefined }, /jobResources: undefined: every job needs requests and limits/],
      ['no helper bounds', { jobResources: { build: JOBS.build, service: JOBS.service } }, /jobResources.helper: undefined: give \{ cpuRequest, cpuLimit, memoryRequest, memoryLimit \}/],
      ['a limit as a string', { jobResources: { ...JOBS, service: { ...JOBS.service, memoryLimit: '1Gi' } } }, /jobResources.service.memoryLimit: "1Gi" must be a Quantity/],
      ['request above limit', { jobResources: { ...JOBS, build: { ...JOBS.build, cpuRequest: q('3') } } }, /jobResources.build.cpuRequest: 3 is more than the limit 2/],
      ['no job namespace', { jobNamespace: 'ci-jobs' }, /jobNamespace: "ci-jobs" must be a RunnerJobNamespace/],
      ['a foreign ConfigMap', { configMapName: 'runner-config' }, /configMapName: is not supported: ocpkit cannot see whether a foreign ConfigMap keeps the job limits/],
    ])('%s is refused', (_n, override, message) => {
      const { app, jobs } = setup();
      expect(() => new GitLabRunner(app, 'Bad', { ...base(jobs), ...(override as any) })).toThrow(message);
    });
  });

  describe('job namespace', () => {
    test('namespace, quota, LimitRanges, default-deny ingress, low non-preempting PriorityClass, executor Role bound to the manager', () => {
      const { cluster, app, jobs } = setup();
      new GitLabRunner(app, 'Shared', base(jobs));
      const result = synth(cluster);
      const ns = find(result, 'Namespace', 'ci-jobs');
      expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      expect(find(result, 'ResourceQuota', 'tenant-quota', 'ci-jobs').spec.hard).toMatchObject({ 'requests.cpu': '16', 'limits.memory': '64Gi', pods: 30, persistentvolumeclaims: 0 });
      expect(find(result, 'LimitRange', 'job-container-max', 'ci-jobs').spec.limits[0]).toEqual({ type: 'Container', max: { cpu: '4', memory: '8Gi' } });
      const deny = find(result, 'NetworkPolicy', 'deny-by-default', 'ci-jobs');
      expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
      expect(result.objects.filter((o) => o.manifest.kind === 'NetworkPolicy' && o.manifest.metadata.namespace === 'ci-jobs')).toHaveLength(1);
      const pc = find(result, 'PriorityClass', 'ci-jobs-jobs');
      expect(pc.value).toBeLessThan(0);
      expect(pc.preemptionPolicy).toBe('Never');
      expect(pc.globalDefault).toBe(false);
      const role = find(result, 'Role', 'gitlab-runner-executor', 'ci-jobs');
      const verbs = (res: string) => role.rules.find((r: any) => r.resources.includes(res))?.verbs;
      expect(verbs('pods')).toEqual(expect.arrayContaining(['create', 'delete', 'get']));
      expect(verbs('pods/exec')).toEqual(expect.arrayContaining(['create']));
      expect(verbs('secrets')).toEqual(expect.arrayContaining(['create', 'delete', 'get', 'update']));
      expect(verbs('namespaces')).toBeUndefined();
      expect(ApiObject.of(jobs).kind).toBe('Namespace');
      const binding = find(result, 'RoleBinding', 'gitlab-runner-executor-gitlab-runner-system-gitlab-runner-app-sa', 'ci-jobs');
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'gitlab-runner-app-sa', namespace: 'gitlab-runner-system' }]);
    });

    test('two runners with one service account share one RoleBinding', () => {
      const { cluster, app, jobs } = setup();
      new GitLabRunner(app, 'A', { ...base(jobs), name: 'a', concurrent: 2 });
      new GitLabRunner(app, 'B', { ...base(jobs), name: 'b', concurrent: 2 });
      expect(synth(cluster).objects.filter((o) => o.manifest.kind === 'RoleBinding' && o.manifest.metadata.namespace === 'ci-jobs')).toHaveLength(1);
    });

    test('concurrent x one job\'s requests must fit the cpu quota (the numbers in the message)', () => {
      // one job requests 1 + 0.1 + 0.25 = 1.35 cores; 12 jobs = 16.2 cores > 16
      const { app, jobs } = setup();
      expect(() => new GitLabRunner(app, 'Big', { ...base(jobs), concurrent: 11 })).not.toThrow();
      const again = setup();
      expect(() => new GitLabRunner(again.app, 'Big', { ...base(again.jobs), concurrent: 12 }))
        .toThrow(/\[Runners\/Big\] concurrent: 12 jobs x cpu requests 1.35 cores \(build 1 \+ helper 100m \+ 1 x service 250m\) = 16.2 cores, more than the requests.cpu quota 16 of job namespace "ci-jobs"/);
    });

    test('concurrent x one job\'s memory limits must fit the memory quota, counting runners already admitted', () => {
      // one job's memory limits: 4Gi + 512Mi + 1Gi = 5.5Gi; 9 jobs = 49.5Gi fit 50Gi, a tenth does not
      const { app, jobs } = setup({ cpu: q('64'), memory: q('50Gi'), pods: 50 });
      new GitLabRunner(app, 'A', { ...base(jobs), name: 'a', concurrent: 8 });
      expect(() => new GitLabRunner(app, 'B', { ...base(jobs), name: 'b', concurrent: 1 })).not.toThrow();
      expect(() => new GitLabRunner(app, 'C', { ...base(jobs), name: 'c', concurrent: 1 }))
        .toThrow(/\[Runners\/C\] concurrent: 1 jobs x memory limits 5.5Gi \(build 4Gi \+ helper 512Mi \+ 1 x service 1Gi\) \(with Runners\/A 8 x, Runners\/B 1 x already admitted\) = 55Gi, more than the limits.memory quota 50Gi/);
    });

    test('more concurrent jobs than the pods quota is refused', () => {
      const { app, jobs } = setup({ cpu: q('100'), memory: q('1Ti'), pods: 5 });
      expect(() => new GitLabRunner(app, 'Many', { ...base(jobs), concurrent: 6 })).toThrow(/concurrent: 6 concurrent job pods in job namespace "ci-jobs", more than its pods quota 5/);
    });

    test('a container limit above the LimitRange max is refused', () => {
      const { app, jobs } = setup();
      expect(() => new GitLabRunner(app, 'Fat', { ...base(jobs), jobResources: { ...JOBS, build: { ...JOBS.build, memoryLimit: q('16Gi') } } }))
        .toThrow(/jobResources.build.memoryLimit: 16Gi is above the memory max 8Gi per container of job namespace "ci-jobs" \(LimitRange job-container-max\)/);
    });

    test.each([
      ['a priority at or above 0', { priorityClass: { value: 0 } }, /priorityClass.value: 0 must be a negative integer/],
      ['a system- priority class', { priorityClass: { name: 'system-ci' } }, /priorityClass.name: "system-ci": the "system-" prefix is reserved/],
      ['a per-container max above the quota', { maxPerContainer: { cpu: q('32'), memory: q('8Gi') } }, /maxPerContainer.cpu: 32 is more than the whole quota 16/],
      ['no quota', { quota: undefined }, /quota: undefined: give \{ cpu, memory, pods\? \}/],
    ])('job namespace with %s is refused', (_n, override, message) => {
      const { app } = setup();
      expect(() => new RunnerJobNamespace(app, 'BadJobs', { name: 'bad-jobs', quota: { cpu: q('16'), memory: q('64Gi') }, maxPerContainer: { cpu: q('4'), memory: q('8Gi') }, ...(override as any) })).toThrow(message);
    });
  });

  describe('image builds', () => {
    test('declared elsewhere: annotated on the CR', () => {
      const { cluster, app, jobs } = setup();
      new GitLabRunner(app, 'Shared', { ...base(jobs), registration: { tags: ['linux'] }, imageBuilds: RunnerImageBuilds.elsewhere('sponsored self-hosted runners, tag image-build') });
      expect(find(synth(cluster), 'Runner', 'shared').metadata.annotations['ocpkit.io/image-builds']).toBe('elsewhere: sponsored self-hosted runners, tag image-build');
    });

    test('a runner that declares builds elsewhere cannot advertise an image-build tag', () => {
      const { app, jobs } = setup();
      expect(() => new GitLabRunner(app, 'Bad', { ...base(jobs), registration: { tags: ['linux', 'Buildah'] }, imageBuilds: RunnerImageBuilds.elsewhere('sponsored machines') }))
        .toThrow(/registration.tags: "Buildah" advertise image builds, which this runner declares run elsewhere \(sponsored machines\)/);
      expect(() => RunnerImageBuilds.elsewhere(' ')).toThrow(/where: " " must be a non-empty string/);
    });
  });

  test('several runners side by side, S3 cache and build image', () => {
    const { cluster, app, operator, jobs } = setup();
    new GitLabRunner(app, 'A', { ...base(jobs), name: 'a', operator, registration: { tags: ['a'] }, cache: { server: 's3.example.org:9000', bucket: 'runner-cache', credentialsSecretName: 'runner-cache-s3', region: 'eu-1', path: 'a' } });
    new GitLabRunner(app, 'B', { ...base(jobs), name: 'b', token: SecretKey.of('runner-b', 'runner-token'), buildImage: ExternalImage.tag('quay.io/community-infra/ci-base', '2024.11.1') });
    const result = synth(cluster);
    expect(find(result, 'Runner', 'a').spec).toMatchObject({ cacheType: 's3', s3: { server: 's3.example.org:9000', bucket: 'runner-cache', credentials: 'runner-cache-s3', location: 'eu-1' }, cachePath: 'a', cacheShared: true });
    expect(find(result, 'Runner', 'b').spec.buildImage).toBe('quay.io/community-infra/ci-base:2024.11.1');
  });

  describe('never anyuid', () => {
    test('a RoleBinding granting anyuid to the runner service account fails the synth', () => {
      const { cluster, app, jobs } = setup();
      new GitLabRunner(app, 'Shared', base(jobs));
      new k8s.KubeRoleBinding(app, 'Anyuid', {
        metadata: { name: 'runner-anyuid', namespace: 'gitlab-runner-system' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:openshift:scc:anyuid' },
        subjects: [{ kind: 'ServiceAccount', name: 'gitlab-runner-app-sa', namespace: 'gitlab-runner-system' }],
      });
      expect(() => synth(cluster)).toThrow(/\[Runners\/Anyuid\] \/roleRef: policy runners-no-anyuid: grants the anyuid SCC to ServiceAccount "gitlab-runner-app-sa" in "gitlab-runner-system", where GitLab Runner Runners\/Shared\/Resource runs CI jobs; runners never get anyuid/);
    });

    test('a ClusterRoleBinding to every service account of the job namespace fails too', () => {
      const { cluster, app, jobs } = setup();
      new GitLabRunner(app, 'Shared', base(jobs));
      new k8s.KubeClusterRoleBinding(app, 'Anyuid', {
        metadata: { name: 'ci-anyuid' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:openshift:scc:anyuid' },
        subjects: [{ kind: 'Group', name: 'system:serviceaccounts:ci-jobs', apiGroup: 'rbac.authorization.k8s.io' }],
      });
      expect(() => synth(cluster)).toThrow(/grants the anyuid SCC to Group "system:serviceaccounts:ci-jobs" in "ci-jobs"/);
    });

    test('it is a policy: waivable with a reason, and checked by validate --policy over the written YAML', () => {
      const { cluster, app, jobs } = setup();
      new GitLabRunner(app, 'Shared', base(jobs));
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
  });

  describe('bad input', () => {
    test.each([
      ['URL not https', { server: { url: 'http://gitlab.example.org', gitlabVersion: '18.11.4' } }, /\[Runners\/Bad\] server.url: "http:\/\/gitlab.example.org" is not an https URL; GitLab must be reached over TLS/],
      ['URL with a path', { server: { url: 'https://gitlab.example.org/group', gitlabVersion: '18.11.4' } }, /server.url: "https:\/\/gitlab.example.org\/group" is not an https URL of a GitLab instance/],
      ['no server', { server: undefined }, /server: undefined is not a GitLab server/],
      ['token as a string', { token: 'glrt-abc' }, /token: "glrt-abc" is not a Secret reference; use SecretKey.of\(secretName, "runner-token"\)/],
      ['token key the operator does not read', { token: SecretKey.of('runner', 'token') }, /token: key "token" is not read by the Runner Operator/],
      ['concurrent', { concurrent: 0 }, /concurrent: 0 must be an integer from 1 to 1000/],
      ['cache null', { cache: null }, /cache: null is not an S3 cache/],
      ['cache server with scheme', { cache: { server: 'https://s3.example.org', bucket: 'cache', credentialsSecretName: 's3' } }, /cache.server: "https:\/\/s3.example.org" must be host or host:port without a scheme/],
      ['cache bucket', { cache: { server: 's3.example.org', bucket: 'C', credentialsSecretName: 's3' } }, /cache.bucket: "C" is not an S3 bucket name/],
      ['build image as string', { buildImage: 'alpine:latest' }, /buildImage: must be an ExternalImage/],
    ])('%s', (_n, override, message) => {
      const { app, jobs } = setup();
      expect(() => new GitLabRunner(app, 'Bad', { ...base(jobs), ...(override as any) })).toThrow(message);
    });

    test('namespace the Runner Operator does not watch', () => {
      const { cluster, operator, jobs } = setup();
      const other = new GitOpsApp(cluster, 'Other', { name: 'other', namespace: 'other' });
      expect(() => new GitLabRunner(other, 'Bad', { ...base(jobs), operator })).toThrow(/\[Other\/Bad\] namespace: "other" is not watched by the Runner Operator, which watches "gitlab-runner-system"/);
    });

    test('outside a namespaced GitOpsApp', () => {
      const { cluster, jobs } = setup();
      const bare = new GitOpsApp(cluster, 'Bare', { name: 'bare' });
      expect(() => new GitLabRunner(bare, 'Bad', base(jobs))).toThrow(/namespace: a GitLabRunner must be defined inside a GitOpsApp with a namespace/);
    });
  });
});
