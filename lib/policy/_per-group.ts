import type { PolicyContext, PolicyObject } from './policy';

/**
 * A fact about a whole group (cluster) of objects that rules look up per object: computed once
 * per group and kept as long as the group's object list lives. Cross-object rules index with
 * this instead of scanning the group for every object (which is quadratic).
 */
export function perGroup<T>(compute: (ctx: PolicyContext) => T): (ctx: PolicyContext) => T {
  const cache = new WeakMap<readonly PolicyObject[], T>();
  return (ctx) => {
    if (cache.has(ctx.objects)) return cache.get(ctx.objects)!;
    const value = compute(ctx);
    cache.set(ctx.objects, value);
    return value;
  };
}
