import { Chart, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import {
  VirtualMachine as VirtualMachineL1,
  VirtualMachineSpec,
  VirtualMachineSpecTemplateSpecDomainMemoryGuest,
  VirtualMachineSpecTemplateSpecDomainResourcesLimits,
  VirtualMachineSpecTemplateSpecDomainResourcesRequests,
  VirtualMachineSpecTemplateSpecVolumes,
  VirtualMachineSpecTemplateSpecDomainDevicesDisks,
} from '../../imports/kubevirt-vm-kubevirt.io';
import { OcpkitError, Problems, show } from '../core/errors';
import { Quantity, QuantityLike } from '../core/quantity';
import { dnsLabel, oneOf } from '../core/rules';
import { Cluster } from '../gitops/cluster';
import { GitOpsApp } from '../gitops/gitops-app';
import { listProp } from '../network/_rules';
import { Platform } from '../platform/platform';
import { TreeIndex } from '../synth/pipeline';
import { Tenant } from '../tenancy/tenant';
import { CloudInit, CloudInitContext, guestOsFromBootSource, MAX_INLINE_USER_DATA, SshKeyPropagation } from './cloud-init';
import { ConfigDisk } from './config-disk';
import { GuestAddress, GuestNetwork } from './guest-network';
import { AccessMode, DiskSource } from './disk-source';
import { IInstancetype, IPreference } from './instancetype';
import { stableMac, stableUuid } from './stable-ids';
import { dataDiskName, limit, guestMemoryProblem, RESERVED_VOLUMES } from './_vm-rules';
import { DiskStorageOptions, migrationBlockers, toQuantity, VmDisks, VmVolume } from './vm-disks';
import { NetworkAttachmentOptions, networkCrossChecks, VmInterface, VmNetworks, VmOnNetworks } from './vm-networks';
import { VM_LABEL, VmPort, VmReadiness, VmService } from './vm-service';

export { stableMac, stableUuid } from './stable-ids';
export { DELETE_AFTER_COMPLETION_ANNOTATION, DiskStorageOptions } from './vm-disks';
export { NetworkAttachmentOptions, VmInterface } from './vm-networks';
export { ProbeTimings, VM_LABEL, VmPort, VmReadiness } from './vm-service';

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
  /**
   * Serial number of the disk, so the guest finds it as `/dev/disk/by-id/virtio-<serial>` whatever
   * the device order. Letters, digits, `_`, `.`, `+`, `-` (KubeVirt v1.0.1 vmi-create-admitter.go
   * checks disk serials against that set), at most 20 characters: the virtio-blk serial the guest
   * reads is 20 bytes (Linux include/uapi/linux/virtio_blk.h VIRTIO_BLK_ID_BYTES).
   * @default none
   */
  readonly serial?: string;
}

/** What a VM's disk looks like to other constructs. */
export interface VmDiskInfo {
  /** Disk name in the VM spec. */
  readonly name: string;
  /** Serial number, when given ({@link DataDiskOptions.serial}). */
  readonly serial?: string;
  /** Access mode of the volume, when known. */
  readonly accessMode?: AccessMode;
}

