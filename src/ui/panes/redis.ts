import { redisCells, redisColumns } from '../../present/redis.js';
import { sourceBadge, type PaneDef } from './pane.js';

export const redisPane: PaneDef<'redis'> = {
  id: 'redis',
  title: 'Redis',
  reads: (s) => [s.redis],
  model(state, now) {
    const nodes = state.redis.data.instances.flatMap((inst) => (inst.nodes.length ? inst.nodes : [null]).map((n) => ({ inst, n })));
    return {
      title: 'Redis',
      badge: sourceBadge(state.redis, now),
      columns: redisColumns(),
      rows: nodes.map(({ inst, n }) => redisCells(inst, n, now)),
      targets: nodes.map(() => null),
      empty: state.redis.status === 'connecting' ? 'starting…' : 'no Redis configured',
    };
  },
  layout: {
    lines: (s) =>
      1 +
      Math.max(
        1,
        s.redis.data.instances.reduce((n, i) => n + Math.max(1, i.nodes.length), 0),
      ),
    weight: 2,
    minHeight: 3,
    urgent: (s) => s.redis.data.instances.some((i) => i.status === 'down'),
    narrow: 6,
    two: { column: 1, rank: 3 },
    three: { column: 2, rank: 1 },
  },
};
