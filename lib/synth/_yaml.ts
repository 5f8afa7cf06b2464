import * as yaml from 'js-yaml';

/**
 * A YAML writer for rendered manifests that produces exactly what
 * `yaml.dump(value, { noRefs: true, lineWidth: -1, sortKeys: false })` produces (js-yaml 4), about
 * three times faster: it handles only JSON data (plain objects, arrays, strings, integers,
 * booleans, null) and remembers how each distinct string is written, since manifests repeat the
 * same keys and values thousands of times. Scalar styles follow js-yaml's rules, with js-yaml's own
 * implicit-type resolvers deciding which strings need quotes.
 *
 * Returns undefined for anything it does not reproduce exactly (floats, -0, strings that need
 * double quotes, keys over 1,024 characters, non-plain objects...); callers then use js-yaml.
 * `strict`: undefined anywhere is declined too, so the text is that of exactly one JSON value
 * (two manifests with the same strict text are the same data).
 * @internal
 */
export function fastDump(value: unknown, strict = false): string | undefined {
  strictDump = strict;
  try {
    return `${node(value, 0, true, false)}\n`;
  } catch (e) {
    if (e === UNSUPPORTED) return undefined;
    throw e;
  }
}

/**
 * The dump in progress declines undefined values too (an object member js-yaml leaves out, an
 * array item it writes as null): its text then stands for exactly one JSON value.
 */
let strictDump = false;

const UNSUPPORTED = new Error('unsupported by the fast YAML writer');

/** Strings already classified: the single-line form of a value or a key. */
const valueForms = new Map<string, string>();
const keyForms = new Map<string, string>();
const MAX_REMEMBERED = 200_000;

const implicitTypes: Array<{ resolve(s: string): boolean }> = (yaml.DEFAULT_SCHEMA as any).compiledImplicit;
const DEPRECATED_BOOLEANS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);
const DEPRECATED_BASE60 = /^[-+]?[0-9_]+(?::[0-9_]+)+(?:\.[0-9_]*)?$/;
/** Strings every rule allows plain, unless one of the implicit types resolves them. */
const SIMPLE = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

/** `indent(level)` for the levels manifests use, made once (a line break and two spaces per level). */
const INDENTS: readonly string[] = Array.from({ length: 32 }, (_, level) => '\n' + '  '.repeat(level));

function indent(level: number): string {
  return level < INDENTS.length ? INDENTS[level] : '\n' + '  '.repeat(level);
}

/** js-yaml's writeNode in block context, for JSON data. */
function node(v: unknown, level: number, compact: boolean, isKey: boolean): string {
  if (typeof v === 'string') return scalar(v, level, isKey);
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || Object.is(v, -0)) throw UNSUPPORTED;
    return v.toString(10);
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    let out = '';
    for (let i = 0; i < v.length; i++) {
      if (v[i] === undefined && strictDump) throw UNSUPPORTED;
      const item = v[i] === undefined ? 'null' : node(v[i], level + 1, true, false);
      if (!compact || out !== '') out += indent(level);
      out += item.charCodeAt(0) === 10 ? '-' : '- ';
      out += item;
    }
    return out;
  }
  const proto = typeof v === 'object' ? Object.getPrototypeOf(v) : undefined;
  if (proto === Object.prototype || proto === null) {
    const obj = v as Record<string, unknown>;
    let out = '';
    for (const k of Object.keys(obj)) {
      const value = obj[k];
      if (value === undefined) {
        if (strictDump) throw UNSUPPORTED;
        continue;
      }
      const key = scalar(k, level + 1, true);
      if (key.length > 1024) throw UNSUPPORTED;
      const dumped = node(value, level + 1, false, false);
      if (!compact || out !== '') out += indent(level);
      out += key;
      out += dumped.charCodeAt(0) === 10 ? ':' : ': ';
      out += dumped;
    }
    return out === '' ? '{}' : out;
  }
  throw UNSUPPORTED;
}

