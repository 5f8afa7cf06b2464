import * as fs from 'fs';
import * as path from 'path';

/**
 * ocpkit's own package folder: the nearest folder above this module whose package.json is named
 * "ocpkit" (lib/core in the sources, build/lib/core in the installed package). Its bin/, templates/
 * and package.json (version, dependency pins) are read from there.
 */
export function ocpkitRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      try {
        if (JSON.parse(fs.readFileSync(file, 'utf8'))?.name === 'ocpkit') return dir;
      } catch {
        // not a readable package.json: keep looking
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`ocpkit's package.json not found above ${__dirname}`);
  }
}
