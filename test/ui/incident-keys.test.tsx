// Declaring and running an incident from the keyboard, with the real incident engine, its
// journal on disk, and a status update delivered to a local server answering as Slack does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup } from 'ink-testing-library';
import { renderCockpit } from '../helpers/cockpit.js';
import type { Dialog } from '../../src/ui/dialogs/dialogs.js';
import { FakeSlack } from '../helpers/fake-sinks.js';
import { tempDir, waitFor } from '../helpers/net.js';
import { IncidentEngine } from '../../src/incident/incident.js';
import { slackSink } from '../../src/incident/sinks.js';
import { readJournal, incidentJournalPath } from '../../src/incident/journal.js';
import { defaultConfig } from '../../src/config/schema.js';
import { incidentActions } from '../../src/actions/incident.js';
import { postmortemWriter } from '../../src/runtime.js';

let slack: FakeSlack;
let engine: IncidentEngine;
let c: ReturnType<typeof renderCockpit>;
const stateDir = tempDir('warroom-incident-ui-');
const cwd = tempDir('warroom-incident-pm-');
const screen = (re: RegExp, what: string) => waitFor(() => re.test(c.frame()), { what, timeoutMs: 10_000 }).catch((e) => assert.fail(`${(e as Error).message}\n${c.frame()}`));
const type = (text: string) => c.press(...[...text].map((ch) => (ch === ' ' ? 'space' : ch)));

before(async () => {
  slack = await new FakeSlack().start();
  c = renderCockpit({ cols: 140, rows: 40, actions: incidentActions });
  engine = new IncidentEngine({
    stateDir,
    config: defaultConfig(),
    stage: c.cockpit.stageIncident,
    sinks: [slackSink({ webhookUrl: slack.webhookUrl })],
    outboxOptions: { baseDelayMs: 50, minIntervalMs: 0 },
  });
  engine.start();
  c.cockpit.onFlush((s) => engine.observe(s));
  c.runner.env.services.incident = engine;
  c.runner.env.recorder = engine;
  c.runner.env.services.postmortem = postmortemWriter(engine, { stateDir, cwd, impact: async () => undefined });
  c.cockpit.startClock(30);
});

after(async () => {
  c.cockpit.stopClock();
  c.ui.unmount();
  cleanup();
  await engine.close();
  await slack.stop();
});

test('D declares: title, suggested severity, roles; the header shows severity, state and clock', async () => {
  await c.press('D');
  await screen(/Declare an incident/, 'declare dialog');
  await type('checkout 5xx after deploy');
  await c.press('tab', 'backspace', 'backspace', 'P', '1', 'enter');
  await screen(/P1 Investigating 00:0\d/, 'header with severity, state and clock');
  assert.ok(engine.current);
  assert.equal(engine.current!.title, 'checkout 5xx after deploy');
  assert.match(c.frame(), /next update/);
});

test('n adds a note that lands in the timeline pane and the journal on disk', async () => {
  await c.press('n');
  await screen(/Note for the timeline/, 'note dialog');
  await type('rolled back api to rev 4');
  await c.press('enter');
  await screen(/note .*rolled back api to rev 4/, 'note in the timeline pane');
  const { entries } = readJournal(incidentJournalPath(stateDir, engine.current!.id));
  assert.ok(entries.some((e) => e.kind === 'note' && e.summary.includes('rolled back api')));
});

test('S opens on the next state (the current one marked), so Enter moves forward: Identified', async () => {
  await c.press('S');
  await screen(/Incident state/, 'state chooser');
  assert.match(c.frame(), /Investigating {2}\(current\)/);
  assert.match(c.frame(), /› Identified/);
  await c.press('enter');
  await screen(/P1 Identified/, 'header shows Identified');
});

