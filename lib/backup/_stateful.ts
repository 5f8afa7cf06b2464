/**
 * Which synthesized objects hold state, and how a Velero backup spec selects them. Objects are
 * recognized by kind in the rendered output, so constructs of other domains (virt, gitlab,
 * network) need no import here.
 */
import { LabelSelectorLike, selectorMatches } from '../core/label-selector';

/** A stateful kind: the resource names Velero filters accept for it, and what a backup must include. */
interface StatefulKind {
  /** Names under which `includedResources`/`excludedResources` may list the kind. */
  readonly names: readonly string[];
  /** Resources a backup must include for the state to be restorable (the kind and its volumes). */
  readonly needs: readonly string[];
}

const PVC: StatefulKind = { names: ['persistentvolumeclaims', 'persistentvolumeclaim', 'pvc'], needs: ['persistentvolumeclaims'] };

/** Kinds that hold state, by `apiVersion group/kind`. */
export const STATEFUL: Readonly<Record<string, StatefulKind>> = {
  '/PersistentVolumeClaim': PVC,
  'cdi.kubevirt.io/DataVolume': {
    names: ['datavolumes', 'datavolume', 'dv', 'dvs', 'datavolumes.cdi.kubevirt.io'],
    needs: ['datavolumes', 'persistentvolumeclaims'],
  },
  'kubevirt.io/VirtualMachine': {
    names: ['virtualmachines', 'virtualmachine', 'vm', 'vms', 'virtualmachines.kubevirt.io'],
    needs: ['virtualmachines', 'persistentvolumeclaims'],
  },
  'apps/StatefulSet': {
    names: ['statefulsets', 'statefulset', 'sts', 'statefulsets.apps'],
    needs: ['statefulsets', 'persistentvolumeclaims'],
  },
};

/** Names of every stateful resource, by its canonical (plural) name. */
const NAMES_BY_RESOURCE: Readonly<Record<string, readonly string[]>> = {
  persistentvolumeclaims: PVC.names,
  datavolumes: STATEFUL['cdi.kubevirt.io/DataVolume'].names,
  virtualmachines: STATEFUL['kubevirt.io/VirtualMachine'].names,
  statefulsets: STATEFUL['apps/StatefulSet'].names,
};

/** `group/Kind` key of an apiVersion and kind. */
export function groupKind(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  return `${slash < 0 ? '' : apiVersion.slice(0, slash)}/${kind}`;
}

/** One object holding state, as rendered. */
export interface StatefulObject {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Resources a backup must include (`persistentvolumeclaims`, `virtualmachines`, ...). */
  readonly needs: readonly string[];
  /** Human description (`VirtualMachine "gitaly" with 2 dataVolumeTemplates`). */
  readonly description: string;
  /** Construct path. */
  readonly path: string;
  /** StorageClass of each volume it holds (`undefined`: the cluster's default StorageClass). */
  readonly storageClasses: readonly (string | undefined)[];
  /** Labelled `velero.io/exclude-from-backup=true`: Velero skips it (and its volume data). */
  readonly excluded: boolean;
  /** The written reason of an exclusion (annotation `ocpkit.io/backup-exempt-reason`), if any. */
  readonly exclusionReason?: string;
}

/**
 * Label that keeps one object (and, for a PVC, its volume data) out of every Velero backup:
 * Velero 1.14 skips an item labelled `velero.io/exclude-from-backup=true` before any backup
 * action runs, so no CSI snapshot or data mover upload happens for such a PVC
 * (vmware-tanzu/velero@v1.14.0 pkg/backup/item_backupper.go backupItemInternal;
 * site/content/docs/v1.14/resource-filtering.md). File-system backup picks volumes from the
 * pods that mount them and does not read this label; opt those out with the pod annotation
 * `backup.velero.io/backup-volumes-excludes` (pkg/apis/velero/v1/labels_annotations.go).
 */
export const VELERO_EXCLUDE_LABEL = 'velero.io/exclude-from-backup';

/** Annotation carrying the written reason of an exemption or an exclusion. */
export const EXEMPT_REASON_ANNOTATION = 'ocpkit.io/backup-exempt-reason';

