/*
 * Two renderers of one small diagram model: Mermaid flowcharts (rendered natively by GitHub and
 * GitLab in ```mermaid blocks) and Graphviz DOT. Both are deterministic: the same diagram gives
 * the same text, node ids derive from node identities (not from positions), and everything is
 * emitted in sorted order.
 */

/** How a node is marked in a change diagram. */
export type NodeStatus = 'changed' | 'added' | 'removed';

/** Node shapes both renderers can draw. */
export type NodeShape = 'box' | 'round' | 'stadium' | 'hexagon' | 'subroutine' | 'parallelogram' | 'note';

/** One node of a {@link Diagram}. */
export interface DiagramNode {
  /** Identity (any text); renderers derive their own safe ids from it. */
  readonly id: string;
  /** Short lowercase prefix of the rendered id (`bond`, `vm`); letters only. */
  readonly prefix: string;
  /** Label lines, plain text (renderers escape them). */
  readonly label: readonly string[];
  /** Readable part of the rendered id. @default the first label line */
  readonly slug?: string;
  readonly shape: NodeShape;
  readonly status?: NodeStatus;
  /** Identity of the group (subgraph / cluster) the node is drawn in. */
  readonly group?: string;
}

/** A group of nodes: a Mermaid subgraph, a Graphviz cluster. */
export interface DiagramGroup {
  readonly id: string;
  readonly label: string;
  /** Enclosing group, for nested groups. */
  readonly parent?: string;
}

export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
}

/** A renderer-independent diagram. */
export interface Diagram {
  readonly direction: 'LR' | 'TB';
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
  readonly groups: readonly DiagramGroup[];
}

/** Fill and border of each status, shared by both renderers (GitHub's diff colours). */
const STATUS_STYLE: Record<NodeStatus, { fill: string; stroke: string; dashed: boolean }> = {
  changed: { fill: '#fff8c5', stroke: '#9a6700', dashed: false },
  added: { fill: '#dafbe1', stroke: '#1a7f37', dashed: false },
  removed: { fill: '#ffebe9', stroke: '#cf222e', dashed: true },
};

/** The status as text, for readers who do not see colours. */
const STATUS_WORD: Record<NodeStatus, string> = { changed: '(changed)', added: '(added)', removed: '(removed)' };

