import { jsonPointer } from '../core/json-pointer';
import { Problem } from '../core/errors';
import { isPodKind } from './_pod-specs';
import { Finding, PolicyContext, PolicyObject, policies, PolicyRule, WAIVE_ANNOTATION_PREFIX, waiverReason } from './policy';
import { SYSTEM_NAMESPACE_ANNOTATION } from './system-namespaces';
import { isTenantNamespace, tenantNamespaceNames } from './tenant-network-isolation';

/** Options of {@link checkPolicies}. */
export interface CheckPoliciesOptions {
  /**
   * Declared system namespaces per group. When given (a synth), they are the only source, and a
   * `ocpkit.io/system-namespace` annotation on anything else is a problem. When absent (a folder of
   * YAML), a namespace is a system namespace if its Namespace carries the annotation, or, for
   * namespaces the folder does not define, if the pod-running object itself carries it.
   * @default read from the annotations
   */
  readonly systemNamespaces?: (group: string) => ReadonlyMap<string, string>;
  /**
   * The policies of each group (a synth: the built-in ones and those added to that Cluster).
   * @default the built-in policies
   */
  readonly rules?: (group: string) => readonly PolicyRule[];
}

function key(m: any): string {
  return `${m?.apiVersion}/${m?.kind}`;
}

/**
 * Runs every registered policy over a set of objects and returns one problem per violation,
 * each naming the object's path (construct path or `file#index`), the JSON pointer and the
 * policy. Waived objects (`ocpkit.io/waive-<id>` with a non-blank reason) pass that policy;
 * unknown policy ids and blank reasons in waiver annotations are problems themselves.
 */
export function checkPolicies(objects: readonly PolicyObject[], options: CheckPoliciesOptions = {}): Problem[] {
  const problems: Problem[] = [];
  const groups = new Map<string, PolicyObject[]>();
  for (const o of objects) {
    const list = groups.get(o.group);
    if (list) list.push(o);
    else groups.set(o.group, [o]);
  }
  for (const [group, list] of groups) {
    const rules = options.rules?.(group) ?? policies();
    const ids = new Set(rules.map((r) => r.id));
    const byNs = new Map<string, PolicyObject[]>();
    for (const o of list) {
      const ns = typeof o.manifest?.metadata?.namespace === 'string' ? o.manifest.metadata.namespace : '';
      const l = byNs.get(ns);
      if (l) l.push(o);
      else byNs.set(ns, [o]);
    }
    const system = new Set<string>();
    const ctx: PolicyContext = {
      objects: list,
      inNamespace: (ns) => byNs.get(ns) ?? [],
      isSystemNamespace: (ns) => typeof ns === 'string' && system.has(ns),
    };
    const tenantNamespaces = tenantNamespaceNames(ctx);
    const declared = options.systemNamespaces?.(group);
    if (declared) {
      for (const ns of declared.keys()) system.add(ns);
    } else {
      const defined = new Set(list.filter((o) => key(o.manifest) === 'v1/Namespace').map((o) => o.manifest.metadata?.name));
      for (const o of list) {
        const m = o.manifest;
        if (!annotated(m)) continue;
        if (key(m) === 'v1/Namespace') system.add(m.metadata?.name);
        else if (isPodKind(m?.kind) && !defined.has(m.metadata?.namespace)) system.add(m.metadata?.namespace);
      }
    }
    const rejected = new Set<string>();
    for (const ns of system) {
      if (tenantNamespaces.has(ns)) {
        const nsObj = list.find((o) => isTenantNamespace(o.manifest) && o.manifest.metadata.name === ns)!;
        problems.push({ path: nsObj.path, field: '/metadata/name', message: `policy no-host-access: tenant namespace "${ns}" is declared a system namespace; tenants never get host access, declare a separate platform namespace` });
        system.delete(ns);
        rejected.add(ns);
      }
    }
    for (const o of list) {
      const m = o.manifest;
      const annotations = m?.metadata?.annotations;
      if (annotations && typeof annotations === 'object') {
        for (const k of Object.keys(annotations)) {
          if (!k.startsWith(WAIVE_ANNOTATION_PREFIX)) continue;
          const v = annotations[k];
          const id = k.slice(WAIVE_ANNOTATION_PREFIX.length);
          if (!ids.has(id)) {
            problems.push({ path: o.path, field: jsonPointer(['metadata', 'annotations', k]), message: `waives unknown policy "${id}"; known policies are ${[...ids].join(', ')}` });
          } else if (typeof v !== 'string' || v.trim() === '') {
            problems.push({ path: o.path, field: jsonPointer(['metadata', 'annotations', k]), message: `waiver of policy ${id} has no reason; write why the object may break the policy` });
          }
        }
        if (declared && annotated(m)) {
          const ns = key(m) === 'v1/Namespace' ? m.metadata?.name : m.metadata?.namespace;
          if (!system.has(ns) && !rejected.has(ns)) {
            problems.push({ path: o.path, field: jsonPointer(['metadata', 'annotations', SYSTEM_NAMESPACE_ANNOTATION]), message: `namespace "${ns}" is not a declared system namespace; only SystemNamespaces.declare(cluster, namespace, reason) sets this annotation` });
          }
        }
      }
      for (const rule of rules) {
        let findings: Finding[];
        try {
          findings = rule.check(o, ctx);
        } catch (e) {
          findings = [{ pointer: '', message: `cannot be checked: ${(e as Error).message}` }];
        }
        if (findings.length === 0 || waiverReason(m, rule.id)) continue;
        for (const f of findings) {
          problems.push({ path: o.path, field: f.pointer, message: `policy ${rule.id}: ${f.message} (to accept it, waive with a reason: annotation ${WAIVE_ANNOTATION_PREFIX}${rule.id})` });
        }
      }
    }
  }
  return problems;
}

function annotated(m: any): boolean {
  const v = m?.metadata?.annotations?.[SYSTEM_NAMESPACE_ANNOTATION];
  return typeof v === 'string' && v.trim() !== '';
}
