import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DiffInputError } from './diff-input-error';
import { OneLineError, signalExitCode } from '../core/errors';
import { processAlive } from '../core/process-alive';
import { ocpkitRoot } from '../core/package-root';
import { findSchemas } from '../schema/locate';

/** The stack module `ocpkit diff --base` synthesizes unless told otherwise. */
export const DEFAULT_STACK = 'apps/community/main.ts';

/**
 * The stack module of a repository when `--stack` is not given: the `.ts` file that the `app:`
 * line of its `cdk8s.yaml` synthesizes (`app: npx ocpkit synth apps/main.ts`, the layout `ocpkit
 * init` writes), else {@link DEFAULT_STACK}.
 */
export function defaultStack(root: string): string {
  let text: string;
  try {
    text = fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8');
  } catch {
    return DEFAULT_STACK;
  }
  const app = /^app:\s*(.*)$/m.exec(text)?.[1] ?? '';
  const stackModule = app.split(/\s+/).find((w) => /\.(?:ts|js)$/.test(w) && !/(?:^|\/)bin\/ocpkit\.js$/.test(w));
  return stackModule ?? DEFAULT_STACK;
}

/**
 * The ocpkit CLI that synthesizes a checkout: the checkout's own `bin/ocpkit.js` when it has one
 * (ocpkit's own repository, whose library changes between commits), else the CLI running now
 * (a cluster repository depends on ocpkit; its worktree shares today's node_modules).
 */
function cliFor(checkout: string): string {
  const own = path.join(checkout, 'bin', 'ocpkit.js');
  return fs.existsSync(own) ? own : path.join(ocpkitRoot(), 'bin', 'ocpkit.js');
}

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
  /** The temporary checkout of the ref (its committed files, e.g. `dist/`); removed by cleanup. */
  readonly baseCheckout: string;
  /** The repository root of the working tree. */
  readonly root: string;
  /** Removes the worktree and both trees, and stops watching for signals. Idempotent. */
  readonly cleanup: () => void;
  /** SIGINT/SIGTERM/SIGHUP received since the trees were made (the caller stops and exits 130/143/129). */
  readonly interrupted: () => NodeJS.Signals | undefined;
}

/** SIGINT, SIGTERM or SIGHUP arrived while synthesizing; the worktree and temporary folder were removed. */
export class BaseSynthInterrupted extends OneLineError {
  /** 128 + the signal number, as shells report it. */
  public override readonly exitCode: number;

  constructor(public readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}; the temporary worktree and trees were removed`);
    this.name = 'BaseSynthInterrupted';
    this.exitCode = signalExitCode(signal);
  }
}

/** Prefix of the temporary folders of `ocpkit diff --base` (in os.tmpdir()). */
const TMP_PREFIX = 'ocpkit-diff-';
/** File in a temporary folder holding the pid of the run that owns it. */
const OWNER = 'owner.pid';

function git(args: string[], cwd: string): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.error) throw new DiffInputError(`git is not available: ${r.error.message}`);
  if (r.status !== 0) throw new DiffInputError(`git ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout.trim();
}

/** Removes a worktree of ours (its node_modules link first) and its temporary folder. */
function removeWorktree(root: string, tmp: string): void {
  const worktree = path.join(tmp, 'base');
  try {
    fs.unlinkSync(path.join(worktree, 'node_modules'));
  } catch {
    // no symlink: nothing to unlink
  }
  spawnSync('git', ['worktree', 'remove', '--force', worktree], { cwd: root });
  fs.rmSync(tmp, { recursive: true, force: true });
  spawnSync('git', ['worktree', 'prune'], { cwd: root });
}

/**
 * Removes what runs that died without cleaning up (SIGKILL, power loss) left behind: worktrees of
 * this repository in an `ocpkit-diff-*` folder whose owner pid is dead, and such folders in the
 * temporary folder that belong to this user; `git worktree prune` forgets worktrees whose folder
 * is gone. Returns how many were removed.
 */
