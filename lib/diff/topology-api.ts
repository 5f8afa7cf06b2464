// The public API of the topology drawings (lib/diff/index.ts re-exports this file).
export { buildTopology, NETWORK_KINDS, readTopology, topologyOfFiles } from './topology';
export type { NetworkTopology, TopologyEdge, TopologyKind, TopologyNode } from './topology';
export { changeDiagrams, diagramsFor, topologyDiagram, topologyEnvironments } from './topology-diagrams';
export type { ChangeDiagramOptions, GraphView, TopologyDiagramOptions } from './topology-diagrams';
export { dotText, mermaidText, renderDot, renderMermaid } from './topology-render';
export type { Diagram, DiagramEdge, DiagramGroup, DiagramNode, NodeShape, NodeStatus } from './topology-render';
