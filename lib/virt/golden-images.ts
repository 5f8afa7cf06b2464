import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { asCronSchedule, CronLike, CronSchedule, cronProblem } from '../backup/cron';
import { Problems, show } from '../core/errors';
import { QuantityLike } from '../core/quantity';
import { dnsLabel, dnsSubdomain, intRange, oneOf } from '../core/rules';
import { GitOpsApp } from '../gitops/gitops-app';
import { Provides } from '../refs/provides';
import { Tenant } from '../tenancy/tenant';
import { AccessMode, IDataSource, VolumeMode } from './disk-source';
import { IInstancetype, IPreference } from './instancetype';
import { toQuantity } from './vm-disks';

// Upstream facts (kubevirt/containerized-data-importer v1.57.0, the CDI of OpenShift
// Virtualization 4.14; kubevirt/kubevirt v1.0.1, its KubeVirt):
// - pkg/controller/dataimportcron-controller.go (updateDataSource, newDataSource): the cron creates
//   its `managedDataSource` when it is missing, labelled `cdi.kubevirt.io/dataImportCron: <cron>`,
//   and points it at the last imported PVC (or VolumeSnapshot, per the StorageProfile's
//   dataImportCronSourceFormat). A DataSource that exists without that label "is not updated". So
//   the stack must NOT write the DataSource: it declares it (Provides) and lets CDI own it.
// - same file: each import is a DataVolume `<dataSource>-<12 hex of the digest>`, annotated for
//   immediate binding by CDI itself; garbageCollect "Outdated" keeps the newest importsToKeep
//   (default 3); retentionPolicy "None" deletes DataSource, DataVolumes and PVCs with the cron,
//   anything else keeps them (setDataImportCronResourceLabels, cleanup); labels
//   instancetype.kubevirt.io/default-{instancetype,preference}[-kind] of the cron are copied to the
//   DataSource (passCronLabelToDataSource); two crons managing one DataSource: the second is
//   ignored with event ErrDataSourceAlreadyManaged (shouldReconcileCron).
// - pkg/apiserver/webhooks/dataimportcron-validate.go: a registry source is required; sourceRef,
//   contentType and checkpoints are refused; the schedule must parse; importsToKeep >= 0;
//   garbageCollect is "Outdated" or "Never"; names at most 63 characters; and the spec cannot be
//   updated ("Cannot update DataImportCron Spec"): a changed spec needs the cron recreated.
// - staging/src/kubevirt.io/containerized-data-importer-api/pkg/apis/core/v1beta1/authorize_utils.go:
//   a clone from a DataSource is authorised against the namespace of the PVC/snapshot the
//   DataSource points to; for a service account the SubjectAccessReview asks for create on
//   `cdi.kubevirt.io` `datavolumes/source` there as user system:serviceaccount:<ns>:<sa> with groups
//   system:serviceaccounts, system:serviceaccounts:<ns>, system:authenticated; refused with "User
//   %s has insufficient permissions in clone source namespace %s".
// - kubevirt/kubevirt v1.0.1 pkg/virt-api/webhooks/validating-webhook/admitters/vms-admitter.go
//   (authorizeVirtualMachineSpec): a VM's dataVolumeTemplates are authorised for the VM's service
//   account: `default`, or the one of a serviceAccount volume. Binding the group
//   system:serviceaccounts:<consumer> covers both.

/** Default poll schedule: every 12 hours, the schedule of OpenShift Virtualization's own boot sources (HCO v1.10.7 dataImportCronTemplates). */
export const DEFAULT_GOLDEN_IMAGE_SCHEDULE = '0 */12 * * *';
/** Name of the Role (in the golden-images namespace) that lets a namespace clone its images. */
export const GOLDEN_IMAGE_CLONER_ROLE = 'golden-image-cloner';
/** CDI's limit on DataImportCron and DataSource names (DNS-1035 label length). */
const MAX_NAME = 63;
/** Suffix of the DataImportCron of a boot source (OpenShift's own crons are named `<source>-image-cron`). */
const CRON_SUFFIX = '-image-cron';
const IMAGE = /^(docker:\/\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d+)?\/[-a-z0-9._/]+(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})?$/;

