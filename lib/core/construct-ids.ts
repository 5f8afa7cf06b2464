import { Node } from 'constructs';

/**
 * Construct ids that are names of Object.prototype members (`toString`, `constructor`,
 * `valueOf`, `hasOwnProperty`, `__proto__` ...) must work like any other id: a tenant, a
 * workload or an app may well be called that.
 *
 * constructs 10 (checked at 10.8.1, lib/construct.ts `Node.addChild` and `Node.tryFindChild`)
 * keeps a node's children in a plain object literal, so `_children['toString']` is the inherited
 * function: `new Construct(scope, 'toString')` throws "There is already a Construct with name
 * 'toString'" even in an empty scope, and `tryFindChild('constructor')` returns
 * `Object.prototype.constructor`. This gives every node a prototype-less children map before its
 * first child is added, which fixes both; everything constructs does with the map (index,
 * `in`, `delete`, `Object.values`) behaves the same on it. Installed once, when ocpkit is loaded.
 */
export function installPrototypeSafeChildren(): void {
  const proto = Node.prototype as unknown as Record<string | symbol, unknown>;
  if (proto[PATCHED]) return;
  const original = proto.addChild as ((this: NodeInternals, child: unknown, childName: string) => void) | undefined;
  if (typeof original !== 'function') return; // a constructs version without it: nothing to fix here
  proto.addChild = function addChild(this: NodeInternals, child: unknown, childName: string): void {
    if (this._children === undefined || this._children === null) this._children = Object.create(null);
    original.call(this, child, childName);
  };
  Object.defineProperty(proto, PATCHED, { value: true });
}

const PATCHED = Symbol.for('ocpkit.prototypeSafeChildren');

interface NodeInternals {
  _children?: Record<string, unknown> | null;
}

installPrototypeSafeChildren();
