import { Problems } from '../../lib/core/errors';
import {
  advisoriesAffecting, AdvisoryWaiver, checkAdvisories, compareGitLabVersions, fixedReleaseOnLine, GITLAB_ADVISORIES, GitLabEdition,
} from '../../lib/gitlab/advisories';

const ids = (version: string, edition: GitLabEdition = 'ce') => advisoriesAffecting(version, edition).map((a) => a.id);

function check(version: string, edition: GitLabEdition, waivers?: readonly AdvisoryWaiver[]): Problems {
  const p = new Problems('community/GitLab');
  checkAdvisories(p, 'version', version, edition, waivers);
  return p;
}
const messages = (p: Problems, field = 'version') => p.all.filter((x) => x.field === field).map((x) => x.message);

describe('GitLab advisories table', () => {
  test('rows are well formed: unique CVE ids, critical, cited, ranges that end after they start', () => {
    const seen = new Set<string>();
    for (const a of GITLAB_ADVISORIES) {
      expect(a.id).toMatch(/^CVE-\d{4}-\d{4,}$/);
      expect(seen.has(a.id)).toBe(false);
      seen.add(a.id);
      expect(a.severity).toMatch(/^CRITICAL /);
      expect(a.source).toMatch(/^https:\/\/(about\.gitlab\.com\/releases\/|nvd\.nist\.gov\/vuln\/detail\/)/);
      expect(a.nvd).toBe(`https://nvd.nist.gov/vuln/detail/${a.id}`);
      expect(a.editions.length).toBeGreaterThan(0);
      for (const r of a.ranges) expect(compareGitLabVersions(r.introduced, r.fixed)).toBeLessThan(0);
    }
    // the rows the issue asks for
    for (const id of ['CVE-2023-7028', 'CVE-2024-5655', 'CVE-2024-6385', 'CVE-2024-6678', 'CVE-2024-45409', 'CVE-2025-25291', 'CVE-2025-25292']) {
      expect(seen.has(id)).toBe(true);
    }
  });

  test('versions compare numerically, not as text', () => {
    expect(compareGitLabVersions('16.10.0', '16.9.9')).toBeGreaterThan(0);
    expect(compareGitLabVersions('16.11.10', '16.11.9')).toBeGreaterThan(0);
    expect(compareGitLabVersions('17.0.0', '16.11.10')).toBeGreaterThan(0);
    expect(compareGitLabVersions('16.5.6', '16.5.6')).toBe(0);
    expect(() => compareGitLabVersions('16.5', '16.5.6')).toThrow(/"16.5" is not a GitLab release/);
  });
});

describe('advisoriesAffecting', () => {
  test('CVE-2023-7028 (password-reset takeover): 16.5.2 affected, 16.5.6 fixed on that line, 16.0.x never had it', () => {
    expect(ids('16.5.2')).toContain('CVE-2023-7028');
    expect(ids('16.5.6')).not.toContain('CVE-2023-7028');
    expect(ids('16.6.3')).toContain('CVE-2023-7028');
    expect(ids('16.6.4')).not.toContain('CVE-2023-7028');
    expect(ids('16.7.1', 'ee')).toContain('CVE-2023-7028');
    expect(ids('16.7.2', 'ee')).not.toContain('CVE-2023-7028');
    expect(ids('16.0.8')).not.toContain('CVE-2023-7028');
    expect(ids('16.8.0')).not.toContain('CVE-2023-7028');
  });

  test('a line older than the oldest fixed line is affected when a range spans it; a newer line is not', () => {
    // CVE-2024-5655: 15.8 <= v < 16.11.5 — no 16.5 release was ever fixed
    expect(ids('16.5.99')).toContain('CVE-2024-5655');
    expect(ids('16.11.4')).toContain('CVE-2024-5655');
    expect(ids('16.11.5')).not.toContain('CVE-2024-5655');
    expect(ids('17.2.0')).not.toContain('CVE-2024-5655');
    // CVE-2024-45409: nothing before 16.11.10 is fixed; 16.11.9 < 16.11.10 numerically
    expect(ids('16.11.9')).toContain('CVE-2024-45409');
    expect(ids('16.11.10')).not.toContain('CVE-2024-45409');
    // CVE-2024-0402 stops at the 16.8 line; 16.10.0 is later, not "before 16.5.8" as text would say
    expect(ids('16.10.0')).not.toContain('CVE-2024-0402');
    expect(ids('16.5.7')).toContain('CVE-2024-0402');
  });

  test('EE-only rows are ignored for CE', () => {
    expect(ids('17.4.1', 'ee')).toContain('CVE-2024-9164');
    expect(ids('17.4.1', 'ce')).not.toContain('CVE-2024-9164');
    expect(ids('16.3.3', 'ee')).toContain('CVE-2023-5009');
    expect(ids('16.3.3', 'ce')).not.toContain('CVE-2023-5009');
  });

  test('single-release and library rows', () => {
    expect(ids('16.0.0')).toContain('CVE-2023-2825');
    expect(ids('16.0.1')).not.toContain('CVE-2023-2825');
    expect(ids('17.9.1')).toEqual(expect.arrayContaining(['CVE-2025-25291', 'CVE-2025-25292']));
    expect(ids('17.9.2')).not.toContain('CVE-2025-25291');
    expect(ids('17.8.4')).toContain('CVE-2025-25292');
    expect(ids('17.8.5')).not.toContain('CVE-2025-25292');
    expect(ids('17.10.0')).not.toContain('CVE-2025-25291');
  });

  test('the fix of a release line', () => {
    const row = GITLAB_ADVISORIES.find((a) => a.id === 'CVE-2023-7028')!;
    expect(fixedReleaseOnLine(row, '16.5.2')).toBe('16.5.6');
    const older = GITLAB_ADVISORIES.find((a) => a.id === 'CVE-2024-6385')!;
    expect(fixedReleaseOnLine(older, '16.9.1')).toBeUndefined();
  });

  test('refuses versions it cannot compare', () => {
    expect(() => advisoriesAffecting('v16.5.2', 'ce')).toThrow(/"v16.5.2" is not a GitLab release/);
    expect(() => advisoriesAffecting('16.5.2', 'premium' as GitLabEdition)).toThrow(/"premium" is not "ce" or "ee"/);
  });
});

