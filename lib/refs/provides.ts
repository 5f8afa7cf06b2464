import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Problems } from '../core/errors';
import { dnsLabel, dnsSubdomain, nonEmpty, oneOf } from '../core/rules';
import { CLUSTER_SCOPED, describeTarget, ExternalObject, PROVIDED_BY, ProvidedBy, Provision, RefKind } from './model';

const PROVIDED = new WeakMap<IConstruct, Provision[]>();

/** Options of the {@link Provides} methods. */
export interface ProvideOptions {
  /** Who creates the object, for messages (`Crunchy PGO`, `OpenShift Virtualization`). */
  readonly by: string;
  /** Keys a Secret or ConfigMap holds. @default any key */
  readonly keys?: readonly string[];
}

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * What a construct causes to exist without writing it itself: the Secrets an operator creates for
 * a database it runs, the boot-source DataSources OpenShift Virtualization maintains, the
 * namespace an operator creates for its operand. References to these resolve (reference
 * resolution, lib/refs/resolve-check.ts) without an `External` declaration, and they stay out of
 * `externals.yaml`: nobody has to create them by hand.
 *
 *     Provides.of(pgo).secret('gitlab-system', 'gitlab-db-pguser-gitlab', { keys: ['password'], by: 'Crunchy PGO' });
 *
 * Declarations are kept per construct (no global registry) and are seen only when that
 * construct is part of the cluster being synthesized.
 */
export class Provides {
  /** The declarations of one construct (created on first use). */
  public static of(construct: IConstruct): Provides {
    return new Provides(construct);
  }

  /** Every declaration made on one construct. */
  public static declaredOn(construct: IConstruct): readonly Provision[] {
    return PROVIDED.get(construct) ?? [];
  }

  private constructor(private readonly construct: IConstruct) {}

  public secret(namespace: string, name: string, options: ProvideOptions): Provides {
    return this.object('Secret', namespace, name, options);
  }

  public configMap(namespace: string, name: string, options: ProvideOptions): Provides {
    return this.object('ConfigMap', namespace, name, options);
  }

  public service(namespace: string, name: string, options: ProvideOptions): Provides {
    return this.object('Service', namespace, name, options);
  }

  public dataSource(namespace: string, name: string, options: ProvideOptions): Provides {
    return this.object('DataSource', namespace, name, options);
  }

  public namespace(name: string, options: ProvideOptions): Provides {
    return this.object('Namespace', undefined, name, options);
  }

  /** Any kind reference resolution knows; `namespace` is ignored for cluster-scoped kinds. */
  public object(kind: RefKind, namespace: string | undefined, name: string, options: ProvideOptions): Provides {
    const p = new Problems(this.construct.node.path || this.construct.node.id);
    const what = `Provides.${kind}`;
    if (!CLUSTER_SCOPED.has(kind)) p.check(`${what} namespace`, namespace, dnsLabel);
    p.check(`${what} name`, name, dnsSubdomain);
    p.check(`${what} by`, options?.by, nonEmpty);
    for (const k of options?.keys ?? []) {
      if (typeof k !== 'string' || !SECRET_KEY.test(k)) p.add(`${what} keys`, `${JSON.stringify(k)} is not a key (letters, digits, '-', '_', '.')`);
    }
    p.throwIfAny('invalid Provides declaration');
    let list = PROVIDED.get(this.construct);
    if (!list) PROVIDED.set(this.construct, (list = []));
    list.push({ kind, namespace: CLUSTER_SCOPED.has(kind) ? undefined : namespace, name, keys: options.keys ? [...options.keys] : undefined, by: options.by });
    return this;
  }
}

/** Options of the {@link External} declarations. */
export interface ExternalOptions {
  /**
   * Namespace of the object.
   * @default the namespace of the enclosing GitOpsApp (Chart)
   */
  readonly namespace?: string;
  /** Keys it must hold (Secrets, ConfigMaps). Every key the stack references must be listed. @default none */
  readonly keys?: readonly string[];
  /** How it gets onto the cluster. */
  readonly providedBy: ProvidedBy;
  /** What it holds and how to make it (never a value). Printed by `ocpkit bootstrap`. */
  readonly note: string;
  /**
   * It must exist before the first sync: a controller the stack installs would otherwise create a
   * default in its place (Velero's repository password). `ocpkit bootstrap` lists it, with its
   * namespace, before the bootstrap folder is applied.
   * @default false
   */
  readonly beforeFirstSync?: boolean;
}