/** Options of {@link VirtualMachine.addConfigDisk}. */
export interface ConfigDiskAttachOptions {
  /**
   * A digest of what the guest reads from the disk, computed at synth time. It is written to the
   * VM template as the annotation `config.ocpkit.io/<disk name>`, so a change of the content is a
   * change of the VM spec (visible in Argo CD's diff). KubeVirt 1.0 applies a template change to
   * the next VMI only (see {@link ConfigDisk}): restart the VM to hand the guest the new content.
   * @default none
   */
  readonly contentDigest?: () => string;
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
   * Guest memory (`8Gi`, a Quantity or a cdk8s `Size`). Mutually exclusive with `instancetype`.
   * @default required unless instancetype is given
   */
  readonly memory?: string | QuantityLike;
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
  /**
   * How the guest configures its pod network NIC, when the VM has an address plan (some bridge
   * interface has an `address`).
   * @default DHCP from KubeVirt's masquerade DHCP server, owning the default route unless a bridge interface does
   */
  readonly podNetworkAddress?: GuestAddress;
  /** Bridge networks, one interface each, in order (`nic-1`, `nic-2` ...). @default none */
  readonly networks?: readonly NetworkAttachmentOptions[];
  /**
   * Ports published inside the cluster by a Service named like the VM (needs the pod network).
   * @default none (no Service)
   */
  readonly ports?: readonly VmPort[];
  /**
   * When the VM counts as ready: its Service routes only to a ready VM.
   * @default a TCP probe on the guest port of the first TCP port when the VM publishes ports, else none
   */
  readonly readiness?: VmReadiness;
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

/** State shared by the VMs of one cluster. */
class VmClusterState {
  private static readonly STATES = new WeakMap<Cluster, VmClusterState>();

  public static of(cluster: Cluster): VmClusterState {
    let s = VmClusterState.STATES.get(cluster);
    if (!s) {
      s = new VmClusterState();
      VmClusterState.STATES.set(cluster, s);
    }
    return s;
  }

  /** Apps that already ignore the fields KubeVirt fills in. */
  public readonly ignoresAdded = new Set<GitOpsApp>();
}

const PEERS = new WeakMap<readonly IConstruct[], Map<Cluster, VmOnNetworks[]>>();

/** The VMs of each cluster of a tree, in definition order (one list per walk of the tree). */
function vmsOfCluster(c: IConstruct, cluster: Cluster): readonly VmOnNetworks[] {
  const all = TreeIndex.all(c);
  let m = PEERS.get(all);
  if (!m) {
    m = new Map();
    for (const x of all) {
      if (!(x instanceof VirtualMachine)) continue;
      const list = m.get(x.cluster) ?? [];
      list.push(x.onNetworks);
      m.set(x.cluster, list);
    }
    PEERS.set(all, m);
  }
  return m.get(cluster) ?? [];
}

/**
 * A KubeVirt VirtualMachine with its disks (CDI DataVolume templates), cloud-init data, NICs on
 * the pod network and on Multus bridge networks, and optionally a Service for chosen ports.
 *
 * Props are sugar for the add methods: the constructor passes `dataDisks`, `networks` and `ports`
 * through the same checks as {@link addDataDisk}, {@link addNetwork} and {@link addPort}, and an
 * add that fails leaves the VM as it was. The parts live in facets (lib/virt/vm-disks.ts,
 * vm-networks.ts, vm-service.ts), the limits in lib/virt/_vm-rules.ts (shared with vms.yaml).
 *
 * GitOps-safe: the firmware UUID and serial are derived from the VM name, every interface gets a
 * stable MAC, DataVolumes are kept after completion, and the owning Argo CD Application ignores
 * the fields KubeVirt fills in (machine type, architecture, instancetype revisions).
 *
 * In a Tenant, the VMs (with the headroom a live migration needs) are checked against the tenant
 * quota at synth time, with every other workload of the namespace (lib/capacity).
 *
 * @example
 * Emits: to the tenant's folder a KubeVirt VirtualMachine (its root disk a CDI DataVolume template
 * that imports the image, its cloud-init as NoCloud user and network data, a NIC with a stable MAC
 * on the bridge network) and a Service for its `smtp` port; at synth time its memory, with the
 * headroom of a live migration, is checked against the tenant's quota.
 * ```ts
 * import { CloudInit, DiskSource, GuestAddress, Quantity, VirtualMachine } from 'ocpkit';
 * import type { BridgeNetwork, Tenant } from 'ocpkit';
 *
 * export function addMailRelay(tenant: Tenant, internal: BridgeNetwork): VirtualMachine {
 *   return new VirtualMachine(tenant, 'MailRelay', {
 *     name: 'mail-relay',
 *     cpu: 2,
 *     memory: Quantity.parse('4Gi'),
 *     rootDisk: {
 *       source: DiskSource.httpImage('https://images.example.org/rhel-9.4-x86_64-kvm.qcow2'),
 *       size: Quantity.parse('30Gi'),
 *     },
 *     networks: [{ network: internal, address: GuestAddress.fixed('10.40.0.25/22') }],
 *     cloudInit: CloudInit.build({ hostname: 'mail-relay', users: [{ name: 'ops', sudo: true }] }),
 *     ports: [{ name: 'smtp', port: 25 }],
 *   });
 * }
 * ```
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
  /** The KubeVirt VirtualMachine object. */
  public readonly resource: VirtualMachineL1;
  /** The tenant the VM lives in, if any. */
  public readonly tenant?: Tenant;
  /** vCPUs of the VM, when known. */
  public readonly vcpus?: number;
  /** @internal the VM as the cluster-wide network checks see it */
  public readonly onNetworks: VmOnNetworks;
  /** @internal */
  public readonly cluster: Cluster;

