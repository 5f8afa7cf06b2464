import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// bin/private-cache.js keeps bounded cache folders within their size, at most once a day.
const ROOT = path.resolve(__dirname, '..', '..');
const cache = require('../../bin/private-cache.js') as {
  prune(dir: string, maxBytes: number, now: number): string[];
  privateDir(dir: string, maxBytes?: number): string | undefined;
  writeEntry(file: string, body: string): void;
  readEntry(file: string): string | undefined;
};

const DAY = 24 * 3600 * 1000;
const hex = (i: number) => i.toString(16).padStart(64, '0');
const HEADER = '// ocpkit-cache sha256=';

describe('bounded cache folders', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-cache-bounds-')));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A file of `kb` KiB (an ocpkit entry unless `foreign`) last written `ageDays` ago. */
  function entry(name: string, kb: number, ageDays: number, foreign = false): string {
    const file = path.join(dir, name);
    const head = foreign ? '' : name.endsWith('.v8') ? 'ocpkit-v8\n' : `${HEADER}0\n`;
    fs.writeFileSync(file, head + 'x'.repeat(kb * 1024 - head.length));
    age(file, ageDays);
    return file;
  }
  function age(file: string, days: number): void {
    const t = (Date.now() - days * DAY) / 1000;
    fs.utimesSync(file, t, t);
  }

  test('over its bound, a folder loses its oldest entries down to half the bound; only what ocpkit wrote goes', () => {
    const old = [0, 1, 2, 3].map((i) => entry(`${hex(i)}.js`, 100, 10 - i)); // oldest first
    const recent = [entry(`${hex(4)}.11.3.244.8-node.31.v8`, 100, 1), entry(`${hex(5)}.json`, 100, 0)];
    const foreign = [entry('notes.txt', 100, 30, true), entry(`${hex(6)}.js.bak`, 100, 30), entry(`${hex(10)}.js`, 1, 40, true)];
    fs.symlinkSync(old[0], path.join(dir, `${hex(11)}.js`));
    fs.mkdirSync(path.join(dir, `${hex(12)}.json`));
    const staleTmp = entry(`${hex(7)}.json.1234.deadbeef.tmp`, 1, 2);
    const freshTmp = entry(`${hex(8)}.json.1234.deadbeef.tmp`, 1, 0);
    // 600 KiB of ocpkit entries, bound 500 KiB: down to 250 KiB, the oldest first
    const removed = cache.prune(dir, 500 * 1024, Date.now());
    expect(removed.sort()).toEqual([...old, staleTmp].sort());
    for (const f of [...recent, ...foreign, freshTmp, path.join(dir, `${hex(12)}.json`)]) expect(fs.existsSync(f)).toBe(true);
    expect(fs.lstatSync(path.join(dir, `${hex(11)}.js`)).isSymbolicLink()).toBe(true); // a link named like an entry stays
    // once a day: a folder pruned today is left alone, whatever its size
    entry(`${hex(9)}.js`, 1000, 20);
    expect(cache.prune(dir, 500 * 1024, Date.now())).toEqual([]);
    expect(cache.prune(dir, 500 * 1024, Date.now() + DAY + 1000)).toContain(path.join(dir, `${hex(9)}.js`));
  });

  test('within its bound nothing goes; entries this process read or wrote stay even when oldest', () => {
    entry(`${hex(1)}.js`, 10, 5);
    expect(cache.prune(dir, 500 * 1024, Date.now())).toEqual([]);

    fs.rmSync(path.join(dir, '.pruned'));
    const mine = path.join(dir, `${hex(2)}.js`);
    cache.writeEntry(mine, 'x'.repeat(300 * 1024));
    age(mine, 30); // the oldest of all
    const other = entry(`${hex(3)}.js`, 300, 3);
    // over 400 KiB: the oldest go, except this process's own entry (in use, and now marked used today)
    expect(cache.prune(dir, 400 * 1024, Date.now())).toEqual([path.join(dir, `${hex(1)}.js`), other]);
    expect(cache.readEntry(mine)).toBe('x'.repeat(300 * 1024));
    expect(Date.now() - fs.statSync(mine).mtimeMs).toBeLessThan(DAY);
  });

  test('two processes pruning at once: entries the other one removed count as removed (the folder is not emptied)', () => {
    const files = [0, 1, 2, 3, 4, 5].map((i) => entry(`${hex(i)}.js`, 100, 10 - i));
    // the other process removed the four oldest just before this one's unlink of each
    const realUnlink = fs.unlinkSync;
    jest.spyOn(require('fs') as typeof fs, 'unlinkSync').mockImplementation((p: fs.PathLike) => {
      if (files.slice(0, 4).includes(String(p))) {
        realUnlink(p);
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      }
      return realUnlink(p);
    });
    expect(cache.prune(dir, 500 * 1024, Date.now())).toEqual([]); // none removed by this pass itself
    expect(files.map((f) => fs.existsSync(f))).toEqual([false, false, false, false, true, true]);
  });

  test('a folder another process is pruning is left to it; a claim left by a dead process is taken over; a stamp from the future does not count', () => {
    entry(`${hex(1)}.js`, 600, 5);
    fs.writeFileSync(path.join(dir, '.pruning'), '999999');
    expect(cache.prune(dir, 500 * 1024, Date.now())).toEqual([]);
    age(path.join(dir, '.pruning'), 1);
    expect(cache.prune(dir, 500 * 1024, Date.now())).toEqual([path.join(dir, `${hex(1)}.js`)]);
    expect(fs.existsSync(path.join(dir, '.pruning'))).toBe(false);
    entry(`${hex(2)}.js`, 600, 5);
    age(path.join(dir, '.pruned'), -30); // a month ahead
    expect(cache.prune(dir, 500 * 1024, Date.now())).toEqual([path.join(dir, `${hex(2)}.js`)]);
  });

  test('a process that used a bounded folder prunes it when it exits', () => {
    const ts = path.join(dir, 'ts');
    expect(cache.privateDir(ts)).toBe(ts); // a private folder (this test needs a temporary folder only this user can write)
    const old = Array.from({ length: 5 }, (_, i) => entry(path.join('ts', `${hex(i)}.js`), 100, 10 - i));
    const script = `const c = require(${JSON.stringify(path.join(ROOT, 'bin', 'private-cache.js'))}); c.privateDir(${JSON.stringify(ts)}, 300 * 1024);`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(old.map((f) => fs.existsSync(f))).toEqual([false, false, false, false, true]);
    expect(fs.existsSync(path.join(ts, '.pruned'))).toBe(true);
    // a folder the process made holds only its own entries: no pass, the first one is due in a day
    const fresh = path.join(dir, 'v8');
    const made = spawnSync(process.execPath, ['-e', script.split(JSON.stringify(ts)).join(JSON.stringify(fresh))], { encoding: 'utf8' });
    expect(made.status).toBe(0);
    expect(Date.now() - fs.statSync(path.join(fresh, '.pruned')).mtimeMs).toBeLessThan(60_000);
  });
});
