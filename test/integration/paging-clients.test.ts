// The PagerDuty and Slack clients against their simulators, and against the simulators told to
// misbehave: 429 with a short and an absurd Retry-After, a hung answer, a dropped connection, an
// answer far too large, a bad token. Every failure is named and never shows a token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PagerDutyClient } from '../../src/paging/pagerduty.js';
import { SlackClient } from '../../src/paging/slack.js';
import { ApiError } from '../../src/paging/api.js';
import { pagerDutySim, slackSim, PD_TOKEN, SLACK_TOKEN, ROUTING_KEY } from '../helpers/paging-sims.js';

const pd = pagerDutySim();
const slack = slackSim();
let client: PagerDutyClient;
let sc: SlackClient;
before(async () => {
  await Promise.all([pd.start(), slack.start()]);
  client = new PagerDutyClient({ apiUrl: pd.url, eventsUrl: pd.url, token: PD_TOKEN, from: 'ada@example.com', serviceIds: ['PSVC1'], timeoutMs: 500 });
  sc = new SlackClient({ apiUrl: slack.apiUrl, token: SLACK_TOKEN, timeoutMs: 500 });
});
after(async () => {
  await Promise.all([pd.stop(), slack.stop()]);
});

async function rejects(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, `not an ApiError: ${e}`);
    assert.ok(!e.message.includes(PD_TOKEN) && !e.message.includes(SLACK_TOKEN) && !e.message.includes(ROUTING_KEY), `a secret in: ${e.message}`);
    return e;
  }
  assert.fail('expected a failure');
}

test('PagerDuty: open pages of the configured services, with who is on call and the escalation level', async () => {
  const mine = pd.page('PSVC1', 'checkout 5xx above 10%');
  pd.page('PSVC2', 'not ours');
  const { pages } = await client.listPages();
  assert.deepEqual(
    pages.map((p) => p.id),
    [mine.id],
  );
  const p = pages[0]!;
  assert.equal(p.status, 'triggered');
  assert.equal(p.service, 'checkout');
  assert.equal(p.escalationPolicy, 'Checkout on-call');
  assert.equal(p.escalationLevel, 1);
  assert.equal(p.levels, 3);
  assert.deepEqual(p.onCall, ['Ada Primary']);
  assert.deepEqual(p.assignees, ['Ada Primary']);
});

test('PagerDuty: acknowledge sends From and shows who acknowledged; escalate reassigns to the next level', async () => {
  const inc = pd.page('PSVC1', 'ack me');
  const acked = await client.acknowledge(inc.id);
  assert.equal(acked.status, 'acknowledged');
  assert.deepEqual(acked.acknowledgedBy, ['Ada Primary']);
  const put = pd.requests.filter((r) => r.method === 'PUT').at(-1)!;
  assert.equal(put.from, 'ada@example.com');
  assert.deepEqual(put.body, { incident: { type: 'incident_reference', status: 'acknowledged' } });

  const up = await client.escalate(inc.id, 2);
  assert.deepEqual(up.assignees, ['Bob Secondary']);
  const again = (await client.listPages()).pages.find((p) => p.id === inc.id)!;
  assert.equal(again.escalationLevel, 2);
  // Past the policy's last level: PagerDuty's own refusal, named.
  const e = await rejects(client.escalate(inc.id, 9));
  assert.equal(e.kind, 'http');
  assert.match(e.message, /PagerDuty HTTP 400: Invalid Input Provided; Escalation level 9 does not exist/);
});

test('PagerDuty: a From that is not a user is refused with PagerDuty’s reason', async () => {
  const inc = pd.page('PSVC1', 'bad from');
  const bad = new PagerDutyClient({ apiUrl: pd.url, eventsUrl: pd.url, token: PD_TOKEN, from: 'nobody@example.com', serviceIds: [], timeoutMs: 500 });
  const e = await rejects(bad.acknowledge(inc.id));
  assert.match(e.message, /Requester User Not Found/);
  assert.equal(pd.incidents.find((i) => i.id === inc.id)!.status, 'triggered');
});

test('PagerDuty: a note whose first attempt was applied but its answer lost is not added twice', async () => {
  const inc = pd.page('PSVC1', 'notes');
  pd.faults.add({ method: 'POST', path: `/incidents/${inc.id}/notes`, reply: 'process-then-drop' });
  const e = await rejects(client.addNote(inc.id, 'rolled back [warroom e-1]', { marker: '[warroom e-1]' }));
  assert.equal(e.sent, true, 'a dropped connection after sending may have landed');
  const r = await client.addNote(inc.id, 'rolled back [warroom e-1]', { marker: '[warroom e-1]', maybeLanded: true });
  assert.equal(r.already, true);
  assert.equal(pd.incidents.find((i) => i.id === inc.id)!.notes.length, 1);
});

test('PagerDuty Events v2: a trigger is deduplicated by its key, a bad routing key is named', async () => {
  const before = pd.incidents.length;
  await client.trigger({ routingKey: ROUTING_KEY, summary: 'P1 for 15 min: escalate', source: 'warroom', severity: 'critical', dedupKey: 'warroom-inc-1-esc' });
  await client.trigger({ routingKey: ROUTING_KEY, summary: 'P1 for 15 min: escalate', source: 'warroom', severity: 'critical', dedupKey: 'warroom-inc-1-esc' });
  assert.equal(pd.incidents.length, before + 1);
  const e = await rejects(client.trigger({ routingKey: 'nope-nope-nope', summary: 'x', source: 'warroom', severity: 'critical', dedupKey: 'k' }));
  assert.match(e.message, /PagerDuty Events HTTP 400: .*Invalid routing key|Event object is invalid/);
});

