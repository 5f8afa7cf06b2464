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
import { ExternalImage, Workload } from '../../lib/openshift';
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
  return new Workload(app, 'Forum', { name: 'forum', image: ExternalImage.tag('quay.io/community/forum', '1.0.0'), env });
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
  return new GitLabRunner(app, 'Shared', { name: 'shared', gitlabUrl, token: SecretKey.of('runner-shared', 'runner-token') });
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
  ['Workload env with a GitLab token', () => workload({ GITLAB_API: GLPAT }), 'Web/Forum', 'env.GITLAB_API'],
  ['Workload env DB_PASSWORD with a literal', () => workload({ DB_PASSWORD: PASSWORD }), 'Web/Forum', 'env.DB_PASSWORD'],
  ['Workload env with a database URL with password', () => workload({ DATABASE_URL: `postgres://forum:${PASSWORD}@db.example.org/forum` }), 'Web/Forum', 'env.DATABASE_URL'],
  ['Workload env with a PEM key', () => workload({ TLS: PEM }), 'Web/Forum', 'env.TLS'],
  ['BackupStorage endpoint with credentials', () => storage(`https://minio:${PASSWORD}@minio.example.org:9000`), 'Backup/Store', 'endpoint'],
  ['GitLab objectStorage endpoint over http with credentials', () => gitlabObjectStorage(`http://minio:${PASSWORD}@s3.example.org`), 'GitLab/GitLab', 'objectStorage.endpoint'],
  ['GitLabRunner gitlabUrl with a token', () => runner(`https://${GLRT}@gitlab.example.org`), 'Runners/Shared', 'gitlabUrl'],
  ['GitLabRunner gitlabUrl with user:password', () => runner(`https://root:${PASSWORD}@gitlab.example.org`), 'Runners/Shared', 'gitlabUrl'],
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
    ['Workload env with plain settings and references', () => workload({ LOG_LEVEL: 'debug', DB_PASSWORD_FILE: '/run/secrets/db', TOKEN_TTL: '3600', REQUIRE_PASSWORD: 'true', GIT_URL: 'ssh://git@gitlab.example.org/x.git' })],
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
    const t = Date.now();
    detectSecret(text);
    redactSecrets(text);
    maskString(text);
    expect(Date.now() - t).toBeLessThan(3000);
  });
});
