import { Chart, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import * as yaml from 'js-yaml';
import { GitLab as GitLabResource } from '../../imports/gitlab-apps.gitlab.com';
import { IIssuer } from '../certs/issuer';
import { OcpkitError, Problems, show } from '../core/errors';
import { Quantity } from '../core/quantity';
import { dnsLabel, dnsSubdomain, hostname, httpsUrl, intRange, nonEmpty, noUrlCredentials, oneOf } from '../core/rules';
import { credentialKeyValues, dottedPath, scanTree } from '../core/secret-scan';
import { SecretKey } from '../core/secret-key';
import { hostOrIp, semver } from './_rules';
import { concatYamlLists, deepMerge, getPath, isPlainObject, leafPaths, plaintextSecrets, setPath, Values } from './_values';
import { IGitalyEndpoint } from './gitaly-endpoint';
import { GitLabOperator } from './gitlab-operator';

/** The chart components ocpkit sizes and mounts volumes into. */
export enum GitLabComponent {
  /** Rails + Workhorse, serving the web UI and API. */
  WEBSERVICE = 'webservice',
  /** Background jobs. */
  SIDEKIQ = 'sidekiq',
}

/** TLS of the web endpoint. */
export interface GitLabTlsOptions {
  /** The platform's cert-manager issuer; its annotation goes on the chart's Ingresses. */
  readonly issuer: IIssuer;
  /**
   * Secret cert-manager writes the certificate into.
   * @default `<name>-gitlab-tls`
   */
  readonly secretName?: string;
}

/** The external PostgreSQL database (`global.psql`). */
export interface GitLabDatabaseOptions {
  readonly host: string;
  /** @default 5432 */
  readonly port?: number;
  /** @default 'gitlabhq_production' */
  readonly database?: string;
  /** @default 'gitlab' */
  readonly username?: string;
  /** Password of the database user. */
  readonly password: SecretKey;
}

/** The external Redis (`global.redis`). */
export interface GitLabRedisOptions {
  readonly host: string;
  /** @default 6379 */
  readonly port?: number;
  /**
   * Redis password.
   * @default no authentication (`global.redis.auth.enabled: false`)
   */
  readonly password?: SecretKey;
}

/** Buckets of the consolidated object storage, one per object type. */
export interface GitLabBuckets {
  readonly artifacts: string;
  readonly lfs: string;
  readonly uploads: string;
  readonly packages: string;
  /** @default not stored in object storage */
  readonly externalDiffs?: string;
  /** @default not stored in object storage */
  readonly terraformState?: string;
  /** @default not stored in object storage */
  readonly ciSecureFiles?: string;
  /** @default not stored in object storage */
  readonly dependencyProxy?: string;
}

/** S3-compatible object storage (`global.appConfig.object_store`, consolidated form). */
export interface GitLabObjectStorageOptions {
  /** S3 endpoint URL (`https://s3.example.org`); written into the connection template, not the CR. */
  readonly endpoint: string;
  /** @default 'us-east-1' (what most S3-compatible stores expect) */
  readonly region?: string;
  /**
   * Secret key holding the fog connection YAML (provider, region, endpoint, access keys).
   * See {@link GitLab.secretTemplates} for its shape.
   */
  readonly connection: SecretKey;
  readonly buckets: GitLabBuckets;
  /**
   * Serve downloads through Workhorse instead of redirecting clients to the bucket.
   * @default true (the bucket does not need to be reachable by users)
   */
  readonly proxyDownload?: boolean;
}

/** OmniAuth OpenID Connect login (Keycloak). */
export interface GitLabOidcOptions {
  /** Issuer URL (`https://id.example.org/realms/community`). */
  readonly issuer: string;
  /** Client id registered in Keycloak. */
  readonly clientId: string;
  /**
   * Secret key holding the whole provider block (the chart reads OmniAuth providers only from
   * Secrets, because they contain the client secret). See {@link GitLab.secretTemplates}.
   */
  readonly provider: SecretKey;
  /** @default 'Keycloak' */
  readonly label?: string;
  /**
   * Claim used as the GitLab user id.
   * @default 'preferred_username'
   */
  readonly uidField?: string;
  /**
   * Send users straight to Keycloak instead of showing the GitLab login form.
   * @default false
   */
  readonly autoSignIn?: boolean;
  /**
   * Accounts created on first login need an admin's approval.
   * @default false
   */
  readonly blockAutoCreatedUsers?: boolean;
}

/** Replicas (the chart scales through an HPA between min and max) and requests of a component. */
export interface GitLabComponentSizing {
  /** @default the chart's default (2 for webservice, 1 for sidekiq) */
  readonly minReplicas?: number;
  /** @default the chart's default (10) */
  readonly maxReplicas?: number;
  /** @default the chart's default */
  readonly cpu?: Quantity;
  /** Memory request. @default the chart's default */
  readonly memory?: Quantity;
  /** Memory limit. @default none */
  readonly memoryLimit?: Quantity;
}

/** Properties of {@link GitLab}. */
export interface GitLabProps {
  /** Name of the GitLab CR (the Helm release name; prefixes every object the operator creates). */
  readonly name: string;
  /**
   * GitLab *chart* version. The operator only accepts the versions it was built with (operator
   * 0.26.0: 7.6.0, 7.5.2, 7.4.2), so pin it together with the operator's CSV.
   */
  readonly chartVersion: string;
  /** Public host name of the web UI (`gitlab.example.org`). */
  readonly hostname: string;
  /** Base domain (`example.org`); hosts without an explicit name are `<service>.<domain>`. */
  readonly domain: string;
  readonly tls: GitLabTlsOptions;
  readonly database: GitLabDatabaseOptions;
  readonly redis: GitLabRedisOptions;
  readonly objectStorage: GitLabObjectStorageOptions;
  /** Gitaly outside the chart, which also answers Git over SSH. */
  readonly gitaly: IGitalyEndpoint;
  /**
   * The operator install this instance runs under. When given, the chart version must be one
   * that operator release accepts, and the CR must live in the operator's namespace.
   * @default not checked
   */
  readonly operator?: GitLabOperator;
  /** @default password login only */
  readonly oidc?: GitLabOidcOptions;
  /** @default the chart's defaults */
  readonly webservice?: GitLabComponentSizing;
  /** @default the chart's defaults */
  readonly sidekiq?: GitLabComponentSizing;
  /**
   * IngressClass of the chart's Ingresses; OpenShift turns them into Routes.
   * @default 'openshift-default'
   */
  readonly ingressClass?: string;
  /** @default 'ce' */
  readonly edition?: 'ce' | 'ee';
  /**
   * Any other chart value, deep-merged over the values the typed props produce (objects merge,
   * scalars and lists replace). Precedence:
   * - keys the typed props own ({@link OWNED_VALUE_PATHS}) may not be set here when the typed
   *   prop sets them: that is an error, never a silent override;
   * - `gitlab.<component>.extraVolumes` / `extraVolumeMounts` are concatenated (typed first);
   * - a plaintext credential (`password: "..."`, `token: "..."`) anywhere is an error.
   * @default none
   */
  readonly values?: Values;
}

/**
 * Value paths the typed props own. Setting one of them in `values` while the typed prop sets it
 * too is refused, so a GitLab never silently points at another database or Gitaly.
 */
export const OWNED_VALUE_PATHS: readonly string[] = [
  'global.hosts',
  'global.psql',
  'global.redis',
  'global.gitaly',
  'global.shell',
  'global.appConfig.object_store',
  'global.appConfig.omniauth',
  'global.ingress.annotations',
  'global.ingress.tls',
];

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const BUCKET_VALUE_KEYS: Record<keyof GitLabBuckets, string> = {
  artifacts: 'artifacts', lfs: 'lfs', uploads: 'uploads', packages: 'packages',
  externalDiffs: 'externalDiffs', terraformState: 'terraformState', ciSecureFiles: 'ciSecureFiles', dependencyProxy: 'dependencyProxy',
};
const REQUIRED_BUCKETS: readonly (keyof GitLabBuckets)[] = ['artifacts', 'lfs', 'uploads', 'packages'];
const OIDC_PROVIDER = 'openid_connect';

interface ExtraVolume {
  readonly volume: Values;
  readonly mount: Values;
}

/**
 * One GitLab instance run by the GitLab Operator: the operator's `GitLab` custom resource
 * (`apps.gitlab.com/v1beta1`) with a pinned chart version and typed chart values for what
 * every production installation sets. The chart values are not validated by the CRD at all
 * (`x-kubernetes-preserve-unknown-fields`), so these props are the validation.
 *
 * What it configures: external host name and domain; TLS from the platform cert-manager issuer
 * (annotations on the chart's Ingresses, OpenShift's ingress controller turns them into Routes);
 * external PostgreSQL and Redis; consolidated S3 object storage; OmniAuth OpenID Connect;
 * webservice/sidekiq sizing; Gitaly outside the chart (`global.gitaly.enabled: false`, one
 * external storage named `default`) answering Git over SSH itself, so the chart's gitlab-shell
 * is off. The bundled PostgreSQL, Redis, MinIO, cert-manager, NGINX, Prometheus, runner and
 * registry are off (the registry can be turned back on through `values`).
 *
 * Every credential is a {@link SecretKey}; nothing secret is written.
 *
 * @see https://docs.gitlab.com/charts/charts/globals.html
 * @see https://docs.gitlab.com/operator/
 */
export class GitLab extends Construct {
  public readonly crName: string;
  public readonly namespace: string;
  public readonly hostname: string;
  public readonly chartVersion: string;
  /** The operator's custom resource. */
  public readonly resource: GitLabResource;
  /** Non-secret templates of the Secrets the chart reads (see {@link secretTemplates}). */
  public readonly templates: k8s.KubeConfigMap;
  private readonly props: GitLabProps;
  private readonly extraVolumes: Record<GitLabComponent, ExtraVolume[]> = { [GitLabComponent.WEBSERVICE]: [], [GitLabComponent.SIDEKIQ]: [] };

  constructor(scope: Construct, id: string, props: GitLabProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    p.check('name', props.name, dnsLabel);
    p.check('chartVersion', props.chartVersion, semver);
    p.check('hostname', props.hostname, hostname);
    p.check('domain', props.domain, hostname);
    checkTls(p, props.tls);
    checkDatabase(p, props.database);
    checkRedis(p, props.redis);
    checkObjectStorage(p, props.objectStorage);
    checkGitaly(p, props.gitaly);
    if (props.oidc !== undefined) checkOidc(p, props.oidc);
    checkSizing(p, 'webservice', props.webservice);
    checkSizing(p, 'sidekiq', props.sidekiq);
    if (props.ingressClass !== undefined) p.check('ingressClass', props.ingressClass, dnsSubdomain);
    if (props.edition !== undefined) p.check('edition', props.edition, oneOf(['ce', 'ee']));
    if (props.values !== undefined && !isPlainObject(props.values)) p.add('values', `${show(props.values)} must be an object of chart values`);
    const namespace = Chart.of(this).namespace;
    if (!namespace) p.add('namespace', 'a GitLab must be defined inside a GitOpsApp with a namespace (the namespace the GitLab Operator watches)');
    if (props.operator !== undefined) {
      if (!(props.operator instanceof GitLabOperator)) p.add('operator', 'must be a GitLabOperator');
      else {
        const supported = props.operator.supportedChartVersions;
        if (supported && typeof props.chartVersion === 'string' && !supported.includes(props.chartVersion)) {
          p.add('chartVersion', `"${props.chartVersion}" is not accepted by ${props.operator.startingCsv}; it deploys chart ${supported.join(', ')}`);
        }
        if (namespace && namespace !== props.operator.operatorNamespace) {
          p.add('namespace', `"${namespace}" is not watched by the GitLab Operator, which watches "${props.operator.operatorNamespace}"; define the GitLab in a GitOpsApp with that namespace`);
        }
      }
    }
    p.throwIfAny();
    this.props = props;
    this.crName = props.name;
    this.namespace = namespace!;
    this.hostname = props.hostname;
    this.chartVersion = props.chartVersion;

    // Conflicts and plaintext secrets in the escape hatch are input errors: report them now.
    this.chartValues();

    this.resource = new GitLabResource(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: this.namespace,
      },
      spec: { chart: { version: props.chartVersion, values: Lazy.any({ produce: () => this.chartValues() }) } },
    });

    const templates = this.secretTemplates();
    this.templates = new k8s.KubeConfigMap(this, 'SecretTemplates', {
      metadata: {
        name: `${props.name}-secret-templates`,
        namespace: this.namespace,
        annotations: { 'ocpkit.io/purpose': 'templates of the Secrets the GitLab chart reads; placeholders in {{ }} are filled by whoever creates the Secret (External Secrets templateFrom, or by hand)' },
      },
      data: templates,
    });
  }

  /** `https://<hostname>`: what runners and users use. */
  public get url(): string {
    return `https://${this.hostname}`;
  }

  /**
   * Mounts an extra volume into a component's pods through the chart's
   * `gitlab.<component>.extraVolumes` / `extraVolumeMounts` values (used by the log relay).
   */
  public addExtraVolume(component: GitLabComponent, volume: Values, mount: Values): void {
    const list = this.extraVolumes[component];
    if (!list) throw new OcpkitError([{ path: this.node.path, field: 'component', message: `${show(component)} is not a GitLab component; use one of ${Object.values(GitLabComponent).map((c) => `"${c}"`).join(', ')}` }]);
    if (list.some((v) => v.volume.name === volume.name)) {
      throw new OcpkitError([{ path: this.node.path, field: `gitlab.${component}.extraVolumes`, message: `a volume named ${show(volume.name)} is already mounted` }]);
    }
    list.push({ volume, mount });
  }

  /**
   * Templates of the Secrets the chart reads whose content is more than a password: the fog
   * object-storage connection and the OmniAuth provider block. Everything non-secret comes from
   * the typed props; credentials are `{{ placeholders }}`. They land in the ConfigMap
   * `<name>-secret-templates` (keys `object-store-connection.yaml`, `oidc-provider.yaml`), ready
   * for External Secrets' `templateFrom` or to be filled in by hand.
   */
  public secretTemplates(): Record<string, string> {
    const os = this.props.objectStorage;
    const out: Record<string, string> = {
      'object-store-connection.yaml': yaml.dump({
        provider: 'AWS',
        region: os.region ?? 'us-east-1',
        endpoint: os.endpoint,
        path_style: true,
        aws_access_key_id: '{{ .access_key_id }}',
        aws_secret_access_key: '{{ .secret_access_key }}',
      }, { lineWidth: -1 }),
    };
    const oidc = this.props.oidc;
    if (oidc) {
      out['oidc-provider.yaml'] = yaml.dump({
        name: OIDC_PROVIDER,
        label: oidc.label ?? 'Keycloak',
        args: {
          name: OIDC_PROVIDER,
          scope: ['openid', 'profile', 'email'],
          response_type: 'code',
          issuer: oidc.issuer,
          discovery: true,
          uid_field: oidc.uidField ?? 'preferred_username',
          pkce: true,
          client_options: {
            identifier: oidc.clientId,
            secret: '{{ .client_secret }}',
            redirect_uri: `${this.url}/users/auth/openid_connect/callback`,
          },
        },
      }, { lineWidth: -1 });
    }
    return out;
  }

  /** The complete chart values: typed values, then `values` merged over them (see {@link GitLabProps.values}). */
  public chartValues(): Values {
    const typed = this.typedValues();
    const extra = this.props.values ?? {};
    const p = new Problems(this.node.path);
    for (const path of plaintextSecrets(extra)) {
      p.add(`values.${path}`, 'holds a plaintext credential; reference a Secret instead ({secret: name, key: key}), secrets are never written into manifests');
    }
    // Any type under a credential key (numbers, lists, {value: ...}), env lists, and secrets by content anywhere.
    const reported = new Set(plaintextSecrets(extra));
    for (const hit of [...credentialKeyValues(extra), ...scanTree(extra)]) {
      const path = dottedPath(hit.path);
      if (reported.has(path)) continue;
      reported.add(path);
      p.add(`values.${path}`, `holds ${hit.what}; chart values are written into Git in plain text. Reference a Secret instead ({secret: name, key: key}); secrets are never written into manifests`);
    }
    for (const path of leafPaths(extra)) {
      const owner = OWNED_VALUE_PATHS.find((o) => path === o || path.startsWith(`${o}.`));
      if (!owner) continue;
      if (typedSets(typed, path)) {
        p.add(`values.${path}`, `is set by the typed props (${owner} belongs to them); change the typed prop instead of overriding it`);
      }
    }
    const merged = deepMerge(typed, extra);
    for (const component of Object.values(GitLabComponent)) {
      for (const [field, pick] of [['extraVolumes', (v: ExtraVolume) => v.volume], ['extraVolumeMounts', (v: ExtraVolume) => v.mount]] as const) {
        const path = `gitlab.${component}.${field}`;
        try {
          const combined = concatYamlLists(path, this.extraVolumes[component].map(pick), getPath(extra, path));
          if (combined !== undefined) setPath(merged, path, combined);
        } catch (e) {
          p.add(`values.${path}`, (e as Error).message.replace(`${path}: `, ''));
        }
      }
    }
    p.throwIfAny();
    return merged;
  }

  private typedValues(): Values {
    const props = this.props;
    const g = props.gitaly;
    const db = props.database;
    const redis = props.redis;
    const os = props.objectStorage;
    const issuerAnnotation = props.tls.issuer.issuerKind === 'ClusterIssuer' ? 'cert-manager.io/cluster-issuer' : 'cert-manager.io/issuer';
    const appConfig: Values = {
      object_store: {
        enabled: true,
        proxy_download: os.proxyDownload ?? true,
        connection: { secret: os.connection.secretName, key: os.connection.key },
      },
    };
    for (const [prop, key] of Object.entries(BUCKET_VALUE_KEYS)) {
      const bucket = os.buckets[prop as keyof GitLabBuckets];
      if (bucket === undefined) continue;
      appConfig[key] = REQUIRED_BUCKETS.includes(prop as keyof GitLabBuckets) ? { bucket } : { enabled: true, bucket };
    }
    if (props.oidc) {
      appConfig.omniauth = {
        enabled: true,
        allowSingleSignOn: [OIDC_PROVIDER],
        autoLinkUser: [OIDC_PROVIDER],
        blockAutoCreatedUsers: props.oidc.blockAutoCreatedUsers ?? false,
        ...(props.oidc.autoSignIn ? { autoSignInWithProvider: OIDC_PROVIDER } : {}),
        providers: [{ secret: props.oidc.provider.secretName, key: props.oidc.provider.key }],
      };
    }
    const values: Values = {
      global: {
        edition: props.edition ?? 'ce',
        hosts: {
          domain: props.domain,
          https: true,
          gitlab: { name: props.hostname, https: true },
          ssh: g.sshHost,
        },
        ingress: {
          class: props.ingressClass ?? 'openshift-default',
          configureCertmanager: false,
          annotations: { [issuerAnnotation]: props.tls.issuer.issuerName },
          tls: { enabled: true },
        },
        psql: {
          host: db.host,
          port: db.port ?? 5432,
          database: db.database ?? 'gitlabhq_production',
          username: db.username ?? 'gitlab',
          password: { secret: db.password.secretName, key: db.password.key },
        },
        redis: {
          host: redis.host,
          port: redis.port ?? 6379,
          auth: redis.password ? { enabled: true, secret: redis.password.secretName, key: redis.password.key } : { enabled: false },
        },
        gitaly: {
          enabled: false,
          external: [{ name: g.storageName, hostname: g.gitalyHost, port: g.gitalyPort, tlsEnabled: g.tlsEnabled }],
          authToken: { secret: g.authToken.secretName, key: g.authToken.key },
        },
        shell: {
          port: g.sshPort,
          authToken: { secret: g.shellSecret.secretName, key: g.shellSecret.key },
        },
        ...(g.caSecretName ? { certificates: { customCAs: [{ secret: g.caSecretName }] } } : {}),
        minio: { enabled: false },
        appConfig,
      },
      installCertmanager: false,
      'nginx-ingress': { enabled: false },
      postgresql: { install: false },
      redis: { install: false },
      prometheus: { install: false },
      'gitlab-runner': { install: false },
      registry: { enabled: false },
      gitlab: {
        'gitlab-shell': { enabled: false },
        webservice: { ingress: { tls: { secretName: props.tls.secretName ?? `${props.name}-gitlab-tls` } }, ...sizingValues(props.webservice) },
        ...(props.sidekiq ? { sidekiq: sizingValues(props.sidekiq) } : {}),
      },
    };
    return values;
  }
}

