import { Problem } from '../core/errors';
import type { Cluster } from '../gitops/cluster';
import type { SynthesizedObject } from '../synth/synthesizer';
import { checkPolicies } from './check-policies';
import { SystemNamespaces } from './system-namespaces';

/**
 * The policy check of a synth: every object of every cluster, grouped by environment (the first
 * folder of its file), with the system namespaces each Cluster declared.
 */
export function synthPolicyCheck(objects: readonly SynthesizedObject[], clusters: readonly Cluster[]): Problem[] {
  const byEnv = new Map(clusters.map((c) => [c.environment, SystemNamespaces.of(c)] as const));
  const none = new Map<string, string>();
  return checkPolicies(
    objects.map((o) => ({ manifest: o.manifest, path: o.path, group: o.file.split('/')[0], file: o.file })),
    { systemNamespaces: (env) => byEnv.get(env) ?? none },
  );
}
