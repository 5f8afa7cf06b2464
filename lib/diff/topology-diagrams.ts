import type { DiffResult } from './diff-trees';
import { objectKey, readTree, scopeOf } from './read-tree';
import { cmp, NETWORK_KINDS, NetworkTopology, TopologyEdge, TopologyKind, TopologyNode, topologyOfFiles } from './topology';
import { Diagram, DiagramGroup, DiagramNode, NodeShape, NodeStatus, renderMermaid } from './topology-render';

/** What parts of the topology a whole-tree diagram draws. */
export type GraphView = 'all' | 'network' | 'apps';

/** Options of {@link topologyDiagram}. */
export interface TopologyDiagramOptions {
  /**
   * Draw only this environment (`production`).
   * @default every environment, each in its own group
   */
  readonly env?: string;
  /**
   * `network`: interfaces, NADs, VMs and tenants, grouped by the Application folder that syncs
   * them; `apps`: the Argo CD Applications (app of apps); `all`: both.
   * @default 'all'
   */
  readonly view?: GraphView;
}

const LOOK: Record<TopologyKind, { prefix: string; shape: NodeShape; word: string }> = {
  application: { prefix: 'app', shape: 'subroutine', word: 'Application' },
  folder: { prefix: 'dir', shape: 'note', word: 'folder' },
  interface: { prefix: 'nic', shape: 'box', word: 'interface' },
  bond: { prefix: 'bond', shape: 'box', word: 'bond' },
  vlan: { prefix: 'vlan', shape: 'box', word: 'VLAN' },
  bridge: { prefix: 'br', shape: 'round', word: 'bridge' },
  nad: { prefix: 'nad', shape: 'parallelogram', word: 'NAD' },
  vm: { prefix: 'vm', shape: 'stadium', word: 'VM' },
  tenant: { prefix: 'tn', shape: 'hexagon', word: 'namespace' },
};

/** Environments of a topology, sorted. */
export function topologyEnvironments(t: NetworkTopology): string[] {
  return [...new Set([...t.nodes.values()].map((n) => n.env))].sort();
}

/** The whole topology of a tree as a diagram (`ocpkit graph`). */
export function topologyDiagram(t: NetworkTopology, options: TopologyDiagramOptions = {}): Diagram {
  const view = options.view ?? 'all';
  const wanted = (n: TopologyNode) => (options.env === undefined || n.env === options.env)
    && (view === 'all' || (view === 'network') === NETWORK_KINDS.has(n.kind));
  const nodes = [...t.nodes.values()].filter(wanted);
  const ids = new Set(nodes.map((n) => n.id));
  return layout(nodes, t.edges.filter((e) => ids.has(e.from) && ids.has(e.to)), new Map(), topologyEnvironments(t).length > 1 && options.env === undefined);
}

/** Options of {@link changeDiagrams}. */
export interface ChangeDiagramOptions {
  /**
   * Most nodes of the network diagram; the change's own nodes come first, then the nearest ones,
   * and what is left out is counted in a note.
   * @default 40
   */
  readonly maxNodes?: number;
  /**
   * Most affected Applications drawn; the rest are counted in a note.
   * @default 25
   */
  readonly maxApps?: number;
}

/**
 * Mermaid diagrams of what a diff touches, as Markdown (each a caption and a ```mermaid block)
 * for a pull/merge request comment: the Argo CD Applications whose folders change (with the
 * Applications that create them), and, when host interfaces, NADs or VMs change, the slice of
 * bonds -> bridges -> NADs -> VMs -> tenants upstream and downstream of them. Changed, added and
 * removed nodes carry the classes `changed`, `added`, `removed` (and say so in their label).
 * `base` and `head` are the topologies of the two trees the diff compared. Each string is one
 * Markdown block (no trailing newline), ready for formatMarkdown's `diagrams` hook.
 */
