import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { OperatorGroup } from '../../imports/olm-operatorgroup-operators.coreos.com';
import { Subscription } from '../../imports/olm-subscription-operators.coreos.com';
import { Problems, show } from '../core/errors';
import { dnsLabel, dnsSubdomain, oneOf } from '../core/rules';
import { Delivery } from '../gitops/delivery';
import { SyncWave } from '../gitops/sync-wave';
import { CatalogSource } from './catalog-source';
import { TreeIndex } from '../synth/pipeline';

/** Namespace where OpenShift installs operators for all namespaces; it already has an OperatorGroup. */
export const GLOBAL_OPERATORS_NAMESPACE = 'openshift-operators';

/**
 * Who approves the InstallPlans OLM creates for a Subscription.
 * @see https://olm.operatorframework.io/docs/concepts/crds/subscription/
 */
export enum InstallPlanApproval {
  /** OLM installs every new version on the channel as soon as the catalog offers it. */
  AUTOMATIC = 'Automatic',
  /**
   * Every install and upgrade waits for someone to approve its InstallPlan
   * (`oc patch installplan ... --type merge -p '{"spec":{"approved":true}}'`), so the
   * pinned `startingCsv` is what runs until an upgrade is approved.
   */
  MANUAL = 'Manual',
}

/** The namespaces an operator watches (the OperatorGroup's target namespaces). */
export class OperatorTargets {
  /** Only the namespace the operator is installed in (install mode `OwnNamespace`). */
  public static ownNamespace(): OperatorTargets {
    return new OperatorTargets('own', []);
  }

  /** Every namespace of the cluster (install mode `AllNamespaces`). */
  public static allNamespaces(): OperatorTargets {
    return new OperatorTargets('all', []);
  }

  /** An explicit list (install modes `SingleNamespace` / `MultiNamespace`). */
  public static namespaces(...namespaces: string[]): OperatorTargets {
    return new OperatorTargets('list', namespaces);
  }

  private constructor(public readonly mode: 'own' | 'all' | 'list', public readonly namespaces: readonly string[]) {}
}

/** Properties of {@link OperatorInstall}. */
export interface OperatorInstallProps {
  /** OLM package name in the catalog (`gitlab-operator-kubernetes`, `kubevirt-hyperconverged`). */
  readonly packageName: string;
  /** Namespace the operator runs in (created here unless `createNamespace` is false). DNS-1123 label. */
  readonly namespace: string;
  /** Update channel of the package (`stable`, `stable-1.4`). */
  readonly channel: string;
  /**
   * The ClusterServiceVersion installed first, pinned in Git (`gitlab-operator-kubernetes.v0.26.0`).
   * With {@link InstallPlanApproval.MANUAL} it stays installed until an upgrade is approved;
   * with AUTOMATIC OLM moves past it to the channel head right away, so the pin only fixes
   * where the install starts. Changing it on an existing Subscription does not upgrade anything.
   */
  readonly startingCsv: string;
  /**
   * Catalog the package comes from.
   * @default CatalogSource.REDHAT_OPERATORS
   */
  readonly catalog?: CatalogSource;
  /**
   * Who approves installs and upgrades.
   * @default InstallPlanApproval.MANUAL (the pinned CSV is what runs)
   */
  readonly approval?: InstallPlanApproval;
  /**
   * Namespaces the operator watches.
   * @default OperatorTargets.ownNamespace()
   */
  readonly targets?: OperatorTargets;
  /**
   * Create the Namespace. Set false for namespaces that exist already (`openshift-operators`).
   * @default true
   */
  readonly createNamespace?: boolean;
  /**
   * Create the OperatorGroup. A namespace may hold only one; set false when another install in
   * the same namespace (or OpenShift, in `openshift-operators`) already provides it.
   * @default true
   */
  readonly createOperatorGroup?: boolean;
  /**
   * Name of the Subscription.
   * @default the package name
   */
  readonly subscriptionName?: string;
  /**
   * Name of the OperatorGroup.
   * @default the namespace name
   */
  readonly operatorGroupName?: string;
  /**
   * Extra labels of the Namespace (for example `openshift.io/cluster-monitoring: "true"` so the
   * platform Prometheus scrapes the operator).
   * @default none
   */
  readonly namespaceLabels?: Record<string, string>;
  /**
   * Environment variables OLM sets on the operator's Deployment (`spec.config.env`).
   * @default none
   */
  readonly env?: Record<string, string>;
  /**
   * Accepts a pin the platform's operator catalog (lib/platform/operator-catalog.ts) does not
   * confirm: a package, channel or CSV it does not know, a CSV it marks `unknown` (Red Hat
   * downstream bundles), or one that does not declare the cluster's OpenShift version. The reason
   * is for reviewers: say why the pin is right anyway and where that is documented. A waiver on
   * a pin the catalog confirms is an error (remove it). See also {@link OperatorInstall.waiveCatalog}.
   * @default none: every pin must be one the catalog confirms
   */
  readonly catalogWaiver?: CatalogWaiver;
}

