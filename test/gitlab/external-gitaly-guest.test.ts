import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Quantity } from '../../lib/core/quantity';
import { SecretKey } from '../../lib/core/secret-key';
import { detectSecret } from '../../lib/core/secret-scan';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import {
  ExternalGitaly, ExternalGitalyProps, GITALY_BOOT_STEP, GitalySnapshots, GitLab, GitLabOperator,
} from '../../lib/gitlab';
import { AccessMode, DataDiskOptions, DiskSource, GuestAddress, VirtualMachine, VirtualMachineProps, VmReadiness } from '../../lib/virt';
import { find, problemsOf, synth, testCluster } from '../_helpers';
import { gitlabProps, PUBLIC_NET } from './_fixture';

const SECRETS = { authToken: SecretKey.of('gitaly-secrets', 'auth-token'), shellSecret: SecretKey.of('gitaly-secrets', 'shell-secret') };
const SNAPSHOTS = GitalySnapshots.crashConsistent('nightly gitaly-backup of every repository to s3://repo-backups');
const REPOS: DataDiskOptions = { name: 'repositories', size: '200Gi', serial: 'repositories' };

function stack(opts: { vm?: Partial<VirtualMachineProps>; gitaly?: Partial<ExternalGitalyProps>; gitlabName?: string; noGitLab?: boolean } = {}) {
  const cluster = testCluster();
  const operators = new GitOpsApp(cluster, 'Operators', { name: 'gitlab-operator' });
  const operator = new GitLabOperator(operators, 'GitLabOperator');
  const app = new GitOpsApp(cluster, 'GitLab', { name: 'gitlab', namespace: 'gitlab-system' });
  const vm = new VirtualMachine(app, 'GitalyVm', {
    name: 'gitaly', cpu: 4, memory: Quantity.gibibytes(16),
    rootDisk: { source: DiskSource.existingPvc('gitaly-root'), moveToReadWriteMany: true },
    dataDisks: [REPOS],
    networks: [{ network: PUBLIC_NET, address: GuestAddress.fixed('192.0.2.10/24', { gateway: '192.0.2.1', dns: ['192.0.2.53'] }) }],
    cloudInit: ExternalGitaly.guestCloudInit({ users: [{ name: 'ops' }] }),
    ...opts.vm,
  });
  const gitaly = new ExternalGitaly(app, 'Gitaly', { vm, sshHost: 'git.example.org', ...SECRETS, guest: { repositoriesDisk: 'repositories', snapshots: SNAPSHOTS }, ...opts.gitaly });
  if (!opts.noGitLab) new GitLab(app, 'GitLab', gitlabProps({ cluster, app, vm, gitaly, operator }, { name: opts.gitlabName ?? 'gitlab' }));
  return { cluster, vm, gitaly };
}

describe('ExternalGitaly with a rendered guest configuration', () => {
  const s = stack();
  const result = synth(s.cluster);
  const cm = find(result, 'ConfigMap', 'gitaly-gitaly-node', 'gitlab-system');
  const vmSpec = find(result, 'VirtualMachine', 'gitaly', 'gitlab-system');

  test('gitlab.rb: Gitaly on the pod-network address, storage on the data disk, internal API at the webservice Service', () => {
    const rb: string = cm.data['gitlab.rb'];
    expect(rb).toContain("listen_addr: '10.0.2.2:8075'");
    expect(rb).toContain("storage: [{ name: 'default', path: '/var/opt/gitlab/git-data/repositories' }]");
    expect(rb).toContain("gitlab_rails['internal_api_url'] = 'http://gitlab-webservice-default.gitlab-system.svc:8181'");
    expect(rb).toContain("auth: { token: read_from_disk.call('auth-token') }");
    expect(rb).toContain("gitlab_shell['secret_token'] = read_from_disk.call('shell-secret')");
    for (const svc of ['postgresql', 'redis', 'nginx', 'puma', 'sidekiq', 'gitlab_workhorse', 'gitlab_exporter', 'gitlab_kas', 'prometheus', 'alertmanager']) {
      expect(rb).toContain(`${svc}['enable'] = false`);
    }
    expect(rb).not.toMatch(/0\.0\.0\.0/);
    expect(cm.data['sshd-gitlab.conf']).toMatch(/^Port 22$/m);
    expect(cm.data['apply.sh']).toContain('dev=/dev/disk/by-id/virtio-repositories');
  });

  test('no secret value in the ConfigMap; the Secret itself is a disk of the VM', () => {
    for (const v of Object.values(cm.data)) expect(detectSecret(v)).toBeUndefined();
    const t = vmSpec.spec.template.spec;
    expect(t.volumes).toContainEqual({ name: 'gitaly-secrets', secret: { secretName: 'gitaly-secrets', volumeLabel: 'GITALY_SECRETS' } });
    expect(t.volumes).toContainEqual({ name: 'gitaly-node', configMap: { name: 'gitaly-gitaly-node', volumeLabel: 'GITALY_NODE' } });
  });

  test('live-migratable, ready when Gitaly answers, snapshot choice recorded', () => {
    const t = vmSpec.spec.template.spec;
    expect(t.evictionStrategy).toBe('LiveMigrate');
    expect(t.readinessProbe).toEqual({ tcpSocket: { port: 8075 } });
    expect(vmSpec.metadata.annotations).toMatchObject({ 'ocpkit.io/snapshot-consistency': 'crash-consistent', 'ocpkit.io/snapshot-plan': SNAPSHOTS.note });
    expect(find(result, 'Service', 'gitaly', 'gitlab-system').spec.ports.map((p: any) => p.port)).toEqual([8075]);
  });

  test('the content digest on the VM template follows the rendered files', () => {
    const digest = vmSpec.spec.template.metadata.annotations['config.ocpkit.io/gitaly-node'];
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const renamed = synth(stack({ gitlabName: 'code' }).cluster);
    expect(find(renamed, 'ConfigMap', 'gitaly-gitaly-node').data['gitlab.rb']).toContain('http://code-webservice-default.gitlab-system.svc:8181');
    expect(find(renamed, 'VirtualMachine', 'gitaly').spec.template.metadata.annotations['config.ocpkit.io/gitaly-node']).not.toBe(digest);
    expect(find(synth(stack().cluster), 'VirtualMachine', 'gitaly').spec.template.metadata.annotations['config.ocpkit.io/gitaly-node']).toBe(digest);
  });

  test('the shell scripts parse (dash -n)', () => {
    for (const key of ['apply.sh', 'launcher.sh']) {
      const r = spawnSync('dash', ['-n'], { input: cm.data[key], encoding: 'utf8' });
      expect(r.error).toBeUndefined();
      expect({ key, status: r.status, err: r.stderr }).toEqual({ key, status: 0, err: '' });
    }
    expect(spawnSync('dash', ['-n'], { input: 'if then fi', encoding: 'utf8' }).status).not.toBe(0);
    expect(spawnSync('dash', ['-n'], { input: GITALY_BOOT_STEP, encoding: 'utf8' }).status).toBe(0);
  });

  test('the real cloud-init accepts the user data with the first-boot step', () => {
    const userData = s.vm.cloudInit!._userData('gitaly')!;
    expect(userData).toContain(GITALY_BOOT_STEP);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-gitaly-'));
    const file = path.join(dir, 'user-data');
    fs.writeFileSync(file, userData);
    const r = spawnSync('cloud-init', ['schema', '--config-file', file], { encoding: 'utf8' });
    if (r.error) throw new Error('cloud-init is needed for this test (.ci/run installs it: apt-get install cloud-init)');
    expect(`${r.stdout}${r.stderr}`).toMatch(/Valid cloud-config/);
    expect(r.status).toBe(0);
  });
});

