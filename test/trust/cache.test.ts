import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const cache = require('../../bin/private-cache.js') as {
  cacheRoot(): string | undefined;
  untrustedReason(dir: string): string | undefined;
  privateDir(dir: string): string | undefined;
  readEntry(file: string): string | undefined;
  writeEntry(file: string, body: string): void;
};

const ROOT = path.resolve(__dirname, '..', '..');
const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const entry = (body: string, hash = sha(body)) => `// ocpkit-cache sha256=${hash}\n${body}`;

function base(): string {
  // A private parent (0700) so only the mode under test decides.
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-cache-test-'));
  fs.chmodSync(d, 0o700);
  return d;
}

describe('class 8: the code caches cannot be poisoned', () => {
  describe('a cache folder is used only when it is private to this user', () => {
    const cases: [string, (b: string) => string, RegExp | undefined][] = [
      ['a private folder (700)', (b) => mk(path.join(b, 'c'), 0o700), undefined],
      ['a folder readable by all (755)', (b) => mk(path.join(b, 'c'), 0o755), undefined],
      ['a world-writable folder (777)', (b) => mk(path.join(b, 'c'), 0o777), /writable by every user \(mode 777\)/],
      ['a group-writable folder (775)', (b) => mk(path.join(b, 'c'), 0o775), /writable by its group \(mode 775\)/],
      ['a world-writable sticky folder (1777, like /tmp) itself', (b) => mk(path.join(b, 'c'), 0o1777), /writable by every user/],
      ['a private folder below a world-writable, non-sticky one', (b) => mk(path.join(mk(path.join(b, 'open'), 0o777), 'c'), 0o700), /above the cache\) is writable by other users and not sticky/],
      ['a private folder below a sticky one (like /tmp)', (b) => mk(path.join(mk(path.join(b, 'sticky'), 0o1777), 'c'), 0o700), undefined],
      ['a symlink to a world-writable folder', (b) => {
        const target = mk(path.join(b, 'target'), 0o777);
        fs.symlinkSync(target, path.join(b, 'link'));
        return path.join(b, 'link');
      }, /target is writable by every user/],
      ['a file instead of a folder', (b) => {
        fs.writeFileSync(path.join(b, 'f'), '');
        return path.join(b, 'f');
      }, /is not a folder/],
    ];

    test.each(cases)('%s', (_what, make, reason) => {
      const dir = make(base());
      const got = cache.untrustedReason(dir);
      if (reason) expect(got).toMatch(reason);
      else expect(got).toBeUndefined();
    });

    (IS_ROOT ? test : test.skip)('a folder owned by another user (needs root to chown)', () => {
      const dir = mk(path.join(base(), 'c'), 0o700);
      fs.chownSync(dir, 4242, 4242);
      expect(cache.untrustedReason(dir)).toMatch(/belongs to uid 4242/);
    });

    test('privateDir creates missing folders with mode 700 and refuses an open one, saying why once', () => {
      const b = base();
      const made = cache.privateDir(path.join(b, 'new', 'cache'));
      expect(made).toBe(path.join(b, 'new', 'cache'));
      expect(fs.statSync(made!).mode & 0o777).toBe(0o700);
      const open = mk(path.join(b, 'open'), 0o777);
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        expect(cache.privateDir(open)).toBeUndefined();
        expect(cache.privateDir(open)).toBeUndefined();
        expect(stderr.mock.calls.join('')).toMatch(/^ocpkit: cache off: .*open is writable by every user .*OCPKIT_CACHE_DIR/);
        expect(stderr).toHaveBeenCalledTimes(1);
      } finally {
        stderr.mockRestore();
      }
    });
  });

  describe('an entry runs only if it is this user\'s and unchanged', () => {
    const cases: [string, (file: string) => void, boolean][] = [
      ['an entry written by writeEntry', (f) => cache.writeEntry(f, 'module.exports = 1;'), true],
      ['a body changed after writing', (f) => {
        cache.writeEntry(f, 'module.exports = 1;');
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('= 1', '= 2'));
      }, false],
      ['no header (a plain planted module)', (f) => fs.writeFileSync(f, 'module.exports = 1;', { mode: 0o600 }), false],
      ['a truncated entry', (f) => fs.writeFileSync(f, entry('module.exports = 1;').slice(0, 40), { mode: 0o600 }), false],
      ['a correct hash but a world-writable file', (f) => {
        fs.writeFileSync(f, entry('module.exports = 1;'));
        fs.chmodSync(f, 0o666);
      }, false],
      ['a symlink to a valid entry', (f) => {
        const real = `${f}.real`;
        fs.writeFileSync(real, entry('module.exports = 1;'), { mode: 0o600 });
        fs.symlinkSync(real, f);
      }, false],
      ['a folder where the entry should be', (f) => fs.mkdirSync(f), false],
    ];

    test.each(cases)('%s', (_what, plant, usable) => {
      const file = path.join(base(), 'entry.js');
      plant(file);
      const got = cache.readEntry(file);
      if (usable) expect(got).toBe('module.exports = 1;');
      else expect(got).toBeUndefined();
    });

    test('writeEntry writes mode 600 files', () => {
      const file = path.join(base(), 'e.js');
      cache.writeEntry(file, 'x');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    });
  });

  test('the default cache root is never the shared temporary folder', () => {
    const saved = process.env.OCPKIT_CACHE_DIR;
    delete process.env.OCPKIT_CACHE_DIR;
    try {
      // This package has node_modules: the cache is its own, wherever the checkout lives (even
      // under /tmp), never a shared folder such as <tmpdir>/ocpkit-cache-<uid>.
      const dir = cache.cacheRoot();
      expect(dir).toBe(path.join(ROOT, 'node_modules', '.cache', 'ocpkit'));
      expect(path.dirname(dir as string)).not.toBe(os.tmpdir());
    } finally {
      if (saved !== undefined) process.env.OCPKIT_CACHE_DIR = saved;
    }
  });

  test('the TypeScript loader recompiles a tampered transpile cache instead of running it', () => {
    const dir = path.join(base(), 'cache');
    const work = base();
    fs.writeFileSync(path.join(work, 'hello.ts'), "const greeting: string = 'hello';\nprocess.stdout.write(greeting);\n");
    const run = () => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'run-ts.js'), 'hello.ts'], { cwd: work, encoding: 'utf8', env: { ...process.env, OCPKIT_CACHE_DIR: dir } });
    expect(run().stdout).toBe('hello');
    const entries = fs.readdirSync(path.join(dir, 'ts'));
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      const f = path.join(dir, 'ts', e);
      const [header] = fs.readFileSync(f, 'utf8').split('\n', 1);
      fs.writeFileSync(f, `${header}\nprocess.stdout.write('PWNED');\n`);
    }
    expect(run().stdout).toBe('hello');
    // An open cache folder is refused (and said so), even for entries with a matching hash.
    for (const e of fs.readdirSync(path.join(dir, 'ts'))) fs.writeFileSync(path.join(dir, 'ts', e), entry("process.stdout.write('PWNED');\n"));
    fs.chmodSync(path.join(dir, 'ts'), 0o777);
    const r = run();
    expect(r.stdout).toBe('hello');
    expect(r.stderr).toMatch(/cache off: .*writable by every user/);
  });
});

function mk(dir: string, mode: number): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, mode);
  return dir;
}
