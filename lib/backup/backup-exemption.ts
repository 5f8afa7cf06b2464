import { Construct, IConstruct } from 'constructs';
import { Problems, show } from '../core/errors';
import { dnsLabel } from '../core/rules';
import { Tenant } from '../tenancy/tenant';
import { TreeIndex } from '../synth/pipeline';

/** Annotation on an exempt tenant's Namespace carrying the written reason. */
export const BACKUP_EXEMPT_ANNOTATION = 'ocpkit.io/backup-exempt-reason';

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

  /** Every exemption of a cluster, by namespace. */
  public static all(c: IConstruct): Map<string, BackupExemption> {
    const out = new Map<string, BackupExemption>();
    for (const x of TreeIndex.all(c)) {
      if (x instanceof BackupExemption && !out.has(x.namespace)) out.set(x.namespace, x);
    }
    return out;
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
    if (typeof props.reason !== 'string' || props.reason.trim().length < 10) {
      p.add('reason', `${show(props.reason)} is not a reason; say in a few words why this state needs no backup`);
    }
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
