import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { diffTreeFiles, DiffResult } from '../../lib/diff/diff-trees';
import { IgnoreList } from '../../lib/diff/ignore-list';
import { readTree, TreeFiles } from '../../lib/diff/read-tree';
import { topologyOfFiles } from '../../lib/diff/topology';
import { changeDiagrams, ChangeDiagramOptions, diagramsFor, topologyDiagram } from '../../lib/diff/topology-diagrams';
import { renderMermaid } from '../../lib/diff/topology-render';
import { bond, bridge, nad, namespace, nncp, smallCluster, tree, vm, application } from './topology-fixtures';
import { classOf, mermaidBlocks, nodeByTitle, ParsedFlowchart, parseFlowchart } from './topology-grammar';

/** Diffs two in-memory trees and draws; returns the markdown parts and each parsed flowchart by caption. */
function draw(before: Record<string, unknown>, after: Record<string, unknown>, options?: ChangeDiagramOptions) {
  return drawFiles(tree(before), tree(after), options);
}

function drawFiles(a: TreeFiles, b: TreeFiles, options?: ChangeDiagramOptions) {
  const result = diffTreeFiles(a, b);
  const parts = changeDiagrams(topologyOfFiles(a), topologyOfFiles(b), result, options);
  const byCaption = (start: string): ParsedFlowchart | undefined => {
    const p = parts.find((x) => x.startsWith(`**${start}`));
    return p === undefined ? undefined : parseFlowchart(mermaidBlocks(p)[0]);
  };
  return { result, parts, network: byCaption('Network path'), apps: byCaption('Argo CD Applications') };
}

/** First label lines of a flowchart's nodes, with their class, sorted. */
function marked(f: ParsedFlowchart): string[] {
  return [...f.nodes.values()].map((n) => `${n.lines[0]}${classOf(f, n.id) ? ` [${classOf(f, n.id)}]` : ''}`).sort();
}

const base = smallCluster();

