// A checkout release that leaks memory: each pod grows until it is OOMKilled, then again.
import type { Observation, Scenario } from './types.js';
import { NAMESPACE, REGISTRY, livePods, logs, output, serviceSignals, shopDeployments, shopImages, shopServices, standardRules } from './common.js';

const LEAKY = `${REGISTRY}/checkout:1.19.0`;
export const LEAK = { baseMiB: 180, mibPerMinute: 110, limitMiB: 512 };
/** Seconds after an OOM kill during which the pod's lost in-flight requests show as errors. */
const OOM_BLAST_SECONDS = 30;
const services = shopServices();

/** Estimated memory of a leaky pod's current container as a fraction of its limit. */
function memoryFraction(obs: Observation, startedAt: number | null): number {
  if (startedAt === null) return 0;
  const mib = LEAK.baseMiB + (LEAK.mibPerMinute * Math.max(0, obs.t - startedAt)) / 60;
  return Math.min(1, mib / LEAK.limitMiB);
}

export const memoryLeak: Scenario = {
  name: 'memory-leak',
  title: 'Memory leak: checkout v1.19.0 is OOMKilled again and again',
  description:
    'Thirty seconds in, CI deploys checkout v1.19.0 with a new in-process price cache that never evicts. Each checkout pod grows by about 110 MiB a minute until it hits its 512 MiB limit and is OOMKilled; restarts climb, p95 rises with GC pressure and every kill drops in-flight requests. Find it: KubePodCrashLooping, last state OOMKilled, memory climbing in pod metrics, the deploy in the rollout history. A rollout restart only buys ~3 minutes and scaling out only delays it; the cure is rolling back.',
  cure: 'kubectl rollout undo deploy/checkout -n shop',
  namespace: NAMESPACE,
  deployments: shopDeployments(),
  services,
  images: {
    ...shopImages(),
    [LEAKY]: {
      readyDelaySeconds: 5,
      baseMemoryMiB: LEAK.baseMiB,
      memoryLeakMiBPerMinute: LEAK.mibPerMinute,
      memoryLimitMiB: LEAK.limitMiB,
      cpuMilli: 260,
      logLine: logs([
        { rate: 0.06, line: (r) => `WARN  GC pause ${Math.floor(300 + r() * 900)}ms (heap ${Math.floor(380 + r() * 120)}MiB / 512MiB)` },
        { rate: 0.04, line: () => 'ERROR Exception in PriceCache.put: RangeError: Map maximum size exceeded' },
        { rate: 0.02, line: () => 'FATAL JavaScript heap out of memory: Reached heap limit Allocation failed' },
      ]),
    },
  },
  timeline: [
    {
      at: 30,
      note: 'CI deploys checkout v1.19.0',
      action: { kind: 'setImage', deployment: 'checkout', image: LEAKY, changeCause: 'deploy checkout v1.19.0: in-process price cache (CI #4902)' },
    },
  ],
  uses: { postgres: false, redis: false },
  postgresMaxConnections: 100,
  world(obs) {
    const pods = livePods(obs.deployments.checkout);
    const leaky = pods.filter((p) => p.image === LEAKY);
    const gc = leaky.length ? leaky.reduce((s, p) => s + memoryFraction(obs, p.startedAt) ** 6, 0) / pods.length : 0;
    const killed = pods.length ? leaky.filter((p) => p.restarts > 0 && (p.startedAt === null || obs.t - p.startedAt < OOM_BLAST_SECONDS)).length / pods.length : 0;
    const checkout = serviceSignals(services.checkout, obs.deployments.checkout, obs.t, { extraErrorRatio: 0.25 * killed, extraP95Seconds: 6 * gc, phase: 2 });
    const api = serviceSignals(services.api, obs.deployments.api, obs.t);
    return output(obs, { services: { api, checkout }, maxConnections: 100 });
  },
  rules: standardRules(NAMESPACE),
};
