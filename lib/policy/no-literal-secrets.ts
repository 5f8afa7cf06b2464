import { show } from '../core/errors';
import { jsonPointer } from '../core/json-pointer';
import { isCredentialKey, isLiteralValue } from '../core/secret-scan';
import { manifestScan } from './_manifest-scan';
import type { Finding, PolicyRule } from './policy';

const FIX = 'reference the Secret with SecretKey.of(name, key) and create it out of band, or use a SealedSecret or an ExternalSecret';

/**
 * `no-literal-secrets`: nothing in the synthesized tree carries a credential.
 * - A v1 Secret with values (`data` or `stringData`). Secrets are referenced
 *   (`SecretKey.of(...)`) and created out of band, or arrive encrypted through SealedSecrets or
 *   External Secrets (other kinds; their ciphertext is not flagged). A Secret without values
 *   (one a controller fills, such as a service-account token) passes.
 * - In every object of every kind, every string is checked by content (lib/core/secret-scan):
 *   private keys (also base64), tokens with known prefixes (also OpenShift `sha256~`), URLs with
 *   passwords, cloud-config passwords (also under the Jinja header), shell commands that set a
 *   password (chpasswd, passwd, useradd/usermod -p, openssl passwd...) and crypt hashes, docker
 *   config credentials, Secrets embedded in other objects, in annotation JSON
 *   (`kubectl.kubernetes.io/last-applied-configuration`) or in YAML of any style, literal values
 *   under credential keys in embedded JSON/YAML/TOML/.env/netrc files (a ConfigMap's
 *   `config.json`, a kubeconfig `token:`), and all of these base64-encoded (`userDataBase64`,
 *   `binaryData`); env entries and ConfigMap keys with a credential name (`DB_PASSWORD`,
 *   `DB_PASS`) and a literal value.
 * Findings name the JSON pointer and what was found, never the value.
 */
export const NO_LITERAL_SECRETS: PolicyRule = {
  id: 'no-literal-secrets',
  title: 'no Secret carries literal data and no object holds credentials; secrets are referenced, sealed or external',
  check(obj, ctx): Finding[] {
    const m = obj.manifest;
    if (m === null || typeof m !== 'object') return [];
    const out: Finding[] = [];
    const isSecret = m.kind === 'Secret' && m.apiVersion === 'v1';
    if (isSecret) {
      for (const field of ['data', 'stringData']) {
        const v = m[field];
        if (v !== undefined && v !== null && (typeof v !== 'object' || Object.keys(v).length > 0)) {
          const keys = typeof v === 'object' ? Object.keys(v).sort() : [];
          out.push({
            pointer: `/${field}`,
            message: `Secret ${show(String(m.metadata?.name))} has literal values (${keys.length ? `keys ${keys.map((k) => show(k)).join(', ')}` : `a ${typeof v}`}) that would be committed to Git; ${FIX}`,
          });
        }
      }
    }
    if (m.kind === 'ConfigMap' && m.apiVersion === 'v1') {
      for (const field of ['data', 'binaryData']) {
        const v = m[field];
        if (!v || typeof v !== 'object') continue;
        for (const k of Object.keys(v).sort()) {
          if (isCredentialKey(k) && isLiteralValue(v[k])) {
            out.push({ pointer: jsonPointer([field, k]), message: `ConfigMap key ${show(k)} holds a literal credential; ConfigMaps are plain text in Git, ${FIX}` });
          }
        }
      }
    }
    for (const hit of manifestScan(obj, ctx, false).secrets) {
      out.push({ pointer: jsonPointer(hit.path), message: `holds ${hit.what}, which would be committed to Git in plain text; ${FIX}` });
    }
    return out;
  },
};