/** A written reason to accept an operator pin the catalog does not confirm. */
export interface CatalogWaiver {
  /** Why the pin is right anyway, with the source (release notes, docs, issue). */
  readonly reason: string;
}

const CSV_VERSION = /\d+\.\d+\.\d+/;
const CHANNEL = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Installs one operator through OLM, the way the OpenShift console does: a Namespace, an
 * OperatorGroup selecting the watched namespaces and a Subscription to a package channel of a
 * catalog, pinned to a starting CSV. Generic: GitLab, the GitLab Runner, cert-manager, OADP,
 * NMState and OpenShift Virtualization are all installed with it.
 *
 * Sync waves order the three objects before everything else (Namespace, then OperatorGroup, then
 * Subscription); the operator's custom resources belong in later waves and should carry
 * `SkipDryRunOnMissingResource=true` because their CRDs only exist once OLM has installed the CSV.
 *
 * Primary object (`ApiObject.of(install)`, `Overrides.of(install)`): the Subscription (channel,
 * approval, `spec.config`); the Namespace and OperatorGroup are `namespaceObject` and `operatorGroup`.
 *
 * @example
 * Emits: into the folder of the app it is in the Namespace `openshift-cnv` (sync wave of the
 * operator namespaces; unless `createNamespace: false`), an `operators.coreos.com/v1` OperatorGroup
 * named after the namespace (unless `createOperatorGroup: false`) and an
 * `operators.coreos.com/v1alpha1` Subscription named after the package, Manual approval by default.
 * With Manual approval the pin is one an {@link InstallPlanApprover} of the cluster approves.
 * ```ts
 * import { GitOpsApp, OperatorInstall, OperatorTargets, SyncWave } from 'ocpkit';
 * import type { Cluster } from 'ocpkit';
 *
 * export function addVirtualizationOperator(cluster: Cluster): OperatorInstall {
 *   const operators = new GitOpsApp(cluster, 'PlatformOperators', { name: 'platform-operators', syncWave: SyncWave.OPERATORS });
 *   return new OperatorInstall(operators, 'Virtualization', {
 *     packageName: 'kubevirt-hyperconverged',
 *     namespace: 'openshift-cnv',
 *     channel: 'stable',
 *     startingCsv: 'kubevirt-hyperconverged-operator.v4.14.9',
 *     targets: OperatorTargets.ownNamespace(),
 *     catalogWaiver: { reason: 'Red Hat downstream bundle, whose OpenShift range is not public; checked with oc get packagemanifest kubevirt-hyperconverged -n openshift-marketplace' },
 *   });
 * }
 * ```
 * @see https://docs.openshift.com/container-platform/4.14/operators/admin/olm-adding-operators-to-cluster.html
 */
export class OperatorInstall extends Construct {
  public readonly packageName: string;
  public readonly operatorNamespace: string;
  public readonly channel: string;
  public readonly startingCsv: string;
  public readonly approval: InstallPlanApproval;
  public readonly catalog: CatalogSource;
  public readonly subscription: Subscription;
  /** The OperatorGroup, when this construct creates it. */
  public readonly operatorGroup?: OperatorGroup;
  /** The Namespace, when this construct creates it. */
  public readonly namespaceObject?: k8s.KubeNamespace;
  private _catalogWaiver?: CatalogWaiver;

  /** The waiver of the catalog check, if any (see {@link OperatorInstallProps.catalogWaiver}). */
  public get catalogWaiver(): CatalogWaiver | undefined {
    return this._catalogWaiver;
  }

  /**
   * Waives the catalog check of this install's pin with a written reason, for installs whose
   * props do not carry `catalogWaiver` (GitLabOperator, GitLabRunnerOperator).
   */
  public waiveCatalog(reason: string): void {
    const p = new Problems(this.node.path);
    if (typeof reason !== 'string' || reason.trim().length < 10) p.add('catalogWaiver.reason', `${show(reason)} is not a reason; write why the pin is right although the operator catalog does not confirm it, and the source`);
    p.throwIfAny();
    this._catalogWaiver = { reason: reason.trim() };
  }

