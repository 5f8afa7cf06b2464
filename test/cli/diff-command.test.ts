import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../lib/cli/main';
import { deployment, pvc, writeFiles as writeTempFiles } from '../diff/_trees';
import { captureOutput } from '../_helpers';

const F = 'production/forum';

/** Temporary trees of this file, removed after it (test/diff/_trees.ts leaves them to the caller). */
const made: string[] = [];
const writeFiles: typeof writeTempFiles = (...args) => {
  const d = writeTempFiles(...args);
  made.push(d);
  return d;
};
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('ocpkit diff', () => {
  const io = captureOutput();
  const err = io.err;
  const out = io.out;

  const base = () => writeFiles({ [`${F}/d.yaml`]: deployment(), [`${F}/p.yaml`]: pvc('data') });

  test('exit 0 and "no changes" for identical trees', async () => {
    expect(await main(['diff', base(), base()])).toBe(0);
    expect(out()).toMatch(/^ocpkit diff: no changes \(2 resources compared\)/);
  });

  test('exit 1 for changes, text output with field paths and values', async () => {
    const changed = writeFiles({ [`${F}/d.yaml`]: deployment({ replicas: 3 }), [`${F}/p.yaml`]: pvc('data') });
    expect(await main(['diff', base(), changed])).toBe(1);
    expect(out()).toBe('ocpkit diff: 1 changed, 0 added, 0 removed; 1 unchanged\n\n== production/forum\n~ changed apps/v1 Deployment forum/web\n    ~ spec.replicas: 2 -> 3\n');
  });

  test('destructive changes: listed first with a marker; exit 1, or 3 with --fail-on destructive', async () => {
    const changed = writeFiles({ [`${F}/d.yaml`]: deployment({ replicas: 3 }) });
    expect(await main(['diff', base(), changed])).toBe(1);
    const text = out();
    expect(text).toMatch(/1 DESTRUCTIVE/);
    expect(text.indexOf('!! - removed v1 PersistentVolumeClaim forum/data')).toBeLessThan(text.indexOf('~ changed apps/v1 Deployment'));
    expect(text).toMatch(/!! destructive: deletes a PersistentVolumeClaim.* \[destructive\/delete\]/);
    expect(await main(['diff', base(), changed, '--fail-on', 'destructive'])).toBe(3);
    const harmless = writeFiles({ [`${F}/d.yaml`]: deployment({ replicas: 3 }), [`${F}/p.yaml`]: pvc('data') });
    expect(await main(['diff', base(), harmless, '--fail-on', 'destructive'])).toBe(1);
  });

  test('--format markdown: summary table per application and details blocks', async () => {
    const changed = writeFiles({ [`${F}/d.yaml`]: deployment({ replicas: 3 }), 'production/wiki/c.yaml': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'wiki' } } });
    expect(await main(['diff', base(), changed, '--format', 'markdown'])).toBe(1);
    const md = out();
    expect(md).toMatch(/^<!-- ocpkit-diff -->\n### ocpkit diff\n/);
    expect(md).toMatch(/:warning: \*\*1 destructive change\*\*/);
    expect(md).toContain('| `production/forum` | 0 | 1 | 1 | :warning: 1 |');
    expect(md).toContain('| `production/wiki` | 1 | 0 | 0 | 0 |');
    expect(md).toContain('Adds: `keys none`');
    expect(md).toContain('<details open><summary>:warning: <b>removed</b> PersistentVolumeClaim <code>forum/data</code> in <code>production/forum</code></summary>');
    expect(md).toContain('<details><summary><b>changed</b> Deployment <code>forum/web</code> (1 field)</summary>');
    expect(md).toContain('```diff\n- spec.replicas: 2\n+ spec.replicas: 3\n```');
  });

  test('--format markdown carries the pictures: the Applications affected, and the network path when a NAD changes', async () => {
    const nad = (mtu: number) => ({
      apiVersion: 'k8s.cni.cncf.io/v1', kind: 'NetworkAttachmentDefinition', metadata: { name: 'public', namespace: 'forum' },
      spec: { config: JSON.stringify({ cniVersion: '0.3.1', name: 'public', plugins: [{ type: 'cnv-bridge', bridge: 'br-public' }, { type: 'tuning', mtu }] }) },
    });
    const a = writeFiles({ [`${F}/n.yaml`]: nad(1500) });
    const b = writeFiles({ [`${F}/n.yaml`]: nad(9000) });
    // text output has no pictures
    expect(await main(['diff', a, b])).toBe(1);
    const text = out();
    expect(text).toContain('plugins[1].mtu: 1500 -> 9000');
    expect(text).not.toContain('mermaid');
    expect(await main(['diff', a, b, '--format', 'markdown'])).toBe(1);
    const md = out().slice(text.length);
    const blocks = md.match(/```mermaid\n[\s\S]*?```/g) ?? [];
    expect(blocks.length).toBe(2);
    expect(blocks.join('\n')).toContain('br-public');
  });

  test('--fail-on takes a list of classes: exit 3 only for a listed class', async () => {
    const binding = (subjects: string[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b', namespace: 'forum' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' }, subjects: subjects.map((name) => ({ kind: 'Group', name })) });
    const a = writeFiles({ [`${F}/b.yaml`]: binding(['forum-admins']) });
    const b = writeFiles({ [`${F}/b.yaml`]: binding(['forum-admins', 'system:authenticated']) });
    expect(await main(['diff', a, b, '--fail-on', 'destructive'])).toBe(1);
    expect(await main(['diff', a, b, '--fail-on', 'destructive,security'])).toBe(3);
    expect(await main(['diff', a, b, '--fail-on', 'outage,weakening'])).toBe(1);
    expect(out()).toMatch(/!! security: grants ClusterRole admin in namespace forum to Group system:authenticated as well/);
  });

  test('--max-bytes and --for keep the output within the limit and name every resource', async () => {
    const many: Record<string, unknown> = {};
    const changed: Record<string, unknown> = {};
    for (let i = 0; i < 60; i++) {
      many[`production/app${i % 4}/c${i}.yaml`] = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `config-${i}`, namespace: 'n' }, data: { v: 'a'.repeat(200) } };
      changed[`production/app${i % 4}/c${i}.yaml`] = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `config-${i}`, namespace: 'n' }, data: { v: 'b'.repeat(200) } };
    }
    const a = writeFiles(many);
    const b = writeFiles(changed);
    for (const format of ['markdown', 'text']) {
      io.stdout.mockClear();
      expect(await main(['diff', a, b, '--format', format, '--max-bytes', '4000'])).toBe(1);
      const text = out();
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4000);
      for (let i = 0; i < 60; i++) expect(text).toContain(`config-${i}`);
    }
    io.stdout.mockClear();
    expect(await main(['diff', a, b, '--format', 'markdown', '--for', 'github'])).toBe(1);
    expect(Buffer.byteLength(out())).toBeLessThanOrEqual(65536);
    expect(out()).not.toContain('Not shown (size limit)');
  });

  test('--format json gives the structured result', async () => {
    expect(await main(['diff', base(), base(), '--format', 'json'])).toBe(0);
    expect(JSON.parse(out())).toMatchObject({ changes: [], summary: { unchanged: 2 } });
  });

  test('secrets never reach the output', async () => {
    const secret = (v: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'forum' }, stringData: { password: v } });
    const a = writeFiles({ [`${F}/s.yaml`]: secret('correct-horse') });
    const b = writeFiles({ [`${F}/s.yaml`]: secret('battery-staple') });
    for (const format of ['text', 'markdown', 'json']) expect(await main(['diff', a, b, '--format', format])).toBe(1);
    expect(out()).not.toMatch(/correct-horse|battery-staple/);
    expect(out()).toMatch(/stringData\.password: \(masked\) -> \(masked\)/);
  });

  test('an ignore file from --ignore-file applies; a broken one is exit 2', async () => {
    const changed = writeFiles({ [`${F}/d.yaml`]: deployment({ replicas: 3 }), [`${F}/p.yaml`]: pvc('data') });
    const dir = writeFiles({ 'ignore.yaml': 'ignore:\n  - kind: Deployment\n    paths: [spec.replicas]\n', 'bad.yaml': 'ignore:\n  - kinds: x\n' });
    expect(await main(['diff', base(), changed, '--ignore-file', path.join(dir, 'ignore.yaml')])).toBe(0);
    expect(await main(['diff', base(), changed, '--ignore-file', path.join(dir, 'bad.yaml')])).toBe(2);
    expect(err()).toMatch(/ocpkit diff: ignore list .*bad\.yaml is invalid:\n  ignore\[0\]\.kinds: unknown key/);
  });

  test.each([
    [['diff'], /diff takes two folders \(OLD_DIR NEW_DIR\) or --base GIT_REF/],
    [['diff', 'a'], /diff takes two folders/],
    [['diff', 'a', 'b', '--format', 'html'], /--format must be one of text, markdown, json, got "html"/],
    [['diff', 'a', 'b', '--fail-on', 'everything'], /--fail-on must be a comma-separated list of destructive, security, outage, weakening, stale-dist, none, got "everything"/],
    [['diff', 'a', 'b', '--fail-on', 'security,nope'], /got "nope"/],
    [['diff', 'a', 'b', '--fail-on', 'none,security'], /--fail-on none cannot be combined/],
    [['diff', 'a', 'b', '--fail-on', 'stale-dist'], /--fail-on stale-dist only applies with --base/],
    [['diff', 'a', 'b', '--max-bytes', '12k'], /--max-bytes must be a whole number of bytes, at least 1024, got "12k"/],
    [['diff', 'a', 'b', '--for', 'bitbucket'], /--for must be one of github, gitlab, got "bitbucket"/],
    [['diff', 'a', 'b', '--for', 'github', '--max-bytes', '5000'], /give --max-bytes or --for, not both/],
    [['diff', 'a', 'b', '--for', 'github', '--format', 'json'], /JSON output is never shortened/],
    [['diff', 'a', 'b', '--dist', 'dist'], /--dist only applies with --base/],
    [['diff', 'a', 'b', '--colour'], /unknown option --colour/],
    [['diff', 'a', '--base', 'main'], /--base compares GIT_REF with the working tree; it takes no folders/],
    [['diff', 'a', 'b', '--stack', 'x.ts'], /--stack only applies with --base/],
  ])('usage error %j: exit 2 with a message', async (args, message) => {
    expect(await main(args)).toBe(2);
    expect(err()).toMatch(message);
  });

  test('input errors: exit 2, one clear message, no stack trace', async () => {
    const notTree = writeFiles({ 'notes.txt': 'hello' });
    expect(await main(['diff', base(), notTree])).toBe(2);
    const bad = writeFiles({ [`${F}/d.yaml`]: 'kind: Deployment\n  bad: indent\n' });
    expect(await main(['diff', base(), bad])).toBe(2);
    expect(await main(['diff', '/nonexistent-a', base()])).toBe(2);
    const text = err();
    expect(text).toMatch(/holds 1 file but no YAML manifests; it is not a synthesized tree/);
    expect(text).toMatch(/d\.yaml: YAML does not parse/);
    expect(text).toMatch(/\/nonexistent-a does not exist/);
    expect(text).not.toMatch(/\n\s+at /);
  });

  test('--help prints the usage', async () => {
    expect(await main(['diff', '--help'])).toBe(0);
    expect(out()).toMatch(/exit codes: 0 no changes, 1 changes, 2 usage or input error, 3 a change of a class in --fail-on/);
    expect(out()).toMatch(/4 internal error/);
  });

  test('a long command list changed (review 17 B1): markdown diff exits 1, not 4', async () => {
    const cj = (arg: string) => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'r', namespace: 'forum' }, spec: { schedule: '0 1 * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'r', image: 'x:1', command: ['/bin/sh', '-c', arg] }] } } } } } });
    const a = writeFiles({ [`${F}/cj.yaml`]: cj(`echo ${'a'.repeat(200)}`) });
    const b = writeFiles({ [`${F}/cj.yaml`]: cj(`echo ${'a'.repeat(200)} b`) });
    expect(await main(['diff', a, b, '--format', 'markdown'])).toBe(1);
    expect(out()).toContain(' b"');
  });
});

