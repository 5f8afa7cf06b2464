/**
 * Class 9 of issue 11: Markdown output cannot be injected. Every name and value that reaches a
 * PR comment (app folders, kinds, names, namespaces, files, field paths, values, risk reasons,
 * the title) is put in front of hostile payloads; the rendered comment is then parsed and must
 * keep its structure: the same lines as a harmless rendering, one table row per app with six
 * cell borders, code fences that only close where ocpkit closes them, only ocpkit's own HTML
 * tags, no links, images, autolinks, mentions or issue references outside code.
 */
import type { DiffResult, FieldChange, ResourceChange } from '../../lib/diff/diff-trees';
import { codeSpan, formatMarkdown, mdText } from '../../lib/diff/format-markdown';
import { formatText } from '../../lib/diff/format-text';

/** Where a payload is placed. */
type Slot = 'app' | 'kind' | 'name' | 'namespace' | 'file' | 'movedFrom' | 'fieldPath' | 'scalarValue' | 'textValue' | 'reason' | 'riskPath' | 'title';
const SLOTS: Slot[] = ['app', 'kind', 'name', 'namespace', 'file', 'movedFrom', 'fieldPath', 'scalarValue', 'textValue', 'reason', 'riskPath', 'title'];

const PAYLOADS: [string, string][] = [
  ['closing details and an image', '</summary></details><img src=x onerror=alert(1)>'],
  ['raw HTML block', '<details open><summary>fake</summary>'],
  ['script tag', '<script>alert(1)</script>'],
  ['HTML comment opener', '<!-- hide the rest'],
  ['a single backtick', 'a`b'],
  ['a code fence', '```'],
  ['a longer fence on its own line', '\n````\n'],
  ['a fence after a newline', 'x\n```\n</details>\n# pwned'],
  ['table pipes', '| x | y | z |'],
  ['escaped pipe', 'a\\|b'],
  ['newline into a new table row', 'ok |\n| injected | 9 | 9 | 9 | 9 |'],
  ['carriage return', 'a\r```\rb'],
  ['unicode line separator', 'a\u2028b\u2029c'],
  ['mentions', '@everyone @community/admins'],
  ['issue reference', 'fixes #1 and GH-2'],
  ['javascript link', '[click](javascript:alert(1))'],
  ['image', '![x](https://evil.example.org/t.png)'],
  ['autolink', 'https://evil.example.org www.evil.example.org'],
  ['angle autolink', '<https://evil.example.org>'],
  ['emphasis and strike', '**bold** _it_ ~~gone~~'],
  ['heading at line start', '\n### Approved by security'],
  ['entity', '&lt;img src=x&gt; &amp;'],
  ['backslash at the end', 'trailing\\'],
  ['ANSI escape', '\u001b[2J\u001b[31mred'],
];

function build(slot: Slot | undefined, payload: string): { result: DiffResult; title: string } {
  const v = (s: Slot, dflt: string) => (slot === s ? payload : dflt);
  const app = v('app', 'production/forum');
  const fields: FieldChange[] = [
    { path: v('fieldPath', 'spec.replicas'), op: 'changed', old: 2, new: v('scalarValue', 'three'), masked: false },
    { path: 'data.config', op: 'changed', old: 'line1\nline2\n', new: `line1\n${v('textValue', 'line2')}\n`, masked: false },
  ];
  const changed: ResourceChange = {
    op: 'changed', apiVersion: 'apps/v1', kind: v('kind', 'Deployment'), namespace: v('namespace', 'forum'), name: v('name', 'web'), app,
    file: v('file', 'production/forum/deployment.forum.web.yaml'), movedFrom: slot === 'movedFrom' ? payload : undefined, fields, risks: [], destructive: false,
  };
  const removed: ResourceChange = {
    op: 'removed', apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: 'forum', name: 'data', app, file: 'production/forum/pvc.yaml',
    fields: [], risks: [{ reason: v('reason', 'deletes a PersistentVolumeClaim'), path: slot === 'riskPath' ? payload : 'spec' }], destructive: true,
  };
  const result: DiffResult = {
    changes: [removed, changed],
    apps: [{ app, added: 0, removed: 1, changed: 1, destructive: 1 }],
    summary: { added: 0, removed: 1, changed: 1, destructive: 1, unchanged: 3, oldObjects: 5, newObjects: 4, ignoredFields: 0, ignoredResources: 0 },
  } as DiffResult;
  return { result, title: v('title', 'ocpkit diff') };
}

/** Same shape, harmless characters: every character but a line feed becomes "x". */
const harmless = (payload: string) => payload.replace(/[^\n]/g, 'x');

const ALLOWED_TAGS = new Set(['<!-- ocpkit-diff -->', '<details>', '<details open>', '</details>', '<summary>', '</summary>', '<b>', '</b>', '<code>', '</code>']);

/** What a reader of the rendered comment sees outside code, plus the structure found on the way. */
function audit(md: string): { outside: string; fences: number; unclosed: boolean; tableRows: string[] } {
  const lines = md.split(/\r\n|\r|\n/);
  const outside: string[] = [];
  const tableRows: string[] = [];
  let fence = 0;
  let fences = 0;
  for (const line of lines) {
    if (fence) {
      if (new RegExp(`^ {0,3}\`{${fence},}\\s*$`).test(line)) fence = 0;
      continue;
    }
    // CommonMark 4.5: a backtick fence's info string has no backticks.
    const open = /^ {0,3}(`{3,})[^`]*$/.exec(line);
    if (open) {
      fence = open[1].length;
      fences++;
      continue;
    }
    if (line.startsWith('|')) tableRows.push(line);
    outside.push(stripCode(line));
  }
  return { outside: outside.join('\n'), fences, unclosed: fence !== 0, tableRows };
}

