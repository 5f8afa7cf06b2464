import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Runner as RunnerResource, RunnerSpecS3 } from '../../imports/gitlab-runner-apps.gitlab.com';
import { Problems, show } from '../core/errors';
import { notePrivateS3, privateS3Problem, S3Endpoint } from '../databases/s3-endpoint';
import { dnsLabel, dnsSubdomain, duplicates, intRange, nonEmpty } from '../core/rules';
import { SecretKey } from '../core/secret-key';
import { ExternalImage } from '../openshift/external-image';
import { Provides } from '../refs/provides';
import { checkJobResources, jobFootprint, resolveJobResources, RunnerJobResources, runnerConfigToml } from './_runner-config';
import { hostOrIp, httpsOrigin, s3Bucket, secretKeyRef, semver } from './_rules';
import { GitLabRunnerOperator } from './gitlab-operator';
import { IGitLabServer } from './gitlab-server';
import { RunnerImages, runnerServerMismatch } from './runner-images';
import { RunnerJobNamespace } from './runner-job-namespace';

export { ContainerBounds, RunnerJobResources } from './_runner-config';
export * from './runner-images';
export * from './runner-job-namespace';

/** Key of the runner authentication token (`glrt-...`) in the token Secret. */
export const RUNNER_TOKEN_KEY = 'runner-token';
/** Key of the deprecated registration token in the token Secret. */
export const RUNNER_REGISTRATION_TOKEN_KEY = 'runner-registration-token';
/** Service account the Runner Operator gives the runner manager when `serviceAccount` is not set. */
export const DEFAULT_RUNNER_SERVICE_ACCOUNT = 'gitlab-runner-app-sa';
/** The ClusterRole that grants the `anyuid` SCC. */
export { ANYUID_CLUSTER_ROLE } from '../policy/runners-no-anyuid';

/** Annotation on the Runner CR: the runner's settings in GitLab (JSON, GitLab's REST field names). */
export const RUNNER_REGISTRATION_ANNOTATION = 'ocpkit.io/gitlab-runner-registration';
/** Annotation on the Runner CR: who applies those settings (GitLab at runner creation, or the operator with a registration token). */
export const RUNNER_REGISTRATION_SOURCE_ANNOTATION = 'ocpkit.io/gitlab-runner-registration-source';
/** Annotation on the Runner CR: where this runner's image builds run, when declared elsewhere. */
export const RUNNER_IMAGE_BUILDS_ANNOTATION = 'ocpkit.io/image-builds';
/** Annotation on the Runner CR: the GitLab Runner release of its images. */
export const RUNNER_VERSION_ANNOTATION = 'ocpkit.io/gitlab-runner-version';

/** S3 cache shared by the jobs of a runner. */
export interface RunnerS3CacheOptions {
  /**
   * S3 endpoint as `host` or `host:port`, no scheme (`s3.example.org`), or an {@link S3Endpoint}.
   * With `S3Endpoint.privateCa`, the CA's ConfigMap (which must exist in the job namespace) is
   * mounted into every job pod and named by SSL_CERT_DIR, which the helper's cache client reads
   * (see lib/gitlab/_runner-config.ts for the GitLab Runner 18.11.3 facts).
   */
  readonly server: string | S3Endpoint;
  readonly bucket: string;
  /** Secret holding the keys `accesskey` and `secretkey`. */
  readonly credentialsSecretName: string;
  /** @default the store's default region */
  readonly region?: string;
  /** Use plain HTTP. @default false */
  readonly insecure?: boolean;
  /** Path prefix inside the bucket. @default the bucket root */
  readonly path?: string;
  /** Share the cache between the runner's managers. @default true */
  readonly shared?: boolean;
}

/**
 * How the runner is set up in GitLab: which jobs it takes. With a runner authentication token
 * (`glrt-`, key `runner-token`) these are decided in GitLab when the runner is created (UI, or
 * `POST /user/runners`, or Terraform `gitlab_user_runner`), and the runner cannot change them:
 * GitLab Runner's `register` refuses `--tag-list`, `--run-untagged`, `--locked`,
 * `--access-level` with such a token (gitlabhq/gitlab-runner@v18.11.3:commands/register.go
 * `ensureServerConfigArgsEmpty`; gitlab-runner MR 3805, GitLab issue 388854). ocpkit therefore
 * does not write them into the Runner CR; it records them in the annotation
 * `RUNNER_REGISTRATION_ANNOTATION` and in {@link GitLabRunner.registrationNote}, which
 * say what the runner must be created with.
 */
