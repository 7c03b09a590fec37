import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { dryRunSink, parseRetryAfter, publicIncidentRef, slackSink, statuspageSink, webhookSink, type SendContext } from '../../src/incident/sinks.js';
import { Outbox } from '../../src/incident/outbox.js';
import { IncidentEngine } from '../../src/incident/incident.js';
import { defaultConfig } from '../../src/config/schema.js';
import { composeUpdate } from '../../src/incident/templates.js';
import { readJournal } from '../../src/incident/journal.js';
import type { IncidentInfo, NewEntry } from '../../src/incident/types.js';
import { FakeSlack, FakeStatuspage, FakeWebhook } from '../helpers/fake-sinks.js';
import { tempDir } from '../helpers/net.js';

const servers: Array<{ stop(): Promise<void> }> = [];
after(async () => {
  for (const s of servers) await s.stop();
});

const incident: IncidentInfo = {
  id: '2026-11-25-1642-api-errors',
  title: 'API errors',
  severity: 'P1',
  status: 'investigating',
  declaredAt: Date.UTC(2026, 10, 25, 16, 42),
  commander: 'ana',
  comms: null,
  lastUpdateAt: null,
};
const fields = { whatWeKnow: '5xx at 12%', currentActions: 'Rolling back api', impact: 'Checkout failing for some users', nextUpdate: '17:15 UTC' };
const update = (n: number, status: IncidentInfo['status'] = 'investigating') =>
  composeUpdate({ ...incident, status }, { ...fields, whatWeKnow: `finding ${n}` }, { audience: 'internal', id: `u${n}` });
const noCtx: SendContext = { pageIncidentId: null, createUncertain: false, setPageIncidentId() {} };

async function start<T extends { start(): Promise<T>; stop(): Promise<void> }>(s: T): Promise<T> {
  await s.start();
  servers.push(s);
  return s;
}

test('Retry-After: seconds and HTTP dates', () => {
  assert.equal(parseRetryAfter('2'), 2000);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.equal(parseRetryAfter('soon'), null);
  assert.equal(parseRetryAfter(null), null);
});

test('Slack: posts {text, blocks}; error bodies are permanent failures with the reason; the URL never shows', async () => {
  const slack = await start(new FakeSlack());
  const sink = slackSink({ webhookUrl: slack.webhookUrl }, { timeoutMs: 2000 });
  assert.deepEqual(await sink.send(update(1), noCtx), { ok: true });
  const got = slack.requests[0]!;
  assert.equal(got.headers['content-type'], 'application/json');
  assert.match(got.json.text, /INCIDENT DECLARED .*: API errors/);
  assert.match(got.json.text, /What we know:\n- finding 1/);
  assert.equal(got.json.blocks[0].block_id, 'warroom-u1');

  for (const [status, body] of [
    [400, 'invalid_payload'],
    [400, 'no_text'],
    [403, 'invalid_token'],
    [404, 'channel_not_found'],
    [410, 'channel_is_archived'],
  ] as const) {
    slack.enqueue({ status, body });
    const r = await sink.send(update(2), noCtx);
    assert.deepEqual(r, { ok: false, retryable: false, sent: false, reason: `HTTP ${status}: ${body}` });
  }
  slack.enqueue({ status: 429, body: 'rate_limited', headers: { 'retry-after': '3' } });
  assert.deepEqual(await sink.send(update(3), noCtx), { ok: false, retryable: true, sent: false, retryAfterMs: 3000, reason: 'HTTP 429: rate_limited' });
  slack.enqueue({ status: 503, body: 'service unavailable' });
  assert.equal(((await sink.send(update(4), noCtx)) as any).retryable, true);

  // A closed port: a network error, retryable, and the reason does not contain the webhook URL.
  const dead = slackSink({ webhookUrl: 'http://127.0.0.1:9/services/T/B/SECRETPART' }, { timeoutMs: 2000 });
  const r = (await dead.send(update(5), noCtx)) as any;
  assert.equal(r.ok, false);
  assert.equal(r.retryable, true);
  assert.equal(r.sent, false, 'nothing reached a closed port: safe to retry');
  assert.match(r.reason, /network error/);
  assert.ok(!r.reason.includes('SECRETPART'));
});

