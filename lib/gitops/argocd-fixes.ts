import { compareVersions } from '../platform/operator-catalog';

/** A defect of Argo CD that ocpkit depends on being fixed, with the releases that fix it. */
export interface ArgoCdFix {
  /** What goes wrong without the fix (for the error message). */
  readonly defect: string;
  /** First patch release of each minor line that has the fix (`2.10.6`). */
  readonly fixedIn: readonly string[];
  /** Where this was verified. */
  readonly source: string;
}

/**
 * Argo CD defects ocpkit features depend on. Facts, each verified upstream:
 *
 * - `respect-ignore-differences`: before the fix, `RespectIgnoreDifferences=true` built a JSON merge
 *   patch that replaces arrays whole, so ignoring one container's image copied the whole live
 *   `containers` array into the target and every other change to those containers (env, resources,
 *   probes) was never applied. argoproj/argo-cd#9678, fixed by PR #17693; the backports are in
 *   v2.8.15, v2.9.11 and v2.10.6 (`git tag --contains`, field review
 *   ../shared/reviews/field-review-tenancy-gitops-backup.md M3; v2.10.5 still has the old
 *   `compilePatch` in controller/sync.go `normalizeTargetResources`).
 */
export const ARGO_CD_FIXES = {
  'respect-ignore-differences': {
    defect: 'RespectIgnoreDifferences replaces whole arrays, so every other change to an ignored container is silently dropped (argoproj/argo-cd#9678)',
    fixedIn: ['2.8.15', '2.9.11', '2.10.6'],
    source: 'argoproj/argo-cd PR #17693, backported to v2.8.15, v2.9.11, v2.10.6',
  },
} as const satisfies Record<string, ArgoCdFix>;

export type ArgoCdFixId = keyof typeof ARGO_CD_FIXES;

/**
 * Whether an Argo CD version has a fix: true from the listed patch of its minor line on, and for
 * every minor newer than all listed ones; false before. `undefined` when the version is unknown.
 */
export function argoCdHasFix(version: string | undefined, fix: ArgoCdFixId): boolean | undefined {
  if (!version || !/^\d+\.\d+\.\d+$/.test(version)) return undefined;
  const minor = (v: string) => v.split('.').slice(0, 2).join('.');
  const lines = ARGO_CD_FIXES[fix].fixedIn;
  const same = lines.find((f) => minor(f) === minor(version));
  if (same) return compareVersions(version, same) >= 0;
  return lines.every((f) => compareVersions(minor(version), minor(f)) > 0);
}
