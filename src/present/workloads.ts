// StatefulSet and DaemonSet rows → cells in the Workloads (Deployments) pane's columns, with a KIND
// column when other kinds than Deployments are shown.
import type { DaemonSetRow, KubeData, StatefulSetRow } from '../sources/kube/types.js';
import { cell, type Cell, type Token } from './cell.js';

export const KIND_SHORT = { Deployment: 'deploy', StatefulSet: 'sts', DaemonSet: 'ds' } as const;

export function hasOtherWorkloads(data: Pick<KubeData, 'statefulSets' | 'daemonSets'>): boolean {
  return (data.statefulSets?.length ?? 0) + (data.daemonSets?.length ?? 0) > 0;
}

function state(w: { rolling: boolean; ready: number; desired: number }): { text: string; token: Token } {
  if (w.rolling) return { text: 'rolling', token: 'warn' };
  if (w.desired === 0) return { text: 'scaled to 0', token: 'muted' };
  if (w.ready < w.desired) return { text: 'degraded', token: w.ready === 0 ? 'critical' : 'warn' };
  return { text: 'ok', token: 'ok' };
}

/** Cells for the deployment columns: [KIND] NAME READY UP-TO-DATE AVAILABLE STATE REV ROLLOUT IMAGES. */
export function workloadCells(
  kind: 'StatefulSet' | 'DaemonSet',
  w: StatefulSetRow | DaemonSetRow,
  data: Pick<KubeData, 'allNamespaces' | 'namespaces'>,
  opts: { ascii?: boolean } = {},
): Cell[] {
  const cells: Cell[] = [];
  if (data.allNamespaces || data.namespaces.length > 1) cells.push(cell(w.namespace, 'muted'));
  cells.push(cell(KIND_SHORT[kind], 'muted'));
  const st = state(w);
  const available = 'available' in w ? w.available : w.ready;
  const readyToken: Token | undefined = w.desired > 0 && w.ready === 0 ? 'critical' : w.ready < w.desired ? 'warn' : undefined;
  cells.push(
    cell(w.name, st.token === 'critical' ? 'critical' : undefined),
    cell(`${w.ready}/${w.desired}`, readyToken ?? (w.rolling ? 'warn' : undefined)),
    cell(String(w.updated), w.updated < w.desired ? 'warn' : undefined),
    cell(String(available), available < w.desired ? 'warn' : undefined),
    cell(w.rolling ? `${opts.ascii ? '~' : '↻'} rolling` : st.text, st.token, st.token === 'critical'),
    cell(w.revision == null ? '-' : String(w.revision), 'muted'),
    cell('-', 'muted'),
    cell(w.images.join(', '), 'muted'),
  );
  return cells;
}
