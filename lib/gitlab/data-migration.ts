import { Problems, show } from '../core/errors';
import { dnsSubdomain, nonEmpty } from '../core/rules';
import { s3Bucket, semver } from './_rules';
import type { Values } from './_values';

/*
 * Where a GitLab's data comes from, declared instead of left to chance: an empty database and a
 * blank repositories disk are right for a new instance and wrong for a migrated one.
 *
 * Moving a Linux-package (Omnibus) GitLab into the chart, as the chart documents it
 * (gitlab-org/charts/gitlab doc/installation/migration/package_to_helm.md and
 * doc/backup-restore/restore.md, read on integratop/gitlab-org-charts-mirror @ 3403350c8):
 * - the chart deployment must run the same GitLab version as the package instance, and a backup
 *   is restored to the version that made it;
 * - the old instance's `/etc/gitlab/gitlab-secrets.json` `gitlab_rails` section becomes the
 *   `secrets.yml` key (under `production:`) of the Secret that `global.railsSecrets.secret` names
 *   (values.yaml), before the restore: without it the encrypted columns (CI variables, 2FA
 *   secrets, runner and integration tokens) cannot be read;
 * - the backup tarball goes to the backups bucket (`global.appConfig.backups.bucket`) and the
 *   Toolbox pod restores it (`backup-utility --restore -t <backup_ID>`): the database is replaced,
 *   the repositories are written through Gitaly (here: onto the Gitaly VM's repositories disk),
 *   uploads, LFS and artifacts go to their buckets;
 * - then every pod of the release is restarted.
 */

/** Options of {@link GitLabDataMigration.fromLinuxPackage}. */
export interface LinuxPackageMigrationOptions {
  /** The old instance, for people (`gitlab.example.org, Omnibus on vm-gitlab-01`). */
  readonly source: string;
  /**
   * The GitLab version the old instance runs when its backup is made; it must be the version
   * this GitLab deploys (restore.md: restore to the version that made the backup).
   */
  readonly sourceVersion: string;
  /** Secret (key `secrets.yml`) made from the old `/etc/gitlab/gitlab-secrets.json`; becomes `global.railsSecrets.secret`. */
  readonly railsSecret: string;
  /** Bucket the backup tarball is uploaded to; becomes `global.appConfig.backups.bucket`. */
  readonly backupsBucket: string;
}

/** How a GitLab gets its data ({@link GitLabProps.migration}). */
export class GitLabDataMigration {
  /** A new instance: nothing is carried over (empty database, blank repositories). */
  public static newInstance(reason: string): GitLabDataMigration {
    const p = new Problems('GitLabDataMigration.newInstance');
    p.check('reason', reason, (v) => (typeof v === 'string' && v.trim() ? undefined : `${show(v)} must say why no data is carried over`));
    p.throwIfAny();
    return new GitLabDataMigration('new', { reason: reason.trim() });
  }

  /** A Linux-package (Omnibus) GitLab restored into this one from a backup, as the chart documents it. */
  public static fromLinuxPackage(options: LinuxPackageMigrationOptions): GitLabDataMigration {
    const p = new Problems('GitLabDataMigration.fromLinuxPackage');
    p.check('source', options?.source, nonEmpty);
    p.check('sourceVersion', options?.sourceVersion, semver);
    p.check('railsSecret', options?.railsSecret, dnsSubdomain);
    p.check('backupsBucket', options?.backupsBucket, s3Bucket);
    p.throwIfAny();
    return new GitLabDataMigration('linux-package', { ...options });
  }

  private constructor(
    /** @internal */ public readonly kind: 'new' | 'linux-package',
    /** @internal */ public readonly options: Readonly<Record<string, string>>,
  ) {}

  /** Checks the migration against the GitLab it is declared for (version, buckets in use). */
  public check(p: Problems, field: string, gitlabVersion: string | undefined, bucketsInUse: readonly string[]): void {
    if (this.kind !== 'linux-package') return;
    const o = this.options;
    if (gitlabVersion && o.sourceVersion !== gitlabVersion) {
      p.add(`${field}.sourceVersion`, `the old instance runs ${o.sourceVersion} and this GitLab deploys ${gitlabVersion}; a backup is restored to the GitLab version that made it: upgrade the old instance to ${gitlabVersion} before its backup`);
    }
    if (bucketsInUse.includes(o.backupsBucket)) p.add(`${field}.backupsBucket`, `"${o.backupsBucket}" is also an object storage bucket of this GitLab; backups need their own`);
  }

  /** The chart values the migration needs. */
  public chartValues(): Values {
    if (this.kind !== 'linux-package') return {};
    return { global: { railsSecrets: { secret: this.options.railsSecret }, appConfig: { backups: { bucket: this.options.backupsBucket } } } };
  }

  /** The steps, in order, for people (the CR annotation and the rails Secret's External note). */
  public steps(release: string, namespace: string): string[] {
    if (this.kind === 'new') return [`new instance, no data carried over: ${this.options.reason}`];
    const o = this.options;
    return [
      `1. on ${o.source}: run GitLab ${o.sourceVersion} (the version this GitLab deploys); migrate uploads, LFS and artifacts to object storage; gitlab-backup create (skipping what object storage holds)`,
      `2. Secret ${o.railsSecret} in ${namespace}, key secrets.yml: the gitlab_rails section of /etc/gitlab/gitlab-secrets.json under "production:", before GitLab first starts`,
      `3. upload the backup tarball to bucket ${o.backupsBucket}`,
      `4. kubectl -n ${namespace} exec <toolbox pod of ${release}> -- backup-utility --restore -t <backup_ID> (database, repositories through Gitaly onto the repositories disk, object storage)`,
      `5. kubectl -n ${namespace} delete pods -l release=${release}`,
    ];
  }
}
