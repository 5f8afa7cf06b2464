import { DiffInputError } from '../diff/diff-input-error';
import { readTopology } from '../diff/topology';
import { GraphView, topologyDiagram, topologyEnvironments } from '../diff/topology-diagrams';
import { renderDot, renderMermaid } from '../diff/topology-render';
import { synthesizedFolder } from './_synthesized-folder';
import { UsageError } from '../core/errors';
import { parseFlags } from './_args';

const FORMATS = ['mermaid', 'dot'];
const VIEWS: readonly GraphView[] = ['all', 'network', 'apps'];

export const GRAPH_USAGE = `usage: ocpkit graph [--format mermaid|dot] [--env ENVIRONMENT] [--view all|network|apps] [DIR]

Draws the topology of a synthesized tree (DIR, default dist): host interfaces from the
NodeNetworkConfigurationPolicies (bonds, VLANs, Linux bridges) -> the NetworkAttachmentDefinitions
on those bridges -> the VirtualMachines attached to them -> their namespaces, grouped by the
Argo CD Application folder that syncs them, and the Applications (app of apps).

options:
  --format mermaid|dot   Mermaid flowchart (default; paste into a \`\`\`mermaid block) or Graphviz DOT (dot -Tsvg)
  --env ENVIRONMENT      only this environment (default: each one, in its own group)
  --view all|network|apps  what to draw (default all)

exit codes: 0 ok, 2 usage error or unreadable input
`;

/** `ocpkit graph [--format mermaid|dot] [--env E] [--view V] [DIR]`: the topology of a synthesized tree on stdout. */
export async function graphCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(GRAPH_USAGE);
    return 0;
  }
  const { positional, options } = parseFlags('ocpkit graph', args, ['format', 'env', 'view']);
  const format = typeof options.format === 'string' ? options.format : 'mermaid';
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  const view = (typeof options.view === 'string' ? options.view : 'all') as GraphView;
  if (!VIEWS.includes(view)) throw new UsageError(`--view must be one of ${VIEWS.join(', ')}, got ${JSON.stringify(view)}`);
  const dir = synthesizedFolder('graph', positional, '; ocpkit graph draws a synthesized tree (a folder such as dist/)');
  let topology;
  try {
    topology = readTopology(dir);
  } catch (e) {
    if (e instanceof DiffInputError) {
      process.stderr.write(`ocpkit graph: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const envs = topologyEnvironments(topology);
  const env = typeof options.env === 'string' ? options.env : undefined;
  if (env !== undefined && !envs.includes(env)) {
    throw new UsageError(`environment ${JSON.stringify(env)} is not in ${dir} (found: ${envs.length ? envs.map((e) => e || '(top level)').join(', ') : 'no Applications, NADs, VMs or node network policies'})`);
  }
  for (const p of topology.problems) process.stderr.write(`ocpkit graph: warning: ${p}\n`);
  const diagram = topologyDiagram(topology, { env, view });
  process.stdout.write(format === 'dot' ? renderDot(diagram, env ?? 'ocpkit') : renderMermaid(diagram));
  return 0;
}
