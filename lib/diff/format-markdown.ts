import { safeFieldLines, plural, resourceTitle } from './_render';
import { Block, byteSize, fitBlocks } from './budget';
import { severityRank, type DiffResult, type ResourceChange } from './diff-trees';
import { summaryLine } from './format-text';
import { classesOf, RISK_CLASSES, riskClass, RiskClass } from './risk';

/** Options of {@link formatMarkdown}. */
export interface MarkdownOptions {
  /**
   * Upper bound of the comment size in characters. Kept for callers of the first version; the
   * budget is the smaller of this and `maxBytes`.
   * @default 60000
   */
  readonly maxLength?: number;
  /**
   * Upper bound of the comment size in UTF-8 bytes (never less than its characters, so it holds
   * for GitHub's and GitLab's character limits too; see POST_LIMITS). Destructive and security
   * changes come first and shrink last; every resource left out is still named.
   * @default maxLength
   */
  readonly maxBytes?: number;
  /**
   * Heading of the comment.
   * @default 'ocpkit diff'
   */
  readonly title?: string;
  /**
   * Extra blocks placed after the summary table (Markdown, e.g. Mermaid diagrams of what the
   * change touches). Called once with the result; each string is one block.
   * @default no extra blocks
   */
  readonly diagrams?: (result: DiffResult) => readonly string[];
  /** Lines placed after the summary (e.g. the dist/ freshness check of `--base`). @default none */
  readonly notes?: readonly string[];
}

const MARKER = '<!-- ocpkit-diff -->';

/** Heading, emoji and what each class means, for the comment. */
const CLASS_TEXT: Readonly<Record<RiskClass, { title: string; icon: string; meaning: string }>> = {
  destructive: { title: 'Destructive', icon: ':warning:', meaning: 'data can be lost' },
  security: { title: 'Security', icon: ':lock:', meaning: 'access granted or widened, protection weakened, or secrets exposed' },
  outage: { title: 'Outage', icon: ':electric_plug:', meaning: 'something running can stop or become unreachable' },
  weakening: { title: 'Weakening', icon: ':chart_with_downwards_trend:', meaning: 'backups, schedules or credentials get weaker' },
};

function classCount(result: DiffResult, k: RiskClass): number {
  const counted = result.summary.classes?.[k];
  if (counted !== undefined) return counted;
  return result.changes.filter((c) => (c.classes ?? classesOf(c.risks)).includes(k)).length;
}

function appClassCount(a: DiffResult['apps'][number], k: RiskClass): number {
  return a.classes?.[k] ?? (k === 'destructive' ? a.destructive : 0);
}

/**
 * The diff as a pull/merge request comment: one line per risk class present, a summary table
 * with one row per application folder and a column per class, the optional diagrams, then the
 * changes: destructive, security, outage and weakening ones first (open for the first two), each
 * with its reasons and rule, then the rest per application, each a collapsible `<details>` block
 * with its fields as a `diff` code block (added and removed resources with a one-line summary of
 * what they grant or cost). Sized to `maxBytes` (see fitBlocks). The first line is a hidden marker
 * CI jobs can use to update their previous comment instead of adding a new one.
 */
