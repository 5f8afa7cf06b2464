import { Construct } from 'constructs';
import {
  VirtualMachineClusterInstancetype,
  VirtualMachineClusterInstancetypeSpecMemoryGuest,
} from '../../imports/kubevirt-clusterinstancetype-instancetype.kubevirt.io';
import { VirtualMachineClusterPreference } from '../../imports/kubevirt-clusterpreference-instancetype.kubevirt.io';
import { Problems, show } from '../core/errors';
import { Quantity, QuantityLike } from '../core/quantity';
import { dnsSubdomain, intRange, oneOf } from '../core/rules';
import { Tenant } from '../tenancy/tenant';
import { GitOpsApp } from '../gitops/gitops-app';
import { toQuantity } from './vm-disks';

/**
 * A VM size (vCPUs and memory) kept on the cluster: a VirtualMachineClusterInstancetype.
 * The sizes are known when the instancetype is defined in this stack, or given to `fromName`,
 * so tenant quota checks can count them.
 */
export interface IInstancetype {
  readonly instancetypeName: string;
  /** vCPUs the instancetype gives, when known. */
  readonly guestCpus?: number;
  /** Guest memory, when known. */
  readonly memory?: Quantity;
}

/** A VirtualMachineClusterPreference: defaults for devices, firmware and the like. */
export interface IPreference {
  readonly preferenceName: string;
}

/** Sizes of an instancetype created elsewhere, for quota checks. */
export interface InstancetypeSize {
  readonly guestCpus: number;
  /** Guest memory (`8Gi`, a Quantity or a cdk8s `Size`). */
  readonly memory: string | QuantityLike;
}

/** Properties of a {@link ClusterInstancetype}. */
export interface ClusterInstancetypeProps {
  /** Object name (`infra.medium`): a DNS-1123 subdomain. */
  readonly name: string;
  /** vCPUs. */
  readonly guestCpus: number;
  /** Guest memory (`8Gi`, a Quantity or a cdk8s `Size`). */
  readonly memory: string | QuantityLike;
  /**
   * Node labels VMs of this size must run on.
   * @default none
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
}

function checkSize(p: Problems, cpus: unknown, memory: unknown): Quantity | undefined {
  p.check('guestCpus', cpus, intRange(1, 512));
  const q = toQuantity(p, 'memory', memory, true);
  if (!q) return undefined;
  if (q.value < 2 ** 20 * 64) p.add('memory', `${show(String(q))} is below 64Mi; a VM needs more memory than that (write "2Gi", "8Gi" ...)`);
  return q;
}

function platformOnly(p: Problems, c: Construct, what: string): void {
  if (Tenant.enclosing(c)) p.add('', `a ${what} is cluster scoped and cannot be defined inside a Tenant; define it in a platform GitOpsApp`);
  else if (!GitOpsApp.enclosing(c)) p.add('', `a ${what} must be defined inside a GitOpsApp`);
}

/**
 * A cluster-wide VM size: a VirtualMachineClusterInstancetype. VMs refer to it instead of
 * giving CPU and memory themselves.
 *
 * Emits: into the folder of the app it is in, a cluster-scoped `instancetype.kubevirt.io/v1beta1`
 * VirtualMachineClusterInstancetype `name` (guest CPUs and memory).
 * @see https://kubevirt.io/user-guide/user_workloads/instancetypes/
 */
export class ClusterInstancetype extends Construct implements IInstancetype {
  /**
   * An instancetype that exists on the cluster (OpenShift ships the `u1.*`, `o1.*`, `cx1.*` ... families).
   * Give its size when VMs using it live in a Tenant, so the quota can be checked.
   */
  public static fromName(name: string, size?: InstancetypeSize): IInstancetype {
    const p = new Problems(`ClusterInstancetype.fromName(${show(name)})`);
    p.check('name', name, dnsSubdomain);
    const memory = size ? checkSize(p, size.guestCpus, size.memory) : undefined;
    p.throwIfAny();
    return { instancetypeName: name, guestCpus: size?.guestCpus, memory };
  }

  public readonly instancetypeName: string;
  public readonly guestCpus: number;
  public readonly memory: Quantity;
  public readonly resource: VirtualMachineClusterInstancetype;

