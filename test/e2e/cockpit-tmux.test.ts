// The built CLI in a real terminal: it draws, answers keys, and gives the terminal back on
// every exit path (q, SIGTERM). Screen contents are read with tmux capture-pane.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';
import { tempDir, waitForExit } from '../helpers/net.js';

const sessions: TmuxSession[] = [];
after(() => sessions.forEach((s) => s.kill()));
const open = (args: string, cols: number, rows: number) => {
  const s = startTmux(args, { cols, rows });
  sessions.push(s);
  return s;
};

test('80×24: the drill cockpit draws, ? shows help, q exits and the normal screen is back', async () => {
  const t = open('drill --scenario bad-deploy --speed 10', 80, 24);
  const screen = await t.waitForText(/Deployments.*\n[\s\S]*api/);
  assert.match(screen.split('\n')[0], /warroom.*DRILL bad-deploy/);
  assert.equal(t.format('#{alternate_on}'), '1', 'the cockpit uses the alternate screen');
  for (const line of screen.split('\n')) assert.ok(line.length <= 80);
  t.keys('?');
  await t.waitForText(/Keys — /);
  t.keys('Escape');
  await t.waitForText(/Deployments/);
  t.keys('q');
  const after = await t.waitForText(/EXITED 0/);
  assert.equal(t.format('#{alternate_on}'), '0', 'alternate screen left');
  assert.equal(t.format('#{cursor_flag}'), '1', 'cursor visible again');
  assert.ok(!/Deployments/.test(after), 'no cockpit remnants on the normal screen');
});

test('200×50 with a resize while running, in read-only mode: badge shown, mutating keys refused', async () => {
  const t = open('drill --scenario bad-deploy --speed 10 --read-only', 200, 50);
  let screen = await t.waitForText(/READ-ONLY[\s\S]*Deployments[\s\S]*api/);
  assert.ok(
    screen
      .split('\n')
      .find((l) => l.includes('Pods'))!
      .includes('Alerts'),
    'Pods and Alerts side by side',
  );
  t.keys('2', 'r');
  screen = await t.waitForText(/Read-only mode: Restart deployment is disabled/);
  t.resize(100, 30);
  screen = await t.waitForText(/READ-ONLY/);
  await new Promise((r) => setTimeout(r, 500));
  screen = t.capture();
  const lines = screen.split('\n');
  assert.ok(
    lines.every((l) => l.length <= 100),
    'redrawn for the new width',
  );
  assert.match(lines[0], /READ-ONLY/);
  assert.ok(lines.some((l) => /Deployments/.test(l)));
  t.keys('q');
  await t.waitForText(/EXITED 0/);
});

test('SIGTERM restores the terminal and exits 143', async () => {
  const t = open('drill --scenario latency-spike --speed 10', 100, 30);
  await t.waitForText(/Deployments/);
  process.kill(t.cockpitPid(), 'SIGTERM');
  await t.waitForText(/EXITED 143/);
  assert.equal(t.format('#{alternate_on}'), '0');
  assert.equal(t.format('#{cursor_flag}'), '1');
});

for (const term of ['xterm', 'screen-256color', 'tmux-256color', 'linux']) {
  test(`TERM=${term}: draws within the screen and exits cleanly`, async () => {
    const t = startTmux('drill --scenario latency-spike --speed 10', { cols: 80, rows: 24, env: { TERM: term } });
    sessions.push(t);
    const screen = await t.waitForText(/Deployments[\s\S]*q quit/);
    const lines = screen.split('\n');
    assert.ok(lines.every((l) => l.length <= 80));
    assert.match(lines[0], /DRILL latency-spike/);
    if (term === 'linux') assert.ok(!/[╭│▁▂▃▄▅▆▇█●]/.test(screen), 'the Linux console gets ASCII glyphs');
    t.keys('q');
    await t.waitForText(/EXITED 0/);
    assert.equal(t.format('#{alternate_on}'), '0');
  });
}

test('inside GNU screen: draws, help opens, q exits', async () => {
  const t = startTmux('drill --scenario bad-deploy --speed 10', { cols: 100, rows: 30, via: 'screen -q -T screen-256color' });
  sessions.push(t);
  const screen = await t.waitForText(/Deployments[\s\S]*q quit/);
  assert.ok(screen.split('\n').every((l) => l.length <= 100));
  t.keys('?');
  await t.waitForText(/Keys — /);
  t.keys('Escape');
  await t.waitForText(/Deployments/);
  t.keys('q');
  await t.waitForText(/EXITED 0/);
});

test('--low-bandwidth draws the same cockpit and quits cleanly', async () => {
  const t = open('drill --scenario bad-deploy --speed 10 --low-bandwidth', 100, 30);
  const screen = await t.waitForText(/Deployments[\s\S]*q quit/);
  assert.match(screen.split('\n')[0], /DRILL bad-deploy/);
  t.keys('q');
  await t.waitForText(/EXITED 0/);
});

test('Ctrl-C quits through the keymap and restores the terminal', async () => {
  const t = open('drill --scenario bad-deploy --speed 10', 80, 24);
  await t.waitForText(/Deployments/);
  t.keys('C-c');
  await t.waitForText(/EXITED 0/);
  assert.equal(t.format('#{alternate_on}'), '0');
  assert.equal(t.format('#{cursor_flag}'), '1');
});

test('an uncaught error restores the terminal, explains, and exits 1', async () => {
  const t = startTmux('drill --scenario bad-deploy --speed 10', { cols: 100, rows: 30, env: { WARROOM_TEST_CRASH_AFTER_MS: '1500' } });
  sessions.push(t);
  await t.waitForText(/Deployments/);
  const screen = await t.waitForText(/EXITED 1/);
  assert.match(screen, /warroom crashed: Error: crash requested by WARROOM_TEST_CRASH_AFTER_MS/);
  assert.ok(!/Deployments/.test(screen), 'the cockpit is gone from the normal screen');
  assert.equal(t.format('#{alternate_on}'), '0');
  assert.equal(t.format('#{cursor_flag}'), '1');
});

test('a hang-up (the tmux server killed under it, as an SSH drop) ends quietly: no "crashed", no stack trace', async () => {
  const err = path.join(tempDir('warroom-hangup-'), 'stderr.log');
  const t = open(`drill --scenario bad-deploy --speed 10 2>'${err}'`, 80, 24);
  await t.waitForText(/Deployments[\s\S]*api/);
  const pid = t.cockpitPid();
  assert.match(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /dist\/cli\.js\0drill/, 'the cockpit is running');
  t.kill();
  await waitForExit(pid, 'the cockpit to exit after the hang-up', 10_000);
  const text = fs.existsSync(err) ? fs.readFileSync(err, 'utf8') : '';
  assert.doesNotMatch(text, /crashed|Error: write|\n\s+at /, `stderr after the hang-up:\n${text}`);
});
