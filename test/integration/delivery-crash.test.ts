// Posts under fire: a child cockpit posts status updates to Slack, a webhook and Statuspage
// (fake servers that also hang after reading the body, drop the connection, or do the work and
// then drop it), with a slowed fsync, and is killed with SIGKILL at random moments, 20 times.
// Counted on the servers' side: every post the child acknowledged reaches each sink exactly once,
// or is shown as UNKNOWN (and then reached it at most once); nothing is posted twice; the
// journal's "queued" entries and the outbox agree; Statuspage holds one page incident.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IncidentEngine } from '../../src/incident/incident.js';
import { incidentJournalPath, readJournal } from '../../src/incident/journal.js';
import { slackSink, statuspageSink, webhookSink } from '../../src/incident/sinks.js';
import { defaultConfig } from '../../src/config/schema.js';
import { FakeSlack, FakeStatuspage, FakeWebhook, type Reply } from '../helpers/fake-sinks.js';
import { tempDir } from '../helpers/net.js';
import { runUntilKilled, seeded } from '../helpers/kill-child.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'delivery-crash-child.ts');
const slack = new FakeSlack();
const hook = new FakeWebhook();
const sp = new FakeStatuspage('pg1', 'sp-key-123');
after(async () => {
  await Promise.all([slack.stop(), hook.stop(), sp.stop()]);
});

interface Round {
  incidentId: string;
  posts: Array<{ internal: string; external: string }>;
}

async function runChild(stateDir: string, round: number, killAfterMs: number): Promise<Round> {
  const env = { STATE_DIR: stateDir, SLACK_URL: slack.webhookUrl, HOOK_URL: `${hook.url}/hook`, SP_URL: sp.url, ROUND: String(round), WARROOM_TEST_SLOW_FSYNC_MS: '3' };
  const r = await runUntilKilled(CHILD, env, killAfterMs);
  const posts = r.lines.filter(([t]) => t === 'posted').map(([, rest]) => rest.split(' '));
  return { incidentId: r.ready, posts: posts.map(([internal, external]) => ({ internal: internal!, external: external! })) };
}

