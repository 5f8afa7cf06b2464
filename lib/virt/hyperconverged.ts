import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { asCronSchedule, CronLike, CronSchedule, cronProblem } from '../backup/cron';
import { Problems, show } from '../core/errors';
import { Quantity, QuantityLike, quantityProblem } from '../core/quantity';
import { dnsLabel, dnsSubdomain, duplicates, intRange, noUrlCredentials, oneOf } from '../core/rules';
import { GitOpsApp } from '../gitops/gitops-app';
import { OperatorInstall } from '../olm/operator-install';
import { Provides } from '../refs/provides';
import { TreeIndex } from '../synth/pipeline';
import { Tenant } from '../tenancy/tenant';
import { toQuantity } from './vm-disks';

// Upstream facts used below (HCO release-1.10 = OpenShift Virtualization 4.14; tag v1.10.7,
// branch head 1a4591d, the commit of the 4.14 schema profile):
// - kubevirt/hyperconverged-cluster-operator api/v1beta1/hyperconverged_types.go and
//   pkg/util/consts.go: the operator reconciles one HyperConverged named "kubevirt-hyperconverged";
//   controllers/hyperconverged/hyperconverged_controller.go (validateNamespace,
//   getHyperConvergedNamespacedName) ignores any other name/namespace (its namespace is the
//   operator's own, OPERATOR_NAMESPACE), and pkg/webhooks/validator/validator.go (ValidateCreate)
//   refuses a HyperConverged created outside the operator's namespace.
// - docs/cluster-configuration.md ("Live Migration Configurations", "FeatureGates",
//   "Cluster level EvictionStrategy", "Configure custom golden images") and the CRD defaults:
//   liveMigrationConfig parallelMigrationsPerCluster 5, parallelOutboundMigrationsPerNode 2,
//   completionTimeoutPerGiB 800 s, progressTimeout 150 s, bandwidthPerMigration unset (no limit);
//   enableCommonBootImageImport true; withHostPassthroughCPU false.
// - pkg/webhooks/mutator/hyperConvergedMutator.go: an unset evictionStrategy becomes LiveMigrate on
//   a highly available infrastructure (pkg/util/cluster.go: Infrastructure topology
//   HighlyAvailable), None otherwise.
// - controllers/operands/kubevirt.go (hcLiveMigrationToKv): bandwidthPerMigration is parsed as a
//   Kubernetes quantity (bytes per second); defaultCPUModel becomes KubeVirt's cluster CPU model.
// - controllers/operands/networkAddons.go: HCO 1.10 deploys KubeMacPool with an empty
//   configuration (CNAO picks the MAC range); the 4.14 HyperConverged schema has no field for
//   the range, so it is not offered here.
// - controllers/operands/ssp.go (getDicMapFromCr): two dataImportCronTemplates with the same
//   name are an error; custom templates are independent of enableCommonBootImageImport.
// - kubevirt/containerized-data-importer v1.57.0 (CDI of OpenShift Virtualization 4.14)
//   pkg/apiserver/webhooks/dataimportcron-validate.go: a DataImportCron needs a registry source,
//   a parsable cron schedule, importsToKeep >= 0 and a managedDataSource name.
// - kubevirt/ssp-operator v0.18.3 internal/operands/data-sources/reconcile.go: SSP creates the
//   DataImportCrons and DataSources in its golden-images namespace (upstream "kubevirt-os-images",
//   internal/constants.go); OpenShift Virtualization uses "openshift-virtualization-os-images".

/** Name of the one HyperConverged resource the operator reconciles. */
export const HYPERCONVERGED_NAME = 'kubevirt-hyperconverged';
/** OLM package of OpenShift Virtualization, whose operator reconciles the HyperConverged. */
export const HYPERCONVERGED_PACKAGE = 'kubevirt-hyperconverged';
/** Namespace OpenShift Virtualization is installed in (and its HyperConverged lives in). */
export const OPENSHIFT_CNV_NAMESPACE = 'openshift-cnv';
/** Namespace where OpenShift Virtualization keeps boot sources (DataImportCrons and DataSources). */
export const GOLDEN_IMAGES_NAMESPACE = 'openshift-virtualization-os-images';

