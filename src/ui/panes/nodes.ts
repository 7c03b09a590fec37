import { nodeCells, nodeColumns } from '../../present/nodes.js';
import { sourceBadge, type PaneDef } from './pane.js';

export const nodesPane: PaneDef<'nodes'> = {
  id: 'nodes',
  title: 'Nodes',
  reads: (s) => [s.kube],
  model(state, now) {
    const nodes = state.kube.data.nodes ?? [];
    const bad = nodes.filter((n) => n.ready !== 'True' || n.pressures.length > 0).length;
    const cordoned = nodes.filter((n) => n.unschedulable).length;
    const metrics = nodes.some((n) => n.cpuMilli != null);
    return {
      title: `Nodes ${nodes.length}${bad ? ` (${bad} not ok)` : ''}${cordoned ? ` (${cordoned} cordoned)` : ''}`,
      badge: sourceBadge(state.kube, now),
      columns: nodeColumns(metrics),
      rows: nodes.map((n) => nodeCells(n, now, metrics)),
      targets: nodes.map((n) => ({ name: n.name, node: n })),
      empty: state.kube.data.nodesError ? `nodes not shown: ${state.kube.data.nodesError}` : 'no nodes',
    };
  },
  layout: { lines: (s) => 1 + Math.max(1, s.kube.data.nodes?.length ?? 0), weight: 1, minHeight: 3, narrow: 8, two: { column: 1, rank: 5 }, three: { column: 2, rank: 3 } },
};
