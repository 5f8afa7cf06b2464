import { Cluster, Tenant, TenantRestore } from '../../lib';
import { CommunityBackups } from './backup';
import { Environment } from './environment';

/** Tenants whose restore is drilled: a database-backed service with volumes. */
const DRILL_TENANTS: readonly string[] = ['discourse'];

/**
 * Restore drills of the community cluster, in `dist/<env>/_restore-drills/` (no Argo CD
 * Application syncs that folder): each drilled tenant is restored from its latest daily backup
 * into `<tenant>-drill`, a namespace of its own with the tenant's quota, no way in or out but DNS,
 * workloads scaled to zero, VMs halted, and no Routes, CronJobs or certificates. The steps (in
 * order, with the clean-up) are in `dist/<env>/_runbooks/restore-drills.md`. Run a drill once a
 * quarter in staging and after every OADP upgrade.
 */
export function addRestoreDrills(cluster: Cluster, env: Environment, backups: CommunityBackups): TenantRestore[] {
  void env;
  const out: TenantRestore[] = [];
  for (const name of DRILL_TENANTS) {
    const tenant = cluster.node.tryFindChild(name);
    if (tenant instanceof Tenant) out.push(new TenantRestore(backups.app, `RestoreDrill-${name}`, { tenant, schedule: backups.daily }));
  }
  return out;
}
