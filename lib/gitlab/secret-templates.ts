import * as yaml from 'js-yaml';
import { OIDC_PROVIDER } from './chart-values';
// Type-only: gitlab.ts imports this module at run time, so no value may come back from it.
import type { GitLabObjectStorageOptions, GitLabOidcOptions } from './gitlab';

/** Key of the fog object-storage connection template in the `<name>-secret-templates` ConfigMap. */
export const OBJECT_STORE_TEMPLATE_KEY = 'object-store-connection.yaml';
/** Key of the OmniAuth provider template in the `<name>-secret-templates` ConfigMap. */
export const OIDC_PROVIDER_TEMPLATE_KEY = 'oidc-provider.yaml';

/**
 * Templates of the Secrets the chart reads whose content is more than a password, as a pure
 * function of the (validated) props: the fog object-storage connection and, with OIDC, the
 * OmniAuth provider block. Everything non-secret comes from the props; credentials are
 * `{{ placeholders }}`. `url` is the instance's `https://<hostname>` (the OIDC redirect URI
 * is below it).
 */
export function renderSecretTemplates(objectStorage: GitLabObjectStorageOptions, oidc: GitLabOidcOptions | undefined, url: string): Record<string, string> {
  const out: Record<string, string> = {
    [OBJECT_STORE_TEMPLATE_KEY]: yaml.dump({
      provider: 'AWS',
      region: objectStorage.region ?? 'us-east-1',
      endpoint: typeof objectStorage.endpoint === 'string' ? objectStorage.endpoint : objectStorage.endpoint.url,
      path_style: true,
      aws_access_key_id: '{{ .access_key_id }}',
      aws_secret_access_key: '{{ .secret_access_key }}',
    }, { lineWidth: -1 }),
  };
  if (oidc) {
    out[OIDC_PROVIDER_TEMPLATE_KEY] = yaml.dump({
      name: OIDC_PROVIDER,
      label: oidc.label ?? 'Keycloak',
      args: {
        name: OIDC_PROVIDER,
        scope: ['openid', 'profile', 'email'],
        response_type: 'code',
        issuer: oidc.issuer,
        discovery: true,
        uid_field: oidc.uidField ?? 'sub',
        pkce: true,
        client_options: {
          identifier: oidc.clientId,
          secret: '{{ .client_secret }}',
          redirect_uri: `${url}/users/auth/openid_connect/callback`,
        },
      },
    }, { lineWidth: -1 });
  }
  return out;
}
