import { formatBytes } from '../core/quantity';
import { containersOf, listOf, objectName, podCount, podSpecOf, quantityValue } from './_manifest';
import type { RiskFinding, RiskInput, RiskRule } from './risk';
import type { RiskContext } from './risk-context';
import { canonicalJson } from './value-diff';

/* ---------------------------------------------------------------- quota and limits */

/** What the stack's own objects in one namespace ask for, per quota resource, and who asks. */
interface Demand {
  readonly total: Map<string, number>;
  readonly who: Map<string, string[]>;
}

function add(d: Demand, key: string, value: number, who: string): void {
  if (!(value > 0)) return;
  d.total.set(key, (d.total.get(key) ?? 0) + value);
  let list = d.who.get(key);
  if (!list) d.who.set(key, (list = []));
  list.push(who);
}

/** Requests of a VM's virt-launcher pod as declared: domain resources, else the guest memory. */
function vmResources(m: any): { requests: Record<string, unknown>; limits: Record<string, unknown> } {
  const domain = m?.spec?.template?.spec?.domain ?? {};
  const requests = { ...(domain.resources?.requests ?? {}) };
  if (requests.memory === undefined && domain.memory?.guest !== undefined) requests.memory = domain.memory.guest;
  return { requests, limits: { ...(domain.resources?.limits ?? {}) } };
}

/** Running VMs: `running: true`, or a runStrategy that starts them (Always, RerunOnFailure, Once). */
export function vmRuns(m: any): boolean {
  const s = m?.spec;
  if (s?.running === true) return true;
  return ['Always', 'RerunOnFailure', 'Once'].includes(s?.runStrategy);
}

/**
 * The requests and limits the objects of `namespace` declare, counted the way a ResourceQuota
 * counts them (https://kubernetes.io/docs/concepts/policy/resource-quotas/): `requests.cpu`
 * (alias `cpu`), `requests.memory` (alias `memory`), `limits.*`, `pods`, `requests.storage` and
 * `persistentvolumeclaims`. Pods: replicas x the sum of their containers (init containers run
 * before them and are left out); VMs: one virt-launcher pod with the domain's declared resources
 * (KubeVirt adds overhead on top, so the real need is higher). Only what the stack declares: pods
 * made by operators are not known here.
 */
function demandIn(context: RiskContext, file: string, namespace: string): Demand {
  const d: Demand = { total: new Map(), who: new Map() };
  for (const m of context.objectsInNamespace(file, namespace)) {
    const spec = podSpecOf(m);
    const name = `${m.kind} ${m.metadata.name}`;
    if (spec) {
      if (m.kind === 'CronJob' || m.kind === 'Job') continue; // run now and then; counted by "pods" only when running
      const n = podCount(m);
      add(d, 'pods', n, name);
      for (const c of listOf(spec.containers)) {
        for (const [res, v] of Object.entries(c?.resources?.requests ?? {})) add(d, `requests.${res}`, n * (quantityValue(v) ?? 0), `${name}${n !== 1 ? ` (${n}x)` : ''}`);
        for (const [res, v] of Object.entries(c?.resources?.limits ?? {})) add(d, `limits.${res}`, n * (quantityValue(v) ?? 0), `${name}${n !== 1 ? ` (${n}x)` : ''}`);
      }
    } else if (m.kind === 'VirtualMachine' && vmRuns(m)) {
      add(d, 'pods', 1, name);
      const r = vmResources(m);
      for (const [res, v] of Object.entries(r.requests)) add(d, `requests.${res}`, quantityValue(v) ?? 0, name);
      for (const [res, v] of Object.entries(r.limits)) add(d, `limits.${res}`, quantityValue(v) ?? 0, name);
    }
    if (m.kind === 'PersistentVolumeClaim') {
      add(d, 'persistentvolumeclaims', 1, name);
      add(d, 'requests.storage', quantityValue(m.spec?.resources?.requests?.storage) ?? 0, name);
    } else if (m.kind === 'DataVolume' || m.kind === 'VirtualMachine') {
      const templates = m.kind === 'DataVolume' ? [m] : listOf(m.spec?.dataVolumeTemplates);
      for (const t of templates) {
        const size = t?.spec?.storage?.resources?.requests?.storage ?? t?.spec?.pvc?.resources?.requests?.storage;
        add(d, 'persistentvolumeclaims', 1, `${name}${t === m ? '' : ` disk ${t?.metadata?.name}`}`);
        add(d, 'requests.storage', quantityValue(size) ?? 0, `${name}${t === m ? '' : ` disk ${t?.metadata?.name}`}`);
      }
    }
  }
  return d;
}