test('20 SIGKILLs while posting to misbehaving sinks: 0 posts lost, 0 duplicated, every uncertain one shown as UNKNOWN', { timeout: 180_000 }, async (t) => {
  await Promise.all([slack.start(), hook.start(), sp.start()]);
  slack.delayMs = 25; // kills often land while a post is in flight
  const stateDir = tempDir('warroom-delivery-crash-');
  const rand = seeded(20261203);
  const acked: Round['posts'] = [];
  let incidentId = '';
  let faults = 0;
  const ROUNDS = 20;
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;

  for (let round = 0; round < ROUNDS; round++) {
    // Each round, the receivers misbehave a few times: read the body then hang, or drop the connection.
    const bad: Reply[] = ['hang', 'drop'];
    if (rand() < 0.6) {
      slack.enqueue(pick(bad));
      faults++;
    }
    if (rand() < 0.5) {
      hook.enqueue(pick(bad));
      faults++;
    }
    if (rand() < 0.5) {
      sp.enqueue(pick<Reply>(['drop', 'process-then-drop', 'hang']));
      faults++;
    }
    const r = await runChild(stateDir, round, 150 + Math.floor(rand() * 600));
    faults++; // the SIGKILL itself
    if (incidentId) assert.equal(r.incidentId, incidentId, 'the restarted child resumed the open incident');
    incidentId = r.incidentId;
    acked.push(...r.posts);
  }
  assert.ok(acked.length >= 40, `the child posted little (${acked.length} posts)`);

  // The responder's cockpit starts once more: what was queued goes out; what is uncertain waits.
  const engine = new IncidentEngine({
    stateDir,
    config: defaultConfig(),
    sinks: [
      slackSink({ webhookUrl: slack.webhookUrl }, { timeoutMs: 2000 }),
      statuspageSink({ pageId: 'pg1', apiKey: 'sp-key-123', baseUrl: sp.url, componentIds: ['c1'] }, { timeoutMs: 2000 }),
      webhookSink({ url: `${hook.url}/hook` }, { timeoutMs: 2000 }),
    ],
    outboxOptions: { minIntervalMs: 0, baseDelayMs: 20, maxDelayMs: 100 },
  });
  engine.start();
  await engine.outbox!.idle();
  const items = new Map(engine.outbox!.items().map((i) => [i.id, i]));
  await engine.close();

  const slackLanded = slack.landedByUpdate();
  const hookLanded = hook.landedByUpdate();
  const posts = new Set([...items.keys()].filter((id) => id.endsWith('@slack')).map((id) => id.replace(/@slack$/, '')));
  const pageUpdates = new Map<string, number>();
  for (const inc of sp.incidents) for (const u of inc.incident_updates) pageUpdates.set(u.body, (pageUpdates.get(u.body) ?? 0) + 1);

  let lost = 0;
  let duplicated = 0;
  let unknown = 0;
  let delivered = 0;
  const problems: string[] = [];
  for (const p of acked) {
    for (const [id, landed] of [
      [`${p.internal}@slack`, slackLanded.get(p.internal) ?? 0],
      [`${p.internal}@webhook`, hookLanded.get(p.internal) ?? 0],
    ] as const) {
      const item = items.get(id);
      if (!item) {
        lost++;
        problems.push(`${id} missing from the outbox`);
      } else if (item.state === 'delivered') {
        delivered++;
        if (landed !== 1) {
          landed > 1 ? duplicated++ : lost++;
          problems.push(`${id} delivered, landed ${landed} times`);
        }
      } else if (item.state === 'unknown') {
        unknown++;
        if (landed > 1) {
          duplicated++;
          problems.push(`${id} unknown, landed ${landed} times`);
        }
      } else {
        lost++;
        problems.push(`${id} is ${item.state}: ${item.lastError}`);
      }
    }
    const sid = `${p.external}@statuspage`;
    const item = items.get(sid);
    if (item?.state !== 'delivered') {
      lost++;
      problems.push(`${sid} is ${item?.state ?? 'missing'}`);
    } else delivered++;
  }
  // Statuspage: one page incident; no update body twice (each post's text is unique).
  assert.equal(sp.incidents.length, 1, `page incidents: ${sp.incidents.map((i) => i.id).join(', ')}`);
  for (const [body, count] of pageUpdates)
    if (count > 1) {
      duplicated++;
      problems.push(`Statuspage update posted ${count} times: ${body.split('\n')[2]}`);
    }
  assert.equal(pageUpdates.size, posts.size, 'every post reached the status page once');

  // The journal and the outbox agree: every post has exactly one "queued" entry, and every uncertain delivery its "unknown" entry.
  const { entries } = readJournal(incidentJournalPath(stateDir, incidentId));
  const queued = new Map<string, number>();
  for (const e of entries) if (e.kind === 'update.queued') queued.set(String((e.refs as any)?.postId), (queued.get(String((e.refs as any)?.postId)) ?? 0) + 1);
  for (const p of acked) if (queued.get(p.internal) !== 1) problems.push(`post ${p.internal} has ${queued.get(p.internal) ?? 0} "queued" entries`);
  const outboxPosts = new Set([...items.values()].map((i) => i.id.replace(/@.*$/, '')));
  for (const p of posts) if (queued.get(p) !== 1) problems.push(`outbox post ${p} has ${queued.get(p) ?? 0} "queued" entries`);
  const unknownEntries = new Set(entries.filter((e) => e.kind === 'update.unknown').map((e) => String((e.refs as any)?.deliveryId)));
  for (const [id, i] of items) if (i.state === 'unknown' && !unknownEntries.has(id)) problems.push(`${id} is unknown but the journal does not say so`);

  t.diagnostic(
    `faults injected ${faults} (20 SIGKILLs), posts acknowledged ${acked.length} (+${posts.size - acked.length} written before a kill), deliveries ${acked.length * 3}: delivered ${delivered}, unknown ${unknown}, lost ${lost}, duplicated ${duplicated}; outbox updates ${outboxPosts.size}`,
  );
  assert.deepEqual(problems, []);
  assert.equal(lost, 0);
  assert.equal(duplicated, 0);
});