/**
 * An object the stack refers to but does not create, declared with how it gets onto the cluster
 * (by hand, a SealedSecret or ExternalSecret synced from elsewhere, or already there). References
 * to it resolve, and synth lists it in `dist/<environment>/externals.yaml`, from which
 * `ocpkit bootstrap` prints the checklist of a new cluster.
 *
 *     External.secret(app, 'rfc2136-tsig', { namespace: 'cert-manager', keys: ['secret'],
 *       providedBy: 'by-hand', note: 'TSIG key of the cert-manager key on the FreeIPA DNS server' });
 *
 * @example
 * Emits: no manifest. Each declaration becomes an entry of `dist/<environment>/externals.yaml`
 * (kind, namespace, name, keys, how it is provided, the note, and the files and fields that use it),
 * which `ocpkit bootstrap` prints as the checklist of a new cluster; references to it resolve.
 * ```ts
 * import { External } from 'ocpkit';
 * import type { Tenant } from 'ocpkit';
 *
 * export function declareShopExternals(shop: Tenant): void {
 *   External.secret(shop, 'smtp-credentials', {
 *     keys: ['username', 'password'],
 *     providedBy: 'sealed-secret',
 *     note: 'SMTP login of the shop on the mail relay',
 *   });
 *   External.configMap(shop, 'freeipa-ca', {
 *     keys: ['ca.crt'],
 *     providedBy: 'by-hand',
 *     note: 'CA certificate of the FreeIPA directory (oc create configmap freeipa-ca --from-file=ca.crt)',
 *   });
 * }
 * ```
 */
export class External extends Construct {
  public static secret(scope: Construct, name: string, options: ExternalOptions): External {
    return new External(scope, 'Secret', name, options);
  }

  public static configMap(scope: Construct, name: string, options: ExternalOptions): External {
    return new External(scope, 'ConfigMap', name, options);
  }

  public static pvc(scope: Construct, name: string, options: ExternalOptions): External {
    return new External(scope, 'PersistentVolumeClaim', name, options);
  }

  public static service(scope: Construct, name: string, options: ExternalOptions): External {
    return new External(scope, 'Service', name, options);
  }

  public static dataSource(scope: Construct, name: string, options: ExternalOptions): External {
    return new External(scope, 'DataSource', name, options);
  }

  public static namespace(scope: Construct, name: string, options: Omit<ExternalOptions, 'namespace' | 'keys'>): External {
    return new External(scope, 'Namespace', name, options);
  }

  /** Any kind reference resolution knows (ClusterRole, NetworkAttachmentDefinition, ...). */
  public static object(scope: Construct, kind: RefKind, name: string, options: ExternalOptions): External {
    return new External(scope, kind, name, options);
  }

  /** The declared object. */
  public readonly object: ExternalObject;

  private constructor(scope: Construct, kind: RefKind, name: string, options: ExternalOptions) {
    const clusterScoped = CLUSTER_SCOPED.has(kind);
    const namespace = clusterScoped ? undefined : options?.namespace ?? chartNamespace(scope);
    super(scope, `External${kind}.${namespace ?? ''}.${String(name)}`);
    const p = new Problems(this.node.path);
    if (!clusterScoped) {
      if (namespace === undefined) p.add('namespace', `External.${kind} "${name}" has no namespace: set options.namespace, or declare it inside a GitOpsApp that has one`);
      else p.check('namespace', namespace, dnsLabel);
    }
    p.check('name', name, dnsSubdomain);
    p.check('providedBy', options?.providedBy, oneOf(PROVIDED_BY));
    p.check('note', options?.note, nonEmpty);
    if (options?.beforeFirstSync !== undefined && typeof options.beforeFirstSync !== 'boolean') p.add('beforeFirstSync', `${JSON.stringify(options.beforeFirstSync)} is not true or false`);
    if (options?.keys !== undefined && !Array.isArray(options.keys)) p.add('keys', 'must be a list of key names');
    for (const k of Array.isArray(options?.keys) ? options.keys : []) {
      if (typeof k !== 'string' || !SECRET_KEY.test(k)) p.add('keys', `${JSON.stringify(k)} is not a key (letters, digits, '-', '_', '.')`);
    }
    p.throwIfAny(`invalid External declaration of ${describeTarget(kind, namespace, String(name))}`);
    this.object = {
      kind,
      namespace,
      name,
      keys: [...new Set(options.keys ?? [])].sort(),
      providedBy: options.providedBy,
      note: options.note,
      ...(options.beforeFirstSync ? { beforeFirstSync: true } : {}),
      path: this.node.path,
    };
  }
}

function chartNamespace(scope: IConstruct): string | undefined {
  for (let c: IConstruct | undefined = scope; c; c = c.node.scope) {
    if (Chart.isChart(c)) return (c as Chart).namespace;
  }
  return undefined;
}
