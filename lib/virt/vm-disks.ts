import {
  VirtualMachineSpecDataVolumeTemplates,
  VirtualMachineSpecDataVolumeTemplatesSpecSource,
  VirtualMachineSpecDataVolumeTemplatesSpecSourceRef,
  VirtualMachineSpecDataVolumeTemplatesSpecStorageResourcesRequests,
  VirtualMachineSpecTemplateSpecDomainDevicesDisks,
  VirtualMachineSpecTemplateSpecVolumes,
} from '../../imports/kubevirt-vm-kubevirt.io';
import { Problems, show } from '../core/errors';
import { asQuantity, Quantity, QuantityLike, quantityProblem } from '../core/quantity';
import { dnsLabel, httpUrl, oneOf } from '../core/rules';
import { AccessMode, DiskSource, VolumeMode } from './disk-source';
import { storageClassName } from './_vm-rules';

/** CDI annotation that keeps completed DataVolumes (so Argo CD does not see them vanish). */
export const DELETE_AFTER_COMPLETION_ANNOTATION = 'cdi.kubevirt.io/storage.deleteAfterCompletion';

/** Storage settings shared by the root disk and data disks. */
export interface DiskStorageOptions {
  /**
   * Size of the volume (`40Gi`, a Quantity or a cdk8s `Size`). Not used for
   * {@link DiskSource.existingPvc}.
   */
  readonly size?: string | QuantityLike;
  /**
   * StorageClass of the volume.
   * @default the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Access mode. ReadWriteMany lets the VM live-migrate.
   * @default AccessMode.READ_WRITE_MANY
   */
  readonly accessMode?: AccessMode;
  /**
   * Volume mode.
   * @default VolumeMode.BLOCK
   */
  readonly volumeMode?: VolumeMode;
  /**
   * For {@link DiskSource.existingPvc}: copy the claim once into a new ReadWriteMany Block
   * DataVolume `<vm>-<disk>` (`<vm>-<disk>-rwx` when that is the claim's own name) and use that, so the VM can live-migrate. The DataVolume is a CDI
   * clone of the claim (same namespace); `size` may be given (at least the claim's size) or left
   * out (CDI takes the claim's size), `storageClass` picks the new class. CDI starts the copy only
   * once no pod uses the claim, so stop the VM once after the change (`virtctl stop`, then start).
   * The old claim stays until removed by hand.
   * @default false (the claim is used as it is)
   */
  readonly moveToReadWriteMany?: boolean;
}

/** One volume of a VM, as rendered. */
export interface VmVolume {
  /** Volume and disk name inside the VM spec. */
  readonly name: string;
  readonly dataVolumeName?: string;
  readonly claimName?: string;
  readonly size?: Quantity;
  readonly accessMode?: AccessMode;
  readonly cdrom?: boolean;
  /** Serial number the guest sees (data disks that ask for one). */
  readonly serial?: string;
  /** The existing claim this disk is copied from ({@link DiskStorageOptions.moveToReadWriteMany}). */
  readonly movedFrom?: string;
  /** What the disk holds, for messages. */
  readonly source: DiskSource;
  readonly template?: VirtualMachineSpecDataVolumeTemplates;
}

/**
 * Turns a string or Quantity (with `sized`, also a cdk8s `Size`: memory and storage, never CPU)
 * into a Quantity, or records why it is not one.
 */
export function toQuantity(p: Problems, field: string, raw: unknown, sized = false): Quantity | undefined {
  const v = sized ? asQuantity(raw) : raw;
  if (v instanceof Quantity) return v;
  if (sized && typeof v !== 'string' && typeof v !== 'number') {
    p.add(field, `${show(v)} must be a quantity string ("8Gi"), a Quantity or a cdk8s Size (Size.gibibytes(8))`);
    return undefined;
  }
  const m = quantityProblem(v);
  if (m) {
    p.add(field, m);
    return undefined;
  }
  return Quantity.parse(String(v));
}

/**
 * The disks of a VM: the volumes and the CDI DataVolume templates behind them. `plan` checks one
 * disk against the rules and the disks already there without changing anything; `commit` adds
 * what `plan` returned. A VM adds a disk only when the plan holds no problem.
 */
export class VmDisks {
  private readonly volumes: VmVolume[] = [];

  constructor(private readonly vmName: string, private readonly namespace: string) {}

  /** The volumes, in disk order. */
  public get all(): readonly VmVolume[] {
    return this.volumes;
  }

  /** True when every disk is ReadWriteMany (and there is at least one), so the VM can live-migrate. */
  public get liveMigratable(): boolean {
    return this.volumes.length > 0 && this.volumes.every((v) => v.accessMode === AccessMode.READ_WRITE_MANY);
  }

