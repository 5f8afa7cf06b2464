import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  VirtualMachineSpecTemplateSpecReadinessProbe,
  VirtualMachineSpecTemplateSpecReadinessProbeTcpSocketPort,
} from '../../imports/kubevirt-vm-kubevirt.io';
import { Problems, show } from '../core/errors';
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

/** How often and how patiently a readiness probe runs (KubeVirt defaults when left out). */
export interface ProbeTimings {
  /** Seconds after the VM starts before the first probe. @default 0 */
  readonly initialDelaySeconds?: number;
  /** Seconds between probes. @default 10 */
  readonly periodSeconds?: number;
  /** Seconds a probe may take. @default 1 */
  readonly timeoutSeconds?: number;
  /** Failed probes in a row before the VM counts as not ready. @default 3 */
  readonly failureThreshold?: number;
}

/**
 * When a VM counts as ready, so its Service sends traffic only to a guest that answers
 * (`spec.template.spec.readinessProbe`; the launcher pod is Ready only while the probe passes).
 *
 * Facts (KubeVirt v1.0.1, OpenShift Virtualization 4.14; field names from the 4.14 profile schema
 * kubevirt.io_virtualmachines.yaml, `readinessProbe` with exactly one of tcpSocket, httpGet, exec,
 * guestAgentPing): kubevirt/kubevirt v1.0.1
 * pkg/virt-api/webhooks/validating-webhook/admitters/vmi-create-admitter.go refuses a tcpSocket or
 * httpGet probe without the pod network (the kubelet probes the launcher pod's address, which
 * masquerade forwards to the guest) and more than one probe type; exec and guestAgentPing run
 * through the QEMU guest agent (pkg/virt-controller/services/rendercontainer.go wraps them in
 * virt-probe), so the guest must run qemu-guest-agent; an exec probe adds 100Mi once plus 10Mi
 * per exec probe to the launcher's memory (pkg/virt-controller/services/template.go
 * addProbeOverheads), which lib/virt/_quota.ts counts.
 */
export class VmReadiness {
  /** Ready while the guest accepts TCP connections on `port` (a guest port; needs the pod network). */
  public static tcp(port: number, timings: ProbeTimings = {}): VmReadiness {
    return new VmReadiness('tcp', port, undefined, timings);
  }

  /** Ready while `command` exits 0 in the guest, run by the QEMU guest agent. */
  public static exec(command: readonly string[], timings: ProbeTimings = {}): VmReadiness {
    return new VmReadiness('exec', undefined, command, timings);
  }

  /** Ready while the QEMU guest agent answers a ping. */
  public static guestAgentPing(timings: ProbeTimings = {}): VmReadiness {
    return new VmReadiness('guestAgentPing', undefined, undefined, timings);
  }

  /** No readiness probe: the VM counts as ready as soon as its launcher pod runs. */
  public static none(): VmReadiness {
    return new VmReadiness('none', undefined, undefined, {});
  }

  private constructor(
    /** @internal */ public readonly kind: 'tcp' | 'exec' | 'guestAgentPing' | 'none',
    /** @internal */ public readonly port: number | undefined,
    /** @internal */ public readonly command: readonly string[] | undefined,
    /** @internal */ public readonly timings: ProbeTimings,
  ) {}

  /** @internal */
  public _check(p: Problems, field: string, podNetwork: boolean): void {
    if (this.kind === 'tcp') {
      p.check(`${field}.port`, this.port, limit('port'));
      if (!podNetwork) p.add(field, 'a TCP readiness probe reaches the guest through the pod network, and KubeVirt refuses it on a VM without one; set podNetwork: true, or use VmReadiness.exec([...]) or VmReadiness.guestAgentPing() (both through the guest agent)');
    }
    if (this.kind === 'exec') {
      const c = this.command;
      if (!Array.isArray(c) || c.length === 0 || c.some((x) => typeof x !== 'string' || x === '')) p.add(`${field}.command`, `${show(c)} must be a non-empty list of strings (the program and its arguments, run in the guest by the guest agent)`);
    }
    const t = this.timings ?? {};
    for (const k of ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold'] as const) {
      if (t[k] !== undefined) p.check(`${field}.${k}`, t[k], k === 'initialDelaySeconds' ? limit('terminationGracePeriodSeconds') : limit('probeSeconds'));
    }
    if (t.timeoutSeconds !== undefined && t.periodSeconds !== undefined && t.timeoutSeconds >= t.periodSeconds) {
      p.add(`${field}.timeoutSeconds`, `${t.timeoutSeconds} must be below periodSeconds (${t.periodSeconds})`);
    }
  }

  /** @internal */
  public _render(): VirtualMachineSpecTemplateSpecReadinessProbe | undefined {
    const t = this.timings ?? {};
    const handler = this.kind === 'tcp' ? { tcpSocket: { port: VirtualMachineSpecTemplateSpecReadinessProbeTcpSocketPort.fromNumber(this.port ?? 0) } }
      : this.kind === 'exec' ? { exec: { command: [...(this.command ?? [])] } }
        : this.kind === 'guestAgentPing' ? { guestAgentPing: {} }
          : undefined;
    if (!handler) return undefined;
    return { ...handler, initialDelaySeconds: t.initialDelaySeconds, periodSeconds: t.periodSeconds, timeoutSeconds: t.timeoutSeconds, failureThreshold: t.failureThreshold };
  }
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

  /**
   * The readiness probe: the one given, else a TCP probe on the guest port of the first TCP port
   * (so the Service routes only to a guest that listens), else none.
   */
  public readiness(given: VmReadiness | undefined): VmReadiness | undefined {
    if (given) return given.kind === 'none' ? undefined : given;
    const first = this.ports.find((x) => (x.protocol ?? 'TCP') === 'TCP');
    return first ? VmReadiness.tcp(first.targetPort ?? first.port) : undefined;
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