function show(key: string, v: number): string {
  if (/memory|storage/.test(key)) return formatBytes(v);
  if (/cpu/.test(key)) return v < 1 ? `${Math.round(v * 1000)}m` : `${Math.round(v * 1000) / 1000}`;
  return String(v);
}

function whoText(list: readonly string[] | undefined): string {
  if (!list?.length) return '';
  return ` (${list.slice(0, 4).join(', ')}${list.length > 4 ? `, and ${list.length - 4} more` : ''})`;
}

/** A ResourceQuota (added or changed) allows less than the stack's own workloads in its namespace declare. */
function quotaBelowDemand(input: RiskInput, context: RiskContext): RiskFinding[] {
  const ns = input.new?.metadata?.namespace;
  const hard = input.new?.spec?.hard ?? {};
  const oldHard = input.op === 'changed' ? input.old?.spec?.hard ?? {} : {};
  const touched = Object.keys(hard).filter((k) => input.op === 'added' || canonicalJson(hard[k]) !== canonicalJson(oldHard[k]));
  if (!ns || touched.length === 0) return [];
  const demand = demandIn(context, input.file ?? '', ns);
  const out: RiskFinding[] = [];
  for (const key of touched) {
    const canonical = key === 'cpu' || key === 'memory' ? `requests.${key}` : key;
    const allowed = quantityValue(hard[key]);
    const need = demand.total.get(canonical);
    if (allowed === undefined || need === undefined || need <= allowed) continue;
    out.push({ reason: `quota ${objectName(input.new)} allows ${key} ${hard[key]} but the stack's own objects in ${ns} declare ${show(canonical, need)}${whoText(demand.who.get(canonical))}: what does not fit is refused (pods not created, volumes not provisioned)`, path: `spec.hard[${JSON.stringify(key)}]` });
  }
  return out;
}

/**
 * A LimitRange (added or changed) refuses containers the stack declares: a container's limit (or
 * request, when it sets no limit) above `max`, or a request below `min`
 * (https://kubernetes.io/docs/concepts/policy/limit-range/): its pods are refused at admission.
 */
function limitsBelowDemand(input: RiskInput, context: RiskContext): RiskFinding[] {
  const ns = input.new?.metadata?.namespace;
  if (!ns) return [];
  const limits = listOf(input.new?.spec?.limits).filter((l) => l?.type === 'Container');
  if (input.op === 'changed' && canonicalJson(listOf(input.old?.spec?.limits).filter((l) => l?.type === 'Container')) === canonicalJson(limits)) return [];
  const out: RiskFinding[] = [];
  for (const m of context.objectsInNamespace(input.file ?? '', ns)) {
    const spec = podSpecOf(m);
    for (const c of containersOf(spec)) {
      for (const l of limits) {
        for (const [res, max] of Object.entries(l?.max ?? {})) {
          const v = quantityValue(c?.resources?.limits?.[res] ?? c?.resources?.requests?.[res]);
          const cap = quantityValue(max);
          if (v !== undefined && cap !== undefined && v > cap) out.push({ reason: `LimitRange ${objectName(input.new)} caps container ${res} at ${max}, but ${m.kind} ${m.metadata.name} container ${c.name} declares ${c.resources?.limits?.[res] ?? c.resources?.requests?.[res]}: its pods are refused`, path: 'spec.limits' });
        }
        for (const [res, min] of Object.entries(l?.min ?? {})) {
          const v = quantityValue(c?.resources?.requests?.[res]);
          const floor = quantityValue(min);
          if (v !== undefined && floor !== undefined && v < floor) out.push({ reason: `LimitRange ${objectName(input.new)} requires container ${res} of at least ${min}, but ${m.kind} ${m.metadata.name} container ${c.name} requests ${c.resources?.requests?.[res]}: its pods are refused`, path: 'spec.limits' });
        }
      }
    }
  }
  return out;
}