  /** Sum of the sizes of the volumes the VM creates. */
  public get storage(): Quantity {
    return Quantity.parse(String(this.volumes.reduce((s, v) => s + (v.size?.value ?? 0), 0)));
  }

  /** Number of PersistentVolumeClaims the VM creates (its DataVolume templates). */
  public get claimCount(): number {
    return this.volumes.filter((v) => v.template).length;
  }

  /**
   * The volumes one disk adds (two for an ISO installer: the blank root disk and the CD-ROM), or
   * undefined with the reasons in `p`. Checks names against the disks already added.
   */
  public plan(p: Problems, field: string, volName: string, dvName: string, opts: DiskStorageOptions & { readonly source: DiskSource }): VmVolume[] | undefined {
    const before = p.size;
    const planned = this.volumesOf(p, field, volName, dvName, opts);
    if (!planned) return undefined;
    for (const v of planned) {
      if (this.volumes.some((x) => x.name === v.name)) p.add('dataDisks', `disk name "${v.name}" is used twice`);
      if (v.dataVolumeName && this.volumes.some((x) => x.dataVolumeName === v.dataVolumeName)) p.add('dataDisks', `DataVolume name "${v.dataVolumeName}" is used twice`);
      if (v.dataVolumeName && v.dataVolumeName.length > 63) p.add('name', `DataVolume name "${v.dataVolumeName}" is longer than 63 characters; shorten the VM or disk name`);
    }
    return p.size === before ? planned : undefined;
  }

  /** Adds what {@link plan} returned. */
  public commit(planned: readonly VmVolume[]): void {
    this.volumes.push(...planned);
  }

  /** The disks, volumes and DataVolume templates of the VM spec. */
  public render(usePreference: boolean): {
    disks: VirtualMachineSpecTemplateSpecDomainDevicesDisks[];
    volumes: VirtualMachineSpecTemplateSpecVolumes[];
    dataVolumeTemplates: VirtualMachineSpecDataVolumeTemplates[];
  } {
    const disks: VirtualMachineSpecTemplateSpecDomainDevicesDisks[] = [];
    const volumes: VirtualMachineSpecTemplateSpecVolumes[] = [];
    let boot = 1;
    for (const v of this.volumes) {
      disks.push(v.cdrom
        ? { name: v.name, cdrom: { bus: 'sata', readonly: true }, bootOrder: v.name === 'installer' ? 2 : undefined }
        : { name: v.name, disk: usePreference ? {} : { bus: 'virtio' }, bootOrder: v.name === 'rootdisk' ? boot++ : undefined, serial: v.serial });
      volumes.push(v.claimName
        ? { name: v.name, persistentVolumeClaim: { claimName: v.claimName } }
        : { name: v.name, dataVolume: { name: v.dataVolumeName ?? v.name } });
    }
    const dataVolumeTemplates = this.volumes.flatMap((v) => (v.template ? [v.template] : []));
    return { disks, volumes, dataVolumeTemplates };
  }