  private readonly props: VirtualMachineProps;
  private readonly disks: VmDisks;
  private readonly nets: VmNetworks;
  private readonly svc: VmService;
  private readonly configDisks: { readonly disk: ConfigDisk; readonly digest?: () => string }[] = [];
  private readonly memory?: Quantity;
  private readonly cpuRequest?: Quantity;

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
    if ((props as { readonly running?: unknown }).running !== undefined) p.add('running', 'spec.running is deprecated; use runStrategy (RunStrategy.ALWAYS, HALTED ...)');

    // Size: explicit CPU/memory or an instancetype, never both.
    let vcpus: number | undefined;
    let memory: Quantity | undefined;
    if (props.instancetype !== undefined) {
      const it: Partial<IInstancetype> | undefined = props.instancetype;
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
      else vcpus = checkCpu(p, props.cpu);
      if (props.memory === undefined) p.add('memory', 'is required (for example "4Gi") unless an instancetype is given');
      else {
        memory = toQuantity(p, 'memory', props.memory, true);
        const small = memory && guestMemoryProblem(memory.value, memory);
        if (small) p.add('memory', small);
      }
    }
    const pref: Partial<IPreference> | undefined = props.preference;
    if (pref !== undefined && typeof pref?.preferenceName !== 'string') {
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
    this.cluster = Cluster.of(this);
    this.disks = new VmDisks(name, ns);
    // Bridge MACs are salted with the cluster (its name and output folder), so staging and
    // production never share one even on a common segment (field review N5); the pod network's
    // MAC never leaves the launcher pod and keeps its old seed.
    const salt = `${this.cluster.clusterName}/${this.cluster.outputFolder}`;
    this.nets = new VmNetworks({ vmName: name, namespace: ns, clusterNetworks: () => Platform.of(this), macFor: (ifName) => stableMac(ifName === 'default' ? `${ns}/${name}/default` : `${salt}/${ns}/${name}/${ifName}`) });
    this.svc = new VmService(this, name, ns);
    this.onNetworks = { path: this.node.path, cluster: this.cluster, networks: this.nets };

    if (props.evictionStrategy !== undefined) p.check('evictionStrategy', props.evictionStrategy, oneOf(Object.values(EvictionStrategy)));

    // Disks: the root disk, then the data disks through addDataDisk's checks.
    if (props.rootDisk === undefined || !(props.rootDisk?.source instanceof DiskSource)) {
      p.add('rootDisk.source', `${show(props.rootDisk?.source)} is not a DiskSource; use DiskSource.pvcClone / httpImage / isoInstaller / registryImage / existingPvc`);
    } else {
      const planned = this.disks.plan(p, 'rootDisk', 'rootdisk', `${name}-root`, props.rootDisk);
      if (planned) this.disks.commit(planned);
    }
    listProp(p, 'dataDisks', props.dataDisks, '[{ name: "data", size: "50Gi" }]').forEach((d, i) => {
      const planned = this.planDataDisk(p, `dataDisks[${i}]`, d);
      if (planned) this.disks.commit(planned);
    });
    this.checkEviction(p, this.disks.all);

    // Cloud-init.
    let userData: string | undefined;
    if (props.cloudInit !== undefined) {
      if (!(props.cloudInit instanceof CloudInit)) p.add('cloudInit', `${show(props.cloudInit)} is not a CloudInit; use CloudInit.build({...}) or CloudInit.fromSecret(SecretKey.of(name, "userdata"))`);
      else {
        const before = p.size;
        props.cloudInit._check(p, 'cloudInit', this.cloudInitContext());
        if (p.size === before) {
          userData = props.cloudInit._userData(name, this.cloudInitContext());
          if (userData && Buffer.byteLength(userData) > MAX_INLINE_USER_DATA) {
            p.add('cloudInit', `the rendered user data is ${Buffer.byteLength(userData)} bytes; KubeVirt accepts at most ${MAX_INLINE_USER_DATA} bytes inline. Put it in a Secret and use CloudInit.fromSecret(SecretKey.of("${name}-cloudinit", "userdata"))`);
          }
        }
      }
    }

    // Networks: the pod network, then the bridge networks through addNetwork's checks.
    if (props.podNetworkAddress !== undefined && !(props.podNetworkAddress instanceof GuestAddress)) p.add('podNetworkAddress', `${show(props.podNetworkAddress)} is not a GuestAddress; use GuestAddress.dhcp({ defaultRoute })`);
    if (props.podNetworkAddress !== undefined && props.podNetwork === false) p.add('podNetworkAddress', 'the VM has podNetwork: false; drop podNetworkAddress');
    if (props.podNetwork ?? true) this.nets.addPodNetwork(props.podNetworkAddress);
    listProp(p, 'networks', props.networks, '[{ network: internalNetwork }]').forEach((n, i) => this.tryAddNetwork(p, `networks[${i}]`, n));

    // Service ports, through addPort's checks.
    listProp(p, 'ports', props.ports, '[{ name: "ssh", port: 22 }]').forEach((port, i) => this.tryAddPort(p, `ports[${i}]`, port));
    if (props.readiness !== undefined) {
      if (!(props.readiness instanceof VmReadiness)) p.add('readiness', `${show(props.readiness)} is not a VmReadiness; use VmReadiness.tcp(port), VmReadiness.exec([...]), VmReadiness.guestAgentPing() or VmReadiness.none()`);
      else props.readiness._check(p, 'readiness', this.nets.hasPodNetwork);
    }

    if (props.nodeSelector !== undefined && (typeof props.nodeSelector !== 'object' || props.nodeSelector === null)) p.add('nodeSelector', `${show(props.nodeSelector)} must be a map of node labels`);
    if (props.terminationGracePeriodSeconds !== undefined) p.check('terminationGracePeriodSeconds', props.terminationGracePeriodSeconds, limit('terminationGracePeriodSeconds'));
    for (const [k, v] of Object.entries(props.labels ?? {})) {
      if (k === VM_LABEL) p.add(`labels.${k}`, 'is set by ocpkit to the VM name');
      if (typeof v !== 'string') p.add(`labels.${k}`, `${show(v)} must be a string`);
    }
    p.throwIfAny();

    this.tenant = tenant;
    this.firmwareUuid = stableUuid(`${ns}/${name}`);

    const labels = { ...props.labels, [VM_LABEL]: name };
    this.resource = new VirtualMachineL1(this, 'Resource', {
      metadata: {
        name,
        namespace: ns,
        labels,
        annotations: props.annotations ? { ...props.annotations } : undefined,
      },
      spec: Lazy.any({ produce: () => this.renderSpec(labels, userData) }) as unknown as VirtualMachineSpec,
    });
    this.svc.ensureService();

    this.node.addValidation({ validate: () => [...networkCrossChecks(this.onNetworks, vmsOfCluster(this, this.cluster)), ...this.guestNetworkProblems()] });

    const state = VmClusterState.of(this.cluster);
    if (app && !state.ignoresAdded.has(app)) {
      state.ignoresAdded.add(app);
      app.addIgnoreDifference({ group: 'kubevirt.io', kind: 'VirtualMachine', jqPathExpressions: VM_IGNORED_FIELDS });
    }
  }

