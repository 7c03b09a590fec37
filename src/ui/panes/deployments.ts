import { deploymentCells, deploymentColumns } from '../../present/deployments.js';
import { hasOtherWorkloads, workloadCells } from '../../present/workloads.js';
import { sourceBadge, type PaneDef } from './pane.js';
import { scopeLabel } from '../pane-view.js';

/** Deployments, and beside them the StatefulSets and DaemonSets (a KIND column tells them apart). */
export const deploymentsPane: PaneDef<'deployments'> = {
  id: 'deployments',
  title: 'Deployments',
  reads: (s) => [s.kube, s.ui.view.deployments],
  model(state, now) {
    const data = state.kube.data;
    const scope = state.ui.view.deployments?.scope;
    const only = scope?.kind === 'workloadKind' ? scope.workloadKind : null;
    const deps = !only || only === 'Deployment' ? data.deployments : [];
    const sts = !only || only === 'StatefulSet' ? (data.statefulSets ?? []) : [];
    const ds = !only || only === 'DaemonSet' ? (data.daemonSets ?? []) : [];
    const rolling = deps.filter((d) => d.rolling).length + sts.filter((s) => s.rolling).length + ds.filter((d) => d.rolling).length;
    const ascii = state.meta.ascii;
    const kinds = only
      ? `Workloads ${deps.length + sts.length + ds.length} ${scopeLabel(scope!)}`
      : hasOtherWorkloads(data)
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
      empty: only ? `no ${only}s (Esc shows every workload)` : 'no deployments',
    };
  },
  layout: {
    lines: (s) => {
      const scope = s.ui.view.deployments?.scope;
      const only = scope?.kind === 'workloadKind' ? scope.workloadKind : null;
      const d = s.kube.data;
      const count = (kind: string, n: number) => (!only || only === kind ? n : 0);
      return 1 + Math.max(1, count('Deployment', d.deployments.length) + count('StatefulSet', d.statefulSets?.length ?? 0) + count('DaemonSet', d.daemonSets?.length ?? 0));
    },
    weight: 3,
    minHeight: 4,
    narrow: 3,
    two: { column: 0, rank: 1 },
    three: { column: 0, rank: 1 },
  },
};