/* ---------------------------------------------------------------- node network */

function ifaceMap(m: any): Map<string, any> {
  return new Map(listOf(m?.spec?.desiredState?.interfaces).map((i) => [String(i?.name), i]));
}

/**
 * A NodeNetworkConfigurationPolicy changes the nodes' network: bond mode or ports, MTU, VLAN id
 * or base interface, interfaces removed or taken down, or which nodes it applies to. nmstate
 * applies it node by node (`maxUnavailable`) and rolls a node back when its post-apply probes
 * fail (connectivity to the default gateway, DNS and the API server; nmstate/kubernetes-nmstate
 * issue 474 on those probes), so a value that keeps the node reachable but breaks a VM or
 * storage network (MTU or VLAN mismatch with the switch) is not rolled back.
 */
function nodeNetworkChanged(input: RiskInput): RiskFinding[] {
  const name = `NodeNetworkConfigurationPolicy ${input.name}`;
  if (input.op === 'removed') return [{ reason: `removes ${name}: nmstate stops managing its interfaces (they stay as they are until changed by hand or a node reboots without them)` }];
  const out: RiskFinding[] = [];
  const before = ifaceMap(input.old);
  const after = ifaceMap(input.new);
  for (const [iface, o] of before) {
    const n = after.get(iface);
    const p = `spec.desiredState.interfaces[name=${iface}]`;
    if (!n) {
      out.push({ reason: `${name} no longer declares interface ${iface}`, path: p });
      continue;
    }
    const pairs: [string, unknown, unknown][] = [
      ['link-aggregation.mode', o?.['link-aggregation']?.mode, n?.['link-aggregation']?.mode],
      ['link-aggregation.port', o?.['link-aggregation']?.port, n?.['link-aggregation']?.port],
      ['mtu', o?.mtu, n?.mtu],
      ['vlan.id', o?.vlan?.id, n?.vlan?.id],
      ['vlan.base-iface', o?.vlan?.['base-iface'], n?.vlan?.['base-iface']],
      ['bridge.port', o?.bridge?.port, n?.bridge?.port],
      ['state', o?.state, n?.state],
    ];
    for (const [field, a, b] of pairs) {
      if (canonicalJson(a) === canonicalJson(b)) continue;
      const what = field === 'link-aggregation.mode' ? 'bond mode' : field === 'mtu' ? 'MTU' : field.startsWith('vlan') ? `VLAN ${field === 'vlan.id' ? 'id' : 'base interface'}` : field;
      out.push({ reason: `${name} changes the ${what} of ${iface} on every selected node (${canonicalJson(a ?? null)} -> ${canonicalJson(b ?? null)}): links renegotiate, and a mismatch with the switch or the other nodes drops traffic`, path: `${p}.${field}` });
    }
  }
  for (const iface of after.keys()) if (!before.has(iface)) out.push({ reason: `${name} adds interface ${iface} on every selected node`, path: `spec.desiredState.interfaces[name=${iface}]` });
  if (canonicalJson(input.old?.spec?.nodeSelector) !== canonicalJson(input.new?.spec?.nodeSelector)) {
    out.push({ reason: `${name} applies to other nodes (nodeSelector ${canonicalJson(input.old?.spec?.nodeSelector ?? {})} -> ${canonicalJson(input.new?.spec?.nodeSelector ?? {})})`, path: 'spec.nodeSelector' });
  }
  const other = input.changes.some((c) => c.path[0] === 'spec' && c.path[1] === 'desiredState');
  if (other && out.length === 0) out.push({ reason: `${name} changes the nodes' network configuration (desiredState)`, path: 'spec.desiredState' });
  return out;
}

/* ---------------------------------------------------------------- NADs under VMs */