/** js-yaml's writeScalar (single quotes, no line width, block context). */
function scalar(s: string, level: number, isKey: boolean): string {
  const forms = isKey ? keyForms : valueForms;
  const known = forms.get(s);
  if (known !== undefined) return known;
  const form = singleLine(s, isKey);
  if (form === undefined) {
    // Multi-line: a literal block scalar, indented for this level (not remembered).
    return literal(s, 2 * Math.max(1, level));
  }
  if (forms.size >= MAX_REMEMBERED) forms.clear();
  forms.set(s, form);
  return form;
}

/** The form of a string when it fits on one line; undefined when it becomes a literal block. */
function singleLine(s: string, isKey: boolean): string | undefined {
  if (s.length === 0) return "''";
  if (DEPRECATED_BOOLEANS.has(s) || DEPRECATED_BASE60.test(s)) return `'${s}'`;
  let plain: boolean;
  let hasLineBreak = false;
  if (SIMPLE.test(s)) {
    plain = true;
  } else {
    plain = isPlainSafeFirst(s.codePointAt(0)!) && isPlainSafeLast(s.charCodeAt(s.length - 1));
    let prev = -1;
    for (let i = 0; i < s.length;) {
      const c = s.codePointAt(i)!;
      if (c === 10 && !isKey) hasLineBreak = true;
      else if (!isPrintable(c)) throw UNSUPPORTED; // double-quoted style: left to js-yaml
      plain = plain && isPlainSafe(c, prev);
      prev = c;
      i += c >= 0x10000 ? 2 : 1;
    }
  }
  if (hasLineBreak) return undefined;
  if (plain && !implicitTypes.some((t) => t.resolve(s))) return s;
  return `'${s.replace(/'/g, "''")}'`;
}

function literal(s: string, spaces: number): string {
  const indicator = /^\n* /.test(s) ? '2' : '';
  const clip = s[s.length - 1] === '\n';
  const keep = clip && (s[s.length - 2] === '\n' || s === '\n');
  const chomp = keep ? '+' : clip ? '' : '-';
  const pad = ' '.repeat(spaces);
  let body = '';
  let pos = 0;
  while (pos < s.length) {
    const next = s.indexOf('\n', pos);
    const line = next === -1 ? s.slice(pos) : s.slice(pos, next + 1);
    pos = next === -1 ? s.length : next + 1;
    if (line.length && line !== '\n') body += pad;
    body += line;
  }
  if (body[body.length - 1] === '\n') body = body.slice(0, -1);
  return `|${indicator}${chomp}\n${body}`;
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function isPrintable(c: number): boolean {
  return (c >= 0x20 && c <= 0x7e)
    || (c >= 0xa1 && c <= 0xd7ff && c !== 0x2028 && c !== 0x2029)
    || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff)
    || (c >= 0x10000 && c <= 0x10ffff);
}

function isNsCharOrWhitespace(c: number): boolean {
  return isPrintable(c) && c !== 0xfeff && c !== 0x0d && c !== 0x0a;
}

function isPlainSafe(c: number, prev: number): boolean {
  const nsOrWs = isNsCharOrWhitespace(c);
  const ns = nsOrWs && !isWhitespace(c);
  return (nsOrWs && c !== 0x23 && !(prev === 0x3a && !ns))
    || (isNsCharOrWhitespace(prev) && !isWhitespace(prev) && c === 0x23)
    || (prev === 0x3a && ns);
}

const NOT_FIRST = new Set([0x2d, 0x3f, 0x3a, 0x2c, 0x5b, 0x5d, 0x7b, 0x7d, 0x23, 0x26, 0x2a, 0x21, 0x7c, 0x3d, 0x3e, 0x27, 0x22, 0x25, 0x40, 0x60]);

function isPlainSafeFirst(c: number): boolean {
  return isPrintable(c) && c !== 0xfeff && !isWhitespace(c) && !NOT_FIRST.has(c);
}

function isPlainSafeLast(c: number): boolean {
  return !isWhitespace(c) && c !== 0x3a;
}