  constructor(scope: Construct, id: string, props: OperatorInstallProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    p.check('packageName', props.packageName, dnsSubdomain);
    p.check('namespace', props.namespace, dnsLabel);
    if (typeof props.channel !== 'string' || !CHANNEL.test(props.channel)) {
      p.add('channel', `${show(props.channel)} is not a channel name (for example "stable" or "stable-1.4")`);
    }
    if (typeof props.startingCsv !== 'string' || dnsSubdomain(props.startingCsv) !== undefined || !CSV_VERSION.test(props.startingCsv)) {
      p.add('startingCsv', `${show(props.startingCsv)} is not a pinned ClusterServiceVersion name; write the package's CSV with its version (for example "gitlab-operator-kubernetes.v0.26.0")`);
    }
    if (props.catalog !== undefined && !(props.catalog instanceof CatalogSource)) {
      p.add('catalog', 'must be a CatalogSource (CatalogSource.REDHAT_OPERATORS, CatalogSource.of(name, namespace), ...)');
    }
    if (props.approval !== undefined) p.check('approval', props.approval, oneOf(Object.values(InstallPlanApproval)));
    const targets = props.targets ?? OperatorTargets.ownNamespace();
    if (!(targets instanceof OperatorTargets)) {
      p.add('targets', 'must be OperatorTargets.ownNamespace(), .allNamespaces() or .namespaces(...)');
    } else if (targets.mode === 'list') {
      if (targets.namespaces.length === 0) p.add('targets', 'OperatorTargets.namespaces() needs at least one namespace');
      targets.namespaces.forEach((ns, i) => p.check(`targets[${i}]`, ns, dnsLabel));
    }
    const createNamespace = props.createNamespace ?? true;
    const createGroup = props.createOperatorGroup ?? true;
    if (props.namespace === GLOBAL_OPERATORS_NAMESPACE) {
      if (createNamespace) p.add('createNamespace', `"${GLOBAL_OPERATORS_NAMESPACE}" exists on every OpenShift cluster; set createNamespace: false`);
      if (createGroup) p.add('createOperatorGroup', `"${GLOBAL_OPERATORS_NAMESPACE}" already has the "global-operators" OperatorGroup; set createOperatorGroup: false`);
    }
    if (props.subscriptionName !== undefined) p.check('subscriptionName', props.subscriptionName, dnsSubdomain);
    if (props.operatorGroupName !== undefined) p.check('operatorGroupName', props.operatorGroupName, dnsSubdomain);
    for (const k of Object.keys(props.env ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) p.add(`env.${k}`, `${show(k)} is not an environment variable name`);
    }
    if (props.catalogWaiver !== undefined && (typeof props.catalogWaiver !== 'object' || props.catalogWaiver === null || typeof props.catalogWaiver.reason !== 'string' || props.catalogWaiver.reason.trim().length < 10)) {
      p.add('catalogWaiver.reason', `${show(props.catalogWaiver?.reason ?? props.catalogWaiver)} is not a reason; write why the pin is right although the operator catalog does not confirm it, and the source`);
    }
    p.throwIfAny();

    if (props.catalogWaiver) this._catalogWaiver = { reason: props.catalogWaiver.reason.trim() };
    this.packageName = props.packageName;
    this.operatorNamespace = props.namespace;
    this.channel = props.channel;
    this.startingCsv = props.startingCsv;
    this.approval = props.approval ?? InstallPlanApproval.MANUAL;
    this.catalog = props.catalog ?? CatalogSource.REDHAT_OPERATORS;

    if (createNamespace) {
      this.namespaceObject = new k8s.KubeNamespace(this, 'Namespace', {
        metadata: {
          name: props.namespace,
          labels: { ...props.namespaceLabels },
        },
      });
      // (Namespaces are never pruned or deleted by Argo CD: deleting an operator namespace would
      // delete every custom resource in it; see STATEFUL_KINDS.)
      Delivery.of(this.namespaceObject).syncWave(SyncWave.OPERATOR_NAMESPACES, 'an operator namespace exists before its OperatorGroup and Subscription');
    }
    if (createGroup) {
      const t = targets as OperatorTargets;
      this.operatorGroup = new OperatorGroup(this, 'OperatorGroup', {
        metadata: {
          name: props.operatorGroupName ?? props.namespace,
          namespace: props.namespace,
        },
        spec: t.mode === 'all' ? {} : { targetNamespaces: t.mode === 'own' ? [props.namespace] : [...t.namespaces] },
      });
    }
    const env = Object.entries(props.env ?? {});
    this.subscription = new Subscription(this, 'Subscription', {
      metadata: {
        name: props.subscriptionName ?? props.packageName,
        namespace: props.namespace,
      },
      spec: {
        name: props.packageName,
        channel: props.channel,
        source: this.catalog.name,
        sourceNamespace: this.catalog.namespace,
        startingCsv: props.startingCsv,
        installPlanApproval: this.approval,
        config: env.length ? { env: env.map(([name, value]) => ({ name, value })) } : undefined,
      },
    });
    this.node.defaultChild = this.subscription;

    // OLM refuses to install anything into a namespace with two OperatorGroups.
    if (createGroup) {
      this.node.addValidation({
        validate: () => {
          const others = TreeIndex.all(this).filter(
            (c) => c !== this && c instanceof OperatorInstall && c.operatorGroup !== undefined && c.operatorNamespace === this.operatorNamespace,
          );
          return others.length
            ? [`namespace "${this.operatorNamespace}" gets a second OperatorGroup from ${others.map((o) => o.node.path).join(', ')}; OLM allows one per namespace, so set createOperatorGroup: false on all but one install`]
            : [];
        },
      });
    }
  }
}
