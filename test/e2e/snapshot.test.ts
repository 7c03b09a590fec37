// `warroom snapshot` against `warroom sim`: every source at once, well under 3 s on loopback,
// the open incident and its state, a label selector, and "unknown" (not a severity) while a
// source is down; a source that never answers cannot hold it past its deadline.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { tempDir, waitFor } from '../helpers/net.js';
import { waitForRevision } from '../helpers/kubectl.js';
import { IncidentEngine } from '../../src/incident/incident.js';
import { defaultConfig } from '../../src/config/schema.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'warroom.cjs');
const dir = tempDir('warroom-snap-');
const state = tempDir('warroom-snap-state-');
let sim: ChildProcess | null = null;
let env: NodeJS.ProcessEnv;
const silent = net.createServer(() => {
  // accepts and never answers
});

before(async () => {
  let out = '';
  sim = spawn(process.execPath, ['dist/cli.js', 'sim', '--scenario', 'bad-deploy', '--speed', '20', '--seed', '7', '--write-config', dir], {
    cwd: ROOT,
    env: { ...process.env, XDG_STATE_HOME: tempDir() },
  });
  sim.stdout!.on('data', (d) => (out += d));
  sim.stderr!.on('data', (d) => (out += d));
  await waitFor(() => out.includes('Ctrl-C stops'), { what: 'sim ready', timeoutMs: 30_000 }).catch(() => assert.fail(out));
  const password = /WARROOM_DRILL_PG_PASSWORD='([^']*)'/.exec(fs.readFileSync(path.join(dir, 'drill.env'), 'utf8'))![1];
  env = { ...process.env, XDG_STATE_HOME: state, XDG_CONFIG_HOME: state, WARROOM_DRILL_PG_PASSWORD: password };
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  // The bad deploy has started, so there is something to report.
  await waitForRevision(path.join(dir, 'kubeconfig'), 'shop', 'api', 2);
});

after(() => {
  if (sim && sim.exitCode === null) sim.kill('SIGKILL');
  silent.close();
});

function snapshot(...args: string[]) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, 'snapshot', ...args], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (performance.now() - t0) / 1000 };
}

test('on loopback every source answers and the whole run takes well under 3 s', () => {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = snapshot('--config', path.join(dir, 'warroom.yaml'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    for (const s of ['kube', 'prometheus', 'postgres', 'redis']) assert.equal(report.sources[s].status, 'ok', `${s}: ${JSON.stringify(report.sources[s])}`);
    assert.ok(report.redis[0].nodes[0].pingMs != null, 'Redis answered');
    assert.ok(report.postgres[0].maxConnections > 0, 'Postgres answered');
    times.push(r.seconds);
  }
  times.sort((a, b) => a - b);
  assert.ok(times[1] < 2, `median ${times[1].toFixed(2)} s (runs: ${times.map((t) => t.toFixed(2)).join(', ')})`);
});

test('the open incident is named with its severity, state and roles', () => {
  const incidents = path.join(state, 'warroom');
  const engine = new IncidentEngine({ stateDir: incidents, config: defaultConfig() });
  const info = engine.declare({ title: 'Checkout errors after api deploy', severity: 'P1', commander: 'alice', actor: 'alice' });
  engine.setStatus('identified', 'alice');
  const r = snapshot('--config', path.join(dir, 'warroom.yaml'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    new RegExp(`^Incident: Checkout errors after api deploy — P1 IDENTIFIED, declared \\d+s ago, commander alice, no update posted yet \\(${info.id}\\)$`, 'm'),
  );
  const json = JSON.parse(snapshot('--config', path.join(dir, 'warroom.yaml'), '--json').stdout);
  assert.deepEqual(
    { id: json.incident.id, severity: json.incident.severity, status: json.incident.status, commander: json.incident.commander },
    { id: info.id, severity: 'P1', status: 'identified', commander: 'alice' },
  );
  engine.setStatus('monitoring', 'alice');
  engine.setStatus('resolved', 'alice');
  assert.match(snapshot('--config', path.join(dir, 'warroom.yaml')).stdout, /^Incident: none open$/m);
  // One declared in another environment (another cluster and config) is not this one's.
  const elsewhere = new IncidentEngine({ stateDir: incidents, config: defaultConfig(), environment: 'another-cluster' });
  elsewhere.declare({ title: 'Somewhere else', severity: 'P2', actor: 'bob' });
  assert.match(snapshot('--config', path.join(dir, 'warroom.yaml')).stdout, /^Incident: none open$/m);
});

test('-l narrows pods and rollouts to the selector', () => {
  const all = JSON.parse(snapshot('--config', path.join(dir, 'warroom.yaml'), '--json').stdout);
  const api = JSON.parse(snapshot('-l', 'app=api', '--config', path.join(dir, 'warroom.yaml'), '--json').stdout);
  assert.ok(api.pods.total > 0 && api.pods.total < all.pods.total, `${api.pods.total} api pods of ${all.pods.total}`);
  assert.ok(api.pods.unhealthy.every((p: { name: string }) => p.name.startsWith('api-')));
  assert.ok(api.recentRollouts.every((d: { name: string }) => d.name === 'api'));
});

test('a down source makes the severity unknown, and a silent one cannot hold the report past its deadline', () => {
  const cfg = path.join(dir, 'half.yaml');
  const live = fs.readFileSync(path.join(dir, 'warroom.yaml'), 'utf8');
  // Kubernetes answers; Prometheus accepts connections and never replies.
  fs.writeFileSync(cfg, live.replace(/prometheus:\n  url: \S+/, `prometheus:\n  url: http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`));
  const r = snapshot('--config', cfg, '--deadline', '2');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.seconds < 3, `took ${r.seconds.toFixed(2)} s with a 2 s deadline`);
  assert.match(r.stdout, /^Severity: unknown — no answer from prometheus \(.*\)/m);
  assert.doesNotMatch(r.stdout, /^Severity: P\d/m);
  const json = JSON.parse(snapshot('--config', cfg, '--deadline', '2', '--json').stdout);
  assert.equal(json.severity.severity, null);
  assert.equal(json.severity.unknown, true);
  assert.equal(json.sources.prometheus.status, 'down');
  assert.equal(json.sources.kube.status, 'ok');
});
