import * as yaml from 'js-yaml';
import { Problems, show } from '../core/errors';
import { dnsSubdomain, duplicates, hostname as fqdnRule, httpUrl, nonEmpty } from '../core/rules';
import { SecretKey } from '../core/secret-key';
import { detectSecret, setsPasswordInShell } from '../core/secret-scan';
import { listProp } from '../network/_rules';
import { ConfigDisk } from './config-disk';

/** How KubeVirt puts the keys of an SSH key Secret into the guest. */
export enum SshKeyPropagation {
  /**
   * Through the QEMU guest agent, into the listed users' `authorized_keys`; keys added to the
   * Secret later reach running VMs. Works on KubeVirt 1.0 (OpenShift Virtualization 4.14). The
   * guest needs `qemu-guest-agent` running (ocpkit adds the package to the cloud-init data), and on
   * SELinux guests the boolean `virt_qemu_ga_manage_ssh` (ocpkit sets it on first boot, as KubeVirt's
   * `virtctl create vm --ga-manage-ssh` does). KubeVirt 1.0.1 writes the keys with libvirt's
   * AuthorizedSSHKeysSet (qemu-ga guest-ssh-* commands), falling back to guest-exec and file writes
   * (pkg/virt-launcher/virtwrap/access-credentials/access_credentials.go).
   */
  GUEST_AGENT = 'qemuGuestAgent',
  /** Into the NoCloud meta-data at boot. Needs KubeVirt 1.1 or later (OpenShift Virtualization 4.15+). */
  NO_CLOUD = 'noCloud',
}

/**
 * SSH public keys for a VM, taken from a Secret (never written into the manifests). Every key of
 * the Secret holds one or more public keys (`authorized_keys` lines).
 * @see https://kubevirt.io/user-guide/user_workloads/accessing_virtual_machines/
 */
export class SshAuthorizedKeys {
  /** Public keys from the Secret `secretName` in the VM's namespace. */
  public static fromSecret(secretName: string, options: { readonly propagation?: SshKeyPropagation } = {}): SshAuthorizedKeys {
    return new SshAuthorizedKeys(secretName, options.propagation ?? SshKeyPropagation.GUEST_AGENT);
  }

  private constructor(public readonly secretName: string, public readonly propagation: SshKeyPropagation) {}
}

/** A user cloud-init creates. */
export interface CloudInitUser {
  /** Login name. */
  readonly name: string;
  /** Supplementary groups (`wheel`). @default none */
  readonly groups?: readonly string[];
  /** Passwordless sudo. @default false */
  readonly sudo?: boolean;
  /** Login shell. @default the distribution's default */
  readonly shell?: string;
}

/**
 * The guest's operating system family, as far as ocpkit needs it: SELinux (the guest-agent
 * boolean), and whether packages can be installed without declared repositories (RHEL cannot).
 */
export enum GuestOs {
  /** Red Hat Enterprise Linux: SELinux; no package repositories until registered or given. */
  RHEL = 'rhel',
  /** CentOS Stream: SELinux; public repositories enabled. */
  CENTOS_STREAM = 'centos-stream',
  /** Fedora: SELinux; public repositories enabled. */
  FEDORA = 'fedora',
  /** Debian: no SELinux. */
  DEBIAN = 'debian',
  /** Ubuntu: no SELinux. */
  UBUNTU = 'ubuntu',
  /** Anything else (BSDs, Windows, appliances): ocpkit assumes nothing. */
  OTHER = 'other',
}

const SELINUX_GUESTS: readonly GuestOs[] = [GuestOs.RHEL, GuestOs.CENTOS_STREAM, GuestOs.FEDORA];
const NO_SELINUX_GUESTS: readonly GuestOs[] = [GuestOs.DEBIAN, GuestOs.UBUNTU];

/**
 * The guest OS named by a boot source: an image URL, a registry image, a DataSource or PVC name
 * (`rhel9`, `rhel-9.4-x86_64-kvm.qcow2`, `centos-stream9`, `fedora`, `quay.io/containerdisks/debian:12`).
 * Undefined when the name says nothing; declare `guestOs` then.
 */