export function pruneDeadWorktrees(root: string): number {
  let removed = 0;
  const tmpRoot = fs.realpathSync(os.tmpdir());
  const dead = (tmp: string) => {
    try {
      return !processAlive(Number(fs.readFileSync(path.join(tmp, OWNER), 'utf8').trim()));
    } catch {
      return false; // no owner file: not ours, or just being created
    }
  };
  const list = spawnSync('git', ['worktree', 'list', '--porcelain'], { cwd: root, encoding: 'utf8' }).stdout ?? '';
  for (const line of list.split('\n')) {
    if (!line.startsWith('worktree ')) continue;
    const wt = line.slice('worktree '.length);
    const tmp = path.dirname(wt);
    if (path.basename(wt) !== 'base' || !path.basename(tmp).startsWith(TMP_PREFIX) || !dead(tmp)) continue;
    removeWorktree(root, tmp);
    removed++;
  }
  const uid = process.getuid?.();
  for (const name of fs.readdirSync(tmpRoot)) {
    if (!name.startsWith(TMP_PREFIX)) continue;
    const tmp = path.join(tmpRoot, name);
    try {
      const st = fs.lstatSync(tmp);
      if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || !dead(tmp)) continue;
      // a worktree of another repository: leave it to a run there, which knows its repository
      if (fs.existsSync(path.join(tmp, 'base', '.git'))) continue;
      fs.rmSync(tmp, { recursive: true, force: true });
      removed++;
    } catch {
      // vanished or unreadable: not ours to handle
    }
  }
  spawnSync('git', ['worktree', 'prune'], { cwd: root });
  return removed;
}

/**
 * Synthesizes `ref` and the working tree into two temporary folders, concurrently:
 *
 * 1. `git worktree add --detach` checks `ref` out in a temporary folder (nothing in the
 *    working tree is touched); its `node_modules` is a symlink to the working tree's, so no
 *    `npm ci` is needed (the base is built with today's dependencies);
 * 2. `ocpkit synth STACK --out TMP` runs in the worktree and in the working tree (the checkout's own
 *    bin/ocpkit.js in ocpkit's repository, else the running CLI: see cliFor).
 *
 * The worktree and temporary folder are removed on every exit path: when this throws, by
 * `cleanup()`, on SIGINT/SIGTERM/SIGHUP (the child synths are stopped first; this then rejects with
 * {@link BaseSynthInterrupted}, or `interrupted()` tells the caller once the trees were made),
 * and at process exit. Leftovers of runs that died (SIGKILL) are pruned at the start.
 *
 * Throws DiffInputError when the ref does not exist, has no such stack module, or does not synthesize.
 */
