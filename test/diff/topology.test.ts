import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { DiffInputError } from '../../lib/diff/diff-input-error';
import { readTree } from '../../lib/diff/read-tree';
import { readTopology, NetworkTopology, topologyOfFiles } from '../../lib/diff/topology';
import { nad, smallCluster, tree, vm } from './topology-fixtures';

const edgesOf = (t: NetworkTopology) => t.edges.map((e) => `${e.from} -> ${e.to}${e.label ? ` (${e.label})` : ''}`);

describe('topology of a hand-made tree', () => {
  const t = topologyOfFiles(tree(smallCluster()));
  const iface = (n: string) => `prod|iface|nodes|${n}`;

  test('interfaces of the policy: kinds, details, and port/base edges', () => {
    expect(t.nodes.get(iface('bond0'))).toMatchObject({ kind: 'bond', name: 'bond0', details: ['802.3ad: ens1f0, ens1f1', 'MTU 9000'], app: 'prod/network' });
    expect(t.nodes.get(iface('bond1'))).toMatchObject({ kind: 'bond', details: ['active-backup: eno1, eno2', 'MTU 1500'] });
    expect(t.nodes.get(iface('bond1.40'))).toMatchObject({ kind: 'vlan', details: ['VLAN 40 on bond1'] });
    expect(t.nodes.get(iface('br-int'))).toMatchObject({ kind: 'bridge', details: ['MTU 9000'] });
    const edges = edgesOf(t);
    expect(edges).toContain(`${iface('bond0')} -> ${iface('br-int')}`);
    expect(edges).toContain(`${iface('bond1')} -> ${iface('bond1.40')}`);
    expect(edges).toContain(`${iface('bond1.40')} -> ${iface('br-pub')}`);
    // bond ports that the policy does not declare are details of the bond, not nodes
    expect([...t.nodes.keys()].filter((id) => id.includes('ens1f0'))).toEqual([]);
  });

  test('NADs hang off the bridge their config names, with VLAN and MTU (tuning wins)', () => {
    expect(t.nodes.get('prod|nad|vms/internal')).toMatchObject({ kind: 'nad', details: ['MTU 9000'], app: 'prod/vms' });
    expect(t.nodes.get('prod|nad|vms/public')).toMatchObject({ details: ['VLAN 40', 'MTU 1500 (tuning)'] });
    const edges = edgesOf(t);
    expect(edges).toContain(`${iface('br-int')} -> prod|nad|vms/internal`);
    expect(edges).toContain(`${iface('br-int')} -> prod|nad|lab/internal`);
    expect(edges).toContain(`${iface('br-pub')} -> prod|nad|vms/public`);
  });

  test('VMs attach to NADs of their namespace, or of another with namespace/name; then to their tenant', () => {
    const edges = edgesOf(t);
    expect(edges).toContain('prod|nad|vms/internal -> prod|vm|vms/a (int)');
    expect(edges).toContain('prod|nad|vms/public -> prod|vm|vms/a (pub)');
    expect(edges).toContain('prod|nad|vms/internal -> prod|vm|lab/c (int)');
    expect(edges).not.toContain('prod|nad|lab/internal -> prod|vm|lab/c (int)');
    expect(edges).toContain('prod|vm|lab/c -> prod|tenant|lab');
    expect(t.nodes.get('prod|tenant|vms')).toMatchObject({ kind: 'tenant', tenant: true, details: ['Virtual machines'], app: 'prod/tenancy' });
    // the pod network is not a NAD
    expect(edges.filter((e) => e.endsWith('(default)'))).toEqual([]);
  });

  test('Applications: the folder each syncs, and the app of apps', () => {
    expect(t.nodes.get('prod|app|vms')).toMatchObject({ kind: 'application', syncs: 'prod/vms', details: ['syncs prod/vms', 'into vms'] });
    const edges = edgesOf(t);
    for (const child of ['network', 'vms', 'lab', 'tenancy']) expect(edges).toContain(`prod|app|root -> prod|app|${child}`);
    // nothing syncs bootstrap/: it is a folder applied by hand, parent of the root Application
    expect(t.nodes.get('prod|folder|prod/bootstrap')).toMatchObject({ kind: 'folder' });
    expect(edges).toContain('prod|folder|prod/bootstrap -> prod|app|root');
  });

  test('the same tree read in another file order gives the same topology', () => {
    const files = tree(smallCluster());
    const reversed = new Map([...files.entries()].reverse());
    const again = topologyOfFiles(reversed);
    expect([...again.nodes.entries()]).toEqual([...t.nodes.entries()]);
    expect(again.edges).toEqual(t.edges);
  });
});

