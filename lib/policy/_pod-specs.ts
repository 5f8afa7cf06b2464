import { isPodKind, podTemplateOf } from '../core/pod-templates';

export { isPodKind } from '../core/pod-templates';

/** The pod spec of a manifest and its JSON pointer, or undefined for kinds that run no pods. */
export function podSpecOf(manifest: any): { spec: any; pointer: string } | undefined {
  const t = isPodKind(manifest?.kind) ? podTemplateOf(manifest) : undefined;
  const spec = t?.template.spec;
  if (spec === undefined || spec === null || typeof spec !== 'object') return undefined;
  return { spec, pointer: `${t!.pointer}/spec` };
}

/** One container of a pod spec. */
export interface ContainerRef {
  readonly container: any;
  /** `containers`, `initContainers` or `ephemeralContainers`. */
  readonly list: string;
  readonly pointer: string;
  /** `container "web"` (for messages). */
  readonly label: string;
}

/** Every container of a pod spec (regular, init and ephemeral). */
export function containersOf(pod: { spec: any; pointer: string }, lists: readonly string[] = ['initContainers', 'containers', 'ephemeralContainers']): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const list of lists) {
    const items = pod.spec[list];
    if (!Array.isArray(items)) continue;
    items.forEach((container, i) => {
      const name = typeof container?.name === 'string' ? container.name : `#${i}`;
      const what = list === 'containers' ? 'container' : list === 'initContainers' ? 'init container' : 'ephemeral container';
      out.push({ container, list, pointer: `${pod.pointer}/${list}/${i}`, label: `${what} "${name}"` });
    });
  }
  return out;
}

/**
 * Where the VirtualMachineInstance spec sits in each KubeVirt kind that runs VMs (field names as
 * in the KubeVirt OpenAPI, ../shared/crds/profiles/ocp-4.14/kubevirt/openapi/swagger.json
 * (v1.0.1) and ../shared/crds/kubevirt/openapi/swagger.json (v1.9.0): `v1.VirtualMachineSpec.template`,
 * `v1.VirtualMachineInstanceReplicaSetSpec.template`, `VirtualMachinePoolSpec.virtualMachineTemplate`).
 */
const VMI_SPEC_PATHS: Record<string, { group: string; path: readonly string[] }> = {
  VirtualMachineInstance: { group: 'kubevirt.io', path: ['spec'] },
  VirtualMachine: { group: 'kubevirt.io', path: ['spec', 'template', 'spec'] },
  VirtualMachineInstanceReplicaSet: { group: 'kubevirt.io', path: ['spec', 'template', 'spec'] },
  VirtualMachinePool: { group: 'pool.kubevirt.io', path: ['spec', 'virtualMachineTemplate', 'spec', 'template', 'spec'] },
};

/** True for KubeVirt kinds that run virtual machines. */
export function isVmKind(manifest: any): boolean {
  const k = typeof manifest?.kind === 'string' && Object.prototype.hasOwnProperty.call(VMI_SPEC_PATHS, manifest.kind) ? VMI_SPEC_PATHS[manifest.kind] : undefined;
  return !!k && typeof manifest?.apiVersion === 'string' && (manifest.apiVersion === k.group || manifest.apiVersion.startsWith(`${k.group}/`));
}

/** The VirtualMachineInstance spec of a KubeVirt manifest and its JSON pointer. */
export function vmiSpecOf(manifest: any): { spec: any; pointer: string } | undefined {
  if (!isVmKind(manifest)) return undefined;
  const { path } = VMI_SPEC_PATHS[manifest.kind];
  let v = manifest;
  for (const k of path) {
    v = v?.[k];
    if (v === undefined || v === null || typeof v !== 'object') return undefined;
  }
  return { spec: v, pointer: `/${path.join('/')}` };
}

/** Kind and name of a manifest for messages: `Deployment "web"`. */
export function describe(manifest: any): string {
  return `${manifest?.kind ?? '?'} "${manifest?.metadata?.name ?? '?'}"`;
}
