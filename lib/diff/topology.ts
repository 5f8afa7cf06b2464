import { apiGroup } from '../gitops/delivery-annotations';
import { appOf, readTree, TreeFiles, TreeObject, TreeParser } from './read-tree';

/*
 * The topology of a synthesized tree, as reviewers draw it on a whiteboard: host interfaces
 * (bonds, VLANs, Linux bridges) from NodeNetworkConfigurationPolicies -> Multus
 * NetworkAttachmentDefinitions on those bridges -> VirtualMachines attached to them -> the
 * tenants (namespaces) the VMs run in; and the Argo CD Applications, each with the folder it
 * syncs and the Application that creates it (app of apps).
 *
 * Field paths, each checked upstream (facts only, no upstream text):
 * - NodeNetworkConfigurationPolicy (nmstate.io/v1): `spec.desiredState` is schemaless in the CRD
 *   (x-kubernetes-preserve-unknown-fields, shared/crds/profiles/ocp-4.14/kubernetes-nmstate/
 *   nmstate.io_nodenetworkconfigurationpolicies.yaml); its `interfaces[]` follow the nmstate API
 *   (nmstate/nmstate@v2.2.15, the 2.2 line RHEL 9 / OpenShift 4.14 ship): `name`, `type`
 *   (`bond`, `linux-bridge`, `ovs-bridge`, `vlan`, `ethernet`, ... rust/src/lib/iface.rs),
 *   `state`, `mtu` (rust/src/lib/ifaces/base.rs); a bond's `link-aggregation.mode` and
 *   `link-aggregation.port` (alias `ports`, rust/src/lib/ifaces/bond.rs); a Linux bridge's
 *   `bridge.port[].name` (alias `ports`, rust/src/lib/ifaces/linux_bridge.rs); a VLAN's
 *   `vlan.base-iface` and `vlan.id` (rust/src/lib/ifaces/vlan.rs).
 * - NetworkAttachmentDefinition (k8s.cni.cncf.io/v1): `spec.config` is a string
 *   (shared/crds/multus/k8s.cni.cncf.io_network-attachment-definitions.yaml) holding a CNI
 *   configuration: a list (`plugins[]`) or a single plugin (`type` at the top). The bridge plugin
 *   (OpenShift Virtualization ships it as `cnv-bridge`, see lib/network/bridge-network.ts) takes
 *   `bridge`, `vlan` and `mtu`; the tuning plugin (`cnv-tuning`) takes `mtu`
 *   (containernetworking/plugins@v1.3.0 plugins/main/bridge/bridge.go and
 *   plugins/meta/tuning/tuning.go, NetConf / TuningConf).
 * - VirtualMachine (kubevirt.io/v1): `spec.template.spec.networks[].name` and
 *   `.multus.networkName`, "<name>" or "<namespace>/<name>", the VM's namespace when none is given
 *   (description in shared/crds/profiles/ocp-4.14/kubevirt/crds/kubevirt.io_virtualmachines.yaml,
 *   KubeVirt v1.0.1).
 * - Application (argoproj.io/v1alpha1): `spec.source.path` or `spec.sources[].path`,
 *   `spec.destination.namespace`, `spec.project` (shared/crds/profiles/ocp-4.14/argo-cd/
 *   application-crd.yaml, Argo CD v2.10.18).
 */

/** What a node of the topology is. */
export type TopologyKind = 'application' | 'folder' | 'interface' | 'bond' | 'vlan' | 'bridge' | 'nad' | 'vm' | 'tenant';

/** The kinds on the network path (bond -> bridge -> NAD -> VM -> tenant). */
export const NETWORK_KINDS: ReadonlySet<TopologyKind> = new Set<TopologyKind>(['interface', 'bond', 'vlan', 'bridge', 'nad', 'vm', 'tenant']);

