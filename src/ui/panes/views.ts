// One pure function per pane: store state → PaneModel. The row formatting itself lives in
// src/present (unit-tested); this file only chooses rows, badges and action targets.
import type { Cell } from '../../present/cell.js';
import { formatAge, truncate } from '../../present/format.js';
import type { SourceSlice } from '../../sources/types.js';
import { PANE_TITLES, type PaneId, type State } from '../../store/store.js';
import type { PaneModel } from './model.js';
import { podColumns, podCells } from '../../present/pods.js';
import { deploymentColumns, deploymentCells } from '../../present/deployments.js';
import { eventColumns, eventCells } from '../../present/events.js';
import { alertColumns, alertCells } from '../../present/alerts.js';
import { signalColumns, signalCells } from '../../present/signals.js';
import { pgSummaryCells, pgQueryColumns, pgQueryCells, pgBlockCells, pgStatementQueryCells } from '../../present/postgres.js';
import { redisColumns, redisCells } from '../../present/redis.js';
import { timelineCells, outboxCells } from '../../present/timeline.js';

export interface ViewContext {
  now: number;
  state: State;
}

export function sourceBadge(slice: SourceSlice<unknown>, now: number): Cell | undefined {
  switch (slice.status) {
    case 'disabled':
      return { text: 'not configured', token: 'muted' };
    case 'connecting':
      return { text: 'connecting…', token: 'muted' };
    case 'down':
      return { text: `DOWN ${slice.updatedAt ? `(data ${formatAge(now - slice.updatedAt)} old) ` : ''}${truncate(slice.error ?? '', 60)}`, token: 'critical', bold: true };
    case 'degraded':
      return { text: `degraded: ${truncate(slice.error ?? '', 60)}`, token: 'warn' };
    default:
      return undefined;
  }
}

/** Summary lines are made of separate cells; show them two spaces apart. */
function spaced(cells: Cell[]): Cell[] {
  return cells.flatMap((c, i) => (i ? [{ text: '  ' }, c] : [c]));
}

/** `now` is the wall clock (object ages); `dataNow` the clock Prometheus data is stamped with (the drill's may run faster). */
export function paneModel(pane: PaneId, state: State, now: number, dataNow = now): PaneModel {
  switch (pane) {
    case 'pods': {
      const pods = state.kube.data.pods;
      const unhealthy = pods.filter((p) => !p.healthy).length;
      return {
        title: `${PANE_TITLES.pods} ${pods.length}${unhealthy ? ` (${unhealthy} unhealthy)` : ''}`,
        badge: sourceBadge(state.kube, now),
        columns: podColumns(state.kube.data),
        rows: pods.map((p) => podCells(p, now, state.kube.data)),
        targets: pods.map((p) => ({ name: p.name, namespace: p.namespace, pod: p })),
        empty: state.kube.status === 'ok' ? 'no pods in the selected namespaces' : 'waiting for the cluster',
      };
    }
    case 'deployments': {
      const deps = state.kube.data.deployments;
      const rolling = deps.filter((d) => d.rolling).length;
      return {
        title: `${PANE_TITLES.deployments} ${deps.length}${rolling ? ` (${rolling} rolling)` : ''}`,
        badge: sourceBadge(state.kube, now),
        columns: deploymentColumns(state.kube.data),
        rows: deps.map((d) => deploymentCells(d, now, state.kube.data, { ascii: state.meta.ascii })),
        targets: deps.map((d) => ({ name: d.name, namespace: d.namespace, deployment: d })),
        empty: 'no deployments',
      };
    }
    case 'events': {
      const events = state.kube.data.events;
      const warnings = events.filter((e) => e.type === 'Warning').length;
      return {
        title: `${PANE_TITLES.events}${warnings ? ` (${warnings} warnings)` : ''}`,
        badge: sourceBadge(state.kube, now),
        columns: eventColumns(state.kube.data),
        rows: events.map((e) => eventCells(e, now, state.kube.data)),
        targets: events.map(() => null),
        empty: 'no recent events',
      };
    }
    case 'alerts': {
      const alerts = state.prom.data.alerts;
      const firing = alerts.filter((a) => a.state === 'firing').length;
      return {
        title: `${PANE_TITLES.alerts}${firing ? ` ${firing} firing` : ''}`,
        badge: sourceBadge(state.prom, now),
        columns: alertColumns(),
        rows: alerts.map((a) => alertCells(a, dataNow, { ascii: state.meta.ascii })),
        targets: alerts.map((a) => ({ name: a.name, alert: a })),
        empty: state.prom.status === 'ok' ? 'no alerts firing' : 'no data',
      };
    }
    case 'signals': {
      const services = state.prom.data.services;
      return {
        title: PANE_TITLES.signals,
        badge: sourceBadge(state.prom, now),
        columns: signalColumns(),
        rows: services.map((s) => signalCells(s, state.meta.severity, { ascii: state.meta.ascii })),
        targets: services.map(() => null),
        empty: state.prom.status === 'disabled' ? 'configure prometheus.url' : 'no services configured',
      };
    }
    case 'postgres': {
      const dbs = state.postgres.data.databases;
      const preface: Cell[][] = [];
      const rows: Cell[][] = [];
      const targets: PaneModel['targets'] = [];
      for (const db of dbs) {
        preface.push(spaced(pgSummaryCells(db, now, state.meta.severity)));
        for (const b of db.blocking.slice(0, 3)) preface.push(spaced(pgBlockCells(b)));
        for (const q of db.longest) {
          rows.push(pgQueryCells(q, db));
          targets.push({ name: String(q.pid), database: db.name, query: q });
        }
        // The heaviest statements by total time, when pg_stat_statements is installed.
        for (const st of (db.topStatements ?? []).slice(0, 5)) {
          rows.push(pgStatementQueryCells(st));
          targets.push(null);
        }
      }
      return { title: PANE_TITLES.postgres, badge: sourceBadge(state.postgres, now), preface, columns: pgQueryColumns(), rows, targets, empty: dbs.length ? 'no queries running' : 'no databases configured' };
    }
    case 'redis': {
      const nodes = state.redis.data.instances.flatMap((inst) => (inst.nodes.length ? inst.nodes : [null]).map((n) => ({ inst, n })));
      return {
        title: PANE_TITLES.redis,
        badge: sourceBadge(state.redis, now),
        columns: redisColumns(),
        rows: nodes.map(({ inst, n }) => redisCells(inst, n, now)),
        targets: nodes.map(() => null),
        empty: 'no Redis configured',
      };
    }
    case 'timeline': {
      const inc = state.incident;
      const entries = inc.timeline;
      const rows: Cell[][] = [];
      const targets: PaneModel['targets'] = [];
      for (const item of inc.outbox.filter((o) => o.state !== 'delivered')) {
        rows.push(outboxCells(item, now));
        targets.push({ name: item.id, delivery: item });
      }
      for (let i = entries.length - 1; i >= 0; i--) {
        rows.push(timelineCells(entries[i]));
        targets.push(null);
      }
      return {
        title: `${PANE_TITLES.timeline}${inc.current ? ` ${inc.current.id}` : ''}`,
        badge: inc.journalProblems.length
          ? { text: `journal: ${inc.journalProblems.length > 1 ? `${inc.journalProblems.length} problems; ` : ''}${inc.journalProblems[0]}`, token: 'warn' }
          : inc.deliveries
            ? { text: inc.deliveries, token: 'muted' }
            : undefined,
        rows,
        targets,
        selectable: true,
        empty: inc.current ? 'nothing recorded yet' : 'no incident declared (D to declare); actions are still journaled',
      };
    }
  }
}
