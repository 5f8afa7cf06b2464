import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { Problems } from '../../lib/core/errors';
import { SecretKey } from '../../lib/core/secret-key';
import { detectSecret } from '../../lib/core/secret-scan';
import { CloudInit, CloudInitConfig, CloudInitContext, ConsoleLogin, GuestOs, guestOsFromBootSource, RhelSubscription, SshAuthorizedKeys } from '../../lib/virt';

function problems(ci: CloudInit, context: CloudInitContext = {}): string[] {
  const p = new Problems('vm');
  ci._check(p, 'cloudInit', context);
  return p.all.map((x) => `${x.field}: ${x.message}`);
}

const KEYS = SshAuthorizedKeys.fromSecret('ops-keys');
const LOGIN = ConsoleLogin.fromSecret({ user: 'rescue', passwordHash: SecretKey.of('relay-console', 'passwordHash') });
const REPO = { id: 'rhel-9-baseos', baseUrl: 'https://mirror.example.org/rhel9/$basearch/baseos', gpgKey: 'file:///etc/pki/rpm-gpg/RPM-GPG-KEY-redhat-release' };

function doc(config: CloudInitConfig, context: CloudInitContext = {}): any {
  return yaml.load(CloudInit.build(config)._userData('relay', context)!);
}

describe('guest OS', () => {
  test.each([
    ['https://images.example.org/rhel-9.4-x86_64-kvm.qcow2', GuestOs.RHEL],
    ['rhel9', GuestOs.RHEL],
    ['centos-stream9', GuestOs.CENTOS_STREAM],
    ['quay.io/containerdisks/fedora:39', GuestOs.FEDORA],
    ['quay.io/containerdisks/debian:12', GuestOs.DEBIAN],
    ['ubuntu-22.04-server-cloudimg-amd64.img', GuestOs.UBUNTU],
    ['freebsd-14.qcow2', undefined],
    ['cherhello', undefined],
  ])('%s -> %s', (ref, expected) => {
    expect(guestOsFromBootSource(ref)).toBe(expected);
  });

  test('a declaration contradicting the boot source is refused', () => {
    expect(problems(CloudInit.build({ guestOs: GuestOs.DEBIAN }), { guestOs: GuestOs.RHEL })).toEqual([
      'cloudInit.guestOs: declared "debian" but the boot source is "rhel"; leave guestOs out or fix the boot source',
    ]);
    expect(problems(CloudInit.build({ guestOs: 'windows' as any }))[0]).toMatch(/^cloudInit.guestOs: "windows" is not a GuestOs; use one of rhel, centos-stream/);
  });
});

describe('SSH keys through the guest agent on SELinux guests', () => {
  test('SELinux guests get the virt_qemu_ga_manage_ssh boolean before the agent starts', () => {
    const d = doc({ users: [{ name: 'ops' }], sshAuthorizedKeys: KEYS, guestOs: GuestOs.FEDORA });
    expect(d.packages).toEqual(['qemu-guest-agent']);
    expect(d.runcmd.slice(0, 2)).toEqual([['setsebool', '-P', 'virt_qemu_ga_manage_ssh', 'on'], ['systemctl', 'enable', '--now', 'qemu-guest-agent']]);
  });

  test('guests without SELinux do not; RHEL without repositories relies on the agent in its image', () => {
    expect(doc({ users: [{ name: 'ops' }], sshAuthorizedKeys: KEYS }, { guestOs: GuestOs.DEBIAN }).runcmd).toEqual([['systemctl', 'enable', '--now', 'qemu-guest-agent']]);
    const rhel = doc({ users: [{ name: 'ops' }], sshAuthorizedKeys: KEYS }, { guestOs: GuestOs.RHEL });
    expect(rhel.packages).toBeUndefined();
    expect(rhel.runcmd[0]).toEqual(['setsebool', '-P', 'virt_qemu_ga_manage_ssh', 'on']);
    expect(doc({ users: [{ name: 'ops' }], sshAuthorizedKeys: KEYS, yumRepos: [REPO] }, { guestOs: GuestOs.RHEL }).packages).toEqual(['qemu-guest-agent']);
  });
});

