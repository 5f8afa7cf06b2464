/**
 * Generates lib/schema/schemas.lock.json from a schema mirror (default ../shared/crds, or
 * OCPKIT_SCHEMAS, or the first argument): `npm run schemas:lock` writes it,
 * `npm run schemas:lock -- --check` fails when the committed lock differs.
 *
 * What is locked: every file ocpkit reads from a schema folder, i.e. every `.yaml`/`.yml` file
 * (CRDs, the profiles' `index.yaml` and `catalog/operators.yaml`) and the Kubernetes core schemas
 * (`kubernetes/v<x.y.z>/_definitions.json`). The OpenAPI documents (`openapi/openapi.json`,
 * `openapi/swagger.json`) and the Markdown notes are not read by ocpkit and are not locked.
 *
 * Provenance comes from the mirror's own tables (`SOURCES.md` at the top and in each profile):
 * repository, ref, commit (the 40-character one from the second table), upstream path, the kind
 * of file and its SHA-256. A file gets a download URL only when the table calls it `verbatim`
 * (byte-identical to an upstream file) and its upstream path is a plain file path on GitHub; the
 * URL is GitHub's raw-content address at the pinned commit
 * (`https://raw.githubusercontent.com/<owner>/<repo>/<commit>/<path>`). Every other file
 * (assembled, derived, patched, extracted from Go source, or written for ocpkit) gets `url: null`
 * and a note; `ocpkit schemas sync` can then only take it from a mirror (`--from DIR`).
 *
 * The script refuses a mirror whose file does not hash to what its SOURCES table says, and a
 * locked file with no provenance at all.
 *
 * Checked against upstream (git show <commit>:<path> | sha256sum on GitHub snapshots): the NAD CRD,
 * k8snetworkplumbingwg/network-attachment-definition-client@v1.7.7 (46fcc4112dcb)
 * artifacts/networks-crd.yaml, and the SealedSecret CRD, bitnami-labs/sealed-secrets@v0.24.5
 * (64693897d3f0) helm/sealed-secrets/crds/bitnami.com_sealedsecrets.yaml, hash to their locked
 * sha256. The raw-URL form is the one cdk8s-cli 2.207.60 itself fetches schemas with
 * (node_modules/cdk8s-cli/lib/import/k8s.js: raw.githubusercontent.com/<owner>/<repo>/<ref>/<path>).
 * The other URLs were not fetched (no network here).
 */
import * as fs from 'fs';
import * as path from 'path';
import { LOCK_FILE, LOCK_FORMAT, lockHash, LockedFile, SchemaLock, sha256 } from '../lib/schema/lock';

/** One row of a SOURCES.md provenance table, joined with its full commit and SHA-256. */
interface SourceRow {
  readonly file: string;
  readonly repoUrl: string;
  readonly ref: string;
  readonly commit: string;
  readonly upstreamPath: string;
  readonly kindOfFile: string;
  readonly sha256: string;
}

/** Cells of a Markdown table row (`| a | b |` -> ['a', 'b']), or undefined for other lines. */
function cells(line: string): string[] | undefined {
  if (!line.startsWith('|') || !line.trimEnd().endsWith('|')) return undefined;
  return line.trim().slice(1, -1).split('|').map((c) => c.trim());
}

const unquote = (c: string) => c.replace(/^`(.*)`$/, '$1');

/**
 * Reads a SOURCES.md: the wide table (file, repo, ref, commit, upstream path, API, license, kind
 * of file, size, notes) and the narrow one (file, full commit, SHA-256), keyed by file.
 */
export function readSources(sourcesFile: string): Map<string, SourceRow> {
  const wide = new Map<string, string[]>();
  const narrow = new Map<string, string[]>();
  for (const line of fs.readFileSync(sourcesFile, 'utf8').split('\n')) {
    const c = cells(line);
    if (!c || !c[0].startsWith('`')) continue;
    const file = unquote(c[0]);
    if (c.length === 3) narrow.set(file, c);
    else if (c.length >= 8) wide.set(file, c);
  }
  const rows = new Map<string, SourceRow>();
  for (const [file, w] of wide) {
    const n = narrow.get(file);
    if (!n) throw new Error(`${sourcesFile}: ${file} has no full commit and SHA-256 row`);
    const repoUrl = /\]\((https?:\/\/[^)]+)\)/.exec(w[1])?.[1] ?? w[1];
    const commit = unquote(n[1]);
    if (!/^[0-9a-f]{40}$/.test(commit) || !commit.startsWith(unquote(w[3]))) throw new Error(`${sourcesFile}: ${file}: commit ${n[1]} does not extend ${w[3]}`);
    rows.set(file, { file, repoUrl, ref: w[2], commit, upstreamPath: unquote(w[4]), kindOfFile: w[7], sha256: unquote(n[2]) });
  }
  for (const file of narrow.keys()) if (!wide.has(file)) throw new Error(`${sourcesFile}: ${file} has a SHA-256 row but no provenance row`);
  return rows;
}

