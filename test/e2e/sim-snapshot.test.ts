// `warroom sim --write-config` serves a drill that kubectl and a second warroom join;
// `warroom snapshot` collects once from every source of that config and prints a report.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { tempDir, waitFor } from '../helpers/net.js';
import { waitForRevision } from '../helpers/kubectl.js';
import { loadConfig } from '../../src/config/load.js';
import { sinksFromConfig } from '../../src/incident/sinks.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const dir = tempDir('warroom-sim-');
const state = tempDir('warroom-sim-state-');
let sim: ChildProcess | null = null;
let out = '';

after(() => {
  if (sim && sim.exitCode === null) sim.kill('SIGKILL');
});

test('warroom sim writes a kubeconfig and config that kubectl and warroom snapshot use', async () => {
  sim = spawn(process.execPath, ['dist/cli.js', 'sim', '--scenario', 'bad-deploy', '--speed', '20', '--seed', '5', '--write-config', dir], {
    cwd: ROOT,
    env: { ...process.env, XDG_STATE_HOME: state },
  });
  sim.stdout!.on('data', (d) => (out += d));
  sim.stderr!.on('data', (d) => (out += d));
  await waitFor(() => out.includes('Ctrl-C stops'), { what: 'sim ready', timeoutMs: 30_000 }).catch(() => assert.fail(out));
  assert.match(out, /kubernetes|Kubernetes/);
  assert.match(out, /kubectl --kubeconfig .*kubeconfig get pods/);

  const kube = await run('kubectl', ['--kubeconfig', path.join(dir, 'kubeconfig'), '-n', 'shop', 'get', 'pods'], { timeout: 15_000 });
  assert.match(kube.stdout, /api-\w+-\w+\s+\d\/\d\s+Running/);

  // A cockpit joined to the sim practises the public wording too: its dry run records both audiences.
  const joined = loadConfig({ configFile: path.join(dir, 'warroom.yaml'), cwd: dir, env: { WARROOM_DRILL_PG_PASSWORD: 'x' } });
  assert.deepEqual(
    sinksFromConfig(joined.config.sinks, { stateDir: state }).map((s) => `${s.name} (${s.audience})`),
    ['dry-run (internal)', 'dry-run-public (public)'],
  );

  const envFile = fs.readFileSync(path.join(dir, 'drill.env'), 'utf8');
  const password = /WARROOM_DRILL_PG_PASSWORD='([^']*)'/.exec(envFile)?.[1];
  assert.ok(password, 'drill.env exports the database password');
  const env = { ...process.env, XDG_STATE_HOME: state, WARROOM_DRILL_PG_PASSWORD: password };
  // The scenario's bad deploy has happened, so there is something to report.
  await waitForRevision(path.join(dir, 'kubeconfig'), 'shop', 'api', 2);

  const text = await run(process.execPath, ['dist/cli.js', 'snapshot', '--config', path.join(dir, 'warroom.yaml')], { cwd: ROOT, env, timeout: 30_000 });
  assert.match(text.stdout, /^warroom snapshot .* UTC — context warroom-drill, namespaces shop/m);
  assert.match(text.stdout, /^Severity: (P[0-3] suggested|none suggested) — /m);
  assert.match(text.stdout, /Alerts \(\d+ firing/);
  assert.match(text.stdout, /Error rate & latency:\n  api\s+5xx \d/);
  assert.match(text.stdout, /Unhealthy pods \(\d+ of \d+\)/);
  assert.match(text.stdout, /Recent rollouts \(last 2h\):\n  shop\/api/);
  assert.match(text.stdout, /Postgres:\n  drill-postgres .*connections/);
  assert.match(text.stdout, /Redis:\n  drill-redis/);
  assert.ok(!text.stdout.includes(password!), 'the database password never appears');

  const json = await run(process.execPath, ['dist/cli.js', 'snapshot', '--json', '--config', path.join(dir, 'warroom.yaml')], { cwd: ROOT, env, timeout: 30_000 });
  const report = JSON.parse(json.stdout);
  assert.equal(report.context, 'warroom-drill');
  assert.ok(report.pods.total >= 5);
  assert.equal(report.sources.kube.status, 'ok');
  assert.equal(report.sources.prometheus.status === 'ok' || report.sources.prometheus.status === 'degraded', true);
  assert.ok(report.postgres[0].maxConnections > 0);
  assert.ok(Array.isArray(report.alerts) && typeof report.severity.rule === 'string');

  // A rollback reuses the old ReplicaSet (made long ago): snapshot still dates the rollout to now.
  const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', path.join(dir, 'kubeconfig'), '-n', 'shop', ...args], { timeout: 60_000 });
  const undoneAt = Date.now();
  await kubectl('rollout', 'undo', 'deployment/api');
  await kubectl('rollout', 'status', 'deployment/api', '--timeout=50s');
  const after = JSON.parse(
    (await run(process.execPath, ['dist/cli.js', 'snapshot', '--json', '--config', path.join(dir, 'warroom.yaml')], { cwd: ROOT, env, timeout: 30_000 })).stdout,
  );
  const api = after.recentRollouts.find((r: { name: string }) => r.name === 'api');
  assert.ok(api, `the rollback is a recent rollout: ${JSON.stringify(after.recentRollouts)}`);
  assert.ok(Date.parse(api.at) >= undoneAt - 2000, `rolled out at ${api.at}, the undo was at ${new Date(undoneAt).toISOString()}`);

  sim.kill('SIGINT');
  await waitFor(() => sim!.exitCode !== null, { what: 'sim exits on Ctrl-C', timeoutMs: 15_000 });
  assert.equal(sim.exitCode, 0);
});