/** One node: a host interface, a NAD, a VM, a tenant, an Argo CD Application or an unsynced folder. */
export interface TopologyNode {
  /** Identity, stable across trees: environment, kind and name (`production|nad|openqa/internal-network`). */
  readonly id: string;
  readonly kind: TopologyKind;
  /** Environment (the scope of the files, `production`), '' for a tree without environment folders. */
  readonly env: string;
  /** Name as shown (`br0-internal`, `infra-vms/bastion`). */
  readonly name: string;
  /** Further label lines (`802.3ad: ens1f0, ens1f1`, `MTU 9000`). */
  readonly details: readonly string[];
  /** Application folder of the object the node comes from (`production/network`); absent for placeholders. */
  readonly app?: string;
  /** Object key (read-tree's objectKey) of the object the node comes from; absent for placeholders. */
  readonly source?: string;
  /**
   * For host interfaces: the interface entry and the policy's node selector, canonical JSON. Two
   * trees with the same source object changed but the same signature did not change this
   * interface (another interface of the policy did).
   */
  readonly signature?: string;
  /** True for a node the tree refers to but does not define (a NAD on a bridge no policy declares). */
  readonly missing?: boolean;
  /** For `tenant`: the Namespace is an ocpkit tenant (label `ocpkit.io/tenant`), not a plain namespace. */
  readonly tenant?: boolean;
  /** For `application`: the application folder it syncs (`production/openqa`), when in the tree. */
  readonly syncs?: string;
}

/** A directed edge: upstream -> downstream (bond -> bridge, NAD -> VM, parent Application -> child). */
export interface TopologyEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
}

/** The topology of one synthesized tree. */
export interface NetworkTopology {
  readonly nodes: ReadonlyMap<string, TopologyNode>;
  /** Edges, sorted and without duplicates. */
  readonly edges: readonly TopologyEdge[];
  /** Things that could not be read (a NAD config that is not JSON), one line each. */
  readonly problems: readonly string[];
}

/** The kinds the topology reads, by API group and kind. */
const READ: ReadonlyArray<readonly [string, string]> = [
  ['nmstate.io', 'NodeNetworkConfigurationPolicy'],
  ['k8s.cni.cncf.io', 'NetworkAttachmentDefinition'],
  ['kubevirt.io', 'VirtualMachine'],
  ['', 'Namespace'],
  ['argoproj.io', 'Application'],
];
const PREFILTER = /\b(NodeNetworkConfigurationPolicy|NetworkAttachmentDefinition|VirtualMachine|Namespace|Application)\b/;

/** The topology of a synthesized tree on disk (`dist/`). Throws DiffInputError for unreadable trees. */
export function readTopology(dir: string): NetworkTopology {
  return topologyOfFiles(readTree(dir), dir);
}

/**
 * The topology of a tree in memory (relative path -> text). Only files that can hold one of the
 * kinds read are parsed. Throws DiffInputError when one of them does not parse.
 */
export function topologyOfFiles(files: TreeFiles, name = 'tree'): NetworkTopology {
  const parser = new TreeParser(name);
  for (const rel of [...files.keys()].sort()) {
    const text = files.get(rel)!;
    if (PREFILTER.test(text)) parser.parse(rel, text);
  }
  parser.throwIfAny();
  return buildTopology(parser.objects.values(), [...files.keys()]);
}

/**
 * Builds the topology from parsed objects. `files` (every file path of the tree) tells which
 * application folders exist, so an Application's `source.path` can be matched to its folder.
 */
export function buildTopology(objects: Iterable<TreeObject>, files: Iterable<string> = []): NetworkTopology {
  const b = new Builder();
  const all = [...objects].filter((o) => READ.some(([g, k]) => apiGroup(o.manifest.apiVersion) === g && o.manifest.kind === k));
  all.sort((x, y) => cmp(x.key, y.key));
  const folders = new Set<string>();
  for (const f of files) if (appOf(f) !== '.') folders.add(appOf(f));
  for (const o of all) if (o.app !== '.') folders.add(o.app);
  for (const o of all) if (o.manifest.kind === 'NodeNetworkConfigurationPolicy') b.policy(o);
  for (const o of all) if (o.manifest.kind === 'Namespace') b.namespace(o);
  for (const o of all) if (o.manifest.kind === 'NetworkAttachmentDefinition') b.nad(o);
  for (const o of all) if (o.manifest.kind === 'VirtualMachine') b.vm(o);
  b.applications(all.filter((o) => o.manifest.kind === 'Application'), folders);
  return b.done();
}