/** Removes inline code spans (CommonMark: a backtick run closed by a run of the same length) and <code> elements. */
function stripCode(line: string): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    if (line[i] === '`' && line[i - 1] !== '\\') {
      const run = /^`+/.exec(line.slice(i))![0];
      const close = new RegExp(`(?<!\`)${run}(?!\`)`, 'g');
      close.lastIndex = i + run.length;
      const m = close.exec(line);
      if (m) {
        out += 'CODE';
        i = m.index + run.length;
        continue;
      }
      out += run;
      i += run.length;
      continue;
    }
    out += line[i++];
  }
  return out.replace(/<code>[^<]*<\/code>/g, 'CODE');
}

function expectSafe(md: string, payload: string, slot: Slot): void {
  const { result, title } = build(slot, payload);
  const benign = formatMarkdown(build(slot, harmless(payload)).result, { title: slot === 'title' ? harmless(payload) : title });
  // No line breakout anywhere: the comment has exactly the lines of the harmless rendering.
  expect(md.split(/\r\n|\r|\n|\u2028|\u2029/).length).toBe(benign.split('\n').length);
  const a = audit(md);
  expect(a.unclosed).toBe(false);
  expect(a.fences).toBe(result.changes.filter((c) => c.fields.length).length);
  // The summary table: header, separator, one row per app, each with exactly six unescaped borders.
  expect(a.tableRows).toHaveLength(2 + result.apps.length);
  for (const row of a.tableRows) expect(row.match(/(?<!\\)\|/g)).toHaveLength(6);
  // Only ocpkit's own tags, and as many <details> as resources.
  for (const tag of a.outside.match(/<[^>\n]*>?/g) ?? []) expect(ALLOWED_TAGS.has(tag)).toBe(true);
  expect(a.outside.match(/<details/g)).toHaveLength(result.changes.length);
  expect(a.outside.match(/<\/details>/g)).toHaveLength(result.changes.length);
  expect(a.outside.match(/<\/summary>/g)).toHaveLength(result.changes.length);
  // No links, images, autolinks, mentions or references outside code.
  expect(a.outside).not.toMatch(/(?<!\\)\]\(|(?<!\\)!\[/);
  expect(a.outside).not.toMatch(/:\/\/|www\./i);
  expect(a.outside).not.toMatch(/@[A-Za-z0-9]/);
  expect(a.outside).not.toMatch(/#\d|GH-\d/i);
  expect(a.outside).not.toMatch(/(?<!\\)\*\*bold|(?<!\\)~~gone/);
  // Headings only where ocpkit puts them.
  const headings = (text: string) => text.split('\n').flatMap((l, i) => (/^ {0,3}#{1,6}(\s|$)/.test(l) ? [i] : []));
  expect(headings(md)).toEqual(headings(benign));
  expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
}

const CASES: [string, Slot, string][] = SLOTS.flatMap((slot) => PAYLOADS.map(([name, payload]) => [`${slot}: ${name}`, slot, payload] as [string, Slot, string]));

describe('formatMarkdown escapes every name and value', () => {
  test('the harmless rendering passes the audit (the audit itself works)', () => {
    const { result, title } = build(undefined, '');
    const md = formatMarkdown(result, { title });
    const a = audit(md);
    expect(a.fences).toBe(1);
    expect(a.tableRows).toHaveLength(3);
    expect(md).toContain('| `production/forum` | 0 | 1 | 1 | :warning: 1 |');
  });

  test('the audit catches an unescaped payload', () => {
    const raw = '<!-- ocpkit-diff -->\n| `a` | 1 | 2 | 3 | 0 |\n<details><summary>x</summary>\n\n```diff\n+ a\n```\n</details><img src=x>\n';
    const a = audit(raw);
    expect(a.outside).toMatch(/<img/);
    expect(a.fences).toBe(1);
    expect(audit('```diff\n+ a\n```\n```\n</details>\n').unclosed).toBe(true);
    expect(audit('```diff\n```\n').unclosed).toBe(false);
    expect(audit('````diff\n```\n').unclosed).toBe(true);
  });

  test.each(CASES)('%s', (_name, slot, payload) => {
    const { result, title } = build(slot, payload);
    expectSafe(formatMarkdown(result, { title }), payload, slot);
  });
});

describe('escaping helpers', () => {
  test.each([
    ['plain', 'web', '`web`'],
    ['one backtick inside', 'a`b', '``a`b``'],
    ['leading backtick', '`a', '`` `a ``'],
    ['three backticks', 'x```y', '````x```y````'],
    ['newline', 'a\nb', '`a\\nb`'],
    ['empty', '', '`""`'],
  ])('codeSpan: %s', (_name, input, out) => {
    expect(codeSpan(input)).toBe(out);
  });

  test('codeSpan in a table escapes pipes; mdText escapes Markdown and breaks mentions', () => {
    expect(codeSpan('a|b', true)).toBe('`a\\|b`');
    expect(mdText('*x* [l](u) <b> @me #1')).toBe('\\*x\\* \\[l\\](u) &lt;b&gt; @\u200bme #\u200b1');
  });
});

describe('formatText keeps terminal control out', () => {
  test.each(PAYLOADS.filter(([, p]) => /[\u0000-\u001f\u2028\u2029]/.test(p)))('%s', (_name, payload) => {
    for (const slot of ['app', 'kind', 'name', 'namespace', 'movedFrom', 'fieldPath', 'textValue', 'reason', 'riskPath'] as Slot[]) {
      const text = formatText(build(slot, payload).result);
      expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/);
      expect(text.split('\n').length).toBe(formatText(build(slot, harmless(payload)).result).split('\n').length);
    }
  });
});
