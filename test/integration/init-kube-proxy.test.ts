// `warroom init` against the Kubernetes simulator, whose services/proxy forwards to a real
// Prometheus and a real Alertmanager: both are found and checked through the API server, the
// written config works (kube:// URLs with the kubeconfig's credentials), a web-named port
// elsewhere is found when the usual name is missing, and an RBAC refusal says what is needed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { KubeSim } from '../../src/sim/kube/index.js';
import { startAlertmanager, startPrometheus, type RealServer } from '../helpers/prometheus.js';
import { tempDir } from '../helpers/net.js';
import { loadConfig } from '../../src/config/load.js';
import { PromClient } from '../../src/sources/prometheus/client.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'warroom.cjs');
const dir = tempDir('warroom-init-');
let sim: KubeSim;
let prom: RealServer;
let am: RealServer;
const kubeconfig = (name: string, user: 'admin' | 'viewer') => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, sim.kubeconfig({ context: `sim-${user}`, namespace: 'shop', user }), { mode: 0o600 });
  return file;
};

before(async () => {
  [prom, am] = await Promise.all([startPrometheus({ targets: [] }), startAlertmanager()]);
  sim = new KubeSim({ seed: 3 });
  await sim.start();
  sim.addNamespace('shop');
});

after(async () => {
  await sim?.stop();
  await Promise.all([prom?.stop(), am?.stop()]);
});

/** The built CLI, run asynchronously: the simulator answers from this process. A fresh folder each time, so no ./warroom.yaml is read. */
function init(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cwd = tempDir('warroom-init-cwd-');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'init', ...args],
      { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, XDG_CONFIG_HOME: cwd, KUBECONFIG: '' } },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('finds the operator-named Prometheus and Alertmanager, checks them, and the config it writes works', async () => {
  sim.addService('monitoring', 'prometheus-operated', [{ name: 'web', port: 9090 }], prom.url);
  sim.addService('monitoring', 'alertmanager-operated', [{ name: 'web', port: 9093 }], am.url);
  const kc = kubeconfig('admin.kubeconfig', 'admin');
  const out = path.join(dir, 'warroom.yaml');
  const r = await init('--kubeconfig', kc, '--out', out);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Prometheus\s+found kube:\/\/monitoring\/prometheus-operated:9090 \(Prometheus \d+\.\d+/);
  assert.match(r.stdout, /Alertmanager\s+found kube:\/\/monitoring\/alertmanager-operated:9093 \(Alertmanager \d+\.\d+/);
  const text = fs.readFileSync(out, 'utf8');
  assert.match(text, /^# Prometheus: {3}found kube:\/\/monitoring\/prometheus-operated:9090/m);
  assert.match(text, /^ {2}url: kube:\/\/monitoring\/prometheus-operated:9090$/m);
  assert.match(text, /^ {2}alertmanagerUrl: kube:\/\/monitoring\/alertmanager-operated:9093$/m);
  assert.match(text, /^# postgres:\n#   - name: main\n#     url: postgres:\/\/warroom:\$\{PGPASSWORD\}/m);
  assert.match(text, /^# redis:/m);
  assert.equal(fs.statSync(out).mode & 0o077, 0, 'owner-only');

  // The written file is a valid config, and its kube:// URLs answer with the kubeconfig's token.
  const { config } = loadConfig({ cwd: dir, env: { HOME: dir }, configFile: out });
  assert.equal(config.kube.context, 'sim-admin');
  const client = new PromClient({
    url: config.prometheus!.url,
    alertmanagerUrl: config.prometheus!.alertmanagerUrl,
    timeoutSeconds: 5,
    kube: { kubeconfig: config.kube.kubeconfig, context: config.kube.context },
  });
  try {
    const v = await client.query('vector(42)');
    assert.equal(v[0].value, 42, 'a query through the API server reaches the real Prometheus');
    const silence = await client.createSilence({
      matchers: [{ name: 'alertname', value: 'Test', isRegex: false }],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 60_000).toISOString(),
      createdBy: 'test',
      comment: 'through the proxy',
    });
    assert.match(silence, /^[0-9a-f-]{36}$/, 'a POST (a silence) reaches the real Alertmanager');
  } finally {
    client.close();
  }

  // It does not replace a file it did not write unless told.
  const again = await init('--kubeconfig', kc, '--out', out);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exists; pass --force/);
  assert.equal((await init('--kubeconfig', kc, '--out', out, '--force')).code, 0);
});

test('a Prometheus under another name is found by its port named web; what is missing is said', async () => {
  const other = new KubeSim({ seed: 4 });
  {
    await other.start();
    try {
      other.addService('observability', 'metrics-server-ui', [{ name: 'http', port: 8080 }], am.url); // answers, but not as Prometheus
      other.addService('observability', 'prom-main', [{ name: 'web', port: 9090 }], prom.url);
      const kc = path.join(dir, 'other.kubeconfig');
      fs.writeFileSync(kc, other.kubeconfig({ context: 'other', namespace: 'default' }), { mode: 0o600 });
      const out = path.join(dir, 'other.yaml');
      const r = await init('--kubeconfig', kc, '--out', out);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Prometheus\s+found kube:\/\/observability\/prom-main:9090/);
      assert.match(r.stdout, /Alertmanager\s+found kube:\/\/observability\/metrics-server-ui:8080/);
      const none = new KubeSim({ seed: 5 });
      await none.start();
      try {
        const kc2 = path.join(dir, 'none.kubeconfig');
        fs.writeFileSync(kc2, none.kubeconfig({ context: 'empty' }), { mode: 0o600 });
        const out2 = path.join(dir, 'none.yaml');
        const n = await init('--kubeconfig', kc2, '--out', out2);
        assert.equal(n.code, 1, 'nothing to watch: exit 1, but the starter file is written');
        const text = fs.readFileSync(out2, 'utf8');
        assert.match(text, /^# Prometheus: {3}NOT FOUND — kube:\/\/monitoring\/prometheus-operated:9090: not found in the cluster/m);
        assert.match(text, /^# prometheus:\n#   url: kube:\/\/monitoring\/prometheus-operated:9090/m);
        assert.doesNotThrow(() => loadConfig({ cwd: dir, env: { HOME: dir }, configFile: out2 }), 'still a valid config');
      } finally {
        await none.stop();
      }
    } finally {
      await other.stop();
    }
  }
});

test('when RBAC refuses services/proxy, init says which permission is needed', async () => {
  const kc = kubeconfig('viewer.kubeconfig', 'viewer');
  const out = path.join(dir, 'viewer.yaml');
  const r = await init('--kubeconfig', kc, '--out', out);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /Prometheus\s+not found/);
  assert.match(
    r.stdout,
    /kube:\/\/monitoring\/prometheus-operated:9090: the Kubernetes API server refused the service proxy: reaching kube:\/\/monitoring\/prometheus-operated:9090 needs "get" .* on services\/proxy in namespace monitoring — check with `kubectl auth can-i get services\/proxy -n monitoring`/,
  );
  assert.match(fs.readFileSync(out, 'utf8'), /NOT FOUND — kube:\/\/monitoring\/prometheus-operated:9090: the Kubernetes API server refused the service proxy/);
});
