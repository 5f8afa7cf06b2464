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

/** Folder of the platform profiles inside the shared schema folder. */
export const PROFILES_DIR = 'profiles';

/** OpenShift versions that have a schema profile (`profiles/ocp-<version>/index.yaml`), sorted. */
export function availableProfiles(schemasDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(path.join(schemasDir, PROFILES_DIR));
  } catch {
    return [];
  }
  return names
    .map((n) => /^ocp-(\d+\.\d+)$/.exec(n)?.[1])
    .filter((v): v is string => v !== undefined && fs.existsSync(path.join(schemasDir, PROFILES_DIR, `ocp-${v}`, 'index.yaml')))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
}

/**
 * The profile folder of an OpenShift version (`<schemas>/profiles/ocp-4.14`), or an OcpkitError
 * (one line, listing the profiles there are) when none exists.
 */
export function locateProfile(schemasDir: string, openshift: string, where: { path: string; field: string } = { path: 'platform', field: 'openshift' }): string {
  const dir = path.join(schemasDir, PROFILES_DIR, `ocp-${openshift}`);
  if (typeof openshift === 'string' && /^\d+\.\d+$/.test(openshift) && fs.existsSync(path.join(dir, 'index.yaml'))) return dir;
  const known = availableProfiles(schemasDir);
  throw new OcpkitError([{
    ...where,
    message: `${JSON.stringify(openshift)} has no schema profile (no ${path.join(PROFILES_DIR, `ocp-${openshift}`, 'index.yaml')} in ${schemasDir}); profiles available: ${known.length ? known.join(', ') : 'none'}`,
  }]);
}
