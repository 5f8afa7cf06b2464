/**
 * The critical GitLab CE/EE advisories that affect self-managed GitLab 16.0 and later, as data.
 * Checked at synth time by {@link checkAdvisories} (lib/gitlab/advisories.ts).
 *
 * How rows were chosen and verified (2025/2026 review for ocpkit issue 15):
 * - Affected ranges, editions and scores come from the CVE record of each id as its CNA published
 *   it (GitLab is the CNA for GitLab's own CVEs; GitHub for the ruby-saml ones), read from
 *   CVEProject/cvelistV5 `cves/<year>/<bucket>/<id>.json`. The CNA's ranges are "introduced ≤ v <
 *   fixed" with default status unaffected; they are copied below range by range.
 * - For library CVEs whose record names no GitLab versions (ruby-saml), the GitLab versions come
 *   from GitLab's patch release that shipped the fix (cited per row).
 * - Only rows whose record says CRITICAL today are kept. Left out on purpose:
 *   CVE-2023-5356 (Slack/Mattermost slash commands as another user: announced with CVE-2023-7028
 *   but the record now says 7.3 HIGH), CVE-2023-4998 (record REJECTED by GitLab; CVE-2023-5009
 *   is the live one), CVE-2025-27407 (graphql-ruby RCE, 9.1 CRITICAL as a library CVE and shipped
 *   in GitLab 17.9.2, but no source read here states which GitLab versions/editions it affects).
 * - The table stops where the review stopped: no critical GitLab CNA record affecting 18.x/19.x
 *   was found with the search tools available; an absence here is not proof that none exists.
 *
 * Titles are our own one-line summaries, not upstream text.
 */

/** A GitLab edition: Community (`ce`) or Enterprise (`ee`). */
export type GitLabEdition = 'ce' | 'ee';

/** One affected range as the CVE record states it: `introduced <= version < fixed`. */
export interface AdvisoryRange {
  /** First affected release (`X.Y.Z`; a record's `15.8` is written `15.8.0`). */
  readonly introduced: string;
  /** First release of the fixed line that is no longer affected (`X.Y.Z`). */
  readonly fixed: string;
}

/** A critical advisory for self-managed GitLab. */
export interface GitLabAdvisory {
  /** CVE id. */
  readonly id: string;
  /** One line, in our words. */
  readonly title: string;
  /** Severity and score as the cited record gives them, with the scoring system. */
  readonly severity: string;
  /** Editions the advisory affects. */
  readonly editions: readonly GitLabEdition[];
  /** Affected ranges; a version in none of them is not affected. */
  readonly ranges: readonly AdvisoryRange[];
  /** A precondition without which the flaw cannot be exploited (a waiver may cite its absence). */
  readonly onlyWhen?: string;
  /** Where the row was verified: GitLab's release post where one was read, else the NVD page. */
  readonly source: string;
  /** NVD page of the id (always present, for the CVE record's current text). */
  readonly nvd: string;
}

const nvd = (id: string) => `https://nvd.nist.gov/vuln/detail/${id}`;

