// A steady simulated environment for the idle figures: the project's Kubernetes and Prometheus
// simulators with nothing scripted to happen, a real Postgres and a real Redis (or the RESP
// simulator), each with a way to count what warroom asks of it. Writes a warroom config for it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type http from 'node:http';
import pg from 'pg';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { KubeSim } from '../../src/sim/kube/index.js';
import { PromSim, type PromWorld } from '../../src/sim/prometheus/sim.js';
import { startDrillPostgres, type DrillPostgres } from '../../src/sim/postgres/index.js';
import { startDrillRedis, type DrillRedis } from '../../src/sim/redis/index.js';
import { kubeKind, type KubeKind } from './classify.js';

export { kubeKind, type KubeKind } from './classify.js';

export const NAMESPACE = 'shop';
export const PG_PASSWORD_ENV = 'WARROOM_BENCH_PG_PASSWORD';
const APPS = ['checkout', 'cart', 'catalog', 'search', 'api-gateway', 'auth', 'payments', 'notifier', 'worker', 'orders'];

export interface Counters {
  kube: Record<KubeKind, number>;
}

export interface BenchBackends {
  dir: string;
  configPath: string;
  /** Environment for a warroom started on this config (the Postgres password, XDG dirs). */
  env: NodeJS.ProcessEnv;
  kube: KubeSim;
  prom: PromSim;
  postgres: DrillPostgres | null;
  redis: DrillRedis | null;
  warnings: string[];
  counters: Counters;
  /** A snapshot of every counter, including Postgres statements and Redis commands (null when not running). */
  snapshot(): Promise<{ kube: Record<KubeKind, number>; prom: Record<string, number>; pgStatements: number | null; pgXacts: number | null; redisCommands: number | null }>;
  /** Some pod of the environment (for the "one pod changes" figure). */
  somePod(): { namespace: string; name: string };
  stop(): Promise<void>;
}

const steadyWorld: PromWorld = {
  services: Object.fromEntries(APPS.map((a, i) => [a, { rps: 40 + 15 * i, errorRatio: 0.002, p95Seconds: 0.12 + 0.01 * i }])),
};

