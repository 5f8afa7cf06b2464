/**
 * What a database custom resource costs its namespace's ResourceQuota, in the terms the tenant
 * capacity check (lib/capacity/capacity-check.ts) uses for built-in workloads: pods with their
 * containers (raw, before LimitRange defaults) and PVCs. The capacity check reads only built-in
 * kinds; this function is what it would call for PostgresCluster and PerconaXtraDBCluster
 * manifests (not wired yet: lib/capacity is not part of this folder).
 *
 * The PXC `pxc-init` init container takes `pxc.resources` unless `initContainer.resources` is set
 * (percona-xtradb-cluster-operator v1.14.0 pkg/controller/pxc/controller.go).
 * Container names and the resources each takes: see the fact lists in ./postgres.ts (PGO 5.8.7)
 * and ./mysql.ts (PXC operator 1.14.0). Not counted: PGO's backup Jobs and PXC's backup Jobs
 * (they run on schedule, like a CronJob: counted once with `backup` as part), pgBackRest WAL
 * archive traffic, the operator's own pods (they run in the operator's namespace).
 */
import type { RawContainer } from '../capacity/pod-resources';

/** Pods of one part of a database (an instance set, the proxies, a backup run). */
export interface DatabasePods {
  readonly part: string;
  readonly count: number;
  readonly containers: readonly RawContainer[];
}

/** One PVC per pod of a part; its exact name has a random suffix (PGO), so it is keyed by part. */
export interface DatabaseClaims {
  readonly part: string;
  readonly count: number;
  readonly storage: string;
  readonly storageClass?: string;
}

export interface DatabaseCost {
  readonly pods: readonly DatabasePods[];
  readonly claims: readonly DatabaseClaims[];
}

const c = (name: string, resources: unknown, init = false): RawContainer => ({ container: { name, resources }, init });

/** The cost of a PostgresCluster or PerconaXtraDBCluster manifest, or undefined for any other kind. */
export function databaseCost(m: any): DatabaseCost | undefined {
  const group = typeof m?.apiVersion === 'string' ? m.apiVersion.split('/')[0] : '';
  const spec = m?.spec ?? {};
  if (group === 'postgres-operator.crunchydata.com' && m.kind === 'PostgresCluster') {
    const pgbr = spec.backups?.pgbackrest;
    const pods: DatabasePods[] = [];
    const claims: DatabaseClaims[] = [];
    for (const set of Array.isArray(spec.instances) ? spec.instances : []) {
      const count = typeof set?.replicas === 'number' ? set.replicas : 1;
      const containers = [
        c('postgres-startup', set?.resources, true),
        c('database', set?.resources),
        c('replication-cert-copy', set?.sidecars?.replicaCertCopy?.resources),
        ...(pgbr ? [c('pgbackrest', pgbr.sidecars?.pgbackrest?.resources), c('pgbackrest-config', pgbr.sidecars?.pgbackrestConfig?.resources)] : []),
      ];
      pods.push({ part: `instance set ${set?.name ?? ''}`, count, containers });
      const claim = set?.dataVolumeClaimSpec;
      if (claim?.resources?.requests?.storage) claims.push({ part: `pgdata of ${set?.name ?? ''}`, count, storage: String(claim.resources.requests.storage), storageClass: claim.storageClassName });
    }
    if (pgbr) pods.push({ part: 'backup job', count: 1, containers: [c('pgbackrest', pgbr.jobs?.resources)] });
    return { pods, claims };
  }
  if (group === 'pxc.percona.com' && m.kind === 'PerconaXtraDBCluster') {
    const pods: DatabasePods[] = [];
    const claims: DatabaseClaims[] = [];
    const pxc = spec.pxc ?? {};
    const size = typeof pxc.size === 'number' ? pxc.size : 3;
    pods.push({ part: 'pxc', count: size, containers: [c('pxc-init', pxc.resources, true), c('pxc', pxc.resources)] });
    const pvc = pxc.volumeSpec?.persistentVolumeClaim;
    if (pvc?.resources?.requests?.storage) claims.push({ part: 'datadir', count: size, storage: String(pvc.resources.requests.storage), storageClass: pvc.storageClassName });
    if (spec.haproxy?.enabled) {
      pods.push({ part: 'haproxy', count: typeof spec.haproxy.size === 'number' ? spec.haproxy.size : 2, containers: [c('haproxy', spec.haproxy.resources), c('pxc-monit', spec.haproxy.sidecarResources)] });
    }
    const storages = spec.backup?.storages ?? {};
    const scheduled = Array.isArray(spec.backup?.schedule) ? spec.backup.schedule : [];
    for (const s of scheduled) {
      const st = storages[s?.storageName];
      if (st) pods.push({ part: `backup ${s.name}`, count: 1, containers: [c('xtrabackup', st.resources)] });
    }
    return { pods, claims };
  }
  return undefined;
}
