import { Problems } from '../core/errors';
import { credentialKeyValues, dottedPath, scanTree } from '../core/secret-scan';
import { concatYamlLists, deepMerge, getPath, leafPaths, plaintextSecrets, setPath, Values } from './_values';
// Type-only: gitlab.ts imports this module at run time, so no value may come back from it.
import type { GitLabBuckets, GitLabComponentSizing, ResolvedGitLabProps } from './gitlab';

/**
 * The GitLab chart values as pure functions of the props, testable without a construct tree:
 * the values the typed props produce ({@link typedChartValues}), the paths they own
 * (`OWNED_VALUE_PATHS`) and the rules that merge the free-form `values` over them
 * ({@link mergeChartValues}).
 */

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
  'global.smtp',
  'global.email',
  'global.railsSecrets',
  'global.appConfig.backups',
  'gitlab.toolbox.backups.objectStorage.config',
];

/** Chart value key (under `global.appConfig`) of each object type's bucket. */
export const BUCKET_VALUE_KEYS: Readonly<Record<keyof GitLabBuckets, string>> = {
  artifacts: 'artifacts', lfs: 'lfs', uploads: 'uploads', packages: 'packages',
  externalDiffs: 'externalDiffs', terraformState: 'terraformState', ciSecureFiles: 'ciSecureFiles', dependencyProxy: 'dependencyProxy',
};

/** Object types that always live in object storage (the others are opted into with `enabled: true`). */
export const REQUIRED_BUCKETS: readonly (keyof GitLabBuckets)[] = ['artifacts', 'lfs', 'uploads', 'packages'];

/** Name of the OmniAuth OpenID Connect provider, in the chart values and in the provider Secret. */
export const OIDC_PROVIDER = 'openid_connect';

/** One extra volume of a component and its mount (`gitlab.<component>.extraVolumes` / `extraVolumeMounts`). */
export interface ExtraVolume {
  readonly volume: Values;
  readonly mount: Values;
}

/** Extra volumes added through `GitLab.addExtraVolume`, by chart component (`webservice`, `sidekiq`). */
export type ExtraVolumes = Readonly<Record<string, readonly ExtraVolume[]>>;

/**
 * Environment of a component's containers added by constructs (`GitLab.addExtraEnv`): `env` goes
 * to the chart's `gitlab.<component>.extraEnv` (a map of plain values) and `envFrom` to its
 * `extraEnvFrom` (a map of name to a Kubernetes `valueFrom` source such as `fieldRef`).
 */
export interface ComponentEnv {
  readonly env?: Readonly<Record<string, string>>;
  readonly envFrom?: Readonly<Record<string, Values>>;
}

/** Environment added by constructs, by chart component. */
export type ExtraEnvs = Readonly<Record<string, ComponentEnv>>;

/** The chart values that `extraEnvs` produce (`gitlab.<component>.extraEnv` / `extraEnvFrom`). */
export function envValues(extraEnvs: ExtraEnvs): Values {
  const gitlab: Values = {};
  for (const [component, e] of Object.entries(extraEnvs)) {
    const c: Values = {};
    if (e.env && Object.keys(e.env).length) c.extraEnv = { ...e.env };
    if (e.envFrom && Object.keys(e.envFrom).length) c.extraEnvFrom = { ...e.envFrom };
    if (Object.keys(c).length) gitlab[component] = c;
  }
  return Object.keys(gitlab).length ? { gitlab } : {};
}

/** The chart values the typed props produce (props already validated). */
export function typedChartValues(props: ResolvedGitLabProps): Values {
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
  for (const [prop, key] of Object.entries(BUCKET_VALUE_KEYS) as [keyof GitLabBuckets, string][]) {
    const bucket = os.buckets[prop];
    if (bucket === undefined) continue;
    appConfig[key] = REQUIRED_BUCKETS.includes(prop) ? { bucket } : { enabled: true, bucket };
  }
  const migrationValues = props.migration?.chartValues() ?? {};
  const migration = migrationValues.global as Values | undefined;
  const toolbox = (migrationValues.gitlab as Values | undefined)?.toolbox as Values | undefined;
  if (migration?.appConfig) Object.assign(appConfig, migration.appConfig);
  if (props.oidc) {
    appConfig.omniauth = {
      enabled: true,
      allowSingleSignOn: [OIDC_PROVIDER],
      ...(props.oidc.linkExistingAccountsByEmail ? { autoLinkUser: [OIDC_PROVIDER] } : {}),
      blockAutoCreatedUsers: props.oidc.blockAutoCreatedUsers ?? false,
      ...(props.oidc.autoSignIn ? { autoSignInWithProvider: OIDC_PROVIDER } : {}),
      providers: [{ secret: props.oidc.provider.secretName, key: props.oidc.provider.key }],
    };
  }
  return {
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
      ...customCAs(props),
      ...(migration?.railsSecrets ? { railsSecrets: migration.railsSecrets } : {}),
      minio: { enabled: false },
      ...smtpValues(props),
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
      ...(toolbox ? { toolbox } : {}),
    },
  };
}