function claimClass(spec: any): string | undefined {
  const sc = spec?.storageClassName;
  return typeof sc === 'string' && sc !== '' ? sc : undefined;
}

/** StorageClass of each volume a stateful manifest holds. */
function storageClassesOf(manifest: any): (string | undefined)[] {
  const spec = manifest?.spec ?? {};
  switch (manifest?.kind) {
    case 'PersistentVolumeClaim': return [claimClass(spec)];
    case 'DataVolume': return [claimClass(spec.storage) ?? claimClass(spec.pvc)];
    case 'StatefulSet': return (spec.volumeClaimTemplates ?? []).map((t: any) => claimClass(t?.spec));
    case 'VirtualMachine': return (spec.dataVolumeTemplates ?? []).map((t: any) => claimClass(t?.spec?.storage) ?? claimClass(t?.spec?.pvc));
    default: return [];
  }
}

/** The stateful object a manifest describes, or undefined (a StatefulSet without volumeClaimTemplates holds none). */
export function statefulObject(manifest: any, path: string): StatefulObject | undefined {
  const kind = STATEFUL[groupKind(String(manifest?.apiVersion ?? ''), String(manifest?.kind ?? ''))];
  if (!kind) return undefined;
  let description = `${manifest.kind} "${manifest.metadata?.name}"`;
  if (manifest.kind === 'StatefulSet') {
    const n = manifest.spec?.volumeClaimTemplates?.length ?? 0;
    if (n === 0) return undefined;
    description += ` with ${n} volumeClaimTemplate${n === 1 ? '' : 's'}`;
  }
  if (manifest.kind === 'VirtualMachine') {
    const n = manifest.spec?.dataVolumeTemplates?.length ?? 0;
    if (n > 0) description += ` with ${n} dataVolumeTemplate${n === 1 ? '' : 's'}`;
  }
  const labels = manifest.metadata?.labels ?? {};
  const reason = manifest.metadata?.annotations?.[EXEMPT_REASON_ANNOTATION];
  return {
    kind: manifest.kind,
    name: manifest.metadata?.name,
    namespace: manifest.metadata?.namespace,
    labels,
    needs: kind.needs,
    description,
    path,
    storageClasses: storageClassesOf(manifest),
    excluded: labels[VELERO_EXCLUDE_LABEL] === 'true',
    exclusionReason: typeof reason === 'string' ? reason : undefined,
  };
}


function listed(list: readonly string[] | undefined, resource: string): boolean {
  const names = NAMES_BY_RESOURCE[resource] ?? [resource];
  return (list ?? []).some((r) => r === '*' || names.includes(String(r).toLowerCase()));
}

/**
 * Whether a Velero backup spec (a Schedule's `spec.template`) backs up a stateful object,
 * volume data included: its namespace is included and not excluded, every resource it needs
 * passes the resource filters, its labels pass the label selectors, and volumes are
 * snapshotted or copied (not switched off).
 */
export function templateCovers(template: any, obj: StatefulObject): boolean {
  if (!template || typeof template !== 'object') return false;
  const included: string[] = template.includedNamespaces ?? [];
  if (included.length > 0 && !included.includes('*') && !included.includes(obj.namespace)) return false;
  if ((template.excludedNamespaces ?? []).includes(obj.namespace)) return false;
  for (const need of obj.needs) {
    const inc = template.includedResources ?? template.includedNamespaceScopedResources;
    if (inc !== undefined && inc.length > 0 && !listed(inc, need)) return false;
    if (listed(template.excludedResources, need) || listed(template.excludedNamespaceScopedResources, need)) return false;
  }
  if (template.labelSelector && !selectorMatches(template.labelSelector, obj.labels)) return false;
  if (Array.isArray(template.orLabelSelectors) && template.orLabelSelectors.length > 0
    && !template.orLabelSelectors.some((s: LabelSelectorLike) => selectorMatches(s, obj.labels))) return false;
  const volumes = template.snapshotVolumes !== false || template.defaultVolumesToFsBackup === true || template.snapshotMoveData === true;
  return volumes;
}
