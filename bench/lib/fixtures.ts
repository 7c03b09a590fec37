// A realistic, deterministic cockpit state for the in-process render benchmark: pods spread over
// deployments and namespaces (a few unhealthy), deployments, events, Prometheus signals and
// alerts, one Postgres database and one Redis instance — what a busy on-call screen shows.
import type { KubeData, PodRow, DeploymentRow, EventRow } from '../../src/sources/kube/types.js';
import type { PromData, ServiceSignals, AlertRow } from '../../src/sources/prometheus/types.js';
import { emptyPgDatabase, type PostgresData } from '../../src/sources/postgres/types.js';
import { emptyRedisInstance, type RedisData } from '../../src/sources/redis/types.js';
import { seededRand } from '../../src/sim/random.js';

const NAMESPACES = ['shop', 'payments', 'platform'];
const APPS = ['checkout', 'cart', 'catalog', 'search', 'api-gateway', 'auth', 'ledger', 'billing', 'notifier', 'worker', 'recommender', 'images', 'inventory', 'orders', 'sessions', 'shipping'];


const ALNUM = 'bcdfghjklmnpqrstvwxz2456789';
function suffix(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[Math.floor(r() * ALNUM.length)];
  return s;
}

export interface Fixture {
  kube: KubeData;
  prom: PromData;
  postgres: PostgresData;
  redis: RedisData;
}

