import { Construct } from 'constructs';
import { Problems, show } from '../core/errors';
import { hostname, intRange } from '../core/rules';
import { SecretKey } from '../core/secret-key';
import { IBridgeNetwork } from '../network/bridge-network';
import { VirtualMachine } from '../virt/virtual-machine';
import { secretKeyRef } from './_rules';
import { IGitalyEndpoint } from './gitaly-endpoint';

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
 * It renders no object of its own (it adds a port to the VM and settings to the GitLab CR), so it
 * has no primary object: override `gitaly.vm` or the GitLab construct instead.
 *
 * @see https://docs.gitlab.com/charts/advanced/external-gitaly/
 */
export class ExternalGitaly extends Construct implements IGitalyEndpoint {
  public readonly storageName = 'default';
  public readonly vm: VirtualMachine;
  public readonly sshHost: string;
  public readonly sshPort: number;
  public readonly authToken: SecretKey;
  public readonly shellSecret: SecretKey;
  public readonly tlsEnabled: boolean;
  public readonly caSecretName?: string;

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
