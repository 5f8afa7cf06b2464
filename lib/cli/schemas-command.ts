import { parseArgs as parseNodeArgs } from 'util';
import { lockedProfiles, schemaLock, SchemaSetError } from '../schema/lock';
import { checkSchemaCache, syncSchemas } from '../schema/schema-cache';
import { findSchemas, schemasSyncHint } from '../schema/locate';
import { UsageError } from '../core/errors';
import { argsError } from './_args';

const HELP = `usage: ocpkit schemas <sync|status> [options]

The upstream schemas ocpkit validates against are not part of the package: the lock it ships
(schemas.lock.json) names every file with its upstream URL and sha256, and
\`ocpkit schemas sync\` fills a per-user cache with them, checking every hash first.

  sync [--from DIR|URL] [--profile 4.14 ...]
                                           copy the locked files from a mirror (a folder with the
                                           layout of shared/crds, or an https:// base URL serving
                                           it) or download them from their locked upstream URLs
                                           into the cache; a file whose sha256 differs is refused
                                           and nothing half-synced is ever used. Files assembled or
                                           derived for the mirror have no upstream URL: they need
                                           --from
  status [--json]  (or sync --check)       what is cached, every file's hash checked, and which
                                           schema folder ocpkit uses now; exit 1 when the cache is
                                           not complete

The cache is $OCPKIT_CACHE_DIR/schemas/<lock hash>/ (else node_modules/.cache/ocpkit or
~/.cache/ocpkit). Lookup order: --schemas / OCPKIT_SCHEMAS, this cache, ../shared/crds.
exit codes: 0 ok, 1 refused or not cached (status), 2 usage error
`;

/**
 * `ocpkit schemas sync [--from DIR] [--profile X]` and `ocpkit schemas status [--json]`: fill and
 * check the per-user cache of the locked upstream schemas (lib/schema/schema-cache.ts).
 * Problems are one line each: `ocpkit schemas sync: [schemas] <file>: sha256 ... does not match ...`.
 */
export async function schemasCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(HELP);
    return sub === undefined ? 2 : 0;
  }
  if (sub === 'sync') return sync(rest);
  if (sub === 'status') return status(rest);
  throw new UsageError(`unknown schemas command ${JSON.stringify(sub)}; use \`ocpkit schemas sync\` or \`ocpkit schemas status\` (see \`ocpkit schemas --help\`)`);
}

function options<T extends Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>>(sub: string, args: string[], spec: T) {
  try {
    return parseNodeArgs({ args, options: { ...spec, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true }).values as Record<string, string | string[] | boolean | undefined>;
  } catch (e) {
    throw argsError(`ocpkit schemas ${sub}`, e, spec);
  }
}

async function sync(args: string[]): Promise<number> {
  const values = options('sync', args, { from: { type: 'string' }, profile: { type: 'string', multiple: true }, check: { type: 'boolean' } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.check) return status([]);
  const profiles = values.profile as string[] | undefined;
  const known = lockedProfiles();
  for (const p of profiles ?? []) {
    if (!known.includes(p)) throw new UsageError(`--profile ${JSON.stringify(p)} has no profile in the schema lock; profiles available: ${known.join(', ') || 'none'}`);
  }
  try {
    const report = await syncSchemas({ from: values.from as string | undefined, profiles });
    const what = report.written.length ? `wrote ${report.written.join(', ')} (${report.files} files, ${(report.bytes / 1048576).toFixed(1)} MiB, every sha256 checked)` : 'nothing to do';
    process.stdout.write(`ocpkit schemas sync: ${what}${report.kept.length ? `; already cached: ${report.kept.join(', ')}` : ''} -> ${report.dir}\n`);
    return 0;
  } catch (e) {
    if (e instanceof SchemaSetError) {
      process.stderr.write(`ocpkit schemas sync: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

function status(args: string[]): number {
  const values = options('status', args, { json: { type: 'boolean' } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const st = checkSchemaCache();
  let inUse: string | undefined;
  let inUseProblem: string | undefined;
  try {
    inUse = findSchemas();
  } catch (e) {
    if (!(e instanceof SchemaSetError)) throw e;
    inUseProblem = e.message;
  }
  const ok = st.complete && st.problems.length === 0;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ lock: st.lock, files: schemaLock().files.length, cache: st.dir ?? null, complete: st.complete, profiles: st.profiles, missingProfiles: st.missingProfiles, problems: st.problems, inUse: inUse ?? null }, null, 2)}\n`);
    return ok ? 0 : 1;
  }
  const lines = [
    `lock ${st.lock} (${schemaLock().files.length} files)`,
    st.dir === undefined ? 'cache: off' : `cache: ${st.dir}: ${st.complete ? `complete, every sha256 verified; profiles ${st.profiles.join(', ') || 'none'}${st.missingProfiles.length ? ` (not cached: ${st.missingProfiles.join(', ')})` : ''}` : `not synced (run \`${schemasSyncHint()}\`)`}`,
    ...st.problems.map((p) => `problem: ${p}`),
    inUse ? `in use: ${inUse}` : `in use: none: ${inUseProblem}`,
  ];
  process.stdout.write(lines.map((l) => `ocpkit schemas status: ${l}\n`).join(''));
  return ok ? 0 : 1;
}
