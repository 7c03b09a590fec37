// Each scenario, run headless at high speed against the real simulators (and the real Postgres
// and Redis where the scenario needs them): its signals cross the thresholds it promises, and
// the cure it names, applied with the real kubectl through the Kubernetes API, ends it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startDrill, type DrillEnv } from '../../src/sim/drill.js';
import { tempDir, waitFor } from '../helpers/net.js';
import { groupedErrorRateQuery, groupedLatencyP95Query, RATE_WINDOW } from '../../src/sources/prometheus/queries.js';

const run = promisify(execFile);
const SPEED = 60;

async function kubectl(env: DrillEnv, ...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', ['--kubeconfig', env.kubeconfigPath, '-n', 'shop', ...args], { timeout: 20_000 });
  return stdout;
}

async function instant(env: DrillEnv, query: string): Promise<number> {
  const res = await fetch(`${env.prom.url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as any;
  assert.equal(body.status, 'success', `query failed: ${JSON.stringify(body)}`);
  const v = body.data.result[0]?.value?.[1];
  return v === undefined ? NaN : Number(v);
}

const errorRatio = (svc: string) => `sum(rate(http_requests_total{service="${svc}",status=~"5.."}[5m])) / sum(rate(http_requests_total{service="${svc}"}[5m]))`;
const p95 = (svc: string) => `histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket{service="${svc}"}[5m])) by (le))`;

/** The state of an alert in /api/v1/alerts (null when not pending or firing). */
async function alertState(env: DrillEnv, name: string, service?: string): Promise<string | null> {
  const body = (await (await fetch(`${env.prom.url}/api/v1/alerts`)).json()) as any;
  const a = body.data.alerts.find((x: any) => x.labels.alertname === name && (service === undefined || x.labels.service === service));
  return a?.state ?? null;
}

async function pods(env: DrillEnv, app: string): Promise<any[]> {
  return JSON.parse(await kubectl(env, 'get', 'pods', '-l', `app=${app}`, '-o', 'json')).items;
}

async function drill(t: { after: (fn: () => Promise<void>) => void }, scenario: string, parts: { postgres?: boolean; redis?: boolean } = {}): Promise<DrillEnv> {
  const env = await startDrill({ scenario, speed: SPEED, seed: 1, dir: tempDir(`warroom-${scenario}-`), postgres: parts.postgres ?? false, redis: parts.redis ?? false });
  t.after(() => env.stop());
  assert.deepEqual(env.warnings, [], `the drill started with warnings: ${env.warnings.join('; ')}`);
  return env;
}

const WAIT = { timeoutMs: 25_000, intervalMs: 200 };

/**
 * The pane's figure agrees with a firing alert: the pane's own query (the default 1m window, as
 * the cockpit sends it), evaluated at the rule's last evaluation, is past the rule's threshold.
 */
async function assertPaneAgrees(env: DrillEnv, alert: string, service: string, threshold: number) {
  const body = (await (await fetch(`${env.prom.url}/api/v1/rules`)).json()) as any;
  const rule = body.data.groups.flatMap((g: any) => g.rules).find((r: any) => r.name === alert && r.labels.service === service);
  assert.equal(rule?.state, 'firing', `${alert} on ${service} is firing`);
  const at = Date.parse(rule.lastEvaluation) / 1000;
  const query = alert === 'HighErrorRate' ? groupedErrorRateQuery([service]) : groupedLatencyP95Query([service]);
  const res = (await (await fetch(`${env.prom.url}/api/v1/query?query=${encodeURIComponent(query)}&time=${at}`)).json()) as any;
  const pane = Number(res.data.result.find((r: any) => r.metric.service === service)?.value?.[1]);
  assert.ok(pane > threshold, `${alert} fired while the pane's ${RATE_WINDOW} figure was ${pane} (threshold ${threshold})`);
  assert.ok(Math.abs(Number(rule.alerts[0].value) - pane) < 1e-9, `the alert's own value (${rule.alerts[0].value}) is the pane's figure (${pane})`);
}

/** The logs of one pod of the app, as `kubectl logs` prints them (`--previous` for the crashed container). */
async function podLogs(env: DrillEnv, pod: string, previous = false): Promise<string> {
  return kubectl(env, 'logs', pod, ...(previous ? ['--previous'] : []));
}

