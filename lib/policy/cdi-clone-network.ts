import { CDI_CLONE_SOURCE_POD_LABELS, CDI_UPLOAD_SERVER_POD_LABELS, CDI_UPLOAD_SERVER_PORT, cloneSourceNamespaces } from '../virt/cdi-clone-flows';
import type { Finding, PolicyContext, PolicyObject, PolicyRule } from './policy';
import { selectorMatches } from '../core/label-selector';

function appliesToIngress(spec: any): boolean {
  return Array.isArray(spec?.policyTypes) ? spec.policyTypes.includes('Ingress') : true;
}

function portAdmitted(ports: any, port: number): boolean {
  if (!Array.isArray(ports) || ports.length === 0) return true;
  return ports.some((p: any) => {
    if ((p?.protocol ?? 'TCP') !== 'TCP') return false;
    if (p?.port === undefined || p?.port === null) return true;
    if (typeof p.port !== 'number') return false; // a named port: not resolved here
    return typeof p.endPort === 'number' ? port >= p.port && port <= p.endPort : p.port === port;
  });
}

/** Labels of namespace `ns` as far as the group knows them (Kubernetes always sets its name label). */
function namespaceLabels(ns: string, ctx: PolicyContext): Record<string, string> {
  const obj = ctx.inNamespace('').find((o) => o.manifest?.kind === 'Namespace' && o.manifest?.metadata?.name === ns);
  return { ...(obj?.manifest?.metadata?.labels ?? {}), 'kubernetes.io/metadata.name': ns };
}

/**
 * Whether the NetworkPolicies of `ns` let a pod with `fromLabels` of the same namespace reach a
 * pod with `toLabels` on `port`: 'open' when no ingress policy selects the receiving pod, 'allowed'
 * when one of those that do admits the caller, else 'denied' with the names of the selecting policies.
 */
export function sameNamespaceIngress(ns: string, toLabels: Readonly<Record<string, string>>, fromLabels: Readonly<Record<string, string>>, port: number, ctx: PolicyContext): { verdict: 'open' | 'allowed' | 'denied'; selecting: string[] } {
  const policies = ctx.inNamespace(ns).map((o) => o.manifest).filter((m) => m?.kind === 'NetworkPolicy' && m?.apiVersion === 'networking.k8s.io/v1');
  const selecting = policies.filter((m) => appliesToIngress(m.spec) && selectorMatches(m.spec?.podSelector ?? {}, toLabels));
  if (selecting.length === 0) return { verdict: 'open', selecting: [] };
  const nsLabels = namespaceLabels(ns, ctx);
  const admits = (peer: any): boolean => {
    if (!peer || typeof peer !== 'object' || peer.ipBlock) return false;
    if (peer.namespaceSelector !== undefined && peer.namespaceSelector !== null && !selectorMatches(peer.namespaceSelector, nsLabels)) return false;
    return selectorMatches(peer.podSelector ?? {}, fromLabels);
  };
  const ok = selecting.some((m) => (Array.isArray(m.spec?.ingress) ? m.spec.ingress : []).some((rule: any) => {
    const from = rule?.from;
    const anyone = from === undefined || from === null || (Array.isArray(from) && from.length === 0);
    return (anyone || (Array.isArray(from) && from.some(admits))) && portAdmitted(rule?.ports, port);
  }));
  return { verdict: ok ? 'allowed' : 'denied', selecting: selecting.map((m) => String(m.metadata?.name)) };
}

