import { Problems, show } from '../core/errors';
import { dnsLabel, dnsSubdomain } from '../core/rules';
import { redactSecrets } from '../core/secret-scan';
import type { QuantityLike } from '../core/quantity';
import { GOLDEN_IMAGES_NAMESPACE, OPENSHIFT_BOOT_SOURCES } from './hyperconverged';

/** Access mode of a VM disk's PersistentVolumeClaim. */
export enum AccessMode {
  /** One node at a time; the VM cannot live-migrate. */
  READ_WRITE_ONCE = 'ReadWriteOnce',
  /** Several nodes (Ceph RBD in Block mode, CephFS); needed for live migration. */
  READ_WRITE_MANY = 'ReadWriteMany',
}

/** Volume mode of a VM disk's PersistentVolumeClaim. */
export enum VolumeMode {
  /** A raw block device (the usual choice for VM disks on Ceph RBD). */
  BLOCK = 'Block',
  /** A disk image file on a file system. */
  FILESYSTEM = 'Filesystem',
}

/** Options of {@link DiskSource.httpImage}. */
export interface HttpImageOptions {
  /**
   * ConfigMap (in the VM's namespace) holding the CA bundle of the web server.
   * @default the system trust store
   */
  readonly certConfigMap?: string;
  /**
   * Secret (in the VM's namespace) with `accessKeyId`/`secretKey` for basic authentication.
   * @default no authentication
   */
  readonly secretRef?: string;
}

/** Options of {@link DiskSource.isoInstaller}. */
export interface IsoOptions extends HttpImageOptions {
  /**
   * Size of the volume the ISO is imported into (at least the ISO file size): a quantity string,
   * a Quantity or a cdk8s Size.
   * @default '10Gi'
   */
  readonly isoSize?: string | QuantityLike;
}

/** Options of {@link DiskSource.registryImage}. */
export interface RegistryImageOptions {
  /**
   * Secret with registry credentials (`accessKeyId`/`secretKey`).
   * @default anonymous pull
   */
  readonly secretRef?: string;
  /**
   * `node` pulls through the node's container runtime (its caches and mirrors apply); `pod`
   * pulls from the importer pod.
   * @default 'pod' (CDI's default)
   */
  readonly pullMethod?: 'pod' | 'node';
}

/** Where a PVC to clone lives. */
export interface PvcRef {
  readonly namespace: string;
  readonly name: string;
}

/**
 * A CDI DataSource a disk can be cloned from: a boot source OpenShift Virtualization maintains
 * ({@link DiskSource.bootSource}), a {@link GoldenImage} of the stack, or any `{ namespace, name }`.
 */
export interface IDataSource {
  /** Namespace of the DataSource. */
  readonly dataSourceNamespace: string;
  /** Name of the DataSource. */
  readonly dataSourceName: string;
}


export { OPENSHIFT_BOOT_SOURCES };

/** Name of a boot source OpenShift Virtualization 4.14 keeps up to date (see {@link OPENSHIFT_BOOT_SOURCES}). */
export type OpenShiftBootSource = typeof OPENSHIFT_BOOT_SOURCES[number];

/** @internal */
export type DiskSourceKind = 'pvcClone' | 'http' | 'registry' | 'iso' | 'existingPvc' | 'blank' | 'dataSource';

/**
 * Where a VM disk's content comes from. The root disk and data disks are CDI DataVolume
 * templates of the VirtualMachine (except {@link DiskSource.existingPvc}).
 * @see https://github.com/kubevirt/containerized-data-importer/blob/main/doc/datavolumes.md
 */
export class DiskSource {
  /** Clone of an existing PersistentVolumeClaim (a golden image, or the disk of a migrated machine). */
  public static pvcClone(source: PvcRef): DiskSource {
    return new DiskSource('pvcClone', { ...source });
  }

  /** Import of a qcow2 or raw image (optionally xz/gz compressed) from an http(s) URL. */
  public static httpImage(url: string, options: HttpImageOptions = {}): DiskSource {
    return new DiskSource('http', { url, ...options });
  }