describe('topology: what the tree refers to but does not define', () => {
  test('a NAD on a bridge no policy declares gets a placeholder bridge', () => {
    const t = topologyOfFiles(tree({ 'prod/vms/nad.yaml': nad('vms', 'n', 'br-ghost') }));
    expect(t.nodes.get('prod|bridge|?|br-ghost')).toMatchObject({ kind: 'bridge', missing: true, details: ['no NodeNetworkConfigurationPolicy declares it'] });
    expect(edgesOf(t)).toEqual(['prod|bridge|?|br-ghost -> prod|nad|vms/n']);
  });

  test('a VM on a NAD that is not in the tree gets a placeholder NAD; its namespace without Namespace object too', () => {
    const t = topologyOfFiles(tree({ 'prod/vms/vm.yaml': vm('vms', 'a', { x: 'other/net' }) }));
    expect(t.nodes.get('prod|nad|other/net')).toMatchObject({ missing: true, details: ['not in the tree'] });
    expect(t.nodes.get('prod|tenant|vms')).toMatchObject({ missing: true, details: ['not in the tree'] });
  });

  test('a NAD config that is not JSON is a problem line, not an exception; a single-plugin config works', () => {
    const broken = { ...nad('vms', 'bad', 'br0'), spec: { config: '{"plugins": [' } };
    const single = { ...nad('vms', 'single', 'br0'), spec: { config: JSON.stringify({ cniVersion: '0.3.1', type: 'bridge', bridge: 'br0', vlan: 7 }) } };
    const t = topologyOfFiles(tree({ 'prod/vms/bad.yaml': broken, 'prod/vms/single.yaml': single }));
    expect(t.problems).toEqual(['prod/vms/bad.yaml: NetworkAttachmentDefinition vms/bad: spec.config is not a JSON object; its bridge is not drawn']);
    expect(t.nodes.get('prod|nad|vms/bad')).toMatchObject({ details: ['config is not JSON'] });
    expect(t.nodes.get('prod|nad|vms/single')).toMatchObject({ details: ['VLAN 7'] });
    expect(edgesOf(t)).toEqual(['prod|bridge|?|br0 -> prod|nad|vms/single']);
  });

  test('YAML that does not parse is one DiffInputError line naming the file', () => {
    expect(() => topologyOfFiles(tree({ 'prod/vms/vm.yaml': 'kind: VirtualMachine\nmetadata: [\n' }), 'dist')).toThrow(DiffInputError);
    expect(() => topologyOfFiles(tree({ 'prod/vms/vm.yaml': 'kind: VirtualMachine\nmetadata: [\n' }), 'dist')).toThrow(/dist\/prod\/vms\/vm\.yaml/);
  });
});

describe('topology of the reference stack (dist/, read only)', () => {
  const root = path.join(__dirname, '../../dist');
  const t = readTopology(root);
  const files = readTree(root);
  const docs = [...files.entries()].filter(([rel]) => rel.endsWith('.yaml') && !rel.endsWith('externals.yaml')).map(([rel, text]) => ({ rel, doc: yaml.load(text) as any }));

  test('every VM and NAD of the tree is a node, and nothing is a placeholder', () => {
    const vms = docs.filter((d) => d.doc?.kind === 'VirtualMachine');
    const nads = docs.filter((d) => d.doc?.kind === 'NetworkAttachmentDefinition');
    expect(vms.length).toBeGreaterThan(0);
    expect(nads.length).toBeGreaterThan(0);
    const nodes = [...t.nodes.values()];
    expect(nodes.filter((n) => n.kind === 'vm')).toHaveLength(vms.length);
    expect(nodes.filter((n) => n.kind === 'nad')).toHaveLength(nads.length);
    expect(nodes.filter((n) => n.missing)).toEqual([]);
    expect(t.problems).toEqual([]);
  });

  test('each multus network of each VM is an edge from its NAD, and each NAD has its bridge from the policy', () => {
    for (const { rel, doc } of docs.filter((d) => d.doc?.kind === 'VirtualMachine')) {
      const env = rel.split('/')[0];
      const ns = doc.metadata.namespace;
      for (const n of doc.spec.template.spec.networks.filter((x: any) => x.multus)) {
        const ref: string = n.multus.networkName;
        const nadId = `${env}|nad|${ref.includes('/') ? ref : `${ns}/${ref}`}`;
        expect(t.edges).toContainEqual({ from: nadId, to: `${env}|vm|${ns}/${doc.metadata.name}`, label: n.name });
      }
    }
    for (const { rel, doc } of docs.filter((d) => d.doc?.kind === 'NetworkAttachmentDefinition')) {
      const env = rel.split('/')[0];
      const bridgeName = JSON.parse(doc.spec.config).plugins[0].bridge;
      const from = t.edges.filter((e) => e.to === `${env}|nad|${doc.metadata.namespace}/${doc.metadata.name}`).map((e) => t.nodes.get(e.from)!);
      expect(from.map((n) => [n.kind, n.name])).toEqual([['bridge', bridgeName]]);
    }
  });

  test('every child Application hangs off the root Application, and the root off bootstrap/', () => {
    for (const env of fs.readdirSync(root).filter((e) => fs.statSync(path.join(root, e)).isDirectory())) {
      const children = docs.filter((d) => d.rel.startsWith(`${env}/root/`) && d.doc?.kind === 'Application');
      expect(children.length).toBeGreaterThan(0);
      const rootApp = [...t.nodes.values()].find((n) => n.kind === 'application' && n.syncs === `${env}/root`)!;
      expect(rootApp).toBeDefined();
      for (const c of children) expect(t.edges).toContainEqual({ from: rootApp.id, to: `${env}|app|${c.doc.metadata.name}` });
      expect(t.edges).toContainEqual({ from: `${env}|folder|${env}/bootstrap`, to: rootApp.id });
    }
  });
});
