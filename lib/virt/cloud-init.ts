import * as yaml from 'js-yaml';
import { Problems, show } from '../core/errors';
import { dnsSubdomain, duplicates, hostname as fqdnRule, nonEmpty } from '../core/rules';
import { SecretKey } from '../core/secret-key';
import { detectSecret, setsPasswordInShell } from '../core/secret-scan';
import { listProp } from '../network/_rules';

/** How KubeVirt puts the keys of an SSH key Secret into the guest. */
export enum SshKeyPropagation {
  /**
   * Through the QEMU guest agent, into the listed users' `authorized_keys`; keys added to the
   * Secret later reach running VMs. Works on KubeVirt 1.0 (OpenShift Virtualization 4.14). The
   * guest needs `qemu-guest-agent` running (ocpkit adds the package to the cloud-init data).
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

/** Typed cloud-init (NoCloud) configuration. */
export interface CloudInitConfig {
  /**
   * Host name of the guest.
   * @default the VM name
   */
  readonly hostname?: string;
  /** Fully qualified domain name. @default none */
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
  public _check(p: Problems, field: string): void {
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
  }

  /**
   * The `#cloud-config` document for a VM.
   * @internal
   */
  public _userData(vmName: string): string | undefined {
    if (!this.config) return undefined;
    const c = this.config;
    const doc: Record<string, unknown> = { hostname: c.hostname ?? vmName };
    if (c.fqdn) doc.fqdn = c.fqdn;
    if (c.timezone) doc.timezone = c.timezone;
    if (c.users?.length) {
      doc.users = [
        'default',
        ...c.users.map((u) => ({
          name: u.name,
          ...(u.groups?.length ? { groups: u.groups.join(', ') } : {}),
          ...(u.sudo ? { sudo: 'ALL=(ALL) NOPASSWD:ALL' } : {}),
          ...(u.shell ? { shell: u.shell } : {}),
        })),
      ];
    }
    const packages = [...(c.packages ?? [])];
    const run = (c.runCommands ?? []).map((r) => (Array.isArray(r) ? [...r] : r));
    if (c.sshAuthorizedKeys?.propagation === SshKeyPropagation.GUEST_AGENT) {
      if (!packages.includes('qemu-guest-agent')) packages.push('qemu-guest-agent');
      run.unshift(['systemctl', 'enable', '--now', 'qemu-guest-agent']);
    }
    if (packages.length) doc.packages = packages;
    if (run.length) doc.runcmd = run;
    return `#cloud-config\n${yaml.dump(doc, { lineWidth: -1, noRefs: true })}`;
  }
}
