import { toYaml } from '../synth/synthesizer';
import { API_VERSION_OF, CLUSTER_SCOPED, RefKind } from './model';

/** File name of the externals list in each environment folder. */
export const EXTERNALS_FILE = 'externals.yaml';
export const EXTERNALS_API_VERSION = 'ocpkit.io/v1alpha1';
export const EXTERNALS_KIND = 'Externals';

/** One entry of `externals.yaml`. */
export interface ExternalsEntry {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly keys: readonly string[];
  readonly providedBy: string;
  readonly note: string;
  /** Present (true) when it must exist before Argo CD first syncs. */
  readonly beforeFirstSync?: boolean;
  /** `<app>/<file>#<JSON pointer>` of every reference that needs it. */
  readonly usedBy: readonly string[];
}

/** The parsed file. */
export interface ExternalsDocument {
  readonly apiVersion: typeof EXTERNALS_API_VERSION;
  readonly kind: typeof EXTERNALS_KIND;
  readonly metadata: { readonly name: string };
  readonly externals: readonly ExternalsEntry[];
}

const HEADER = [
  '# Objects this environment references but does not create, and how each gets onto the cluster.',
  '# Written by `ocpkit synth` from the External declarations of the stack; no Argo CD Application',
  '# syncs this file. `ocpkit bootstrap` prints the checklist of a new cluster from it.',
  '',
].join('\n');

/** The text of `externals.yaml` (deterministic: entries already sorted, keys in a fixed order). */
export function renderExternalsFile(environment: string, externals: readonly { kind: RefKind; namespace?: string; name: string; keys: readonly string[]; providedBy: string; note: string; beforeFirstSync?: boolean; usedBy: readonly string[] }[]): string {
  const doc = {
    apiVersion: EXTERNALS_API_VERSION,
    kind: EXTERNALS_KIND,
    metadata: { name: environment },
    externals: externals.map((e) => ({
      apiVersion: API_VERSION_OF[e.kind],
      kind: e.kind,
      ...(CLUSTER_SCOPED.has(e.kind) ? {} : { namespace: e.namespace }),
      name: e.name,
      keys: [...e.keys],
      providedBy: e.providedBy,
      note: e.note,
      ...(e.beforeFirstSync ? { beforeFirstSync: true } : {}),
      usedBy: [...e.usedBy],
    })),
  };
  // the synthesizer's writer: the same text as js-yaml with these options, faster (externals.yaml
  // of a large fleet is long)
  return HEADER + toYaml(doc);
}

/** True for the parsed document of an `externals.yaml` (so readers of manifest trees can skip or explain it). */
export function isExternalsDocument(doc: unknown): doc is ExternalsDocument {
  const d = doc as any;
  return typeof d === 'object' && d !== null && d.apiVersion === EXTERNALS_API_VERSION && d.kind === EXTERNALS_KIND && Array.isArray(d.externals);
}

/** True for the path of an externals file in an ocpkit output tree (`<environment>/externals.yaml`). */
export function isExternalsPath(rel: string): boolean {
  const parts = rel.split('/');
  return parts.length === 2 && parts[1] === EXTERNALS_FILE;
}

/**
 * The entries of an externals document as pseudo-objects (apiVersion `ocpkit.io/v1alpha1`, kind
 * `External`, name `<kind>/<name>` in the entry's namespace), so `ocpkit diff` shows "added
 * External gitlab-system/secret/gitlab-redis" when a change needs a new external object, and
 * changed keys or notes as field changes. Malformed entries are skipped.
 */
export function externalsAsObjects(doc: ExternalsDocument): any[] {
  const out: any[] = [];
  for (const e of doc.externals as any[]) {
    if (typeof e?.kind !== 'string' || typeof e?.name !== 'string') continue;
    out.push({
      apiVersion: EXTERNALS_API_VERSION,
      kind: 'External',
      metadata: { ...(typeof e.namespace === 'string' ? { namespace: e.namespace } : {}), name: `${e.kind.toLowerCase()}/${e.name}` },
      spec: { apiVersion: e.apiVersion, kind: e.kind, keys: e.keys, providedBy: e.providedBy, note: e.note, usedBy: e.usedBy },
    });
  }
  return out;
}
