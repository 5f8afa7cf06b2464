import { OcpkitError } from '../core/errors';
import { synthCommand } from './synth-command';
import { validateCommand } from './validate-command';

/** A CLI subcommand: gets its arguments, returns the process exit code. */
export type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: () => Promise<Command>; help: string }> = {
  synth: { run: async () => synthCommand, help: 'synth APP.ts [--out DIR]          synthesize a stack into DIR (default dist), atomically' },
  validate: { run: async () => validateCommand, help: 'validate DIR [--schemas DIR] [--policy]   check YAML against the Kubernetes 1.27 and CRD schemas' },
  // require, not import(): bin/run-ts.js (esbuild, cjs) leaves import() to Node's ESM loader, which needs file extensions
  diff: { run: async () => (require('./diff-command') as typeof import('./diff-command')).diffCommand, help: 'diff OLD_DIR NEW_DIR | --base GIT_REF [--format text|markdown|json] [--fail-on destructive]   what a merge changes, destructive changes first' },
};

function usage(): string {
  return `usage: ocpkit <command> [options]\n\ncommands:\n${Object.values(COMMANDS).map((c) => `  ${c.help}`).join('\n')}\n`;
}

/** Entry point of the `ocpkit` binary. Exit codes: 0 ok, 1 failure found, 2 usage or input error. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    process.stderr.write(`ocpkit: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    return await (await cmd.run())(rest);
  } catch (e) {
    if (e instanceof OcpkitError || e instanceof UsageError) {
      process.stderr.write(`ocpkit ${name}: ${e.message}\n`);
      return e instanceof UsageError ? 2 : 1;
    }
    throw e;
  }
}

/** Wrong arguments: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Splits `--flag value` / `--flag=value` options from positional arguments. */
export function parseArgs(args: string[], flags: readonly string[], switches: readonly string[] = []): { positional: string[]; options: Record<string, string | true> } {
  const positional: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [key, inline] = a.slice(2).split(/=(.*)/s, 2);
    if (switches.includes(key)) {
      options[key] = true;
    } else if (flags.includes(key)) {
      const value = inline ?? args[++i];
      if (value === undefined) throw new UsageError(`--${key} needs a value`);
      options[key] = value;
    } else {
      throw new UsageError(`unknown option --${key}`);
    }
  }
  return { positional, options };
}
