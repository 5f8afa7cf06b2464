/**
 * Class 10 of issue 11: `ocpkit diff --base` removes its temporary worktree and folder on every
 * exit path, signals included, and prunes what runs that died (SIGKILL) left behind.
 *
 * Runs the real `bin/ocpkit.js diff --base` in a throwaway repository whose own bin/ocpkit.js
 * "synthesizes" by copying the stack file, optionally waiting first (so a signal lands while both
 * synths run). TMPDIR points at a private folder, so "no temporary folder remains" is exact.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const OCPKIT = path.join(ROOT, 'bin', 'ocpkit.js');

const FAKE_SYNTH = `
const fs = require('fs'), p = require('path');
let [, , , stack, , out] = process.argv;
if (process.env.FAKE_STUBBORN) process.on('SIGTERM', () => undefined);
const write = () => {
  fs.mkdirSync(p.join(out, 'production', 'forum'), { recursive: true });
  fs.copyFileSync(stack, p.join(out, 'production', 'forum', 'x.yaml'));
};
if (process.env.FAKE_FAIL_IN === process.cwd()) process.exit(1);
if (process.env.FAKE_GARBAGE) stack = 'garbage.yaml', fs.writeFileSync(stack, 'kind: [unclosed');
const wait = process.env.FAKE_WAIT;
if (wait) {
  fs.writeFileSync(p.join(wait, String(process.pid)), '');
  setTimeout(write, Number(process.env.FAKE_WAIT_MS || 60000));
} else write();
`;

const made: string[] = [];
function tmp(): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-dbc-')));
  made.push(d);
  return d;
}

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

/** A repository with two commits that differ in stack.yaml. */
function repo(): string {
  const dir = tmp();
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.writeFileSync(path.join(dir, 'bin', 'ocpkit.js'), FAKE_SYNTH);
  fs.writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\n');
  const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: forum\ndata:\n  v: "${v}"\n`;
  git(dir, 'init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(dir, 'stack.yaml'), cm('1'));
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'one');
  fs.writeFileSync(path.join(dir, 'stack.yaml'), cm('2'));
  git(dir, 'commit', '-q', '-am', 'two');
  return dir;
}

const worktrees = (dir: string) => git(dir, 'worktree', 'list').trim().split('\n');

interface Env {
  dir: string;
  tmpdir: string;
  waitdir: string;
}

function setup(): Env {
  return { dir: repo(), tmpdir: tmp(), waitdir: tmp() };
}

function diff(e: Env, extra: Record<string, string> = {}, args: string[] = []): { child: ChildProcess; exit: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, [OCPKIT, 'diff', '--base', 'HEAD~1', '--stack', 'stack.yaml', ...args], {
    cwd: e.dir,
    env: { ...process.env, TMPDIR: e.tmpdir, ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.stdout!.resume();
  return { child, exit: new Promise((resolve) => child.on('close', (code) => resolve(code))), stderr: () => err };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const synthPids = (e: Env) => fs.readdirSync(e.waitdir).map(Number);

afterAll(() => {
  // no fake synth may outlive the tests (wait folders hold their pids), then no folder either
  for (const d of made) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(d);
    } catch {
      // gone
    }
    for (const pid of names.filter((n) => /^\d+$/.test(n)).map(Number)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

describe('ocpkit diff --base cleans up on signals', () => {
  test.each<[string, NodeJS.Signals, number, Record<string, string>]>([
    ['SIGTERM while both synths run', 'SIGTERM', 143, {}],
    ['SIGINT while both synths run', 'SIGINT', 130, {}],
    ['SIGHUP (terminal closed) while both synths run', 'SIGHUP', 129, {}],
    ['SIGTERM with synths that ignore SIGTERM (killed after 5 s)', 'SIGTERM', 143, { FAKE_STUBBORN: '1' }],
  ])('%s: children stopped, worktree and temporary folder removed', async (_name, signal, code, extra) => {
    const e = setup();
    const d = diff(e, { FAKE_WAIT: e.waitdir, ...extra });
    await until('both synths to start', () => synthPids(e).length === 2);
    expect(worktrees(e.dir)).toHaveLength(2);
    const sent = Date.now();
    d.child.kill(signal);
    expect(await d.exit).toBe(code);
    // stubborn synths are waited for (nothing may write into the folder being removed), then killed
    if (extra.FAKE_STUBBORN) expect(Date.now() - sent).toBeGreaterThan(4500);
    expect(d.stderr()).toBe(`ocpkit diff: interrupted by ${signal}; the temporary worktree and trees were removed\n`);
    expect(worktrees(e.dir)).toHaveLength(1);
    expect(fs.readdirSync(e.tmpdir)).toEqual([]);
    for (const pid of synthPids(e)) expect(alive(pid)).toBe(false);
  }, 30_000);
});

describe('ocpkit diff --base cleans up on every other exit path', () => {
  test.each<[string, Record<string, string> | ((e: Env) => Record<string, string>), string[], number, RegExp]>([
    ['changes found', {}, [], 1, /^$/],
    ['markdown output', {}, ['--format', 'markdown'], 1, /^$/],
    ['the working-tree synth fails fast while the base synth is still writing', (e) => ({ FAKE_FAIL_IN: e.dir, FAKE_WAIT: e.waitdir, FAKE_WAIT_MS: '1500' }), [], 2, /synth of the working tree failed \(exit 1\)/],
    ['a synthesized tree that does not parse (diff fails after both synths)', { FAKE_GARBAGE: '1' }, [], 2, /does not parse/],
  ])('%s: no worktree and no temporary folder', async (_name, extra, args, code, message) => {
    const e = setup();
    const d = diff(e, typeof extra === 'function' ? extra(e) : extra, args);
    const exit = await d.exit;
    expect(d.stderr()).toMatch(message);
    expect(exit).toBe(code);
    // an orphaned synth would write into the temporary folder after it was removed
    await new Promise((resolve) => setTimeout(resolve, 1700));
    expect(worktrees(e.dir)).toHaveLength(1);
    expect(fs.readdirSync(e.tmpdir)).toEqual([]);
  }, 30_000);
});

describe('leftovers of dead runs are pruned by the next run', () => {
  test('after a SIGKILL of ocpkit diff, the next run removes its worktree and folder', async () => {
    const e = setup();
    const d = diff(e, { FAKE_WAIT: e.waitdir });
    await until('both synths to start', () => synthPids(e).length === 2);
    d.child.kill('SIGKILL');
    await d.exit;
    for (const pid of synthPids(e)) process.kill(pid, 'SIGKILL'); // orphans of the killed run
    expect(worktrees(e.dir)).toHaveLength(2);
    expect(fs.readdirSync(e.tmpdir)).toHaveLength(1);
    const next = diff(e);
    expect(await next.exit).toBe(1);
    expect(worktrees(e.dir)).toHaveLength(1);
    expect(fs.readdirSync(e.tmpdir)).toEqual([]);
  }, 30_000);

  test('planted leftovers: dead owners removed, live or unknown owners kept', async () => {
    const e = setup();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => undefined, 60000)'], { stdio: 'ignore' });
    try {
      const plant = (name: string, owner: number | undefined, worktree: boolean) => {
        const folder = path.join(e.tmpdir, name);
        fs.mkdirSync(folder);
        if (owner !== undefined) fs.writeFileSync(path.join(folder, 'owner.pid'), `${owner}\n`);
        if (worktree) git(e.dir, 'worktree', 'add', '--detach', '--quiet', path.join(folder, 'base'), 'HEAD');
        else fs.writeFileSync(path.join(folder, 'junk'), 'x');
        return folder;
      };
      plant('ocpkit-diff-deadwt', dead, true);
      plant('ocpkit-diff-deadtmp', dead, false);
      const live = plant('ocpkit-diff-live', sleeper.pid, true);
      plant('ocpkit-diff-noowner', undefined, false);
      const vanished = plant('ocpkit-diff-vanished', dead, true);
      fs.rmSync(vanished, { recursive: true });
      fs.mkdirSync(path.join(e.tmpdir, 'not-ours'));
      expect(worktrees(e.dir)).toHaveLength(4);
      const d = diff(e);
      expect(await d.exit).toBe(1);
      expect(worktrees(e.dir).map((l) => l.split(/\s+/)[0])).toEqual([e.dir, path.join(live, 'base')]);
      expect(fs.readdirSync(e.tmpdir).sort()).toEqual(['not-ours', 'ocpkit-diff-live', 'ocpkit-diff-noowner']);
    } finally {
      sleeper.kill('SIGKILL');
    }
  }, 30_000);
});
