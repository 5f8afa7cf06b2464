import * as yaml from 'js-yaml';
import { gunzipSync } from 'zlib';

/**
 * Content-based secret detection, shared by construct validation, the `no-literal-secrets`
 * policy, `ocpkit diff` masking and every error message (`show()` redacts through it).
 *
 * Everything here is linear in the input: one cheap pre-filter per string, then a few anchored
 * patterns; embedded JSON/YAML and cloud-config are parsed only when a marker is present and the
 * text is below {@link MAX_PARSE}. Findings describe *what* was found, never the value.
 */

/** Strings longer than this are scanned in their first MAX_SCAN characters only. */
export const MAX_SCAN = 4 * 1024 * 1024;
/** Embedded JSON/YAML/cloud-config documents are parsed up to this size. */
export const MAX_PARSE = 256 * 1024;

/**
 * Token formats with a documented, distinctive prefix.
 * - GitLab: https://docs.gitlab.com/ee/security/tokens/#token-prefixes
 * - GitHub: https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/
 * - Slack: https://api.slack.com/authentication/token-types
 * - AWS access key ids: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
 * - OpenAI/Anthropic `sk-`, Stripe `sk_live_`/`rk_live_`, Google `AIza` API keys.
 * - OpenShift OAuth access tokens (`oc whoami -t`, kubeconfig `token:`): `sha256~` and URL-safe
 *   unpadded base64, at least 32 characters (OAuthAccessToken in
 *   https://docs.okd.io/latest/rest_api/oauth_apis/oauth-apis-index.html, OpenShift 4.6 and later).
 */
const TOKENS: readonly (readonly [RegExp, string])[] = [
  [/(?<![A-Za-z0-9])(?:glpat|glrt|gldt|glptt|glcbt|glimt|glft|gloas|glsoat|glagent|glffct)-[A-Za-z0-9_.-]{20,}/, 'a GitLab token'],
  [/(?<![A-Za-z0-9])GR1348941[A-Za-z0-9_-]{20,}/, 'a GitLab runner registration token'],
  [/(?<![A-Za-z0-9])gh[pousr]_[A-Za-z0-9]{36,}/, 'a GitHub token'],
  [/(?<![A-Za-z0-9])github_pat_[A-Za-z0-9_]{22,}/, 'a GitHub token'],
  [/(?<![A-Za-z0-9])xox[abposr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/(?<![A-Za-z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Za-z])/, 'an AWS access key id'],
  [/(?<![A-Za-z0-9_-])sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}/, 'an API secret key (sk-...)'],
  [/(?<![A-Za-z0-9])[rs]k_live_[A-Za-z0-9]{16,}/, 'a Stripe secret key'],
  [/(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}/, 'a Google API key'],
  [/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/, 'a JSON Web Token'],
  [/(?<![A-Za-z0-9])sha256~[A-Za-z0-9_-]{32,}/, 'an OpenShift OAuth token (sha256~...)'],
];
const TOKEN_ANY = new RegExp(TOKENS.map(([r]) => r.source).join('|'), 'g');

/** PEM private keys (PKCS#1/#8, EC, DSA, OpenSSH, encrypted, PGP) and PuTTY key files. */
const PEM_PRIVATE = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-\d/;
/** "-----BEGIN" in base64 at each of the three byte alignments. */
const B64_PEM = /LS0tLS1CRUdJTi|LS0tQkVHSU4|LS0tLUJFR0lO/g;
/** `{"auths":` in base64 (a base64 `.dockerconfigjson`). */
const B64_AUTHS = /eyJhdXRocyI6/g;
/** Docker config JSON with credentials (`auths.<registry>.auth|password|identitytoken`), and legacy `.dockercfg`. */
const DOCKER_AUTH = /"(?:auth|password|identitytoken|registrytoken)"\s*:\s*"[^"\s]/;
const DOCKER_AUTHS = /"auths"\s*:/;
/** Legacy `.dockercfg`: `{"<registry>": {"auth": "<base64 user:password>"}}`. */
const DOCKERCFG_AUTH = /"auth"\s*:\s*"[A-Za-z0-9+/]{8,}={0,2}"/;

/** `scheme://userinfo@`: userinfo without `/ ? # @`, whitespace or quotes (RFC 3986 section 3.2.1). */
const URL_USERINFO = /\b([A-Za-z][A-Za-z0-9+.-]{0,31}):\/\/([^\s/?#@'"<>\\]{1,512})@/g;
/** A whole value `user:password@host/...` or `user:password@host:path` (image references, scp-like Git URLs). */
const BARE_USERINFO = /^([^\s@:/]{1,256}):([^\s@/]{1,512})@([A-Za-z0-9.-]+)(?::\d+)?[:/]/;

/**
 * Placeholders that stand for a secret without being one: `$TOKEN`, `${TOKEN}`, `$(TOKEN)`,
 * `{{ .token }}`, `***`, `%TOKEN%`, `<password>`, the diff's `(masked)`, SOPS ciphertext
 * `ENC[AES256_GCM,...]`, and Argo CD's `$<secret>:<key>` / `$oidc.keycloak.clientSecret`
 * references (https://argo-cd.readthedocs.io/en/stable/operator-manual/user-management/#sensitive-data-and-sso-client-secrets).
 */
const PLACEHOLDER = /^(?:\$[A-Za-z_][A-Za-z0-9_.:-]*|\$\{[^}]{1,256}\}|\$\([A-Za-z_][A-Za-z0-9_]*\)|\{\{[^}]{0,256}\}\}|\*+|%[A-Za-z_][A-Za-z0-9_]*%|<[^<>]{1,64}>|\(masked\)|\(hidden[^)]{0,200}\)|ENC\[[A-Z0-9_]+,[^\]]*\])$/;

