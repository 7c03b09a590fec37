import { alertCells, alertColumns } from '../../present/alerts.js';
import { pageCells } from '../../present/pages.js';
import { sourceBadge, type PaneDef } from './pane.js';

export const alertsPane: PaneDef<'alerts'> = {
  id: 'alerts',
  title: 'Alerts',
  reads: (s) => [s.prom, s.paging],
  model(state, now, dataNow) {
    const alerts = state.prom.data.alerts;
    // PagerDuty's pages first (they are what someone is being woken for), then Prometheus' alerts.
    const pages = state.paging.data.pages;
    const firing = alerts.filter((a) => a.state === 'firing').length;
    const open = pages.filter((p) => p.status === 'triggered').length;
    const pdBadge = sourceBadge(state.paging, now);
    const badge =
      state.paging.status === 'down' || state.paging.status === 'degraded'
        ? { ...pdBadge!, text: `PagerDuty ${pdBadge!.text}` }
        : state.prom.status === 'disabled' && state.paging.status !== 'disabled'
          ? undefined
          : sourceBadge(state.prom, now);
    return {
      title: `Alerts${firing ? ` ${firing} firing` : ''}${pages.length ? ` · ${open ? `${open} paging` : ''}${open && pages.length > open ? ', ' : ''}${pages.length > open ? `${pages.length - open} acked` : ''}${state.paging.data.truncated ? ' (more in PagerDuty)' : ''}` : ''}`,
      badge,
      columns: alertColumns(),
      rows: [...pages.map((p) => pageCells(p, now, { ascii: state.meta.ascii })), ...alerts.map((a) => alertCells(a, dataNow, { ascii: state.meta.ascii }))],
      targets: [...pages.map((p) => ({ name: p.title, key: `page/${p.id}`, page: p })), ...alerts.map((a) => ({ name: a.name, key: `alert/${a.fingerprint}`, alert: a }))],
      empty: state.prom.status === 'ok' || state.paging.status === 'ok' ? 'no alerts firing, nobody paged' : 'no data',
    };
  },
  layout: { lines: (s) => 1 + Math.max(1, s.prom.data.alerts.length), weight: 3, minHeight: 3, narrow: 0, two: { column: 1, rank: 0 }, three: { column: 1, rank: 0 } },
};
