import { show } from '../core/errors';
import { PLATFORM_PROJECT } from '../gitops/root-app';
import { widening } from './confined-projects';
import type { Finding, PolicyContext, PolicyObject, PolicyRule } from './policy';
import { perGroup } from './_per-group';
import { tenantNamespaceNames } from './tenant-network-isolation';

function isArgo(m: any, kind: string): boolean {
  return m?.kind === kind && typeof m?.apiVersion === 'string' && (m.apiVersion === 'argoproj.io' || m.apiVersion.startsWith('argoproj.io/'));
}

/** Folder of a file path (`production/forum/deployment.forum.web.yaml` -> `production/forum`). */
function folderOf(file: string | undefined): string | undefined {
  if (typeof file !== 'string') return undefined;
  const i = file.lastIndexOf('/');
  return i > 0 ? file.slice(0, i) : undefined;
}

/** Repository path `source` as compared with folders: `./dist/production/forum/` -> `dist/production/forum`, which syncs `production/forum` and `forum`. */
function normalize(source: string): string {
  return source.replace(/\/+$/, '').replace(/^\.\//, '');
}

/** True when normalized path `s` ends with the folder (segment-wise). */
function normalizedSyncs(s: string, folder: string): boolean {
  return s === folder || (s.length > folder.length && s.endsWith(folder) && s[s.length - folder.length - 1] === '/');
}

interface ConfinedApp {
  readonly obj: PolicyObject;
  readonly name: string;
  readonly project: string;
  /** Source paths (spec.source.path and spec.sources[].path). */
  readonly paths: string[];
  /** The same paths without trailing slashes and a leading `./` (see {@link normalize}). */
  readonly normalized: string[];
  /** The namespaces the app may put objects in: exact destinations of its project. */
  readonly allowed: Set<string>;
}

/** The confined Applications of a group, indexed once per group (every lookup below is a map hit). */
interface Index {
  readonly byObject: Map<PolicyObject, ConfinedApp>;
  /** Folder (any trailing run of path segments of a source path) -> the apps syncing it. */
  readonly byFolder: Map<string, ConfinedApp[]>;
  /** Names of the AppProjects in the group. */
  readonly projects: Set<string>;
}

/** Applications of the group that belong to a confined (non-platform) project. */
const confinedApps = perGroup((ctx: PolicyContext): Index => {
  const projects = new Map<string, any>();
  const apps: PolicyObject[] = [];
  for (const o of ctx.objects) {
    if (isArgo(o.manifest, 'AppProject')) projects.set(o.manifest.metadata?.name, o.manifest);
    else if (isArgo(o.manifest, 'Application')) apps.push(o);
  }
  const index: Index = { byObject: new Map(), byFolder: new Map(), projects: new Set(projects.keys()) };
  for (const o of apps) {
    const m = o.manifest;
    const project = m.spec?.project;
    if (project === PLATFORM_PROJECT) continue;
    const sources = [m.spec?.source, ...(Array.isArray(m.spec?.sources) ? m.spec.sources : [])];
    const paths = sources.map((s: any) => s?.path).filter((p: unknown): p is string => typeof p === 'string' && p !== '');
    const allowed = new Set<string>();
    const proj = projects.get(project);
    if (proj && Array.isArray(proj.spec?.destinations)) {
      for (const d of proj.spec.destinations) if (!widening(d?.namespace)) allowed.add(d.namespace);
    } else if (!proj && !widening(m.spec?.destination?.namespace)) {
      allowed.add(m.spec.destination.namespace);
    }
    const normalized = paths.map(normalize);
    const app: ConfinedApp = { obj: o, name: m.metadata?.name, project: String(project), paths, normalized, allowed };
    index.byObject.set(o, app);
    // `normalizedSyncs(path, folder)` holds exactly when folder is a trailing run of path's segments.
    const folders = new Set<string>();
    for (const p of normalized) {
      const segments = p.split('/');
      for (let i = 0; i < segments.length; i++) folders.add(segments.slice(i).join('/'));
    }
    for (const f of folders) {
      const list = index.byFolder.get(f);
      if (list) list.push(app);
      else index.byFolder.set(f, [app]);
    }
  }
  return index;
});

/**
 * `tenant-namespace-confinement`: what a tenant's Argo CD Application syncs stays in the
 * tenant's namespace.
 *
 * - An Application of a confined project (any project but "platform") syncs a folder; every
 *   object in that folder sets `metadata.namespace` to a namespace its project names exactly.
 *   Objects aimed at another namespace and cluster-scoped objects (no namespace) are refused on
 *   the object, so an object defined under a Tenant cannot reach a system namespace or another
 *   tenant (and slip past the namespace-based policies) by naming it.
 * - The Application's own destination namespace is one its project names, and it names a
 *   project that exists when the project is in the same tree.
 * - An Application deploying into a tenant namespace (a Namespace labelled `ocpkit.io/tenant`)
 *   belongs to a confined project, never to "platform" (which allows every namespace and
 *   cluster-scoped kinds).
 *
 * Which folder an object is in comes from {@link PolicyObject.file}; objects without it (a
 * folder of YAML outside an ocpkit tree) are matched by nothing and pass.
 */
export const TENANT_NAMESPACE_CONFINEMENT: PolicyRule = {
  id: 'tenant-namespace-confinement',
  title: 'objects synced by a tenant (confined-project) Application stay in the namespaces of its project; tenant namespaces are deployed by confined projects only',
  check(obj, ctx): Finding[] {
    const m = obj.manifest;
    const out: Finding[] = [];
    if (isArgo(m, 'Application')) {
      const project = m.spec?.project;
      const dest = m.spec?.destination?.namespace;
      if (project === PLATFORM_PROJECT) {
        if (typeof dest === 'string' && tenantNamespaceNames(ctx).has(dest)) {
          out.push({ pointer: '/spec/project', message: `Application "${m.metadata?.name}" deploys into tenant namespace "${dest}" with the "${PLATFORM_PROJECT}" project, which allows every namespace and cluster-scoped kinds; use the tenant's project ("tenant-${dest}")` });
        }
      } else {
        const index = confinedApps(ctx);
        const app = index.byObject.get(obj);
        const known = index.projects.has(project);
        const inTree = index.projects.size > 0;
        if (inTree && !known) {
          out.push({ pointer: '/spec/project', message: `Application "${m.metadata?.name}" names project ${show(project)}, which is not defined; use the tenant's AppProject` });
        } else if (app && (typeof dest !== 'string' || !app.allowed.has(dest))) {
          out.push({ pointer: '/spec/destination/namespace', message: `Application "${m.metadata?.name}" deploys into namespace ${show(dest)}, which project "${project}" does not name; use one of ${[...app.allowed].map((n) => JSON.stringify(n)).join(', ') || '(none)'}` });
        }
      }
    }
    const folder = folderOf(obj.file);
    if (!folder) return out;
    const apps = confinedApps(ctx).byFolder.get(folder);
    if (!apps) return out;
    for (const app of apps) {
      if (app.obj === obj || !app.normalized.some((p) => normalizedSyncs(p, folder))) continue;
      const ns = m?.metadata?.namespace;
      if (typeof ns === 'string' && ns !== '' && app.allowed.has(ns)) continue;
      const allowed = [...app.allowed].map((n) => JSON.stringify(n)).join(', ') || '(none)';
      if (typeof ns !== 'string' || ns === '') {
        out.push({ pointer: '/metadata/namespace', message: `${m?.kind ?? '?'} "${m?.metadata?.name ?? '?'}" is in the folder of tenant Application "${app.name}" (project "${app.project}") but has no namespace (cluster-scoped or unplaced); a tenant's folder holds only objects in ${allowed}, cluster-scoped objects belong to a platform GitOpsApp` });
      } else if (!app.allowed.has(ns)) {
        out.push({ pointer: '/metadata/namespace', message: `${m?.kind ?? '?'} "${m?.metadata?.name ?? '?'}" is in the folder of tenant Application "${app.name}" (project "${app.project}") but aimed at namespace "${ns}"; a tenant's folder holds only objects in ${allowed}` });
      }
    }
    return out;
  },
};
