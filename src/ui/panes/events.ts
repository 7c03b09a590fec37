import { eventCells, eventColumns } from '../../present/events.js';
import { sourceBadge, type PaneDef } from './pane.js';
import { eventInScope, scopeLabel } from '../pane-view.js';

export const eventsPane: PaneDef<'events'> = {
  id: 'events',
  title: 'Events',
  reads: (s) => [s.kube, s.ui.view.events],
  model(state, now) {
    const scope = state.ui.view.events?.scope;
    const events = scope ? state.kube.data.events.filter((e) => eventInScope(e, scope)) : state.kube.data.events;
    const warnings = events.filter((e) => e.type === 'Warning').length;
    const oneObject = scope?.kind === 'object';
    return {
      title: `Events${scope ? ` ${events.length} ${scopeLabel(scope)}` : ''}${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}`,
      badge: sourceBadge(state.kube, now),
      columns: eventColumns(state.kube.data, oneObject),
      rows: events.map((e) => eventCells(e, now, state.kube.data, oneObject)),
      targets: events.map((e) => ({ name: e.object, namespace: e.namespace, key: `event/${e.key}`, event: e })),
      empty: scope ? `no recent events ${scopeLabel(scope)} (Esc shows all)` : 'no recent events',
    };
  },
  layout: {
    lines: (s) => {
      const scope = s.ui.view.events?.scope;
      return 1 + Math.max(1, scope ? s.kube.data.events.filter((e) => eventInScope(e, scope)).length : s.kube.data.events.length);
    },
    weight: 3,
    minHeight: 3,
    narrow: 4,
    two: { column: 0, rank: 2 },
    three: { column: 1, rank: 2 },
  },
};