/** Properties of {@link GoldenImages}. */
export interface GoldenImagesProps {
  /**
   * Namespace holding the images (created by this construct).
   * @default 'golden-images'
   */
  readonly namespace?: string;
  /**
   * Display name of the namespace in the console.
   * @default 'Golden VM images'
   */
  readonly displayName?: string;
}

/** Options of {@link GoldenImages.addBootSource}. */
export interface GoldenImageOptions {
  /** Name of the DataSource VMs clone from (`rhel-9-infra`): a DNS-1123 label of at most 52 characters (the cron adds `-image-cron`). */
  readonly name: string;
  /**
   * Container disk image polled for new versions (`registry.example.org/images/rhel-9:latest`;
   * `docker://` is added when missing). A tag is followed: each new digest is imported. A digest
   * is imported once.
   */
  readonly image: string;
  /**
   * Size of each imported disk (`"30Gi"`, a Quantity or a cdk8s `Size`), at least the image's
   * virtual size.
   */
  readonly size: string | QuantityLike;
  /**
   * When the registry is polled.
   * @default every 12 hours (`DEFAULT_GOLDEN_IMAGE_SCHEDULE`)
   */
  readonly schedule?: string | CronLike;
  /**
   * Imported versions kept; older ones are deleted after a new import (garbage collection).
   * VMs already cloned from an old version are not affected.
   * @default 3 (CDI)
   */
  readonly importsToKeep?: number;
  /**
   * Delete outdated imports (keep `importsToKeep`). `false` keeps every import forever.
   * @default true
   */
  readonly garbageCollect?: boolean;
  /**
   * Keep the DataSource and the imported disks when the boot source is removed from the stack
   * (and when the DataImportCron is recreated to change its spec, which CDI does not allow
   * to be updated).
   * @default true
   */
  readonly retainOnDelete?: boolean;
  /**
   * Storage class of the imports.
   * @default the virtualization default (or cluster default) storage class
   */
  readonly storageClass?: string;
  /** @default the StorageProfile's (CDI `storage` API) */
  readonly accessMode?: AccessMode;
  /** @default the StorageProfile's (CDI `storage` API) */
  readonly volumeMode?: VolumeMode;
  /**
   * Secret (in the golden-images namespace) with registry credentials (`accessKeyId`/`secretKey`).
   * @default anonymous pull
   */
  readonly secretRef?: string;
  /**
   * ConfigMap (in the golden-images namespace) with the registry's CA bundle.
   * @default the system trust store
   */
  readonly certConfigMap?: string;
  /**
   * Instancetype KubeVirt infers for VMs booting from this image (`inferFromVolume`), copied by
   * CDI onto the DataSource as `instancetype.kubevirt.io/default-instancetype`.
   * @default none
   */
  readonly defaultInstancetype?: IInstancetype;
  /** Preference inferred the same way (`instancetype.kubevirt.io/default-preference`). @default none */
  readonly defaultPreference?: IPreference;
}

/** A boot source of a {@link GoldenImages} namespace: a DataSource a {@link DiskSource.dataSource} clones. */
export class GoldenImage implements IDataSource {
  /** @internal */
  constructor(
    public readonly dataSourceNamespace: string,
    public readonly dataSourceName: string,
    /** The DataImportCron that imports and refreshes it. */
    public readonly cron: ApiObject,
  ) {}

  public toString(): string {
    return `DataSource ${this.dataSourceNamespace}/${this.dataSourceName}`;
  }
}