/** Whether the typed values set `path` or anything below it. */
function typedSets(typed: Values, path: string): boolean {
  return getPath(typed, path) !== undefined;
}

function sizingValues(s: GitLabComponentSizing | undefined): Values {
  if (!s) return {};
  const out: Values = {};
  if (s.minReplicas !== undefined) out.minReplicas = s.minReplicas;
  if (s.maxReplicas !== undefined) out.maxReplicas = s.maxReplicas;
  const requests: Values = {};
  if (s.cpu) requests.cpu = s.cpu.toString();
  if (s.memory) requests.memory = s.memory.toString();
  const resources: Values = {};
  if (Object.keys(requests).length) resources.requests = requests;
  if (s.memoryLimit) resources.limits = { memory: s.memoryLimit.toString() };
  if (Object.keys(resources).length) out.resources = resources;
  return out;
}

function checkSecretKey(p: Problems, field: string, v: unknown): void {
  if (!(v instanceof SecretKey)) {
    p.add(field, `${show(v)} is not a Secret reference; use SecretKey.of(secretName, key) (a Secret name and the key inside it), secret values are never written into manifests`);
  }
}

function checkTls(p: Problems, tls: GitLabTlsOptions | undefined): void {
  if (!tls || typeof tls !== 'object') return p.add('tls', 'is required: the cert-manager issuer that signs the web certificate');
  if (!tls.issuer || typeof tls.issuer.issuerName !== 'string' || !['ClusterIssuer', 'Issuer'].includes(tls.issuer.issuerKind)) {
    p.add('tls.issuer', 'must be a cert-manager issuer (an AcmeClusterIssuer, or Issuers.clusterIssuer(name))');
  }
  if (tls.secretName !== undefined) p.check('tls.secretName', tls.secretName, dnsSubdomain);
}