/** Running VMs of the new tree attached to a NetworkAttachmentDefinition (`name` or `namespace/name`). */
function vmsOn(context: RiskContext, file: string, namespace: string, name: string): string[] {
  const out: string[] = [];
  for (const m of context.objectsInScope(file)) {
    if (m?.kind !== 'VirtualMachine' || !vmRuns(m)) continue;
    const vmNs = m.metadata?.namespace;
    const uses = listOf(m.spec?.template?.spec?.networks).some((n) => {
      const ref = n?.multus?.networkName;
      if (typeof ref !== 'string') return false;
      const [ns, nm] = ref.includes('/') ? ref.split('/', 2) : [vmNs, ref];
      return ns === namespace && nm === name;
    });
    if (uses) out.push(`${vmNs}/${m.metadata.name}`);
  }
  return out;
}

function nadSummary(config: unknown): Record<string, unknown> {
  let doc: any;
  try {
    doc = typeof config === 'string' ? JSON.parse(config) : undefined;
  } catch {
    return {};
  }
  const plugins = listOf(doc?.plugins).length ? listOf(doc.plugins) : [doc];
  const first = plugins[0] ?? {};
  return { type: first.type, bridge: first.bridge, vlan: first.vlan, mtu: first.mtu };
}

/**
 * A NetworkAttachmentDefinition that running VMs use is changed or removed. Multus reads the
 * definition only when a pod is created (k8snetworkplumbingwg/multus-cni issues 459 and 512;
 * openshift/openshift-docs PR 18474, which made the docs say interfaces are added at pod
 * creation only), so running VMs keep the old network until their virt-launcher pod is re-created
 * (restart or live migration) and then get the new one; once it is removed they cannot restart
 * or migrate.
 */
function nadUnderVms(input: RiskInput, context: RiskContext): RiskFinding[] {
  const m = input.new ?? input.old;
  const ns = m?.metadata?.namespace;
  if (!ns) return [];
  const vms = vmsOn(context, input.file ?? '', ns, input.name);
  if (vms.length === 0) return [];
  const list = `${vms.slice(0, 5).join(', ')}${vms.length > 5 ? `, and ${vms.length - 5} more` : ''}`;
  if (input.op === 'removed') return [{ reason: `removes network ${ns}/${input.name} that running VMs still attach to (${list}): they cannot restart or migrate` }];
  const a = nadSummary(input.old?.spec?.config);
  const b = nadSummary(input.new?.spec?.config);
  const diffs = Object.keys(b).filter((k) => canonicalJson(a[k] ?? null) !== canonicalJson(b[k] ?? null)).map((k) => `${k} ${canonicalJson(a[k] ?? null)} -> ${canonicalJson(b[k] ?? null)}`);
  if (!input.changes.some((c) => c.path[0] === 'spec')) return [];
  return [{ reason: `changes network ${ns}/${input.name}${diffs.length ? ` (${diffs.join(', ')})` : ''} under running VMs (${list}): they switch to it at their next restart or migration`, path: 'spec.config' }];
}

/* ---------------------------------------------------------------- replicas, hosts, ports */

/** A workload scaled to zero, or a VM stopped. */
function stopsRunning(input: RiskInput): RiskFinding[] {
  if (input.kind === 'VirtualMachine') {
    if (vmRuns(input.old) && !vmRuns(input.new)) {
      return [{ reason: `stops VirtualMachine ${input.name} (${input.new?.spec?.runStrategy !== undefined ? `runStrategy ${input.new.spec.runStrategy}` : 'running: false'})`, path: input.new?.spec?.runStrategy !== undefined ? 'spec.runStrategy' : 'spec.running' }];
    }
    return [];
  }
  const before = input.old?.spec?.replicas;
  const after = input.new?.spec?.replicas;
  if (after === 0 && before !== 0) return [{ reason: `scales ${input.kind} ${input.name} to zero replicas (from ${before ?? 1}): it stops serving`, path: 'spec.replicas' }];
  return [];
}

