import type { Finding, PolicyRule } from './policy';

/** Config keys of the Velero AWS plugin that turn on server-side encryption. */
export const ENCRYPTION_CONFIG_KEYS = ['serverSideEncryption', 'kmsKeyId', 'customerKeyEncryptionFile'] as const;

/**
 * Annotation lib/backup puts on a location built with `BucketEncryption.unencrypted(reason)`;
 * its reason counts as a waiver of this policy.
 */
const UNENCRYPTED_REASON_ANNOTATION = 'ocpkit.io/unencrypted-reason';

function encrypted(config: any): boolean {
  return !!config && typeof config === 'object' && ENCRYPTION_CONFIG_KEYS.some((k) => typeof config[k] === 'string' && config[k].trim() !== '');
}

const FIX = `set one of ${ENCRYPTION_CONFIG_KEYS.join(', ')} in the plugin config (BackupStorage's encryption: BucketEncryption.s3Managed(), .kms(keyId) or .customerKey(keyFile)), or waive with a reason`;

/**
 * `encrypted-backups`: every Velero BackupStorageLocation, and every location an OADP
 * DataProtectionApplication creates (`backupLocations[].velero` and `backupLocations[].bucket`,
 * the CloudStorage form), encrypts objects at rest (AWS plugin config
 * `serverSideEncryption`, `kmsKeyId` or `customerKeyEncryptionFile`). Backups hold every Secret
 * of the namespaces they cover. Snapshot locations (VolumeSnapshotLocation, DPA
 * `snapshotLocations`) hold no objects: they configure the cloud's volume snapshots, whose
 * encryption follows the volume, so they are not checked.
 * @see https://github.com/vmware-tanzu/velero-plugin-for-aws/blob/main/backupstoragelocation.md
 */
export const ENCRYPTED_BACKUPS: PolicyRule = {
  id: 'encrypted-backups',
  title: 'every BackupStorageLocation encrypts at rest',
  check(obj): Finding[] {
    const m = obj.manifest;
    if (m?.kind !== 'BackupStorageLocation' && m?.kind !== 'DataProtectionApplication') return [];
    const reason = m?.metadata?.annotations?.[UNENCRYPTED_REASON_ANNOTATION];
    if (typeof reason === 'string' && reason.trim()) return [];
    const group = typeof m?.apiVersion === 'string' ? m.apiVersion.split('/')[0] : '';
    if (m?.kind === 'BackupStorageLocation' && group === 'velero.io') {
      if (encrypted(m.spec?.config)) return [];
      return [{ pointer: '/spec/config', message: `BackupStorageLocation "${m.metadata?.name}" (bucket ${JSON.stringify(m.spec?.objectStorage?.bucket)}) is not encrypted; ${FIX}` }];
    }
    if (m?.kind === 'DataProtectionApplication' && group === 'oadp.openshift.io' && Array.isArray(m.spec?.backupLocations)) {
      const out: Finding[] = [];
      m.spec.backupLocations.forEach((l: any, i: number) => {
        const where = `DataProtectionApplication "${m.metadata?.name}": backup location "${l?.name ?? i}"`;
        if (!l || typeof l !== 'object' || (!l.velero && !l.bucket)) {
          out.push({ pointer: `/spec/backupLocations/${i}`, message: `${where} has neither velero nor bucket, so its encryption cannot be checked; ${FIX}` });
          return;
        }
        if (l.velero && !encrypted(l.velero.config)) {
          out.push({ pointer: `/spec/backupLocations/${i}/velero/config`, message: `${where} (bucket ${JSON.stringify(l.velero.objectStorage?.bucket)}) is not encrypted; ${FIX}` });
        }
        // A `bucket` location (OADP CloudStorageLocation) becomes a BackupStorageLocation whose
        // plugin config is `bucket.config`, writing into the bucket of the CloudStorage CR it
        // names (`bucket.cloudStorageRef.name`). The CloudStorage CR itself only creates the
        // bucket and has no encryption setting (oadp-operator api/v1alpha1/cloudstorage_types.go),
        // so the location's config is what must encrypt.
        // Fields: ../shared/crds/profiles/ocp-4.14/oadp (OADP 1.4) and ../shared/crds/oadp (OADP 1.5),
        // spec.backupLocations[].{velero,bucket}.config.
        if (l.bucket && !encrypted(l.bucket.config)) {
          out.push({ pointer: `/spec/backupLocations/${i}/bucket/config`, message: `${where} (CloudStorage ${JSON.stringify(l.bucket.cloudStorageRef?.name)}) is not encrypted; ${FIX}` });
        }
      });
      return out;
    }
    return [];
  },
};