/** Files of a schema folder that ocpkit reads (see the header), relative, `/`-separated, sorted. */
export function lockedPaths(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.name.startsWith('.')) continue;
      if (d.isDirectory()) walk(path.join(dir, d.name), r);
      else if (/\.ya?ml$/.test(d.name) || /^kubernetes\/v\d+\.\d+\.\d+\/_definitions\.json$/.test(r)) out.push(r);
    }
  };
  walk(root, '');
  return out.sort();
}

/** Why a file has no download URL, from its SOURCES kind of file, or undefined when it has one. */
function noUrlReason(row: SourceRow): string | undefined {
  const kind = row.kindOfFile.toLowerCase();
  if (kind !== 'verbatim') return `${kind} for the mirror (no upstream file has these bytes); sync it from a mirror (--from DIR)`;
  if (!/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/.test(row.repoUrl)) return 'upstream is not a GitHub repository; sync it from a mirror (--from DIR)';
  if (!/^[\w.@+-]+(\/[\w.@+-]+)*$/.test(row.upstreamPath)) return 'extracted from an upstream source file (not a file of its own upstream); sync it from a mirror (--from DIR)';
  return undefined;
}

/** Files the mirror's tables say were written for ocpkit (no upstream): each profile's index and operator catalog. */
function writtenForOcpkit(rel: string): boolean {
  return /^profiles\/ocp-\d+\.\d+\/(index\.yaml|catalog\/operators\.yaml)$/.test(rel);
}

/** Builds the lock of a schema mirror. Throws (plain Error: a maintainer tool) on anything unproven. */
export function generateLock(root: string): SchemaLock {
  const tables = new Map<string, Map<string, SourceRow>>(); // folder prefix -> rows
  tables.set('', readSources(path.join(root, 'SOURCES.md')));
  const profilesDir = path.join(root, 'profiles');
  for (const name of fs.existsSync(profilesDir) ? fs.readdirSync(profilesDir).sort() : []) {
    const sources = path.join(profilesDir, name, 'SOURCES.md');
    if (fs.existsSync(sources)) tables.set(`profiles/${name}/`, readSources(sources));
  }
  const files: LockedFile[] = [];
  for (const rel of lockedPaths(root)) {
    const data = fs.readFileSync(path.join(root, rel));
    const hash = sha256(data);
    const prefix = [...tables.keys()].filter((p) => rel.startsWith(p)).sort((a, b) => b.length - a.length)[0] ?? '';
    const row = tables.get(prefix)?.get(rel.slice(prefix.length));
    if (!row) {
      if (!writtenForOcpkit(rel)) throw new Error(`${rel}: not listed in ${prefix}SOURCES.md; every locked file needs its provenance`);
      files.push({ path: rel, sha256: hash, size: data.length, url: null, note: 'written for ocpkit (no upstream file); sync it from a mirror (--from DIR)' });
      continue;
    }
    if (row.sha256 !== hash) throw new Error(`${rel}: sha256 ${hash} does not match ${prefix}SOURCES.md (${row.sha256})`);
    const reason = noUrlReason(row);
    const repo = row.repoUrl.replace(/^https:\/\/github\.com\//, '');
    const upstream = { repo, ref: row.ref, commit: row.commit, path: row.upstreamPath };
    const url = reason ? null : `https://raw.githubusercontent.com/${repo}/${row.commit}/${row.upstreamPath.split('/').map(encodeURIComponent).join('/')}`;
    files.push({ path: rel, sha256: hash, size: data.length, url, upstream, ...(reason ? { note: reason } : {}) });
  }
  return { format: LOCK_FORMAT, hash: lockHash(files), files };
}

/** The lock as written to disk (stable: two runs over the same mirror give the same bytes). */
export function renderLock(lock: SchemaLock): string {
  return `${JSON.stringify(lock, null, 1)}\n`;
}

function defaultMirror(): string {
  if (process.env.OCPKIT_SCHEMAS) return path.resolve(process.env.OCPKIT_SCHEMAS);
  return path.resolve(__dirname, '..', '..', 'shared', 'crds');
}

// run directly (node bin/run-ts.js scripts/lock-schemas.ts), not when a test imports it
if (require.main === module || path.resolve(process.argv[1] ?? '') === __filename) {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const root = args.find((a) => !a.startsWith('--')) ?? defaultMirror();
  try {
    const text = renderLock(generateLock(root));
    const before = fs.existsSync(LOCK_FILE) ? fs.readFileSync(LOCK_FILE, 'utf8') : '';
    if (check) {
      process.stdout.write(before === text ? `schemas:lock: ${LOCK_FILE} is up to date with ${root}\n` : `schemas:lock: ${LOCK_FILE} is stale; run npm run schemas:lock\n`);
      process.exitCode = before === text ? 0 : 1;
    } else {
      fs.writeFileSync(LOCK_FILE, text);
      const lock = JSON.parse(text) as SchemaLock;
      process.stdout.write(`schemas:lock: ${lock.files.length} files (${lock.files.filter((f) => f.url === null).length} without a download URL), hash ${lock.hash} -> ${LOCK_FILE}\n`);
    }
  } catch (e) {
    process.stderr.write(`schemas:lock: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
