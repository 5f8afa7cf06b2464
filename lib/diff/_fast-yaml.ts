/**
 * A fast reader for the YAML that ocpkit writes: one document, block mappings and sequences,
 * plain and quoted scalars, literal block scalars, `[]`/`{}` for empty collections (what
 * `js-yaml`'s `dump` emits with `lineWidth: -1`). It is about five times faster than a full YAML
 * parser, which matters when two 20,000-file trees are compared.
 *
 * Anything outside that subset (comments, anchors, tags, flow collections, folded scalars,
 * numbers other than plain integers, dates, several documents ...) makes it return `undefined`;
 * callers then use js-yaml, so results are always the same as js-yaml's. That includes what the
 * safe reader (lib/core/safe-yaml.ts) refuses: keys `__proto__`, `constructor` and `prototype`
 * and nesting deeper than its limit make this reader return `undefined`, so js-yaml sees them
 * and refuses them with the line; anchors and aliases are never read here.
 */
export function fastParseYaml(text: string): unknown {
  if (text.charCodeAt(0) === 0xfeff) return undefined; // a BOM: js-yaml removes it, so leave it to js-yaml
  try {
    return new Reader(text).document();
  } catch (e) {
    if (e === UNSUPPORTED) return undefined;
    throw e;
  }
}

const UNSUPPORTED = new Error('unsupported YAML for the fast reader');
/** Half of js-yaml's default maxDepth (100): well below it, so this reader never accepts what js-yaml refuses. */
const MAX_DEPTH = 50;

function bail(): never {
  throw UNSUPPORTED;
}

