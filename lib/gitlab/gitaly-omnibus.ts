/**
 * The Gitaly VM's guest configuration, rendered from typed settings: an Omnibus `gitlab.rb` for a
 * node running only Gitaly and GitLab Shell, an sshd drop-in, and the scripts that apply them at
 * every boot. Pure functions: no construct tree, no secret values (the tokens are read by
 * `gitlab.rb` from the Secret disk when `gitlab-ctl reconfigure` runs).
 *
 * Sources (Omnibus GitLab 18.11.4, gitlabhq/omnibus-gitlab@18.11.4+ce.0):
 * - the service switches, `gitlab_rails['auto_migrate']`, `gitlab_rails['internal_api_url']`,
 *   `gitaly['gitlab_secret']` and `gitaly['configuration']` (listen_addr, auth.token, storage)
 *   appear in files/gitlab-config-template/gitlab.rb.template; the standalone Gitaly node recipe
 *   (gitlabhq/gitlabhq doc/administration/gitaly/configure_gitaly.md "Configure Gitaly server",
 *   and the chart's doc/advanced/external-gitaly/external-omnibus-gitaly.md) disables the same
 *   services;
 * - `gitlab_shell['secret_token']` is what GitLab Shell sends to the internal API
 *   (files/gitlab-cookbooks/gitlab/libraries/gitlab_shell.rb, recipes/gitlab-rails.rb), and Gitaly's
 *   `gitlab_secret` defaults to it (gitaly/libraries/gitaly.rb parse_secrets); both are set so
 *   neither depends on the parse order;
 * - Gitaly and GitLab Shell call GitLab at `gitlab_rails['internal_api_url']`
 *   (gitlab/libraries/helpers/web_server_helper.rb, gitaly/recipes/enable.rb,
 *   gitlab/recipes/gitlab-shell.rb);
 * - the Omnibus services run under `gitlab-runsvdir.service`
 *   (package/templates/default/gitlab-runsvdir.service.erb);
 * - SSH keys are looked up in GitLab's database through
 *   `/opt/gitlab/embedded/service/gitlab-shell/bin/gitlab-shell-authorized-keys-check git %u %k`
 *   (gitlabhq/gitlabhq doc/administration/operations/fast_ssh_key_lookup.md): Rails runs in the
 *   cluster and cannot write the VM's authorized_keys file, so the admin setting "Use
 *   authorized_keys file to authenticate SSH keys" must be off.
 */

/** Where the guest mounts the Secret disk while `gitlab-ctl reconfigure` runs (tmpfs, gone at shutdown). */
export const GITALY_SECRETS_MOUNT = '/run/ocpkit-gitaly/secrets';
/** ISO label of the ConfigMap disk with the node configuration. */
export const GITALY_CONFIG_LABEL = 'GITALY_NODE';
/** ISO label of the Secret disk with the Gitaly token and the GitLab Shell secret. */
export const GITALY_SECRETS_LABEL = 'GITALY_SECRETS';
/** The systemd unit that applies the configuration at every boot. */
export const GITALY_APPLY_UNIT = 'ocpkit-gitaly-apply.service';
/** The launcher the unit runs; it mounts the ConfigMap disk and runs `apply.sh` from it. */
export const GITALY_APPLY_LAUNCHER = '/usr/local/sbin/ocpkit-gitaly-apply';
/** Mount point of the repositories disk; Gitaly's storage is `repositories` below it (the Omnibus default path). */
export const GITALY_DATA_MOUNT = '/var/opt/gitlab/git-data';
/** The sshd drop-in (RHEL 9 and Debian/Ubuntu sshd_config include `/etc/ssh/sshd_config.d/*.conf`). */
export const SSHD_DROP_IN = '/etc/ssh/sshd_config.d/60-ocpkit-gitlab.conf';

/** What the node configuration is rendered from. */
export interface GitalyNodeSettings {
  /** Address Gitaly listens on: the guest's pod-network address (never the public NIC). */
  readonly listenAddress: string;
  /** Gitaly's gRPC port in the guest. */
  readonly gitalyPort: number;
  /** Storage name (the chart needs `default`). */
  readonly storageName: string;
  /** GitLab's internal API (`http://<release>-webservice-default.<namespace>.svc:8181`). */
  readonly internalApiUrl: string;
  /** Key of the Gitaly token in the Secret (a file on the Secret disk). */
  readonly authTokenKey: string;
  /** Key of the GitLab Shell secret in the Secret. */
  readonly shellSecretKey: string;
  /** Serial of the repositories disk (`/dev/disk/by-id/virtio-<serial>`). */
  readonly dataDiskSerial: string;
  /** Public SSH port. */
  readonly sshPort: number;
  /** The GitLab release the cluster runs (`18.11.4`); the node's Omnibus must have its major.minor. */
  readonly gitlabVersion: string;
  /** Construct path, written into the files so a reader on the VM knows where they come from. */
  readonly source: string;
}

