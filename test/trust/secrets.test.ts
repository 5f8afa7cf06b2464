/**
 * Class 3 of issue 11: no plaintext credential reaches dist/, the terminal or a PR comment.
 * Written from the class: credentials in every URL-shaped field, secret material by content in
 * construct inputs and in any manifest (policy), masking by content in `ocpkit diff`; and no
 * message or diff output ever contains the secret itself.
 */
import { BackupStorage, BucketEncryption } from '../../lib/backup';
import { OcpkitError, show } from '../../lib/core/errors';
import { gitUrl, httpsUrl, httpUrl } from '../../lib/core/rules';
import { SecretKey } from '../../lib/core/secret-key';
import { detectSecret, redactSecrets } from '../../lib/core/secret-scan';
import { DataFile } from '../../lib/data/data-file';
import { diffTreeFiles } from '../../lib/diff/diff-trees';
import { formatMarkdown } from '../../lib/diff/format-markdown';
import { formatText } from '../../lib/diff/format-text';
import { maskString, maskValue, MASKED } from '../../lib/diff/masking';
import { Cluster } from '../../lib/gitops/cluster';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { GitLab, GitLabRunner } from '../../lib/gitlab';
import { ExternalImage, ContainerApp } from '../../lib/openshift';
import { checkPolicies } from '../../lib/policy/check-policies';
import { NO_LITERAL_SECRETS } from '../../lib/policy/no-literal-secrets';
import { CloudInit, DiskSource, parseVmFile, VirtualMachine, VirtualMachineProps } from '../../lib/virt';
import { testCluster } from '../_helpers';
import { fixture, gitlabProps } from '../gitlab/_fixture';
import { thrown } from './_refused';

// Fake credentials in the documented formats; each must never appear in any message or output.
const PASSWORD = 'Hunter2-Corr3ct-Horse';
const GLPAT = 'glpat-Xy7Qw3Er9Ty2Ui8Op4As';
const GLRT = 'glrt-t1_Zq9Wx8Ec7Rv6Tb5Yn4Um3';
const GHP = 'ghp_aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5';
const GH_PAT = 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop';
const SLACK = 'xoxb-123456789012-abcdefghijkl';
const AKIA = 'AKIAIOSFODNN7EXAMPLE';
const SK = 'sk-proj-Abc123Def456Ghi789Jkl012';
const KEY_BODY = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ';
const PEM = `-----BEGIN OPENSSH PRIVATE KEY-----\n${KEY_BODY}\n-----END OPENSSH PRIVATE KEY-----\n`;
const RSA = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAzQ7d\n-----END RSA PRIVATE KEY-----\n';
const B64_PEM = Buffer.from(RSA).toString('base64');
const B64_PEM_SHIFTED = Buffer.from(`x\n${RSA}`).toString('base64');
const DOCKER_CONFIG = JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from(`robot:${PASSWORD}`).toString('base64') } } });
const B64_DOCKER_CONFIG = Buffer.from(DOCKER_CONFIG).toString('base64');
const HASH = '$6$rounds=4096$saltsalt$Q9Zz0wJ9rQ4nKx8E1mHk9Wb0uX2pVq3sTt6rYy5Zz';

/** Every secret string of this file: none may occur in a message or an output. */
const SECRETS = [PASSWORD, GLPAT, GLRT, GHP, GH_PAT, SLACK, AKIA, SK, KEY_BODY, 'MIIEowIBAAKCAQEAzQ7d', B64_PEM.slice(0, 40), HASH, B64_DOCKER_CONFIG.slice(12, 60), Buffer.from(`robot:${PASSWORD}`).toString('base64')];
function expectNoSecret(text: string): void {
  for (const s of SECRETS) expect(text).not.toContain(s);
}

