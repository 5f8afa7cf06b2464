/**
 * Class 1 of issue 11: ocpkit never deletes or replaces anything it did not write. `--out` is
 * replaced only when absent, empty or an ocpkit output (marker file); the write is a transaction
 * that a failure, a signal or a crash (SIGKILL) at any phase leaves as it was (or, past the
 * commit, complete); two writers cannot interleave.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../lib/cli/main';
import { checkOutputFolder, markerText, OUTPUT_MARKER, OutputLockedError, OutputWriteError, recoverOutput, writeTree } from '../../lib/synth/write-tree';
import { captureOutput } from '../_helpers';

const ROOT = path.join(__dirname, '..', '..');

const made: string[] = [];
function tmp(): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-out-')));
  made.push(d);
  return d;
}
afterAll(() => {
  for (const d of made) {
    try {
      fs.chmodSync(d, 0o700);
    } catch {
      // gone
    }
    fs.rmSync(d, { recursive: true, force: true });
  }
});

/** Everything below a path, links and empty folders included, so "byte-identical" means it. */
function snapshot(p: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (abs: string, rel: string) => {
    const st = fs.lstatSync(abs);
    if (st.isSymbolicLink()) out[rel] = `-> ${fs.readlinkSync(abs)}`;
    else if (st.isFile()) out[rel] = fs.readFileSync(abs, 'utf8');
    else if (st.isDirectory()) {
      out[`${rel}/`] = '';
      for (const e of fs.readdirSync(abs).sort()) visit(path.join(abs, e), rel ? `${rel}/${e}` : e);
    }
  };
  visit(p, '');
  return out;
}

