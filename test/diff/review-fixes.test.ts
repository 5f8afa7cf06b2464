/**
 * Findings of the review of `ocpkit diff` on real-PR-like edits (issue 17): each test reproduces
 * one finding on a small tree.
 */
import { fieldLines } from '../../lib/diff/_render';
import { diffTreeFiles, FieldChange } from '../../lib/diff/diff-trees';
import { formatMarkdown } from '../../lib/diff/format-markdown';
import { formatText } from '../../lib/diff/format-text';

const tree = (files: Record<string, unknown>) => new Map(Object.entries(files).map(([k, v]) => [k, JSON.stringify(v)]));
const diff = (a: Record<string, unknown>, b: Record<string, unknown>) => diffTreeFiles(tree(a), tree(b));

function cronJob(args: string[]): any {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'report', namespace: 'forum' },
    spec: { schedule: '0 1 * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'r', image: 'x:1', command: args }] } } } } },
  };
}

describe('B1: a changed long list of strings is shown, never loops', () => {
  const old = ['/bin/sh', '-c', `echo ${'a'.repeat(200)}`];
  const neu = ['/bin/sh', '-c', `echo ${'a'.repeat(200)} b`];

  test('a CronJob command with a long member changed: a line diff of the members, in text and Markdown', () => {
    const r = diff({ 'production/forum/cj.yaml': cronJob(old) }, { 'production/forum/cj.yaml': cronJob(neu) });
    const text = formatText(r);
    expect(text).toContain(`- ${JSON.stringify(old[2])}`);
    expect(text).toContain(`+ ${JSON.stringify(neu[2])}`);
    expect(text).toContain(`  ${JSON.stringify('-c')}`);
    expect(formatMarkdown(r)).toContain(`+ ${JSON.stringify(neu[2])}`);
  });

  test('fieldLines on a long scalar list: one line per member, nothing repeated forever', () => {
    const f: FieldChange = { path: 'spec.command', op: 'changed', old, new: neu, masked: false };
    const out = fieldLines(f, 'diff');
    expect(out[0]).toBe('@@ spec.command: (changed, one member a line)');
    expect(out.filter((l) => l.startsWith('-'))).toEqual([`- ${JSON.stringify(old[2])}`]);
    expect(out.filter((l) => l.startsWith('+'))).toEqual([`+ ${JSON.stringify(neu[2])}`]);
  });

  test('the recursion guard: a deeply nested value still renders', () => {
    let a: any = ['x'.repeat(300)];
    let b: any = ['y'.repeat(300)];
    for (let i = 0; i < 200; i++) {
      a = { k: a };
      b = { k: b };
    }
    const out = fieldLines({ path: 'spec', op: 'changed', old: a, new: b, masked: false }, 'arrow');
    expect(out.join('\n')).toContain('y'.repeat(300));
  });
});