/**
 * A namespace of golden VM images that refresh themselves: each boot source is a CDI
 * `DataImportCron` that polls a registry image on a schedule, imports every new version, keeps
 * the newest few, and points a `DataSource` (which CDI creates and owns) at the latest import.
 * VMs clone from the DataSource ({@link DiskSource.dataSource}); a VM created after a refresh
 * gets the new image, VMs created before keep their own disk.
 *
 * Other namespaces may clone only when allowed ({@link allowCloneFrom}): CDI authorises a clone
 * against the source namespace. The DataSources are declared as provided (Provides), so the
 * reference check resolves VMs that clone from them and fails those that clone from anything
 * else.
 *
 * ```ts
 * const golden = new GoldenImages(platformApp, 'GoldenImages');
 * const rhel9 = golden.addBootSource({ name: 'rhel-9', image: 'registry.example.org/images/rhel-9:latest', size: '30Gi' });
 * golden.allowCloneFrom('infra-vms').allowCloneFrom(openqaTenant);
 * new VirtualMachine(vmsApp, 'Relay', { ..., rootDisk: { source: DiskSource.dataSource(rhel9), size: '30Gi' } });
 * ```
 *
 * Primary object (`ApiObject.of(g)`): the Namespace.
 *
 * Emits: into its platform app's folder the Namespace (default `golden-images`); per boot source a
 * `cdi.kubevirt.io/v1beta1` DataImportCron `<source>-image-cron` in it; for the first
 * {@link GoldenImages.allowCloneFrom} the Role `golden-image-cloner` (create
 * `datavolumes/source`), and per allowed namespace a RoleBinding `clone-to-<namespace>` for its
 * ServiceAccounts. The DataSources (named as the boot sources) are CDI's: declared as provided, not
 * written.
 */
export class GoldenImages extends Construct {
  /** The namespace of the images. */
  public readonly namespace: string;
  /** The Namespace object. */
  public readonly namespaceObject: k8s.KubeNamespace;
  private readonly sources = new Map<string, GoldenImage>();
  private readonly consumers = new Set<string>();
  private role?: k8s.KubeRole;

