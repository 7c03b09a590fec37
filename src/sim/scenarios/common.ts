// Shared pieces of the scenarios: the shop cluster, the capacity model, gauges, alert rules
// and log lines. Everything here is pure.
import type { ImageBehavior } from '../kube/types.js';
import type { PromWorld, SimAlertRule } from '../prometheus/sim.js';
import type { DeploymentObs, DeploymentSpec, Observation, PgLoad, PodObs, ServiceSpec, WorldOutput } from './types.js';
import { between, pick, type Rand } from '../random.js';

export const NAMESPACE = 'shop';
export const RUNBOOKS = 'https://runbooks.example.com';
export const REGISTRY = 'registry.example.com/shop';

/** Gauge names served by the drill's Prometheus (exporter-style). */
export const GAUGES = {
  pgSessions: 'pg_stat_activity_count',
  pgMaxConnections: 'pg_settings_max_connections',
  redisUp: 'redis_up',
  crashLooping: 'kube_pod_crashlooping',
} as const;

export const IMAGES = {
  api: `${REGISTRY}/api:2.4.0`,
  checkout: `${REGISTRY}/checkout:1.18.2`,
  worker: `${REGISTRY}/worker:3.1.0`,
  redis: 'docker.io/library/redis:7.2.4-alpine',
} as const;

/** The shop before anything goes wrong. */
export function shopDeployments(): DeploymentSpec[] {
  return [
    { name: 'api', image: IMAGES.api, replicas: 4, labels: { app: 'api', tier: 'backend' }, changeCause: 'deploy api v2.4.0 (CI #4760)', maxSurge: 1, maxUnavailable: 1 },
    { name: 'checkout', image: IMAGES.checkout, replicas: 3, labels: { app: 'checkout', tier: 'backend' }, changeCause: 'deploy checkout v1.18.2 (CI #4712)' },
    { name: 'worker', image: IMAGES.worker, replicas: 2, labels: { app: 'worker', tier: 'jobs' }, changeCause: 'deploy worker v3.1.0 (CI #4698)' },
    { name: 'redis', image: IMAGES.redis, replicas: 1, labels: { app: 'redis', tier: 'cache' }, containerName: 'redis', maxSurge: 1, maxUnavailable: 0 },
  ];
}

/** Behaviours of the shop's healthy images; scenarios add their bad ones. */
export function shopImages(): Record<string, ImageBehavior> {
  return {
    [IMAGES.api]: { readyDelaySeconds: 4, baseMemoryMiB: 210, cpuMilli: 180, logLine: logs() },
    [IMAGES.checkout]: { readyDelaySeconds: 5, baseMemoryMiB: 300, memoryLimitMiB: 512, cpuMilli: 120, logLine: logs() },
    [IMAGES.worker]: { readyDelaySeconds: 3, baseMemoryMiB: 150, cpuMilli: 90, logLine: workerLogs() },
    [IMAGES.redis]: { readyDelaySeconds: 2, baseMemoryMiB: 60, cpuMilli: 40, logLine: redisLogs() },
  };
}

export function shopServices(): { api: ServiceSpec; checkout: ServiceSpec } {
  return {
    api: { deployment: 'api', baseRps: 200, baseErrorRatio: 0.004, baseP95Seconds: 0.12, rpsPerPod: 100, publicName: 'Storefront' },
    checkout: { deployment: 'checkout', baseRps: 40, baseErrorRatio: 0.002, baseP95Seconds: 0.35, rpsPerPod: 40, publicName: 'Payments' },
  };
}

// ---------------------------------------------------------------------------------------------
// Reading an observation

export function livePods(d: DeploymentObs | undefined): PodObs[] {
  return d ? d.pods.filter((p) => !p.terminating) : [];
}

export function readyCount(d: DeploymentObs | undefined): number {
  return livePods(d).filter((p) => p.ready).length;
}

/** Pods that crash-loop or keep restarting (what KubePodCrashLooping counts). */
export function crashLoopingCount(obs: Observation): number {
  let n = 0;
  for (const d of Object.values(obs.deployments)) {
    for (const p of livePods(d)) if (p.waitingReason === 'CrashLoopBackOff' || p.restarts >= 2) n++;
  }
  return n;
}

/** Seconds since `key` fired, or null when it has not. */
export function since(obs: Observation, key: string): number | null {
  const at = obs.events[key];
  return at === undefined ? null : obs.t - at;
}

