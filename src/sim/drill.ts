// The drill environment: every simulator on loopback, a scenario engine driving them, and a
// warroom config pointing at them. Kubernetes and Prometheus always run; Postgres and Redis
// are real servers when they can start, otherwise the drill continues without them and says so.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { KubeSim } from './kube/index.js';
import { PromSim } from './prometheus/sim.js';
import { AlertmanagerSim } from './alertmanager/sim.js';
import { DRILL_CONTEXT } from './drill-context.js';
import { startDrillPostgres, type DrillPostgres } from './postgres/index.js';
import { startDrillRedis, type DrillRedis } from './redis/index.js';
import { SCENARIOS, getScenario, scenarioInfo, type ScenarioInfo } from './scenarios/index.js';
import { ScenarioEngine } from './scenarios/engine.js';
import { startDrillPaging, type DrillPaging } from './pagerduty/drill.js';

export type { ScenarioInfo } from './scenarios/index.js';
export type { DrillPostgres } from './postgres/index.js';
export type { DrillRedis } from './redis/index.js';

export interface DrillOptions {
  scenario: string;
  /** Sim seconds per real second; default 1 (a drill of ~10–15 minutes). */
  speed?: number;
  /** Makes a run repeatable; default a random seed from the clock. */
  seed?: number;
  /** Where kubeconfig, data and the dry-run sink file go; default a new temp dir, removed by stop(). */
  dir?: string;
  kubePort?: number;
  promPort?: number;
  /** Start a real Postgres (default true). */
  postgres?: boolean;
  /** Start a real Redis or the RESP simulator (default true). */
  redis?: boolean;
  log?: (m: string) => void;
}

export interface DrillEnv {
  scenario: ScenarioInfo;
  kube: KubeSim;
  prom: PromSim;
  /** Alertmanager (v2 API, silences) fed by the drill's Prometheus: `x` works in a drill. */
  alertmanager: AlertmanagerSim;
  redis: DrillRedis | null;
  postgres: DrillPostgres | null;
  /** The PagerDuty and Slack simulators. */
  paging: DrillPaging;
  engine: ScenarioEngine;
  seed: number;
  speed: number;
  dir: string;
  /** Problems starting optional parts ("Postgres not available: …"), for the cockpit to show. */
  warnings: string[];
  /** A warroom config (valid for configSchema) pointing at the simulators. Holds the real Postgres URL. */
  config: Record<string, unknown>;
  kubeconfigPath: string;
  /** Secret values in `config` and the kubeconfig (Postgres password, sim tokens), to mask in logs. */
  secrets: string[];
  /**
   * Writes kubeconfig, warroom.yaml and drill.env into `dir`. The Postgres password appears in
   * warroom.yaml as ${WARROOM_DRILL_PG_PASSWORD}; drill.env (mode 0600) exports it.
   */
  writeConfig(dir: string): { kubeconfig: string; config: string; env: string };
  /** Human-readable lines: where each simulator listens (warnings are separate). No passwords. */
  /** What runs where; `configDir`: where writeConfig writes (its config's dry-run file is there). */
  describe(configDir?: string): string[];
  stop(): Promise<void>;
}

export { DRILL_CONTEXT };
export const PG_PASSWORD_ENV = 'WARROOM_DRILL_PG_PASSWORD';

export function listScenarios(): ScenarioInfo[] {
  return SCENARIOS.map(scenarioInfo);
}

/** host:port/db of a URL, without credentials. */
function safeAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return '(unparseable url)';
  }
}