/** `/etc/gitlab/gitlab.rb` of the node: Gitaly and GitLab Shell only, tokens read from the Secret disk. */
export function renderGitlabRb(s: GitalyNodeSettings): string {
  const q = rubyString;
  return `# Rendered by ocpkit from ${s.source}; changes made on the VM are overwritten at the next boot.
# Omnibus GitLab 18.11, a node running Gitaly and GitLab Shell only.
# The tokens are read from the Secret disk, which ${GITALY_APPLY_UNIT} mounts at ${GITALY_SECRETS_MOUNT}
# while it runs gitlab-ctl reconfigure: reconfigure through that unit.
read_from_disk = lambda do |key|
  path = File.join(${q(GITALY_SECRETS_MOUNT)}, key)
  raise "#{path} is missing: run 'systemctl start ${GITALY_APPLY_UNIT}' instead of gitlab-ctl reconfigure" unless File.file?(path)
  File.read(path).strip
end

postgresql['enable'] = false
redis['enable'] = false
nginx['enable'] = false
puma['enable'] = false
sidekiq['enable'] = false
gitlab_workhorse['enable'] = false
gitlab_exporter['enable'] = false
gitlab_kas['enable'] = false
prometheus['enable'] = false
alertmanager['enable'] = false
gitlab_rails['auto_migrate'] = false

gitlab_rails['internal_api_url'] = ${q(s.internalApiUrl)}
gitlab_shell['secret_token'] = read_from_disk.call(${q(s.shellSecretKey)})
gitaly['gitlab_secret'] = read_from_disk.call(${q(s.shellSecretKey)})

gitaly['enable'] = true
gitaly['configuration'] = {
  listen_addr: ${q(`${s.listenAddress}:${s.gitalyPort}`)},
  auth: { token: read_from_disk.call(${q(s.authTokenKey)}) },
  storage: [{ name: ${q(s.storageName)}, path: ${q(`${GITALY_DATA_MOUNT}/repositories`)} }],
}
`;
}

/** The sshd drop-in: the public SSH port, and key lookups in GitLab's database for the `git` user. */
export function renderSshdDropIn(s: GitalyNodeSettings): string {
  return `# Rendered by ocpkit from ${s.source}.
Port ${s.sshPort}
Match User git
  AuthorizedKeysCommand /opt/gitlab/embedded/service/gitlab-shell/bin/gitlab-shell-authorized-keys-check git %u %k
  AuthorizedKeysCommandUser git
Match all
`;
}

/**
 * `apply.sh`, run from the ConfigMap disk at every boot: mounts the repositories disk (making a
 * file system only on a disk with no signature at all), installs gitlab.rb and the sshd drop-in,
 * mounts the Secret disk read-only for the length of `gitlab-ctl reconfigure`, starts what the
 * reconfigure left enabled (Gitaly and its helpers; every service was stopped by the gate), then
 * reloads sshd.
 */
export function renderApplyScript(s: GitalyNodeSettings): string {
  const dev = `/dev/disk/by-id/virtio-${s.dataDiskSerial}`;
  return `#!/bin/sh
# Rendered by ocpkit from ${s.source}; run by ${GITALY_APPLY_UNIT} from the ConfigMap disk.
set -eu
here=$(dirname "$0")
${renderVersionGate(majorMinor(s.gitlabVersion))}
dev=${dev}
[ -b "$dev" ] || { echo "repositories disk $dev is missing" >&2; exit 1; }
if ! blkid -p "$dev" >/dev/null 2>&1; then mkfs.xfs -L gitaly-repos "$dev"; fi
mkdir -p ${GITALY_DATA_MOUNT}
grep -q "^$dev " /etc/fstab || echo "$dev ${GITALY_DATA_MOUNT} auto defaults,nofail 0 2" >> /etc/fstab
mountpoint -q ${GITALY_DATA_MOUNT} || mount ${GITALY_DATA_MOUNT}
install -D -m 0600 -o root -g root "$here/gitlab.rb" /etc/gitlab/gitlab.rb
install -D -m 0600 -o root -g root "$here/sshd-gitlab.conf" ${SSHD_DROP_IN}
mkdir -p ${GITALY_SECRETS_MOUNT}
mount -o ro /dev/disk/by-label/${GITALY_SECRETS_LABEL} ${GITALY_SECRETS_MOUNT}
trap 'umount ${GITALY_SECRETS_MOUNT}' EXIT
gitlab-ctl reconfigure
gitlab-ctl start
sshd -t && { systemctl reload sshd 2>/dev/null || systemctl reload ssh; }
`;
}

/**
 * Where the Omnibus package records what is installed: the first line of
 * `/opt/gitlab/version-manifest.txt` is `<package> <version>` (`gitlab-ce 18.11.4`); GitLab's own
 * support notes read the version there (gitlabhq/gitlabhq doc/administration/troubleshooting/
 * gitlab_rails_cheat_sheet.md "Check the GitLab version fast": `grep -m 1 gitlab
 * /opt/gitlab/version-manifest.txt`). Not re-read in omnibus-gitlab 18.11.4's own sources.
 */
