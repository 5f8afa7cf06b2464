import { DataFile } from '../data/data-file';
import { dnsLabel, duplicates, intRange, nonEmpty, oneOf } from '../core/rules';
import { groupName } from './group-access';
import { PodSecurityLevel } from './pod-security';
import { TenantProps } from './tenant';


/**
 * Reads tenants from a YAML file:
 *
 * ```yaml
 * tenants:
 *   - name: forum
 *     displayName: Community forum
 *     groups: { admin: [forum-admins], edit: [], view: [] }
 *     quota: { cpu: "4", memory: 8Gi, storage: 50Gi }
 * ```
 *
 * Optional per tenant: `description`, `requester`, `podSecurity`, `quota.pods`,
 * `quota.persistentVolumeClaims`, `network.{allowSameNamespace,allowIngressRouters,allowMonitoring}`,
 * `labels` (extra namespace labels).
 * Every problem of every entry is reported together (one line each, naming the entry and field);
 * nothing is returned unless the whole file is valid.
 */
export function loadTenantFile(file: string): TenantProps[] {
  return readTenants(DataFile.load(file));
}

/** Same as {@link loadTenantFile}, from an already parsed DataFile. */
export function readTenants(data: DataFile): TenantProps[] {
  const out: TenantProps[] = [];
  const entries = data.list('tenants');
  for (const e of entries) {
    e.allowOnly(['name', 'displayName', 'description', 'requester', 'groups', 'quota', 'podSecurity', 'network', 'labels']);
    const name = e.string('name', { rule: dnsLabel });
    const displayName = e.string('displayName', { rule: nonEmpty });
    const description = e.string('description', { optional: true });
    const requester = e.string('requester', { optional: true });
    const podSecurity = e.string('podSecurity', { optional: true, rule: oneOf(Object.values(PodSecurityLevel)) }) as PodSecurityLevel | undefined;
    const g = e.object('groups');
    let groups: TenantProps['groups'] | undefined;
    if (g) {
      g.allowOnly(['admin', 'edit', 'view']);
      groups = {
        admin: g.stringList('admin', { rule: groupName }),
        edit: g.stringList('edit', { optional: true, rule: groupName }),
        view: g.stringList('view', { optional: true, rule: groupName }),
      };
      if (groups.admin && groups.admin.length === 0) g.report('admin', 'needs at least one group, so someone can manage the tenant');
    }
    const q = e.object('quota');
    let quota: TenantProps['quota'] | undefined;
    if (q) {
      q.allowOnly(['cpu', 'memory', 'storage', 'pods', 'persistentVolumeClaims']);
      const cpu = q.quantity('cpu');
      const memory = q.quantity('memory');
      const storage = q.quantity('storage');
      const pods = q.number('pods', { optional: true, rule: intRange(1, 10000) });
      const pvcs = q.number('persistentVolumeClaims', { optional: true, rule: intRange(0, 10000) });
      if (cpu && memory && storage) quota = { cpu, memory, storage, pods, persistentVolumeClaims: pvcs };
    }
    const n = e.object('network', { optional: true });
    const network = n
      ? (n.allowOnly(['allowSameNamespace', 'allowIngressRouters', 'allowMonitoring']), {
        allowSameNamespace: n.boolean('allowSameNamespace', { optional: true }),
        allowIngressRouters: n.boolean('allowIngressRouters', { optional: true }),
        allowMonitoring: n.boolean('allowMonitoring', { optional: true }),
      })
      : undefined;
    const labels = e.stringMap('labels', { optional: true });
    if (name && displayName && groups && quota) {
      out.push({ name, displayName, description, requester, groups, quota, podSecurity, network, labels });
    }
  }
  const names = out.map((t) => t.name);
  for (const d of duplicates(names)) {
    const idx = entries.filter((e) => e.where.endsWith(`(${d})`));
    data.report(idx[1], 'name', `tenant "${d}" is defined more than once (first at ${idx[0]?.where})`);
  }
  data.throwIfAny();
  return out;
}
