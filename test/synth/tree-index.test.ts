import { Construct } from 'constructs';
import { TreeIndex, walk } from '../../lib/synth/pipeline';

class Leaf extends Construct {}
class Special extends Leaf {}

function tree(): { root: Construct; a: Construct } {
  const root = new Construct(undefined as any, 'root');
  const a = new Construct(root, 'a');
  new Leaf(a, 'l1');
  new Special(a, 's1');
  new Leaf(root, 'l2');
  return { root, a };
}

const ids = (cs: readonly Construct[]) => cs.map((c) => c.node.path);

describe('TreeIndex', () => {
  test('ofType finds instances of a type and its subtypes, in walk order, from any construct of the tree', () => {
    const { root, a } = tree();
    expect(ids(TreeIndex.ofType(a, Leaf))).toEqual(['root/a/l1', 'root/a/s1', 'root/l2']);
    expect(ids(TreeIndex.ofType(root, Special))).toEqual(['root/a/s1']);
  });

  test('during a synth (a remembered walk) the answers are the same, each a new array', () => {
    const { root, a } = tree();
    TreeIndex._remember(root, walk(root));
    try {
      const first = TreeIndex.ofType(a, Leaf);
      expect(ids(first)).toEqual(['root/a/l1', 'root/a/s1', 'root/l2']);
      first.length = 0; // a caller changing its array changes nobody else's
      expect(ids(TreeIndex.ofType(root, Leaf))).toEqual(['root/a/l1', 'root/a/s1', 'root/l2']);
      expect(ids(TreeIndex.ofType(root, Special))).toEqual(['root/a/s1']);
    } finally {
      TreeIndex._forget(root);
    }
  });

  test('outside a synth every call sees the tree as it is now; a new synth sees its own walk', () => {
    const { root, a } = tree();
    TreeIndex._remember(root, walk(root));
    expect(TreeIndex.ofType(root, Special)).toHaveLength(1);
    TreeIndex._forget(root);
    new Special(a, 's2');
    expect(ids(TreeIndex.ofType(root, Special))).toEqual(['root/a/s1', 'root/a/s2']);
    TreeIndex._remember(root, walk(root));
    try {
      expect(ids(TreeIndex.ofType(root, Special))).toEqual(['root/a/s1', 'root/a/s2']);
    } finally {
      TreeIndex._forget(root);
    }
  });
});