/** Crypt(3) password hashes (`$6$salt$hash`, bcrypt `$2y$10$...`, yescrypt `$y$j9T$salt$hash`, Apache `$apr1$`): crackable offline, so a secret too. */
const CRYPT_HASH = /(?<![A-Za-z0-9$])\$(?:1|2[abxy]|5|6|7|y|gy|apr1|md5|sha1)\$(?:[A-Za-z0-9=,./]{1,64}\$){1,3}[./A-Za-z0-9]{22,}/;

/** Cheap pre-filter: a string without any of these can hold none of the secrets detected here. */
const QUICK = /-----BEGIN|PuTTY-User|LS0tL|LS0tQkVH|eyJ|gl[a-z]{1,6}-|GR1348941|gh[pousr]_|github_pat_|xox[abposr]-|A[KS]IA|sk-|[rs]k_live_|AIza|sha256~|@|cloud-config|"auths?"|"password"|"identitytoken"|Secret|passwd|user(?:add|mod)|\$(?:1|2[abxy]|5|6|7|y|gy|apr1|md5|sha1)\$/;

/** True for a stand-in such as `$(TOKEN)` or `{{ .token }}`. */
export function isPlaceholder(s: string): boolean {
  return PLACEHOLDER.test(s);
}

function userinfoIsSecret(scheme: string, userinfo: string): boolean {
  const colon = userinfo.indexOf(':');
  if (colon >= 0) {
    const password = userinfo.slice(colon + 1);
    return password !== '' && !isPlaceholder(password);
  }
  if (userinfo === '' || isPlaceholder(userinfo)) return false;
  if (tokenKind(userinfo)) return true;
  // A user name alone is no secret over ssh (`ssh://git@host`), but over http(s) it is how
  // tokens are passed (`https://<token>@host`, `https://oauth2@host`); only `git@` is common there.
  return /^https?$/i.test(scheme) && userinfo !== 'git';
}

/** True when `s` is or contains a URL whose user info carries a password or token. */
export function hasUrlCredentials(s: string): boolean {
  if (typeof s !== 'string' || !s.includes('@')) return false;
  URL_USERINFO.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = URL_USERINFO.exec(s)) !== null) if (userinfoIsSecret(m[1], m[2])) return true;
  const b = BARE_USERINFO.exec(s);
  return !!b && !/^sha(256|384|512)$/i.test(b[3]) && b[2] !== '' && !isPlaceholder(b[2]);
}

/** `s` with the user info of every URL that carries credentials replaced by `***`. */
export function redactUrlCredentials(s: string): string {
  if (!s.includes('@')) return s;
  let out = s.replace(URL_USERINFO, (all, scheme: string, userinfo: string) => (userinfoIsSecret(scheme, userinfo) ? `${scheme}://***@` : all));
  const b = BARE_USERINFO.exec(out);
  if (b && !/^sha(256|384|512)$/i.test(b[3]) && b[2] !== '' && !isPlaceholder(b[2])) out = `***@${out.slice(b[1].length + b[2].length + 2)}`;
  return out;
}

function tokenKind(s: string): string | undefined {
  for (const [r, what] of TOKENS) if (r.test(s)) return what;
  return undefined;
}

/** At most this many base64 markers are decoded per string (each costs a fixed, small slice). */
const MAX_MARKERS = 64;

/**
 * Each "-----BEGIN" marker (at any of the three alignments) starts a base64 group, so the text
 * from the marker decodes on its own; 160 characters are enough to reach "PRIVATE KEY".
 */
function base64PrivateKey(s: string): boolean {
  B64_PEM.lastIndex = 0;
  let m: RegExpExecArray | null;
  for (let n = 0; n < MAX_MARKERS && (m = B64_PEM.exec(s)) !== null; n++) {
    const chunk = s.slice(m.index, m.index + 200).replace(/\s+/g, '');
    const run = /^[A-Za-z0-9+/]+/.exec(chunk)?.[0] ?? '';
    const text = Buffer.from(run.slice(0, Math.min(160, run.length - (run.length % 4))), 'base64').toString('latin1');
    if (/BEGIN [A-Z0-9 ]*PRIVATE KEY/.test(text)) return true;
  }
  return false;
}