export function guestOsFromBootSource(ref: string): GuestOs | undefined {
  if (typeof ref !== 'string') return undefined;
  const r = ref.toLowerCase();
  const word = (w: string) => new RegExp(`(^|[^a-z])${w}`).test(r);
  if (word('rhel') || word('red-?hat-?enterprise')) return GuestOs.RHEL;
  if (word('centos')) return GuestOs.CENTOS_STREAM;
  if (word('fedora')) return GuestOs.FEDORA;
  if (word('debian')) return GuestOs.DEBIAN;
  if (word('ubuntu')) return GuestOs.UBUNTU;
  return undefined;
}

/** A dnf/yum repository cloud-init writes to `/etc/yum.repos.d` (`yum_repos`). */
export interface YumRepo {
  /** Repository id (file name and section name). */
  readonly id: string;
  /** Human-readable name. @default the id */
  readonly name?: string;
  /** `baseurl` (https, or http for an internal mirror). */
  readonly baseUrl: string;
  /** URL or `file:///etc/pki/rpm-gpg/...` path of the signing key. @default the keys already installed */
  readonly gpgKey?: string;
  /** Check package signatures. @default true */
  readonly gpgCheck?: boolean;
}

/**
 * How a RHEL guest gets its package repositories when they are not given as `yumRepos`.
 * ocpkit does not write activation keys into user data (they are credentials).
 */
export class RhelSubscription {
  /**
   * The image is already registered or carries its repository files (built with Image Builder
   * against a Satellite or mirror). `how` says which, for the next reader.
   */
  public static inImage(how: string): RhelSubscription {
    return new RhelSubscription(how);
  }

  private constructor(public readonly how: string) {}
}

/** Volume (and disk) name of the break-glass Secret disk. */
export const CONSOLE_VOLUME = 'breakglass';
/** ISO volume label of the break-glass Secret disk; the guest finds it under /dev/disk/by-label/. */
export const CONSOLE_VOLUME_LABEL = 'BREAKGLASS';

/**
 * A break-glass login on the serial/VNC console whose password hash comes from a Secret.
 *
 * KubeVirt 1.0.1 takes user data from exactly one source (inline, base64 or `secretRef`; the
 * admission webhook refuses two, vmi-create-admitter.go), so a hash cannot be merged into inline
 * user data. Instead the Secret is attached as a small read-only disk (a KubeVirt `secret` volume
 * with `volumeLabel`, schema.go SecretVolumeSource, v1.0.1), and the user data (inline, without
 * any secret) sets the password from it on first boot with `chpasswd -e`. Password logins over
 * SSH are switched off (`ssh_pwauth: false`): the password is for the console only.
 *
 * The Secret is produced outside ocpkit (by hand, a SealedSecret or an ExternalSecret; declare it
 * with External.secret) and holds a crypt hash under `passwordHash.key`, made with
 * `openssl passwd -6` or `mkpasswd -m sha-512`. A new hash reaches the guest when the VM is
 * recreated from its disk image, not on reboot.
 */
export class ConsoleLogin {
  /** The console user `user`, its password hash in `passwordHash`. */
  public static fromSecret(options: { readonly user: string; readonly passwordHash: SecretKey }): ConsoleLogin {
    return new ConsoleLogin(options?.user, options?.passwordHash);
  }

  private constructor(public readonly user: string, public readonly passwordHash: SecretKey) {}
}

/** Facts about the VM that the cloud-init data depends on, given by the VirtualMachine. */
export interface CloudInitContext {
  /** The guest OS, from the boot source (`guestOsFromBootSource`). @default unknown */
  readonly guestOs?: GuestOs;
}

/** Packages that need the guest to know its fully qualified name, and why. */
const NEEDS_FQDN: readonly [RegExp, string][] = [
  [/^(ipa|freeipa)-(server|client|server-dns|server-trust-ad)$/, 'IdM/FreeIPA enrolment (ipa-client-install, ipa-replica-install) refuses a short host name'],
  [/^krb5-server$/, 'Kerberos service principals are named after the fully qualified host name'],
];

