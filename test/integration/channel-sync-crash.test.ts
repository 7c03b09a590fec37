// One timeline across machines: two cockpits (A and B, different state directories) share an
// incident through its Slack channel (the simulator, which also rate-limits, drops connections
// after doing the work, and hangs). Both add notes and are SIGKILLed at random moments, 10 rounds.
// Then: every entry is in the channel exactly once, in both journals exactly once, nothing a
// cockpit journaled is lost, and the two cockpits converge, and stay converged within 2 s.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IncidentEngine } from '../../src/incident/incident.js';
import { incidentJournalPath, readJournal } from '../../src/incident/journal.js';
import { defaultConfig } from '../../src/config/schema.js';
import { SlackClient } from '../../src/paging/slack.js';
import { ChannelSync, ENTRIES_EVENT, SHARED_KINDS } from '../../src/paging/timeline-sync.js';
import { slackSim, SLACK_TOKEN } from '../helpers/paging-sims.js';
import { tempDir, waitFor } from '../helpers/net.js';
import { runUntilKilled, seeded } from '../helpers/kill-child.js';
import type { FaultReply } from '../../src/sim/faults.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'channel-sync-child.ts');
const slack = slackSim({ postsPerSecond: 3, burst: 6 });
after(() => slack.stop());

function channelEntryCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const ch of slack.channels.values()) {
    for (const m of ch.messages) {
      if (m.metadata?.event_type !== ENTRIES_EVENT) continue;
      for (const e of (m.metadata.event_payload as any).entries) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
    }
  }
  return counts;
}

test('two cockpits, 10 SIGKILL rounds: no entry lost or duplicated, and they converge within 2 s', { timeout: 240_000 }, async (t) => {
  await slack.start();
  const dirA = tempDir('warroom-sync-a-');
  const dirB = tempDir('warroom-sync-b-');
  const rand = seeded(17_2026);
  const acked = new Set<string>();
  let faults = 0;
  for (let round = 0; round < 10; round++) {
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    if (rand() < 0.7) {
      slack.faults.add({
        path: '/api/chat.postMessage',
        reply: pick<FaultReply>(['process-then-drop', 'drop', 'hang', { status: 429, headers: { 'retry-after': '1' }, body: '{"ok":false,"error":"ratelimited"}' }]),
      });
      faults++;
    }
    if (rand() < 0.4) {
      slack.faults.add({ path: '/api/conversations.history', reply: pick<FaultReply>(['hang', 'drop', { status: 503, body: 'upstream' }]) });
      faults++;
    }
    const common = { SLACK_URL: slack.apiUrl, SLACK_TOKEN, ROUND: String(round), WARROOM_TEST_SLOW_FSYNC_MS: '2' };
    const [a, b] = await Promise.all([
      runUntilKilled(CHILD, { ...common, ROLE: 'A', STATE_DIR: dirA }, 400 + Math.floor(rand() * 1200)),
      runUntilKilled(CHILD, { ...common, ROLE: 'B', STATE_DIR: dirB }, 400 + Math.floor(rand() * 1200)),
    ]);
    faults += 2;
    for (const r of [a, b]) for (const [tag, id] of r.lines) if (tag === 'noted') acked.add(id);
  }
  slack.faults.clear();
  assert.ok(acked.size >= 40, `few notes were written (${acked.size})`);

  // Both cockpits start once more and are left running.
  const mk = (dir: string, origin: string) => {
    const engine = new IncidentEngine({ stateDir: dir, config: defaultConfig() });
    const sync = new ChannelSync({
      slack: new SlackClient({ apiUrl: slack.apiUrl, token: SLACK_TOKEN, timeoutMs: 1000 }),
      engine,
      stateDir: dir,
      origin,
      pollMs: 500,
      announceChannel: 'CINCIDENTS',
    });
    sync.start();
    return { engine, sync };
  };
  const A = mk(dirA, 'a@host-A');
  const B = mk(dirB, 'b@host-B');
  try {
    const incidentId = A.engine.current!.id;
    const shared = (dir: string) => readJournal(incidentJournalPath(dir, incidentId)).entries.filter((e) => SHARED_KINDS.has(e.kind));
    const t0 = Date.now();
    await waitFor(
      () => {
        const a = new Set(shared(dirA).map((e) => e.id));
        const b = new Set(shared(dirB).map((e) => e.id));
        return a.size === b.size && [...a].every((id) => b.has(id)) && [...a].every((id) => channelEntryCounts().has(id));
      },
      { timeoutMs: 15_000, what: 'A and B to converge after the last restart' },
    ).catch((e) => {
      const a = shared(dirA);
      const b = shared(dirB);
      const counts = channelEntryCounts();
      throw new Error(
        `${e.message}: A ${a.length} (${a.filter((x) => !counts.has(x.id)).length} not in the channel), B ${b.length} (${b.filter((x) => !counts.has(x.id)).length} not in the channel), channel ${counts.size}; A sync ${JSON.stringify(A.sync.status())}; B sync ${JSON.stringify(B.sync.status())}; B current ${B.engine.current?.id}`,
      );
    });
    const catchUp = Date.now() - t0;

    const problems: string[] = [];
    const counts = channelEntryCounts();
    for (const [id, n] of counts) if (n > 1) problems.push(`entry ${id} is in the channel ${n} times`);
    for (const [name, dir] of [
      ['A', dirA],
      ['B', dirB],
    ] as const) {
      const entries = shared(dir);
      const ids = entries.map((e) => e.id);
      if (new Set(ids).size !== ids.length) problems.push(`${name}'s journal holds an entry twice`);
      for (const id of acked) if (!ids.includes(id)) problems.push(`note ${id} is missing from ${name}'s journal`);
      for (const e of entries) if (!e.origin && !counts.has(e.id)) problems.push(`${name}'s ${e.kind} ${e.id} never reached the channel`);
      const fromOther = entries.filter((e) => e.origin);
      if (fromOther.some((e) => !e.origin!.from || !e.origin!.via.startsWith('slack #incident-'))) problems.push(`${name}: a merged entry does not say where it came from`);
    }
    // The merged timeline is in time order, and B's view of the incident is A's.
    const tl = B.engine.slice().timeline.map((e) => e.at);
    if (tl.some((at, i) => i > 0 && at < tl[i - 1]!)) problems.push("B's timeline is not in time order");
    assert.equal(B.engine.current?.id, incidentId, 'B follows the same incident');
    assert.deepEqual(problems, []);

    // Live: a note on either side reaches the other within 2 s.
    const lag = async (from: typeof A, to: typeof A, text: string) => {
      const start = Date.now();
      from.engine.note(text, 'tester');
      await waitFor(() => to.engine.slice().timeline.some((e) => e.summary === text), { timeoutMs: 5000, intervalMs: 20, what: text });
      return Date.now() - start;
    };
    const ab = await lag(A, B, 'A to B, live');
    const ba = await lag(B, A, 'B to A, live');
    t.diagnostic(
      `faults ${faults} (20 SIGKILLs), notes acknowledged ${acked.size}, channel entries ${counts.size}, messages ${[...slack.channels.values()].reduce((n, c) => n + c.messages.length, 0)}; caught up after restart in ${catchUp} ms; live A→B ${ab} ms, B→A ${ba} ms`,
    );
    assert.ok(ab < 2000 && ba < 2000, `converged in ${ab} / ${ba} ms`);
  } finally {
    await Promise.all([A.sync.stop(), B.sync.stop()]);
    await Promise.all([A.engine.close(), B.engine.close()]);
  }
});