export interface RunnerRegistration {
  /** Job tags the runner picks up. @default none */
  readonly tags?: readonly string[];
  /** Take jobs without tags. @default true when there are no tags, else false (GitLab's rule) */
  readonly runUntagged?: boolean;
  /** Only jobs of protected branches and tags (access level `ref_protected`). @default false (`not_protected`) */
  readonly protectedOnly?: boolean;
  /** Lock a project runner to its projects. @default false */
  readonly locked?: boolean;
}

/** Tags that say "this runner builds container images". */
const IMAGE_BUILD_TAGS = ['buildah', 'podman', 'docker', 'dind', 'kaniko', 'image-build', 'image-builds'];

/**
 * Where a runner's container image builds run. Rootless buildah/podman inside a job pod needs a
 * user namespace (setuid newuidmap/newgidmap or SETUID/SETGID) and more, which `restricted-v2`
 * does not allow; ocpkit found no upstream-documented SCC for OpenShift 4.14 that allows it with
 * only non-root and minimal capabilities (GitLab's operator guide suggests adding SETFCAP to the
 * runner's SCC, gitlabhq/gitlab-runner@v18.11.3:docs/configuration/configuring_runner_operator.md
 * "Configure SETFCAP", which is not shown to suffice under restricted-v2). So the only choice
 * modelled is to build images elsewhere (for example on the sponsored self-hosted runners).
 */
export class RunnerImageBuilds {
  /**
   * Image builds do not run on this runner; `where` says where they do (kept on the Runner CR as
   * `RUNNER_IMAGE_BUILDS_ANNOTATION`). The runner's registration may then not carry an
   * image-build tag (buildah, podman, docker, dind, kaniko, image-build).
   */
  public static elsewhere(where: string): RunnerImageBuilds {
    const p = new Problems('RunnerImageBuilds.elsewhere');
    p.check('where', where, nonEmpty);
    p.throwIfAny('invalid image builds');
    return new RunnerImageBuilds(where.trim());
  }

  private constructor(public readonly where: string) {}
}

/** Properties of {@link GitLabRunner}. */
export interface GitLabRunnerProps {
  /** Name of the Runner CR. DNS-1123 label. */
  readonly name: string;
  /** The GitLab the runner works for (`url` becomes `spec.gitlabUrl`); its release decides the runner's. */
  readonly server: IGitLabServer;
  /**
   * The runner and helper images (`spec.runnerImage`, `spec.helperImage`), pinned; their
   * major.minor must be the server's. `RunnerImages.openshift("18.11.3")` for GitLab's UBI images.
   */
  readonly images: RunnerImages;
  /**
   * The runner's token Secret. The CR takes the Secret *name*; the key must be `runner-token`
   * (authentication token `glrt-...` of a runner created in GitLab) or the deprecated
   * `runner-registration-token`.
   */
  readonly token: SecretKey;
  /** Which jobs the runner takes, as set in GitLab (see {@link RunnerRegistration}). */
  readonly registration: RunnerRegistration;
  /** The bounded namespace job pods run in. */
  readonly jobNamespace: RunnerJobNamespace;
  /** Requests and limits of every job container (build, helper, services). */
  readonly jobResources: RunnerJobResources;
  /**
   * The Runner Operator install; when given, the Runner must live in the namespace it watches.
   * @default not checked
   */
  readonly operator?: GitLabRunnerOperator;
  /** Jobs run at the same time. @default 10 (the operator's default) */
  readonly concurrent?: number;
  /** Seconds between checks for new jobs. @default 30 (the operator's default) */
  readonly checkIntervalSeconds?: number;
  /** @default no cache */
  readonly cache?: RunnerS3CacheOptions;
  /**
   * More `config.toml` template for the runner's `[[runners]]` entry (pod labels, volumes, ...).
   * ocpkit always writes the template itself (ConfigMap `<name>-config`), with the job requests,
   * limits, namespace and priority class; this text is merged into it and may not set those
   * keys, nor global settings, nor a second `[[runners]]`. There is no way to point the runner
   * at a ConfigMap ocpkit does not write: it could drop the limits unseen.
   * @default none
   */
  readonly configToml?: string;
  /** Default image of jobs that name none. @default the runner's default */
  readonly buildImage?: ExternalImage;
  /**
   * Service account of the runner manager. Never bind the `anyuid` SCC to it (or to anything in
   * the namespaces jobs run in): CI jobs would run as root. ocpkit refuses such bindings.
   * @default the operator's `gitlab-runner-app-sa`
   */
  readonly serviceAccount?: string;
  /** Where image builds run, when not on this runner. @default not declared */
  readonly imageBuilds?: RunnerImageBuilds;
}

