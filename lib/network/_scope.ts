import { IConstruct } from 'constructs';
import { GitOpsApp } from '../gitops/gitops-app';
import { Tenant } from '../tenancy/tenant';

// cdk8s' Chart defines a static Symbol.hasInstance (any Chart passes `instanceof` of any Chart
// subclass), so `x instanceof Tenant` is true for every GitOpsApp. These look at the prototype chain.

/** The nearest Tenant above (or at) a construct. */
export function enclosingTenant(c: IConstruct): Tenant | undefined {
  for (let s: IConstruct | undefined = c; s; s = s.node.scope) {
    if (Tenant.prototype.isPrototypeOf(s)) return s as Tenant;
  }
  return undefined;
}

/** The nearest GitOpsApp (Tenants included) above (or at) a construct. */
export function enclosingApp(c: IConstruct): GitOpsApp | undefined {
  for (let s: IConstruct | undefined = c; s; s = s.node.scope) {
    if (GitOpsApp.prototype.isPrototypeOf(s)) return s as GitOpsApp;
  }
  return undefined;
}
