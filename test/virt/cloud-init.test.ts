import * as yaml from 'js-yaml';
import { Problems } from '../../lib/core/errors';
import { SecretKey } from '../../lib/core/secret-key';
import { CloudInit, SshAuthorizedKeys, SshKeyPropagation } from '../../lib/virt';

function problems(ci: CloudInit): string[] {
  const p = new Problems('vm');
  ci._check(p, 'cloudInit');
  return p.all.map((x) => `${x.field}: ${x.message}`);
}

describe('CloudInit', () => {
  test('renders #cloud-config from typed settings', () => {
    const ci = CloudInit.build({
      hostname: 'relay', fqdn: 'relay.int.example.org', timezone: 'UTC',
      users: [{ name: 'ops', groups: ['wheel', 'adm'], sudo: true, shell: '/bin/bash' }],
      packages: ['postfix'], runCommands: ['systemctl enable --now postfix', ['touch', '/etc/ready']],
    });
    expect(problems(ci)).toEqual([]);
    const text = ci._userData('ignored')!;
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    expect(yaml.load(text)).toEqual({
      hostname: 'relay', fqdn: 'relay.int.example.org', timezone: 'UTC',
      users: ['default', { name: 'ops', groups: 'wheel, adm', sudo: 'ALL=(ALL) NOPASSWD:ALL', shell: '/bin/bash' }],
      packages: ['postfix'],
      runcmd: ['systemctl enable --now postfix', ['touch', '/etc/ready']],
    });
  });

  test('hostname defaults to the VM name; guest agent is installed for key propagation', () => {
    const ci = CloudInit.build({ users: [{ name: 'ops' }], sshAuthorizedKeys: SshAuthorizedKeys.fromSecret('keys') });
    const doc: any = yaml.load(ci._userData('bastion')!);
    expect(doc.hostname).toBe('bastion');
    expect(doc.packages).toEqual(['qemu-guest-agent']);
    expect(doc.runcmd).toEqual([
      'if command -v setsebool >/dev/null 2>&1; then setsebool -P virt_qemu_ga_manage_ssh on; fi',
      ['systemctl', 'enable', '--now', 'qemu-guest-agent'],
    ]);
    const nc = CloudInit.build({ sshAuthorizedKeys: SshAuthorizedKeys.fromSecret('keys', { propagation: SshKeyPropagation.NO_CLOUD }) });
    expect((yaml.load(nc._userData('x')!) as any).packages).toBeUndefined();
  });

  test('a Secret must hold the user data under "userdata"', () => {
    expect(problems(CloudInit.fromSecret(SecretKey.of('vm-ci', 'userdata')))).toEqual([]);
    expect(problems(CloudInit.fromSecret(SecretKey.of('vm-ci', 'userData')))).toEqual([]);
    expect(problems(CloudInit.fromSecret(SecretKey.of('vm-ci', 'cloud-config')))[0]).toMatch(/cloudInit.secret: key "cloud-config" of Secret "vm-ci" is not read by KubeVirt; put the user data under the key "userdata"/);
    expect(CloudInit.fromSecret(SecretKey.of('vm-ci', 'userdata'))._userData('x')).toBeUndefined();
  });

  test('refuses inline keys, private keys and bad values', () => {
    const out = problems(CloudInit.build({
      hostname: 'Relay.example', fqdn: 'relay', timezone: 'Mars Time',
      users: [{ name: 'Ops', groups: ['wheel!'] }, { name: 'ops2', sshAuthorizedKeys: ['ssh-ed25519 AAAA'] } as any, { name: 'ops2' }],
      packages: ['vim; rm -rf /'],
      runCommands: ['', 'echo "-----BEGIN OPENSSH PRIVATE KEY-----" > /root/.ssh/id'],
      sshAuthorizedKeys: 'ssh-ed25519 AAAA' as any,
    }));
    expect(out).toEqual(expect.arrayContaining([
      expect.stringMatching(/^cloudInit.hostname: "Relay.example" is not a host name/),
      expect.stringMatching(/^cloudInit.fqdn: "relay" is not a DNS host name/),
      expect.stringMatching(/^cloudInit.users\[0\].name: "Ops" is not a Linux user name/),
      expect.stringMatching(/^cloudInit.users\[0\].groups\[0\]: "wheel!" is not a group name/),
      expect.stringMatching(/^cloudInit.users\[1\].sshAuthorizedKeys: SSH keys and passwords are never written into a VM definition/),
      expect.stringMatching(/^cloudInit.users: user "ops2" is listed twice/),
      expect.stringMatching(/^cloudInit.sshAuthorizedKeys: "ssh-ed25519 AAAA" must be SshAuthorizedKeys.fromSecret\(secretName\)/),
      expect.stringMatching(/^cloudInit.packages\[0\]: "vim; rm -rf \/" is not a package name/),
      expect.stringMatching(/^cloudInit.runCommands\[0\]: "" must be a non-empty command/),
      expect.stringMatching(/^cloudInit.runCommands\[1\]: contains a private key; secrets never go into a VM definition/),
      expect.stringMatching(/^cloudInit.timezone: "Mars Time" is not a time zone name/),
    ]));
  });

  test('lists given as strings are refused, not crashed on', () => {
    const out = problems(CloudInit.build({ users: [{ name: 'ops', groups: 'wheel' as any }], packages: 'postfix' as any, runCommands: 'reboot' as any }));
    expect(out).toEqual([
      'cloudInit.users[0].groups: "wheel" is not a list; write a list such as ["wheel"]',
      'cloudInit.packages: "postfix" is not a list; write a list such as ["postfix", "tmux"]',
      'cloudInit.runCommands: "reboot" is not a list; write a list such as ["systemctl enable --now postfix"]',
    ]);
  });

  test('guest-agent key propagation needs a user; secret names are checked', () => {
    expect(problems(CloudInit.build({ sshAuthorizedKeys: SshAuthorizedKeys.fromSecret('keys') }))[0])
      .toMatch(/cloudInit.sshAuthorizedKeys: the guest agent puts keys into named users' authorized_keys; add at least one entry to users/);
    expect(problems(CloudInit.build({ users: [{ name: 'a' }], sshAuthorizedKeys: SshAuthorizedKeys.fromSecret('Keys!') }))[0])
      .toMatch(/cloudInit.sshAuthorizedKeys.secretName: "Keys!" is not a DNS-1123 subdomain/);
  });
});