/** Props of the former API, with where they went. */
const MOVED: Record<string, string> = {
  gitlabUrl: 'give `server` (the GitLab construct, or { url, gitlabVersion })',
  tags: 'moved to registration.tags: GitLab decides tags when the runner is created',
  runUntagged: 'moved to registration.runUntagged: GitLab decides it when the runner is created',
  protectedOnly: 'moved to registration.protectedOnly: GitLab decides the access level when the runner is created',
  configMapName: 'is not supported: ocpkit cannot see whether a foreign ConfigMap keeps the job limits; use configToml',
};

/**
 * A GitLab Runner managed by the GitLab Runner Operator (`Runner`, `apps.gitlab.com/v1beta2`),
 * using the Kubernetes executor, whose jobs are bounded: every build, helper and service
 * container has requests and limits, jobs run in a {@link RunnerJobNamespace} (quota, LimitRange,
 * default-deny ingress, low PriorityClass), and `concurrent` jobs must fit its quota.
 *
 * The runner's images are pinned and their major.minor must match the GitLab server's. What
 * GitLab decides server-side (tags, untagged jobs, protected, locked) is recorded, not pretended.
 * Runners never get the `anyuid` SCC: a synth check fails when a RoleBinding or
 * ClusterRoleBinding grants it to a service account in a runner's namespace or job namespace.
 *
 * @example
 * Emits: into the folder of the app it is in (its namespace is the runner's), an
 * `apps.gitlab.com/v1beta2` Runner `shared` and its ConfigMap `shared-config` (the `config.toml`
 * with the job bounds). The job namespace gets a RoleBinding for the runner's service account (the
 * operator's `gitlab-runner-app-sa`, declared as provided unless `serviceAccount` is given), and its
 * quota is checked against `concurrent` jobs.
 * ```ts
 * import { GitLabRunner, Quantity, RunnerImages, SecretKey } from 'ocpkit';
 * import type { GitLab, GitLabRunnerOperator, GitOpsApp, RunnerJobNamespace } from 'ocpkit';
 *
 * export function addSharedRunner(runners: GitOpsApp, operator: GitLabRunnerOperator, gitlab: GitLab, jobs: RunnerJobNamespace): GitLabRunner {
 *   const bounds = (cpu: string, cpuLimit: string, memory: string, memoryLimit: string) => ({
 *     cpuRequest: Quantity.parse(cpu), cpuLimit: Quantity.parse(cpuLimit), memoryRequest: Quantity.parse(memory), memoryLimit: Quantity.parse(memoryLimit),
 *   });
 *   return new GitLabRunner(runners, 'SharedRunner', {
 *     name: 'shared',
 *     operator,
 *     server: gitlab,
 *     images: RunnerImages.openshift(gitlab.gitlabVersion),
 *     token: SecretKey.of('runner-shared', 'runner-token'),
 *     registration: { tags: ['linux', 'x86_64'], runUntagged: true },
 *     jobNamespace: jobs,
 *     concurrent: 4,
 *     jobResources: {
 *       build: bounds('500m', '2', '1Gi', '4Gi'),
 *       helper: bounds('50m', '500m', '64Mi', '256Mi'),
 *       service: bounds('100m', '1', '256Mi', '1Gi'),
 *     },
 *   });
 * }
 * ```
 * @see https://docs.gitlab.com/runner/install/operator.html
 */
