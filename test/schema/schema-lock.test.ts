import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LOCK_FILE, lockHash, lockedProfiles, schemaLock, sha256, verifyFile } from '../../lib/schema/lock';
import { generateLock, readSources, renderLock } from '../../scripts/lock-schemas';

/** The dev mirror the lock is generated from. */
const MIRROR = path.join(__dirname, '..', '..', '..', 'shared', 'crds');

describe('schema lock', () => {
  const lock = schemaLock();

  test('the committed lock is exactly a fresh generation from the mirror (it cannot go stale)', () => {
    expect(fs.readFileSync(LOCK_FILE, 'utf8')).toBe(renderLock(generateLock(MIRROR)));
  });

  test('every locked file of the mirror hashes to its locked sha256, and the set hash covers them all', () => {
    expect(lock.files.length).toBeGreaterThan(100);
    const problems = lock.files.map((f) => verifyFile(path.join(MIRROR, f.path), f)).filter(Boolean);
    expect(problems).toEqual([]);
    expect(lock.hash).toBe(lockHash(lock.files));
    expect(lock.files.map((f) => f.size)).toEqual(lock.files.map((f) => fs.statSync(path.join(MIRROR, f.path)).size));
  });

  test('locks what the validator reads: the core schema, every CRD folder, each profile with its index and catalog', () => {
    const paths = lock.files.map((f) => f.path);
    expect(paths).toContain('kubernetes/v1.27.0/_definitions.json');
    expect(paths).toContain('multus/k8s.cni.cncf.io_network-attachment-definitions.yaml');
    expect(paths).toContain('profiles/ocp-4.14/index.yaml');
    expect(paths).toContain('profiles/ocp-4.14/catalog/operators.yaml');
    expect(lockedProfiles(lock)).toEqual(['4.14']);
    // every file a profile index names is locked
    const index = fs.readFileSync(path.join(MIRROR, 'profiles/ocp-4.14/index.yaml'), 'utf8');
    for (const m of index.matchAll(/^\s+file: (\S+)$/gm)) expect(paths).toContain(`profiles/ocp-4.14/${m[1]}`);
    // documentation and OpenAPI documents are not read by ocpkit, so not locked
    expect(paths.filter((p) => /\.md$|openapi\.json$|swagger\.json$/.test(p))).toEqual([]);
  });

  test('a URL only where an upstream file has the same bytes: verbatim files on GitHub, at the full pinned commit', () => {
    const sources = readSources(path.join(MIRROR, 'SOURCES.md'));
    for (const f of lock.files) {
      if (f.url === null) {
        expect(f.note).toMatch(/--from DIR/);
        continue;
      }
      expect(f.upstream).toBeDefined();
      expect(f.url).toBe(`https://raw.githubusercontent.com/${f.upstream!.repo}/${f.upstream!.commit}/${f.upstream!.path}`);
      expect(f.upstream!.commit).toMatch(/^[0-9a-f]{40}$/);
    }
    const byPath = new Map(lock.files.map((f) => [f.path, f]));
    // assembled (KubeVirt wrapper), derived (openshift-api), patched (DPA) and Go-extracted (CDI) files have none
    expect(byPath.get('kubevirt/crds/kubevirt.io_virtualmachines.yaml')!.url).toBeNull();
    expect(byPath.get('openshift-api/derived/image.openshift.io_imagestreams.yaml')!.url).toBeNull();
    expect(byPath.get('profiles/ocp-4.14/oadp/cdk8s-patched/oadp.openshift.io_dataprotectionapplications.yaml')!.url).toBeNull();
    expect(byPath.get('cdi/cdi.kubevirt.io_datavolumes.yaml')!.url).toBeNull();
    expect(byPath.get('profiles/ocp-4.14/index.yaml')!.url).toBeNull();
    // a verbatim one points at its repository and commit from SOURCES.md
    const nad = sources.get('multus/k8s.cni.cncf.io_network-attachment-definitions.yaml')!;
    expect(byPath.get('multus/k8s.cni.cncf.io_network-attachment-definitions.yaml')!.url)
      .toBe(`https://raw.githubusercontent.com/k8snetworkplumbingwg/network-attachment-definition-client/${nad.commit}/artifacts/networks-crd.yaml`);
  });

  describe('generation refuses what it cannot prove', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-lock-'));
      fs.mkdirSync(path.join(dir, 'multus'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const crd = 'kind: CustomResourceDefinition\n';
    const sources = (hash: string) => [
      '| File | Upstream repo | Tag | Commit | Path | API | License | Kind of file | Size | Notes |',
      '|---|---|---|---|---|---|---|---|---|---|',
      '| `multus/a.yaml` | [o/r](https://github.com/o/r) | v1 | `aaaaaaaaaaaa` | `x/a.yaml` | g | Apache-2.0 | verbatim | 1 KiB |  |',
      '',
      '| File | Commit | SHA-256 |',
      '|---|---|---|',
      `| \`multus/a.yaml\` | \`${'a'.repeat(40)}\` | \`${hash}\` |`,
    ].join('\n');

    test('a file that does not hash to its SOURCES entry', () => {
      fs.writeFileSync(path.join(dir, 'multus/a.yaml'), crd);
      fs.writeFileSync(path.join(dir, 'SOURCES.md'), sources('0'.repeat(64)));
      expect(() => generateLock(dir)).toThrow(`multus/a.yaml: sha256 ${sha256(crd)} does not match SOURCES.md (${'0'.repeat(64)})`);
      fs.writeFileSync(path.join(dir, 'SOURCES.md'), sources(sha256(crd)));
      expect(generateLock(dir).files).toEqual([{
        path: 'multus/a.yaml', sha256: sha256(crd), size: crd.length, url: `https://raw.githubusercontent.com/o/r/${'a'.repeat(40)}/x/a.yaml`,
        upstream: { repo: 'o/r', ref: 'v1', commit: 'a'.repeat(40), path: 'x/a.yaml' },
      }]);
    });

    test('a schema file with no provenance', () => {
      fs.writeFileSync(path.join(dir, 'multus/a.yaml'), crd);
      fs.writeFileSync(path.join(dir, 'multus/b.yaml'), crd);
      fs.writeFileSync(path.join(dir, 'SOURCES.md'), sources(sha256(crd)));
      expect(() => generateLock(dir)).toThrow('multus/b.yaml: not listed in SOURCES.md; every locked file needs its provenance');
    });
  });
});
