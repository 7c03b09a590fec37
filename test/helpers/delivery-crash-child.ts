// Child process for test/integration/delivery-crash.test.ts: resumes (or declares) an incident in
// STATE_DIR and posts status updates (internal to Slack and the webhook, external to Statuspage)
// as fast as it can until killed. It prints a line only AFTER the call returned:
//   ready <incidentId>
//   posted <internalUpdateId> <externalUpdateId>   postUpdatePair() returned: the post is on disk
import { IncidentEngine } from '../../src/incident/incident.js';
import { slackSink, statuspageSink, webhookSink } from '../../src/incident/sinks.js';
import { defaultConfig } from '../../src/config/schema.js';

const env = process.env;
const out = (line: string) => process.stdout.write(line + '\n');
const engine = new IncidentEngine({
  stateDir: env.STATE_DIR!,
  config: defaultConfig(),
  sinks: [
    slackSink({ webhookUrl: env.SLACK_URL! }, { timeoutMs: 300 }),
    statuspageSink({ pageId: 'pg1', apiKey: 'sp-key-123', baseUrl: env.SP_URL!, componentIds: ['c1'] }, { timeoutMs: 300 }),
    webhookSink({ url: env.HOOK_URL! }, { timeoutMs: 300 }),
  ],
  outboxOptions: { minIntervalMs: 0, baseDelayMs: 20, maxDelayMs: 100, followMs: 50 },
});
const info = engine.current ?? engine.declare({ title: 'Delivery crash drill', severity: 'P1', actor: 'child' });
engine.start();
out(`ready ${info.id}`);

for (let n = 0; ; n++) {
  // Each post's public message is unique too, so the status page's updates can be counted one by one.
  const ids = engine.postUpdatePair(
    {
      whatWeKnow: `round ${env.ROUND} post ${n}`,
      currentActions: 'rolling back',
      impact: 'checkout errors',
      nextUpdate: 'in 30 min',
      publicMessage: `We are working on it (update ${env.ROUND}.${n}).`,
    },
    'child',
  );
  out(`posted ${[...new Set(ids.map((id) => id.replace(/@.*$/, '')))].join(' ')}`);
  await new Promise((r) => setTimeout(r, 30 + ((n * 37) % 90)));
}
