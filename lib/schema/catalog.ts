import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { OcpkitError } from '../core/errors';
import { loadYamlDataFile } from '../core/safe-yaml';
import { cachedDataFile, yamlParserFiles } from './_data-cache';
import { privateCache } from '../core/_private-cache';

/**
 * Which schema file describes which kind, found by reading the files, never by hard-coded names:
 *
 * - a **platform profile** (`<schemas>/profiles/ocp-4.14/`) lists its kinds in its `index.yaml`
 *   (`group/version/Kind -> file`, written for ocpkit; where two files define a kind it names the
 *   one to use), see {@link profileIndex};
 * - any other folder (the newest shared schemas at the top of `<schemas>`, a user's schema
 *   folder) is scanned: every `.yaml`/`.yml` file's CustomResourceDefinitions give the group,
 *   versions, kind and scope, see {@link scanCrdFolder}. Scans are kept on disk between runs
 *   (keyed by the files' paths, sizes and modification times) so a synth does not parse every
 *   CRD again.
 *
 * Keys are `group/version/Kind` (`v1/Kind` for the core group).
 */
export interface KindEntry {
  /** Absolute path of the CRD file. */
  readonly file: string;
  readonly scope?: 'Namespaced' | 'Cluster';
  /** Where the entry comes from: a profile index, a folder scan, a user folder. */
  readonly origin: string;
}

/** The Kubernetes 1.27 core schema, relative to the shared CRD folder (OpenShift 4.14 = Kubernetes 1.27). */
export const CORE_DEFINITIONS_FILE = 'kubernetes/v1.27.0/_definitions.json';

/** Core schema file of a Kubernetes minor version (`1.27` -> `kubernetes/v1.27.0/_definitions.json`). */
export function coreDefinitionsFile(kubernetes: string): string {
  return `kubernetes/v${kubernetes}.0/_definitions.json`;
}

/** `group/version/Kind` key for an apiVersion and kind. */
export function gvkKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

/**
 * Kinds a profile takes from the newest shared schemas because the profile has no copy of its
 * own: only those its README names. ocp-4.14 README, "Using it": "Kinds not in this profile
 * (Multus NetworkAttachmentDefinition, the `techpreview/` OpenShift kinds) keep using `../../`".
 *
 * Each kind maps to the file of the shared schemas (relative to their top) it is read from, the
 * place that README names: finding it reads one file instead of scanning every CRD of the shared
 * folder (about 0.1 s with nothing cached). When that file defines the kind it is the kind's
 * schema, in any schema folder (`--schemas`, OCPKIT_SCHEMAS, a synced set), even if another file
 * there defines the kind too; when the file is missing or does not define it (another layout),
 * the whole folder is scanned as for any kind. A test checks that in the shared schemas each file
 * is the one the whole-folder scan picks.
 */
export const PROFILE_FALLBACKS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '4.14': {
    'k8s.cni.cncf.io/v1/NetworkAttachmentDefinition': 'multus/k8s.cni.cncf.io_network-attachment-definitions.yaml',
    'config.openshift.io/v1alpha1/Backup': 'openshift-api/techpreview/config.openshift.io_backups.yaml',
    'operator.openshift.io/v1alpha1/EtcdBackup': 'openshift-api/techpreview/operator.openshift.io_etcdbackups.yaml',
  },
};

/**
 * When a scan finds one kind in two files of the newest shared schemas, the file under one of
 * these folders wins (../shared/crds/README.md: "On OpenShift with OADP, validate against
 * `oadp/velero-bundled/`"; "use `oadp/cdk8s-patched/`" for the DPA). Otherwise the first file in
 * path order wins and the other is recorded as a duplicate.
 */
const PREFERRED_ON_DUPLICATE = ['oadp/velero-bundled/', 'oadp/cdk8s-patched/'];

/** Sub-folders of the shared schema folder a scan of its top never enters. */
const NOT_SCANNED = new Set(['profiles', 'kubernetes']);

/** Result of scanning a folder of CRD files. */
export interface FolderIndex {
  readonly kinds: ReadonlyMap<string, KindEntry>;
  /** `file: why` for files that could not be read or parsed (reported, never fatal). */
  readonly skipped: readonly string[];
  /** Kinds defined by more than one file, with the file used. */
  readonly duplicates: readonly string[];
}

/** Scans and profiles by folder signature: a cache of file contents, frozen, not a registry. */
const MEMO = new Map<string, FolderIndex>();

const SCAN_FORMAT = 'ocpkit-crd-scan/1';

/**
 * Indexes every CustomResourceDefinition in the `.yaml`/`.yml` files below a folder (or one
 * file). Unreadable files and files that are not CRDs are skipped (listed in `skipped` when they
 * fail to parse). `top` marks the shared schema folder itself: its `profiles/` and `kubernetes/`
 * folders are not entered.
 */
