// Node rows → cells: Ready, pressure conditions, cordoned, taints, pods, CPU and memory used against
// allocatable.
import type { NodeRow } from '../sources/kube/types.js';
import { cell, usageToken, type Cell, type Column, type Token } from './cell.js';
import { formatBytes, formatCpu, formatKubeAge, usage } from './format.js';

export function nodeColumns(metrics: boolean): Column[] {
  const cols: Column[] = [
    { title: 'NAME', width: 'flex', priority: 0 },
    { title: 'STATUS', width: 24, priority: 0 },
    { title: 'PODS', width: 4, align: 'right', priority: 2 },
  ];
  if (metrics) cols.push({ title: 'CPU', width: 11, align: 'right', priority: 1 }, { title: 'MEM', width: 12, align: 'right', priority: 1 });
  cols.push({ title: 'AGE', width: 5, align: 'right', priority: 4 }, { title: 'TAINTS', width: 'flex', priority: 3 });
  return cols;
}

export function nodeStatus(n: NodeRow): { text: string; token: Token } {
  const parts = [n.ready === 'True' ? 'Ready' : n.ready === 'False' ? 'NotReady' : 'Unknown', ...n.pressures, ...(n.unschedulable ? ['SchedulingDisabled'] : [])];
  const token: Token = n.ready !== 'True' ? 'critical' : n.pressures.length ? 'warn' : n.unschedulable ? 'warn' : 'ok';
  return { text: parts.join(','), token };
}

export function nodeCells(n: NodeRow, now: number, metrics: boolean): Cell[] {
  const st = nodeStatus(n);
  const cells: Cell[] = [cell(n.name, st.token === 'critical' ? 'critical' : undefined), cell(st.text, st.token, st.token === 'critical'), cell(String(n.pods), 'muted')];
  if (metrics) cells.push(cell(usage(formatCpu(n.cpuMilli), n.cpuPct), usageToken(n.cpuPct)), cell(usage(formatBytes(n.memoryBytes), n.memPct), usageToken(n.memPct)));
  cells.push(cell(formatKubeAge(now - n.createdAt), 'muted'), cell(n.taints.join(' ') || '-', 'muted'));
  return cells;
}
