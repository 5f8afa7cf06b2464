import type { FieldChange, ResourceChange } from './diff-trees';
import { formatPath, PathSegment } from './field-path';
import { MASKED } from './masking';
import { diffValues } from './value-diff';

/** Values up to this length are printed on one line; longer ones are expanded, never cut. */
const MAX_INLINE = 160;
/** Unchanged lines shown around each changed block of a text. */
const CONTEXT = 2;
/** Characters of unchanged text shown around the changed part of a long one-line string. */
const CONTEXT_CHARS = 40;
/** Recursion guard of {@link fieldLines}: deeper than any manifest nests; beyond it values are diffed as lines. */
const MAX_DEPTH = 64;
/** Beyond this many cells the line diff falls back to "all old lines out, all new lines in" (still complete). */
const MAX_LCS_CELLS = 4_000_000;

/** `apps/v1 Deployment forum/web` */
export function resourceTitle(c: ResourceChange): string {
  return `${c.apiVersion} ${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`;
}

/** A value on one line: strings quoted, objects as compact JSON. Never shortened. */
export function inline(v: unknown): string {
  if (v === undefined) return '(none)';
  if (v === MASKED) return MASKED;
  return JSON.stringify(v) ?? String(v);
}

function isMultiline(v: unknown): v is string {
  return typeof v === 'string' && v.includes('\n');
}

function parseJson(v: unknown): unknown {
  if (typeof v !== 'string' || v === MASKED) return undefined;
  const t = v.trim();
  if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
  try {
    const doc = JSON.parse(t);
    return doc !== null && typeof doc === 'object' ? doc : undefined;
  } catch {
    return undefined;
  }
}

/** Leaf members of a value as `[sub-path, value]` pairs (a scalar is its own leaf). */
function leaves(v: unknown, path: PathSegment[] = [], out: [PathSegment[], unknown][] = []): [PathSegment[], unknown][] {
  if (v !== null && typeof v === 'object' && Object.keys(v).length > 0) {
    if (Array.isArray(v)) v.forEach((x, i) => leaves(x, [...path, i], out));
    else for (const [k, x] of Object.entries(v)) leaves(x, [...path, k], out);
  } else {
    out.push([path, v]);
  }
  return out;
}

function join(base: string, sub: PathSegment[]): string {
  if (sub.length === 0) return base;
  const rest = formatPath(sub);
  return rest.startsWith('[') ? `${base}${rest}` : `${base}.${rest}`;
}

/** `+ path: value` lines for an added (or `-` for a removed) value: one line when short, else leaf by leaf, texts line by line. */
function valueLines(sign: '+' | '-', path: string, v: unknown, note: string): string[] {
  const one = inline(v);
  if (one.length <= MAX_INLINE && !isMultiline(v)) return [`${sign} ${path}: ${one}${note}`];
  if (isMultiline(v)) return [`${sign} ${path}: (text, ${v.split('\n').length} lines)`, ...v.split('\n').map((l) => `${sign}   ${l}`)];
  const json = parseJson(v);
  if (json !== undefined) return [`${sign} ${path}: (JSON)`, ...leaves(json).map(([p, x]) => `${sign} ${join(`${path} ⟨json⟩`, p)}: ${inline(x)}`)];
  if (v !== null && typeof v === 'object') return leaves(v).flatMap(([p, x]) => valueLines(sign, join(path, p), x, note));
  return [`${sign} ${path}: ${one}${note}`];
}

/**
 * Lines describing one field change, without indentation. Nothing is cut: short values are
 * `path: value` lines; multi-line strings (shell in CronJobs, cloud-init, config files) are
 * diffed line by line with context; JSON held in a string (a NAD's `spec.config`, a
 * last-applied annotation) is diffed by structure; long one-line strings show the changed part
 * with context around it; large added or removed objects are listed leaf by leaf.
 * `style` 'arrow' gives `~ path: old -> new`; 'diff' gives `-`/`+` pairs for unified-diff blocks.
 */