describe('host names', () => {
  test('the host name is the first label of the FQDN', () => {
    expect(doc({ fqdn: 'idm-2.int.example.org' })).toMatchObject({ hostname: 'idm-2', fqdn: 'idm-2.int.example.org' });
    expect(problems(CloudInit.build({ hostname: 'idm-2', fqdn: 'idm-3.int.example.org' }))).toEqual([
      'cloudInit.fqdn: "idm-3.int.example.org" does not start with the host name "idm-2"; the fully qualified name is the host name plus the domain (or leave hostname out and it is taken from fqdn)',
    ]);
  });

  test('a bare name is refused where a package needs the FQDN', () => {
    expect(problems(CloudInit.build({ hostname: 'idm-2', packages: ['ipa-server'] }))).toEqual([
      'cloudInit.fqdn: package "ipa-server" needs the guest\'s fully qualified name (IdM/FreeIPA enrolment (ipa-client-install, ipa-replica-install) refuses a short host name), and KubeVirt\'s meta-data gives only the bare VM name; set fqdn, for example "idm-2.example.org"',
    ]);
    expect(problems(CloudInit.build({ fqdn: 'idm-2.int.example.org', packages: ['ipa-server'] }))).toEqual([]);
  });
});

describe('packages on RHEL', () => {
  test('packages without repositories or a subscription are refused on RHEL', () => {
    expect(problems(CloudInit.build({ packages: ['postfix', 'tmux'] }), { guestOs: GuestOs.RHEL })).toEqual([
      'cloudInit.packages: a RHEL guest has no package repositories until it is registered, so installing "postfix", "tmux" would fail the whole first-boot package step; declare yumRepos (a mirror or Satellite) or subscription: RhelSubscription.inImage(...), or install the packages into the image',
    ]);
    expect(problems(CloudInit.build({ packages: ['postfix'], guestOs: GuestOs.RHEL }))[0]).toMatch(/^cloudInit.packages: a RHEL guest has no package repositories/);
    expect(problems(CloudInit.build({ packages: ['postfix'] }), { guestOs: GuestOs.FEDORA })).toEqual([]);
    expect(problems(CloudInit.build({ packages: ['postfix'] }))).toEqual([]);
  });

  test('declared repositories or a subscription allow them; repositories are rendered as yum_repos', () => {
    // EPEL is signed with a key no RHEL image carries
    expect(problems(CloudInit.build({ packages: ['smokeping'], yumRepos: [REPO, { id: 'epel', baseUrl: 'https://mirror.example.org/epel/9/Everything/x86_64/' }] }), { guestOs: GuestOs.RHEL })).toEqual([
      'cloudInit.yumRepos[1].gpgKey: repository "epel" is EPEL, signed with a key the guest image does not carry, so dnf would refuse its packages and fail the whole package step; give gpgKey (the mirrored RPM-GPG-KEY-EPEL-9)',
    ]);
    expect(problems(CloudInit.build({ packages: ['smokeping'], yumRepos: [REPO, { id: 'epel', baseUrl: 'https://mirror.example.org/epel/9/', gpgKey: 'https://mirror.example.org/epel/RPM-GPG-KEY-EPEL-9' }] }), { guestOs: GuestOs.RHEL })).toEqual([]);
    expect(problems(CloudInit.build({ packages: ['postfix'], yumRepos: [REPO] }), { guestOs: GuestOs.RHEL })).toEqual([]);
    expect(problems(CloudInit.build({ packages: ['postfix'], subscription: RhelSubscription.inImage('Image Builder against satellite.example.org') }), { guestOs: GuestOs.RHEL })).toEqual([]);
    expect(doc({ packages: ['postfix'], yumRepos: [REPO] }).yum_repos).toEqual({
      'rhel-9-baseos': { name: 'rhel-9-baseos', baseurl: REPO.baseUrl, enabled: true, gpgcheck: true, gpgkey: REPO.gpgKey },
    });
  });

  test('bad repositories are refused', () => {
    expect(problems(CloudInit.build({ yumRepos: [{ id: 'a b', baseUrl: 'ftp://x' }, { id: 'ok', baseUrl: 'https://user:pw@mirror.example.org/x', gpgKey: 'keys' }, { id: 'ok', baseUrl: 'https://m.example.org' }], subscription: RhelSubscription.inImage('') }))).toEqual([
      'cloudInit.yumRepos[0].id: "a b" is not a repository id (letters, digits, \'-\', \'_\', \'.\', \':\')',
      'cloudInit.yumRepos[0].baseUrl: "ftp://x" is not an http(s) URL (for example "https://download.example.org/image.qcow2")',
      expect.stringMatching(/^cloudInit.yumRepos\[1\].baseUrl: "https:\/\/\*\*\*@mirror.example.org\/x" carries credentials in the URL/),
      'cloudInit.yumRepos[1].gpgKey: "keys" is not a key location; give an http(s) URL or a file:/// path',
      expect.stringMatching(/^cloudInit.yumRepos\[1\].baseUrl: contains /),
      'cloudInit.yumRepos: repository "ok" is listed twice',
      'cloudInit.subscription: say how the image is registered, for example RhelSubscription.inImage("built by Image Builder against satellite.example.org")',
    ]);
  });
});