function checkDatabase(p: Problems, db: GitLabDatabaseOptions | undefined): void {
  if (!db || typeof db !== 'object') return p.add('database', 'is required: the chart no longer bundles a production PostgreSQL');
  p.check('database.host', db.host, hostOrIp);
  if (db.port !== undefined) p.check('database.port', db.port, intRange(1, 65535));
  if (db.database !== undefined) p.check('database.database', db.database, nonEmpty);
  if (db.username !== undefined) p.check('database.username', db.username, nonEmpty);
  checkSecretKey(p, 'database.password', db.password);
}

function checkRedis(p: Problems, r: GitLabRedisOptions | undefined): void {
  if (!r || typeof r !== 'object') return p.add('redis', 'is required: host (and password) of the external Redis');
  p.check('redis.host', r.host, hostOrIp);
  if (r.port !== undefined) p.check('redis.port', r.port, intRange(1, 65535));
  if (r.password !== undefined) checkSecretKey(p, 'redis.password', r.password);
}

function checkObjectStorage(p: Problems, os: GitLabObjectStorageOptions | undefined): void {
  if (!os || typeof os !== 'object') return p.add('objectStorage', 'is required: the S3 endpoint, connection Secret and buckets');
  p.check('objectStorage.endpoint', os.endpoint, noUrlCredentials);
  p.check('objectStorage.endpoint', os.endpoint, (v) => (noUrlCredentials(v) !== undefined || httpsUrl(v) === undefined || (typeof v === 'string' && v.startsWith('http://')) ? undefined : `${show(v)} is not an S3 endpoint URL (for example "https://s3.example.org")`));
  if (os.region !== undefined) p.check('objectStorage.region', os.region, nonEmpty);
  checkSecretKey(p, 'objectStorage.connection', os.connection);
  const buckets = (os.buckets ?? {}) as unknown as Record<string, unknown>;
  if (!isPlainObject(os.buckets)) {
    p.add('objectStorage.buckets', `is required: name the bucket of each object type (${REQUIRED_BUCKETS.join(', ')})`);
    return;
  }
  for (const b of REQUIRED_BUCKETS) {
    if (buckets[b] === undefined || buckets[b] === '') p.add(`objectStorage.buckets.${b}`, `has no bucket; object storage needs a bucket for ${b}`);
  }
  const seen = new Map<string, string>();
  for (const [k, v] of Object.entries(buckets)) {
    if (!(k in BUCKET_VALUE_KEYS)) {
      p.add(`objectStorage.buckets.${k}`, `is not an object type; use ${Object.keys(BUCKET_VALUE_KEYS).join(', ')}`);
      continue;
    }
    if (v === undefined || v === '') continue;
    if (typeof v !== 'string' || !BUCKET.test(v)) p.add(`objectStorage.buckets.${k}`, `${show(v)} is not an S3 bucket name (3-63 lower-case letters, digits, '.' and '-')`);
    else if (seen.has(v)) p.add(`objectStorage.buckets.${k}`, `"${v}" is also the ${seen.get(v)} bucket; every object type needs its own bucket`);
    else seen.set(v, k);
  }
}

