import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { renderCockpit, NOW, tick } from '../helpers/cockpit.js';
import type { State } from '../../src/store/store.js';
import { PANE_DEFS } from '../../src/ui/panes/registry.js';
import type { PodRow, DeploymentRow } from '../../src/sources/kube/types.js';
import { cleanup } from 'ink-testing-library';

after(() => cleanup());

function pod(name: string, status: string, healthy: boolean, restarts = 0): PodRow {
  return {
    key: `shop/${name}`,
    namespace: 'shop',
    name,
    ready: healthy ? 1 : 0,
    containers: 1,
    status,
    reason: null,
    healthy,
    restarts,
    recentRestarts: 0,
    createdAt: NOW - 3600_000,
    node: 'node-1',
    deployment: 'api',
    cpuMilli: null,
    memoryBytes: null,
  };
}

function deployment(name: string): DeploymentRow {
  return {
    key: `shop/${name}`,
    namespace: 'shop',
    name,
    desired: 3,
    ready: 3,
    updated: 3,
    available: 3,
    images: [`registry/${name}:1.0`],
    revision: 4,
    lastRolloutAt: NOW - 3 * 3600_000,
    paused: false,
    rolling: false,
    failedReason: null,
    uid: name,
  };
}

function withData(s: State): Partial<State> {
  const pods = [pod('api-7d9f-crash', 'CrashLoopBackOff', false, 7), ...Array.from({ length: 30 }, (_, i) => pod(`api-7d9f-${i}`, 'Running', true))];
  return {
    kube: {
      status: 'ok',
      updatedAt: NOW,
      error: null,
      data: { ...s.kube.data, context: 'drill', namespaces: ['shop'], pods, deployments: [deployment('api'), deployment('checkout'), deployment('worker')] },
    },
  };
}

test('80×24: header, footer and every pane within exactly 24 lines of at most 80 columns', async () => {
  const c = renderCockpit({ cols: 80, rows: 24 });
  c.set(withData);
  await tick();
  const lines = c.frame().split('\n');
  assert.equal(lines.length, 24);
  for (const l of lines) assert.ok(l.length <= 80, `line too wide (${l.length}): ${l}`);
  assert.match(lines[0], /warroom/);
  // Titles may be shortened to fit, never dropped.
  for (const { title } of PANE_DEFS) assert.ok(c.frame().includes(title.slice(0, 10)), `pane ${title} missing at 80×24`);
  assert.match(c.frame(), /CrashLoopBackOff/, 'the unhealthy pod is visible');
  c.ui.unmount();
});

test('200×50: a wide Pods column beside the others, 50 lines; from 240 columns, three columns', async () => {
  const c = renderCockpit({ cols: 200, rows: 50 });
  c.set(withData);
  await tick();
  const lines = c.frame().split('\n');
  assert.equal(lines.length, 50);
  const top = lines.find((l) => l.includes('Pods'))!;
  assert.ok(top.includes('Alerts') && !top.includes('Postgres'), top);
  assert.ok(top.indexOf('Alerts') >= 125, `Pods takes about two thirds: ${top}`);
  assert.ok(lines.filter((l) => /api-7d9f-\d+/.test(l)).length >= 15, 'a tall pods pane shows many rows');
  c.ui.unmount();

  const wide = renderCockpit({ cols: 240, rows: 50 });
  wide.set(withData);
  await tick();
  // Pods, Alerts and Postgres head their columns on the same line.
  const head = wide
    .frame()
    .split('\n')
    .find((l) => l.includes('Pods'))!;
  assert.ok(head.includes('Alerts') && head.includes('Postgres'), head);
  wide.ui.unmount();
});

test('below the minimum size a clear message replaces the panes', async () => {
  const c = renderCockpit({ cols: 50, rows: 12 });
  await tick();
  assert.match(c.frame(), /Terminal too small: 50×12/);
  assert.match(c.frame(), /at least 60×16/);
  c.ui.unmount();
});

test('Tab, Shift-Tab and digits move focus; the footer shows the focused pane keys', async () => {
  const c = renderCockpit({ cols: 120, rows: 35 });
  c.set(withData);
  await c.press('tab');
  assert.equal(c.cockpit.store.getState().ui.focus, 'deployments');
  assert.match(c.frame().split('\n').at(-1)!, /r restart/);
  await c.press('shift+tab');
  assert.equal(c.cockpit.store.getState().ui.focus, 'pods');
  assert.match(c.frame().split('\n').at(-1)!, /l logs/);
  await c.press('4');
  assert.equal(c.cockpit.store.getState().ui.focus, 'alerts');
  assert.match(c.frame().split('\n').at(-1)!, /x silence/);
  c.ui.unmount();
});

test('z zooms the focused pane to the whole body and back', async () => {
  const c = renderCockpit({ cols: 120, rows: 35 });
  c.set(withData);
  await c.press('1', 'z');
  let f = c.frame();
  assert.ok(!f.includes('Deployments') && !f.includes('Redis'), 'other panes hidden when zoomed');
  assert.ok(f.split('\n').filter((l) => /api-7d9f-\d+/.test(l)).length >= 25, 'zoomed pods pane uses the height');
  await c.press('z');
  f = c.frame();
  assert.ok(f.includes('Deployments') && f.includes('Redis'));
  c.ui.unmount();
});

test('/ filters the focused list; Esc clears it', async () => {
  const c = renderCockpit({ cols: 120, rows: 35 });
  c.set(withData);
  await c.press('1', '/', 'c', 'r', 'a', 's', 'h');
  let f = c.frame();
  assert.match(f, /api-7d9f-crash/);
  assert.ok(!/api-7d9f-1\b/.test(f), 'non-matching pods are hidden');
  assert.match(f, /\/crash/, 'the filter shows in the footer and title');
  await c.press('enter');
  assert.match(c.frame(), /Pods 31.*\/crash/);
  await c.press('escape');
  f = c.frame();
  assert.match(f, /api-7d9f-1\b/);
  c.ui.unmount();
});

test('? shows a help overlay listing every keymap entry; Esc closes it', async () => {
  const c = renderCockpit({ cols: 200, rows: 50 });
  await c.press('?');
  const f = c.frame();
  for (const cmd of c.keymap.commands) assert.ok(f.includes(cmd.description), `help lacks ${cmd.id}: ${cmd.description}`);
  assert.match(f, /Text viewer \(d, y, o, :rs, Enter on an event\)/, "the views' own keys too");
  assert.match(f, /Logs view \(l\)[\s\S]*ctrl\+s save/);
  await c.press('escape');
  assert.ok(!c.frame().includes('Keys — '));
  c.ui.unmount();
});

test('80×24: the help overlay scrolls to its last entry', async () => {
  const c = renderCockpit({ cols: 80, rows: 24 });
  await c.press('?');
  // Its start: at 80 columns a long description is cut at the edge.
  const last = c.keymap.commands.at(-1)!.description.slice(0, 40);
  assert.ok(!c.frame().includes(last), 'the last entry is below the fold at first');
  for (let i = 0; i < 6; i++) await c.press('pagedown');
  assert.ok(c.frame().includes(last), 'scrolling reaches the last entry');
  assert.equal(c.frame().split('\n').length, 24);
  c.ui.unmount();
});

test('q quits', async () => {
  const c = renderCockpit();
  await c.press('q');
  assert.equal(c.exited, true);
  c.ui.unmount();
});
