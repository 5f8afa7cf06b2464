import { IConstruct } from 'constructs';
import type { Cluster } from '../gitops/cluster';
import type { ManifestTransform, SynthCheck } from '../synth/pipeline';
import { setAnnotation } from '../synth/pipeline';
import { isPodKind } from './_pod-specs';
import { checkPolicies } from './check-policies';
import { Policies, waiverAnnotation, waiversOn } from './policy';
import { SYSTEM_NAMESPACE_ANNOTATION, SystemNamespaces } from './system-namespaces';

/**
 * The transform that writes policy decisions into the manifests, in the open: every waiver
 * recorded with `Policy.waive` on an object or any of its ancestors becomes the annotation
 * `ocpkit.io/waive-<id>: <reason>`, and every Namespace and pod-running object in a namespace
 * declared with `SystemNamespaces.declare` carries `ocpkit.io/system-namespace: <reason>`. So
 * `ocpkit validate --policy` over the written YAML reaches the same verdict as the synth.
 */
export const POLICY_STAMPS: ManifestTransform = {
  id: 'policy-stamps',
  transform(manifest, { root, source }) {
    // Nearest waiver wins: the waivers of the object and its ancestors are stamped from the root
    // down (found walking up, without building the list of scopes: most objects have none).
    let found: ReadonlyMap<string, string>[] | undefined;
    for (let scope: IConstruct | undefined = source; scope; scope = scope.node.scope) {
      const waivers = waiversOn(scope);
      if (waivers) (found ??= []).push(waivers);
    }
    for (let i = (found?.length ?? 0) - 1; i >= 0; i--) {
      for (const [id, reason] of found![i]) setAnnotation(manifest, waiverAnnotation(id), reason);
    }
    const declared = SystemNamespaces.of(root as Cluster);
    if (declared.size > 0) {
      const isNamespace = manifest?.kind === 'Namespace' && manifest?.apiVersion === 'v1';
      const ns = isNamespace ? manifest.metadata?.name : manifest?.metadata?.namespace;
      if (typeof ns === 'string' && declared.has(ns) && (isNamespace || isPodKind(manifest.kind))) {
        setAnnotation(manifest, SYSTEM_NAMESPACE_ANNOTATION, declared.get(ns)!);
      }
    }
    return manifest;
  },
};

/**
 * The policy check of a synth: every object of every cluster, grouped by environment (the first
 * folder of its file), with the policies (built-in and `Policies.add`ed) and the system
 * namespaces each Cluster declared.
 */
export const POLICY_CHECK: SynthCheck = {
  id: 'policies',
  check(objects, ctx) {
    const byEnv = new Map(ctx.roots.map((r) => [r.outputFolder, r] as const));
    const none = new Map<string, string>();
    return checkPolicies(
      objects.map((o) => ({ manifest: o.manifest, path: o.path, group: firstSegment(o.file), file: o.file })),
      {
        systemNamespaces: (env) => {
          const root = byEnv.get(env);
          return root ? SystemNamespaces.of(root as Cluster) : none;
        },
        rules: (env) => Policies.of(byEnv.get(env)),
      },
    );
  },
};

/** `production` of `production/forum/deployment.forum.web.yaml` (the whole path when it has no `/`). */
function firstSegment(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? file : file.slice(0, slash);
}
