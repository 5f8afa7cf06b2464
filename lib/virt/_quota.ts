/**
 * What a KubeVirt VM costs its namespace's ResourceQuota: the virt-launcher pod it runs and the
 * PersistentVolumeClaims its DataVolume templates create. Read from the synthesized
 * VirtualMachine manifest (so raw ApiObjects are covered too); the tenant capacity check
 * (lib/capacity) sums it with every other workload of the namespace, including the headroom a live
 * migration needs.
 *
 * Modelled on KubeVirt v1.0.0, the version OpenShift Virtualization 4.14 ships (HCO release-1.10
 * pins KUBEVIRT_VERSION v1.0.1, see ../shared/crds/profiles/ocp-4.14/README.md):
 * - kubevirt/kubevirt@v1.0.0:pkg/virt-controller/services/template.go: the launcher pod's
 *   `compute` container gets the resources of `renderresources.go`; `RenderMigrationManifest`
 *   renders the migration TARGET pod with the same `renderLaunchManifest`, so during a live
 *   migration a second pod with the same requests and limits exists in the namespace.
 * - kubevirt/kubevirt@v1.0.0:pkg/virt-controller/services/renderresources.go:
 *   `WithMemoryRequests` (no memory request: the limit, else the guest memory),
 *   `WithMemoryOverhead` (the overhead is added to the request, unless overcommitGuestOverhead,
 *   and to the limit when one is set), `WithoutDedicatedCPU` (no cpu request: vCPUs divided by the
 *   cpuAllocationRatio, default 10), `WithCPUPinning` (dedicated CPUs: limits.cpu = vCPUs, memory limit = request),
 *   and `GetMemoryOverhead`: guest memory/512 for page tables, fixed 25Mi virt-launcher-monitor
 *   + 100Mi virt-launcher + 20Mi virtlogd + 35Mi virtqemud + 30Mi qemu (template.go constants),
 *   8Mi per vCPU, 8Mi for the IOThread, 16Mi video RAM unless autoattachGraphicsDevice is false,
 *   53Mi for a TPM, and (`addProbeOverheads`) 100Mi plus 10Mi per exec readiness/liveness probe.
 * Not modelled (small or absent in ocpkit's VMs): containerDisk and hotplug containers, hook
 * sidecars, VFIO/SEV/passt extras, the cluster's additionalGuestMemoryOverheadRatio, hugepages.
 */
import { Quantity, quantityProblem } from '../core/quantity';

const MI = 2 ** 20;
/** Fixed per-VM memory overhead of KubeVirt v1.0 (template.go: 25+100+20+35+30 Mi). */
export const LAUNCHER_FIXED_OVERHEAD_BYTES = (25 + 100 + 20 + 35 + 30) * MI;
/** KubeVirt's default cpuAllocationRatio (cpu request = vCPUs / 10 when none is given). */
export const CPU_ALLOCATION_RATIO = 10;

/** The virt-launcher pod of one running VM, as the ResourceQuota sees it. */
export interface LauncherPod {
  /** requests of the compute container (cpu in cores, memory in bytes, other resources as given). */
  readonly requests: Record<string, number>;
  /** limits of the compute container (only what KubeVirt sets; LimitRange defaults come later). */
  readonly limits: Record<string, number>;
  /** The memory overhead included in requests.memory (bytes). */
  readonly overhead: number;
  readonly vcpus: number;
}

/** One PVC a VM's DataVolume template creates. */
export interface VmClaim {
  readonly name: string;
  readonly storage: number;
  readonly storageClass?: string;
}

/** What one VirtualMachine manifest costs its namespace. */
export interface VmCost {
  readonly name: string;
  /** The launcher pod, or undefined when the VM does not run (Halted, running: false) or its size is unknown (instancetype). */
  readonly launcher?: LauncherPod;
  /** True when KubeVirt may live-migrate it (evictionStrategy LiveMigrate or LiveMigrateIfPossible, or unset). */
  readonly migratable: boolean;
  /** The PVCs of its dataVolumeTemplates. */
  readonly claims: readonly VmClaim[];
  /** Why the launcher pod is unknown (instancetype), for messages. */
  readonly unknownSize?: string;
}

function amount(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (quantityProblem(v) !== undefined) return undefined;
  return Quantity.parse(v as string).value;
}

function resources(list: any): Record<string, number> {
  const out: Record<string, number> = {};
  if (list && typeof list === 'object') {
    for (const [k, v] of Object.entries(list)) {
      const n = amount(v);
      if (n !== undefined) out[k] = n;
    }
  }
  return out;
}

