import { createHash } from 'crypto';
import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { OcpkitError, Problems, show } from '../core/errors';
import { dnsLabel, hostname, intRange } from '../core/rules';
import { SecretKey } from '../core/secret-key';
import { IBridgeNetwork } from '../network/bridge-network';
import { CloudInit, CloudInitConfig } from '../virt/cloud-init';
import { ConfigDisk } from '../virt/config-disk';
import { AccessMode } from '../virt/disk-source';
import { VirtualMachine } from '../virt/virtual-machine';
import { secretKeyRef } from './_rules';
import { IGitalyEndpoint, WORKHORSE_PORT } from './gitaly-endpoint';
import { GITALY_BOOT_STEP, GITALY_CONFIG_LABEL, GITALY_SECRETS_LABEL, GitalyNodeSettings, renderGitalyNodeFiles } from './gitaly-omnibus';
import { GitalySnapshots } from './gitaly-snapshots';
import { GitLab } from './gitlab';
import { TreeIndex } from '../synth/pipeline';

export { GITALY_BOOT_STEP, GITALY_CONFIG_LABEL, GITALY_SECRETS_LABEL, GitalyNodeSettings, renderGitalyNodeFiles } from './gitaly-omnibus';
export { GitalySnapshots, SNAPSHOT_CONSISTENCY_ANNOTATION, SNAPSHOT_PLAN_ANNOTATION } from './gitaly-snapshots';

/** Name of the Gitaly port on the VM's Service. */
export const GITALY_PORT_NAME = 'gitaly';
/** Gitaly's default gRPC port. */
export const DEFAULT_GITALY_PORT = 8075;

/** TLS on Gitaly's gRPC port. */
export interface GitalyTlsOptions {
  /**
   * Secret with the CA certificate that signed Gitaly's certificate; added to the chart's
   * trusted CAs (`global.certificates.customCAs`).
   * @default none (Gitaly's certificate is publicly trusted)
   */
  readonly caSecretName?: string;
}

/**
 * The guest address Gitaly listens on: the address KubeVirt's masquerade binding gives the guest
 * on the pod network (the second address of the default VM network 10.0.2.0/24, kubevirt/kubevirt
 * v1.0.1 pkg/network/link/address.go getMasqueradeGwAndHostAddressesFromCIDR; ocpkit never sets
 * `vmNetworkCIDR`). The launcher pod forwards the Service's traffic there; the public NIC never
 * carries Gitaly's port (field review M11.3).
 */
export const GITALY_GUEST_ADDRESS = '10.0.2.2';

/** Configuration of the Gitaly VM's guest, rendered by {@link ExternalGitaly} (see {@link ExternalGitalyProps.guest}). */
export interface GitalyGuestOptions {
  /**
   * The VM's data disk that holds the repositories. It needs a `serial` (the guest finds it as
   * `/dev/disk/by-id/virtio-<serial>`) and must be ReadWriteMany so the VM live-migrates. A disk
   * with no file system signature at all gets XFS on first boot; it is mounted at
   * `/var/opt/gitlab/git-data` and Gitaly's storage `default` is its `repositories` folder.
   */
  readonly repositoriesDisk: string;
  /** How a snapshot of the VM's disks restores Gitaly (field review N13); no default. */
  readonly snapshots: GitalySnapshots;
}

/** Properties of {@link ExternalGitaly}. */
export interface ExternalGitalyProps {
  /**
   * The VM running Gitaly and GitLab Shell (an Omnibus install with only those two enabled).
   * It needs the pod network (Rails reaches Gitaly through a Service) and an interface on the
   * public bridge network (users reach SSH on its public address).
   */
  readonly vm: VirtualMachine;
  /**
   * The public network the VM must be attached to; checked, not attached here.
   * @default any bridge network
   */
  readonly publicNetwork?: IBridgeNetwork;
  /** Public host name of Git over SSH; resolves to the VM's public address (`git.example.org`). */
  readonly sshHost: string;
  /** @default 22 */
  readonly sshPort?: number;
  /**
   * Gitaly's port; published by the VM's Service under the name `gitaly` (added when the VM does
   * not publish it yet).
   * @default 8075
   */
  readonly gitalyPort?: number;
  /** Gitaly's authentication token, the same value as `gitaly['configuration'][:auth][:token]` on the VM. */
  readonly authToken: SecretKey;
  /** GitLab Shell's secret, the same value as the VM's `/etc/gitlab/gitlab-secrets.json` shell secret. */
  readonly shellSecret: SecretKey;
  /** @default plain gRPC inside the cluster network */
  readonly tls?: GitalyTlsOptions;
  /**
   * Render the guest's configuration from these props instead of managing it on the VM: an
   * Omnibus `gitlab.rb` (Gitaly and GitLab Shell only, Gitaly on the pod-network address, the
   * internal API at the GitLab webservice Service), an sshd drop-in (the public SSH port, key
   * lookups in GitLab's database), and the scripts that apply them. They reach the guest as the
   * ConfigMap `<vm>-gitaly-node`, attached as a disk labelled `GITALY_NODE`; the Secret of
   * `authToken` and `shellSecret` is attached as a disk labelled `GITALY_SECRETS` and read only
   * while `gitlab-ctl reconfigure` runs. The VM's cloud-init must carry the first-boot step
   * ({@link ExternalGitaly.guestCloudInit}); a systemd unit then re-applies both disks at every boot.
   *
   * A change of the rendered files changes the annotation `config.ocpkit.io/gitaly-node` on the VM
   * template; KubeVirt 1.0 applies it at the next start of the VM, not to the running one
   * (restart with `virtctl restart <vm>`). A changed Secret likewise reaches the guest on restart
   * only (see ConfigDisk in lib/virt/config-disk.ts).
   * @default the guest is configured by hand (nothing ties it to the Secret; field review M11.2)
   */
  readonly guest?: GitalyGuestOptions;
}

