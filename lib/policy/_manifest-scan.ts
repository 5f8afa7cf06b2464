import { scanTree, SecretHit } from '../core/secret-scan';
import { knownScan, noteScan } from '../synth/_verdicts';
import { HostAccessHint } from './_host-access';
import { perGroup } from './_per-group';
import type { PolicyContext, PolicyObject } from './policy';

/**
 * One walk per manifest for the two policies that look at every value: no-literal-secrets reads
 * its secrets, no-host-access whether its generic walk is needed at all (a full walk over every
 * manifest is the costliest part of the policy pass, so it is made once).
 */

/** Same as WAIVE_ANNOTATION_PREFIX in ./policy (not imported: policy.ts imports the built-in rules). */
const WAIVE_ANNOTATION_PREFIX = 'ocpkit.io/waive-';

/**
 * Fields that cannot carry a secret worth reporting: waiver reasons (written for reviewers) and
 * server-side bookkeeping. The data of a top-level v1 Secret is reported on its own (no-literal-secrets).
 */
function skip(isSecret: boolean) {
  return (path: readonly (string | number)[], key: string | number): boolean => {
    if (path.length === 0) return key === 'status' || (isSecret && (key === 'data' || key === 'stringData'));
    if (path.length === 1 && path[0] === 'metadata') return key === 'managedFields';
    return path.length === 2 && path[0] === 'metadata' && path[1] === 'annotations' && typeof key === 'string' && key.startsWith(WAIVE_ANNOTATION_PREFIX);
  };
}

/** What the one walk over a manifest found: secrets, and whether no-host-access's generic walk could find anything. */
export interface ManifestScan {
  readonly secrets: readonly SecretHit[];
  readonly hostAccessPossible: boolean;
}

/** Scans of a manifest with no secrets, without and with something for the host-access walk. */
const NO_SECRETS: readonly SecretHit[] = Object.freeze([]);
const CLEAN: ManifestScan = Object.freeze({ secrets: NO_SECRETS, hostAccessPossible: false });
const CLEAN_HOST: ManifestScan = Object.freeze({ secrets: NO_SECRETS, hostAccessPossible: true });

/**
 * Scans made for one policy pass (one group of one checkPolicies call) and not yet taken, by
 * manifest: a scan is kept from the rule that made it to the one that takes it, both on the same
 * object (checkPolicies runs every rule on an object before the next), so this holds one or two.
 */
const PENDING = perGroup(() => new Map<object, ManifestScan>());

/**
 * The secret scan of an object's manifest, made once per policy pass and shared by
 * no-literal-secrets and no-host-access: the same walk watches for host-access settings
 * ({@link HostAccessHint}), so the generic host-access walk runs only on manifests that may have
 * some. `keep`: leave the scan for the other rule (no-host-access, which runs first); without it
 * a kept scan is taken (no-literal-secrets). Without a context (a rule called on its own)
 * nothing is kept.
 */
export function manifestScan(obj: PolicyObject, ctx: PolicyContext | undefined, keep: boolean): ManifestScan {
  const m = obj.manifest;
  const pending = ctx?.objects ? PENDING(ctx) : undefined;
  const known = pending?.get(m);
  if (known) {
    if (!keep) pending!.delete(m);
    return known;
  }
  // the same text was scanned clean in an earlier run (a synth keeping verdicts, lib/synth/_verdicts)
  const earlier = knownScan(m);
  if (earlier) return earlier.hostAccessPossible ? CLEAN_HOST : CLEAN;
  const isSecret = m.kind === 'Secret' && m.apiVersion === 'v1';
  const hint = new HostAccessHint();
  const secrets = scanTree(m, { skip: skip(isSecret), visit: hint.visit });
  const scan: ManifestScan = { secrets, hostAccessPossible: hint.possible };
  noteScan(m, secrets.length, hint.possible);
  if (keep) pending?.set(m, scan);
  return scan;
}

