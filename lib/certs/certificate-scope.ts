import { IConstruct } from 'constructs';
import { Problem, show } from '../core/errors';
import { pointerToken } from '../core/json-pointer';
import { Plugins, SynthCheck, SynthesizedObject } from '../synth/pipeline';
import { AcmeIssuer } from './acme-issuer';

/** What one namespace (a tenant's) may do with certificates. */
export interface CertificateScopeProps {
  /** The namespace this applies to. */
  readonly namespace: string;
  /** Who owns it, for messages (`tenant "discourse"`). */
  readonly owner: string;
  /** The namespace's own Issuer, when it may have certificates at all. @default none: no certificates */
  readonly issuer?: AcmeIssuer;
}

const SCOPES = new WeakMap<IConstruct, CertificateScopeProps>();

/** Id of the synth check of {@link CertificateScope}. */
export const TENANT_CERTIFICATES_CHECK_ID = 'tenant-certificates';

/**
 * The certificate rules of a tenant namespace, declared by the Tenant: its Routes, Ingresses and
 * Certificates may only use the namespace's own {@link AcmeIssuer} (never a ClusterIssuer), only
 * for the host names that Issuer covers. A construct-time check (Route, ContainerApp) and a synth
 * check over the written objects (which also sees raw ApiObjects and overrides) enforce it.
 */
export class CertificateScope {
  /** Declares the rules of `construct`'s subtree and namespace; registers the synth check on its cluster. */
  public static declare(construct: IConstruct, props: CertificateScopeProps): void {
    SCOPES.set(construct, props);
    Plugins.of(construct.node.root).addCheck(TENANT_CERTIFICATES_CHECK);
  }

  /** The rules that apply to `construct` (declared on it or an ancestor), if any. */
  public static of(construct: IConstruct): CertificateScopeProps | undefined {
    for (let c: IConstruct | undefined = construct; c; c = c.node.scope) {
      const s = SCOPES.get(c);
      if (s) return s;
    }
    return undefined;
  }

  /** The rules declared on exactly this construct. */
  public static declaredOn(construct: IConstruct): CertificateScopeProps | undefined {
    return SCOPES.get(construct);
  }

  private constructor() {}
}

/** What is wrong with using `issuer` (kind, name) for `hosts` in `scope`, one message each. */
export function certificateUseProblems(scope: CertificateScopeProps, issuerKind: string | undefined, issuerName: string | undefined, hosts: readonly string[]): string[] {
  const out: string[] = [];
  const own = scope.issuer;
  if (issuerKind === 'ClusterIssuer') {
    out.push(`names the ClusterIssuer ${show(issuerName)}; ${scope.owner} may only use its own namespaced Issuer`
      + (own ? ` ${show(own.issuerName)} (issuerKind "Issuer")` : ' (declare tls: { hostnames, acme } on the tenant to get one)'));
    return out;
  }
  if (!own) {
    out.push(`requests a certificate, but ${scope.owner} declares no tls; declare tls: { hostnames, acme } on the tenant so it gets its own Issuer`);
    return out;
  }
  if (issuerName !== undefined && issuerName !== own.issuerName) {
    out.push(`names the Issuer ${show(issuerName)}; ${scope.owner} may only use its own Issuer ${show(own.issuerName)}`);
  }
  for (const h of hosts) {
    if (!own.covers(h)) out.push(`${show(h)} is not one of the host names of ${scope.owner} (${own.hostnames.map((x) => show(x)).join(', ')}); add it to the tenant's tls.hostnames (and its DNS update policy)`);
  }
  return out;
}

const ROUTE_SAN_ANNOTATIONS = ['cert-manager.io/alt-names', 'cert-manager.io/common-name'];

function split(v: unknown): string[] {
  return typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : [];
}

function annotationPointer(key: string): string {
  return `/metadata/annotations/${pointerToken(key)}`;
}

/**
 * The objects of a tenant namespace that could obtain a certificate: Routes (openshift-routes
 * annotations, read as in openshift-routes v0.5.0 internal/controller/sync.go: issuer-name or
 * cert-manager.io/issuer, issuer-kind, alt-names, common-name, and the host), Ingresses
 * (ingress-shim annotations and TLS hosts) and Certificates (issuerRef, dnsNames, commonName);
 * and ACME Issuers other than the tenant's own.
 */
