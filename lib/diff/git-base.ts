import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DiffInputError } from './diff-input-error';

/** The stack module `ocpkit diff --base` synthesizes unless told otherwise. */
export const DEFAULT_STACK = 'apps/community/main.ts';

/** Options of {@link synthBaseAndWorkingTree}. */
export interface BaseSynthOptions {
  /** Git ref (branch, tag, commit, `origin/main`, `HEAD~1`) to compare with. */
  readonly ref: string;
  /**
   * Stack module, relative to the repository root.
   * @default 'apps/community/main.ts'
   */
  readonly stack?: string;
  /**
   * A folder inside the repository.
   * @default the current folder
   */
  readonly cwd?: string;
}

/** Two synthesized trees and the function that deletes them (and the temporary worktree). */
export interface SynthesizedPair {
  readonly oldDir: string;
  readonly newDir: string;
  /** Short commit of the ref that was synthesized as the old tree. */
  readonly baseCommit: string;
  readonly cleanup: () => void;
}

function git(args: string[], cwd: string): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.error) throw new DiffInputError(`git is not available: ${r.error.message}`);
  if (r.status !== 0) throw new DiffInputError(`git ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout.trim();
}

/**
 * Synthesizes `ref` and the working tree into two temporary folders, concurrently:
 *
 * 1. `git worktree add --detach` checks `ref` out in a temporary folder (nothing in the
 *    working tree is touched); its `node_modules` is a symlink to the working tree's, so no
 *    `npm ci` is needed (the base is built with today's dependencies);
 * 2. `node bin/ocpkit.js synth STACK --out TMP` runs in the worktree and in the working tree.
 *
 * Throws DiffInputError when the ref does not exist, predates ocpkit, or does not synthesize.
 * Call `cleanup()` when done (it removes the worktree and both trees).
 */
export async function synthBaseAndWorkingTree(options: BaseSynthOptions): Promise<SynthesizedPair> {
  const cwd = options.cwd ?? process.cwd();
  const root = git(['rev-parse', '--show-toplevel'], cwd);
  const stackAbs = path.resolve(cwd, options.stack ?? path.join(root, DEFAULT_STACK));
  const stack = path.relative(root, stackAbs);
  if (stack.startsWith('..')) throw new DiffInputError(`stack module ${options.stack} is outside the repository ${root}`);
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', '--quiet', `${options.ref}^{commit}`], root);
  } catch {
    throw new DiffInputError(`unknown git ref "${options.ref}" (fetch it first, e.g. \`git fetch origin ${options.ref}\`)`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-diff-'));
  const worktree = path.join(tmp, 'base');
  const oldDir = path.join(tmp, 'old');
  const newDir = path.join(tmp, 'new');
  let added = false;
  const cleanup = () => {
    if (added) {
      try {
        fs.unlinkSync(path.join(worktree, 'node_modules'));
      } catch {
        // no symlink: nothing to unlink
      }
      spawnSync('git', ['worktree', 'remove', '--force', worktree], { cwd: root });
      spawnSync('git', ['worktree', 'prune'], { cwd: root });
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    git(['worktree', 'add', '--detach', '--quiet', worktree, commit], root);
    added = true;
    const modules = path.join(root, 'node_modules');
    if (fs.existsSync(modules) && !fs.existsSync(path.join(worktree, 'node_modules'))) fs.symlinkSync(modules, path.join(worktree, 'node_modules'), 'dir');
    const short = commit.slice(0, 12);
    if (!fs.existsSync(path.join(worktree, 'bin', 'ocpkit.js'))) throw new DiffInputError(`${options.ref} (${short}) has no bin/ocpkit.js: it predates ocpkit, nothing to compare with`);
    if (!fs.existsSync(path.join(worktree, stack))) throw new DiffInputError(`${options.ref} (${short}) has no ${stack}; pass --stack with the stack module of that commit`);
    if (!fs.existsSync(stackAbs)) throw new DiffInputError(`the working tree has no ${stack}; pass --stack`);
    await Promise.all([
      synth(worktree, stack, oldDir, `${options.ref} (${short})`),
      synth(root, stack, newDir, 'the working tree'),
    ]);
    return { oldDir, newDir, baseCommit: short, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

/** Runs `node bin/ocpkit.js synth STACK --out OUT` in a checkout; rejects with its output on failure. */
function synth(checkout: string, stack: string, out: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(checkout, 'bin', 'ocpkit.js'), 'synth', stack, '--out', out], { cwd: checkout, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => reject(new DiffInputError(`cannot run the synth of ${what}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new DiffInputError(`synth of ${what} failed (exit ${code}):\n${output.trim()}`));
    });
  });
}
