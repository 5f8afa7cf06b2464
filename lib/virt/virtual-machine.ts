import { createHash } from 'crypto';
import { Chart, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  VirtualMachine as VirtualMachineL1,
  VirtualMachineSpec,
  VirtualMachineSpecDataVolumeTemplates,
  VirtualMachineSpecDataVolumeTemplatesSpecStorageResourcesRequests,
  VirtualMachineSpecTemplateSpecDomainDevicesDisks,
  VirtualMachineSpecTemplateSpecDomainDevicesInterfaces,
  VirtualMachineSpecTemplateSpecDomainMemoryGuest,
  VirtualMachineSpecTemplateSpecDomainResourcesLimits,
  VirtualMachineSpecTemplateSpecDomainResourcesRequests,
  VirtualMachineSpecTemplateSpecNetworks,
  VirtualMachineSpecTemplateSpecVolumes,
} from '../../imports/kubevirt-vm-kubevirt.io';
import { Problems, show } from '../core/errors';
import { Quantity, quantityProblem } from '../core/quantity';
import { dnsLabel, duplicates, httpUrl, intRange, oneOf } from '../core/rules';
import { Cluster } from '../gitops/cluster';
import { GitOpsApp } from '../gitops/gitops-app';
import { listProp, macAddress as macRule } from '../network/_rules';
import { BridgeNetwork, IBridgeNetwork, isBridgeNetwork } from '../network/bridge-network';
import { CloudInit, MAX_INLINE_USER_DATA, SshKeyPropagation } from './cloud-init';
import { AccessMode, DiskSource, VolumeMode } from './disk-source';
import { IInstancetype, IPreference } from './instancetype';
import { Tenant } from '../tenancy/tenant';

/**
 * How KubeVirt keeps a VM running. `spec.running` is deprecated and never written.
 * @see https://kubevirt.io/user-guide/compute/run_strategies/
 */
export enum RunStrategy {
  /** Always running; restarted when it stops for any reason. */
  ALWAYS = 'Always',
  /** Restarted only when it fails (a clean shutdown in the guest stays down). */
  RERUN_ON_FAILURE = 'RerunOnFailure',
  /** Started and stopped by hand (`virtctl start/stop`). */
  MANUAL = 'Manual',
  /** Stopped. */
  HALTED = 'Halted',
  /** Run once to completion, never restarted. */
  ONCE = 'Once',
}

/** What happens to the VM when its node is drained. */
export enum EvictionStrategy {
  /** Live-migrate to another node (needs ReadWriteMany disks). */
  LIVE_MIGRATE = 'LiveMigrate',
  /** Shut the VM down (it is restarted elsewhere, per its run strategy). */
  NONE = 'None',
  /** Leave it to an external controller. */
  EXTERNAL = 'External',
}

/** CPU topology of a VM. */
export interface CpuTopology {
  /** Cores per socket. */
  readonly cores: number;
  /** @default 1 */
  readonly sockets?: number;
  /** Threads per core. @default 1 */
  readonly threads?: number;
}

/** Storage settings shared by the root disk and data disks. */
export interface DiskStorageOptions {
  /** Size of the volume (`40Gi`). Not used for {@link DiskSource.existingPvc}. */
  readonly size?: string | Quantity;
  /**
   * StorageClass of the volume.
   * @default the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Access mode. ReadWriteMany lets the VM live-migrate.
   * @default AccessMode.READ_WRITE_MANY
   */
  readonly accessMode?: AccessMode;
  /**
   * Volume mode.
   * @default VolumeMode.BLOCK
   */
  readonly volumeMode?: VolumeMode;
}

/** The disk a VM boots from. */
export interface RootDiskOptions extends DiskStorageOptions {
  /** Where the content comes from. */
  readonly source: DiskSource;
}

/** An extra disk. */
export interface DataDiskOptions extends DiskStorageOptions {
  /** Disk name inside the VM spec (a DNS label); the DataVolume is `<vm>-<name>`. */
  readonly name: string;
  /**
   * Content of the disk.
   * @default DiskSource.blank()
   */
  readonly source?: DiskSource;
}

/** One VM interface on a Multus bridge network. */
export interface NetworkAttachmentOptions {
  /** The network (a {@link BridgeNetwork}, or `BridgeNetwork.fromName(...)`). */
  readonly network: IBridgeNetwork;
  /**
   * Interface (and network) name inside the VM spec.
   * @default `nic-<n>`, counting from 1 in the order given
   */
  readonly name?: string;
  /**
   * Fixed MAC address.
   * @default a stable locally administered address derived from the VM and interface names
   */
  readonly macAddress?: string;
  /**
   * The network lives in another namespace and is referenced as `<namespace>/<name>`; without
   * this, a network outside the VM's namespace is an error.
   * @default false
   */
  readonly crossNamespace?: boolean;
}

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