export function scanCrdFolder(dirOrFile: string, options: { top?: boolean; origin?: string } = {}): FolderIndex {
  const root = path.resolve(dirOrFile);
  const files = listYaml(root, options.top === true);
  const signature = files.map((f) => `${f.rel}\0${f.size}\0${f.mtimeMs}`).join('\n');
  const memoKey = `${root}\0${options.origin ?? ''}\0${signature}`;
  const memo = MEMO.get(memoKey);
  if (memo) return memo;

  const diskKey = createHash('sha256').update(`${SCAN_FORMAT}\0${root}\0${signature}`).digest('hex');
  const cacheDir = scanCacheDir();
  let found: { rel: string; keys: [string, string | undefined][] }[] | undefined;
  if (cacheDir) {
    const text = privateCache.readEntry(path.join(cacheDir, `${diskKey}.json`));
    try {
      if (text !== undefined) found = JSON.parse(text);
    } catch {
      found = undefined;
    }
  }
  const skipped: string[] = [];
  if (!found) {
    found = [];
    for (const f of files) {
      let docs: any[];
      try {
        docs = yaml.loadAll(fs.readFileSync(f.abs, 'utf8')) as any[];
      } catch (e) {
        skipped.push(`${f.abs}: ${(e as Error).message.split('\n')[0]}`);
        continue;
      }
      const keys: [string, string | undefined][] = [];
      for (const crd of docs) {
        if (crd?.kind !== 'CustomResourceDefinition' || typeof crd.spec?.group !== 'string' || typeof crd.spec?.names?.kind !== 'string') continue;
        for (const v of crd.spec.versions ?? [{ name: crd.spec.version }]) {
          if (typeof v?.name === 'string') keys.push([gvkKey(`${crd.spec.group}/${v.name}`, crd.spec.names.kind), crd.spec.scope]);
        }
      }
      if (keys.length) found.push({ rel: f.rel, keys });
    }
    if (cacheDir && skipped.length === 0) {
      try {
        privateCache.writeEntry(path.join(cacheDir, `${diskKey}.json`), JSON.stringify(found));
      } catch {
        // best effort
      }
    }
  }
  const kinds = new Map<string, KindEntry>();
  const duplicates: string[] = [];
  const isFile = files.length === 1 && files[0].abs === root;
  for (const { rel, keys } of found) {
    for (const [key, scope] of keys) {
      const entry: KindEntry = { file: isFile ? root : path.join(root, rel), scope: scope === 'Cluster' || scope === 'Namespaced' ? scope : undefined, origin: options.origin ?? root };
      const before = kinds.get(key);
      if (before && before.file !== entry.file) {
        const preferNew = PREFERRED_ON_DUPLICATE.some((p) => rel.startsWith(p)) && !PREFERRED_ON_DUPLICATE.some((p) => path.relative(root, before.file).split(path.sep).join('/').startsWith(p));
        duplicates.push(`${key}: ${preferNew ? entry.file : before.file} (also in ${preferNew ? before.file : entry.file})`);
        if (!preferNew) continue;
      }
      kinds.set(key, entry);
    }
  }
  const result: FolderIndex = Object.freeze({ kinds, skipped, duplicates });
  MEMO.set(memoKey, result);
  return result;
}

/**
 * The kinds of a platform profile, from its `index.yaml` (paths relative to the profile folder).
 * Throws an OcpkitError naming the file when the index is missing or malformed.
 */
export function profileIndex(profileDir: string): ReadonlyMap<string, KindEntry> {
  const file = path.join(profileDir, 'index.yaml');
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new OcpkitError([{ path: file, field: '', message: 'profile has no index.yaml (group/version/Kind -> file)' }]);
  }
  const memoKey = `profile\0${file}\0${st.size}\0${st.mtimeMs}`;
  const memo = MEMO.get(memoKey);
  if (memo) return memo.kinds;
  // parsed once, then read back as JSON from the private data cache (js-yaml is not needed on a warm run)
  const doc: any = cachedDataFile(file, loadYamlDataFile, require.resolve('../core/safe-yaml'), yamlParserFiles());
  if (!doc || typeof doc.kinds !== 'object' || doc.kinds === null) {
    throw new OcpkitError([{ path: file, field: 'kinds', message: 'is not a profile index (no `kinds:` map of group/version/Kind -> { file })' }]);
  }
  const kinds = new Map<string, KindEntry>();
  for (const [key, v] of Object.entries<any>(doc.kinds)) {
    if (typeof v?.file !== 'string' || path.isAbsolute(v.file) || v.file.split(/[\\/]/).includes('..')) {
      throw new OcpkitError([{ path: file, field: `kinds.${key}.file`, message: 'must be a path inside the profile folder' }]);
    }
    if (v.served === false) continue; // the API server does not serve it: nothing may use it
    kinds.set(key, { file: path.join(profileDir, v.file), scope: v.scope === 'Cluster' || v.scope === 'Namespaced' ? v.scope : undefined, origin: `profile ${path.basename(profileDir)}` });
  }
  MEMO.set(memoKey, Object.freeze({ kinds, skipped: [], duplicates: [] }));
  return kinds;
}

function listYaml(root: string, top: boolean): { rel: string; abs: string; size: number; mtimeMs: number }[] {
  const out: { rel: string; abs: string; size: number; mtimeMs: number }[] = [];
  let st: fs.Stats;
  try {
    st = fs.statSync(root);
  } catch {
    throw new OcpkitError([{ path: root, field: 'schemas', message: 'no such schema file or folder; give a folder of CustomResourceDefinition YAML files' }]);
  }
  if (st.isFile()) return [{ rel: path.basename(root), abs: root, size: st.size, mtimeMs: st.mtimeMs }];
  const walk = (dir: string, rel: string) => {
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of names) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      const abs = path.join(dir, d.name);
      if (d.isDirectory()) {
        if (d.name.startsWith('.') || d.name === 'node_modules' || (top && rel === '' && NOT_SCANNED.has(d.name))) continue;
        walk(abs, r);
      } else if (d.isFile() && /\.ya?ml$/.test(d.name)) {
        const s = fs.statSync(abs);
        out.push({ rel: r, abs, size: s.size, mtimeMs: s.mtimeMs });
      }
    }
  };
  walk(root, '');
  return out;
}

function scanCacheDir(): string | undefined {
  try {
    const root = privateCache.cacheRoot();
    if (!root) return undefined;
    const dir = path.join(root, 'crd-scans');
    return privateCache.privateDir(dir, 16 * 1024 * 1024) ?? undefined; // kept within 16 MB (bin/private-cache.js keepWithin)
  } catch {
    return undefined;
  }
}
