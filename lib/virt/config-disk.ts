import {
  VirtualMachineSpecTemplateSpecDomainDevicesDisks,
  VirtualMachineSpecTemplateSpecVolumes,
} from '../../imports/kubevirt-vm-kubevirt.io';
import { Problems, show } from '../core/errors';
import { dnsLabel, dnsSubdomain } from '../core/rules';

/**
 * ISO volume labels KubeVirt itself gives config disks, which a {@link ConfigDisk} may not take:
 * `cidata` is the NoCloud cloud-init disk (kubevirt/kubevirt v1.0.1 pkg/cloud-init/cloud-init.go),
 * `config-2` the ConfigDrive one.
 */
const KUBEVIRT_LABELS = ['CIDATA', 'CONFIG-2'];

/**
 * A Secret or ConfigMap handed to the guest as a small read-only disk: every key becomes a file
 * of an ISO image whose volume label is `volumeLabel`, so the guest finds it under
 * `/dev/disk/by-label/<volumeLabel>` and mounts it when it needs the content (nothing is copied
 * into the VM definition or a disk image).
 *
 * Facts (KubeVirt v1.0.1, OpenShift Virtualization 4.14):
 * - `secret` and `configMap` volumes carry `volumeLabel` (staging/src/kubevirt.io/api/core/v1/schema.go
 *   SecretVolumeSource / ConfigMapVolumeSource; the 4.14 profile's kubevirt.io_virtualmachines.yaml);
 *   virt-launcher builds the ISO with xorrisofs `-volid <label>` when the VMI starts
 *   (pkg/config/config.go createIsoConfigImage, pkg/virt-launcher/virtwrap/manager.go preStartHook).
 * - The image is built once per VMI: a later change of the Secret or ConfigMap is not seen by a
 *   running guest, nor after a reboot inside the guest, nor after a live migration (the target
 *   gets an empty image of the source's size, filled by the migration's disk copy: manager.go
 *   preStartHook(generateEmptyIsos=true) from live-migration-target.go, config.go findIsoSize).
 *   A new VMI (`virtctl restart`, or stop and start) reads the current content.
 * - Such a disk does not block live migration: pkg/virt-handler/vm.go checkVolumesForMigration
 *   only refuses non-shared PVCs/DataVolumes and non-shared host disks; a config disk makes the
 *   migration a block migration (its few kilobytes are copied with the memory).
 *
 * The label must be at most 32 characters from A-Z, 0-9 and `_` (the ISO 9660 volume identifier,
 * ECMA-119 8.4.5: 32 d-characters), upper-case so `/dev/disk/by-label/` shows it as written.
 */
export class ConfigDisk {
  /** The Secret `secretName` (in the VM's namespace) as disk `name`, labelled `volumeLabel`. */
  public static fromSecret(name: string, secretName: string, volumeLabel: string): ConfigDisk {
    return new ConfigDisk(name, 'secret', secretName, volumeLabel);
  }

  /** The ConfigMap `configMapName` (in the VM's namespace) as disk `name`, labelled `volumeLabel`. */
  public static fromConfigMap(name: string, configMapName: string, volumeLabel: string): ConfigDisk {
    return new ConfigDisk(name, 'configMap', configMapName, volumeLabel);
  }

  private constructor(
    /** Disk and volume name in the VM spec. */
    public readonly name: string,
    /** What the disk is made from. */
    public readonly kind: 'secret' | 'configMap',
    /** Name of the Secret or ConfigMap. */
    public readonly sourceName: string,
    /** ISO volume label the guest finds the disk by. */
    public readonly volumeLabel: string,
  ) {}

  /** The guest path of the disk's block device. */
  public get devicePath(): string {
    return `/dev/disk/by-label/${this.volumeLabel}`;
  }

  /**
   * Records problems under `field`.
   * @internal
   */
  public _check(p: Problems, field: string): boolean {
    const before = p.size;
    p.check(`${field}.name`, this.name, dnsLabel);
    p.check(`${field}.${this.kind === 'secret' ? 'secretName' : 'configMapName'}`, this.sourceName, dnsSubdomain);
    p.check(`${field}.volumeLabel`, this.volumeLabel, (v) => {
      if (typeof v !== 'string' || !/^[A-Z0-9_]{1,32}$/.test(v)) return `${show(v)} is not an ISO volume label (1 to 32 characters from A-Z, 0-9 and '_')`;
      return KUBEVIRT_LABELS.includes(v.toUpperCase()) ? `"${v}" is the label of KubeVirt's own cloud-init disk; choose another` : undefined;
    });
    return p.size === before;
  }

  /**
   * The disk and the volume of the VM spec.
   * @internal
   */
  public _render(usePreference: boolean): { disk: VirtualMachineSpecTemplateSpecDomainDevicesDisks; volume: VirtualMachineSpecTemplateSpecVolumes } {
    return {
      disk: { name: this.name, disk: usePreference ? {} : { bus: 'virtio' } },
      volume: this.kind === 'secret'
        ? { name: this.name, secret: { secretName: this.sourceName, volumeLabel: this.volumeLabel } }
        : { name: this.name, configMap: { name: this.sourceName, volumeLabel: this.volumeLabel } },
    };
  }
}