  /** True when every disk is ReadWriteMany, so the VM can live-migrate. */
  public get liveMigratable(): boolean {
    return this.disks.liveMigratable;
  }

  /**
   * Why the VM cannot live-migrate (empty when it can): one line per disk that is not
   * ReadWriteMany, with the way out.
   */
  public get migrationBlockers(): readonly string[] {
    return this.disks.migrationBlockers();
  }

  /** Eviction strategy written to the VM. */
  public get evictionStrategy(): EvictionStrategy {
    return this.props.evictionStrategy ?? (this.disks.liveMigratable ? EvictionStrategy.LIVE_MIGRATE : EvictionStrategy.NONE);
  }

  /** What the VM requests from its namespace. */
  public get requests(): VmRequests {
    const memory = this.memory;
    return {
      cpu: this.cpuRequest ?? Quantity.parse('0'),
      memory: memory ? Quantity.parse(String(memory.value + LAUNCHER_OVERHEAD.value)) : LAUNCHER_OVERHEAD,
      storage: this.disks.storage,
      volumes: this.disks.claimCount,
    };
  }

  /** The VM's interfaces, pod network first. */
  public get interfaces(): readonly VmInterface[] {
    return [...this.nets.all];
  }

  /** The VM's ports, in order. */
  public get ports(): readonly VmPort[] {
    return [...this.svc.all];
  }