/**
 * The boot sources OpenShift Virtualization 4.14 imports and refreshes by itself in
 * `openshift-virtualization-os-images` (HyperConverged `enableCommonBootImageImport`, on by
 * default), usable with {@link DiskSource.bootSource}.
 *
 * Sources, each name checked:
 * - fedora, centos-stream9: kubevirt/hyperconverged-cluster-operator v1.10.7 (OpenShift
 *   Virtualization 4.14) assets/dataImportCronTemplates/dataImportCronTemplates.yaml, the
 *   `managedDataSource` of its templates (that file also has centos-stream8 and centos7, left out:
 *   OpenShift Virtualization removed both images as end of life, 4.14 release notes, CNV-45783,
 *   openshift/openshift-docs pull 84704).
 * - rhel8, rhel9: the Red Hat images are added by the downstream build of that file, which is not
 *   public; checked in the OpenShift Virtualization documentation instead ("Automatic importing and
 *   updating of pre-defined boot sources" labels `DataSource rhel8 -n
 *   openshift-virtualization-os-images`, docs.openshift.com 4.11; "Managing automatic boot source
 *   updates" names `rhel9-image-cron` with `managedDataSource: rhel9`, read in a later edition than
 *   4.14), and both are `DATA_SOURCE_NAME` of the RHEL templates in kubevirt/ssp-operator v0.18.3
 *   data/common-templates-bundle/common-templates-v0.26.0.yaml. Not checked against the 4.14 build.
 * - Clone permission: kubevirt/ssp-operator v0.18.3 internal/operands/data-sources/resource.go binds
 *   the Role `os-images.kubevirt.io:view` (which grants create on `cdi.kubevirt.io`
 *   `datavolumes/source`) in that namespace to the groups `system:authenticated` and
 *   `system:serviceaccounts`, so every namespace may clone from these without RBAC of its own.
 *
 * SSP also creates empty DataSources for the other templates (win2k22, rhel7 ...); nothing fills
 * them, so they are not offered here.
 */
export const OPENSHIFT_BOOT_SOURCES = ['rhel8', 'rhel9', 'fedora', 'centos-stream9'] as const;

/** Largest int32 (the schema's format of the migration counts). */
const INT32_MAX = 2 ** 31 - 1;
/** A day, as an upper bound of the per-GiB and progress timeouts (seconds). */
const DAY_SECONDS = 86400;

/**
 * What the cluster does with a VM on a node that is drained, when the VM does not say itself
 * (VirtualMachines built with ocpkit always do: see VirtualMachineProps.evictionStrategy).
 */
export enum ClusterEvictionStrategy {
  /** Live-migrate; a VM that cannot migrate blocks the drain until it is stopped by hand. */
  LIVE_MIGRATE = 'LiveMigrate',
  /** Live-migrate when the VM can, otherwise shut it down. */
  LIVE_MIGRATE_IF_POSSIBLE = 'LiveMigrateIfPossible',
  /** Shut the VM down. */
  NONE = 'None',
  /** Block the drain and leave the eviction to an external controller. */
  EXTERNAL = 'External',
}

/** Live-migration limits and timeouts of the cluster (`spec.liveMigrationConfig`). */
export interface LiveMigrationSettings {
  /**
   * Migrations running at the same time in the whole cluster.
   * @default 5 (HCO)
   */
  readonly parallelMigrationsPerCluster?: number;
  /**
   * Migrations leaving one node at the same time. At most `parallelMigrationsPerCluster`.
   * @default 2 (HCO)
   */
  readonly parallelOutboundMigrationsPerNode?: number;
  /**
   * Bandwidth of each migration, per second, as a quantity of bytes (`"1Gi"` = 1 GiB/s,
   * `"512Mi"`). Leave unset for no limit.
   * @default no limit (HCO)
   */
  readonly bandwidthPerMigration?: string | Quantity;
  /**
   * A migration is cancelled when it has not completed after this many seconds per GiB of VM
   * memory (a 6 GiB VM with 800 gets 4800 s).
   * @default 800 (HCO)
   */
  readonly completionTimeoutPerGiB?: number;
  /**
   * A migration is cancelled when the memory copy makes no progress for this many seconds.
   * @default 150 (HCO)
   */
  readonly progressTimeout?: number;
  /**
   * Name of a NetworkAttachmentDefinition in the operator's namespace dedicated to migration
   * traffic, so migrations do not saturate the pod network.
   * @default none: migrations use the pod network
   */
  readonly network?: string;
  /**
   * Let the platform slow a busy VM down so its migration completes.
   * @default false (HCO)
   */
  readonly allowAutoConverge?: boolean;
  /**
   * Switch to post-copy when the completion timeout hits (a network failure during post-copy
   * loses the VM).
   * @default false (HCO)
   */
  readonly allowPostCopy?: boolean;
}

