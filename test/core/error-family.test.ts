import * as path from 'path';
import { isOcpkitError, OcpkitError, UsageError } from '../../lib/core/errors';
import { YamlInputError } from '../../lib/core/safe-yaml';
import { DiffInputError } from '../../lib/diff/diff-input-error';
import { BaseSynthInterrupted } from '../../lib/diff/git-base';
import { SchemaSetError } from '../../lib/schema/lock';
import { OutputInterruptedError, OutputLockedError, OutputRefusedError, OutputWriteError } from '../../lib/synth/write-tree';
import { StackError } from '../../lib/cli/load-stack';
import { TypeCheckError } from '../../lib/cli/typecheck';
import { reportError } from '../../lib/cli/main';
import { captureOutput } from '../_helpers';

describe('one error family: every error ocpkit throws on purpose is an OcpkitError with an exit code', () => {
  const io = captureOutput();

  // [name, the error, its exit code, its message (unchanged by the family)]
  const cases: Array<[string, () => Error, number, string]> = [
    ['OcpkitError', () => new OcpkitError([{ path: 'c/x', field: 'quota', message: 'bad' }]), 1, '1 problem found:\n  [c/x] quota: bad'],
    ['UsageError', () => new UsageError('synth takes exactly one stack module'), 2, 'synth takes exactly one stack module'],
    ['StackError', () => new StackError('main.ts:3:1: build() failed: boom'), 2, 'main.ts:3:1: build() failed: boom'],
    ['TypeCheckError', () => new TypeCheckError([{ path: 'main.ts:2:3', field: 'TS2353', message: 'no quotaa' }]), 2, 'the stack does not type-check (fix it, or pass --no-typecheck to synthesize anyway):\n  main.ts:2:3: TS2353: no quotaa'],
    ['OutputRefusedError', () => new OutputRefusedError('dist is not an ocpkit output'), 2, 'dist is not an ocpkit output'],
    ['OutputLockedError', () => new OutputLockedError('dist is locked by pid 7', 7), 2, 'dist is locked by pid 7'],
    ['OutputWriteError', () => new OutputWriteError('ENOSPC', true), 1, 'ENOSPC'],
    ['OutputInterruptedError', () => new OutputInterruptedError('SIGTERM', true), 143, 'interrupted by SIGTERM'],
    ['DiffInputError', () => new DiffInputError('old is not a synthesized tree'), 2, 'old is not a synthesized tree'],
    ['YamlInputError', () => new YamlInputError('anchors are refused', 4), 2, 'line 4: anchors are refused'],
    ['SchemaSetError', () => new SchemaSetError({ path: 'schemas', field: 'x.yaml', message: 'sha256 differs' }), 1, '[schemas] x.yaml: sha256 differs'],
    ['BaseSynthInterrupted', () => new BaseSynthInterrupted('SIGINT'), 130, 'interrupted by SIGINT; the temporary worktree and trees were removed'],
  ];

  test.each(cases)('%s is in the family, keeps its message and maps to its exit code', (name, make, exitCode, message) => {
    const e = make();
    expect(e).toBeInstanceOf(OcpkitError);
    expect(isOcpkitError(e)).toBe(true);
    expect(e.name).toBe(name);
    expect(e.message).toBe(message);
    expect((e as OcpkitError).exitCode).toBe(exitCode);
    expect((e as OcpkitError).problems.length).toBeGreaterThan(0);
    // the CLI reports it from the family alone: its message after the prefix, its exit code
    expect(reportError('ocpkit test', e, false)).toBe(exitCode);
    expect(io.err()).toBe(`ocpkit test: ${message}\n`);
  });

  test('plain errors and look-alikes are not in the family; the CLI calls them internal errors (exit 4)', () => {
    for (const e of [new Error('x'), { name: 'OcpkitError', problems: [], message: 'x' }, 'OcpkitError', null, undefined, Symbol.for('ocpkit.error')]) {
      expect(isOcpkitError(e)).toBe(false);
    }
    const hostile = new Proxy({}, { get: () => { throw new Error('trap'); }, getPrototypeOf: () => { throw new Error('trap'); } });
    expect(isOcpkitError(hostile)).toBe(false);
    expect(reportError('ocpkit test', new Error('boom'), false)).toBe(4);
    expect(io.err()).toMatch(/^ocpkit test: internal error: boom/);
  });

  test('an error from a second copy of the package is recognised by its brand, where instanceof fails', () => {
    // a fresh module registry loads lib/core/errors.ts again: another OcpkitError class
    let other: typeof import('../../lib/core/errors') | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      other = require(path.join(__dirname, '..', '..', 'lib', 'core', 'errors'));
    });
    expect(other!.OcpkitError).not.toBe(OcpkitError);
    const foreign = new other!.OcpkitError([{ path: 'p', field: 'f', message: 'x' }]);
    expect(foreign).not.toBeInstanceOf(OcpkitError);
    expect(isOcpkitError(foreign)).toBe(true);
    const usage = new other!.UsageError('bad flag');
    expect(reportError('ocpkit test', usage, false)).toBe(2);
    expect(io.err()).toBe('ocpkit test: bad flag\n');
  });
});
