import type { ActionTarget } from '../../actions/types.js';
import type { Cell } from '../../present/cell.js';
import { formatKubeAge } from '../../present/format.js';
import { podCells, podColumns, podFlexWidths } from '../../present/pods.js';
import type { KubeData, PodRow } from '../../sources/kube/types.js';
import type { Rows } from './model.js';
import { sourceBadge, type PaneDef } from './pane.js';
import { podInScope, scopeLabel, sortLabel, sortPods } from '../pane-view.js';

type Data = Pick<KubeData, 'allNamespaces' | 'namespaces' | 'metricsAvailable'>;

/**
 * A pod's cells and target, kept while the row object is the same (the source replaces a row only
 * when its pod changes) and its age reads the same. Rows are built when read: with thousands of
 * pods a frame builds the visible window, not the list.
 */
const built = new WeakMap<PodRow, { ages: string; data: Data; cells: Cell[] }>();
const targets = new WeakMap<PodRow, ActionTarget>();

function podRowCells(p: PodRow, now: number, data: Data): Cell[] {
  // The pod's age and its last termination's age are all that move while the row object stays.
  const ages = `${formatKubeAge(now - p.createdAt)} ${p.lastTermination?.at == null ? '' : formatKubeAge(now - p.lastTermination.at)}`;
  let e = built.get(p);
  if (!e || e.ages !== ages || e.data.allNamespaces !== data.allNamespaces || e.data.namespaces !== data.namespaces || e.data.metricsAvailable !== data.metricsAvailable) {
    e = { ages, data, cells: podCells(p, now, data) };
    built.set(p, e);
  }
  return e.cells;
}

function podTarget(p: PodRow): ActionTarget {
  let t = targets.get(p);
  if (!t) targets.set(p, (t = { name: p.name, namespace: p.namespace, pod: p }));
  return t;
}

export const podsPane: PaneDef<'pods'> = {
  id: 'pods',
  title: 'Pods',
  reads: (s) => [s.kube, s.ui.view.pods],
  model(state, now) {
    const data = state.kube.data;
    const view = state.ui.view.pods;
    const scoped = view?.scope ? data.pods.filter((p) => podInScope(p, view.scope)) : data.pods;
    const pods = sortPods(scoped, view?.sort);
    let unhealthy = 0;
    for (const p of pods) if (!p.healthy) unhealthy++;
    const columns = podColumns(data);
    const rows: Rows<Cell[]> = { length: pods.length, at: (i) => (pods[i] ? podRowCells(pods[i], now, data) : undefined) };
    return {
      title: [`Pods ${pods.length}${unhealthy ? ` (${unhealthy} unhealthy)` : ''}`, view?.scope && scopeLabel(view.scope), sortLabel(view?.sort)].filter(Boolean).join(' '),
      badge: sourceBadge(state.kube, now),
      columns,
      rows,
      widths: podFlexWidths(pods, columns),
      targets: { length: pods.length, at: (i) => (pods[i] ? podTarget(pods[i]) : undefined) },
      empty: view?.scope ? `no pods ${scopeLabel(view.scope)} (Esc shows all)` : state.kube.status === 'ok' ? 'no pods in the selected namespaces' : 'waiting for the cluster',
    };
  },
  layout: {
    lines: (s) => {
      const scope = s.ui.view.pods?.scope;
      return 1 + Math.max(1, scope ? s.kube.data.pods.filter((p) => podInScope(p, scope)).length : s.kube.data.pods.length);
    },
    weight: 5,
    minHeight: 4,
    lends: true,
    narrow: 2,
    two: { column: 0, rank: 0 },
    three: { column: 0, rank: 0 },
  },
};
