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
  const head: string[] = [MARKER, `### ${options.title ?? 'ocpkit diff'}`, ''];
  if (result.changes.length === 0) {
    head.push(`No changes: ${summaryLine(result)}.`);
    return `${head.join('\n')}\n`;
  }
  if (s.destructive) head.push(`> :warning: **${plural(s.destructive, 'destructive change')}**: data or backups can be lost. Review the changes marked :warning: before merging.`, '');
  head.push(`**${s.changed} changed, ${s.added} added, ${s.removed} removed**, ${s.unchanged} unchanged${s.ignoredFields ? `, ${plural(s.ignoredFields, 'field')} ignored as noise` : ''}${s.ignoredResources ? `, ${plural(s.ignoredResources, 'resource')} ignored` : ''}`, '');
  head.push('| Application | Added | Changed | Removed | Destructive |', '|---|--:|--:|--:|--:|');
  for (const a of result.apps) {
    head.push(`| \`${a.app}\` | ${a.added} | ${a.changed} | ${a.removed} | ${a.destructive ? `:warning: ${a.destructive}` : '0'} |`);
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
      body.push('', `#### \`${app}\``, '');
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
  const what = `${warn}<b>${c.op}</b> ${html(c.kind)} <code>${html(`${c.namespace ? `${c.namespace}/` : ''}${c.name}`)}</code>`;
  const where = c.destructive ? ` in <code>${html(c.app)}</code>` : '';
  const count = c.op === 'changed' ? ` (${plural(c.fields.length, 'field')})` : '';
  const lines: string[] = [`<details${open ? ' open' : ''}><summary>${what}${where}${count}</summary>`, ''];
  lines.push(`\`${resourceTitle(c)}\` in \`${c.file}\``, '');
  if (c.movedFrom) lines.push(`Moved from application \`${c.movedFrom}\` to \`${c.app}\`.`, '');
  for (const r of c.risks) lines.push(`- :warning: **${escapeMd(r.reason)}**${r.path ? ` (\`${r.path}\`)` : ''}`);
  if (c.risks.length) lines.push('');
  if (c.fields.length) {
    lines.push('```diff');
    for (const f of c.fields) for (const l of fieldLines(f, 'diff')) lines.push(fence(l));
    lines.push('```', '');
  }
  lines.push('</details>');
  return lines.join('\n');
}

function html(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeMd(s: string): string {
  return s.replace(/([*_`<>])/g, '\\$1');
}

/** Keeps a line from closing the code fence it sits in. */
function fence(line: string): string {
  return line.replace(/```/g, '`\u200b``');
}
