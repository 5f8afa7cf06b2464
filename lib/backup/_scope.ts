import { GitOpsApp } from '../gitops/gitops-app';
import { Tenant } from '../tenancy/tenant';

// cdk8s' Chart defines a static Symbol.hasInstance, so `x instanceof Tenant` holds for every
// Chart (GitOpsApps and the root app included). These helpers look at the prototype chain.

/** True when `x` really is a Tenant. */
export function isTenant(x: unknown): x is Tenant {
  return typeof x === 'object' && x !== null && Tenant.prototype.isPrototypeOf(x);
}

/** True when `x` really is a GitOpsApp (Tenants included, the root app not). */
export function isGitOpsApp(x: unknown): x is GitOpsApp {
  return typeof x === 'object' && x !== null && GitOpsApp.prototype.isPrototypeOf(x);
}
