import { Construct } from 'constructs';
import { formatBytes, Quantity } from '../core/quantity';
import type { Tenant } from '../tenancy/tenant';

/** What the quota check needs to know about one VM. */
export interface QuotaUser {
  readonly vmName: string;
  readonly requests: { readonly cpu: Quantity; readonly memory: Quantity; readonly storage: Quantity; readonly volumes: number };
}

const CHECK_ID = 'VmQuotaCheck';

function cores(n: number): string {
  return `${Number(n.toFixed(3))}`;
}

/**
 * Adds (once per tenant) a synth-time check that the tenant's VMs fit its ResourceQuota:
 * requests.cpu, requests.memory (and limits.memory), requests.storage, PVC and pod counts.
 * The error lists the numbers per VM.
 */
export function checkTenantVmQuota(tenant: Tenant, collect: () => readonly QuotaUser[]): void {
  if (tenant.node.tryFindChild(CHECK_ID)) return;
  const check = new Construct(tenant, CHECK_ID);
  check.node.addValidation({
    validate: () => {
      const vms = collect();
      if (vms.length === 0) return [];
      const l = tenant.quota.limits;
      const out: string[] = [];
      const sum = (f: (v: QuotaUser) => number) => vms.reduce((s, v) => s + f(v), 0);
      const list = (f: (v: QuotaUser) => string) => vms.map((v) => `${v.vmName} ${f(v)}`).join(', ');
      const cpu = sum((v) => v.requests.cpu.value);
      if (cpu > l.cpu.value + 1e-9) {
        out.push(`quota.cpu: the VMs of tenant "${tenant.tenantName}" request ${cores(cpu)} CPU but the quota allows ${l.cpu} (${cores(l.cpu.value)}): ${list((v) => cores(v.requests.cpu.value))}; raise quota.cpu or lower cpuRequest`);
      }
      const mem = sum((v) => v.requests.memory.value);
      if (mem > l.memory.value) {
        out.push(`quota.memory: the VMs of tenant "${tenant.tenantName}" need ${formatBytes(mem)} of memory (guest memory plus a 256Mi launcher allowance each) but the quota allows ${l.memory} (${formatBytes(l.memory.value)}): ${list((v) => formatBytes(v.requests.memory.value))}; raise quota.memory or shrink the VMs`);
      }
      const storage = sum((v) => v.requests.storage.value);
      if (storage > l.storage.value) {
        out.push(`quota.storage: the VMs of tenant "${tenant.tenantName}" request ${formatBytes(storage)} of disk but the quota allows ${l.storage} (${formatBytes(l.storage.value)}): ${list((v) => formatBytes(v.requests.storage.value))}; raise quota.storage or shrink the disks`);
      }
      const pvcs = sum((v) => v.requests.volumes);
      if (pvcs > l.persistentVolumeClaims) {
        out.push(`quota.persistentVolumeClaims: the VMs of tenant "${tenant.tenantName}" create ${pvcs} PersistentVolumeClaims but the quota allows ${l.persistentVolumeClaims}: ${list((v) => String(v.requests.volumes))}`);
      }
      if (vms.length > l.pods) {
        out.push(`quota.pods: tenant "${tenant.tenantName}" runs ${vms.length} VMs (one launcher pod each) but the quota allows ${l.pods} pods`);
      }
      return out;
    },
  });
}
