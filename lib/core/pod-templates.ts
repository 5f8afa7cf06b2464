/**
 * Where the pod template sits in each Kubernetes/OpenShift kind that runs pods: the object whose
 * `metadata` and `spec` become the pods' (for a Pod, the Pod itself). One table for every reader
 * of pod specs (policies, reference resolution).
 */
const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  PodTemplate: ['template'],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  DeploymentConfig: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** True for kinds that carry a pod template. */
export function isPodKind(kind: unknown): boolean {
  return typeof kind === 'string' && Object.prototype.hasOwnProperty.call(POD_TEMPLATE_PATHS, kind);
}

/** The path from the manifest root to its pod template, or undefined for kinds that run no pods. */
export function podTemplatePath(kind: unknown): readonly string[] | undefined {
  return isPodKind(kind) ? POD_TEMPLATE_PATHS[kind as string] : undefined;
}

/** The pod template of a manifest (an object) and its JSON pointer (`''` for a Pod), if present. */
export function podTemplateOf(manifest: any): { template: any; pointer: string } | undefined {
  const path = podTemplatePath(manifest?.kind);
  if (!path) return undefined;
  let v = manifest;
  for (const k of path) {
    v = v?.[k];
    if (v === undefined || v === null || typeof v !== 'object') return undefined;
  }
  return { template: v, pointer: path.map((k) => `/${k}`).join('') };
}