class Builder {
  private readonly nodes = new Map<string, TopologyNode>();
  private readonly edges = new Map<string, TopologyEdge>();
  private readonly problems: string[] = [];
  /** env -> bridge name -> bridge node ids (every policy that declares it). */
  private readonly bridges = new Map<string, Map<string, string[]>>();
  /** Namespaces (env|ns) that have a Namespace object, for tenant nodes. */
  private readonly namespaces = new Map<string, TreeObject>();

  public policy(o: TreeObject): void {
    const m = o.manifest;
    const env = envOf(o);
    const policy: string = m.metadata.name;
    const interfaces: any[] = Array.isArray(m.spec?.desiredState?.interfaces) ? m.spec.desiredState.interfaces : [];
    const selector = canonical(m.spec?.nodeSelector ?? {});
    const ifaceId = (name: string) => `${env}|iface|${policy}|${name}`;
    const declared = new Set(interfaces.filter((i) => typeof i?.name === 'string').map((i) => i.name as string));
    const ensurePort = (name: string) => {
      const id = ifaceId(name);
      if (!this.nodes.has(id)) this.add({ id, kind: 'interface', env, name, details: ['not declared in the policy'], app: o.app, source: o.key, signature: `undeclared ${selector}` });
      return id;
    };
    for (const i of interfaces) {
      if (typeof i?.name !== 'string') continue;
      const type = String(i.type ?? '');
      const details: string[] = [];
      const kind: TopologyKind = type === 'bond' ? 'bond' : type === 'linux-bridge' || type === 'ovs-bridge' ? 'bridge' : type === 'vlan' ? 'vlan' : 'interface';
      const la = i['link-aggregation'];
      const bondPorts: string[] = stringList(la?.port ?? la?.ports);
      if (kind === 'bond') details.push(`${la?.mode ?? 'bond'}${bondPorts.filter((p) => !declared.has(p)).length ? `: ${bondPorts.filter((p) => !declared.has(p)).join(', ')}` : ''}`);
      if (kind === 'vlan' && i.vlan) details.push(`VLAN ${i.vlan.id} on ${i.vlan['base-iface']}`);
      if (kind === 'bridge' && type === 'ovs-bridge') details.push('OVS bridge');
      if (kind === 'interface' && type && type !== 'ethernet') details.push(type);
      if (i.mtu !== undefined) details.push(`MTU ${i.mtu}`);
      if (i.state && i.state !== 'up') details.push(`state ${i.state}`);
      const id = ifaceId(i.name);
      this.add({ id, kind, env, name: i.name, details, app: o.app, source: o.key, signature: `${canonical(i)} ${selector}` });
      if (kind === 'bridge') {
        let byName = this.bridges.get(env);
        if (!byName) this.bridges.set(env, (byName = new Map()));
        byName.set(i.name, [...(byName.get(i.name) ?? []), id]);
      }
    }
    // edges once every interface of the policy is a node: declared ports link to their node
    for (const i of interfaces) {
      if (typeof i?.name !== 'string') continue;
      const id = ifaceId(i.name);
      const type = String(i.type ?? '');
      if (type === 'bond') {
        const la = i['link-aggregation'];
        for (const p of stringList(la?.port ?? la?.ports)) if (declared.has(p)) this.edge(ifaceId(p), id);
      } else if (type === 'linux-bridge' || type === 'ovs-bridge') {
        const ports: any[] = Array.isArray(i.bridge?.port) ? i.bridge.port : Array.isArray(i.bridge?.ports) ? i.bridge.ports : [];
        for (const p of ports) if (typeof p?.name === 'string') this.edge(declared.has(p.name) ? ifaceId(p.name) : ensurePort(p.name), id);
      } else if (type === 'vlan' && typeof i.vlan?.['base-iface'] === 'string') {
        const base = i.vlan['base-iface'];
        this.edge(declared.has(base) ? ifaceId(base) : ensurePort(base), id);
      }
    }
  }

