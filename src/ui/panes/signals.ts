import { signalCells, signalColumns } from '../../present/signals.js';
import { sourceBadge, type PaneDef } from './pane.js';

export const signalsPane: PaneDef<'signals'> = {
  id: 'signals',
  title: 'Error rate & latency',
  reads: (s) => [s.prom, s.meta.severity],
  model(state, now) {
    const services = state.prom.data.services;
    return {
      title: 'Error rate & latency',
      badge: sourceBadge(state.prom, now),
      columns: signalColumns(),
      rows: services.map((s) => signalCells(s, state.meta.severity, { ascii: state.meta.ascii })),
      targets: services.map(() => null),
      empty: state.prom.status === 'disabled' ? 'configure prometheus.url' : 'no services configured',
    };
  },
  layout: { lines: (s) => 1 + Math.max(1, s.prom.data.services.length), weight: 2, minHeight: 4, narrow: 1, two: { column: 1, rank: 1 }, three: { column: 1, rank: 1 } },
};
