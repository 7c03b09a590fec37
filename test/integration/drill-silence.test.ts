// Silences can be practised: the drill's Alertmanager speaks the v2 API. Through the cockpit's
// own pieces (the Prometheus source and the runner's `x` action), a firing drill alert is silenced,
// shows as silenced, and the silence is Alertmanager's (listed, expirable); bad silences are
// refused with Alertmanager's wording.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startDrill, type DrillEnv } from '../../src/sim/drill.js';
import { configSchema } from '../../src/config/schema.js';
import { createCockpit, initialState, type Cockpit } from '../../src/store/store.js';
import { ActionRunner } from '../../src/actions/runner.js';
import { ACTIONS } from '../../src/actions/catalog.js';
import type { ActionEnv, Interaction } from '../../src/actions/types.js';
import { startSources } from '../../src/sources/start.js';
import type { Source } from '../../src/sources/types.js';
import { tempDir, waitFor } from '../helpers/net.js';

let env: DrillEnv | null = null;
let cockpit: Cockpit | null = null;
const sources: Source[] = [];

after(async () => {
  cockpit?.stopClock();
  await Promise.allSettled(sources.map((s) => s.stop()));
  await env?.stop();
});

test('x silences a firing drill alert in the drill Alertmanager', { timeout: 90_000 }, async () => {
  env = await startDrill({ scenario: 'bad-deploy', speed: 40, seed: 5, dir: path.join(tempDir('warroom-silence-'), 'drill'), postgres: false, redis: false });
  const drill = env;
  const config = configSchema.parse({ ...drill.config, ui: { refreshSeconds: 1 } });
  assert.equal(config.prometheus?.alertmanagerUrl, drill.alertmanager.url);
  const c = createCockpit(initialState({ drill: true, scenario: 'bad-deploy' }));
  cockpit = c;
  c.startClock(20);
  const records: string[] = [];
  const ui: Interaction = {
    prompt: async (_t, fields) => Object.fromEntries(fields.map((f) => [f.name, f.name === 'comment' ? 'drill: rolling back, alert known' : f.initial])),
    confirm: async () => true,
    notify: () => {},
  };
  const actionEnv: ActionEnv = { context: null, readOnly: false, drill: true, recorder: { record: (e) => records.push(e.summary) }, actor: 'alice', services: {} };
  const runner = new ActionRunner(actionEnv, ui, { productionContexts: [] }).register(...ACTIONS);
  const started = await startSources({ config, cockpit: c, log: () => {}, notify: () => {}, now: () => drill.kube.now(), onContext: (ctx) => (actionEnv.context = ctx) });
  sources.push(...started.sources);
  Object.assign(actionEnv.services, started.services);

  const alert = await waitFor(() => c.store.getState().prom.data.alerts.find((a) => a.name === 'HighErrorRate' && a.labels.service === 'api' && a.state === 'firing'), {
    timeoutMs: 40_000,
    intervalMs: 100,
    what: 'HighErrorRate on api firing in the store',
  });
  assert.equal(c.store.getState().prom.data.alertmanager, true, 'the store knows Alertmanager is there');
  assert.equal(runner.disabledReason('alert.silence'), null, 'x is available in the drill');
  const r = await runner.invoke('alert.silence', { name: alert.name, alert });
  assert.ok(r.ok, r.ok ? '' : r.message);

  await waitFor(() => c.store.getState().prom.data.alerts.find((a) => a.fingerprint === alert.fingerprint)?.silenced, {
    timeoutMs: 10_000,
    intervalMs: 100,
    what: 'the alert shown as silenced',
  });
  const silences = (await (await fetch(`${drill.alertmanager.url}/api/v2/silences`)).json()) as any[];
  assert.equal(silences.length, 1);
  assert.equal(silences[0].status.state, 'active');
  assert.equal(silences[0].createdBy, 'alice');
  assert.ok(silences[0].matchers.some((m: any) => m.name === 'alertname' && m.value === 'HighErrorRate'));
  const amAlerts = (await (await fetch(`${drill.alertmanager.url}/api/v2/alerts`)).json()) as any[];
  const silenced = amAlerts.find((a) => a.labels.alertname === 'HighErrorRate' && a.labels.service === 'api');
  assert.deepEqual(silenced.status, { state: 'suppressed', silencedBy: [silences[0].id], inhibitedBy: [] });
  assert.equal(silenced.fingerprint, alert.fingerprint, "Alertmanager's fingerprint is the one the cockpit matched");

  // Expiring it (DELETE) makes the alert active again.
  assert.equal((await fetch(`${drill.alertmanager.url}/api/v2/silence/${silences[0].id}`, { method: 'DELETE' })).status, 200);
  const again = (await (await fetch(`${drill.alertmanager.url}/api/v2/alerts`)).json()) as any[];
  assert.equal(again.find((a) => a.fingerprint === alert.fingerprint).status.state, 'active');

  // Alertmanager's refusals.
  const post = (body: unknown) =>
    fetch(`${drill.alertmanager.url}/api/v2/silences`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const now = Date.now();
  const base = { startsAt: new Date(now).toISOString(), endsAt: new Date(now + 3600_000).toISOString(), createdBy: 'bob', comment: 'x' };
  const bad = [
    [{ ...base, matchers: [] }, /at least one matcher/],
    [{ ...base, matchers: [{ name: 'job', value: '.*', isRegex: true }] }, /must not match the empty string/],
    [{ ...base, matchers: [{ name: 'job', value: 'api', isRegex: false }], comment: '' }, /comment missing/],
    [{ ...base, matchers: [{ name: 'job', value: 'api', isRegex: false }], endsAt: new Date(now - 1000).toISOString() }, /end time/],
  ] as const;
  for (const [body, re] of bad) {
    const res = await post(body);
    assert.equal(res.status, 400);
    assert.match(await res.text(), re);
  }
});
