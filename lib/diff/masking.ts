import { FieldPath, PathSegment } from './field-path';

/** What a masked value is printed as. The diff still reports that the field changed. */
export const MASKED = '(masked)';

/** Field names that hold credentials. */
const CREDENTIAL = /pass(word|wd|phrase)|token|secret|credential|api[-_.]?key|private[-_.]?key|access[-_.]?key|ssh[-_.]?key|auth[-_.]?key|bearer|htpasswd|dockerconfig|\.key$|\.pem$|^key$/i;
/** ...unless the name says it is a reference to a secret rather than the secret itself. */
const REFERENCE = /(name|names|ref|refs|namespace|selector|path|file|kind)$/i;
/** Values that are key material or tokens whatever their field is called. */
const SECRET_VALUE = /-----BEGIN [A-Z ]*PRIVATE KEY-----|^(glpat-|ghp_|gho_|github_pat_|xox[abpr]-|sk-[A-Za-z0-9]{20})/;

/** True when a field name holds a credential (`password`, `apiToken`, `tls.key`) rather than a reference to one (`secretName`). */
export function isCredentialName(name: string): boolean {
  if (name === 'key') return false; // secretKeyRef.key, matchExpressions.key, tolerations.key: names, not material
  return CREDENTIAL.test(name) && !REFERENCE.test(name);
}

function isReferenceSegment(seg: PathSegment): boolean {
  return typeof seg === 'string' && /Ref$|Refs$|KeyRef$|Selector$/i.test(seg) && seg !== 'ref';
}

/**
 * Whether the value at `path` of an object of `kind` must never be printed: every value under a
 * Secret's `data` or `stringData`; any field whose name looks like a credential; an env-style
 * `value` whose entry name looks like one (`env[name=DB_PASSWORD].value`). Anything under a
 * `...Ref` (secretKeyRef, secretRef) is a reference and stays visible.
 */
export function isSecretPath(kind: string, path: FieldPath): boolean {
  if (kind === 'Secret' && (path[0] === 'data' || path[0] === 'stringData')) return true;
  if (path.some(isReferenceSegment)) return false;
  for (let i = path.length - 1; i >= 0; i--) {
    const seg = path[i];
    if (typeof seg === 'string') {
      if (isCredentialName(seg)) return true;
      if (seg !== 'value') return false;
    } else if (typeof seg === 'object' && 'by' in seg) {
      return typeof seg.value === 'string' && isCredentialName(seg.value);
    }
  }
  return false;
}

/** True for strings that look like key material or tokens whatever their field is called. */
export function looksSecret(value: unknown): boolean {
  return typeof value === 'string' && SECRET_VALUE.test(value);
}

/**
 * A copy of `value` (found at `path` of an object of `kind`) safe to print: secret scalars become
 * {@link MASKED}; objects and lists are masked member by member so their shape stays visible
 * (Secret `data`/`stringData` keep their keys, every value masked).
 */
export function maskValue(kind: string, path: FieldPath, value: unknown): unknown {
  if (value === undefined) return undefined;
  if (kind === 'Secret' && (path[0] === 'data' || path[0] === 'stringData')) return maskWhole(value);
  if (value === null || typeof value !== 'object') return isSecretPath(kind, path) || looksSecret(value) ? MASKED : value;
  if (Array.isArray(value)) return value.map((v, i) => maskValue(kind, [...path, envKey(v) ?? i], v));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskValue(kind, [...path, k], v);
  return out;
}

/** env-style members ({name, value}) are matched by name, so `maskValue` sees `[name=DB_PASSWORD].value`. */
function envKey(v: unknown): PathSegment | undefined {
  const name = (v as any)?.name;
  return v !== null && typeof v === 'object' && typeof name === 'string' ? { by: 'name', value: name } : undefined;
}

function maskWhole(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) out[k] = MASKED;
    return out;
  }
  return MASKED;
}