describe('change diagrams: the network path a change touches', () => {
  test('a changed NAD is marked, with its bridge and bond upstream and the VMs and tenants using it downstream', () => {
    const { network } = draw(base, { ...base, 'prod/vms/nad-int.yaml': nad('vms', 'internal', 'br-int', { mtu: 1500 }) });
    expect(marked(network!)).toEqual([
      'NAD vms/internal [changed]',
      'VM lab/c', // uses vms/internal across namespaces
      'VM vms/a',
      'bond bond0',
      'bridge br-int',
      'tenant lab',
      'tenant vms',
    ]);
    // the other bridge, its NAD and VM b (only on the public network) are not part of the picture
    expect(nodeByTitle(network!, 'VM vms/b')).toBeUndefined();
    expect(nodeByTitle(network!, 'NAD vms/internal')!.lines).toEqual(['NAD vms/internal', 'MTU 1500', '(changed)']);
    const id = (t: string) => nodeByTitle(network!, t)!.id;
    expect(network!.edges).toEqual(expect.arrayContaining([
      { from: id('bond bond0'), to: id('bridge br-int') },
      { from: id('bridge br-int'), to: id('NAD vms/internal') },
      { from: id('NAD vms/internal'), to: id('VM vms/a'), label: 'int' },
      { from: id('VM vms/a'), to: id('tenant vms') },
    ]));
  });

  test('nodes are grouped by the Application folder that syncs them', () => {
    const { network } = draw(base, { ...base, 'prod/vms/nad-int.yaml': nad('vms', 'internal', 'br-int', { mtu: 1500 }) });
    const groupOf = (t: string) => network!.groups.get(nodeByTitle(network!, t)!.group!)!.label;
    expect(groupOf('NAD vms/internal')).toBe('vms/');
    expect(groupOf('VM lab/c')).toBe('lab/');
    expect(groupOf('bridge br-int')).toBe('network/');
    expect(groupOf('tenant vms')).toBe('tenancy/');
  });

  test('an added VM: marked added, with the path it joins (not the other VMs on that path)', () => {
    const { network } = draw(base, { ...base, 'prod/vms/vm-d.yaml': vm('vms', 'd', { pub: 'public' }) });
    expect(marked(network!)).toEqual(['NAD vms/public', 'VLAN bond1.40', 'VM vms/d [added]', 'bond bond1', 'bridge br-pub', 'tenant vms']);
  });

  test('a removed bridge: marked removed, with what hung on it, and the NAD now on a bridge no policy declares', () => {
    const policy = nncp('nodes', [bond('bond0', ['ens1f0', 'ens1f1']), bridge('br-int', ['bond0']), bond('bond1', ['eno1', 'eno2'], 'active-backup', 1500), { name: 'bond1.40', type: 'vlan', state: 'up', vlan: { 'base-iface': 'bond1', id: 40 } }]);
    const { network } = draw(base, { ...base, 'prod/network/nncp.yaml': policy });
    expect(marked(network!)).toEqual([
      'NAD vms/public',
      'VLAN bond1.40',
      'VM vms/a',
      'VM vms/b',
      'bond bond1',
      'bridge br-pub', // the placeholder: no policy declares it any more
      'bridge br-pub [removed]',
      'tenant vms',
    ]);
    const ghost = [...network!.nodes.values()].find((n) => n.lines[0] === 'bridge br-pub' && !classOf(network!, n.id))!;
    expect(ghost.lines).toContain('no NodeNetworkConfigurationPolicy declares it');
    // the other interfaces of the changed policy did not change and are not marked
    expect(nodeByTitle(network!, 'bond bond0')).toBeUndefined();
  });

  test('one interface of a policy changes: only that one is marked; a policy-wide change marks all of them', () => {
    const mtu = smallCluster();
    mtu['prod/network/nncp.yaml'] = nncp('nodes', [bond('bond0', ['ens1f0', 'ens1f1'], '802.3ad', 1500), bridge('br-int', ['bond0']), bond('bond1', ['eno1', 'eno2'], 'active-backup', 1500), { name: 'bond1.40', type: 'vlan', state: 'up', vlan: { 'base-iface': 'bond1', id: 40 } }, bridge('br-pub', ['bond1.40'], 1500)]);
    const one = draw(base, mtu).network!;
    expect(marked(one).filter((l) => l.includes('['))).toEqual(['bond bond0 [changed]']);
    expect(nodeByTitle(one, 'VM vms/a')).toBeDefined(); // downstream of bond0 through br-int
    const selector = smallCluster();
    selector['prod/network/nncp.yaml'] = { ...(base['prod/network/nncp.yaml'] as any), spec: { ...(base['prod/network/nncp.yaml'] as any).spec, nodeSelector: { 'node-role.kubernetes.io/master': '' } } };
    const all = draw(base, selector).network!;
    expect(marked(all).filter((l) => l.includes('['))).toEqual(['VLAN bond1.40 [changed]', 'bond bond0 [changed]', 'bond bond1 [changed]', 'bridge br-int [changed]', 'bridge br-pub [changed]']);
  });

  test('no network diagram when nothing on the network path changes (a Namespace label is not a network change)', () => {
    const ns = { ...(base['prod/tenancy/ns-vms.yaml'] as any) };
    ns.metadata = { ...ns.metadata, labels: { ...ns.metadata.labels, team: 'x' } };
    const d = draw(base, { ...base, 'prod/tenancy/ns-vms.yaml': ns, 'prod/vms/cm.yaml': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'vms' } } });
    expect(d.network).toBeUndefined();
    expect(d.apps).toBeDefined();
    expect(changeDiagrams(topologyOfFiles(tree(base)), topologyOfFiles(tree(base)), diffTreeFiles(tree(base), tree(base)))).toEqual([]);
  });

  test('an object the ignore list leaves out of the diff is not marked either', () => {
    const after = { ...base, 'prod/vms/vm-d.yaml': vm('vms', 'd', { int: 'internal' }), 'prod/vms/nad-int.yaml': nad('vms', 'internal', 'br-int', { mtu: 1500 }) };
    const result = diffTreeFiles(tree(base), tree(after), { ignore: new IgnoreList([{ kind: 'VirtualMachine' }]) });
    const parts = changeDiagrams(topologyOfFiles(tree(base)), topologyOfFiles(tree(after)), result);
    const network = parseFlowchart(mermaidBlocks(parts.find((p) => p.includes('Network path'))!)[0]);
    expect(marked(network).filter((l) => l.includes('['))).toEqual(['NAD vms/internal [changed]']);
    // VM d is still drawn: it is on the NAD's path in the new tree, only not marked
    expect(nodeByTitle(network, 'VM vms/d')).toBeDefined();
  });

  test('caps: a NAD under 60 VMs draws the NAD, its path upstream, the tenants, then as many VMs as fit, and counts what it left out', () => {
    const many: Record<string, unknown> = { ...base };
    for (let i = 0; i < 60; i++) many[`prod/vms/vm-x${i}.yaml`] = vm('vms', `x${String(i).padStart(2, '0')}`, { int: 'internal' });
    const after = { ...many, 'prod/vms/nad-int.yaml': nad('vms', 'internal', 'br-int', { mtu: 1500 }) };
    const { network, parts } = draw(many, after, { maxNodes: 10 });
    // the path is bond0, br-int, the NAD, 62 VMs (a, c and the 60), tenants vms and lab: 67 nodes
    const note = [...network!.nodes.values()].find((n) => n.shape === 'note')!;
    expect(network!.nodes.size).toBe(11);
    expect(note.lines).toEqual(['57 more not drawn', '57 VMs']);
    expect(classOf(network!, nodeByTitle(network!, 'NAD vms/internal')!.id)).toBe('changed');
    for (const t of ['bridge br-int', 'bond bond0', 'tenant vms', 'tenant lab']) expect(nodeByTitle(network!, t)).toBeDefined();
    expect([...network!.nodes.values()].filter((n) => n.lines[0].startsWith('VM '))).toHaveLength(5);
    expect(parts.find((p) => p.includes('Network path'))).toMatch(/57 more nodes of the path not drawn \(57 VMs\)/);
    const uncapped = draw(many, after, { maxNodes: 1000 }).network!;
    expect(uncapped.nodes.size).toBe(67);
  });

  test('deterministic: the same change gives byte-identical diagrams, whatever the file order', () => {
    const after = { ...base, 'prod/vms/nad-int.yaml': nad('vms', 'internal', 'br-int', { mtu: 1500 }), 'prod/vms/vm-d.yaml': vm('vms', 'd', { pub: 'public' }) };
    const one = draw(base, after).parts;
    const rev = (r: Record<string, unknown>) => new Map([...tree(r).entries()].reverse());
    expect(drawFiles(rev(base), rev(after)).parts).toEqual(one);
  });

  test('names that are Mermaid syntax stay labels (a namespace display name, an Application called end)', () => {
    const nasty = { ...base, 'prod/tenancy/ns-vms.yaml': namespace('vms', 'VMs "prod"]; end\n%%{init}%% <b>#1;</b> `x`'), 'prod/root/app-end.yaml': application('end', 'prod/vms') };
    const { network, parts } = draw(nasty, { ...nasty, 'prod/vms/vm-d.yaml': vm('vms', 'd', { pub: 'public' }) });
    expect(nodeByTitle(network!, 'tenant vms')!.lines).toEqual(['tenant vms', 'VMs "prod"]; end %%{init}%% <b>#1;</b> `x`']);
    for (const p of parts) expect(mermaidBlocks(p)).toHaveLength(1);
  });
});

