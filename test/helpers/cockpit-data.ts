// Realistic cockpit data for the terminal-output tests (a few namespaces, a crashing pod,
// alerts, services, Postgres and Redis), and a cockpit filled with it.
import { createCockpit, initialState, type Cockpit } from '../../src/store/store.js';
import { buildKeymap } from '../../src/keys/bindings.js';
import { ActionRunner } from '../../src/actions/runner.js';
import type { ActionEnv } from '../../src/actions/types.js';
import { dialogInteraction } from '../../src/ui/dialogs/dialogs.js';
import { createController } from '../../src/ui/controller.js';
import { defaultConfig } from '../../src/config/schema.js';
import type { SourceSlice } from '../../src/sources/types.js';
import type { KubeData, PodRow, DeploymentRow, EventRow } from '../../src/sources/kube/types.js';
import type { PromData, AlertRow, ServiceSignals } from '../../src/sources/prometheus/types.js';
import { emptyPgDatabase, type PostgresData } from '../../src/sources/postgres/types.js';
import { emptyRedisInstance, type RedisData } from '../../src/sources/redis/types.js';
import { NOW } from './cockpit.js';

const clock = () => NOW;

// ---------------------------------------------------------------- realistic data

export function pod(ns: string, dep: string, i: number, status = 'Running', restarts = 0, now = NOW): PodRow {
  const healthy = status === 'Running';
  const name = `${dep}-5f7c9d${i % 10}b8-${'kx2pq'.slice(0, 3)}${i.toString(36).padStart(2, '0')}`;
  return {
    key: `${ns}/${name}`,
    namespace: ns,
    name,
    ready: healthy ? 1 : 0,
    containers: 1,
    status: status as PodRow['status'],
    reason: status === 'Pending' ? 'Unschedulable' : null,
    healthy,
    restarts,
    recentRestarts: healthy ? 0 : Math.min(restarts, 5),
    createdAt: now - (2 + (i % 7)) * 3600_000,
    node: `node-${1 + (i % 6)}`,
    deployment: dep,
    cpuMilli: 20 + ((i * 37) % 700),
    memoryBytes: (90 + ((i * 53) % 600)) * 1024 * 1024,
    cpuLimitMilli: 1000,
    memoryLimitBytes: 768 * 1024 * 1024,
    cpuPct: (20 + ((i * 37) % 700)) / 10,
    memPct: ((90 + ((i * 53) % 600)) / 768) * 100,
    lastTermination: healthy ? null : { reason: 'OOMKilled', exitCode: 137, at: now - 4 * 60_000, container: 'app' },
  };
}

export function deployment(ns: string, name: string, replicas: number, ready: number, now = NOW): DeploymentRow {
  return {
    key: `${ns}/${name}`,
    namespace: ns,
    name,
    desired: replicas,
    ready,
    updated: replicas,
    available: ready,
    images: [`registry.example.com/${name}:v1.14.2`],
    revision: 7,
    lastRolloutAt: now - 26 * 60_000,
    paused: false,
    rolling: ready < replicas,
    failedReason: null,
    uid: `uid-${name}`,
  };
}

export function event(i: number, warn: boolean, object: string, now = NOW): EventRow {
  return {
    key: `shop/ev-${i}`,
    namespace: 'shop',
    type: warn ? 'Warning' : 'Normal',
    reason: warn ? 'BackOff' : 'Pulled',
    object,
    message: warn ? 'Back-off restarting failed container app in pod' : 'Container image "registry.example.com/api:v1.14.2" already present on machine',
    count: 1 + ((i * 7) % 20),
    lastAt: now - (12 + 3 * i) * 60_000,
  };
}

export function alert(i: number, name: string, severity: string, summary: string, now = NOW): AlertRow {
  return {
    fingerprint: `fp${i}`,
    name,
    state: 'firing',
    severity,
    labels: { alertname: name, severity, namespace: 'shop' },
    summary,
    description: null,
    runbookUrl: null,
    activeAt: now - (15 + 20 * i) * 60_000,
    firstSeenAt: now - (15 + 20 * i) * 60_000,
    resolvedAt: null,
    silenced: false,
    inhibited: false,
    silenceEndsAt: null,
  };
}

export function service(name: string, i: number, now = NOW): ServiceSignals {
  const series = (base: number, k: number) => Array.from({ length: 30 }, (_, j) => base * (1 + 0.3 * Math.sin(j / 3 + k)));
  return {
    name,
    errorRate: i === 0 ? 0.072 : 0.002 * (i + 1),
    p95Seconds: 0.12 + 0.05 * i,
    requestRate: 120 + 80 * i,
    requestRateHourAgo: 110 + 70 * i,
    errorRateSeries: series(i === 0 ? 0.06 : 0.004, i),
    latencySeries: series(0.3, i),
    problems: [],
    updatedAt: now,
  };
}

