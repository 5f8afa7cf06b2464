/*
 * A strict reader of the Mermaid flowchart subset ocpkit writes (no Mermaid parser is a
 * reasonable dev dependency: `mermaid` needs a DOM, `@mermaid-js/parser` has no flowchart
 * grammar). Every line must be one of the statements below, every id declared once before use,
 * every subgraph closed, every class defined; labels may hold only characters that are literal
 * inside a quoted Mermaid string, entity codes (`#<decimal>;`) and `<br/>`. It throws on anything
 * else, and returns the structure with labels decoded, for assertions.
 */

export interface ParsedNode {
  readonly id: string;
  readonly lines: string[];
  readonly shape: string;
  readonly group?: string;
}

export interface ParsedFlowchart {
  readonly direction: string;
  readonly nodes: Map<string, ParsedNode>;
  readonly edges: { from: string; to: string; label?: string }[];
  readonly groups: Map<string, { label: string; parent?: string }>;
  /** class name -> node ids */
  readonly classes: Map<string, string[]>;
  readonly classDefs: Set<string>;
}

const ID = '[a-z]+_[A-Za-z0-9_]*';
const LABEL = '((?:[^"#<>&`:%|\\[\\]{}();\\u0000-\\u001f]|#\\d+;|<br/>)*)';
const SHAPES: ReadonlyArray<[string, string, string]> = [
  ['stadium', '\\(\\[', '\\]\\)'],
  ['subroutine', '\\[\\[', '\\]\\]'],
  ['hexagon', '\\{\\{', '\\}\\}'],
  ['parallelogram', '\\[/', '/\\]'],
  ['box', '\\[', '\\]'],
  ['round', '\\(', '\\)'],
  ['note', '>', '\\]'],
];
const KEYWORDS = new Set(['end', 'graph', 'flowchart', 'subgraph', 'style', 'class', 'classDef', 'click', 'linkStyle', 'direction', 'default']);

/** Decodes one label: entity codes to characters, `<br/>` splits lines. */
export function decodeLabel(s: string): string[] {
  return s.split('<br/>').map((l) => l.replace(/#(\d+);/g, (_, d) => String.fromCharCode(Number(d))));
}

export function parseFlowchart(text: string): ParsedFlowchart {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const head = /^flowchart (LR|TB)$/.exec(lines[0] ?? '');
  if (!head) throw new Error(`line 1: not a flowchart header: ${lines[0]}`);
  const out: ParsedFlowchart = { direction: head[1], nodes: new Map(), edges: [], groups: new Map(), classes: new Map(), classDefs: new Set() };
  const stack: string[] = [];
  const declared = new Set<string>();
  const checkId = (id: string, at: number) => {
    if (KEYWORDS.has(id)) throw new Error(`line ${at}: id ${id} is a keyword`);
  };
  lines.slice(1).forEach((line, i) => {
    const at = i + 2;
    let m: RegExpExecArray | null;
    if ((m = /^ {2}classDef (\w+) ([\w#:,. -]+)$/.exec(line))) {
      if (line.trimEnd().endsWith(';')) throw new Error(`line ${at}: classDef ends with ;`);
      out.classDefs.add(m[1]);
      return;
    }
    if ((m = new RegExp(`^\\s+subgraph (${ID})\\["${LABEL}"\\]$`).exec(line))) {
      checkId(m[1], at);
      if (declared.has(m[1])) throw new Error(`line ${at}: ${m[1]} declared twice`);
      declared.add(m[1]);
      out.groups.set(m[1], { label: decodeLabel(m[2]).join('\n'), parent: stack[stack.length - 1] });
      stack.push(m[1]);
      return;
    }
    if (/^\s+end$/.test(line)) {
      if (!stack.pop()) throw new Error(`line ${at}: end without subgraph`);
      return;
    }
    if ((m = new RegExp(`^\\s+(${ID}) -->(?:\\|"${LABEL}"\\|)? (${ID})$`).exec(line))) {
      for (const id of [m[1], m[3]]) if (!out.nodes.has(id)) throw new Error(`line ${at}: edge to undeclared node ${id}`);
      out.edges.push({ from: m[1], to: m[3], ...(m[2] !== undefined ? { label: decodeLabel(m[2]).join('\n') } : {}) });
      return;
    }
    if ((m = new RegExp(`^\\s+class (${ID}(?:,${ID})*) (\\w+)$`).exec(line))) {
      if (!out.classDefs.has(m[2])) throw new Error(`line ${at}: class ${m[2]} not defined`);
      const ids = m[1].split(',');
      for (const id of ids) if (!out.nodes.has(id)) throw new Error(`line ${at}: class on undeclared node ${id}`);
      out.classes.set(m[2], [...(out.classes.get(m[2]) ?? []), ...ids]);
      return;
    }
    for (const [shape, open, close] of SHAPES) {
      if ((m = new RegExp(`^\\s+(${ID})${open}"${LABEL}"${close}$`).exec(line))) {
        checkId(m[1], at);
        if (declared.has(m[1])) throw new Error(`line ${at}: ${m[1]} declared twice`);
        declared.add(m[1]);
        out.nodes.set(m[1], { id: m[1], lines: decodeLabel(m[2]), shape, group: stack[stack.length - 1] });
        return;
      }
    }
    throw new Error(`line ${at}: not a statement of the subset: ${JSON.stringify(line)}`);
  });
  if (stack.length) throw new Error(`subgraph ${stack[stack.length - 1]} not closed`);
  return out;
}

/** The flowcharts inside ```mermaid blocks of a Markdown text. */
export function mermaidBlocks(markdown: string): string[] {
  const out: string[] = [];
  const re = /```mermaid\n([\s\S]*?)```/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(markdown))) out.push(m[1]);
  return out;
}

/** Node of a parsed flowchart whose first label line is `first`. */
export function nodeByTitle(f: ParsedFlowchart, first: string): ParsedNode | undefined {
  return [...f.nodes.values()].find((n) => n.lines[0] === first);
}

/** Class of a node (changed/added/removed), if any. */
export function classOf(f: ParsedFlowchart, id: string): string | undefined {
  for (const [c, ids] of f.classes) if (ids.includes(id)) return c;
  return undefined;
}
