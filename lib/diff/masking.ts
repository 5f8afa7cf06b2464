import { detectSecret, isCredentialKey, isLiteralValue, isSecretWithData, MAX_PARSE, redactUrlCredentials, scanTree } from '../core/secret-scan';
import { FieldPath, PathSegment } from './field-path';

/** What a masked value is printed as. The diff still reports that the field changed. */
export const MASKED = '(masked)';

/** Field names that hold credentials. */
const CREDENTIAL = /pass(word|wd|phrase)|token|secret|credential|api[-_.]?key|private[-_.]?key|access[-_.]?key|ssh[-_.]?key|auth[-_.]?key|bearer|htpasswd|dockerconfig|\.key$|\.pem$|^key$/i;
/** ...unless the name says it is a reference to a secret rather than the secret itself. */
const REFERENCE = /(name|names|ref|refs|namespace|selector|path|file|kind)$|^(existing|use)[-_]?secret$/i;

/** True when a field name holds a credential (`password`, `apiToken`, `tls.key`) rather than a reference to one (`secretName`). */
export function isCredentialName(name: string): boolean {
  if (name === 'key') return false; // secretKeyRef.key, matchExpressions.key, tolerations.key: names, not material
  return (CREDENTIAL.test(name) && !REFERENCE.test(name)) || isCredentialKey(name);
}

function isReferenceSegment(seg: PathSegment): boolean {
  return typeof seg === 'string' && /Ref$|Refs$|KeyRef$|Selector$/i.test(seg) && seg !== 'ref';
}

/**
 * Whether the value at `path` of an object of `kind` must never be printed: every value under a
 * Secret's `data` or `stringData` (also of a Secret embedded in a list: Template `objects`, List
 * `items`); any field whose name looks like a credential; an env-style `value` whose entry name
 * looks like one (`env[name=DB_PASSWORD].value`). Anything under a `...Ref` (secretKeyRef,
 * secretRef) is a reference and stays visible, as do `secret`/`key` members of a credential
 * field (the chart convention `password: {secret: <Secret name>, key: <key>}`).
 */
export function isSecretPath(kind: string, path: FieldPath): boolean {
  if (kind === 'Secret' && (path[0] === 'data' || path[0] === 'stringData')) return true;
  if (path.some(isReferenceSegment)) return false;
  for (let i = 1; i < path.length; i++) {
    if ((path[i] === 'data' || path[i] === 'stringData') && typeof path[i - 1] !== 'string' && i < path.length - 1) return true;
  }
  for (let i = path.length - 1; i >= 0; i--) {
    const seg = path[i];
    if (typeof seg === 'string') {
      if ((seg === 'secret' || seg === 'key') && i > 0 && typeof path[i - 1] === 'string' && isCredentialName(path[i - 1] as string)) return false;
      if (isCredentialName(seg)) return true;
      if (seg !== 'value') return false;
    } else if (typeof seg === 'object' && 'by' in seg) {
      return typeof seg.value === 'string' && isCredentialName(seg.value);
    }
  }
  return false;
}

/**
 * True for strings that hold key material, tokens, credentials in URLs, cloud-config passwords,
 * registry credentials or embedded Secrets, whatever their field is called (see secret-scan).
 */
export function looksSecret(value: unknown): boolean {
  return typeof value === 'string' && detectSecret(value) !== undefined;
}

