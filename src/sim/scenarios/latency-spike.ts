// A traffic surge the api's replicas cannot absorb: requests queue and p95 goes past 5 s.
import type { Scenario } from './types.js';
import { IMAGES, NAMESPACE, logs, output, serviceSignals, shopDeployments, shopImages, shopServices, since, standardRules } from './common.js';

const services = shopServices();
/** Traffic multiplier once the surge has ramped up, and how long the ramp takes (s). */
export const SURGE = { factor: 4, rampSeconds: 90 };

export const latencySpike: Scenario = {
  name: 'latency-spike',
  title: 'Latency spike: a traffic surge saturates api',
  description:
    'Thirty seconds in, a push-notification campaign sends api four times its usual traffic over a minute and a half. Four replicas cannot keep up: requests queue, p95 goes past 5 s and some time out. Nothing was deployed and no pod is unhealthy. Find it: HighLatencyP95, request rate ×4 against an hour ago, api pods busy while Postgres and Redis look normal. The cure is scaling api out (10 replicas is comfortable).',
  cure: 'kubectl scale deploy/api -n shop --replicas=10',
  namespace: NAMESPACE,
  deployments: shopDeployments(),
  services,
  images: {
    ...shopImages(),
    [IMAGES.api]: {
      readyDelaySeconds: 5,
      baseMemoryMiB: 210,
      cpuMilli: 450,
      logLine: logs([
        { rate: 0.05, line: (r) => `WARN  request queue depth ${Math.floor(40 + r() * 200)} (max 256), event loop lag ${Math.floor(200 + r() * 900)}ms` },
        { rate: 0.02, line: () => 'ERROR Exception in handler GET /api/v1/products: TimeoutError: request timed out after 5000ms' },
      ]),
    },
  },
  timeline: [{ at: 30, note: 'push campaign "Black Friday early access" goes out: traffic ramps to ×4', action: { kind: 'event', key: 'surge' } }],
  uses: { postgres: false, redis: false },
  postgresMaxConnections: 100,
  world(obs) {
    const ago = since(obs, 'surge');
    const ramp = ago === null ? 0 : Math.min(1, Math.max(0, ago / SURGE.rampSeconds));
    const api = serviceSignals(services.api, obs.deployments.api, obs.t, { rpsFactor: 1 + (SURGE.factor - 1) * ramp });
    const checkout = serviceSignals(services.checkout, obs.deployments.checkout, obs.t, { rpsFactor: 1 + 0.5 * ramp, phase: 2 });
    return output(obs, { services: { api, checkout }, maxConnections: 100 });
  },
  rules: standardRules(NAMESPACE),
};
