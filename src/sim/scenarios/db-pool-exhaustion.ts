// A release whose pods never give their Postgres connections back: sessions climb to
// max_connections, then requests fail waiting for a connection.
import type { Observation, PgLoad, Scenario } from './types.js';
import {
  BASE_PG_LOAD,
  IMAGES,
  NAMESPACE,
  REGISTRY,
  livePods,
  logs,
  output,
  pgTotal,
  serviceSignals,
  shopDeployments,
  shopImages,
  shopServices,
  since,
  standardRules,
} from './common.js';

const LEAKY = `${REGISTRY}/api:2.5.0`;
const MAX_CONNECTIONS = 50;
/** Pods of the release started within this many seconds of the deploy got a poisoned pool. */
const MIGRATION_SECONDS = 150;
/** Connections each poisoned pod leaks per second, and at most (its pool size). */
const LEAK_PER_SECOND = 0.06;
const POOL_SIZE = 12;
const services = shopServices();

/** Sessions left idle in transaction by the api pods, from their image, age and start time. */
export function leakedSessions(obs: Observation): number {
  const deployedAgo = since(obs, 'setImage:api');
  if (deployedAgo === null) return 0;
  const deployedAt = obs.t - deployedAgo;
  let leaked = 0;
  for (const p of livePods(obs.deployments.api)) {
    if (p.image !== LEAKY || p.createdAt > deployedAt + MIGRATION_SECONDS) continue;
    leaked += Math.min(POOL_SIZE, Math.floor(LEAK_PER_SECOND * Math.max(0, obs.t - Math.max(p.createdAt, deployedAt))));
  }
  return leaked;
}

export const dbPoolExhaustion: Scenario = {
  name: 'db-pool-exhaustion',
  title: 'DB pool exhaustion after api v2.5.0',
  description:
    'CI deploys api v2.5.0 (new connection-pool settings) while its data migration runs. The pods that came up during the migration leak connections: sessions from the app pile up "idle in transaction" until Postgres reaches max_connections, then api requests fail with "remaining connection slots are reserved" and latency climbs. Find it: PostgresConnectionsHigh, then HighErrorRate; pg_stat_activity shows drill-app sessions idle in transaction, the api logs show pool timeouts, the rollout history shows the deploy. The cure is restarting api (fresh pods start with clean pools); rolling back also works.',
  cure: 'kubectl rollout restart deploy/api -n shop',
  namespace: NAMESPACE,
  deployments: shopDeployments(),
  services,
  images: {
    ...shopImages(),
    [LEAKY]: {
      readyDelaySeconds: 4,
      baseMemoryMiB: 230,
      cpuMilli: 200,
      logLine: logs([
        { rate: 0.12, line: () => 'ERROR pg pool: timeout acquiring connection after 5000ms (pool size 12, 12 in use, 37 waiting) on GET /api/v1/orders' },
        { rate: 0.05, line: () => 'ERROR Exception in OrderRepository.findRecent: error: sorry, too many clients already' },
        { rate: 0.03, line: () => 'WARN  pg pool: connection checked out for 312s without release (possible leak) stack=OrderRepository.findRecent' },
      ]),
    },
    [IMAGES.worker]: {
      readyDelaySeconds: 3,
      baseMemoryMiB: 150,
      cpuMilli: 90,
      logLine: logs([{ rate: 0.02, line: () => 'ERROR job reconcile-orders failed: error: remaining connection slots are reserved for non-replication superuser connections' }]),
    },
  },
  timeline: [
    {
      at: 30,
      note: 'CI deploys api v2.5.0 with its data migration',
      action: { kind: 'setImage', deployment: 'api', image: LEAKY, changeCause: 'deploy api v2.5.0: pg pool 12/pod, backfill orders.currency (CI #4877)' },
    },
  ],
  uses: { postgres: true, redis: false },
  postgresMaxConnections: MAX_CONNECTIONS,
  world(obs) {
    const load: PgLoad = { ...BASE_PG_LOAD, idleInTransaction: leakedSessions(obs) };
    const max = obs.postgres?.maxConnections ?? MAX_CONNECTIONS;
    const sessions = obs.postgres ? obs.postgres.sessions : pgTotal(load);
    // Once the pools cannot get a connection, requests queue for it and then fail.
    const starved = Math.min(1, Math.max(0, (sessions / max - 0.85) / 0.1));
    const api = serviceSignals(services.api, obs.deployments.api, obs.t, { extraErrorRatio: 0.3 * starved, extraP95Seconds: 3 * starved });
    const checkout = serviceSignals(services.checkout, obs.deployments.checkout, obs.t, { extraErrorRatio: 0.3 * api.errorRatio, phase: 2 });
    return output(obs, { services: { api, checkout }, postgres: load, maxConnections: MAX_CONNECTIONS });
  },
  rules: standardRules(NAMESPACE),
};
