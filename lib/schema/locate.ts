import * as fs from 'fs';
import * as path from 'path';
import { OcpkitError } from '../core/errors';
import { ocpkitRoot } from '../core/package-root';
import { CORE_DEFINITIONS_FILE } from './catalog';
import { lockedProfiles, schemaLock, SchemaSetError } from './lock';
import { cachedSchemaSet, MARKER_FILE, schemaSetDir } from './schema-cache';

/** Where {@link findSchemas} looks, for tests and tools; `locateSchemas` fills in the defaults. */
export interface SchemaSearch {
  /** An explicit folder (`--schemas`, a `schemasDir` option): used as given, nothing else is tried. */
  readonly explicit?: string;
  /** The `OCPKIT_SCHEMAS` value. @default process.env.OCPKIT_SCHEMAS */
  readonly env?: string;
  /** The verified cache matching the lock. @default {@link cachedSchemaSet}() */
  readonly cached?: string;
  /** Folders whose ancestors are searched for a dev mirror. @default the current folder and this package */
  readonly searchFrom?: readonly string[];
}

/**
 * Finds the schema folder (the layout of `shared/crds`). Order: the explicit argument, the
 * `OCPKIT_SCHEMAS` environment variable, the per-user cache filled by `ocpkit schemas sync`
 * when it matches the shipped lock (./schema-cache.ts), then a dev mirror: `../shared/crds` or
 * `shared/crds` next to the current folder or any of its parents, then the same next to this
 * package. When none has the schemas, one line says which command fills the cache.
 */
export function locateSchemas(explicit?: string): string {
  return findSchemas({ explicit });
}

/** `locateSchemas` with every source given (see {@link SchemaSearch}). */
export function findSchemas(search: SchemaSearch = {}): string {
  const { explicit } = search;
  const env = 'env' in search ? search.env : process.env.OCPKIT_SCHEMAS;
  const given = explicit ? path.resolve(explicit) : env ? path.resolve(env) : undefined;
  if (given !== undefined) {
    if (hasCore(given)) return given;
    throw new SchemaSetError({
      path: 'schemas',
      field: explicit ? '--schemas' : 'OCPKIT_SCHEMAS',
      message: `${given} is not a schema folder (no ${CORE_DEFINITIONS_FILE}); point it at a copy of the shared schemas, or unset it and run \`${schemasSyncHint()}\``,
    });
  }
  const cached = 'cached' in search ? search.cached : cachedSchemaSet();
  if (cached !== undefined) return cached;
  const candidates: string[] = [];
  for (const start of search.searchFrom ?? [process.cwd(), ocpkitRoot()]) {
    let dir = path.resolve(start);
    for (;;) {
      candidates.push(path.join(dir, '..', 'shared', 'crds'), path.join(dir, 'shared', 'crds'));
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  for (const c of candidates) {
    if (hasCore(c)) return c;
  }
  throw new SchemaSetError({ path: 'schemas', field: '', message: missingSchemasMessage() });
}

/**
 * The one line for a missing schema set: which command fills the cache. Plain `npx ocpkit
 * schemas sync` (downloads) is offered only when every locked file has a download URL.
 */
export function missingSchemasMessage(): string {
  const setDir = schemaSetDir();
  const where = setDir ? `no synced schemas in ${setDir}` : 'caching is off (OCPKIT_CACHE_DIR=off)';
  const how = schemasSyncHint() === 'npx ocpkit schemas sync'
    ? 'run `npx ocpkit schemas sync` (or `npx ocpkit schemas sync --from DIR` with a mirror of the shared schemas)'
    : 'run `npx ocpkit schemas sync --from DIR` with a mirror of the shared schemas (e.g. ../shared/crds)';
  return `no schema set found (${where}, no OCPKIT_SCHEMAS, no ../shared/crds): ${how}, or set OCPKIT_SCHEMAS=DIR`;
}

/**
 * The command that fills the cache: plain `npx ocpkit schemas sync` (downloads) only when every
 * locked file has a download URL, else the one with `--from DIR` (a mirror).
 */
export function schemasSyncHint(): string {
  return schemaLock().files.every((f) => f.url !== null) ? 'npx ocpkit schemas sync' : 'npx ocpkit schemas sync --from DIR';
}

function hasCore(dir: string): boolean {
  return fs.existsSync(path.join(dir, CORE_DEFINITIONS_FILE));
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
  // a synced cache may hold fewer profiles than the lock: say how to add this one
  const syncable = fs.existsSync(path.join(schemasDir, MARKER_FILE)) && lockedProfiles().includes(openshift);
  throw new OcpkitError([{
    ...where,
    message: `${JSON.stringify(openshift)} has no schema profile (no ${path.join(PROFILES_DIR, `ocp-${openshift}`, 'index.yaml')} in ${schemasDir}); profiles available: ${known.length ? known.join(', ') : 'none'}${syncable ? `; run \`npx ocpkit schemas sync --profile ${openshift} --from DIR\` to add it` : ''}`,
  }]);
}