export class GitLabRunner extends Construct {
  public readonly runnerName: string;
  public readonly namespace: string;
  public readonly resource: RunnerResource;
  /** The generated `config.toml` template. */
  public readonly configMap: k8s.KubeConfigMap;
  /** Service account of the runner manager. */
  public readonly serviceAccount: string;
  /** Namespace job pods run in. */
  public readonly jobNamespace: string;
  /** Jobs run at the same time. */
  public readonly concurrent: number;
  /** The runner's settings in GitLab, resolved (defaults applied). */
  public readonly registration: Required<RunnerRegistration>;
  /** True when the token is a runner authentication token (`runner-token`): GitLab owns `registration`. */
  public readonly registeredInGitLab: boolean;
  /**
   * One line for people: how the runner must be created in GitLab (or, with a registration
   * token, what the operator registers), for the note of the token's External declaration.
   */
  public readonly registrationNote: string;

  constructor(scope: Construct, id: string, props: GitLabRunnerProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    for (const [old, where] of Object.entries(MOVED)) {
      if ((props as unknown as Record<string, unknown>)[old] !== undefined) p.add(old, where);
    }
    p.check('name', props.name, dnsLabel);
    const server = props.server;
    let serverOk = false;
    if (!server || typeof server !== 'object') p.add('server', `${show(server)} is not a GitLab server; give the GitLab construct or { url, gitlabVersion }`);
    else {
      // both checks run (one report lists both); the URL is only echoed once it passed (no credentials)
      serverOk = [p.check('server.url', server.url, httpsOrigin), p.check('server.gitlabVersion', server.gitlabVersion, semver)].every(Boolean);
    }
    if (!(props.images instanceof RunnerImages)) p.add('images', `${show(props.images)} must be RunnerImages (RunnerImages.openshift("18.11.3") or RunnerImages.of({ runner, helper }))`);
    else if (serverOk) {
      const mismatch = runnerServerMismatch(props.images, server);
      if (mismatch) p.add('images', mismatch);
    }
    // props.token is a SecretKey once the rule passed
    if (p.check('token', props.token, secretKeyRef(`"${RUNNER_TOKEN_KEY}"`)) && props.token.key !== RUNNER_TOKEN_KEY && props.token.key !== RUNNER_REGISTRATION_TOKEN_KEY) {
      p.add('token', `key "${props.token.key}" is not read by the Runner Operator; store the token under "${RUNNER_TOKEN_KEY}" (or the deprecated "${RUNNER_REGISTRATION_TOKEN_KEY}")`);
    }
    const reg = props.registration;
    let tags: readonly string[] = [];
    if (!reg || typeof reg !== 'object') p.add('registration', `${show(reg)}: give the runner's settings in GitLab, e.g. { tags: ["linux"], runUntagged: false, protectedOnly: true } ({} for an untagged, unprotected runner)`);
    else {
      tags = reg.tags ?? [];
      if (!Array.isArray(tags)) {
        p.add('registration.tags', `${show(tags)} must be a list of tags`);
        tags = [];
      } else {
        tags.forEach((t, i) => {
          if (typeof t !== 'string' || t.trim() === '' || t !== t.trim() || t.includes(',')) p.add(`registration.tags[${i}]`, `${show(t)} is not a tag (non-empty, no commas, no surrounding spaces)`);
        });
        const dup = duplicates(tags);
        if (dup.length) p.add('registration.tags', `${dup.map((d) => show(d)).join(', ')} listed twice`);
      }
      for (const f of ['runUntagged', 'protectedOnly', 'locked'] as const) {
        if (reg[f] !== undefined && typeof reg[f] !== 'boolean') p.add(`registration.${f}`, `${show(reg[f])} must be true or false`);
      }
      if (reg.runUntagged === false && tags.length === 0) p.add('registration.runUntagged', 'false with no tags: the runner would take no job at all; give tags or leave runUntagged out');
    }
    if (props.imageBuilds !== undefined) {
      if (!(props.imageBuilds instanceof RunnerImageBuilds)) p.add('imageBuilds', `${show(props.imageBuilds)} must be RunnerImageBuilds.elsewhere("...")`);
      else {
        const building = tags.filter((t) => typeof t === 'string' && IMAGE_BUILD_TAGS.includes(t.toLowerCase()));
        if (building.length) p.add('registration.tags', `${building.map((t) => `"${t}"`).join(', ')} advertise image builds, which this runner declares run elsewhere (${props.imageBuilds.where}); drop the tag`);
      }
    }
    const jobResources = resolveJobResources(props.jobResources);
    const resourcesOk = checkJobResources(p, 'jobResources', jobResources);
    if (!(props.jobNamespace instanceof RunnerJobNamespace)) p.add('jobNamespace', `${show(props.jobNamespace)} must be a RunnerJobNamespace (the bounded namespace jobs run in)`);
    if (props.concurrent !== undefined) p.check('concurrent', props.concurrent, intRange(1, 1000));
    if (props.checkIntervalSeconds !== undefined) p.check('checkIntervalSeconds', props.checkIntervalSeconds, intRange(1, 3600));
    if (props.cache !== undefined && (props.cache === null || typeof props.cache !== 'object')) {
      p.add('cache', `${show(props.cache)} is not an S3 cache; give { server, bucket, credentialsSecretName } or leave cache out`);
    } else if (props.cache !== undefined) {
      const c = props.cache;
      if (c.server instanceof S3Endpoint) {
        if (c.insecure === true) p.add('cache.insecure', `the cache server ${c.server.url} is an https S3Endpoint; drop insecure`);
      } else if (typeof c.server !== 'string' || c.server.includes('://')) p.add('cache.server', `${show(c.server)} must be host or host:port without a scheme (for example "s3.example.org")`);
      else {
        const [host, port, ...rest] = c.server.split(':');
        if (rest.length || hostOrIp(host) !== undefined || (port !== undefined && intRange(1, 65535)(Number(port)) !== undefined)) {
          p.add('cache.server', `${show(c.server)} is not host or host:port (for example "s3.example.org")`);
        }
      }
      p.check('cache.bucket', c.bucket, s3Bucket);
      p.check('cache.credentialsSecretName', c.credentialsSecretName, dnsSubdomain);
      if (c.region !== undefined) p.check('cache.region', c.region, nonEmpty);
    }
    if (props.buildImage !== undefined && !(props.buildImage instanceof ExternalImage)) p.add('buildImage', 'must be an ExternalImage (pinned by tag or digest)');
    if (props.serviceAccount !== undefined) p.check('serviceAccount', props.serviceAccount, dnsSubdomain);
    const namespace = Chart.of(this).namespace;
    if (!namespace) p.add('namespace', 'a GitLabRunner must be defined inside a GitOpsApp with a namespace (one the Runner Operator watches)');
    if (props.operator !== undefined) {
      if (!(props.operator instanceof GitLabRunnerOperator)) p.add('operator', 'must be a GitLabRunnerOperator');
      else if (namespace && namespace !== props.operator.operatorNamespace) {
        p.add('namespace', `"${namespace}" is not watched by the Runner Operator, which watches "${props.operator.operatorNamespace}"`);
      }
    }
    const jobNs = props.jobNamespace instanceof RunnerJobNamespace ? props.jobNamespace : undefined;
    const toml = resourcesOk && jobNs
      ? runnerConfigToml(p, 'configToml', { namespace: jobNs.namespace, priorityClassName: jobNs.priorityClassName, resources: jobResources, cacheCa: props.cache?.server instanceof S3Endpoint ? props.cache.server.ca : undefined }, props.configToml)
      : undefined;
    p.throwIfAny();

    this.runnerName = props.name;
    this.namespace = namespace!;
    this.serviceAccount = props.serviceAccount ?? DEFAULT_RUNNER_SERVICE_ACCOUNT;
    // Without spec.serviceaccount the Runner Operator creates the manager's service account itself
    // (gitlab-runner-app-sa with its Role and RoleBinding; configuring_runner_operator.md at
    // gitlab-runner v18.11.3), so references to it (the job namespace's RoleBinding) resolve.
    if (props.serviceAccount === undefined) Provides.of(this).object('ServiceAccount', namespace!, DEFAULT_RUNNER_SERVICE_ACCOUNT, { by: `GitLab Runner Operator (Runner ${props.name})` });
    this.jobNamespace = jobNs!.namespace;
    this.concurrent = props.concurrent ?? 10;
    this.registeredInGitLab = props.token.key === RUNNER_TOKEN_KEY;
    this.registration = {
      tags: [...tags],
      runUntagged: reg.runUntagged ?? tags.length === 0,
      protectedOnly: reg.protectedOnly ?? false,
      locked: reg.locked ?? false,
    };
    const r = this.registration;
    const settings = `tags ${r.tags.length ? r.tags.join(', ') : '(none)'}; run untagged jobs: ${r.runUntagged ? 'yes' : 'no'}; protected branches only: ${r.protectedOnly ? 'yes (access level ref_protected)' : 'no (not_protected)'}; locked: ${r.locked ? 'yes' : 'no'}`;
    this.registrationNote = this.registeredInGitLab
      ? `create runner "${props.name}" in GitLab (${server.url}) with ${settings}; GitLab enforces these, the Runner CR cannot; store its authentication token (glrt-...) under key ${RUNNER_TOKEN_KEY}`
      : `deprecated registration token: the operator registers runner "${props.name}" with ${settings}, once, at registration (GitLab 17.0+ refuses registration tokens unless allowed in its settings)`;

    jobNs!.admit(this.node.path, {
      serviceAccount: this.serviceAccount,
      namespace: this.namespace,
      concurrent: this.concurrent,
      job: jobFootprint(jobResources),
      bounds: { build: jobResources.build, helper: jobResources.helper, service: jobResources.service },
    });

    this.configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${props.name}-config`, namespace: this.namespace },
      data: { 'config.toml': toml! },
    });
    const c = props.cache;
    const cacheServer = c?.server;
    const s3: RunnerSpecS3 | undefined = c
      ? { server: cacheServer instanceof S3Endpoint ? cacheServer.hostPort : c.server as string, bucket: c.bucket, credentials: c.credentialsSecretName, location: c.region, insecure: c.insecure }
      : undefined;
    if (cacheServer instanceof S3Endpoint) notePrivateS3(this, cacheServer);
    else if (typeof cacheServer === 'string') this.node.addValidation({ validate: () => { const m = privateS3Problem(this, cacheServer); return m ? [`cache.server: ${m}`] : []; } });
    // With an authentication token, GitLab owns the settings: the CR carries only the neutral values
    // the operator documentation prescribes so that `register` does not refuse the token
    // (gitlabhq/gitlab-runner@v18.11.3:docs/configuration/configuring_runner_operator.md,
    // "Overriding `locked` variable": locked true, no tags, runUntagged false, protected false).
    // locked and runUntagged are written because the CRD defaults them to false and (without tags)
    // true, which register refuses with such a token (ensureServerConfigArgsEmpty wants locked
    // true and run-untagged false); tags and protected are left out (their defaults are the
    // neutral values).
    // With a registration token the operator passes the settings to `register`, which sends them
    // to GitLab when it creates the runner (commands/register.go doLegacyRegisterRunner). How
    // operator 1.48.3 maps each spec field to register's flags could not be read (its source is
    // not mirrored where ocpkit could verify it); the documented behaviour above is what is relied on.
    const serverSide = this.registeredInGitLab
      ? { locked: true, runUntagged: false }
      : { tags: r.tags.length ? r.tags.join(',') : undefined, runUntagged: r.runUntagged, protected: r.protectedOnly, locked: r.locked };
    this.resource = new RunnerResource(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: this.namespace,
        annotations: {
          [RUNNER_REGISTRATION_ANNOTATION]: JSON.stringify({ tag_list: r.tags, run_untagged: r.runUntagged, access_level: r.protectedOnly ? 'ref_protected' : 'not_protected', locked: r.locked }),
          [RUNNER_REGISTRATION_SOURCE_ANNOTATION]: this.registeredInGitLab
            ? 'set in GitLab when the runner is created (runner authentication token); not applied by the operator'
            : 'sent by the operator with the deprecated registration token when it registers the runner',
          [RUNNER_VERSION_ANNOTATION]: props.images.version,
          ...(props.imageBuilds ? { [RUNNER_IMAGE_BUILDS_ANNOTATION]: `elsewhere: ${props.imageBuilds.where}` } : {}),
        },
      },
      spec: {
        gitlabUrl: server.url,
        token: (props.token as SecretKey).secretName,
        runnerImage: props.images.runner.reference,
        helperImage: props.images.helper.reference,
        ...serverSide,
        concurrent: props.concurrent,
        interval: props.checkIntervalSeconds,
        cacheType: c ? 's3' : undefined,
        s3,
        cachePath: c?.path,
        cacheShared: c ? (c.shared ?? true) : undefined,
        config: this.configMap.metadata.name,
        buildImage: props.buildImage?.reference,
        namespace: this.jobNamespace,
        serviceaccount: props.serviceAccount,
      },
    });
  }
}