function base64DockerConfig(s: string): boolean {
  B64_AUTHS.lastIndex = 0;
  let m: RegExpExecArray | null;
  for (let n = 0; n < 4 && (m = B64_AUTHS.exec(s)) !== null; n++) {
    const run = /^[A-Za-z0-9+/]+={0,2}/.exec(s.slice(m.index, m.index + 65536))?.[0] ?? '';
    const text = Buffer.from(run.slice(0, run.length - (run.length % 4)), 'base64').toString('utf8');
    if (DOCKER_AUTH.test(text)) return true;
    B64_AUTHS.lastIndex = m.index + Math.max(run.length, 1);
  }
  return false;
}

/** One shell command segment: no `|`, `;`, `&`, newline, `)` or backquote, at most 512 characters. */
const SEGMENT = 512;

/** Strips one level of shell or YAML/JSON quoting from an argument. */
function unquote(a: string): string {
  const t = a.trim().replace(/^[\["',\s]+|[\]"',\s]+$/g, '');
  return t;
}

/** True when an argument given to a password command is a literal (not `$VAR`, `"${PW}"`, `$(cat file)`). */
function literalArg(a: string | undefined): boolean {
  if (a === undefined) return false;
  const t = unquote(a);
  return t !== '' && !t.startsWith('$') && !isPlaceholder(t);
}

/** Words of a segment, with quoted parts kept together. */
function words(seg: string): string[] {
  return seg.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
}

/**
 * What feeds a `| chpasswd` / `| passwd`: literal unless it is `cat <file>`, `< file`, or an
 * echo/printf of nothing but variables (`echo "root:$ROOT_PW" | chpasswd`).
 */
function literalFeed(seg: string): boolean {
  if (/\bcat\s+[^\s$][^\s]*\s*["'\]]*\s*$/.test(seg)) return false;
  const echo = /\b(?:echo|printf)\s+(?:-[A-Za-z]+\s+)*(.*)$/.exec(seg);
  const arg = echo ? echo[1] : /\byes\s+(.*)$/.exec(seg)?.[1];
  if (arg === undefined) return !/^[\s\["'\-,]*$/.test(seg) && !/<\s*\S+\s*$/.test(seg);
  // `user:` prefixes, printf's `\n` between the password and its confirmation, and quotes are not the password.
  const parts = unquote(arg).replace(/\\n/g, ' ').split(/\s+/).map((x) => x.replace(/^[A-Za-z_][A-Za-z0-9_.-]*:/, '')).filter((x) => x !== '');
  return parts.some((x) => !x.startsWith('$') && !isPlaceholder(x) && !/^["'%s\\]+$/.test(x));
}

/** The segment right before index `i` (back to the previous `|`, `;`, `&`, newline, `(` or backquote). */
function segmentBefore(s: string, i: number): string {
  const from = Math.max(0, i - SEGMENT);
  const part = s.slice(from, i);
  const m = /[|;&\n(`]/g;
  let last = -1;
  let x: RegExpExecArray | null;
  while ((x = m.exec(part)) !== null) last = x.index;
  return part.slice(last + 1);
}

/** Options of a password command that take a value (the value is not the password). */
const OPENSSL_OPTS = new Set(['-salt', '-in', '-out']);
const MKPASSWD_OPTS = new Set(['-m', '--method', '-S', '--salt', '-R', '--rounds', '-P', '--password-fd']);

/** The last word of `args` that is neither an option nor an option's value. */
function lastOperand(args: string[], withValue: Set<string>): string | undefined {
  let out: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (withValue.has(a)) i++;
    else if (!a.startsWith('-')) out = a;
  }
  return out;
}

/**
 * Shell commands that put a password (or its crypt hash) into a script:
 * - `... | chpasswd`, `... | passwd [--stdin] user`, `chpasswd <<EOF` / `passwd <<<` (here-documents
 *   and here-strings), unless what is fed is a file (`cat f |`, `< f`) or only variables;
 * - `useradd`/`usermod` `-p HASH` / `--password=HASH` (shadow-utils useradd(8), usermod(8));
 * - `openssl passwd [-6] [-salt s] PASSWORD` (openssl-passwd(1); `-stdin`/`-in file` read it elsewhere);
 * - `mkpasswd [-m method] PASSWORD` (mkpasswd(1); `-s`/`--stdin` reads it);
 * - `htpasswd -b[c] file user PASSWORD` (batch mode takes the password on the command line).
 * A crypt hash written anywhere is found by content (see {@link CRYPT_HASH}).
 */
function shellPassword(s: string): boolean {
  if (!/passwd|user(?:add|mod)/.test(s)) return false;
  const text = s.length > MAX_PARSE ? s.slice(0, MAX_PARSE) : s;
  const pipe = /\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:\S*\/)?(?:ch)?passwd\b(?!["']?\s*:)/g;
  let m: RegExpExecArray | null;
  for (let n = 0; n < MAX_MARKERS && (m = pipe.exec(text)) !== null; n++) if (literalFeed(segmentBefore(text, m.index))) return true;
  const here = /\b(?:ch)?passwd\b[^|;&\n]{0,512}?<<(-?)\s*(<?)\s*(["']?[^\s"']+)/g;
  for (let n = 0; n < MAX_MARKERS && (m = here.exec(text)) !== null; n++) if (m[2] !== '<' || literalArg(m[3])) return true;
  const cmd = /\b(useradd|usermod|openssl\s+passwd|mkpasswd|htpasswd)\b(?=([^|;&\n)`]{0,512}))/g;
  for (let n = 0; n < MAX_MARKERS && (m = cmd.exec(text)) !== null; n++) {
    const tool = m[1];
    const args = words(m[2]);
    if (tool === 'useradd' || tool === 'usermod') {
      for (let i = 0; i < args.length; i++) {
        const a = args[i];
        const eq = /^--password=(.*)$/.exec(a) ?? /^-[A-Za-z]*p(.+)$/.exec(a);
        if (eq && literalArg(eq[1])) return true;
        if ((a === '--password' || /^-[A-Za-z]*p$/.test(a)) && literalArg(args[i + 1])) return true;
      }
    } else if (tool.startsWith('openssl')) {
      if (!args.some((a) => a === '-stdin' || a === '-in') && literalArg(lastOperand(args, OPENSSL_OPTS))) return true;
    } else if (tool === 'mkpasswd') {
      if (!args.some((a) => a === '-s' || a === '--stdin') && literalArg(lastOperand(args, MKPASSWD_OPTS))) return true;
    } else if (args.some((a) => /^-[A-Za-z]*b/.test(a))) {
      const operands = args.filter((a) => !a.startsWith('-'));
      const needed = args.some((a) => /^-[A-Za-z]*n/.test(a)) ? 2 : 3; // -n prints instead of writing a file
      if (operands.length >= needed && literalArg(operands[needed - 1])) return true;
    }
  }
  return false;
}

/** True when a shell command sets a password inline (see {@link shellPassword}). */
export function setsPasswordInShell(cmd: string): boolean {
  return typeof cmd === 'string' && shellPassword(cmd);
}

/**
 * Cloud-config user data: `#cloud-config` on the first line, optionally after cloud-init's Jinja
 * header `## template: jinja`
 * (https://cloudinit.readthedocs.io/en/latest/explanation/instancedata.html#using-instance-data).
 */
const CLOUD_CONFIG = /^\s*(?:##\s*template:\s*jinja[ \t]*\r?\n\s*)?#cloud-config\b/;

/**
 * Passwords in a cloud-config document. Hashed passwords count too: a crypt hash in Git can be
 * cracked offline. Keys from https://cloudinit.readthedocs.io/en/latest/reference/modules.html
 * (cc_set_passwords: `password`, `chpasswd.list`, `chpasswd.users`; cc_users_groups:
 * `users[].passwd`, `plain_text_passwd`, `hashed_passwd`), and runcmd/bootcmd entries and
 * write_files contents that set a password from the shell.
 */
function cloudConfigPassword(text: string): boolean {
  let doc: any;
  try {
    doc = yaml.load(text.slice(0, MAX_PARSE), { schema: yaml.JSON_SCHEMA, json: true });
  } catch {
    // Unparsable (a Jinja template, a typo): fall back to line patterns.
    return /^\s*(?:-\s*)?(?:password|passwd|plain_text_passwd|hashed_passwd)\s*:\s*[^\s{]/m.test(text) || /^\s*chpasswd\s*:[\s\S]*?^\s*(?:list|users)\s*:/m.test(text) || shellPassword(text);
  }
  if (!doc || typeof doc !== 'object') return false;
  const filled = (v: unknown) => (typeof v === 'string' ? v.trim() !== '' && !isPlaceholder(v.trim()) : typeof v === 'number' || (Array.isArray(v) && v.length > 0));
  if (filled(doc.password)) return true;
  const ch = doc.chpasswd;
  if (ch && typeof ch === 'object' && (filled(ch.list) || (Array.isArray(ch.users) && ch.users.some((u: any) => filled(u?.password))))) return true;
  if (Array.isArray(doc.users) && doc.users.some((u: any) => u && typeof u === 'object' && (filled(u.passwd) || filled(u.plain_text_passwd) || filled(u.hashed_passwd)))) return true;
  for (const key of ['runcmd', 'bootcmd']) {
    const list = doc[key];
    if (Array.isArray(list) && list.some((c: unknown) => shellPassword(Array.isArray(c) ? c.join(' ') : String(c)))) return true;
  }
  if (Array.isArray(doc.write_files) && doc.write_files.some((f: any) => typeof f?.content === 'string' && shellPassword(f.content))) return true;
  return false;
}

/** A v1 Secret object with values (`data` or `stringData` not empty). */
export function isSecretWithData(o: any): boolean {
  if (!o || typeof o !== 'object' || o.kind !== 'Secret' || (o.apiVersion !== 'v1' && o.apiVersion !== undefined)) return false;
  return ['data', 'stringData'].some((f) => {
    const v = o[f];
    return v !== undefined && v !== null && (typeof v !== 'object' || Object.keys(v).length > 0);
  });
}

/** `kind: Secret` in any quoting or flow style (`"kind": "Secret"`, `{kind: Secret, ...}`, `'kind': Secret`). */
const EMBEDDED_SECRET = /["']?\bkind["']?\s*:\s*["']?Secret["']?\s*(?:[,}\r\n]|$)/;

/**
 * A key that names a credential, at the start of a line, after `{` or `,` (JSON, YAML block or
 * flow, TOML, INI, properties, .env): `"password":`, `db_password =`, `{token: ...}`.
 */
const CREDENTIAL_KEY_MARK = /(?:^|[{,])[ \t]*(?:-[ \t]+)?(?:export[ \t]+)?["']?([A-Za-z0-9_.-]{0,64}?(?:pass(?:word|wd|phrase)?|pwd|secret|token|credentials?|api[-_]?key|private[-_]?key|access[-_]?key|auth[-_]?key))["']?[ \t]*[:=]/gim;

/** A netrc entry with a password (`machine host login user password pw`), by the token grammar of netrc(5). */
const NETRC = /(?:^|\s)(?:machine\s+\S+|default)(?:\s+(?:login|account|port)\s+\S+)*\s+password\s+(\S+)/g;

function hasCredentialKeyMark(s: string): boolean {
  CREDENTIAL_KEY_MARK.lastIndex = 0;
  let m: RegExpExecArray | null;
  for (let n = 0; n < MAX_MARKERS && (m = CREDENTIAL_KEY_MARK.exec(s)) !== null; n++) if (isCredentialKey(m[1])) return true;
  return false;
}

/** `key: value` / `key = value` lines (of a file that is not JSON/YAML: TOML, INI, .env, a script) with a literal under a credential key. */
function credentialLine(s: string): string | undefined {
  const line = /^[ \t]*(?:-[ \t]+)?(?:export[ \t]+)?["']?([A-Za-z0-9_.-]{1,128})["']?[ \t]*[:=][ \t]*([^\r\n]*)$/gm;
  let m: RegExpExecArray | null;
  for (let n = 0; n < 4096 && (m = line.exec(s)) !== null; n++) {
    if (!isCredentialKey(m[1])) continue;
    const v = m[2].replace(/\s+#.*$/, '').replace(/,\s*$/, '').trim();
    if (/^(?:[|>][-+]?\d*|\{\s*\}|\[\s*\]|~|null|""|'')?$/.test(v) || v.startsWith('$') || v.startsWith('{') || v.startsWith('[')) continue;
    if (isLiteralValue(unquote(v))) return m[1];
  }
  return undefined;
}

/**
 * Embedded documents in text: JSON (annotations such as `last-applied-configuration`, a
 * ConfigMap's `config.json`), YAML (block or flow), netrc, TOML/INI/.env. Parsed (up to
 * {@link MAX_PARSE}) only when the text has a marker: `kind: Secret` in any quoting, or a key
 * that names a credential. Finds embedded Secrets with data, other secrets inside, and literal
 * values under credential keys (`{"db":{"password":"..."}}`, kubeconfig `token:`).
 */
function embeddedSecret(s: string, depth: number): string | undefined {
  if (depth > 3) return undefined;
  NETRC.lastIndex = 0;
  let nm: RegExpExecArray | null;
  for (let n = 0; n < MAX_MARKERS && (nm = NETRC.exec(s)) !== null; n++) if (literalArg(nm[1])) return 'a password in a netrc file (machine ... password ...)';
  const secretMark = EMBEDDED_SECRET.test(s);
  const credMark = hasCredentialKeyMark(s);
  if (!secretMark && !credMark) return undefined;
  if (s.length > MAX_PARSE) return secretMark && /\b(?:data|stringData)["']?\s*:/.test(s) ? 'a Secret manifest with data (too large to parse)' : credMark ? credentialLine(s.slice(0, MAX_PARSE)) && 'a literal value under a credential key' : undefined;
  let docs: unknown[] | undefined;
  const t = s.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      docs = [JSON.parse(s)];
    } catch {
      docs = undefined;
    }
  }
  if (!docs) {
    try {
      docs = yaml.loadAll(s, undefined, { schema: yaml.JSON_SCHEMA, json: true });
    } catch {
      docs = undefined;
    }
  }
  const objects = docs?.filter((d) => d !== null && typeof d === 'object');
  if (!objects || objects.length === 0) {
    // Not JSON or YAML (a script, TOML, INI, a Jinja template): the line grammar.
    if (secretMark && /\b(?:data|stringData)["']?\s*:/.test(s)) return 'a Secret manifest with data';
    const key = credMark ? credentialLine(s) : undefined;
    return key ? `a literal value under the credential key ${JSON.stringify(key)}` : undefined;
  }
  const hits = scanTree(objects, { depth: depth + 1, maxNodes: 100_000 });
  if (hits.length) return hits.some((h) => h.what.includes('Secret')) ? 'an embedded Secret manifest with data' : hits[0].what;
  const cred = credMark ? credentialKeyValues(objects, 100_000) : [];
  if (cred.length) {
    const key = [...cred[0].path].reverse().find((p) => typeof p === 'string' && isCredentialKey(p));
    return `a literal value under the credential key ${JSON.stringify(key ?? '')}`;
  }
  return undefined;
}

/** Base64 text at least this long is decoded and scanned (`userDataBase64`, ConfigMap `binaryData`, `...Base64` fields). */
const MIN_BASE64 = 16;

/**
 * The text a base64 string encodes (standard or URL-safe alphabet, wrapped at any width, gzip
 * inside allowed as cloud-init allows it), or undefined when it is not base64 of text. Bounded:
 * at most {@link MAX_PARSE} characters are decoded and decompressed.
 */
function base64Text(s: string): string | undefined {
  if (s.length < MIN_BASE64) return undefined;
  const head = s.length > MAX_PARSE ? s.slice(0, MAX_PARSE) : s;
  if (!/^\s*[A-Za-z0-9+/_-]+(?:[ \t]*\r?\n[ \t]*[A-Za-z0-9+/_-]+)*={0,2}\s*$/.test(head)) return undefined;
  let b = head.replace(/\s+/g, '').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/_-]+$/.test(b) || b.length < MIN_BASE64) return undefined;
  b = b.slice(0, b.length - (b.length % 4 === 1 ? 1 : 0));
  let buf = Buffer.from(b.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (buf.length > 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf, { maxOutputLength: MAX_PARSE });
    } catch {
      return undefined;
    }
  }
  const text = buf.toString('utf8');
  // Text only: no control characters other than tab/newline/CR, no invalid UTF-8.
  return /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(text) ? undefined : text;
}

/**
 * What kind of secret `s` holds, or undefined: a private key (PEM, OpenSSH, PuTTY, or base64 of
 * one), a token with a known prefix, a URL with a password or token in its user info,
 * passwords in cloud-config user data, registry credentials (docker config `auths`), or an
 * embedded Secret manifest with data. The answer never contains the value.
 */
export function detectSecret(s: unknown, depth = 0): string | undefined {
  if (typeof s !== 'string' || s.length < 8) return undefined;
  if (depth !== 0) return detect(s, depth);
  if (s.length > MEMO_LENGTH) {
    // Long texts (cloud-init user data, config files) are parsed to be examined and are met
    // again by each check that scans their object: each is examined once too, within a budget.
    if (s.length > LONG_MEMO_CHARS) return detect(s, 0);
    const seen = LONG_MEMO.get(s);
    if (seen !== undefined) return seen === NOTHING ? undefined : seen;
    const found = detect(s, 0);
    longMemoChars += s.length;
    if (longMemoChars > LONG_MEMO_CHARS) {
      LONG_MEMO.clear();
      longMemoChars = s.length;
    }
    LONG_MEMO.set(s, found ?? NOTHING);
    return found;
  }
  // Manifests repeat most of their strings (kinds, labels, images, names): each is examined once.
  const known = MEMO.get(s);
  if (known !== undefined) return known === NOTHING ? undefined : known;
  const what = detect(s, 0);
  if (MEMO.size >= MEMO_ENTRIES) MEMO.clear();
  MEMO.set(s, what ?? NOTHING);
  return what;
}

/** Answers for longer strings, bounded by their total length (emptied when over it). */
const LONG_MEMO = new Map<string, string>();
const LONG_MEMO_CHARS = 8 * 1024 * 1024;
let longMemoChars = 0;

/**
 * Answers of {@link detectSecret} for short strings at the top level (it is a pure function of
 * its input). Bounded: at most MEMO_ENTRIES strings of at most MEMO_LENGTH characters (a few
 * megabytes), emptied when full.
 */
const MEMO = new Map<string, string>();
const MEMO_ENTRIES = 65_536;
const MEMO_LENGTH = 256;
/** Stands for "no secret" in MEMO (never a description, which is a sentence). */
const NOTHING = '';

function detect(s: string, depth: number): string | undefined {
  const text = s.length > MAX_SCAN ? s.slice(0, MAX_SCAN) : s;
  if (depth < 3) {
    const decoded = base64Text(text);
    if (decoded !== undefined) {
      const inner = detectSecret(decoded, depth + 1);
      if (inner) return /base64/.test(inner) ? inner : `a base64-encoded ${inner.replace(/^an? /, '')}`;
    } else {
      // Base64 inside a longer text (`echo <base64> | base64 -d | sh`): each run of 24+ characters, at most MAX_MARKERS.
      const run = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/]{24,}={0,2}(?![A-Za-z0-9+/_-])/g;
      let m: RegExpExecArray | null;
      for (let n = 0; n < MAX_MARKERS && (m = run.exec(text)) !== null; n++) {
        const inner = base64Text(m[0]);
        const what = inner === undefined ? undefined : detectSecret(inner, depth + 1);
        if (what) return /base64/.test(what) ? what : `a base64-encoded ${what.replace(/^an? /, '')}`;
      }
    }
  }
  if (QUICK.test(text)) {
    if (PEM_PRIVATE.test(text)) return 'a private key';
    const token = tokenKind(text);
    if (token) return token;
    if (hasUrlCredentials(text)) return 'a URL with a password or token in its user info';
    if (base64PrivateKey(text)) return 'a base64-encoded private key';
    if ((DOCKER_AUTHS.test(text) && DOCKER_AUTH.test(text)) || DOCKERCFG_AUTH.test(text)) return 'registry credentials (a docker config with "auths")';
    if (base64DockerConfig(text)) return 'base64-encoded registry credentials (a docker config with "auths")';
    if (CLOUD_CONFIG.test(text)) {
      if (cloudConfigPassword(text)) return 'a password in cloud-config user data (password, chpasswd, passwd, hashed_passwd or a command that sets a password)';
    } else if (shellPassword(text)) return 'a shell command that sets a password (chpasswd, passwd, useradd/usermod -p, openssl passwd, mkpasswd, htpasswd -b)';
    if (CRYPT_HASH.test(text)) return 'a password hash (crypt)';
  }
  // Every marker of embeddedSecret (a credential key, netrc `password`, `kind: Secret`) contains one of these.
  return /pass|pwd|secret|token|credential|key/i.test(text) ? embeddedSecret(text, depth) : undefined;
}

/**
 * `s` safe for a message: URL user info becomes `***`, tokens keep their prefix only
 * (`glpat-***`), private keys become `(private key)`; anything else detected replaces the whole
 * text with a note saying what it was.
 */
export function redactSecrets(s: string): string {
  if (typeof s !== 'string' || s.length < 8) return s;
  if (!QUICK.test(s.length > MAX_SCAN ? s.slice(0, MAX_SCAN) : s)) {
    const what = detectSecret(s);
    return what ? `(hidden: ${what})` : s;
  }
  let out = redactUrlCredentials(s);
  out = out.replace(TOKEN_ANY, (t) => `${/^[A-Za-z]+[-_](?:pat_)?/.exec(t)?.[0] ?? t.slice(0, 4)}***`);
  out = out.replace(/-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g, '(private key)');
  out = out.replace(new RegExp(CRYPT_HASH.source, 'g'), '(password hash)');
  const left = detectSecret(out);
  return left ? `(hidden: ${left})` : out;
}

/** Names of variables and keys that hold credentials (`DB_PASSWORD`, `apiToken`, `aws_secret_access_key`). */
const CREDENTIAL_NAME = /(?:password|passwd|passphrase|secret|token|credentials?|apikey|privatekey|secretkey|accesskey|authkey)$/;
/** ...except names that by convention hold the *name* of a Secret. */
const REFERENCE_NAME = /^(?:secret|existingsecret|usesecret|secretref)$/;

/** True when a variable or key name says it holds a credential (strict: the name must end in a credential word). */
export function isCredentialKey(name: unknown): boolean {
  if (typeof name !== 'string') return false;
  const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (REFERENCE_NAME.test(n)) return false;
  // Short forms only as a separate word (`DB_PASS`, `smtp.pwd`, `dbPass`), never `bypass`/`compass`; `PWD` alone is the working directory.
  return CREDENTIAL_NAME.test(n) || (n !== 'pwd' && (/(?:^|[_.-])(?:pass|pwd)$/i.test(name) || /[a-z0-9](?:Pass|Pwd)$/.test(name)));
}

/** True for a literal credential value: a non-empty string or a number that is not a placeholder or an on/off word. */
export function isLiteralValue(v: unknown): boolean {
  if (typeof v === 'number' || typeof v === 'bigint') return true;
  if (typeof v !== 'string') return false;
  const t = v.trim();
  return t !== '' && !isPlaceholder(t) && !/^(?:true|false|yes|no|on|off|none|null|disabled?|enabled?|required|optional)$/i.test(t);
}

/** One finding of {@link scanTree}: where (path from the root) and what (never the value). */
export interface SecretHit {
  readonly path: readonly (string | number)[];
  readonly what: string;
}

/** Options of {@link scanTree}. */
export interface ScanOptions {
  /** Paths (from the root) not to look at; called for every object member (the path array is only valid during the call). */
  readonly skip?: (path: readonly (string | number)[], key: string | number) => boolean;
  /**
   * Called for every value the walk reaches, before it is looked at, with its path (only valid
   * during the call): lets another check share this walk. Values below a skipped member, an
   * embedded Secret with data or the limits are not reached.
   */
  readonly visit?: (value: unknown, path: readonly (string | number)[]) => void;
  /** Stop after this many nodes (reported as a finding). @default 1_000_000 */
  readonly maxNodes?: number;
  /** @internal nesting of embedded documents */
  readonly depth?: number;
}

const MAX_DEPTH = 128;

/**
 * Walks a JSON-like tree (depth first, at most {@link MAX_DEPTH} levels, so the recursion is
 * bounded) and returns every place that holds a secret: strings by content
 * ({@link detectSecret}), embedded v1 Secrets with data, and env-style entries
 * (`{name: DB_PASSWORD, value: "..."}`) with a literal value under a credential name. A tree too
 * deep or too large to check is a finding itself. Shared (aliased) values are looked at once per
 * place they appear; the node budget bounds them.
 */
export function scanTree(root: unknown, options: ScanOptions = {}): SecretHit[] {
  // One path array, pushed and popped as the walk goes, copied only for a finding: a walk over
  // 30,000 manifests allocates nothing per value that holds no secret.
  const walk: ScanWalk = { hits: [], path: [], nodes: 0, max: options.maxNodes ?? 1_000_000, depth: options.depth ?? 0, skip: options.skip, visit: options.visit, stopped: false };
  scanValue(walk, root);
  const hits = walk.hits;
  return hits.length > 1 ? hits.sort((x, y) => cmpPath(x.path, y.path)) : hits;
}

/** State of one {@link scanTree} walk. */
interface ScanWalk {
  readonly hits: SecretHit[];
  /** Path of the value being looked at (the skip callback sees it; it is only valid during the call). */
  readonly path: (string | number)[];
  nodes: number;
  readonly max: number;
  readonly depth: number;
  readonly skip: ScanOptions['skip'];
  readonly visit: ScanOptions['visit'];
  /** The node budget ran out: nothing more is looked at. */
  stopped: boolean;
}

function scanValue(w: ScanWalk, v: unknown): void {
  if (++w.nodes > w.max) {
    w.hits.push({ path: [], what: `more than ${w.max} values, too many to check for secrets` });
    w.stopped = true;
    return;
  }
  if (w.visit) w.visit(v, w.path);
  if (typeof v === 'string') {
    const what = detectSecret(v, w.depth);
    if (what) w.hits.push({ path: [...w.path], what });
    return;
  }
  if (v === null || typeof v !== 'object') return;
  const path = w.path;
  if (path.length > MAX_DEPTH) {
    w.hits.push({ path: [...path], what: `nesting deeper than ${MAX_DEPTH} levels, too deep to check for secrets` });
    return;
  }
  if (path.length > 0 && isSecretWithData(v)) {
    w.hits.push({ path: [...path], what: `an embedded Secret ${JSON.stringify(String((v as any).metadata?.name ?? ''))} with literal data` });
    return;
  }
  const skip = w.skip;
  if (Array.isArray(v)) {
    // env-style entries of the whole list first, then its values
    for (let i = v.length - 1; i >= 0; i--) {
      if (skip && skip(path, i)) continue;
      const item = v[i];
      // (cheap type tests first: containers, volumes and ports have a name but no string value)
      if (item && typeof item === 'object' && !Array.isArray(item) && typeof item.name === 'string' && typeof item.value === 'string' && isCredentialKey(item.name) && isLiteralValue(item.value)) {
        w.hits.push({ path: [...path, i, 'value'], what: `a literal value for the credential variable ${JSON.stringify(item.name)}` });
      }
    }
    for (let i = 0; i < v.length && !w.stopped; i++) {
      if (skip && skip(path, i)) continue;
      path.push(i);
      scanValue(w, v[i]);
      path.pop();
    }
  } else {
    for (const k of Object.keys(v)) {
      if (w.stopped) break;
      if (skip && skip(path, k)) continue;
      path.push(k);
      scanValue(w, (v as any)[k]);
      path.pop();
    }
  }
}

function cmpPath(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    if (typeof a[i] === 'number' && typeof b[i] === 'number') return (a[i] as number) - (b[i] as number);
    return String(a[i]) < String(b[i]) ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * Values under credential-looking keys, whatever their type (chart values, ConfigMap data):
 * `password: "x"`, `password: 123`, `apiToken: ["x"]`, `password: {value: "x"}`. Members that by
 * convention name a Secret (`secret`, `key`, `name`, `secretName`, `existingSecret`, ...) and
 * on/off switches are references, not material.
 */
export function credentialKeyValues(root: unknown, maxNodes = 200_000): SecretHit[] {
  const hits: SecretHit[] = [];
  const seen = new Set<object>();
  const stack: [unknown, (string | number)[], boolean][] = [[root, [], false]];
  let nodes = 0;
  while (stack.length && ++nodes <= maxNodes) {
    const [v, path, under] = stack.pop()!;
    const last = path[path.length - 1];
    if (under) {
      if (typeof last === 'string' && REFERENCE_MEMBER.test(last)) continue;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') {
        if (isLiteralValue(v)) hits.push({ path, what: 'a literal credential under a credential key' });
        continue;
      }
    }
    if (v === null || typeof v !== 'object' || seen.has(v) || path.length > MAX_DEPTH) continue;
    seen.add(v);
    if (Array.isArray(v)) v.forEach((item, i) => stack.push([item, [...path, i], under]));
    else for (const k of Object.keys(v)) stack.push([(v as any)[k], [...path, k], under || isCredentialKey(k)]);
  }
  return hits.sort((a, b) => cmpPath(a.path, b.path));
}

const REFERENCE_MEMBER = /^(?:secret|key|name|secretName|existingSecret|secretRef|secretKeyRef|useSecret|enabled|provider|file|path|mountPath|items)$/;

/** `a.b[0].c` */
export function dottedPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(p) ? `${out ? '.' : ''}${p}` : `[${JSON.stringify(p)}]`;
  return out;
}


