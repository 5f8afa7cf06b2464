import { IConstruct } from 'constructs';
import { TreeIndex } from '../synth/pipeline';

const MEMO = new WeakMap<readonly IConstruct[], Map<string, unknown>>();

/**
 * A value computed once per walk of the tree: during a synth, TreeIndex hands every validation
 * the same walk, so cluster-wide lookups (tenants, exemptions, snapshot classes) run once instead
 * of once per schedule (one Schedule per tenant would make them quadratic); outside a synth each
 * call walks afresh, so a tree that changed is never answered from an old walk.
 */
export function perWalk<T>(c: IConstruct, key: string, compute: (all: readonly IConstruct[]) => T): T {
  const all = TreeIndex.all(c);
  let memo = MEMO.get(all);
  if (!memo) {
    memo = new Map();
    MEMO.set(all, memo);
  }
  if (!memo.has(key)) memo.set(key, compute(all));
  return memo.get(key) as T;
}