/**
 * `global.certificates.customCAs`: the external Gitaly's CA Secret and the object store's private
 * CA ConfigMap. The chart (gitlab-org/charts/gitlab templates/_certificates.tpl, read on
 * integratop/gitlab-org-charts-mirror @ 3403350c8, chart 9.9.1+; values.yaml
 * `global.certificates.customCAs` with `secret` or `configMap` and optional `keys`) projects them
 * into the certificates init container, which builds the trust store the pods mount
 * (etc-ssl-certs, etc-pki-ca-trust-extracted-pem).
 */
function customCAs(props: ResolvedGitLabProps): Values {
  const list: Values[] = [];
  if (props.gitaly.caSecretName) list.push({ secret: props.gitaly.caSecretName });
  const ca = typeof props.objectStorage.endpoint === 'string' ? undefined : props.objectStorage.endpoint.ca;
  if (ca) list.push({ configMap: ca.configMap, keys: [ca.key] });
  return list.length ? { certificates: { customCAs: list } } : {};
}

/**
 * `global.smtp` / `global.email` for an unauthenticated relay inside the cluster network (plain
 * SMTP, no STARTTLS: the relay is a Service on the pod network).
 */
function smtpValues(props: ResolvedGitLabProps): Values {
  const m = props.smtp;
  if (!m) return {};
  return {
    smtp: { enabled: true, address: m.server.host, port: m.server.port, authentication: '', starttls_auto: false },
    email: { from: m.from, display_name: m.displayName ?? 'GitLab', reply_to: m.replyTo ?? m.from },
  };
}

/** Replicas and resources of one component, only what the sizing sets. */
export function sizingValues(s: GitLabComponentSizing | undefined): Values {
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

/**
 * Merges the free-form `extra` values over the `typed` ones (neither is modified) and records in
 * `p` what the merge refuses, each under the field `values.<path>`:
 * - a credential in plain text anywhere in `extra` (by key, by type under a credential key, or by content);
 * - a path below one of `OWNED_VALUE_PATHS` that the typed values set too, or an environment
 *   variable of a component that a construct added (`extraEnvs`, with `GitLab.addExtraEnv`);
 * - an `extraVolumes` / `extraVolumeMounts` value that is not a YAML list.
 * Objects merge key by key, scalars and lists replace, except `gitlab.<component>.extraVolumes` /
 * `extraVolumeMounts`, which are the typed `extraVolumes` followed by the ones in `extra`.
 * Returns the merged values; they are only meaningful when nothing was recorded.
 */
export function mergeChartValues(p: Problems, typedProps: Values, extra: Values, extraVolumes: ExtraVolumes, extraEnvs: ExtraEnvs = {}): Values {
  checkNoCredentials(p, extra);
  const typed = deepMerge(typedProps, envValues(extraEnvs));
  checkOwnedPaths(p, typed, extra, Object.keys(extraEnvs).flatMap((c) => [`gitlab.${c}.extraEnv`, `gitlab.${c}.extraEnvFrom`]));
  const merged = deepMerge(typed, extra);
  for (const [component, volumes] of Object.entries(extraVolumes)) {
    for (const [field, pick] of [['extraVolumes', (v: ExtraVolume) => v.volume], ['extraVolumeMounts', (v: ExtraVolume) => v.mount]] as const) {
      const path = `gitlab.${component}.${field}`;
      try {
        const combined = concatYamlLists(path, volumes.map(pick), getPath(extra, path));
        if (combined !== undefined) setPath(merged, path, combined);
      } catch (e) {
        p.add(`values.${path}`, (e as Error).message.replace(`${path}: `, ''));
      }
    }
  }
  return merged;
}

/** Plaintext credentials in the free-form values, each reported once. */
function checkNoCredentials(p: Problems, extra: Values): void {
  const byKey = plaintextSecrets(extra);
  for (const path of byKey) {
    p.add(`values.${path}`, 'holds a plaintext credential; reference a Secret instead ({secret: name, key: key}), secrets are never written into manifests');
  }
  // Any type under a credential key (numbers, lists, {value: ...}), env lists, and secrets by content anywhere.
  const reported = new Set(byKey);
  for (const hit of [...credentialKeyValues(extra), ...scanTree(extra)]) {
    const path = dottedPath(hit.path);
    if (reported.has(path)) continue;
    reported.add(path);
    p.add(`values.${path}`, `holds ${hit.what}; chart values are written into Git in plain text. Reference a Secret instead ({secret: name, key: key}); secrets are never written into manifests`);
  }
}

/** Free-form values below a path the typed props own, where the typed values set it too. */
function checkOwnedPaths(p: Problems, typed: Values, extra: Values, alsoOwned: readonly string[]): void {
  const owned = [...OWNED_VALUE_PATHS, ...alsoOwned];
  for (const path of leafPaths(extra)) {
    const owner = owned.find((o) => path === o || path.startsWith(`${o}.`));
    if (!owner) continue;
    if (getPath(typed, path) !== undefined) {
      p.add(`values.${path}`, `is set by the typed props (${owner} belongs to them); change the typed prop instead of overriding it`);
    }
  }
}
