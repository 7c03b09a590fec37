// Child process for test/integration/incident-crash.test.ts: resumes (or declares) an incident in
// STATE_DIR, then records entries and posts updates to SLACK_URL as fast as it can until killed.
// It prints one line per fact the parent may rely on, only AFTER the call returned:
//   problem <text>        a journal/outbox problem found at start
//   ready <incidentId>
//   ack <entryId>         record() returned: the entry is on disk
//   posted <updateId>     postUpdate() returned: the update is in the outbox on disk
import { IncidentEngine } from '../../src/incident/incident.js';
import { slackSink } from '../../src/incident/sinks.js';
import { composeUpdate } from '../../src/incident/templates.js';
import { defaultConfig } from '../../src/config/schema.js';

const stateDir = process.env.STATE_DIR!;
const round = process.env.ROUND ?? '0';
const out = (line: string) => process.stdout.write(line + '\n');

const engine = new IncidentEngine({
  stateDir,
  config: defaultConfig(),
  sinks: [slackSink({ webhookUrl: process.env.SLACK_URL! }, { timeoutMs: 5000 })],
  outboxOptions: { minIntervalMs: 0, baseDelayMs: 20, maxDelayMs: 100 },
});
for (const p of engine.problems) out(`problem ${p}`);
const info = engine.current ?? engine.declare({ title: 'Crash drill', severity: 'P1', actor: 'child' });
engine.start();
out(`ready ${info.id}`);

let n = 0;
for (;;) {
  const e = engine.recordTo(info.id, { kind: 'note', actor: 'child', source: 'test', summary: `note r${round}-${n}` });
  if (e) out(`ack ${e.id}`);
  if (n % 3 === 0) {
    const u = composeUpdate(engine.current!, { whatWeKnow: `round ${round} step ${n}`, currentActions: '-', impact: '-', nextUpdate: 'soon' }, { audience: 'internal' });
    engine.postUpdate(u, 'child');
    out(`posted ${u.id}`);
  }
  n++;
  await new Promise((r) => setTimeout(r, (n * 7) % 13));
}
