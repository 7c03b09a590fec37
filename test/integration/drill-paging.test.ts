// The drill with paging: a firing alert pages the on-call in the PagerDuty simulator; two cockpits
// on the drill's config (different state directories) share one incident timeline through the
// Slack simulator's channel, found through #incidents; a third, read-only, mirrors it and writes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startDrill } from '../../src/sim/drill.js';
import { configSchema } from '../../src/config/schema.js';
import { createCockpit, initialState } from '../../src/store/store.js';
import { IncidentEngine } from '../../src/incident/incident.js';
import { ActionRunner } from '../../src/actions/runner.js';
import { ACTIONS } from '../../src/actions/catalog.js';
import type { ActionEnv, Interaction } from '../../src/actions/types.js';
import { startPaging } from '../../src/paging/start.js';
import { tempDir, waitFor } from '../helpers/net.js';

const yes: Interaction = {
  select: async (_t, options) => options[0]!.value,
  prompt: async (_t, fields) => Object.fromEntries(fields.map((f) => [f.name, f.initial])),
  confirm: async () => true,
  notify: () => {},
};

async function cockpitOn(config: ReturnType<typeof configSchema.parse>, who: string, readOnly = false) {
  const stateDir = tempDir(`warroom-drill-paging-${who}-`);
  const cockpit = createCockpit(initialState());
  cockpit.startClock(30);
  const env: ActionEnv = { context: 'warroom-drill', readOnly, drill: true, recorder: { record: (e) => engine.record(e) }, actor: who, services: {} };
  const engine: IncidentEngine = new IncidentEngine({ stateDir, config, stage: cockpit.stageIncident, readOnly: () => readOnly });
  const runner = new ActionRunner(env, yes, { productionContexts: [] }).register(...ACTIONS);
  env.services.incident = engine;
  env.services.invoke = (id, t) => runner.invoke(id, t);
  const notices: string[] = [];
  const paging = startPaging({ config, cockpit, engine, stateDir, actor: who, readOnly: () => readOnly, log: () => {}, notify: (m) => notices.push(m) })!;
  env.services.paging = paging.services;
  for (const s of paging.sources) await s.start();
  return {
    engine,
    runner,
    cockpit,
    stateDir,
    notices,
    async stop() {
      for (const s of paging.sources) await s.stop();
      cockpit.stopClock();
      await engine.close();
    },
  };
}

test('drill: the alert pages PagerDuty; two cockpits share the incident through #incident-…; a read-only screen mirrors it', { timeout: 90_000 }, async (t) => {
  const env = await startDrill({ scenario: 'bad-deploy', speed: 60, seed: 1, dir: tempDir('warroom-drill-paging-'), postgres: false, redis: false });
  t.after(() => env.stop());
  const config = configSchema.parse(env.config);
  assert.ok(config.paging.pagerduty && config.paging.slack, 'the drill config has both simulators');

  const page = await waitFor(() => env.paging.pagerduty.incidents.find((i) => i.status === 'triggered'), {
    timeoutMs: 40_000,
    intervalMs: 250,
    what: 'a page for the firing alert',
  });
  assert.match(page.title, /HighErrorRate|KubePodCrashLooping/);

  const A = await cockpitOn(config, 'alice');
  const B = await cockpitOn(config, 'bob');
  const C = await cockpitOn(config, 'screen', true);
  t.after(async () => {
    await Promise.all([A.stop(), B.stop(), C.stop()]);
  });
  // Alice acknowledges the page from the Alerts pane's data, then declares from it: the channel is offered; she opens it.
  const pages = await waitFor(
    () => {
      const p = A.cockpit.store.getState().paging.data.pages;
      return p.length > 0 ? p : null;
    },
    { timeoutMs: 10_000, what: 'pages in the slice' },
  );
  assert.equal((await A.runner.invoke('paging.acknowledge', { name: pages[0]!.title, page: pages[0]! })).ok, true);
  assert.equal((await A.runner.invoke('paging.link', { name: pages[0]!.title, page: pages[0]! })).ok, true);
  const info = A.engine.current!;
  await waitFor(() => A.notices.some((n) => /^O opens the incident channel #incident-\d{8}-\d{4}-/.test(n)), { timeoutMs: 5000, what: 'the offer' });
  assert.equal((await A.runner.invoke('paging.channel', { name: '' })).ok, true);
  assert.ok(
    A.engine.journalEntries(info.id).some((e) => (e.refs as any)?.slackChannelId),
    'the channel is journaled',
  );

  await waitFor(() => B.engine.current?.id === info.id && C.engine.current?.id === info.id, { timeoutMs: 10_000, what: 'B and the read-only screen join the incident' });
  B.engine.note('bob: rolling back api to 2.4.0', 'bob');
  A.engine.note('alice: confirmed 5xx from api only', 'alice');
  const both = (e: IncidentEngine) => ['bob: rolling back api to 2.4.0', 'alice: confirmed 5xx from api only'].every((s) => e.slice().timeline.some((x) => x.summary === s));
  await waitFor(() => both(A.engine) && both(B.engine) && both(C.engine), { timeoutMs: 5000, what: 'all three show both notes' });
  const fromBob = A.engine.slice().timeline.find((x) => x.summary.startsWith('bob:'))!;
  assert.match(fromBob.origin?.from ?? '', /^bob@/);
  assert.match(fromBob.origin?.via ?? '', /^slack #incident-\d{8}-\d{4}-/);
  assert.ok(!fs.existsSync(path.join(C.stateDir, 'incidents')), 'the read-only screen wrote nothing');
  assert.equal(env.paging.pagerduty.incidents.find((i) => i.id === pages[0]!.id)?.status, 'acknowledged');
});
