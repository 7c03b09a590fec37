// The header: badges (DRILL, READ-ONLY), context and namespaces, the suggested severity with
// its rule, the incident clock and state, the next-update countdown, and data freshness.
import { useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import { useCockpit, useSelect } from './context.js';
import { fitLine } from './widgets/Pane.js';
import { paintCells } from './ansi.js';
import type { Cell } from '../present/cell.js';
import { headerCells } from '../present/header.js';

/** The incident channel's sync, as a source's status in the header. */
const CHANNEL_STATUS = { idle: 'disabled', ok: 'ok', waiting: 'degraded', failing: 'down' } as const;

export function Header({ width }: { width: number }) {
  // Incident times are wall-clock (the journal's); the drill's simulated clock is for data ages only.
  const { theme, now } = useCockpit();
  const meta = useSelect((s) => s.meta);
  const incident = useSelect((s) => s.incident.current);
  const suggestion = useSelect((s) => s.incident.suggestion);
  const due = useSelect((s) => s.incident.nextUpdateDueAt);
  const kube = useSelect((s) => s.kube.status);
  const kubeAt = useSelect((s) => s.kube.updatedAt);
  const promAt = useSelect((s) => s.prom.updatedAt);
  const pgAt = useSelect((s) => s.postgres.updatedAt);
  const redisAt = useSelect((s) => s.redis.updatedAt);
  const ctx = useSelect((s) => s.kube.data.context);
  const namespaces = useSelect((s) => s.kube.data.namespaces);
  const allNs = useSelect((s) => s.kube.data.allNamespaces);
  const prom = useSelect((s) => s.prom.status);
  const pg = useSelect((s) => s.postgres.status);
  const redis = useSelect((s) => s.redis.status);
  const pd = useSelect((s) => s.paging.status);
  const pdAt = useSelect((s) => s.paging.updatedAt);
  const channel = useSelect((s) => s.paging.data.channel?.state ?? 'idle');
  const escalation = useSelect((s) => s.paging.data.escalation);
  // The clock ticks only while an incident is open, and ages of stale data every 10 s while a
  // source is unwell; an idle, healthy cockpit writes nothing.
  const unwell = [kube, prom, pg, redis, pd].some((st) => st === 'down' || st === 'degraded');
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!incident && !unwell) return;
    const t = setInterval(() => setTick((n) => n + 1), incident ? (meta.lowBandwidth ? 10_000 : 1000) : 10_000);
    t.unref?.();
    return () => clearInterval(t);
  }, [incident, unwell, meta.lowBandwidth]);

  const cells: Cell[] = headerCells({
    width,
    now: now(),
    meta,
    incident,
    suggestion,
    nextUpdateDueAt: due,
    escalation,
    context: ctx,
    namespaces: allNs ? ['*'] : namespaces,
    // The Kubernetes source is watch-driven: quiet data is not stale, so only its outages age.
    sources: {
      k8s: { status: kube, updatedAt: kube === 'down' ? kubeAt : null },
      prom: { status: prom, updatedAt: promAt },
      pg: { status: pg, updatedAt: pgAt },
      redis: { status: redis, updatedAt: redisAt },
      pd: { status: pd, updatedAt: pdAt },
      slack: { status: CHANNEL_STATUS[channel], updatedAt: null },
    },
    staleAfterMs: meta.staleAfterMs,
    glyphs: theme.glyphs,
  });
  return (
    <Box width={width} height={1}>
      <Text wrap="truncate">{paintCells(fitLine(cells, width), theme)}</Text>
    </Box>
  );
}