/**
 * Gitaly outside the chart, on a KubeVirt VM. OpenShift's HAProxy routers cannot carry SSH, so
 * the VM answers Git over SSH on its public bridge address itself, and serves Gitaly to the
 * GitLab pods through the VM's Service (port 8075 by default).
 *
 * Pass it as `gitaly` to {@link GitLab}: the CR gets `global.gitaly.enabled: false`, one
 * external storage named `default` pointing at the VM's Service, the auth token and shell
 * secret references, and `global.hosts.ssh` / `global.shell.port`. The link is typed, so
 * renaming the VM or changing the port changes the CR.
 *
 * It has no primary object (what it emits is at most a ConfigMap of rendered files, see below):
 * override `gitaly.vm` or the GitLab construct instead.
 *
 * Emits: without `guest`, nothing of its own: it publishes the Gitaly port on the VM (a port of the
 * VM's Service, unless the VM publishes it already) and gives the GitLab CR its external Gitaly
 * settings. With `guest`, also a ConfigMap `<vm>-gitaly-node` in the VM's namespace (the rendered
 * guest configuration, no secrets), attached to the VM as a disk with the Gitaly Secret, and the
 * digest of its files as an annotation of the VM template.
 *
 * @see https://docs.gitlab.com/charts/advanced/external-gitaly/
 */
export class ExternalGitaly extends Construct implements IGitalyEndpoint {
  /**
   * Cloud-init data for the Gitaly VM: `config` with the first-boot step of the rendered guest
   * configuration (`GITALY_BOOT_STEP`) appended to its `runCommands`. Pass it as the VM's
   * `cloudInit` when the ExternalGitaly has `guest`.
   */
  public static guestCloudInit(config: CloudInitConfig = {}): CloudInit {
    return CloudInit.build({ ...config, runCommands: [...(config.runCommands ?? []), GITALY_BOOT_STEP] });
  }

  public readonly storageName = 'default';
  public readonly vm: VirtualMachine;
  public readonly sshHost: string;
  public readonly sshPort: number;
  public readonly authToken: SecretKey;
  public readonly shellSecret: SecretKey;
  public readonly tlsEnabled: boolean;
  public readonly caSecretName?: string;
  /** The ConfigMap with the rendered guest configuration (with `guest` only). */
  public readonly nodeConfig?: k8s.KubeConfigMap;

  constructor(scope: Construct, id: string, props: ExternalGitalyProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    const vm = props.vm;
    if (!(vm instanceof VirtualMachine)) {
      p.add('vm', `${show(vm)} is not a VirtualMachine; pass the lib/virt VirtualMachine that runs Gitaly`);
    } else {
      const ifaces = vm.interfaces;
      if (!ifaces.some((i) => !i.network)) p.add('vm', `VM "${vm.vmName}" has no pod network; GitLab reaches Gitaly through a Service, so set podNetwork: true`);
      const bridged = ifaces.filter((i) => i.network);
      if (props.publicNetwork !== undefined) {
        if (!bridged.some((i) => i.network === props.publicNetwork || (i.network!.networkName === props.publicNetwork!.networkName && i.network!.namespace === props.publicNetwork!.namespace))) {
          p.add('vm', `VM "${vm.vmName}" is not attached to the public network "${props.publicNetwork.namespace}/${props.publicNetwork.networkName}"; users could not reach SSH`);
        }
      } else if (bridged.length === 0) {
        p.add('vm', `VM "${vm.vmName}" is on no bridge network; Git over SSH needs a public address (add the public BridgeNetwork to networks)`);
      }
    }
    p.check('sshHost', props.sshHost, hostname);
    if (props.sshPort !== undefined) p.check('sshPort', props.sshPort, intRange(1, 65535));
    if (props.gitalyPort !== undefined) p.check('gitalyPort', props.gitalyPort, intRange(1, 65535));
    p.check('authToken', props.authToken, secretKeyRef());
    p.check('shellSecret', props.shellSecret, secretKeyRef());
    if (props.tls?.caSecretName !== undefined) {
      p.check('tls.caSecretName', props.tls.caSecretName, (v) => (typeof v === 'string' && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) ? undefined : `${show(v)} is not a Secret name`));
    }
    if (props.guest !== undefined) this.checkGuest(p, props);
    p.throwIfAny();

