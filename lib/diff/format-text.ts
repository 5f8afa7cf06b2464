import { safeFieldLines, plural, resourceTitle } from './_render';
import { Block, fitBlocks } from './budget';
import { severityRank, type DiffResult, type ResourceChange } from './diff-trees';
import { classesOf, RISK_CLASSES, riskClass, RiskClass } from './risk';

/** Options of {@link formatText}. */
export interface TextOptions {
  /** Upper bound in UTF-8 bytes (see fitBlocks): the least severe changes shrink first, all are named. @default no limit */
  readonly maxBytes?: number;
  /** Lines printed after the summary line (e.g. the dist/ freshness check of `--base`). @default none */
  readonly notes?: readonly string[];
}

const CLASS_HEADING: Readonly<Record<RiskClass, string>> = {
  destructive: 'DESTRUCTIVE (data or backups can be lost)',
  security: 'SECURITY (access granted or widened, protection weakened, secrets exposed)',
  outage: 'OUTAGE (something running can stop or become unreachable)',
  weakening: 'WEAKENING (backups, schedules or credentials get weaker)',
};

const MARK: Record<ResourceChange['op'], string> = { added: '+', removed: '-', changed: '~' };

/** One-line summary: `2 changed, 1 added, 0 removed (1 destructive); 19996 unchanged`. */
export function summaryLine(result: DiffResult): string {
  const s = result.summary;
  if (result.changes.length === 0) return `no changes (${s.unchanged} resources compared${ignoredNote(result)})`;
  const counts = RISK_CLASSES.flatMap((k) => {
    const n = k === 'destructive' ? s.destructive : s.classes?.[k] ?? 0;
    return n ? [`${n} ${k === 'destructive' ? 'DESTRUCTIVE' : k}`] : [];
  });
  const risky = counts.length ? ` (${counts.join(', ')})` : '';
  return `${s.changed} changed, ${s.added} added, ${s.removed} removed${risky}; ${s.unchanged} unchanged${ignoredNote(result)}`;
}

function ignoredNote(result: DiffResult): string {
  const s = result.summary;
  const parts: string[] = [];
  if (s.ignoredFields) parts.push(`${plural(s.ignoredFields, 'field')} ignored as noise`);
  if (s.ignoredResources) parts.push(`${plural(s.ignoredResources, 'resource')} ignored`);
  return parts.length ? `; ${parts.join(', ')}` : '';
}

/**
 * The diff for a terminal: destructive, security, outage and weakening changes first, each
 * section under a `!!` heading and each risk with its class and rule, then every other change
 * grouped by application folder. Secret values are already masked.
 */
export function formatText(result: DiffResult, options: TextOptions = {}): string {
  const head: string[] = [`ocpkit diff: ${summaryLine(result)}`, ...(options.notes ?? [])];
  const blocks: Block[] = [];
  let section: string | undefined;
  for (const c of result.changes) {
    const k = RISK_CLASSES[severityRank(c)];
    const heading = k ? `!! ${CLASS_HEADING[k]}:` : `== ${c.app}`;
    const prefix = heading !== section ? ['', heading] : [];
    section = heading;
    const name = `${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}${k ? ` (${k})` : ''}`;
    blocks.push({ full: [...prefix, ...resourceBlock(c, k !== undefined, true)].map(terminalSafe).join('\n'), compact: [...prefix, ...resourceBlock(c, k !== undefined, false)].map(terminalSafe).join('\n'), name: terminalSafe(name), group: terminalSafe(c.app) });
  }
  const omitted = (groups: ReadonlyMap<string, readonly string[]>, total: number) => {
    const lines = [...groups].map(([app, names]) => `  ${app}: ${names.join(', ')}`);
    const n = [...groups.values()].reduce((m, v) => m + v.length, 0);
    return `\n\nnot shown (size limit), ${n} of ${total} resources:\n${lines.join('\n')}`;
  };
  const text = fitBlocks(head.map(terminalSafe).join('\n'), blocks, omitted, (options.maxBytes ?? Infinity) - 1, '\n(cut at the size limit)');
  return `${text}\n`;
}

/**
 * One output line with control characters (line breaks, carriage returns, ANSI escape
 * sequences) written as visible escapes, so names and values from the compared trees cannot
 * move the cursor, recolour the terminal or fake extra lines.
 */
export function terminalSafe(line: string): string {
  return line.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

function resourceBlock(c: ResourceChange, withApp: boolean, withFields: boolean): string[] {
  const classes = c.classes ?? classesOf(c.risks);
  const head = `${classes.length ? '!! ' : ''}${MARK[c.op]} ${c.op.padEnd(7)} ${resourceTitle(c)}${withApp ? `  [${c.app}]` : ''}`;
  const lines = [head];
  if (c.summary) lines.push(`    = ${c.summary}`);
  if (c.movedFrom) lines.push(`    moved from application ${c.movedFrom} to ${c.app}`);
  for (const r of c.risks) lines.push(`    !! ${riskClass(r)}: ${r.reason}${r.path ? ` (${r.path})` : ''}${r.rule ? ` [${r.rule}]` : ''}`);
  if (withFields) for (const f of c.fields) for (const l of safeFieldLines(f, 'arrow')) lines.push(`  ${f.risk ? '! ' : '  '}${l}`);
  else if (c.fields.length) lines.push(`    (${plural(c.fields.length, 'changed field')} not shown: size limit)`);
  return lines;
}