export function changeDiagrams(base: NetworkTopology, head: NetworkTopology, result: DiffResult, options: ChangeDiagramOptions = {}): string[] {
  if (result.changes.length === 0) return [];
  // objects the diff reports (not those its ignore list left out), by op
  const touched = new Map<string, string>();
  for (const c of result.changes) touched.set(objectKey(scopeOf(c.file), { apiVersion: c.apiVersion, metadata: { namespace: c.namespace, name: c.name }, kind: c.kind }), c.op);
  const nodes = new Map<string, TopologyNode>();
  for (const [id, n] of base.nodes) nodes.set(id, n);
  for (const [id, n] of head.nodes) nodes.set(id, n);
  const status = nodeStatuses(base, head, touched);
  const edges = mergeEdges(base.edges, head.edges);
  const out: string[] = [];
  const apps = applicationsDiagram(nodes, edges, status, result, options.maxApps ?? 25);
  if (apps) out.push(apps);
  const net = networkSlice(nodes, edges, status, options.maxNodes ?? 40);
  if (net) out.push(net);
  return out;
}

/**
 * A `diagrams` hook for formatMarkdown that reads both trees now (before a caller removes
 * them, as `ocpkit diff --base` does with its temporary trees) and draws when called.
 */
export function diagramsFor(oldDir: string, newDir: string, options: ChangeDiagramOptions = {}): (result: DiffResult) => string[] {
  const base = topologyOfFiles(readTree(oldDir), oldDir);
  const head = topologyOfFiles(readTree(newDir), newDir);
  return (result) => changeDiagrams(base, head, result, options);
}

/**
 * changed / added / removed per node id; unchanged nodes are absent. Only nodes whose object the
 * diff reports are marked: an object the ignore list leaves out is not a change here either.
 */
function nodeStatuses(base: NetworkTopology, head: NetworkTopology, touched: ReadonlyMap<string, string>): Map<string, NodeStatus> {
  const out = new Map<string, NodeStatus>();
  // interfaces of a changed policy whose own entry differs; when none does, the policy itself
  // changed (node selector, ...) and every interface it declares is marked
  const differs = new Set<string>();
  for (const [id, h] of head.nodes) {
    const b = base.nodes.get(id);
    if (h.signature !== undefined && h.source && b?.signature !== h.signature) differs.add(h.source);
  }
  for (const [id, b] of base.nodes) {
    if (b.signature !== undefined && b.source && !head.nodes.has(id)) differs.add(b.source);
  }
  const ids = new Set([...base.nodes.keys(), ...head.nodes.keys()]);
  for (const id of ids) {
    const b = base.nodes.get(id);
    const h = head.nodes.get(id);
    const real = (n: TopologyNode | undefined) => n !== undefined && !n.missing;
    if (real(h) && !real(b)) {
      if (touched.has(h!.source!)) out.set(id, 'added');
    } else if (real(b) && !real(h)) {
      if (touched.has(b!.source!)) out.set(id, 'removed');
    } else if (h && b && real(h) && h.source && touched.get(h.source) === 'changed') {
      if (h.signature === undefined || h.signature !== b.signature || !differs.has(h.source)) out.set(id, 'changed');
    }
  }
  return out;
}

function mergeEdges(a: readonly TopologyEdge[], b: readonly TopologyEdge[]): TopologyEdge[] {
  const m = new Map<string, TopologyEdge>();
  for (const e of [...a, ...b]) m.set(`${e.from}\u0000${e.to}\u0000${e.label ?? ''}`, e);
  return [...m.values()];
}

const LEGEND = 'yellow = changed, green = added, red dashed = removed';