/** Typed cloud-init (NoCloud) configuration. */
export interface CloudInitConfig {
  /**
   * Host name of the guest (a single DNS label; the domain goes into `fqdn`).
   * @default the first label of `fqdn`, else the VM name
   */
  readonly hostname?: string;
  /**
   * Fully qualified name of the guest (`relay.int.example.org`); its first label is the host
   * name. Required when a package needs it (IdM/FreeIPA, Kerberos): KubeVirt's NoCloud meta-data
   * carries only the bare VM name.
   * @default none
   */
  readonly fqdn?: string;
  /** Users to create. @default none (the image's default user only) */
  readonly users?: readonly CloudInitUser[];
  /**
   * SSH public keys for the users, from a Secret. Private keys never go into a VM definition.
   * @default none
   */
  readonly sshAuthorizedKeys?: SshAuthorizedKeys;
  /** Packages to install on first boot. @default none */
  readonly packages?: readonly string[];
  /** Commands run once on first boot (`runcmd`); a string runs through a shell, a list runs directly. @default none */
  readonly runCommands?: readonly (string | readonly string[])[];
  /** Time zone (`Europe/Berlin`). @default the image's */
  readonly timezone?: string;
  /**
   * The guest OS, when the boot source's name does not say it (the VM passes what the boot
   * source says; a declaration that contradicts it is refused).
   * @default what the boot source says, else unknown
   */
  readonly guestOs?: GuestOs;
  /** Package repositories to add (`yum_repos`); on RHEL, packages need these or a subscription. @default none */
  readonly yumRepos?: readonly YumRepo[];
  /** How a RHEL guest is entitled to its repositories, when not through yumRepos. @default none */
  readonly subscription?: RhelSubscription;
  /** A break-glass console login with its password hash from a Secret. @default none */
  readonly consoleLogin?: ConsoleLogin;
}

/** KubeVirt refuses inline NoCloud user data above this size; larger data belongs in a Secret. */
export const MAX_INLINE_USER_DATA = 2048;

const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|PRIVATE KEY/;

/**
 * Cloud-init NoCloud data of a VM: built from typed settings, or read from a Secret.
 * @see https://cloudinit.readthedocs.io/en/latest/reference/datasources/nocloud.html
 */
export class CloudInit {
  /** Typed settings, rendered into `#cloud-config` user data. */
  public static build(config: CloudInitConfig): CloudInit {
    return new CloudInit(config, undefined);
  }

  /**
   * User data kept in a Secret (for anything sensitive or large). KubeVirt reads the key
   * `userdata` (or `userData`) of the Secret, so that is the key to give.
   */
  public static fromSecret(userData: SecretKey): CloudInit {
    return new CloudInit(undefined, userData);
  }

  private constructor(
    /** The typed settings, if built from them. */
    public readonly config: CloudInitConfig | undefined,
    /** The user-data Secret, if read from one. */
    public readonly secret: SecretKey | undefined,
  ) {}

