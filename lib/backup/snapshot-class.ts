import { Construct, IConstruct } from 'constructs';
import { Problems, show } from '../core/errors';
import { dnsSubdomain } from '../core/rules';
import { Cluster } from '../gitops/cluster';
import { perWalk } from './_per-walk';
import { listProp } from './_rules';
import { StatefulObject, templateCovers } from './_stateful';

/**
 * Label that makes Velero pick a VolumeSnapshotClass for a CSI driver. Velero 1.14 chooses the
 * class for a PVC from the PVC's annotation, then the Backup's, then the first class of the
 * PVC's driver that carries this label (any value), and only when the driver has exactly one
 * class, that one (vmware-tanzu/velero@v1.14.0 pkg/util/csi/volume_snapshot.go
 * GetVolumeSnapshotClass / GetVolumeSnapshotClassForStorageClass; label name in
 * pkg/apis/velero/v1/labels_annotations.go). The same lookup serves CSI snapshots and the data
 * mover, whose first step is the CSI snapshot (pkg/backup/actions/csi/pvc_action.go). OADP 1.4's
 * examples label the ODF classes the same way (openshift/oadp-operator@oadp-1.4
 * docs/examples/CSI/csi_example.md, blogs/oadp-odf/oadp-blog.md).
 */
export const VELERO_SNAPSHOT_CLASS_LABEL = 'velero.io/csi-volumesnapshot-class';

/** How a VolumeSnapshotClass for Velero gets onto the cluster. */
export type SnapshotClassProvidedBy = 'pre-existing' | 'by-hand';

/** Properties of {@link VeleroSnapshotClass}. */
export interface VeleroSnapshotClassProps {
  /** Name of the VolumeSnapshotClass (`ocs-storagecluster-rbdplugin-snapclass`). */
  readonly name: string;
  /** Its CSI driver (`openshift-storage.rbd.csi.ceph.com`). */
  readonly driver: string;
  /**
   * The StorageClasses whose volumes this class snapshots (their provisioner is `driver`).
   * Volumes of the stack name their StorageClass; each one backed up by CSI snapshots must be here.
   */
  readonly storageClasses: readonly string[];
  /**
   * The cluster's default StorageClass is one of `storageClasses`, so volumes that name no
   * StorageClass are snapshotted by this class.
   * @default false
   */
  readonly servesDefaultStorageClass?: boolean;
  /** `pre-existing` (the storage operator creates it; the label is added by hand) or `by-hand`. */
  readonly providedBy: SnapshotClassProvidedBy;
  /** What it is and what to do on a new cluster (label it, deletionPolicy). */
  readonly note: string;
}

/**
 * A VolumeSnapshotClass that Velero uses for one CSI driver, declared because the stack does not
 * create it: the storage operator (OpenShift Data Foundation) creates its classes, and Kubernetes
 * 1.27 ships no schema for `snapshot.storage.k8s.io` kinds that the synth could validate. The
 * declaration says the class carries `velero.io/csi-volumesnapshot-class: "true"`
 * (`oc label volumesnapshotclass <name> velero.io/csi-volumesnapshot-class=true`) and which
 * StorageClasses it serves; a schedule taking CSI snapshots (VolumeBackup.SNAPSHOT or
 * SNAPSHOT_MOVE_DATA) of a volume whose StorageClass no declaration serves fails the synth.
 * The runbooks list every declaration. Renders no object (no primary object).
 *
 * Emits: no manifest. The declaration is listed, with the label the class must carry, in
 * `dist/<environment>/_runbooks/disaster-recovery.md`, and the CSI snapshots of schedules are
 * checked against the StorageClasses it serves.
 */
export class VeleroSnapshotClass extends Construct {
  /** Declares a class that exists on the cluster (or is made by hand). */
  public static external(scope: Construct, name: string, props: Omit<VeleroSnapshotClassProps, 'name'>): VeleroSnapshotClass {
    return new VeleroSnapshotClass(scope, `VolumeSnapshotClass-${name}`, { ...props, name });
  }

  /** Every declaration of a construct's cluster. */
  public static all(c: IConstruct): VeleroSnapshotClass[] {
    const cluster = Cluster.of(c);
    return perWalk(c, 'velero-snapshot-classes', (all) => all.filter((x): x is VeleroSnapshotClass => x instanceof VeleroSnapshotClass)).filter((x) => Cluster.of(x) === cluster);
  }

