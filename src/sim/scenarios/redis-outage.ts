// Redis stops answering; every cache lookup waits for its timeout, so latency and errors climb
// until the redis deployment's pod is replaced.
import type { Observation, Scenario } from './types.js';
import { IMAGES, NAMESPACE, livePods, logs, output, serviceSignals, shopDeployments, shopImages, shopServices, since, standardRules } from './common.js';

const services = shopServices();

const API_WHILE_REDIS_HANGS = logs([
  { rate: 0.3, line: () => 'ERROR [ioredis] Unhandled error event: Error: Connection timeout' },
  {
    rate: 0.15,
    line: (r) =>
      `ERROR GET /api/v1/cart 500 ${2000 + Math.floor(r() * 900)}ms req_id=${Math.floor(r() * 0xffffff).toString(16)}: cache lookup failed: Connection timeout (ioredis)`,
  },
  { rate: 0.1, line: () => 'WARN  cache miss storm: 412 misses in 10s (redis-cache)' },
]);

/** Redis is down from the hang until a pod created after it is ready and the old ones are gone. */
export function redisDown(obs: Observation): boolean {
  const ago = since(obs, 'redis-hang');
  if (ago === null) return false;
  const hungAt = obs.t - ago;
  const pods = livePods(obs.deployments.redis);
  const replaced = pods.length > 0 && pods.every((p) => p.createdAt > hungAt) && pods.some((p) => p.ready);
  return !replaced;
}

export const redisOutage: Scenario = {
  name: 'redis-outage',
  title: 'Redis outage: the cache stops answering',
  description:
    'Forty seconds in, the redis pod stops answering (the process is wedged on a blocked fork; the container stays Running, so Kubernetes does not restart it). Every cache lookup now waits for its timeout: api p95 climbs past 2 s and then 4 s, timeouts surface as 5xx, checkout follows. Find it: RedisDown fires, the Redis pane shows PING failing, the api logs show "Connection timeout" errors from ioredis while the api pods are healthy. The cure is restarting the redis deployment.',
  cure: 'kubectl rollout restart deploy/redis -n shop',
  namespace: NAMESPACE,
  deployments: shopDeployments(),
  services,
  images: {
    ...shopImages(),
    [IMAGES.api]: {
      readyDelaySeconds: 4,
      baseMemoryMiB: 210,
      cpuMilli: 180,
      logLine: logs([{ rate: 0.02, line: () => 'WARN  cache miss storm: 412 misses in 10s (redis-cache)' }]),
    },
  },
  timeline: [{ at: 40, note: 'redis wedges: PING stops answering', action: { kind: 'event', key: 'redis-hang' } }],
  uses: { postgres: false, redis: true },
  postgresMaxConnections: 100,
  world(obs) {
    const down = redisDown(obs);
    const ago = since(obs, 'redis-hang') ?? 0;
    // Clients pile up behind timeouts: latency climbs over the first few minutes.
    const slow = down ? Math.min(4.5, 0.8 + (1.5 * ago) / 60) : 0;
    const api = serviceSignals(services.api, obs.deployments.api, obs.t, { extraP95Seconds: slow, extraErrorRatio: down ? 0.12 : 0 });
    const checkout = serviceSignals(services.checkout, obs.deployments.checkout, obs.t, { extraP95Seconds: slow * 0.8, extraErrorRatio: down ? 0.08 : 0, phase: 2 });
    const out = output(obs, { services: { api, checkout }, redisOutage: down, maxConnections: 100 });
    // While Redis hangs, api's cache calls time out in ioredis and some requests fail with them.
    return down ? { ...out, logs: { key: 'redis-down', images: { [IMAGES.api]: API_WHILE_REDIS_HANGS } } } : out;
  },
  rules: standardRules(NAMESPACE),
};
