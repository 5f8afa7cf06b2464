import { destructiveFindings, RiskFinding, Risk, RiskInput, RiskRule, dedupe } from './risk';
import { EMPTY_CONTEXT, RiskContext } from './risk-context';
import { OUTAGE_RULES } from './risk-outage';
import { SECURITY_RULES } from './risk-security';
import { WEAKENING_RULES } from './risk-weakening';

/** The destructive rule: data can be lost (see {@link destructiveFindings}). */
const DESTRUCTIVE_RULES: readonly RiskRule[] = [
  {
    id: 'destructive/data-loss',
    class: 'destructive',
    kinds: '*',
    ops: ['removed', 'changed'],
    description: 'disks, VMs, namespaces or backup schedules deleted or replaced; immutable fields changed; disks shrunk; stateful objects moved to another Application that prunes them',
    check: (input) => destructiveFindings(input),
  },
];

/**
 * Every rule the diff runs, in class order (destructive, security, outage, weakening). Each is
 * data: an id, a class, the kinds and operations it looks at, a one-line description and its
 * check. Add a rule here to add it to every diff.
 */
export const RISK_RULES: readonly RiskRule[] = [...DESTRUCTIVE_RULES, ...SECURITY_RULES, ...OUTAGE_RULES, ...WEAKENING_RULES];

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
