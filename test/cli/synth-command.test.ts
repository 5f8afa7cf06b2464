import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../lib/cli/main';
import { markerText, OUTPUT_MARKER, writeTree } from '../../lib/synth/write-tree';
import { captureOutput } from '../_helpers';

const made: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-cli-'));
  made.push(d);
  return d;
}
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) out[f] = fs.readFileSync(p, 'utf8');
  }
  return out;
}

describe('ocpkit synth', () => {
  const io = captureOutput();

  test('writes one folder per environment and Application', async () => {
    const out = path.join(tmp(), 'dist');
    expect(await main(['synth', 'test/fixtures/good-stack.ts', '--out', out])).toBe(0);
    const files = Object.keys(snapshot(out));
    expect(files).toContain('production/forum/rolebinding.forum.tenant-admin.yaml');
    expect(files).toContain('production/tenancy/namespace.forum.yaml');
    expect(files).toContain('production/root/application.openshift-gitops.forum.yaml');
    expect(io.stdout.mock.calls.join('')).toMatch(/ocpkit synth: \d+ objects in \d+ files for production/);
  });

  test('tells the TypeScript loader that the process synthesized (its V8 code caches then hold a synth\'s functions)', async () => {
    const key = Symbol.for('ocpkit.run-ts.full-run');
    const g = globalThis as unknown as Record<symbol, unknown>;
    const saved = g[key];
    const mark = jest.fn();
    g[key] = mark;
    try {
      expect(await main(['synth', 'test/fixtures/good-stack.ts', '--out', path.join(tmp(), 'dist')])).toBe(0);
      expect(mark).toHaveBeenCalledTimes(1);
      mark.mockClear();
      // a synth that stops (problems, or no stack at all) may have run a little of the library only
      expect(await main(['synth', 'test/fixtures/bad-stack.ts', '--out', path.join(tmp(), 'dist')])).toBe(1);
      expect(await main(['synth', 'test/fixtures/no-such-stack.ts', '--out', path.join(tmp(), 'dist')])).toBe(2);
      expect(mark).not.toHaveBeenCalled();
    } finally {
      g[key] = saved;
    }
  });

  test('a failed synth exits 1, lists every problem and leaves the previous output untouched', async () => {
    const out = path.join(tmp(), 'dist');
    expect(await main(['synth', 'test/fixtures/good-stack.ts', '--out', out])).toBe(0);
    // a hand-edited output file is ocpkit's (listed in .ocpkit-output), but it stays as it is
    fs.writeFileSync(path.join(out, 'production/forum/rolebinding.forum.tenant-admin.yaml'), 'edited by hand\n');
    const before = snapshot(out);
    expect(await main(['synth', 'test/fixtures/bad-stack.ts', '--out', out])).toBe(1);
    expect(snapshot(out)).toEqual(before);
    const err = io.stderr.mock.calls.join('');
    expect(err).toMatch(/\[Forum\/Quota\/Resource\] \/metadata\/labels\/tier: must be string/);
    expect(err).toMatch(/\[Platform\/Odd\] \/data\/a: must be string/);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });

  test('usage errors exit 2', async () => {
    expect(await main(['synth'])).toBe(2);
    expect(await main(['synth', 'a.ts', '--bogus'])).toBe(2);
    expect(await main(['frobnicate'])).toBe(2);
  });

  test('a module without build() is a clear error', async () => {
    expect(await main(['synth', 'test/_helpers.ts', '--out', path.join(tmp(), 'dist')])).toBe(1);
    expect(io.stderr.mock.calls.join('')).toMatch(/must export a function `build\(\): Cluster \| Cluster\[\]`/);
  });
});

describe('writeTree', () => {
  test('replaces the folder with exactly the given files', () => {
    const out = path.join(tmp(), 'dist');
    writeTree(new Map([['a/x.yaml', 'x: 1\n'], ['b.yaml', 'b: 2\n']]), out);
    writeTree(new Map([['a/y.yaml', 'y: 1\n']]), out);
    expect(snapshot(out)).toEqual({ [OUTPUT_MARKER]: markerText(['a/y.yaml']), 'a/y.yaml': 'y: 1\n' });
  });

  test('a write failure leaves the old folder in place', () => {
    const out = path.join(tmp(), 'dist');
    writeTree(new Map([['keep.yaml', 'k: 1\n']]), out);
    // a file and a folder with the same name cannot both be written
    expect(() => writeTree(new Map([['clash', 'x'], ['clash/inner.yaml', 'y']]), out)).toThrow();
    expect(snapshot(out)).toEqual({ [OUTPUT_MARKER]: markerText(['keep.yaml']), 'keep.yaml': 'k: 1\n' });
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });
});