export function buildFixture(podCount: number, now = Date.now(), seed = 7): Fixture {
  const r = seededRand(seed);
  const deployments: DeploymentRow[] = [];
  const pods: PodRow[] = [];
  const depCount = Math.max(3, Math.min(200, Math.round(podCount / 20)));
  const perDep = Math.ceil(podCount / depCount);
  for (let d = 0; d < depCount && pods.length < podCount; d++) {
    const namespace = NAMESPACES[d % NAMESPACES.length];
    const name = d < APPS.length ? APPS[d] : `${APPS[d % APPS.length]}-${Math.floor(d / APPS.length)}`;
    const hash = suffix(r, 10);
    const replicas = Math.min(perDep, podCount - pods.length);
    const createdAt = now - (2 + Math.floor(r() * 20)) * 86_400_000;
    for (let i = 0; i < replicas; i++) {
      const bad = r() < 0.03;
      const status = bad ? (['CrashLoopBackOff', 'OOMKilled', 'Pending', 'ImagePullBackOff'] as const)[Math.floor(r() * 4)] : 'Running';
      const restarts = bad ? 3 + Math.floor(r() * 40) : r() < 0.1 ? 1 : 0;
      pods.push({
        key: `${namespace}/${name}-${hash}-${suffix(r, 5)}`,
        namespace,
        name: `${name}-${hash}-${suffix(r, 5)}`,
        ready: bad ? 0 : 1,
        containers: 1,
        status,
        reason: status === 'Pending' ? 'Unschedulable' : status === 'OOMKilled' ? 'OOMKilled' : null,
        healthy: !bad,
        restarts,
        recentRestarts: bad ? Math.min(restarts, 5) : 0,
        createdAt: createdAt + Math.floor(r() * 3_600_000),
        node: `node-${1 + Math.floor(r() * 24)}`,
        deployment: name,
        cpuMilli: Math.floor(5 + r() * 900),
        memoryBytes: Math.floor((64 + r() * 900) * 1024 * 1024),
      });
    }
    const ready = pods.filter((p) => p.deployment === name && p.namespace === namespace && p.healthy).length;
    deployments.push({
      key: `${namespace}/${name}`,
      namespace,
      name,
      desired: replicas,
      ready,
      updated: replicas,
      available: ready,
      images: [`registry.example.com/${name}:v1.${Math.floor(r() * 40)}.${Math.floor(r() * 10)}`],
      revision: 1 + Math.floor(r() * 30),
      lastRolloutAt: createdAt,
      paused: false,
      rolling: false,
      failedReason: null,
      uid: `uid-${d}`,
    });
  }
  const events: EventRow[] = [];
  for (let i = 0; i < 60; i++) {
    const p = pods[Math.floor(r() * pods.length)];
    const warn = r() < 0.4;
    events.push({
      key: `${p.namespace}/ev-${i}`,
      namespace: p.namespace,
      type: warn ? 'Warning' : 'Normal',
      reason: warn ? 'BackOff' : 'Pulled',
      object: `pod/${p.name}`,
      message: warn ? 'Back-off restarting failed container app in pod' : `Container image "${p.deployment}:v1" already present on machine`,
      count: 1 + Math.floor(r() * 30),
      lastAt: now - Math.floor(r() * 1_800_000),
    });
  }
  const kube: KubeData = {
    context: 'bench-cluster',
    cluster: 'bench',
    namespaces: NAMESPACES,
    allNamespaces: false,
    pods,
    deployments,
    events,
    metricsAvailable: true,
  };

  const series = (base: number, spread: number) => Array.from({ length: 30 }, () => Math.max(0, base + (r() - 0.5) * spread));
  const services: ServiceSignals[] = APPS.slice(0, 6).map((name, i) => ({
    name,
    errorRate: i === 0 ? 0.072 : 0.001 + r() * 0.01,
    p95Seconds: 0.08 + r() * 0.6,
    requestRate: 50 + r() * 900,
    requestRateHourAgo: 50 + r() * 900,
    errorRateSeries: series(i === 0 ? 0.06 : 0.004, 0.01),
    latencySeries: series(0.3, 0.2),
    problems: [],
    updatedAt: now,
  }));
  const alerts: AlertRow[] = [
    ['HighErrorRate', 'critical', 'checkout 5xx above 5%'],
    ['PodCrashLooping', 'warning', 'a pod is crash looping'],
    ['KubeDeploymentReplicasMismatch', 'warning', 'deployment has not matched the expected number of replicas'],
    ['PostgresConnectionsHigh', 'info', 'connections above 80% of max_connections'],
  ].map(([name, severity, summary], i) => ({
    fingerprint: `fp${i}`,
    name,
    state: 'firing' as const,
    severity,
    labels: { alertname: name, severity, namespace: 'shop' },
    summary,
    description: null,
    runbookUrl: null,
    activeAt: now - (i + 1) * 240_000,
    firstSeenAt: now - (i + 1) * 240_000,
    resolvedAt: null,
    silenced: false,
    inhibited: false,
    silenceEndsAt: null,
  }));
  const prom: PromData = { alerts, services, alertmanager: true };

  const postgres: PostgresData = {
    databases: [
      {
        ...emptyPgDatabase('orders-db', '10.0.0.12:5432/orders'),
        status: 'ok',
        error: null,
        updatedAt: now,
        maxConnections: 200,
        byState: { active: 14, idle: 96, idleInTransaction: 3, idleInTransactionAborted: 0, waiting: 2, other: 0 },
        total: 115,
        longest: Array.from({ length: 8 }, (_, i) => ({
          pid: 41000 + i,
          user: 'app',
          application: APPS[i],
          state: i < 2 ? 'idle in transaction' : 'active',
          durationMs: 90_000 / (i + 1),
          waiting: i === 3,
          query: `SELECT o.id, o.total FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.customer_id = $${i + 1}`,
        })),
        ungrantedLocks: 2,
        blocking: [{ blockedPid: 41003, blockingPid: 41000, blockedQuery: 'UPDATE orders SET status = $1 WHERE id = $2', blockingQuery: 'UPDATE orders SET total = total + $1 WHERE id = $2', waitMs: 12_000 }],
        topStatements: Array.from({ length: 5 }, (_, i) => ({ query: `SELECT * FROM table_${i} WHERE id = $1`, calls: 10_000 * (5 - i), totalMs: 90_000 / (i + 1), meanMs: 2.1 * (i + 1) })),
      },
    ],
  };
  const redis: RedisData = {
    instances: [
      {
        ...emptyRedisInstance('sessions', '10.0.0.20:6379'),
        status: 'ok',
        error: null,
        updatedAt: now,
        nodes: [
          { address: '10.0.0.20:6379', role: 'master', pingMs: 0.4, usedMemory: 812 * 1024 * 1024, maxMemory: 1024 * 1024 * 1024, connectedClients: 212, blockedClients: 0, evictedPerSec: 0, opsPerSec: 8400, linkStatus: null, connectedReplicas: 1, error: null },
          { address: '10.0.0.21:6379', role: 'replica', pingMs: 0.5, usedMemory: 810 * 1024 * 1024, maxMemory: 1024 * 1024 * 1024, connectedClients: 12, blockedClients: 0, evictedPerSec: 0, opsPerSec: 300, linkStatus: 'up', connectedReplicas: null, error: null },
        ],
      },
    ],
  };
  return { kube, prom, postgres, redis };
}