test('Statuspage: create then patch, OAuth header, the documented body shape, 420/429 are rate limits', async () => {
  const sp = await start(new FakeStatuspage('pg1', 'sp-key-123'));
  const sink = statuspageSink({ pageId: 'pg1', apiKey: 'sp-key-123', baseUrl: sp.url, componentIds: ['cmpA', 'cmpB'] }, { timeoutMs: 2000 });
  let pageId: string | null = null;
  const ctx = (): SendContext => ({ pageIncidentId: pageId, createUncertain: false, setPageIncidentId: (id) => (pageId = id) });
  assert.deepEqual(await sink.send(update(1), ctx()), { ok: true, messageId: 'inc1' });
  assert.equal(pageId, 'inc1');
  const create = sp.requests[0]!;
  assert.equal(create.method, 'POST');
  assert.equal(create.path, '/v1/pages/pg1/incidents');
  assert.equal(create.headers.authorization, 'OAuth sp-key-123');
  assert.deepEqual(Object.keys(create.json.incident).sort(), ['body', 'component_ids', 'components', 'metadata', 'name', 'status']);
  assert.deepEqual(create.json.incident.metadata, { warroom: { incident_ref: publicIncidentRef(incident.id) } }, 'the marker a resend looks for');
  assert.ok(!create.body.includes(incident.id), 'the incident id (made from the internal title) is not sent to the public page');
  assert.deepEqual(create.json.incident.components, { cmpA: 'partial_outage', cmpB: 'partial_outage' });
  assert.equal(create.json.incident.status, 'investigating');

  assert.equal((await sink.send(update(2, 'resolved'), ctx())).ok, true);
  assert.equal(sp.requests[1]!.method, 'PATCH');
  assert.equal(sp.requests[1]!.path, '/v1/pages/pg1/incidents/inc1');
  assert.equal(sp.incidents[0]!.status, 'resolved');
  assert.deepEqual(sp.incidents[0]!.components, { cmpA: 'operational', cmpB: 'operational' });

  sp.enqueue({ status: 420, body: 'Enhance your calm' });
  assert.equal(((await sink.send(update(3), ctx())) as any).retryable, true);
  sp.enqueue({ status: 429, body: '{"error":"rate limited"}', headers: { 'retry-after': '1' } });
  assert.equal(((await sink.send(update(3), ctx())) as any).retryAfterMs, 1000);
  const bad = statuspageSink({ pageId: 'pg1', apiKey: 'wrong-key', baseUrl: sp.url, componentIds: [] });
  const r = (await bad.send(update(4), noCtx)) as any;
  assert.deepEqual([r.retryable, r.reason], [false, 'HTTP 401: {"error":"Could not authenticate"}']);
});