function checkGitaly(p: Problems, g: IGitalyEndpoint | undefined): void {
  if (!g || typeof g !== 'object') return p.add('gitaly', 'is required: an ExternalGitaly (the chart runs no Gitaly of its own here)');
  if (g.storageName !== 'default') p.add('gitaly.storageName', `${show(g.storageName)}: the chart needs one Gitaly storage named "default"`);
  p.check('gitaly.gitalyHost', g.gitalyHost, hostOrIp);
  p.check('gitaly.gitalyPort', g.gitalyPort, intRange(1, 65535));
  p.check('gitaly.sshHost', g.sshHost, hostname);
  p.check('gitaly.sshPort', g.sshPort, intRange(1, 65535));
  checkSecretKey(p, 'gitaly.authToken', g.authToken);
  checkSecretKey(p, 'gitaly.shellSecret', g.shellSecret);
}

function checkOidc(p: Problems, o: GitLabOidcOptions): void {
  if (!isPlainObject(o)) return p.add('oidc', `${show(o)} is not an OpenID Connect setting; give { issuer, clientId, provider } or leave oidc out`);
  p.check('oidc.issuer', o.issuer, httpsUrl);
  p.check('oidc.clientId', o.clientId, nonEmpty);
  checkSecretKey(p, 'oidc.provider', o.provider);
  if (o.label !== undefined) p.check('oidc.label', o.label, nonEmpty);
  if (o.uidField !== undefined) p.check('oidc.uidField', o.uidField, nonEmpty);
}

