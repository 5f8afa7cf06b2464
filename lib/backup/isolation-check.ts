import { IConstruct } from 'constructs';
import { Problem } from '../core/errors';
import { CheckContext, SynthCheck, SynthRoot } from '../synth/pipeline';
import { prefixesOverlap } from './_rules';
import { BackupStorage } from './backup-storage';
import { EtcdBackup } from './etcd-backup';

/** One place a cluster writes backups to, with the credentials it writes with. */
export interface BackupTarget {
  /** Construct path of what writes there (a BackupStorage, or an EtcdBackup's copy). */
  readonly path: string;
  /** Field the problem is reported under. */
  readonly field: string;
  /** `velero location` or `etcd copy`, for messages. */
  readonly what: string;
  /** Endpoint (`aws` for AWS S3's own endpoints) and bucket: one bucket of one object store. */
  readonly endpoint: string;
  readonly bucket: string;
  readonly prefix?: string;
  /** Declared identity of the credentials (user or role name), if any. */
  readonly credentialsIdentity?: string;
}

/** Every backup target of one cluster: its BackupStorages (Velero locations) and etcd copies. */
export function backupTargetsOf(constructs: readonly IConstruct[]): BackupTarget[] {
  const out: BackupTarget[] = [];
  const endpointOf = (s: BackupStorage) => (s.endpoint ? new URL(s.endpoint).host.toLowerCase() : 'aws');
  for (const c of constructs) {
    if (c instanceof BackupStorage) {
      out.push({ path: c.node.path, field: 'credentialsIdentity', what: 'velero location', endpoint: endpointOf(c), bucket: c.bucket, prefix: c.prefix, credentialsIdentity: c.credentialsIdentity });
    } else if (c instanceof EtcdBackup && c.copy) {
      const s = c.copy.storage;
      out.push({ path: c.node.path, field: 'copyTo.credentialsIdentity', what: 'etcd copy', endpoint: endpointOf(s), bucket: s.bucket, prefix: c.copy.prefix, credentialsIdentity: c.copy.credentialsIdentity });
    }
  }
  return out;
}

const where = (t: BackupTarget) => `s3://${t.bucket}${t.prefix ? `/${t.prefix}` : ''}${t.endpoint === 'aws' ? '' : ` at ${t.endpoint}`}`;

/**
 * Per-environment isolation of backups (issue 16; field review M5.4): when several clusters are
 * synthesized together (staging and production, a fleet), no two of them may write to
 * overlapping bucket prefixes of the same object store, nor with the same credentials. A staging
 * key that can read or delete production's backups, or a staging Velero that sees production's
 * backups in its location (and could restore them), defeats the point of having environments.
 * Credentials are compared by their declared identity (`credentialsIdentity`: the user or role
 * name, never the key), so with more than one cluster every target must declare one.
 *
 * A synth-wide check (it sees every root): registered in the default pipeline
 * (lib/pipeline-defaults.ts), or passed to `synthesize(clusters, { checks: [BACKUP_ISOLATION_CHECK] })`.
 */
export const BACKUP_ISOLATION_CHECK: SynthCheck = {
  id: 'backup-isolation',
  check(_objects, ctx: CheckContext): Problem[] {
    const problems: Problem[] = [];
    const byRoot = new Map<SynthRoot, BackupTarget[]>();
    for (const root of ctx.roots) byRoot.set(root, backupTargetsOf(ctx.constructsOf(root)));
    const roots = [...byRoot.keys()].filter((r) => byRoot.get(r)!.length > 0);
    if (roots.length < 2) return problems;
    for (const r of roots) {
      for (const t of byRoot.get(r)!) {
        if (t.credentialsIdentity === undefined) {
          problems.push({ path: t.path, field: t.field, message: `is not declared, so the ${t.what} of ${r.outputFolder} cannot be checked against the other environments' credentials; give the user or role name its access key belongs to (never the key)` });
        }
      }
    }
    for (let i = 0; i < roots.length; i++) {
      for (let j = i + 1; j < roots.length; j++) {
        const a = roots[i];
        const b = roots[j];
        for (const ta of byRoot.get(a)!) {
          for (const tb of byRoot.get(b)!) {
            if (ta.endpoint === tb.endpoint && ta.bucket === tb.bucket && prefixesOverlap(ta.prefix, tb.prefix)) {
              problems.push({
                path: ta.path,
                field: ta.what === 'etcd copy' ? 'copyTo.prefix' : 'prefix',
                message: `the ${ta.what} of ${a.outputFolder} (${where(ta)}) overlaps the ${tb.what} of ${b.outputFolder} (${where(tb)}, ${tb.path}); each environment needs its own bucket or a prefix of its own`,
              });
            }
            if (ta.credentialsIdentity !== undefined && ta.credentialsIdentity === tb.credentialsIdentity) {
              problems.push({
                path: ta.path,
                field: ta.field,
                message: `"${ta.credentialsIdentity}" is also the identity of the ${tb.what} of ${b.outputFolder} (${tb.path}); each environment needs credentials of its own, allowed on its own bucket or prefix only`,
              });
            }
          }
        }
      }
    }
    return problems;
  },
};