function objectProblems(o: SynthesizedObject, scope: CertificateScopeProps): Problem[] {
  const m = o.manifest;
  const out: Problem[] = [];
  const add = (field: string, message: string) => out.push({ path: o.path, field, message: `${m.kind} ${m.metadata?.namespace}/${m.metadata?.name}: ${message}` });
  const ann: Record<string, unknown> = m.metadata?.annotations ?? {};
  const group = typeof m.apiVersion === 'string' && m.apiVersion.includes('/') ? m.apiVersion.split('/')[0] : '';
  if (m.kind === 'Route' && group === 'route.openshift.io') {
    const nameKey = ann['cert-manager.io/issuer'] !== undefined ? 'cert-manager.io/issuer' : 'cert-manager.io/issuer-name';
    const issuerName = ann[nameKey];
    const host = m.spec?.host;
    if (issuerName !== undefined) {
      const kind = ann['cert-manager.io/issuer-kind'];
      const hosts = [...(typeof host === 'string' ? [host] : []), ...ROUTE_SAN_ANNOTATIONS.flatMap((k) => split(ann[k]))];
      const field = kind === 'ClusterIssuer' ? annotationPointer('cert-manager.io/issuer-kind') : annotationPointer(nameKey);
      for (const msg of certificateUseProblems(scope, typeof kind === 'string' ? kind : undefined, String(issuerName), hosts)) add(field, msg);
      if (typeof host !== 'string') add('/spec/host', 'requests a certificate without spec.host; give the host name, so what is certified is decided in Git');
    } else if (scope.issuer && typeof host === 'string' && !scope.issuer.covers(host)) {
      add('/spec/host', certificateUseProblems(scope, 'Issuer', undefined, [host])[0]);
    }
  } else if (m.kind === 'Ingress' && group === 'networking.k8s.io') {
    const cluster = ann['cert-manager.io/cluster-issuer'];
    const ns = ann['cert-manager.io/issuer'];
    const hosts = (Array.isArray(m.spec?.tls) ? m.spec.tls : []).flatMap((t: any) => (Array.isArray(t?.hosts) ? t.hosts : []));
    if (cluster !== undefined) {
      for (const msg of certificateUseProblems(scope, 'ClusterIssuer', String(cluster), hosts)) add(annotationPointer('cert-manager.io/cluster-issuer'), msg);
    } else if (ns !== undefined) {
      for (const msg of certificateUseProblems(scope, 'Issuer', String(ns), hosts)) add(annotationPointer('cert-manager.io/issuer'), msg);
    }
  } else if (m.kind === 'Certificate' && group === 'cert-manager.io') {
    const ref = m.spec?.issuerRef ?? {};
    const hosts = [...(Array.isArray(m.spec?.dnsNames) ? m.spec.dnsNames : []), ...(typeof m.spec?.commonName === 'string' ? [m.spec.commonName] : [])];
    for (const msg of certificateUseProblems(scope, ref.kind === 'ClusterIssuer' ? 'ClusterIssuer' : 'Issuer', ref.name, hosts)) add('/spec/issuerRef', msg);
  } else if (m.kind === 'Issuer' && group === 'cert-manager.io' && m.spec?.acme !== undefined && o.source !== scope.issuer?.resource) {
    add('/spec/acme', `is an ACME Issuer besides the one ${scope.owner} gets from its tls prop; change tls.hostnames instead`);
  }
  return out;
}

/** The synth check of {@link CertificateScope}, registered once per cluster by the first declaration. */
export const TENANT_CERTIFICATES_CHECK: SynthCheck = {
  id: TENANT_CERTIFICATES_CHECK_ID,
  check(objects, ctx): Problem[] {
    const problems: Problem[] = [];
    const byRoot = new Map<unknown, Map<string, CertificateScopeProps>>();
    for (const root of ctx.roots) {
      const map = new Map<string, CertificateScopeProps>();
      for (const c of ctx.constructsOf(root)) {
        const s = SCOPES.get(c);
        if (s) map.set(s.namespace, s);
      }
      byRoot.set(root, map);
    }
    const kinds = new Set(['Route', 'Ingress', 'Certificate', 'Issuer']);
    for (const o of objects) {
      if (!kinds.has(o.manifest?.kind)) continue;
      const ns = o.manifest?.metadata?.namespace;
      const scope = typeof ns === 'string' ? byRoot.get(o.root)?.get(ns) : undefined;
      if (scope) problems.push(...objectProblems(o, scope));
    }
    return problems;
  },
};
