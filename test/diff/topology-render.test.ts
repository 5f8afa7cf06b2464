import { spawnSync } from 'child_process';
import * as fc from 'fast-check';
import { Diagram, DiagramNode, dotText, mermaidText, renderDot, renderIds, renderMermaid } from '../../lib/diff/topology-render';
import { classOf, decodeLabel, nodeByTitle, parseFlowchart } from './topology-grammar';

/** Labels that break naive Mermaid or DOT output. */
const NASTY = [
  'say "hi"',
  'end',
  'subgraph',
  '<script>alert(1)</script>',
  'a & b',
  '#quot; #35; #9829;',
  'style x: y#35;z;',
  '```\nclosed the fence',
  '%%{init: {"theme": "dark"}}%%',
  'pipes | and [brackets] {braces} (parens); semi',
  'back\\slash \\n \\l',
  'line\nbreak\r\u2028sep',
  '@team #12 https://x.example',
  'ümlaut ✓ 日本',
];

const node = (id: string, label: string[], extra: Partial<DiagramNode> = {}): DiagramNode => ({ id, prefix: 'vm', label, shape: 'box', ...extra });

describe('Mermaid labels', () => {
  test('every nasty label survives: the output parses as the subset, and decodes to the label (line breaks as spaces)', () => {
    const d: Diagram = {
      direction: 'LR',
      nodes: NASTY.map((l, i) => node(`n${i}`, [l], { group: i % 2 ? 'g' : undefined, shape: (['box', 'round', 'stadium', 'hexagon', 'subroutine', 'parallelogram', 'note'] as const)[i % 7] })),
      edges: NASTY.slice(1).map((l, i) => ({ from: `n${i}`, to: `n${i + 1}`, label: l })),
      groups: [{ id: 'g', label: 'end' }],
    };
    const text = renderMermaid(d);
    const f = parseFlowchart(text);
    expect(f.nodes.size).toBe(NASTY.length);
    const flat = (s: string) => s.replace(/[\n\r\u2028]/g, ' ');
    for (const l of NASTY) expect(nodeByTitle(f, flat(l))).toBeDefined();
    expect(f.edges.map((e) => e.label)).toEqual(expect.arrayContaining(NASTY.slice(1).map(flat)));
    expect([...f.groups.values()].map((g) => g.label)).toEqual(['end']);
    // nothing in the text can end the ```mermaid fence of a comment or open HTML
    expect(text).not.toMatch(/`|<(?!br\/>)/);
  });

  test('property: mermaidText round-trips through the entity decoding and never yields a quote, # outside an entity, or a colon', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
      const e = mermaidText(s);
      expect(e).not.toMatch(/["`<>:]/);
      expect(e.replace(/#\d+;/g, '')).not.toContain('#');
      expect(decodeLabel(e)).toEqual([s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')]);
    }), { numRuns: 150 });
  });

  test('ids: letters, digits and _, starting with the prefix; never a keyword; unique; stable when other nodes come and go', () => {
    const items = ['end', 'graph', 'o-vm', 'x', 'same', 'same '].map((s, i) => ({ id: `id${i}`, prefix: 'vm', slug: s }));
    const ids = renderIds(items);
    for (const id of ids.values()) expect(id).toMatch(/^vm_[A-Za-z0-9_]*$/);
    expect(new Set(ids.values()).size).toBe(items.length);
    const fewer = renderIds(items.slice(2));
    for (const [k, v] of fewer) expect(v).toBe(ids.get(k));
    // a prefix with other characters is reduced to its letters
    expect(renderIds([{ id: 'a', prefix: 'End-1', slug: '' }]).get('a')).toMatch(/^nd_[0-9a-f]{8}$/);
  });

  test('statuses become classDefs (no trailing semicolon) and class lines; the label says the status in words', () => {
    const d: Diagram = { direction: 'LR', nodes: [node('a', ['A'], { status: 'changed' }), node('b', ['B'], { status: 'added' }), node('c', ['C'], { status: 'removed' }), node('d', ['D'])], edges: [], groups: [] };
    const f = parseFlowchart(renderMermaid(d));
    expect([...f.classDefs].sort()).toEqual(['added', 'changed', 'removed']);
    expect(classOf(f, nodeByTitle(f, 'A')!.id)).toBe('changed');
    expect(nodeByTitle(f, 'A')!.lines).toEqual(['A', '(changed)']);
    expect(classOf(f, nodeByTitle(f, 'C')!.id)).toBe('removed');
    expect(classOf(f, nodeByTitle(f, 'D')!.id)).toBeUndefined();
    // no classDef for a status nobody has
    expect(parseFlowchart(renderMermaid({ ...d, nodes: [node('d', ['D'])] })).classDefs.size).toBe(0);
  });

  test('deterministic: node, edge and group order of the input do not matter; edges to absent nodes are dropped', () => {
    const nodes = [node('a', ['A'], { group: 'g1' }), node('b', ['B'], { group: 'g2' }), node('c', ['C'])];
    const edges = [{ from: 'a', to: 'b' }, { from: 'b', to: 'c', label: 'x' }, { from: 'a', to: 'ghost' }];
    const groups = [{ id: 'g1', label: 'one' }, { id: 'g2', label: 'two', parent: 'g1' }];
    const one = renderMermaid({ direction: 'LR', nodes, edges, groups });
    const two = renderMermaid({ direction: 'LR', nodes: [...nodes].reverse(), edges: [...edges].reverse(), groups: [...groups].reverse() });
    expect(two).toBe(one);
    const f = parseFlowchart(one);
    expect(f.edges).toHaveLength(2);
    const g2 = [...f.groups.entries()].find(([, g]) => g.label === 'two')!;
    expect(f.groups.get(g2[1].parent!)!.label).toBe('one');
  });
});

describe('DOT', () => {
  test('dotText escapes backslash and quote, flattens control characters', () => {
    expect(dotText('a"b\\c\nd')).toBe('a\\"b\\\\c d');
  });

  test('Graphviz parses a diagram with every nasty label, groups and statuses (dot -Tsvg)', () => {
    const d: Diagram = {
      direction: 'LR',
      nodes: NASTY.map((l, i) => node(`n${i}`, [l, 'second line'], { group: i % 3 === 0 ? 'g' : i % 3 === 1 ? 'h' : undefined, status: (['changed', 'added', 'removed', undefined] as const)[i % 4], shape: (['box', 'round', 'stadium', 'hexagon', 'subroutine', 'parallelogram', 'note'] as const)[i % 7] })),
      edges: NASTY.slice(1).map((l, i) => ({ from: `n${i}`, to: `n${i + 1}`, label: l })),
      groups: [{ id: 'g', label: 'node' }, { id: 'h', label: 'subgraph "x"', parent: 'g' }],
    };
    const text = renderDot(d, 'digraph "odd"');
    const r = spawnSync('dot', ['-Tsvg'], { input: text, encoding: 'utf8' });
    if (r.error) throw new Error('Graphviz dot is needed for this test (.ci/run must install it: apt-get install graphviz)');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // every label reached the picture as text (the SVG escapes it as XML)
    const svgText = r.stdout.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    for (const l of ['say "hi"', '<script>alert(1)</script>', 'back\\slash \\n \\l', 'subgraph "x"']) expect(svgText).toContain(l);
    expect((r.stdout.match(/class="node"/g) ?? []).length).toBe(NASTY.length);
    expect((r.stdout.match(/class="edge"/g) ?? []).length).toBe(NASTY.length - 1);
    expect((r.stdout.match(/class="cluster"/g) ?? []).length).toBe(2);
  });
});
