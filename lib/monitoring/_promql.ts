/**
 * Small PromQL helpers: selectors with escaped label values, durations, and a plausibility check
 * run on every alert expression of a stack at synth time (balanced brackets and quotes, at least
 * one metric). The check is no parser: the tests also run the real one (`promtool check rules`).
 */

/** A label matcher: `=` (exact) unless given as `['=~', regex]` or another operator. */
export type Matcher = string | readonly ['=' | '!=' | '=~' | '!~', string];

/** A PromQL string literal (double quotes; backslash and quote escaped as in Go strings). */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `metric{a="x", b=~"y"}`, matchers in the order given. */
export function selector(metric: string, matchers: Readonly<Record<string, Matcher>>): string {
  const parts = Object.entries(matchers).map(([k, m]) => (typeof m === 'string' ? `${k}=${quote(m)}` : `${k}${m[0]}${quote(m[1])}`));
  return parts.length ? `${metric}{${parts.join(', ')}}` : metric;
}

/** A regular expression matching exactly the given strings (RE2, anchored by Prometheus). */
export function anyOf(values: readonly string[]): string {
  return [...new Set(values)].sort().map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

/** A PromQL/Prometheus duration (`26h`, `90m`, `7d`) for whole minutes. */
export function promDuration(seconds: number): string {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

const CLOSE: Readonly<Record<string, string>> = { '(': ')', '{': '}', '[': ']' };
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless', 'inf', 'nan']);

/**
 * Why an expression cannot be PromQL, or undefined: unbalanced `()`, `{}`, `[]` or quotes, or
 * no metric name at all. `metrics` (optional) must each occur as a name in the expression.
 */
export function promqlProblem(expr: unknown, metrics: readonly string[] = []): string | undefined {
  if (typeof expr !== 'string' || expr.trim() === '') return 'is empty; an alert needs a PromQL expression';
  const stack: string[] = [];
  const names: string[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += c !== '`' && expr[j] === '\\' ? 2 : 1;
      if (j >= expr.length) return `has an unterminated string starting at character ${i + 1}`;
      i = j + 1;
      continue;
    }
    if (c === '#') return `has a comment at character ${i + 1}; keep alert expressions free of comments`;
    if (CLOSE[c]) stack.push(CLOSE[c]);
    else if (c === ')' || c === '}' || c === ']') {
      const want = stack.pop();
      if (want !== c) return `has an unbalanced "${c}" at character ${i + 1}`;
    } else if (/[A-Za-z_:]/.test(c)) {
      let j = i;
      while (j < expr.length && /[A-Za-z0-9_:]/.test(expr[j])) j++;
      const word = expr.slice(i, j);
      // a name followed by "(" is a function; inside {} or after a matcher it is a label name
      const next = expr.slice(j).trimStart()[0];
      const inside = stack[stack.length - 1] === '}' || stack[stack.length - 1] === ']';
      const unit = i > 0 && /[0-9.]/.test(expr[i - 1]); // the "h" of 26h, the "e" of 1e3
      if (!inside && !unit && next !== '(' && !KEYWORDS.has(word.toLowerCase())) names.push(word);
      i = j;
      continue;
    }
    i++;
  }
  if (stack.length) return `is missing ${stack.reverse().map((s) => `"${s}"`).join(', ')} at the end`;
  if (names.length === 0) return 'names no metric';
  const missing = metrics.filter((m) => !names.includes(m));
  if (missing.length) return `does not use ${missing.join(', ')}`;
  return undefined;
}
