import { deploymentCells, deploymentColumns } from '../../present/deployments.js';
import { sourceBadge, type PaneDef } from './pane.js';

export const deploymentsPane: PaneDef<'deployments'> = {
  id: 'deployments',
  title: 'Deployments',
  reads: (s) => [s.kube],
  model(state, now) {
    const deps = state.kube.data.deployments;
    const rolling = deps.filter((d) => d.rolling).length;
    return {
      title: `Deployments ${deps.length}${rolling ? ` (${rolling} rolling)` : ''}`,
      badge: sourceBadge(state.kube, now),
      columns: deploymentColumns(state.kube.data),
      rows: deps.map((d) => deploymentCells(d, now, state.kube.data, { ascii: state.meta.ascii })),
      targets: deps.map((d) => ({ name: d.name, namespace: d.namespace, deployment: d })),
      empty: 'no deployments',
    };
  },
  layout: { lines: (s) => 1 + Math.max(1, s.kube.data.deployments.length), weight: 3, minHeight: 4, narrow: 3, two: { column: 0, rank: 1 }, three: { column: 0, rank: 1 } },
};
