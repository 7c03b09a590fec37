// Crash safety: a child process journals entries and posts updates to a fake Slack, and is killed
// with SIGKILL at seeded random moments. After every restart: each entry the child acknowledged
// is in the journal, torn tails are reported, and no update reaches Slack twice unless the user
// asks (resend).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { incidentJournalPath, readJournal } from '../../src/incident/journal.js';
import { IncidentEngine } from '../../src/incident/incident.js';
import { defaultConfig } from '../../src/config/schema.js';
import { slackSink } from '../../src/incident/sinks.js';
import { FakeSlack } from '../helpers/fake-sinks.js';
import { tempDir } from '../helpers/net.js';
import { runUntilKilled, seeded } from '../helpers/kill-child.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'incident-crash-child.ts');
const slack = new FakeSlack();
after(() => slack.stop());

interface RoundResult {
  incidentId: string;
  acked: string[];
  posted: string[];
  problems: string[];
}

async function runChild(stateDir: string, round: number, killAfterMs: number): Promise<RoundResult> {
  const r = await runUntilKilled(CHILD, { STATE_DIR: stateDir, SLACK_URL: slack.webhookUrl, ROUND: String(round) }, killAfterMs);
  const of = (tag: string) => r.lines.filter(([t]) => t === tag).map(([, rest]) => rest);
  return { incidentId: r.ready, acked: of('ack'), posted: of('posted'), problems: of('problem') };
}

test('SIGKILL at random points: acknowledged entries survive, torn tails are reported, nothing is sent twice unasked', { timeout: 60_000 }, async (t) => {
  await slack.start();
  slack.delayMs = 40; // so kills often land while a post is in flight
  const stateDir = tempDir('warroom-crash-');
  const rand = seeded(20261125);
  const acked: string[] = [];
  const posted: string[] = [];
  let incidentId = '';
  const ROUNDS = 6;

  for (let round = 0; round < ROUNDS; round++) {
    const r = await runChild(stateDir, round, 80 + Math.floor(rand() * 500));
    if (incidentId) assert.equal(r.incidentId, incidentId, 'the restarted child resumed the open incident');
    incidentId = r.incidentId;
    acked.push(...r.acked);
    posted.push(...r.posted);

    const { entries, problems } = readJournal(incidentJournalPath(stateDir, incidentId));
    const ids = new Set(entries.map((e) => e.id));
    const missing = acked.filter((id) => !ids.has(id));
    assert.deepEqual(missing, [], `round ${round}: acknowledged entries missing from the journal`);
    for (const p of problems) assert.match(p, /incomplete \(power loss\?\)|corrupt/);

    if (round === 2) {
      // Simulate a power loss in the middle of a write: the next start must report the torn line.
      fs.appendFileSync(incidentJournalPath(stateDir, incidentId), '{"id":"torn-entry","incidentId":"x","at":17');
    }
    if (round === 3) {
      assert.ok(
        r.problems.some((p) => /incomplete \(power loss\?\): \d+ bytes ignored/.test(p)),
        `torn tail not reported: ${r.problems.join(' | ')}`,
      );
    }

    for (const [id, count] of slack.receivedByUpdate()) assert.ok(count <= 1, `round ${round}: update ${id} reached Slack ${count} times`);
  }
  assert.ok(acked.length > 20, `the child did little work (${acked.length} entries)`);
  assert.ok(posted.length > 5);

  // Final restart in-process: queued updates go out; unknown ones wait for the user's word.
  const engine = new IncidentEngine({
    stateDir,
    config: defaultConfig(),
    sinks: [slackSink({ webhookUrl: slack.webhookUrl }, { timeoutMs: 5000 })],
    outboxOptions: { minIntervalMs: 0 },
  });
  assert.equal(engine.current?.id, incidentId);
  const ob = engine.outbox!;
  engine.start();
  await ob.idle();
  const items = ob.items();
  const byUpdate = new Map(items.map((i) => [i.id.replace(/@slack$/, ''), i]));
  for (const u of posted) assert.ok(byUpdate.has(u), `posted update ${u} missing from the outbox`);
  const received = slack.receivedByUpdate();
  for (const i of items) {
    const u = i.id.replace(/@slack$/, '');
    assert.ok(i.state === 'delivered' || i.state === 'unknown', `${i.id} is ${i.state}`);
    if (i.state === 'delivered') assert.equal(received.get(u), 1, `${u} delivered but received ${received.get(u) ?? 0} times`);
    else assert.ok((received.get(u) ?? 0) <= 1);
  }
  const unknown = items.filter((i) => i.state === 'unknown');
  // The journal says so, too.
  const { entries } = readJournal(incidentJournalPath(stateDir, incidentId));
  assert.equal(entries.filter((e) => e.kind === 'update.unknown').length, unknown.length);

  if (unknown.length > 0) {
    const u = unknown[0]!;
    const before = received.get(u.id.replace(/@slack$/, '')) ?? 0;
    assert.equal(engine.resend(u.id, 'ana'), true);
    await ob.idle();
    assert.equal(slack.receivedByUpdate().get(u.id.replace(/@slack$/, '')), before + 1);
    assert.equal(ob.items().find((i) => i.id === u.id)!.state, 'delivered');
  }
  await engine.close();
  t.diagnostic(`entries ${acked.length}, updates ${posted.length}, unknown after crashes ${unknown.length}`);
});
