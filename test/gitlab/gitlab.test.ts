import * as yaml from 'js-yaml';
import { Quantity } from '../../lib/core/quantity';
import { SecretKey } from '../../lib/core/secret-key';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { GitLab, GitLabComponent, GitLabOperator, OWNED_VALUE_PATHS } from '../../lib/gitlab';
import { find, synth } from '../_helpers';
import { fixture, gitlabProps, withGitLab } from './_fixture';

function values(f: { cluster: any }): any {
  return find(synth(f.cluster), 'GitLab', 'gitlab', 'gitlab-system').spec.chart.values;
}

describe('GitLab', () => {
  test('minimal instance: the exact chart values', () => {
    const f = withGitLab();
    const cr = find(synth(f.cluster), 'GitLab', 'gitlab', 'gitlab-system');
    expect(cr.apiVersion).toBe('apps.gitlab.com/v1beta1');
    expect(cr.spec.chart.version).toBe('9.11.4');
    expect(cr.metadata.annotations['argocd.argoproj.io/sync-options']).toContain('SkipDryRunOnMissingResource=true');
    expect(cr.spec.chart.values).toEqual({
      global: {
        edition: 'ce',
        hosts: { domain: 'example.org', https: true, gitlab: { name: 'gitlab.example.org', https: true }, ssh: 'git.example.org' },
        ingress: {
          class: 'openshift-default',
          configureCertmanager: false,
          annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt-dns' },
          tls: { enabled: true },
        },
        psql: { host: 'gitlab-db-primary.databases.svc', port: 5432, database: 'gitlabhq_production', username: 'gitlab', password: { secret: 'gitlab-db', key: 'password' } },
        redis: { host: 'redis.gitlab-system.svc', port: 6379, auth: { enabled: true, secret: 'gitlab-redis', key: 'password' } },
        gitaly: {
          enabled: false,
          external: [{ name: 'default', hostname: 'gitaly.gitlab-system.svc', port: 8075, tlsEnabled: false }],
          authToken: { secret: 'gitaly-secrets', key: 'auth-token' },
        },
        shell: { port: 22, authToken: { secret: 'gitaly-secrets', key: 'shell-secret' } },
        minio: { enabled: false },
        appConfig: {
          object_store: { enabled: true, proxy_download: true, connection: { secret: 'gitlab-object-storage', key: 'connection' } },
          artifacts: { bucket: 'gitlab-artifacts' },
          lfs: { bucket: 'gitlab-lfs' },
          uploads: { bucket: 'gitlab-uploads' },
          packages: { bucket: 'gitlab-packages' },
        },
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
        webservice: { ingress: { tls: { secretName: 'gitlab-gitlab-tls' } }, extraEnv: { USE_TINI: '1' } },
        sidekiq: { extraEnv: { USE_TINI: '1' } },
      },
    });
    expect(f.gitlab.url).toBe('https://gitlab.example.org');
  });

  test('namespaced Issuer, Redis without password, custom TLS secret and ingress class', () => {
    const f = withGitLab({
      tls: { issuer: { issuerName: 'gitlab-ca', issuerKind: 'Issuer' }, secretName: 'gitlab-web-tls' },
      redis: { host: '10.0.0.5', port: 6380 },
      ingressClass: 'internal',
      edition: 'ee',
    });
    const v = values(f);
    expect(v.global.ingress.annotations).toEqual({ 'cert-manager.io/issuer': 'gitlab-ca' });
    expect(v.global.ingress.class).toBe('internal');
    expect(v.global.redis).toEqual({ host: '10.0.0.5', port: 6380, auth: { enabled: false } });
    expect(v.gitlab.webservice.ingress.tls.secretName).toBe('gitlab-web-tls');
    expect(v.global.edition).toBe('ee');
  });

  test('optional buckets are enabled with their bucket', () => {
    const f = fixture();
    const base = gitlabProps(f);
    new GitLab(f.app, 'GitLab', {
      ...base,
      objectStorage: { ...base.objectStorage, proxyDownload: false, buckets: { ...base.objectStorage.buckets, externalDiffs: 'gitlab-mr-diffs', terraformState: 'gitlab-terraform', ciSecureFiles: 'gitlab-secure-files', dependencyProxy: 'gitlab-dependency-proxy' } },
    });
    const app = values(f).global.appConfig;
    expect(app.object_store.proxy_download).toBe(false);
    expect(app.externalDiffs).toEqual({ enabled: true, bucket: 'gitlab-mr-diffs' });
    expect(app.terraformState).toEqual({ enabled: true, bucket: 'gitlab-terraform' });
    expect(app.ciSecureFiles).toEqual({ enabled: true, bucket: 'gitlab-secure-files' });
    expect(app.dependencyProxy).toEqual({ enabled: true, bucket: 'gitlab-dependency-proxy' });
  });

  test('OIDC through Keycloak: omniauth values and the provider template', () => {
    const f = withGitLab({
      oidc: { issuer: 'https://id.example.org/realms/community', clientId: 'gitlab', provider: SecretKey.of('gitlab-oidc', 'provider'), autoSignIn: true, blockAutoCreatedUsers: true },
    });
    const result = synth(f.cluster);
    const v = find(result, 'GitLab', 'gitlab').spec.chart.values;
    expect(v.global.appConfig.omniauth).toEqual({
      enabled: true,
      allowSingleSignOn: ['openid_connect'],
      blockAutoCreatedUsers: true,
      autoSignInWithProvider: 'openid_connect',
      providers: [{ secret: 'gitlab-oidc', key: 'provider' }],
    });
    const cm = find(result, 'ConfigMap', 'gitlab-secret-templates', 'gitlab-system');
    const provider = yaml.load(cm.data['oidc-provider.yaml']) as any;
    expect(provider.name).toBe('openid_connect');
    expect(provider.args.issuer).toBe('https://id.example.org/realms/community');
    // identities keyed by the provider's immutable subject, not a renameable user name (review N2)
    expect(provider.args.uid_field).toBe('sub');
    expect(provider.args.client_options).toEqual({
      identifier: 'gitlab',
      secret: '{{ .client_secret }}',
      redirect_uri: 'https://gitlab.example.org/users/auth/openid_connect/callback',
    });
    const conn = yaml.load(cm.data['object-store-connection.yaml']) as any;
    expect(conn).toEqual({
      provider: 'AWS', region: 'us-east-1', endpoint: 'https://s3.example.org', path_style: true,
      aws_access_key_id: '{{ .access_key_id }}', aws_secret_access_key: '{{ .secret_access_key }}',
    });
  });

  test('linking a first OIDC login to an existing account by e-mail is an explicit choice', () => {
    const oidc = { issuer: 'https://id.example.org/realms/community', clientId: 'gitlab', provider: SecretKey.of('gitlab-oidc', 'provider') };
    expect(values(withGitLab({ oidc: { ...oidc, linkExistingAccountsByEmail: true } })).global.appConfig.omniauth.autoLinkUser).toEqual(['openid_connect']);
    expect(values(withGitLab({ oidc })).global.appConfig.omniauth.autoLinkUser).toBeUndefined();
  });

  test('outgoing mail through the relay: global.smtp and global.email', () => {
    const v = values(withGitLab({ smtp: { server: { host: 'mail-relay.infra-vms.svc', port: 25 }, from: 'gitlab@example.org' } }));
    expect(v.global.smtp).toEqual({ enabled: true, address: 'mail-relay.infra-vms.svc', port: 25, authentication: '', starttls_auto: false });
    expect(v.global.email).toEqual({ from: 'gitlab@example.org', display_name: 'GitLab', reply_to: 'gitlab@example.org' });
    expect(values(withGitLab()).global.smtp).toBeUndefined();
    const f = fixture();
    expect(() => new GitLab(f.app, 'GitLab', gitlabProps(f, { smtp: { server: { host: 'relay', port: 0 }, from: 'gitlab' } })))
      .toThrow(/smtp.server.port: 0 must be an integer[\s\S]*smtp.from: "gitlab" is not an e-mail address/);
  });

  test('webservice and sidekiq sizing', () => {
    const f = withGitLab({
      webservice: { minReplicas: 3, maxReplicas: 6, cpu: Quantity.parse('2'), memory: Quantity.parse('4Gi'), memoryLimit: Quantity.parse('6Gi') },
      sidekiq: { minReplicas: 2, maxReplicas: 4, memory: Quantity.parse('2Gi') },
    });
    const v = values(f);
    expect(v.gitlab.webservice).toEqual({
      ingress: { tls: { secretName: 'gitlab-gitlab-tls' } },
      extraEnv: { USE_TINI: '1' },
      minReplicas: 3, maxReplicas: 6,
      resources: { requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '6Gi' } },
    });
    expect(v.gitlab.sidekiq).toEqual({ minReplicas: 2, maxReplicas: 4, resources: { requests: { memory: '2Gi' } }, extraEnv: { USE_TINI: '1' } });
  });

  describe('values escape hatch', () => {
    test('deep-merged: objects merge, scalars and lists replace', () => {
      const f = withGitLab({
        values: {
          registry: { enabled: true, storage: { secret: 'registry-storage', key: 'config' } },
          global: { appConfig: { ldap: { servers: {} }, lfs: { proxy_download: false } }, time_zone: 'Europe/Berlin' },
          gitlab: { webservice: { workerProcesses: 4 } },
        },
      });
      const v = values(f);
      expect(v.registry).toEqual({ enabled: true, storage: { secret: 'registry-storage', key: 'config' } });
      expect(v.global.time_zone).toBe('Europe/Berlin');
      expect(v.global.appConfig.lfs).toEqual({ bucket: 'gitlab-lfs', proxy_download: false });
      expect(v.gitlab.webservice).toEqual({ ingress: { tls: { secretName: 'gitlab-gitlab-tls' } }, extraEnv: { USE_TINI: '1' }, workerProcesses: 4 });
      expect(v.global.psql.host).toBe('gitlab-db-primary.databases.svc');
    });

    test('owned paths the typed props do not set are free (psql.ssl)', () => {
      const f = withGitLab({ values: { global: { psql: { ssl: { secret: 'db-ca', serverCA: 'ca.crt' } } } } });
      expect(values(f).global.psql.ssl).toEqual({ secret: 'db-ca', serverCA: 'ca.crt' });
    });

    test('conflicts with typed props are refused, naming the path', () => {
      const f = fixture();
      expect(() => new GitLab(f.app, 'GitLab', gitlabProps(f, { values: { global: { psql: { host: 'other-db' }, gitaly: { enabled: true } } } })))
        .toThrow(/\[GitLab\/GitLab\] values.global.psql.host: is set by the typed props \(global.psql belongs to them\)[\s\S]*values.global.gitaly.enabled: is set by the typed props/);
    });

    test('plaintext credentials are refused', () => {
      const f = fixture();
      expect(() => new GitLab(f.app, 'GitLab', gitlabProps(f, { values: { global: { smtp: { password: 'hunter2' } }, gitlab: { x: [{ token: 'abc' }] } } })))
        .toThrow(/values.global.smtp.password: holds a plaintext credential[\s\S]*values.gitlab.x\[0\].token: holds a plaintext credential/);
    });

    test('extra volumes from values are concatenated after typed ones', () => {
      const f = withGitLab({ values: { gitlab: { webservice: { extraVolumes: '- name: extra\n  emptyDir: {}\n', extraVolumeMounts: '- name: extra\n  mountPath: /extra\n' } } } });
      f.gitlab.addExtraVolume(GitLabComponent.WEBSERVICE, { name: 'typed', emptyDir: {} }, { name: 'typed', mountPath: '/typed' });
      const v = values(f);
      expect(yaml.load(v.gitlab.webservice.extraVolumes)).toEqual([{ name: 'typed', emptyDir: {} }, { name: 'extra', emptyDir: {} }]);
      expect(yaml.load(v.gitlab.webservice.extraVolumeMounts)).toEqual([{ name: 'typed', mountPath: '/typed' }, { name: 'extra', mountPath: '/extra' }]);
    });

    test('environment added by constructs reaches extraEnv / extraEnvFrom; the same variable in values is refused', () => {
      const f = withGitLab({ values: { gitlab: { webservice: { extraEnv: { OTHER: '1' } } } } });
      f.gitlab.addExtraEnv(GitLabComponent.WEBSERVICE, 'POD_NAME', { valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
      f.gitlab.addExtraEnv(GitLabComponent.SIDEKIQ, 'FLAG', 'on');
      const v = values(f);
      expect(v.gitlab.webservice.extraEnvFrom).toEqual({ POD_NAME: { fieldRef: { fieldPath: 'metadata.name' } } });
      expect(v.gitlab.webservice.extraEnv).toEqual({ USE_TINI: '1', OTHER: '1' });
      expect(v.gitlab.sidekiq.extraEnv).toEqual({ USE_TINI: '1', FLAG: 'on' });
      expect(() => f.gitlab.addExtraEnv(GitLabComponent.SIDEKIQ, 'FLAG', 'off')).toThrow(/gitlab.sidekiq.extraEnv: FLAG is already set/);
      expect(() => f.gitlab.addExtraEnv(GitLabComponent.SIDEKIQ, '1X', 'off')).toThrow(/"1X" is not an environment variable name/);

      const g = withGitLab({ values: { gitlab: { sidekiq: { extraEnv: { FLAG: 'off' } } } } });
      g.gitlab.addExtraEnv(GitLabComponent.SIDEKIQ, 'FLAG', 'on');
      expect(() => g.gitlab.chartValues()).toThrow(/values.gitlab.sidekiq.extraEnv.FLAG: is set by the typed props/);
    });

    test('extra volumes that are not a YAML list are refused', () => {
      const f = fixture();
      expect(() => new GitLab(f.app, 'GitLab', gitlabProps(f, { values: { gitlab: { sidekiq: { extraVolumes: 'name: x' } } } })))
        .toThrow(/values.gitlab.sidekiq.extraVolumes: "name: x" is not a YAML list of volumes/);
    });

    test('the owned paths are documented', () => {
      expect(OWNED_VALUE_PATHS).toContain('global.gitaly');
      expect(OWNED_VALUE_PATHS).toContain('global.psql');
    });
  });

  test('no plaintext secret anywhere in the synthesized output', () => {
    const f = withGitLab({ oidc: { issuer: 'https://id.example.org/realms/community', clientId: 'gitlab', provider: SecretKey.of('gitlab-oidc', 'provider') } });
    const text = [...synth(f.cluster).files.values()].join('\n');
    expect(text).not.toMatch(/kind: Secret\b/);
    expect(text).not.toMatch(/password: ['"]?[^{\n]*[^}\n'"]$/m);
  });

  describe('bad input', () => {
    const cases: [string, (f: any) => any, RegExp][] = [
      ['hostname not a DNS name', () => ({ hostname: 'GitLab Server' }), /\[GitLab\/GitLab\] hostname: "GitLab Server" is not a DNS host name/],
      ['hostname with scheme', () => ({ hostname: 'https://gitlab.example.org' }), /hostname: "https:\/\/gitlab.example.org" is not a DNS host name/],
      ['domain', () => ({ domain: 'example' }), /domain: "example" is not a DNS host name/],
      ['chart version not a version', () => ({ chartVersion: 'latest' }), /\[GitLab\/GitLab\] chartVersion: "latest" is not a chart version; write a semantic version such as "7.6.0"/],
      ['chart version with v', () => ({ chartVersion: 'v7.6.0' }), /chartVersion: "v7.6.0" is not a chart version.*drop the leading "v": "7.6.0"/],
      ['chart version the operator does not deploy', () => ({ chartVersion: '8.0.0' }), /chartVersion: "8.0.0" is not accepted by gitlab-operator-kubernetes.v2.11.3; it deploys chart 9.11.4/],
      ['Secret reference without a key (not a SecretKey)', () => ({ database: { host: 'db', password: { secretName: 'gitlab-db' } } }), /database.password: \{"secretName":"gitlab-db"\} is not a Secret reference; use SecretKey.of\(secretName, key\)/],
      ['database password as plaintext', () => ({ database: { host: 'db', password: 'hunter2' } }), /database.password: "hunter2" is not a Secret reference/],
      ['database port', () => ({ database: { host: 'db', port: 70000, password: SecretKey.of('db', 'password') } }), /database.port: 70000 must be an integer from 1 to 65535/],
      ['object storage without a bucket', (f) => ({ objectStorage: { ...gitlabProps(f).objectStorage, buckets: { artifacts: 'gitlab-artifacts', lfs: 'gitlab-lfs', uploads: 'gitlab-uploads' } } }), /objectStorage.buckets.packages: has no bucket; object storage needs a bucket for packages/],
      ['object storage without buckets at all', (f) => ({ objectStorage: { ...gitlabProps(f).objectStorage, buckets: undefined } }), /objectStorage.buckets: is required: name the bucket of each object type/],
      ['bad bucket name', (f) => ({ objectStorage: { ...gitlabProps(f).objectStorage, buckets: { ...gitlabProps(f).objectStorage.buckets, lfs: 'Git_LFS' } } }), /objectStorage.buckets.lfs: "Git_LFS" is not an S3 bucket name/],
      ['shared bucket', (f) => ({ objectStorage: { ...gitlabProps(f).objectStorage, buckets: { ...gitlabProps(f).objectStorage.buckets, lfs: 'gitlab-artifacts' } } }), /objectStorage.buckets.lfs: "gitlab-artifacts" is also the artifacts bucket/],
      ['object storage endpoint', (f) => ({ objectStorage: { ...gitlabProps(f).objectStorage, endpoint: 's3.example.org' } }), /objectStorage.endpoint: "s3.example.org" is not an S3 endpoint URL/],
      ['OIDC issuer not https', () => ({ oidc: { issuer: 'http://id.example.org', clientId: 'gitlab', provider: SecretKey.of('oidc', 'provider') } }), /oidc.issuer: "http:\/\/id.example.org" is not an https URL/],
      ['OIDC without client id', () => ({ oidc: { issuer: 'https://id.example.org', clientId: '', provider: SecretKey.of('oidc', 'provider') } }), /oidc.clientId: "" must be a non-empty string/],
      ['replicas min above max', () => ({ webservice: { minReplicas: 5, maxReplicas: 2 } }), /webservice.maxReplicas: 2 is below minReplicas 5/],
      ['memory as string', () => ({ sidekiq: { memory: '4GB' } }), /sidekiq.memory: "4GB" must be a Quantity/],
      ['limit below request', () => ({ webservice: { memory: Quantity.parse('4Gi'), memoryLimit: Quantity.parse('2Gi') } }), /webservice.memoryLimit: 2Gi is below the memory request 4Gi/],
      ['issuer', () => ({ tls: { issuer: 'letsencrypt' } }), /tls.issuer: must be a cert-manager issuer/],
      ['sizing null', () => ({ webservice: null }), /\[GitLab\/GitLab\] webservice: null is not a sizing; give \{ minReplicas, maxReplicas, cpu, memory, memoryLimit \} or leave webservice out/],
      ['sizing as a number', () => ({ sidekiq: 2 }), /\[GitLab\/GitLab\] sidekiq: 2 is not a sizing/],
      ['OIDC null', () => ({ oidc: null }), /\[GitLab\/GitLab\] oidc: null is not an OpenID Connect setting; give \{ issuer, clientId, provider \}/],
      ['name', () => ({ name: 'GitLab' }), /name: "GitLab" is not a DNS-1123 label/],
      ['values not an object', () => ({ values: ['x'] }), /values: \["x"\] must be an object of chart values/],
    ];
    test.each(cases)('%s', (_n, override, message) => {
      const f = fixture();
      expect(() => new GitLab(f.app, 'GitLab', gitlabProps(f, override(f)))).toThrow(message);
    });

    test('SecretKey.of without a key', () => {
      expect(() => SecretKey.of('gitlab-db', '')).toThrow(/\[SecretKey gitlab-db\] key: "" is not a Secret key/);
    });

    test('outside a namespaced GitOpsApp', () => {
      const f = fixture();
      const bare = new GitOpsApp(f.cluster, 'Bare', { name: 'bare' });
      expect(() => new GitLab(bare, 'GitLab', gitlabProps(f))).toThrow(/\[Bare\/GitLab\] namespace: a GitLab must be defined inside a GitOpsApp with a namespace/);
    });

    test('namespace the operator does not watch', () => {
      const f = fixture();
      const other = new GitOpsApp(f.cluster, 'Other', { name: 'other', namespace: 'elsewhere' });
      expect(() => new GitLab(other, 'GitLab', gitlabProps(f))).toThrow(/namespace: "elsewhere" is not watched by the GitLab Operator, which watches "gitlab-system"/);
    });

    test('a plain operator prop that is not a GitLabOperator', () => {
      const f = fixture();
      expect(() => new GitLab(f.app, 'GitLab', gitlabProps(f, { operator: {} as GitLabOperator }))).toThrow(/operator: must be a GitLabOperator/);
    });

    test('every problem at once', () => {
      const f = fixture();
      expect(() => new GitLab(f.app, 'GitLab', gitlabProps(f, { hostname: 'x', chartVersion: 'x' }))).toThrow(/3 problems found/);
    });

    test('addExtraVolume twice with the same name', () => {
      const f = withGitLab();
      f.gitlab.addExtraVolume(GitLabComponent.SIDEKIQ, { name: 'v', emptyDir: {} }, { name: 'v', mountPath: '/v' });
      expect(() => f.gitlab.addExtraVolume(GitLabComponent.SIDEKIQ, { name: 'v', emptyDir: {} }, { name: 'v', mountPath: '/w' }))
        .toThrow(/\[GitLab\/GitLab\] gitlab.sidekiq.extraVolumes: a volume named "v" is already mounted/);
      expect(() => f.gitlab.addExtraVolume('toolbox' as GitLabComponent, {}, {})).toThrow(/component: "toolbox" is not a GitLab component/);
    });
  });
});