  public namespace(o: TreeObject): void {
    this.namespaces.set(`${envOf(o)}|${o.manifest.metadata.name}`, o);
  }

  public nad(o: TreeObject): void {
    const m = o.manifest;
    const env = envOf(o);
    const ns = m.metadata.namespace ?? '';
    const id = `${env}|nad|${ns}/${m.metadata.name}`;
    const details: string[] = [];
    let bridge: string | undefined;
    const config = parseConfig(m.spec?.config);
    if (config === undefined) {
      this.problems.push(`${o.file}: NetworkAttachmentDefinition ${ns}/${m.metadata.name}: spec.config is not a JSON object; its bridge is not drawn`);
      details.push('config is not JSON');
    } else {
      const plugins: any[] = Array.isArray(config.plugins) ? config.plugins : typeof config.type === 'string' ? [config] : [];
      const br = plugins.find((p) => p?.type === 'cnv-bridge' || p?.type === 'bridge');
      const tuning = plugins.find((p) => p?.type === 'cnv-tuning' || p?.type === 'tuning');
      if (br && typeof br.bridge === 'string') bridge = br.bridge;
      if (br?.vlan !== undefined) details.push(`VLAN ${br.vlan}`);
      if (tuning?.mtu !== undefined) details.push(`MTU ${tuning.mtu} (tuning)`);
      else if (br?.mtu !== undefined) details.push(`MTU ${br.mtu}`);
      if (!br) details.push(plugins.map((p) => String(p?.type)).join(' + ') || 'no plugins');
    }
    this.add({ id, kind: 'nad', env, name: `${ns}/${m.metadata.name}`, details, app: o.app, source: o.key });
    if (bridge === undefined) return;
    const found = this.bridges.get(env)?.get(bridge) ?? [];
    if (found.length === 0) {
      const missing = `${env}|bridge|?|${bridge}`;
      if (!this.nodes.has(missing)) this.add({ id: missing, kind: 'bridge', env, name: bridge, details: ['no NodeNetworkConfigurationPolicy declares it'], missing: true });
      this.edge(missing, id);
    }
    for (const f of found) this.edge(f, id);
  }

  public vm(o: TreeObject): void {
    const m = o.manifest;
    const env = envOf(o);
    const ns: string = m.metadata.namespace ?? '';
    const id = `${env}|vm|${ns}/${m.metadata.name}`;
    const networks: any[] = Array.isArray(m.spec?.template?.spec?.networks) ? m.spec.template.spec.networks : [];
    this.add({ id, kind: 'vm', env, name: `${ns}/${m.metadata.name}`, details: [], app: o.app, source: o.key });
    for (const n of networks) {
      const ref = n?.multus?.networkName;
      if (typeof ref !== 'string' || ref === '') continue;
      const slash = ref.indexOf('/');
      const nadNs = slash < 0 ? ns : ref.slice(0, slash);
      const nadName = slash < 0 ? ref : ref.slice(slash + 1);
      const nad = `${env}|nad|${nadNs}/${nadName}`;
      if (!this.nodes.has(nad)) this.add({ id: nad, kind: 'nad', env, name: `${nadNs}/${nadName}`, details: ['not in the tree'], missing: true });
      this.edge(nad, id, typeof n.name === 'string' ? n.name : undefined);
    }
    const tenant = `${env}|tenant|${ns}`;
    if (!this.nodes.has(tenant)) {
      const nsObject = this.namespaces.get(`${env}|${ns}`);
      const labels = nsObject?.manifest.metadata?.labels ?? {};
      const display = nsObject?.manifest.metadata?.annotations?.['openshift.io/display-name'];
      const details = nsObject ? (typeof display === 'string' && display ? [display] : []) : ['not in the tree'];
      this.add({ id: tenant, kind: 'tenant', env, name: ns, details, app: nsObject && nsObject.app !== env ? nsObject.app : undefined, source: nsObject?.key, missing: nsObject ? undefined : true, tenant: typeof labels['ocpkit.io/tenant'] === 'string' });
    }
    this.edge(id, tenant);
  }

