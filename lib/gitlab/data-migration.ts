import { Problems, show } from '../core/errors';
import { dnsSubdomain, nonEmpty } from '../core/rules';
import { SecretKey } from '../core/secret-key';
import { s3Bucket, secretKeyRef, semver } from './_rules';
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
 *
 * The Toolbox reaches an external S3 store only through an s3cmd `.s3cfg` it is given
 * (doc/backup-restore/_index.md "Backups to S3": `gitlab.toolbox.backups.objectStorage.config.secret`
 * / `.key`, default key `config`, plus `global.appConfig.backups.bucket` and `tmpBucket`, the
 * bucket the restore moves the existing objects into; values.yaml default `tmp`). Without the
 * config the Toolbox deployment (charts/gitlab/charts/toolbox/templates/deployment.yaml) mounts no
 * backup credentials, because `global.appConfig.object_store.enabled` is true, and its configure
 * script (toolbox/templates/configmap.yaml) then writes a `.s3cfg` for the bundled MinIO, which is
 * off: the restore cannot read the bucket. Read on integratop/gitlab-org-charts-mirror @ 3403350c8
 * (chart 9.9.1; the pinned 9.11 line is not in the mirror, so not verified at its tag); the
 * Toolbox's backend defaults to `s3` (toolbox values.yaml).
 *
 * A private CA: s3cmd (s3tools/s3cmd@v2.4.0 S3/ConnMan.py `_ssl_context`) verifies with
 * `ssl.create_default_context(cafile=ca_certs_file)`, so an empty `ca_certs_file` means the
 * system trust store; the Toolbox deployment runs the chart's certificates init container and
 * mounts its output on /etc/ssl/certs and /etc/pki/ca-trust/extracted/pem
 * (templates/_certificates.tpl `gitlab.certificates.volumeMount`), so a CA in
 * `global.certificates.customCAs` (the object store's `S3Endpoint.privateCa`) reaches s3cmd without
 * `ca_certs_file`. Not verified: which of the two paths the Toolbox image's Python reads by
 * default (both are mounted); if s3cmd reports a certificate error, set `ca_certs_file` to the
 * bundle under /etc/pki/ca-trust/extracted/pem.
 *
 * The rails Secret and the chart's shared-secrets job (templates/shared-secrets/
 * _generate_secrets.sh.tpl, same commit): the job (job.yaml, a Helm pre-install/pre-upgrade hook;
 * when the GitLab Operator runs it is not verified here, it runs before GitLab starts) reads the
 * Secret `global.railsSecrets.secret` names (whatever the name: another name than the chart's
 * default `<release>-rails-secret` changes nothing), keeps the keys it finds and generates the
 * missing ones, then `kubectl apply`s it. So a Secret made from the old instance before GitLab
 * first starts is kept; one that arrives after the first sync finds a generated Secret, which
 * must be replaced (not created) and every pod restarted. The steps say so.
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
  /**
   * Bucket the restore moves the objects already in object storage into before it writes the
   * backup's; becomes `global.appConfig.backups.tmpBucket` (the chart's default, `tmp`, rarely
   * exists on a shared store). Its own bucket: neither the backups bucket nor an object storage one.
   */
  readonly tmpBucket: string;
  /**
   * Secret key holding the s3cmd `.s3cfg` the Toolbox uses for the backups and tmp buckets;
   * becomes `gitlab.toolbox.backups.objectStorage.config` (the chart mounts nothing otherwise
   * while object storage is on). Its shape is the `backup-s3cfg` template of
   * {@link GitLab.secretTemplates}: `host_base` / `host_bucket` = the S3 endpoint's host, the
   * access keys, `preserve_attrs = False`; no `ca_certs_file` needed for a private CA in the
   * object storage's `S3Endpoint.privateCa` (it reaches the Toolbox's trust store).
   */
  readonly s3cfg: SecretKey;
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
    p.check('tmpBucket', options?.tmpBucket, s3Bucket);
    p.check('s3cfg', options?.s3cfg, secretKeyRef('"config"'));
    if (options?.tmpBucket !== undefined && options.tmpBucket === options.backupsBucket) {
      p.add('tmpBucket', `"${options.tmpBucket}" is also the backups bucket; the restore moves the existing objects into the tmp bucket, so it needs its own`);
    }
    p.throwIfAny();
    const { s3cfg, ...names } = options;
    return new GitLabDataMigration('linux-package', { ...names }, s3cfg);
  }

  private constructor(
    /** @internal */ public readonly kind: 'new' | 'linux-package',
    /** @internal */ public readonly options: Readonly<Record<string, string>>,
    /** The Toolbox's `.s3cfg` (linux-package only). */
    public readonly s3cfg?: SecretKey,
  ) {}

  /** Checks the migration against the GitLab it is declared for (version, buckets in use). */
  public check(p: Problems, field: string, gitlabVersion: string | undefined, bucketsInUse: readonly string[]): void {
    if (this.kind !== 'linux-package') return;
    const o = this.options;
    if (gitlabVersion && o.sourceVersion !== gitlabVersion) {
      p.add(`${field}.sourceVersion`, `the old instance runs ${o.sourceVersion} and this GitLab deploys ${gitlabVersion}; a backup is restored to the GitLab version that made it: upgrade the old instance to ${gitlabVersion} before its backup`);
    }
    if (bucketsInUse.includes(o.backupsBucket)) p.add(`${field}.backupsBucket`, `"${o.backupsBucket}" is also an object storage bucket of this GitLab; backups need their own`);
    if (bucketsInUse.includes(o.tmpBucket)) p.add(`${field}.tmpBucket`, `"${o.tmpBucket}" is also an object storage bucket of this GitLab; the restore moves that bucket's objects into the tmp bucket, so it needs its own`);
  }

  /** The chart values the migration needs (rails secrets, backup buckets, the Toolbox's `.s3cfg`). */
  public chartValues(): Values {
    if (this.kind !== 'linux-package') return {};
    const o = this.options;
    return {
      global: { railsSecrets: { secret: o.railsSecret }, appConfig: { backups: { bucket: o.backupsBucket, tmpBucket: o.tmpBucket } } },
      gitlab: { toolbox: { backups: { objectStorage: { config: { secret: this.s3cfg!.secretName, key: this.s3cfg!.key } } } } },
    };
  }

  /** The steps, in order, for people (the CR annotation and the rails Secret's External note). */
  public steps(release: string, namespace: string): string[] {
    if (this.kind === 'new') return [`new instance, no data carried over: ${this.options.reason}`];
    const o = this.options;
    const s3cfg = this.s3cfg!;
    return [
      `1. on ${o.source}: run GitLab ${o.sourceVersion} (the version this GitLab deploys); migrate uploads, LFS and artifacts to object storage; gitlab-backup create (skipping what object storage holds)`,
      `2. Secret ${o.railsSecret} in ${namespace}, key secrets.yml: the gitlab_rails section of /etc/gitlab/gitlab-secrets.json under "production:"; create or replace it (kubectl apply), best before GitLab first starts: the chart's shared-secrets job creates a Secret of that name with fresh keys when it is missing, and a Secret replaced after that takes effect only with step 6`,
      `3. Secret ${s3cfg.secretName} in ${namespace}, key ${s3cfg.key}: the Toolbox's s3cmd .s3cfg (template backup-s3cfg of ConfigMap ${release}-secret-templates) with keys for bucket ${o.backupsBucket}, bucket ${o.tmpBucket} and the object storage buckets`,
      `4. upload the backup tarball to bucket ${o.backupsBucket}; bucket ${o.tmpBucket} exists (the restore moves the objects already in object storage into it)`,
      `5. kubectl -n ${namespace} exec <toolbox pod of ${release}> -- backup-utility --restore -t <backup_ID> (database, repositories through Gitaly onto the repositories disk, object storage)`,
      `6. kubectl -n ${namespace} delete pods -l release=${release}`,
    ];
  }
}
