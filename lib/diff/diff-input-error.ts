import { OcpkitError } from '../core/errors';

/**
 * The inputs of a diff are unusable: a folder that is not a synthesized tree, YAML that does not
 * parse, a bad ignore list, a git ref that does not synthesize. The CLI prints the message (no
 * stack trace) and exits with code 2.
 */
export class DiffInputError extends OcpkitError {
  public override readonly exitCode: number = 2;

  constructor(message: string) {
    super([{ path: '', field: '', message }]);
    this.name = 'DiffInputError';
    this.withMessage(message);
  }
}