function networkSlice(nodes: ReadonlyMap<string, TopologyNode>, edges: readonly TopologyEdge[], status: ReadonlyMap<string, NodeStatus>, maxNodes: number): string | undefined {
  const isNet = (id: string) => NETWORK_KINDS.has(nodes.get(id)?.kind ?? 'folder');
  // a tenant whose Namespace object changed is not a network change by itself
  const seeds = [...status.keys()].filter((id) => isNet(id) && nodes.get(id)!.kind !== 'tenant').sort();
  if (seeds.length === 0) return undefined;
  const down = new Map<string, string[]>();
  const up = new Map<string, string[]>();
  for (const e of edges) {
    if (!isNet(e.from) || !isNet(e.to)) continue;
    down.set(e.from, [...(down.get(e.from) ?? []), e.to]);
    up.set(e.to, [...(up.get(e.to) ?? []), e.from]);
  }
  // breadth first from the seeds, downstream and upstream separately (a VM on a changed NAD is
  // drawn; the other NADs of that VM are not). What a cap keeps: the seeds, then everything
  // upstream (a few interfaces), then downstream NADs and tenants, then the VMs (the many), each
  // by distance
  const distance = new Map<string, number>();
  const upstream = new Set<string>();
  for (const dir of [down, up]) {
    let frontier = seeds;
    const seen = new Set(seeds);
    for (let d = 0; frontier.length; d++) {
      const next: string[] = [];
      for (const id of frontier) {
        if (!distance.has(id) || distance.get(id)! > d) distance.set(id, d);
        for (const n of [...(dir.get(id) ?? [])].sort()) if (!seen.has(n)) {
          seen.add(n);
          next.push(n);
          if (dir === up) upstream.add(n);
        }
      }
      frontier = next;
    }
  }
  // what a drawn node refers to but the tree does not define (a bridge no policy declares any
  // more, a NAD that is gone): drawn, one step further than the node that refers to it
  for (const e of edges) {
    const d = distance.get(e.to);
    if (d !== undefined && nodes.get(e.from)?.missing && isNet(e.from) && !distance.has(e.from)) {
      distance.set(e.from, d + 1);
      upstream.add(e.from);
    }
  }
  const seedSet = new Set(seeds);
  const tier = (id: string) => (seedSet.has(id) ? 0 : upstream.has(id) ? 1 : nodes.get(id)!.kind !== 'vm' ? 2 : 3);
  const ranked = [...distance.entries()].sort(([a, da], [b, db]) => tier(a) - tier(b) || da - db || cmp(a, b)).map(([id]) => id);
  const cap = Math.max(1, maxNodes);
  const kept = ranked.slice(0, cap);
  const elided = ranked.slice(cap);
  const keptSet = new Set(kept);
  const multiEnv = new Set(kept.map((id) => nodes.get(id)!.env)).size > 1;
  const diagram = layout(kept.map((id) => nodes.get(id)!), edges.filter((e) => keptSet.has(e.from) && keptSet.has(e.to)), status, multiEnv, elisionNote(elided.map((id) => nodes.get(id)!)));
  const counts = countStatuses(kept, status);
  const note = elided.length ? `\n\n_${elided.length} more node${elided.length === 1 ? '' : 's'} of the path not drawn (${kindCounts(elided.map((id) => nodes.get(id)!))}); \`npx ocpkit graph\` draws the whole topology._` : '';
  return `**Network path touched** (bond → bridge → NAD → VM → tenant; ${counts}; ${LEGEND})\n\n\`\`\`mermaid\n${renderMermaid(diagram)}\`\`\`${note}`;
}

