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

describe('TreeIndex.rendered', () => {
  // A ConfigMap whose data is a Lazy counting its renders, in a GitOpsApp of a test cluster, and a
  // construct whose validation reads the ConfigMap's render (as cross-checks do).
  const { ApiObject, Lazy } = require('cdk8s') as typeof import('cdk8s');
  const { GitOpsApp } = require('../../lib/gitops/gitops-app') as typeof import('../../lib/gitops/gitops-app');
  const { synthesize } = require('../../lib/pipeline-defaults') as typeof import('../../lib/pipeline-defaults');
  const { testCluster } = require('../_helpers') as typeof import('../_helpers');

  function stack(options: { inspect: boolean; fail?: boolean }) {
    const cluster = testCluster();
    const app = new GitOpsApp(cluster, 'App', { name: 'app', namespace: 'app' });
    let renders = 0;
    const cm = new ApiObject(app, 'Cm', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', namespace: 'app' },
      data: Lazy.any({
        produce: () => {
          renders++;
          if (options.fail) throw new Error('no data today');
          return { key: 'value' };
        },
      }),
    });
    const seen: any[] = [];
    if (options.inspect) {
      const checker = new Construct(app, 'Checker');
      checker.node.addValidation({
        validate: () => {
          try {
            seen.push(TreeIndex.rendered(cm), TreeIndex.rendered(cm));
          } catch (e) {
            seen.push((e as Error).message);
          }
          return [];
        },
      });
    }
    return { cluster, cm, seen, renders: () => renders };
  }
  const opts = { validator: false as const, policies: false, references: false };

  test('during a synth an object read by validations is rendered once, and the synth writes what it writes without them', () => {
    const plain = stack({ inspect: false });
    const expected = synthesize(plain.cluster, opts).files;
    expect(plain.renders()).toBe(1);

    const inspected = stack({ inspect: true });
    const files = synthesize(inspected.cluster, opts).files;
    expect(files).toEqual(expected);
    expect(inspected.renders()).toBe(1); // the validation's render, copied by the synthesizer
    expect(inspected.seen[0]).toBe(inspected.seen[1]);
    // the synthesizer's transforms (sync wave annotation) changed its own copy, not the one read
    expect(inspected.seen[0]).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'app' }, data: { key: 'value' } });
  });

  test('outside a synth each call renders afresh; a render that throws fails the synth as before', () => {
    const s = stack({ inspect: false });
    expect(TreeIndex.rendered(s.cm)).not.toBe(TreeIndex.rendered(s.cm));
    expect(s.renders()).toBe(2);

    const failing = stack({ inspect: true, fail: true });
    expect(() => synthesize(failing.cluster, opts)).toThrow(/\[App\/Cm\] cannot render: .*no data today/);
    expect(failing.seen).toEqual([expect.stringMatching(/no data today/)]);
    expect(failing.renders()).toBe(2); // the validation's render, and the synthesizer's own attempt
  });
});