  /** The Service publishing the VM's ports, if any. */
  public get service(): k8s.KubeService | undefined {
    return this.svc.service;
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
    const port = this.svc.all.find((x) => x.name === name);
    if (!port) {
      const p = new Problems(this.node.path);
      p.add('ports', `the VM publishes no port named "${name}" (it has ${this.svc.all.map((x) => `"${x.name}"`).join(', ') || 'none'}); add it to ports`);
      p.throwIfAny();
    }
    return port!.port;
  }

  /** Publishes another port through the VM's Service (created on first use). A refused port changes nothing. */
  public addPort(port: VmPort): void {
    const p = new Problems(this.node.path);
    this.tryAddPort(p, `ports[${this.svc.all.length}]`, port);
    p.throwIfAny();
    this.svc.ensureService();
  }

  /** Attaches one more bridge network (`nic-<n>`). A refused network changes nothing. */
  public addNetwork(options: NetworkAttachmentOptions): void {
    const p = new Problems(this.node.path);
    this.tryAddNetwork(p, `networks[${this.nets.bridgeCount}]`, options);
    p.throwIfAny();
  }

  /**
   * Attaches a Secret or ConfigMap to the guest as a labelled read-only disk ({@link ConfigDisk}).
   * The disk name and the label must be unused on this VM. A refused disk changes nothing.
   */
  public addConfigDisk(disk: ConfigDisk, options: ConfigDiskAttachOptions = {}): void {
    const p = new Problems(this.node.path);
    const field = `configDisks[${this.configDisks.length}]`;
    if (!(disk instanceof ConfigDisk)) {
      p.add(field, `${show(disk)} is not a ConfigDisk; use ConfigDisk.fromSecret(name, secretName, label) or ConfigDisk.fromConfigMap(name, configMapName, label)`);
    } else if (disk._check(p, field)) {
      const taken = this.configDiskList();
      const names = [...RESERVED_VOLUMES, ...this.disks.all.map((v) => v.name), ...taken.map((d) => d.name)];
      if (names.includes(disk.name)) p.add(`${field}.name`, `disk name "${disk.name}" is already used on this VM (${[...new Set(names)].join(', ')}); choose another`);
      const clash = taken.find((d) => d.volumeLabel === disk.volumeLabel);
      if (clash) p.add(`${field}.volumeLabel`, `"${disk.volumeLabel}" already labels disk "${clash.name}"; the guest could not tell them apart`);
    }
    if (options.contentDigest !== undefined && typeof options.contentDigest !== 'function') p.add(`${field}.contentDigest`, `${show(options.contentDigest)} must be a function returning the digest`);
    p.throwIfAny();
    this.configDisks.push({ disk, digest: options.contentDigest });
  }