/**
 * A boot source of the cluster's own: a container disk in a registry, polled on a schedule
 * and imported into a DataSource in {@link GOLDEN_IMAGES_NAMESPACE} that VMs clone from.
 */
export interface BootSource {
  /** Name of the DataSource VMs refer to (`fedora-40`): a DNS-1123 label. Also names the DataImportCron. */
  readonly name: string;
  /** Container disk image, `docker://<registry>/<repository>:<tag>` (`docker://quay.io/containerdisks/fedora:40`). */
  readonly registryUrl: string;
  /** Size of each imported disk (`"30Gi"`, a Quantity or a cdk8s `Size`). */
  readonly size: string | QuantityLike;
  /**
   * When the registry is polled for a new image.
   * @default every 12 hours on the hour (the schedule of OpenShift Virtualization's own boot sources)
   */
  readonly schedule?: string | CronLike;
  /**
   * Storage class of the imported disks.
   * @default the cluster's default storage class (or the virtualization default)
   */
  readonly storageClass?: string;
  /**
   * Imported versions kept.
   * @default CDI's default (3)
   */
  readonly importsToKeep?: number;
}

/** Properties of {@link HyperConverged}. */
export interface HyperConvergedProps {
  /**
   * Namespace of the operator (the HyperConverged must be created there). It must be the
   * namespace of the cluster's `kubevirt-hyperconverged` OperatorInstall.
   * @default "openshift-cnv"
   */
  readonly namespace?: string;
  /**
   * Live-migration limits and timeouts.
   * @default HCO's defaults (5 per cluster, 2 per node, no bandwidth limit, 800 s/GiB, 150 s)
   */
  readonly liveMigration?: LiveMigrationSettings;
  /**
   * What happens to VMs on a drained node when they do not say themselves.
   * @default HCO's: LiveMigrate on a highly available cluster, None on a single node
   */
  readonly evictionStrategy?: ClusterEvictionStrategy;
  /**
   * Import and update the boot sources OpenShift Virtualization provides (RHEL, Fedora, CentOS
   * Stream) into {@link GOLDEN_IMAGES_NAMESPACE} (`featureGates.enableCommonBootImageImport`).
   * Turning it off deletes their DataImportCrons; imported images stay.
   * @default true (HCO)
   */
  readonly commonBootImageImport?: boolean;
  /**
   * The cluster's own boot sources (`spec.dataImportCronTemplates`), imported whether or not
   * `commonBootImageImport` is on.
   * @default none
   */
  readonly bootSources?: readonly BootSource[];
  /**
   * CPU model of VMs that set none (`"Skylake-Client-noTSX-IBRS"`, `"EPYC"`); a VM's own model wins.
   * @default host-model (HCO leaves it unset)
   */
  readonly defaultCpuModel?: string;
  /**
   * Allow live migration of VMs with CPU `host-passthrough` (`featureGates.withHostPassthroughCPU`).
   * Only safe when every node has the same CPU.
   * @default false (HCO)
   */
  readonly hostPassthroughCpuMigration?: boolean;
}

/** Default poll schedule of a {@link BootSource} (that of OpenShift Virtualization's own boot sources). */
const DEFAULT_BOOT_SOURCE_SCHEDULE = '0 */12 * * *';
const CPU_MODEL = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const REGISTRY_URL = /^docker:\/\/[^\s/]+\/[^\s]+$/;

