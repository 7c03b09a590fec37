// The channel sync in one process: Slack down, then back (entries wait in the journal, the status
// says why, then they are posted once); Retry-After waited out (a huge one capped, and said);
// junk in the channel (malformed metadata, an incident id that is a path, oversized entries)
// ignored; a long note cut in the channel's copy only; a bot not in the channel joins it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { IncidentEngine } from '../../src/incident/incident.js';
import { incidentJournalPath, readJournal } from '../../src/incident/journal.js';
import { defaultConfig } from '../../src/config/schema.js';
import { SlackClient } from '../../src/paging/slack.js';
import { ChannelSync, ENTRIES_EVENT } from '../../src/paging/timeline-sync.js';
import { writePostmortem } from '../../src/incident/postmortem.js';
import { slackSim, SLACK_TOKEN } from '../helpers/paging-sims.js';
import { tempDir, waitFor } from '../helpers/net.js';

const slack = slackSim({ postsPerSecond: 50, burst: 50 });
after(() => slack.stop());

async function setup() {
  if (!slack.url) await slack.start();
  const dir = tempDir('warroom-sync-');
  const engine = new IncidentEngine({ stateDir: dir, config: defaultConfig() });
  const info = engine.declare({ title: `sync ${Math.random().toString(36).slice(2, 8)}`, severity: 'P2', actor: 'alice' });
  const ch = slack.addChannel(`incident-${info.id}`);
  engine.record({ kind: 'action.succeeded', actor: 'alice', source: 'runner', summary: 'channel', refs: { slackChannelId: ch.id, slackChannel: ch.name } });
  const sync = new ChannelSync({
    slack: new SlackClient({ apiUrl: slack.apiUrl, token: SLACK_TOKEN, timeoutMs: 300 }),
    engine,
    stateDir: dir,
    origin: 'alice@a',
    pollMs: 100,
    localMs: 30,
  });
  // What warroom posted (the tests' own junk left out).
  const inChannel = () =>
    ch.messages.flatMap((m) => {
      const list = m.metadata?.event_type === ENTRIES_EVENT ? (m.metadata.event_payload as any).entries : null;
      return Array.isArray(list) ? list.filter((e: any) => typeof e?.id === 'string' && typeof e.json === 'string') : [];
    }) as Array<{ id: string; json: string }>;
  return { dir, engine, info, ch, sync, inChannel };
}