/** The storage request of a DataVolume spec (`storage` or `pvc` API) and its StorageClass. */
export function dataVolumeClaim(name: string, spec: any): VmClaim {
  const s = spec?.storage ?? spec?.pvc;
  return { name, storage: amount(s?.resources?.requests?.storage) ?? 0, storageClass: typeof s?.storageClassName === 'string' ? s.storageClassName : undefined };
}

/**
 * What a VirtualMachine manifest costs: its launcher pod (KubeVirt v1.0 rules above), whether it
 * can live-migrate, and the PVCs of its DataVolume templates.
 *
 * Migratable: the VM's own `spec.template.spec.evictionStrategy`, else the cluster default, which
 * OpenShift Virtualization 4.14 sets to LiveMigrate on clusters with several workers (HyperConverged
 * `spec.evictionStrategy` description, ../shared/crds/profiles/ocp-4.14/hco/hco.kubevirt.io_hyperconvergeds.yaml).
 */
export function vmCost(vm: any): VmCost {
  const name = String(vm?.metadata?.name ?? '');
  const spec = vm?.spec ?? {};
  const claims = (Array.isArray(spec.dataVolumeTemplates) ? spec.dataVolumeTemplates : [])
    .map((t: any) => dataVolumeClaim(String(t?.metadata?.name ?? ''), t?.spec));
  const vmi = spec.template?.spec ?? {};
  const eviction = vmi.evictionStrategy;
  const migratable = eviction === undefined || eviction === 'LiveMigrate' || eviction === 'LiveMigrateIfPossible';
  const halted = spec.runStrategy === 'Halted' || (spec.runStrategy === undefined && spec.running === false);
  if (halted) return { name, migratable, claims };
  if (spec.instancetype) return { name, migratable, claims, unknownSize: `its size comes from instancetype "${spec.instancetype.name}", which is not in the stack` };
  return { name, migratable, claims, launcher: launcherPod(vmi) };
}

/** The compute container of the virt-launcher pod of a VMI spec (KubeVirt v1.0, see above). */
export function launcherPod(vmi: any): LauncherPod {
  const domain = vmi?.domain ?? {};
  const cpu = domain.cpu ?? {};
  const topo = (v: unknown) => (typeof v === 'number' && v > 0 ? v : 1);
  const vcpus = domain.cpu ? topo(cpu.cores) * topo(cpu.sockets) * topo(cpu.threads) : 1;
  const requests = resources(domain.resources?.requests);
  const limits = resources(domain.resources?.limits);
  // WithMemoryRequests: a limit without a request becomes the request; else the guest memory.
  if (requests.memory === undefined) {
    const guest = amount(domain.memory?.guest);
    if (limits.memory !== undefined) requests.memory = limits.memory;
    else if (guest !== undefined) requests.memory = guest;
  }
  let overhead = (requests.memory ?? 0) / 512 + LAUNCHER_FIXED_OVERHEAD_BYTES + 8 * MI * vcpus + 8 * MI;
  if (domain.devices?.autoattachGraphicsDevice !== false) overhead += 16 * MI;
  if (domain.devices?.tpm) overhead += 53 * MI;
  // addProbeOverheads (template.go, v1.0.1): an exec readiness or liveness probe runs virt-probe
  // in the compute container: 100Mi once, plus 10Mi per exec probe (guestAgentPing adds nothing).
  const execProbes = [vmi?.readinessProbe, vmi?.livenessProbe].filter((x) => x && typeof x === 'object' && x.exec).length;
  if (execProbes) overhead += 100 * MI + 10 * MI * execProbes;
  overhead = Math.ceil(overhead);
  if (!domain.resources?.overcommitGuestOverhead) requests.memory = (requests.memory ?? 0) + overhead;
  if (limits.memory !== undefined) limits.memory += overhead;
  if (cpu.dedicatedCpuPlacement) {
    // WithCPUPinning: limits.cpu = vCPUs (+1 for an isolated emulator thread); the API server
    // defaults the missing request to the limit.
    const pinned = vcpus + (cpu.isolateEmulatorThread ? 1 : 0);
    requests.cpu = pinned;
    limits.cpu = pinned;
    if (requests.memory !== undefined) limits.memory = requests.memory;
  } else if (requests.cpu === undefined) {
    requests.cpu = vcpus / CPU_ALLOCATION_RATIO;
  }
  return { requests, limits, overhead, vcpus };
}