describe('drill scenarios', { concurrency: 2 }, () => {
  test('bad-deploy: 5xx near 45% and crash-looping pods; rollout undo cures it', async (t) => {
    const env = await drill(t, 'bad-deploy');
    await waitFor(async () => (await alertState(env, 'HighErrorRate', 'api')) === 'firing', { ...WAIT, what: 'HighErrorRate on api firing' });
    await waitFor(async () => (await instant(env, errorRatio('api'))) > 0.3, { ...WAIT, what: 'api error ratio above 30%' });
    await waitFor(async () => (await alertState(env, 'KubePodCrashLooping')) === 'firing', { ...WAIT, what: 'KubePodCrashLooping firing' });
    const crashing = (await pods(env, 'api')).filter((p) => p.status.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff');
    assert.ok(crashing.length > 0, 'some api pods are in CrashLoopBackOff');
    assert.ok(
      crashing.every((p) => p.spec.containers[0].image.endsWith(':2.4.1')),
      'the crash-looping pods run the new image',
    );
    const history = await kubectl(env, 'rollout', 'history', 'deploy/api');
    assert.match(history, /deploy api v2\.4\.1 \(CI #4821\)/);
    await assertPaneAgrees(env, 'HighErrorRate', 'api', 0.05);
    // The clue the description names: the crashed containers died on the TypeError in the pricing code.
    const previous = await waitFor(
      async () => {
        for (const p of crashing) {
          const text = await podLogs(env, p.metadata.name, true).catch(() => '');
          if (text.includes('TypeError')) return text;
        }
        return null;
      },
      { ...WAIT, what: 'a crashed api container logged the TypeError' },
    );
    assert.match(previous, /TypeError: Cannot read properties of undefined \(reading 'currency'\)[\s\S]*PriceService\.quote/);
    assert.doesNotMatch(previous, /connection refused|:5432|panic:|nil pointer/, 'nothing sends the responder to the database');

    await kubectl(env, 'rollout', 'undo', 'deploy/api');
    await waitFor(async () => (await alertState(env, 'HighErrorRate', 'api')) === null, { ...WAIT, what: 'HighErrorRate on api resolved' });
    await waitFor(async () => (await alertState(env, 'KubePodCrashLooping')) === null, { ...WAIT, what: 'KubePodCrashLooping resolved' });
    await waitFor(async () => (await instant(env, errorRatio('api'))) < 0.05, { ...WAIT, what: 'api error ratio back under 5%' });
    const after = await pods(env, 'api');
    assert.ok(
      after.every((p) => p.spec.containers[0].image.endsWith(':2.4.0')),
      'api runs 2.4.0 again',
    );
  });

  test('db-pool-exhaustion: real Postgres sessions climb near max_connections; rollout restart frees them', async (t) => {
    const env = await drill(t, 'db-pool-exhaustion', { postgres: true });
    assert.ok(env.postgres, 'the drill runs a real Postgres');
    const client = new pg.Client({ connectionString: env.postgres.url, application_name: 'drill-test' });
    client.on('error', () => {});
    await client.connect();
    t.after(() => client.end().catch(() => {}));
    const appSessions = async () => Number((await client.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'drill-app'`)).rows[0].n);
    const max = Number((await client.query('SHOW max_connections')).rows[0].max_connections);

    await waitFor(async () => (await alertState(env, 'PostgresConnectionsHigh')) === 'firing', { ...WAIT, what: 'PostgresConnectionsHigh firing' });
    await waitFor(async () => (await appSessions()) >= 0.85 * max, { ...WAIT, what: `drill-app sessions near max_connections (${max})` });
    const idleInTx = Number((await client.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'drill-app' AND state = 'idle in transaction'`)).rows[0].n);
    assert.ok(idleInTx >= 0.5 * max, `most leaked sessions are idle in transaction (${idleInTx})`);
    await waitFor(async () => (await alertState(env, 'HighErrorRate', 'api')) === 'firing', { ...WAIT, what: 'errors follow: HighErrorRate on api' });
    await assertPaneAgrees(env, 'HighErrorRate', 'api', 0.05);
    const apiPod = (await pods(env, 'api')).find((p) => p.status.phase === 'Running')!;
    await waitFor(async () => /pg pool: timeout acquiring connection/.test(await podLogs(env, apiPod.metadata.name)), { ...WAIT, what: 'the api logs show pool timeouts' });
    assert.match(await kubectl(env, 'rollout', 'history', 'deploy/api'), /v2\.5\.0/, 'the rollout history shows the deploy');

    await kubectl(env, 'rollout', 'restart', 'deploy/api');
    await waitFor(async () => (await appSessions()) < 0.3 * max, { ...WAIT, what: 'sessions freed after the restart' });
    await waitFor(async () => (await alertState(env, 'PostgresConnectionsHigh')) === null, { ...WAIT, what: 'PostgresConnectionsHigh resolved' });
    await waitFor(async () => (await alertState(env, 'HighErrorRate', 'api')) === null, { ...WAIT, what: 'HighErrorRate on api resolved' });
  });

  test('memory-leak: checkout pods OOMKilled with rising restarts; rollout undo cures it', async (t) => {
    const env = await drill(t, 'memory-leak');
    await waitFor(async () => (await alertState(env, 'KubePodCrashLooping')) === 'firing', { ...WAIT, timeoutMs: 40_000, what: 'KubePodCrashLooping firing' });
    const leaking = await pods(env, 'checkout');
    assert.ok(
      leaking.some((p) => p.status.containerStatuses?.[0]?.lastState?.terminated?.reason === 'OOMKilled'),
      'a checkout pod was OOMKilled',
    );
    assert.ok(
      leaking.some((p) => p.status.containerStatuses[0].restartCount >= 2),
      'restarts are rising',
    );
    assert.match(await kubectl(env, 'rollout', 'history', 'deploy/checkout'), /v1\.19\.0/, 'the deploy is in the rollout history');

    await kubectl(env, 'rollout', 'undo', 'deploy/checkout');
    await waitFor(async () => (await alertState(env, 'KubePodCrashLooping')) === null, { ...WAIT, what: 'KubePodCrashLooping resolved' });
    const after = await pods(env, 'checkout');
    assert.ok(
      after.every((p) => p.spec.containers[0].image.endsWith(':1.18.2') && p.status.containerStatuses[0].restartCount === 0),
      'checkout runs 1.18.2 with no restarts',
    );
  });

  test('redis-outage: real Redis stops answering and latency climbs; restarting redis recovers it', async (t) => {
    const env = await drill(t, 'redis-outage', { redis: true });
    assert.ok(env.redis, 'the drill runs Redis');
    const ping = async () => {
      const r = new Redis(env.redis!.url, { lazyConnect: true, connectTimeout: 500, commandTimeout: 500, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => {});
      try {
        await r.connect();
        return (await r.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        r.disconnect();
      }
    };
    assert.equal(await ping(), true, 'Redis answers before the outage');
    await waitFor(async () => (await alertState(env, 'RedisDown')) === 'firing', { ...WAIT, what: 'RedisDown firing' });
    assert.equal(await ping(), false, 'Redis does not answer during the outage');
    await waitFor(async () => (await alertState(env, 'HighLatencyP95', 'api')) === 'firing', { ...WAIT, what: 'HighLatencyP95 on api firing' });
    await waitFor(async () => (await instant(env, p95('api'))) > 2, { ...WAIT, what: 'api p95 above 2 s' });
    await assertPaneAgrees(env, 'HighLatencyP95', 'api', 2);
    // The clue: healthy api pods whose logs show ioredis timing out, and requests failing with it.
    const api = await pods(env, 'api');
    assert.ok(
      api.every((p) => p.status.containerStatuses[0].ready && p.status.containerStatuses[0].restartCount === 0),
      'the api pods are healthy',
    );
    const apiLogs = await waitFor(
      async () => {
        const text = await podLogs(env, api[0]!.metadata.name);
        return /Connection timeout/.test(text) && / 500 /.test(text) ? text : null;
      },
      { ...WAIT, what: 'api logs with ioredis Connection timeout errors and 500s' },
    );
    assert.match(apiLogs, /\[ioredis\] Unhandled error event: Error: Connection timeout/);

    await kubectl(env, 'rollout', 'restart', 'deploy/redis');
    await waitFor(ping, { ...WAIT, what: 'Redis answers again' });
    await waitFor(async () => (await alertState(env, 'RedisDown')) === null, { ...WAIT, what: 'RedisDown resolved' });
    await waitFor(async () => (await alertState(env, 'HighLatencyP95', 'api')) === null, { ...WAIT, what: 'HighLatencyP95 on api resolved' });
  });

  test('latency-spike: p95 above 5 s under a surge; scaling api out cures it', async (t) => {
    const env = await drill(t, 'latency-spike');
    await waitFor(async () => (await instant(env, p95('api'))) > 5, { ...WAIT, what: 'api p95 above 5 s' });
    await waitFor(async () => (await alertState(env, 'HighLatencyP95', 'api')) === 'firing', { ...WAIT, what: 'HighLatencyP95 on api firing' });
    const rate = await instant(env, 'sum(rate(http_requests_total{service="api"}[5m]))');
    const hourAgo = await instant(env, 'sum(rate(http_requests_total{service="api"}[5m] offset 1h))');
    assert.ok(rate > 2.5 * hourAgo, `traffic is well above an hour ago (${rate.toFixed(0)} vs ${hourAgo.toFixed(0)} rps)`);
    await assertPaneAgrees(env, 'HighLatencyP95', 'api', 2);
    // Nothing was deployed and no pod is unhealthy.
    assert.doesNotMatch(await kubectl(env, 'rollout', 'history', 'deploy/api'), /^2\s/m, 'api has a single revision');
    assert.ok(
      (await pods(env, 'api')).every((p) => p.status.containerStatuses[0].ready),
      'every api pod is ready',
    );

    await kubectl(env, 'scale', 'deploy/api', '--replicas=10');
    await waitFor(async () => (await alertState(env, 'HighLatencyP95', 'api')) === null, { ...WAIT, what: 'HighLatencyP95 on api resolved' });
    await waitFor(async () => (await instant(env, p95('api'))) < 2, { ...WAIT, what: 'api p95 back under 2 s' });
    assert.equal(env.engine.output().world.services.api!.p95Seconds < 0.5, true, 'with 10 replicas the api is comfortable');
  });
});
