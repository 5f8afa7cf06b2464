import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Runner as RunnerResource, RunnerSpecS3 } from '../../imports/gitlab-runner-apps.gitlab.com';
import { Problems, show } from '../core/errors';
import { dnsLabel, dnsSubdomain, duplicates, intRange, nonEmpty } from '../core/rules';
import { SecretKey } from '../core/secret-key';
import { ExternalImage } from '../openshift/external-image';
import { hostOrIp, httpsOrigin, s3Bucket, secretKeyRef } from './_rules';
import { GitLabRunnerOperator } from './gitlab-operator';

/** Key of the runner authentication token (`glrt-...`) in the token Secret. */
export const RUNNER_TOKEN_KEY = 'runner-token';
/** Key of the deprecated registration token in the token Secret. */
export const RUNNER_REGISTRATION_TOKEN_KEY = 'runner-registration-token';
/** Service account the Runner Operator gives the runner manager when `serviceAccount` is not set. */
export const DEFAULT_RUNNER_SERVICE_ACCOUNT = 'gitlab-runner-app-sa';
/** The ClusterRole that grants the `anyuid` SCC. */
export { ANYUID_CLUSTER_ROLE } from '../policy/runners-no-anyuid';

/** S3 cache shared by the jobs of a runner. */
export interface RunnerS3CacheOptions {
  /** S3 endpoint as `host` or `host:port`, no scheme (`s3.example.org`). */
  readonly server: string;
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

/** Properties of {@link GitLabRunner}. */
export interface GitLabRunnerProps {
  /** Name of the Runner CR. DNS-1123 label. */
  readonly name: string;
  /** URL of the GitLab instance; https only (`gitlab.url`). */
  readonly gitlabUrl: string;
  /**
   * The runner's token Secret. The CR takes the Secret *name*; the key must be
   * `runner-token` (authentication token `glrt-...` created in GitLab) or the deprecated
   * `runner-registration-token`.
   */
  readonly token: SecretKey;
  /**
   * The Runner Operator install; when given, the Runner must live in the namespace it watches.
   * @default not checked
   */
  readonly operator?: GitLabRunnerOperator;
  /** Job tags this runner picks up (the CR wants one comma-separated string). @default no tags */
  readonly tags?: readonly string[];
  /** Run jobs without tags. @default true when there are no tags, false otherwise (the operator's rule) */
  readonly runUntagged?: boolean;
  /** Jobs run at the same time. @default 10 (the operator's default) */
  readonly concurrent?: number;
  /** Seconds between checks for new jobs. @default 30 (the operator's default) */
  readonly checkIntervalSeconds?: number;
  /** Only run jobs of protected branches and tags. @default false */
  readonly protectedOnly?: boolean;
  /** @default no cache */
  readonly cache?: RunnerS3CacheOptions;
  /**
   * `config.toml` template merged by the runner (Kubernetes executor settings and the like);
   * written into a ConfigMap `<name>-config`. Mutually exclusive with `configMapName`.
   * @default none
   */
  readonly configToml?: string;
  /** An existing ConfigMap with a `config.toml` key. @default none */
  readonly configMapName?: string;
  /** Default image of jobs that name none. @default the runner's default */
  readonly buildImage?: ExternalImage;
  /** Namespace the job pods run in. @default the runner's namespace */
  readonly jobNamespace?: string;
  /**
   * Service account of the runner manager. Never bind the `anyuid` SCC to it (or to anything in
   * the namespaces jobs run in): CI jobs would run as root. ocpkit refuses such bindings.
   * @default the operator's `gitlab-runner-app-sa`
   */
  readonly serviceAccount?: string;
}

/**
 * A GitLab Runner managed by the GitLab Runner Operator (`Runner`, `apps.gitlab.com/v1beta2`),
 * using the Kubernetes executor. Several runners per cluster are just several constructs (each
 * with its own token Secret, tags and cache).
 *
 * Runners never get the `anyuid` SCC: a synth check fails when a RoleBinding or
 * ClusterRoleBinding grants it to a service account in a runner's namespace or job namespace.
 *
 * @see https://docs.gitlab.com/runner/install/operator.html
 */
export class GitLabRunner extends Construct {
  public readonly runnerName: string;
  public readonly namespace: string;
  public readonly resource: RunnerResource;
  /** The ConfigMap generated from `configToml`, if any. */
  public readonly configMap?: k8s.KubeConfigMap;