/** Properties of a {@link VirtualMachine}. */
export interface VirtualMachineProps {
  /** VM name (DNS label); also the guest host name unless cloud-init says otherwise. */
  readonly name: string;
  /**
   * Namespace.
   * @default the namespace of the enclosing GitOpsApp or Tenant
   */
  readonly namespace?: string;
  /**
   * Run strategy.
   * @default RunStrategy.ALWAYS
   */
  readonly runStrategy?: RunStrategy;
  /**
   * vCPUs: a number of cores, or a full topology. Mutually exclusive with `instancetype`.
   * @default required unless instancetype is given
   */
  readonly cpu?: number | CpuTopology;
  /**
   * Guest memory (`8Gi`). Mutually exclusive with `instancetype`.
   * @default required unless instancetype is given
   */
  readonly memory?: string | Quantity;
  /**
   * CPU the launcher pod requests (what counts against a tenant quota).
   * @default 100m per vCPU (KubeVirt's default CPU allocation ratio of 10)
   */
  readonly cpuRequest?: string | Quantity;
  /**
   * A cluster instancetype giving CPU and memory. Mutually exclusive with `cpu` and `memory`.
   * @default none
   */
  readonly instancetype?: IInstancetype;
  /**
   * A cluster preference (disk bus, NIC model, firmware ...).
   * @default none (virtio disks and NICs, BIOS)
   */
  readonly preference?: IPreference;
  /** The boot disk. */
  readonly rootDisk: RootDiskOptions;
  /** Extra disks. @default none */
  readonly dataDisks?: readonly DataDiskOptions[];
  /** Cloud-init NoCloud data. @default none */
  readonly cloudInit?: CloudInit;
  /**
   * Attach the pod network (masquerade binding): cluster DNS, Services, egress through the node.
   * @default true
   */
  readonly podNetwork?: boolean;
  /** Bridge networks, one interface each, in order (`nic-1`, `nic-2` ...). @default none */
  readonly networks?: readonly NetworkAttachmentOptions[];
  /**
   * Ports published inside the cluster by a Service named like the VM (needs the pod network).
   * @default none (no Service)
   */
  readonly ports?: readonly VmPort[];
  /**
   * Eviction strategy on node drain.
   * @default LIVE_MIGRATE when every disk is ReadWriteMany, else NONE
   */
  readonly evictionStrategy?: EvictionStrategy;
  /** Node labels the VM must run on. @default none */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Extra labels on the VM and its pod. @default none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Extra annotations on the VirtualMachine. @default none */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * Grace period for the guest to shut down.
   * @default 180
   */
  readonly terminationGracePeriodSeconds?: number;
}

/** Label put on the VM's pod template; the VM's Service selects on it. */
export const VM_LABEL = 'ocpkit.io/vm';
/** CDI annotation that keeps completed DataVolumes (so Argo CD does not see them vanish). */
export const DELETE_AFTER_COMPLETION_ANNOTATION = 'cdi.kubevirt.io/storage.deleteAfterCompletion';
/**
 * Memory counted per VM, on top of guest memory, for the virt-launcher pod (QEMU, libvirt) in
 * tenant quota checks. An allowance, not KubeVirt's exact formula.
 */
export const LAUNCHER_OVERHEAD = Quantity.parse('256Mi');

/** Fields KubeVirt and CDI write into a VirtualMachine after it is created. */
export const VM_IGNORED_FIELDS: readonly string[] = [
  '.spec.template.spec.domain.machine',
  '.spec.template.spec.architecture',
  '.spec.template.metadata.creationTimestamp',
  '.spec.dataVolumeTemplates[]?.metadata.creationTimestamp',
  '.spec.instancetype.revisionName',
  '.spec.preference.revisionName',
];

/** What one VM requests from its namespace (for quota checks). */
export interface VmRequests {
  readonly cpu: Quantity;
  /** Guest memory plus the launcher allowance. */
  readonly memory: Quantity;
  /** Sum of the sizes of the volumes the VM creates. */
  readonly storage: Quantity;
  /** Number of PersistentVolumeClaims the VM creates. */
  readonly volumes: number;
}

/** One interface of a VM, as rendered. */
export interface VmInterface {
  readonly name: string;
  /** The bridge network, or undefined for the pod network. */
  readonly network?: IBridgeNetwork;
  readonly macAddress: string;
}

interface Volume {
  readonly name: string;
  readonly dataVolumeName?: string;
  readonly claimName?: string;
  readonly size?: Quantity;
  readonly accessMode?: AccessMode;
  readonly cdrom?: boolean;
  readonly template?: VirtualMachineSpecDataVolumeTemplates;
}

const ALL_MACS = new WeakMap<Cluster, Map<string, string>>();
const IGNORES_ADDED = new WeakSet<GitOpsApp>();
const RESERVED_VOLUMES = ['rootdisk', 'installer', 'cloudinitdisk'];

function toQuantity(p: Problems, field: string, v: unknown): Quantity | undefined {
  if (v instanceof Quantity) return v;
  const m = quantityProblem(v);
  if (m) {
    p.add(field, m);
    return undefined;
  }
  return Quantity.parse(v as string);
}