export async function startBackends(opts: { podsPerDeployment: number; log?: (m: string) => void }): Promise<BenchBackends> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warroom-bench-'));
  fs.chmodSync(dir, 0o755); // the Postgres server user must be able to enter it
  for (const sub of ['postgres', 'redis']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const warnings: string[] = [];
  const counters: Counters = { kube: { list: 0, watch: 0, get: 0, metrics: 0, discovery: 0, write: 0 } };

  const kube = new KubeSim({ seed: 11 });
  for (const app of APPS) kube.addDeployment({ namespace: NAMESPACE, name: app, image: `registry.example.com/${app}:v1`, replicas: opts.podsPerDeployment });
  // Kubernetes requests are counted at the simulator's handler, by kind; PromSim counts its own.
  const kubeHttp = (kube as unknown as { http: { handle(req: http.IncomingMessage, res: http.ServerResponse): void } }).http;
  const kubeHandle = kubeHttp.handle.bind(kubeHttp);
  kubeHttp.handle = (req, res) => {
    counters.kube[kubeKind(req.method ?? 'GET', req.url ?? '/')]++;
    kubeHandle(req, res);
  };
  const prom = new PromSim({ world: () => steadyWorld, rules: [] });

  let postgres: DrillPostgres | null = null;
  let redis: DrillRedis | null = null;
  try {
    await kube.start();
    await prom.start();
    const [p, r] = await Promise.allSettled([startDrillPostgres({ dir: path.join(dir, 'postgres'), log: opts.log }), startDrillRedis({ dir: path.join(dir, 'redis'), log: opts.log })]);
    if (p.status === 'fulfilled') postgres = p.value;
    else warnings.push(`Postgres: ${(p.reason as Error).message}`);
    if (r.status === 'fulfilled') redis = r.value;
    else warnings.push(`Redis: ${(r.reason as Error).message}`);
  } catch (e) {
    await Promise.allSettled([kube.stop(), prom.stop(), postgres?.stop(), redis?.stop()]);
    throw e;
  }

  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(kubeconfig, kube.kubeconfig({ context: 'bench', namespace: NAMESPACE }), { mode: 0o600 });
  let pgPassword = '';
  let pgUrl = '';
  if (postgres) {
    const u = new URL(postgres.url);
    pgPassword = decodeURIComponent(u.password);
    pgUrl = `${u.protocol}//${u.username}:\${${PG_PASSWORD_ENV}}@${u.host}${u.pathname}`;
  }
  const config = {
    kube: { kubeconfig, context: 'bench', namespaces: [NAMESPACE] },
    prometheus: { url: prom.url, services: APPS.map((a) => ({ name: a, deployments: [a], namespace: NAMESPACE })) },
    postgres: postgres ? [{ name: 'bench-postgres', url: pgUrl }] : [],
    redis: redis ? [{ name: 'bench-redis', url: redis.url }] : [],
    sinks: { dryRun: { path: path.join(dir, 'updates.jsonl') } },
    productionContexts: [],
    stateDir: path.join(dir, 'state'),
  };
  const configPath = path.join(dir, 'warroom.yaml');
  fs.writeFileSync(configPath, stringify(config), { mode: 0o600 });
  const home = path.join(dir, 'home');
  fs.mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_STATE_HOME: path.join(home, '.state'),
    TERM: 'xterm-256color',
    COLORTERM: 'truecolor',
    LANG: 'C.UTF-8',
    [PG_PASSWORD_ENV]: pgPassword,
  };

  // Counting clients, kept open so connecting does not count; marked so their own queries can be excluded.
  let pgClient: pg.Client | null = null;
  let hasStatements = false;
  if (postgres) {
    pgClient = new pg.Client({ connectionString: postgres.url, application_name: 'bench-counter' });
    pgClient.on('error', () => {});
    await pgClient.connect();
    hasStatements = (await pgClient.query(`/* bench-counter */ SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'pg_stat_statements'`)).rows[0].n > 0;
  }
  let redisClient: Redis | null = null;
  if (redis) {
    const u = new URL(redis.url);
    redisClient = new Redis({ host: u.hostname, port: Number(u.port), lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 1, disableClientInfo: true });
    redisClient.on('error', () => {});
    await redisClient.connect();
  }

  return {
    dir,
    configPath,
    env,
    kube,
    prom,
    postgres,
    redis,
    warnings,
    counters,
    async snapshot() {
      let pgStatements: number | null = null;
      let pgXacts: number | null = null;
      if (pgClient) {
        if (hasStatements) {
          const r = await pgClient.query(`/* bench-counter */ SELECT COALESCE(sum(calls), 0)::bigint AS n FROM pg_stat_statements WHERE query NOT LIKE '%bench-counter%'`);
          pgStatements = Number(r.rows[0].n);
        }
        // Each statement above is one transaction of ours; the caller's deltas subtract it.
        const x = await pgClient.query(`/* bench-counter */ SELECT sum(xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database`);
        pgXacts = Number(x.rows[0].n);
      }
      let redisCommands: number | null = null;
      if (redisClient) {
        const info = await redisClient.info('stats');
        const m = /total_commands_processed:(\d+)/.exec(info);
        redisCommands = m ? Number(m[1]) : null;
      }
      return { kube: { ...counters.kube }, prom: prom.requestCounts(), pgStatements, pgXacts, redisCommands };
    },
    somePod() {
      const pod = kube.listPods(NAMESPACE)[0];
      return { namespace: NAMESPACE, name: pod.metadata.name as string };
    },
    async stop() {
      await pgClient?.end().catch(() => {});
      redisClient?.disconnect();
      await Promise.allSettled([kube.stop(), prom.stop(), postgres?.stop(), redis?.stop()]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
