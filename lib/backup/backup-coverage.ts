import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Cluster } from '../gitops/cluster';
import { Tenant } from '../tenancy/tenant';
import { StatefulObject, STATEFUL, VELERO_EXCLUDE_LABEL, groupKind, statefulObject, templateCovers } from './_stateful';
import { BackupExemption } from './backup-exemption';
import { TreeIndex } from '../synth/pipeline';

const ID = 'BackupCoverage';

/**
 * The synth-time check that no state is forgotten: in a cluster that uses Velero (it has a
 * BackupStorage, a DataProtection or a BackupSchedule), every namespace holding state —
 * PersistentVolumeClaims, DataVolumes, VirtualMachines (and their dataVolumeTemplates),
 * StatefulSets with volumeClaimTemplates — must be backed up by at least one Velero Schedule
 * (namespace, resource and label filters, volume data not switched off), or be exempted with a
 * written reason ({@link BackupExemption}). Otherwise the synth fails and names every tenant
 * (or namespace) left out, with the objects at risk.
 *
 * Objects and schedules are read from the rendered manifests, by kind: the check sees the VMs of
 * lib/virt, the GitLab volumes and hand-written Schedules without importing any of them.
 * Created once per cluster by the backup constructs; nothing to instantiate by hand. It renders
 * no object, so it has no primary object (`ApiObject.of` throws).
 *
 * Emits: nothing. At synth time it fails the synth, naming each namespace with state that no
 * schedule covers and no exemption excuses.
 */
export class BackupCoverage extends Construct {
  /** The coverage check of the cluster a construct belongs to (created on first use). */
  public static of(c: IConstruct): BackupCoverage {
    const cluster = Cluster.of(c);
    return (cluster.node.tryFindChild(ID) as BackupCoverage | undefined) ?? new BackupCoverage(cluster);
  }

  private constructor(cluster: Cluster) {
    super(cluster, ID);
    this.node.addValidation({ validate: () => this.check() });
  }

  /** Every stateful object of the cluster, rendered (once per walk of the tree: schedules ask too). @internal */
  public statefulObjects(): StatefulObject[] {
    const walk = TreeIndex.all(this);
    const cached = STATEFUL_CACHE.get(walk);
    if (cached) return cached;
    const out: StatefulObject[] = [];
    for (const c of walk) {
      if (!(c instanceof ApiObject) || !STATEFUL[groupKind(c.apiVersion, c.kind)]) continue;
      const manifest = tryRender(c);
      const obj = manifest && statefulObject(manifest, c.node.path);
      if (obj && obj.namespace) out.push(obj);
    }
    STATEFUL_CACHE.set(walk, out);
    return out;
  }

  /** `spec.template` of every Velero Schedule of the cluster, by schedule name. */
  public scheduleTemplates(): Map<string, any> {
    const out = new Map<string, any>();
    for (const c of TreeIndex.all(this)) {
      if (!(c instanceof ApiObject) || c.kind !== 'Schedule' || !c.apiVersion.startsWith('velero.io/')) continue;
      const manifest = tryRender(c);
      if (manifest) out.set(`${manifest.metadata?.namespace}/${manifest.metadata?.name}`, manifest.spec?.template ?? {});
    }
    return out;
  }

  private check(): string[] {
    const cluster = Cluster.of(this);
    const tenants = new Map<string, Tenant>();
    for (const c of TreeIndex.all(cluster)) if (c instanceof Tenant) tenants.set(c.tenantName, c);
    const exempt = BackupExemption.all(this);
    const schedules = this.scheduleTemplates();
    const byNamespace = new Map<string, StatefulObject[]>();
    const problems: string[] = [];
    for (const o of this.statefulObjects()) {
      if (o.excluded) {
        // excluded one by one (BackupExemption.excludeVolume): deliberate only with a reason
        if (!o.exclusionReason || o.exclusionReason.trim().length < 10) {
          problems.push(`${o.description} in "${o.namespace}" (${o.path}) carries ${VELERO_EXCLUDE_LABEL}=true without a written reason, so its data is silently left out of every backup; exclude it with BackupExemption.excludeVolume(claim, reason), or drop the label`);
        }
        continue;
      }
      if (exempt.has(o.namespace)) continue;
      if ([...schedules.values()].some((t) => templateCovers(t, o))) continue;
      byNamespace.set(o.namespace, [...(byNamespace.get(o.namespace) ?? []), o]);
    }
    const scheduleNote = schedules.size ? `(schedules: ${[...schedules.keys()].sort().join(', ')})` : '(the cluster has no Velero Schedule)';
    for (const ns of [...byNamespace.keys()].sort()) {
      const objs = byNamespace.get(ns)!;
      const listed = objs.slice(0, 5).map((o) => o.description).join(', ') + (objs.length > 5 ? ` and ${objs.length - 5} more` : '');
      const tenant = tenants.get(ns);
      problems.push(tenant
        ? `tenant "${ns}" (${tenant.node.path}) holds state that no Velero schedule backs up ${scheduleNote}: ${listed}; add the tenant to a BackupSchedule (BackupSchedule.everyTenant covers every tenant) or exempt it with BackupExemption.exempt(tenant, reason)`
        : `namespace "${ns}" holds state that no Velero schedule backs up ${scheduleNote}: ${listed}; add it to a BackupSchedule's namespaces or exempt it with BackupExemption.exemptNamespace(scope, "${ns}", reason)`);
    }
    return problems;
  }
}

const STATEFUL_CACHE = new WeakMap<readonly unknown[], StatefulObject[]>();

/** Renders an object for inspection; a render failure is reported by the synthesizer itself. */
function tryRender(obj: ApiObject): any | undefined {
  try {
    return TreeIndex.rendered(obj);
  } catch {
    return undefined;
  }
}