export function kubeData(now = NOW): KubeData {
  const deps = ['api', 'checkout', 'cart', 'worker'];
  const pods: PodRow[] = [];
  deps.forEach((d, di) => {
    for (let i = 0; i < 9; i++)
      pods.push(pod(di % 2 ? 'payments' : 'shop', d, di * 9 + i, d === 'api' && i === 2 ? 'CrashLoopBackOff' : 'Running', d === 'api' && i === 2 ? 14 : i % 4 === 0 ? 1 : 0, now));
  });
  const events = Array.from({ length: 14 }, (_, i) => event(i, i % 3 === 0, `pod/${pods[(i * 5) % pods.length].name}`, now));
  return {
    context: 'prod-eu-1',
    cluster: 'eu-1',
    namespaces: ['shop', 'payments'],
    allNamespaces: false,
    pods,
    deployments: deps.map((d) => deployment(d === 'cart' || d === 'api' ? 'shop' : 'payments', d, 9, d === 'api' ? 8 : 9, now)),
    events,
    metricsAvailable: true,
  };
}

export function promData(now = NOW): PromData {
  return {
    alertmanager: true,
    services: ['checkout', 'api', 'cart', 'worker'].map((n, i) => service(n, i, now)),
    alerts: [
      alert(0, 'HighErrorRate', 'critical', 'checkout 5xx above 5%', now),
      alert(1, 'PodCrashLooping', 'warning', 'checkout pod is crash looping', now),
      alert(2, 'PostgresConnectionsHigh', 'info', 'connections above 80% of max_connections', now),
    ],
  };
}

export function postgresData(now = NOW): PostgresData {
  return {
    databases: [
      {
        ...emptyPgDatabase('orders-db', '10.0.0.12:5432/orders'),
        status: 'ok',
        updatedAt: now,
        maxConnections: 200,
        byState: { active: 14, idle: 96, idleInTransaction: 3, idleInTransactionAborted: 0, waiting: 2, other: 0 },
        total: 115,
        longest: Array.from({ length: 6 }, (_, i) => ({
          pid: 41000 + i,
          user: 'app',
          application: ['checkout', 'api', 'cart', 'worker', 'auth', 'ledger'][i],
          state: i < 2 ? 'idle in transaction' : 'active',
          durationMs: 90_000 / (i + 1),
          waiting: i === 3,
          query: `SELECT o.id, o.total FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.customer_id = $${i + 1}`,
        })),
        ungrantedLocks: 2,
        blocking: [
          {
            blockedPid: 41003,
            blockingPid: 41000,
            blockedQuery: 'UPDATE orders SET status = $1 WHERE id = $2',
            blockingQuery: 'UPDATE orders SET total = total + $1 WHERE id = $2',
            waitMs: 12_000,
          },
        ],
        topStatements: Array.from({ length: 4 }, (_, i) => ({
          query: `SELECT * FROM table_${i} WHERE id = $1`,
          calls: 10_000 * (4 - i),
          totalMs: 90_000 / (i + 1),
          meanMs: 2.1 * (i + 1),
        })),
      },
    ],
  };
}

export function redisData(now = NOW): RedisData {
  const mb = 1024 * 1024;
  return {
    instances: [
      {
        ...emptyRedisInstance('sessions', '10.0.0.20:6379'),
        status: 'ok',
        updatedAt: now,
        nodes: [
          {
            address: '10.0.0.20:6379',
            role: 'master',
            pingMs: 0.4,
            usedMemory: 812 * mb,
            maxMemory: 1024 * mb,
            connectedClients: 212,
            blockedClients: 0,
            evictedPerSec: 0,
            opsPerSec: 8400,
            linkStatus: null,
            connectedReplicas: 1,
            error: null,
          },
          {
            address: '10.0.0.21:6379',
            role: 'replica',
            pingMs: 0.5,
            usedMemory: 810 * mb,
            maxMemory: 1024 * mb,
            connectedClients: 12,
            blockedClients: 0,
            evictedPerSec: 0,
            opsPerSec: 300,
            linkStatus: 'up',
            connectedReplicas: null,
            error: null,
          },
        ],
      },
    ],
  };
}

// ---------------------------------------------------------------- the cockpit in a terminal

/** Fills the cockpit's slices as the sources would, with data stamped relative to `now`. */
export function fill(cockpit: Cockpit, now = NOW): void {
  const ok =
    <T>(data: T) =>
    (prev: SourceSlice<T>): SourceSlice<T> => ({ ...prev, status: 'ok', updatedAt: now, error: null, data });
  cockpit.publisher('kube')(ok(kubeData(now)));
  cockpit.publisher('prom')(ok(promData(now)));
  cockpit.publisher('postgres')(ok(postgresData(now)));
  cockpit.publisher('redis')(ok(redisData(now)));
  cockpit.flush();
}

export function cockpitWithData(): { cockpit: Cockpit; controller: ReturnType<typeof createController>; keymap: ReturnType<typeof buildKeymap>; runner: ActionRunner } {
  const cockpit = createCockpit(initialState({ theme: 'dark', severity: defaultConfig().severity }));
  fill(cockpit);
  const keymap = buildKeymap({});
  const env: ActionEnv = { context: 'prod-eu-1', readOnly: false, drill: false, recorder: { record: () => {} }, services: {} };
  const runner = new ActionRunner(env, dialogInteraction(cockpit), { productionContexts: [] });
  const controller = createController({ cockpit, keymap, runner, services: {}, exit: () => {}, now: clock, dataNow: clock });
  return { cockpit, controller, keymap, runner };
}
