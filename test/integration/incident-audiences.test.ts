// Two audiences, end to end against the bad-deploy drill: Slack and a webhook (internal) and a
// Statuspage (public) are fake HTTP servers; the incident is declared, updated at every state and
// resolved through the runner, as the keys do. Whatever the drill shows internally (pod, deployment,
// namespace, alert and host names, IPs, signal values, source health) must never reach the public
// sink, while Slack gets the details; posting Resolved resolves the incident and the page incident
// reaches `resolved` with its components operational; one more update can follow.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startDrill, type DrillEnv } from '../../src/sim/drill.js';
import { getScenario } from '../../src/sim/scenarios/index.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { createCockpit, initialState, type Cockpit } from '../../src/store/store.js';
import { IncidentEngine } from '../../src/incident/incident.js';
import { sinksFromConfig } from '../../src/incident/sinks.js';
import { ActionRunner } from '../../src/actions/runner.js';
import { ACTIONS } from '../../src/actions/catalog.js';
import type { ActionEnv, Interaction } from '../../src/actions/types.js';
import { startSources } from '../../src/sources/start.js';
import type { Source } from '../../src/sources/types.js';
import { FakeSlack, FakeStatuspage, FakeWebhook } from '../helpers/fake-sinks.js';
import { tempDir, waitFor } from '../helpers/net.js';

let env: DrillEnv | null = null;
let cockpit: Cockpit | null = null;
let engine: IncidentEngine | null = null;
const sources: Source[] = [];
const servers: Array<{ stop(): Promise<void> }> = [];
const work = tempDir('warroom-audiences-');

after(async () => {
  cockpit?.stopClock();
  await Promise.allSettled(sources.map((s) => s.stop()));
  await engine?.close();
  await env?.stop();
  await Promise.allSettled(servers.map((s) => s.stop()));
  fs.rmSync(work, { recursive: true, force: true });
});

/** Every internal identifier a responder sees in the drill right now. */
function internalIdentifiers(drill: DrillEnv, c: Cockpit): string[] {
  const ns = getScenario('bad-deploy').namespace;
  const s = c.store.getState();
  const ids = new Set<string>([ns, 'warroom-drill', '127.0.0.1', 'localhost']);
  for (const p of drill.kube.listPods(ns)) ids.add(p.metadata.name);
  for (const p of s.kube.data.pods) ids.add(p.name);
  for (const d of s.kube.data.deployments) ids.add(d.name);
  for (const a of s.prom.data.alerts) ids.add(a.name);
  for (const r of getScenario('bad-deploy').rules) ids.add(r.name);
  for (const d of getScenario('bad-deploy').deployments) ids.add(d.image);
  return [...ids];
}

