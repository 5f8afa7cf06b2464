import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Problems, show } from '../core/errors';
import { dnsLabel } from '../core/rules';
import { Tenant } from '../tenancy/tenant';
import { TreeIndex } from '../synth/pipeline';
import { perWalk } from './_per-walk';
import { EXEMPT_REASON_ANNOTATION, VELERO_EXCLUDE_LABEL } from './_stateful';

/** Annotation on an exempt tenant's Namespace (or an excluded volume) carrying the written reason. */
export const BACKUP_EXEMPT_ANNOTATION = EXEMPT_REASON_ANNOTATION;
export { VELERO_EXCLUDE_LABEL } from './_stateful';

function reasonProblem(reason: unknown): string | undefined {
  return typeof reason === 'string' && reason.trim().length >= 10 ? undefined : `${show(reason)} is not a reason; say in a few words why this state needs no backup`;
}

/** Properties of {@link BackupExemption}. Exactly one of `tenant` and `namespace`. */
export interface BackupExemptionProps {
  /** The tenant that is not backed up by Velero. @default use `namespace` */
  readonly tenant?: Tenant;
  /** A non-tenant namespace of the stack that is not backed up by Velero. @default use `tenant` */
  readonly namespace?: string;
  /**
   * Why the state in this namespace needs no Velero backup (a cache that rebuilds itself, data
   * replicated elsewhere, ...). Reviewers read it; it lands on the tenant's Namespace as the
   * `ocpkit.io/backup-exempt-reason` annotation.
   */
  readonly reason: string;
}

/**
 * The explicit `backup: false` of a tenant (or another namespace): the coverage check no longer
 * asks for a schedule covering it, and {@link BackupSchedule.everyTenant} leaves it out. Without
 * an exemption, a tenant holding state (PVCs, DataVolumes, VMs) that no schedule covers fails
 * the synth. It renders no object of its own (the reason lands on the tenant's Namespace), so it
 * has no primary object: override the tenant (`Overrides.of(tenant)`) instead.
 *
 * Emits: nothing of its own. For a tenant, it writes the reason as the annotation
 * `ocpkit.io/backup-exempt-reason` on the tenant's Namespace; the coverage check and
 * `BackupSchedule.everyTenant` then leave the namespace out.
 */
export class BackupExemption extends Construct {
  /** Exempts a tenant; the construct is created inside the tenant. */
  public static exempt(tenant: Tenant, reason: string): BackupExemption {
    return new BackupExemption(tenant, 'BackupExemption', { tenant, reason });
  }

  /** Exempts a non-tenant namespace of the stack. */
  public static exemptNamespace(scope: Construct, namespace: string, reason: string): BackupExemption {
    return new BackupExemption(scope, `BackupExemption-${namespace}`, { namespace, reason });
  }

  /**
   * Keeps one large, re-creatable volume out of every Velero backup while the rest of its
   * namespace is backed up: the PVC gets `velero.io/exclude-from-backup: "true"` (Velero skips the
   * claim and takes no snapshot or data copy of it; see `VELERO_EXCLUDE_LABEL`) and the
   * reason as the `ocpkit.io/backup-exempt-reason` annotation. The coverage check counts the claim
   * as deliberately not backed up, and refuses a claim carrying the label without a reason. After a
   * restore the claim is absent: Argo CD re-creates it empty from Git, and whatever refills it
   * (a mirror sync, a cache) must run. Works for the CSI snapshot and data mover paths; file-system
   * backups ignore the label.
   */
  public static excludeVolume(claim: ApiObject, reason: string): void {
    const p = new Problems(claim?.node?.path ?? 'excludeVolume');
    if (!(claim instanceof ApiObject) || claim.kind !== 'PersistentVolumeClaim' || claim.apiVersion !== 'v1') {
      p.add('claim', `${claim instanceof ApiObject ? `${claim.apiVersion} ${claim.kind}` : show(claim)} is not a PersistentVolumeClaim; Velero's exclusion label acts per object, and only a claim's own label keeps its volume data out`);
    }
    p.check('reason', reason, reasonProblem);
    p.throwIfAny();
    claim.metadata.addLabel(VELERO_EXCLUDE_LABEL, 'true');
    claim.metadata.addAnnotation(EXEMPT_REASON_ANNOTATION, reason.trim());
  }

  /** Every exemption of a cluster, by namespace. */
  public static all(c: IConstruct): Map<string, BackupExemption> {
    return new Map(perWalk(c, 'backup-exemptions', (all) => {
      const out = new Map<string, BackupExemption>();
      for (const x of all) {
        if (x instanceof BackupExemption && !out.has(x.namespace)) out.set(x.namespace, x);
      }
      return out;
    }));
  }

  public readonly namespace: string;
  public readonly reason: string;
  public readonly tenant?: Tenant;

  constructor(scope: Construct, id: string, props: BackupExemptionProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    const hasTenant = props.tenant !== undefined;
    const hasNs = props.namespace !== undefined;
    if (hasTenant === hasNs) p.add('tenant', 'give exactly one of tenant and namespace');
    if (hasTenant && !(props.tenant instanceof Tenant)) p.add('tenant', `${show(props.tenant)} is not a Tenant`);
    if (hasNs) p.check('namespace', props.namespace, dnsLabel);
    p.check('reason', props.reason, reasonProblem);
    p.throwIfAny();
    this.tenant = props.tenant;
    this.namespace = props.tenant ? props.tenant.tenantName : props.namespace!;
    this.reason = props.reason.trim();
    props.tenant?.namespaceObject.metadata.addAnnotation(BACKUP_EXEMPT_ANNOTATION, this.reason);

    this.node.addValidation({
      validate: () => {
        const others = TreeIndex.all(this).filter((c) => c !== this && c instanceof BackupExemption && c.namespace === this.namespace);
        return others.length ? [`namespace "${this.namespace}" is exempted twice (also at ${others.map((o) => o.node.path).join(', ')}); keep one exemption with one reason`] : [];
      },
    });
  }
}