/** A UUID (version 5 layout) derived from a string, stable across syntheses. */
export function stableUuid(seed: string): string {
  const h = createHash('sha1').update(`ocpkit/${seed}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** A locally administered unicast MAC derived from a string (`02:xx:xx:xx:xx:xx`). */
export function stableMac(seed: string): string {
  const h = createHash('sha1').update(`ocpkit-mac/${seed}`).digest();
  return ['02', ...[...h.subarray(0, 5)].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/**
 * A KubeVirt VirtualMachine with its disks (CDI DataVolume templates), cloud-init data, NICs on
 * the pod network and on Multus bridge networks, and optionally a Service for chosen ports.
 *
 * GitOps-safe: the firmware UUID and serial are derived from the VM name, every interface gets a
 * stable MAC, DataVolumes are kept after completion, and the owning Argo CD Application ignores
 * the fields KubeVirt fills in (machine type, architecture, instancetype revisions).
 *
 * In a Tenant, the VMs (with the headroom a live migration needs) are checked against the tenant
 * quota at synth time, with every other workload of the namespace (lib/capacity).
 * @see https://kubevirt.io/user-guide/
 */
export class VirtualMachine extends Construct {
  /** Every VirtualMachine below a construct (a Tenant, a GitOpsApp, the Cluster). */
  public static allIn(scope: Construct): VirtualMachine[] {
    return scope.node.findAll().filter((c): c is VirtualMachine => c instanceof VirtualMachine);
  }

  /** VM name. */
  public readonly vmName: string;
  /** Namespace of the VM (and its Service and DataVolumes). */
  public readonly namespace: string;
  /** Firmware UUID (stable, derived from namespace and name). */
  public readonly firmwareUuid: string;
  /** True when every disk is ReadWriteMany, so the VM can live-migrate. */
  public readonly liveMigratable: boolean;
  /** Eviction strategy written to the VM. */
  public readonly evictionStrategy: EvictionStrategy;
  /** What the VM requests from its namespace. */
  public readonly requests: VmRequests;
  /** The KubeVirt VirtualMachine object. */
  public readonly resource: VirtualMachineL1;
  /** The tenant the VM lives in, if any. */
  public readonly tenant?: Tenant;

  private readonly props: VirtualMachineProps;
  private readonly ifaces: VmInterface[] = [];
  private readonly ports: VmPort[] = [];
  private readonly volumes: Volume[] = [];
  /** vCPUs of the VM, when known. */
  public readonly vcpus?: number;
  private readonly memory?: Quantity;
  private readonly cpuRequest?: Quantity;
  private svc?: k8s.KubeService;

  constructor(scope: Construct, id: string, props: VirtualMachineProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    this.props = props;
    p.check('name', props.name, dnsLabel);
    const tenant = Tenant.enclosing(this);
    const app = GitOpsApp.enclosing(this);
    const namespace = props.namespace ?? (app ? Chart.of(this).namespace : undefined);
    if (!app) p.add('', 'a VirtualMachine must be defined inside a GitOpsApp or a Tenant');
    if (namespace === undefined) p.add('namespace', 'is not set and the enclosing GitOpsApp has no namespace; give the VM\'s namespace');
    else if (p.check('namespace', namespace, dnsLabel) && tenant && namespace !== tenant.tenantName) {
      p.add('namespace', `"${namespace}" is not the namespace of tenant "${tenant.tenantName}"; a tenant's VMs live in its own namespace`);
    }
    if (props.runStrategy !== undefined) p.check('runStrategy', props.runStrategy, oneOf(Object.values(RunStrategy)));
    if ((props as any).running !== undefined) p.add('running', 'spec.running is deprecated; use runStrategy (RunStrategy.ALWAYS, HALTED ...)');

    // Size: explicit CPU/memory or an instancetype, never both.
    let vcpus: number | undefined;
    let memory: Quantity | undefined;
    if (props.instancetype !== undefined) {
      const it = props.instancetype as IInstancetype;
      if (typeof it?.instancetypeName !== 'string') p.add('instancetype', `${show(it)} is not an instancetype; use a ClusterInstancetype or ClusterInstancetype.fromName("u1.medium")`);
      if (props.cpu !== undefined) p.add('cpu', `cannot be combined with instancetype "${it?.instancetypeName}"; the instancetype sets the vCPUs (drop cpu, or drop instancetype)`);
      if (props.memory !== undefined) p.add('memory', `cannot be combined with instancetype "${it?.instancetypeName}"; the instancetype sets the memory (drop memory, or drop instancetype)`);
      if (props.cpuRequest !== undefined) p.add('cpuRequest', `cannot be combined with instancetype "${it?.instancetypeName}"`);
      if (tenant) {
        p.add('instancetype', `VMs in tenant "${tenant.tenantName}" need explicit cpu and memory: the tenant's LimitRange would give the launcher pod a default memory limit below its request (KubeVirt 1.0 sets no limit for instancetypes), so the VM would never start`);
      }
      vcpus = it?.guestCpus;
      memory = it?.memory;
    } else {
      if (props.cpu === undefined) p.add('cpu', 'is required (a number of cores or { cores, sockets, threads }) unless an instancetype is given');
      else vcpus = this.checkCpu(p, props.cpu);
      if (props.memory === undefined) p.add('memory', 'is required (for example "4Gi") unless an instancetype is given');
      else {
        memory = toQuantity(p, 'memory', props.memory);
        if (memory && memory.value < 64 * 2 ** 20) p.add('memory', `${show(String(props.memory))} is below 64Mi; write the guest memory, for example "4Gi"`);
      }
    }
    if (props.preference !== undefined && typeof (props.preference as IPreference)?.preferenceName !== 'string') {
      p.add('preference', `${show(props.preference)} is not a preference; use a ClusterPreference or ClusterPreference.fromName("rhel.9")`);
    }
    let cpuRequest: Quantity | undefined;
    if (props.cpuRequest !== undefined) cpuRequest = toQuantity(p, 'cpuRequest', props.cpuRequest);
    else if (vcpus !== undefined) cpuRequest = Quantity.millicores(vcpus * 100);
    this.vcpus = vcpus;
    this.memory = memory;
    this.cpuRequest = cpuRequest;

    const name = typeof props.name === 'string' ? props.name : 'vm';
    const ns = namespace ?? 'default';
    this.vmName = name;
    this.namespace = ns;

    // Disks.
    if (props.rootDisk === undefined || !(props.rootDisk?.source instanceof DiskSource)) {
      p.add('rootDisk.source', `${show(props.rootDisk?.source)} is not a DiskSource; use DiskSource.pvcClone / httpImage / isoInstaller / registryImage / existingPvc`);
    } else {
      this.addVolume(p, 'rootDisk', 'rootdisk', `${name}-root`, props.rootDisk);
    }
    listProp(p, 'dataDisks', props.dataDisks, '[{ name: "data", size: "50Gi" }]').forEach((d, i) => {
      const field = `dataDisks[${i}]`;
      if (!p.check(`${field}.name`, d?.name, dnsLabel)) return;
      if (RESERVED_VOLUMES.includes(d.name)) {
        p.add(`${field}.name`, `"${d.name}" is reserved for the VM's own disks (${RESERVED_VOLUMES.join(', ')}); choose another name`);
        return;
      }
      if (d.source !== undefined && !(d.source instanceof DiskSource)) {
        p.add(`${field}.source`, `${show(d.source)} is not a DiskSource`);
        return;
      }
      this.addVolume(p, field, d.name, `${name}-${d.name}`, { ...d, source: d.source ?? DiskSource.blank() });
    });
    for (const dup of duplicates(this.volumes.map((v) => v.name))) p.add('dataDisks', `disk name "${dup}" is used twice`);
    for (const dup of duplicates(this.volumes.map((v) => v.dataVolumeName).filter((v) => v))) p.add('dataDisks', `DataVolume name "${dup}" is used twice`);
    for (const v of this.volumes) {
      if (v.dataVolumeName && v.dataVolumeName.length > 63) p.add('name', `DataVolume name "${v.dataVolumeName}" is longer than 63 characters; shorten the VM or disk name`);
    }

    // Cloud-init.
    let userData: string | undefined;
    if (props.cloudInit !== undefined) {
      if (!(props.cloudInit instanceof CloudInit)) p.add('cloudInit', `${show(props.cloudInit)} is not a CloudInit; use CloudInit.build({...}) or CloudInit.fromSecret(SecretKey.of(name, "userdata"))`);
      else {
        const before = p.size;
        props.cloudInit._check(p, 'cloudInit');
        if (p.size === before) {
          userData = props.cloudInit._userData(name);
          if (userData && Buffer.byteLength(userData) > MAX_INLINE_USER_DATA) {
            p.add('cloudInit', `the rendered user data is ${Buffer.byteLength(userData)} bytes; KubeVirt accepts at most ${MAX_INLINE_USER_DATA} bytes inline. Put it in a Secret and use CloudInit.fromSecret(SecretKey.of("${name}-cloudinit", "userdata"))`);
          }
        }
      }
    }

    // Networks.
    const podNetwork = props.podNetwork ?? true;
    if (podNetwork) this.ifaces.push({ name: 'default', macAddress: stableMac(`${ns}/${name}/default`) });
    listProp(p, 'networks', props.networks, '[{ network: internalNetwork }]').forEach((n, i) => this.addAttachment(p, `networks[${i}]`, n, i + 1));
    for (const dup of duplicates(this.ifaces.map((f) => f.name))) {
      p.add('networks', `interface name "${dup}" is used twice${dup === 'default' ? ' ("default" is the pod network)' : ''}; every interface and network needs its own name`);
    }
    for (const dup of duplicates(this.ifaces.map((f) => f.macAddress.toLowerCase()))) p.add('networks', `MAC address ${dup} is used by two interfaces`);

    // Service ports.
    const ports = listProp(p, 'ports', props.ports, '[{ name: "ssh", port: 22 }]');
    ports.forEach((port, i) => this.checkPort(p, `ports[${i}]`, port));
    for (const dup of duplicates(ports.map((x) => x?.name))) p.add('ports', `port name "${dup}" is used twice`);
    for (const dup of duplicates(ports.map((x) => `${x?.port}/${x?.protocol ?? 'TCP'}`))) p.add('ports', `port ${dup} is listed twice`);
    if (ports.length && !podNetwork) p.add('ports', 'a Service reaches the VM through the pod network; set podNetwork: true or drop ports');

    // Eviction.
    const rwx = this.volumes.length > 0 && this.volumes.every((v) => v.accessMode === AccessMode.READ_WRITE_MANY);
    this.liveMigratable = rwx;
    if (props.evictionStrategy !== undefined && p.check('evictionStrategy', props.evictionStrategy, oneOf(Object.values(EvictionStrategy)))) {
      if (props.evictionStrategy === EvictionStrategy.LIVE_MIGRATE && !rwx) {
        const rwo = this.volumes.filter((v) => v.accessMode !== AccessMode.READ_WRITE_MANY).map((v) => v.name);
        p.add('evictionStrategy', `LiveMigrate needs ReadWriteMany disks, but ${rwo.join(', ')} ${rwo.length === 1 ? 'is' : 'are'} not; use AccessMode.READ_WRITE_MANY or EvictionStrategy.NONE`);
      }
    }
    this.evictionStrategy = props.evictionStrategy ?? (rwx ? EvictionStrategy.LIVE_MIGRATE : EvictionStrategy.NONE);

    if (props.nodeSelector !== undefined && (typeof props.nodeSelector !== 'object' || props.nodeSelector === null)) p.add('nodeSelector', `${show(props.nodeSelector)} must be a map of node labels`);
    if (props.terminationGracePeriodSeconds !== undefined) p.check('terminationGracePeriodSeconds', props.terminationGracePeriodSeconds, intRange(0, 3600));
    for (const [k, v] of Object.entries(props.labels ?? {})) {
      if (k === VM_LABEL) p.add(`labels.${k}`, `is set by ocpkit to the VM name`);
      if (typeof v !== 'string') p.add(`labels.${k}`, `${show(v)} must be a string`);
    }
    p.throwIfAny();

    this.tenant = tenant;
    this.firmwareUuid = stableUuid(`${ns}/${name}`);
    const storage = this.volumes.reduce((s, v) => s + (v.size?.value ?? 0), 0);
    this.requests = {
      cpu: cpuRequest ?? Quantity.parse('0'),
      memory: memory ? Quantity.parse(String(memory.value + LAUNCHER_OVERHEAD.value)) : LAUNCHER_OVERHEAD,
      storage: Quantity.parse(String(storage)),
      volumes: this.volumes.filter((v) => v.template).length,
    };

    const labels = { ...props.labels, [VM_LABEL]: name };
    this.resource = new VirtualMachineL1(this, 'Resource', {
      metadata: {
        name,
        namespace: ns,
        labels,
        annotations: props.annotations ? { ...props.annotations } : undefined,
      },
      spec: Lazy.any({ produce: () => this.renderSpec(labels, userData) }) as any,
    });
    this.ports.push(...ports);
    if (this.ports.length) this.createService();

    const cluster = Cluster.of(this);
    const macs = ALL_MACS.get(cluster) ?? new Map<string, string>();
    ALL_MACS.set(cluster, macs);
    const mine = this.ifaces.filter((f) => f.network).map((f) => f.macAddress.toLowerCase());
    for (const m of mine) if (!macs.has(m)) macs.set(m, this.node.path);
    this.node.addValidation({ validate: () => this.crossChecks(cluster, macs, mine) });

    if (app && !IGNORES_ADDED.has(app)) {
      IGNORES_ADDED.add(app);
      app.addIgnoreDifference({ group: 'kubevirt.io', kind: 'VirtualMachine', jqPathExpressions: VM_IGNORED_FIELDS });
    }
  }

  /** The VM's interfaces, pod network first. */
  public get interfaces(): readonly VmInterface[] {
    return [...this.ifaces];
  }

  /** The Service publishing the VM's ports, if any. */
  public get service(): k8s.KubeService | undefined {
    return this.svc;
  }

  /** Name of the VM's Service (the VM name). */
  public get serviceName(): string {
    return this.vmName;
  }

  /** In-cluster DNS name of the VM's Service (`<vm>.<namespace>.svc`). */
  public get serviceHost(): string {
    return `${this.vmName}.${this.namespace}.svc`;
  }

  /** Service port number of a named port; throws when the VM does not publish it. */
  public portNumber(name: string): number {
    const port = this.ports.find((x) => x.name === name);
    if (!port) {
      const p = new Problems(this.node.path);
      p.add('ports', `the VM publishes no port named "${name}" (it has ${this.ports.map((x) => `"${x.name}"`).join(', ') || 'none'}); add it to ports`);
      p.throwIfAny();
    }
    return port!.port;
  }

  /** Publishes another port through the VM's Service (created on first use). */
  public addPort(port: VmPort): void {
    const p = new Problems(this.node.path);
    this.checkPort(p, `ports[${this.ports.length}]`, port);
    if (this.ports.some((x) => x.name === port?.name)) p.add('ports', `port name "${port.name}" is used twice`);
    if (!this.ifaces.some((f) => !f.network)) p.add('ports', 'a Service reaches the VM through the pod network; this VM has podNetwork: false');
    p.throwIfAny();
    this.ports.push(port);
    if (!this.svc) this.createService();
  }

  /** Attaches one more bridge network (`nic-<n>`). */
  public addNetwork(options: NetworkAttachmentOptions): void {
    const p = new Problems(this.node.path);
    const n = this.ifaces.filter((f) => f.network).length + 1;
    this.addAttachment(p, `networks[${n - 1}]`, options, n);
    const last = this.ifaces[this.ifaces.length - 1];
    if (this.ifaces.filter((f) => f.name === last.name).length > 1) p.add('networks', `interface name "${last.name}" is used twice`);
    if (p.size) {
      this.ifaces.pop();
      p.throwIfAny();
    }
    const cluster = Cluster.of(this);
    const macs = ALL_MACS.get(cluster)!;
    if (!macs.has(last.macAddress.toLowerCase())) macs.set(last.macAddress.toLowerCase(), this.node.path);
  }

  private checkCpu(p: Problems, cpu: number | CpuTopology): number | undefined {
    if (typeof cpu === 'number') return p.check('cpu', cpu, intRange(1, 512)) ? cpu : undefined;
    if (typeof cpu !== 'object' || cpu === null) {
      p.add('cpu', `${show(cpu)} must be a number of cores or { cores, sockets, threads }`);
      return undefined;
    }
    const ok = [
      p.check('cpu.cores', cpu.cores, intRange(1, 256)),
      cpu.sockets === undefined || p.check('cpu.sockets', cpu.sockets, intRange(1, 16)),
      cpu.threads === undefined || p.check('cpu.threads', cpu.threads, intRange(1, 8)),
    ].every((x) => x);
    return ok ? cpu.cores * (cpu.sockets ?? 1) * (cpu.threads ?? 1) : undefined;
  }

  private checkPort(p: Problems, field: string, port: VmPort): void {
    p.check(`${field}.name`, port?.name, (v) => (typeof v === 'string' && /^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/.test(v) ? undefined : `${show(v)} is not a port name (a DNS label of at most 15 characters)`));
    p.check(`${field}.port`, port?.port, intRange(1, 65535));
    if (port?.targetPort !== undefined) p.check(`${field}.targetPort`, port.targetPort, intRange(1, 65535));
    if (port?.protocol !== undefined) p.check(`${field}.protocol`, port.protocol, oneOf(['TCP', 'UDP']));
  }

  private addAttachment(p: Problems, field: string, opts: NetworkAttachmentOptions, n: number): void {
    const net = opts?.network;
    if (!isBridgeNetwork(net)) {
      p.add(`${field}.network`, `${show(net)} is not a BridgeNetwork; pass the BridgeNetwork construct (or BridgeNetwork.fromName(namespace, name) for one defined outside this stack)`);
      return;
    }
    const ifName = opts.name ?? `nic-${n}`;
    if (!p.check(`${field}.name`, ifName, dnsLabel)) return;
    if (opts.macAddress !== undefined && !p.check(`${field}.macAddress`, opts.macAddress, macRule)) return;
    if (net.namespace !== this.namespace && !opts.crossNamespace) {
      p.add(`${field}.network`, `network "${net.networkName}" is defined in namespace "${net.namespace}", not in the VM's namespace "${this.namespace}"; define a BridgeNetwork in "${this.namespace}" or set crossNamespace: true to reference "${net.namespace}/${net.networkName}"`);
    }
    this.ifaces.push({ name: ifName, network: net, macAddress: opts.macAddress ?? stableMac(`${this.namespace}/${this.vmName}/${ifName}`) });
    (this.ifaces[this.ifaces.length - 1] as any).crossNamespace = net.namespace !== this.namespace;
  }

  private addVolume(p: Problems, field: string, volName: string, dvName: string, opts: DiskStorageOptions & { source: DiskSource }): void {
    const src = opts.source;
    const o = src.options;
    if (opts.accessMode !== undefined) p.check(`${field}.accessMode`, opts.accessMode, oneOf(Object.values(AccessMode)));
    if (opts.volumeMode !== undefined) p.check(`${field}.volumeMode`, opts.volumeMode, oneOf(Object.values(VolumeMode)));
    if (opts.storageClass !== undefined) p.check(`${field}.storageClass`, opts.storageClass, (v) => (typeof v === 'string' && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) ? undefined : `${show(v)} is not a StorageClass name`));
    if (src.kind === 'existingPvc') {
      if (!p.check(`${field}.source.claimName`, o.claimName, dnsLabel)) return;
      if (opts.size !== undefined) p.add(`${field}.size`, `an existing PVC keeps its own size; drop size for ${src}`);
      this.volumes.push({ name: volName, claimName: o.claimName, accessMode: o.accessMode ?? AccessMode.READ_WRITE_ONCE });
      return;
    }
    let size: Quantity | undefined;
    if (opts.size === undefined) p.add(`${field}.size`, `is required for ${src.kind === 'blank' ? 'a blank disk' : src.toString()} (for example "40Gi")`);
    else size = toQuantity(p, `${field}.size`, opts.size);
    let source: Record<string, unknown> | undefined;
    switch (src.kind) {
      case 'pvcClone': {
        const okNs = p.check(`${field}.source.namespace`, o.namespace, (v) => (v === undefined || v === '' ? 'is missing; a clone source needs the namespace and the name of the PVC (DiskSource.pvcClone({ namespace, name }))' : dnsLabel(v)));
        const okName = p.check(`${field}.source.name`, o.name, (v) => (v === undefined || v === '' ? 'is missing; a clone source needs the namespace and the name of the PVC (DiskSource.pvcClone({ namespace, name }))' : dnsLabel(v)));
        if (okNs && okName) source = { pvc: { namespace: o.namespace, name: o.name } };
        break;
      }
      case 'http':
      case 'iso': {
        if (p.check(`${field}.source.url`, o.url, httpUrl)) source = { http: { url: o.url, certConfigMap: o.certConfigMap, secretRef: o.secretRef } };
        if (o.certConfigMap !== undefined) p.check(`${field}.source.certConfigMap`, o.certConfigMap, dnsLabel);
        if (o.secretRef !== undefined) p.check(`${field}.source.secretRef`, o.secretRef, dnsLabel);
        break;
      }
      case 'registry': {
        const img = typeof o.image === 'string' ? o.image.replace(/^docker:\/\//, '') : o.image;
        if (p.check(`${field}.source.image`, img, (v) => (typeof v === 'string' && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d+)?\/[-a-z0-9._/]+(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})?$/.test(v) ? undefined : `${show(v)} is not a registry image reference (for example "quay.io/containerdisks/fedora:39")`))) {
          source = { registry: { url: `docker://${img}`, secretRef: o.secretRef, pullMethod: o.pullMethod } };
        }
        if (o.pullMethod !== undefined) p.check(`${field}.source.pullMethod`, o.pullMethod, oneOf(['pod', 'node']));
        break;
      }
      default:
        source = { blank: {} };
    }
    const accessMode = opts.accessMode ?? AccessMode.READ_WRITE_MANY;
    const volumeMode = opts.volumeMode ?? VolumeMode.BLOCK;
    const template = (dv: string, s: Record<string, unknown>, q: Quantity): VirtualMachineSpecDataVolumeTemplates => ({
      metadata: { name: dv, annotations: { [DELETE_AFTER_COMPLETION_ANNOTATION]: 'false' } },
      spec: {
        source: s as any,
        storage: {
          accessModes: [accessMode],
          volumeMode,
          storageClassName: opts.storageClass,
          resources: { requests: { storage: VirtualMachineSpecDataVolumeTemplatesSpecStorageResourcesRequests.fromString(q.toString()) } },
        },
      },
    });
    if (!source || !size) return;
    if (src.kind === 'iso') {
      // Empty root disk to install on, and the ISO as a CD-ROM.
      this.volumes.push({ name: volName, dataVolumeName: dvName, size, accessMode, template: template(dvName, { blank: {} }, size) });
      const isoSize = toQuantity(p, `${field}.source.isoSize`, o.isoSize ?? '10Gi');
      if (!isoSize) return;
      const isoDv = `${this.vmName}-installer`;
      this.volumes.push({ name: 'installer', dataVolumeName: isoDv, size: isoSize, accessMode, cdrom: true, template: template(isoDv, source, isoSize) });
      return;
    }
    this.volumes.push({ name: volName, dataVolumeName: dvName, size, accessMode, template: template(dvName, source, size) });
  }

  private crossChecks(cluster: Cluster, macs: Map<string, string>, mine: string[]): string[] {
    const out: string[] = [];
    for (const f of this.ifaces) {
      const net = f.network;
      if (net instanceof BridgeNetwork && Cluster.of(net) !== cluster) {
        out.push(`networks: network "${net.networkName}" (${net.node.path}) belongs to another cluster; use the BridgeNetwork of environment "${cluster.environment}"`);
      }
    }
    for (const f of this.ifaces) {
      const net = f.network;
      if (!(net instanceof BridgeNetwork) || net.ipam.kind !== 'static') continue;
      const first = VirtualMachine.allIn(cluster).flatMap((vm) => vm.ifaces.filter((g) => g.network === net).map((g) => ({ vm, g })))[0];
      if (first && (first.vm !== this || first.g !== f)) {
        out.push(`networks: interface "${f.name}" attaches to network "${net.networkName}" (${net.node.path}), whose static IPAM gives every interface the same address, and interface "${first.g.name}" of ${first.vm.node.path} is already attached to it; give each such VM its own network, or use Ipam.none() (the guest sets its address) or Ipam.whereabouts({ range })`);
      }
    }
    for (const m of mine) {
      const owner = macs.get(m);
      if (owner && owner !== this.node.path) out.push(`networks: MAC address ${m} is also used by ${owner}; MAC addresses must be unique on a network`);
    }
    return out;
  }

  private createService(): void {
    this.svc = new k8s.KubeService(this, 'Service', {
      metadata: { name: this.vmName, namespace: this.namespace, labels: { [VM_LABEL]: this.vmName } },
      spec: {
        selector: { [VM_LABEL]: this.vmName },
        ports: Lazy.any({
          produce: () => this.ports.map((x) => ({
            name: x.name,
            port: x.port,
            protocol: x.protocol ?? 'TCP',
            targetPort: k8s.IntOrString.fromNumber(x.targetPort ?? x.port),
          })),
        }) as any,
      },
    });
  }

  private renderSpec(labels: Record<string, string>, userData: string | undefined): VirtualMachineSpec {
    const props = this.props;
    const usePref = props.preference !== undefined;
    const disks: VirtualMachineSpecTemplateSpecDomainDevicesDisks[] = [];
    const volumes: VirtualMachineSpecTemplateSpecVolumes[] = [];
    let boot = 1;
    for (const v of this.volumes) {
      disks.push(v.cdrom
        ? { name: v.name, cdrom: { bus: 'sata', readonly: true }, bootOrder: v.name === 'installer' ? 2 : undefined }
        : { name: v.name, disk: usePref ? {} : { bus: 'virtio' }, bootOrder: v.name === 'rootdisk' ? boot++ : undefined });
      volumes.push(v.claimName
        ? { name: v.name, persistentVolumeClaim: { claimName: v.claimName } }
        : { name: v.name, dataVolume: { name: v.dataVolumeName! } });
    }
    const ci = props.cloudInit;
    if (ci) {
      disks.push({ name: 'cloudinitdisk', disk: usePref ? {} : { bus: 'virtio' } });
      volumes.push({
        name: 'cloudinitdisk',
        cloudInitNoCloud: ci.secret ? { secretRef: { name: ci.secret.secretName } } : { userData },
      });
    }
    const keys = ci?.config?.sshAuthorizedKeys;
    const interfaces: VirtualMachineSpecTemplateSpecDomainDevicesInterfaces[] = this.ifaces.map((f) => ({
      name: f.name,
      ...(f.network ? { bridge: {} } : { masquerade: {} }),
      ...(usePref ? {} : { model: 'virtio' }),
      macAddress: f.macAddress,
    }));
    const networks: VirtualMachineSpecTemplateSpecNetworks[] = this.ifaces.map((f) => (f.network
      ? { name: f.name, multus: { networkName: (f as any).crossNamespace ? `${f.network.namespace}/${f.network.networkName}` : f.network.networkName } }
      : { name: f.name, pod: {} }));
    const it = props.instancetype;
    const explicit = !it;
    const cpu = typeof props.cpu === 'number' ? { cores: props.cpu, sockets: 1, threads: 1 } : props.cpu;
    const inTenant = this.tenant !== undefined;
    const memText = this.memory?.toString();
    return {
      runStrategy: props.runStrategy ?? RunStrategy.ALWAYS,
      instancetype: it ? { kind: 'VirtualMachineClusterInstancetype', name: it.instancetypeName } : undefined,
      preference: props.preference ? { kind: 'VirtualMachineClusterPreference', name: props.preference.preferenceName } : undefined,
      dataVolumeTemplates: this.volumes.filter((v) => v.template).map((v) => v.template!),
      template: {
        metadata: { labels },
        spec: {
          evictionStrategy: this.evictionStrategy,
          terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? 180,
          nodeSelector: props.nodeSelector && Object.keys(props.nodeSelector).length ? { ...props.nodeSelector } : undefined,
          accessCredentials: keys ? [{
            sshPublicKey: {
              source: { secret: { secretName: keys.secretName } },
              propagationMethod: keys.propagation === SshKeyPropagation.NO_CLOUD
                ? { noCloud: {} }
                : { qemuGuestAgent: { users: (ci!.config!.users ?? []).map((u) => u.name) } },
            },
          }] : undefined,
          domain: {
            cpu: explicit && cpu ? { cores: cpu.cores, sockets: cpu.sockets ?? 1, threads: cpu.threads ?? 1 } : undefined,
            memory: explicit && memText ? { guest: VirtualMachineSpecTemplateSpecDomainMemoryGuest.fromString(memText) } : undefined,
            resources: explicit && memText ? {
              requests: {
                cpu: VirtualMachineSpecTemplateSpecDomainResourcesRequests.fromString(this.cpuRequest!.toString()),
                memory: VirtualMachineSpecTemplateSpecDomainResourcesRequests.fromString(memText),
              },
              limits: inTenant ? { memory: VirtualMachineSpecTemplateSpecDomainResourcesLimits.fromString(memText) } : undefined,
            } : undefined,
            firmware: { uuid: this.firmwareUuid, serial: this.firmwareUuid },
            devices: {
              disks,
              interfaces,
              autoattachPodInterface: this.ifaces.some((f) => !f.network) ? undefined : false,
            },
          },
          networks,
          volumes,
        },
      },
    };
  }
}
