import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../lib/cli/main';
import { captureOutput } from '../_helpers';
import { nad, smallCluster, tree } from '../diff/topology-fixtures';
import { parseFlowchart } from '../diff/topology-grammar';

const made: string[] = [];
function writeTree(files: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-graph-test-'));
  made.push(dir);
  for (const [rel, text] of tree(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** The small cluster twice: environments prod and stage. */
function twoEnvironments(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rel, doc] of Object.entries(smallCluster())) {
    out[rel] = doc;
    out[rel.replace(/^prod\//, 'stage/')] = JSON.parse(JSON.stringify(doc).replace(/dist\/prod\//g, 'dist/stage/'));
  }
  return out;
}

function dot(text: string): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync('dot', ['-Tsvg'], { input: text, encoding: 'utf8' });
  if (r.error) throw new Error('Graphviz dot is needed for this test (.ci/run must install it: apt-get install graphviz)');
  return r;
}

describe('ocpkit graph', () => {
  const io = captureOutput();
  const titles = (text: string) => [...parseFlowchart(text).nodes.values()].map((n) => n.lines[0]).sort();

  test('--help prints the usage and exits 0; the command list names graph', async () => {
    expect(await main(['graph', '--help'])).toBe(0);
    expect(io.out()).toMatch(/^usage: ocpkit graph \[--format mermaid\|dot\]/);
    expect(await main(['--help'])).toBe(0);
    expect(io.out()).toMatch(/\n {2}graph \[--format mermaid\|dot\]/);
  });

  test('default: a Mermaid flowchart of the whole tree, each environment in its own group', async () => {
    const dir = writeTree(twoEnvironments());
    expect(await main(['graph', dir])).toBe(0);
    const f = parseFlowchart(io.out());
    expect([...f.groups.values()].filter((g) => g.parent === undefined).map((g) => g.label).sort()).toEqual(['prod', 'stage']);
    expect([...f.nodes.values()].filter((n) => n.lines[0] === 'VM vms/a')).toHaveLength(2);
    expect(io.err()).toBe('');
  });

  test('--env draws one environment; --view network leaves the Applications out, --view apps keeps only them', async () => {
    const dir = writeTree(twoEnvironments());
    expect(await main(['graph', '--env', 'stage', '--view', 'network', dir])).toBe(0);
    const net = titles(io.out());
    expect(net).toEqual(['NAD lab/internal', 'NAD vms/internal', 'NAD vms/public', 'VLAN bond1.40', 'VM lab/c', 'VM vms/a', 'VM vms/b', 'bond bond0', 'bond bond1', 'bridge br-int', 'bridge br-pub', 'tenant lab', 'tenant vms']);
    io.stdout.mockClear();
    expect(await main(['graph', '--env=stage', '--view=apps', dir])).toBe(0);
    expect(titles(io.out())).toEqual(['Application lab', 'Application network', 'Application root', 'Application tenancy', 'Application vms', 'folder stage/bootstrap']);
  });

  test('--format dot: Graphviz reads it', async () => {
    const dir = writeTree(twoEnvironments());
    expect(await main(['graph', '--format', 'dot', dir])).toBe(0);
    const text = io.out();
    expect(text).toMatch(/^digraph "ocpkit" \{/);
    const r = dot(text);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect((r.stdout.match(/class="node"/g) ?? []).length).toBe(2 * (13 + 6));
  });

  test('a NAD config that is not JSON is a warning on stderr; the graph is still drawn', async () => {
    const files = smallCluster();
    files['prod/vms/nad-int.yaml'] = { ...nad('vms', 'internal', 'br-int'), spec: { config: 'not json' } };
    const dir = writeTree(files);
    expect(await main(['graph', '--view', 'network', dir])).toBe(0);
    expect(io.err()).toBe('ocpkit graph: warning: prod/vms/nad-int.yaml: NetworkAttachmentDefinition vms/internal: spec.config is not a JSON object; its bridge is not drawn\n');
    expect(titles(io.out())).toContain('NAD vms/internal');
  });

  test('usage and input errors: one line on stderr, exit 2', async () => {
    const dir = writeTree(smallCluster());
    const cases: [string[], RegExp][] = [
      [['graph', '--format', 'svg', dir], /^ocpkit graph: --format must be one of mermaid, dot, got "svg"\n$/],
      [['graph', '--view', 'vms', dir], /^ocpkit graph: --view must be one of all, network, apps, got "vms"\n$/],
      [['graph', '--env', 'qa', dir], /^ocpkit graph: environment "qa" is not in .* \(found: prod\)\n$/],
      [['graph', path.join(dir, 'nope')], /^ocpkit graph: .*nope does not exist; run `ocpkit synth` first or name the synthesized folder\n$/],
      [['graph', path.join(dir, 'prod/vms/nad-int.yaml')], /^ocpkit graph: .*nad-int\.yaml is not a folder; ocpkit graph draws a synthesized tree/],
      [['graph', dir, dir], /^ocpkit graph: graph takes at most one folder/],
      [['graph', '--colour', dir], /^ocpkit graph: unknown option --colour for ocpkit graph; options: --format, --env, --view\n$/],
    ];
    for (const [args, message] of cases) {
      io.stderr.mockClear();
      expect(await main(args)).toBe(2);
      expect(io.err()).toMatch(message);
    }
    const broken = writeTree({ 'prod/vms/vm.yaml': 'apiVersion: kubevirt.io/v1\nkind: VirtualMachine\nmetadata: [\n' });
    io.stderr.mockClear();
    expect(await main(['graph', broken])).toBe(2);
    expect(io.err()).toMatch(/^ocpkit graph: 1 problem in .*:\n {2}.*prod\/vms\/vm\.yaml/);
    expect(io.err()).not.toMatch(/\n\s+at /);
  });

  test('on the reference stack: every VM of production is drawn, and the DOT output parses', async () => {
    const dist = path.join(__dirname, '../../dist');
    expect(await main(['graph', '--env', 'production', dist])).toBe(0);
    const vms = fs.readdirSync(path.join(dist, 'production'), { recursive: true }).map(String).filter((f) => /(^|\/)virtualmachine\.[^/]+\.yaml$/.test(f));
    expect(vms.length).toBeGreaterThan(0);
    expect(titles(io.out()).filter((t) => t.startsWith('VM '))).toHaveLength(vms.length);
    io.stdout.mockClear();
    expect(await main(['graph', '--format', 'dot', '--env', 'production', dist])).toBe(0);
    expect(dot(io.out()).status).toBe(0);
  });
});
