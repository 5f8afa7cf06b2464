import { backupScheduleFindings, dedupe, deleteFindings, DESTRUCTIVE_DELETE_KINDS, immutableFindings, replaceFindings, Risk, RiskFinding, RiskInput, RiskRule, shrinkFindings } from './risk';
import { EMPTY_CONTEXT, RiskContext } from './risk-context';
import { DATA_DESTRUCTIVE_RULES, DATA_OUTAGE_RULES, DATA_SECURITY_RULES } from './risk-data';
import { OUTAGE_RULES } from './risk-outage';
import { SECURITY_RULES } from './risk-security';
import { WEAKENING_RULES } from './risk-weakening';

/** The destructive rules: data can be lost (lib/diff/risk.ts). */
const DESTRUCTIVE_RULES: readonly RiskRule[] = [
  { id: 'destructive/delete', class: 'destructive', kinds: [...DESTRUCTIVE_DELETE_KINDS], ops: ['removed'], description: 'a PVC, PV, DataVolume, VirtualMachine, Namespace or Project is deleted (also when Prune=false leaves it for an administrator)', check: deleteFindings },
  { id: 'destructive/backup-schedule', class: 'destructive', kinds: ['Schedule'], ops: ['removed', 'changed'], description: 'a Velero backup Schedule is removed or paused', check: backupScheduleFindings },
  { id: 'destructive/replace', class: 'destructive', kinds: [...DESTRUCTIVE_DELETE_KINDS], ops: ['changed'], description: 'Argo CD deletes and re-creates a disk, VM or namespace (Replace/Force sync options, or a move that the old Application prunes)', check: replaceFindings },
  { id: 'destructive/immutable', class: 'destructive', kinds: '*', ops: ['changed'], description: 'an immutable field changes (storage class, access modes, selectors, clusterIP, Job template, immutable ConfigMap/Secret data): delete and re-create', check: immutableFindings },
  { id: 'destructive/shrink', class: 'destructive', kinds: ['PersistentVolumeClaim', 'DataVolume', 'VirtualMachine'], ops: ['changed'], description: 'a disk request is made smaller (volumes cannot shrink)', check: shrinkFindings },
];

/**
 * Every rule the diff runs, in class order (destructive, security, outage, weakening). Each is
 * data: an id, a class, the kinds and operations it looks at, a one-line description and its
 * check. Add a rule here to add it to every diff.
 */
export const RISK_RULES: readonly RiskRule[] = [...DESTRUCTIVE_RULES, ...DATA_DESTRUCTIVE_RULES, ...SECURITY_RULES, ...DATA_SECURITY_RULES, ...OUTAGE_RULES, ...DATA_OUTAGE_RULES, ...WEAKENING_RULES];

/**
 * Classifies one resource change: runs every rule whose kinds and operations match, and returns
 * its findings as risks of the rule's class, most severe class first. `context` gives rules that
 * compare with other objects of the new tree (quotas, networks under VMs) what they need.
 */
export function classify(input: RiskInput, context: RiskContext = EMPTY_CONTEXT): Risk[] {
  const out: Risk[] = [];
  for (const rule of RISK_RULES) {
    if (!rule.ops.includes(input.op)) continue;
    if (rule.kinds !== '*' && !rule.kinds.includes(input.kind)) continue;
    let found: readonly RiskFinding[];
    try {
      found = rule.check(input, context);
    } catch {
      // a rule must never break the diff on a manifest shape it did not expect; say so instead
      found = [{ reason: `rule ${rule.id} could not read this ${input.kind}; review it by hand` }];
    }
    for (const f of found) out.push({ ...f, class: rule.class, rule: rule.id });
  }
  return dedupe(out);
}