test('snapshot with an unreachable backend says which and exits 1 when nothing answered', async () => {
  const cfg = path.join(dir, 'dead.yaml');
  fs.writeFileSync(cfg, 'kube:\n  enabled: false\nprometheus:\n  url: http://127.0.0.1:9\n  timeoutSeconds: 1\nredis:\n  - name: cache\n    url: redis://:hunter22@127.0.0.1:9\n');
  const r = await run(process.execPath, ['dist/cli.js', 'snapshot', '--config', cfg, '--deadline', '3'], {
    cwd: ROOT,
    env: { ...process.env, XDG_STATE_HOME: state },
    timeout: 20_000,
  }).catch((e) => e);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Source problems:[\s\S]*prometheus: down — .*(unreachable|refused)/i);
  assert.match(r.stdout, /redis: down/);
  assert.ok(!r.stdout.includes('hunter22'));
});

test('usage and config errors exit 2 with a clear message', async () => {
  const bad = await run(process.execPath, ['dist/cli.js', 'drill', '--scenario', 'nope'], { cwd: ROOT }).catch((e) => e);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown scenario "nope"; choose one of: bad-deploy/);
  const flag = await run(process.execPath, ['dist/cli.js', '--frobnicate'], { cwd: ROOT }).catch((e) => e);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /Unknown option '--frobnicate'/);
  const cfg = path.join(dir, 'broken.yaml');
  fs.writeFileSync(cfg, 'ui:\n  refreshSeconds: soon\n');
  const conf = await run(process.execPath, ['dist/cli.js', 'snapshot', '--config', cfg], { cwd: ROOT }).catch((e) => e);
  assert.equal(conf.code, 2);
  assert.match(conf.stderr, /broken\.yaml:2: ui\.refreshSeconds: expected number, got "soon"/);
  const version = await run(process.execPath, ['dist/cli.js', '--version'], { cwd: ROOT });
  assert.match(version.stdout, /^warroom \d+\.\d+\.\d+/);
  const secretCfg = path.join(dir, 'secret.yaml');
  fs.writeFileSync(
    secretCfg,
    'postgres:\n  - name: main\n    url: postgres://app:${PG_PW}@db.internal:5432/shop\nsinks:\n  slack:\n    webhookUrl: https://hooks.slack.com/services/${SLACK_PATH}\n',
  );
  const printed = await run(process.execPath, ['dist/cli.js', '--print-config', '--config', secretCfg], {
    cwd: ROOT,
    env: { ...process.env, PG_PW: 'pw-s3cret', SLACK_PATH: 'T1/B2/tok3n' },
  });
  assert.match(printed.stdout, /url: postgres:\/\/app:\*\*\*\*@db\.internal:5432\/shop/);
  assert.match(printed.stdout, /webhookUrl: https:\/\/hooks\.slack\.com\/\*\*\*\*/);
  assert.ok(!printed.stdout.includes('pw-s3cret') && !printed.stdout.includes('tok3n'), 'secrets masked');
  const pm = await run(process.execPath, ['dist/cli.js', 'postmortem', 'no-such-incident'], { cwd: ROOT, env: { ...process.env, XDG_STATE_HOME: tempDir() } }).catch((e) => e);
  assert.equal(pm.code, 2);
  assert.match(pm.stderr, /no incidents recorded/);
});