describe('break-glass console login', () => {
  const ci = CloudInit.build({ fqdn: 'relay.int.example.org', users: [{ name: 'ops' }], consoleLogin: LOGIN });

  test('adds the console user with sudo, switches SSH passwords off, sets the hash from the Secret disk', () => {
    expect(problems(ci)).toEqual([]);
    const d = doc({ fqdn: 'relay.int.example.org', users: [{ name: 'ops' }], consoleLogin: LOGIN });
    expect(d.users).toEqual(['default', { name: 'ops' }, { name: 'rescue', sudo: 'ALL=(ALL) ALL' }]);
    expect(d.ssh_pwauth).toBe(false);
    expect(d.runcmd).toEqual([`d=$(mktemp -d) && t=$(mktemp -p /run) && mount -o ro /dev/disk/by-label/BREAKGLASS "$d" && sed 's/^/rescue:/' "$d/passwordHash" > "$t" && chpasswd -e < "$t"; rm -f "$t"; umount "$d"; rmdir "$d"`]);
    expect(ci._consoleVolume()).toEqual({ name: 'breakglass', secretName: 'relay-console', volumeLabel: 'BREAKGLASS' });
    expect(CloudInit.build({})._consoleVolume()).toBeUndefined();
  });

  test('no secret reaches the user data (the synth-time secret scan finds none)', () => {
    const text = ci._userData('relay')!;
    expect(detectSecret(text)).toBeUndefined();
    expect(text).not.toMatch(/\$6\$|passwd:|password:/);
    // The scan does find a literal password piped into chpasswd, so the assertion above can fail.
    expect(detectSecret('#cloud-config\nruncmd:\n  - echo \'rescue:hunter2\' | chpasswd\n')).toBeDefined();
  });

  test('bad console logins are refused', () => {
    expect(problems(CloudInit.build({ consoleLogin: ConsoleLogin.fromSecret({ user: 'root', passwordHash: SecretKey.of('c', 'hash') }) }))).toEqual([
      'cloudInit.consoleLogin.user: root cannot be the console user (cloud-init locks root, and a shared root password cannot be traced); name a personal or break-glass user, it gets sudo',
    ]);
    expect(problems(CloudInit.build({ consoleLogin: ConsoleLogin.fromSecret({ user: 'Rescue', passwordHash: '$6$abc' as any }) }))).toEqual([
      'cloudInit.consoleLogin.user: "Rescue" is not a Linux user name (lower-case letters, digits, \'_\', \'-\', at most 32 characters)',
      expect.stringMatching(/^cloudInit.consoleLogin.passwordHash: .* must be SecretKey.of\(secretName, key\); the hash is read from a Secret$/),
    ]);
    expect(problems(CloudInit.build({ consoleLogin: { user: 'rescue', passwordHash: 'x' } as any }))[0])
      .toMatch(/^cloudInit.consoleLogin: .* is not a ConsoleLogin; use ConsoleLogin.fromSecret/);
  });
});

describe('the real cloud-init accepts the user data', () => {
  test('cloud-init schema (Debian cloud-init 22.4) validates a full document', () => {
    const text = CloudInit.build({
      fqdn: 'idm-2.int.example.org', timezone: 'UTC', guestOs: GuestOs.RHEL,
      users: [{ name: 'ops', groups: ['wheel'], sudo: true }], sshAuthorizedKeys: KEYS,
      yumRepos: [REPO], packages: ['ipa-server'], consoleLogin: LOGIN, runCommands: [['systemctl', 'enable', '--now', 'ipa']],
    })._userData('idm-2')!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-ci-'));
    const file = path.join(dir, 'user-data');
    fs.writeFileSync(file, text);
    const run = (f: string) => {
      const r = spawnSync('cloud-init', ['schema', '--config-file', f], { encoding: 'utf8' });
      if (r.error) throw new Error('cloud-init is needed for this test (.ci/run installs it: apt-get install cloud-init)');
      return { status: r.status, out: `${r.stdout}${r.stderr}` };
    };
    const ok = run(file);
    expect(ok.out).toMatch(/Valid cloud-config/);
    expect(ok.status).toBe(0);
    // The tool does refuse a bad document.
    fs.writeFileSync(file, '#cloud-config\nssh_pwauth: maybe-later\nyum_repos: {x: {baseurl: 3}}\n');
    expect(run(file).status).not.toBe(0);
  });
});