/**
 * The operand of OpenShift Virtualization: the `HyperConverged` resource
 * (`hco.kubevirt.io/v1beta1`, named `kubevirt-hyperconverged`, in the operator's namespace).
 * Without it the operator deploys nothing: no KubeVirt, no CDI, so no VM can be created.
 * It carries the cluster-wide VM settings a platform team owns: live-migration limits, the
 * default eviction strategy, boot-source imports and the default CPU model.
 *
 * Define it in the GitOpsApp that holds the `kubevirt-hyperconverged` OperatorInstall (the
 * Subscription syncs in wave -20, this resource in the default wave of custom resources, with
 * `SkipDryRunOnMissingResource` since its CRD arrives with the operator). The synth fails when
 * the cluster has no such install, or installs it in another namespace.
 *
 * Primary object (`ApiObject.of(hc)`, `Overrides.of(hc)`): the HyperConverged.
 *
 * Emits: into the folder of the app it is in a `hco.kubevirt.io/v1beta1` HyperConverged
 * `kubevirt-hyperconverged` in `openshift-cnv` (or the given namespace). It declares the boot
 * sources' DataSources in `openshift-virtualization-os-images` as provided (the common ones while
 * their import is on, and the custom ones), so that VMs cloning them resolve.
 *
 * @see https://github.com/kubevirt/hyperconverged-cluster-operator/blob/release-1.10/docs/cluster-configuration.md
 */
