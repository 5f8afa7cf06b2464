/**
 * The limits of a VirtualMachine, in one table shared by the construct (lib/virt/virtual-machine.ts
 * and its facets) and the VM data file (lib/virt/vm-file.ts), so the two cannot drift.
 */
import { show } from '../core/errors';
import { intRange, oneOf, Rule } from '../core/rules';

/** Integer limits: [min, max] per field. */
export const VM_LIMITS = {
  /** vCPUs given as a plain number of cores. */
  cpu: [1, 512],
  /** Cores per socket in a topology. */
  cores: [1, 256],
  sockets: [1, 16],
  threads: [1, 8],
  /** Service port and guest port. */
  port: [1, 65535],
  terminationGracePeriodSeconds: [0, 3600],
  /** Readiness probe timings (seconds). */
  probeSeconds: [1, 3600],
} as const;

/** Smallest guest memory accepted (a guard against "16" meaning 16 bytes). */
export const MIN_GUEST_MEMORY_BYTES = 64 * 2 ** 20;

/** Why a guest memory size is too small, or undefined. */
export function guestMemoryProblem(bytes: number, written: unknown): string | undefined {
  return bytes < MIN_GUEST_MEMORY_BYTES ? `${show(String(written))} is below 64Mi; write the guest memory, for example "4Gi"` : undefined;
}

/** Volume names the VM uses for its own disks; data disks may not take them. */
export const RESERVED_VOLUMES: readonly string[] = ['rootdisk', 'installer', 'cloudinitdisk'];

/** Protocols of a VM port. */
export const PORT_PROTOCOLS = ['TCP', 'UDP'] as const;

/** The integer rule of one limit. */
export function limit(field: keyof typeof VM_LIMITS): Rule<unknown> {
  const [min, max] = VM_LIMITS[field];
  return intRange(min, max);
}

/** A Service port name: a DNS label of at most 15 characters (Kubernetes IANA_SVC_NAME). */
export const portName: Rule<unknown> = (v) =>
  typeof v === 'string' && /^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/.test(v)
    ? undefined
    : `${show(v)} is not a port name (a DNS label of at most 15 characters)`;

/** TCP or UDP. */
export const portProtocol: Rule<unknown> = oneOf([...PORT_PROTOCOLS]);

/** A StorageClass name (a DNS subdomain). */
export const storageClassName: Rule<unknown> = (v) =>
  typeof v === 'string' && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) ? undefined : `${show(v)} is not a StorageClass name`;

/** A data disk name that is not one of the VM's own volumes. */
export const dataDiskName: Rule<unknown> = (v) =>
  typeof v === 'string' && RESERVED_VOLUMES.includes(v)
    ? `"${v}" is reserved for the VM's own disks (${RESERVED_VOLUMES.join(', ')}); choose another name`
    : undefined;