  /**
   * Records problems under `field`.
   * @internal
   */
  public _check(p: Problems, field: string, context: CloudInitContext = {}): void {
    if (this.secret) {
      if (!(this.secret instanceof SecretKey)) {
        p.add(`${field}.secret`, 'must be a SecretKey.of(secretName, "userdata")');
      } else if (this.secret.key !== 'userdata' && this.secret.key !== 'userData') {
        p.add(`${field}.secret`, `key "${this.secret.key}" of Secret "${this.secret.secretName}" is not read by KubeVirt; put the user data under the key "userdata" and use SecretKey.of("${this.secret.secretName}", "userdata")`);
      }
      return;
    }
    const c = this.config ?? {};
    if (c.hostname !== undefined) p.check(`${field}.hostname`, c.hostname, (v) => (typeof v === 'string' && /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v) ? undefined : `${show(v)} is not a host name (a DNS label; put the domain in fqdn)`));
    if (c.fqdn !== undefined) p.check(`${field}.fqdn`, c.fqdn, fqdnRule);
    const users = c.users ?? [];
    if (!Array.isArray(users)) p.add(`${field}.users`, `${show(users)} must be a list of users`);
    else {
      users.forEach((u, i) => {
        p.check(`${field}.users[${i}].name`, u?.name, (v) => (typeof v === 'string' && USER_NAME.test(v) ? undefined : `${show(v)} is not a Linux user name (lower-case letters, digits, '_', '-', at most 32 characters)`));
        for (const k of Object.keys(u ?? {})) {
          if (/ssh|key|passw/i.test(k)) p.add(`${field}.users[${i}].${k}`, 'SSH keys and passwords are never written into a VM definition; reference public keys with sshAuthorizedKeys: SshAuthorizedKeys.fromSecret(...)');
        }
        listProp<string>(p, `${field}.users[${i}].groups`, u?.groups, '["wheel"]').forEach((g, j) => p.check(`${field}.users[${i}].groups[${j}]`, g, (v) => (typeof v === 'string' && USER_NAME.test(v) ? undefined : `${show(v)} is not a group name`)));
      });
      for (const d of duplicates(users.map((u) => u?.name))) p.add(`${field}.users`, `user "${d}" is listed twice`);
    }
    if (c.sshAuthorizedKeys !== undefined) {
      const k = c.sshAuthorizedKeys;
      if (!(k instanceof SshAuthorizedKeys)) {
        p.add(`${field}.sshAuthorizedKeys`, `${show(k)} must be SshAuthorizedKeys.fromSecret(secretName); keys are read from a Secret, never written inline`);
      } else {
        p.check(`${field}.sshAuthorizedKeys.secretName`, k.secretName, dnsSubdomain);
        if (k.propagation === SshKeyPropagation.GUEST_AGENT && users.length === 0) {
          p.add(`${field}.sshAuthorizedKeys`, 'the guest agent puts keys into named users\' authorized_keys; add at least one entry to users');
        }
      }
    }
    listProp(p, `${field}.packages`, c.packages, '["postfix", "tmux"]').forEach((pkg, i) => p.check(`${field}.packages[${i}]`, pkg, (v) => (typeof v === 'string' && /^[A-Za-z0-9][-A-Za-z0-9_.+:@]*$/.test(v) ? undefined : `${show(v)} is not a package name`)));
    listProp(p, `${field}.runCommands`, c.runCommands, '["systemctl enable --now postfix"]').forEach((cmd, i) => {
      const parts = Array.isArray(cmd) ? cmd : [cmd];
      if (parts.length === 0 || parts.some((x) => nonEmpty(x) !== undefined)) p.add(`${field}.runCommands[${i}]`, `${show(cmd)} must be a non-empty command string or list of arguments`);
      if (parts.some((x) => typeof x === 'string' && PRIVATE_KEY.test(x))) p.add(`${field}.runCommands[${i}]`, 'contains a private key; secrets never go into a VM definition (use CloudInit.fromSecret for sensitive user data)');
      else {
        const what = parts.map((x) => detectSecret(x)).find((w) => w !== undefined) ?? (setsPasswordInShell(parts.join(' ')) ? 'a command that sets a password (chpasswd, passwd, useradd/usermod -p, openssl passwd, mkpasswd, htpasswd -b)' : undefined);
        if (what) p.add(`${field}.runCommands[${i}]`, `contains ${what}; user data is written into Git in plain text, so secrets never go into a VM definition (use CloudInit.fromSecret for sensitive user data)`);
      }
    });
    // Every other string the user gives ends up in the user data too.
    const strings: [string, unknown][] = [['hostname', c.hostname], ['fqdn', c.fqdn], ['timezone', c.timezone]];
    if (Array.isArray(c.packages)) c.packages.forEach((x, i) => strings.push([`packages[${i}]`, x]));
    if (Array.isArray(users)) users.forEach((u, i) => { strings.push([`users[${i}].name`, u?.name], [`users[${i}].shell`, u?.shell]); if (Array.isArray(u?.groups)) (u.groups as readonly unknown[]).forEach((g: unknown, j: number) => strings.push([`users[${i}].groups[${j}]`, g])); });
    for (const [f, v] of strings) {
      const what = detectSecret(v);
      if (what) p.add(`${field}.${f}`, `contains ${what}; secrets never go into a VM definition (use CloudInit.fromSecret for sensitive user data)`);
    }
    if (c.timezone !== undefined) p.check(`${field}.timezone`, c.timezone, (v) => (typeof v === 'string' && /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(v) ? undefined : `${show(v)} is not a time zone name (for example "Europe/Berlin" or "UTC")`));
    this.checkGuest(p, field, c, context);
  }

  /** Host name, guest OS, repositories and the console login. */
  private checkGuest(p: Problems, field: string, c: CloudInitConfig, context: CloudInitContext): void {
    // Host name and FQDN agree, and an FQDN is there where a package needs one.
    if (typeof c.hostname === 'string' && typeof c.fqdn === 'string' && fqdnRule(c.fqdn) === undefined && c.fqdn.split('.')[0] !== c.hostname) {
      p.add(`${field}.fqdn`, `${show(c.fqdn)} does not start with the host name ${show(c.hostname)}; the fully qualified name is the host name plus the domain (or leave hostname out and it is taken from fqdn)`);
    }
    if (c.fqdn === undefined && Array.isArray(c.packages)) {
      for (const pkg of c.packages) {
        const why = NEEDS_FQDN.find(([re]) => typeof pkg === 'string' && re.test(pkg));
        if (why) {
          p.add(`${field}.fqdn`, `package "${pkg}" needs the guest's fully qualified name (${why[1]}), and KubeVirt's meta-data gives only the bare VM name; set fqdn, for example "${c.hostname ?? 'host'}.example.org"`);
          break;
        }
      }
    }
    // Guest OS: declared or from the boot source, not contradicting each other.
    const oses = Object.values(GuestOs) as string[];
    if (c.guestOs !== undefined && !oses.includes(c.guestOs)) p.add(`${field}.guestOs`, `${show(c.guestOs)} is not a GuestOs; use one of ${oses.join(', ')}`);
    else if (c.guestOs !== undefined && context.guestOs !== undefined && c.guestOs !== context.guestOs) {
      p.add(`${field}.guestOs`, `declared "${c.guestOs}" but the boot source is "${context.guestOs}"; leave guestOs out or fix the boot source`);
    }
    const os = this.guestOs(context);
    // Repositories.
    const repos = listProp<YumRepo>(p, `${field}.yumRepos`, c.yumRepos, '[{ id: "rhel-9-baseos", baseUrl: "https://mirror.example.org/rhel9/baseos" }]');
    repos.forEach((r, i) => {
      const f = `${field}.yumRepos[${i}]`;
      p.check(`${f}.id`, r?.id, (v) => (typeof v === 'string' && /^[A-Za-z0-9][-A-Za-z0-9_.:]*$/.test(v) ? undefined : `${show(v)} is not a repository id (letters, digits, '-', '_', '.', ':')`));
      p.check(`${f}.baseUrl`, r?.baseUrl, httpUrl);
      if (r?.gpgKey !== undefined) p.check(`${f}.gpgKey`, r.gpgKey, (v) => (typeof v === 'string' && (/^file:\/\/\/\S+$/.test(v) || httpUrl(v) === undefined) ? undefined : `${show(v)} is not a key location; give an http(s) URL or a file:/// path`));
      if (r?.gpgCheck !== undefined && typeof r.gpgCheck !== 'boolean') p.add(`${f}.gpgCheck`, `${show(r.gpgCheck)} must be true or false`);
      // EPEL is signed with the Fedora EPEL key, which no RHEL image carries: dnf would refuse every
      // EPEL package ("public key is not installed") and fail the whole first-boot transaction
      if (r?.gpgCheck !== false && r?.gpgKey === undefined && /epel/i.test(`${r?.id ?? ''} ${r?.baseUrl ?? ''}`)) {
        p.add(`${f}.gpgKey`, `repository ${show(r?.id)} is EPEL, signed with a key the guest image does not carry, so dnf would refuse its packages and fail the whole package step; give gpgKey (the mirrored RPM-GPG-KEY-EPEL-9)`);
      }
      for (const [k, v] of [['name', r?.name], ['baseUrl', r?.baseUrl], ['gpgKey', r?.gpgKey]] as const) {
        const what = detectSecret(v);
        if (what) p.add(`${f}.${k}`, `contains ${what}; secrets never go into a VM definition`);
      }
    });
    for (const d of duplicates(repos.map((r) => r?.id))) p.add(`${field}.yumRepos`, `repository "${d}" is listed twice`);
    if (c.subscription !== undefined) {
      if (!(c.subscription instanceof RhelSubscription)) p.add(`${field}.subscription`, `${show(c.subscription)} is not a RhelSubscription; use RhelSubscription.inImage("how the image is registered")`);
      else p.check(`${field}.subscription`, c.subscription.how, (v) => (nonEmpty(v) === undefined ? undefined : 'say how the image is registered, for example RhelSubscription.inImage("built by Image Builder against satellite.example.org")'));
    }
    const userPackages = Array.isArray(c.packages) ? c.packages : [];
    if (os === GuestOs.RHEL && userPackages.length > 0 && repos.length === 0 && c.subscription === undefined) {
      p.add(`${field}.packages`, `a RHEL guest has no package repositories until it is registered, so installing ${userPackages.slice(0, 3).map((x) => show(x)).join(', ')}${userPackages.length > 3 ? ', ...' : ''} would fail the whole first-boot package step; declare yumRepos (a mirror or Satellite) or subscription: RhelSubscription.inImage(...), or install the packages into the image`);
    }
    // Console login.
    if (c.consoleLogin !== undefined) {
      const l = c.consoleLogin;
      if (!(l instanceof ConsoleLogin)) {
        p.add(`${field}.consoleLogin`, `${show(l)} is not a ConsoleLogin; use ConsoleLogin.fromSecret({ user, passwordHash: SecretKey.of(secretName, key) }) (password hashes are never written into a VM definition)`);
      } else {
        p.check(`${field}.consoleLogin.user`, l.user, (v) => (typeof v === 'string' && USER_NAME.test(v) ? undefined : `${show(v)} is not a Linux user name (lower-case letters, digits, '_', '-', at most 32 characters)`));
        if (l.user === 'root') p.add(`${field}.consoleLogin.user`, 'root cannot be the console user (cloud-init locks root, and a shared root password cannot be traced); name a personal or break-glass user, it gets sudo');
        if (!(l.passwordHash instanceof SecretKey)) p.add(`${field}.consoleLogin.passwordHash`, `${show(l.passwordHash)} must be SecretKey.of(secretName, key); the hash is read from a Secret`);
        else if (!/^[A-Za-z0-9][-A-Za-z0-9_.]*$/.test(l.passwordHash.key)) p.add(`${field}.consoleLogin.passwordHash`, `key "${l.passwordHash.key}" cannot be a file name on the Secret disk; use letters, digits, '-', '_', '.'`);
      }
    }
  }

  /** The guest OS: declared, else from the boot source. */
  private guestOs(context: CloudInitContext): GuestOs | undefined {
    return this.config?.guestOs ?? context.guestOs;
  }

  /**
   * The Secret volume the console login needs (the VirtualMachine adds a `secret` volume with this
   * name, Secret and `volumeLabel`, and a disk of the same name), or undefined.
   * @internal
   */
  public _consoleVolume(): { readonly name: string; readonly secretName: string; readonly volumeLabel: string } | undefined {
    const l = this.config?.consoleLogin;
    if (!(l instanceof ConsoleLogin) || !(l.passwordHash instanceof SecretKey)) return undefined;
    return { name: CONSOLE_VOLUME, secretName: l.passwordHash.secretName, volumeLabel: CONSOLE_VOLUME_LABEL };
  }

  /**
   * The console login's Secret disk (see {@link _consoleVolume}) as the VirtualMachine attaches it.
   * @internal
   */
  public _consoleDisk(): ConfigDisk | undefined {
    const v = this._consoleVolume();
    return v && ConfigDisk.fromSecret(v.name, v.secretName, v.volumeLabel);
  }

  /**
   * The `#cloud-config` document for a VM.
   * @internal
   */
  public _userData(vmName: string, context: CloudInitContext = {}): string | undefined {
    if (!this.config) return undefined;
    const c = this.config;
    const os = this.guestOs(context);
    const doc: Record<string, unknown> = { hostname: c.hostname ?? (c.fqdn ? c.fqdn.split('.')[0] : vmName) };
    if (c.fqdn) doc.fqdn = c.fqdn;
    if (c.timezone) doc.timezone = c.timezone;
    const login = c.consoleLogin;
    const users: Record<string, unknown>[] = (c.users ?? []).map((u) => ({
      name: u.name,
      ...(u.groups?.length ? { groups: u.groups.join(', ') } : {}),
      ...(u.sudo ? { sudo: 'ALL=(ALL) NOPASSWD:ALL' } : {}),
      ...(u.shell ? { shell: u.shell } : {}),
    }));
    // The console user needs its password for sudo: it only has a password, no key.
    if (login && !users.some((u) => u.name === login.user)) users.push({ name: login.user, sudo: 'ALL=(ALL) ALL' });
    if (users.length) doc.users = ['default', ...users];
    if (login) doc.ssh_pwauth = false;
    if (c.yumRepos?.length) {
      const repos: Record<string, unknown> = {};
      for (const r of c.yumRepos) {
        repos[r.id] = {
          name: r.name ?? r.id,
          baseurl: r.baseUrl,
          enabled: true,
          gpgcheck: r.gpgCheck ?? true,
          ...(r.gpgKey ? { gpgkey: r.gpgKey } : {}),
        };
      }
      doc.yum_repos = repos;
    }
    const packages = [...(c.packages ?? [])];
    const run: (string | string[])[] = [];
    if (c.sshAuthorizedKeys?.propagation === SshKeyPropagation.GUEST_AGENT) {
      // A RHEL image without repositories cannot install anything; its KVM guest image ships the agent.
      const canInstall = os !== GuestOs.RHEL || !!c.yumRepos?.length || c.subscription !== undefined;
      if (canInstall && !packages.includes('qemu-guest-agent')) packages.push('qemu-guest-agent');
      // SELinux confines qemu-ga; without this boolean it cannot write users' authorized_keys.
      // KubeVirt's own `virtctl create vm --ga-manage-ssh` adds the same command
      // (kubevirt/kubevirt v1.4.0 pkg/virtctl/create/vm/vm.go; user-guide docs/user_workloads/creating_vms.md).
      if (os !== undefined && SELINUX_GUESTS.includes(os)) run.push(['setsebool', '-P', 'virt_qemu_ga_manage_ssh', 'on']);
      else if (os === undefined || !NO_SELINUX_GUESTS.includes(os)) run.push('if command -v setsebool >/dev/null 2>&1; then setsebool -P virt_qemu_ga_manage_ssh on; fi');
      run.push(['systemctl', 'enable', '--now', 'qemu-guest-agent']);
    }
    if (login) {
      // The hash is read from the Secret disk, never from the user data.
      const key = login.passwordHash.key;
      // The "user:hash" line goes through a private file on tmpfs (/run), not a pipe or argv.
      run.push(`d=$(mktemp -d) && t=$(mktemp -p /run) && mount -o ro /dev/disk/by-label/${CONSOLE_VOLUME_LABEL} "$d" && sed 's/^/${login.user}:/' "$d/${key}" > "$t" && chpasswd -e < "$t"; rm -f "$t"; umount "$d"; rmdir "$d"`);
    }
    run.push(...(c.runCommands ?? []).map((r) => (Array.isArray(r) ? [...r] : r as string)));
    if (packages.length) doc.packages = packages;
    if (run.length) doc.runcmd = run;
    return `#cloud-config\n${yaml.dump(doc, { lineWidth: -1, noRefs: true })}`;
  }
}
