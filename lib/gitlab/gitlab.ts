import { Chart, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { GitLab as GitLabResource } from '../../imports/gitlab-apps.gitlab.com';
import { IIssuer } from '../certs/issuer';
import type { PostgresCluster } from '../databases/postgres';
import type { Redis } from '../databases/redis';
import { OcpkitError, Problems, show } from '../core/errors';
import { asQuantity, Quantity, QuantityLike } from '../core/quantity';
import { SecretKey } from '../core/secret-key';
import { notePrivateS3, privateS3Problem, S3Endpoint } from '../databases/s3-endpoint';
import { GitLabDataMigration } from './data-migration';
import { checkGitLabProps, isPostgresLink, resolveDatabase, resolveRedis } from './_check-gitlab-props';
import { resolveGitLabRelease, superuserExtensions } from './_gitlab-release';
import { AdvisoryWaiver, checkAdvisories } from './advisories';
import { Values } from './_values';
import { ComponentEnv, ExtraVolume, mergeChartValues, typedChartValues } from './chart-values';
import { IGitalyEndpoint } from './gitaly-endpoint';
import { GitLabOperator } from './gitlab-operator';
import { IGitLabServer } from './gitlab-server';
import { renderSecretTemplates } from './secret-templates';

// The props and the construct live here; the validators, the chart values with their merge rules
// and the Secret templates are pure modules beside it.
export { OWNED_VALUE_PATHS } from './chart-values';

/** The chart components ocpkit sizes and mounts volumes into. */
export enum GitLabComponent {
  /** Rails + Workhorse, serving the web UI and API. */
  WEBSERVICE = 'webservice',
  /** Background jobs. */
  SIDEKIQ = 'sidekiq',
}

/** Annotation on the GitLab CR: how its data gets there ({@link GitLabProps.migration}). */
export const DATA_MIGRATION_ANNOTATION = 'ocpkit.io/data-migration';

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

/**
 * A PostgreSQL database of a Crunchy {@link PostgresCluster} in the stack: the host, port,
 * database and password Secret are the ones PGO creates for the user.
 */
export interface GitLabPostgres {
  readonly cluster: PostgresCluster;
  /**
   * The cluster's user GitLab logs in as; its first database is GitLab's.
   * @default 'gitlab'
   */
  readonly user?: string;
}

/** A PostgreSQL database outside the stack (`global.psql`). */
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
  /**
   * S3 endpoint: a URL (`https://s3.example.org`) whose certificate a public CA signs, or an
   * {@link S3Endpoint}. With `S3Endpoint.privateCa`, the CA's ConfigMap (in GitLab's namespace)
   * joins `global.certificates.customCAs`, which the chart's certificates init container adds to
   * the trust store of Rails, Workhorse and the Toolbox (s3cmd). The URL goes into the connection template, not the CR.
   */
  readonly endpoint: string | S3Endpoint;
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
   * Claim used as the GitLab identity's id. `sub` is the provider's immutable subject; a
   * user-editable claim such as `preferred_username` lets whoever renames themselves in the
   * provider take over another GitLab identity (field review N2).
   * @default 'sub'
   */
  readonly uidField?: string;
  /**
   * Link a first OIDC login to an existing GitLab account with the same e-mail address
   * (`autoLinkUser`). Safe only when the provider verifies e-mail addresses and users cannot change
   * them (GitLab calls it a conscious decision to trust e-mail as the source of truth).
   * @default false
   */
  readonly linkExistingAccountsByEmail?: boolean;
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

/** Outgoing mail through a relay (`global.smtp`, `global.email`). */
export interface GitLabSmtpOptions {
  /** The relay's host and port, e.g. `{ host: relay.serviceHost, port: relay.portNumber('smtp') }` of a mail relay VM. */
  readonly server: { readonly host: string; readonly port: number };
  /** Sender address of GitLab's mail (`gitlab@example.org`). */
  readonly from: string;
  /** @default 'GitLab' */
  readonly displayName?: string;
  /** @default the sender address */
  readonly replyTo?: string;
}

/** Replicas (the chart scales through an HPA between min and max) and requests of a component. */
export interface GitLabComponentSizing {
  /** @default the chart's default (2 for webservice, 1 for sidekiq) */
  readonly minReplicas?: number;
  /** @default the chart's default (10) */
  readonly maxReplicas?: number;
  /** @default the chart's default */
  readonly cpu?: Quantity;
  /** Memory request: a Quantity or a cdk8s `Size`. @default the chart's default */
  readonly memory?: QuantityLike;
  /** Memory limit: a Quantity or a cdk8s `Size`. @default none */
  readonly memoryLimit?: QuantityLike;
}

/** The props with the database link resolved (what the chart values are made of). */
export type ResolvedGitLabProps = GitLabProps & { readonly database: GitLabDatabaseOptions; readonly redis: GitLabRedisOptions };

/** Properties of {@link GitLab}. */
export interface GitLabProps {
  /** Name of the GitLab CR (the Helm release name; prefixes every object the operator creates). */
  readonly name: string;
  /**
   * GitLab *chart* version. The operator only accepts the versions it was built with (its
   * CHART_VERSIONS, as the operator catalog records them), so pin it together with the operator's CSV.
   */
  readonly chartVersion: string;
  /**
   * The GitLab release the chart version carries (`18.11.4`), checked against known critical
   * advisories and used to align runners.
   * @default what the operator catalog records for the chart version (an error when it records none)
   */
  readonly gitlabVersion?: string;
  /**
   * Known critical advisories (lib/gitlab/advisories.ts) accepted for this GitLab release, each with
   * its reason (a mitigation, the SAML login not being used...). A waiver for an advisory that does
   * not affect the release is refused, so waivers leave with the upgrade.
   * @default none: a release affected by a critical advisory is refused
   */
  readonly advisoryWaivers?: readonly AdvisoryWaiver[];
  /** Public host name of the web UI (`gitlab.example.org`). */
  readonly hostname: string;
  /** Base domain (`example.org`); hosts without an explicit name are `<service>.<domain>`. */
  readonly domain: string;
  readonly tls: GitLabTlsOptions;
  /** GitLab's PostgreSQL: a database of a PostgresCluster in the stack, or one outside it. */
  readonly database: GitLabPostgres | GitLabDatabaseOptions;
  /** GitLab's Redis: a {@link Redis} in the stack (host, port and password derived), or one outside it. */
  readonly redis: Redis | GitLabRedisOptions;
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
  /** @default GitLab sends no mail (no notifications, confirmations or password resets) */
  readonly smtp?: GitLabSmtpOptions;
  /**
   * Where this GitLab's data comes from: {@link GitLabDataMigration.newInstance} (nothing carried
   * over) or {@link GitLabDataMigration.fromLinuxPackage} (a backup of an Omnibus GitLab of the
   * same version restored by the Toolbox, with the old rails secrets). Required: an empty database
   * next to a migrated Gitaly disk must be a decision, not an accident. Its steps are written on
   * the CR (annotation `ocpkit.io/data-migration`) and in {@link GitLab.migrationSteps}.
   */
  readonly migration: GitLabDataMigration;
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
   * - keys the typed props own (`OWNED_VALUE_PATHS`) may not be set here when the typed
   *   prop sets them: that is an error, never a silent override;
   * - `gitlab.<component>.extraVolumes` / `extraVolumeMounts` are concatenated (typed first);
   * - a plaintext credential (`password: "..."`, `token: "..."`) anywhere is an error.
   * @default none
   */
  readonly values?: Values;
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
 * @example
 * Emits: into the folder of the app it is in (its namespace is GitLab's), an `apps.gitlab.com/v1beta1`
 * GitLab `gitlab` with the chart version and the chart values, and a ConfigMap
 * `gitlab-secret-templates` with the non-secret templates of the Secrets the chart reads. Given a
 * PostgresCluster as `database`, it adds the extensions GitLab needs to that cluster's init SQL.
 * ```ts
 * import { GitLab, GitLabDataMigration, SecretKey } from 'ocpkit';
 * import type { ExternalGitaly, GitLabOperator, GitOpsApp, IIssuer, PostgresCluster, Redis } from 'ocpkit';
 *
 * export function addGitLab(app: GitOpsApp, operator: GitLabOperator, issuer: IIssuer, database: PostgresCluster, redis: Redis, gitaly: ExternalGitaly): GitLab {
 *   return new GitLab(app, 'GitLab', {
 *     name: 'gitlab',
 *     operator,
 *     chartVersion: '9.11.4',
 *     hostname: 'gitlab.example.org',
 *     domain: 'example.org',
 *     tls: { issuer },
 *     migration: GitLabDataMigration.newInstance('a new instance: projects move over by export and import'),
 *     database: { cluster: database },
 *     redis,
 *     objectStorage: {
 *       endpoint: 'https://s3.example.org',
 *       connection: SecretKey.of('gitlab-object-storage', 'connection'),
 *       buckets: { artifacts: 'gitlab-artifacts', lfs: 'gitlab-lfs', uploads: 'gitlab-uploads', packages: 'gitlab-packages' },
 *     },
 *     gitaly,
 *   });
 * }
 * ```
 * @see https://docs.gitlab.com/charts/charts/globals.html
 * @see https://docs.gitlab.com/operator/
 */
export class GitLab extends Construct implements IGitLabServer {
  public readonly crName: string;
  /** The GitLab release the chart version carries. */
  public readonly gitlabVersion: string;
  public readonly namespace: string;
  public readonly hostname: string;
  public readonly chartVersion: string;
  /** The operator's custom resource. */
  public readonly resource: GitLabResource;
  /** Non-secret templates of the Secrets the chart reads (see {@link secretTemplates}). */
  public readonly templates: k8s.KubeConfigMap;
  private readonly props: ResolvedGitLabProps;
  private readonly extraVolumes: Record<GitLabComponent, ExtraVolume[]> = { [GitLabComponent.WEBSERVICE]: [], [GitLabComponent.SIDEKIQ]: [] };
  private readonly extraEnvs: Record<GitLabComponent, { env: Record<string, string>; envFrom: Record<string, Values> }> = {
    [GitLabComponent.WEBSERVICE]: { env: {}, envFrom: {} },
    [GitLabComponent.SIDEKIQ]: { env: {}, envFrom: {} },
  };

  constructor(scope: Construct, id: string, given: GitLabProps) {
    super(scope, id);
    const props = withSizedQuantities(given);
    const { namespace, gitlabVersion, database } = this.validate(props);
    this.namespace = namespace;
    this.gitlabVersion = gitlabVersion;
    this.props = { ...props, database, redis: resolveRedis(props.redis) };
    if (isPostgresLink(props.database) && database.database) props.database.cluster.ensureExtensions(database.database, superuserExtensions(gitlabVersion));
    // The webservice and sidekiq containers reap their children (the seed's defunct gpg processes,
    // field review M1): tini as PID 1. CNG MR 1827 added it behind USE_TINI=1 and MR 1885 made it
    // the default; set explicitly so neither an image default nor a chart change takes it away.
    for (const component of Object.values(GitLabComponent)) this.addExtraEnv(component, 'USE_TINI', '1');
    this.crName = props.name;
    this.hostname = props.hostname;
    this.chartVersion = props.chartVersion;

    // Conflicts and plaintext secrets in the escape hatch are input errors: report them now.
    this.chartValues();

    this.resource = this.createResource();
    this.templates = this.createSecretTemplates();
    const endpoint = props.objectStorage.endpoint;
    if (endpoint instanceof S3Endpoint) notePrivateS3(this, endpoint);
    else this.node.addValidation({ validate: () => { const m = privateS3Problem(this, endpoint); return m ? [`objectStorage.endpoint: ${m}`] : []; } });
  }

  /** How this GitLab's data gets there, step by step ({@link GitLabProps.migration}). */
  public get migrationSteps(): string[] {
    return this.props.migration.steps(this.crName, this.namespace);
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
    if (!list) throw this.notAComponent(component);
    if (list.some((v) => v.volume.name === volume.name)) {
      throw new OcpkitError([{ path: this.node.path, field: `gitlab.${component}.extraVolumes`, message: `a volume named ${show(volume.name)} is already mounted` }]);
    }
    list.push({ volume, mount });
  }

  /**
   * Sets an environment variable in a component's containers: a plain `value` goes to the chart's
   * `gitlab.<component>.extraEnv`, a Kubernetes `valueFrom` source (`{ fieldRef: { fieldPath:
   * 'metadata.name' } }`) to its `extraEnvFrom`. A variable set twice, or also set through
   * `values`, is an error.
   */
  public addExtraEnv(component: GitLabComponent, name: string, value: string | { readonly valueFrom: Values }): void {
    const e = this.extraEnvs[component];
    if (!e) throw this.notAComponent(component);
    const field = `gitlab.${component}.extraEnv`;
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new OcpkitError([{ path: this.node.path, field, message: `${show(name)} is not an environment variable name (letters, digits, '_', not starting with a digit)` }]);
    }
    if (name in e.env || name in e.envFrom) throw new OcpkitError([{ path: this.node.path, field, message: `${name} is already set` }]);
    if (typeof value === 'string') e.env[name] = value;
    else e.envFrom[name] = value.valueFrom;
  }

  /**
   * Templates of the Secrets the chart reads whose content is more than a password: the fog
   * object-storage connection and the OmniAuth provider block. Everything non-secret comes from
   * the typed props; credentials are `{{ placeholders }}`. They land in the ConfigMap
   * `<name>-secret-templates` (keys `object-store-connection.yaml`, `oidc-provider.yaml`, and `backup-s3cfg` for a data migration), ready
   * for External Secrets' `templateFrom` or to be filled in by hand.
   */
  public secretTemplates(): Record<string, string> {
    return renderSecretTemplates(this.props.objectStorage, this.props.oidc, this.url, this.props.migration.s3cfg !== undefined);
  }

  /** The complete chart values: typed values, then `values` merged over them (see {@link GitLabProps.values}). */
  public chartValues(): Values {
    const p = new Problems(this.node.path);
    const merged = mergeChartValues(p, typedChartValues(this.props), this.props.values ?? {}, this.extraVolumes, this.extraEnvs as Record<string, ComponentEnv>);
    p.throwIfAny();
    return merged;
  }

  private notAComponent(component: unknown): OcpkitError {
    return new OcpkitError([{ path: this.node.path, field: 'component', message: `${show(component)} is not a GitLab component; use one of ${Object.values(GitLabComponent).map((c) => `"${c}"`).join(', ')}` }]);
  }

  /**
   * Checks the props (every problem at once) and returns the chart's namespace, the GitLab release
   * and the database as the chart values need it (a PostgresCluster link resolved to its host and
   * the user's Secret).
   */
  private validate(props: GitLabProps): { namespace: string; gitlabVersion: string; database: GitLabDatabaseOptions } {
    const namespace = Chart.of(this).namespace;
    const p = new Problems(this.node.path);
    checkGitLabProps(p, props, namespace);
    const gitlabVersion = resolveGitLabRelease(p, props.chartVersion, props.gitlabVersion, props.operator instanceof GitLabOperator ? props.operator : undefined);
    if (gitlabVersion) checkAdvisories(p, 'gitlabVersion', gitlabVersion, props.edition === 'ee' ? 'ee' : 'ce', props.advisoryWaivers);
    if (!(props.migration instanceof GitLabDataMigration)) {
      p.add('migration', `${show(props.migration)}: declare where this GitLab's data comes from: GitLabDataMigration.newInstance(reason) for an empty instance, or GitLabDataMigration.fromLinuxPackage({ source, sourceVersion, railsSecret, backupsBucket, tmpBucket, s3cfg }) to restore an Omnibus GitLab`);
    } else {
      const buckets = Object.values(props.objectStorage?.buckets ?? {}).filter((b): b is string => typeof b === 'string');
      props.migration.check(p, 'migration', gitlabVersion, buckets);
    }
    const database = resolveDatabase(p, props.database, gitlabVersion);
    p.throwIfAny();
    return { namespace: namespace!, gitlabVersion: gitlabVersion!, database: database! };
  }

  /** The operator's `GitLab` CR; its chart values render at synth time, after every `addExtraVolume`. */
  private createResource(): GitLabResource {
    return new GitLabResource(this, 'Resource', {
      metadata: {
        name: this.props.name,
        namespace: this.namespace,
        annotations: { [DATA_MIGRATION_ANNOTATION]: this.migrationSteps.join('\n') },
      },
      spec: { chart: { version: this.props.chartVersion, values: Lazy.any({ produce: () => this.chartValues() }) } },
    });
  }

  /** The ConfigMap `<name>-secret-templates` holding {@link secretTemplates}. */
  private createSecretTemplates(): k8s.KubeConfigMap {
    return new k8s.KubeConfigMap(this, 'SecretTemplates', {
      metadata: {
        name: `${this.props.name}-secret-templates`,
        namespace: this.namespace,
        annotations: { 'ocpkit.io/purpose': 'templates of the Secrets the GitLab chart reads; placeholders in {{ }} are filled by whoever creates the Secret (External Secrets templateFrom, or by hand)' },
      },
      data: this.secretTemplates(),
    });
  }
}

/**
 * The props with the cdk8s `Size`s of the webservice and sidekiq memory turned into Quantities,
 * so the checks and the chart values see Quantities only; anything else is left for the checks.
 */
function withSizedQuantities(props: GitLabProps): GitLabProps {
  if (!props || typeof props !== 'object') return props;
  const sized = (s: GitLabComponentSizing | undefined): GitLabComponentSizing | undefined => {
    if (!s || typeof s !== 'object') return s;
    const out: Record<string, unknown> = { ...s };
    for (const f of ['memory', 'memoryLimit'] as const) if (f in s) out[f] = asQuantity(s[f]);
    return out as GitLabComponentSizing;
  };
  return {
    ...props,
    ...('webservice' in props ? { webservice: sized(props.webservice) } : {}),
    ...('sidekiq' in props ? { sidekiq: sized(props.sidekiq) } : {}),
  };
}
