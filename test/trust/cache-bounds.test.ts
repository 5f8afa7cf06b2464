import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// bin/private-cache.js keeps bounded cache folders within their size, at most once a day.
const ROOT = path.resolve(__dirname, '..', '..');
const cache = require('../../bin/private-cache.js') as {
  prune(dir: string, maxBytes: number, now: number): string[];
  writeEntry(file: string, body: string): void;
  readEntry(file: string): string | undefined;
};

const DAY = 24 * 3600 * 1000;
const hex = (i: number) => i.toString(16).padStart(64, '0');

describe('bounded cache folders', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-cache-bounds-')));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** An entry of `kb` KiB last written `ageDays` ago. */
  function entry(name: string, kb: number, ageDays: number): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, Buffer.alloc(kb * 1024));
    const t = (Date.now() - ageDays * DAY) / 1000;
    fs.utimesSync(file, t, t);
    return file;
  }

  test('over its bound, a folder loses its oldest entries down to half the bound; nothing ocpkit did not name goes', () => {
    const old = [0, 1, 2, 3].map((i) => entry(`${hex(i)}.js`, 100, 10 - i)); // oldest first
    const recent = [entry(`${hex(4)}.11.3.244.8-node.31.v8`, 100, 1), entry(`${hex(5)}.json`, 100, 0)];
    const foreign = [entry('notes.txt', 100, 30), entry(`${hex(6)}.js.bak`, 100, 30)];
    const staleTmp = entry(`${hex(7)}.json.1234.deadbeef.tmp`, 1, 2);
    const freshTmp = entry(`${hex(8)}.json.1234.deadbeef.tmp`, 1, 0);
    // 600 KiB of entries, bound 500 KiB: down to 250 KiB, the oldest first
    const removed = cache.prune(dir, 500 * 1024, Date.now());
    expect(removed.sort()).toEqual([...old, staleTmp].sort());
    for (const f of [...recent, ...foreign, freshTmp]) expect(fs.existsSync(f)).toBe(true);
    // once a day: a folder pruned today is left alone, whatever its size
    entry(`${hex(9)}.js`, 1000, 20);
    expect(cache.prune(dir, 500 * 1024, Date.now())).toEqual([]);
    expect(cache.prune(dir, 500 * 1024, Date.now() + DAY + 1000).length).toBeGreaterThan(0);
  });

  test('within its bound nothing goes; entries this process read or wrote stay even when oldest', () => {
    entry(`${hex(1)}.js`, 10, 5);
    expect(cache.prune(dir, 500 * 1024, Date.now())).toEqual([]);

    fs.rmSync(path.join(dir, '.pruned'));
    const mine = path.join(dir, `${hex(2)}.js`);
    cache.writeEntry(mine, 'x'.repeat(300 * 1024));
    const t = (Date.now() - 30 * DAY) / 1000;
    fs.utimesSync(mine, t, t); // the oldest of all
    const other = entry(`${hex(3)}.js`, 300, 3);
    // over 400 KiB: the oldest go, except this process's own entry (in use), even if still over half
    expect(cache.prune(dir, 400 * 1024, Date.now())).toEqual([path.join(dir, `${hex(1)}.js`), other]);
    expect(fs.existsSync(mine)).toBe(true);
    expect(cache.readEntry(mine)).toBe('x'.repeat(300 * 1024));
  });

  test('a process that used a bounded folder prunes it when it exits', () => {
    const ts = path.join(dir, 'ts');
    fs.mkdirSync(ts, { mode: 0o700 });
    const old = Array.from({ length: 5 }, (_, i) => path.join(ts, `${hex(i)}.js`));
    for (const [i, f] of old.entries()) {
      fs.writeFileSync(f, Buffer.alloc(100 * 1024), { mode: 0o600 });
      const t = (Date.now() - (10 - i) * DAY) / 1000;
      fs.utimesSync(f, t, t);
    }
    const script = `const c = require(${JSON.stringify(path.join(ROOT, 'bin', 'private-cache.js'))}); c.privateDir(${JSON.stringify(ts)}, 300 * 1024);`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(old.map((f) => fs.existsSync(f))).toEqual([false, false, false, false, true]);
    expect(fs.existsSync(path.join(ts, '.pruned'))).toBe(true);
  });
});