/** 32-bit FNV-1a of a string, as 8 hex digits: short, stable ids. */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * Rendered ids of a diagram's nodes and groups: `<prefix>_<slug>_<hash>`, only ASCII letters,
 * digits and `_`, starting with the letters of the prefix. That rules out Mermaid's keywords
 * (`end`, `graph`, `subgraph`, `style`, `class`, `click`, ... are never a whole id, and no id
 * starts with one followed by a non-word character) and the `o`/`x` edge-head trap (`A---oB`
 * reads as a circle edge; ids here never touch an arrow without a space; both traps are the
 * warnings of https://mermaid.js.org/syntax/flowchart.html). Unique: a hash collision
 * gets a counter, in sorted order of the identities, so the result does not depend on input order.
 */
export function renderIds(items: ReadonlyArray<{ id: string; prefix: string; slug: string }>): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const it of [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (out.has(it.id)) continue;
    const prefix = it.prefix.replace(/[^a-z]/g, '') || 'n';
    const slug = it.slug.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 24);
    const base = `${prefix}_${slug ? `${slug}_` : ''}${shortHash(it.id)}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    out.set(it.id, id);
  }
  return out;
}

/**
 * Text inside a quoted Mermaid label (`id["..."]`, `-->|"..."|`), as Mermaid entity codes
 * (`#<decimal>;`, https://mermaid.js.org/syntax/flowchart.html#entity-codes-to-escape-characters):
 * - `"` would end the string; `#` would start an entity code (Mermaid rewrites every `#\w+;`
 *   before parsing: mermaid-js/mermaid packages/mermaid/src/mermaidAPI.ts encodeEntities);
 * - `<` `>` `&` would be read as HTML (GitHub renders labels as HTML);
 * - a backtick right after the opening quote makes a Markdown string, and a backtick run could end
 *   the ```mermaid fence of the comment;
 * - `:` because encodeEntities also strips the last `;` of any line matching `style.*:\S*#.*;`,
 *   which a label holding "style", a colon and an entity would otherwise trigger;
 * - `%` (`%%` starts comments and directives), `|` `[` `]` `{` `}` `(` `)` `;` for parsers that
 *   are less careful about quotes;
 * - control characters and line separators become spaces (a label is one line of source).
 */
export function mermaidText(s: string): string {
  return String(s).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/["#<>&`:%|[\]{}();]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** Node shapes with a quoted label (https://mermaid.js.org/syntax/flowchart.html, "Node shapes"). */
const MERMAID_SHAPE: Record<NodeShape, [string, string]> = {
  box: ['[', ']'],
  round: ['(', ')'],
  stadium: ['([', '])'],
  hexagon: ['{{', '}}'],
  subroutine: ['[[', ']]'],
  parallelogram: ['[/', '/]'],
  note: ['>', ']'],
};

/** A Mermaid flowchart (the text inside a ```mermaid block). */
export function renderMermaid(d: Diagram): string {
  const ids = renderIds([
    ...d.nodes.map((n) => ({ id: `n\u0000${n.id}`, prefix: n.prefix, slug: n.slug ?? n.label[0] ?? '' })),
    ...d.groups.map((g) => ({ id: `g\u0000${g.id}`, prefix: 'grp', slug: g.label })),
  ]);
  const nid = (id: string) => ids.get(`n\u0000${id}`)!;
  const gid = (id: string) => ids.get(`g\u0000${id}`)!;
  const lines: string[] = [`flowchart ${d.direction}`];
  const statuses = [...new Set(d.nodes.map((n) => n.status).filter((s): s is NodeStatus => s !== undefined))].sort();
  for (const s of statuses) {
    const st = STATUS_STYLE[s];
    // no trailing `;`: encodeEntities rewrites classDef lines that have one
    lines.push(`  classDef ${s} fill:${st.fill},stroke:${st.stroke},stroke-width:3px${st.dashed ? ',stroke-dasharray:6 3' : ''}`);
  }
  const node = (n: DiagramNode, indent: string) => {
    const [open, close] = MERMAID_SHAPE[n.shape];
    const text = [...n.label, ...(n.status ? [STATUS_WORD[n.status]] : [])].map(mermaidText).join('<br/>');
    lines.push(`${indent}${nid(n.id)}${open}"${text}"${close}`);
  };
  emitGroups(d, (g, depth) => lines.push(`${'  '.repeat(depth + 1)}subgraph ${gid(g.id)}["${mermaidText(g.label)}"]`), (n, depth) => node(n, '  '.repeat(depth + 1)), (depth) => lines.push(`${'  '.repeat(depth + 1)}end`));
  for (const e of sortedEdges(d)) lines.push(`  ${nid(e.from)} -->${e.label ? `|"${mermaidText(e.label)}"|` : ''} ${nid(e.to)}`);
  for (const s of statuses) {
    const members = d.nodes.filter((n) => n.status === s).map((n) => nid(n.id)).sort();
    if (members.length) lines.push(`  class ${members.join(',')} ${s}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Text inside a DOT double-quoted string (https://graphviz.org/doc/info/lang.html: in quoted
 * strings only `\"` is an escape of the language; in labels a backslash starts an escape such as
 * `\n`, `\l`, `\N`, https://graphviz.org/docs/attr-types/escString/), so `\` is doubled and `"`
 * escaped; control characters become spaces.
 */
export function dotText(s: string): string {
  return String(s).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

const DOT_SHAPE: Record<NodeShape, string> = {
  box: 'box',
  round: 'box',
  stadium: 'box',
  hexagon: 'hexagon',
  subroutine: 'box3d',
  parallelogram: 'parallelogram',
  note: 'note',
};

/** A Graphviz digraph (`dot -Tsvg`). */
export function renderDot(d: Diagram, name = 'ocpkit'): string {
  const ids = renderIds([
    ...d.nodes.map((n) => ({ id: `n\u0000${n.id}`, prefix: n.prefix, slug: n.slug ?? n.label[0] ?? '' })),
    ...d.groups.map((g) => ({ id: `g\u0000${g.id}`, prefix: 'cluster', slug: g.label })),
  ]);
  const nid = (id: string) => ids.get(`n\u0000${id}`)!;
  const lines: string[] = [`digraph "${dotText(name)}" {`, `  rankdir=${d.direction};`, '  node [shape=box, fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9];'];
  const node = (n: DiagramNode, indent: string) => {
    const attrs = [`label="${[...n.label, ...(n.status ? [STATUS_WORD[n.status]] : [])].map(dotText).join('\\n')}"`, `shape=${DOT_SHAPE[n.shape]}`];
    const rounded = n.shape === 'round' || n.shape === 'stadium';
    if (n.status) {
      const st = STATUS_STYLE[n.status];
      attrs.push(`style="filled${rounded ? ',rounded' : ''}${st.dashed ? ',dashed' : ''}"`, `fillcolor="${st.fill}"`, `color="${st.stroke}"`, 'penwidth=2');
    } else if (rounded) {
      attrs.push('style=rounded');
    }
    lines.push(`${indent}"${nid(n.id)}" [${attrs.join(', ')}];`);
  };
  // Graphviz draws a subgraph as a box only when its name starts with "cluster"
  emitGroups(d, (g, depth) => lines.push(`${'  '.repeat(depth + 1)}subgraph "${ids.get(`g\u0000${g.id}`)!}" {`, `${'  '.repeat(depth + 2)}label="${dotText(g.label)}";`), (n, depth) => node(n, '  '.repeat(depth + 1)), (depth) => lines.push(`${'  '.repeat(depth + 1)}}`));
  for (const e of sortedEdges(d)) lines.push(`  "${nid(e.from)}" -> "${nid(e.to)}"${e.label ? ` [label="${dotText(e.label)}"]` : ''};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Walks groups (sorted, nested) and nodes (sorted by id), top-level nodes first. */
function emitGroups(d: Diagram, open: (g: DiagramGroup, depth: number) => void, node: (n: DiagramNode, depth: number) => void, close: (depth: number) => void): void {
  const known = new Set(d.groups.map((g) => g.id));
  const byGroup = new Map<string, DiagramNode[]>();
  for (const n of [...d.nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const g = n.group !== undefined && known.has(n.group) ? n.group : '';
    byGroup.set(g, [...(byGroup.get(g) ?? []), n]);
  }
  const children = new Map<string, DiagramGroup[]>();
  for (const g of [...d.groups].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const p = g.parent !== undefined && known.has(g.parent) && g.parent !== g.id ? g.parent : '';
    children.set(p, [...(children.get(p) ?? []), g]);
  }
  const seen = new Set<string>();
  const walk = (g: DiagramGroup, depth: number) => {
    if (seen.has(g.id)) return;
    seen.add(g.id);
    open(g, depth);
    for (const n of byGroup.get(g.id) ?? []) node(n, depth + 1);
    for (const c of children.get(g.id) ?? []) walk(c, depth + 1);
    close(depth);
  };
  for (const n of byGroup.get('') ?? []) node(n, 0);
  for (const g of children.get('') ?? []) walk(g, 0);
}

function sortedEdges(d: Diagram): DiagramEdge[] {
  const present = new Set(d.nodes.map((n) => n.id));
  const seen = new Set<string>();
  const out: DiagramEdge[] = [];
  for (const e of d.edges) {
    if (!present.has(e.from) || !present.has(e.to)) continue;
    const k = `${e.from}\u0000${e.to}\u0000${e.label ?? ''}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e);
  }
  return out.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : (a.label ?? '') < (b.label ?? '') ? -1 : (a.label ?? '') > (b.label ?? '') ? 1 : 0));
}
