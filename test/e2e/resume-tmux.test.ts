// A live cockpit (here on `warroom sim`'s backends) that is killed outright resumes its open
// incident on the next start: the header shows it again and the journal holds every entry.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';
import { tempDir, waitFor } from '../helpers/net.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const dir = tempDir('warroom-resume-');
let sim: ChildProcess | null = null;
const sessions: TmuxSession[] = [];
after(() => {
  sessions.forEach((s) => s.kill());
  if (sim && sim.exitCode === null) sim.kill('SIGKILL');
});

test('kill -9 mid-incident, start again: the incident, its state and its note are back', async () => {
  let out = '';
  sim = spawn(process.execPath, ['dist/cli.js', 'sim', '--scenario', 'latency-spike', '--write-config', dir], { cwd: ROOT, env: process.env });
  sim.stdout!.on('data', (d) => (out += d));
  await waitFor(() => out.includes('Ctrl-C stops'), { what: 'sim ready', timeoutMs: 30_000 });
  const password = /WARROOM_DRILL_PG_PASSWORD='([^']*)'/.exec(fs.readFileSync(path.join(dir, 'drill.env'), 'utf8'))![1];
  const env = { WARROOM_DRILL_PG_PASSWORD: password, WARROOM_STATE_DIR: path.join(dir, 'state') };
  const args = `--config ${path.join(dir, 'warroom.yaml')}`;

  const first = startTmux(args, { cols: 120, rows: 35, env });
  sessions.push(first);
  await first.waitForText(/Deployments[\s\S]*q quit/);
  first.keys('D');
  await first.waitForText(/Declare an incident/);
  first.keys('-l', 'checkout slow');
  first.keys('Enter');
  await first.waitForText(/P3 Investigating/);
  first.keys('n');
  await first.waitForText(/Note for the timeline/);
  first.keys('-l', 'scaling api to 10');
  first.keys('Enter');
  await first.waitForText(/scaling api to 10/);
  first.keys('S');
  await first.waitForText(/Incident state/);
  first.keys('Enter'); // the chooser opens on the next state
  await first.waitForText(/P3 Identified/);
  process.kill(first.cockpitPid(), 'SIGKILL');
  await first.waitForText(/EXITED 137/);

  const second = startTmux(args, { cols: 120, rows: 35, env });
  sessions.push(second);
  const screen = await second.waitForText(/P3 Identified[\s\S]*scaling api to 10/);
  assert.match(screen.split('\n')[0], /P3 Identified \d\d:\d\d/, 'the header shows the resumed incident and its clock');
  assert.match(screen, /Timeline .*checkout-slow/, 'the timeline pane names the incident');
  // With the incident open, q asks first; y quits.
  second.keys('q');
  await second.waitForText(/Quit warroom\?[\s\S]*is still open/);
  second.keys('y');
  await second.waitForText(/EXITED 0/);
});
