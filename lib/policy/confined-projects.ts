import { show } from '../core/errors';
import { PLATFORM_PROJECT } from '../gitops/root-app';
import type { Finding, PolicyRule } from './policy';

/**
 * Characters that make an Argo CD pattern match more than one name. Argo CD matches project
 * destinations (`namespace`, `server`, `name`) with `util/glob.Match`, i.e. github.com/gobwas/glob:
 * `*`, `**`, `?`, `[abc]`, `[!abc]`, `[a-z]`, `{a,b}` and `\` escapes; a leading `!` (Argo CD 2.5+)
 * makes the entry a deny pattern that matches every *other* name.
 * `sourceNamespaces` go through `glob.MatchStringInList(..., glob.REGEXP)`, where `/.../` is a
 * regular expression.
 * @see https://github.com/argoproj/argo-cd/blob/v2.10.18/pkg/apis/application/v1alpha1/app_project_types.go (globMatch, isDestinationMatched, IsAppNamespacePermitted)
 * @see https://github.com/argoproj/argo-cd/blob/v2.10.18/util/glob/glob.go and util/glob/list.go
 * @see https://github.com/gobwas/glob#syntax
 */
const GLOB_META = /[*?[\]{}\\]/;

/** Why a destination or source-namespace entry matches more than one exact name, or undefined. */
export function widening(pattern: unknown, regexAllowed = false): string | undefined {
  if (typeof pattern !== 'string' || pattern === '') return 'is missing, so it is not one named target';
  if (pattern.startsWith('!')) return 'is a "!" deny pattern, which matches every other name';
  if (GLOB_META.test(pattern)) return 'contains a glob character (*, ?, [...], {...} or \\) and so matches more than one name';
  if (regexAllowed && pattern.length > 1 && pattern.startsWith('/') && pattern.endsWith('/')) return 'is a /regular expression/';
  return undefined;
}

/**
 * `confined-projects`: every Argo CD AppProject other than the platform project is confined to
 * named targets: each destination names one namespace and one cluster (`server` and/or `name`)
 * exactly, with no glob character and no `!` deny pattern; `sourceNamespaces` (Applications
 * outside the Argo CD namespace that may use the project) are exact names too; and no
 * cluster-scoped kinds (`clusterResourceWhitelist` empty or absent).
 */
export const CONFINED_PROJECTS: PolicyRule = {
  id: 'confined-projects',
  title: 'every AppProject except "platform" is confined to named namespaces and clusters and no cluster-scoped kinds',
  check(obj): Finding[] {
    const m = obj.manifest;
    if (m?.kind !== 'AppProject' || typeof m?.apiVersion !== 'string' || (m.apiVersion !== 'argoproj.io' && !m.apiVersion.startsWith('argoproj.io/'))) return [];
    const name = m.metadata?.name;
    if (name === PLATFORM_PROJECT) return [];
    const out: Finding[] = [];
    const dests = m.spec?.destinations;
    if (Array.isArray(dests)) {
      dests.forEach((d: any, i: number) => {
        const why = widening(d?.namespace);
        if (why) {
          out.push({ pointer: `/spec/destinations/${i}/namespace`, message: `AppProject "${name}" may deploy to namespace ${show(d?.namespace)}: it ${why}; name each namespace the project owns exactly, only the "${PLATFORM_PROJECT}" project spans namespaces` });
        }
        const cluster = ['server', 'name'].filter((k) => d?.[k] !== undefined && d?.[k] !== '');
        if (cluster.length === 0) {
          out.push({ pointer: `/spec/destinations/${i}`, message: `AppProject "${name}": destination ${i} names no cluster (server or name); name the cluster exactly` });
        }
        for (const k of cluster) {
          const w = widening(d[k]);
          if (w) out.push({ pointer: `/spec/destinations/${i}/${k}`, message: `AppProject "${name}" may deploy to cluster ${k} ${show(d[k])}: it ${w}; name the cluster exactly (for example "https://kubernetes.default.svc")` });
        }
      });
    } else if (dests !== undefined) {
      out.push({ pointer: '/spec/destinations', message: `AppProject "${name}": destinations ${show(dests)} is not a list of named destinations` });
    }
    const sns = m.spec?.sourceNamespaces;
    if (Array.isArray(sns)) {
      sns.forEach((s: unknown, i: number) => {
        const w = widening(s, true);
        if (w) out.push({ pointer: `/spec/sourceNamespaces/${i}`, message: `AppProject "${name}" accepts Applications from namespace ${show(s)}: it ${w}; name each namespace exactly` });
      });
    }
    const wl = m.spec?.clusterResourceWhitelist;
    if (wl !== undefined && wl !== null && (!Array.isArray(wl) || wl.length > 0)) {
      const kinds = Array.isArray(wl) ? wl.map((k: any) => `${k?.group || 'core'}/${k?.kind}`).join(', ') : show(wl);
      out.push({ pointer: '/spec/clusterResourceWhitelist', message: `AppProject "${name}" may create cluster-scoped kinds (${kinds}); leave clusterResourceWhitelist empty, only the "${PLATFORM_PROJECT}" project manages cluster-scoped objects` });
    }
    return out;
  },
};
