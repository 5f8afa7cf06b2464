import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../lib/cli/main';
import { errorProblem } from '../../lib/cli/validate-command';
import { captureOutput } from '../_helpers';

const made: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-json-'));
  made.push(d);
  return d;
}
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('--json machine output of validate, bootstrap and diff', () => {
  const io = captureOutput();
  let dist: string;

  beforeAll(async () => {
    dist = path.join(tmp(), 'dist');
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main(['synth', 'test/fixtures/good-stack.ts', '--out', dist, '--no-typecheck'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
  }, 60_000);

  test('validate --json: counts and no problems for a clean tree, exit 0', async () => {
    expect(await main(['validate', dist, '--platform', '4.14', '--json'])).toBe(0);
    const report = JSON.parse(io.out());
    expect(report.problems).toEqual([]);
    expect(report.files).toBeGreaterThan(3);
    expect(report.documents).toBeGreaterThanOrEqual(report.files - 1);
  }, 60_000);

  test('validate --json: each error line is a problem with the JSON pointer as field, exit 1', async () => {
    const copy = path.join(tmp(), 'broken');
    fs.cpSync(dist, copy, { recursive: true });
    const ns = fs.readdirSync(path.join(copy, 'production', 'tenancy')).find((f) => f.startsWith('namespace.'))!;
    const file = path.join(copy, 'production', 'tenancy', ns);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('metadata:', 'spec:\n  finalizers: 7\nmetadata:'));
    expect(await main(['validate', copy, '--platform', '4.14'])).toBe(1);
    const lines = io.out().trim().split('\n').slice(0, -1);
    io.stdout.mockClear();
    expect(await main(['validate', copy, '--platform=4.14', '--json'])).toBe(1);
    const { problems } = JSON.parse(io.out());
    expect(problems).toEqual(lines.map(errorProblem));
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toContain(ns);
    expect(problems[0].field).toMatch(/^\/spec/);
  }, 60_000);

  test('errorProblem splits path, pointer and message; a line without a pointer keeps an empty field', () => {
    expect(errorProblem('a/b.yaml:#0 v1/Namespace x: /spec/finalizers: must be array')).toEqual({ path: 'a/b.yaml:#0 v1/Namespace x', field: '/spec/finalizers', message: 'must be array' });
    expect(errorProblem('a/b.yaml: YAML does not parse: bad')).toEqual({ path: 'a/b.yaml', field: '', message: 'YAML does not parse: bad' });
  });

  test('bootstrap --json: the same steps as the text checklist', async () => {
    expect(await main(['bootstrap', dist])).toBe(0);
    const text = io.out();
    io.stdout.mockClear();
    expect(await main(['bootstrap', '--json', dist])).toBe(0);
    const { environments } = JSON.parse(io.out());
    expect(environments.map((e: any) => e.environment)).toEqual(['production']);
    const steps = environments[0].steps;
    expect(steps.map((s: any) => s.step)).toEqual(steps.map((_: unknown, i: number) => i + 1));
    for (const s of steps) {
      expect(text).toContain(`${s.step}. ${s.title}\n`);
      for (const l of s.lines) expect(text).toContain(`   ${l}`);
    }
  });

  test('diff --json is --format json', async () => {
    const other = path.join(tmp(), 'other');
    fs.cpSync(dist, other, { recursive: true });
    expect(await main(['diff', dist, other, '--format', 'json'])).toBe(0);
    const viaFormat = io.out();
    io.stdout.mockClear();
    expect(await main(['diff', dist, other, '--json'])).toBe(0);
    expect(io.out()).toBe(viaFormat);
    expect(JSON.parse(viaFormat).changes).toEqual([]);
    expect(await main(['diff', dist, other, '--json', '--format', 'text'])).toBe(2);
    expect(io.err()).toMatch(/--json is --format json; it cannot be combined with --format text/);
  });

  test.each([
    ['synth, an unknown option', ['synth', 'test/fixtures/good-stack.ts', '--json', '--outt', 'x'], 2, /unknown option --outt/],
    ['validate, a folder that does not exist', ['validate', '--json', '/nonexistent-ocpkit-folder'], 2, /nonexistent-ocpkit-folder/],
    ['bootstrap, a folder that does not exist', ['bootstrap', '--json', '/nonexistent-ocpkit-folder'], 2, /nonexistent-ocpkit-folder/],
    ['diff --format json, folders that do not exist', ['diff', '--format', 'json', '/nonexistent-a', '/nonexistent-b'], 2, /nonexistent-a/],
  ])('%s: stdout is still one JSON object with the problems, stderr the usual line, same exit code', async (_what, args, code, message) => {
    io.stdout.mockClear();
    io.stderr.mockClear();
    expect(await main(args as string[])).toBe(code);
    const out = JSON.parse(io.out());
    expect(out.problems.length).toBeGreaterThan(0);
    expect(out.problems.map((p: any) => p.message).join('\n')).toMatch(message as RegExp);
    expect(io.err()).toMatch(message as RegExp);
  });
});