    this.vm = vm;
    this.sshHost = props.sshHost;
    this.sshPort = props.sshPort ?? 22;
    this.authToken = props.authToken;
    this.shellSecret = props.shellSecret;
    this.tlsEnabled = props.tls !== undefined;
    this.caSecretName = props.tls?.caSecretName;

    const wanted = props.gitalyPort ?? DEFAULT_GITALY_PORT;
    let published: number | undefined;
    try {
      published = vm.portNumber(GITALY_PORT_NAME);
    } catch {
      published = undefined;
    }
    if (published === undefined) vm.addPort({ name: GITALY_PORT_NAME, port: wanted });
    else if (props.gitalyPort !== undefined && published !== props.gitalyPort) {
      p.add('gitalyPort', `${props.gitalyPort} differs from the port ${published} VM "${vm.vmName}" already publishes as "${GITALY_PORT_NAME}"; set one of them`);
      p.throwIfAny();
    }
    // Ready means Gitaly answers: the VM's probe must be a TCP probe on Gitaly's guest port.
    const port = vm.ports.find((x) => x.name === GITALY_PORT_NAME)!;
    const guestPort = port.targetPort ?? port.port;
    const probe = vm.readiness;
    if (probe?.kind !== 'tcp' || probe.port !== guestPort) {
      p.add('vm', `VM "${vm.vmName}" is ready ${probe === undefined ? 'as soon as it starts' : probe.kind === 'tcp' ? `when port ${probe.port} answers` : `by a ${probe.kind} probe`}, not when Gitaly answers; give it readiness: VmReadiness.tcp(${guestPort}) (or publish "${GITALY_PORT_NAME}" as its first port)`);
      p.throwIfAny();
    }
    if (props.guest !== undefined) this.nodeConfig = this.attachGuest(props, guestPort);
  }

  /** Checks of the rendered guest configuration. */
  private checkGuest(p: Problems, props: ExternalGitalyProps): void {
    const g = props.guest!;
    const vm = props.vm;
    if (!(g.snapshots instanceof GitalySnapshots)) p.add('guest.snapshots', `${show(g.snapshots)} is not a GitalySnapshots; choose GitalySnapshots.guestAgent(how) or GitalySnapshots.crashConsistent(plan) (field review N13)`);
    else g.snapshots._check(p, 'guest.snapshots');
    if (props.tls !== undefined) p.add('tls', 'the rendered guest configuration serves plain gRPC on the pod network only; TLS (certificate files in the guest) is not rendered yet: drop tls or configure the guest by hand (drop guest)');
    if ((props.sshPort ?? 22) !== 22) p.add('sshPort', `${props.sshPort}: the rendered guest configuration runs sshd on port 22 (another port needs its SELinux port type and firewall opened in the image); use 22 or configure the guest by hand`);
    if (props.authToken instanceof SecretKey && props.shellSecret instanceof SecretKey) {
      if (props.authToken.secretName !== props.shellSecret.secretName) {
        p.add('shellSecret', `is in Secret "${props.shellSecret.secretName}" and authToken in "${props.authToken.secretName}"; the guest gets one Secret disk, so keep both keys in one Secret`);
      }
      // Keys become file names on the Secret disk; SecretKey.of already limits them to letters, digits, '-', '_', '.'.
    }
    if (!(vm instanceof VirtualMachine)) return;
    if (!p.check('guest.repositoriesDisk', g.repositoriesDisk, dnsLabel)) return;
    const disk = vm.diskNamed(g.repositoriesDisk);
    if (!disk || disk.name === 'rootdisk') p.add('guest.repositoriesDisk', `VM "${vm.vmName}" has no data disk "${g.repositoriesDisk}"; add it to dataDisks (with a serial)`);
    else {
      if (disk.serial === undefined) p.add('guest.repositoriesDisk', `data disk "${disk.name}" of VM "${vm.vmName}" has no serial; give it serial: "${disk.name.slice(0, 20)}" so the guest finds it whatever the device order`);
      if (disk.accessMode !== AccessMode.READ_WRITE_MANY) p.add('guest.repositoriesDisk', `data disk "${disk.name}" is ${disk.accessMode ?? 'of unknown access mode'}; the VM cannot live-migrate and Gitaly would stop on every node drain (field review M11.1): make it ReadWriteMany`);
    }
    const steps = vm.cloudInit?.config?.runCommands ?? [];
    if (!steps.includes(GITALY_BOOT_STEP)) {
      p.add('vm', `VM "${vm.vmName}" has no cloud-init step installing the Gitaly configuration unit; give it cloudInit: ExternalGitaly.guestCloudInit({ ... })`);
    }
  }

  /** The ConfigMap and the two disks; the digest of the files on the VM template. */
  private attachGuest(props: ExternalGitalyProps, guestPort: number): k8s.KubeConfigMap {
    const vm = this.vm;
    const name = `${vm.vmName}-gitaly-node`;
    const files = (): Record<string, string> => renderGitalyNodeFiles(this.nodeSettings(props, guestPort));
    const cm = new k8s.KubeConfigMap(this, 'NodeConfig', {
      metadata: {
        name,
        namespace: vm.namespace,
        annotations: { 'ocpkit.io/purpose': `configuration of the Gitaly VM ${vm.vmName}, attached to it as the disk labelled ${GITALY_CONFIG_LABEL}; no secrets (they come from the Secret disk)` },
      },
      data: Lazy.any({ produce: files }) as unknown as Record<string, string>,
    });
    vm.addConfigDisk(ConfigDisk.fromConfigMap('gitaly-node', name, GITALY_CONFIG_LABEL), {
      contentDigest: () => `sha256:${createHash('sha256').update(JSON.stringify(files())).digest('hex')}`,
    });
    vm.addConfigDisk(ConfigDisk.fromSecret('gitaly-secrets', props.authToken.secretName, GITALY_SECRETS_LABEL));
    for (const [k, v] of Object.entries(props.guest!.snapshots._annotations())) vm.resource.metadata.addAnnotation(k, v);
    return cm;
  }

  /** The settings the guest files are rendered from; the GitLab that uses this Gitaly is found at synth time. */
  private nodeSettings(props: ExternalGitalyProps, guestPort: number): GitalyNodeSettings {
    const disk = this.vm.diskNamed(props.guest!.repositoriesDisk)!;
    return {
      listenAddress: GITALY_GUEST_ADDRESS,
      gitalyPort: guestPort,
      storageName: this.storageName,
      internalApiUrl: this.internalApiUrl(),
      authTokenKey: props.authToken.key,
      shellSecretKey: props.shellSecret.key,
      dataDiskSerial: disk.serial!,
      sshPort: this.sshPort,
      gitlabVersion: this.gitlabUser().gitlabVersion,
      source: this.node.path,
    };
  }

  /**
   * GitLab's internal API as the VM reaches it: the chart's webservice Service of the one GitLab
   * whose CR points at this Gitaly. The chart names that Service `<release>-webservice-default`
   * (charts/gitlab/charts/webservice/templates/service.yaml with `webservice.fullname.withSuffix`
   * and the default deployment `default`; the operator installs the chart under the CR's name)
   * and serves Workhorse on `service.workhorseExternalPort` 8181 (charts/gitlab/charts/webservice/values.yaml).
   * Checked in the chart's 9.10 sources (the 9.11 tag was not available to check).
   */
  public internalApiUrl(): string {
    const g = this.gitlabUser();
    // The chart's fullname is the release name alone when that already contains the chart name.
    const fullname = g.crName.includes('webservice') ? g.crName : `${g.crName}-webservice`;
    const service = `${fullname}-default`.slice(0, 63).replace(/-+$/, '');
    return `http://${service}.${g.namespace}.svc:${WORKHORSE_PORT}`;
  }

  /** The one GitLab of the stack whose CR points at this Gitaly. */
  private gitlabUser(): GitLab {
    const usesThis = (g: GitLab): boolean => {
      const values = g.chartValues() as { global?: { gitaly?: { external?: { hostname?: string }[] } } };
      return values.global?.gitaly?.external?.some((e) => e.hostname === this.gitalyHost) ?? false;
    };
    const users = TreeIndex.ofType(this, GitLab).filter(usesThis);
    if (users.length !== 1) {
      throw new OcpkitError([{
        path: this.node.path,
        field: 'guest',
        message: users.length === 0
          ? 'no GitLab in the stack uses this Gitaly, so the guest has no internal API to call back; pass it as gitaly to a GitLab, or drop guest'
          : `${users.length} GitLab instances use this Gitaly (${users.map((g) => g.crName).join(', ')}); one Gitaly node serves one GitLab`,
      }]);
    }
    return users[0];
  }

  /** The VM's Service (`<vm>.<namespace>.svc`). */
  public get gitalyHost(): string {
    return this.vm.serviceHost;
  }

  /** The Service port named `gitaly`. */
  public get gitalyPort(): number {
    return this.vm.portNumber(GITALY_PORT_NAME);
  }
}