  constructor(scope: Construct, id: string, props: GitLabRunnerProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    p.check('name', props.name, dnsLabel);
    p.check('gitlabUrl', props.gitlabUrl, httpsOrigin);
    // props.token is a SecretKey once the rule passed
    if (p.check('token', props.token, secretKeyRef(`"${RUNNER_TOKEN_KEY}"`)) && props.token.key !== RUNNER_TOKEN_KEY && props.token.key !== RUNNER_REGISTRATION_TOKEN_KEY) {
      p.add('token', `key "${props.token.key}" is not read by the Runner Operator; store the token under "${RUNNER_TOKEN_KEY}" (or the deprecated "${RUNNER_REGISTRATION_TOKEN_KEY}")`);
    }
    const tags = props.tags ?? [];
    if (!Array.isArray(tags)) p.add('tags', `${show(tags)} must be a list of tags`);
    else {
      tags.forEach((t, i) => {
        if (typeof t !== 'string' || t.trim() === '' || t !== t.trim() || t.includes(',')) p.add(`tags[${i}]`, `${show(t)} is not a tag (non-empty, no commas, no surrounding spaces)`);
      });
      const dup = duplicates(tags);
      if (dup.length) p.add('tags', `${dup.map((d) => show(d)).join(', ')} listed twice`);
    }
    if (props.concurrent !== undefined) p.check('concurrent', props.concurrent, intRange(1, 1000));
    if (props.checkIntervalSeconds !== undefined) p.check('checkIntervalSeconds', props.checkIntervalSeconds, intRange(1, 3600));
    if (props.cache !== undefined && (props.cache === null || typeof props.cache !== 'object')) {
      p.add('cache', `${show(props.cache)} is not an S3 cache; give { server, bucket, credentialsSecretName } or leave cache out`);
    } else if (props.cache !== undefined) {
      const c = props.cache;
      if (typeof c.server !== 'string' || c.server.includes('://')) p.add('cache.server', `${show(c.server)} must be host or host:port without a scheme (for example "s3.example.org")`);
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
    if (props.configToml !== undefined && props.configMapName !== undefined) p.add('configToml', 'set either configToml or configMapName, not both');
    if (props.configToml !== undefined) p.check('configToml', props.configToml, nonEmpty);
    if (props.configMapName !== undefined) p.check('configMapName', props.configMapName, dnsSubdomain);
    if (props.buildImage !== undefined && !(props.buildImage instanceof ExternalImage)) p.add('buildImage', 'must be an ExternalImage (pinned by tag or digest)');
    if (props.jobNamespace !== undefined) p.check('jobNamespace', props.jobNamespace, dnsLabel);
    if (props.serviceAccount !== undefined) p.check('serviceAccount', props.serviceAccount, dnsSubdomain);
    const namespace = Chart.of(this).namespace;
    if (!namespace) p.add('namespace', 'a GitLabRunner must be defined inside a GitOpsApp with a namespace (one the Runner Operator watches)');
    if (props.operator !== undefined) {
      if (!(props.operator instanceof GitLabRunnerOperator)) p.add('operator', 'must be a GitLabRunnerOperator');
      else if (namespace && namespace !== props.operator.operatorNamespace) {
        p.add('namespace', `"${namespace}" is not watched by the Runner Operator, which watches "${props.operator.operatorNamespace}"`);
      }
    }
    p.throwIfAny();

    this.runnerName = props.name;
    this.namespace = namespace!;
    if (props.configToml !== undefined) {
      this.configMap = new k8s.KubeConfigMap(this, 'Config', {
        metadata: { name: `${props.name}-config`, namespace: this.namespace },
        data: { 'config.toml': props.configToml },
      });
    }
    const c = props.cache;
    const s3: RunnerSpecS3 | undefined = c
      ? { server: c.server, bucket: c.bucket, credentials: c.credentialsSecretName, location: c.region, insecure: c.insecure }
      : undefined;
    this.resource = new RunnerResource(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: this.namespace,
      },
      spec: {
        gitlabUrl: props.gitlabUrl,
        token: (props.token as SecretKey).secretName,
        tags: tags.length ? tags.join(',') : undefined,
        runUntagged: props.runUntagged,
        concurrent: props.concurrent,
        interval: props.checkIntervalSeconds,
        protected: props.protectedOnly,
        cacheType: c ? 's3' : undefined,
        s3,
        cachePath: c?.path,
        cacheShared: c ? (c.shared ?? true) : undefined,
        config: this.configMap ? this.configMap.metadata.name : props.configMapName,
        buildImage: props.buildImage?.reference,
        namespace: props.jobNamespace,
        serviceaccount: props.serviceAccount,
      },
    });
    this.serviceAccount = props.serviceAccount ?? DEFAULT_RUNNER_SERVICE_ACCOUNT;
    this.jobNamespace = props.jobNamespace ?? this.namespace;
  }

  /** Service account of the runner manager. */
  public readonly serviceAccount: string;
  /** Namespace job pods run in. */
  public readonly jobNamespace: string;
}
