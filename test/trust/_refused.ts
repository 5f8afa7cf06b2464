import { OcpkitError, Problem } from '../../lib/core/errors';

/** What a refusal must say: where, which field, the bad value as shown, and what is allowed. */
export interface Refusal {
  /** Construct path or data-file entry (substring of the problem's path). */
  readonly path: string;
  /** Field (substring of the problem's field). */
  readonly field: string;
  /** The bad value as the message shows it (substring), or '' when the value is the absence of one. */
  readonly value: string;
  /** What is allowed (pattern over the message). */
  readonly allowed: RegExp;
}

/** Runs `fn` and returns what it threw (or a marker when nothing was thrown). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return new Error('nothing was thrown');
}

/**
 * Asserts that `error` is an OcpkitError (never a TypeError or a dependency's error) with one
 * problem naming the path, the field, the bad value and what is allowed.
 */
export function expectRefusal(error: unknown, r: Refusal): void {
  if (!(error instanceof OcpkitError)) {
    throw new Error(`expected an OcpkitError, got ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
  }
  // Cross-object validations (node.addValidation) carry the field at the start of the message.
  const names = (p: Problem) => p.field.includes(r.field) || p.message.startsWith(`${r.field}:`);
  const match = (p: Problem) => p.path.includes(r.path) && names(p) && p.message.includes(r.value) && r.allowed.test(p.message);
  if (!error.problems.some(match)) {
    throw new Error(`no problem names path ${JSON.stringify(r.path)}, field ${JSON.stringify(r.field)}, value ${JSON.stringify(r.value)} and ${r.allowed}; got:\n${error.message}`);
  }
}
