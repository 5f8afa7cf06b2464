import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXIT, main, reportError } from '../../lib/cli/main';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'ocpkit.js');
const LIB = JSON.stringify(path.join(ROOT, 'lib'));
/** A stack trace line as Node prints it. */
const TRACE = /^\s+at .+[:(]/m;

const GOOD_BODY = `new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12' }, name: 'x', environment: 'production', repoUrl: 'https://git.example.org/infra.git' })`;

function workdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-trace-'));
}

/** Runs the real binary; no cache, so every case compiles what it loads. */
function run(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, OCPKIT_CACHE_DIR: 'off', ...env }, timeout: 60_000 });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

/** A stack module: `lines` are written one per line, so the expected line number is known. */
function stack(dir: string, lines: string[], name = 'stack.ts'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('class 7: no stack traces, ever', () => {
  // [case, module lines, expected exit, expected one-line message (regex over stderr)]
  const cases: [string, string[], number, RegExp][] = [
    ['a module that throws while loading', [`import { Cluster } from ${LIB};`, 'const x = 1;', "throw new Error('boom at load');", `export function build() { return ${GOOD_BODY}; }`], EXIT.USAGE, /^ocpkit synth: stack\.ts:3:\d+: cannot load the stack module: Error: boom at load$/m],
    ['a module that does not compile', [`import { Cluster } from ${LIB};`, 'export function build() {', '  return (;', '}'], EXIT.USAGE, /^ocpkit synth: stack\.ts:3:\d+: does not compile: /],
    ['a module that imports something missing', [`import { Cluster } from ${LIB};`, "import { nothing } from './not-there';", `export function build() { nothing; return ${GOOD_BODY}; }`], EXIT.USAGE, /^ocpkit synth: stack\.ts: Cannot find module '\.\/not-there'/],
    ['build() that throws a TypeError', [`import { Cluster } from ${LIB};`, 'export function build(): any {', '  const o: any = undefined;', '  return o.cluster;', '}'], EXIT.USAGE, /^ocpkit synth: stack\.ts:4:\d+: build\(\) failed: TypeError: Cannot read properties of undefined/],
    ['build() that throws a string', ['export function build() {', "  throw 'just a string';", '}'], EXIT.USAGE, /^ocpkit synth: stack\.ts: build\(\) failed: threw "just a string"$/m],
    ['build() that throws null', ['export function build() {', '  throw null;', '}'], EXIT.USAGE, /^ocpkit synth: stack\.ts: build\(\) failed: threw null$/m],
    ['a module without build()', ['export const nothing = 1;'], EXIT.PROBLEMS, /^ocpkit synth: .*\[stack\.ts\] build: the stack module must export a function/s],
    ['build() returning something else', ['export function build() { return 42; }'], EXIT.PROBLEMS, /build\(\) must return a Cluster/],
    ['build() that throws an error whose message getter throws', ['export function build() {', "  const e = new Error('x'); Object.defineProperty(e, 'message', { get() { throw new Error('gotcha'); } });", '  throw e;', '}'], EXIT.USAGE, /^ocpkit synth: stack\.ts(:\d+:\d+)?: build\(\) failed: Error: \(an error that cannot be shown\)$/m],
    ['build() that throws a Proxy whose traps throw', ['export function build() {', "  throw new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); }, has() { throw new Error('trap'); } });", '}'], EXIT.USAGE, /^ocpkit synth: stack\.ts: build\(\) failed: /m],
    ['build() that throws a Symbol', ['export function build() {', "  throw Symbol('odd');", '}'], EXIT.USAGE, /^ocpkit synth: stack\.ts: build\(\) failed: threw Symbol\(odd\)$/m],
    ['a message with terminal escape codes', ['export function build() {', "  throw new Error('\\r\\u001b[2Kall good\\u001b[0m');", '}'], EXIT.USAGE, /build\(\) failed: Error: \\u000d\\u001b\[2Kall good\\u001b\[0m$/m],
    ['a late throw of a Proxy whose traps throw', [`import { Cluster } from ${LIB};`, 'export function build() {', "  setTimeout(() => { throw new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); } }); }, 10);", `  return ${GOOD_BODY};`, '}'], EXIT.INTERNAL, /^ocpkit: internal error: \(an error that cannot be shown\); rerun with --debug/m],
    ['a late throw of an error whose message getter throws', [`import { Cluster } from ${LIB};`, 'export function build() {', "  setTimeout(() => { const e = new Error('x'); Object.defineProperty(e, 'message', { get() { throw new Error('gotcha'); } }); throw e; }, 10);", `  return ${GOOD_BODY};`, '}'], EXIT.INTERNAL, /^ocpkit: internal error: \(an error that cannot be shown\); rerun with --debug/m],
    ['a stray exception after build()', [`import { Cluster } from ${LIB};`, 'export function build() {', "  setTimeout(() => { throw new Error('late failure'); }, 10);", `  return ${GOOD_BODY};`, '}'], EXIT.INTERNAL, /^ocpkit: internal error: late failure; rerun with --debug for the stack trace$/m],
  ];

  test.each(cases)('%s ends as one line and a documented exit code', (_what, lines, code, message) => {
    const dir = workdir();
    stack(dir, lines);
    const r = run(['synth', 'stack.ts', '--out', path.join(dir, 'out')], dir);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(TRACE);
    // eslint-disable-next-line no-control-regex
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(r.code).toBe(code);
    // Failures before the write leave no output; a late failure may come after it.
    if (code !== EXIT.INTERNAL) expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });

  test('a malformed versions file is one line naming the file and the line', () => {
    const dir = workdir();
    fs.writeFileSync(path.join(dir, 'versions.yaml'), 'environments:\n  production:\n    a: [unclosed\n');
    stack(dir, [`import { ReleaseTrain } from ${LIB};`, 'export function build() {', `  ReleaseTrain.load(${JSON.stringify(path.join(dir, 'versions.yaml'))}, 'production');`, '}']);
    const r = run(['synth', 'stack.ts'], dir);
    expect(r.code).toBe(EXIT.PROBLEMS);
    expect(r.stderr).toMatch(/\[versions\.yaml\] YAML does not parse at line \d+/);
    expect(r.stderr).not.toMatch(TRACE);
  });

  test('--debug (and OCPKIT_DEBUG=1) print the trace of the user code', () => {
    const dir = workdir();
    stack(dir, ['export function build() {', "  throw new Error('with trace');", '}']);
    for (const [args, env] of [[['synth', 'stack.ts', '--debug'], {}], [['synth', 'stack.ts'], { OCPKIT_DEBUG: '1' }]] as const) {
      const r = run([...args], dir, env);
      expect(r.code).toBe(EXIT.USAGE);
      expect(r.stderr).toMatch(TRACE);
      // Source maps: the trace points at the TypeScript line.
      expect(r.stderr).toMatch(/stack\.ts:2:\d+/);
    }
  });

  test.each([
    ['validate of a missing folder', ['validate', 'no-such-folder'], EXIT.USAGE],
    ['diff of missing folders', ['diff', 'a', 'b'], EXIT.USAGE],
    ['synth of a missing module', ['synth', 'missing.ts'], EXIT.USAGE],
    ['an unknown command named __proto__', ['__proto__'], EXIT.USAGE],
    ['an unknown command named constructor', ['constructor'], EXIT.USAGE],
    ['an unknown option', ['validate', '.', '--frobnicate'], EXIT.USAGE],
  ])('%s: one message, a documented exit code, no trace', (_what, args, code) => {
    const r = run(args, workdir());
    expect(r.code).toBe(code);
    expect(r.stderr.trim().length).toBeGreaterThan(0);
    expect(r.stderr).not.toMatch(TRACE);
  });

  describe('reportError', () => {
    let stderr: jest.SpyInstance;
    beforeEach(() => {
      stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    });
    afterEach(() => stderr.mockRestore());

    test('an unexpected error is one line with its location and exit 4; the trace only with debug', () => {
      const e = new RangeError('Maximum call stack size exceeded\nsecond line');
      expect(reportError('ocpkit synth', e, false)).toBe(EXIT.INTERNAL);
      const text = stderr.mock.calls.join('');
      expect(text.trim().split('\n')).toHaveLength(1);
      expect(text).toMatch(/^ocpkit synth: internal error: Maximum call stack size exceeded \(at .*no-stack-traces\.test\.ts:\d+:\d+\); rerun with --debug/);
      stderr.mockClear();
      reportError('ocpkit synth', e, true);
      expect(stderr.mock.calls.join('')).toMatch(TRACE);
    });

    test('main() never rejects, whatever a command throws', async () => {
      await expect(main(['validate', path.join(os.tmpdir(), 'ocpkit-no-such-dir')])).resolves.toBe(EXIT.USAGE);
    });
  });
});
