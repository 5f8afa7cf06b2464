import * as yaml from 'js-yaml';
import { Issuers } from '../../lib/certs/issuer';
import { Problems } from '../../lib/core/errors';
import { Quantity } from '../../lib/core/quantity';
import { SecretKey } from '../../lib/core/secret-key';
import { checkGitLabProps } from '../../lib/gitlab/_check-gitlab-props';
import { ExtraVolumes, mergeChartValues, OWNED_VALUE_PATHS, typedChartValues } from '../../lib/gitlab/chart-values';
import { ResolvedGitLabProps } from '../../lib/gitlab/gitlab';
import { GitLabDataMigration } from '../../lib/gitlab/data-migration';
import { renderSecretTemplates } from '../../lib/gitlab/secret-templates';

// The pure parts of GitLab: props in, values (or problems) out, no construct tree.

const gitaly = {
  storageName: 'default',
  gitalyHost: 'gitaly.gitlab-system.svc',
  gitalyPort: 8075,
  tlsEnabled: false,
  sshHost: 'git.example.org',
  sshPort: 22,
  authToken: SecretKey.of('gitaly-secrets', 'auth-token'),
  shellSecret: SecretKey.of('gitaly-secrets', 'shell-secret'),
};

function props(override: Partial<ResolvedGitLabProps> = {}): ResolvedGitLabProps {
  return {
    name: 'gitlab',
    chartVersion: '9.11.4',
    hostname: 'gitlab.example.org',
    domain: 'example.org',
    tls: { issuer: Issuers.clusterIssuer('letsencrypt-dns') },
    database: { host: 'db.example.org', password: SecretKey.of('gitlab-db', 'password') },
    redis: { host: 'redis.example.org' },
    objectStorage: {
      endpoint: 'https://s3.example.org',
      connection: SecretKey.of('gitlab-object-storage', 'connection'),
      buckets: { artifacts: 'gitlab-artifacts', lfs: 'gitlab-lfs', uploads: 'gitlab-uploads', packages: 'gitlab-packages', terraformState: 'gitlab-tfstate' },
    },
    gitaly,
    migration: GitLabDataMigration.newInstance('test'),
    ...override,
  };
}

const NO_VOLUMES: ExtraVolumes = { webservice: [], sidekiq: [] };

function merge(extra: object, volumes: ExtraVolumes = NO_VOLUMES): { values: any; problems: string[] } {
  const p = new Problems('test');
  const values = mergeChartValues(p, typedChartValues(props()), extra as Record<string, unknown>, volumes);
  return { values, problems: p.all.map((x) => `${x.field}: ${x.message}`) };
}

describe('typedChartValues', () => {
  test('defaults of the external services, optional buckets opted in, Redis without a password', () => {
    const v: any = typedChartValues(props());
    expect(v.global.psql).toEqual({ host: 'db.example.org', port: 5432, database: 'gitlabhq_production', username: 'gitlab', password: { secret: 'gitlab-db', key: 'password' } });
    expect(v.global.redis).toEqual({ host: 'redis.example.org', port: 6379, auth: { enabled: false } });
    expect(v.global.appConfig.artifacts).toEqual({ bucket: 'gitlab-artifacts' });
    expect(v.global.appConfig.terraformState).toEqual({ enabled: true, bucket: 'gitlab-tfstate' });
    expect(v.global.appConfig.omniauth).toBeUndefined();
    expect(v.gitlab.sidekiq).toBeUndefined();
  });

  test('OIDC with auto sign-in, and sizing of both components', () => {
    const v: any = typedChartValues(props({
      oidc: { issuer: 'https://id.example.org/realms/community', clientId: 'gitlab', provider: SecretKey.of('gitlab-oidc', 'provider'), autoSignIn: true },
      webservice: { minReplicas: 3, memory: Quantity.gibibytes(4), memoryLimit: Quantity.gibibytes(6) },
      sidekiq: { cpu: Quantity.parse('2') },
    }));
    expect(v.global.appConfig.omniauth).toMatchObject({ autoSignInWithProvider: 'openid_connect', providers: [{ secret: 'gitlab-oidc', key: 'provider' }] });
    expect(v.gitlab.webservice).toEqual({ ingress: { tls: { secretName: 'gitlab-gitlab-tls' } }, minReplicas: 3, resources: { requests: { memory: '4Gi' }, limits: { memory: '6Gi' } } });
    expect(v.gitlab.sidekiq).toEqual({ resources: { requests: { cpu: '2' } } });
  });
});

