// Deployment rows → cells: ready/desired with a rolling marker, revision, how long ago the
// last rollout happened (recent ones highlighted: "what changed?"), images. StatefulSets and
// DaemonSets share these columns (workloads.ts), with a KIND column when they are present.
import type { DeploymentRow, KubeData } from '../sources/kube/types.js';
import { cell, type Cell, type Column, type Token } from './cell.js';
import { formatKubeAge } from './format.js';
import { hasOtherWorkloads, KIND_SHORT } from './workloads.js';

/** Rollouts newer than this are highlighted. */
export const RECENT_ROLLOUT_MS = 2 * 60 * 60 * 1000;

export function deploymentColumns(data: Pick<KubeData, 'allNamespaces' | 'namespaces' | 'statefulSets' | 'daemonSets'>): Column[] {
  const cols: Column[] = [];
  if (data.allNamespaces || data.namespaces.length > 1) cols.push({ title: 'NAMESPACE', width: 12, priority: 3 });
  if (hasOtherWorkloads(data)) cols.push({ title: 'KIND', width: 6, priority: 2 });
  cols.push(
    { title: 'NAME', width: 'flex', priority: 0 },
    { title: 'READY', width: 9, align: 'right', priority: 0 },
    { title: 'UP-TO-DATE', width: 10, align: 'right', priority: 3 },
    { title: 'AVAILABLE', width: 9, align: 'right', priority: 2 },
    { title: 'STATE', width: 12, priority: 1 },
    { title: 'REV', width: 4, align: 'right', priority: 2 },
    { title: 'ROLLOUT', width: 7, align: 'right', priority: 1 },
    { title: 'IMAGES', width: 'flex', priority: 4 },
  );
  return cols;
}

export function deploymentState(d: DeploymentRow): { text: string; token: Token } {
  if (d.failedReason) return { text: d.failedReason === 'ProgressDeadlineExceeded' ? 'deadline' : 'failed', token: 'critical' };
  if (d.paused) return { text: 'paused', token: 'warn' };
  if (d.rolling) return { text: 'rolling', token: 'warn' };
  if (d.desired === 0) return { text: 'scaled to 0', token: 'muted' };
  if (d.available < d.desired) return { text: 'degraded', token: d.available === 0 ? 'critical' : 'warn' };
  return { text: 'ok', token: 'ok' };
}

export function deploymentCells(
  d: DeploymentRow,
  now: number,
  data: Pick<KubeData, 'allNamespaces' | 'namespaces' | 'statefulSets' | 'daemonSets'>,
  opts: { ascii?: boolean } = {},
): Cell[] {
  const cells: Cell[] = [];
  if (data.allNamespaces || data.namespaces.length > 1) cells.push(cell(d.namespace, 'muted'));
  if (hasOtherWorkloads(data)) cells.push(cell(KIND_SHORT.Deployment, 'muted'));
  const state = deploymentState(d);
  const readyToken: Token | undefined = d.desired > 0 && d.ready === 0 ? 'critical' : d.ready < d.desired ? 'warn' : undefined;
  const recent = d.lastRolloutAt != null && now - d.lastRolloutAt < RECENT_ROLLOUT_MS;
  cells.push(
    cell(d.name, state.token === 'critical' ? 'critical' : undefined),
    // The rolling mark goes with the state word: in READY it pushed the right-aligned counts out of line.
    cell(`${d.ready}/${d.desired}`, readyToken ?? (d.rolling ? 'warn' : undefined)),
    cell(String(d.updated), d.updated < d.desired ? 'warn' : undefined),
    cell(String(d.available), d.available < d.desired ? 'warn' : undefined),
    cell(d.rolling && state.text === 'rolling' ? `${opts.ascii ? '~' : '↻'} rolling` : state.text, state.token, state.token === 'critical'),
    cell(d.revision == null ? '-' : String(d.revision), 'muted'),
    cell(d.lastRolloutAt == null ? '-' : formatKubeAge(now - d.lastRolloutAt), recent ? 'accent' : 'muted', recent),
    cell(d.images.join(', '), 'muted'),
  );
  return cells;
}
