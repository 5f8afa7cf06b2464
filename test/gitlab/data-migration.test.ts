import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { External } from '../../lib/refs/provides';
import { SecretKey } from '../../lib/core/secret-key';
import { DATA_MIGRATION_ANNOTATION, GitLab, GitLabDataMigration } from '../../lib/gitlab';
import { renderApplyScript, renderApplyUnit, renderVersionGate } from '../../lib/gitlab/gitaly-omnibus';
import { find, problemsOf, synth, synthClosed } from '../_helpers';
import { fixture, gitlabProps } from './_fixture';

const migration = (over: object = {}) => GitLabDataMigration.fromLinuxPackage({ source: 'old vm', sourceVersion: '18.11.4', railsSecret: 'gitlab-rails-secret', backupsBucket: 'gitlab-backups', tmpBucket: 'gitlab-restore-tmp', s3cfg: SecretKey.of('gitlab-backup-s3cfg', 'config'), ...over });

describe('GitLab data migration is declared, not silent', () => {
  test('a GitLab without a migration declaration is refused, naming both choices', () => {
    const f = fixture();
    expect(() => new GitLab(f.app, 'GitLab', gitlabProps(f, { migration: undefined as any })))
      .toThrow(/\[GitLab\/GitLab\] migration: undefined: declare where this GitLab's data comes from: GitLabDataMigration.newInstance\(reason\) .* GitLabDataMigration.fromLinuxPackage/);
  });

  test('from a Linux package: the rails secret, both backup buckets and the Toolbox .s3cfg reach the chart, the steps reach the CR', () => {
    const f = fixture();
    const gitlab = new GitLab(f.app, 'GitLab', gitlabProps(f, { migration: migration() }));
    const values = gitlab.chartValues() as any;
    expect(values.global.railsSecrets).toEqual({ secret: 'gitlab-rails-secret' });
    expect(values.global.appConfig.backups).toEqual({ bucket: 'gitlab-backups', tmpBucket: 'gitlab-restore-tmp' });
    // without this the Toolbox mounts no backup config while object storage is on (chart toolbox deployment.yaml)
    expect(values.gitlab.toolbox).toEqual({ backups: { objectStorage: { config: { secret: 'gitlab-backup-s3cfg', key: 'config' } } } });
    const result = synth(f.cluster);
    const cr = find(result, 'GitLab', 'gitlab', 'gitlab-system');
    const steps: string = cr.metadata.annotations[DATA_MIGRATION_ANNOTATION];
    expect(steps.split('\n')).toHaveLength(6);
    expect(steps).toMatch(/GitLab 18\.11\.4 .*gitlab-backup create/);
    // the shared-secrets job may have made the Secret first: create or replace, then restart
    expect(steps).toMatch(/Secret gitlab-rails-secret in gitlab-system, key secrets\.yml: .*create or replace it .*shared-secrets job creates a Secret of that name with fresh keys .*step 6/);
    expect(steps).toMatch(/3\. Secret gitlab-backup-s3cfg in gitlab-system, key config: the Toolbox's s3cmd \.s3cfg .*bucket gitlab-backups, bucket gitlab-restore-tmp/);
    expect(steps).toMatch(/backup-utility --restore -t <backup_ID>/);
    expect(steps.split('\n')[5]).toMatch(/^6\. kubectl -n gitlab-system delete pods -l release=gitlab$/);
    // the .s3cfg template: path-style on the object store's host, credentials as placeholders
    const cm = find(result, 'ConfigMap', 'gitlab-secret-templates', 'gitlab-system');
    const s3cfg: string = cm.data['backup-s3cfg'];
    const host = new URL(gitlabProps(f).objectStorage.endpoint as string).host;
    expect(s3cfg.split('\n')).toEqual(expect.arrayContaining(['[default]', `host_base = ${host}`, `host_bucket = ${host}`, 'access_key = {{ .access_key_id }}', 'secret_key = {{ .secret_access_key }}', 'preserve_attrs = False']));
    expect(s3cfg).not.toMatch(/%\(bucket\)s/);
  });

  test('the .s3cfg Secret is a reference: undeclared, the closed-world synth names it', () => {
    const f = fixture();
    new GitLab(f.app, 'GitLab', gitlabProps(f, { migration: migration() }));
    External.secret(f.app, 'gitlab-rails-secret', { keys: ['secrets.yml'], providedBy: 'by-hand', note: 'old rails secrets' });
    const names = problemsOf(() => synthClosed(f.cluster)).map((x) => x.message).filter((m) => m.includes('gitlab-backup-s3cfg'));
    expect(names).toEqual([expect.stringMatching(/Secret gitlab-system\/gitlab-backup-s3cfg .*does not resolve/)]);
  });

  test('the tmp bucket must be its own, the .s3cfg a Secret reference', () => {
    expect(problemsOf(() => migration({ tmpBucket: 'gitlab-backups' })).map((x) => `[${x.path}] ${x.field}: ${x.message}`)).toEqual([
      '[GitLabDataMigration.fromLinuxPackage] tmpBucket: "gitlab-backups" is also the backups bucket; the restore moves the existing objects into the tmp bucket, so it needs its own',
    ]);
    expect(() => migration({ tmpBucket: 'Tmp' })).toThrow(/tmpBucket: "Tmp" is not an S3 bucket name/);
    expect(() => migration({ s3cfg: 'gitlab-backup-s3cfg' })).toThrow(/s3cfg: "gitlab-backup-s3cfg" is not a Secret reference; use SecretKey\.of\(secretName, "config"\)/);
    const f = fixture();
    const problems = problemsOf(() => new GitLab(f.app, 'GitLab', gitlabProps(f, { migration: migration({ tmpBucket: 'gitlab-lfs' }) })));
    expect(problems.map((x) => `${x.field}: ${x.message}`)).toEqual([
      'migration.tmpBucket: "gitlab-lfs" is also an object storage bucket of this GitLab; the restore moves that bucket\'s objects into the tmp bucket, so it needs its own',
    ]);
  });

  test('a new instance writes no .s3cfg template', () => {
    const f = fixture();
    const gitlab = new GitLab(f.app, 'GitLab', gitlabProps(f, { migration: GitLabDataMigration.newInstance('fresh') }));
    expect(Object.keys(gitlab.secretTemplates())).not.toContain('backup-s3cfg');
    expect((gitlab.chartValues() as any).gitlab.toolbox).toBeUndefined();
  });

  test('a new instance says why, and sets nothing in the chart', () => {
    const f = fixture();
    const gitlab = new GitLab(f.app, 'GitLab', gitlabProps(f, { migration: GitLabDataMigration.newInstance('a fresh staging instance') }));
    expect((gitlab.chartValues() as any).global.railsSecrets).toBeUndefined();
    expect(gitlab.migrationSteps).toEqual(['new instance, no data carried over: a fresh staging instance']);
    expect(() => GitLabDataMigration.newInstance(' ')).toThrow(/reason: " " must say why no data is carried over/);
  });

  test('a backup of another release, or a backups bucket shared with object storage, is refused', () => {
    const f = fixture();
    const problems = problemsOf(() => new GitLab(f.app, 'GitLab', gitlabProps(f, { migration: migration({ sourceVersion: '16.11.10', backupsBucket: 'gitlab-lfs' }) })));
    expect(problems.map((x) => `${x.field}: ${x.message}`)).toEqual([
      'migration.sourceVersion: the old instance runs 16.11.10 and this GitLab deploys 18.11.4; a backup is restored to the GitLab version that made it: upgrade the old instance to 18.11.4 before its backup',
      'migration.backupsBucket: "gitlab-lfs" is also an object storage bucket of this GitLab; backups need their own',
    ]);
    expect(() => migration({ railsSecret: 'Bad Name' })).toThrow(/railsSecret: "Bad Name"/);
  });

  test('the rails Secret is a reference: undeclared, the closed-world synth fails on it; declared, it resolves', () => {
    const dangling = fixture();
    new GitLab(dangling.app, 'GitLab', gitlabProps(dangling, { migration: migration() }));
    const names = problemsOf(() => synthClosed(dangling.cluster)).map((x) => x.message).filter((m) => m.includes('gitlab-rails-secret'));
    expect(names).toEqual([expect.stringMatching(/Secret gitlab-system\/gitlab-rails-secret .*does not resolve/)]);

    const declared = fixture();
    new GitLab(declared.app, 'GitLab', gitlabProps(declared, { migration: migration() }));
    External.secret(declared.app, 'gitlab-rails-secret', { keys: ['secrets.yml'], providedBy: 'by-hand', note: 'old rails secrets' });
    expect(problemsOf(() => synthClosed(declared.cluster)).filter((x) => x.message.includes('gitlab-rails-secret'))).toEqual([]);
  });
});

describe('the Gitaly node refuses an Omnibus of another release (the gate, run by sh)', () => {
  /** Runs the gate with a gitlab-ctl and a systemctl that record their calls, in order, in one log. */
  function gate(manifestText: string | undefined): { status: number | null; stderr: string; calls: string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-gate-'));
    try {
      const manifest = path.join(dir, 'version-manifest.txt');
      if (manifestText !== undefined) fs.writeFileSync(manifest, manifestText);
      for (const tool of ['gitlab-ctl', 'systemctl']) {
        fs.writeFileSync(path.join(dir, tool), `#!/bin/sh\necho "${tool} $*" >> ${dir}/calls.log\n`, { mode: 0o755 });
      }
      const r = spawnSync('sh', ['-c', `set -eu\n${renderVersionGate('18.11', manifest)}\necho passed`], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
      const log = fs.existsSync(path.join(dir, 'calls.log')) ? fs.readFileSync(path.join(dir, 'calls.log'), 'utf8') : '';
      expect(r.stdout).toBe(r.status === 0 ? 'passed\n' : '');
      return { status: r.status, stderr: r.stderr, calls: log.split('\n').filter(Boolean) };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  test('every boot stops all Omnibus services first (the old monolith started with runsvdir); the same major.minor passes and enables and starts the supervisor', () => {
    expect(gate('gitlab-ce 18.11.4\nruby 3.2.5\n')).toEqual({ status: 0, stderr: '', calls: ['gitlab-ctl stop', 'systemctl enable --now gitlab-runsvdir.service'] });
    expect(gate('gitlab-ee 18.11.0\n').status).toBe(0);
  });

  test('another release, a look-alike minor, or no Omnibus at all: everything stopped, the supervisor disabled and stopped, the unit fails with the reason', () => {
    for (const text of ['gitlab-ce 16.5.1\n', 'gitlab-ce 18.110.1\n', 'gitlab-ce 18.1.2\n', undefined]) {
      const r = gate(text);
      expect(r.status).toBe(1);
      expect(r.calls).toEqual(['gitlab-ctl stop', 'systemctl disable --now gitlab-runsvdir.service']);
      expect(r.stderr).toMatch(/the cluster runs GitLab 18\.11: every Omnibus service stays stopped \(gitlab-runsvdir disabled\) until this node runs 18\.11\.x/);
    }
    expect(gate('gitlab-ce 16.5.1\n').stderr).toMatch(/^Omnibus GitLab 16\.5\.1 is installed/);
    expect(gate(undefined).stderr).toMatch(/^Omnibus GitLab \(none\) is installed/);
  });

  test('a gitlab-ctl that fails (no supervisor running yet) does not stop the gate', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-gate-'));
    try {
      fs.writeFileSync(path.join(dir, 'm'), 'gitlab-ce 18.11.4\n');
      fs.writeFileSync(path.join(dir, 'gitlab-ctl'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
      fs.writeFileSync(path.join(dir, 'systemctl'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      const r = spawnSync('sh', ['-c', `set -eu\n${renderVersionGate('18.11', path.join(dir, 'm'))}\necho passed`], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
      expect([r.status, r.stdout]).toEqual([0, 'passed\n']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Gitaly apply script', () => {
  test('stops everything before the gate and starts what the reconfigure left enabled after it', () => {
    const script = renderApplyScript({
      listenAddress: '10.0.2.2', gitalyPort: 8075, storageName: 'default', internalApiUrl: 'http://gitlab-webservice-default.gitlab-system.svc:8181',
      authTokenKey: 'auth-token', shellSecretKey: 'shell-secret', dataDiskSerial: 'repositories', sshPort: 22, gitlabVersion: '18.11.4', source: 'test',
    });
    const lines = script.split('\n');
    const at = (line: string) => lines.indexOf(line);
    expect(at('gitlab-ctl stop >/dev/null 2>&1 || true')).toBeGreaterThan(0);
    expect(at('gitlab-ctl stop >/dev/null 2>&1 || true')).toBeLessThan(lines.findIndex((l) => l.startsWith('have=')));
    expect(at('gitlab-ctl reconfigure')).toBeGreaterThan(at('esac'));
    expect(at('gitlab-ctl start')).toBe(at('gitlab-ctl reconfigure') + 1);
  });

  test('the unit does not pull in a supervisor the gate disabled', () => {
    const unit = renderApplyUnit().split('\n');
    expect(unit).toContain('After=gitlab-runsvdir.service network-online.target');
    expect(unit.filter((l) => /^(Wants|Requires|BindsTo)=/.test(l) && l.includes('gitlab-runsvdir'))).toEqual([]);
  });
});
