import type { ActionTarget } from '../../actions/types.js';
import { cell, type Cell } from '../../present/cell.js';
import { deliveryCells, groupPosts, outboxCells, timelineCells } from '../../present/timeline.js';
import type { PaneDef } from './pane.js';

export const timelinePane: PaneDef<'timeline'> = {
  id: 'timeline',
  title: 'Timeline',
  reads: (s) => [s.incident, s.paging.data.channel, s.meta.readOnly],
  model(state, now) {
    const inc = state.incident;
    const entries = inc.timeline;
    const rows: Cell[][] = [];
    const targets: (ActionTarget | null)[] = [];
    for (const item of inc.outbox.filter((o) => o.state !== 'delivered')) {
      rows.push(outboxCells(item, now));
      targets.push({ name: item.id, delivery: item });
    }
    // One post is one row, its deliveries beneath it.
    const grouped = groupPosts(entries);
    for (let i = grouped.length - 1; i >= 0; i--) {
      const { entry, deliveries } = grouped[i]!;
      rows.push(timelineCells(entry));
      targets.push({ name: entry.id, entry });
      for (const d of deliveries) {
        rows.push(deliveryCells(d));
        targets.push({ name: d.id, entry: d });
      }
    }
    // The incident channel's trouble (Slack down, rate-limited) is said where its entries are.
    const channel = state.paging.data.channel;
    const channelTrouble = channel && (channel.state === 'failing' || channel.state === 'waiting') ? channel : null;
    // With Slack configured, other machines' screens see the incident only through its channel.
    // A row, not a badge: the title (the incident's id) keeps its room.
    if (channel && !channel.channel && inc.current && inc.current.status !== 'resolved' && !state.meta.readOnly) {
      rows.unshift([cell('not shared yet: O opens the incident channel', 'warn')]);
      targets.unshift(null);
    }
    const empty = inc.current
      ? 'nothing recorded yet'
      : state.meta.readOnly
        ? channel
          ? "no incident here yet: a responder's incident appears once they open its channel (O)"
          : 'no incident declared'
        : 'no incident declared (D to declare); actions are still journaled';
    return {
      title: `Timeline${inc.current ? ` ${inc.current.id}` : ''}${channel?.channelName ? ` · #${channel.channelName}` : ''}`,
      badge: inc.journalProblems.length
        ? { text: `journal: ${inc.journalProblems.length > 1 ? `${inc.journalProblems.length} problems; ` : ''}${inc.journalProblems[0]}`, token: 'warn' }
        : channelTrouble
          ? { text: `channel: ${channelTrouble.message}`, token: channelTrouble.state === 'failing' ? 'critical' : 'warn' }
          : inc.deliveries
            ? { text: inc.deliveries, token: 'muted' }
            : undefined,
      rows,
      targets,
      selectable: true,
      empty,
    };
  },
  layout: {
    lines: (s) => Math.max(1, s.incident.outbox.filter((o) => o.state !== 'delivered').length + s.incident.timeline.length),
    weight: 3,
    minHeight: 3,
    narrow: 7,
    two: { column: 1, rank: 4 },
    three: { column: 2, rank: 2 },
  },
};
