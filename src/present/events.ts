// Folded event rows → cells: warnings stand out (word and colour), counts as "×12".
import type { EventRow, KubeData } from '../sources/kube/types.js';
import { cell, type Cell, type Column } from './cell.js';
import { formatKubeAge } from './format.js';

/** `oneObject`: every row is about the same object (`e` on a pod), so OBJECT would only repeat it. */
export function eventColumns(data: Pick<KubeData, 'allNamespaces' | 'namespaces'>, oneObject = false): Column[] {
  const cols: Column[] = [];
  if (data.allNamespaces || data.namespaces.length > 1) cols.push({ title: 'NAMESPACE', width: 12, priority: 3 });
  cols.push(
    { title: 'LAST', width: 6, align: 'right', priority: 1 },
    { title: 'TYPE', width: 7, priority: 0 },
    { title: 'REASON', width: 18, priority: 0 },
    ...(oneObject ? [] : [{ title: 'OBJECT', width: 28, priority: 2 } satisfies Column]),
    { title: 'COUNT', width: 5, align: 'right', priority: 3 },
    { title: 'MESSAGE', width: 'flex', priority: 1 },
  );
  return cols;
}

export function eventCells(e: EventRow, now: number, data: Pick<KubeData, 'allNamespaces' | 'namespaces'>, oneObject = false): Cell[] {
  const cells: Cell[] = [];
  if (data.allNamespaces || data.namespaces.length > 1) cells.push(cell(e.namespace, 'muted'));
  const warning = e.type === 'Warning';
  cells.push(
    cell(e.lastAt ? formatKubeAge(now - e.lastAt) : '-', 'muted'),
    cell(e.type, warning ? 'warn' : 'muted', warning),
    cell(e.reason, warning ? 'warn' : undefined),
    ...(oneObject ? [] : [cell(e.object)]),
    cell(e.count > 1 ? `×${e.count}` : '', 'muted'),
    cell(e.message, warning ? undefined : 'muted'),
  );
  return cells;
}

/** One event whole, for the viewer (Enter in Events): a message is never cut there. */
export function eventDetails(e: EventRow, now: number): string[] {
  const when = e.lastAt ? `${formatKubeAge(now - e.lastAt)} ago (${new Date(e.lastAt).toISOString().replace('T', ' ').slice(0, 19)} UTC)` : '-';
  return [
    `Object:     ${e.object}${e.namespace ? ` (namespace ${e.namespace})` : ''}`,
    `Type:       ${e.type}`,
    `Reason:     ${e.reason}`,
    `Count:      ${e.count}`,
    `Last seen:  ${when}`,
    '',
    'Message:',
    ...e.message.split('\n'),
  ];
}