export function formatMarkdown(result: DiffResult, options: MarkdownOptions = {}): string {
  const max = Math.min(options.maxLength ?? 60000, options.maxBytes ?? Infinity);
  const s = result.summary;
  const head: string[] = [MARKER, `### ${mdText(options.title ?? 'ocpkit diff')}`, ''];
  if (result.changes.length === 0) {
    head.push(`No changes: ${summaryLine(result)}.`);
    if (options.notes?.length) head.push('', ...options.notes);
    return fitText(`${head.join('\n')}\n`, max);
  }
  for (const k of RISK_CLASSES) {
    const n = classCount(result, k);
    if (n) head.push(`> ${CLASS_TEXT[k].icon} **${plural(n, `${k} change`)}**: ${CLASS_TEXT[k].meaning}.${k === 'destructive' ? ' Review the changes marked :warning: before merging.' : ''}`);
  }
  if (RISK_CLASSES.some((k) => classCount(result, k))) head.push('');
  head.push(`**${s.changed} changed, ${s.added} added, ${s.removed} removed**, ${s.unchanged} unchanged${s.ignoredFields ? `, ${plural(s.ignoredFields, 'field')} ignored as noise` : ''}${s.ignoredResources ? `, ${plural(s.ignoredResources, 'resource')} ignored` : ''}`, '');
  if (options.notes?.length) head.push(...options.notes, '');
  // one column for the risks: the counts per class (legend in the lines above), `0` when none
  head.push('| Application | Added | Changed | Removed | Risks |', '|---|--:|--:|--:|---|');
  for (const a of result.apps) {
    const cells = RISK_CLASSES.flatMap((k) => {
      const n = appClassCount(a, k);
      return n ? [`${CLASS_TEXT[k].icon} ${n}`] : [];
    });
    head.push(`| ${codeSpan(a.app, true)} | ${a.added} | ${a.changed} | ${a.removed} | ${cells.join(' ') || '0'} |`);
  }
  // diagrams are the first thing the size budget sheds (before any change block)
  let diagrams: string[];
  try {
    diagrams = (options.diagrams?.(result) ?? []).map((block) => `\n\n${block}`);
  } catch {
    // pictures are an aid: a failure to draw them never costs the diff (no exit 4 for readable input)
    diagrams = ['\n\n_The diagrams could not be drawn (an ocpkit bug; please report it). The changes below are complete._'];
  }

  const blocks: Block[] = [];
  let section: string | undefined;
  for (const c of result.changes) {
    const rank = severityRank(c);
    const k = RISK_CLASSES[rank];
    const heading = k ? `#### ${CLASS_TEXT[k].icon} ${CLASS_TEXT[k].title} changes` : `#### ${codeSpan(c.app)}`;
    const prefix = heading !== section ? `\n${heading}\n\n` : '';
    section = heading;
    const open = rank <= 1;
    blocks.push({
      full: `${prefix}${details(c, open, true)}`,
      compact: `${prefix}${details(c, open, false)}`,
      name: `${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}${k ? ` (${k})` : ''}`,
      group: c.app,
    });
  }
  const note = `\n\n_The comment was cut at its size limit; run \`npx ocpkit diff\` locally for the full diff._\n`;
  const omitted = (groups: ReadonlyMap<string, readonly string[]>, total: number) => {
    let n = 0;
    const lines: string[] = [];
    for (const [app, names] of groups) {
      lines.push(`- ${codeSpan(app)}: ${names.map((x) => codeSpan(x)).join(', ')}`);
      n += names.length;
    }
    const count = [...groups.values()].every((v) => v.length === 1 && /^\d+ resources?$/.test(v[0])) ? [...groups.values()].reduce((m, v) => m + Number(v[0].split(' ')[0]), 0) : n;
    return `\n\n#### Not shown (size limit)\n\n_${count} of ${total} resources are not shown in full; run \`npx ocpkit diff\` locally for everything:_\n\n${lines.join('\n')}`;
  };
  const dropped = (n: number) => `\n\n_${n === 1 ? '1 diagram is' : `${n} diagrams are`} not shown (size limit)._`;
  return `${fitBlocks(head.join('\n'), blocks, omitted, max - 1, note, { items: diagrams, dropped })}\n`;
}

/** A text cut to `max` bytes at a line boundary (only when a caller's budget is absurdly small). */
function fitText(text: string, max: number): string {
  return byteSize(text) <= max ? text : fitBlocks('', [], () => '', max - 1, '\n') + '\n';
}

function details(c: ResourceChange, open: boolean, withFields: boolean): string {
  const classes = c.classes ?? classesOf(c.risks);
  const icons = classes.map((k) => CLASS_TEXT[k].icon).join(' ');
  // The <details> line opens an HTML block (CommonMark 4.6, type 6): no Markdown inside, so
  // HTML escaping is what keeps names from closing tags or adding elements.
  const what = `${icons ? `${icons} ` : ''}<b>${c.op}</b> ${htmlText(c.kind)} <code>${htmlCode(`${c.namespace ? `${c.namespace}/` : ''}${c.name}`)}</code>`;
  const where = classes.length ? ` in <code>${htmlCode(c.app)}</code>` : '';
  const count = c.op === 'changed' ? ` (${plural(c.fields.length, 'field')})` : '';
  const lines: string[] = [`<details${open ? ' open' : ''}><summary>${what}${where}${count}</summary>`, ''];
  lines.push(`${codeSpan(resourceTitle(c))} in ${codeSpan(c.file)}`, '');
  if (c.summary) lines.push(`${c.op === 'added' ? 'Adds' : 'Removes'}: ${codeSpan(c.summary)}`, '');
  if (c.movedFrom) lines.push(`Moved from application ${codeSpan(c.movedFrom)} to ${codeSpan(c.app)}.`, '');
  for (const r of c.risks) {
    const k = riskClass(r);
    lines.push(`- ${CLASS_TEXT[k].icon} **${k}**: ${mdText(r.reason)}${r.path ? ` (${codeSpan(r.path)})` : ''}${r.rule ? ` — rule ${codeSpan(r.rule)}` : ''}`);
  }
  if (c.risks.length) lines.push('');
  if (c.fields.length && withFields) {
    const body: string[] = [];
    for (const f of c.fields) for (const l of safeFieldLines(f, 'diff')) body.push(oneLine(l));
    const fence = codeFence(body);
    lines.push(`${fence}diff`, ...body, fence, '');
  } else if (c.fields.length) {
    lines.push(`_${plural(c.fields.length, 'changed field')} not shown (size limit)._`, '');
  }
  lines.push('</details>');
  return lines.join('\n');
}

