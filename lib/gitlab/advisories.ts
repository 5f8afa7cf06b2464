import { Problems, show } from '../core/errors';
import { ADVISORIES_COVER_FROM, GITLAB_ADVISORIES, GitLabAdvisory, GitLabEdition } from './_advisories-table';

export { ADVISORIES_COVER_FROM, GITLAB_ADVISORIES } from './_advisories-table';
export type { AdvisoryRange, GitLabAdvisory, GitLabEdition } from './_advisories-table';

/**
 * Accepts the risk of one advisory for one GitLab. The reason is written into Git next to the
 * version, so it says why the risk is acceptable (`SAML sign-in is not configured on this
 * instance`), not that it is.
 */
export interface AdvisoryWaiver {
  /** The advisory id as the table spells it (`CVE-2024-45409`). */
  readonly advisory: string;
  /** Why this GitLab may run a release the advisory affects. */
  readonly reason: string;
}

const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
type Triple = readonly [number, number, number];

function parse(version: string): Triple | undefined {
  const m = VERSION.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function cmp(a: Triple, b: Triple): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function mustParse(version: string, what: string): Triple {
  const t = typeof version === 'string' ? parse(version) : undefined;
  if (!t) throw new Error(`${what} ${show(version)} is not a GitLab release; write major.minor.patch such as "17.3.3"`);
  return t;
}

/** Orders two GitLab releases written `X.Y.Z` numerically (negative, zero or positive). Throws on other forms. */
export function compareGitLabVersions(a: string, b: string): number {
  return cmp(mustParse(a, 'version'), mustParse(b, 'version'));
}

function isEdition(e: unknown): e is GitLabEdition {
  return e === 'ce' || e === 'ee';
}

function affects(a: GitLabAdvisory, v: Triple, edition: GitLabEdition): boolean {
  if (!a.editions.includes(edition)) return false;
  return a.ranges.some((r) => cmp(mustParse(r.introduced, a.id), v) <= 0 && cmp(v, mustParse(r.fixed, a.id)) < 0);
}

/**
 * The advisories of the table that affect a GitLab release (`X.Y.Z`) of an edition: the version
 * lies in one of the advisory's ranges (`introduced <= version < fixed`) and the advisory covers
 * the edition. A release line that never got a fix (older than the oldest fixed line) is affected
 * when a range spans it. Throws on a version not written `X.Y.Z` or an unknown edition.
 */
export function advisoriesAffecting(version: string, edition: GitLabEdition): readonly GitLabAdvisory[] {
  const v = mustParse(version, 'GitLab version');
  if (!isEdition(edition)) throw new Error(`GitLab edition ${show(edition)} is not "ce" or "ee"`);
  return GITLAB_ADVISORIES.filter((a) => affects(a, v, edition));
}

/**
 * The release that fixes an advisory on the release line (major.minor) of `version`, or
 * undefined when no release of that line was fixed (move to a later line then).
 */
export function fixedReleaseOnLine(advisory: GitLabAdvisory, version: string): string | undefined {
  const v = mustParse(version, 'GitLab version');
  return advisory.ranges.map((r) => r.fixed).find((f) => {
    const t = mustParse(f, advisory.id);
    return t[0] === v[0] && t[1] === v[1];
  });
}

function fixAdvice(a: GitLabAdvisory, version: string): string {
  const v = mustParse(version, 'GitLab version');
  const onLine = fixedReleaseOnLine(a, version);
  if (onLine) return `fixed on the ${v[0]}.${v[1]} line in ${onLine}`;
  const later = a.ranges.map((r) => r.fixed).filter((f) => cmp(mustParse(f, a.id), v) > 0);
  return `no ${v[0]}.${v[1]} release is fixed; fixed releases are ${later.join(', ')} (or a later line)`;
}

const PLACEHOLDER = /^(n\/?a|none|todo|tbd|wip|waived?|accepted|ok(ay)?|fine|later|temporary|temp|fixme|x+|-+|\.+)$/i;
const MIN_REASON = 20;

/** Why a waiver reason is not enough, or undefined when it is. */
function reasonProblem(reason: unknown): string | undefined {
  if (typeof reason !== 'string') return `${show(reason)} is not a reason`;
  const r = reason.trim();
  const words = r.split(/\s+/).filter((w) => /[A-Za-z]/.test(w));
  if (PLACEHOLDER.test(r) || r.length < MIN_REASON || words.length < 3) {
    return `reason ${show(reason)} does not say why the risk is acceptable; write at least ${MIN_REASON} characters and three words (for example "SAML sign-in is not configured on this instance")`;
  }
  return undefined;
}

/**
 * Checks a GitLab release against the advisories table (the GitLab construct's synth-time rule):
 * every advisory affecting `version` in `edition` is a problem under `field` unless a waiver with
 * a real reason names it. A waiver is itself a problem (under `waiverField[i]`) when its advisory
 * is unknown, named twice, has no real reason, or does not affect this version and edition (a
 * stale waiver, to be removed after an upgrade). Versions older than {@link ADVISORIES_COVER_FROM}
 * are refused: the table does not cover them.
 *
 * @param p problems of the construct
 * @param field field the version came from (`version`, `chart.gitlabVersion`)
 * @param version the GitLab release the stack runs, `X.Y.Z`
 * @param edition `ce` or `ee`
 * @param waivers accepted advisories, each with its reason
 * @param waiverField field the waivers came from, for their problems
 */
export function checkAdvisories(
  p: Problems,
  field: string,
  version: string,
  edition: GitLabEdition,
  waivers: readonly AdvisoryWaiver[] = [],
  waiverField = 'advisoryWaivers',
): void {
  const v = typeof version === 'string' ? parse(version) : undefined;
  if (!v) {
    p.add(field, `${show(version)} is not a GitLab release; write major.minor.patch such as "17.3.3"`);
    return;
  }
  if (!isEdition(edition)) {
    p.add(field, `GitLab edition ${show(edition)} is not "ce" or "ee"`);
    return;
  }
  if (cmp(v, mustParse(ADVISORIES_COVER_FROM, 'table')) < 0) {
    p.add(field, `GitLab ${version} is older than ${ADVISORIES_COVER_FROM}, the oldest release the advisories table (lib/gitlab/_advisories-table.ts) covers; run a maintained release`);
    return;
  }

  const affecting = advisoriesAffecting(version, edition);
  const waived = new Set<string>();
  const seen = new Set<string>();
  waivers.forEach((w, i) => {
    const wf = `${waiverField}[${i}]`;
    const id = w?.advisory;
    const known = GITLAB_ADVISORIES.find((a) => a.id === id);
    if (!known) {
      p.add(`${wf}.advisory`, `${show(id)} is not an advisory of the table; known: ${GITLAB_ADVISORIES.map((a) => a.id).join(', ')}`);
      return;
    }
    if (seen.has(known.id)) {
      p.add(`${wf}.advisory`, `${known.id} is waived twice; keep one waiver`);
      return;
    }
    seen.add(known.id);
    if (!affecting.includes(known)) {
      p.add(`${wf}.advisory`, `${known.id} does not affect GitLab ${version} (${edition}); remove the stale waiver`);
      return;
    }
    const bad = reasonProblem(w.reason);
    if (bad) {
      p.add(`${wf}.reason`, `waiver of ${known.id}: ${bad}`);
      return;
    }
    waived.add(known.id);
  });

  for (const a of affecting) {
    if (waived.has(a.id)) continue;
    const when = a.onlyWhen ? `; exploitable only when ${a.onlyWhen}` : '';
    p.add(
      field,
      `GitLab ${version} (${edition}) is affected by ${a.id}, ${a.severity}: ${a.title}${when}; ${fixAdvice(a, version)} ` +
        `(source: ${a.source}). Upgrade, or waive with { advisory: '${a.id}', reason: '<why the risk is acceptable>' }`,
    );
  }
}