export const OMNIBUS_VERSION_MANIFEST = '/opt/gitlab/version-manifest.txt';

/** `18.11` of `18.11.4`. */
function majorMinor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/**
 * The start of `apply.sh`. The node boots the old monolith's disk, whose `gitlab-runsvdir` starts
 * every service it ran (nginx, Puma, Sidekiq, PostgreSQL from the old data) before this unit: so
 * first every Omnibus service is stopped, on every boot (`gitlab-ctl stop`). The reconfigure that
 * follows a passing gate disables the services gitlab.rb turns off (a `*_disable` recipe runs
 * `runit_service ... action :disable`, e.g. gitlabhq/omnibus-gitlab
 * files/gitlab-cookbooks/gitlab/recipes/puma_disable.rb) but does not start a stopped service
 * whose definition did not change (runit/libraries/provider_runit_service.rb: `enable` links the
 * service, only a changed run script restarts it), hence the `gitlab-ctl start` after it in
 * {@link renderApplyScript}. Read on the stored versions of those files, not at the 18.11.4 tag.
 *
 * When the installed Omnibus GitLab is not the cluster's major.minor, the script fails before
 * reconfiguring and takes the supervisor down with it (`systemctl disable --now
 * gitlab-runsvdir.service`), so nothing of the old release serves, now or at the next boot: a
 * Gitaly of another release next to this GitLab is refused, the upgrade (or downgrade) of the
 * node is an explicit step. The apply unit only orders itself after the supervisor (no `Wants=`,
 * which would start a disabled one at the next boot); a passing gate enables and starts it.
 * `manifest` is a parameter for tests.
 */
export function renderVersionGate(want: string, manifest: string = OMNIBUS_VERSION_MANIFEST): string {
  return `gitlab-ctl stop >/dev/null 2>&1 || true
have=$(awk 'NR == 1 { print $2 }' ${manifest} 2>/dev/null || true)
case "$have" in
  ${want}.*) ;;
  *)
    echo "Omnibus GitLab \${have:-(none)} is installed (${manifest}), the cluster runs GitLab ${want}: every Omnibus service stays stopped (gitlab-runsvdir disabled) until this node runs ${want}.x" >&2
    systemctl disable --now gitlab-runsvdir.service >/dev/null 2>&1 || true
    exit 1
    ;;
esac
systemctl enable --now gitlab-runsvdir.service`;
}

/** The launcher installed on first boot: mounts the ConfigMap disk and runs `apply.sh` from it. */
export function renderLauncher(): string {
  return `#!/bin/sh
# Installed by ocpkit's cloud-init step; runs apply.sh from the ConfigMap disk, so the steps follow the ConfigMap.
d=$(mktemp -d) || exit 1
mount -o ro /dev/disk/by-label/${GITALY_CONFIG_LABEL} "$d" || { rmdir "$d"; exit 1; }
sh "$d/apply.sh"; r=$?
umount "$d"; rmdir "$d"
exit $r
`;
}

/**
 * The systemd unit: runs the launcher at every boot, after the Omnibus supervisor when it is
 * enabled; it does not pull the supervisor in (the version gate starts it, or keeps it down).
 */
export function renderApplyUnit(): string {
  return `[Unit]
Description=ocpkit: apply the Gitaly node configuration from its ConfigMap and Secret disks
Wants=network-online.target
After=gitlab-runsvdir.service network-online.target

[Service]
Type=oneshot
ExecStart=${GITALY_APPLY_LAUNCHER}

[Install]
WantedBy=multi-user.target
`;
}

/**
 * The one first-boot command (cloud-init `runcmd`; KubeVirt 1.0.1 gives NoCloud the firmware UUID
 * as instance-id, pkg/cloud-init/cloud-init.go, and ocpkit keeps that UUID stable, so it runs once
 * per VM): installs the launcher and the unit from the ConfigMap disk and starts the unit without
 * waiting for it. Every later boot runs the unit through multi-user.target.
 */
export const GITALY_BOOT_STEP = `d=$(mktemp -d) && mount -o ro /dev/disk/by-label/${GITALY_CONFIG_LABEL} "$d" && install -m 0755 "$d/launcher.sh" ${GITALY_APPLY_LAUNCHER} && install -m 0644 "$d/${GITALY_APPLY_UNIT}" /etc/systemd/system/${GITALY_APPLY_UNIT}; umount "$d"; rmdir "$d"; systemctl daemon-reload && systemctl enable ${GITALY_APPLY_UNIT} && systemctl start --no-block ${GITALY_APPLY_UNIT}`;

/** Every file of the node ConfigMap, by key. */
export function renderGitalyNodeFiles(s: GitalyNodeSettings): Record<string, string> {
  return {
    'gitlab.rb': renderGitlabRb(s),
    'sshd-gitlab.conf': renderSshdDropIn(s),
    'apply.sh': renderApplyScript(s),
    'launcher.sh': renderLauncher(),
    [GITALY_APPLY_UNIT]: renderApplyUnit(),
  };
}

/** A single-quoted Ruby string literal. */
function rubyString(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
