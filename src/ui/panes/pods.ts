import type { Cell } from '../../present/cell.js';
import { formatKubeAge } from '../../present/format.js';
import { podCells, podColumns } from '../../present/pods.js';
import type { KubeData, PodRow } from '../../sources/kube/types.js';
import type { ActionTarget } from '../../actions/types.js';
import { sourceBadge, type PaneDef } from './pane.js';

/**
 * A pod's cells and target, kept while the row object is the same (the source replaces a row only
 * when its pod changes) and its age reads the same: with thousands of pods a frame rebuilds only
 * the rows that changed, and measures the columns from the lengths kept with them.
 */
const built = new WeakMap<
  PodRow,
  { age: string; data: Pick<KubeData, 'allNamespaces' | 'namespaces' | 'metricsAvailable'>; cells: Cell[]; lengths: number[]; target: ActionTarget }
>();

function podEntry(p: PodRow, now: number, data: KubeData) {
  const age = formatKubeAge(now - p.createdAt);
  let e = built.get(p);
  if (!e || e.data.allNamespaces !== data.allNamespaces || e.data.namespaces !== data.namespaces || e.data.metricsAvailable !== data.metricsAvailable) {
    const cells = podCells(p, now, data);
    e = { age, data, cells, lengths: cells.map((c) => c.text.length), target: { name: p.name, namespace: p.namespace, pod: p } };
    built.set(p, e);
  } else if (e.age !== age) {
    // Only the age moved (young pods: every second): podCells puts AGE second to last.
    const at = e.cells.length - 2;
    const cells = e.cells.slice();
    cells[at] = { ...cells[at]!, text: age };
    const lengths = e.lengths.slice();
    lengths[at] = age.length;
    e = { ...e, age, cells, lengths };
    built.set(p, e);
  }
  return e;
}

export const podsPane: PaneDef<'pods'> = {
  id: 'pods',
  title: 'Pods',
  reads: (s) => [s.kube],
  model(state, now) {
    const pods = state.kube.data.pods;
    let unhealthy = 0;
    const rows: Cell[][] = new Array(pods.length);
    const targets: ActionTarget[] = new Array(pods.length);
    const columns = podColumns(state.kube.data);
    const widths = new Array<number>(columns.length).fill(0);
    for (let i = 0; i < pods.length; i++) {
      const p = pods[i]!;
      if (!p.healthy) unhealthy++;
      const e = podEntry(p, now, state.kube.data);
      rows[i] = e.cells;
      targets[i] = e.target;
      for (let c = 0; c < widths.length; c++) if (e.lengths[c]! > widths[c]!) widths[c] = e.lengths[c]!;
    }
    return {
      title: `Pods ${pods.length}${unhealthy ? ` (${unhealthy} unhealthy)` : ''}`,
      badge: sourceBadge(state.kube, now),
      columns,
      rows,
      widths,
      targets,
      empty: state.kube.status === 'ok' ? 'no pods in the selected namespaces' : 'waiting for the cluster',
    };
  },
  layout: { lines: (s) => 1 + Math.max(1, s.kube.data.pods.length), weight: 5, minHeight: 4, narrow: 2, two: { column: 0, rank: 0 }, three: { column: 0, rank: 0 } },
};
