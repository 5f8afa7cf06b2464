import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OcpkitError } from '../../lib/core/errors';
import { findSchemas, locateProfile, missingSchemasMessage } from '../../lib/schema/locate';
import { LockedFile, lockHash, schemaLock, SchemaLock, SchemaSetError, sha256 } from '../../lib/schema/lock';
import { cachedSchemaSet, checkSchemaCache, MARKER_FILE, syncSchemas } from '../../lib/schema/schema-cache';
import { SchemaValidator } from '../../lib/schema/validator';

/** The dev mirror (../shared/crds). */
const MIRROR = path.join(__dirname, '..', '..', '..', 'shared', 'crds');
const NAD = 'multus/k8s.cni.cncf.io_network-attachment-definitions.yaml';
const SEALED = 'profiles/ocp-4.14/sealed-secrets/bitnami.com_sealedsecrets.yaml';

const made: string[] = [];
function tmp(prefix = 'ocpkit-schemas-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A mirror whose files link to the real ones, except `changed` (path -> new contents). */
function mirrorWith(changed: Record<string, string>): string {
  const dir = tmp('ocpkit-mirror-');
  for (const f of schemaLock().files) {
    const target = path.join(dir, f.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (f.path in changed) fs.writeFileSync(target, changed[f.path]);
    else fs.symlinkSync(path.join(MIRROR, f.path), target);
  }
  return dir;
}

/** Files below a folder, relative, sorted. */
function tree(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).sort() : [];
}

describe('ocpkit schema cache', () => {
  const lock = schemaLock();
  const env = { ...process.env };
  afterEach(() => {
    process.env = { ...env };
  });

  test('sync --from the mirror fills <root>/schemas/<lock hash>/ with every locked file, verified; a second sync keeps it', async () => {
    const root = tmp();
    const report = await syncSchemas({ from: MIRROR, cacheRoot: root });
    const dir = path.join(root, 'schemas', lock.hash);
    expect(report).toMatchObject({ dir, written: ['base', 'profile 4.14'], kept: [], files: lock.files.length });
    for (const f of lock.files) expect(sha256(fs.readFileSync(path.join(dir, f.path)))).toBe(f.sha256);
    // nothing else: the locked files and the marker, no staging folder left next to the set
    expect(tree(dir).filter((p) => fs.statSync(path.join(dir, p)).isFile()).sort()).toEqual([MARKER_FILE, ...lock.files.map((f) => f.path)].sort());
    expect(fs.readdirSync(path.join(root, 'schemas'))).toEqual([lock.hash]);
    expect(cachedSchemaSet({ cacheRoot: root })).toBe(dir);
    expect(checkSchemaCache({ cacheRoot: root })).toEqual({ dir, lock: lock.hash, complete: true, profiles: ['4.14'], missingProfiles: [], problems: [] });

    const again = await syncSchemas({ from: MIRROR, cacheRoot: root });
    expect(again).toMatchObject({ written: [], kept: ['base', 'profile 4.14'], files: 0 });
  });

  test('the synced cache is the schema folder when OCPKIT_SCHEMAS is unset and no ../shared is reachable, and validation uses it', async () => {
    const root = tmp();
    await syncSchemas({ from: MIRROR, cacheRoot: root });
    process.env.OCPKIT_CACHE_DIR = root;
    delete process.env.OCPKIT_SCHEMAS;
    const dir = path.join(root, 'schemas', lock.hash);
    const nowhere = tmp('ocpkit-cwd-');
    expect(findSchemas({ searchFrom: [nowhere] })).toBe(dir);
    // the cache comes before a dev mirror that is reachable too
    expect(findSchemas({ searchFrom: [path.join(MIRROR, '..', '..', 'main')] })).toBe(dir);

    const v = new SchemaValidator({ platform: '4.14' });
    expect(v.schemasDir).toBe(dir);
    expect(v.profileDir).toBe(path.join(dir, 'profiles', 'ocp-4.14'));
    const route = { apiVersion: 'route.openshift.io/v1', kind: 'Route', metadata: { name: 'r', namespace: 'ns' }, spec: { host: 'r.example.org', to: { kind: 'Service', name: 's', weight: 100 } } };
    expect(v.validate(route)).toEqual([]);
    expect(v.validate({ ...route, spec: { ...route.spec, tls: { termination: 'edge', externalCertificate: { name: 'c' } } } }))
      .toEqual([{ pointer: '/spec/tls', message: 'unknown field "externalCertificate" (not in the schema; the API server would drop it)' }]);
  });

  test('a tampered file in the mirror is refused on one line naming it and both hashes; nothing is cached', async () => {
    const root = tmp();
    const text = fs.readFileSync(path.join(MIRROR, NAD), 'utf8').replace('NetworkAttachmentDefinition', 'NetworkAttachmentDefinitionX');
    const mirror = mirrorWith({ [NAD]: text });
    const expected = lock.files.find((f) => f.path === NAD)!.sha256;
    const err = await syncSchemas({ from: mirror, cacheRoot: root }).then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(SchemaSetError);
    expect(err).toBeInstanceOf(OcpkitError);
    expect(err.message).toBe(`[schemas] ${NAD}: sha256 ${sha256(text)} does not match the locked sha256 ${expected} (from ${path.join(mirror, NAD)}); refused, nothing of it was cached`);
    expect(err.message).not.toMatch(/\n/);
    expect(fs.readdirSync(path.join(root, 'schemas'))).toEqual([]);
    expect(cachedSchemaSet({ cacheRoot: root })).toBeUndefined();
  });

  test('a tampered profile file leaves the cached base alone and the profile out', async () => {
    const root = tmp();
    await syncSchemas({ from: MIRROR, cacheRoot: root, profiles: [] });
    const dir = path.join(root, 'schemas', lock.hash);
    expect(checkSchemaCache({ cacheRoot: root })).toMatchObject({ complete: true, profiles: [], missingProfiles: ['4.14'] });
    expect(() => locateProfile(dir, '4.14')).toThrow(/"4\.14" has no schema profile .*; run `npx ocpkit schemas sync --profile 4\.14 --from DIR` to add it/);

    const mirror = mirrorWith({ [SEALED]: `${fs.readFileSync(path.join(MIRROR, SEALED), 'utf8')}# edited\n` });
    await expect(syncSchemas({ from: mirror, cacheRoot: root, profiles: ['4.14'] })).rejects.toThrow(new RegExp(`^\\[schemas\\] ${SEALED.replace(/\./g, '\\.')}: sha256 [0-9a-f]{64} does not match the locked sha256`));
    expect(fs.existsSync(path.join(dir, 'profiles'))).toBe(false);
    expect(fs.readdirSync(path.join(root, 'schemas'))).toEqual([lock.hash]);
    expect(cachedSchemaSet({ cacheRoot: root })).toBe(dir);

    expect((await syncSchemas({ from: MIRROR, cacheRoot: root, profiles: ['4.14'] })).written).toEqual(['profile 4.14']);
    expect(locateProfile(dir, '4.14')).toBe(path.join(dir, 'profiles', 'ocp-4.14'));
  });

  test('a cached file altered afterwards is reported by the check and replaced by the next sync', async () => {
    const root = tmp();
    await syncSchemas({ from: MIRROR, cacheRoot: root });
    const dir = path.join(root, 'schemas', lock.hash);
    const file = path.join(dir, SEALED);
    fs.chmodSync(file, 0o600);
    fs.appendFileSync(file, '# edited\n');
    const st = checkSchemaCache({ cacheRoot: root });
    expect(st.problems).toEqual([expect.stringMatching(new RegExp(`^${SEALED.replace(/\./g, '\\.')}: sha256 [0-9a-f]{64} does not match the locked sha256 ${lock.files.find((f) => f.path === SEALED)!.sha256}$`))]);
    expect(st.profiles).toEqual([]);
    expect((await syncSchemas({ from: MIRROR, cacheRoot: root })).written).toEqual(['profile 4.14']);
    expect(checkSchemaCache({ cacheRoot: root }).problems).toEqual([]);
  });

  test('a new lock takes the files an older cached set already holds (hash checked) and fetches nothing else; stale staging folders are swept', async () => {
    const root = tmp();
    await syncSchemas({ from: MIRROR, cacheRoot: root });
    const files = lock.files.filter((f) => f.path !== SEALED);
    const newer: SchemaLock = { format: 'ocpkit-schemas-lock/1', hash: lockHash(files), files };
    const dead = path.join(root, 'schemas', '.sync-999999-0badc0de');
    const running = path.join(root, 'schemas', `.sync-${process.ppid}-0badc0de`);
    fs.mkdirSync(dead);
    fs.mkdirSync(running);
    const download = jest.fn(async () => { throw new Error('offline'); });
    const report = await syncSchemas({ lock: newer, cacheRoot: root, download });
    expect(download).not.toHaveBeenCalled();
    expect(report).toMatchObject({ dir: path.join(root, 'schemas', newer.hash), written: ['base', 'profile 4.14'], files: files.length });
    expect(checkSchemaCache({ cacheRoot: root, lock: newer })).toMatchObject({ complete: true, profiles: ['4.14'], problems: [] });
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(running)).toBe(true);
  });

  describe('downloads from the locked URLs', () => {
    /** A lock of the files that have a URL, and a fake network serving the mirror's bytes (or other bytes). */
    const downloadable: SchemaLock = (() => {
      const files = schemaLock().files.filter((f) => f.url !== null && !f.path.startsWith('profiles/')).slice(0, 3);
      return { format: 'ocpkit-schemas-lock/1', hash: lockHash(files), files };
    })();
    const served = (bytes: (f: LockedFile) => Buffer) => jest.fn(async (url: string) => {
      const f = downloadable.files.find((x) => x.url === url);
      if (!f) throw new Error('HTTP 404');
      return bytes(f);
    });

    test('every downloaded file is verified before it is cached', async () => {
      const root = tmp();
      const download = served((f) => fs.readFileSync(path.join(MIRROR, f.path)));
      const report = await syncSchemas({ lock: downloadable, cacheRoot: root, download });
      expect(download.mock.calls.map((c) => c[0])).toEqual(downloadable.files.map((f) => f.url));
      expect(tree(report.dir).filter((p) => p.endsWith('.yaml')).sort()).toEqual(downloadable.files.map((f) => f.path).sort());

      const other = tmp();
      const bad = served((f) => Buffer.from(`not ${f.path}`));
      await expect(syncSchemas({ lock: downloadable, cacheRoot: other, download: bad })).rejects.toThrow(`(from ${downloadable.files[0].url}); refused`);
      expect(fs.readdirSync(path.join(other, 'schemas'))).toEqual([]);
    });

    test('with files that have no URL, a sync without --from is refused before anything is fetched', async () => {
      const download = jest.fn(async () => Buffer.from(''));
      const err = await syncSchemas({ cacheRoot: tmp(), download }).then(() => undefined, (e) => e);
      expect(download).not.toHaveBeenCalled();
      const count = lock.files.filter((f) => f.url === null).length;
      expect(err.message).toMatch(new RegExp(`^\\[schemas\\] --from: ${count} locked files have no download URL \\(.*\\); run \`npx ocpkit schemas sync --from DIR\` with a mirror of the shared schemas \\(e\\.g\\. \\.\\./shared/crds\\)$`));
    });

    test('--from an https:// mirror: every file fetched from <base>/<path>, assembled ones included, each verified', async () => {
      const root = tmp();
      const base = 'https://mirror.example.org/crds/';
      const tampered = 'kubevirt/crds/kubevirt.io_virtualmachines.yaml';
      const fetcher = (tamper: boolean) => jest.fn(async (url: string) => {
        expect(url.startsWith(base)).toBe(true);
        const rel = decodeURIComponent(url.slice(base.length));
        const data = fs.readFileSync(path.join(MIRROR, rel));
        return tamper && rel === tampered ? Buffer.concat([data, Buffer.from('#')]) : data;
      });
      const bad = fetcher(true);
      await expect(syncSchemas({ from: base, cacheRoot: root, profiles: [], download: bad }))
        .rejects.toThrow(new RegExp(`^\\[schemas\\] ${tampered.replace(/\./g, '\\.')}: sha256 [0-9a-f]{64} does not match the locked sha256 [0-9a-f]{64} \\(from ${base.replace(/\./g, '\\.')}${tampered.replace(/\./g, '\\.')}\\); refused`));
      expect(fs.readdirSync(path.join(root, 'schemas'))).toEqual([]);
      const good = fetcher(false);
      const report = await syncSchemas({ from: base, cacheRoot: root, download: good });
      expect(good).toHaveBeenCalledTimes(lock.files.length);
      expect(report.written).toEqual(['base', 'profile 4.14']);
      expect(checkSchemaCache({ cacheRoot: root })).toMatchObject({ complete: true, profiles: ['4.14'], problems: [] });
    });

    test('an unreachable URL is one line suggesting --from', async () => {
      const download = jest.fn(async () => { throw new Error('getaddrinfo EAI_AGAIN raw.githubusercontent.com'); });
      await expect(syncSchemas({ lock: downloadable, cacheRoot: tmp(), download }))
        .rejects.toThrow(`[schemas] ${downloadable.files[0].path}: cannot download ${downloadable.files[0].url} (getaddrinfo EAI_AGAIN raw.githubusercontent.com); with no network, run \`npx ocpkit schemas sync --from DIR\``);
    });
  });

  test('an unknown profile, a missing mirror and caching off are one-line refusals', async () => {
    await expect(syncSchemas({ from: MIRROR, cacheRoot: tmp(), profiles: ['4.99'] })).rejects.toThrow('[schemas] --profile: "4.99" has no profile in the schema lock; profiles available: 4.14');
    await expect(syncSchemas({ from: '/nonexistent/mirror', cacheRoot: tmp() })).rejects.toThrow('[schemas] --from: /nonexistent/mirror is not a folder');
    process.env.OCPKIT_CACHE_DIR = 'off';
    await expect(syncSchemas({ from: MIRROR })).rejects.toThrow(/^\[schemas\] OCPKIT_CACHE_DIR: caching is off/);
  });

  test('a missing schema set is one line naming the command to run', () => {
    const root = tmp();
    process.env.OCPKIT_CACHE_DIR = root;
    delete process.env.OCPKIT_SCHEMAS;
    const nowhere = tmp('ocpkit-cwd-');
    let err: unknown;
    try {
      findSchemas({ searchFrom: [nowhere] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SchemaSetError);
    const message = (err as Error).message;
    expect(message).not.toMatch(/\n/);
    expect(message).toBe(`[schemas] ${missingSchemasMessage()}`);
    expect(message).toContain(`no synced schemas in ${path.join(root, 'schemas', lock.hash)}`);
    expect(message).toContain('run `npx ocpkit schemas sync --from DIR` with a mirror of the shared schemas');
    // OCPKIT_SCHEMAS pointing at a folder without schemas is named as such, not searched past
    expect(() => findSchemas({ env: nowhere, searchFrom: [MIRROR] })).toThrow(`[schemas] OCPKIT_SCHEMAS: ${nowhere} is not a schema folder`);
  });

  test('a cache for another lock is not used', async () => {
    const root = tmp();
    await syncSchemas({ from: MIRROR, cacheRoot: root, profiles: [] });
    const other: SchemaLock = { ...lock, hash: lockHash(lock.files.slice(1)) };
    expect(cachedSchemaSet({ cacheRoot: root })).toBeDefined();
    expect(cachedSchemaSet({ cacheRoot: root, lock: other })).toBeUndefined();
  });
});
