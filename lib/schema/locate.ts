import * as fs from 'fs';
import * as path from 'path';
import { OcpkitError } from '../core/errors';

/**
 * Finds the shared schema folder (`shared/crds`). Order: the explicit argument, the
 * `OCPKIT_SCHEMAS` environment variable, then `../shared/crds` or `shared/crds` next to the
 * current directory or any of its parents, then the same next to this package.
 */
export function locateSchemas(explicit?: string): string {
  const candidates: string[] = [];
  if (explicit) candidates.push(path.resolve(explicit));
  else if (process.env.OCPKIT_SCHEMAS) candidates.push(path.resolve(process.env.OCPKIT_SCHEMAS));
  else {
    for (const start of [process.cwd(), path.resolve(__dirname, '..', '..')]) {
      let dir = start;
      for (;;) {
        candidates.push(path.join(dir, '..', 'shared', 'crds'), path.join(dir, 'shared', 'crds'));
        const parent = path.dirname(dir);
        if (parent === dir) break;
        dir = parent;
      }
    }
  }
  for (const c of candidates) {
    if (fs.existsSync(path.join(c, 'kubernetes', 'v1.27.0', '_definitions.json'))) return c;
  }
  throw new OcpkitError([{
    path: 'schemas',
    field: explicit ? '--schemas' : 'OCPKIT_SCHEMAS',
    message: `no schema folder found (looked for kubernetes/v1.27.0/_definitions.json in ${candidates.slice(0, 3).join(', ')}${candidates.length > 3 ? ', ...' : ''}); put the shared CRDs at ../shared/crds or set OCPKIT_SCHEMAS`,
  }]);
}