test('a drill incident posted at every state: nothing internal reaches the public sink; Resolved resolves it everywhere', { timeout: 120_000 }, async () => {
  const slack = await new FakeSlack().start();
  const page = await new FakeStatuspage().start();
  const hook = await new FakeWebhook().start();
  servers.push(slack, page, hook);
  env = await startDrill({ scenario: 'bad-deploy', speed: 40, seed: 11, dir: path.join(work, 'drill'), postgres: false, redis: false });
  const drill = env;
  const stateDir = path.join(work, 'state');
  const config: Config = configSchema.parse({
    ...drill.config,
    ui: { refreshSeconds: 1 },
    sinks: {
      slack: { webhookUrl: slack.webhookUrl },
      statuspage: { pageId: page.pageId, apiKey: page.apiKey, baseUrl: page.url, componentIds: ['cmp-storefront'] },
      webhook: { url: `${hook.url}/hook` },
    },
  });
  const c = createCockpit(initialState({ drill: true, scenario: 'bad-deploy' }));
  cockpit = c;
  const sinks = sinksFromConfig(config.sinks, { stateDir });
  assert.deepEqual(
    sinks.map((s) => `${s.name}:${s.audience}`),
    ['slack:internal', 'statuspage:public', 'webhook:internal'],
  );
  const eng = new IncidentEngine({ stateDir, config, stage: c.stageIncident, sinks, outboxOptions: { minIntervalMs: 0, baseDelayMs: 50 } });
  engine = eng;
  eng.start();
  c.onFlush((s) => eng.observe(s));
  c.startClock(20);

  const previews: string[][] = [];
  const choices: string[] = [];
  const ui: Interaction = {
    select: async (_t, options, _l, initial) => {
      const want = choices.shift() ?? initial ?? options[0]!.value;
      assert.ok(
        options.some((o) => o.value === want),
        `${want} is offered: ${options.map((o) => o.value).join(', ')}`,
      );
      return want;
    },
    prompt: async (_title, fields) => Object.fromEntries(fields.map((f) => [f.name, f.name === 'title' ? 'api 5xx after v2.4.1' : f.initial])),
    confirm: async (req) => {
      previews.push(req.lines);
      return true;
    },
    notify: () => {},
  };
  const actionEnv: ActionEnv = { context: null, readOnly: false, drill: true, recorder: eng, actor: 'alice', services: { incident: eng } };
  const runner = new ActionRunner(actionEnv, ui, { productionContexts: [] });
  runner.register(...ACTIONS);
  actionEnv.services.invoke = (id, t) => runner.invoke(id, t);
  const started = await startSources({ config, cockpit: c, log: () => {}, notify: () => {}, now: () => drill.kube.now(), onContext: (ctx) => (actionEnv.context = ctx) });
  sources.push(...started.sources);
  Object.assign(actionEnv.services, started.services);

  // The incident at its worst: crash-looping pods, HighErrorRate firing, 5xx in the store.
  await waitFor(() => c.store.getState().prom.data.alerts.some((a) => a.name === 'HighErrorRate' && a.state === 'firing'), {
    timeoutMs: 40_000,
    intervalMs: 100,
    what: 'HighErrorRate firing',
  });
  await waitFor(() => c.store.getState().kube.data.pods.some((p) => p.status === 'CrashLoopBackOff'), { timeoutMs: 40_000, intervalMs: 100, what: 'a crash-looping pod' });

  const declare = await runner.invoke('incident.declare', { name: '' });
  assert.ok(declare.ok, declare.ok ? '' : declare.message);
  const info = eng.current!;
  assert.ok(info.components?.includes('Storefront'), `the affected components by their public names: ${info.components}`);
  const title = info.publicTitle!;
  assert.match(title, /^Degraded service: Storefront( and Payments)?$/);

  const post = async (state: string) => {
    choices.push(state);
    const r = await runner.invoke('incident.post', { name: info.id });
    assert.ok(r.ok, r.ok ? '' : r.message);
  };
  await post('investigating');
  // A person typing a pod name into the public message is stopped, with what it named.
  const pod = c.store.getState().kube.data.pods.find((p) => p.status === 'CrashLoopBackOff')!.name;
  const typing: Interaction = {
    ...ui,
    prompt: async (_t, fields) => Object.fromEntries(fields.map((f) => [f.name, f.name === 'publicMessage' ? `Pod ${pod} is failing` : f.initial])),
  };
  const leaky = await new ActionRunner(actionEnv, { ...typing, select: async () => 'investigating' }, { productionContexts: [] })
    .register(...ACTIONS)
    .invoke('incident.post', { name: info.id });
  assert.equal(leaky.ok, false);
  assert.match(leaky.ok ? '' : leaky.message, new RegExp(`Public message \\(status page\\): names internal detail \\(${pod}\\)`));

  await post('identified');
  const rb = await runner.invoke('kube.rollback', { name: 'api', namespace: 'shop' });
  assert.ok(rb.ok, rb.ok ? '' : rb.message);
  await post('monitoring');
  assert.equal(eng.current?.status, 'monitoring', 'posting a Monitoring update moved the incident there');

  // S → Resolved offers the final update: the composer opens on Resolved, the post resolves it.
  choices.push('resolved', 'resolved');
  const resolve = await runner.invoke('incident.status', { name: '' });
  assert.ok(resolve.ok, resolve.ok ? '' : resolve.message);
  assert.equal(eng.current, null, 'the Resolved update resolved the incident');
  assert.match(previews.at(-1)!.join('\n'), /Posting this update RESOLVES the incident/);
  // The preview shows, per sink, exactly what is sent.
  const last = previews.at(-1)!.join('\n');
  assert.ok(last.includes(`── statuspage (public) ──\nIncident name: ${title}\nStatus: resolved\nComponents: operational\nMessage:\nThis incident has been resolved.`), last);
  assert.match(last, /── slack \(internal\) ──\n✅ RESOLVED/);

  // One more update after resolving, to the same page incident.
  await post('resolved');
  await waitFor(() => eng.slice().outbox.length > 0 && eng.slice().outbox.every((o) => o.state === 'delivered'), {
    timeoutMs: 20_000,
    what: `all deliveries delivered: ${JSON.stringify(eng.slice().outbox)}`,
  });

  assert.equal(page.incidents.length, 1, 'one page incident for the whole incident');
  const pi = page.incidents[0]!;
  assert.equal(pi.status, 'resolved');
  assert.deepEqual(pi.components, { 'cmp-storefront': 'operational' });
  assert.equal(pi.name, title);
  assert.deepEqual(pi.incident_updates.map((u) => u.status).reverse(), ['investigating', 'identified', 'monitoring', 'resolved', 'resolved']);

  const publicText = page.requests.map((r) => r.body).join('\n');
  assert.ok(!publicText.includes(info.id), 'not even the incident id (it spells the internal title)');
  const ids = internalIdentifiers(drill, c);
  assert.ok(ids.length > 10, `identifiers collected: ${ids.join(', ')}`);
  for (const id of ids)
    assert.ok(!new RegExp(`(^|[^A-Za-z0-9_-])${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_-])`).test(publicText), `"${id}" reached the public sink:\n${publicText}`);
  assert.doesNotMatch(publicText, /\d+(\.\d+)?%|\bP[0-3]\b|source|crash|alert|firing|\d+\.\d+\.\d+\.\d+|api 5xx|rollback|revision/i);

  // The internal sinks got the details.
  const slackText = slack.requests.map((r) => r.json?.text ?? '').join('\n');
  assert.match(slackText, /HighErrorRate|5xx \d+\.\d%/);
  assert.match(slackText, /Roll back deployment shop\/api/, 'current actions list the rollback');
  assert.equal(slack.requests.length, 5);
  assert.equal(hook.requests.length, 5);
  assert.equal(hook.requests[0]!.json.audience, 'internal');

  // One post, one Timeline entry (deliveries beneath it), five posts in all.
  const queued = eng.slice().timeline.filter((e) => e.kind === 'update.queued');
  assert.equal(queued.length, 5);
});
