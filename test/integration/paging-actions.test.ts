// Acknowledge, escalate, declare-from-page, the incident channel, threaded status updates and
// mirrored notes, through the action runner (a scripted person at the keyboard), against the
// PagerDuty and Slack simulators. A read-only cockpit refuses all of them and writes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ActionRunner } from '../../src/actions/runner.js';
import type { ActionEnv, Interaction } from '../../src/actions/types.js';
import { pagingActions } from '../../src/actions/paging.js';
import { incidentActions } from '../../src/actions/incident.js';
import { IncidentEngine } from '../../src/incident/incident.js';
import { incidentJournalPath, readJournal } from '../../src/incident/journal.js';
import { configSchema } from '../../src/config/schema.js';
import { PagerDutyClient } from '../../src/paging/pagerduty.js';
import { SlackClient } from '../../src/paging/slack.js';
import { slackThreadSink, UPDATE_EVENT } from '../../src/paging/thread-sink.js';
import { incidentChannel } from '../../src/paging/services.js';
import { writePostmortem } from '../../src/incident/postmortem.js';
import { pagerDutySim, slackSim, PD_TOKEN, SLACK_TOKEN, ROUTING_KEY } from '../helpers/paging-sims.js';
import { tempDir, waitFor } from '../helpers/net.js';

const pd = pagerDutySim();
const slack = slackSim();
before(async () => {
  await Promise.all([pd.start(), slack.start()]);
});
after(async () => {
  await Promise.all([pd.stop(), slack.stop()]);
});

function cockpit(o: { readOnly?: boolean; choose?: string[]; answers?: Record<string, string>[] } = {}) {
  const stateDir = tempDir('warroom-paging-');
  const config = configSchema.parse({
    paging: {
      pagerduty: {
        token: PD_TOKEN,
        from: 'ada@example.com',
        apiUrl: pd.url,
        eventsUrl: pd.url,
        serviceIds: ['PSVC1'],
        escalationTargets: [
          { name: 'Engineering leads', routingKey: 'R0UTINGKEY0000000000000000000002' },
          { name: 'Leads policy', serviceId: 'PSVC1', escalationPolicyId: 'PEP2' },
        ],
      },
      slack: { botToken: SLACK_TOKEN, apiUrl: slack.apiUrl, responders: ['UADA', 'UBOB'], links: [{ title: 'Errors dashboard', url: 'https://grafana.example.com/d/errors' }] },
      escalation: [{ severity: 'P1', afterMinutes: 15, contact: 'engineering lead', target: 'Engineering leads' }],
    },
  });
  const pagerduty = new PagerDutyClient({ apiUrl: pd.url, eventsUrl: pd.url, token: PD_TOKEN, from: 'ada@example.com', serviceIds: ['PSVC1'], timeoutMs: 1000 });
  const sc = new SlackClient({ apiUrl: slack.apiUrl, token: SLACK_TOKEN, timeoutMs: 1000 });
  const ref: { engine?: IncidentEngine } = {};
  const sink = slackThreadSink(sc, (id) => {
    const ch = incidentChannel(ref.engine!.journalEntries(id));
    return ch ? { id: ch.id, rootTs: ch.rootTs } : null;
  });
  const env: ActionEnv = { context: 'staging', readOnly: !!o.readOnly, drill: false, recorder: { record: (e) => ref.engine!.record(e) }, actor: 'alice', services: {} };
  const engine = (ref.engine = new IncidentEngine({
    stateDir,
    config,
    sinks: [sink],
    readOnly: () => env.readOnly,
    outboxOptions: { minIntervalMs: 0, baseDelayMs: 30, maxDelayMs: 100, followMs: 50 },
  }));
  const asked = { confirms: [] as string[][], notes: [] as string[], prompts: [] as string[] };
  const choices = [...(o.choose ?? [])];
  const answers = [...(o.answers ?? [])];
  const ui: Interaction = {
    select: async (_title, options) => choices.shift() ?? options[0]!.value,
    prompt: async (title, fields) => {
      asked.prompts.push(title);
      return answers.shift() ?? Object.fromEntries(fields.map((f) => [f.name, f.initial]));
    },
    confirm: async (req) => {
      asked.confirms.push(req.lines);
      return true;
    },
    notify: (m) => asked.notes.push(m),
  };
  env.services.incident = engine;
  env.services.paging = { pagerduty, slack: sc, config: config.paging, refresh: () => {} };
  const runner = new ActionRunner(env, ui, { productionContexts: [] }).register(...pagingActions, ...incidentActions);
  return { runner, engine, stateDir, asked, env, pagerduty, choices, answers };
}

