import { IConstruct } from 'constructs';
import { Problem } from '../core/errors';
import { ArtifactProducer, CheckContext, SynthCheck, SynthesizedObject, SynthRoot, walk } from '../synth/pipeline';
import { renderExternalsFile } from './externals-file';
import { API_VERSION_OF, CLUSTER_SCOPED, describeTarget, ExternalObject, Reference, RefKind, refId } from './model';
import { OPENSHIFT_4_14, PlatformFacts } from './platform';
import { External, Provides } from './provides';
import { CrossNamespaceClone, impliedObjects, keysOf, referencesOf } from './scan';

/** What satisfies a reference. */
interface Entry {
  /** Keys it holds; null: any key. */
  readonly keys: Set<string> | null;
  /** Who creates it (`the stack (path)`, `OpenShift 4.14`, `External by-hand`). */
  readonly by: string;
  readonly stackPath?: string;
  readonly external?: ExternalObject;
}

/** An external object with the references that need it. */
export interface ResolvedExternal extends ExternalObject {
  readonly usedBy: readonly string[];
}

/** Result of resolving one root (cluster). */
export interface Resolution {
  readonly problems: Problem[];
  /** Declared externals, merged per object, sorted by namespace, kind, name. */
  readonly externals: ResolvedExternal[];
}

const REF_KINDS = new Set<string>(Object.keys(API_VERSION_OF));

/** Options of `referenceCheck`. */
export interface ReferenceCheckOptions {
  /** What the platform creates by itself. @default OPENSHIFT_4_14 */
  readonly platform?: PlatformFacts;
}

const RESULTS = new WeakMap<SynthRoot, Resolution>();

/**
 * The `resolve` phase: every reference of every synthesized manifest must name an object of the
 * same cluster, something the platform or a construct of the cluster provides
 * ({@link Provides}), or an {@link External} declaration; keys of Secrets and ConfigMaps must
 * exist too, and a DataVolume cloning a PVC of another namespace needs the CDI clone RBAC there.
 * One problem per unresolved reference: the referring object's construct path, the field (JSON
 * pointer) and what is missing, with the fix.
 */
export function referenceCheck(options: ReferenceCheckOptions = {}): SynthCheck {
  const platform = options.platform ?? OPENSHIFT_4_14;
  return {
    id: 'references',
    phase: 'resolve',
    check(objects: readonly SynthesizedObject[], ctx: CheckContext): Problem[] {
      const byRoot = new Map<SynthRoot, SynthesizedObject[]>();
      for (const r of ctx.roots) byRoot.set(r, []);
      for (const o of objects) if (o.root) byRoot.get(o.root)?.push(o);
      const problems: Problem[] = [];
      for (const [root, objs] of byRoot) {
        const result = resolveReferences(objs, ctx.constructsOf(root), platform, root.outputFolder);
        RESULTS.set(root, result);
        problems.push(...result.problems);
      }
      return problems;
    },
  };
}

/**
 * Writes `externals.yaml` into each environment folder: every External the cluster declares,
 * with the references that need it. No Application syncs it (Applications sync the application
 * folders below the environment folder).
 */
export function externalsArtifact(options: ReferenceCheckOptions = {}): ArtifactProducer {
  const platform = options.platform ?? OPENSHIFT_4_14;
  return {
    id: 'externals',
    produce(objects: readonly SynthesizedObject[], root: SynthRoot) {
      const result = RESULTS.get(root) ?? resolveReferences(objects, walk(root), platform, root.outputFolder);
      RESULTS.delete(root);
      return [{ file: 'externals.yaml', text: renderExternalsFile(root.environment, result.externals) }];
    },
  };
}

