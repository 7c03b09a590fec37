// A release of api that throws on the cart path and then dies: 5xx jumps, its pods crash-loop.
import type { Scenario } from './types.js';
import { IMAGES, NAMESPACE, REGISTRY, livePods, logs, output, serviceSignals, shopDeployments, shopImages, shopServices, standardRules } from './common.js';

const BAD = `${REGISTRY}/api:2.4.1`;
const services = shopServices();

export const badDeploy: Scenario = {
  name: 'bad-deploy',
  title: 'Bad deploy: api v2.4.1 crash-loops and 5xx jumps',
  description:
    "Thirty seconds in, CI deploys api v2.4.1. Its pods answer with 500s (a TypeError in the new pricing code) and then die with FATAL, so they crash-loop and the rollout stalls half way; about 45% of api requests fail and checkout errors follow. Find it: HighErrorRate fires, the new ReplicaSet's pods are in CrashLoopBackOff, their logs show the same TypeError, and the rollout history names the change. The cure is rolling back.",
  cure: 'kubectl rollout undo deploy/api -n shop',
  namespace: NAMESPACE,
  deployments: shopDeployments(),
  services,
  images: {
    ...shopImages(),
    [BAD]: {
      startup: 'crashloop',
      readyDelaySeconds: 4,
      baseMemoryMiB: 220,
      cpuMilli: 240,
      logLine: logs([
        {
          rate: 0.35,
          line: (r) =>
            `ERROR Unhandled exception on GET /api/v1/cart req_id=${Math.floor(r() * 0xffffff).toString(16)}: TypeError: Cannot read properties of undefined (reading 'currency') at PriceService.quote (/app/dist/pricing/price-service.js:88:31)`,
        },
        { rate: 0.08, line: () => `FATAL uncaughtException in worker thread, exiting: TypeError: Cannot read properties of undefined (reading 'currency')` },
      ]),
      // A Node service dying on the TypeError, as `kubectl logs --previous` shows it.
      crashLines: [
        `ERROR Unhandled exception on GET /api/v1/cart: TypeError: Cannot read properties of undefined (reading 'currency')`,
        '    at PriceService.quote (/app/dist/pricing/price-service.js:88:31)',
        '    at CartController.get (/app/dist/cart/cart-controller.js:41:22)',
        `FATAL uncaughtException, exiting: TypeError: Cannot read properties of undefined (reading 'currency')`,
      ],
    },
    [IMAGES.checkout]: {
      readyDelaySeconds: 5,
      baseMemoryMiB: 300,
      cpuMilli: 120,
      logLine: logs([{ rate: 0.02, line: () => 'WARN  upstream api returned 500 for GET /api/v1/cart, retrying (1/2)' }]),
    },
  },
  timeline: [{ at: 30, note: 'CI deploys api v2.4.1', action: { kind: 'setImage', deployment: 'api', image: BAD, changeCause: 'deploy api v2.4.1 (CI #4821)' } }],
  uses: { postgres: false, redis: false },
  postgresMaxConnections: 100,
  world(obs) {
    const api = obs.deployments.api;
    const pods = livePods(api);
    // Bad pods flap in and out of the endpoints; while in, they answer 500 and then crash.
    const badShare = pods.length ? pods.filter((p) => p.image === BAD).length / pods.length : 0;
    const apiSig = serviceSignals(services.api, api, obs.t, { extraErrorRatio: 1.1 * badShare, extraP95Seconds: 0.6 * badShare });
    const checkout = serviceSignals(services.checkout, obs.deployments.checkout, obs.t, { extraErrorRatio: 0.4 * apiSig.errorRatio, phase: 2 });
    return output(obs, { services: { api: apiSig, checkout }, maxConnections: 100 });
  },
  rules: standardRules(NAMESPACE),
};