  /** The config disks: the console login's, then those added with {@link addConfigDisk}. */
  public configDiskList(): readonly ConfigDisk[] {
    const ci = this.props.cloudInit;
    const consoleDisk = ci instanceof CloudInit ? ci._consoleDisk() : undefined;
    return [...(consoleDisk ? [consoleDisk] : []), ...this.configDisks.map((c) => c.disk)];
  }

  /** A disk of the VM by name (root, data or installer disk), or undefined. */
  public diskNamed(name: string): VmDiskInfo | undefined {
    const v = this.disks.all.find((x) => x.name === name);
    return v && { name: v.name, serial: v.serial, accessMode: v.accessMode };
  }

  /** The VM's cloud-init data, if any. */
  public get cloudInit(): CloudInit | undefined {
    return this.props.cloudInit instanceof CloudInit ? this.props.cloudInit : undefined;
  }

  /** The readiness probe the VM gets (given, or the default on the first TCP port), or undefined. */
  public get readiness(): VmReadiness | undefined {
    return this.svc.readiness(this.props.readiness);
  }

  /** Adds one more data disk (a DataVolume `<vm>-<name>`). A refused disk changes nothing. */
  public addDataDisk(disk: DataDiskOptions): void {
    const p = new Problems(this.node.path);
    const n = this.disks.all.filter((v) => !RESERVED_VOLUMES.includes(v.name)).length;
    const planned = this.planDataDisk(p, `dataDisks[${n}]`, disk);
    if (planned) this.checkEviction(p, planned);
    p.throwIfAny();
    if (planned) this.disks.commit(planned);
  }

  /** What the cloud-init data depends on: the guest OS the boot source names. */
  private cloudInitContext(): CloudInitContext {
    const src = this.props.rootDisk?.source;
    const o = src instanceof DiskSource ? src.options : {};
    const ref = [o.name, o.claimName, o.image, o.url].find((x): x is string => typeof x === 'string');
    return { guestOs: ref === undefined ? undefined : guestOsFromBootSource(ref) };
  }

  /**
   * The address plan, checked when the interfaces are final (networks may be added after the
   * constructor): with typed cloud-init every bridge interface needs an address, and addresses
   * need cloud-init to reach the guest.
   */
  private guestNetworkProblems(): string[] {
    const ci = this.props.cloudInit;
    const bridged = this.nets.bridgeCount > 0;
    const typed = ci instanceof CloudInit && ci.config !== undefined;
    if (!this.nets.hasAddressPlan && !(typed && bridged)) return [];
    if (!(ci instanceof CloudInit)) {
      return ['networks: the address plan reaches the guest as cloud-init NoCloud network data, and this VM has no cloudInit; give cloudInit (CloudInit.build({...})), or drop the addresses if the guest image configures its own network'];
    }
    const p = new Problems(this.node.path);
    GuestNetwork.check(p, 'networks', this.nets.guestInterfaces());
    if (p.size === 0) {
      try {
        GuestNetwork.render(this.nets.guestInterfaces(), this.node.path, 'networks');
      } catch (e) {
        if (!(e instanceof OcpkitError)) throw e;
        p.addAll(e.problems);
      }
    }
    return p.all.map((x) => `${x.field ? `${x.field}: ` : ''}${x.message}`);
  }

