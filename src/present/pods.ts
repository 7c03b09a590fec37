// Pod rows → cells. STATUS is always a word (CrashLoopBackOff, OOMKilled…), coloured by
// health; restarts show recent ones as "5 (+3)"; CPU and MEM against their limits.
import type { KubeData, PodRow } from '../sources/kube/types.js';
import { cell, usageToken, type Cell, type Column, type Token } from './cell.js';
import { formatKubeAge, formatBytes, formatCpu, usage } from './format.js';

const CRITICAL = new Set(['CrashLoopBackOff', 'OOMKilled', 'ImagePullBackOff', 'ErrImagePull', 'Error', 'Failed', 'CreateContainerConfigError', 'InvalidImageName', 'Unknown']);
const NEUTRAL_OK = new Set(['Completed', 'Succeeded']);

export function podStatusToken(p: Pick<PodRow, 'status' | 'healthy'>): Token {
  if (p.healthy) return NEUTRAL_OK.has(p.status) ? 'muted' : 'ok';
  if (CRITICAL.has(p.status) || p.status.startsWith('Init:Error') || p.status.startsWith('Init:CrashLoop') || p.status.startsWith('ExitCode') || p.status.startsWith('Signal'))
    return 'critical';
  return 'warn';
}

function showNamespace(data: Pick<KubeData, 'allNamespaces' | 'namespaces'>): boolean {
  return data.allNamespaces || data.namespaces.length > 1;
}

export function podColumns(data: Pick<KubeData, 'allNamespaces' | 'namespaces' | 'metricsAvailable'>): Column[] {
  const cols: Column[] = [];
  if (showNamespace(data)) cols.push({ title: 'NAMESPACE', width: 12, priority: 3 });
  // As the width shrinks, the highest priority number goes first (the later of equals first):
  // REASON, NODE, CPU, LAST STATE, MEM, AGE; NAME READY STATUS RESTARTS stay even at 80 columns.
  cols.push(
    { title: 'NAME', width: 'flex', priority: 0 },
    { title: 'READY', width: 5, align: 'right', priority: 1 },
    { title: 'STATUS', width: 16, priority: 0 },
    { title: 'RESTARTS', width: 8, align: 'right', priority: 1 },
  );
  // Usage with the percentage of the limit: "498Mi/512Mi 97%" is an OOM about to happen.
  if (data.metricsAvailable) cols.push({ title: 'CPU', width: 9, align: 'right', priority: 4 }, { title: 'MEM', width: 16, align: 'right', priority: 3 });
  cols.push(
    // What a pod's trouble is goes first in the echo of cut cells: it is cut first.
    { title: 'LAST STATE', width: 14, priority: 3, echo: 1 },
    { title: 'NODE', width: 'flex', priority: 4 },
    { title: 'AGE', width: 5, align: 'right', priority: 2 },
    { title: 'REASON', width: 'flex', priority: 5, echo: 0 },
  );
  return cols;
}

/** "498Mi/512Mi 97%" against the limit; the usage alone where a container has no limit. */
export function podMemory(p: Pick<PodRow, 'memoryBytes' | 'memoryLimitBytes' | 'memPct'>): string {
  if (p.memoryBytes == null) return '-';
  return p.memoryLimitBytes ? usage(`${formatBytes(p.memoryBytes)}/${formatBytes(p.memoryLimitBytes)}`, p.memPct ?? null) : formatBytes(p.memoryBytes);
}

/** The newest termination and how long ago: "OOMKilled 3m". */
export function lastState(p: Pick<PodRow, 'lastTermination'>, now: number): string {
  const t = p.lastTermination;
  if (!t) return '';
  return t.at == null ? t.reason : `${t.reason} ${formatKubeAge(now - t.at)}`;
}

export function formatRestarts(restarts: number, recent: number): string {
  return recent > 0 ? `${restarts} (+${recent})` : String(restarts);
}

export function podCells(p: PodRow, now: number, data: Pick<KubeData, 'allNamespaces' | 'namespaces' | 'metricsAvailable'>): Cell[] {
  const cells: Cell[] = [];
  if (showNamespace(data)) cells.push(cell(p.namespace, 'muted'));
  const token = podStatusToken(p);
  cells.push(
    cell(p.name, p.healthy ? undefined : token),
    cell(`${p.ready}/${p.containers}`, p.ready < p.containers && p.status !== 'Completed' ? 'warn' : undefined),
    cell(p.status, token, token === 'critical'),
    cell(formatRestarts(p.restarts, p.recentRestarts), p.recentRestarts > 0 ? 'critical' : p.restarts > 0 ? 'warn' : undefined, p.recentRestarts > 0),
  );
  if (data.metricsAvailable) cells.push(cell(usage(formatCpu(p.cpuMilli), p.cpuPct ?? null), usageToken(p.cpuPct)), cell(podMemory(p), usageToken(p.memPct)));
  const t = p.lastTermination;
  cells.push(
    cell(lastState(p, now), t && t.reason !== 'Completed' ? 'warn' : 'muted'),
    cell(p.node ?? '', 'muted'),
    cell(formatKubeAge(now - p.createdAt), 'muted'),
    cell(p.reason ?? '', 'muted'),
  );
  return cells;
}

/**
 * The widest text of each flex column (NAME, REASON: what the table shares spare room by) over
 * all pods, read from the rows themselves so a long list need not be turned into cells; the
 * fixed columns' widths do not matter (0).
 */
export function podFlexWidths(pods: readonly PodRow[], columns: Column[]): number[] {
  let name = 0;
  let reason = 0;
  let node = 0;
  for (const p of pods) {
    if (p.name.length > name) name = p.name.length;
    const r = p.reason?.length ?? 0;
    if (r > reason) reason = r;
    const n = p.node?.length ?? 0;
    if (n > node) node = n;
  }
  return columns.map((c) => (c.title === 'NAME' ? name : c.title === 'REASON' ? reason : c.title === 'NODE' ? node : 0));
}