function checkSizing(p: Problems, name: string, s: GitLabComponentSizing | undefined): void {
  if (s === undefined) return;
  if (!isPlainObject(s)) return p.add(name, `${show(s)} is not a sizing; give { minReplicas, maxReplicas, cpu, memory, memoryLimit } or leave ${name} out`);
  if (s.minReplicas !== undefined) p.check(`${name}.minReplicas`, s.minReplicas, intRange(0, 100));
  if (s.maxReplicas !== undefined) p.check(`${name}.maxReplicas`, s.maxReplicas, intRange(1, 100));
  if (typeof s.minReplicas === 'number' && typeof s.maxReplicas === 'number' && s.minReplicas > s.maxReplicas) {
    p.add(`${name}.maxReplicas`, `${s.maxReplicas} is below minReplicas ${s.minReplicas}`);
  }
  for (const f of ['cpu', 'memory', 'memoryLimit'] as const) {
    if (s[f] !== undefined && !(s[f] instanceof Quantity)) p.add(`${name}.${f}`, `${show(s[f])} must be a Quantity (Quantity.parse("2Gi"))`);
  }
  if (s.memory instanceof Quantity && s.memoryLimit instanceof Quantity && s.memoryLimit.compare(s.memory) < 0) {
    p.add(`${name}.memoryLimit`, `${s.memoryLimit} is below the memory request ${s.memory}`);
  }
}