  /** NoCloud network data from the address plan, or undefined without one. */
  private networkData(): string | undefined {
    const ci = this.props.cloudInit;
    const typed = ci instanceof CloudInit && ci.config !== undefined;
    if (!this.nets.hasAddressPlan && !(typed && this.nets.bridgeCount > 0)) return undefined;
    return GuestNetwork.render(this.nets.guestInterfaces(), this.node.path, 'networks');
  }

  private planDataDisk(p: Problems, field: string, d: DataDiskOptions): VmVolume[] | undefined {
    if (!p.check(`${field}.name`, d?.name, dnsLabel)) return undefined;
    if (!p.check(`${field}.name`, d.name, dataDiskName)) return undefined;
    if (d.source !== undefined && !(d.source instanceof DiskSource)) {
      p.add(`${field}.source`, `${show(d.source)} is not a DiskSource`);
      return undefined;
    }
    if (d.serial !== undefined) {
      if (!p.check(`${field}.serial`, d.serial, (v) => (typeof v === 'string' && /^[A-Za-z0-9_.+-]{1,20}$/.test(v) ? undefined : `${show(v)} is not a disk serial (1 to 20 characters from letters, digits, '_', '.', '+', '-')`))) return undefined;
      const used = this.disks.all.find((v) => v.serial === d.serial);
      if (used) {
        p.add(`${field}.serial`, `"${d.serial}" is already the serial of disk "${used.name}"`);
        return undefined;
      }
    }
    const planned = this.disks.plan(p, field, d.name, `${this.vmName}-${d.name}`, { ...d, source: d.source ?? DiskSource.blank() });
    return planned && (d.serial === undefined ? planned : planned.map((v) => (v.name === d.name ? { ...v, serial: d.serial } : v)));
  }

  private tryAddNetwork(p: Problems, field: string, n: NetworkAttachmentOptions): void {
    const planned = this.nets.plan(p, field, n, this.nets.bridgeCount + 1);
    if (planned) this.nets.commit(planned);
  }

  private tryAddPort(p: Problems, field: string, port: VmPort): void {
    const planned = this.svc.plan(p, field, port, this.nets.hasPodNetwork);
    if (planned) this.svc.commit(planned);
  }

  /** An explicit LiveMigrate with disks that cannot follow the VM to another node. */
  private checkEviction(p: Problems, added: readonly VmVolume[]): void {
    if (this.props.evictionStrategy !== EvictionStrategy.LIVE_MIGRATE) return;
    const rwo = added.filter((v) => v.accessMode !== AccessMode.READ_WRITE_MANY).map((v) => v.name);
    if (rwo.length) p.add('evictionStrategy', `LiveMigrate needs ReadWriteMany disks, but ${rwo.join(', ')} ${rwo.length === 1 ? 'is' : 'are'} not: ${migrationBlockers(added).join('; ')}; or use EvictionStrategy.NONE (the VM shuts down on every node drain)`);
  }

