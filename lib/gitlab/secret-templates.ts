import * as yaml from 'js-yaml';
import { OIDC_PROVIDER } from './chart-values';
// Type-only: gitlab.ts imports this module at run time, so no value may come back from it.
import type { GitLabObjectStorageOptions, GitLabOidcOptions } from './gitlab';

/** Key of the fog object-storage connection template in the `<name>-secret-templates` ConfigMap. */
export const OBJECT_STORE_TEMPLATE_KEY = 'object-store-connection.yaml';
/** Key of the OmniAuth provider template in the `<name>-secret-templates` ConfigMap. */
export const OIDC_PROVIDER_TEMPLATE_KEY = 'oidc-provider.yaml';
/** Key of the Toolbox's s3cmd `.s3cfg` template (a data migration's backups), in the same ConfigMap. */
export const BACKUP_S3CFG_TEMPLATE_KEY = 'backup-s3cfg';

/**
 * The s3cmd configuration the Toolbox's backup-utility reads for the backups and tmp buckets
 * (option names of s3tools/s3cmd@v2.4.0 S3/Config.py). `host_bucket` without `%(bucket)s` makes
 * s3cmd address buckets by path on `host_base` (S3/Utils.py `check_bucket_name_dns_support`), as
 * the fog connection does (`path_style`). `preserve_attrs = False`: the chart's backup-restore
 * troubleshooting asks for it so the Toolbox user can write restored files. No `ca_certs_file`:
 * empty means the system trust store, which carries the chart's customCAs (see data-migration.ts).
 */
export function renderBackupS3cfg(endpointUrl: string, region: string): string {
  const host = new URL(endpointUrl).host;
  return [
    '[default]',
    'access_key = {{ .access_key_id }}',
    'secret_key = {{ .secret_access_key }}',
    `host_base = ${host}`,
    `host_bucket = ${host}`,
    `bucket_location = ${region}`,
    'use_https = True',
    'preserve_attrs = False',
    '',
  ].join('\n');
}

/**
 * Templates of the Secrets the chart reads whose content is more than a password, as a pure
 * function of the (validated) props: the fog object-storage connection and, with OIDC, the
 * OmniAuth provider block. Everything non-secret comes from the props; credentials are
 * `{{ placeholders }}`. `url` is the instance's `https://<hostname>` (the OIDC redirect URI
 * is below it). With `backupS3cfg` (a data migration restores through the Toolbox), the Toolbox's
 * `.s3cfg` too ({@link renderBackupS3cfg}).
 */
export function renderSecretTemplates(objectStorage: GitLabObjectStorageOptions, oidc: GitLabOidcOptions | undefined, url: string, backupS3cfg = false): Record<string, string> {
  const endpoint = typeof objectStorage.endpoint === 'string' ? objectStorage.endpoint : objectStorage.endpoint.url;
  const out: Record<string, string> = {
    [OBJECT_STORE_TEMPLATE_KEY]: yaml.dump({
      provider: 'AWS',
      region: objectStorage.region ?? 'us-east-1',
      endpoint,
      path_style: true,
      aws_access_key_id: '{{ .access_key_id }}',
      aws_secret_access_key: '{{ .secret_access_key }}',
    }, { lineWidth: -1 }),
  };
  if (backupS3cfg) out[BACKUP_S3CFG_TEMPLATE_KEY] = renderBackupS3cfg(endpoint, objectStorage.region ?? 'us-east-1');
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