function applicationsDiagram(nodes: ReadonlyMap<string, TopologyNode>, edges: readonly TopologyEdge[], status: ReadonlyMap<string, NodeStatus>, result: DiffResult, maxApps: number): string | undefined {
  if (result.apps.length === 0) return undefined;
  const appNodes = [...nodes.values()].filter((n) => n.kind === 'application' || n.kind === 'folder');
  const bySyncs = new Map<string, TopologyNode>();
  for (const n of appNodes) {
    const folder = n.kind === 'application' ? n.syncs : n.name;
    if (folder === undefined) continue;
    const prev = bySyncs.get(folder);
    // prefer the Application in the new tree, then the one not removed
    if (!prev || (status.get(prev.id) === 'removed' && status.get(n.id) !== 'removed')) bySyncs.set(folder, n);
  }
  // what is drawn: the folders with changes (most destructive, then largest first), then
  // Applications whose own object changed while the folder they sync did not
  type Entry = { readonly folder?: (typeof result.apps)[number]; readonly app?: TopologyNode };
  const folders = new Set(result.apps.map((a) => a.app));
  // Risky entries first (review 17 m12): counts per class, most severe class first, then size.
  const CLASS_ORDER = ['destructive', 'security', 'outage', 'weakening'] as const;
  const appRisk = (n: TopologyNode) => {
    const counts = CLASS_ORDER.map(() => 0);
    for (const c of result.changes) {
      if (c.kind !== 'Application' || c.name !== n.name) continue;
      for (const r of c.risks) counts[CLASS_ORDER.indexOf((r.class ?? 'destructive') as (typeof CLASS_ORDER)[number])]++;
    }
    return counts;
  };
  const folderRisk = (a: (typeof result.apps)[number]) => CLASS_ORDER.map((k) => a.classes?.[k] ?? (k === 'destructive' ? a.destructive : 0));
  const ranked: { entry: Entry; risk: number[]; size: number; name: string }[] = result.apps.map((folder) => ({ entry: { folder }, risk: folderRisk(folder), size: folder.added + folder.changed + folder.removed, name: folder.app }));
  for (const n of appNodes) {
    if (n.kind === 'application' && status.has(n.id) && !(n.syncs !== undefined && folders.has(n.syncs))) ranked.push({ entry: { app: n }, risk: appRisk(n), size: 0, name: n.name });
  }
  const byRisk = (x: number[], y: number[]) => {
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return y[i] - x[i];
    return 0;
  };
  const risky = (r: number[]) => r.some((v) => v > 0);
  ranked.sort((a, b) => Number(risky(b.risk)) - Number(risky(a.risk)) || byRisk(a.risk, b.risk) || b.size - a.size || Number(a.entry.app !== undefined) - Number(b.entry.app !== undefined) || cmp(a.name, b.name));
  const entries: Entry[] = ranked.map((x) => x.entry);
  const cap = Math.max(1, maxApps);
  const shown = entries.slice(0, cap);
  const hidden = entries.slice(cap);
  const parents = new Map<string, string[]>();
  for (const e of edges) {
    const f = nodes.get(e.from);
    const t = nodes.get(e.to);
    if (f && t && (f.kind === 'application' || f.kind === 'folder') && t.kind === 'application') parents.set(e.to, [...(parents.get(e.to) ?? []), e.from]);
  }
  const draw = new Map<string, DiagramNode>();
  const affected = new Set<string>();
  const diagramEdges: { from: string; to: string }[] = [];
  for (const entry of shown) {
    const a = entry.folder;
    const n = a ? bySyncs.get(a.app) : entry.app!;
    const id = n?.id ?? `folder|${a!.app}`;
    const look = LOOK[n?.kind ?? 'folder'];
    const last = a ? `+${a.added} ~${a.changed} -${a.removed}${a.destructive ? `, ${a.destructive} destructive` : ''}` : 'its Application object changed';
    const label = n ? [`${look.word} ${n.name}`, ...n.details, last] : [`folder ${a!.app}`, 'no Application syncs it', last];
    const st = n ? status.get(n.id) : undefined;
    affected.add(id);
    draw.set(id, { id, prefix: look.prefix, slug: n?.name ?? a!.app, shape: look.shape, label, status: st === 'added' || st === 'removed' ? st : 'changed' });
    // the chain of Applications that create this one, up to the folder applied by hand
    let cur = n?.id;
    const seen = new Set<string>();
    while (cur && !seen.has(cur)) {
      seen.add(cur);
      const ps = (parents.get(cur) ?? []).slice().sort();
      for (const p of ps) {
        diagramEdges.push({ from: p, to: cur });
        // an ancestor that is affected itself is drawn (or redrawn) by its own entry
        if (!affected.has(p)) {
          const pn = nodes.get(p)!;
          const pl = LOOK[pn.kind];
          draw.set(p, { id: p, prefix: pl.prefix, slug: pn.name, shape: pl.shape, label: [`${pl.word} ${pn.name}`, ...pn.details] });
        }
      }
      cur = ps[0];
    }
  }
  const name = (e: Entry) => e.folder?.app ?? e.app!.name;
  const extra: DiagramNode[] = hidden.length
    ? [{ id: 'more|apps', prefix: 'more', shape: 'note', label: [`${hidden.length} more affected Application${hidden.length === 1 ? '' : 's'} not drawn`, hidden.slice(0, 10).map(name).join(', ') + (hidden.length > 10 ? ', ...' : '')] }]
    : [];
  const diagram: Diagram = { direction: 'LR', nodes: [...draw.values(), ...extra], edges: diagramEdges, groups: [] };
  const note = hidden.length ? `\n\n_${hidden.length} more affected Application${hidden.length === 1 ? '' : 's'} not drawn (the table above lists every application folder)._` : '';
  return `**Argo CD Applications affected** (${shown.length} of ${entries.length}, with the Applications that create them; ${LEGEND})\n\n\`\`\`mermaid\n${renderMermaid(diagram)}\`\`\`${note}`;
}