test('PagerDuty: a short 429 is waited out once; an absurd Retry-After fails at once with the wait named', async () => {
  pd.faults.add({ path: '/incidents', reply: { status: 429, headers: { 'retry-after': '1' }, body: '{"error":{"message":"Rate Limit Exceeded","code":2020}}' } });
  const t0 = Date.now();
  await client.listPages();
  assert.ok(Date.now() - t0 >= 900, 'waited for Retry-After');

  pd.faults.add({ path: '/incidents', reply: { status: 429, headers: { 'retry-after': '3000000' }, body: '{}' } });
  const t1 = Date.now();
  const e = await rejects(client.listPages());
  assert.ok(Date.now() - t1 < 500, 'did not wait 35 days');
  assert.equal(e.kind, 'rate-limited');
  assert.match(e.message, /PagerDuty rate limit \(HTTP 429\): retry after 35 days/);
});

test('PagerDuty: a hung answer times out, a drop is a network error, a huge body is refused; all say they may have been sent', async () => {
  const inc = pd.page('PSVC1', 'faults');
  pd.faults.add({ path: `/incidents/${inc.id}`, reply: 'hang' });
  const t0 = Date.now();
  const hung = await rejects(client.acknowledge(inc.id));
  assert.equal(hung.kind, 'timeout');
  assert.equal(hung.sent, true);
  assert.ok(Date.now() - t0 < 2000);
  pd.faults.add({ path: `/incidents/${inc.id}`, reply: 'drop' });
  const dropped = await rejects(client.acknowledge(inc.id));
  assert.equal(dropped.kind, 'network');
  const small = new PagerDutyClient({ apiUrl: pd.url, eventsUrl: pd.url, token: PD_TOKEN, from: 'ada@example.com', serviceIds: ['PSVC1'], timeoutMs: 2000, maxBytes: 64 * 1024 });
  pd.faults.add({ path: '/incidents', reply: { huge: 8 * 1024 * 1024 } });
  const big = await rejects(small.listPages());
  assert.equal(big.kind, 'too-large');
  assert.match(big.message, /PagerDuty: response too large/);
  // Nothing stuck: the next call works.
  assert.equal((await client.acknowledge(inc.id)).status, 'acknowledged');
});

test('PagerDuty: a wrong token is a named 401 that does not show the token', async () => {
  const bad = new PagerDutyClient({ apiUrl: pd.url, eventsUrl: pd.url, token: 'wrong-token-123', from: 'ada@example.com', serviceIds: [], timeoutMs: 500 });
  const e = await rejects(bad.listPages());
  assert.match(e.message, /PagerDuty HTTP 401: Unauthorized/);
  assert.ok(!e.message.includes('wrong-token-123'));
});

test('Slack: create the channel (an existing name is reused), invite, post with metadata, read it back', async () => {
  const ch = await sc.createChannel('incident-20261203-0815-checkout-5xx');
  assert.equal(ch.created, true);
  const again = await sc.createChannel('incident-20261203-0815-checkout-5xx');
  assert.deepEqual(again, { ...ch, created: false });
  await sc.invite(ch.id, ['UADA', 'UBOB']);
  await sc.invite(ch.id, ['UADA']); // already in: not an error
  const inv = await rejects(sc.invite(ch.id, ['UNOBODY']));
  assert.equal(inv.code, 'user_not_found');

  const root = await sc.post({ channel: ch.id, text: 'INCIDENT DECLARED', metadata: { event_type: 'warroom_incident', event_payload: { incident_id: 'i-1' } } });
  const reply = await sc.post({ channel: ch.id, text: 'UPDATE', threadTs: root.ts });
  const { messages } = await sc.history(ch.id);
  assert.deepEqual(
    messages.map((m) => m.ts),
    [root.ts],
    'replies are not in the channel history',
  );
  assert.deepEqual(messages[0]!.metadata, { event_type: 'warroom_incident', event_payload: { incident_id: 'i-1' } });
  const thread = await sc.replies(ch.id, root.ts);
  assert.deepEqual(
    thread.map((m) => m.ts),
    [root.ts, reply.ts],
  );
  assert.match((await sc.permalink(ch.id, reply.ts)) ?? '', /^https:\/\/.*\/archives\//);
  const newer = await sc.history(ch.id, { oldest: root.ts });
  assert.equal(newer.messages.length, 0, 'oldest is exclusive');
});

test('Slack: ok:false, a bad channel name, 429 and a bad token are named', async () => {
  const nf = await rejects(sc.post({ channel: 'CNOPE', text: 'x' }));
  assert.equal(nf.kind, 'api');
  assert.match(nf.message, /Slack chat.postMessage: channel_not_found/);
  const name = await rejects(sc.createChannel('Incident With Spaces'));
  assert.equal(name.code, 'invalid_name_specials');
  slack.faults.add({ path: '/api/chat.postMessage', reply: { status: 429, headers: { 'retry-after': '30' }, body: '{"ok":false,"error":"ratelimited"}' } });
  const rl = await rejects(sc.post({ channel: 'CINCIDENTS', text: 'x' }));
  assert.equal(rl.kind, 'rate-limited');
  assert.equal(rl.retryAfterMs, 30_000);
  assert.match(rl.message, /Slack rate limit \(HTTP 429\): retry after 30 s/);
  const bad = new SlackClient({ apiUrl: slack.apiUrl, token: 'xoxb-wrong-wrong', timeoutMs: 500 });
  const auth = await rejects(bad.history('CINCIDENTS'));
  assert.match(auth.message, /invalid_auth \(the bot token is wrong or revoked\)/);
  assert.ok(!auth.message.includes('xoxb-wrong-wrong'));
});