/** The value at a JSON pointer (`/spec/dataVolumeTemplates/0/spec/sourceRef`) of `doc`. */
function at(doc: any, pointer: string): any {
  let v = doc;
  for (const part of pointer.split('/').slice(1)) v = v === null || typeof v !== 'object' ? undefined : v[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return v;
}

/**
 * Where a DataSource clone really copies from. CDI v1.57.1 resolves a `sourceRef` to the
 * DataSource's `spec.source.pvc` / `.snapshot` (pkg/controller/datavolume/clone-controller-base.go
 * `populateSourceIfSourceRef`), and that source's empty namespace means the DataVolume's namespace,
 * not the DataSource's (pvc-clone-controller.go / snapshot-clone-controller.go: `sourceNamespace
 * == ""` -> `dataVolume.Namespace`). The clone pods run with the claim, so a DataSource of the
 * group is followed to its claim's namespace; one outside the group stays judged in its own
 * namespace (where it points cannot be known here).
 */
function resolveDataSource(c: { namespace: string; pointer: string; what: string }, manifest: any, ctx: PolicyContext): { namespace: string; pointer: string; what: string } {
  if (!c.pointer.endsWith('/spec/sourceRef')) return c;
  const ref = at(manifest, c.pointer);
  const ds = ctx.inNamespace(c.namespace).map((o) => o.manifest)
    .find((m) => m?.kind === 'DataSource' && typeof m?.apiVersion === 'string' && m.apiVersion.startsWith('cdi.kubevirt.io/') && m?.metadata?.name === ref?.name);
  const own = manifest?.metadata?.namespace;
  for (const kind of ['pvc', 'snapshot'] as const) {
    const src = ds?.spec?.source?.[kind];
    if (!src || typeof src !== 'object') continue;
    const ns = typeof src.namespace === 'string' && src.namespace ? src.namespace : own;
    if (typeof ns !== 'string') return c;
    return { namespace: ns, pointer: c.pointer, what: `${c.what}, whose ${kind === 'pvc' ? 'PVC' : 'VolumeSnapshot'} is ${ns}/${src.name}` };
  }
  return c;
}

/**
 * `cdi-clone-network`: a clone of a claim (VirtualMachine DataVolume templates and DataVolumes
 * with a PVC, snapshot or DataSource source) may be done host-assisted by CDI, whose source and
 * upload server pods both run in the SOURCE namespace and talk on 8443 (see
 * lib/virt/cdi-clone-flows.ts for the CDI v1.57.1 facts). When that namespace's NetworkPolicies
 * select the upload server and none admits the clone source pod, the copy hangs: refused here.
 * A DataSource source is judged where its claim lives ({@link resolveDataSource}).
 * Allow the flow (`cdiHostCloneFlows()`; a Tenant's same-namespace rule already does) or, when the
 * source is known to take a CSI clone (same provisioner and volume mode), waive with that reason.
 * A built-in policy: it also judges raw DataVolumes and `ocpkit validate --policy` of a folder.
 */
export const CDI_CLONE_NETWORK: PolicyRule = {
  id: 'cdi-clone-network',
  title: 'a namespace whose claims are cloned lets CDI\'s host-assisted clone through its NetworkPolicies (clone source pod -> upload server 8443)',
  check(obj: PolicyObject, ctx: PolicyContext): Finding[] {
    const out: Finding[] = [];
    for (const c of cloneSourceNamespaces(obj.manifest).map((x) => resolveDataSource(x, obj.manifest, ctx))) {
      const r = sameNamespaceIngress(c.namespace, CDI_UPLOAD_SERVER_POD_LABELS, CDI_CLONE_SOURCE_POD_LABELS, CDI_UPLOAD_SERVER_PORT, ctx);
      if (r.verdict !== 'denied') continue;
      out.push({
        pointer: c.pointer,
        message: `${c.what}; if CDI copies it host-assisted (source and target of different volume mode or provisioner, or no snapshot class), its clone source pod reaches the upload server on ${CDI_UPLOAD_SERVER_PORT} inside namespace "${c.namespace}", which NetworkPolicies ${r.selecting.map((n) => `"${n}"`).join(', ')} deny; allow pods ${labelText(CDI_CLONE_SOURCE_POD_LABELS)} -> pods ${labelText(CDI_UPLOAD_SERVER_POD_LABELS)} port ${CDI_UPLOAD_SERVER_PORT} there (cdiHostCloneFlows()); a copy known to be a CSI clone (same provisioner and volume mode) needs no flow`,
      });
    }
    return out;
  },
};

function labelText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
}