  private renderSpec(labels: Record<string, string>, userData: string | undefined): VirtualMachineSpec {
    const props = this.props;
    const usePref = props.preference !== undefined;
    const rendered = this.disks.render(usePref);
    const disks: VirtualMachineSpecTemplateSpecDomainDevicesDisks[] = rendered.disks;
    const volumes: VirtualMachineSpecTemplateSpecVolumes[] = rendered.volumes;
    const ci = props.cloudInit;
    if (ci) {
      const networkData = this.networkData();
      disks.push({ name: 'cloudinitdisk', disk: usePref ? {} : { bus: 'virtio' } });
      volumes.push({
        name: 'cloudinitdisk',
        cloudInitNoCloud: ci.secret ? { secretRef: { name: ci.secret.secretName }, networkData } : { userData, networkData },
      });
    }
    for (const c of this.configDiskList()) {
      const r = c._render(usePref);
      disks.push(r.disk);
      volumes.push(r.volume);
    }
    const digests = Object.fromEntries(this.configDisks.filter((c) => c.digest).map((c) => [`config.ocpkit.io/${c.disk.name}`, c.digest!()]));
    const keys = ci?.config?.sshAuthorizedKeys;
    const net = this.nets.render(usePref);
    const it = props.instancetype;
    const explicit = !it;
    const cpu = typeof props.cpu === 'number' ? { cores: props.cpu, sockets: 1, threads: 1 } : props.cpu;
    const inTenant = this.tenant !== undefined;
    const memText = this.memory?.toString();
    return {
      runStrategy: props.runStrategy ?? RunStrategy.ALWAYS,
      instancetype: it ? { kind: 'VirtualMachineClusterInstancetype', name: it.instancetypeName } : undefined,
      preference: props.preference ? { kind: 'VirtualMachineClusterPreference', name: props.preference.preferenceName } : undefined,
      dataVolumeTemplates: rendered.dataVolumeTemplates,
      template: {
        metadata: { labels, annotations: Object.keys(digests).length ? digests : undefined },
        spec: {
          evictionStrategy: this.evictionStrategy,
          terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? 180,
          nodeSelector: props.nodeSelector && Object.keys(props.nodeSelector).length ? { ...props.nodeSelector } : undefined,
          readinessProbe: this.svc.readiness(props.readiness)?._render(),
          accessCredentials: keys ? [{
            sshPublicKey: {
              source: { secret: { secretName: keys.secretName } },
              propagationMethod: keys.propagation === SshKeyPropagation.NO_CLOUD
                ? { noCloud: {} }
                : { qemuGuestAgent: { users: (ci?.config?.users ?? []).map((u) => u.name) } },
            },
          }] : undefined,
          domain: {
            cpu: explicit && cpu ? { cores: cpu.cores, sockets: cpu.sockets ?? 1, threads: cpu.threads ?? 1 } : undefined,
            memory: explicit && memText ? { guest: VirtualMachineSpecTemplateSpecDomainMemoryGuest.fromString(memText) } : undefined,
            resources: explicit && memText && this.cpuRequest ? {
              requests: {
                cpu: VirtualMachineSpecTemplateSpecDomainResourcesRequests.fromString(this.cpuRequest.toString()),
                memory: VirtualMachineSpecTemplateSpecDomainResourcesRequests.fromString(memText),
              },
              limits: inTenant ? { memory: VirtualMachineSpecTemplateSpecDomainResourcesLimits.fromString(memText) } : undefined,
            } : undefined,
            firmware: { uuid: this.firmwareUuid, serial: this.firmwareUuid },
            devices: {
              disks,
              interfaces: net.interfaces,
              autoattachPodInterface: net.autoattachPodInterface,
            },
          },
          networks: net.networks,
          volumes,
        },
      },
    };
  }
}

function checkCpu(p: Problems, cpu: number | CpuTopology): number | undefined {
  if (typeof cpu === 'number') return p.check('cpu', cpu, limit('cpu')) ? cpu : undefined;
  if (typeof cpu !== 'object' || cpu === null) {
    p.add('cpu', `${show(cpu)} must be a number of cores or { cores, sockets, threads }`);
    return undefined;
  }
  const ok = [
    p.check('cpu.cores', cpu.cores, limit('cores')),
    cpu.sockets === undefined || p.check('cpu.sockets', cpu.sockets, limit('sockets')),
    cpu.threads === undefined || p.check('cpu.threads', cpu.threads, limit('threads')),
  ].every((x) => x);
  return ok ? cpu.cores * (cpu.sockets ?? 1) * (cpu.threads ?? 1) : undefined;
}
