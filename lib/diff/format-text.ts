import { fieldLines, plural, resourceTitle } from './_render';
import type { DiffResult, ResourceChange } from './diff-trees';

const MARK: Record<ResourceChange['op'], string> = { added: '+', removed: '-', changed: '~' };

/** One-line summary: `2 changed, 1 added, 0 removed (1 destructive); 19996 unchanged`. */
export function summaryLine(result: DiffResult): string {
  const s = result.summary;
  if (result.changes.length === 0) return `no changes (${s.unchanged} resources compared${ignoredNote(result)})`;
  const destructive = s.destructive ? ` (${s.destructive} DESTRUCTIVE)` : '';
  return `${s.changed} changed, ${s.added} added, ${s.removed} removed${destructive}; ${s.unchanged} unchanged${ignoredNote(result)}`;
}

function ignoredNote(result: DiffResult): string {
  const s = result.summary;
  const parts: string[] = [];
  if (s.ignoredFields) parts.push(`${plural(s.ignoredFields, 'field')} ignored as noise`);
  if (s.ignoredResources) parts.push(`${plural(s.ignoredResources, 'resource')} ignored`);
  return parts.length ? `; ${parts.join(', ')}` : '';
}

/**
 * The diff for a terminal: destructive changes first under a `!!` marker with their reasons,
 * then every other change grouped by application folder. Secret values are already masked.
 */
export function formatText(result: DiffResult): string {
  const out: string[] = [`ocpkit diff: ${summaryLine(result)}`];
  const destructive = result.changes.filter((c) => c.destructive);
  if (destructive.length) {
    out.push('', `!! ${plural(destructive.length, 'DESTRUCTIVE change')} (data or backups can be lost):`);
    for (const c of destructive) out.push(...resourceBlock(c, true));
  }
  let app: string | undefined;
  for (const c of result.changes) {
    if (c.destructive) continue;
    if (c.app !== app) {
      app = c.app;
      out.push('', `== ${app}`);
    }
    out.push(...resourceBlock(c, false));
  }
  return `${out.map(terminalSafe).join('\n')}\n`;
}

/**
 * One output line with control characters (line breaks, carriage returns, ANSI escape
 * sequences) written as visible escapes, so names and values from the compared trees cannot
 * move the cursor, recolour the terminal or fake extra lines.
 */
export function terminalSafe(line: string): string {
  return line.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

function resourceBlock(c: ResourceChange, withApp: boolean): string[] {
  const head = `${c.destructive ? '!! ' : ''}${MARK[c.op]} ${c.op.padEnd(7)} ${resourceTitle(c)}${withApp ? `  [${c.app}]` : ''}`;
  const lines = [head];
  if (c.movedFrom) lines.push(`    moved from application ${c.movedFrom} to ${c.app}`);
  for (const r of c.risks) lines.push(`    !! ${r.reason}${r.path ? ` (${r.path})` : ''}`);
  for (const f of c.fields) for (const l of fieldLines(f, 'arrow')) lines.push(`  ${f.risk ? '! ' : '  '}${l}`);
  return lines;
}