describe('content detector', () => {
  const positives: [string, string, RegExp][] = [
    ['PEM private key', `key: |\n  ${PEM}`, /private key/],
    ['RSA key in JSON (escaped newlines)', JSON.stringify({ key: RSA }), /private key/],
    ['PuTTY key file', 'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none', /private key/],
    ['base64 of a PEM key (kubeconfig client-key-data)', `client-key-data: ${B64_PEM}`, /base64-encoded private key/],
    ['base64 of a PEM key at another byte alignment', B64_PEM_SHIFTED, /base64-encoded private key/],
    ['GitLab personal access token', `token=${GLPAT}`, /GitLab token/],
    ['GitLab runner token', GLRT, /GitLab token/],
    ['GitLab deploy token', 'gldt-AbCdEfGhIjKlMnOpQrStUv', /GitLab token/],
    ['GitHub classic token', GHP, /GitHub token/],
    ['GitHub fine-grained token', GH_PAT, /GitHub token/],
    ['Slack bot token', SLACK, /Slack token/],
    ['AWS access key id', `aws_access_key_id = ${AKIA}`, /AWS access key/],
    ['sk- API key', `OPENAI=${SK}`, /API secret key/],
    ['URL with user:password', `https://deploy:${PASSWORD}@gitlab.example.org/infra.git`, /URL with a password/],
    ['URL with a token as user', `https://${PASSWORD}@gitlab.example.org/infra.git`, /URL with a password/],
    ['database connection string', `postgres://app:${PASSWORD}@db.example.org:5432/app`, /URL with a password/],
    ['image reference with credentials', `robot:${PASSWORD}@quay.io/team/app:1.0`, /URL with a password/],
    ['cloud-config chpasswd list', `#cloud-config\nchpasswd:\n  expire: false\n  list: |\n    root:${PASSWORD}\n`, /cloud-config/],
    ['cloud-config chpasswd users', `#cloud-config\nchpasswd:\n  users:\n    - name: root\n      password: ${PASSWORD}\n`, /cloud-config/],
    ['cloud-config default password', `#cloud-config\npassword: ${PASSWORD}\n`, /cloud-config/],
    ['cloud-config users[].passwd', `#cloud-config\nusers:\n  - name: ops\n    passwd: "${HASH}"\n`, /cloud-config/],
    ['cloud-config users[].plain_text_passwd', `#cloud-config\nusers:\n  - name: ops\n    plain_text_passwd: ${PASSWORD}\n`, /cloud-config/],
    ['cloud-config users[].hashed_passwd', `#cloud-config\nusers:\n  - name: ops\n    hashed_passwd: "${HASH}"\n`, /cloud-config/],
    ['cloud-config runcmd piping into chpasswd', `#cloud-config\nruncmd:\n  - echo "root:${PASSWORD}" | chpasswd\n`, /cloud-config/],
    ['unparsable cloud-config with a password line', `#cloud-config\nusers: [\n  passwd: ${PASSWORD}\n`, /cloud-config/],
    ['docker config JSON', DOCKER_CONFIG, /registry credentials/],
    ['base64 docker config JSON', B64_DOCKER_CONFIG, /registry credentials/],
    ['Secret manifest as JSON (last-applied-configuration)', JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: PASSWORD } }), /Secret/],
    ['Secret manifest as YAML in a ConfigMap value', `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: ${Buffer.from(PASSWORD).toString('base64')}\n`, /Secret/],
    ['JSON Web Token', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlc2lnbmF0dXJl', /JSON Web Token/],
  ];
  test.each(positives)('finds %s', (_name, text, what) => {
    const found = detectSecret(text);
    expect(found).toMatch(what);
    expectNoSecret(found!);
    expectNoSecret(redactSecrets(text));
  });

  const negatives: [string, string][] = [
    ['a public certificate', '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----\n'],
    ['a base64 public certificate (caBundle)', Buffer.from('-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----\n').toString('base64')],
    ['an SSH public key', 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ5 ops@example.org'],
    ['an ssh Git URL with the git user', 'ssh://git@gitlab.example.org:2222/infra/cluster.git'],
    ['an scp-like Git URL', 'git@gitlab.example.org:infra/cluster.git'],
    ['an https URL without user info', 'https://gitlab.example.org/infra/cluster.git'],
    ['an https URL with the git user', 'https://git@gitlab.example.org/infra/cluster.git'],
    ['an image pinned by digest', 'quay.io/team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'],
    ['a short image with tag and digest', 'nginx:1.25@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'],
    ['a URL whose password is an environment reference', 'https://oauth2:$(GITLAB_TOKEN)@gitlab.example.org/x.git'],
    ['a URL whose password is a template', 'https://user:{{ .Values.token }}@gitlab.example.org/x.git'],
    ['an e-mail address', 'ops@example.org'],
    ['a cloud-config without passwords', '#cloud-config\nusers:\n  - default\n  - name: ops\n    lock_passwd: true\nchpasswd:\n  expire: false\n'],
    ['a name that contains sk-', 'task-runner-abcdefghijklmnopqrstuvwxyz'],
    ['a Secret manifest without data', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: token\ntype: kubernetes.io/service-account-token\n'],
    ['prose mentioning a password', 'the password is kept in the Secret gitlab-db'],
  ];
  test.each(negatives)('leaves %s alone', (_name, text) => {
    expect(detectSecret(text)).toBeUndefined();
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('URL-shaped fields refuse credentials without echoing them', () => {
  const rules: [string, (v: unknown) => string | undefined, string, string][] = [
    ['gitUrl https user:password', gitUrl, `https://deploy:${PASSWORD}@gitlab.example.org/infra.git`, 'https://***@gitlab.example.org/infra.git'],
    ['gitUrl https token', gitUrl, `https://${GLPAT}@gitlab.example.org/infra.git`, 'https://***@gitlab.example.org/infra.git'],
    ['gitUrl https oauth2:token', gitUrl, `https://oauth2:${GLPAT}@gitlab.example.org/infra.git`, 'https://***@'],
    ['gitUrl ssh with a password', gitUrl, `ssh://git:${PASSWORD}@gitlab.example.org/infra.git`, 'ssh://***@gitlab.example.org'],
    ['gitUrl scp-like with a password', gitUrl, `git:${PASSWORD}@gitlab.example.org:infra.git`, '***@gitlab.example.org:infra.git'],
    ['httpUrl VM image', httpUrl, `http://admin:${PASSWORD}@images.example.org/rhel.qcow2`, 'http://***@images.example.org/rhel.qcow2'],
    ['httpsUrl issuer', httpsUrl, `https://${PASSWORD}@id.example.org/realms/x`, 'https://***@id.example.org'],
    ['httpUrl not even http, with a password', httpUrl, `ftp://u:${PASSWORD}@files.example.org/x`, 'ftp://***@files.example.org'],
  ];
  test.each(rules)('%s', (_name, rule, url, shown) => {
    const msg = rule(url);
    expect(msg).toContain(shown);
    expect(msg).toMatch(/credentials|not an/);
    expectNoSecret(msg!);
  });

  test.each([
    ['ssh://git@gitlab.example.org/infra/cluster.git'],
    ['git@gitlab.example.org:infra/cluster.git'],
    ['https://gitlab.example.org/infra/cluster.git'],
    ['https://git@gitlab.example.org/infra/cluster.git'],
  ])('accepts the Git URL %s', (url) => {
    expect(gitUrl(url)).toBeUndefined();
  });

  test('show() never prints a secret it is given', () => {
    for (const s of [`https://a:${PASSWORD}@x.example.org`, GLPAT, PEM, B64_PEM, { token: GHP }, [AKIA]]) expectNoSecret(show(s));
    expect(show(`https://a:${PASSWORD}@x.example.org/p`)).toBe('"https://***@x.example.org/p"');
    expect(show(`token ${GLPAT}`)).toBe('"token glpat-***"');
  });
});

/** Construct cases: builder, construct path and field the one problem must name. */
type ConstructCase = [string, () => unknown, string, string];

const storage = (endpoint: string) => {
  const b = new GitOpsApp(testCluster(), 'Backup', { name: 'backup' });
  return new BackupStorage(b, 'Store', { name: 'default', bucket: 'velero', region: 'us-east-1', endpoint, credentials: SecretKey.of('cloud-credentials', 'cloud'), encryption: BucketEncryption.s3Managed() });
};
const vm = (over: Partial<VirtualMachineProps>) => {
  const app = new GitOpsApp(testCluster(), 'Vms', { name: 'vms', namespace: 'infra-vms' });
  return new VirtualMachine(app, 'Relay', { name: 'relay', cpu: 1, memory: '2Gi', rootDisk: { source: DiskSource.pvcClone({ namespace: 'golden', name: 'rhel9' }), size: '20Gi' }, ...over });
};
const workload = (env: Record<string, string>) => {
  const app = new GitOpsApp(testCluster(), 'Web', { name: 'web', namespace: 'web' });
  return new ContainerApp(app, 'Forum', { name: 'forum', image: ExternalImage.tag('quay.io/community/forum', '1.0.0'), env });
};
const gitlab = (values: Record<string, unknown>) => {
  const f = fixture();
  return new GitLab(f.app, 'GitLab', gitlabProps(f, { values }));
};
const gitlabObjectStorage = (endpoint: string) => {
  const f = fixture();
  const base = gitlabProps(f);
  return new GitLab(f.app, 'GitLab', { ...base, objectStorage: { ...base.objectStorage, endpoint } });
};
const runner = (gitlabUrl: string) => {
  const app = new GitOpsApp(testCluster(), 'Runners', { name: 'gitlab-runners', namespace: 'gitlab-runner-system' });
  // only the server URL matters here; the other problems of this incomplete runner are reported too
  return new GitLabRunner(app, 'Shared', { name: 'shared', server: { url: gitlabUrl, gitlabVersion: '18.11.4' }, token: SecretKey.of('runner-shared', 'runner-token') } as any);
};
const cloudInitVm = (runCommands: string[]) => vm({ cloudInit: CloudInit.build({ runCommands }) });
const vmsYaml = (url: string) => parseVmFile(DataFile.parse('vms.yaml', `vms:\n  - name: relay\n    namespace: infra-vms\n    cpu: 2\n    memory: 4Gi\n    disk: { http: "${url}", size: 30Gi }\n`), { networks: [] });

const constructCases: ConstructCase[] = [
  ['Cluster repoUrl with user:password', () => new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12' }, name: 'c', environment: 'prod', repoUrl: `https://deploy:${PASSWORD}@gitlab.example.org/infra.git` }), 'cluster c', 'repoUrl'],
  ['Cluster repoUrl with a token as user', () => new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12' }, name: 'c', environment: 'prod', repoUrl: `https://${GLPAT}@gitlab.example.org/infra.git` }), 'cluster c', 'repoUrl'],
  ['Cluster destinationServer with credentials', () => new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12' }, name: 'c', environment: 'prod', repoUrl: 'https://gitlab.example.org/infra.git', destinationServer: `https://admin:${PASSWORD}@api.example.org:6443` }), 'cluster c', 'destinationServer'],
  ['ExternalImage.parse with registry credentials', () => ExternalImage.parse(`robot:${PASSWORD}@quay.io/team/app:1.0`), 'image ***@quay.io', 'reference'],
  ['ExternalImage.tag with credentials in the repository', () => ExternalImage.tag(`robot:${PASSWORD}@quay.io/team/app`, '1.0'), 'image ***@quay.io', 'repository'],
  ['VM httpImage URL with user:password', () => vm({ rootDisk: { source: DiskSource.httpImage(`https://admin:${PASSWORD}@images.example.org/rhel.qcow2`), size: '20Gi' } }), 'Vms/Relay', 'rootDisk.source.url'],
  ['VM isoInstaller URL with a token', () => vm({ rootDisk: { source: DiskSource.isoInstaller(`https://${GLPAT}@images.example.org/rhel.iso`), size: '20Gi' } }), 'Vms/Relay', 'rootDisk.source.url'],
  ['VM registry image with credentials', () => vm({ rootDisk: { source: DiskSource.registryImage(`docker://robot:${PASSWORD}@quay.io/containerdisks/fedora:39`), size: '20Gi' } }), 'Vms/Relay', 'rootDisk.source.image'],
  ['vms.yaml http disk with credentials', () => vmsYaml(`https://admin:${PASSWORD}@images.example.org/rhel.qcow2`), 'vms.yaml: vms[0]', 'disk.http'],
  ['cloud-init runCommand piping a password into chpasswd', () => cloudInitVm([`echo "root:${PASSWORD}" | chpasswd`]), 'Vms/Relay', 'cloudInit.runCommands[0]'],
  ['cloud-init runCommand with useradd -p', () => cloudInitVm([`useradd -p '${HASH}' ops`]), 'Vms/Relay', 'cloudInit.runCommands[0]'],
  ['cloud-init runCommand with a GitLab token', () => cloudInitVm([`git clone https://oauth2:${GLPAT}@gitlab.example.org/x.git`]), 'Vms/Relay', 'cloudInit.runCommands[0]'],
  ['cloud-init runCommand with a base64 private key', () => cloudInitVm([`echo ${B64_PEM} | base64 -d > /root/.ssh/id_rsa`]), 'Vms/Relay', 'cloudInit.runCommands[0]'],
  ['cloud-init runCommand with an AWS key', () => cloudInitVm([`aws configure set aws_access_key_id ${AKIA}`]), 'Vms/Relay', 'cloudInit.runCommands[0]'],
  ['ContainerApp env with a GitLab token', () => workload({ GITLAB_API: GLPAT }), 'Web/Forum', 'env.GITLAB_API'],
  ['ContainerApp env DB_PASSWORD with a literal', () => workload({ DB_PASSWORD: PASSWORD }), 'Web/Forum', 'env.DB_PASSWORD'],
  ['ContainerApp env with a database URL with password', () => workload({ DATABASE_URL: `postgres://forum:${PASSWORD}@db.example.org/forum` }), 'Web/Forum', 'env.DATABASE_URL'],
  ['ContainerApp env with a PEM key', () => workload({ TLS: PEM }), 'Web/Forum', 'env.TLS'],
  ['BackupStorage endpoint with credentials', () => storage(`https://minio:${PASSWORD}@minio.example.org:9000`), 'Backup/Store', 'endpoint'],
  ['GitLab objectStorage endpoint over http with credentials', () => gitlabObjectStorage(`http://minio:${PASSWORD}@s3.example.org`), 'GitLab/GitLab', 'objectStorage.endpoint'],
  ['GitLabRunner gitlabUrl with a token', () => runner(`https://${GLRT}@gitlab.example.org`), 'Runners/Shared', 'server.url'],
  ['GitLabRunner gitlabUrl with user:password', () => runner(`https://root:${PASSWORD}@gitlab.example.org`), 'Runners/Shared', 'server.url'],
  ['GitLab values: numeric password', () => gitlab({ global: { smtp: { password: 31337 } } }), 'GitLab/GitLab', 'values.global.smtp.password'],
  ['GitLab values: password given as a list', () => gitlab({ global: { appConfig: { ldap: { servers: { main: { password: [PASSWORD] } } } } } }), 'GitLab/GitLab', 'values.global.appConfig.ldap.servers.main.password[0]'],
  ['GitLab values: password given as {value}', () => gitlab({ global: { smtp: { password: { value: PASSWORD } } } }), 'GitLab/GitLab', 'values.global.smtp.password.value'],
  ['GitLab values: env list with a credential variable', () => gitlab({ gitlab: { webservice: { extraEnv: [{ name: 'S3_SECRET_KEY', value: PASSWORD }] } } }), 'GitLab/GitLab', 'values.gitlab.webservice.extraEnv[0].value'],
  ['GitLab values: a token by content under any key', () => gitlab({ gitlab: { sidekiq: { annotations: { note: GLPAT } } } }), 'GitLab/GitLab', 'values.gitlab.sidekiq.annotations.note'],
  ['GitLab values: URL with a password', () => gitlab({ global: { registry: { notificationSecret: 'x', api: { url: `https://u:${PASSWORD}@registry.example.org` } } } }), 'GitLab/GitLab', 'values.global.registry.api.url'],
];

describe('constructs refuse secret material in one line naming path and field, without the value', () => {
  test.each(constructCases)('%s', (_name, build, path, field) => {
    const e = thrown(build);
    expect(e).toBeInstanceOf(OcpkitError);
    const err = e as OcpkitError;
    expect(err.problems.some((p) => p.path.includes(path) && p.field === field)).toBe(true);
    for (const p of err.problems) expect(`${p.path} ${p.field} ${p.message}`).not.toMatch(/\n/);
    expectNoSecret(err.message);
  });

  test.each([
    ['ContainerApp env with plain settings and references', () => workload({ LOG_LEVEL: 'debug', DB_PASSWORD_FILE: '/run/secrets/db', TOKEN_TTL: '3600', REQUIRE_PASSWORD: 'true', GIT_URL: 'ssh://git@gitlab.example.org/x.git' })],
    ['GitLab values referencing Secrets', () => gitlab({ global: { smtp: { enabled: true, password: { secret: 'smtp', key: 'password' } } } })],
    ['Cluster with an ssh repo URL and the git user', () => new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12' }, name: 'c', environment: 'prod', repoUrl: 'ssh://git@gitlab.example.org:2222/infra.git' })],
    ['cloud-init runCommand referencing a Secret file', () => cloudInitVm(['chmod 600 /etc/relay/credentials'])],
  ])('accepts %s', (_name, build) => {
    expect(build).not.toThrow();
  });
});

describe('no-literal-secrets looks at every kind by content', () => {
  const obj = (kind: string, body: Record<string, unknown>, apiVersion = 'v1') => ({ apiVersion, kind, metadata: { name: 'x', namespace: 'n' }, ...body });
  const lastApplied = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { password: Buffer.from(PASSWORD).toString('base64') } });
  const flagged: [string, any, string][] = [
    ['v1 Secret with data', obj('Secret', { data: { password: Buffer.from(PASSWORD).toString('base64') } }), '/data'],
    ['v1 Secret with stringData as a string', obj('Secret', { stringData: PASSWORD }), '/stringData'],
    ['ConfigMap value with a GitLab token', obj('ConfigMap', { data: { 'config.toml': `token = "${GLRT}"` } }), '/data/config.toml'],
    ['ConfigMap key DB_PASSWORD with a literal', obj('ConfigMap', { data: { DB_PASSWORD: PASSWORD } }), '/data/DB_PASSWORD'],
    ['ConfigMap binaryData with a base64 key', obj('ConfigMap', { binaryData: { 'id_rsa': B64_PEM } }), '/binaryData/id_rsa'],
    ['ConfigMap holding a Secret manifest', obj('ConfigMap', { data: { 'secret.yaml': `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: ${PASSWORD}\n` } }), '/data/secret.yaml'],
    ['ConfigMap holding a docker config', obj('ConfigMap', { data: { 'config.json': DOCKER_CONFIG } }), '/data/config.json'],
    ['last-applied-configuration holding a Secret', obj('ConfigMap', { metadata: { name: 'x', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } } }), '/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration'],
    ['annotation with a URL with a password', obj('Service', { metadata: { name: 'x', annotations: { 'example.org/upstream': `https://u:${PASSWORD}@up.example.org` } } }), '/metadata/annotations/example.org~1upstream'],
    ['Template with an embedded Secret', obj('Template', { objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: PASSWORD } }] }, 'template.openshift.io/v1'), '/objects/0'],
    ['List with an embedded Secret', obj('List', { items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { p: 'eA==' } }] }), '/items/0'],
    ['Deployment env with a literal password', obj('Deployment', { spec: { template: { spec: { containers: [{ name: 'web', image: 'x', env: [{ name: 'DB_PASSWORD', value: PASSWORD }] }] } } } }, 'apps/v1'), '/spec/template/spec/containers/0/env/0/value'],
    ['Deployment env with a token by content', obj('Deployment', { spec: { template: { spec: { containers: [{ name: 'web', image: 'x', env: [{ name: 'UPSTREAM', value: GHP }] }] } } } }, 'apps/v1'), '/spec/template/spec/containers/0/env/0/value'],
    ['VirtualMachine cloud-init with chpasswd', obj('VirtualMachine', { spec: { template: { spec: { volumes: [{ name: 'cloudinit', cloudInitNoCloud: { userData: `#cloud-config\nchpasswd:\n  list: |\n    root:${PASSWORD}\n` } }] } } } }, 'kubevirt.io/v1'), '/spec/template/spec/volumes/0/cloudInitNoCloud/userData'],
    ['VirtualMachine cloud-init with a hashed password', obj('VirtualMachine', { spec: { template: { spec: { volumes: [{ name: 'cloudinit', cloudInitNoCloud: { userData: `#cloud-config\nusers:\n  - name: ops\n    hashed_passwd: "${HASH}"\n` } }] } } } }, 'kubevirt.io/v1'), '/spec/template/spec/volumes/0/cloudInitNoCloud/userData'],
    ['Argo CD Application with credentials in repoURL', obj('Application', { spec: { source: { repoURL: `https://${GLPAT}@gitlab.example.org/x.git` } } }, 'argoproj.io/v1alpha1'), '/spec/source/repoURL'],
    ['custom resource with a base64 private key', obj('Thing', { spec: { tls: { keyData: B64_PEM } } }, 'example.org/v1'), '/spec/tls/keyData'],
    ['Argo CD helm parameter with a literal password', obj('Application', { spec: { source: { helm: { parameters: [{ name: 'adminPassword', value: PASSWORD }] } } } }, 'argoproj.io/v1alpha1'), '/spec/source/helm/parameters/0/value'],
  ];
  test.each(flagged)('%s', (_name, manifest, pointer) => {
    const findings = NO_LITERAL_SECRETS.check({ manifest, path: 'p', group: 'g' }, undefined as any);
    expect(findings.map((f) => f.pointer)).toContain(pointer);
    for (const f of findings) expectNoSecret(f.message);
  });

  const clean: [string, any][] = [
    ['Secret without data', obj('Secret', { type: 'kubernetes.io/service-account-token' })],
    ['SealedSecret ciphertext', obj('SealedSecret', { spec: { encryptedData: { password: 'AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq' } } }, 'bitnami.com/v1alpha1')],
    ['ConfigMap with a CA bundle', obj('ConfigMap', { data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' } })],
    ['Deployment reading its password from a Secret', obj('Deployment', { spec: { template: { spec: { containers: [{ name: 'web', image: 'x', env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] }] } } } }, 'apps/v1')],
    ['GitLab CR referencing Secrets', obj('GitLab', { spec: { chart: { values: { global: { psql: { password: { secret: 'gitlab-db', key: 'password' } } } } } } }, 'apps.gitlab.com/v1beta1')],
    ['Application with an ssh repo URL', obj('Application', { spec: { source: { repoURL: 'git@gitlab.example.org:infra/cluster.git' } } }, 'argoproj.io/v1alpha1')],
    ['a waiver reason that quotes a URL form', obj('ConfigMap', { metadata: { name: 'x', annotations: { 'ocpkit.io/waive-pinned-images': 'upstream https://user@example.org has no tags' } } })],
  ];
  test.each(clean)('passes %s', (_name, manifest) => {
    expect(NO_LITERAL_SECRETS.check({ manifest, path: 'p', group: 'g' }, undefined as any)).toEqual([]);
  });

  test('checkPolicies reports path, pointer and policy in one line per finding', () => {
    const problems = checkPolicies([{ manifest: obj('ConfigMap', { data: { a: GLPAT, b: `https://u:${PASSWORD}@x.example.org` } }), path: 'apps/c.yaml#0', group: 'g' }]).filter((p) => p.message.includes('no-literal-secrets'));
    expect(problems.map((p) => p.field)).toEqual(['/data/a', '/data/b']);
    for (const p of problems) {
      expect(p.path).toBe('apps/c.yaml#0');
      expect(p.message).not.toMatch(/\n/);
      expectNoSecret(p.message);
    }
  });

  test('a deep or huge object is reported, not walked forever', () => {
    let deep: any = { v: 'x' };
    for (let i = 0; i < 500; i++) deep = { d: deep };
    const findings = NO_LITERAL_SECRETS.check({ manifest: obj('Thing', { spec: deep }, 'example.org/v1'), path: 'p', group: 'g' }, undefined as any);
    expect(findings.some((f) => /too deep/.test(f.message))).toBe(true);
  });
});

describe('ocpkit diff masks by content', () => {
  const F = 'production/forum';
  const one = (a: Record<string, any>, b: Record<string, any>) => diffTreeFiles(new Map(Object.entries(a).map(([k, v]) => [k, JSON.stringify(v)])), new Map(Object.entries(b).map(([k, v]) => [k, JSON.stringify(v)])));
  const cm = (data: Record<string, unknown>, annotations?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'forum', ...(annotations ? { annotations } : {}) }, data });
  const outputs = (r: ReturnType<typeof diffTreeFiles>) => [formatText(r), formatMarkdown(r), JSON.stringify(r)];

  const cases: [string, any, any, RegExp | undefined][] = [
    ['token in a ConfigMap value', cm({ v: 'a' }), cm({ v: `token = ${GLPAT}` }), undefined],
    ['PEM key in a multi-line value', cm({ v: 'a\nb\n' }), cm({ v: `a\n${PEM}` }), undefined],
    ['base64 key blob', cm({ v: 'x' }), cm({ v: B64_PEM }), undefined],
    ['URL with credentials: only the user info is masked', cm({ url: 'https://gitlab.example.org/x.git' }), cm({ url: `https://deploy:${PASSWORD}@gitlab.example.org/x.git` }), /https:\/\/\*\*\*@gitlab\.example\.org\/x\.git/],
    ['annotation JSON holding a Secret is masked inside', cm({}, { 'kubectl.kubernetes.io/last-applied-configuration': '{}' }), cm({}, { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-credentials' }, stringData: { password: PASSWORD } }) }), /db-credentials/],
    ['annotation JSON with a token deep inside', cm({}, { 'example.org/config': '{"a":1}' }), cm({}, { 'example.org/config': JSON.stringify({ a: 1, nested: { url: `https://x:${PASSWORD}@h.example.org` } }) }), /h\.example\.org/],
    ['embedded Secret in a Template', { apiVersion: 'template.openshift.io/v1', kind: 'Template', metadata: { name: 't', namespace: 'forum' }, objects: [] }, { apiVersion: 'template.openshift.io/v1', kind: 'Template', metadata: { name: 't', namespace: 'forum' }, objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { token: PASSWORD } }] }, /\(masked\)/],
    ['changed data of an embedded Secret', { apiVersion: 'v1', kind: 'List', metadata: { name: 'l', namespace: 'forum' }, items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { token: 'old-value-1' } }] }, { apiVersion: 'v1', kind: 'List', metadata: { name: 'l', namespace: 'forum' }, items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { token: PASSWORD } }] }, /\(masked\)/],
    ['cloud-config password in VM user data', cm({ userData: '#cloud-config\n' }), cm({ userData: `#cloud-config\nchpasswd:\n  list: |\n    root:${PASSWORD}\n` }), /\(masked\)/],
    ['docker config', cm({ 'config.json': '{}' }), cm({ 'config.json': DOCKER_CONFIG }), /\(masked\)/],
  ];
  test.each(cases)('%s', (_name, before, after, visible) => {
    const r = one({ [`${F}/c.yaml`]: before }, { [`${F}/c.yaml`]: after });
    expect(r.changes).toHaveLength(1);
    expect(r.changes[0].fields.some((f) => f.masked)).toBe(true);
    for (const text of outputs(r)) {
      expectNoSecret(text);
      if (visible) expect(text).toMatch(visible);
    }
  });

  test.each([
    ['secretKeyRef.name', ['spec', 'template', 'spec', 'containers', 0, 'env', 0, 'valueFrom', 'secretKeyRef', 'name'], 'db-v2'],
    ['secretName', ['spec', 'tls', 'secretName'], 'forum-tls'],
    ['existingSecret', ['spec', 'values', 'auth', 'existingSecret'], 'redis-auth'],
    ['password.secret (chart reference)', ['spec', 'chart', 'values', 'global', 'psql', 'password', 'secret'], 'gitlab-db'],
    ['password.key (chart reference)', ['spec', 'chart', 'values', 'global', 'psql', 'password', 'key'], 'password'],
    ['an ssh Git URL', ['spec', 'source', 'repoURL'], 'git@gitlab.example.org:infra/cluster.git'],
  ] as [string, (string | number)[], string][])('keeps %s visible', (_name, path, value) => {
    expect(maskValue('Thing', path, value)).toBe(value);
  });

  test('masked values stay masked; a JSON string without secrets is unchanged', () => {
    expect(maskString('{"a":1}')).toBe('{"a":1}');
    expect(maskValue('Thing', ['spec', 'password'], 'x')).toBe(MASKED);
  });
});

