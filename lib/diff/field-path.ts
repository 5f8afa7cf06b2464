/**
 * One step of a path into a manifest: an object key, a list index, a list element matched by a
 * key field (`containers[name=web]`), or a member of a set-like list (`includedNamespaces[forum]`).
 */
export type PathSegment = string | number | { readonly by: string; readonly value: string | number | boolean } | { readonly item: unknown };

/** A path into a manifest, from the root (`['spec', 'replicas']`). */
export type FieldPath = readonly PathSegment[];

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
const PLAIN_ITEM = /^[A-Za-z0-9_][A-Za-z0-9_.:/@*-]*$/;

/**
 * Renders a path the way reviewers read it: `spec.template.spec.containers[name=web].image`,
 * `metadata.annotations["argocd.argoproj.io/sync-wave"]`, `spec.template.includedNamespaces[forum]`.
 */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string') out += PLAIN_KEY.test(seg) ? `${out ? '.' : ''}${seg}` : `[${JSON.stringify(seg)}]`;
    else if ('by' in seg) out += `[${seg.by}=${typeof seg.value === 'string' && PLAIN_ITEM.test(seg.value) ? seg.value : JSON.stringify(seg.value)}]`;
    else out += `[${typeof seg.item === 'string' && PLAIN_ITEM.test(seg.item) && !/^\d+$/.test(seg.item) ? seg.item : JSON.stringify(seg.item)}]`;
  }
  return out || '(root)';
}

/** The last object key of a path (skipping list steps), or undefined. */
export function lastKey(path: FieldPath): string | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    const s = path[i];
    if (typeof s === 'string') return s;
  }
  return undefined;
}

/** True when `path` starts with the object keys in `prefix` (list steps in `path` match `'*'`). */
export function startsWith(path: FieldPath, prefix: readonly string[]): boolean {
  if (path.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    const want = prefix[i];
    const seg = path[i];
    if (want === '*') {
      if (typeof seg === 'string') return false;
    } else if (seg !== want) {
      return false;
    }
  }
  return true;
}

/** The value at a diff path (keys, indexes, `[name=x]` members) of a manifest, or undefined (also for set members). */
export function valueAt(root: unknown, path: FieldPath): unknown {
  let v: any = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    if (typeof seg === 'string' || typeof seg === 'number') v = v[seg];
    else if ('by' in seg) v = Array.isArray(v) ? v.find((x) => x?.[seg.by] === seg.value) : undefined;
    else return undefined;
  }
  return v;
}
