import { fieldLines, plural, resourceTitle } from './_render';
import type { DiffResult, ResourceChange } from './diff-trees';
import { summaryLine } from './format-text';

/** Options of {@link formatMarkdown}. */
export interface MarkdownOptions {
  /**
   * Upper bound of the comment length in characters; details that do not fit are left out with a
   * note (destructive changes are always shown first). GitHub comments hold 65,536 characters.
   * @default 60000
   */
  readonly maxLength?: number;
  /**
   * Heading of the comment.
   * @default 'ocpkit diff'
   */
  readonly title?: string;
}

const MARKER = '<!-- ocpkit-diff -->';

/**
 * The diff as a pull/merge request comment: a summary table with one row per application folder,
 * destructive changes first (open), then one collapsible `<details>` block per changed resource
 * with its fields as a `diff` code block. The first line is a hidden marker CI jobs can use to
 * update their previous comment instead of adding a new one.
 */
export function formatMarkdown(result: DiffResult, options: MarkdownOptions = {}): string {
  const max = options.maxLength ?? 60000;
  const s = result.summary;
  const head: string[] = [MARKER, `### ${mdText(options.title ?? 'ocpkit diff')}`, ''];
  if (result.changes.length === 0) {
    head.push(`No changes: ${summaryLine(result)}.`);
    return `${head.join('\n')}\n`;
  }
  if (s.destructive) head.push(`> :warning: **${plural(s.destructive, 'destructive change')}**: data or backups can be lost. Review the changes marked :warning: before merging.`, '');
  head.push(`**${s.changed} changed, ${s.added} added, ${s.removed} removed**, ${s.unchanged} unchanged${s.ignoredFields ? `, ${plural(s.ignoredFields, 'field')} ignored as noise` : ''}${s.ignoredResources ? `, ${plural(s.ignoredResources, 'resource')} ignored` : ''}`, '');
  head.push('| Application | Added | Changed | Removed | Destructive |', '|---|--:|--:|--:|--:|');
  for (const a of result.apps) {
    head.push(`| ${codeSpan(a.app, true)} | ${a.added} | ${a.changed} | ${a.removed} | ${a.destructive ? `:warning: ${a.destructive}` : '0'} |`);
  }
  const body: string[] = [];
  const destructive = result.changes.filter((c) => c.destructive);
  if (destructive.length) {
    body.push('', '#### :warning: Destructive changes', '');
    for (const c of destructive) body.push(details(c, true));
  }
  let app: string | undefined;
  for (const c of result.changes) {
    if (c.destructive) continue;
    if (c.app !== app) {
      app = c.app;
      body.push('', `#### ${codeSpan(app)}`, '');
    }
    body.push(details(c, false));
  }

  let text = head.join('\n');
  const reserve = 200;
  let shown = 0;
  const blocks = body.filter((b) => b.startsWith('<details')).length;
  for (const part of body) {
    if (text.length + part.length + 1 > max - reserve) break;
    text += `\n${part}`;
    if (part.startsWith('<details')) shown++;
  }
  if (shown < blocks) text += `\n\n_${blocks - shown} more of ${blocks} resources are not shown (comment size limit); run \`npx ocpkit diff\` locally for the full diff._`;
  return `${text}\n`;
}

function details(c: ResourceChange, open: boolean): string {
  const warn = c.destructive ? ':warning: ' : '';
  // The <details> line opens an HTML block (CommonMark 4.6, type 6): no Markdown inside, so
  // HTML escaping is what keeps names from closing tags or adding elements.
  const what = `${warn}<b>${c.op}</b> ${htmlText(c.kind)} <code>${htmlCode(`${c.namespace ? `${c.namespace}/` : ''}${c.name}`)}</code>`;
  const where = c.destructive ? ` in <code>${htmlCode(c.app)}</code>` : '';
  const count = c.op === 'changed' ? ` (${plural(c.fields.length, 'field')})` : '';
  const lines: string[] = [`<details${open ? ' open' : ''}><summary>${what}${where}${count}</summary>`, ''];
  lines.push(`${codeSpan(resourceTitle(c))} in ${codeSpan(c.file)}`, '');
  if (c.movedFrom) lines.push(`Moved from application ${codeSpan(c.movedFrom)} to ${codeSpan(c.app)}.`, '');
  for (const r of c.risks) lines.push(`- :warning: **${mdText(r.reason)}**${r.path ? ` (${codeSpan(r.path)})` : ''}`);
  if (c.risks.length) lines.push('');
  if (c.fields.length) {
    const body: string[] = [];
    for (const f of c.fields) for (const l of fieldLines(f, 'diff')) body.push(oneLine(l));
    const fence = codeFence(body);
    lines.push(`${fence}diff`, ...body, fence, '');
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
 * value can end a table row, a heading or the HTML block, and break `@mention`, `#123` and
 * autolink patterns outside code with a zero-width space so nothing pings or links.
 */

/** Control characters but tab (and Unicode line/paragraph separators) as visible escapes. */
export function oneLine(s: string): string {
  return String(s).replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

const ZWSP = '\u200b';

/** Breaks mentions (`@team`), issue references (`#12`, `GH-12`) and autolinks (`https://`, `www.`) outside code. */
function noPing(s: string): string {
  return s.replace(/@/g, `@${ZWSP}`).replace(/#(?=\d)/g, `#${ZWSP}`).replace(/\b(GH)-(?=\d)/gi, `$1-${ZWSP}`).replace(/:\/\//g, `:${ZWSP}//`).replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}${ZWSP}.`);
}

function entities(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Markdown punctuation as numeric references: renders the same, and stays literal even where a renderer reads Markdown inside HTML. */
function inertPunctuation(s: string): string {
  return s.replace(/[`*_[\]~|!\\]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Text inside an HTML element of the HTML block. */
export function htmlText(s: string): string {
  return noPing(inertPunctuation(entities(oneLine(s))));
}

/** Text inside <code> of the HTML block (mentions and links are not processed in code). */
export function htmlCode(s: string): string {
  return inertPunctuation(entities(oneLine(s)));
}

/** Markdown prose: HTML entities, backslash escapes for Markdown punctuation, no pings. */
export function mdText(s: string): string {
  return noPing(entities(oneLine(s)).replace(/[\\`*_[\]|~]/g, '\\$&'));
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
