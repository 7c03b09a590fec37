// Timeline and outbox rows for the Timeline pane.
import type { OutboxItemView, TimelineEntry } from '../incident/types.js';
import type { Cell, Token } from './cell.js';
import { formatAge } from './format.js';

const KIND_TOKEN: Partial<Record<TimelineEntry['kind'], Token>> = {
  'alert.fired': 'critical',
  'alert.resolved': 'ok',
  'action.failed': 'critical',
  'action.refused': 'warn',
  'action.succeeded': 'ok',
  'update.failed': 'critical',
  'update.unknown': 'warn',
  'update.delivered': 'ok',
  'severity.changed': 'accent',
  'severity.suggested': 'accent',
  'status.changed': 'accent',
  'incident.declared': 'accent',
};

export function utcTime(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

export function timelineCells(e: TimelineEntry): Cell[] {
  return [
    { text: `${utcTime(e.at)} `, token: 'muted' },
    { text: `${e.kind.padEnd(17)} `, token: KIND_TOKEN[e.kind] ?? 'info' },
    { text: `${e.summary}`, token: 'fg' },
    // An entry another cockpit journaled says whose it is (it came through the incident channel).
    { text: ` — ${e.actor}${e.origin ? ` (${e.origin.from})` : ''}`, token: 'muted' },
  ];
}

const DELIVERY_TOKEN: Record<OutboxItemView['state'], Token> = {
  queued: 'info',
  sending: 'info',
  retrying: 'warn',
  delivered: 'ok',
  failed: 'critical',
  unknown: 'warn',
};

export function outboxCells(o: OutboxItemView, now: number): Cell[] {
  const when = o.nextAttemptAt && o.state === 'retrying' ? ` next try in ${formatAge(o.nextAttemptAt - now)}` : '';
  const hint = o.state === 'unknown' ? ' — may or may not have arrived: Enter resends, x discards' : o.state === 'failed' ? ' — Enter resends' : '';
  return [
    { text: `${o.sink.padEnd(10)} `, token: 'muted' },
    { text: `${o.state.toUpperCase()}`, token: DELIVERY_TOKEN[o.state], bold: true },
    { text: ` ${o.summary}${when}${o.lastError ? ` (${o.lastError})` : ''}${hint}`, token: 'fg' },
  ];
}