/** Resolves the references of one cluster's objects (linear: one index, one pass). */
export function resolveReferences(objects: readonly SynthesizedObject[], constructs: readonly IConstruct[], platform: PlatformFacts, environment: string): Resolution {
  const problems: Problem[] = [];
  const index = new Map<string, Entry>();
  const put = (kind: RefKind, namespace: string | undefined, name: string, entry: Entry) => {
    const id = refId(kind, namespace, name);
    const previous = index.get(id);
    if (!previous) {
      index.set(id, entry);
      return;
    }
    // the same object from two sources: keys add up (a stack ConfigMap plus injected keys)
    if (previous.keys === null || entry.keys === null) index.set(id, { ...previous, keys: null });
    else for (const k of entry.keys) previous.keys.add(k);
  };
  const keySet = (keys: readonly string[] | undefined) => (keys ? new Set(keys) : null);

  // 1. the platform
  for (const p of platform.objects) put(p.kind, p.namespace, p.name, { keys: keySet(p.keys), by: p.by });
  // 2. the stack's objects, and what they imply
  for (const o of objects) {
    const m = o.manifest;
    const name = m?.metadata?.name;
    if (typeof name !== 'string') continue;
    if (REF_KINDS.has(m.kind) && API_VERSION_OF[m.kind as RefKind] === m.apiVersion) {
      const kind = m.kind as RefKind;
      let keys: Set<string> | null = null;
      if (kind === 'Secret' || kind === 'ConfigMap') {
        keys = new Set(keysOf(m));
        if (kind === 'ConfigMap') {
          for (const inj of platform.injectedConfigMapKeys) {
            if ((inj.label && m.metadata?.labels?.[inj.label] === 'true') || (inj.annotation && m.metadata?.annotations?.[inj.annotation] === 'true')) keys.add(inj.key);
          }
        }
      }
      put(kind, m.metadata.namespace, name, { keys, by: `the stack (${o.path})`, stackPath: o.path });
    }
    for (const p of impliedObjects(m)) put(p.kind, p.namespace, p.name, { keys: keySet(p.keys), by: p.by });
  }
  // 3. declarations on constructs
  const externals = new Map<string, { obj: ExternalObject; keys: Set<string>; usedBy: Set<string> }>();
  for (const c of constructs) {
    for (const p of Provides.declaredOn(c)) put(p.kind, p.namespace, p.name, { keys: keySet(p.keys), by: `${p.by} (declared at ${c.node.path})` });
    if (!(c instanceof External)) continue;
    const e = c.object;
    const id = refId(e.kind, e.namespace, e.name);
    const existing = index.get(id);
    if (existing?.stackPath) {
      problems.push({ path: e.path, field: 'External', message: `${describeTarget(e.kind, e.namespace, e.name)} is declared external but the stack creates it (${existing.stackPath}); remove the External declaration` });
      continue;
    }
    const seen = externals.get(id);
    if (seen) {
      if (seen.obj.providedBy !== e.providedBy) {
        problems.push({ path: e.path, field: 'providedBy', message: `${describeTarget(e.kind, e.namespace, e.name)} is also declared at ${seen.obj.path} with providedBy "${seen.obj.providedBy}", here "${e.providedBy}"; declare it once` });
      }
      for (const k of e.keys) seen.keys.add(k);
      continue;
    }
    const keys = new Set(e.keys);
    externals.set(id, { obj: e, keys, usedBy: new Set() });
    if (!existing) index.set(id, { keys, by: `External (${e.providedBy}, declared at ${e.path})`, external: e });
  }

  // 4. resolve
  const perNamespace = new Map<string, { keys?: readonly string[]; by: string }>();
  for (const r of platform.perNamespace) perNamespace.set(`${r.kind}\u0000${r.name}`, r);
  // Nearly every object refers to its namespace: those lookups are answered once per namespace.
  const namespaces = new Map<string, Entry | undefined>();
  const lookup = (kind: RefKind, namespace: string | undefined, name: string): Entry | undefined => {
    if (kind === 'Namespace' && namespace === undefined) {
      if (namespaces.has(name)) return namespaces.get(name);
      const entry = index.get(refId(kind, namespace, name));
      namespaces.set(name, entry);
      return entry;
    }
    const hit = index.get(refId(kind, namespace, name));
    if (hit) return hit;
    const rule = perNamespace.get(`${kind}\u0000${name}`);
    if (rule && namespace && index.has(refId('Namespace', undefined, namespace))) return { keys: keySet(rule.keys), by: rule.by };
    return undefined;
  };
  const clones: { obj: SynthesizedObject; clone: CrossNamespaceClone }[] = [];
  const bindings: SynthesizedObject[] = [];
  const roles = new Map<string, any>();
  const envPrefix = `${environment}/`;
  const scanOptions = { clusterResourceNamespace: platform.clusterResourceNamespace };
  for (const o of objects) {
    const m = o.manifest;
    if (m?.kind === 'RoleBinding' || m?.kind === 'ClusterRoleBinding') bindings.push(o);
    if ((m?.kind === 'Role' || m?.kind === 'ClusterRole') && m.apiVersion === 'rbac.authorization.k8s.io/v1') roles.set(refId(m.kind, m.metadata?.namespace, m.metadata?.name), m);
    const found = referencesOf(m, scanOptions);
    for (const c of found.clones) clones.push({ obj: o, clone: c });
    for (const ref of found.refs) {
      const entry = lookup(ref.kind, ref.namespace, ref.name);
      if (!entry) {
        if (ref.kind !== 'Namespace' && !CLUSTER_SCOPED.has(ref.kind) && ref.namespace === undefined) continue; // no namespace: the schema phase reports it
        problems.push({ path: o.path, field: ref.field, message: missingMessage(ref) });
        continue;
      }
      if (ref.key !== undefined && entry.keys !== null && !entry.keys.has(ref.key)) {
        problems.push({ path: o.path, field: ref.field, message: missingKeyMessage(ref, entry) });
        continue;
      }
      if (entry.external) {
        const x = externals.get(refId(ref.kind, ref.namespace, ref.name));
        x?.usedBy.add(`${o.file.startsWith(envPrefix) ? o.file.slice(envPrefix.length) : o.file}#${ref.field}`);
      }
    }
  }

  // 5. cross-namespace clones need datavolumes/source in the source namespace
  if (clones.length) problems.push(...cloneRbacProblems(clones, bindings, roles));

  const list: ResolvedExternal[] = [...externals.values()].map(({ obj, keys, usedBy }) => ({ ...obj, keys: [...keys].sort(), usedBy: [...usedBy].sort() }));
  list.sort((a, b) => cmp(a.namespace ?? '', b.namespace ?? '') || cmp(a.kind, b.kind) || cmp(a.name, b.name));
  return { problems, externals: list };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const EXTERNAL_FACTORY: Partial<Record<RefKind, string>> = {
  Secret: 'secret', ConfigMap: 'configMap', PersistentVolumeClaim: 'pvc', Service: 'service', DataSource: 'dataSource', Namespace: 'namespace',
};

function declareHint(ref: Reference): string {
  const f = EXTERNAL_FACTORY[ref.kind];
  const ns = CLUSTER_SCOPED.has(ref.kind) ? '' : `namespace: '${ref.namespace}', `;
  const keys = ref.key !== undefined ? `keys: ['${ref.key}'], ` : '';
  const call = f ? `External.${f}(scope, '${ref.name}', { ` : `External.object(scope, '${ref.kind}', '${ref.name}', { `;
  return `${call}${ns}${keys}providedBy: 'by-hand' | 'sealed-secret' | 'external-secret' | 'pre-existing', note })`;
}

function missingMessage(ref: Reference): string {
  const target = describeTarget(ref.kind, ref.namespace, ref.name) + (ref.key !== undefined ? ` (key "${ref.key}")` : '');
  const create = ref.kind === 'Namespace' ? 'define the Namespace in the stack (a GitOpsApp or Tenant)' : 'create it in the stack';
  return `${target} does not resolve: nothing in the stack creates it, the platform does not provide it and no construct declares it (Provides.of(construct)); ${create}, or declare it with ${declareHint(ref)}`;
}

function missingKeyMessage(ref: Reference, entry: Entry): string {
  const target = describeTarget(ref.kind, ref.namespace, ref.name);
  const has = entry.keys && entry.keys.size ? `it has ${[...entry.keys].sort().map((k) => `"${k}"`).join(', ')}` : 'it declares no keys';
  const fix = entry.external ? `add "${ref.key}" to keys of the External declaration at ${entry.external.path}` : `add the key to ${target}`;
  return `${target} has no key "${ref.key}" (${has}; from ${entry.by}); ${fix}`;
}

/**
 * CDI authorizes a clone from another namespace against the clone source namespace: "the user must
 * ... have 'datavolumes/source' permission in the source namespace"
 * (kubevirt/containerized-data-importer doc/clone-datavolume.md; doc/RBAC.md). For a DataVolume
 * created by KubeVirt for a VM, OpenShift documents the RoleBinding in the source namespace for the
 * `default` ServiceAccount of the destination namespace, with a ClusterRole granting
 * `cdi.kubevirt.io` `datavolumes/source`
 * (https://docs.redhat.com/en/documentation/openshift_container_platform/4.13/html/virtualization/cloning-virtual-machines,
 * "Creating RBAC resources for cloning data volumes"). Roles that grant it: any Role/ClusterRole
 * of the stack with a rule covering create on that resource, and CDI's aggregated cluster roles
 * (cdi.kubevirt.io:admin/edit/view, aggregated into admin/edit/view; documented in the OpenShift
 * Virtualization "RBAC roles for storage features" table, read in the 4.19 edition, not checked
 * against CDI v1.57 itself).
 */
const BUILTIN_CLONE_ROLES = new Set(['admin', 'edit', 'view', 'cluster-admin', 'cdi.kubevirt.io:admin', 'cdi.kubevirt.io:edit', 'cdi.kubevirt.io:view']);

/**
 * Namespaces every namespace may clone from without RBAC of its own: OpenShift Virtualization's
 * boot sources. SSP binds the Role `os-images.kubevirt.io:view` (create on cdi.kubevirt.io
 * datavolumes/source) there to `system:authenticated` and `system:serviceaccounts`
 * (kubevirt/ssp-operator v0.18.3 internal/operands/data-sources/resource.go, HCO release-1.10).
 */
const OPEN_CLONE_NAMESPACES = new Set(['openshift-virtualization-os-images']);

function cloneRbacProblems(clones: readonly { obj: SynthesizedObject; clone: CrossNamespaceClone }[], bindings: readonly SynthesizedObject[], roles: ReadonlyMap<string, any>): Problem[] {
  const grants = (kind: string, name: string, ns: string | undefined): boolean => {
    if (kind === 'ClusterRole' && BUILTIN_CLONE_ROLES.has(name)) return true;
    const role = roles.get(refId(kind as RefKind, ns, name));
    return (Array.isArray(role?.rules) ? role.rules : []).some((r: any) => {
      const has = (list: unknown, v: string) => Array.isArray(list) && (list.includes(v) || list.includes('*'));
      return has(r?.apiGroups, 'cdi.kubevirt.io') && has(r?.resources, 'datavolumes/source') && has(r?.verbs, 'create');
    });
  };
  const covers = (subject: any, bindingNs: string | undefined, target: string): boolean => {
    if (subject?.kind === 'ServiceAccount') return subject.name === 'default' && (subject.namespace ?? bindingNs) === target;
    if (subject?.kind === 'Group') return ['system:authenticated', 'system:serviceaccounts', `system:serviceaccounts:${target}`].includes(subject.name);
    return false;
  };
  const allowed = (source: string, target: string): boolean => bindings.some((b) => {
    const m = b.manifest;
    const bindingNs = m.metadata?.namespace;
    if (m.kind === 'RoleBinding' && bindingNs !== source) return false;
    const roleNs = m.roleRef?.kind === 'Role' ? bindingNs : undefined;
    return grants(m.roleRef?.kind, m.roleRef?.name, roleNs) && (Array.isArray(m.subjects) ? m.subjects : []).some((s: any) => covers(s, bindingNs, target));
  });
  const out: Problem[] = [];
  const memo = new Map<string, boolean>();
  for (const { obj, clone } of clones) {
    const key = `${clone.sourceNamespace}\u0000${clone.targetNamespace}`;
    let ok = memo.get(key);
    if (ok === undefined) memo.set(key, (ok = OPEN_CLONE_NAMESPACES.has(clone.sourceNamespace) || allowed(clone.sourceNamespace, clone.targetNamespace)));
    if (ok) continue;
    out.push({
      path: obj.path,
      field: clone.field,
      message: `clones ${clone.sourceKind === 'DataSource' ? 'DataSource' : 'PVC'} ${clone.sourceNamespace}/${clone.sourceName} into namespace ${clone.targetNamespace}, but nothing grants create on cdi.kubevirt.io datavolumes/source in ${clone.sourceNamespace} to ServiceAccount ${clone.targetNamespace}/default; CDI refuses the clone. Add a RoleBinding in ${clone.sourceNamespace} for that ServiceAccount to a ClusterRole with that rule`,
    });
  }
  return out;
}
