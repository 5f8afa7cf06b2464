import type { FieldChange, ResourceChange } from './diff-trees';
import { MASKED } from './masking';

const MAX_INLINE = 160;
const MAX_LINES = 40;

/** `apps/v1 Deployment forum/web` */
export function resourceTitle(c: ResourceChange): string {
  return `${c.apiVersion} ${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`;
}

/** A value on one line: strings quoted, objects as compact JSON, long ones shortened. */
export function inline(v: unknown): string {
  if (v === undefined) return '(none)';
  if (v === MASKED) return MASKED;
  const s = JSON.stringify(v) ?? String(v);
  return s.length > MAX_INLINE ? `${s.slice(0, MAX_INLINE - 20)}... (${s.length} characters)` : s;
}

function isMultiline(v: unknown): v is string {
  return typeof v === 'string' && v.includes('\n');
}

/**
 * Lines describing one field change, without indentation: `prefix path: value` lines, and for
 * multi-line strings (config files in ConfigMaps) the changed lines with one line of context.
 * `style` 'arrow' gives `~ path: old -> new`; 'diff' gives a `-`/`+` pair for unified-diff blocks.
 */
export function fieldLines(f: FieldChange, style: 'arrow' | 'diff'): string[] {
  const note = f.masked && (typeof f.old === 'object' || typeof f.new === 'object') ? ' (secrets masked)' : '';
  if (f.op === 'added') return [`+ ${f.path}: ${inline(f.new)}${note}`];
  if (f.op === 'removed') return [`- ${f.path}: ${inline(f.old)}${note}`];
  if (f.op === 'reordered') {
    return style === 'arrow'
      ? [`~ ${f.path}: order ${inline(f.old)} -> ${inline(f.new)}`]
      : [`- ${f.path} (order): ${inline(f.old)}`, `+ ${f.path} (order): ${inline(f.new)}`];
  }
  if (!f.masked && isMultiline(f.old) && isMultiline(f.new)) {
    return [`${style === 'arrow' ? '~' : '@@'} ${f.path}: (text changed)`, ...textDiff(f.old, f.new).map((l) => (style === 'arrow' ? `  ${l}` : l))];
  }
  return style === 'arrow'
    ? [`~ ${f.path}: ${inline(f.old)} -> ${inline(f.new)}${note}`]
    : [`- ${f.path}: ${inline(f.old)}${note}`, `+ ${f.path}: ${inline(f.new)}${note}`];
}

/**
 * Changed lines of two texts: the common head and tail are trimmed (one line of context kept),
 * the middle shown as `-` old lines and `+` new lines. Linear, and enough for config files where
 * one block changes.
 */
export function textDiff(a: string, b: string): string[] {
  const x = a.split('\n');
  const y = b.split('\n');
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
  const out: string[] = [];
  if (head > 0) out.push(`  ${x[head - 1]}`);
  for (const l of x.slice(head, x.length - tail)) out.push(`- ${l}`);
  for (const l of y.slice(head, y.length - tail)) out.push(`+ ${l}`);
  if (tail > 0) out.push(`  ${x[x.length - tail]}`);
  if (out.length > MAX_LINES) return [...out.slice(0, MAX_LINES), `  ... ${out.length - MAX_LINES} more lines`];
  return out;
}

/** `1 change` / `2 changes` */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