describe('change diagrams: Applications affected', () => {
  test('a changed folder marks its Application with counts, drawn under the root Application and bootstrap/', () => {
    const { apps } = draw(base, { ...base, 'prod/vms/vm-d.yaml': vm('vms', 'd', { pub: 'public' }), 'prod/vms/nad-int.yaml': nad('vms', 'internal', 'br-int', { mtu: 1500 }) });
    expect(marked(apps!)).toEqual(['Application root', 'Application vms [changed]', 'folder prod/bootstrap']);
    expect(nodeByTitle(apps!, 'Application vms')!.lines).toEqual(['Application vms', 'syncs prod/vms', 'into vms', '+1 ~1 -0', '(changed)']);
    const id = (t: string) => nodeByTitle(apps!, t)!.id;
    expect(apps!.edges).toEqual(expect.arrayContaining([{ from: id('folder prod/bootstrap'), to: id('Application root') }, { from: id('Application root'), to: id('Application vms') }]));
  });

  test('a new Application with its folder is marked added; the root folder that gained it is changed', () => {
    const after = { ...base, 'prod/root/app-wiki.yaml': application('wiki', 'prod/wiki', 'wiki'), 'prod/wiki/cm.yaml': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'wiki' } } };
    const { apps, network } = draw(base, after);
    expect(marked(apps!)).toEqual(['Application root [changed]', 'Application wiki [added]', 'folder prod/bootstrap']);
    expect(network).toBeUndefined();
  });

  test('a removed Application and folder is marked removed', () => {
    const after: Record<string, unknown> = { ...base };
    delete after['prod/root/app-lab.yaml'];
    delete after['prod/lab/nad-int.yaml'];
    delete after['prod/lab/vm-c.yaml'];
    const { apps, network } = draw(base, after);
    expect(marked(apps!)).toEqual(['Application lab [removed]', 'Application root [changed]', 'folder prod/bootstrap']);
    expect(classOf(network!, nodeByTitle(network!, 'VM lab/c')!.id)).toBe('removed');
  });

  test('an Application whose own object changed (not its folder) is drawn marked, under its parent', () => {
    const moved = { ...(base['prod/root/app-vms.yaml'] as any), spec: { ...(base['prod/root/app-vms.yaml'] as any).spec, destination: { server: 'https://kubernetes.default.svc', namespace: 'vms2' } } };
    const { apps } = draw(base, { ...base, 'prod/root/app-vms.yaml': moved });
    expect(marked(apps!)).toEqual(['Application root [changed]', 'Application vms [changed]', 'folder prod/bootstrap']);
    expect(nodeByTitle(apps!, 'Application vms')!.lines).toEqual(['Application vms', 'syncs prod/vms', 'into vms2', 'its Application object changed', '(changed)']);
    expect(nodeByTitle(apps!, 'Application root')!.lines).toContain('+0 ~1 -0');
  });

  test('caps: more affected folders than maxApps are counted in a note and a sentence', () => {
    const before: Record<string, unknown> = { ...base };
    const after: Record<string, unknown> = { ...base };
    for (let i = 0; i < 12; i++) after[`prod/app${String(i).padStart(2, '0')}/cm.yaml`] = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: `a${i}` } };
    const { apps, parts } = draw(before, after, { maxApps: 5 });
    expect([...apps!.nodes.values()].filter((n) => n.lines[0].startsWith('folder prod/app'))).toHaveLength(5);
    const note = [...apps!.nodes.values()].find((n) => n.lines[0].includes('more'))!;
    expect(note.lines[0]).toBe('7 more affected Applications not drawn');
    expect(parts[0]).toMatch(/\*\*Argo CD Applications affected\*\* \(5 of 12,/);
    expect(parts[0]).toMatch(/_7 more affected Applications not drawn/);
  });
});