describe('ExternalGitaly guest: bad input', () => {
  test('the repositories disk needs a serial and ReadWriteMany', () => {
    expect(problemsOf(() => stack({ vm: { dataDisks: [{ name: 'repositories', size: '1Gi' }] } }))).toEqual([
      { path: 'GitLab/Gitaly', field: 'guest.repositoriesDisk', message: 'data disk "repositories" of VM "gitaly" has no serial; give it serial: "repositories" so the guest finds it whatever the device order' },
    ]);
    expect(problemsOf(() => stack({ vm: { dataDisks: [{ ...REPOS, accessMode: AccessMode.READ_WRITE_ONCE }] } }))[0].message).toMatch(/^data disk "repositories" is ReadWriteOnce; the VM cannot live-migrate/);
    expect(problemsOf(() => stack({ vm: { dataDisks: [] } }))[0].message).toBe('VM "gitaly" has no data disk "repositories"; add it to dataDisks (with a serial)');
  });

  test('the VM must carry the first-boot step, and be ready on the Gitaly port', () => {
    expect(problemsOf(() => stack({ vm: { cloudInit: undefined } }))).toEqual([
      { path: 'GitLab/Gitaly', field: 'vm', message: 'VM "gitaly" has no cloud-init step installing the Gitaly configuration unit; give it cloudInit: ExternalGitaly.guestCloudInit({ ... })' },
    ]);
    expect(problemsOf(() => stack({ vm: { ports: [{ name: 'ssh', port: 22 }] } }))[0].message)
      .toBe('VM "gitaly" is ready when port 22 answers, not when Gitaly answers; give it readiness: VmReadiness.tcp(8075) (or publish "gitaly" as its first port)');
    expect(() => stack({ vm: { ports: [{ name: 'ssh', port: 22 }], readiness: VmReadiness.tcp(8075) } })).not.toThrow();
  });

  test('one Secret, no TLS, port 22, an explicit snapshot choice', () => {
    const messages = problemsOf(() => stack({
      gitaly: {
        shellSecret: SecretKey.of('other', 'shell-secret'), tls: {}, sshPort: 2222,
        guest: { repositoriesDisk: 'repositories', snapshots: undefined as any },
      },
    })).map((x) => `${x.field}: ${x.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^guest.snapshots: undefined is not a GitalySnapshots; choose GitalySnapshots.guestAgent\(how\) or GitalySnapshots.crashConsistent\(plan\)/),
      expect.stringMatching(/^tls: the rendered guest configuration serves plain gRPC/),
      expect.stringMatching(/^sshPort: 2222: the rendered guest configuration runs sshd on port 22/),
      'shellSecret: is in Secret "other" and authToken in "gitaly-secrets"; the guest gets one Secret disk, so keep both keys in one Secret',
    ]);
    expect(problemsOf(() => stack({ gitaly: { guest: { repositoriesDisk: 'repositories', snapshots: GitalySnapshots.guestAgent('yes') } } }))[0].message).toMatch(/^"yes" says too little; say how the guest agent gets into the image/);
  });

  test('a Gitaly no GitLab uses has no internal API to render', () => {
    const s = stack({ noGitLab: true });
    expect(() => synth(s.cluster)).toThrow(/\[GitLab\/Gitaly\] guest: no GitLab in the stack uses this Gitaly/);
  });
});