describe('mergeChartValues', () => {
  test('free-form values merge over the typed ones without modifying either', () => {
    const extra = { registry: { enabled: true }, global: { appConfig: { omniauth: { enabled: false } } } };
    const typed = typedChartValues(props());
    const before = JSON.stringify(typed);
    const p = new Problems('test');
    const v: any = mergeChartValues(p, typed, extra, NO_VOLUMES);
    expect(p.all).toEqual([]);
    expect(v.registry).toEqual({ enabled: true });
    // an owned path the typed props leave unset (no oidc) is the user's to set
    expect(v.global.appConfig.omniauth).toEqual({ enabled: false });
    expect(v.global.psql.host).toBe('db.example.org');
    expect(JSON.stringify(typed)).toBe(before);
    expect(extra).toEqual({ registry: { enabled: true }, global: { appConfig: { omniauth: { enabled: false } } } });
  });

  test('an owned path the typed props set is refused, naming its owner', () => {
    expect(OWNED_VALUE_PATHS).toContain('global.psql');
    expect(merge({ global: { psql: { host: 'other-db' } } }).problems)
      .toEqual(['values.global.psql.host: is set by the typed props (global.psql belongs to them); change the typed prop instead of overriding it']);
  });

  test('a plaintext credential is refused once, by key', () => {
    expect(merge({ global: { smtp: { password: 'hunter2' } } }).problems)
      .toEqual(['values.global.smtp.password: holds a plaintext credential; reference a Secret instead ({secret: name, key: key}), secrets are never written into manifests']);
  });

  test('extra volumes: the typed ones first, then the free-form YAML list', () => {
    const volumes: ExtraVolumes = { webservice: [], sidekiq: [{ volume: { name: 'logs', emptyDir: {} }, mount: { name: 'logs', mountPath: '/logs' } }] };
    const { values, problems } = merge({ gitlab: { sidekiq: { extraVolumes: '- name: extra\n  emptyDir: {}\n' } } }, volumes);
    expect(problems).toEqual([]);
    expect(yaml.load(values.gitlab.sidekiq.extraVolumes)).toEqual([{ name: 'logs', emptyDir: {} }, { name: 'extra', emptyDir: {} }]);
    expect(yaml.load(values.gitlab.sidekiq.extraVolumeMounts)).toEqual([{ name: 'logs', mountPath: '/logs' }]);
    expect(values.gitlab.webservice.extraVolumes).toBeUndefined();
  });

  test('extra volumes that are not a YAML list are refused under values.<path>', () => {
    expect(merge({ gitlab: { webservice: { extraVolumeMounts: 42 } } }).problems)
      .toEqual([expect.stringMatching(/^values\.gitlab\.webservice\.extraVolumeMounts: 42 is not a YAML list of volumes/)]);
  });
});

describe('renderSecretTemplates', () => {
  test('the fog connection always, the OIDC provider only with OIDC, redirect below the URL', () => {
    const plain = renderSecretTemplates(props().objectStorage, undefined, 'https://gitlab.example.org');
    expect(Object.keys(plain)).toEqual(['object-store-connection.yaml']);
    expect(yaml.load(plain['object-store-connection.yaml'])).toMatchObject({ region: 'us-east-1', endpoint: 'https://s3.example.org', aws_secret_access_key: '{{ .secret_access_key }}' });
    const oidc = renderSecretTemplates(props().objectStorage, { issuer: 'https://id.example.org/realms/c', clientId: 'gitlab', provider: SecretKey.of('gitlab-oidc', 'provider') }, 'https://gitlab.example.org');
    expect((yaml.load(oidc['oidc-provider.yaml']) as any).args.client_options).toEqual({
      identifier: 'gitlab', secret: '{{ .client_secret }}', redirect_uri: 'https://gitlab.example.org/users/auth/openid_connect/callback',
    });
  });
});

describe('checkGitLabProps', () => {
  test('valid props in a namespace: no problem; without a namespace: one', () => {
    const ok = new Problems('test');
    checkGitLabProps(ok, props(), 'gitlab-system');
    expect(ok.all).toEqual([]);
    const p = new Problems('test');
    checkGitLabProps(p, props(), undefined);
    expect(p.all.map((x) => x.field)).toEqual(['namespace']);
  });

  test('every Secret reference is checked by the same rule', () => {
    const p = new Problems('test');
    checkGitLabProps(p, props({ redis: { host: 'redis', password: 'pw' as unknown as SecretKey }, gitaly: { ...gitaly, shellSecret: undefined as unknown as SecretKey } }), 'gitlab-system');
    expect(p.all.map((x) => `${x.field}: ${x.message}`)).toEqual([
      'redis.password: "pw" is not a Secret reference; use SecretKey.of(secretName, key), secret values are never written into manifests',
      'gitaly.shellSecret: undefined is not a Secret reference; use SecretKey.of(secretName, key), secret values are never written into manifests',
    ]);
  });
});
