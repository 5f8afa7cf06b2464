import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { Problems } from '../core/errors';
import { asQuantity, Quantity, QuantityLike } from '../core/quantity';
import { intRange } from '../core/rules';

/** Hard limits of a tenant. */
export interface TenantQuotaLimits {
  /** Total CPU the tenant's pods and VMs may request (`requests.cpu`). */
  readonly cpu: Quantity;
  /**
   * Total memory requested, and the total of memory limits (`requests.memory`, `limits.memory`);
   * a Quantity or a cdk8s `Size`.
   */
  readonly memory: QuantityLike;
  /** Total persistent storage requested (`requests.storage`); a Quantity or a cdk8s `Size`. */
  readonly storage: QuantityLike;
  /**
   * Maximum number of pods (VM launcher pods included).
   * @default 50
   */
  readonly pods?: number;
  /**
   * Maximum number of PersistentVolumeClaims (VM disks included).
   * @default 20
   */
  readonly persistentVolumeClaims?: number;
}

/** Defaults applied to containers that do not say what they need. */
export interface ContainerDefaults {
  /** @default 50m */
  readonly cpuRequest?: Quantity;
  /** A Quantity or a cdk8s `Size`. @default 128Mi */
  readonly memoryRequest?: QuantityLike;
  /** A Quantity or a cdk8s `Size`. @default 512Mi */
  readonly memoryLimit?: QuantityLike;
}

/** Properties of {@link TenantQuota}. */
export interface TenantQuotaProps {
  readonly namespace: string;
  readonly limits: TenantQuotaLimits;
  /** @default see ContainerDefaults */
  readonly containerDefaults?: ContainerDefaults;
}

/**
 * A tenant's ResourceQuota and the LimitRange that gives containers sane defaults, so that pods
 * without explicit requests still count against (and fit) the quota.
 *
 * Emits: into the folder of the app it is in (a Tenant moves it to the platform `tenancy` folder),
 * in `namespace`, a ResourceQuota `tenant-quota` (requests of cpu, memory and storage, the memory
 * limit, pods and PersistentVolumeClaims) and a LimitRange `tenant-defaults` with the container
 * defaults.
 */
export class TenantQuota extends Construct {
  /** The hard limits, with defaults filled in and cdk8s `Size`s turned into Quantities. */
  public readonly limits: {
    readonly cpu: Quantity; readonly memory: Quantity; readonly storage: Quantity;
    readonly pods: number; readonly persistentVolumeClaims: number;
  };
  /** The container defaults, with defaults filled in and cdk8s `Size`s turned into Quantities. */
  public readonly containerDefaults: { readonly cpuRequest: Quantity; readonly memoryRequest: Quantity; readonly memoryLimit: Quantity };

  constructor(scope: Construct, id: string, props: TenantQuotaProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    const raw = props.limits;
    // a cdk8s Size is bytes: memory and storage take one, cpu does not
    const l = (raw && typeof raw === 'object' ? { ...raw, memory: asQuantity(raw.memory), storage: asQuantity(raw.storage) } : raw) as TenantQuotaLimits & { readonly memory: Quantity; readonly storage: Quantity };
    for (const f of ['cpu', 'memory', 'storage'] as const) {
      const sized = f === 'cpu' ? '' : ' or a cdk8s Size (Size.gibibytes(8))';
      if (!(l?.[f] instanceof Quantity)) p.add(`quota.${f}`, `must be a Quantity (Quantity.parse("..."))${sized}, got ${JSON.stringify(l?.[f])}`);
    }
    if (l?.pods !== undefined) p.check('quota.pods', l.pods, intRange(1, 10000));
    if (l?.persistentVolumeClaims !== undefined) p.check('quota.persistentVolumeClaims', l.persistentVolumeClaims, intRange(0, 10000));
    for (const f of ['cpu', 'memory'] as const) {
      if (l?.[f] instanceof Quantity && l[f].value <= 0) p.add(`quota.${f}`, `${l[f]} leaves no room for any pod; give the tenant more than zero`);
    }
    const cdRaw = props.containerDefaults ?? {};
    const cd = { ...cdRaw, memoryRequest: asQuantity(cdRaw.memoryRequest), memoryLimit: asQuantity(cdRaw.memoryLimit) } as { cpuRequest?: Quantity; memoryRequest?: Quantity; memoryLimit?: Quantity };
    for (const f of ['cpuRequest', 'memoryRequest', 'memoryLimit'] as const) {
      const v = cd[f];
      const sized = f === 'cpuRequest' ? '' : ' or a cdk8s Size (Size.mebibytes(512))';
      if (v !== undefined && !(v instanceof Quantity)) p.add(`containerDefaults.${f}`, `must be a Quantity (Quantity.parse("..."))${sized}, got ${JSON.stringify(v)}`);
    }
    p.throwIfAny();
    this.limits = { cpu: l.cpu, memory: l.memory, storage: l.storage, pods: l.pods ?? 50, persistentVolumeClaims: l.persistentVolumeClaims ?? 20 };
    this.containerDefaults = {
      cpuRequest: cd.cpuRequest ?? Quantity.parse('50m'),
      memoryRequest: cd.memoryRequest ?? Quantity.parse('128Mi'),
      memoryLimit: cd.memoryLimit ?? Quantity.parse('512Mi'),
    };
    const d = this.containerDefaults;
    if (d.memoryLimit.value < d.memoryRequest.value) {
      p.add('containerDefaults.memoryLimit', `${d.memoryLimit} is below the default memory request ${d.memoryRequest}`);
    }
    if (d.cpuRequest.value > this.limits.cpu.value) p.add('containerDefaults.cpuRequest', `${d.cpuRequest} is more than the whole cpu quota ${this.limits.cpu}, so no container without its own request could start; lower it or raise quota.cpu`);
    if (d.memoryLimit.value > this.limits.memory.value) p.add('containerDefaults.memoryLimit', `${d.memoryLimit} is more than the whole memory quota ${this.limits.memory}, so no container without its own limit could start; lower it or raise quota.memory`);
    p.throwIfAny();

    const hard: Record<string, k8s.Quantity> = {
      'requests.cpu': k8s.Quantity.fromString(this.limits.cpu.toString()),
      'requests.memory': k8s.Quantity.fromString(this.limits.memory.toString()),
      'limits.memory': k8s.Quantity.fromString(this.limits.memory.toString()),
      'requests.storage': k8s.Quantity.fromString(this.limits.storage.toString()),
      pods: k8s.Quantity.fromNumber(this.limits.pods),
      persistentvolumeclaims: k8s.Quantity.fromNumber(this.limits.persistentVolumeClaims),
    };
    new k8s.KubeResourceQuota(this, 'Resource', {
      metadata: { name: 'tenant-quota', namespace: props.namespace },
      spec: { hard },
    });
    new k8s.KubeLimitRange(this, 'Defaults', {
      metadata: { name: 'tenant-defaults', namespace: props.namespace },
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: {
            cpu: k8s.Quantity.fromString(d.cpuRequest.toString()),
            memory: k8s.Quantity.fromString(d.memoryRequest.toString()),
          },
          default: { memory: k8s.Quantity.fromString(d.memoryLimit.toString()) },
        }],
      },
    });
  }
}
