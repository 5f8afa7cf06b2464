import { Quantity } from '../../lib/core/quantity';
import { SecretKey } from '../../lib/core/secret-key';
import { ExternalGitaly, GitLab } from '../../lib/gitlab';
import { BridgeNetwork } from '../../lib/network/bridge-network';
import { DiskSource } from '../../lib/virt/disk-source';
import { VirtualMachine } from '../../lib/virt/virtual-machine';
import { find, synth } from '../_helpers';
import { fixture, gitlabProps, PUBLIC_NET } from './_fixture';

const SIZE = { cpu: 2, memory: Quantity.gibibytes(4) };
const SECRETS = { authToken: SecretKey.of('gitaly-secrets', 'auth-token'), shellSecret: SecretKey.of('gitaly-secrets', 'shell-secret') };

describe('ExternalGitaly', () => {
  test('publishes port 8075 through the VM Service and points the CR at it', () => {
    const f = fixture();
    new GitLab(f.app, 'GitLab', gitlabProps(f));
    const result = synth(f.cluster);
    const svc = find(result, 'Service', 'gitaly', 'gitlab-system');
    expect(svc.spec.ports).toEqual([expect.objectContaining({ name: 'gitaly', port: 8075 })]);
    const v = find(result, 'GitLab', 'gitlab').spec.chart.values;
    expect(v.global.gitaly.external).toEqual([{ name: 'default', hostname: 'gitaly.gitlab-system.svc', port: 8075, tlsEnabled: false }]);
    expect(v.global.gitaly.enabled).toBe(false);
    expect(v.global.hosts.ssh).toBe('git.example.org');
    expect(v.global.shell.port).toBe(22);
    expect(f.gitaly.gitalyHost).toBe('gitaly.gitlab-system.svc');
  });

  test('typed link: renaming the VM and changing ports changes the CR', () => {
    const f = fixture('git-storage-1');
    const vm2 = new VirtualMachine(f.app, 'OtherVm', {
      name: 'gitaly-tls', cpu: 2, memory: Quantity.gibibytes(8),
      rootDisk: { source: DiskSource.existingPvc('gitaly-tls-root') }, networks: [{ network: PUBLIC_NET }],
    });
    const gitaly = new ExternalGitaly(f.app, 'GitalyTls', { vm: vm2, sshHost: 'ssh.example.org', sshPort: 2222, gitalyPort: 9999, tls: { caSecretName: 'gitaly-ca' }, ...SECRETS });
    new GitLab(f.app, 'GitLab', gitlabProps(f, { gitaly }));
    const v = find(synth(f.cluster), 'GitLab', 'gitlab').spec.chart.values;
    expect(v.global.gitaly.external).toEqual([{ name: 'default', hostname: 'gitaly-tls.gitlab-system.svc', port: 9999, tlsEnabled: true }]);
    expect(v.global.certificates).toEqual({ customCAs: [{ secret: 'gitaly-ca' }] });
    expect(v.global.hosts.ssh).toBe('ssh.example.org');
    expect(v.global.shell.port).toBe(2222);
    expect(f.gitaly.gitalyHost).toBe('git-storage-1.gitlab-system.svc');
  });

  test('uses the gitaly port the VM already publishes', () => {
    const f = fixture();
    const vm = new VirtualMachine(f.app, 'Vm2', {
      ...SIZE, name: 'gitaly-2', rootDisk: { source: DiskSource.existingPvc('root-2') }, networks: [{ network: PUBLIC_NET }],
      ports: [{ name: 'gitaly', port: 8076 }],
    });
    const g = new ExternalGitaly(f.app, 'G2', { vm, sshHost: 'git2.example.org', ...SECRETS });
    expect(g.gitalyPort).toBe(8076);
  });

  describe('bad input', () => {
    test('not a VirtualMachine', () => {
      const f = fixture();
      expect(() => new ExternalGitaly(f.app, 'Bad', { vm: 'gitaly' as any, sshHost: 'git.example.org', ...SECRETS }))
        .toThrow(/\[GitLab\/Bad\] vm: "gitaly" is not a VirtualMachine/);
    });

    test('VM not on the public network', () => {
      const f = fixture();
      const other = BridgeNetwork.fromName('gitlab-system', 'internal-network');
      const vm = new VirtualMachine(f.app, 'Internal', { ...SIZE, name: 'internal', rootDisk: { source: DiskSource.existingPvc('r') }, networks: [{ network: other }] });
      expect(() => new ExternalGitaly(f.app, 'Bad', { vm, publicNetwork: PUBLIC_NET, sshHost: 'git.example.org', ...SECRETS }))
        .toThrow(/vm: VM "internal" is not attached to the public network "gitlab-system\/public-network"/);
    });

    test('VM without any bridge network', () => {
      const f = fixture();
      const vm = new VirtualMachine(f.app, 'PodOnly', { ...SIZE, name: 'pod-only', rootDisk: { source: DiskSource.existingPvc('r') } });
      expect(() => new ExternalGitaly(f.app, 'Bad', { vm, sshHost: 'git.example.org', ...SECRETS })).toThrow(/vm: VM "pod-only" is on no bridge network/);
    });

    test('VM without pod network', () => {
      const f = fixture();
      const vm = new VirtualMachine(f.app, 'NoPod', { ...SIZE, name: 'no-pod', podNetwork: false, rootDisk: { source: DiskSource.existingPvc('r') }, networks: [{ network: PUBLIC_NET }] });
      expect(() => new ExternalGitaly(f.app, 'Bad', { vm, sshHost: 'git.example.org', ...SECRETS })).toThrow(/vm: VM "no-pod" has no pod network/);
    });

    test.each([
      ['sshHost', { sshHost: 'git' }, /sshHost: "git" is not a DNS host name/],
      ['sshPort', { sshPort: 0 }, /sshPort: 0 must be an integer from 1 to 65535/],
      ['gitalyPort', { gitalyPort: 'x' }, /gitalyPort: "x" must be an integer/],
      ['authToken', { authToken: 'token' }, /authToken: "token" is not a Secret reference/],
      ['shellSecret', { shellSecret: undefined }, /shellSecret: undefined is not a Secret reference/],
      ['tls CA', { tls: { caSecretName: 'Gitaly CA' } }, /tls.caSecretName: "Gitaly CA" is not a Secret name/],
    ])('%s', (_n, override, message) => {
      const f = fixture();
      const vm = new VirtualMachine(f.app, 'Vm2', { ...SIZE, name: 'gitaly-2', rootDisk: { source: DiskSource.existingPvc('r') }, networks: [{ network: PUBLIC_NET }] });
      expect(() => new ExternalGitaly(f.app, 'Bad', { vm, sshHost: 'git.example.org', ...SECRETS, ...(override as any) })).toThrow(message);
    });

    test('gitalyPort disagreeing with the port the VM publishes', () => {
      const f = fixture();
      const vm = new VirtualMachine(f.app, 'Vm2', { ...SIZE, name: 'gitaly-2', rootDisk: { source: DiskSource.existingPvc('r') }, networks: [{ network: PUBLIC_NET }], ports: [{ name: 'gitaly', port: 8076 }] });
      expect(() => new ExternalGitaly(f.app, 'Bad', { vm, sshHost: 'git.example.org', gitalyPort: 8075, ...SECRETS }))
        .toThrow(/gitalyPort: 8075 differs from the port 8076 VM "gitaly-2" already publishes as "gitaly"/);
    });
  });
});