export async function synthBaseAndWorkingTree(options: BaseSynthOptions): Promise<SynthesizedPair> {
  const cwd = options.cwd ?? process.cwd();
  const root = git(['rev-parse', '--show-toplevel'], cwd);
  const stackAbs = path.resolve(cwd, options.stack ?? path.join(root, defaultStack(root)));
  const stack = path.relative(root, stackAbs);
  if (stack.startsWith('..')) throw new DiffInputError(`stack module ${options.stack} is outside the repository ${root}`);
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', '--quiet', `${options.ref}^{commit}`], root);
  } catch {
    throw new DiffInputError(`unknown git ref "${options.ref}" (fetch it first, e.g. \`git fetch origin ${options.ref}\`)`);
  }
  pruneDeadWorktrees(root);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), TMP_PREFIX));
  fs.writeFileSync(path.join(tmp, OWNER), `${process.pid}\n`);
  const worktree = path.join(tmp, 'base');
  const oldDir = path.join(tmp, 'old');
  const newDir = path.join(tmp, 'new');
  const children = new Set<ChildProcess>();
  let signal: NodeJS.Signals | undefined;
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    process.off('SIGHUP', handler);
    process.off('exit', cleanup);
    for (const c of children) c.kill('SIGKILL'); // only reached with children alive at process exit
    removeWorktree(root, tmp);
  };
  const handler = (s: NodeJS.Signals) => {
    signal ??= s;
    for (const c of children) c.kill('SIGTERM');
    // a child that does not stop within 5 s is killed
    setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 5000).unref();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('SIGHUP', handler); // a closed terminal: the default action would exit without cleaning up
  process.on('exit', cleanup); // process.exit() anywhere (e.g. a fatal error) still removes the worktree
  try {
    git(['worktree', 'add', '--detach', '--quiet', worktree, commit], root);
    const modules = path.join(root, 'node_modules');
    if (fs.existsSync(modules) && !fs.existsSync(path.join(worktree, 'node_modules'))) fs.symlinkSync(modules, path.join(worktree, 'node_modules'), 'dir');
    const short = commit.slice(0, 12);
    if (!fs.existsSync(path.join(worktree, stack))) throw new DiffInputError(`${options.ref} (${short}) has no ${stack}; pass --stack with the stack module of that commit`);
    if (!fs.existsSync(stackAbs)) throw new DiffInputError(`the working tree has no ${stack}; pass --stack`);
    if (signal) throw new BaseSynthInterrupted(signal);
    // wait for both synths even when one fails or a signal stops them: nothing may still write
    // into the temporary folder when it is removed
    const results = await Promise.allSettled([
      synth(worktree, stack, oldDir, `${options.ref} (${short})`, children, schemasOf(root, worktree)),
      synth(root, stack, newDir, 'the working tree', children),
    ]);
    if (signal) throw new BaseSynthInterrupted(signal);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return { oldDir, newDir, baseCommit: short, baseCheckout: worktree, root, cleanup, interrupted: () => signal };
  } catch (e) {
    cleanup();
    throw e;
  }
}

/**
 * What the base's synth is told about the schemas. Nothing when OCPKIT_SCHEMAS names them or the
 * base checkout holds a mirror of its own (`shared/crds` committed in it, as ../schema/locate.ts
 * searches). Else the mirror the repository finds beside it (`../shared/crds` or `shared/crds`
 * next to it or one of its parents), if any: the base is checked out in the temporary folder,
 * where no mirror is beside it, so without this a repository that relies on such a mirror
 * (ocpkit's own) could not synthesize its base. The working tree's synth finds that same mirror.
 * The per-user cache is not asked here: the set it holds is named after a lock, and the base's
 * synth (ocpkit's own CLI of that commit, in ocpkit's repository) may have another lock.
 */
function schemasOf(root: string, base: string): NodeJS.ProcessEnv {
  if (process.env.OCPKIT_SCHEMAS) return {};
  try {
    findSchemas({ env: undefined, cached: undefined, searchFrom: [base] });
    return {};
  } catch {
    // no mirror in or above the base checkout
  }
  try {
    return { OCPKIT_SCHEMAS: findSchemas({ env: undefined, cached: undefined, searchFrom: [root] }) };
  } catch {
    return {}; // no mirror either: the base's synth says which command fills the cache
  }
}

/**
 * Runs `ocpkit synth STACK --out OUT` in a checkout; rejects with its output on failure. The stack
 * is not type-checked (OCPKIT_TYPECHECK=0, which CLIs older than the type-check ignore): a diff
 * compares what the sources synthesize, and `ocpkit synth` in CI checks the types.
 */
function synth(checkout: string, stack: string, out: string, what: string, children: Set<ChildProcess>, env: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliFor(checkout), 'synth', stack, '--out', out], { cwd: checkout, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OCPKIT_TYPECHECK: '0', ...env } });
    children.add(child);
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => {
      children.delete(child);
      reject(new DiffInputError(`cannot run the synth of ${what}: ${e.message}`));
    });
    child.on('close', (code, sig) => {
      children.delete(child);
      if (code === 0) resolve();
      else reject(new DiffInputError(`synth of ${what} failed (${sig ? `stopped by ${sig}` : `exit ${code}`}):\n${output.trim()}`));
    });
  });
}
