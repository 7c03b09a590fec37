// Two cockpits joined to one `warroom sim` (its written config, each its own state directory) in
// real terminals: Alice declares and opens the incident channel from the offer; Bob's cockpit joins
// the incident through #incidents by itself, his note appears on Alice's screen marked as his, and
// Alice's acknowledgement of the page appears on his. A third, read-only screen (the gameday's wall)
// shows DRILL, says nothing is shared before the channel opens, then follows the incident.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';
import { tempDir, waitFor } from '../helpers/net.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const sessions: TmuxSession[] = [];
let sim: ReturnType<typeof spawn> | null = null;
after(() => {
  sessions.forEach((s) => s.kill());
  sim?.kill('SIGTERM');
});

test('two cockpits on one warroom sim share the incident through its channel', { timeout: 120_000 }, async () => {
  const dir = tempDir('warroom-sim-two-');
  let out = '';
  sim = spawn(process.execPath, ['dist/cli.js', 'sim', '--scenario', 'bad-deploy', '--speed', '10', '--write-config', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  sim.stdout!.on('data', (d) => (out += d));
  sim.stderr!.on('data', (d) => (out += d));
  await waitFor(() => /Ctrl-C stops the simulation/.test(out), { timeoutMs: 30_000, what: `warroom sim ready: ${out}` });
  const password = /WARROOM_DRILL_PG_PASSWORD='((?:[^']|'\\'')*)'/.exec(fs.readFileSync(path.join(dir, 'drill.env'), 'utf8'))?.[1]?.replace(/'\\''/g, "'") ?? '';
  const open = (who: string, flags = '') => {
    const s = startTmux(`--config ${path.join(dir, 'warroom.yaml')}${flags}`, { cols: 200, rows: 50, env: { WARROOM_DRILL_PG_PASSWORD: password, WARROOM_USER: who } });
    sessions.push(s);
    return s;
  };
  const alice = open('alice');
  const bob = open('bob');
  // The gameday's war-room screen: read-only, on the drill's cluster.
  const wall = open('wall', ' --read-only');
  await alice.waitForText(/pd●/);
  await bob.waitForText(/pd●/);
  const wallStart = await wall.waitForText(/pd●/);
  assert.match(wallStart.split('\n')[0]!, /DRILL.*READ-ONLY/);
  wall.keys('8', 'z');
  await wall.waitForText(/no incident here yet: a responder's incident appears once they open its channel \(O\)/);
  wall.keys('z');

  alice.keys('D');
  await alice.waitForText(/Title/);
  alice.keys('-l', 'checkout errors');
  alice.keys('Enter');
  await alice.waitForText(/O opens the incident channel #incident-\d{8}-\d{4}-checkout-errors/);
  await alice.waitForText(/not shared yet: O opens the incident channel/);
  alice.keys('O');
  await alice.waitForText(/Channel name: incident-\d{8}-\d{4}-checkout-errors/);
  alice.keys('Enter');
  await alice.waitForText(/INCIDENT DECLARED[\s\S]*Proceed\?/);
  alice.keys('y');
  await alice.waitForText(/#incident-\d{8}-\d{4}-checkout-errors created, 2 invited/);

  // Bob did nothing: his cockpit found the channel in #incidents and follows the incident.
  bob.keys('8', 'z');
  await bob.waitForText(/Investigating[\s\S]*Incident declared: checkout errors \(P3\) — alice \(alice@/, 20_000);
  bob.keys('n');
  await bob.waitForText(/Note/);
  bob.keys('-l', 'bob: api pods crash-looping on 2.4.1');
  bob.keys('Enter');
  alice.keys('8', 'z');
  const seen = await alice.waitForText(/bob: api pods crash-looping on 2\.4\.1 — bob \(bob@/, 10_000);
  assert.match(seen, /Timeline .*#incident-/);
  assert.doesNotMatch(seen, /not shared yet: O opens/);

  // The read-only wall follows the incident and the note, and refuses to write.
  wall.keys('8', 'z');
  await wall.waitForText(/bob: api pods crash-looping on 2\.4\.1[\s\S]*Incident declared: checkout errors/, 20_000);
  wall.keys('n');
  await wall.waitForText(/[Rr]ead-only/);

  // Alice acknowledges the page for the firing alert; Bob sees it in his timeline.
  alice.keys('z', '4', 'z');
  await alice.waitForText(/▲ PAGE/, 90_000);
  alice.keys('a');
  await alice.waitForText(/acknowledged PagerDuty #\d+/);
  await bob.waitForText(/Acknowledge page .* — alice \(alice@/, 10_000);
});