test('outbox: 429 with Retry-After and 5xx are retried; a request that may have arrived (read, then hung or dropped) is never resent by itself: UNKNOWN, journaled', async () => {
  const slack = await start(new FakeSlack());
  const sp = await start(new FakeStatuspage());
  const hook = await start(new FakeWebhook());
  const dir = tempDir();
  const journal: Array<{ incidentId: string; entry: NewEntry }> = [];
  const sinks = [
    slackSink({ webhookUrl: slack.webhookUrl }, { timeoutMs: 400 }),
    statuspageSink({ pageId: sp.pageId, apiKey: sp.apiKey, baseUrl: sp.url, componentIds: ['c1'] }, { timeoutMs: 400 }),
    webhookSink({ url: `${hook.url}/hook`, headers: { authorization: 'Bearer hook-secret' } }, { timeoutMs: 400 }),
  ];
  // u1: 429 (waits its Retry-After), 500, then hangs after reading the body → unknown. u2: dropped after reading → unknown.
  slack.enqueue({ status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } }, { status: 500, body: 'oops' }, 'hang', 'drop');
  // Statuspage checks what landed, so it is retried safely: a dropped create is looked up, not made twice.
  sp.enqueue({ status: 420, body: 'calm' }, 'drop', { status: 502, body: 'bad gateway' });
  hook.enqueue({ status: 500 }, 'hang');
  const ob = new Outbox({ stateDir: dir, sinks, record: (incidentId, entry) => journal.push({ incidentId, entry }), baseDelayMs: 50, maxDelayMs: 200, minIntervalMs: 0 });
  ob.start();
  const ids = [1, 2, 3].flatMap((n) => ob.enqueue(update(n, n === 3 ? 'monitoring' : 'investigating')));
  assert.equal(ids.length, 9);
  await ob.idle();
  await ob.stop();

  const state = (id: string) => ob.items().find((i) => i.id === id)!.state;
  assert.deepEqual(
    ['u1', 'u2', 'u3'].map((u) => state(`${u}@slack`)),
    ['unknown', 'unknown', 'delivered'],
  );
  assert.deepEqual(
    ['u1', 'u2', 'u3'].map((u) => state(`${u}@webhook`)),
    ['unknown', 'delivered', 'delivered'],
  );
  assert.deepEqual(
    ['u1', 'u2', 'u3'].map((u) => state(`${u}@statuspage`)),
    ['delivered', 'delivered', 'delivered'],
  );
  // Counted on the servers' side: nothing that may have been posted was posted twice.
  for (const n of [1, 2, 3]) {
    assert.equal(slack.landedByUpdate().get(`u${n}`), 1, `slack u${n}`);
    assert.equal(hook.landedByUpdate().get(`u${n}`), 1, `webhook u${n}`);
  }
  assert.equal(slack.requests.length, 5, 'slack: 429, 500, hang (u1), drop (u2), u3');
  // The 429 made Slack wait at least its Retry-After before the next attempt.
  const [first, second] = slack.requests;
  assert.ok(second!.at - first!.at >= 1000, `retried after ${second!.at - first!.at} ms`);
  // The webhook carries one Idempotency-Key per delivery, the same on every attempt.
  const keys = hook.requests.map((r) => `${r.json.id}:${r.headers['idempotency-key']}`);
  assert.deepEqual(keys, ['u1:u1@webhook', 'u1:u1@webhook', 'u2:u2@webhook', 'u3:u3@webhook']);
  // Statuspage: one page incident (the dropped create was retried as a lookup, not a second create), then patches.
  assert.equal(sp.incidents.length, 1);
  assert.deepEqual(
    sp.incidents[0]!.incident_updates.map((u) => u.status),
    ['monitoring', 'investigating', 'investigating'],
  );
  assert.equal(journal.filter((j) => j.entry.kind === 'update.delivered').length, 6);
  assert.equal(journal.filter((j) => j.entry.kind === 'update.unknown').length, 3);
  assert.match(ob.items().find((i) => i.id === 'u1@slack')!.lastError!, /timed out after 0.4s: it may or may not have arrived\. Resend \(Enter\) or discard \(x\)/);
  assert.ok(journal.every((j) => j.incidentId === incident.id));

  // The person's word: resend one, discard the other.
  const ob1 = new Outbox({ stateDir: dir, sinks, record: (incidentId, entry) => journal.push({ incidentId, entry }), minIntervalMs: 0 });
  ob1.start();
  assert.equal(ob1.resend('u1@slack', 'ana'), true);
  assert.equal(ob1.discard('u2@slack', 'ana'), true);
  await ob1.idle();
  await ob1.stop();
  assert.equal(ob1.items().find((i) => i.id === 'u1@slack')!.state, 'delivered');
  assert.deepEqual([ob1.items().find((i) => i.id === 'u2@slack')!.state, ob1.items().find((i) => i.id === 'u2@slack')!.lastError], ['failed', 'discarded by ana']);
  assert.equal(slack.acceptedByUpdate().get('u1'), 1);
  assert.equal(slack.acceptedByUpdate().get('u2'), undefined);

  // A permanent failure: failed with Slack's reason, journaled, not retried.
  slack.enqueue({ status: 404, body: 'channel_not_found' });
  const before = slack.requests.length;
  const ob2 = new Outbox({ stateDir: dir, sinks: [sinks[0]!], record: (incidentId, entry) => journal.push({ incidentId, entry }), minIntervalMs: 0 });
  ob2.start();
  const [id] = ob2.enqueue(update(9));
  await ob2.idle();
  const item = ob2.items().find((i) => i.id === id)!;
  assert.deepEqual([item.state, item.lastError, item.attempts], ['failed', 'HTTP 404: channel_not_found', 1]);
  assert.equal(slack.requests.length, before + 1);
  assert.match(journal.at(-1)!.entry.summary, /failed: HTTP 404: channel_not_found/);
  // The user can resend a failed one; this time it arrives.
  assert.equal(ob2.resend(id!), true);
  await ob2.idle();
  assert.equal(ob2.items().find((i) => i.id === id)!.state, 'delivered');
  await ob2.stop();

  const onDisk = fs.readFileSync(path.join(dir, 'outbox', 'outbox.jsonl'), 'utf8');
  for (const secret of ['XXXXXXXX', 'sp-key-123', 'hook-secret']) assert.ok(!onDisk.includes(secret), `${secret} in the outbox file`);
});