/** JSON/YAML-style `key: value` and `key = value` lines whose key names a credential, and netrc `password` tokens. */
const CREDENTIAL_LINE = /^([ \t]*(?:-[ \t]+)?(?:export[ \t]+)?["']?([A-Za-z0-9_.-]{1,128})["']?[ \t]*[:=][ \t]*)([^\r\n]*)$/gm;
const NETRC_PASSWORD = /(\bpassword\s+)(?!\(masked\))(\S+)/g;

/** `s` with the value of every credential line masked (`password: x` -> `password: (masked)`), keeping the rest visible. */
function maskCredentialLines(s: string): string {
  let out = s.replace(CREDENTIAL_LINE, (all, head: string, key: string, value: string) => {
    const v = value.trim().replace(/,$/, '').replace(/^["']|["']$/g, '');
    return isCredentialName(key) && isLiteralValue(v) && !/^(?:[|>][-+]?\d*|\{\s*\}|\[\s*\])$/.test(v) ? `${head}${/,\s*$/.test(value) ? `"${MASKED}",` : MASKED}` : all;
  });
  if (/\bmachine\s+\S+|\bdefault\b/.test(out)) out = out.replace(NETRC_PASSWORD, `$1${MASKED}`);
  return out;
}

/**
 * A printable form of a string that is not secret by its field name: URLs with credentials keep
 * everything but the user info (`https://***@host/repo.git`); JSON documents (annotations such
 * as `kubectl.kubernetes.io/last-applied-configuration`, a ConfigMap's `config.json`) are parsed
 * (up to MAX_PARSE) and masked inside by field name and content, whether or not the content
 * detector fired, and printed again; config files with credential keys (YAML, TOML, .env,
 * netrc) have those values masked line by line; anything else holding a secret is {@link MASKED}.
 */
export function maskString(s: string): string {
  const t = s.trimStart();
  if ((t.startsWith('{') || t.startsWith('[')) && s.length <= MAX_PARSE) {
    let doc: unknown;
    let parsed = true;
    try {
      doc = JSON.parse(s);
    } catch {
      parsed = false;
    }
    if (parsed && doc !== null && typeof doc === 'object') {
      const inner = typeof (doc as any).kind === 'string' ? (doc as any).kind : '';
      const masked = maskValue(inner, [], doc);
      const indent = s.includes('\n') ? 2 : undefined;
      const text = JSON.stringify(masked, null, indent);
      if (text === JSON.stringify(doc, null, indent) && !detectSecret(s)) return s;
      // Defensive second look: embedded Secrets now carry only MASKED values; anything else left is masked whole.
      const left = detectSecret(text);
      return (left && !left.includes('Secret')) || scanTree(masked).some((h) => !h.what.includes('Secret')) ? MASKED : text;
    }
  }
  const what = detectSecret(s);
  if (!what) return s;
  const redacted = redactUrlCredentials(s);
  if (redacted !== s && !detectSecret(redacted)) return redacted;
  if (s.length <= MAX_PARSE) {
    const lines = maskCredentialLines(s);
    if (lines !== s && !detectSecret(lines)) return lines;
    const cloud = maskCloudConfigLines(lines);
    if (cloud !== undefined) return cloud;
  }
  return MASKED;
}

/** `#cloud-config` on the first line (optionally after cloud-init's Jinja header), as secret-scan reads it. */
const CLOUD_CONFIG_HEAD = /^\s*(?:##\s*template:\s*jinja[ \t]*\r?\n\s*)?#cloud-config\b/;
/** Shell that sets a password (runcmd/bootcmd lines, write_files content): masked as a whole line. */
const PASSWORD_COMMAND = /\b(?:chpasswd|passwd|usermod|useradd|openssl\s+passwd|mkpasswd|htpasswd)\b/;

/**
 * Cloud-config user data with the secret-bearing lines masked and every other line kept, so a
 * review still sees `ssh_pwauth: true` next to a password (review 17 M7). Masked: values of
 * credential keys (done before, {@link maskCredentialLines}), every line of a `list:` block
 * (cc_set_passwords `chpasswd.list`, `user:password` lines; the user name stays), and lines that
 * run a password command. Kept only when the lines left unmasked hold no secret at all
 * (detectSecret over them); otherwise undefined (the caller masks the whole value).
 */
function maskCloudConfigLines(s: string): string | undefined {
  if (!CLOUD_CONFIG_HEAD.test(s)) return undefined;
  const lines = s.split('\n');
  const indent = (l: string) => /^[ \t]*/.exec(l)![0].length;
  let block: number | undefined; // indentation of the `list:` key whose block is being masked
  const out = lines.map((l) => {
    if (block !== undefined) {
      if (l.trim() === '' || indent(l) > block) {
        if (l.trim() === '') return l;
        const m = /^([ \t]*)([^:\s]+):/.exec(l);
        return m ? `${m[1]}${m[2]}:${MASKED}` : `${/^[ \t]*/.exec(l)![0]}${MASKED}`;
      }
      block = undefined;
    }
    const list = /^([ \t]*)list[ \t]*:[ \t]*([|>][-+]?\d*)?[ \t]*(.*)$/.exec(l);
    if (list) {
      if (list[3] !== '' && !list[3].startsWith('#')) return `${list[1]}list: ${MASKED}`;
      block = list[1].length;
      return l;
    }
    if (PASSWORD_COMMAND.test(l) && !/^[ \t]*#/.test(l) && !/^[ \t]*(?:-[ \t]+)?[\w.-]+[ \t]*:[ \t]*$/.test(l)) return `${/^[ \t]*(?:-[ \t]+)?/.exec(l)![0]}${MASKED}`;
    return l;
  });
  const visible = out.filter((l) => !l.includes(MASKED)).join('\n');
  return detectSecret(visible) ? undefined : out.join('\n');
}

/**
 * Fields that hold the NAME of a Secret although their name says credential, by kind. The GitLab
 * Runner Operator's Runner takes the token Secret's name in `spec.token` and the cache
 * credentials Secret's name in `spec.<s3|gcs|azure>.credentials` (gitlab-runner-operator
 * api/v1beta2 runner_types.go; the CR example in gitlab.com/gitlab-org/gl-openshift/
 * gitlab-runner-operator issue 191 sets `token: gitlab-runner-auth-secret`; lib/gitlab/runner.ts).
 */
const SECRET_NAME_FIELDS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  Runner: [['spec', 'token'], ['spec', 's3', 'credentials'], ['spec', 'gcs', 'credentials'], ['spec', 'azure', 'credentials']],
};

/** PEM blocks that are public by definition (a certificate, a public key). */
const PUBLIC_PEM = /^-----BEGIN (CERTIFICATE|TRUSTED CERTIFICATE|PUBLIC KEY|RSA PUBLIC KEY|PGP PUBLIC KEY BLOCK|X509 CRL)-----$/;

/**
 * True for text made only of public PEM blocks (CA bundles, certificates, encryption recipients
 * such as `recipient.pem`): a field name like `ca.pem` or `tls.crt` does not make them secret, and
 * a change to a certificate must stay readable. Anything else (a private key, other text) is not.
 */
export function isPublicPem(value: unknown): boolean {
  if (typeof value !== 'string' || detectSecret(value) !== undefined) return false;
  const begins = value.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('-----BEGIN '));
  return begins.length > 0 && begins.every((l) => PUBLIC_PEM.test(l)) && !/PRIVATE/.test(value);
}

/** A Kubernetes object name (DNS subdomain): what a Secret reference holds. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * Whether the string at `path` names a Secret rather than holding one: a field listed in
 * {@link SECRET_NAME_FIELDS} for its kind, or `secret` next to a `key` (the chart convention
 * `{secret: <Secret name>, key: <key>}` of the GitLab chart's `global.*.secret` values), when the
 * value is an object name.
 */
function isSecretNameRef(kind: string, path: FieldPath, value: unknown, parent: unknown): boolean {
  if (typeof value !== 'string' || !OBJECT_NAME.test(value)) return false;
  const fields = SECRET_NAME_FIELDS[kind];
  if (fields && fields.some((f) => f.length === path.length && f.every((k, i) => path[i] === k))) return true;
  const last = path[path.length - 1];
  return last === 'secret' && parent !== null && typeof parent === 'object' && typeof (parent as any).key === 'string';
}

/**
 * A copy of `value` (found at `path` of an object of `kind`) safe to print: secret scalars become
 * {@link MASKED}; objects and lists are masked member by member so their shape stays visible
 * (Secret `data`/`stringData` keep their keys, every value masked; so do Secrets embedded in
 * other objects); strings are masked by content too ({@link maskString}). On/off values are never
 * secret (`automountServiceAccountToken: false`); names of Secrets stay visible. `parent` is the
 * object holding `value` (so `{secret: name, key: k}` is seen as a reference).
 */
export function maskValue(kind: string, path: FieldPath, value: unknown, parent?: unknown): unknown {
  return mask(kind, path, value, 0, parent);
}

const MAX_DEPTH = 128;

function mask(kind: string, path: FieldPath, value: unknown, depth: number, parent?: unknown): unknown {
  if (value === undefined) return undefined;
  if (kind === 'Secret' && (path[0] === 'data' || path[0] === 'stringData')) return maskWhole(value);
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'boolean') return value; // one bit is no secret material
    if (isSecretNameRef(kind, path, value, parent)) return value;
    if (!(kind === 'Secret' && (path[0] === 'data' || path[0] === 'stringData')) && isPublicPem(value)) return value;
    // Numbers and on/off values under a name that merely mentions a credential (`passwordMinLength: 8`,
    // `requirePassword: true`) stay visible; under a credential name proper (`password: 1234`) they are masked.
    if (isSecretPath(kind, path)) {
      const last = path[path.length - 1];
      const mentionOnly = typeof last === 'string' && last !== 'value' && !isCredentialKey(last) && !path.some((p) => p === 'data' || p === 'stringData');
      return mentionOnly && typeof value !== 'string' ? value : MASKED;
    }
    return typeof value === 'string' ? maskString(value) : value;
  }
  if (depth > MAX_DEPTH) return MASKED;
  if (Array.isArray(value)) return value.map((v, i) => mask(kind, [...path, envKey(v) ?? i], v, depth + 1, value));
  const embeddedSecret = path.length > 0 && isSecretWithData(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = embeddedSecret && (k === 'data' || k === 'stringData') ? maskWhole(v) : mask(kind, [...path, k], v, depth + 1, value);
  }
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
