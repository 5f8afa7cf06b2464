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
  /**
   * The objects of the new tree whose file lies in the folder an Argo CD Application deploys
   * (`spec.source.path`, matched as a suffix: `dist/production/forum` finds `production/forum/…`).
   * Optional for contexts built by hand. @default none
   */
  objectsOfSourcePath?(sourcePath: string): readonly { readonly file: string; readonly manifest: any }[];
}

/** Folders a source path may name in a tree rooted below the repository (`dist/production/forum`, `production/forum`, `forum`). */
function sourceFolders(sourcePath: string): string[] {
  const parts = sourcePath.split('/').filter((x) => x !== '' && x !== '.');
  return parts.map((_, i) => parts.slice(i).join('/'));
}

/** A context over objects already parsed (every object of the new tree). */
export function contextOfObjects(objects: ReadonlyMap<string, TreeObject>): RiskContext {
  let byScope: Map<string, any[]> | undefined;
  let byNamespace: Map<string, any[]> | undefined;
  let byFolder: Map<string, { file: string; manifest: any }[]> | undefined;
  return {
    objectsOfSourcePath(sourcePath) {
      if (!byFolder) {
        byFolder = new Map();
        for (const o of objects.values()) {
          const dir = o.file.includes('/') ? o.file.slice(0, o.file.lastIndexOf('/')) : '.';
          let list = byFolder.get(dir);
          if (!list) byFolder.set(dir, (list = []));
          list.push({ file: o.file, manifest: o.manifest });
        }
      }
      // the longest suffix of the source path that is a folder of the tree
      for (const folder of sourceFolders(sourcePath)) {
        const hits = [...byFolder.entries()].filter(([dir]) => dir === folder || dir.startsWith(`${folder}/`));
        if (hits.length) return hits.flatMap(([, list]) => list);
      }
      return [];
    },
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
    objectsOfSourcePath: (sourcePath) => get().objectsOfSourcePath?.(sourcePath) ?? [],
  };
}

/** A context that knows no other objects (rules that need one find nothing). */
export const EMPTY_CONTEXT: RiskContext = { objectsInScope: () => [], objectsInNamespace: () => [] };