test('outbox: a Statuspage create whose outcome was lost in a crash is found by name, not created twice', async () => {
  const sp = await start(new FakeStatuspage());
  const dir = tempDir();
  const sink = () => statuspageSink({ pageId: sp.pageId, apiKey: sp.apiKey, baseUrl: sp.url, componentIds: [] }, { timeoutMs: 400 });
  // First process: the create reaches Statuspage, but the process dies before the answer.
  sp.enqueue('hang');
  const ob = new Outbox({ stateDir: dir, sinks: [sink()], minIntervalMs: 0 });
  ob.start();
  ob.enqueue(update(1));
  while (sp.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
  // Simulate that the hung create had in fact been processed by Statuspage.
  sp.incidents.push({
    id: 'inc-created',
    name: 'API errors',
    status: 'investigating',
    components: {},
    incident_updates: [{ status: 'investigating', body: update(1).statuspage.body }],
  });
  await ob.stop(); // in-flight attempt ends in a timeout → retrying; then we "crash" by abandoning it
  // Rewrite history as a crash would leave it: the delivery still `sending`.
  const file = path.join(dir, 'outbox', 'outbox.jsonl');
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const cut = lines.findIndex((l) => l.includes('"state":"sending"'));
  fs.writeFileSync(file, lines.slice(0, cut + 1).join('\n') + '\n');

  const ob2 = new Outbox({ stateDir: dir, sinks: [sink()], minIntervalMs: 0 });
  ob2.load();
  assert.equal(ob2.items()[0]!.state, 'sending', 'as the crash left it, until this process holds the delivery lock');
  ob2.start();
  await ob2.idle();
  await ob2.stop();
  assert.equal(ob2.items()[0]!.state, 'delivered');
  assert.equal(sp.incidents.length, 1, 'created a second page incident');
  // Found by name (it carries no marker); its latest update already is ours, so nothing is posted again.
  assert.deepEqual(
    sp.requests.slice(1).map((r) => `${r.method} ${r.path}`),
    ['GET /v1/pages/pg1/incidents/unresolved'],
  );
  assert.equal(sp.incidents[0]!.incident_updates.length, 1);
});

test('dry-run sink appends what would be sent, with no secrets', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'dry.jsonl');
  const ob = new Outbox({ stateDir: dir, sinks: [dryRunSink(file, { targets: ['slack', 'statuspage'] })], minIntervalMs: 0 });
  ob.start();
  ob.enqueue(update(1));
  ob.enqueue(update(2, 'resolved'));
  await ob.idle();
  await ob.stop();
  const { entries } = readJournal(file) as any;
  const lines = fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(entries.length, 0); // not timeline entries
  assert.deepEqual(
    lines.map((l) => [l.update.id, l.update.statuspage.status, l.wouldSendTo.join(',')]),
    [
      ['u1', 'investigating', 'slack,statuspage'],
      ['u2', 'resolved', 'slack,statuspage'],
    ],
  );
  assert.match(lines[1].update.slack.text, /RESOLVED/);
});

