// Signals agree with alerts at real speed: in the bad-deploy drill at speed 1, once the rollback
// is done the cockpit's error-rate/latency figures (1m window) and its severity suggestion are all
// clear within 2 minutes (the alerts resolve on the same window, so the pane does not lag them).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startDrill, type DrillEnv } from '../../src/sim/drill.js';
import { configSchema } from '../../src/config/schema.js';
import { createCockpit, initialState, type Cockpit } from '../../src/store/store.js';
import { IncidentEngine } from '../../src/incident/incident.js';
import { startSources } from '../../src/sources/start.js';
import type { Source } from '../../src/sources/types.js';
import { tempDir, waitFor } from '../helpers/net.js';

let env: DrillEnv | null = null;
let cockpit: Cockpit | null = null;
let engine: IncidentEngine | null = null;
const sources: Source[] = [];

after(async () => {
  cockpit?.stopClock();
  await Promise.allSettled(sources.map((s) => s.stop()));
  await engine?.close();
  await env?.stop();
});

test('bad-deploy at speed 1: all clear within 2 minutes of the rollback', { timeout: 300_000 }, async () => {
  const work = tempDir('warroom-all-clear-');
  env = await startDrill({ scenario: 'bad-deploy', speed: 1, seed: 7, dir: path.join(work, 'drill'), postgres: false, redis: false });
  const drill = env;
  const config = configSchema.parse({ ...drill.config, ui: { refreshSeconds: 1 } });
  const c = createCockpit(initialState({ drill: true, scenario: 'bad-deploy' }));
  cockpit = c;
  const eng = new IncidentEngine({ stateDir: path.join(work, 'state'), config });
  engine = eng;
  c.onFlush((s) => eng.observe(s));
  c.startClock(10);
  const started = await startSources({ config, cockpit: c, log: () => {}, notify: () => {}, now: () => drill.kube.now(), onContext: () => {} });
  sources.push(...started.sources);

  await waitFor(() => c.store.getState().prom.data.alerts.some((a) => a.name === 'HighErrorRate' && a.labels.service === 'api' && a.state === 'firing'), {
    timeoutMs: 150_000,
    intervalMs: 500,
    what: 'HighErrorRate on api firing',
  });
  assert.equal(eng.slice().suggestion.severity, 'P1', `the suggestion at the worst: ${eng.slice().suggestion.rule}`);
  await promisify(execFile)('kubectl', ['--kubeconfig', drill.kubeconfigPath, '-n', 'shop', 'rollout', 'undo', 'deploy/api'], { timeout: 30_000 });
  const rolledBack = Date.now();
  await waitFor(() => eng.slice().suggestion.rule === 'all clear', {
    timeoutMs: 120_000,
    intervalMs: 500,
    what: `all clear within 2 minutes (still: ${eng.slice().suggestion.rule})`,
  });
  const took = Date.now() - rolledBack;
  const api = c.store.getState().prom.data.services.find((s) => s.name === 'api')!;
  assert.ok(api.errorRate! < 0.05 && api.p95Seconds! < 2, `the pane is clear: ${JSON.stringify(api)}`);
  assert.ok(!c.store.getState().prom.data.alerts.some((a) => a.state === 'firing'), 'no alert is still firing');
  console.log(`# all clear ${Math.round(took / 1000)} s after the rollback`);
  assert.ok(took <= 120_000);
});
