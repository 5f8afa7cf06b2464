import { PostgresCluster } from '../../lib/databases/postgres';
import { GitLab, GitLabOperator } from '../../lib/gitlab';
import { find, synth } from '../_helpers';
import { fixture, gitlabProps } from './_fixture';

// Which GitLab release runs (from the operator catalog, or declared), what it refuses (critical
// advisories, an unsupported PostgreSQL), and the typed link to a PostgresCluster.

function pg(f: ReturnType<typeof fixture>, postgresVersion: number, users = [{ name: 'gitlab', databases: ['gitlabhq_production'] }]): PostgresCluster {
  return new PostgresCluster(f.app, `Db${postgresVersion}`, {
    name: `gitlab-db-${postgresVersion}`,
    namespace: 'gitlab-system',
    postgresVersion,
    instances: [{ replicas: 2, storage: '20Gi' }],
    users,
    withoutBackupsReason: 'a test database, nothing to keep',
  });
}

describe('GitLab release', () => {
  test('the operator catalog states the release of the pinned chart: 9.11.4 is GitLab 18.11.4', () => {
    const f = fixture();
    const gitlab = new GitLab(f.app, 'GitLab', gitlabProps(f));
    expect(gitlab.gitlabVersion).toBe('18.11.4');
  });

  test('a declared release that contradicts the catalog is refused', () => {
    const f = fixture();
    expect(() => new GitLab(f.app, 'GitLab', gitlabProps(f, { gitlabVersion: '18.11.3' })))
      .toThrow(/\[GitLab\/GitLab\] gitlabVersion: "18.11.3" contradicts the operator catalog, which records chart 9.11.4 as GitLab 18.11.4/);
  });

  test('without a catalog mapping the release must be declared, and must fit the cited chart major mapping', () => {
    const f = fixture();
    expect(() => new GitLab(f.app, 'GitLab', gitlabProps(f, { operator: undefined, chartVersion: '9.10.3' })))
      .toThrow(/gitlabVersion: is required: the operator catalog does not state which GitLab release chart 9.10.3 carries/);
    const g = fixture();
    expect(() => new GitLab(g.app, 'GitLab', gitlabProps(g, { operator: undefined, chartVersion: '9.10.3', gitlabVersion: '17.10.3' })))
      .toThrow(/gitlabVersion: "17.10.3" is not carried by chart 9.10.3: chart 9.10.z carries GitLab 18.10.z/);
    const h = fixture();
    expect(new GitLab(h.app, 'GitLab', gitlabProps(h, { operator: undefined, chartVersion: '9.10.3', gitlabVersion: '18.10.3' })).gitlabVersion).toBe('18.10.3');
  });

  test('a release with a known critical advisory is refused (review M3)', () => {
    const f = fixture();
    const operator = new GitLabOperator(f.app, 'OldOperator', { startingCsv: 'gitlab-operator-kubernetes.v0.26.0', namespace: 'gitlab-system' });
    expect(() => new GitLab(f.app, 'GitLab', gitlabProps(f, { operator, chartVersion: '7.5.2', gitlabVersion: '16.5.2' })))
      .toThrow(/gitlabVersion: .*CVE-2023-7028/);
  });
});

describe('GitLab on a PostgresCluster', () => {
  test('host, port, database and the PGO user Secret come from the cluster', () => {
    const f = fixture();
    const db = pg(f, 16);
    new GitLab(f.app, 'GitLab', gitlabProps(f, { database: { cluster: db } }));
    const v = find(synth(f.cluster), 'GitLab', 'gitlab', 'gitlab-system').spec.chart.values;
    expect(v.global.psql).toEqual({ host: 'gitlab-db-16-primary.gitlab-system.svc', port: 5432, database: 'gitlabhq_production', username: 'gitlab', password: { secret: 'gitlab-db-16-pguser-gitlab', key: 'password' } });
  });

  test('GitLab\'s user owns its database and schema public (PG 15+ grants no CREATE there otherwise), and amcheck, which only a superuser may create, is created at bootstrap', () => {
    const f = fixture();
    const db = pg(f, 16);
    new GitLab(f.app, 'GitLab', gitlabProps(f, { database: { cluster: db } }));
    const result = synth(f.cluster);
    expect(find(result, 'PostgresCluster', 'gitlab-db-16', 'gitlab-system').spec.databaseInitSQL).toEqual({ name: 'gitlab-db-16-init-sql', key: 'init.sql' });
    expect(find(result, 'ConfigMap', 'gitlab-db-16-init-sql', 'gitlab-system').data['init.sql']).toBe([
      'ALTER DATABASE "gitlabhq_production" OWNER TO "gitlab";',
      '\\connect gitlabhq_production',
      'ALTER SCHEMA public OWNER TO "gitlab";',
      'CREATE EXTENSION IF NOT EXISTS amcheck;',
      '',
    ].join('\n'));
  });

  test('a PostgreSQL major the GitLab release does not run on is refused', () => {
    const f = fixture();
    const db = pg(f, 15);
    expect(() => new GitLab(f.app, 'GitLab', gitlabProps(f, { database: { cluster: db } })))
      .toThrow(/database.cluster: PostgresCluster "gitlab-db-15": PostgreSQL 15 is not supported by GitLab 18.11.4, which needs PostgreSQL 16/);
  });

  test('the user must exist and own a database', () => {
    const f = fixture();
    const db = pg(f, 16, [{ name: 'gitlab', databases: [] as string[] }, { name: 'other', databases: ['x'] }]);
    expect(() => new GitLab(f.app, 'GitLab', gitlabProps(f, { database: { cluster: db } }))).toThrow(/database.user: user "gitlab" of PostgresCluster "gitlab-db-16" owns no database/);
    expect(() => new GitLab(f.app, 'GitLab2', gitlabProps(f, { database: { cluster: db, user: 'nobody' } }))).toThrow(/database.user: "nobody" is not a user of PostgresCluster "gitlab-db-16"/);
  });
});