export class HyperConverged extends Construct {
  /** Namespace of the resource (the operator's). */
  public readonly namespace: string;
  /** Whether the common boot sources are imported. */
  public readonly commonBootImageImport: boolean;
  /** Names of the DataSources of {@link HyperConvergedProps.bootSources}, in {@link GOLDEN_IMAGES_NAMESPACE}. */
  public readonly bootSourceNames: readonly string[];
  /** The HyperConverged resource. */
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: HyperConvergedProps = {}) {
    super(scope, id);
    const p = new Problems(this.node.path);
    const namespace = props.namespace ?? OPENSHIFT_CNV_NAMESPACE;
    p.check('namespace', namespace, dnsLabel);

    const lm = props.liveMigration;
    const migration: Record<string, unknown> = {};
    if (lm !== undefined) {
      if (typeof lm !== 'object' || lm === null) {
        p.add('liveMigration', `${show(lm)} must be an object of live-migration settings`);
      } else {
        if (lm.parallelMigrationsPerCluster !== undefined && p.check('liveMigration.parallelMigrationsPerCluster', lm.parallelMigrationsPerCluster, intRange(1, INT32_MAX))) {
          migration.parallelMigrationsPerCluster = lm.parallelMigrationsPerCluster;
        }
        if (lm.parallelOutboundMigrationsPerNode !== undefined && p.check('liveMigration.parallelOutboundMigrationsPerNode', lm.parallelOutboundMigrationsPerNode, intRange(1, INT32_MAX))) {
          migration.parallelOutboundMigrationsPerNode = lm.parallelOutboundMigrationsPerNode;
        }
        const perCluster = (migration.parallelMigrationsPerCluster as number | undefined) ?? 5;
        const perNode = migration.parallelOutboundMigrationsPerNode as number | undefined;
        if (perNode !== undefined && perNode > perCluster) {
          p.add('liveMigration.parallelOutboundMigrationsPerNode', `${perNode} is more than the ${perCluster} migrations allowed in the whole cluster (parallelMigrationsPerCluster); it must be at most that`);
        }
        if (lm.bandwidthPerMigration !== undefined) {
          const bw = lm.bandwidthPerMigration;
          const bad = bw instanceof Quantity ? undefined : quantityProblem(bw);
          if (bad) p.add('liveMigration.bandwidthPerMigration', `${bad}; write bytes per second such as "1Gi" or "512Mi"`);
          else {
            const q = bw instanceof Quantity ? bw : Quantity.parse(bw as string);
            if (typeof bw === 'number' || q.value < 2 ** 20) {
              p.add('liveMigration.bandwidthPerMigration', `${show(String(bw))} is below 1Mi per second (or has no unit); write bytes per second such as "1Gi" or "512Mi", or leave it unset for no limit`);
            } else migration.bandwidthPerMigration = q.toString();
          }
        }
        if (lm.completionTimeoutPerGiB !== undefined && p.check('liveMigration.completionTimeoutPerGiB', lm.completionTimeoutPerGiB, intRange(1, DAY_SECONDS))) {
          migration.completionTimeoutPerGiB = lm.completionTimeoutPerGiB;
        }
        if (lm.progressTimeout !== undefined && p.check('liveMigration.progressTimeout', lm.progressTimeout, intRange(1, DAY_SECONDS))) {
          migration.progressTimeout = lm.progressTimeout;
        }
        if (lm.network !== undefined && p.check('liveMigration.network', lm.network, dnsSubdomain)) migration.network = lm.network;
        for (const flag of ['allowAutoConverge', 'allowPostCopy'] as const) {
          const v = lm[flag];
          if (v === undefined) continue;
          if (typeof v !== 'boolean') p.add(`liveMigration.${flag}`, `${show(v)} must be true or false`);
          else migration[flag] = v;
        }
      }
    }

    if (props.evictionStrategy !== undefined) p.check('evictionStrategy', props.evictionStrategy, oneOf(Object.values(ClusterEvictionStrategy)));
    for (const flag of ['commonBootImageImport', 'hostPassthroughCpuMigration'] as const) {
      const v = props[flag];
      if (v !== undefined && typeof v !== 'boolean') p.add(flag, `${show(v)} must be true or false`);
    }
    if (props.defaultCpuModel !== undefined && (typeof props.defaultCpuModel !== 'string' || !CPU_MODEL.test(props.defaultCpuModel))) {
      p.add('defaultCpuModel', `${show(props.defaultCpuModel)} is not a CPU model name (libvirt names such as "Skylake-Client-noTSX-IBRS" or "EPYC")`);
    }

    const templates: unknown[] = [];
    const bootSources = props.bootSources ?? [];
    if (!Array.isArray(bootSources)) {
      p.add('bootSources', `${show(bootSources)} must be a list of boot sources`);
    } else {
      bootSources.forEach((b, i) => {
        const t = this.bootSourceTemplate(p, `bootSources[${i}]`, b);
        if (t) templates.push(t);
      });
      for (const d of duplicates(bootSources.map((b) => b?.name))) {
        p.add('bootSources', `boot source ${show(d)} is defined twice; HCO refuses two dataImportCronTemplates with the same name`);
      }
    }

    if (Tenant.enclosing(this)) {
      p.add('', `a HyperConverged configures OpenShift Virtualization for the whole cluster and cannot be defined inside a Tenant; define it in the GitOpsApp of its OperatorInstall (for example "platform-operators")`);
    } else if (!GitOpsApp.enclosing(this)) {
      p.add('', 'a HyperConverged must be defined inside a GitOpsApp, the one of its OperatorInstall (for example "platform-operators")');
    }
    p.throwIfAny();

    this.namespace = namespace;
    this.commonBootImageImport = props.commonBootImageImport ?? true;
    this.bootSourceNames = bootSources.map((b) => b.name);

    const featureGates: Record<string, boolean> = {};
    if (props.commonBootImageImport !== undefined) featureGates.enableCommonBootImageImport = props.commonBootImageImport;
    if (props.hostPassthroughCpuMigration !== undefined) featureGates.withHostPassthroughCPU = props.hostPassthroughCpuMigration;
    const spec: Record<string, unknown> = {};
    if (Object.keys(featureGates).length) spec.featureGates = featureGates;
    if (Object.keys(migration).length) spec.liveMigrationConfig = migration;
    if (props.evictionStrategy !== undefined) spec.evictionStrategy = props.evictionStrategy;
    if (props.defaultCpuModel !== undefined) spec.defaultCPUModel = props.defaultCpuModel;
    if (templates.length) spec.dataImportCronTemplates = templates;

    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: 'hco.kubevirt.io/v1beta1',
      kind: 'HyperConverged',
      metadata: { name: HYPERCONVERGED_NAME, namespace },
      spec,
    });
    this.node.defaultChild = this.resource;

    // The boot sources' DataSources exist once the operator has imported them: the common ones
    // while boot image import is on (the default), and the custom ones.
    if (this.commonBootImageImport) {
      for (const name of OPENSHIFT_BOOT_SOURCES) Provides.of(this).dataSource(GOLDEN_IMAGES_NAMESPACE, name, { by: 'OpenShift Virtualization (common boot source, enableCommonBootImageImport)' });
    }
    for (const name of this.bootSourceNames) {
      Provides.of(this).dataSource(GOLDEN_IMAGES_NAMESPACE, name, { by: 'OpenShift Virtualization (custom boot source of the HyperConverged)' });
    }

    this.node.addValidation({ validate: () => this.checkCluster() });
  }

  private bootSourceTemplate(p: Problems, field: string, b: BootSource): unknown {
    if (typeof b !== 'object' || b === null) {
      p.add(field, `${show(b)} must be a boot source ({ name, registryUrl, size })`);
      return undefined;
    }
    const before = p.size;
    p.check(`${field}.name`, b.name, dnsLabel);
    const cred = noUrlCredentials(b.registryUrl);
    if (cred) p.add(`${field}.registryUrl`, cred);
    else if (typeof b.registryUrl !== 'string' || !REGISTRY_URL.test(b.registryUrl)) {
      p.add(`${field}.registryUrl`, `${show(b.registryUrl)} is not a container disk URL; write "docker://<registry>/<repository>:<tag>" (DataImportCrons import from registries only)`);
    }
    const size = toQuantity(p, `${field}.size`, b.size, true);
    if (size && size.value < 2 ** 30) p.add(`${field}.size`, `${show(String(size))} is below 1Gi; a boot disk needs more (write "20Gi", "30Gi" ...)`);
    const given = asCronSchedule(b.schedule);
    const schedule = given === undefined ? DEFAULT_BOOT_SOURCE_SCHEDULE : given instanceof CronSchedule ? given.toString() : given;
    const cronBad = given instanceof CronSchedule ? given.problem() : cronProblem(schedule);
    if (cronBad) p.add(`${field}.schedule`, cronBad);
    if (b.storageClass !== undefined) p.check(`${field}.storageClass`, b.storageClass, dnsSubdomain);
    if (b.importsToKeep !== undefined) p.check(`${field}.importsToKeep`, b.importsToKeep, intRange(1, 100));
    if (p.size > before) return undefined;
    return {
      metadata: { name: b.name },
      spec: {
        schedule,
        managedDataSource: b.name,
        ...(b.importsToKeep !== undefined ? { importsToKeep: b.importsToKeep } : {}),
        template: {
          spec: {
            source: { registry: { url: b.registryUrl } },
            storage: {
              ...(b.storageClass !== undefined ? { storageClassName: b.storageClass } : {}),
              resources: { requests: { storage: size!.toString() } },
            },
          },
        },
      },
    };
  }

  /** The operator must be installed in this cluster, in this resource's namespace; one HyperConverged per cluster. */
  private checkCluster(): string[] {
    const out: string[] = [];
    const installs = TreeIndex.ofType(this, OperatorInstall).filter((i) => i.packageName === HYPERCONVERGED_PACKAGE);
    if (installs.length === 0) {
      out.push(`operator: the cluster has no OperatorInstall of package "${HYPERCONVERGED_PACKAGE}" (OpenShift Virtualization); the HyperConverged is its operand and nothing reconciles it without one. Add the install (namespace "${OPENSHIFT_CNV_NAMESPACE}") in the same GitOpsApp`);
    } else if (!installs.some((i) => i.operatorNamespace === this.namespace)) {
      out.push(`namespace: "${this.namespace}" is not where OpenShift Virtualization is installed (${installs.map((i) => `"${i.operatorNamespace}" by ${i.node.path}`).join(', ')}); the operator accepts its HyperConverged only in its own namespace`);
    }
    const others = TreeIndex.ofType(this, HyperConverged).filter((h) => h !== this);
    if (others.length) {
      out.push(`the cluster has another HyperConverged (${others.map((h) => h.node.path).join(', ')}); the operator reconciles one only, named "${HYPERCONVERGED_NAME}"`);
    }
    return out;
  }
}
