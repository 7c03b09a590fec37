// Child process for test/integration/channel-sync-crash.test.ts: a cockpit's incident engine and
// channel sync on STATE_DIR. ROLE=A declares (or resumes) the incident and opens its channel; ROLE=B
// finds it through the #incidents announcement. Both add notes until killed, printing a line only
// after the note is journaled:
//   ready <role>
//   noted <entryId>
import { IncidentEngine } from '../../src/incident/incident.js';
import { defaultConfig } from '../../src/config/schema.js';
import { SlackClient } from '../../src/paging/slack.js';
import { ChannelSync } from '../../src/paging/timeline-sync.js';
import { channelName, initialMessage, openIncidentChannel } from '../../src/paging/channel.js';

const env = process.env;
const out = (line: string) => process.stdout.write(line + '\n');
const role = env.ROLE!;
const engine = new IncidentEngine({ stateDir: env.STATE_DIR!, config: defaultConfig() });
const slack = new SlackClient({ apiUrl: env.SLACK_URL!, token: env.SLACK_TOKEN!, timeoutMs: 400 });
const sync = new ChannelSync({ slack, engine, stateDir: env.STATE_DIR!, origin: `${role.toLowerCase()}@host-${role}`, pollMs: 250, localMs: 50, announceChannel: 'CINCIDENTS' });

if (role === 'A') {
  const info = engine.current ?? engine.declare({ title: 'Checkout 5xx', severity: 'P1', actor: 'alice' });
  const hasChannel = engine.journalEntries(info.id).some((e) => typeof (e.refs as any)?.slackChannelId === 'string');
  while (!hasChannel) {
    try {
      const ch = await openIncidentChannel(slack, {
        info,
        name: channelName(info),
        text: initialMessage(info, { whatWeKnow: 'errors', currentActions: 'looking', impact: 'checkout' }, []),
        responders: ['UADA'],
      });
      engine.record({
        kind: 'action.succeeded',
        actor: 'alice',
        source: 'runner',
        summary: `Open the incident channel: #${ch.channelName}`,
        refs: { action: 'paging.channel', slackChannelId: ch.channelId, slackChannel: ch.channelName, slackRootTs: ch.rootTs },
      });
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
sync.start();
out(`ready ${role}`);

for (let n = 0; ; n++) {
  if (engine.current) {
    engine.note(`${role} round ${env.ROUND} note ${n}`, role === 'A' ? 'alice' : 'bob');
    const e = engine.slice().timeline.at(-1)!;
    out(`noted ${e.id}`);
  }
  await new Promise((r) => setTimeout(r, 60 + ((n * 53) % 140)));
}
