import { scopeOf, TreeObject, TreeParser, TreeFiles } from './read-tree';

/**
 * What a risk rule may know beyond the resource it looks at: the other objects of the new tree
 * (the workloads a quota must fit, the VMs attached to a network). Built lazily: a diff whose
 * rules never ask parses nothing more than the changed files.
 */
export interface RiskContext {
  /** The manifests of the new tree in the same environment (first path segment) as `file`. */
  objectsInScope(file: string): readonly any[];
  /** The manifests of that environment in one namespace (indexed: a rule per quota stays linear). */
  objectsInNamespace(file: string, namespace: string): readonly any[];
}

/** A context over objects already parsed (every object of the new tree). */
export function contextOfObjects(objects: ReadonlyMap<string, TreeObject>): RiskContext {
  let byScope: Map<string, any[]> | undefined;
  let byNamespace: Map<string, any[]> | undefined;
  return {
    objectsInNamespace(file, namespace) {
      if (!byNamespace) {
        byNamespace = new Map();
        for (const o of objects.values()) {
          const k = `${scopeOf(o.file)}\u0000${o.manifest?.metadata?.namespace ?? ''}`;
          let list = byNamespace.get(k);
          if (!list) byNamespace.set(k, (list = []));
          list.push(o.manifest);
        }
      }
      return byNamespace.get(`${scopeOf(file)}\u0000${namespace}`) ?? [];
    },
    objectsInScope(file) {
      if (!byScope) {
        byScope = new Map();
        for (const o of objects.values()) {
          const scope = scopeOf(o.file);
          let list = byScope.get(scope);
          if (!list) byScope.set(scope, (list = []));
          list.push(o.manifest);
        }
      }
      return byScope.get(scopeOf(file)) ?? [];
    },
  };
}

/**
 * A context over the files of the new tree: parsed (once, all of them) only when a rule asks.
 * Files that do not parse were already reported by the diff, or are unchanged and parsed here
 * for the first time: their problems are ignored (the context is an aid, not a validator).
 */
export function contextOfFiles(files: TreeFiles, name: string): RiskContext {
  let inner: RiskContext | undefined;
  const get = () => {
    if (!inner) {
      const parser = new TreeParser(name);
      for (const [rel, text] of files) parser.parse(rel, text);
      inner = contextOfObjects(parser.objects);
    }
    return inner;
  };
  return {
    objectsInScope: (file) => get().objectsInScope(file),
    objectsInNamespace: (file, namespace) => get().objectsInNamespace(file, namespace),
  };
}

/** A context that knows no other objects (rules that need one find nothing). */
export const EMPTY_CONTEXT: RiskContext = { objectsInScope: () => [], objectsInNamespace: () => [] };
