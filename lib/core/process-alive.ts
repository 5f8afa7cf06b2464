/**
 * True when a process with this pid exists (signal 0 checks without sending anything; EPERM
 * means it exists but belongs to another user). Used to tell leftovers of dead runs (locks,
 * staging folders, diff worktrees) from those of runs still going.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException)?.code === 'EPERM';
  }
}
