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

const DELIVERY_KINDS = new Set<TimelineEntry['kind']>(['update.delivered', 'update.failed', 'update.unknown']);

/**
 * One post, one row: the delivery entries of a post (delivered, failed, unknown) go beneath the
 * post's own entry, the latest per delivery, instead of each being a row of its own. Entries of
 * posts whose "queued" entry is not in the list stay rows of their own.
 */
export function groupPosts(entries: readonly TimelineEntry[]): Array<{ entry: TimelineEntry; deliveries: TimelineEntry[] }> {
  const posts = new Set(
    entries
      .filter((e) => e.kind === 'update.queued')
      .map((e) => postIdOf(e))
      .filter(Boolean),
  );
  const beneath = new Map<string, Map<string, TimelineEntry>>();
  const out: Array<{ entry: TimelineEntry; deliveries: TimelineEntry[] }> = [];
  for (const e of entries) {
    const post = postIdOf(e);
    if (DELIVERY_KINDS.has(e.kind) && post && posts.has(post)) {
      const byDelivery = beneath.get(post) ?? new Map<string, TimelineEntry>();
      byDelivery.set(String((e.refs as Record<string, unknown> | undefined)?.deliveryId ?? e.source), e);
      beneath.set(post, byDelivery);
      continue;
    }
    out.push({ entry: e, deliveries: [] });
  }
  for (const row of out) {
    const post = row.entry.kind === 'update.queued' ? postIdOf(row.entry) : null;
    if (post) row.deliveries = [...(beneath.get(post)?.values() ?? [])];
  }
  return out;
}

function postIdOf(e: TimelineEntry): string | null {
  const r = (e.refs ?? {}) as Record<string, unknown>;
  const id = r.postId ?? r.updateId;
  return typeof id === 'string' ? id : null;
}

/** A delivery beneath its post: "   └ slack     DELIVERED 17:05:02". */
export function deliveryCells(e: TimelineEntry): Cell[] {
  const d = (e.delivery ?? {}) as Record<string, unknown>;
  const state = String(d.state ?? e.kind.replace('update.', ''));
  const token: Token = e.kind === 'update.delivered' ? 'ok' : e.kind === 'update.failed' ? 'critical' : 'warn';
  return [
    { text: `         └ ${String(d.sink ?? e.source).padEnd(10)} `, token: 'muted' },
    { text: state.toUpperCase(), token, bold: true },
    { text: ` ${utcTime(e.at)}${d.error && e.kind !== 'update.delivered' ? ` (${String(d.error)})` : ''}`, token: 'muted' },
  ];
}
