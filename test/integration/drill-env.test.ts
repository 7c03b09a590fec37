// The drill environment as `warroom sim --write-config` uses it: the written kubeconfig works
// with the real kubectl, the written config loads and points at the running simulators, the
// description lists every address (and no password), and stop() leaves no child behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { configSchema } from '../../src/config/schema.js';
import { loadConfig } from '../../src/config/load.js';
import { startDrill, PG_PASSWORD_ENV } from '../../src/sim/drill.js';
import { tempDir, waitFor } from '../helpers/net.js';

const run = promisify(execFile);

/** Every descendant process of this one, with its command name. */
function descendants(): Array<{ pid: number; comm: string }> {
  const byParent = new Map<number, Array<{ pid: number; comm: string }>>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = byParent.get(ppid) ?? [];
      list.push({ pid: Number(d), comm });
      byParent.set(ppid, list);
    } catch {
      /* gone */
    }
  }
  const out: Array<{ pid: number; comm: string }> = [];
  const walk = (pid: number) => {
    for (const c of byParent.get(pid) ?? []) {
      out.push(c);
      walk(c.pid);
    }
  };
  walk(process.pid);
  return out;
}

test('an unknown scenario is refused with the valid names', async () => {
  await assert.rejects(startDrill({ scenario: 'nope', postgres: false, redis: false }), /unknown scenario "nope".*bad-deploy.*latency-spike/);
});

test('startDrill + writeConfig: kubectl, config, description and a clean stop', async (t) => {
  const dir = tempDir('warroom-drill-env-');
  const env = await startDrill({ scenario: 'redis-outage', dir, seed: 3 });
  let stopped = false;
  t.after(async () => {
    if (!stopped) await env.stop();
  });
  assert.deepEqual(env.warnings, []);
  assert.ok(env.postgres && env.redis, 'Postgres and Redis run');

  // The in-memory config is valid and points at the simulators.
  const parsed = configSchema.parse(env.config);
  assert.equal(parsed.kube.kubeconfig, env.kubeconfigPath);
  assert.deepEqual(parsed.kube.namespaces, ['shop']);
  assert.equal(parsed.prometheus?.url, env.prom.url);
  assert.deepEqual(parsed.prometheus?.services.map((s) => s.name).sort(), ['api', 'checkout']);
  assert.equal(parsed.postgres[0]?.url, env.postgres.url);
  assert.equal(parsed.redis[0]?.url, env.redis.url);
  assert.equal(parsed.sinks.dryRun?.path, path.join(dir, 'updates.jsonl'));
  assert.deepEqual(parsed.productionContexts, []);

  // describe(): every address, never the password.
  const password = decodeURIComponent(new URL(env.postgres.url).password);
  assert.ok(password.length > 0);
  const text = env.describe().join('\n');
  for (const url of [env.prom.url, env.kube.httpsUrl, env.alertmanager.url]) assert.ok(text.includes(url), `describe() lists ${url}`);
  for (const url of [env.postgres.url, env.redis.url]) assert.ok(text.includes(new URL(url).port), `describe() lists port of ${new URL(url).protocol}`);
  assert.ok(!text.includes(password), 'describe() does not show the Postgres password');

  // writeConfig(): kubectl works with the written kubeconfig.
  const out = tempDir('warroom-sim-config-');
  const paths = env.writeConfig(out);
  const { stdout } = await run('kubectl', ['--kubeconfig', paths.kubeconfig, 'get', 'pods', '-n', 'shop', '--no-headers'], { timeout: 20_000 });
  const names = stdout
    .trim()
    .split('\n')
    .map((l) => l.split(/\s+/)[0]);
  for (const dep of ['api', 'checkout', 'worker', 'redis'])
    assert.ok(
      names.some((n) => n?.startsWith(`${dep}-`)),
      `kubectl lists ${dep} pods: ${names.join(' ')}`,
    );
  assert.equal(fs.statSync(paths.kubeconfig).mode & 0o077, 0, 'kubeconfig is private');

  // The written config holds no password; with drill.env's variable it loads and reaches Postgres.
  const yamlText = fs.readFileSync(paths.config, 'utf8');
  assert.ok(!yamlText.includes(password), 'warroom.yaml has no password');
  assert.ok(yamlText.includes(`\${${PG_PASSWORD_ENV}}`));
  const envText = fs.readFileSync(paths.env, 'utf8');
  const m = new RegExp(`export ${PG_PASSWORD_ENV}='([^']*)'`).exec(envText);
  assert.ok(m, 'drill.env exports the password');
  assert.throws(
    () => loadConfig({ configFile: paths.config, cwd: out, env: { HOME: out } }),
    new RegExp(PG_PASSWORD_ENV),
    'without drill.env the config names the missing variable',
  );
  const loaded = loadConfig({ configFile: paths.config, cwd: out, env: { HOME: out, [PG_PASSWORD_ENV]: m[1] } });
  assert.equal(loaded.config.kube.kubeconfig, paths.kubeconfig);
  assert.equal(loaded.config.prometheus?.url, env.prom.url);
  assert.equal(loaded.config.prometheus?.alertmanagerUrl, env.alertmanager.url, 'sim --write-config writes the Alertmanager URL');
  assert.equal((await fetch(`${env.alertmanager.url}/api/v2/status`)).status, 200, 'the Alertmanager answers');
  const client = new pg.Client({ connectionString: loaded.config.postgres[0]!.url });
  client.on('error', () => {});
  await client.connect();
  assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1);
  await client.end();

  // Prometheus answers and the scenario's alert rules are loaded.
  const rules = (await (await fetch(`${env.prom.url}/api/v1/rules`)).json()) as any;
  const ruleNames = rules.data.groups[0].rules.map((r: any) => r.name);
  for (const n of ['HighErrorRate', 'HighLatencyP95', 'KubePodCrashLooping', 'PostgresConnectionsHigh', 'RedisDown']) assert.ok(ruleNames.includes(n), `rule ${n}`);

  // stop(): no redis-server or postgres left behind.
  const promUrl = env.prom.url;
  const before = descendants();
  assert.ok(
    before.some((p) => p.comm === 'redis-server'),
    `a redis-server child runs (${before.map((p) => p.comm).join(', ')})`,
  );
  assert.ok(
    before.some((p) => p.comm === 'postgres'),
    'a postgres child runs',
  );
  await env.stop();
  stopped = true;
  await waitFor(() => !descendants().some((p) => p.comm === 'redis-server' || p.comm === 'postgres'), {
    timeoutMs: 10_000,
    what: 'no redis-server/postgres children after stop()',
  });
  for (const p of before.filter((x) => x.comm === 'redis-server' || x.comm === 'postgres')) {
    assert.equal(fs.existsSync(`/proc/${p.pid}`) && !fs.readFileSync(`/proc/${p.pid}/stat`, 'utf8').includes(') Z '), false, `pid ${p.pid} (${p.comm}) is gone`);
  }
  await assert.rejects(fetch(`${promUrl}/-/healthy`), 'Prometheus is closed');
});