describe('the detector stays fast on hostile strings (1 MiB each)', () => {
  const N = 1 << 20;
  test.each([
    ['repeated base64 "-----BEGIN" markers', 'LS0tQkVHSU4'.repeat(N / 11)],
    ['repeated base64 {"auths": markers', 'eyJhdXRocyI6'.repeat(N / 12)],
    ['repeated schemes', 'a://'.repeat(N / 4)],
    ['repeated @', '@'.repeat(N)],
    ['a Secret-looking YAML document', `kind: Secret\n${'a: b\n'.repeat(N / 5)}`],
    ['a large JSON manifest', `{"kind":"Secret","x":[${'1,'.repeat(N / 2)}1]}`],
    ['repeated token prefixes', 'glpat-'.repeat(N / 6)],
    ['a cloud-config with anchors', `#cloud-config\n${'a: &a [1]\n'.repeat(N / 10)}`],
  ])('%s', (_name, text) => {
    // Behaviour only (timing lives in benchmarks): nothing is found in these, and no call throws
    // or backtracks without end (a catastrophic regex would exceed the test timeout).
    expect(() => { detectSecret(text); redactSecrets(text); maskString(text); }).not.toThrow();
  });
});

/**
 * Passwords a reviewer got into dist/ with synth exit 0: shell commands that set passwords,
 * base64 user data, Jinja cloud-config, Secrets in flow YAML or with quoted keys, config files
 * with credential keys (JSON, kubeconfig, netrc, TOML, .env), short env names, base64 of
 * tokens/URLs/wrapped keys. Every case here was missed before; none may leak the secret.
 */