  /**
   * Import of a container disk image (`quay.io/containerdisks/fedora:39`) from a registry.
   * `docker://` is added when missing.
   */
  public static registryImage(image: string, options: RegistryImageOptions = {}): DiskSource {
    return new DiskSource('registry', { image, ...options });
  }

  /**
   * An installer ISO (http(s) URL) attached as a CD-ROM, and an empty root disk to install on.
   * The VM boots from the empty disk first, so once installed it boots the installed system.
   */
  public static isoInstaller(url: string, options: IsoOptions = {}): DiskSource {
    return new DiskSource('iso', { url, ...options });
  }

  /**
   * A PersistentVolumeClaim that already exists in the VM's namespace, used as is (no
   * DataVolume). Its size and access mode are those of the claim.
   */
  public static existingPvc(claimName: string, options: { readonly accessMode?: AccessMode } = {}): DiskSource {
    return new DiskSource('existingPvc', { claimName, ...options });
  }

  /**
   * Clone of a boot source OpenShift Virtualization imports and keeps up to date in
   * `openshift-virtualization-os-images` (`rhel9`, `rhel8`, `fedora`, `centos-stream9`): the
   * DataVolume names the DataSource (`sourceRef`), and CDI clones whatever image it points to
   * when the VM's disk is created. Every namespace may clone from there.
   */
  public static bootSource(name: OpenShiftBootSource): DiskSource {
    const p = new Problems(`DiskSource.bootSource(${show(name)})`);
    p.check('name', name, (v) => (OPENSHIFT_BOOT_SOURCES.includes(v) ? undefined
      : `${show(v)} is not a boot source OpenShift Virtualization 4.14 keeps up to date; use one of ${OPENSHIFT_BOOT_SOURCES.map((n) => `"${n}"`).join(', ')}, or a GoldenImages boot source of your own (DiskSource.dataSource(goldenImage))`));
    p.throwIfAny();
    return new DiskSource('dataSource', { namespace: GOLDEN_IMAGES_NAMESPACE, name });
  }

  /**
   * Clone of a CDI DataSource: a {@link GoldenImage} of the stack (`goldenImages.addBootSource(...)`)
   * or any `{ namespace, name }`. The DataVolume names the DataSource (`sourceRef`), so a VM
   * created after a refresh gets the new image. The reference check fails the synth when nothing
   * in the stack provides the DataSource.
   */
  public static dataSource(source: IDataSource | PvcRef): DiskSource {
    const ns = (source as IDataSource)?.dataSourceNamespace ?? (source as PvcRef)?.namespace;
    const name = (source as IDataSource)?.dataSourceName ?? (source as PvcRef)?.name;
    const p = new Problems(`DiskSource.dataSource(${show(name)})`);
    p.check('namespace', ns, dnsLabel);
    p.check('name', name, dnsSubdomain);
    p.throwIfAny();
    return new DiskSource('dataSource', { namespace: ns, name });
  }

  /** An empty disk (data disks, or a root disk for a network installation). */
  public static blank(): DiskSource {
    return new DiskSource('blank', {});
  }

  private constructor(
    /** @internal */ public readonly kind: DiskSourceKind,
    /** @internal */ public readonly options: Readonly<Record<string, any>>,
  ) {}

  /**
   * The DataVolume `sourceRef` of a DataSource clone (`{ kind: 'DataSource', namespace, name }`);
   * undefined for the other sources, which render `spec.source`.
   */
  public get sourceRef(): { readonly kind: 'DataSource'; readonly namespace: string; readonly name: string } | undefined {
    return this.kind === 'dataSource' ? { kind: 'DataSource', namespace: this.options.namespace, name: this.options.name } : undefined;
  }

  /** Short description for error messages. */
  public toString(): string {
    switch (this.kind) {
      case 'pvcClone': return `clone of PVC ${this.options.namespace}/${this.options.name}`;
      case 'dataSource': return `clone of DataSource ${this.options.namespace}/${this.options.name}`;
      case 'existingPvc': return `existing PVC ${this.options.claimName}`;
      case 'blank': return 'blank disk';
      case 'registry': return `registry image ${redactSecrets(String(this.options.image))}`;
      default: return `${this.kind} ${redactSecrets(String(this.options.url))}`;
    }
  }
}