test('when Postgres and Redis cannot start, the drill warns and runs on without them', async (t) => {
  const dir = tempDir('warroom-drill-degraded-');
  // A file where their data folders should go makes both fail to start.
  fs.writeFileSync(path.join(dir, 'postgres'), 'not a folder');
  fs.writeFileSync(path.join(dir, 'redis'), 'not a folder');
  const env = await startDrill({ scenario: 'db-pool-exhaustion', dir, speed: 60, seed: 1 });
  t.after(() => env.stop());
  assert.equal(env.postgres, null);
  assert.equal(env.redis, null);
  assert.ok(
    env.warnings.some((w) => w.startsWith('Postgres not available: ')),
    env.warnings.join('; '),
  );
  assert.ok(
    env.warnings.some((w) => w.startsWith('Redis not available: ')),
    env.warnings.join('; '),
  );
  const parsed = configSchema.parse(env.config);
  assert.deepEqual([parsed.postgres, parsed.redis], [[], []]);
  assert.match(env.describe().join('\n'), /Postgres +not running/);
  // The scenario still plays out in the metrics.
  await waitFor(
    async () => {
      const body = (await (await fetch(`${env.prom.url}/api/v1/alerts`)).json()) as any;
      return body.data.alerts.some((a: any) => a.labels.alertname === 'PostgresConnectionsHigh' && a.state === 'firing');
    },
    { timeoutMs: 20_000, what: 'PostgresConnectionsHigh from the modelled sessions' },
  );
});

test('the same seed gives the same drill: trigger times and pod names', async (t) => {
  const start = (seed: number) => startDrill({ scenario: 'bad-deploy', seed, postgres: false, redis: false });
  const [a, b, c] = await Promise.all([start(11), start(11), start(12)]);
  t.after(() => Promise.all([a.stop(), b.stop(), c.stop()]).then(() => undefined));
  const podNames = (env: typeof a) =>
    env.kube
      .listPods('shop')
      .map((p) => p.metadata.name)
      .sort();
  assert.deepEqual(a.engine.timeline, b.engine.timeline);
  assert.deepEqual(podNames(a), podNames(b));
  assert.notDeepEqual(podNames(a), podNames(c));
});
