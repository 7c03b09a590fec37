import { deploymentCells, deploymentColumns } from '../../present/deployments.js';
import { hasOtherWorkloads, workloadCells } from '../../present/workloads.js';
import { sourceBadge, type PaneDef } from './pane.js';

/** Deployments, and beside them the StatefulSets and DaemonSets (a KIND column tells them apart). */
export const deploymentsPane: PaneDef<'deployments'> = {
  id: 'deployments',
  title: 'Deployments',
  reads: (s) => [s.kube],
  model(state, now) {
    const data = state.kube.data;
    const deps = data.deployments;
    const sts = data.statefulSets ?? [];
    const ds = data.daemonSets ?? [];
    const rolling = deps.filter((d) => d.rolling).length + sts.filter((s) => s.rolling).length + ds.filter((d) => d.rolling).length;
    const ascii = state.meta.ascii;
    const kinds = hasOtherWorkloads(data)
      ? `Workloads ${deps.length + sts.length + ds.length} (${deps.length} deploy, ${sts.length} sts, ${ds.length} ds)`
      : `Deployments ${deps.length}`;
    return {
      title: `${kinds}${rolling ? ` (${rolling} rolling)` : ''}`,
      badge: sourceBadge(state.kube, now),
      columns: deploymentColumns(data),
      rows: [
        ...deps.map((d) => deploymentCells(d, now, data, { ascii })),
        ...sts.map((s) => workloadCells('StatefulSet', s, data, { ascii })),
        ...ds.map((d) => workloadCells('DaemonSet', d, data, { ascii })),
      ],
      targets: [
        ...deps.map((d) => ({ name: d.name, namespace: d.namespace, kind: 'Deployment', deployment: d })),
        ...sts.map((s) => ({ name: s.name, namespace: s.namespace, kind: 'StatefulSet', statefulSet: s })),
        ...ds.map((d) => ({ name: d.name, namespace: d.namespace, kind: 'DaemonSet', daemonSet: d })),
      ],
      empty: 'no deployments',
    };
  },
  layout: {
    lines: (s) => 1 + Math.max(1, s.kube.data.deployments.length + (s.kube.data.statefulSets?.length ?? 0) + (s.kube.data.daemonSets?.length ?? 0)),
    weight: 3,
    minHeight: 4,
    narrow: 3,
    two: { column: 0, rank: 1 },
    three: { column: 0, rank: 1 },
  },
};
