import { FieldPath, formatPath, PathSegment } from './field-path';

/** OpenShift's image-change trigger annotation on Deployments (and other pod controllers). */
export const IMAGE_TRIGGERS_ANNOTATION = 'image.openshift.io/triggers';

/**
 * Fields that a controller on the cluster rewrites, so a difference in Git is noise: container
 * images named by an `image.openshift.io/triggers` annotation (the image-change trigger writes
 * the resolved ImageStream digest into them).
 *
 * A VirtualMachine's firmware `uuid` and `serial` are NOT noise: KubeVirt fills the UUID only
 * when it is empty, and on the VMI it starts, not on the VM (kubevirt/kubevirt@v1.0.1
 * pkg/virt-controller/watch/vm.go `setupStableFirmwareUUID` returns early when a UUID is set);
 * the serial is never generated (the converter copies it only when set,
 * pkg/virt-launcher/virtwrap/converter/converter.go). ocpkit writes both, so a change in Git is
 * a change of the guest's identity (licences, cloud-init instance ids, disk serials).
 *
 * Returns a predicate over field paths of the given object (old and new versions, so an
 * annotation present on either side counts). `kind` is kept for kinds that may gain rules.
 */
export function controllerFields(kind: string, ...versions: unknown[]): (path: FieldPath) => boolean {
  const triggered = new Set<string>();
  let anyImage = false;
  for (const m of versions) {
    const raw = (m as any)?.metadata?.annotations?.[IMAGE_TRIGGERS_ANNOTATION];
    if (raw === undefined) continue;
    const paths = triggerPaths(raw);
    if (paths === undefined) anyImage = true;
    else for (const p of paths) triggered.add(p);
  }
  void kind;
  if (!triggered.size && !anyImage) return () => false;
  return (path) => {
    if (triggered.size && triggered.has(formatPath(path))) return true;
    if (anyImage && isContainerImage(path)) return true;
    return false;
  };
}

function isContainerImage(path: FieldPath): boolean {
  const n = path.length;
  return n >= 3 && path[n - 1] === 'image' && (path[n - 3] === 'containers' || path[n - 3] === 'initContainers');
}

/**
 * The field paths of a triggers annotation, in the diff's notation
 * (`spec.template.spec.containers[?(@.name=="web")].image` -> `spec.template.spec.containers[name=web].image`),
 * or undefined when the annotation cannot be read (then every container image counts as triggered).
 */
export function triggerPaths(annotation: unknown): string[] | undefined {
  if (typeof annotation !== 'string') return undefined;
  let list: unknown;
  try {
    list = JSON.parse(annotation);
  } catch {
    return undefined;
  }
  if (!Array.isArray(list)) return undefined;
  const out: string[] = [];
  for (const t of list) {
    const fp = (t as any)?.fieldPath;
    if (typeof fp !== 'string') return undefined;
    const segs = parseJsonPath(fp);
    if (!segs) return undefined;
    out.push(formatPath(segs));
  }
  return out;
}

const TOKEN = /\.?([A-Za-z0-9_-]+)|\[\?\(@\.name\s*==\s*(?:"([^"]*)"|'([^']*)')\)\]|\[(\d+)\]/y;

function parseJsonPath(fp: string): PathSegment[] | undefined {
  const segs: PathSegment[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < fp.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(fp);
    if (!m || m.index !== at) return undefined;
    if (m[1] !== undefined) segs.push(m[1]);
    else if (m[4] !== undefined) segs.push(Number(m[4]));
    else segs.push({ by: 'name', value: m[2] ?? m[3] });
  }
  return segs;
}
