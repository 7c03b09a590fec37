import { eventCells, eventColumns } from '../../present/events.js';
import { sourceBadge, type PaneDef } from './pane.js';

export const eventsPane: PaneDef<'events'> = {
  id: 'events',
  title: 'Events',
  reads: (s) => [s.kube],
  model(state, now) {
    const events = state.kube.data.events;
    const warnings = events.filter((e) => e.type === 'Warning').length;
    return {
      title: `Events${warnings ? ` (${warnings} warnings)` : ''}`,
      badge: sourceBadge(state.kube, now),
      columns: eventColumns(state.kube.data),
      rows: events.map((e) => eventCells(e, now, state.kube.data)),
      targets: events.map(() => null),
      empty: 'no recent events',
    };
  },
  layout: { lines: (s) => 1 + Math.max(1, s.kube.data.events.length), weight: 3, minHeight: 3, narrow: 4, two: { column: 0, rank: 2 }, three: { column: 1, rank: 2 } },
};