function write(dir: string, files: Record<string, string>): string {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const manifest = (kind: string, name: string, v = '1') => `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: ${name}\ndata:\n  v: "${v}"\n`;

/** The previous output and the next one: changed, kept, removed and added files, a file that becomes a folder and a folder that becomes a file. */
const T1 = new Map<string, string>([
  ['production/forum/configmap.forum.a.yaml', manifest('ConfigMap', 'a')],
  ['production/forum/configmap.forum.b.yaml', manifest('ConfigMap', 'b')],
  ['production/wiki/configmap.wiki.c.yaml', manifest('ConfigMap', 'c')],
  ['production/gone/configmap.gone.d.yaml', manifest('ConfigMap', 'd')],
  ['clash/inner.yaml', 'inner\n'],
  ['flip', 'a file that becomes a folder\n'],
]);
const T2 = new Map<string, string>([
  ['production/forum/configmap.forum.a.yaml', manifest('ConfigMap', 'a', '2')],
  ['production/forum/configmap.forum.b.yaml', manifest('ConfigMap', 'b')],
  ['production/wiki/configmap.wiki.c.yaml', manifest('ConfigMap', 'c', '2')],
  ['production/new/configmap.new.e.yaml', manifest('ConfigMap', 'e')],
  ['staging/forum/configmap.forum.a.yaml', manifest('ConfigMap', 'a')],
  ['clash', 'a folder that became a file\n'],
  ['flip/x.yaml', 'x\n'],
]);
const expected = (files: Map<string, string>) => {
  const dir = write(tmp(), Object.fromEntries(files));
  fs.writeFileSync(path.join(dir, OUTPUT_MARKER), markerText(files.keys()));
  return snapshot(dir);
};

describe('--out is replaced only when ocpkit wrote it', () => {
  const io = captureOutput();
  const err = io.err;

  // --out inside a private folder: the test checks its siblings, and os.tmpdir() is shared with other processes
  const sub = () => path.join(tmp(), 'out');
  const home = () => sub();
  test.each<[string, () => { out: string; watch: string }, RegExp]>([
    ['a home-like folder with unknown files', () => {
      const d = write(home(), { '.bashrc': 'alias ll=ls\n', 'Documents/notes.txt': 'keep\n' });
      return { out: d, watch: d };
    }, /holds \.bashrc, which ocpkit did not write/],
    ['a copy of apps/', () => {
      const d = path.join(tmp(), 'apps');
      fs.cpSync(path.join(ROOT, 'apps'), d, { recursive: true });
      return { out: d, watch: d };
    }, /holds community\/.*, which ocpkit did not write/],
    ['a folder with .git', () => {
      const d = write(sub(), { '.git/HEAD': 'ref: refs/heads/main\n', 'README.md': 'x\n' });
      return { out: d, watch: d };
    }, /is a Git checkout \(it has \.git\)/],
    ['a Git checkout that looks like an output', () => {
      const d = write(sub(), { '.git': 'gitdir: /elsewhere\n', 'production/forum/configmap.forum.a.yaml': manifest('ConfigMap', 'a') });
      return { out: d, watch: d };
    }, /is a Git checkout/],
    ['the working directory', () => ({ out: '.', watch: path.join(ROOT, 'package.json') }), /--out \. would replace the working directory/],
    ['a parent of the working directory', () => ({ out: '..', watch: path.join(ROOT, 'package.json') }), /--out \.\. would replace a folder holding the working directory/],
    ['a symlink to a folder (the message names the target)', () => {
      const d = tmp();
      const target = write(path.join(d, 'real'), { 'production/forum/configmap.forum.a.yaml': manifest('ConfigMap', 'a') });
      fs.symlinkSync(target, path.join(d, 'dist'));
      return { out: path.join(d, 'dist'), watch: d };
    }, /--out .*dist is a symbolic link to .*real; ocpkit does not write through links/],
    ['a dangling symlink', () => {
      const d = tmp();
      fs.symlinkSync('/nonexistent/place', path.join(d, 'dist'));
      return { out: path.join(d, 'dist'), watch: d };
    }, /is a symbolic link to \/nonexistent\/place/],
    ['a regular file', () => {
      const d = write(tmp(), { 'dist': 'not a folder\n' });
      return { out: path.join(d, 'dist'), watch: d };
    }, /--out .*dist is an existing file; give a folder/],
    ['an ocpkit output plus an unknown file', () => {
      const d = path.join(tmp(), 'dist');
      writeTree(T1, d);
      fs.writeFileSync(path.join(d, 'notes.txt'), 'mine\n');
      return { out: d, watch: path.dirname(d) };
    }, /holds notes\.txt, which ocpkit did not write \(it is not listed in \.ocpkit-output\)/],
    ['an ocpkit output plus an unknown YAML file in an app folder', () => {
      const d = path.join(tmp(), 'dist');
      writeTree(T1, d);
      fs.writeFileSync(path.join(d, 'production/forum/configmap.forum.mine.yaml'), manifest('ConfigMap', 'mine'));
      return { out: d, watch: path.dirname(d) };
    }, /holds production\/forum\/configmap\.forum\.mine\.yaml, which ocpkit did not write/],
    ['an ocpkit output holding a symlink', () => {
      const d = path.join(tmp(), 'dist');
      writeTree(T1, d);
      fs.symlinkSync('/etc', path.join(d, 'production', 'etc'));
      return { out: d, watch: path.dirname(d) };
    }, /holds production\/etc, a symbolic link ocpkit did not write/],
    ['a marker ocpkit cannot read', () => {
      const d = write(sub(), { [OUTPUT_MARKER]: 'format: 99\ntool: ocpkit\nfiles:\n', 'x.yaml': 'x\n' });
      return { out: d, watch: d };
    }, /has a \.ocpkit-output that this ocpkit cannot honour/],
    ['a marker listing a path outside the folder', () => {
      const d = write(sub(), { [OUTPUT_MARKER]: markerText(['x.yaml']).replace('- x.yaml', '- ../victim.txt\n- x.yaml'), 'x.yaml': 'x\n' });
      return { out: d, watch: d };
    }, /cannot honour \(it lists "\.\.\/victim\.txt", which is not a plain relative path inside the folder\)/],
    ['a marker that is a symbolic link to a real marker', () => {
      const d = tmp();
      const real = write(path.join(d, 'real'), { [OUTPUT_MARKER]: markerText(['x.yaml']) });
      write(path.join(d, 'dist'), { 'x.yaml': 'x\n' });
      fs.symlinkSync(path.join(real, OUTPUT_MARKER), path.join(d, 'dist', OUTPUT_MARKER));
      return { out: path.join(d, 'dist'), watch: d };
    }, /holds \.ocpkit-output, a symbolic link ocpkit did not write/],
    ['manifests without a marker in another layout', () => {
      const d = write(sub(), { 'base/deployment.yaml': manifest('Deployment', 'web'), 'base/kustomization.yaml': 'resources: []\n' });
      return { out: d, watch: d };
    }, /holds base\/deployment\.yaml, which ocpkit did not write \(there is no \.ocpkit-output\)/],
    // no marker, not empty: refused whatever the files look like (the pre-marker shape rule is gone)
    ['a file without a marker whose kind does not match its name', () => {
      const d = write(sub(), { 'production/forum/configmap.forum.a.yaml': manifest('Secret', 'a') });
      return { out: d, watch: d };
    }, /holds production\/forum\/configmap\.forum\.a\.yaml, which ocpkit did not write \(there is no \.ocpkit-output\); if it is an output of an older ocpkit, delete it or move it away first/],
    ['hand-written manifests in <env>/<app>/<kind>.<name>.yaml', () => {
      const d = path.join(tmp(), 'manifests');
      write(d, { 'prod/web/deployment.web.yaml': manifest('Deployment', 'web'), 'prod/web/service.web.yaml': manifest('Service', 'web') });
      return { out: d, watch: path.dirname(d) };
    }, /holds prod\/web\/deployment\.web\.yaml, which ocpkit did not write \(there is no \.ocpkit-output\).*delete it or move it away first/],
    ['an output of an ocpkit older than the marker', () => {
      const d = write(sub(), {
        'production/forum/configmap.forum.a.yaml': manifest('ConfigMap', 'a'),
        'production/_restore-drills/restore.openshift-adp.x.yaml': manifest('Restore', 'x'),
        'staging/tenancy/namespace.forum.yaml': manifest('Namespace', 'forum'),
      });
      return { out: d, watch: d };
    }, /holds production\/_restore-drills\/restore\.openshift-adp\.x\.yaml, which ocpkit did not write \(there is no \.ocpkit-output\).*older ocpkit, delete it or move it away first/],
  ])('refuses %s with one line and touches nothing', async (_name, make, message) => {
    const { out, watch } = make();
    const before = snapshot(watch);
    const siblings = fs.readdirSync(path.dirname(path.resolve(out))).sort();
    expect(await main(['synth', 'test/fixtures/good-stack.ts', '--out', out])).toBe(2);
    expect(err()).toMatch(message);
    expect(err()).toMatch(/nothing was changed\n$/);
    expect(err().trim().split('\n')).toHaveLength(1);
    expect(snapshot(watch)).toEqual(before);
    expect(fs.readdirSync(path.dirname(path.resolve(out))).sort()).toEqual(siblings);
  });

  test('refuses the home folder itself (even when empty) and any folder holding it', () => {
    // A home inside a fresh folder, so its parent holds nothing else (not this checkout, wherever it is).
    const h = path.join(tmp(), 'home');
    fs.mkdirSync(h);
    // os.homedir() reads the real environment, so this runs in a child with HOME set
    for (const [out, message] of [[h, /is your home folder/], [path.dirname(h), /would replace a folder holding your home folder/]] as const) {
      const r = spawnSync(process.execPath, ['bin/ocpkit.js', 'synth', 'test/fixtures/good-stack.ts', '--out', out], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, HOME: h } });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(fs.readdirSync(h)).toEqual([]);
  });

  test.each<[string, (d: string) => void]>([
    ['absent', () => undefined],
    ['empty', (d) => fs.mkdirSync(d)],
    ['a previous output (marker)', (d) => writeTree(T1, d)],
    ['holding only empty folders', (d) => fs.mkdirSync(path.join(d, 'production', 'forum'), { recursive: true })],
  ])('replaces a folder that is %s, and marks it', (_name, prepare) => {
    const out = path.join(tmp(), 'dist');
    prepare(out);
    writeTree(T2, out);
    expect(snapshot(out)).toEqual(expected(T2));
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });

  test('the marker is deterministic and lists exactly the files written', () => {
    const a = path.join(tmp(), 'a');
    const b = path.join(tmp(), 'b');
    writeTree(T2, a);
    writeTree(new Map([...T2].reverse()), b);
    expect(fs.readFileSync(path.join(a, OUTPUT_MARKER), 'utf8')).toBe(fs.readFileSync(path.join(b, OUTPUT_MARKER), 'utf8'));
    expect(fs.readFileSync(path.join(a, OUTPUT_MARKER), 'utf8')).not.toMatch(/\d{4}-\d\d-\d\d|pid/);
  });

  test('unchanged files are not rewritten; a second write of the same tree changes nothing', () => {
    const out = path.join(tmp(), 'dist');
    writeTree(T1, out);
    const file = path.join(out, 'production/forum/configmap.forum.b.yaml');
    const inode = fs.statSync(file).ino;
    expect(writeTree(T1, out)).toMatchObject({ written: 0, removed: 0 });
    expect(writeTree(T2, out)).toMatchObject({ removed: 3 });
    expect(fs.statSync(file).ino).toBe(inode);
  });

  test.each([
    ['an absolute path', '/etc/passwd'],
    ['a parent segment', 'production/../../x.yaml'],
    ['a NUL byte', 'a\0b.yaml'],
    ['a backslash', 'a\\b.yaml'],
    ['the marker itself', OUTPUT_MARKER],
    ['names differing only in case', 'production/forum/configmap.forum.A.yaml'],
  ])('a file name with %s is refused before anything is touched', (_name, rel) => {
    const out = path.join(tmp(), 'dist');
    writeTree(T1, out);
    const before = snapshot(out);
    expect(() => writeTree(new Map([...T1, [rel, 'x']]), out)).toThrow(OutputWriteError);
    expect(snapshot(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });
});

describe('a failure at any phase leaves the previous output exactly as it was', () => {
  const saved = process.env.OCPKIT_TEST_WRITE_HOOK;
  afterEach(() => {
    process.env.OCPKIT_TEST_WRITE_HOOK = saved;
    if (saved === undefined) delete process.env.OCPKIT_TEST_WRITE_HOOK;
  });

  test.each(['locked', 'staged', 'journaled', 'removed', 'half', 'applied'])('failure after %s: restored, no lock and no temporary folder left', (phase) => {
    const out = path.join(tmp(), 'dist');
    writeTree(T1, out);
    const before = snapshot(out);
    process.env.OCPKIT_TEST_WRITE_HOOK = `${phase}:fail`;
    let error: unknown;
    try {
      writeTree(T2, out);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutputWriteError);
    expect((error as OutputWriteError).restored).toBe(true);
    expect(snapshot(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });

  test('a failure into an absent folder leaves it absent', () => {
    const out = path.join(tmp(), 'dist');
    for (const phase of ['staged', 'journaled', 'applied']) {
      process.env.OCPKIT_TEST_WRITE_HOOK = `${phase}:fail`;
      expect(() => writeTree(T2, out)).toThrow(OutputWriteError);
      expect(fs.readdirSync(path.dirname(out))).toEqual([]);
    }
  });

  test('when the rollback itself fails, restored is false and the next run restores the previous output', () => {
    const out = path.join(tmp(), 'dist');
    writeTree(T1, out);
    const before = snapshot(out);
    process.env.OCPKIT_TEST_WRITE_HOOK = 'half:fail,rollback:fail';
    let error: OutputWriteError | undefined;
    try {
      writeTree(T2, out);
    } catch (e) {
      error = e as OutputWriteError;
    }
    expect(error?.restored).toBe(false);
    expect(error?.staging).toMatch(/dist\.ocpkit-tmp-\d+-/);
    delete process.env.OCPKIT_TEST_WRITE_HOOK;
    expect(recoverOutput(out)).toMatch(/restored .*dist as it was before the interrupted write of pid \d+/);
    expect(snapshot(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });

  describe('through ocpkit synth: "the previous contents are unchanged" only when true', () => {
    const io = captureOutput();

    test.each([
      ['half:fail', /the previous contents are unchanged/, true],
      ['removed:fail', /the previous contents are unchanged/, true],
      ['half:fail,rollback:fail', /the previous contents could not be fully restored; the next `ocpkit synth` to .*dist restores them from .*dist\.ocpkit-tmp-/, false],
    ])('%s', async (hook, message, unchanged) => {
      const out = path.join(tmp(), 'dist');
      expect(await main(['synth', 'test/fixtures/good-stack.ts', '--out', out])).toBe(0);
      const edited = path.join(out, 'production/forum/rolebinding.forum.tenant-admin.yaml');
      fs.writeFileSync(edited, 'edited by hand\n');
      const before = snapshot(out);
      process.env.OCPKIT_TEST_WRITE_HOOK = hook;
      expect(await main(['synth', 'test/fixtures/good-stack.ts', '--out', out])).toBe(1);
      const text = io.stderr.mock.calls.map((c) => String(c[0])).join('');
      expect(text).toMatch(message);
      expect(text.includes('unchanged')).toBe(unchanged);
      if (unchanged) expect(snapshot(out)).toEqual(before);
      delete process.env.OCPKIT_TEST_WRITE_HOOK;
      io.stderr.mockClear();
      expect(await main(['synth', 'test/fixtures/good-stack.ts', '--out', out])).toBe(0);
      if (!unchanged) expect(io.stderr.mock.calls.join('')).toMatch(/ocpkit synth: recovered .*dist: restored .*dist as it was before the interrupted write of pid \d+\n/);
      expect(fs.readFileSync(edited, 'utf8')).not.toBe('edited by hand\n');
      expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
    });
  });
});

/** A child process that writes a tree with writeTreeInterruptibly, as `ocpkit synth` does. */
const CHILD = `
require(${JSON.stringify(path.join(ROOT, 'bin', 'run-ts.js'))});
const fs = require('fs');
const w = require(${JSON.stringify(path.join(ROOT, 'lib', 'synth', 'write-tree.ts'))});
const [files, out] = process.argv.slice(-2);
w.writeTreeInterruptibly(new Map(JSON.parse(fs.readFileSync(files, 'utf8'))), out).then(
  (r) => { process.stdout.write(JSON.stringify(r) + '\\n'); process.exitCode = r.interruptedAfterCommit ? 9 : 0; },
  (e) => { process.stderr.write(e.name + ': ' + e.message + (e.restored === undefined ? '' : ' restored=' + e.restored) + '\\n'); process.exitCode = e.signal === 'SIGINT' ? 130 : e.signal === 'SIGTERM' ? 143 : e.signal === 'SIGHUP' ? 129 : e.name === 'OutputLockedError' ? 2 : 1; });
`;

interface Run {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(cmd: string[], env: Record<string, string>, cwd = ROOT): Run {
  const child = spawn(process.execPath, cmd, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.stdout!.resume();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, stderr: () => err, exit };
}

function writer(files: Map<string, string>, out: string, hook?: string): Run {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, 'child.js'), CHILD);
  fs.writeFileSync(path.join(dir, 'files.json'), JSON.stringify([...files]));
  return run([path.join(dir, 'child.js'), path.join(dir, 'files.json'), out], hook ? { OCPKIT_TEST_WRITE_HOOK: hook } : {});
}

async function paused(r: Run, phase: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!r.stderr().includes(`ocpkit-test: paused at ${phase}`)) {
    if (Date.now() > deadline || r.child.exitCode !== null) throw new Error(`child did not pause at ${phase}: ${r.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('crashes and signals mid-write (child processes)', () => {
  test.each(['locked', 'staged', 'journaled', 'removed', 'half', 'applied', 'committed'])('SIGKILL at %s: --out is never missing and the next run recovers', async (phase) => {
    const out = path.join(tmp(), 'dist');
    writeTree(T1, out);
    const old = snapshot(out);
    const r = writer(T2, out, `${phase}:pause`);
    await paused(r, phase);
    r.child.kill('SIGKILL');
    await r.exit;
    expect(fs.statSync(out).isDirectory()).toBe(true);
    expect(fs.readdirSync(path.dirname(out))).toContain('dist.ocpkit-lock');
    const note = recoverOutput(out);
    expect(note).toMatch(new RegExp(`removed the stale lock of pid ${r.child.pid}`));
    if (phase !== 'locked') expect(note).toMatch(new RegExp(`(restored .*dist as it was before|removed the temporary files of) the interrupted write of pid ${r.child.pid}`));
    expect(snapshot(out)).toEqual(phase === 'committed' ? expected(T2) : old);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
    writeTree(T2, out);
    expect(snapshot(out)).toEqual(expected(T2));
  });

  test('a write after a SIGKILL recovers by itself and says so in one line', async () => {
    const out = path.join(tmp(), 'dist');
    writeTree(T1, out);
    const r = writer(T2, out, 'half:pause');
    await paused(r, 'half');
    r.child.kill('SIGKILL');
    await r.exit;
    const report = writeTree(T1, out);
    expect(report.recovered).toMatch(new RegExp(`^removed the stale lock of pid ${r.child.pid}; restored .*dist as it was before the interrupted write of pid ${r.child.pid}$`));
    expect(snapshot(out)).toEqual(expected(T1));
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });

  test.each<[NodeJS.Signals, string, number]>([
    ['SIGINT', 'locked', 130],
    ['SIGTERM', 'staged', 143],
    ['SIGINT', 'journaled', 130],
    ['SIGTERM', 'half', 143],
    ['SIGINT', 'applied', 130],
    ['SIGHUP', 'removed', 129],
    ['SIGHUP', 'half', 129],
  ])('%s at %s: rolled back, lock and temporary tree removed, exit %d', async (signal, phase, code) => {
    const out = path.join(tmp(), 'dist');
    writeTree(T1, out);
    const old = snapshot(out);
    const r = writer(T2, out, `${phase}:pause`);
    await paused(r, phase);
    r.child.kill(signal);
    expect((await r.exit).code).toBe(code);
    expect(r.stderr()).toMatch(new RegExp(`OutputInterruptedError: interrupted by ${signal} restored=true`));
    expect(snapshot(out)).toEqual(old);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });

  test('ocpkit synth: SIGHUP (terminal closed) mid-write exits 129, previous output unchanged, no lock left', async () => {
    const out = path.join(tmp(), 'dist');
    expect(spawnSync(process.execPath, ['bin/ocpkit.js', 'synth', 'test/fixtures/good-stack.ts', '--out', out], { cwd: ROOT }).status).toBe(0);
    fs.writeFileSync(path.join(out, 'production/forum/rolebinding.forum.tenant-admin.yaml'), 'edited by hand\n');
    const before = snapshot(out);
    const r = run(['bin/ocpkit.js', 'synth', 'test/fixtures/good-stack.ts', '--out', out], { OCPKIT_TEST_WRITE_HOOK: 'half:pause' });
    await paused(r, 'half');
    r.child.kill('SIGHUP');
    expect((await r.exit).code).toBe(129);
    expect(r.stderr()).toMatch(/ocpkit synth: interrupted by SIGHUP while writing .*dist; the previous contents are unchanged\n$/);
    expect(snapshot(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });

  test('SIGKILL after a fresh --out was renamed into place: recovery removes exactly that output, never a folder with other files', async () => {
    for (const userFile of [false, true]) {
      const out = path.join(tmp(), 'dist');
      const r = writer(T2, out, 'applied:pause');
      await paused(r, 'applied');
      r.child.kill('SIGKILL');
      await r.exit;
      expect(snapshot(out)).toEqual(expected(T2));
      if (userFile) fs.writeFileSync(path.join(out, 'notes.txt'), 'mine\n');
      const note = recoverOutput(out);
      if (userFile) {
        expect(note).toMatch(/left dist\.ocpkit-tmp-\d+-[0-9a-f]+ alone \(its journal says it created .*dist, but .*dist holds or lists notes\.txt, which that run did not write\); it was neither applied nor deleted/);
        expect(fs.readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('mine\n');
      } else {
        expect(note).toMatch(/restored .*dist as it was before the interrupted write/);
        expect(fs.readdirSync(path.dirname(out))).toEqual([]);
      }
    }
  });

  test('a signal after the commit leaves the complete new output', async () => {
    const out = path.join(tmp(), 'dist');
    writeTree(T1, out);
    const r = writer(T2, out, 'committed:pause');
    await paused(r, 'committed');
    r.child.kill('SIGTERM');
    expect((await r.exit).code).toBe(9);
    expect(snapshot(out)).toEqual(expected(T2));
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });

  test('ocpkit synth: SIGTERM mid-write exits 143 with the previous output unchanged', async () => {
    const out = path.join(tmp(), 'dist');
    expect(spawnSync(process.execPath, ['bin/ocpkit.js', 'synth', 'test/fixtures/good-stack.ts', '--out', out], { cwd: ROOT }).status).toBe(0);
    fs.writeFileSync(path.join(out, 'production/forum/rolebinding.forum.tenant-admin.yaml'), 'edited by hand\n');
    fs.rmSync(path.join(out, 'production/tenancy/namespace.forum.yaml'));
    const before = snapshot(out);
    const r = run(['bin/ocpkit.js', 'synth', 'test/fixtures/good-stack.ts', '--out', out], { OCPKIT_TEST_WRITE_HOOK: 'half:pause' });
    await paused(r, 'half');
    r.child.kill('SIGTERM');
    expect((await r.exit).code).toBe(143);
    expect(r.stderr()).toMatch(/ocpkit synth: interrupted by SIGTERM while writing .*dist; the previous contents are unchanged\n$/);
    expect(snapshot(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });
});

describe('leftovers of dead runs next to --out are found and removed or reported', () => {
  const dead = () => spawnSync(process.execPath, ['-e', '']).pid!;
  test.each<[string, (parent: string, out: string) => void, RegExp | undefined, string[], Map<string, string>]>([
    ['a lock candidate of a dead run is removed', (d) => fs.writeFileSync(path.join(d, `dist.ocpkit-lock.${dead()}-0a0b`), '1\n'), undefined, ['dist'], T2],
    ['a moved-aside stale lock of a dead run is removed', (d) => fs.writeFileSync(path.join(d, `dist.ocpkit-lock.stale-${dead()}-0a0b`), '1\n'), undefined, ['dist'], T2],
    ['a staging folder without journal (died while staging) is removed', (d) => write(path.join(d, `dist.ocpkit-tmp-${dead()}-0a0b`), { 'new/x.yaml': 'x\n' }), /removed the temporary files of the interrupted write of pid \d+/, ['dist'], T2],
    ['a staging folder of a live process is left alone and reported', (d) => write(path.join(d, `dist.ocpkit-tmp-${process.ppid}-0a0b`), { 'new/x.yaml': 'x\n' }), /left dist\.ocpkit-tmp-\d+-0a0b alone \(pid \d+ is running\)/, ['dist', 'dist.ocpkit-tmp-PID-0a0b'], T2],
    ['an older ocpkit\'s old tree is put back when --out is missing', (d, out) => fs.renameSync(out, path.join(d, `dist.old-${dead()}`)), /restored .*dist from dist\.old-\d+, left by an older ocpkit that was interrupted/, ['dist'], T2],
    ['an older ocpkit\'s temporary tree is reported, not removed', (d) => write(path.join(d, `dist.tmp-${dead()}`), { 'x.yaml': 'x\n' }), /found dist\.tmp-\d+, left by an interrupted older ocpkit \(pid \d+\); not removed/, ['dist', 'dist.tmp-N'], T2],
  ])('%s', (_name, plant, note, siblings, next) => {
    const parent = tmp();
    const out = path.join(parent, 'dist');
    writeTree(T1, out);
    plant(parent, out);
    const report = writeTree(next, out);
    if (note) expect(report.recovered).toMatch(note);
    expect(snapshot(out)).toEqual(expected(next));
    expect(fs.readdirSync(parent).map((n) => n.replace(String(process.ppid), 'PID').replace(/^dist\.tmp-\d+$/, 'dist.tmp-N')).sort()).toEqual(siblings);
  });
});

describe('two writers to one --out cannot interleave', () => {
  test('ocpkit synth while another holds the lock: refused naming the holder, nothing touched', async () => {
    const out = path.join(tmp(), 'dist');
    writeTree(T1, out);
    const before = snapshot(out);
    const first = writer(T2, out, 'staged:pause');
    await paused(first, 'staged');
    const second = spawnSync(process.execPath, ['bin/ocpkit.js', 'synth', 'test/fixtures/good-stack.ts', '--out', out], { cwd: ROOT, encoding: 'utf8' });
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`^ocpkit synth: --out .*dist is being written by another ocpkit \\(pid ${first.child.pid}\\); wait for it to finish, or delete .*dist\\.ocpkit-lock if no such process runs; nothing was changed\\n$`));
    expect(snapshot(out)).toEqual(before);
    first.child.kill('SIGINT');
    expect((await first.exit).code).toBe(130);
    expect(snapshot(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });

  test('racing writers: each either writes a complete tree or is refused by the lock', async () => {
    const out = path.join(tmp(), 'dist');
    writeTree(T1, out);
    for (let round = 0; round < 3; round++) {
      const runs = [writer(T1, out), writer(T2, out), writer(T1, out)];
      const results = await Promise.all(runs.map((r) => r.exit));
      results.forEach((res, i) => {
        if (res.code !== 0) {
          expect(res.code).toBe(2);
          expect(runs[i].stderr()).toMatch(/OutputLockedError: --out .* is being written by another ocpkit \(pid \d+\)/);
        }
      });
      expect([expected(T1), expected(T2)]).toContainEqual(snapshot(out));
      expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
    }
  });

  test.each<[string, () => number, boolean]>([
    ['a dead pid is stale and taken over', () => spawnSync(process.execPath, ['-e', '']).pid!, true],
    ['garbage is stale and taken over', () => NaN, true],
    ['a live pid is respected', () => process.pid, false],
  ])('a lock holding %s', (_name, pid, taken) => {
    const out = path.join(tmp(), 'dist');
    writeTree(T1, out);
    const holder = pid();
    fs.writeFileSync(`${out}.ocpkit-lock`, Number.isNaN(holder) ? 'garbage\n' : `${holder}\n`);
    if (taken) {
      expect(writeTree(T2, out).recovered).toMatch(/removed the stale lock of pid/);
      expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
    } else {
      expect(() => writeTree(T2, out)).toThrow(OutputLockedError);
      expect(() => writeTree(T2, out)).toThrow(new RegExp(`pid ${holder}`));
      expect(snapshot(out)).toEqual(expected(T1));
    }
  });
});

/**
 * A staging folder is found by its name only, so anyone able to create a file next to --out can
 * plant one. Recovery acts only on a staging folder (journal, backups) of this user's that nobody
 * else can write, whose journal names this --out, lists only plain relative paths inside it, and
 * whose backups are regular files; otherwise it is reported in one line and left untouched.
 */
describe('planted staging folders are neither applied nor deleted', () => {
  const io = captureOutput();
  const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

  interface Plant {
    parent: string;
    out: string;
    victim: string;
    staging: string;
    journal: (j: Record<string, unknown>) => void;
  }
  const journalOf = (out: string, j: Record<string, unknown>) => JSON.stringify({ format: 1, out, added: [], changed: [], removed: [], dirs: [], ...j });

  /** [name, what --out is, how to plant, expected exit code of ocpkit synth, reason in the note] */
  test.each<[string, 'output' | 'userdir', (p: Plant) => void, number, RegExp]>([
    ['journal paths escaping --out with ../ (the review repro)', 'output', (p) => {
      write(p.staging, { 'old/r0': 'evil\n' });
      fs.mkdirSync(path.join(p.staging, 'new'));
      p.journal({ added: ['../victim/notes.txt'], removed: ['../victim/planted.txt'] });
    }, 0, /its journal\.json lists "\.\.\/victim\/notes\.txt" in added, which is not a plain relative path/],
    ['an absolute path in changed', 'output', (p) => {
      write(p.staging, { 'old/c0': 'evil\n' });
      p.journal({ changed: [path.join(p.victim, 'notes.txt')] });
    }, 0, /lists ".*victim\/notes\.txt" in changed, which is not a plain relative path/],
    ['a path that normalizes inside but is not plain', 'output', (p) => {
      write(p.staging, { 'old/r0': 'evil\n' });
      p.journal({ removed: ['production/./x.yaml'] });
    }, 0, /lists "production\/\.\/x\.yaml" in removed/],
    ['a journal naming another --out', 'output', (p) => {
      write(p.staging, { 'old/r0': 'evil\n' });
      p.journal({ out: p.victim, removed: ['planted.txt'] });
    }, 0, /it belongs to .*victim/],
    ['a "fresh" journal next to a user folder (would move it away and delete it)', 'userdir', (p) => {
      p.journal({ fresh: true, added: ['notes.txt'] });
    }, 2, /its journal says it created .*userdir, but .*userdir has no \.ocpkit-output/],
    ['a "fresh" journal next to an ocpkit output it did not write exactly', 'output', (p) => {
      p.journal({ fresh: true, added: ['production/forum/configmap.forum.a.yaml', OUTPUT_MARKER] });
    }, 0, /its journal says it created .*dist, but .*dist holds or lists/],
    ['a journal deleting a file of a user folder (added, staged copy gone)', 'userdir', (p) => {
      fs.mkdirSync(path.join(p.staging, 'new'));
      p.journal({ added: ['notes.txt'] });
    }, 2, /userdir holds docs\/a\.md, which neither its \.ocpkit-output nor that run wrote/],
    ['a staging folder writable by every user', 'output', (p) => {
      write(p.staging, { 'old/r0': 'evil\n' });
      p.journal({ removed: ['production/planted.yaml'] });
      fs.chmodSync(p.staging, 0o777);
    }, 0, /is writable by every user \(mode 777\)/],
    ['a journal writable by its group', 'output', (p) => {
      write(p.staging, { 'old/r0': 'evil\n' });
      p.journal({ removed: ['production/planted.yaml'] });
      fs.chmodSync(path.join(p.staging, 'journal.json'), 0o664);
    }, 0, /journal\.json is writable by its group \(mode 664\)/],
    ['a journal that is a symbolic link', 'output', (p) => {
      write(p.victim, { 'j.json': journalOf(p.out, { removed: ['production/planted.yaml'] }) });
      write(p.staging, { 'old/r0': 'evil\n' });
      fs.symlinkSync(path.join(p.victim, 'j.json'), path.join(p.staging, 'journal.json'));
    }, 0, /journal\.json is a symbolic link, not a regular file/],
    ['old/ a symbolic link to another folder', 'output', (p) => {
      write(p.victim, { 'r0': 'evil\n' });
      fs.symlinkSync(p.victim, path.join(p.staging, 'old'));
      p.journal({ removed: ['production/planted.yaml'] });
    }, 0, /old is a symbolic link, not a folder/],
    ['a backup that is a symbolic link', 'output', (p) => {
      fs.mkdirSync(path.join(p.staging, 'old'));
      fs.symlinkSync(path.join(p.victim, 'notes.txt'), path.join(p.staging, 'old', 'r0'));
      p.journal({ removed: ['production/planted.yaml'] });
    }, 0, /backup .*old\/r0 is a symbolic link, not a regular file/],
    ['a journal writing below a link inside --out', 'output', (p) => {
      fs.symlinkSync(p.victim, path.join(p.out, 'linked'));
      write(p.staging, { 'old/r0': 'evil\n' });
      p.journal({ removed: ['linked/planted.txt'] });
    }, 2, /dist\/linked is a symbolic link, and its journal\.json writes below it/],
    ['a journal that is not JSON', 'output', (p) => {
      fs.writeFileSync(path.join(p.staging, 'journal.json'), '{"format":1,', { mode: 0o600 });
    }, 0, /journal\.json cannot be read/],
    ['a journal with the wrong shape', 'output', (p) => {
      fs.writeFileSync(path.join(p.staging, 'journal.json'), JSON.stringify({ format: 1, out: p.out, added: [1], changed: [], removed: [], dirs: [] }), { mode: 0o600 });
    }, 0, /journal\.json is not a journal of this ocpkit/],
  ])('%s', async (_name, kind, plant, code, reason) => {
    const parent = tmp();
    const victim = write(path.join(parent, 'victim'), { 'notes.txt': 'keep\n' });
    let out: string;
    if (kind === 'output') {
      out = path.join(parent, 'dist');
      expect(await main(['synth', 'test/fixtures/good-stack.ts', '--out', out])).toBe(0);
    } else {
      out = write(path.join(parent, 'userdir'), { 'notes.txt': 'mine\n', 'docs/a.md': 'a\n' });
    }
    const staging = path.join(parent, `${path.basename(out)}.ocpkit-tmp-${deadPid()}-aa`);
    fs.mkdirSync(staging, { recursive: true });
    plant({ parent, out, victim, staging, journal: (j) => fs.writeFileSync(path.join(staging, 'journal.json'), journalOf(out, j)) });
    const victimBefore = snapshot(victim);
    const stagingBefore = snapshot(staging);
    const outBefore = kind === 'userdir' ? snapshot(out) : undefined;
    io.stderr.mockClear();
    expect(await main(['synth', 'test/fixtures/good-stack.ts', '--out', out])).toBe(code);
    const err = io.stderr.mock.calls.map((c) => String(c[0])).join('');
    expect(err).toMatch(new RegExp(`left ${path.basename(staging).replace(/\./g, '\\.')} alone \\(`));
    expect(err).toMatch(reason);
    expect(err).toMatch(/it was neither applied nor deleted/);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(snapshot(victim)).toEqual(victimBefore);
    fs.chmodSync(staging, 0o700);
    expect(snapshot(staging)).toEqual(stagingBefore);
    if (outBefore) expect(snapshot(out)).toEqual(outBefore);
    expect(fs.readdirSync(parent).filter((n) => n.includes('.ocpkit-lock'))).toEqual([]);
  });

  test('a staging folder never makes the pre-check accept a folder ocpkit did not write', () => {
    const parent = tmp();
    const user = write(path.join(parent, 'userdir'), { 'notes.txt': 'mine\n' });
    const staging = path.join(parent, `userdir.ocpkit-tmp-${deadPid()}-bb`);
    for (const contents of [{}, { 'journal.json': journalOf(user, { added: ['notes.txt'] }) }, { 'journal.json': journalOf(user, { fresh: true, added: ['notes.txt'] }) }]) {
      fs.rmSync(staging, { recursive: true, force: true });
      write(staging, contents as Record<string, string>);
      fs.mkdirSync(path.join(staging, 'new'), { recursive: true });
      expect(checkOutputFolder(user)).toMatch(/holds notes\.txt, which ocpkit did not write \(there is no \.ocpkit-output\)/);
    }
  });

  test('a planted fresh journal (the review repro) leaves the user folder and the journal in place', async () => {
    const parent = tmp();
    const user = write(path.join(parent, 'userdir'), { 'notes.txt': 'mine\n', 'sub/b.txt': 'b\n' });
    const staging = write(path.join(parent, `userdir.ocpkit-tmp-${deadPid()}-aa`), { 'journal.json': journalOf(user, { fresh: true, added: [] }) });
    const before = snapshot(parent);
    expect(() => recoverOutput(user)).not.toThrow();
    expect(recoverOutput(user)).toMatch(/left userdir\.ocpkit-tmp-\d+-aa alone/);
    expect(await main(['synth', 'test/fixtures/good-stack.ts', '--out', user])).toBe(2);
    expect(snapshot(parent)).toEqual(before);
    expect(fs.existsSync(staging)).toBe(true);
  });
});