const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;
const NUMBERISH = /^[-+]?[.0-9][0-9a-fA-FxXoObB_.eE:+-]*$/;
const SPECIAL_FLOAT = /^[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$/;
const TIMESTAMP = /^[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?/;
const SIMPLE_INT = /^-?(0|[1-9][0-9]{0,14})$/;
const KEY_PLAIN = /^([^\s'"#][^:#]*?):( |$)/;
/** Keys the safe reader refuses (lib/core/safe-yaml.ts FORBIDDEN_KEYS). */
const FORBIDDEN_KEY = new Set(['__proto__', 'constructor', 'prototype']);

class Reader {
  private readonly lines: string[];
  private i = 0;
  private depth = 0;

  constructor(text: string) {
    if (text.includes('\r') || text.includes('\t')) bail();
    this.lines = text.split('\n');
    while (this.lines.length && this.lines[this.lines.length - 1] === '') this.lines.pop();
  }

  public document(): unknown {
    if (this.lines.length === 0) bail();
    const first = this.lines[0];
    if (this.lines.length === 1 && (first === '{}' || first === '[]')) return first === '{}' ? {} : [];
    if (first.startsWith('---') || first.startsWith('%') || indentOf(first) !== 0) bail();
    const value = this.block(0);
    if (this.i < this.lines.length) bail();
    return value;
  }

  /** A block node whose lines start at exactly `indent` columns. */
  private block(indent: number): unknown {
    const line = this.lines[this.i];
    if (line === undefined || indentOf(line) !== indent) bail();
    // deeper than the safe reader's limit (js-yaml's maxDepth counts the nodes of a path): js-yaml
    if (++this.depth > MAX_DEPTH) bail();
    const rest = line.slice(indent);
    const out = rest === '-' || rest.startsWith('- ') ? this.sequence(indent) : this.mapping(indent);
    this.depth--;
    return out;
  }

  private mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (this.i < this.lines.length) {
      const line = this.lines[this.i];
      const ind = indentOf(line);
      if (line.length === ind) bail(); // blank line between entries: leave to js-yaml
      if (ind < indent) break;
      if (ind > indent) bail();
      const rest = line.slice(indent);
      if (rest === '-' || rest.startsWith('- ')) break;
      const [key, after] = this.key(rest);
      if (FORBIDDEN_KEY.has(key) || key === '<<' || Object.prototype.hasOwnProperty.call(out, key)) bail();
      this.i++;
      out[key] = this.value(after, indent, true);
    }
    return out;
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    while (this.i < this.lines.length) {
      const line = this.lines[this.i];
      const ind = indentOf(line);
      if (line.length === ind) bail();
      if (ind < indent) break;
      if (ind > indent) bail();
      const rest = line.slice(indent);
      if (rest !== '-' && !rest.startsWith('- ')) break;
      const item = rest === '-' ? '' : rest.slice(2);
      if (item === '' || item.startsWith(' ')) {
        if (item.trim() !== '') bail();
        this.i++;
        out.push(this.nested(indent, false));
        continue;
      }
      // `- -` with nothing after: js-yaml reads the next `- ` line at the outer indent into the
      // inner sequence ("- -\n- a: 0" is [[null, {a: 0}]]), a rule this reader does not model
      if (item === '-' || /^- +$/.test(item)) bail();
      if (item.startsWith('- ') || KEY_PLAIN.test(item) || /^(['"]).*\1:( |$)/.test(item)) {
        // `- key: value` / `- - x`: a compact collection whose first line shares the dash's line
        this.lines[this.i] = `${' '.repeat(indent + 2)}${item}`;
        out.push(this.block(indent + 2));
        continue;
      }
      this.i++;
      out.push(this.value(item, indent, false));
    }
    return out;
  }

  /** The value after `key:` (or a `- `), given the text after it. */
  private value(after: string, indent: number, inMapping: boolean): unknown {
    if (after === '') return this.nested(indent, inMapping);
    if (after.startsWith('|')) return this.literal(after, indent);
    const v = scalar(after);
    // a plain scalar continued on the next line: js-yaml
    const next = this.lines[this.i];
    if (next !== undefined && indentOf(next) > indent) bail();
    return v;
  }

  /** The node on the lines after `key:` or `-`: more indented, or a same-indent sequence under a key. */
  private nested(indent: number, inMapping: boolean): unknown {
    const next = this.lines[this.i];
    if (next === undefined) return null;
    const ind = indentOf(next);
    if (ind > indent) return this.block(ind);
    if (inMapping && ind === indent && (next.slice(ind) === '-' || next.slice(ind).startsWith('- '))) return this.sequence(indent);
    return null;
  }

  private literal(header: string, indent: number): string {
    const m = /^\|([-+]?)$/.exec(header);
    if (!m) bail(); // indentation indicators and folded scalars: js-yaml
    const chomp = m[1];
    if (chomp === '+') bail(); // keep chomping depends on trailing blank lines: js-yaml
    const body: string[] = [];
    let contentIndent = -1;
    while (this.i < this.lines.length) {
      const line = this.lines[this.i];
      const ind = indentOf(line);
      if (line.length === ind) {
        body.push(line);
        this.i++;
        continue;
      }
      if (contentIndent < 0) {
        if (ind <= indent) break;
        contentIndent = ind;
      }
      if (ind < contentIndent) break;
      body.push(line);
      this.i++;
    }
    if (contentIndent < 0) bail(); // empty block scalar: rare, js-yaml
    // blank lines that end the scalar belong to it only with keep chomping
    let end = body.length;
    while (end > 0 && body[end - 1].length <= contentIndent && body[end - 1].trim() === '') end--;
    const trailing = body.length - end;
    if (trailing > 0 && this.i < this.lines.length) bail(); // blank lines between nodes: js-yaml
    for (let k = 0; k < end; k++) {
      const l = body[k];
      if (l.length <= contentIndent && l.trim() === '') body[k] = '';
      else if (indentOf(l) < contentIndent) bail();
      else body[k] = l.slice(contentIndent);
    }
    const text = body.slice(0, end).join('\n');
    if (chomp === '-') return text;
    return end > 0 ? `${text}\n` : '';
  }

  private key(rest: string): [string, string] {
    if (rest.startsWith("'") || rest.startsWith('"')) {
      const { value, end } = quoted(rest);
      const tail = rest.slice(end);
      if (tail === ':') return [value, ''];
      if (tail.startsWith(': ')) return [value, tail.slice(2).trim()];
      bail();
    }
    if (INDICATOR.test(rest)) bail();
    const colon = rest.indexOf(':');
    if (colon <= 0) bail();
    const after = rest.charCodeAt(colon + 1);
    if (after === after && after !== 32) bail(); // `a:b` is not a key (NaN when the line ends)
    const key = rest.slice(0, colon);
    const hash = key.indexOf('#');
    if (key.charCodeAt(colon - 1) === 32 || (hash >= 0 && key.charCodeAt(hash - 1) === 32)) bail();
    if (!isStringKey(key)) bail(); // keys that read as numbers, booleans or null: js-yaml
    return [key, colon + 2 >= rest.length ? '' : rest.slice(colon + 2).trim()];
  }
}

const NON_STRING_WORDS = new Set(['~', 'null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);

function isStringKey(key: string): boolean {
  const c = key.charCodeAt(0);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return !NON_STRING_WORDS.has(key);
  return typeof scalar(key) === 'string';
}

function indentOf(line: string): number {
  let n = 0;
  while (n < line.length && line.charCodeAt(n) === 32) n++;
  return n;
}

/** An inline scalar (the whole rest of a line). */
function scalar(text: string): unknown {
  if (text.startsWith("'") || text.startsWith('"')) {
    const { value, end } = quoted(text);
    if (end !== text.length) bail();
    return value;
  }
  if (text === '[]') return [];
  if (text === '{}') return {};
  if (INDICATOR.test(text) || text.includes(' #') || text.includes(': ') || text.endsWith(':') || text.endsWith(' ')) bail();
  switch (text) {
    case '~': case 'null': case 'Null': case 'NULL': return null;
    case 'true': case 'True': case 'TRUE': return true;
    case 'false': case 'False': case 'FALSE': return false;
  }
  const c = text.charCodeAt(0);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return text; // starts with a letter: not a number, date or special float
  if (SIMPLE_INT.test(text)) return text === '-0' ? bail() : Number(text);
  if (NUMBERISH.test(text) || SPECIAL_FLOAT.test(text) || TIMESTAMP.test(text)) bail();
  return text;
}

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0', a: '\x07', v: '\v', e: '\x1b', ' ': ' ', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029' };

/** A single- or double-quoted scalar at the start of `text`, on one line. */
function quoted(text: string): { value: string; end: number } {
  const q = text[0];
  let out = '';
  let i = 1;
  while (i < text.length) {
    const c = text[i];
    if (q === "'") {
      if (c === "'") {
        if (text[i + 1] === "'") {
          out += "'";
          i += 2;
          continue;
        }
        return { value: out, end: i + 1 };
      }
      out += c;
      i++;
      continue;
    }
    if (c === '"') return { value: out, end: i + 1 };
    if (c === '\\') {
      const e = text[i + 1];
      if (e === undefined) bail();
      if (ESCAPES[e] !== undefined) {
        out += ESCAPES[e];
        i += 2;
        continue;
      }
      const len = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (!len) bail();
      const hex = text.slice(i + 2, i + 2 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) bail();
      out += String.fromCodePoint(parseInt(hex, 16));
      i += 2 + len;
      continue;
    }
    out += c;
    i++;
  }
  return bail(); // no closing quote on this line: multi-line scalar, js-yaml
}