function writePrivate(file: string, text: string): void {
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function startDrill(opts: DrillOptions): Promise<DrillEnv> {
  const scenario = getScenario(opts.scenario);
  const speed = opts.speed && opts.speed > 0 ? opts.speed : 1;
  const seed = opts.seed ?? Date.now() % 2_147_483_647;
  const log = opts.log ?? (() => {});
  const ownDir = !opts.dir;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'warroom-drill-'));
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const warnings: string[] = [];

  const kube = new KubeSim({ speed, seed });
  const engine = new ScenarioEngine({ scenario, kube, speed, seed, log });
  engine.setup();
  const prom = new PromSim({ world: () => engine.world(), rules: scenario.rules, speed, now: () => kube.now() });
  const alertmanager = new AlertmanagerSim({ alerts: () => prom.firingAlerts() });
  let postgres: DrillPostgres | null = null;
  let redis: DrillRedis | null = null;
  let paging: DrillPaging | null = null;

  const stopAll = async () => {
    engine.stop();
    await Promise.allSettled([prom.stop(), alertmanager.stop(), kube.stop(), postgres?.stop(), redis?.stop(), paging?.stop()]);
    // A temp dir of our own goes too; a caller's dir keeps its files (kubeconfig, updates.jsonl).
    if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    await kube.start({ port: opts.kubePort });
    await prom.start({ port: opts.promPort });
    await alertmanager.start();
    // As the Prometheus operator names them, so `warroom init` finds them through the API server.
    kube.addService('monitoring', 'prometheus-operated', [{ name: 'web', port: 9090 }], prom.url);
    kube.addService('monitoring', 'alertmanager-operated', [{ name: 'web', port: 9093 }], alertmanager.url);
    paging = await startDrillPaging({ services: Object.keys(scenario.services), promUrl: prom.url, log });
    const sub = (name: string) => {
      const d = path.join(dir, name);
      fs.mkdirSync(d, { recursive: true });
      return d;
    };
    const [pg, rd] = await Promise.allSettled([
      opts.postgres === false
        ? null
        : (async () => {
            // As root, Postgres runs as another user, who must be able to traverse the drill folder.
            if (process.getuid?.() === 0) fs.chmodSync(dir, fs.statSync(dir).mode | 0o111);
            return startDrillPostgres({ dir: sub('postgres'), log });
          })(),
      opts.redis === false ? null : (async () => startDrillRedis({ dir: sub('redis'), log }))(),
    ]);
    if (pg.status === 'fulfilled') postgres = pg.value;
    else {
      const m = message(pg.reason);
      warnings.push(m.startsWith('Postgres not available') ? m : `Postgres not available: ${m}`);
    }
    if (rd.status === 'fulfilled') redis = rd.value;
    else warnings.push(`Redis not available: ${message(rd.reason)}`);
    if (scenario.uses.postgres && !postgres) warnings.push(`${scenario.name}: without Postgres the database side of this drill shows only in Prometheus metrics`);
    if (scenario.uses.redis && !redis) warnings.push(`${scenario.name}: without Redis the outage shows only in Prometheus metrics`);
  } catch (e) {
    await stopAll();
    throw e;
  }

  engine.attach({ postgres, redis });
  engine.start();
  log(`drill ${scenario.name} started (speed ${speed}, seed ${seed})`);

  const ns = scenario.namespace;
  const kubeconfigText = () => kube.kubeconfig({ context: DRILL_CONTEXT, namespace: ns });
  const kubeconfigPath = path.join(dir, 'kubeconfig');
  writePrivate(kubeconfigPath, kubeconfigText());

  const buildConfig = (kubeconfig: string, pgUrl: (url: string) => string, sinkDir: string): Record<string, unknown> => ({
    kube: { kubeconfig, context: DRILL_CONTEXT, namespaces: [ns] },
    prometheus: {
      url: prom.url,
      alertmanagerUrl: alertmanager.url,
      services: Object.entries(scenario.services).map(([name, s]) => ({ name, deployments: [s.deployment], namespace: ns, ...(s.publicName ? { publicName: s.publicName } : {}) })),
    },
    postgres: postgres ? [{ name: 'drill-postgres', url: pgUrl(postgres.url) }] : [],
    redis: redis ? [{ name: 'drill-redis', url: redis.url }] : [],
    // A war room practises the public wording too.
    sinks: { dryRun: { path: path.join(sinkDir, 'updates.jsonl'), public: true } },
    paging: paging!.config,
    productionContexts: [],
  });

  const config = buildConfig(kubeconfigPath, (u) => u, dir);
  let stopping: Promise<void> | null = null;

  const env: DrillEnv = {
    scenario: scenarioInfo(scenario),
    kube,
    prom,
    alertmanager,
    redis,
    postgres,
    paging: paging!,
    engine,
    seed,
    speed,
    dir,
    warnings,
    config,
    kubeconfigPath,
    secrets: [postgres ? decodeURIComponent(new URL(postgres.url).password) : '', kube.token('admin'), kube.token('viewer'), ...paging!.secrets].filter((x) => x.length >= 3),
    writeConfig(outDir) {
      fs.mkdirSync(outDir, { recursive: true });
      const kc = path.resolve(outDir, 'kubeconfig');
      const cfg = path.resolve(outDir, 'warroom.yaml');
      const envFile = path.resolve(outDir, 'drill.env');
      writePrivate(kc, kubeconfigText());
      let password = '';
      const templated = buildConfig(
        kc,
        (url) => {
          const u = new URL(url);
          password = decodeURIComponent(u.password);
          if (!u.password) return url;
          return `${u.protocol}//${u.username}:\${${PG_PASSWORD_ENV}}@${u.host}${u.pathname}${u.search}`;
        },
        path.resolve(outDir),
      );
      const header = `# warroom config for the drill "${scenario.name}" (written by warroom sim).\n# The Postgres password comes from ${PG_PASSWORD_ENV}: run \`. ${envFile}\` first.\n`;
      writePrivate(cfg, header + stringify(templated));
      const quoted = `'${password.replace(/'/g, `'\\''`)}'`;
      writePrivate(envFile, `# Source this file before starting warroom with ${cfg}\nexport ${PG_PASSWORD_ENV}=${quoted}\nexport KUBECONFIG=${kc}\n`);
      return { kubeconfig: kc, config: cfg, env: envFile };
    },
    describe(configDir) {
      const lines = [
        `Scenario    ${scenario.name}: ${scenario.title} (speed ×${speed}, seed ${seed})`,
        `Kubernetes  ${kube.httpsUrl}  kubeconfig ${kubeconfigPath}  context ${DRILL_CONTEXT}  namespace ${ns}`,
        `Prometheus  ${prom.url}`,
        `Alertmanager ${alertmanager.url}  (v2 API: silences work)`,
        postgres ? `Postgres    ${safeAddress(postgres.url)}  (max_connections ${postgres.maxConnections})` : 'Postgres    not running',
        redis ? `Redis       ${safeAddress(redis.url)}  (${redis.kind})` : 'Redis       not running',
        `Updates     dry-run (internal and public text) to ${path.join(configDir ?? dir, 'updates.jsonl')}`,
        `PagerDuty   ${paging!.pagerduty.url}  (REST v2 and Events v2; pages for firing alerts)`,
        `Slack       ${paging!.slack.apiUrl}  (Web API; cockpits on this config share the incident channel, announced in #incidents)`,
      ];
      return lines;
    },
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };
  return env;
}
