import { show } from '../core/errors';
import type { Finding, PolicyRule } from './policy';

/**
 * `no-literal-secrets`: no Secret with values (`data` or `stringData`) in the synthesized tree.
 * Secrets are referenced (`SecretKey.of(...)`) and created out of band, or arrive encrypted
 * through SealedSecrets or External Secrets (other kinds, never flagged). A Secret without values
 * (one a controller fills, such as a service-account token) passes.
 */
export const NO_LITERAL_SECRETS: PolicyRule = {
  id: 'no-literal-secrets',
  title: 'no Secret carries literal data; secrets are referenced, sealed or external',
  check(obj): Finding[] {
    const m = obj.manifest;
    if (m?.kind !== 'Secret' || m?.apiVersion !== 'v1') return [];
    const out: Finding[] = [];
    for (const field of ['data', 'stringData']) {
      const v = m[field];
      if (v !== undefined && v !== null && (typeof v !== 'object' || Object.keys(v).length > 0)) {
        const keys = typeof v === 'object' ? Object.keys(v).sort() : [];
        out.push({
          pointer: `/${field}`,
          message: `Secret "${m.metadata?.name}" has literal values (${keys.length ? `keys ${keys.map((k) => show(k)).join(', ')}` : show(v)}) that would be committed to Git; reference the Secret with SecretKey.of(name, key) and create it out of band, or use a SealedSecret or an ExternalSecret`,
        });
      }
    }
    return out;
  },
};