describe('checkAdvisories', () => {
  test('16.5.2 is refused for CVE-2023-7028, naming the fixed release of the line and the source', () => {
    const p = check('16.5.2', 'ce');
    const m = messages(p).find((x) => x.includes('CVE-2023-7028'));
    expect(m).toBeDefined();
    expect(m).toContain('16.5.6');
    expect(m).toContain('https://nvd.nist.gov/vuln/detail/CVE-2023-7028');
    expect(() => p.throwIfAny()).toThrow(/\[community\/GitLab\] version: GitLab 16\.5\.2 \(ce\) is affected by CVE-2023-7028/);
    // one line per problem
    for (const x of p.all) expect(x.message).not.toMatch(/\n/);
  });

  test('16.5.6 passes the CVE-2023-7028 row (other rows still apply to it)', () => {
    const p = check('16.5.6', 'ce');
    expect(messages(p).some((x) => x.includes('CVE-2023-7028'))).toBe(false);
    expect(messages(p).some((x) => x.includes('CVE-2024-0402'))).toBe(true); // 16.5.6 < 16.5.8
  });

  test('a line without its own fix says so and lists the fixed releases', () => {
    const m = messages(check('16.9.1', 'ce')).find((x) => x.includes('CVE-2024-5655'));
    expect(m).toMatch(/no 16\.9 release is fixed; fixed releases are 16\.11\.5, 17\.0\.3, 17\.1\.1/);
  });

  test('a release outside every row passes', () => {
    expect(check('17.11.0', 'ee').size).toBe(0);
  });

  test('SAML-only rows say when they can be exploited', () => {
    const m = messages(check('17.3.2', 'ce')).find((x) => x.includes('CVE-2024-45409'));
    expect(m).toContain('exploitable only when SAML sign-in is configured');
    expect(m).toContain('fixed on the 17.3 line in 17.3.3');
  });

  test('a waiver with a real reason accepts the advisory', () => {
    const p = check('16.5.2', 'ce', [{ advisory: 'CVE-2023-7028', reason: 'instance sends no mail at all; password reset is disabled until the 16.5.6 upgrade on 2024-01-20' }]);
    expect(messages(p).some((x) => x.includes('CVE-2023-7028'))).toBe(false);
    expect(p.all.some((x) => x.field.startsWith('advisoryWaivers'))).toBe(false);
  });

  test('a waiver without a real reason is refused and the advisory still reported', () => {
    for (const reason of ['n/a', 'accepted', 'risk ok', '   ']) {
      const p = check('16.5.2', 'ce', [{ advisory: 'CVE-2023-7028', reason }]);
      expect(messages(p, 'advisoryWaivers[0].reason')[0]).toMatch(/waiver of CVE-2023-7028: reason .* does not say why the risk is acceptable/);
      expect(messages(p).some((x) => x.includes('CVE-2023-7028'))).toBe(true);
    }
  });

  test('a stale waiver (advisory does not affect the version or edition) is an error', () => {
    const reason = 'SAML sign-in is not configured on this instance';
    const p = check('16.7.2', 'ce', [{ advisory: 'CVE-2023-7028', reason }]);
    expect(messages(p, 'advisoryWaivers[0].advisory')).toEqual([
      'CVE-2023-7028 does not affect GitLab 16.7.2 (ce); remove the stale waiver',
    ]);
    const ce = check('17.4.1', 'ce', [{ advisory: 'CVE-2024-9164', reason }]);
    expect(messages(ce, 'advisoryWaivers[0].advisory')[0]).toMatch(/CVE-2024-9164 does not affect GitLab 17\.4\.1 \(ce\)/);
  });

  test('unknown and duplicate waivers are errors', () => {
    const reason = 'SAML sign-in is not configured on this instance';
    const p = check('17.3.2', 'ce', [
      { advisory: 'CVE-2099-0001', reason },
      { advisory: 'CVE-2024-45409', reason },
      { advisory: 'CVE-2024-45409', reason },
    ]);
    expect(messages(p, 'advisoryWaivers[0].advisory')[0]).toMatch(/"CVE-2099-0001" is not an advisory of the table; known: CVE-2023-2825/);
    expect(messages(p, 'advisoryWaivers[2].advisory')).toEqual(['CVE-2024-45409 is waived twice; keep one waiver']);
    expect(messages(p).some((x) => x.includes('CVE-2024-45409'))).toBe(false);
  });

  test('bad and uncovered versions are reported on the field', () => {
    expect(messages(check('16.5', 'ce'))[0]).toMatch(/"16.5" is not a GitLab release; write major\.minor\.patch/);
    expect(messages(check('15.11.13', 'ee'))[0]).toMatch(/GitLab 15\.11\.13 is older than 16\.0\.0, the oldest release the advisories table/);
  });

  test('the waiver field name can be given', () => {
    const p = new Problems('x');
    checkAdvisories(p, 'chart.gitlabVersion', '16.7.2', 'ce', [{ advisory: 'CVE-2023-7028', reason: 'placeholder that is long enough' }], 'advisories.waivers');
    expect(p.all.map((x) => x.field)).toContain('advisories.waivers[0].advisory');
  });
});
