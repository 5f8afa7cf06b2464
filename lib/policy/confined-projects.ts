import type { Finding, PolicyRule } from './policy';

/** Name of the one AppProject allowed everywhere (lib/gitops/root-app.ts PLATFORM_PROJECT). */
const PLATFORM_PROJECT = 'platform';

/**
 * `confined-projects`: every Argo CD AppProject other than the platform project is confined to
 * named namespaces: no destination whose namespace is missing or contains a wildcard, and no
 * cluster-scoped kinds (`clusterResourceWhitelist` empty or absent).
 */
export const CONFINED_PROJECTS: PolicyRule = {
  id: 'confined-projects',
  title: 'every AppProject except "platform" is confined to named namespaces and no cluster-scoped kinds',
  check(obj): Finding[] {
    const m = obj.manifest;
    if (m?.kind !== 'AppProject' || m?.apiVersion !== 'argoproj.io/v1alpha1') return [];
    const name = m.metadata?.name;
    if (name === PLATFORM_PROJECT) return [];
    const out: Finding[] = [];
    const dests = m.spec?.destinations;
    if (Array.isArray(dests)) {
      dests.forEach((d: any, i: number) => {
        const ns = d?.namespace;
        if (typeof ns !== 'string' || ns === '' || ns.includes('*') || ns.startsWith('!')) {
          out.push({ pointer: `/spec/destinations/${i}/namespace`, message: `AppProject "${name}" may deploy to namespace ${JSON.stringify(ns)}; name each namespace the project owns (no "*" patterns), only the "${PLATFORM_PROJECT}" project spans namespaces` });
        }
      });
    }
    const wl = m.spec?.clusterResourceWhitelist;
    if (Array.isArray(wl) && wl.length > 0) {
      const kinds = wl.map((k: any) => `${k?.group || 'core'}/${k?.kind}`).join(', ');
      out.push({ pointer: '/spec/clusterResourceWhitelist', message: `AppProject "${name}" may create cluster-scoped kinds (${kinds}); leave clusterResourceWhitelist empty, only the "${PLATFORM_PROJECT}" project manages cluster-scoped objects` });
    }
    return out;
  },
};
