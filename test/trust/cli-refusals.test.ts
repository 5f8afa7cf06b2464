/**
 * Bad input through the command line: `ocpkit synth` exits non-zero with a message naming the
 * data-file entry or construct path, the field, the bad value and what is allowed, and the
 * previous output folder stays exactly as it was.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../lib/cli/main';

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) out[f] = fs.readFileSync(p, 'utf8');
  }
  return out;
}

const F = 'test/trust/fixtures';

describe('ocpkit synth refuses bad input and keeps the last good output', () => {
  let stderr: jest.SpyInstance;
  let stdout: jest.SpyInstance;
  let out: string;
  let before: Record<string, string>;

  beforeAll(async () => {
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-trust-cli-')), 'dist');
    expect(await main(['synth', 'test/fixtures/good-stack.ts', '--out', out])).toBe(0);
    before = snapshot(out);
    expect(Object.keys(before).length).toBeGreaterThan(5);
  });
  afterAll(() => {
    stderr.mockRestore();
    stdout.mockRestore();
  });
  beforeEach(() => stderr.mockClear());

  test.each([
    ['a malformed quantity in tenants.yaml', [`${F}/bad-tenants-stack.ts`], 1, /\[bad-tenants.yaml: tenants\[0\] \(forum\)\] quota.memory: "8GB" is not a Kubernetes quantity; write "8Gi" \(binary\) or "8G" \(decimal\)/],
    ['a policy violation', [`${F}/literal-secret-stack.ts`], 1, /\[Forum\/Db\] \/stringData: policy no-literal-secrets: Secret "db" has literal values \(keys "password"\)/],
    ['strings where Quantities belong', [`${F}/untyped-stack.ts`], 1, /\[Forum\/Quota\] quota.cpu: must be a Quantity \(Quantity.parse\("..."\)\), got "1"/],
    ['a stack module that does not exist', [`${F}/no-such-stack.ts`], 2, /stack module test\/trust\/fixtures\/no-such-stack.ts does not exist; give the TypeScript file that exports build\(\)/],
    ['a module without build()', ['test/_helpers.ts'], 1, /must export a function `build\(\): Cluster \| Cluster\[\]`/],
  ])('%s', async (_name, args, code, message) => {
    expect(await main(['synth', ...args, '--out', out])).toBe(code);
    const err = stderr.mock.calls.join('');
    expect(err).toMatch(message);
    expect(err).not.toMatch(/TypeError|    at /);
    expect(snapshot(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['dist']);
  });

  test('an --out that is an existing file is refused and the file is kept', async () => {
    const file = path.join(path.dirname(out), 'notes.txt');
    fs.writeFileSync(file, 'keep me');
    expect(await main(['synth', 'test/fixtures/good-stack.ts', '--out', file])).toBe(2);
    expect(stderr.mock.calls.join('')).toMatch(/--out .*notes.txt is an existing file; give a folder/);
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
    fs.rmSync(file);
  });

  test('an --out that would replace the working directory is refused', async () => {
    expect(await main(['synth', 'test/fixtures/good-stack.ts', '--out', '.'])).toBe(2);
    expect(stderr.mock.calls.join('')).toMatch(/--out \. would replace the working directory/);
    expect(fs.existsSync('package.json')).toBe(true);
  });

  test('an --out below a file is a clean error, not a crash', async () => {
    const file = path.join(path.dirname(out), 'plain');
    fs.writeFileSync(file, 'x');
    expect(await main(['synth', 'test/fixtures/good-stack.ts', '--out', path.join(file, 'dist')])).toBe(1);
    expect(stderr.mock.calls.join('')).toMatch(/--out: cannot write the output there \(ENOTDIR.*\); the previous contents are unchanged/);
    fs.rmSync(file);
  });
});
