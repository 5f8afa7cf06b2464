import { Problems, show } from '../core/errors';
import { compareVersions } from '../platform/operator-catalog';
import { GitLabOperator } from './gitlab-operator';

/**
 * Which GitLab release a chart version carries, and what that release needs of its PostgreSQL:
 * pure rules the GitLab construct, its runners and its database link share.
 */

/**
 * Chart major to GitLab major where the mapping is cited: "chart 8.x.y = GitLab 17.x.y, chart
 * 9.x.y = GitLab 18.x.y" (the 4.14 operator catalog's `chart_to_gitlab`, citing
 * https://docs.gitlab.com/17.8/charts/installation/version_mappings and
 * https://docs.gitlab.com/charts/installation/version_mappings.html). The minor is the same; the
 * patch is not (8.7.4 is 17.7.2), so a patch release comes from the catalog or the user.
 */
export const CHART_TO_GITLAB_MAJOR: Readonly<Record<number, number>> = { 8: 17, 9: 18 };

const RELEASE = /^(\d+)\.(\d+)\.(\d+)$/;

/**
 * The GitLab release of the instance: the one the operator catalog states for the chart version,
 * else the declared `gitlabVersion`, which must agree with the catalog and with the cited chart
 * major mapping. Records problems in `p` and returns undefined when it cannot tell.
 */
export function resolveGitLabRelease(p: Problems, chartVersion: unknown, declared: unknown, operator: GitLabOperator | undefined): string | undefined {
  if (declared !== undefined && (typeof declared !== 'string' || !RELEASE.test(declared))) {
    p.add('gitlabVersion', `${show(declared)} is not a GitLab release; write major.minor.patch such as "18.11.4"`);
    return undefined;
  }
  if (typeof chartVersion !== 'string' || !RELEASE.test(chartVersion)) return undefined; // chartVersion's own rule reports it
  const catalogued = operator instanceof GitLabOperator ? operator.chartReleases?.find((r) => r.chart === chartVersion)?.gitlab : undefined;
  if (catalogued && declared !== undefined && declared !== catalogued) {
    p.add('gitlabVersion', `"${declared}" contradicts the operator catalog, which records chart ${chartVersion} as GitLab ${catalogued}; drop gitlabVersion or fix it`);
    return undefined;
  }
  const release = catalogued ?? (declared as string | undefined);
  if (release === undefined) {
    p.add('gitlabVersion', `is required: the operator catalog does not state which GitLab release chart ${chartVersion} carries; declare it from the chart's version mappings (https://docs.gitlab.com/charts/installation/version_mappings.html)`);
    return undefined;
  }
  const [chartMajor, chartMinor] = chartVersion.split('.').map(Number);
  const expectedMajor = CHART_TO_GITLAB_MAJOR[chartMajor];
  const [major, minor] = release.split('.').map(Number);
  if (expectedMajor !== undefined && (major !== expectedMajor || minor !== chartMinor)) {
    p.add('gitlabVersion', `"${release}" is not carried by chart ${chartVersion}: chart ${chartMajor}.${chartMinor}.z carries GitLab ${expectedMajor}.${chartMinor}.z`);
    return undefined;
  }
  return release;
}

/** The PostgreSQL majors a GitLab release line runs on, with the source that says so. */
export interface PostgresSupport {
  /** First GitLab release of the rule (`18.0.0`); the rule holds until the next row. */
  readonly from: string;
  readonly minimum: number;
  /** Highest supported major; undefined when the source names none. */
  readonly maximum?: number;
  readonly source: string;
}

/**
 * PostgreSQL requirements of GitLab, newest first. Only rows with a source; a GitLab release older
 * than the last row is not checked.
 */
export const GITLAB_POSTGRES_SUPPORT: readonly PostgresSupport[] = [
  // Chart doc/releases/9_0.md (chart 9.0 = GitLab 18.0): "Support for PostgreSQL 14 and 15 has been
  // removed"; omnibus-gitlab work item 9757: 18.x minimum 16, maximum 17 (gitlab MR 230691: 18.11
  // supports PostgreSQL 17).
  { from: '18.0.0', minimum: 16, maximum: 17, source: 'GitLab chart doc/releases/9_0.md, omnibus-gitlab work item 9757' },
];

/**
 * Extensions GitLab needs that a database owner cannot create (not `trusted` in PostgreSQL, so
 * the superuser must): `amcheck` from GitLab 18.4 (chart doc/releases/9_0.md "Upgrade to 9.4.0";
 * doc/advanced/external-db: amcheck, pg_trgm and btree_gist must exist unless GitLab's account is a
 * superuser; pg_trgm and btree_gist are trusted since PostgreSQL 13, so the database owner creates them: PostgresCluster makes the user the owner at bootstrap).
 */
export function superuserExtensions(release: string): readonly string[] {
  return compareVersions(release, '18.4.0') >= 0 ? ['amcheck'] : [];
}

/** The problem with running `release` on PostgreSQL `major`, if any. */
export function postgresProblem(release: string, major: number): string | undefined {
  const row = GITLAB_POSTGRES_SUPPORT.find((r) => compareVersions(release, r.from) >= 0);
  if (!row) return undefined;
  if (major < row.minimum || (row.maximum !== undefined && major > row.maximum)) {
    const range = row.maximum === undefined ? `${row.minimum} or later` : row.minimum === row.maximum ? `${row.minimum}` : `${row.minimum} to ${row.maximum}`;
    return `PostgreSQL ${major} is not supported by GitLab ${release}, which needs PostgreSQL ${range} (${row.source})`;
  }
  return undefined;
}