/** A Route or Ingress host changes (clients, DNS and certificates must follow), or a Route points elsewhere. */
function hostChanged(input: RiskInput): RiskFinding[] {
  const out: RiskFinding[] = [];
  if (input.kind === 'Route') {
    const o = input.old?.spec ?? {};
    const n = input.new?.spec ?? {};
    if (o.host !== n.host) out.push({ reason: `Route ${input.name} moves from host ${o.host ?? '(generated)'} to ${n.host ?? '(generated)'}: clients, DNS, OAuth redirects and certificates on the old name stop working`, path: 'spec.host' });
    if (canonicalJson(o.port) !== canonicalJson(n.port)) out.push({ reason: `Route ${input.name} sends traffic to another port (${canonicalJson(o.port ?? null)} -> ${canonicalJson(n.port ?? null)})`, path: 'spec.port' });
    if (canonicalJson(o.to) !== canonicalJson(n.to)) out.push({ reason: `Route ${input.name} sends traffic to another Service (${o.to?.name} -> ${n.to?.name})`, path: 'spec.to' });
    return out;
  }
  const hosts = (m: any) => new Set(listOf(m?.spec?.rules).map((r) => String(r?.host ?? '')));
  const gone = [...hosts(input.old)].filter((h) => !hosts(input.new).has(h));
  if (gone.length) out.push({ reason: `Ingress ${input.name} no longer serves ${gone.join(', ')}`, path: 'spec.rules' });
  return out;
}

/** A Service's ports change: a port removed or renumbered, or a target port changed. */
function servicePortChanged(input: RiskInput): RiskFinding[] {
  const key = (p: any) => String(p?.name ?? p?.port);
  const before = new Map(listOf(input.old?.spec?.ports).map((p) => [key(p), p]));
  const after = new Map(listOf(input.new?.spec?.ports).map((p) => [key(p), p]));
  const out: RiskFinding[] = [];
  for (const [k, o] of before) {
    const n = after.get(k);
    if (!n) out.push({ reason: `Service ${input.name} no longer exposes port ${o?.port}${o?.name ? ` (${o.name})` : ''}: clients of it fail`, path: 'spec.ports' });
    else if (o?.port !== n?.port || canonicalJson(o?.targetPort ?? o?.port) !== canonicalJson(n?.targetPort ?? n?.port) || (o?.protocol ?? 'TCP') !== (n?.protocol ?? 'TCP')) {
      out.push({ reason: `Service ${input.name} port ${k} changes (${o?.port}->${canonicalJson(o?.targetPort ?? o?.port)} becomes ${n?.port}->${canonicalJson(n?.targetPort ?? n?.port)}): clients and Routes that use the old port fail`, path: 'spec.ports' });
    }
  }
  if (canonicalJson(input.old?.spec?.selector) !== canonicalJson(input.new?.spec?.selector)) {
    out.push({ reason: `Service ${input.name} selects other pods (${canonicalJson(input.old?.spec?.selector ?? {})} -> ${canonicalJson(input.new?.spec?.selector ?? {})})`, path: 'spec.selector' });
  }
  return out;
}

/* ---------------------------------------------------------------- operators */