const journalOf = (c: ReturnType<typeof cockpit>) => readJournal(incidentJournalPath(c.stateDir, c.engine.current!.id)).entries;

test('a acknowledges the page through the runner: PagerDuty says acknowledged, the journal says who and which page', async () => {
  const c = cockpit();
  c.engine.declare({ title: 'Checkout 5xx', severity: 'P1', actor: 'alice' });
  const inc = pd.page('PSVC1', 'checkout 5xx > 10%');
  const page = (await c.pagerduty.listPages()).pages.find((p) => p.id === inc.id)!;
  const r = await c.runner.invoke('paging.acknowledge', { name: page.title, page });
  assert.equal(r.ok, true, r.ok ? '' : r.message);
  assert.equal(pd.incidents.find((i) => i.id === inc.id)!.status, 'acknowledged');
  const done = journalOf(c).find((e) => e.kind === 'action.succeeded' && (e.refs as any).action === 'paging.acknowledge')!;
  assert.match(done.summary, /acknowledged PagerDuty #\d+ "checkout 5xx > 10%" \(Ada Primary\)/);
  assert.equal((done.refs as any).pagerdutyIncidentId, inc.id);
  await c.engine.close();
});

test('E escalates with confirmation: reassign to the next level, or page a chosen policy once', async () => {
  const c = cockpit({ choose: ['level:2'] });
  c.engine.declare({ title: 'Checkout down', severity: 'P1', actor: 'alice' });
  const inc = pd.page('PSVC1', 'checkout down');
  let page = (await c.pagerduty.listPages()).pages.find((p) => p.id === inc.id)!;
  const r = await c.runner.invoke('paging.escalate', { name: page.title, page });
  assert.equal(r.ok, true, r.ok ? '' : r.message);
  assert.equal(c.asked.confirms.length, 1, 'asked to confirm');
  assert.ok(c.asked.confirms[0]!.some((l) => /reassigns it to level 2/.test(l)));
  assert.deepEqual(pd.incidents.find((i) => i.id === inc.id)!.assignees, ['PU2']);

  const before = pd.incidents.filter((i) => i.serviceId === 'PSVC2').length;
  page = (await c.pagerduty.listPages()).pages.find((p) => p.id === inc.id)!;
  c.choices.push('target:Engineering leads', 'target:Engineering leads');
  assert.equal((await c.runner.invoke('paging.escalate', { name: page.title, page })).ok, true);
  assert.equal((await c.runner.invoke('paging.escalate', { name: page.title, page })).ok, true);
  const leads = pd.incidents.filter((i) => i.serviceId === 'PSVC2');
  assert.equal(leads.length, before + 1, 'the same escalation twice pages once (Events v2 dedup_key)');
  assert.match(leads.at(-1)!.title, /P1 Checkout down: escalated by alice from warroom/);

  // A REST target: a new incident on a service, with the chosen escalation policy; twice is once.
  const onService = () => pd.incidents.filter((i) => i.policyId === 'PEP2' && i.serviceId === 'PSVC1');
  c.choices.push('target:Leads policy', 'target:Leads policy');
  assert.equal((await c.runner.invoke('paging.escalate', { name: page.title, page })).ok, true);
  const again = await c.runner.invoke('paging.escalate', { name: page.title, page });
  assert.match(again.ok ? again.outcome.summary : again.message, /Leads policy was paged already for this incident/);
  assert.equal(onService().length, 1);
  assert.deepEqual(onService()[0]!.assignees, ['PU3']);
  assert.equal(
    pd.requests.filter((r) => r.method === 'POST' && r.path === '/incidents').every((r) => r.from === 'ada@example.com'),
    true,
  );
  await c.engine.close();
});

test('O opens the incident channel: the runbook name, the first message from the template, responders invited, status updates threaded under it', async () => {
  const c = cockpit();
  const info = c.engine.declare({ title: 'Checkout 5xx after deploy', severity: 'P1', commander: 'alice', actor: 'alice' });
  const r = await c.runner.invoke('paging.channel', { name: '' });
  assert.equal(r.ok, true, r.ok ? '' : r.message);
  const iso = new Date(info.declaredAt).toISOString();
  const name = `incident-${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 13)}${iso.slice(14, 16)}-checkout-5xx-after-deploy`;
  const ch = slack.channelByName(name);
  assert.ok(ch, `no channel ${name} (have ${[...slack.channels.values()].map((x) => x.name).join(', ')})`);
  assert.deepEqual([...ch.members].sort(), ['UADA', 'UBOB', slack.botUser].sort());
  const first = ch.messages[0]!;
  for (const line of [
    '🚨 INCIDENT DECLARED 🚨',
    'Severity: P1',
    'Summary: Checkout 5xx after deploy',
    'IC: alice',
    'Status: Investigating',
    'What we know:',
    '- Errors dashboard: https://grafana.example.com/d/errors',
  ]) {
    assert.ok(first.text.split('\n').includes(line), `first message lacks "${line}":\n${first.text}`);
  }
  assert.ok(c.asked.confirms[0]!.includes('🚨 INCIDENT DECLARED 🚨'), 'the confirmation shows the first message');
  const opened = journalOf(c).find((e) => (e.refs as any)?.slackChannelId)!;
  assert.equal((opened.refs as any).slackChannel, name);
  assert.match(String((opened.refs as any).slackPermalink), /^https:\/\//);
  const again = await c.runner.invoke('paging.channel', { name: '' });
  assert.equal(again.ok ? '' : again.message, `The incident already has its channel #${name}`);

  // A status update goes to the thread; its first answer is lost after Slack posted it: still once.
  slack.faults.add({ path: '/api/chat.postMessage', reply: 'process-then-drop' });
  c.engine.start();
  c.engine.postUpdatePair({ whatWeKnow: 'bad deploy', currentActions: 'rolling back', impact: 'checkout errors', nextUpdate: 'in 30 min' }, 'alice');
  await waitFor(() => c.engine.outbox!.items().every((i) => i.state === 'delivered'), { timeoutMs: 5000, what: 'the update delivered' });
  const replies = ch.messages.filter((m) => m.thread_ts === first.ts);
  assert.equal(replies.length, 1, 'posted once, though the first answer was lost');
  assert.equal(replies[0]!.metadata?.event_type, UPDATE_EVENT);
  assert.match(replies[0]!.text, /rolling back/);
  assert.ok(Array.isArray(replies[0]!.blocks) && replies[0]!.blocks.length > 0, 'with the update’s blocks');
  // The post-mortem names the channel, its first message and the threaded update's link.
  await waitFor(() => journalOf(c).some((e) => e.kind === 'update.delivered'), { what: 'delivery journaled' });
  const pm = fs.readFileSync(writePostmortem(c.stateDir, info.id, undefined, { cwd: c.stateDir }).markdownPath, 'utf8');
  assert.ok(pm.includes(`- Incident channel: #${name} (first message: https://`), pm);
  assert.ok(pm.includes(`/archives/${ch.id}/p${replies[0]!.ts.replace('.', '')}`), 'the update links to its message');
  await c.engine.close();
});

test('O after a lost answer: the channel and its first message are found, not made twice', async () => {
  const c = cockpit();
  c.engine.declare({ title: 'Lost answer', severity: 'P2', commander: 'alice', actor: 'alice' });
  slack.faults.add({ path: '/api/chat.postMessage', reply: 'process-then-drop' });
  const first = await c.runner.invoke('paging.channel', { name: '' });
  assert.match(first.ok ? '' : first.message, /Open the incident channel failed: Slack: network error/);
  const ch = [...slack.channels.values()].find((x) => x.name.endsWith('-lost-answer'))!;
  assert.equal(ch.messages.length, 1, 'the first message landed though its answer was lost');
  const again = await c.runner.invoke('paging.channel', { name: '' });
  assert.equal(again.ok, true, again.ok ? '' : again.message);
  assert.match(again.ok ? again.outcome.summary : '', /found \(it existed\)/);
  assert.equal([...slack.channels.values()].filter((x) => x.name === ch.name).length, 1);
  assert.equal(ch.messages.length, 1, 'the first message is not posted twice');
  await c.engine.close();
});

test('an update posted before the channel exists fails saying so; after O, Enter resends it into the thread', async () => {
  const c = cockpit();
  c.engine.declare({ title: 'Update first', severity: 'P2', commander: 'alice', actor: 'alice' });
  c.engine.start();
  c.engine.postUpdatePair({ whatWeKnow: 'early', currentActions: 'looking', impact: 'some', nextUpdate: 'soon' }, 'alice');
  const failed = await waitFor(() => c.engine.outbox!.items().find((i) => i.sink === 'slack-channel' && i.state === 'failed'), { what: 'the delivery failed' });
  assert.match(failed.lastError ?? '', /the incident has no Slack channel yet: O opens it, then resend/);
  assert.equal((await c.runner.invoke('paging.channel', { name: '' })).ok, true);
  assert.equal((await c.runner.invoke('incident.resend', { name: failed.id, delivery: failed })).ok, true);
  await waitFor(() => c.engine.outbox!.items().find((i) => i.id === failed.id)?.state === 'delivered', { what: 'delivered after the resend' });
  const ch = [...slack.channels.values()].find((x) => x.name.endsWith('-update-first'))!;
  assert.equal(ch.messages.filter((m) => m.thread_ts === ch.messages[0]!.ts).length, 1, 'in the thread, once');
  await c.engine.close();
});

test('L declares the incident from a page; m mirrors a note to it once', async () => {
  const c = cockpit({ answers: [{ title: 'Payments timeouts', severity: 'P2', commander: 'alice' }] });
  const inc = pd.page('PSVC1', 'payments timeouts');
  const page = (await c.pagerduty.listPages()).pages.find((p) => p.id === inc.id)!;
  const r = await c.runner.invoke('paging.link', { name: page.title, page });
  assert.equal(r.ok, true, r.ok ? '' : r.message);
  assert.equal(c.engine.current?.title, 'Payments timeouts');
  c.engine.note('rolled back payments to v41', 'alice');
  const note = c.engine.slice().timeline.findLast((e) => e.kind === 'note')!;
  assert.equal((await c.runner.invoke('paging.mirror', { name: note.id, entry: note })).ok, true);
  assert.equal((await c.runner.invoke('paging.mirror', { name: note.id, entry: note })).ok, true);
  const notes = pd.incidents.find((i) => i.id === inc.id)!.notes;
  assert.equal(notes.length, 1, 'mirrored once');
  assert.match(notes[0]!.content, /^rolled back payments to v41\n— alice, warroom/);
  await c.engine.close();
});

test('read-only refuses acknowledge, escalate, channel creation (and declare/mirror), changes nothing and writes nothing', async () => {
  const c = cockpit({ readOnly: true });
  const inc = pd.page('PSVC1', 'read-only screen');
  const page = (await c.pagerduty.listPages()).pages.find((p) => p.id === inc.id)!;
  const channelsBefore = slack.channels.size;
  const requestsBefore = pd.requests.filter((x) => x.method !== 'GET').length;
  for (const id of ['paging.acknowledge', 'paging.escalate', 'paging.channel', 'paging.link', 'paging.mirror']) {
    const r = await c.runner.invoke(id, { name: page.title, page });
    assert.equal(r.ok ? 'ran' : r.reason, 'read-only', id);
  }
  assert.equal(c.asked.confirms.length + c.asked.prompts.length, 0, 'nothing asked');
  assert.equal(pd.incidents.find((i) => i.id === inc.id)!.status, 'triggered');
  assert.equal(pd.requests.filter((x) => x.method !== 'GET').length, requestsBefore, 'no write reached PagerDuty');
  assert.equal(slack.channels.size, channelsBefore);
  assert.deepEqual(fs.existsSync(path.join(c.stateDir, 'incidents')) ? fs.readdirSync(path.join(c.stateDir, 'incidents')) : [], [], 'nothing journaled');
  assert.ok(c.asked.notes.every((n) => /^Read-only mode: /.test(n)));
  await c.engine.close();
});

test('a hung or rate-limited PagerDuty is named in the refusal, and the cockpit goes on', async () => {
  const c = cockpit();
  c.engine.declare({ title: 'Slow PD', severity: 'P2', actor: 'alice' });
  const inc = pd.page('PSVC1', 'slow pd');
  const page = (await c.pagerduty.listPages()).pages.find((p) => p.id === inc.id)!;
  pd.faults.add({ path: `/incidents/${inc.id}`, reply: 'hang' });
  const hung = await c.runner.invoke('paging.acknowledge', { name: page.title, page });
  assert.match(hung.ok ? '' : hung.message, /Acknowledge page .* failed: PagerDuty: timed out after 1s/);
  pd.faults.add({ path: `/incidents/${inc.id}`, reply: { status: 429, headers: { 'retry-after': '86400' }, body: '{"error":{"message":"Rate Limit Exceeded","code":2020}}' } });
  const limited = await c.runner.invoke('paging.acknowledge', { name: page.title, page });
  assert.match(limited.ok ? '' : limited.message, /PagerDuty rate limit \(HTTP 429\): retry after 24 h/);
  const ok = await c.runner.invoke('paging.acknowledge', { name: page.title, page });
  assert.equal(ok.ok, true);
  const failed = journalOf(c).filter((e) => e.kind === 'action.failed');
  assert.equal(failed.length, 2, 'both failures journaled');
  assert.ok(failed.every((e) => !JSON.stringify(e).includes(PD_TOKEN) && !JSON.stringify(e).includes(ROUTING_KEY)));
  await c.engine.close();
});