function countStatuses(ids: readonly string[], status: ReadonlyMap<string, NodeStatus>): string {
  const c = { changed: 0, added: 0, removed: 0 };
  for (const id of ids) {
    const s = status.get(id);
    if (s) c[s]++;
  }
  return `${c.changed} changed, ${c.added} added, ${c.removed} removed`;
}

/** `tenant` for ocpkit tenants, `namespace` for other namespaces, the kind's word otherwise. */
function wordOf(n: TopologyNode): string {
  return n.kind === 'tenant' && n.tenant ? 'tenant' : LOOK[n.kind].word;
}

function kindCounts(ns: readonly TopologyNode[]): string {
  const m = new Map<string, number>();
  for (const n of ns) m.set(wordOf(n), (m.get(wordOf(n)) ?? 0) + 1);
  return [...m.entries()].sort(([a], [b]) => cmp(a, b)).map(([w, k]) => `${k} ${w}${k === 1 ? '' : 's'}`).join(', ');
}

function elisionNote(elided: readonly TopologyNode[]): DiagramNode | undefined {
  if (!elided.length) return undefined;
  return { id: 'more|nodes', prefix: 'more', shape: 'note', label: [`${elided.length} more not drawn`, kindCounts(elided)] };
}

/** Nodes grouped by the Application folder that syncs them (and by environment when several are drawn). */
function layout(nodes: readonly TopologyNode[], edges: readonly TopologyEdge[], status: ReadonlyMap<string, NodeStatus>, byEnv: boolean, extra?: DiagramNode): Diagram {
  const groups = new Map<string, DiagramGroup>();
  const envGroup = (env: string) => {
    const id = `env|${env}`;
    if (!groups.has(id)) groups.set(id, { id, label: env || '(no environment)' });
    return id;
  };
  const out: DiagramNode[] = [];
  for (const n of nodes) {
    const look = LOOK[n.kind];
    let group: string | undefined;
    if (n.kind === 'application' || n.kind === 'folder') {
      group = `apps|${n.env}`;
      if (!groups.has(group)) groups.set(group, { id: group, label: 'Argo CD Applications', parent: byEnv ? envGroup(n.env) : undefined });
    } else if (n.app !== undefined) {
      group = `folder|${n.app}`;
      const label = !byEnv && n.env && n.app.startsWith(`${n.env}/`) ? n.app.slice(n.env.length + 1) : n.app;
      if (!groups.has(group)) groups.set(group, { id: group, label: `${label}/`, parent: byEnv ? envGroup(n.env) : undefined });
    } else if (byEnv) {
      group = envGroup(n.env);
    }
    out.push({ id: n.id, prefix: look.prefix, slug: n.name, shape: look.shape, label: [`${wordOf(n)} ${n.name}`, ...n.details], status: status.get(n.id), group });
  }
  if (extra) out.push(extra);
  return { direction: 'LR', nodes: out, edges, groups: [...groups.values()] };
}