  private volumesOf(p: Problems, field: string, volName: string, dvName: string, opts: DiskStorageOptions & { readonly source: DiskSource }): VmVolume[] | undefined {
    const src = opts.source;
    const o = src.options;
    const before = p.size;
    if (opts.accessMode !== undefined) p.check(`${field}.accessMode`, opts.accessMode, oneOf(Object.values(AccessMode)));
    if (opts.volumeMode !== undefined) p.check(`${field}.volumeMode`, opts.volumeMode, oneOf(Object.values(VolumeMode)));
    if (opts.storageClass !== undefined) p.check(`${field}.storageClass`, opts.storageClass, storageClassName);
    if (opts.moveToReadWriteMany !== undefined && typeof opts.moveToReadWriteMany !== 'boolean') p.add(`${field}.moveToReadWriteMany`, `${show(opts.moveToReadWriteMany)} must be true or false`);
    if (src.kind === 'existingPvc') {
      if (!p.check(`${field}.source.claimName`, o.claimName, dnsLabel)) return undefined;
      if (opts.moveToReadWriteMany === true) return this.moveOf(p, field, volName, dvName, opts, String(o.claimName), before);
      if (opts.size !== undefined) p.add(`${field}.size`, `an existing PVC keeps its own size; drop size for ${src} (or set moveToReadWriteMany: true to copy it into a new DataVolume of that size)`);
      if (p.size > before) return undefined;
      return [{ name: volName, claimName: String(o.claimName), accessMode: o.accessMode ?? AccessMode.READ_WRITE_ONCE, source: src }];
    }
    if (opts.moveToReadWriteMany === true) p.add(`${field}.moveToReadWriteMany`, `applies to an existing PVC (DiskSource.existingPvc) only; ${src} already creates a DataVolume, give it accessMode ReadWriteMany`);
    let size: Quantity | undefined;
    if (opts.size === undefined) p.add(`${field}.size`, `is required for ${src.kind === 'blank' ? 'a blank disk' : src.toString()} (for example "40Gi")`);
    else size = toQuantity(p, `${field}.size`, opts.size, true);
    let source: VirtualMachineSpecDataVolumeTemplatesSpecSource | undefined;
    let sourceRef: VirtualMachineSpecDataVolumeTemplatesSpecSourceRef | undefined;
    switch (src.kind) {
      case 'pvcClone': {
        const missing = 'is missing; a clone source needs the namespace and the name of the PVC (DiskSource.pvcClone({ namespace, name }))';
        const okNs = p.check(`${field}.source.namespace`, o.namespace, (v) => (v === undefined || v === '' ? missing : dnsLabel(v)));
        const okName = p.check(`${field}.source.name`, o.name, (v) => (v === undefined || v === '' ? missing : dnsLabel(v)));
        if (okNs && okName) source = { pvc: { namespace: o.namespace, name: o.name } };
        break;
      }
      case 'http':
      case 'iso': {
        if (p.check(`${field}.source.url`, o.url, httpUrl)) source = { http: { url: o.url, certConfigMap: o.certConfigMap, secretRef: o.secretRef } };
        if (o.certConfigMap !== undefined) p.check(`${field}.source.certConfigMap`, o.certConfigMap, dnsLabel);
        if (o.secretRef !== undefined) p.check(`${field}.source.secretRef`, o.secretRef, dnsLabel);
        break;
      }
      case 'registry': {
        const img = typeof o.image === 'string' ? o.image.replace(/^docker:\/\//, '') : o.image;
        if (p.check(`${field}.source.image`, img, (v) => (typeof v === 'string' && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:\d+)?\/[-a-z0-9._/]+(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})?$/.test(v) ? undefined : `${show(v)} is not a registry image reference (for example "quay.io/containerdisks/fedora:39")`))) {
          source = { registry: { url: `docker://${img}`, secretRef: o.secretRef, pullMethod: o.pullMethod } };
        }
        if (o.pullMethod !== undefined) p.check(`${field}.source.pullMethod`, o.pullMethod, oneOf(['pod', 'node']));
        break;
      }
      case 'blank':
        source = { blank: {} };
        break;
      case 'dataSource': {
        const ref = src.sourceRef;
        if (ref && !dnsLabel(ref.namespace) && typeof ref.name === 'string' && ref.name) sourceRef = { kind: ref.kind, namespace: ref.namespace, name: ref.name };
        else p.add(`${field}.source`, `${src} does not name a DataSource as namespace and name`);
        break;
      }
      default:
        p.add(`${field}.source`, `${show(String(src.kind))} is a disk source this VirtualMachine cannot render yet`);
    }
    const accessMode = opts.accessMode ?? AccessMode.READ_WRITE_MANY;
    const template = (dv: string, origin: Origin, q: Quantity | undefined) => dataVolumeTemplate(dv, origin, q, accessMode, opts.volumeMode ?? VolumeMode.BLOCK, opts.storageClass);
    if (sourceRef && size && p.size === before) return [{ name: volName, dataVolumeName: dvName, size, accessMode, source: src, template: template(dvName, { sourceRef }, size) }];
    if (!source || !size || p.size > before) return undefined;
    if (src.kind === 'iso') {
      // Empty root disk to install on, and the ISO as a CD-ROM.
      const isoSize = toQuantity(p, `${field}.source.isoSize`, o.isoSize ?? '10Gi', true);
      if (!isoSize) return undefined;
      const isoDv = `${this.vmName}-installer`;
      return [
        { name: volName, dataVolumeName: dvName, size, accessMode, source: src, template: template(dvName, { source: { blank: {} } }, size) },
        { name: 'installer', dataVolumeName: isoDv, size: isoSize, accessMode, cdrom: true, source: src, template: template(isoDv, { source }, isoSize) },
      ];
    }
    return [{ name: volName, dataVolumeName: dvName, size, accessMode, source: src, template: template(dvName, { source }, size) }];
  }

  /**
   * An existing claim copied into a ReadWriteMany Block DataVolume (CDI clone, same namespace).
   * Facts, kubevirt/containerized-data-importer v1.57.0 (OpenShift Virtualization 4.14):
   * - pkg/controller/clone/common.go IsSourceClaimReady: the clone waits while any pod uses the
   *   source claim (event CloneSourceInUse), so the VM must be stopped once for the copy;
   * - pkg/controller/clone/planner.go validateAdvancedClonePVC: source and target of different
   *   volume modes fall back to a host-assisted copy, so a Filesystem claim can become Block;
   * - pkg/controller/common/util.go ValidateClone: with the `storage` API the size may be left out
   *   (the source's size is used), a given size below a Block source is refused
   *   (doc/clone-datavolume.md: the target is equal or larger);
   * - staging/src/kubevirt.io/containerized-data-importer-api/pkg/apis/core/v1beta1/authorize_utils.go
   *   CanServiceAccountClonePVC allows a service account to clone from its own namespace without
   *   any RBAC; kubevirt/kubevirt v1.0.1 pkg/virt-api/webhooks/validating-webhook/admitters/vms-admitter.go
   *   authorizeVirtualMachineSpec checks DataVolume templates as the `default` service account of
   *   the VM's namespace, so a same-namespace move needs no RoleBinding.
   */
  private moveOf(p: Problems, field: string, volName: string, dvName: string, opts: DiskStorageOptions, claim: string, before: number): VmVolume[] | undefined {
    if (opts.accessMode !== undefined && opts.accessMode !== AccessMode.READ_WRITE_MANY) p.add(`${field}.accessMode`, `moveToReadWriteMany copies the disk into a ReadWriteMany volume; drop accessMode ${show(opts.accessMode)}`);
    if (opts.volumeMode !== undefined && opts.volumeMode !== VolumeMode.BLOCK) p.add(`${field}.volumeMode`, `moveToReadWriteMany copies the disk into a Block volume (ReadWriteMany on Ceph RBD needs Block); drop volumeMode ${show(opts.volumeMode)}`);
    const size = opts.size === undefined ? undefined : toQuantity(p, `${field}.size`, opts.size, true);
    if (p.size > before) return undefined;
    const src = DiskSource.pvcClone({ namespace: this.namespace, name: claim });
    // The copy cannot take the claim's own name (`<vm>-root` is often the migrated claim's name):
    // CDI refuses a DataVolume whose claim exists and is not its own ("Resource ... already
    // exists and is not managed by DataVolume", pkg/controller/datavolume/controller-base.go
    // validatePVC, v1.57.0).
    const name = dvName === claim ? `${dvName}-rwx` : dvName;
    const template = dataVolumeTemplate(name, { source: { pvc: { namespace: this.namespace, name: claim } } }, size, AccessMode.READ_WRITE_MANY, VolumeMode.BLOCK, opts.storageClass);
    return [{ name: volName, dataVolumeName: name, size, accessMode: AccessMode.READ_WRITE_MANY, source: src, movedFrom: claim, template }];
  }

  /** Why the VM cannot live-migrate, one line per disk that is not ReadWriteMany (empty when it can). */
  public migrationBlockers(): string[] {
    return migrationBlockers(this.volumes);
  }
}

