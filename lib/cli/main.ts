import { isOcpkitError, UsageError } from '../core/errors';
import { nearest } from './_args';
import { locate, StackError } from './load-stack';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { safeMessage, safeStack, printable }: { safeMessage(e: unknown): string; safeStack(e: unknown): string | undefined; printable(text: unknown, max?: number): string } = require('../../bin/safe-message.js');
import { synthCommand } from './synth-command';
import { validateCommand } from './validate-command';
import { ocpkitRoot } from '../core/package-root';

/** A CLI subcommand: gets its arguments, returns the process exit code. */
export type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: () => Promise<Command>; help: string }> = {
  synth: { run: async () => synthCommand, help: 'synth APP.ts [--out DIR | --stdout [--env NAME]] [--json] [--no-typecheck]   type-check and synthesize a stack into DIR (default $CDK8S_OUTDIR, else dist), atomically, or as one YAML stream on stdout' },
  validate: { run: async () => validateCommand, help: 'validate DIR [--platform 4.14] [--schemas DIR] [--policy] [--json]   check YAML against the Kubernetes and CRD schemas (of an OpenShift profile)' },
  // require, not import(): bin/run-ts.js (esbuild, cjs) leaves import() to Node's ESM loader, which needs file extensions
  diff: { run: async () => (require('./diff-command') as typeof import('./diff-command')).diffCommand, help: 'diff OLD_DIR NEW_DIR | --base GIT_REF [--format text|markdown|json | --json] [--fail-on destructive,security,outage,weakening,stale-dist] [--for github|gitlab | --max-bytes N] [--dist DIR]   what a merge changes, by risk class, destructive and security first' },
  bootstrap: { run: async () => (require('./bootstrap-command') as typeof import('./bootstrap-command')).bootstrapCommand, help: 'bootstrap [--env ENV] [--json] [DIR]   the one-time checklist of a new cluster, from DIR/<env>/externals.yaml (default dist)' },
  graph: { run: async () => (require('./graph-command') as typeof import('./graph-command')).graphCommand, help: 'graph [--format mermaid|dot] [--env ENV] [--view all|network|apps] [DIR]   draw bonds -> bridges -> NADs -> VMs -> tenants and the Argo CD Applications of DIR (default dist)' },
  schemas: { run: async () => (require('./schemas-command') as typeof import('./schemas-command')).schemasCommand, help: 'schemas sync [--from DIR|URL] [--profile 4.14] | status   fill or check the per-user cache of the locked upstream schemas (sha256-verified)' },
  init: { run: async () => (require('./init-command') as typeof import('./init-command')).initCommand, help: 'init DIR [--ocpkit SPEC] [--name NAME] [--repo-url URL] [--no-install]   scaffold a cluster repository (package.json on ocpkit, strict tsconfig, a stack with tenants and versions files, GitLab/GitHub CI)' },
};

/** Exit codes of every command. */
export const EXIT = {
  OK: 0,
  /** Problems found (invalid input, failed checks, changes in a diff). */
  PROBLEMS: 1,
  /** Usage error, unreadable input, or a stack module that does not load or throws. */
  USAGE: 2,
  /** An unexpected error inside ocpkit: a bug. One line; `--debug` prints the trace. */
  INTERNAL: 4,
} as const;

function usage(): string {
  return `usage: ocpkit <command> [options] [--debug]\n\ncommands:\n${Object.values(COMMANDS).map((c) => `  ${c.help}`).join('\n')}\n\n`
    + 'exit codes: 0 ok, 1 problems found (diff: changes), 2 usage or input error, 3 a change of a class in --fail-on, or a stale dist/ (diff), 4 internal error, 128+N interrupted by signal N\n'
    + 'every command: --help lists its options; --json (synth, validate, bootstrap, diff, schemas status) prints one JSON object on stdout\n'
    + '--debug (or OCPKIT_DEBUG=1) prints the stack trace of an unexpected error\n';
}

/** The version in ocpkit's own package.json ({@link ocpkitRoot}), or "unknown" when it cannot be read. */
export function ownVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require('fs') as typeof import('fs');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const path = require('path') as typeof import('path');
    const version = JSON.parse(fs.readFileSync(path.join(ocpkitRoot(), 'package.json'), 'utf8'))?.version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** True when stack traces may be printed: `--debug` or OCPKIT_DEBUG=1. */
export function debugEnabled(argv: readonly string[] = []): boolean {
  return argv.includes('--debug') || process.env.OCPKIT_DEBUG === '1';
}

/**
 * Entry point of the `ocpkit` binary. Never throws: every error ends as one line on stderr (one
 * line per problem for OcpkitErrors) and an exit code from {@link EXIT}.
 */
export async function main(argv: string[]): Promise<number> {
  const debug = debugEnabled(argv);
  const args = argv.filter((a) => a !== '--debug');
  const [name, ...rest] = args;
  if (name === '--version' || name === '-V') {
    process.stdout.write(`ocpkit ${ownVersion()}\n`);
    return EXIT.OK;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? EXIT.OK : EXIT.USAGE;
  }
  const cmd = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!cmd) {
    const near = nearest(name, Object.keys(COMMANDS));
    process.stderr.write(`ocpkit: unknown command ${JSON.stringify(name)}${near ? `; did you mean ${near}?` : ''}\n${usage()}`);
    return EXIT.USAGE;
  }
  try {
    return await (await cmd.run())(rest);
  } catch (e) {
    // machine output asked for (--json, or diff's --format json): stdout is one JSON object on
    // failure too, whatever failed (arguments, input, the stack, ocpkit itself); stderr as usual
    if (wantsJson(rest)) {
      const problems = isOcpkitError(e) ? e.problems : [{ path: '', field: '', message: `internal error: ${safeMessage(e)}` }];
      process.stdout.write(`${JSON.stringify({ problems }, null, 2)}\n`);
    }
    return reportError(`ocpkit ${name}`, e, debug);
  }
}

/** True when the arguments (before a `--`) ask for JSON on stdout. */
function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  const opts = end < 0 ? args : args.slice(0, end);
  return opts.some((a, i) => a === '--json' || a === '--format=json' || (a === '--format' && opts[i + 1] === 'json'));
}

/** Prints an error as one line (plus the trace with --debug) and returns its exit code. */
export function reportError(prefix: string, e: unknown, debug: boolean): number {
  if (isOcpkitError(e)) {
    // Every error ocpkit throws on purpose (lib/core/errors.ts): its message, one line per problem,
    // each line made printable on its own, and the exit code the error carries.
    process.stderr.write(`${prefix}: ${String(e.message).split('\n').map((l) => printable(l, 100_000)).join('\n')}\n`);
    const cause = e instanceof StackError ? safeStack(e.cause) : undefined;
    if (debug && cause) process.stderr.write(`${cause}\n`);
    return typeof e.exitCode === 'number' ? e.exitCode : EXIT.PROBLEMS;
  }
  const stack = safeStack(e);
  const where = locate(stack);
  process.stderr.write(`${prefix}: internal error: ${safeMessage(e)}${where ? ` (at ${where})` : ''}; ${debug ? 'stack trace follows' : 'rerun with --debug for the stack trace'}\n`);
  if (debug && stack) process.stderr.write(`${stack}\n`);
  return EXIT.INTERNAL;
}

/** Wrong arguments: exit code 2. Declared in lib/core/errors.ts (the error family); re-exported for existing imports. */
export { UsageError };
