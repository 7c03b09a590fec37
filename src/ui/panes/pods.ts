import { podCells, podColumns } from '../../present/pods.js';
import { sourceBadge, type PaneDef } from './pane.js';

export const podsPane: PaneDef<'pods'> = {
  id: 'pods',
  title: 'Pods',
  reads: (s) => [s.kube],
  model(state, now) {
    const pods = state.kube.data.pods;
    const unhealthy = pods.filter((p) => !p.healthy).length;
    return {
      title: `Pods ${pods.length}${unhealthy ? ` (${unhealthy} unhealthy)` : ''}`,
      badge: sourceBadge(state.kube, now),
      columns: podColumns(state.kube.data),
      rows: pods.map((p) => podCells(p, now, state.kube.data)),
      targets: pods.map((p) => ({ name: p.name, namespace: p.namespace, pod: p })),
      empty: state.kube.status === 'ok' ? 'no pods in the selected namespaces' : 'waiting for the cluster',
    };
  },
  layout: { lines: (s) => 1 + Math.max(1, s.kube.data.pods.length), weight: 5, minHeight: 4, narrow: 2, two: { column: 0, rank: 0 }, three: { column: 0, rank: 0 } },
};
