/**
 * The diff on the reference stack: apps/community is edited the way pull requests would
 * (ci-examples/reference-scenario.ts), synthesized with the pipeline `ocpkit synth` uses, and
 * compared with the unchanged stack. Every edit must be flagged with its rule, nothing else may
 * change, and the comment must fit where it is posted.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { handEditQuota, REFERENCE_CHANGES, synthReference, touched } from '../../ci-examples/reference-scenario';
import { checkDistFreshness, describeFreshness, isFresh } from '../../lib/diff/dist-freshness';
import { byteSize, POST_LIMITS } from '../../lib/diff/budget';
import { diffTreeFiles, DiffResult } from '../../lib/diff/diff-trees';
import { formatMarkdown } from '../../lib/diff/format-markdown';
import { formatText } from '../../lib/diff/format-text';

let base: Map<string, string>;
let changed: Map<string, string>;
let result: DiffResult;

beforeAll(() => {
  base = synthReference();
  changed = synthReference(REFERENCE_CHANGES);
  result = diffTreeFiles(base, changed);
}, 120_000);

describe('ocpkit diff on the reference stack', () => {
  test.each(REFERENCE_CHANGES.map((c) => [c.title, c.expects] as const))('%s: flagged as %j', (_title, expects) => {
    const rules = new Set(result.changes.flatMap((c) => c.risks.map((r) => r.rule)));
    for (const rule of expects) expect(rules).toContain(rule);
  });

  test('only what the edits touch changes (and what the stack derives from it, without risk), in production only', () => {
    expect(result.changes.every((c) => c.app.startsWith('production/'))).toBe(true);
    const names = result.changes.map((c) => `${c.kind} ${c.namespace ?? ''}/${c.name}`);
    for (const t of touched) expect(names).toContain(t);
    for (const c of result.changes.filter((x) => !touched.includes(`${x.kind} ${x.namespace ?? ''}/${x.name}`))) expect(c.risks).toEqual([]);
    expect(result.changes.every((c) => c.op === 'changed')).toBe(true);
  });

  test('every change carries its classes in JSON, most severe first, and the order follows them', () => {
    const json = JSON.parse(JSON.stringify(result));
    for (const c of json.changes) expect(Array.isArray(c.classes)).toBe(true);
    const risky = json.changes.filter((c: any) => c.classes.length > 0);
    expect(json.changes.slice(0, risky.length)).toEqual(risky);
    const rank = (c: any) => ['destructive', 'security', 'outage', 'weakening'].indexOf(c.classes[0]);
    const ranks = risky.map(rank);
    expect(ranks).toEqual([...ranks].sort((a: number, b: number) => a - b));
    expect(json.summary.classes).toEqual({ destructive: 1, security: 3, outage: 4, weakening: 1 });
  });

  test('the NAD config (JSON in a string) is shown by structure: the new vlan, not a cut string', () => {
    const text = formatText(result);
    expect(text).toMatch(/\+ spec\.config ⟨json⟩\.plugins\[0\]\.vlan: 12/);
    expect(text).not.toMatch(/\.\.\. \(\d+ characters\)"?$/m);
  });

  test('a hand edit of dist/ lowering a quota below the workloads: the diff flags it, the freshness check names the file', () => {
    const edited = handEditQuota(base);
    const r = diffTreeFiles(base, edited);
    expect(r.changes).toHaveLength(1);
    expect(r.changes[0].risks.map((x) => x.reason).join()).toMatch(/allows requests.memory 3Gi but the stack's own objects in discourse declare 4Gi \(Deployment discourse \(2x\)\)/);
    const tmp = (files: Map<string, string>) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-fresh-'));
      for (const [rel, text] of files) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), text);
      }
      return dir;
    };
    const fresh = tmp(base);
    const committed = tmp(edited);
    try {
      const f = checkDistFreshness(committed, fresh, 'the working tree', 'dist');
      expect(isFresh(f)).toBe(false);
      expect(f.edited).toEqual(['production/tenancy/resourcequota.discourse.tenant-quota.yaml']);
      expect(describeFreshness(f)).toMatch(/dist\/ of the working tree is NOT what its sources synthesize .*1 file\(s\) differ .*resourcequota\.discourse\.tenant-quota\.yaml/);
      expect(isFresh(checkDistFreshness(fresh, fresh, 'x'))).toBe(true);
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
      fs.rmSync(committed, { recursive: true, force: true });
    }
  });

  test('the comment fits GitHub and GitLab; with a small budget destructive and security stay complete and every resource is named', () => {
    const github = formatMarkdown(result, { maxBytes: POST_LIMITS.github });
    expect(byteSize(github)).toBeLessThanOrEqual(POST_LIMITS.github);
    expect(github.indexOf('Destructive changes')).toBeLessThan(github.indexOf('Security changes'));
    expect(github.indexOf('Security changes')).toBeLessThan(github.indexOf('Outage changes'));
    const full = formatMarkdown(result, { maxBytes: 10_000_000 });
    const budget = Math.floor(byteSize(full) / 2);
    const small = formatMarkdown(result, { maxBytes: budget });
    expect(byteSize(small)).toBeLessThanOrEqual(budget);
    expect(small).toMatch(/not shown \(size limit\)/i);
    for (const c of result.changes) expect(small).toContain(c.name);
    const tiny = formatMarkdown(result, { maxBytes: 3000 });
    expect(byteSize(tiny)).toBeLessThanOrEqual(3000);
    expect(tiny).toContain('#### Not shown (size limit)');
    for (const c of result.changes) expect(tiny).toContain(c.name);
    // the destructive and security blocks keep their field lines
    expect(small).toMatch(/- spec\.resources\.requests\.storage: "\d+Gi"/);
    expect(small).toMatch(/\+ spec\.tls\.insecureEdgeTerminationPolicy: "Allow"/);
    expect(small).toMatch(/\+ subjects\[name=system:authenticated\]: \{"apiGroup":"rbac\.authorization\.k8s\.io","kind":"Group","name":"system:authenticated"\}/);
  });
});
