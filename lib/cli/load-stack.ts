import * as fs from 'fs';
import * as path from 'path';
import { isOcpkitError, OcpkitError, OneLineError, UsageError } from '../core/errors';
import { shownPath } from './_output';
import { Cluster } from '../gitops/cluster';

// Plain JavaScript, shared with bin/ocpkit.js (which must print errors before any TypeScript loads).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const safe: { safeMessage(e: unknown): string; safeStack(e: unknown): string | undefined; printable(text: unknown, max?: number): string } = require('../../bin/safe-message.js');

/**
 * The user's stack module failed: it did not compile, could not import something, or threw.
 * Reported as one line, `file:line:column: what`, with exit code 2 (an input error); the
 * stack trace only with `--debug`.
 */
export class StackError extends OneLineError {
  public override readonly exitCode: number = 2;

  constructor(message: string, public override readonly cause?: unknown) {
    super(message);
    this.name = 'StackError';
  }
}

/** Loads a stack module and calls its `build()` export. */
export function loadStack(file: string): Cluster[] {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) {
    throw new UsageError(`stack module ${file} does not exist; give the TypeScript file that exports build(), e.g. apps/community/main.ts`);
  }
  let mod: any;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(abs);
  } catch (e) {
    throw stackFailure(e, file, 'cannot load the stack module');
  }
  const build = mod?.build ?? mod?.default;
  if (typeof build !== 'function') {
    throw new OcpkitError([{ path: file, field: 'build', message: 'the stack module must export a function `build(): Cluster | Cluster[]`' }]);
  }
  let out: unknown;
  try {
    out = build();
  } catch (e) {
    throw stackFailure(e, file, 'build() failed');
  }
  const list: unknown[] = Array.isArray(out) ? out : [out];
  if (list.length === 0 || !list.every((c) => c instanceof Cluster)) {
    throw new OcpkitError([{ path: file, field: 'build', message: 'build() must return a Cluster or a list of Clusters' }]);
  }
  return list as Cluster[];
}

/**
 * Turns what a stack module threw into one line. OcpkitErrors (bad input found by ocpkit itself)
 * pass through unchanged; compile errors (esbuild) name the file, line and column of the source;
 * anything else names the first frame in the user's own code (source-mapped to the .ts line),
 * else the first frame with a file.
 */
export function stackFailure(e: unknown, file: string, what: string): Error {
  try {
    if (isOcpkitError(e) || e instanceof UsageError || e instanceof StackError) return e;
    const err = e as any;
    const compile = Array.isArray(err?.errors) ? err.errors.find((x: any) => x?.location) : undefined;
    if (compile) {
      const loc = compile.location;
      return new StackError(`${shownPath(loc.file)}:${loc.line}:${loc.column + 1}: does not compile: ${safe.printable(String(compile.text).split('\n')[0])}`, e);
    }
    if (err?.code === 'MODULE_NOT_FOUND' && Array.isArray(err.requireStack) && err.requireStack.length) {
      return new StackError(`${shownPath(err.requireStack[0])}: ${safe.safeMessage(e)}`, e);
    }
    const where = locate(safe.safeStack(e)) ?? shownPath(file);
    const isError = e instanceof Error;
    const kind = isError ? `${safe.printable(err.name)}: ` : typeof e === 'object' && e !== null ? '' : 'threw ';
    return new StackError(`${where}: ${what}: ${kind}${safe.safeMessage(e)}`, e);
  } catch {
    // A thrown value whose every access throws (a hostile Proxy): still one line.
    return new StackError(`${shownPath(file)}: ${what}: threw a value that cannot be shown`, undefined);
  }
}

/** `file:line:column` of the most useful stack frame: user code first, then any file. */
export function locate(stack: unknown): string | undefined {
  if (typeof stack !== 'string') return undefined;
  const frames: string[] = [];
  for (const line of stack.split('\n').slice(1)) {
    // The file starts after "at ", "(" or at the line start: unanchored, "node:internal/...:1:2"
    // would match from its "e:" as if "e:" were a Windows drive. Node's own modules are skipped.
    const m = /(?:^|[\s(])((?:[A-Za-z]:[\\/])?[^\s():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim());
    if (m && !/(?:^|[\s(])node:/.test(line.trim())) frames.push(`${m[1]}:${m[2]}:${m[3]}`);
  }
  const ocpkitLib = path.resolve(__dirname, '..');
  const isUser = (f: string) => !f.includes(`${path.sep}node_modules${path.sep}`) && !f.startsWith(`${ocpkitLib}${path.sep}`) && !/[\\/]bin[\\/](run-ts|build-state)\.js:/.test(f);
  const pick = frames.find(isUser) ?? frames[0];
  return pick === undefined ? undefined : shownPath(pick);
}