describe('ocpkit diff --base (temporary worktree)', () => {
  // A throwaway repository whose bin/ocpkit.js "synthesizes" by copying the stack file into a tree:
  // it exercises the worktree, node_modules symlink, concurrent synths and cleanup, not the real synth.
  function repo(): string {
    const dir = writeFiles({
      'bin/ocpkit.js': "const fs=require('fs'),p=require('path');const [,, cmd, stack,, out]=process.argv;if(!fs.existsSync('node_modules'))process.exit(9);fs.mkdirSync(p.join(out,'production','forum'),{recursive:true});fs.copyFileSync(stack,p.join(out,'production','forum','x.yaml'));\n",
      'stack.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: forum\ndata:\n  v: "1"\n',
      'node_modules/.keep': '',
    });
    const git = (...args: string[]) => {
      const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
    };
    git('init', '-q', '-b', 'main');
    fs.writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\n');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-q', '-m', 'base');
    return dir;
  }

  const io = captureOutput();
  let cwd: string;
  beforeEach(() => {
    cwd = process.cwd();
  });
  afterEach(() => process.chdir(cwd));

  test('compares the working tree with a ref and removes the worktree afterwards', async () => {
    const dir = repo();
    process.chdir(dir);
    expect(await main(['diff', '--base', 'HEAD', '--stack', 'stack.yaml'])).toBe(0);
    fs.writeFileSync(path.join(dir, 'stack.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: forum\ndata:\n  v: "2"\n');
    expect(await main(['diff', '--base', 'main', '--stack', 'stack.yaml', '--format', 'markdown'])).toBe(1);
    const md = io.stdout.mock.calls.map((c) => String(c[0])).join('');
    expect(md).toMatch(/### ocpkit diff against main \([0-9a-f]{12}\)/);
    expect(md).toContain('- data.v: "1"\n+ data.v: "2"');
    const worktrees = spawnSync('git', ['worktree', 'list'], { cwd: dir, encoding: 'utf8' }).stdout.trim().split('\n');
    expect(worktrees).toHaveLength(1);
  });

  test('--base checks that the committed dist/ of both sides is a fresh synth; a hand edit is reported, and fails with stale-dist', async () => {
    const dir = repo();
    const stack = fs.readFileSync(path.join(dir, 'stack.yaml'), 'utf8');
    fs.mkdirSync(path.join(dir, 'dist', 'production', 'forum'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'dist', 'production', 'forum', 'x.yaml'), stack);
    const git = (...args: string[]) => expect(spawnSync('git', args, { cwd: dir, encoding: 'utf8' }).status).toBe(0);
    git('add', 'dist');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-q', '-m', 'dist');
    process.chdir(dir);
    expect(await main(['diff', '--base', 'HEAD', '--stack', 'stack.yaml', '--fail-on', 'stale-dist'])).toBe(0);
    let text = io.stdout.mock.calls.map((c) => String(c[0])).join('');
    expect(text).toContain('ok: dist/ of HEAD (');
    expect(text).toContain('ok: dist/ of the working tree is exactly a fresh synth');
    fs.writeFileSync(path.join(dir, 'dist', 'production', 'forum', 'x.yaml'), stack.replace('v: "1"', 'v: "edited-by-hand"'));
    io.stdout.mockClear();
    expect(await main(['diff', '--base', 'HEAD', '--stack', 'stack.yaml', '--fail-on', 'stale-dist', '--format', 'markdown'])).toBe(3);
    text = io.stdout.mock.calls.map((c) => String(c[0])).join('');
    expect(text).toMatch(/:x: STALE: dist\/ of the working tree is NOT what its sources synthesize .*1 file\(s\) differ from the synth .*production\/forum\/x\.yaml/);
    io.stdout.mockClear();
    expect(await main(['diff', '--base', 'HEAD', '--stack', 'stack.yaml', '--format', 'json'])).toBe(0);
    const json = JSON.parse(io.stdout.mock.calls.map((c) => String(c[0])).join(''));
    expect(json.distFreshness.map((f: any) => [f.revision.replace(/\(.*\)/, '(...)'), f.edited])).toEqual([['HEAD (...)', []], ['the working tree', ['production/forum/x.yaml']]]);
  });

  test('an unknown ref or a failing synth is exit 2 with the reason', async () => {
    const dir = repo();
    process.chdir(dir);
    expect(await main(['diff', '--base', 'no-such-branch', '--stack', 'stack.yaml'])).toBe(2);
    expect(await main(['diff', '--base', 'HEAD', '--stack', 'missing.yaml'])).toBe(2);
    const text = io.stderr.mock.calls.map((c) => String(c[0])).join('');
    expect(text).toMatch(/unknown git ref "no-such-branch"/);
    expect(text).toMatch(/has no missing\.yaml; pass --stack/);
  });
});
