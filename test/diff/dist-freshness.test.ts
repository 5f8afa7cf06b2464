import * as fs from 'fs';
import * as path from 'path';
import { checkDistFreshness, describeFreshness, isFresh } from '../../lib/diff/dist-freshness';
import { writeFiles } from './_trees';

const made: string[] = [];
const tree = (files: Record<string, string>) => {
  const d = writeFiles(files);
  made.push(d);
  return d;
};
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('committed dist/ against a fresh synth', () => {
  const fresh = { 'production/forum/cm.yaml': 'kind: ConfigMap\n', 'production/_runbooks/alerts/X.md': '# X\n' };

  test('identical trees are fresh', () => {
    const f = checkDistFreshness(tree(fresh), tree(fresh), 'HEAD', 'dist');
    expect(isFresh(f)).toBe(true);
    expect(describeFreshness(f)).toBe('dist/ of HEAD is exactly a fresh synth');
  });

  test('a hand-edited runbook, a file the synth no longer writes and one not committed are each named', () => {
    const committed = tree({ 'production/forum/cm.yaml': 'kind: ConfigMap\n', 'production/_runbooks/alerts/X.md': '# X edited\n', 'production/forum/old.yaml': 'kind: ConfigMap\n' });
    const f = checkDistFreshness(committed, tree({ ...fresh, 'production/forum/new.yaml': 'kind: Secret\n' }), 'the working tree', 'dist');
    expect(f).toMatchObject({ present: true, edited: ['production/_runbooks/alerts/X.md'], missing: ['production/forum/new.yaml'], extra: ['production/forum/old.yaml'] });
    expect(describeFreshness(f)).toMatch(/NOT what its sources synthesize .*1 file\(s\) differ .*X\.md; 1 file\(s\) not committed: production\/forum\/new\.yaml; 1 committed file\(s\) the synth does not write: production\/forum\/old\.yaml; run `ocpkit synth`/);
  });

  test('no dist/ at all is reported as missing', () => {
    const f = checkDistFreshness(path.join(tree(fresh), 'nope'), tree(fresh), 'main (abc)', 'dist');
    expect(f.present).toBe(false);
    expect(describeFreshness(f)).toMatch(/dist\/ of main \(abc\) is missing/);
  });
});
