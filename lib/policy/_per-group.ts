import type { PolicyContext, PolicyObject } from './policy';

/**
 * A fact about a whole group (cluster) of objects that rules look up per object: computed once
 * per group and kept as long as the group's object list lives. Cross-object rules index with
 * this instead of scanning the group for every object (which is quadratic).
 */
export function perGroup<T>(compute: (ctx: PolicyContext) => T): (ctx: PolicyContext) => T {
  const cache = new WeakMap<readonly PolicyObject[], T>();
  return (ctx) => {
    // one lookup per call (rules ask for every object); `has` only for a fact that is undefined
    const known = cache.get(ctx.objects);
    if (known !== undefined || cache.has(ctx.objects)) return known as T;
    const value = compute(ctx);
    cache.set(ctx.objects, value);
    return value;
  };
}