describe('on the reference stack (dist/, read only)', () => {
  const dist = path.join(__dirname, '../../dist');
  const files = readTree(dist);

  test('changing the internal NAD of infra-vms draws bond0 -> br0-internal -> the NAD -> every VM on it -> infra-vms', () => {
    const rel = 'production/infra-vms/networkattachmentdefinition.infra-vms.internal-network.yaml';
    const doc = yaml.load(files.get(rel)!) as any;
    const config = JSON.parse(doc.spec.config);
    const bridgeName: string = config.plugins[0].bridge;
    config.plugins[0].mtu = 1500;
    const head = new Map(files);
    head.set(rel, yaml.dump({ ...doc, spec: { config: JSON.stringify(config) } }));
    const { network, apps } = drawFiles(files, head, { maxNodes: 100 });
    // expected VMs: read from the tree itself, not from the topology
    const users = [...files.entries()].filter(([r]) => r.startsWith('production/')).map(([, t]) => yaml.load(t) as any)
      .filter((d) => d?.kind === 'VirtualMachine' && d.metadata.namespace === 'infra-vms' && d.spec.template.spec.networks.some((n: any) => n.multus?.networkName === 'internal-network'))
      .map((d) => `VM infra-vms/${d.metadata.name}`);
    expect(users.length).toBeGreaterThan(1);
    const titles = [...network!.nodes.values()].map((n) => n.lines[0]);
    for (const u of users) expect(titles).toContain(u);
    expect(titles.filter((t) => t.startsWith('VM '))).toHaveLength(users.length);
    expect(titles).toContain(`bridge ${bridgeName}`);
    const ns = yaml.load(files.get([...files.keys()].find((r) => r.startsWith('production/') && r.endsWith('/namespace.infra-vms.yaml'))!)!) as any;
    expect(titles).toContain(`${ns.metadata.labels?.['ocpkit.io/tenant'] ? 'tenant' : 'namespace'} infra-vms`);
    expect(titles.filter((t) => t.startsWith('NAD '))).toEqual(['NAD infra-vms/internal-network']);
    expect(classOf(network!, nodeByTitle(network!, 'NAD infra-vms/internal-network')!.id)).toBe('changed');
    expect(marked(apps!)).toEqual(['Application community-production-root', 'Application infra-vms [changed]', 'folder production/bootstrap']);
  });

  test('the whole topology of one environment renders as a valid flowchart with every VM', () => {
    const t = topologyOfFiles(files, dist);
    const f = parseFlowchart(renderMermaid(topologyDiagram(t, { env: 'production' })));
    const vms = [...t.nodes.values()].filter((n) => n.kind === 'vm' && n.env === 'production');
    expect([...f.nodes.values()].filter((n) => n.lines[0].startsWith('VM '))).toHaveLength(vms.length);
    expect([...f.nodes.values()].some((n) => n.lines[0].startsWith('Application '))).toBe(true);
  });

  test('diagramsFor reads both trees when called, so the trees may be removed before the diagrams are drawn', () => {
    const tmp = (files: Record<string, unknown>) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-topology-'));
      for (const [rel, c] of tree(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), c);
      }
      return dir;
    };
    const after = { ...base, 'prod/vms/vm-d.yaml': vm('vms', 'd', { pub: 'public' }) };
    const a = tmp(base);
    const b = tmp(after);
    const result: DiffResult = diffTreeFiles(readTree(a), readTree(b));
    const hook = diagramsFor(a, b);
    fs.rmSync(a, { recursive: true });
    fs.rmSync(b, { recursive: true });
    expect(hook(result)).toEqual(draw(base, after).parts);
  });
});