test('a public dry-run record holds only what a public receiver gets: no internal incident id, title or Slack text', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'dry.jsonl');
  const ob = new Outbox({ stateDir: dir, sinks: [dryRunSink(file, { name: 'dry-run-public', targets: ['statuspage'], audience: 'public' })], minIntervalMs: 0 });
  ob.start();
  const pub = composeUpdate(incident, fields, { audience: 'public', id: 'p1' });
  ob.enqueue(pub);
  await ob.idle();
  await ob.stop();
  const text = fs.readFileSync(file, 'utf8');
  const line = JSON.parse(text.trim());
  assert.equal(line.audience, 'public');
  assert.match(line.update.incidentRef, /^inc-[0-9a-f]{16}$/);
  assert.equal(line.update.statuspage.name, pub.statuspage.name);
  assert.ok(!text.includes(incident.id), `the internal id is not recorded: ${text}`);
  assert.ok(!text.includes(incident.title), `nor the internal title: ${text}`);
  assert.equal(line.update.slack, undefined);
});

test('engine.postUpdatePair: the internal update to Slack, only the public fields to Statuspage, both journaled as delivered', async () => {
  const slack = await start(new FakeSlack());
  const sp = await start(new FakeStatuspage());
  const dir = tempDir();
  const engine = new IncidentEngine({
    stateDir: dir,
    config: defaultConfig(),
    sinks: [slackSink({ webhookUrl: slack.webhookUrl }), statuspageSink({ pageId: sp.pageId, apiKey: sp.apiKey, baseUrl: sp.url, componentIds: ['c1'] })],
    outboxOptions: { minIntervalMs: 0 },
  });
  engine.start();
  engine.declare({ title: 'Checkout down', severity: 'P0', commander: 'ana', actor: 'ana' });
  assert.deepEqual(engine.sinkNames(), ['slack', 'statuspage']);
  const ids = engine.postUpdatePair(
    {
      whatWeKnow: 'Payments API failing',
      currentActions: 'Failing over',
      impact: 'No checkouts',
      nextUpdate: '17:00 UTC',
      publicTitle: 'Checkout unavailable',
      publicMessage: 'Some customers cannot check out. We are investigating.',
    },
    'ana',
  );
  assert.equal(ids.length, 2);
  await engine.outbox!.idle();
  await engine.close();
  assert.match(slack.requests[0]!.json.text, /Severity: P0 .*\n.*IC: ana[\s\S]*Current actions:\n- Failing over/);
  assert.equal(sp.incidents[0]!.incident_updates[0]!.body, 'Some customers cannot check out. We are investigating.');
  assert.equal(sp.incidents[0]!.name, 'Checkout unavailable', 'the public title, never the internal one');
  assert.doesNotMatch(sp.requests.map((r) => r.body).join('\n'), /Payments API failing|Failing over|No checkouts|Checkout down|P0|ana/);
  assert.deepEqual(sp.incidents[0]!.components, { c1: 'major_outage' });
  const kinds = engine.slice().timeline.map((e) => `${e.kind}${e.delivery ? ':' + (e.delivery as any).sink : ''}`);
  // One post, one "queued" entry; a delivery entry per sink.
  assert.deepEqual(kinds.filter((k) => k.startsWith('update.')).sort(), ['update.delivered:slack', 'update.delivered:statuspage', 'update.queued']);
  assert.equal(engine.current!.lastUpdateAt != null, true);
  assert.equal(
    engine.slice().outbox.every((o) => o.state === 'delivered'),
    true,
  );
});

test('outbox: a Statuspage PATCH that landed but whose answer was lost is not posted twice', async () => {
  const sp = await start(new FakeStatuspage());
  const dir = tempDir();
  const ob = new Outbox({
    stateDir: dir,
    sinks: [statuspageSink({ pageId: sp.pageId, apiKey: sp.apiKey, baseUrl: sp.url, componentIds: [] }, { timeoutMs: 400 })],
    minIntervalMs: 0,
    baseDelayMs: 20,
  });
  ob.start();
  ob.enqueue(update(1));
  await ob.idle();
  sp.enqueue('process-then-drop'); // the PATCH is applied, then the connection dies
  ob.enqueue(update(2, 'identified'));
  await ob.idle();
  await ob.stop();
  assert.deepEqual(
    ob.items().map((i) => i.state),
    ['delivered', 'delivered'],
  );
  assert.deepEqual(
    sp.incidents[0]!.incident_updates.map((u) => u.status),
    ['identified', 'investigating'],
  );
  assert.deepEqual(
    sp.requests.map((r) => r.method),
    ['POST', 'PATCH', 'GET'],
  );
});
