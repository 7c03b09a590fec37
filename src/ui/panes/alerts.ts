import { alertCells, alertColumns } from '../../present/alerts.js';
import { sourceBadge, type PaneDef } from './pane.js';

export const alertsPane: PaneDef<'alerts'> = {
  id: 'alerts',
  title: 'Alerts',
  reads: (s) => [s.prom],
  model(state, now, dataNow) {
    const alerts = state.prom.data.alerts;
    const firing = alerts.filter((a) => a.state === 'firing').length;
    return {
      title: `Alerts${firing ? ` ${firing} firing` : ''}`,
      badge: sourceBadge(state.prom, now),
      columns: alertColumns(),
      rows: alerts.map((a) => alertCells(a, dataNow, { ascii: state.meta.ascii })),
      targets: alerts.map((a) => ({ name: a.name, alert: a })),
      empty: state.prom.status === 'ok' ? 'no alerts firing' : 'no data',
    };
  },
  layout: { lines: (s) => 1 + Math.max(1, s.prom.data.alerts.length), weight: 3, minHeight: 3, narrow: 0, two: { column: 1, rank: 0 }, three: { column: 1, rank: 0 } },
};
