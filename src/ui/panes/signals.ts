import { signalCells, signalColumns } from '../../present/signals.js';
import { sourceBadge, type PaneDef } from './pane.js';
import { RATE_WINDOW } from '../../sources/prometheus/queries.js';

export const signalsPane: PaneDef<'signals'> = {
  id: 'signals',
  title: 'Error rate & latency',
  reads: (s) => [s.prom, s.meta.severity],
  model(state, now) {
    const services = state.prom.data.services;
    return {
      // The window every figure is a rate over, so it can be compared with the alerts' rules.
      title: `Error rate & latency · ${state.prom.data.rateWindow ?? RATE_WINDOW} rate`,
      badge: sourceBadge(state.prom, now),
      columns: signalColumns(),
      rows: services.map((s) => signalCells(s, state.meta.severity, { ascii: state.meta.ascii })),
      targets: services.map(() => null),
      empty: state.prom.status === 'disabled' ? 'configure prometheus.url' : state.prom.updatedAt == null ? 'starting…' : 'no services configured',
    };
  },
  layout: { lines: (s) => 1 + Math.max(1, s.prom.data.services.length), weight: 2, minHeight: 4, narrow: 1, two: { column: 1, rank: 1 }, three: { column: 1, rank: 1 } },
};