export function fieldLines(f: FieldChange, style: 'arrow' | 'diff', depth = 0): string[] {
  const note = f.masked && (typeof f.old === 'object' || typeof f.new === 'object') ? ' (secrets masked)' : '';
  if (f.op === 'added') return valueLines('+', f.path, f.new, note);
  if (f.op === 'removed') return valueLines('-', f.path, f.old, note);
  if (f.op === 'reordered') {
    return style === 'arrow'
      ? [`~ ${f.path}: order ${inline(f.old)} -> ${inline(f.new)}`]
      : [`- ${f.path} (order): ${inline(f.old)}`, `+ ${f.path} (order): ${inline(f.new)}`];
  }
  const a = parseJson(f.old);
  const b = parseJson(f.new);
  const inner = a !== undefined && b !== undefined && depth < MAX_DEPTH ? diffValues(a, b) : [];
  // masked JSON whose only change was a masked value has no visible structural change: printed whole below
  if (a !== undefined && b !== undefined && inner.length > 0) {
    const head = `${style === 'arrow' ? '~' : '@@'} ${f.path}: (JSON changed${f.masked ? ', secrets masked' : ''})`;
    return [head, ...inner.flatMap((c) => fieldLines({ path: join(`${f.path} ⟨json⟩`, [...c.path] as PathSegment[]), op: c.op, old: c.old, new: c.new, masked: false }, style, depth + 1).map((l) => (style === 'arrow' ? `  ${l}` : l)))];
  }
  if (f.old !== MASKED && f.new !== MASKED && (isMultiline(f.old) || isMultiline(f.new)) && typeof f.old === 'string' && typeof f.new === 'string') {
    return [`${style === 'arrow' ? '~' : '@@'} ${f.path}: (text changed)`, ...textDiff(f.old, f.new).map((l) => (style === 'arrow' ? `  ${l}` : l))];
  }
  if (typeof f.old === 'string' && typeof f.new === 'string' && f.old !== MASKED && f.new !== MASKED && (f.old.length > MAX_INLINE || f.new.length > MAX_INLINE)) {
    const [x, y] = changedPart(f.old, f.new);
    return style === 'arrow' ? [`~ ${f.path}: ${x} -> ${y}`] : [`- ${f.path}: ${x}`, `+ ${f.path}: ${y}`];
  }
  if ((inline(f.old).length > MAX_INLINE || inline(f.new).length > MAX_INLINE) && f.old !== null && f.new !== null && typeof f.old === 'object' && typeof f.new === 'object') {
    const parts = depth < MAX_DEPTH ? diffValues(f.old, f.new) : [];
    // A list of scalars (a CronJob's `command`/`args`) comes back as one change at the same path:
    // descending again would loop, so its members are diffed as lines, one member a line.
    if (parts.length === 0 || parts.some((c) => c.path.length === 0)) {
      return [`${style === 'arrow' ? '~' : '@@'} ${f.path}: (changed${Array.isArray(f.old) && Array.isArray(f.new) ? ', one member a line' : ''})`, ...textDiff(memberLines(f.old), memberLines(f.new)).map((l) => (style === 'arrow' ? `  ${l}` : l))];
    }
    return parts.flatMap((c) => fieldLines({ path: join(f.path, [...c.path] as PathSegment[]), op: c.op, old: c.old, new: c.new, masked: f.masked }, style, depth + 1));
  }
  return style === 'arrow'
    ? [`~ ${f.path}: ${inline(f.old)} -> ${inline(f.new)}${note}`]
    : [`- ${f.path}: ${inline(f.old)}${note}`, `+ ${f.path}: ${inline(f.new)}${note}`];
}

/** A value as text for a line diff: a list one member a line (JSON each), anything else as indented JSON. */
function memberLines(v: unknown): string {
  return Array.isArray(v) ? v.map((x) => inline(x)).join('\n') : JSON.stringify(v, null, 1) ?? String(v);
}

/**
 * {@link fieldLines} that never throws: a value it cannot lay out (a bug, never the input's fault)
 * is printed on one line instead, so the diff still completes (no exit 4 for input it can read).
 */
export function safeFieldLines(f: FieldChange, style: 'arrow' | 'diff'): string[] {
  try {
    return fieldLines(f, style);
  } catch {
    const one = (v: unknown) => {
      try {
        return inline(v);
      } catch {
        return '(unprintable)';
      }
    };
    return style === 'arrow' ? [`~ ${f.path}: ${one(f.old)} -> ${one(f.new)}`] : [`- ${f.path}: ${one(f.old)}`, `+ ${f.path}: ${one(f.new)}`];
  }
}

/** Two long one-line strings as their changed middles with {@link CONTEXT_CHARS} of context, quoted. */
export function changedPart(a: string, b: string): [string, string] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const from = Math.max(0, head - CONTEXT_CHARS);
  const show = (s: string) => {
    const end = Math.min(s.length, s.length - tail + CONTEXT_CHARS);
    const cutHead = from > 0 ? `...(${from} characters) ` : '';
    const cutTail = end < s.length ? ` ...(${s.length - end} characters)` : '';
    return `${cutHead}${JSON.stringify(s.slice(from, end))}${cutTail}`;
  };
  return [show(a), show(b)];
}

/**
 * A line diff of two texts (longest common subsequence), as hunks: `@@ line N` headers, changed
 * lines as `- old` / `+ new`, and {@link CONTEXT} unchanged lines around each change. Complete:
 * every changed line is shown.
 */
export function textDiff(a: string, b: string): string[] {
  const x = a.split('\n');
  const y = b.split('\n');
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
  const xm = x.slice(head, x.length - tail);
  const ym = y.slice(head, y.length - tail);
  // edit script of the middle: ' ' keep, '-' old only, '+' new only
  const ops: [' ' | '-' | '+', string][] = [];
  for (let i = 0; i < head; i++) ops.push([' ', x[i]]);
  if (xm.length * ym.length <= MAX_LCS_CELLS) {
    const n = xm.length;
    const m = ym.length;
    const L: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i][j] = xm[i] === ym[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && xm[i] === ym[j]) {
        ops.push([' ', xm[i]]);
        i++;
        j++;
      } else if (i < n && (j >= m || L[i + 1][j] >= L[i][j + 1])) {
        ops.push(['-', xm[i++]]); // old lines before new ones, as unified diffs show them
      } else {
        ops.push(['+', ym[j++]]);
      }
    }
  } else {
    for (const l of xm) ops.push(['-', l]);
    for (const l of ym) ops.push(['+', l]);
  }
  for (let i = x.length - tail; i < x.length; i++) ops.push([' ', x[i]]);
  // hunks: changed lines with CONTEXT kept lines around them
  const keep = new Array<boolean>(ops.length).fill(false);
  ops.forEach(([op], i) => {
    if (op === ' ') return;
    for (let k = Math.max(0, i - CONTEXT); k <= Math.min(ops.length - 1, i + CONTEXT); k++) keep[k] = true;
  });
  const out: string[] = [];
  let oldLine = 1;
  let newLine = 1;
  let inHunk = false;
  ops.forEach(([op, text], i) => {
    if (keep[i]) {
      if (!inHunk) out.push(`  @@ line ${oldLine} (new ${newLine})`);
      inHunk = true;
      out.push(`${op === ' ' ? ' ' : op} ${text}`);
    } else {
      inHunk = false;
    }
    if (op !== '+') oldLine++;
    if (op !== '-') newLine++;
  });
  return out;
}

/** `1 change` / `2 changes` */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