  constructor(scope: Construct, id: string, props: ClusterInstancetypeProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    p.check('name', props.name, dnsSubdomain);
    const memory = checkSize(p, props.guestCpus, props.memory);
    platformOnly(p, this, 'ClusterInstancetype');
    p.throwIfAny();
    this.instancetypeName = props.name;
    this.guestCpus = props.guestCpus;
    this.memory = memory!;
    this.resource = new VirtualMachineClusterInstancetype(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        cpu: { guest: props.guestCpus },
        memory: { guest: VirtualMachineClusterInstancetypeSpecMemoryGuest.fromString(this.memory.toString()) },
        nodeSelector: props.nodeSelector ? { ...props.nodeSelector } : undefined,
      },
    });
  }
}

/** Firmware a preference asks for. */
export enum Firmware {
  BIOS = 'bios',
  EFI = 'efi',
  /** UEFI with Secure Boot (needs SMM, which the preference enables). */
  EFI_SECURE_BOOT = 'efi-secure-boot',
}

/** Properties of a {@link ClusterPreference}. */
export interface ClusterPreferenceProps {
  /** Object name (`infra.linux`). */
  readonly name: string;
  /**
   * Disk bus of the VM's disks.
   * @default 'virtio'
   */
  readonly diskBus?: 'virtio' | 'sata' | 'scsi';
  /**
   * Interface model of the VM's NICs.
   * @default 'virtio'
   */
  readonly interfaceModel?: 'virtio' | 'e1000e';
  /**
   * Firmware.
   * @default Firmware.BIOS
   */
  readonly firmware?: Firmware;
  /**
   * Spread vCPUs over sockets (`preferSockets`) or cores (`preferCores`).
   * @default 'preferSockets' (KubeVirt's default)
   */
  readonly cpuTopology?: 'preferSockets' | 'preferCores' | 'preferThreads';
}

/**
 * Defaults for a family of guests (disk bus, NIC model, firmware, CPU topology): a
 * VirtualMachineClusterPreference.
 *
 * Emits: into the folder of the app it is in, a cluster-scoped `instancetype.kubevirt.io/v1beta1`
 * VirtualMachineClusterPreference `name`.
 */
export class ClusterPreference extends Construct implements IPreference {
  /** A preference that exists on the cluster (`rhel.9`, `fedora`, `windows.2k22` ...). */
  public static fromName(name: string): IPreference {
    const p = new Problems(`ClusterPreference.fromName(${show(name)})`);
    p.check('name', name, dnsSubdomain);
    p.throwIfAny();
    return { preferenceName: name };
  }

  public readonly preferenceName: string;
  public readonly resource: VirtualMachineClusterPreference;

  constructor(scope: Construct, id: string, props: ClusterPreferenceProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    p.check('name', props.name, dnsSubdomain);
    if (props.diskBus !== undefined) p.check('diskBus', props.diskBus, oneOf(['virtio', 'sata', 'scsi']));
    if (props.interfaceModel !== undefined) p.check('interfaceModel', props.interfaceModel, oneOf(['virtio', 'e1000e']));
    if (props.firmware !== undefined) p.check('firmware', props.firmware, oneOf(Object.values(Firmware)));
    if (props.cpuTopology !== undefined) p.check('cpuTopology', props.cpuTopology, oneOf(['preferSockets', 'preferCores', 'preferThreads']));
    platformOnly(p, this, 'ClusterPreference');
    p.throwIfAny();
    this.preferenceName = props.name;
    const fw = props.firmware ?? Firmware.BIOS;
    this.resource = new VirtualMachineClusterPreference(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        cpu: { preferredCpuTopology: props.cpuTopology ?? 'preferSockets' },
        devices: { preferredDiskBus: props.diskBus ?? 'virtio', preferredInterfaceModel: props.interfaceModel ?? 'virtio' },
        firmware: fw === Firmware.BIOS ? { preferredUseBios: true }
          : fw === Firmware.EFI ? { preferredUseEfi: true, preferredUseSecureBoot: false }
            : { preferredUseEfi: true, preferredUseSecureBoot: true },
        features: fw === Firmware.EFI_SECURE_BOOT ? { preferredSmm: {} } : undefined,
      },
    });
  }
}