test('Slack down: the status says so, entries wait in the journal; back up: posted once', async () => {
  const s = await setup();
  s.sync.start();
  await waitFor(() => s.inChannel().length >= 2, { what: 'declared and channel entries posted' });
  slack.faults.add(...Array.from({ length: 6 }, () => ({ path: /^\/api\//, reply: { status: 503, body: 'upstream connect error' } as const })));
  s.engine.note('while Slack is down', 'alice');
  await waitFor(() => s.sync.status().state === 'failing', { what: 'failing status' });
  assert.match(s.sync.status().message, /Slack HTTP 503: upstream connect error; entries are kept in the journal/);
  assert.ok(!s.inChannel().some((e) => JSON.parse(e.json).summary === 'while Slack is down'), 'not posted while the channel cannot be read');
  await waitFor(() => s.inChannel().some((e) => JSON.parse(e.json).summary === 'while Slack is down'), { timeoutMs: 8000, what: 'posted after Slack came back' });
  await waitFor(() => s.sync.status().state === 'ok', { what: 'ok again' });
  const ids = s.inChannel().map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length, 'nothing posted twice');
  await s.sync.stop();
});

test('rate limited: waits the Retry-After (an absurd one is capped and said), then posts', async () => {
  const s = await setup();
  s.sync.start();
  await waitFor(() => s.inChannel().length >= 2, { what: 'first entries' });
  slack.faults.add({ path: '/api/chat.postMessage', reply: { status: 429, headers: { 'retry-after': '1' }, body: '{"ok":false,"error":"ratelimited"}' } });
  const t0 = Date.now();
  s.engine.note('after a 429', 'alice');
  await waitFor(() => s.sync.status().state === 'waiting', { what: 'waiting' });
  assert.match(s.sync.status().message, /Slack rate limit \(HTTP 429\): retry after 1 s/);
  await waitFor(() => s.inChannel().some((e) => JSON.parse(e.json).summary === 'after a 429'), { what: 'posted after the wait' });
  assert.ok(Date.now() - t0 >= 900, 'waited');
  await s.sync.stop();

  const s2 = await setup();
  slack.faults.add({ path: '/api/conversations.history', reply: { status: 429, headers: { 'retry-after': '3000000' }, body: '{"ok":false,"error":"ratelimited"}' } });
  s2.sync.start();
  await waitFor(() => s2.sync.status().state === 'waiting', { what: 'waiting' });
  assert.match(s2.sync.status().message, /retry after 35 days \(waiting 5 min, not that long\)/);
  await s2.sync.stop();
});

test('junk in the channel is ignored; a long note is cut only in the channel; a bot not in the channel joins', async () => {
  const s = await setup();
  const other = path.join(s.dir, '..', 'escaped.jsonl');
  const evil = { id: 'x1', incidentId: '../../escaped', at: Date.now(), kind: 'note', actor: 'm', source: 's', summary: 'path' };
  slack.channels.get(s.ch.id)!.messages.push(
    { ts: '1.000001', text: 'junk', user: 'U1', metadata: { event_type: ENTRIES_EVENT, event_payload: { entries: 'nope' } } },
    {
      ts: '1.000002',
      text: 'junk',
      user: 'U1',
      metadata: {
        event_type: ENTRIES_EVENT,
        event_payload: { entries: [{ json: '{not json' }, { json: JSON.stringify({ id: 5 }) }, { json: JSON.stringify(evil) }, { json: 'x'.repeat(70_000) }] },
      },
    },
  );
  slack.channels.get(s.ch.id)!.members.delete(slack.botUser);
  const long = 'L'.repeat(10_000);
  s.engine.note(long, 'alice');
  s.sync.start();
  await waitFor(() => s.inChannel().some((e) => JSON.parse(e.json).kind === 'note'), { what: 'the note posted after joining' });
  const copy = JSON.parse(s.inChannel().find((e) => JSON.parse(e.json).kind === 'note')!.json);
  assert.match(copy.body, /… \(cut in the channel; the full text is in the journal/);
  const mine = readJournal(incidentJournalPath(s.dir, s.info.id)).entries;
  assert.equal(mine.find((e) => e.kind === 'note')!.body, long, 'the journal keeps it whole');
  assert.ok(!mine.some((e) => e.id === 'x1'), 'no junk merged');
  assert.ok(!fs.existsSync(other) && !fs.existsSync(path.join(s.dir, 'escaped.jsonl')), 'no file written outside the state directory');
  assert.equal(s.engine.merge([evil as any]).length, 0, 'merge refuses an incident id that is a path');
  await s.sync.stop();
});

test('merged entries are not doubled by the journal follower; a restart elsewhere (another environment) rejoins through the channel', () => {
  const dirA = tempDir('warroom-merge-a-');
  const dirB = tempDir('warroom-merge-b-');
  const A = new IncidentEngine({ stateDir: dirA, config: defaultConfig(), environment: 'env-a' });
  const info = A.declare({ title: 'merge me', severity: 'P1', actor: 'alice' });
  A.note('first', 'alice');
  const remote = readJournal(incidentJournalPath(dirA, info.id)).entries.map((e) => ({ ...e, origin: { from: 'alice@a', via: 'slack #x' } }));
  const B = new IncidentEngine({ stateDir: dirB, config: defaultConfig(), environment: 'env-b' });
  assert.equal(B.merge(remote).length, 2);
  B.followJournal();
  const ids = B.slice().timeline.map((e) => e.id);
  assert.equal(new Set(ids).size, ids.length, 'no entry twice in the timeline');
  assert.equal(B.current?.id, info.id);
  // B restarts in an environment other than the incident's: not resumed from its journal, but rejoined from the channel.
  const B2 = new IncidentEngine({ stateDir: dirB, config: defaultConfig(), environment: 'env-c' });
  assert.ok(!B2.current, 'not resumed from the journal');
  assert.equal(B2.merge(remote).length, 0, 'nothing new');
  assert.equal((B2.current as { id: string } | null)?.id, info.id, 'adopted again');
  assert.equal(B2.slice().timeline.length, 2);
  // B's post-mortem says whose the entries are.
  const pm = fs.readFileSync(writePostmortem(dirB, info.id, undefined, { cwd: dirB }).markdownPath, 'utf8');
  assert.match(pm, /\| first \| alice \(alice@a\) \|/);
});

test('resolving: the status change and a follow-up recorded after it still reach the channel, once', async () => {
  const s = await setup();
  s.sync.start();
  try {
    await waitFor(() => s.inChannel().length >= 2, { what: 'declared and channel entries posted' });
    s.engine.setStatus('resolved', 'alice', 'fixed by the rollback');
    assert.equal(s.engine.current, null);
    // What a follow-up update records into the resolved incident's journal.
    s.engine.recordTo(s.info.id, { kind: 'note', actor: 'alice', source: 'warroom', summary: 'follow-up: root cause found' });
    await waitFor(
      () => {
        const sent = s.inChannel().map((e) => JSON.parse(e.json) as { kind: string; refs?: { to?: string }; summary: string });
        return sent.some((e) => e.kind === 'status.changed' && e.refs?.to === 'resolved') && sent.some((e) => e.summary === 'follow-up: root cause found');
      },
      { what: 'the resolution and the follow-up in the channel', timeoutMs: 5000 },
    );
    await new Promise((r) => setTimeout(r, 500));
    const ids = s.inChannel().map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length, 'nothing posted twice');
  } finally {
    await s.sync.stop();
  }
});