  /** Application nodes, the folder each syncs, and parent -> child edges (the folder holding the Application object). */
  public applications(apps: readonly TreeObject[], folders: ReadonlySet<string>): void {
    const syncedBy = new Map<string, string>();
    for (const o of apps) {
      const m = o.manifest;
      const env = envOf(o);
      const id = `${env}|app|${m.metadata.name}`;
      const paths: string[] = [m.spec?.source?.path, ...(Array.isArray(m.spec?.sources) ? m.spec.sources.map((s: any) => s?.path) : [])].filter((p) => typeof p === 'string');
      const folder = paths.map((p) => folderOf(p, folders)).find((f) => f !== undefined);
      const details: string[] = [];
      if (folder) details.push(`syncs ${folder}`);
      else if (paths.length) details.push(`syncs ${paths.join(', ')} (not in the tree)`);
      const dest = m.spec?.destination?.namespace;
      if (typeof dest === 'string' && dest) details.push(`into ${dest}`);
      this.add({ id, kind: 'application', env, name: m.metadata.name, details, app: o.app, source: o.key, syncs: folder });
      if (folder && !syncedBy.has(folder)) syncedBy.set(folder, id);
    }
    const parentOf = (o: TreeObject): string => {
      const parent = syncedBy.get(o.app);
      if (parent) return parent;
      const id = `${envOf(o)}|folder|${o.app}`;
      if (!this.nodes.has(id)) this.add({ id, kind: 'folder', env: envOf(o), name: o.app, details: ['no Application syncs it (applied by hand)'], app: o.app });
      return id;
    };
    for (const o of apps) this.edge(parentOf(o), `${envOf(o)}|app|${o.manifest.metadata.name}`);
  }

  public done(): NetworkTopology {
    const nodes = new Map([...this.nodes.entries()].sort(([a], [b]) => cmp(a, b)));
    const edges = [...this.edges.values()].sort((x, y) => cmp(x.from, y.from) || cmp(x.to, y.to) || cmp(x.label ?? '', y.label ?? ''));
    return { nodes, edges, problems: this.problems };
  }

  private add(n: TopologyNode): void {
    this.nodes.set(n.id, n);
  }

  private edge(from: string, to: string, label?: string): void {
    const k = `${from}\u0000${to}\u0000${label ?? ''}`;
    if (!this.edges.has(k)) this.edges.set(k, label === undefined ? { from, to } : { from, to, label });
  }
}

/**
 * The tree folder an Application's repository path points at: the longest tail of the path that
 * is a folder of the tree (`dist/production/openqa` -> `production/openqa`, for a tree read from
 * `dist/`).
 */
function folderOf(repoPath: string, folders: ReadonlySet<string>): string | undefined {
  const parts = repoPath.split('/').filter((p) => p !== '' && p !== '.');
  for (let i = 0; i < parts.length; i++) {
    const tail = parts.slice(i).join('/');
    if (folders.has(tail)) return tail;
  }
  return undefined;
}

/** Environment of an object: the scope of its file (`production`), or '' at the top. */
function envOf(o: TreeObject): string {
  return o.key.slice(0, o.key.indexOf('\u0000'));
}

function parseConfig(config: unknown): any {
  if (typeof config !== 'string') return undefined;
  try {
    const v = JSON.parse(config);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** JSON with sorted keys: equal for equal values. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v as object).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as any)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