describe('secrets that reached dist/ (review of issue 11)', () => {
  const OCP_TOKEN = 'sha256~k3yTq8WmZ1pVxR7nC4bL9sD2fG6hJ0aE5uYiOoPq1Ab';
  const BCRYPT = '$2y$10$abcdefghijklmnopqrstuu5Yz0wJ9rQ4nKx8E1mHk9Wb0uX2pVq3s';
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const CLOUD_CONFIG_PW = `#cloud-config\npassword: ${PASSWORD}\nchpasswd: { expire: false }\n`;
  const USERDATA_B64 = b64(CLOUD_CONFIG_PW);
  const USERDATA_GZ_B64 = require('zlib').gzipSync(Buffer.from(CLOUD_CONFIG_PW)).toString('base64');
  const SCRIPT = `#!/bin/sh\necho root:${PASSWORD} | chpasswd\n`;
  const WRAPPED_PEM = B64_PEM.replace(/(.{12})/g, '$1\n');
  const extra = [OCP_TOKEN, BCRYPT, USERDATA_B64.slice(8, 40), USERDATA_GZ_B64.slice(8, 40), b64(SCRIPT).slice(8, 40), b64(GLPAT), b64(`https://deploy:${PASSWORD}@gitlab.example.org`).slice(8, 40)];
  const expectNone = (text: string) => {
    expectNoSecret(text);
    for (const s of extra) expect(text).not.toContain(s);
  };

  const positives: [string, string, RegExp][] = [
    ['usermod --password=HASH', `usermod --password='${HASH}' root`, /password/],
    ['usermod -p literal', `usermod -p ${PASSWORD} root`, /sets a password/],
    ['useradd -mp with the value attached', `useradd -mp"${PASSWORD}" ops`, /sets a password/],
    ['printf into passwd', `printf "${PASSWORD}\\n${PASSWORD}" | passwd root`, /sets a password/],
    ['a user-data script piping into chpasswd', SCRIPT, /sets a password/],
    ['echo into passwd --stdin', `echo '${PASSWORD}' | sudo passwd --stdin root`, /sets a password/],
    ['openssl passwd output assigned', `ROOT_HASH=$(openssl passwd -6 -salt abc ${PASSWORD})`, /sets a password/],
    ['mkpasswd with the password as argument', `mkpasswd -m sha-512 ${PASSWORD}`, /sets a password/],
    ['htpasswd in batch mode', `htpasswd -bc /etc/nginx/htpasswd admin ${PASSWORD}`, /sets a password/],
    ['chpasswd from a here-document', `chpasswd <<EOF\nroot:${PASSWORD}\nEOF`, /sets a password/],
    ['passwd from a here-string', `passwd root <<< "${PASSWORD}"`, /sets a password/],
    ['a bcrypt hash in an htpasswd line', `admin:${BCRYPT}`, /password hash/],
    ['cloud-config write_files script with chpasswd', `#cloud-config\nwrite_files:\n  - path: /root/init.sh\n    content: |\n      echo root:${PASSWORD} | chpasswd\n`, /cloud-config/],
    ['base64 cloud-config (userDataBase64)', USERDATA_B64, /base64-encoded password in cloud-config/],
    ['base64 gzip cloud-config', USERDATA_GZ_B64, /base64-encoded password in cloud-config/],
    ['base64 user-data script', b64(SCRIPT), /base64-encoded shell command/],
    ['Jinja cloud-config', `## template: jinja\n#cloud-config\npassword: ${PASSWORD}\n`, /cloud-config/],
    ['Jinja cloud-config that is no YAML', `## template: jinja\n#cloud-config\nhostname: {{ v1.local_hostname }}\n{% if v1.region %}\nchpasswd:\n  list: |\n    root:${PASSWORD}\n{% endif %}\n`, /cloud-config/],
    ['Secret in flow YAML', `{apiVersion: v1, kind: Secret, metadata: {name: s}, stringData: {password: ${PASSWORD}}}`, /Secret/],
    ['Secret with a quoted kind key', `"apiVersion": v1\n"kind": Secret\n"metadata": {"name": s}\n"stringData":\n  "password": ${PASSWORD}\n`, /Secret/],
    ['Secret with single-quoted keys inside a script', `cat <<EOF | oc apply -f -\n'kind': 'Secret'\n'stringData':\n  'pw': ${PASSWORD}\nEOF`, /Secret/],
    ['config.json with a password', JSON.stringify({ password: PASSWORD }), /credential key "password"/],
    ['config.json with a nested password', JSON.stringify({ db: { host: 'db', password: PASSWORD } }), /credential key "password"/],
    ['kubeconfig with an OpenShift token', `apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: ${OCP_TOKEN}\n`, /OpenShift OAuth token/],
    ['kubeconfig with an opaque token', `apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: ${PASSWORD}\n`, /credential key "token"/],
    ['netrc', `machine gitlab.example.org\n  login deploy\n  password ${PASSWORD}\n`, /netrc/],
    ['TOML with a password', `[database]\nhost = "db"\npassword = "${PASSWORD}"\n`, /credential key "password"/],
    ['.env with DB_PASS', `DB_HOST=db\nDB_PASS=${PASSWORD}\n`, /credential key "DB_PASS"/],
    ['application YAML with a datasource password', `spring:\n  datasource:\n    url: jdbc:postgresql://db/app\n    password: ${PASSWORD}\n`, /credential key "password"/],
    ['base64 PEM wrapped at 12 characters', WRAPPED_PEM, /base64-encoded private key/],
    ['base64 of a GitLab token', b64(GLPAT), /base64-encoded GitLab token/],
    ['base64 of a credential URL', b64(`https://deploy:${PASSWORD}@gitlab.example.org`), /base64-encoded URL/],
  ];
  test.each(positives)('finds %s', (_name, text, what) => {
    const found = detectSecret(text);
    expect(found).toMatch(what);
    expectNone(found!);
    expectNone(redactSecrets(text));
    expectNone(show(text));
  });

  const negatives: [string, string][] = [
    ['chpasswd fed only variables', 'echo "root:$ROOT_PW" | chpasswd'],
    ['chpasswd fed from a file with cat', 'cat /run/secrets/users | chpasswd'],
    ['chpasswd reading a file', 'chpasswd -e < /run/secrets/users'],
    ['passwd locking an account', 'passwd -l root'],
    ['openssl passwd reading stdin', 'openssl passwd -6 -stdin < /run/secrets/pw'],
    ['mkpasswd prompting', 'mkpasswd -m sha-512'],
    ['usermod adding a group', 'usermod -aG wheel ops'],
    ['usermod -p with a variable', 'usermod -p "$ROOT_HASH" root'],
    ['cat /etc/passwd', 'getent passwd | cut -d: -f1; cat /etc/passwd'],
    ['awk fields that look like a hash prefix', "awk '{print $1$2}' /etc/hosts"],
    ['JSON settings about passwords', JSON.stringify({ passwordMinLength: 8, tokenTTL: 3600, requirePassword: true })],
    ['JSON referencing a Secret', JSON.stringify({ password: { secretName: 'db', key: 'password' } })],
    ['Argo CD OIDC config with a $secret reference', 'name: Keycloak\nissuer: https://sso.example.org/realms/ops\nclientID: argocd\nclientSecret: $oidc.keycloak.clientSecret\n'],
    ['Helm values with an existing Secret', 'auth:\n  existingSecret: redis-auth\n  password: ""\n'],
    ['netrc without a password', 'machine gitlab.example.org login deploy\n'],
    ['.env with PROXY_BYPASS and PWD', 'PROXY_BYPASS=localhost\nPWD=/srv/app\n'],
    ['a script reading its password from a file', 'PASSWORD=$(cat /run/secrets/pw)\nexport PASSWORD\n'],
    ['a Secret reference in flow YAML', '{kind: Secret, name: db-credentials, key: password}'],
    ['a sha256 hex digest', '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'],
    ['base64 of plain text', b64('hello, this is a plain configuration file\nwith two lines\n')],
    ['a long label-like value', 'openshift-gitops-argocd-application-controller'],
    ['SOPS ciphertext under a password key', 'password: ENC[AES256_GCM,data:Tr7o=,iv:1=,tag:2=,type:str]\n'],
  ];
  test.each(negatives)('leaves %s alone', (_name, text) => {
    expect(detectSecret(text)).toBeUndefined();
    expect(redactSecrets(text)).toBe(text);
  });

  const obj = (kind: string, body: Record<string, unknown>, apiVersion = 'v1') => ({ apiVersion, kind, metadata: { name: 'x', namespace: 'n' }, ...body });
  const vmWith = (volume: Record<string, unknown>) => obj('VirtualMachine', { spec: { template: { spec: { volumes: [{ name: 'cloudinit', ...volume }] } } } }, 'kubevirt.io/v1');
  const deployment = (container: Record<string, unknown>) => obj('Deployment', { spec: { template: { spec: { containers: [{ name: 'web', image: 'x', ...container }] } } } }, 'apps/v1');
  const V = '/spec/template/spec/volumes/0';
  const flagged: [string, any, string][] = [
    ['raw VM user-data script with chpasswd', vmWith({ cloudInitNoCloud: { userData: `#!/bin/sh\necho root:hunter2 | chpasswd` } }), `${V}/cloudInitNoCloud/userData`],
    ['raw VM cloud-config runcmd with usermod --password=', vmWith({ cloudInitNoCloud: { userData: `#cloud-config\nruncmd:\n  - usermod --password='${HASH}' root\n` } }), `${V}/cloudInitNoCloud/userData`],
    ['raw VM cloud-config bootcmd with printf | passwd', vmWith({ cloudInitNoCloud: { userData: `#cloud-config\nbootcmd:\n  - [sh, -c, 'printf "${PASSWORD}\\n${PASSWORD}" | passwd root']\n` } }), `${V}/cloudInitNoCloud/userData`],
    ['raw VM userDataBase64 (NoCloud)', vmWith({ cloudInitNoCloud: { userDataBase64: USERDATA_B64 } }), `${V}/cloudInitNoCloud/userDataBase64`],
    ['raw VM userDataBase64 (ConfigDrive)', vmWith({ cloudInitConfigDrive: { userDataBase64: USERDATA_GZ_B64 } }), `${V}/cloudInitConfigDrive/userDataBase64`],
    ['raw VM Jinja cloud-config', vmWith({ cloudInitNoCloud: { userData: `## template: jinja\n#cloud-config\nchpasswd:\n  list: |\n    root:${PASSWORD}\n` } }), `${V}/cloudInitNoCloud/userData`],
    ['ConfigMap with a flow-YAML Secret', obj('ConfigMap', { data: { 's.yaml': `{apiVersion: v1, kind: Secret, metadata: {name: s}, stringData: {password: ${PASSWORD}}}` } }), '/data/s.yaml'],
    ['ConfigMap with a quoted "kind": Secret', obj('ConfigMap', { data: { 's.yaml': `"apiVersion": v1\n"kind": Secret\n"data":\n  "password": ${b64(PASSWORD)}\n` } }), '/data/s.yaml'],
    ['ConfigMap config.json with a password', obj('ConfigMap', { data: { 'config.json': JSON.stringify({ db: { password: PASSWORD } }) } }), '/data/config.json'],
    ['ConfigMap kubeconfig with a sha256~ token', obj('ConfigMap', { data: { kubeconfig: `apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: ${OCP_TOKEN}\n` } }), '/data/kubeconfig'],
    ['ConfigMap netrc', obj('ConfigMap', { data: { '.netrc': `machine gitlab.example.org login deploy password ${PASSWORD}\n` } }), '/data/.netrc'],
    ['ConfigMap key DB_PASS', obj('ConfigMap', { data: { DB_PASS: PASSWORD } }), '/data/DB_PASS'],
    ['ConfigMap binaryData with a wrapped base64 key', obj('ConfigMap', { binaryData: { tls: WRAPPED_PEM } }), '/binaryData/tls'],
    ['Deployment env SMTP_PASS', deployment({ env: [{ name: 'SMTP_PASS', value: PASSWORD }] }), '/spec/template/spec/containers/0/env/0/value'],
    ['Deployment env DB_PWD', deployment({ env: [{ name: 'DB_PWD', value: PASSWORD }] }), '/spec/template/spec/containers/0/env/0/value'],
    ['Deployment env with a base64 token', deployment({ env: [{ name: 'UPSTREAM', value: b64(GLPAT) }] }), '/spec/template/spec/containers/0/env/0/value'],
    ['container command with usermod -p', deployment({ command: ['/bin/sh', '-c', `usermod -p '${HASH}' root && exec app`] }), '/spec/template/spec/containers/0/command/2'],
    ['annotation with JSON holding a password', obj('Service', { metadata: { name: 'x', annotations: { 'example.org/db': JSON.stringify({ db: { password: PASSWORD } }) } } }), '/metadata/annotations/example.org~1db'],
  ];
  test.each(flagged)('no-literal-secrets flags %s', (_name, manifest, pointer) => {
    const findings = NO_LITERAL_SECRETS.check({ manifest, path: 'p', group: 'g' }, undefined as any);
    expect(findings.map((f) => f.pointer)).toContain(pointer);
    for (const f of findings) expectNone(f.message);
  });

  const clean: [string, any][] = [
    ['ConfigMap argocd-cm with $secret references', obj('ConfigMap', { data: { 'oidc.config': 'name: Keycloak\nissuer: https://sso.example.org/realms/ops\nclientID: argocd\nclientSecret: $oidc.keycloak.clientSecret\n', 'accounts.ops': 'apiKey, login' } })],
    ['ConfigMap config.json without credentials', obj('ConfigMap', { data: { 'config.json': JSON.stringify({ passwordMinLength: 12, tokenTTL: 3600, tls: { secretName: 'web-tls' } }) } })],
    ['VM cloud-config reading its password from a Secret file', vmWith({ cloudInitNoCloud: { userData: '#cloud-config\nruncmd:\n  - cat /run/secrets/root | chpasswd\n' } })],
    ['VM userDataBase64 without secrets', vmWith({ cloudInitNoCloud: { userDataBase64: b64('#cloud-config\nhostname: relay\npackages: [tmux]\n') } })],
    ['Deployment env PROXY_BYPASS', deployment({ env: [{ name: 'PROXY_BYPASS', value: 'localhost' }] })],
  ];
  test.each(clean)('no-literal-secrets passes %s', (_name, manifest) => {
    expect(NO_LITERAL_SECRETS.check({ manifest, path: 'p', group: 'g' }, undefined as any)).toEqual([]);
  });

  const constructs: ConstructCase[] = [
    ['cloud-init runCommand usermod --password=', () => cloudInitVm([`usermod --password='${HASH}' root`]), 'Vms/Relay', 'cloudInit.runCommands[0]'],
    ['cloud-init runCommand printf | passwd', () => cloudInitVm([`printf "${PASSWORD}\\n${PASSWORD}" | passwd root`]), 'Vms/Relay', 'cloudInit.runCommands[0]'],
    ['cloud-init runCommand openssl passwd', () => cloudInitVm([`openssl passwd -6 ${PASSWORD} > /root/hash`]), 'Vms/Relay', 'cloudInit.runCommands[0]'],
    ['cloud-init runCommand with a base64 user-data script', () => cloudInitVm([`echo ${b64(SCRIPT)} | base64 -d | sh`]), 'Vms/Relay', 'cloudInit.runCommands[0]'],
    ['ContainerApp env DB_PASS with a literal', () => workload({ DB_PASS: PASSWORD }), 'Web/Forum', 'env.DB_PASS'],
  ];
  test.each(constructs)('construct refuses %s', (_name, build, path, field) => {
    const e = thrown(build);
    expect(e).toBeInstanceOf(OcpkitError);
    const err = e as OcpkitError;
    expect(err.problems.some((p) => p.path.includes(path) && p.field === field)).toBe(true);
    for (const p of err.problems) expect(`${p.path} ${p.field} ${p.message}`).not.toMatch(/\n/);
    expectNone(err.message);
  });

  const F = 'production/forum';
  const one = (a: any, b: any) => diffTreeFiles(new Map([[`${F}/c.yaml`, JSON.stringify(a)]]), new Map([[`${F}/c.yaml`, JSON.stringify(b)]]));
  const cm = (data: Record<string, unknown>, annotations?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'forum', ...(annotations ? { annotations } : {}) }, data });
  const diffs: [string, any, any, RegExp | undefined][] = [
    ['annotation JSON with a nested password: the host change stays visible', cm({}, { x: JSON.stringify({ db: { host: 'a', password: 'old-pw-1' } }) }), cm({}, { x: JSON.stringify({ db: { host: 'db-new.example.org', password: PASSWORD } }) }), /db-new\.example\.org/],
    ['data."config.json" with a password', cm({ 'config.json': JSON.stringify({ password: 'old-pw-1', port: 1 }) }), cm({ 'config.json': JSON.stringify({ password: PASSWORD, port: 5432 }, null, 2) }), /5432/],
    ['config.json whose password alone changed', cm({ 'config.json': JSON.stringify({ apiToken: 'old-token-value', url: 'https://api.example.org' }) }), cm({ 'config.json': JSON.stringify({ apiToken: PASSWORD, url: 'https://api.example.org' }) }), /api\.example\.org/],
    ['YAML config with a password line: the other lines stay visible', cm({ 'application.yaml': 'spring:\n  datasource:\n    url: jdbc:postgresql://db/old\n' }), cm({ 'application.yaml': `spring:\n  datasource:\n    url: jdbc:postgresql://db/newdb\n    password: ${PASSWORD}\n` }), /newdb/],
    ['netrc', cm({ '.netrc': 'machine a login b\n' }), cm({ '.netrc': `machine gitlab.example.org login deploy password ${PASSWORD}\n` }), /gitlab\.example\.org/],
    ['kubeconfig token', cm({ kubeconfig: 'apiVersion: v1\nkind: Config\n' }), cm({ kubeconfig: `apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: ${OCP_TOKEN}\n` }), /\(masked\)/],
    ['user-data script with chpasswd', cm({ userData: '#!/bin/sh\n' }), cm({ userData: SCRIPT }), /\(masked\)/],
    ['userDataBase64', cm({ userDataBase64: b64('#cloud-config\n') }), cm({ userDataBase64: USERDATA_B64 }), /\(masked\)/],
    ['flow-YAML Secret', cm({ s: '{}' }), cm({ s: `{apiVersion: v1, kind: Secret, metadata: {name: s}, stringData: {password: ${PASSWORD}}}` }), /\(masked\)/],
  ];
  test.each(diffs)('ocpkit diff masks %s', (_name, before, after, visible) => {
    const r = one(before, after);
    expect(r.changes).toHaveLength(1);
    expect(r.changes[0].fields.some((f) => f.masked)).toBe(true);
    for (const text of [formatText(r), formatMarkdown(r), JSON.stringify(r)]) {
      expectNone(text);
      if (visible) expect(text).toMatch(visible);
    }
  });

  test('a JSON annotation without credentials is printed unchanged', () => {
    const s = JSON.stringify({ db: { host: 'a', passwordMinLength: 8 } });
    expect(maskString(s)).toBe(s);
  });
});
