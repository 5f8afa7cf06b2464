import * as path from 'path';

/** `file` relative to the working directory when it is below it (as a user typed it), else as given. */
export function shownPath(file: string): string {
  const r = path.relative(process.cwd(), file);
  return r && !r.startsWith('..') && !path.isAbsolute(r) ? r : file;
}

/** Writes to stdout and waits until it is flushed (a large stream piped into a file or another process). */
export function writeStdout(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', () => resolve());
  });
}