/** The table, oldest first. */
export const GITLAB_ADVISORIES: readonly GitLabAdvisory[] = [
  {
    // CVEProject/cvelistV5 cves/2023/2xxx/CVE-2023-2825.json (CNA GitLab): "affecting only version 16.0.0", 10.0 CRITICAL.
    // Fixed by the critical security release 16.0.1 (URL cited by sameersbn/docker-gitlab PR #2770).
    id: 'CVE-2023-2825',
    title: 'unauthenticated arbitrary file read through path traversal on attachments of deeply nested public projects',
    severity: 'CRITICAL 10.0 (CVSS 3.1, GitLab CNA)',
    editions: ['ce', 'ee'],
    ranges: [{ introduced: '16.0.0', fixed: '16.0.1' }],
    source: 'https://about.gitlab.com/releases/2023/05/23/critical-security-release-gitlab-16-0-1-released/',
    nvd: nvd('CVE-2023-2825'),
  },
  {
    // cvelistV5 cves/2023/5xxx/CVE-2023-5009.json (CNA GitLab): GitLab EE 13.12 < 16.2.7, 16.3 < 16.3.4; 9.6 CRITICAL.
    id: 'CVE-2023-5009',
    title: 'pipeline jobs run as an arbitrary user through scheduled security scan policies',
    severity: 'CRITICAL 9.6 (CVSS 3.1, GitLab CNA)',
    editions: ['ee'],
    ranges: [
      { introduced: '13.12.0', fixed: '16.2.7' },
      { introduced: '16.3.0', fixed: '16.3.4' },
    ],
    source: nvd('CVE-2023-5009'),
    nvd: nvd('CVE-2023-5009'),
  },
  {
    // cvelistV5 cves/2023/7xxx/CVE-2023-7028.json (CNA GitLab): CE/EE 16.1 < 16.1.6, 16.2 < 16.2.9, 16.3 < 16.3.7,
    // 16.4 < 16.4.5, 16.5 < 16.5.6, 16.6 < 16.6.4, 16.7 < 16.7.2; 10.0 CRITICAL; on CISA KEV since 2024-05-01.
    id: 'CVE-2023-7028',
    title: 'password-reset mail delivered to an unverified address: account takeover without interaction',
    severity: 'CRITICAL 10.0 (CVSS 3.1, GitLab CNA)',
    editions: ['ce', 'ee'],
    ranges: [
      { introduced: '16.1.0', fixed: '16.1.6' },
      { introduced: '16.2.0', fixed: '16.2.9' },
      { introduced: '16.3.0', fixed: '16.3.7' },
      { introduced: '16.4.0', fixed: '16.4.5' },
      { introduced: '16.5.0', fixed: '16.5.6' },
      { introduced: '16.6.0', fixed: '16.6.4' },
      { introduced: '16.7.0', fixed: '16.7.2' },
    ],
    source: nvd('CVE-2023-7028'),
    nvd: nvd('CVE-2023-7028'),
  },
  {
    // cvelistV5 cves/2024/0xxx/CVE-2024-0402.json (CNA GitLab): CE/EE 16.0 < 16.5.8, 16.6 < 16.6.6, 16.7 < 16.7.4,
    // 16.8 < 16.8.1; 9.9 CRITICAL; the record itself cites the release post below.
    id: 'CVE-2024-0402',
    title: 'authenticated user writes files anywhere on the server while creating a workspace',
    severity: 'CRITICAL 9.9 (CVSS 3.1, GitLab CNA)',
    editions: ['ce', 'ee'],
    ranges: [
      { introduced: '16.0.0', fixed: '16.5.8' },
      { introduced: '16.6.0', fixed: '16.6.6' },
      { introduced: '16.7.0', fixed: '16.7.4' },
      { introduced: '16.8.0', fixed: '16.8.1' },
    ],
    source: 'https://about.gitlab.com/releases/2024/01/25/critical-security-release-gitlab-16-8-1-released/',
    nvd: nvd('CVE-2024-0402'),
  },
  {
    // cvelistV5 cves/2024/5xxx/CVE-2024-5655.json (CNA GitLab): CE/EE 15.8 < 16.11.5, 17.0 < 17.0.3, 17.1 < 17.1.1; 9.6 CRITICAL.
    // Release post URL as cited in boostsecurityio/poutine PR #140.
    id: 'CVE-2024-5655',
    title: 'attacker can trigger a pipeline as another user',
    severity: 'CRITICAL 9.6 (CVSS 3.1, GitLab CNA)',
    editions: ['ce', 'ee'],
    ranges: [
      { introduced: '15.8.0', fixed: '16.11.5' },
      { introduced: '17.0.0', fixed: '17.0.3' },
      { introduced: '17.1.0', fixed: '17.1.1' },
    ],
    source: 'https://about.gitlab.com/releases/2024/06/26/patch-release-gitlab-17-1-1-released/',
    nvd: nvd('CVE-2024-5655'),
  },
  {
    // cvelistV5 cves/2024/6xxx/CVE-2024-6385.json (CNA GitLab): CE/EE 15.8 < 16.11.6, 17.0 < 17.0.4, 17.1 < 17.1.2; 9.6 CRITICAL.
    id: 'CVE-2024-6385',
    title: 'attacker can trigger a pipeline as another user (a second path, fixed a release later)',
    severity: 'CRITICAL 9.6 (CVSS 3.1, GitLab CNA)',
    editions: ['ce', 'ee'],
    ranges: [
      { introduced: '15.8.0', fixed: '16.11.6' },
      { introduced: '17.0.0', fixed: '17.0.4' },
      { introduced: '17.1.0', fixed: '17.1.2' },
    ],
    source: nvd('CVE-2024-6385'),
    nvd: nvd('CVE-2024-6385'),
  },
  {
    // cvelistV5 cves/2024/6xxx/CVE-2024-6678.json (CNA GitLab): CE/EE 8.14 < 17.1.7, 17.2 < 17.2.5, 17.3 < 17.3.2; 9.9 CRITICAL.
    // Release post URL as cited by sameersbn/docker-gitlab PR #2998 ("GitLab Critical Patch Release: 17.2.5").
    id: 'CVE-2024-6678',
    title: 'attacker can trigger a pipeline as an arbitrary user',
    severity: 'CRITICAL 9.9 (CVSS 3.1, GitLab CNA)',
    editions: ['ce', 'ee'],
    ranges: [
      { introduced: '8.14.0', fixed: '17.1.7' },
      { introduced: '17.2.0', fixed: '17.2.5' },
      { introduced: '17.3.0', fixed: '17.3.2' },
    ],
    source: 'https://about.gitlab.com/releases/2024/09/11/patch-release-gitlab-17-3-2-released/',
    nvd: nvd('CVE-2024-6678'),
  },
  {
    // Library CVE (ruby-saml < 1.17.0, CNA GitHub, 10.0 CRITICAL: cvelistV5 cves/2024/45xxx/CVE-2024-45409.json).
    // GitLab versions: fixed in 17.3.3, 17.2.7, 17.1.8, 17.0.8, 16.11.10 (GitLab release post below, as cited by
    // projectdiscovery/nuclei-templates code/cves/2024/CVE-2024-45409.yaml; the same versions in CERT-EU advisory
    // 2024-101, which says CE and EE and "which have configured SAML based authentication"; synacktiv/CVE-2024-45409
    // README: "< 16.11.10" for the older lines). No older line got a fix, so all of 16.0-16.10 is affected.
    id: 'CVE-2024-45409',
    title: 'SAML sign-in bypass: forged SAML response accepted (ruby-saml signature check), log in as any user',
    severity: 'CRITICAL 10.0 (CVSS 3.1, GitHub CNA for ruby-saml)',
    editions: ['ce', 'ee'],
    ranges: [
      { introduced: '16.0.0', fixed: '16.11.10' },
      { introduced: '17.0.0', fixed: '17.0.8' },
      { introduced: '17.1.0', fixed: '17.1.8' },
      { introduced: '17.2.0', fixed: '17.2.7' },
      { introduced: '17.3.0', fixed: '17.3.3' },
    ],
    onlyWhen: 'SAML sign-in is configured',
    source: 'https://about.gitlab.com/releases/2024/09/17/patch-release-gitlab-17-3-3-released/',
    nvd: nvd('CVE-2024-45409'),
  },
  {
    // cvelistV5 cves/2024/9xxx/CVE-2024-9164.json (CNA GitLab): GitLab EE 12.5 < 17.2.9, 17.3 < 17.3.5, 17.4 < 17.4.2;
    // 9.6 CRITICAL. Post title "GitLab Critical Patch Release: 17.4.2, 17.3.5, 17.2.9" (gitlab-com/www-gitlab-com
    // commit 44c17304, canonical_path below).
    id: 'CVE-2024-9164',
    title: 'pipelines can be run on arbitrary branches (EE)',
    severity: 'CRITICAL 9.6 (CVSS 3.1, GitLab CNA)',
    editions: ['ee'],
    ranges: [
      { introduced: '12.5.0', fixed: '17.2.9' },
      { introduced: '17.3.0', fixed: '17.3.5' },
      { introduced: '17.4.0', fixed: '17.4.2' },
    ],
    source: 'https://about.gitlab.com/releases/2024/10/09/patch-release-gitlab-17-4-2-released/',
    nvd: nvd('CVE-2024-9164'),
  },
  // The ruby-saml parser-differential pair. Library CVEs (CNA GitHub): ruby-saml < 1.12.4 and 1.13.0 < 1.18.0.
  // Severity, honestly: at publication (2025-03-12) both records said CVSS 4.0 8.8 HIGH (with E:P); the records as
  // updated 2025-11-03 say CVSS 4.0 9.3 CRITICAL (cvelistV5 cves/2025/25xxx/CVE-2025-2529{1,2}.json). GitLab's own
  // label for them in its 17.9.2 post could not be read here (the post is not in the stored corpora) - not verified.
  // GitLab versions: the records cite GitLab's "Patch Release: 17.9.2, 17.8.5, 17.7.7"
  // (about.gitlab.com/releases/2025/03/12/patch-release-gitlab-17-9-2-released), which shipped ruby-saml 1.18.0.
  // Every GitLab 16.x/17.x before those shipped ruby-saml < 1.18.0, so no older line has a fix; 17.10.0 came out
  // after 17.9.2 (2025-03-20) and is taken as fixed. Exploitable only where SAML sign-in is configured.
  {
    id: 'CVE-2025-25291',
    title: 'SAML sign-in bypass through a DOCTYPE parser differential in ruby-saml (signature wrapping)',
    severity: 'CRITICAL 9.3 (CVSS 4.0, GitHub CNA, revised 2025-11 from 8.8 HIGH; GitLab\'s own rating not verified)',
    editions: ['ce', 'ee'],
    ranges: [
      { introduced: '16.0.0', fixed: '17.7.7' },
      { introduced: '17.8.0', fixed: '17.8.5' },
      { introduced: '17.9.0', fixed: '17.9.2' },
    ],
    onlyWhen: 'SAML sign-in is configured',
    source: 'https://about.gitlab.com/releases/2025/03/12/patch-release-gitlab-17-9-2-released/',
    nvd: nvd('CVE-2025-25291'),
  },
  {
    id: 'CVE-2025-25292',
    title: 'SAML sign-in bypass through a namespace parser differential in ruby-saml (signature wrapping)',
    severity: 'CRITICAL 9.3 (CVSS 4.0, GitHub CNA, revised 2025-11 from 8.8 HIGH; GitLab\'s own rating not verified)',
    editions: ['ce', 'ee'],
    ranges: [
      { introduced: '16.0.0', fixed: '17.7.7' },
      { introduced: '17.8.0', fixed: '17.8.5' },
      { introduced: '17.9.0', fixed: '17.9.2' },
    ],
    onlyWhen: 'SAML sign-in is configured',
    source: 'https://about.gitlab.com/releases/2025/03/12/patch-release-gitlab-17-9-2-released/',
    nvd: nvd('CVE-2025-25292'),
  },
];

/** The oldest GitLab release the table covers; older releases are outside its review. */
export const ADVISORIES_COVER_FROM = '16.0.0';