/*
 * Escaping. Every name and value that reaches the comment (app folders, kinds, names,
 * namespaces, files, field paths, values, reasons, the title) goes through one of these:
 * - codeSpan: Markdown contexts. A code span is literal (no HTML, links, emphasis, mentions or
 *   references; CommonMark 6.1, https://spec.commonmark.org/0.31.2/#code-spans), delimited by a
 *   backtick run longer than any inside; in table cells `|` is escaped as `\|`, which GFM applies
 *   inside code spans too (https://github.github.com/gfm/#tables-extension-, example 200).
 * - htmlText / htmlCode: inside the <details> HTML block, entities for & < > " '.
 * - mdText: Markdown prose (title, risk reasons): HTML entities plus backslash escapes.
 * - code blocks: a fence longer than any backtick run in the block (CommonMark 4.5).
 * All of them put line breaks and other control characters on one visible line (`\n`), so no
 * value can end a table row, a heading or the HTML block; `@mention`, `#123` outside code get a
 * zero-width space so nothing pings, and URLs go into code spans (no link, and a copy of the
 * URL is exact).
 */

/** Control characters but tab (and Unicode line/paragraph separators) as visible escapes. */
export function oneLine(s: string): string {
  return String(s).replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

const ZWSP = '\u200b';

/** Breaks mentions (`@team`) and issue references (`#12`, `GH-12`) outside code (URLs are put in code instead, see {@link withUrlsAsCode}). */
function noPing(s: string): string {
  return s.replace(/@/g, `@${ZWSP}`).replace(/#(?=\d)/g, `#${ZWSP}`).replace(/\b(GH)-(?=\d)/gi, `$1-${ZWSP}`);
}

/** A URL or `www.` address in prose, up to whitespace, quotes, angle brackets or a backtick. */
const URL_TOKEN = /\b(?:[a-z][a-z0-9+.-]*:\/\/|www\.)[^\s<>"'`]*/gi;

/**
 * Prose with every URL set in code (not linked, and copied exactly: no zero-width space inside
 * it, review 17 m13); the rest through `prose`.
 */
function withUrlsAsCode(s: string, prose: (t: string) => string, code: (t: string) => string): string {
  let out = '';
  let last = 0;
  for (const m of s.matchAll(URL_TOKEN)) {
    out += prose(s.slice(last, m.index)) + code(m[0]);
    last = m.index! + m[0].length;
  }
  return out + prose(s.slice(last));
}

/*
 * Named character references only (HTML5 names, which CommonMark decodes too): a numeric one
 * (`&#39;`) holds `#` and a digit, which noPing would split with a zero-width space, leaving the
 * reference broken on screen (`&#​39;`).
 */
function entities(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const NAMED_PUNCTUATION: Readonly<Record<string, string>> = { '`': '&grave;', '*': '&ast;', _: '&lowbar;', '[': '&lsqb;', ']': '&rsqb;', '~': '&tilde;', '|': '&vert;', '!': '&excl;', '\\': '&bsol;' };

/** Markdown punctuation as named references: renders the same, and stays literal even where a renderer reads Markdown inside HTML. */
function inertPunctuation(s: string): string {
  return s.replace(/[`*_[\]~|!\\]/g, (c) => NAMED_PUNCTUATION[c]);
}

/** Text inside an HTML element of the HTML block. */
export function htmlText(s: string): string {
  return withUrlsAsCode(oneLine(s), (t) => noPing(inertPunctuation(entities(t))), (t) => `<code>${htmlCode(t)}</code>`);
}

/** Text inside <code> of the HTML block (mentions and links are not processed in code). */
export function htmlCode(s: string): string {
  return inertPunctuation(entities(oneLine(s)));
}

/** Markdown prose: HTML entities, backslash escapes for Markdown punctuation, no pings. */
export function mdText(s: string): string {
  return withUrlsAsCode(oneLine(s), (t) => noPing(entities(t).replace(/[\\`*_[\]|~]/g, '\\$&')), (t) => codeSpan(t));
}

/** An inline code span holding `s` literally; `inTable` escapes pipes for GFM table cells. */
export function codeSpan(s: string, inTable = false): string {
  let t = oneLine(s);
  if (inTable) t = t.replace(/\|/g, '\\|');
  if (t === '') return '`""`';
  let longest = 0;
  for (const r of t.match(/`+/g) ?? []) longest = Math.max(longest, r.length);
  const tick = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(t) ? ' ' : '';
  return `${tick}${pad}${t}${pad}${tick}`;
}

/** A backtick fence longer than any backtick run in `lines` (at least three). */
export function codeFence(lines: readonly string[]): string {
  let longest = 0;
  for (const l of lines) for (const r of l.match(/`+/g) ?? []) longest = Math.max(longest, r.length);
  return '`'.repeat(Math.max(3, longest + 1));
}