test('p composes an update from the template, previews it, and delivers it to Slack once', async () => {
  await c.press('p');
  await screen(/Post an update as[\s\S]*› Identified  \(current\)/, 'the state the update announces, on the current one');
  await c.press('enter');
  await screen(/What we know/, 'composer');
  assert.match(c.frame(), /Current actions/);
  await c.press('enter');
  await screen(/slack \(internal\)[\s\S]*checkout 5xx after deploy/, 'preview with the internal wording');
  await c.press('y');
  await waitFor(() => slack.acceptedByUpdate().size === 1, { what: 'Slack received the update', timeoutMs: 10_000 });
  // One post, one Timeline row, its delivery beneath it.
  await screen(/update\.queued +Status update[^\n]*\n[^\n]*└ slack +DELIVERED/, 'the post with its delivery beneath');
  assert.equal(c.frame().match(/update\.queued/g)?.length, 1);
  assert.doesNotMatch(c.frame(), /update\.delivered/, 'the delivery is not a row of its own');
  assert.deepEqual([...slack.acceptedByUpdate().values()], [1]);
  const body = JSON.stringify(slack.requests[0].json);
  assert.match(body, /checkout 5xx after deploy/);
});

test('P writes the post-mortem with the real timeline', async () => {
  await c.press('P');
  await screen(/Post-mortem draft: written to \//, 'post-mortem notice');
  assert.deepEqual(fs.readdirSync(cwd), [], 'nothing is written where the cockpit was started');
  const dir = path.join(stateDir, 'postmortems');
  const md = fs.readdirSync(dir).find((f) => f.endsWith('.md'))!;
  const text = fs.readFileSync(path.join(dir, md), 'utf8');
  assert.match(text, /rolled back api to rev 4/);
  assert.match(text, /\| Time UTC \| Event \| Actor \| Source \| Details \|/);
});

test('the composer keeps your work: Esc steps back from the preview, leaving with changes asks, the preview scrolls to its end', async () => {
  const before = slack.requests.length;
  await c.press('p');
  await screen(/Post an update as/, 'state chooser');
  await c.press('enter');
  await screen(/What we know/, 'composer');
  // Twenty more findings: a preview longer than the screen.
  await type(` | db is fine${Array.from({ length: 20 }, (_, i) => ` | finding ${i + 1}`).join('')}`);
  // The last field edited is the one the form comes back to.
  await c.press('tab', 'tab');
  const activeField = () => {
    const d = c.cockpit.store.getState().ui.dialog as Dialog | null;
    return d?.kind === 'prompt' ? d.fields[d.active]?.name : undefined;
  };
  const edited = activeField();
  await c.press('enter');
  await screen(/slack \(internal\)[\s\S]*lines 1–\d+ of \d+/, 'a long preview says it scrolls');
  assert.doesNotMatch(c.frame(), /Next update:/, 'its end is below');
  await c.press('pagedown', 'pagedown', 'pagedown', 'pagedown');
  await screen(/finding 20[\s\S]*Next update:/, 'scrolled to the end: every line is there');
  // Esc: back to the form with what was typed, not "cancelled".
  await c.press('escape');
  await screen(/What we know.*finding 1/, 'back in the composer');
  const form = c.cockpit.store.getState().ui.dialog as Dialog | null;
  assert.ok(form?.kind === 'prompt' && form.values[0]?.endsWith('finding 20'), 'with the edit');
  assert.doesNotMatch(c.frame(), /cancelled/);
  assert.equal(activeField(), edited, 'on the field left for the preview, not the first one');
  await c.press('escape');
  await screen(/Discard your changes\? y discard/, 'leaving with changes asks');
  await c.press('n');
  await screen(/Enter submit/, 'kept editing');
  await c.press('enter');
  await screen(/Proceed\? y/, 'preview again');
  await c.press('y');
  await waitFor(() => slack.requests.length === before + 1, { what: 'posted once', timeoutMs: 10_000 });
  assert.match(slack.requests.at(-1)!.json.text, /- db is fine\n- finding 1\n[\s\S]*- finding 20/);
});

test('q with an open incident asks (q, then y); n keeps the cockpit', async () => {
  await c.press('q');
  await screen(/Quit warroom\?[\s\S]*is still open/, 'quit asks');
  await c.press('n');
  await waitFor(() => !/Quit warroom\?/.test(c.frame()), { what: 'the question closed' });
  assert.equal(c.exited, false, 'n does not quit');
  await c.press('ctrl+c');
  await screen(/Quit warroom\?/, 'Ctrl-C asks too');
  await c.press('y');
  await waitFor(() => c.exited, { what: 'y quits' });
});