  constructor(scope: Construct, id: string, props: GoldenImagesProps = {}) {
    super(scope, id);
    const p = new Problems(this.node.path);
    const namespace = props.namespace ?? 'golden-images';
    p.check('namespace', namespace, dnsLabel);
    if (typeof namespace === 'string' && /^(openshift|kube)-/.test(namespace)) {
      p.add('namespace', `${show(namespace)} is a reserved prefix; OpenShift Virtualization's own boot sources are in openshift-virtualization-os-images (use DiskSource.bootSource for those)`);
    }
    if (props.displayName !== undefined && (typeof props.displayName !== 'string' || props.displayName.trim() === '')) {
      p.add('displayName', `${show(props.displayName)} must be a non-empty string`);
    }
    if (Tenant.enclosing(this)) {
      p.add('', 'golden images are shared by the namespaces allowed to clone them and cannot be defined inside a Tenant (its admins could replace the images); define them in a platform GitOpsApp');
    } else if (!GitOpsApp.enclosing(this)) {
      p.add('', 'GoldenImages must be defined inside a GitOpsApp');
    }
    p.throwIfAny();
    this.namespace = namespace;
    this.namespaceObject = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: { name: namespace, annotations: { 'openshift.io/display-name': props.displayName ?? 'Golden VM images' } },
    });
    this.node.defaultChild = this.namespaceObject;
  }

  /** The boot sources added so far. */
  public get bootSources(): readonly GoldenImage[] {
    return [...this.sources.values()];
  }

  /**
   * Adds a boot source: a DataImportCron `<name>-image-cron` that imports `image` on `schedule`
   * and manages the DataSource `<name>`. Nothing is added when the options are invalid.
   */
  public addBootSource(options: GoldenImageOptions): GoldenImage {
    const o = options ?? ({} as GoldenImageOptions);
    const field = `addBootSource(${show(o.name)})`;
    const p = new Problems(this.node.path);
    if (p.check(`${field} name`, o.name, dnsLabel) && o.name.length + CRON_SUFFIX.length > MAX_NAME) {
      p.add(`${field} name`, `${show(o.name)} is longer than ${MAX_NAME - CRON_SUFFIX.length} characters; CDI refuses DataImportCron names over ${MAX_NAME} (the cron is named "<name>${CRON_SUFFIX}")`);
    }
    if (typeof o.name === 'string' && this.sources.has(o.name)) {
      p.add(`${field} name`, `boot source ${show(o.name)} is already defined in ${this.namespace}; CDI lets one DataImportCron manage a DataSource (a second one is ignored)`);
    }
    let image: string | undefined;
    if (typeof o.image !== 'string' || !IMAGE.test(o.image)) {
      p.add(`${field} image`, `${show(o.image)} is not a container disk image reference (for example "quay.io/containerdisks/fedora:40"); DataImportCrons import from registries only`);
    } else image = o.image.replace(/^docker:\/\//, '');
    const size = toQuantity(p, `${field} size`, o.size, true);
    if (size && size.value < 2 ** 30) p.add(`${field} size`, `${show(String(size))} is below 1Gi; a boot disk needs more (write "20Gi", "30Gi" ...)`);
    const given = asCronSchedule(o.schedule);
    const schedule = given === undefined ? DEFAULT_GOLDEN_IMAGE_SCHEDULE : String(given);
    const cronBad = given instanceof CronSchedule ? given.problem() : cronProblem(schedule);
    if (cronBad) p.add(`${field} schedule`, cronBad);
    if (o.importsToKeep !== undefined) p.check(`${field} importsToKeep`, o.importsToKeep, intRange(1, 100));
    for (const flag of ['garbageCollect', 'retainOnDelete'] as const) {
      if (o[flag] !== undefined && typeof o[flag] !== 'boolean') p.add(`${field} ${flag}`, `${show(o[flag])} must be true or false`);
    }
    if (o.garbageCollect === false && o.importsToKeep !== undefined) {
      p.add(`${field} importsToKeep`, 'has no effect with garbageCollect: false (every import is kept); drop one of them');
    }
    if (o.storageClass !== undefined) p.check(`${field} storageClass`, o.storageClass, dnsSubdomain);
    if (o.accessMode !== undefined) p.check(`${field} accessMode`, o.accessMode, oneOf(Object.values(AccessMode)));
    if (o.volumeMode !== undefined) p.check(`${field} volumeMode`, o.volumeMode, oneOf(Object.values(VolumeMode)));
    if (o.secretRef !== undefined) p.check(`${field} secretRef`, o.secretRef, dnsSubdomain);
    if (o.certConfigMap !== undefined) p.check(`${field} certConfigMap`, o.certConfigMap, dnsSubdomain);
    if (o.defaultInstancetype !== undefined && typeof o.defaultInstancetype?.instancetypeName !== 'string') {
      p.add(`${field} defaultInstancetype`, `${show(o.defaultInstancetype)} is not an instancetype; use a ClusterInstancetype or ClusterInstancetype.fromName("u1.medium")`);
    }
    if (o.defaultPreference !== undefined && typeof o.defaultPreference?.preferenceName !== 'string') {
      p.add(`${field} defaultPreference`, `${show(o.defaultPreference)} is not a preference; use a ClusterPreference or ClusterPreference.fromName("rhel.9")`);
    }
    p.throwIfAny();

    const labels: Record<string, string> = {};
    if (o.defaultInstancetype) {
      labels['instancetype.kubevirt.io/default-instancetype'] = o.defaultInstancetype.instancetypeName;
      labels['instancetype.kubevirt.io/default-instancetype-kind'] = 'VirtualMachineClusterInstancetype';
    }
    if (o.defaultPreference) {
      labels['instancetype.kubevirt.io/default-preference'] = o.defaultPreference.preferenceName;
      labels['instancetype.kubevirt.io/default-preference-kind'] = 'VirtualMachineClusterPreference';
    }
    const storage: Record<string, unknown> = {};
    if (o.storageClass !== undefined) storage.storageClassName = o.storageClass;
    if (o.accessMode !== undefined) storage.accessModes = [o.accessMode];
    if (o.volumeMode !== undefined) storage.volumeMode = o.volumeMode;
    storage.resources = { requests: { storage: size!.toString() } };
    const registry: Record<string, unknown> = { url: `docker://${image}` };
    if (o.secretRef !== undefined) registry.secretRef = o.secretRef;
    if (o.certConfigMap !== undefined) registry.certConfigMap = o.certConfigMap;
    const gc = o.garbageCollect ?? true;

    const cron = new ApiObject(this, `BootSource-${o.name}`, {
      apiVersion: 'cdi.kubevirt.io/v1beta1',
      kind: 'DataImportCron',
      metadata: { name: `${o.name}${CRON_SUFFIX}`, namespace: this.namespace, ...(Object.keys(labels).length ? { labels } : {}) },
      spec: {
        schedule,
        managedDataSource: o.name,
        garbageCollect: gc ? 'Outdated' : 'Never',
        ...(gc ? { importsToKeep: o.importsToKeep ?? 3 } : {}),
        retentionPolicy: o.retainOnDelete === false ? 'None' : 'All',
        template: { spec: { source: { registry }, storage } },
      },
    });
    // CDI creates and owns the DataSource (see the facts above): declared, never written.
    Provides.of(this).dataSource(this.namespace, o.name, { by: `CDI (DataImportCron ${o.name}${CRON_SUFFIX} of ${this.node.path})` });
    const source = new GoldenImage(this.namespace, o.name, cron);
    this.sources.set(o.name, source);
    return source;
  }

  /**
   * Lets the VMs (and DataVolumes) of another namespace clone the images: a RoleBinding in the
   * golden-images namespace giving the group `system:serviceaccounts:<namespace>` (every service
   * account of that namespace, which is whom KubeVirt and CDI check) a Role with create on
   * `cdi.kubevirt.io` `datavolumes/source`, and nothing else. Accepts a namespace name, a Tenant
   * or a GitOpsApp with a namespace.
   */
  public allowCloneFrom(consumer: string | GitOpsApp): GoldenImages {
    const target = consumer instanceof Tenant ? consumer.tenantName : consumer instanceof GitOpsApp ? consumer.namespace : consumer;
    const p = new Problems(this.node.path);
    const field = 'allowCloneFrom';
    if (consumer instanceof GitOpsApp && !(consumer instanceof Tenant) && target === undefined) {
      p.add(field, `GitOpsApp "${consumer.appName}" has no namespace; give the namespace name instead`);
    } else if (p.check(field, target, dnsLabel)) {
      if (target === this.namespace) p.add(field, `"${target}" is the golden-images namespace itself; clones inside one namespace need no permission`);
      else if (this.consumers.has(target!)) p.add(field, `namespace "${target}" is already allowed to clone from ${this.namespace}`);
    }
    p.throwIfAny();
    this.role ??= new k8s.KubeRole(this, 'ClonerRole', {
      metadata: { name: GOLDEN_IMAGE_CLONER_ROLE, namespace: this.namespace },
      rules: [{ apiGroups: ['cdi.kubevirt.io'], resources: ['datavolumes/source'], verbs: ['create'] }],
    });
    new k8s.KubeRoleBinding(this, `CloneTo-${target}`, {
      metadata: { name: `clone-to-${target}`, namespace: this.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: GOLDEN_IMAGE_CLONER_ROLE },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: `system:serviceaccounts:${target}` }],
    });
    this.consumers.add(target!);
    return this;
  }

  /** Namespaces allowed to clone, in the order they were added. */
  public get cloneConsumers(): readonly string[] {
    return [...this.consumers];
  }
}
