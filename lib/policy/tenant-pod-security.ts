import { jsonPointer } from '../core/json-pointer';
import { show } from '../core/errors';
import type { Finding, PolicyRule } from './policy';
import { isTenantNamespace } from './tenant-network-isolation';

/** Pod Security Admission label of the enforced level. */
export const POD_SECURITY_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
const LEVELS = ['restricted', 'baseline', 'privileged'];

/**
 * `tenant-pod-security`: every tenant namespace carries a Pod Security Admission level
 * (`pod-security.kubernetes.io/enforce`: restricted, baseline or privileged).
 * @see https://kubernetes.io/docs/concepts/security/pod-security-admission/
 */
export const TENANT_POD_SECURITY: PolicyRule = {
  id: 'tenant-pod-security',
  title: 'every tenant namespace enforces a Pod Security level',
  check(obj): Finding[] {
    const m = obj.manifest;
    if (!isTenantNamespace(m)) return [];
    const level = m.metadata?.labels?.[POD_SECURITY_ENFORCE_LABEL];
    if (typeof level === 'string' && LEVELS.includes(level)) return [];
    const pointer = jsonPointer(['metadata', 'labels', POD_SECURITY_ENFORCE_LABEL]);
    return [{
      pointer,
      message: level === undefined
        ? `tenant namespace "${m.metadata?.name}" has no Pod Security level; set the label ${POD_SECURITY_ENFORCE_LABEL} to one of ${LEVELS.join(', ')} (Tenant's podSecurity does)`
        : `tenant namespace "${m.metadata?.name}" has Pod Security level ${show(level)}; use one of ${LEVELS.join(', ')}`,
    }];
  },
};