  public readonly name: string;
  public readonly driver: string;
  public readonly storageClasses: readonly string[];
  public readonly servesDefaultStorageClass: boolean;
  public readonly providedBy: SnapshotClassProvidedBy;
  public readonly note: string;

  constructor(scope: Construct, id: string, props: VeleroSnapshotClassProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    p.check('name', props.name, dnsSubdomain);
    p.check('driver', props.driver, dnsSubdomain);
    const classes = listProp(p, 'storageClasses', props.storageClasses, '["ocs-storagecluster-ceph-rbd"]');
    classes.forEach((c, i) => p.check(`storageClasses[${i}]`, c, dnsSubdomain));
    if (classes.length === 0 && !props.servesDefaultStorageClass) p.add('storageClasses', 'name at least one StorageClass (or servesDefaultStorageClass: true); a class serving nothing declares nothing');
    if (props.providedBy !== 'pre-existing' && props.providedBy !== 'by-hand') p.add('providedBy', `${show(props.providedBy)} is not one of "pre-existing", "by-hand"`);
    if (typeof props.note !== 'string' || props.note.trim().length < 10) p.add('note', `${show(props.note)} is not a note; say where the class comes from and that it carries the ${VELERO_SNAPSHOT_CLASS_LABEL} label`);
    p.throwIfAny();
    this.name = props.name;
    this.driver = props.driver;
    this.storageClasses = [...classes];
    this.servesDefaultStorageClass = props.servesDefaultStorageClass ?? false;
    this.providedBy = props.providedBy;
    this.note = props.note.trim();
    this.node.addValidation({
      validate: () => {
        const twins = VeleroSnapshotClass.all(this).filter((o) => o !== this && o.driver === this.driver);
        return twins.length ? [`driver: "${this.driver}" has two VolumeSnapshotClasses for Velero (also ${twins.map((t) => `"${t.name}" at ${t.node.path}`).join(', ')}); Velero takes the first labelled class of a driver, so label exactly one`] : [];
      },
    });
  }
}

/** True when a Velero backup spec takes CSI snapshots of volumes (not file-system backups, not switched off). */
export function takesCsiSnapshots(template: any): boolean {
  return !!template && template.snapshotVolumes !== false && template.defaultVolumesToFsBackup !== true;
}

/**
 * Problems of a schedule that takes CSI snapshots: no VolumeSnapshotClass declared for Velero at
 * all, or volumes it covers whose StorageClass no declaration serves.
 */
export function snapshotClassProblems(scheduleName: string, template: any, stateful: readonly StatefulObject[], classes: readonly VeleroSnapshotClass[]): string[] {
  if (!takesCsiSnapshots(template)) return [];
  const covered = stateful.filter((o) => !o.excluded && templateCovers(template, o));
  if (covered.length === 0) return [];
  const how = 'declare it with VeleroSnapshotClass.external(scope, name, { driver, storageClasses, providedBy, note })';
  if (classes.length === 0) {
    return [`volumes: schedule "${scheduleName}" takes CSI snapshots (${covered.length} stateful object${covered.length === 1 ? '' : 's'}, e.g. ${covered[0].description} in "${covered[0].namespace}"), but the cluster declares no VolumeSnapshotClass labelled ${VELERO_SNAPSHOT_CLASS_LABEL}; ${how}, one per CSI driver`];
  }
  const served = new Set(classes.flatMap((c) => c.storageClasses));
  const servesDefault = classes.some((c) => c.servesDefaultStorageClass);
  const missing = new Map<string, string[]>();
  for (const o of covered) {
    for (const sc of o.storageClasses) {
      const ok = sc === undefined ? servesDefault : served.has(sc);
      if (ok) continue;
      const key = sc ?? '(the default StorageClass)';
      missing.set(key, [...(missing.get(key) ?? []), `${o.description} in "${o.namespace}"`]);
    }
  }
  return [...missing.keys()].sort().map((sc) => {
    const objs = missing.get(sc)!;
    return `volumes: schedule "${scheduleName}" takes CSI snapshots of volumes of StorageClass ${sc === '(the default StorageClass)' ? sc : `"${sc}"`} (${objs.slice(0, 3).join(', ')}${objs.length > 3 ? ` and ${objs.length - 3} more` : ''}), and no declared VolumeSnapshotClass for Velero serves it (declared: ${classes.map((c) => `"${c.name}"`).join(', ')}); add it to the storageClasses of the class of its driver, or ${how}`;
  });
}
