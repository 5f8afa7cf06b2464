import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Problems } from '../core/errors';
import { limit, portName, portProtocol } from './_vm-rules';

/** A VM port exposed by the VM's Service. */
export interface VmPort {
  /** Port name (a DNS label, `ssh`, `gitaly`). */
  readonly name: string;
  /** Port of the Service. */
  readonly port: number;
  /**
   * Port inside the guest.
   * @default the same as port
   */
  readonly targetPort?: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
}

/** Label put on the VM's pod template; the VM's Service selects on it. */
export const VM_LABEL = 'ocpkit.io/vm';

/**
 * The ports of a VM and the Service publishing them (created with the first port, named like the
 * VM, selecting the VM's launcher pod by {@link VM_LABEL}). `plan` checks a port against the rules
 * and the ports already there without changing anything; `commit` adds it.
 */
export class VmService {
  private readonly ports: VmPort[] = [];
  private svc?: k8s.KubeService;

  constructor(private readonly vm: Construct, private readonly vmName: string, private readonly namespace: string) {}

  /** The ports, in order. */
  public get all(): readonly VmPort[] {
    return this.ports;
  }

  /** The Service, once a port exists and {@link ensureService} ran. */
  public get service(): k8s.KubeService | undefined {
    return this.svc;
  }

  /** The port, or undefined with the reasons in `p`. */
  public plan(p: Problems, field: string, port: VmPort, podNetwork: boolean): VmPort | undefined {
    const before = p.size;
    p.check(`${field}.name`, port?.name, portName);
    p.check(`${field}.port`, port?.port, limit('port'));
    if (port?.targetPort !== undefined) p.check(`${field}.targetPort`, port.targetPort, limit('port'));
    if (port?.protocol !== undefined) p.check(`${field}.protocol`, port.protocol, portProtocol);
    if (p.size > before) return undefined;
    if (this.ports.some((x) => x.name === port.name)) p.add('ports', `port name "${port.name}" is used twice`);
    const key = (x: VmPort) => `${x.port}/${x.protocol ?? 'TCP'}`;
    if (this.ports.some((x) => key(x) === key(port))) p.add('ports', `port ${key(port)} is listed twice`);
    if (!podNetwork) p.add('ports', 'a Service reaches the VM through the pod network; set podNetwork: true or drop ports');
    return p.size > before ? undefined : { ...port };
  }

  /** Adds what {@link plan} returned. */
  public commit(port: VmPort): void {
    this.ports.push(port);
  }

  /** Creates the Service when there are ports and it does not exist yet. */
  public ensureService(): void {
    if (this.svc || !this.ports.length) return;
    this.svc = new k8s.KubeService(this.vm, 'Service', {
      metadata: { name: this.vmName, namespace: this.namespace, labels: { [VM_LABEL]: this.vmName } },
      spec: {
        selector: { [VM_LABEL]: this.vmName },
        ports: Lazy.any({ produce: () => this.renderPorts() }) as unknown as k8s.ServicePort[],
      },
    });
  }

  private renderPorts(): k8s.ServicePort[] {
    return this.ports.map((x) => ({
      name: x.name,
      port: x.port,
      protocol: x.protocol ?? 'TCP',
      targetPort: k8s.IntOrString.fromNumber(x.targetPort ?? x.port),
    }));
  }
}
