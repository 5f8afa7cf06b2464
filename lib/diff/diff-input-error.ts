import { OneLineError } from '../core/errors';

/**
 * The inputs of a diff are unusable: a folder that is not a synthesized tree, YAML that does not
 * parse, a bad ignore list, a git ref that does not synthesize. The CLI prints the message (no
 * stack trace) and exits with code 2.
 */
export class DiffInputError extends OneLineError {
  public override readonly exitCode: number = 2;

  constructor(message: string) {
    super(message);
    this.name = 'DiffInputError';
  }
}