/**
 * Why these disks keep a VM from live-migrating, one line per disk that is not ReadWriteMany, with
 * the way out for each (KubeVirt migrates a VM only when every volume is shared: ReadWriteMany).
 */
export function migrationBlockers(volumes: readonly VmVolume[]): string[] {
  return volumes.filter((v) => v.accessMode !== AccessMode.READ_WRITE_MANY).map((v) => (v.claimName
    ? `${v.name} is existing PVC ${v.claimName} (${v.accessMode}), which cannot follow the VM to another node; set moveToReadWriteMany: true on the disk to copy it once into a ReadWriteMany Block DataVolume (a CDI clone, which runs while the VM is stopped)`
    : `${v.name} is a ${v.accessMode} DataVolume; give it accessMode ReadWriteMany (Block on Ceph RBD)`));
}

/** Where a DataVolume's content comes from: `spec.source` or `spec.sourceRef`. */
type Origin = { readonly source: VirtualMachineSpecDataVolumeTemplatesSpecSource } | { readonly sourceRef: VirtualMachineSpecDataVolumeTemplatesSpecSourceRef };

function dataVolumeTemplate(name: string, origin: Origin, size: Quantity | undefined, accessMode: AccessMode, volumeMode: VolumeMode, storageClass: string | undefined): VirtualMachineSpecDataVolumeTemplates {
  return {
    metadata: { name, annotations: { [DELETE_AFTER_COMPLETION_ANNOTATION]: 'false' } },
    spec: {
      ...origin,
      storage: {
        accessModes: [accessMode],
        volumeMode,
        storageClassName: storageClass,
        resources: size ? { requests: { storage: VirtualMachineSpecDataVolumeTemplatesSpecStorageResourcesRequests.fromString(size.toString()) } } : undefined,
      },
    },
  };
}