/** A slow, deterministic wobble so graphs do not look ruled: 1 ± ~5%. */
export function wobble(t: number, phase = 0): number {
  return 1 + 0.03 * Math.sin(t / 37 + phase) + 0.02 * Math.sin(t / 11 + 2 * phase);
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export interface Signals {
  rps: number;
  errorRatio: number;
  p95Seconds: number;
}

/**
 * Traffic served by a deployment's ready pods. Utilisation u = rps / capacity; latency grows
 * steeply past u ≈ 1 (queueing) and timeouts add errors; no ready pod at all means fast 503s.
 */
export function serviceSignals(
  spec: ServiceSpec,
  dep: DeploymentObs | undefined,
  t: number,
  mod: { rpsFactor?: number; extraErrorRatio?: number; extraP95Seconds?: number; phase?: number } = {},
): Signals {
  const rps = spec.baseRps * (mod.rpsFactor ?? 1) * wobble(t, mod.phase);
  const ready = readyCount(dep);
  if (ready === 0) return { rps, errorRatio: 1, p95Seconds: 0.02 };
  const u = rps / (ready * spec.rpsPerPod);
  const p95 = spec.baseP95Seconds * (1 + 0.5 * u ** 7) + (mod.extraP95Seconds ?? 0);
  const timeouts = u > 1 ? 0.06 * (1 - 1 / u) : 0;
  return { rps, errorRatio: clamp(spec.baseErrorRatio * wobble(t, 1) + timeouts + (mod.extraErrorRatio ?? 0), 0, 1), p95Seconds: clamp(p95, 0.005, 10) };
}

export const BASE_PG_LOAD: PgLoad = { active: 2, idle: 6, idleInTransaction: 0, blocked: 0 };

export function pgTotal(l: PgLoad): number {
  return l.active + l.idle + l.idleInTransaction + l.blocked;
}

/** Assembles the output: gauges from the observation and the scenario's own numbers. */
export function output(
  obs: Observation,
  parts: { services: PromWorld['services']; postgres?: PgLoad; redisOutage?: boolean; redisLatencyMs?: number; maxConnections: number },
): WorldOutput {
  const postgres = parts.postgres ?? BASE_PG_LOAD;
  const redisOutage = parts.redisOutage ?? false;
  const sessions = obs.postgres ? obs.postgres.sessions : pgTotal(postgres);
  const max = obs.postgres ? obs.postgres.maxConnections : parts.maxConnections;
  return {
    world: {
      services: parts.services,
      gauges: {
        [GAUGES.pgSessions]: sessions,
        [GAUGES.pgMaxConnections]: max,
        [GAUGES.redisUp]: redisOutage ? 0 : 1,
        [GAUGES.crashLooping]: crashLoopingCount(obs),
      },
    },
    postgres,
    redisOutage,
    redisLatencyMs: parts.redisLatencyMs ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Alert rules

const gauge = (w: PromWorld, name: string) => w.gauges?.[name] ?? NaN;

export function errorRateRule(ns: string, service: string): SimAlertRule {
  return {
    name: 'HighErrorRate',
    severity: 'critical',
    summary: `High 5xx error rate on ${service}`,
    description: `More than 5% of requests to ${service} in namespace ${ns} failed with a 5xx over the last minute. Check recent deploys (kubectl rollout history deploy/${service} -n ${ns}) and the error lines in the pods' logs.`,
    runbookUrl: `${RUNBOOKS}/high-error-rate`,
    expr: `sum(rate(http_requests_total{service="${service}",status=~"5.."}[1m])) / sum(rate(http_requests_total{service="${service}"}[1m])) > 0.05`,
    value: (w) => w.services[service]?.errorRatio ?? NaN,
    op: '>',
    threshold: 0.05,
    forSeconds: 30,
    labels: { namespace: ns, service },
  };
}

export function latencyRule(ns: string, service: string): SimAlertRule {
  return {
    name: 'HighLatencyP95',
    severity: 'warning',
    summary: `p95 latency of ${service} above 2s`,
    description: `The 95th percentile of request duration for ${service} in namespace ${ns} is above 2 seconds. Compare traffic with an hour ago, check saturation (ready replicas, CPU) and dependencies (Postgres, Redis).`,
    runbookUrl: `${RUNBOOKS}/high-latency`,
    expr: `histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket{service="${service}"}[1m])) by (le)) > 2`,
    value: (w) => w.services[service]?.p95Seconds ?? NaN,
    op: '>',
    threshold: 2,
    forSeconds: 60,
    labels: { namespace: ns, service },
  };
}

export function crashLoopRule(ns: string): SimAlertRule {
  return {
    name: 'KubePodCrashLooping',
    severity: 'warning',
    summary: `Pods in ${ns} are crash looping`,
    description: `One or more pods in namespace ${ns} are in CrashLoopBackOff or keep restarting. Look at the last state (OOMKilled? Error?) and the previous container's logs (kubectl logs --previous).`,
    runbookUrl: `${RUNBOOKS}/kube-pod-crash-looping`,
    expr: `sum(max_over_time(kube_pod_container_status_waiting_reason{namespace="${ns}",reason="CrashLoopBackOff"}[5m]) or increase(kube_pod_container_status_restarts_total{namespace="${ns}"}[10m]) >= 2) > 0`,
    value: (w) => gauge(w, GAUGES.crashLooping),
    op: '>',
    threshold: 0,
    forSeconds: 30,
    labels: { namespace: ns },
  };
}

export function postgresConnectionsRule(): SimAlertRule {
  return {
    name: 'PostgresConnectionsHigh',
    severity: 'warning',
    summary: 'Postgres connections above 80% of max_connections',
    description:
      'The database is running out of connection slots; new connections will fail with "remaining connection slots are reserved". Find who holds them (pg_stat_activity by application and state, idle in transaction).',
    runbookUrl: `${RUNBOOKS}/postgres-connections-high`,
    expr: 'sum(pg_stat_activity_count) / max(pg_settings_max_connections) > 0.8',
    value: (w) => gauge(w, GAUGES.pgSessions) / gauge(w, GAUGES.pgMaxConnections),
    op: '>',
    threshold: 0.8,
    forSeconds: 30,
    labels: { service: 'postgres' },
  };
}

export function redisDownRule(): SimAlertRule {
  return {
    name: 'RedisDown',
    severity: 'critical',
    summary: 'Redis is not answering',
    description: 'redis_exporter cannot reach Redis. Every cache lookup now waits for its timeout and falls through to the database.',
    runbookUrl: `${RUNBOOKS}/redis-down`,
    expr: 'redis_up == 0',
    value: (w) => gauge(w, GAUGES.redisUp),
    op: '<',
    threshold: 1,
    forSeconds: 15,
    labels: { service: 'redis' },
  };
}

/** Every scenario watches the same things, like a real team's alerting. */
export function standardRules(ns: string): SimAlertRule[] {
  return [
    errorRateRule(ns, 'api'),
    latencyRule(ns, 'api'),
    errorRateRule(ns, 'checkout'),
    latencyRule(ns, 'checkout'),
    crashLoopRule(ns),
    postgresConnectionsRule(),
    redisDownRule(),
  ];
}

// ---------------------------------------------------------------------------------------------
// Log lines

const PATHS = ['/api/v1/products', '/api/v1/cart', '/api/v1/products/search', '/api/v1/orders', '/api/v1/users/me', '/healthz'];

function accessLine(rand: Rand, status = 200): string {
  return `INFO  ${pick(rand, ['GET', 'GET', 'GET', 'POST'])} ${pick(rand, PATHS)} ${status} ${between(rand, 4, 90)}ms req_id=${Math.floor(rand() * 0xffffff).toString(16)}`;
}

/** Mostly access lines, the occasional warning, and `special` lines at the given rate. */
export function logs(special: Array<{ rate: number; line: (rand: Rand, pod: string) => string }> = []): ImageBehavior['logLine'] {
  return (pod, _seq, rand) => {
    let r = rand();
    for (const s of special) {
      if (r < s.rate) return s.line(rand, pod);
      r -= s.rate;
    }
    if (r < 0.03) return `WARN  slow request ${pick(rand, PATHS)} took ${between(rand, 800, 1400)}ms`;
    return accessLine(rand);
  };
}

export function redisLogs(): ImageBehavior['logLine'] {
  return (_pod, seq, rand) =>
    seq % 3 === 0
      ? `1:M * ${between(rand, 10, 100)} changes in 300 seconds. Saving...`
      : seq % 3 === 1
        ? `1:M * Background saving started by pid ${between(rand, 20, 900)}`
        : '1:M * Background saving terminated with success';
}

export function workerLogs(): ImageBehavior['logLine'] {
  return (_pod, _seq, rand) =>
    `INFO  job ${pick(rand, ['send-receipt', 'reconcile-orders', 'refresh-search-index', 'expire-carts'])} done in ${between(rand, 20, 900)}ms (queue depth ${between(rand, 0, 12)})`;
}
