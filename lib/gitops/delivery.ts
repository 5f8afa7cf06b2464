import { IConstruct } from 'constructs';
import { Problems, show } from '../core/errors';
import { dnsLabel, intRange } from '../core/rules';

const DELIVERY = Symbol.for('ocpkit.delivery');
const NO_OPTIONS: readonly string[] = Object.freeze([]);

/** A sync wave chosen for a construct's subtree, and why. */
export interface WaveChoice {
  readonly wave: number;
  /** Why this subtree leaves the per-kind default (shown by the wave table; not written to YAML). */
  readonly reason?: string;
  /** Path of the construct that chose it. */
  readonly by: string;
}

/** What {@link Delivery.resolve} finds for one object. */
export interface ResolvedDelivery {
  /** The nearest wave choice above (or at) the object, if any: else the per-kind default applies. */
  readonly wave?: WaveChoice;
  /** Sync options of every construct above (or at) the object, nearest first. */
  readonly syncOptions: readonly string[];
  /** The nearest output folder choice, if any. */
  readonly folder?: string;
}

/**
 * How the objects of a construct's subtree are delivered by Argo CD: their sync wave, their sync
 * options and the output folder (hence the Argo CD Application) they land in. The one place
 * these are decided besides the per-kind defaults (lib/gitops/delivery-annotations.ts), which
 * apply wherever no construct chose otherwise; the delivery transform of the pipeline writes the
 * annotations.
 *
 * ```ts
 * Delivery.of(operatorNamespace).syncWave(SyncWave.OPERATOR_NAMESPACES, 'before its OperatorGroup');
 * Delivery.of(tenant.quota).folder('tenancy');
 * ```
 *
 * The nearest choice wins: a wave or folder set on an object beats one set on its parents. Sync
 * options add up along the path (nearest first; an option key set nearer wins).
 */
export class Delivery {
  /** The delivery settings of a construct (created on first use). */
  public static of(scope: IConstruct): Delivery {
    const s = scope as any;
    if (!s[DELIVERY]) s[DELIVERY] = new Delivery(scope);
    return s[DELIVERY];
  }

  /** What applies to one object: the nearest choices on its path (the object itself first). */
  public static resolve(obj: IConstruct): ResolvedDelivery {
    let wave: WaveChoice | undefined;
    let folder: string | undefined;
    let options: string[] | undefined;
    for (let s: IConstruct | undefined = obj; s; s = s.node.scope) {
      const d: Delivery | undefined = (s as any)[DELIVERY];
      if (!d) continue;
      if (wave === undefined && d._wave) wave = d._wave;
      if (folder === undefined && d._folder) folder = d._folder;
      if (d._options.length) (options ??= []).push(...d._options);
    }
    // most objects choose nothing but their folder: no allocation beyond the answer
    return { wave, folder, syncOptions: options ?? NO_OPTIONS };
  }

  /** The nearest folder chosen on the path of a construct (a GitOpsApp chooses its own name), if any. */
  public static folderOf(obj: IConstruct): string | undefined {
    for (let s: IConstruct | undefined = obj; s; s = s.node.scope) {
      const f = ((s as any)[DELIVERY] as Delivery | undefined)?._folder;
      if (f !== undefined) return f;
    }
    return undefined;
  }

  private _wave?: WaveChoice;
  private _folder?: string;
  private readonly _options: string[] = [];

  private constructor(private readonly scope: IConstruct) {}

  /**
   * Sync wave of every object of the subtree (unless a construct nearer to the object chose
   * another). Inside one Application, lower waves are applied, and must be healthy, first.
   */
  public syncWave(wave: number, reason?: string): this {
    const p = new Problems(this.scope.node.path || '/');
    p.check('syncWave', wave, intRange(-100, 100));
    if (reason !== undefined && (typeof reason !== 'string' || reason.trim() === '')) p.add('syncWave.reason', `${show(reason)} is not a reason; say why this subtree leaves the per-kind wave, or leave it out`);
    p.throwIfAny();
    this._wave = { wave, reason: reason?.trim(), by: this.scope.node.path };
    return this;
  }

  /**
   * Adds Argo CD sync options (`Key=value`, e.g. `Prune=false`, `ServerSideApply=true`) to every
   * object of the subtree. They are merged with the per-kind ones; an option key written nearer
   * to the object wins.
   */
  public syncOptions(...options: string[]): this {
    const p = new Problems(this.scope.node.path || '/');
    options.forEach((o, i) => {
      if (typeof o !== 'string' || !/^[A-Za-z]+=[A-Za-z0-9_.-]+$/.test(o)) p.add(`syncOptions[${i}]`, `${show(o)} is not an Argo CD sync option; write Key=value, e.g. "Prune=false"`);
    });
    p.throwIfAny();
    this._options.push(...options);
    return this;
  }

  /**
   * Output folder of every object of the subtree (`dist/<cluster>/<folder>/`), hence the Argo CD
   * Application that syncs it; without a choice an object lands in its GitOpsApp's folder.
   */
  public folder(name: string): this {
    const p = new Problems(this.scope.node.path || '/');
    // `_name` folders are written but synced by no Application (restore drills, runbooks)
    p.check('folder', typeof name === 'string' && name.startsWith('_') ? name.slice(1) : name, dnsLabel);
    p.throwIfAny();
    this._folder = name;
    return this;
  }
}