/** `v4.14.8` of `kubevirt-hyperconverged-operator.v4.14.8`, or of `x.4.14.0-2024...`. */
function csvVersion(csv: unknown): number[] | undefined {
  if (typeof csv !== 'string') return undefined;
  const m = /\.v?(\d+)\.(\d+)\.(\d+)(?:[-+.][0-9A-Za-z.-]*)?$/.exec(csv);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function jump(a: unknown, b: unknown): string | undefined {
  if (a === b || typeof a !== 'string' || typeof b !== 'string') return undefined;
  const x = csvVersion(a);
  const y = csvVersion(b);
  if (!x || !y) return `${a} -> ${b}`;
  if (x[0] !== y[0] || x[1] !== y[1]) return `${a} -> ${b} (${x[0] !== y[0] ? 'major' : 'minor'} version ${y[0] * 1000 + y[1] < x[0] * 1000 + x[1] ? 'downgrade' : 'upgrade'})`;
  if (y[2] < x[2]) return `${a} -> ${b} (downgrade)`;
  return undefined;
}

/**
 * An operator upgrade a reviewer must plan: a Subscription moves to another channel or catalog,
 * its startingCSV jumps a minor or major version, or ocpkit's InstallPlanApprover pins (the
 * ConfigMap of `namespace subscription csv` lines) approve such a jump. Patch releases within a
 * minor are routine and not flagged; going back a version always is (OLM upgrades along a
 * channel's replaces/skips graph and has no downgrade path; not re-verified for this rule).
 */
function operatorJump(input: RiskInput): RiskFinding[] {
  const out: RiskFinding[] = [];
  if (input.kind === 'Subscription') {
    const o = input.old?.spec ?? {};
    const n = input.new?.spec ?? {};
    if (o.channel !== n.channel) out.push({ reason: `operator ${n.name ?? input.name} changes channel ${o.channel ?? '(default)'} -> ${n.channel ?? '(default)'}: OLM upgrades along the new channel`, path: 'spec.channel' });
    if (o.source !== n.source) out.push({ reason: `operator ${n.name ?? input.name} comes from another catalog (${o.source} -> ${n.source})`, path: 'spec.source' });
    const j = jump(o.startingCSV, n.startingCSV);
    if (j) out.push({ reason: `operator ${n.name ?? input.name} version ${j}: read its upgrade notes; CRDs and operands are upgraded with it`, path: 'spec.startingCSV' });
    return out;
  }
  if (input.kind === 'ConfigMap' && typeof input.new?.data?.pins === 'string' && typeof input.old?.data?.pins === 'string') {
    const pins = (text: string) => new Map(text.split('\n').map((l) => l.trim().split(/\s+/)).filter((p) => p.length >= 3).map((p) => [`${p[0]} ${p[1]}`, p[2]]));
    const before = pins(input.old.data.pins);
    for (const [sub, csv] of pins(input.new.data.pins)) {
      const j = jump(before.get(sub), csv);
      if (j) out.push({ reason: `approves operator ${sub.replace(' ', '/')} ${j}: read its upgrade notes; CRDs and operands are upgraded with it`, path: 'data.pins' });
    }
  }
  return out;
}

/** The outage rules: what runs stops, or what is reached becomes unreachable. */
export const OUTAGE_RULES: readonly RiskRule[] = [
  { id: 'outage/quota-below-demand', class: 'outage', kinds: ['ResourceQuota'], ops: ['added', 'changed'], description: "a ResourceQuota allows less than the stack's own workloads, VMs and volumes in its namespace declare", check: quotaBelowDemand },
  { id: 'outage/limits-below-demand', class: 'outage', kinds: ['LimitRange'], ops: ['added', 'changed'], description: "a LimitRange's container max (or min) refuses containers the stack declares in its namespace", check: limitsBelowDemand },
  { id: 'outage/node-network', class: 'outage', kinds: ['NodeNetworkConfigurationPolicy'], ops: ['removed', 'changed'], description: 'node network changes: bond mode or ports, MTU, VLAN, bridge ports, interfaces removed or down, other nodes selected', check: nodeNetworkChanged },
  { id: 'outage/network-under-vms', class: 'outage', kinds: ['NetworkAttachmentDefinition'], ops: ['removed', 'changed'], description: 'a NetworkAttachmentDefinition that running VMs attach to is changed or removed', check: nadUnderVms },
  { id: 'outage/stops-running', class: 'outage', kinds: ['Deployment', 'DeploymentConfig', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'VirtualMachine'], ops: ['changed'], description: 'replicas to zero, or a VirtualMachine stopped', check: stopsRunning },
  { id: 'outage/host', class: 'outage', kinds: ['Route', 'Ingress'], ops: ['changed'], description: 'a Route or Ingress host changes, or a Route points at another Service or port', check: hostChanged },
  { id: 'outage/service-port', class: 'outage', kinds: ['Service'], ops: ['changed'], description: 'a Service port is removed or renumbered, its target port changes, or it selects other pods', check: servicePortChanged },
  { id: 'outage/operator-upgrade', class: 'outage', kinds: ['Subscription', 'ConfigMap'], ops: ['changed'], description: 'an operator changes channel or catalog, or its CSV (startingCSV or an InstallPlanApprover pin) jumps a minor or major version or goes back', check: operatorJump },
];
