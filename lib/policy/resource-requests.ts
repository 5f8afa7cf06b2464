import { containersOf, describe, podSpecOf } from './_pod-specs';
import type { Finding, PolicyContext, PolicyRule } from './policy';

const RESOURCES = ['cpu', 'memory'] as const;

/** The resources a namespace's LimitRanges give containers by default (defaultRequest or default limit). */
function limitRangeDefaults(ctx: PolicyContext, namespace: string | undefined): Set<string> {
  const out = new Set<string>();
  if (!namespace) return out;
  for (const o of ctx.inNamespace(namespace)) {
    const m = o.manifest;
    if (m?.kind !== 'LimitRange' || m?.apiVersion !== 'v1' || !Array.isArray(m.spec?.limits)) continue;
    for (const l of m.spec.limits) {
      if (l?.type !== 'Container') continue;
      for (const r of RESOURCES) if (l.defaultRequest?.[r] !== undefined || l.default?.[r] !== undefined) out.add(r);
    }
  }
  return out;
}

/**
 * `resource-requests`: every container (and init container) requests cpu and memory, directly
 * (`resources.requests`, or `resources.limits`, which requests default to) or through a
 * LimitRange of its namespace with container defaults (every tenant has one). Without requests,
 * the scheduler packs pods blindly and quota cannot count them.
 */
export const RESOURCE_REQUESTS: PolicyRule = {
  id: 'resource-requests',
  title: 'every container requests cpu and memory, directly or through a LimitRange of its namespace',
  check(obj, ctx): Finding[] {
    const m = obj.manifest;
    const pod = podSpecOf(m);
    if (!pod) return [];
    const ns = m.metadata?.namespace;
    let defaults: Set<string> | undefined;
    const out: Finding[] = [];
    for (const c of containersOf(pod, ['initContainers', 'containers'])) {
      const res = c.container?.resources ?? {};
      const missing = RESOURCES.filter((r) => res.requests?.[r] === undefined && res.limits?.[r] === undefined);
      if (missing.length === 0) continue;
      defaults ??= limitRangeDefaults(ctx, ns);
      const still = missing.filter((r) => !defaults!.has(r));
      if (still.length === 0) continue;
      out.push({
        pointer: `${c.pointer}/resources`,
        message: `${describe(m)}: ${c.label} requests no ${still.join(' and ')} and namespace "${ns ?? '(none)'}" has no LimitRange default for it; set resources.requests.${still[0]} (for example cpu: 100m, memory: 256Mi) or add a LimitRange with container defaults`,
      });
    }
    return out;
  },
};
