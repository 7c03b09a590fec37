import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKeymap, resolveKey, DEFAULT_COMMANDS } from '../../src/keys/bindings.js';
import { computeLayout, paneLines, CHROME_ROWS } from '../../src/ui/layout.js';
import { cockpitWithData } from '../helpers/cockpit-data.js';
import { PANES } from '../../src/ui/panes/registry.js';

test('default keymap has no conflicts', () => {
  assert.deepEqual(buildKeymap().warnings, []);
});

test('pane bindings win over global ones; global keys work everywhere', () => {
  const km = buildKeymap();
  assert.equal(resolveKey(km, 'r', 'deployments')?.id, 'kube.restart');
  assert.equal(resolveKey(km, 'r', 'pods'), undefined);
  assert.equal(resolveKey(km, 'x', 'alerts')?.id, 'alert.silence');
  assert.equal(resolveKey(km, 'x', 'postgres')?.id, 'pg.cancel');
  assert.equal(resolveKey(km, 'q', 'redis')?.id, 'app.quit');
});

test('config overrides rebind keys; conflicts and unknown ids are reported', () => {
  const km = buildKeymap({ 'kube.restart': ['R'], 'kube.scale': ['u'], 'no.such': ['y'] });
  assert.equal(resolveKey(km, 'R', 'deployments')?.id, 'kube.restart');
  assert.equal(resolveKey(km, 'r', 'deployments'), undefined);
  assert.ok(km.warnings.some((w) => /unknown command "no\.such"/.test(w)));
  assert.ok(
    km.warnings.some((w) => /"u" is bound to both kube\.scale and kube\.rollback/.test(w) || /"u" is bound to both kube\.rollback and kube\.scale/.test(w)),
    km.warnings.join('\n'),
  );
});

test('every command has a description and a group', () => {
  for (const c of DEFAULT_COMMANDS) assert.ok(c.description && c.group && c.label, c.id);
});

test('layout fills the body exactly at common sizes and shows every pane', () => {
  for (const [cols, rows] of [
    [80, 24],
    [120, 35],
    [200, 50],
    [60, 16],
    [100, 30],
  ]) {
    for (const focus of PANES) {
      const l = computeLayout(cols, rows, focus, null);
      assert.equal(l.tooSmall, false);
      assert.equal(
        l.columns.reduce((n, c) => n + c.width, 0),
        cols,
        `${cols}x${rows} widths`,
      );
      for (const c of l.columns)
        assert.equal(
          c.panes.reduce((n, p) => n + p.height, 0),
          rows - CHROME_ROWS,
          `${cols}x${rows} ${focus} heights`,
        );
      const shown = l.columns.flatMap((c) => c.panes.map((p) => p.pane));
      assert.deepEqual([...shown].sort(), [...PANES].sort(), `${cols}x${rows}: every pane has a place`);
      const focused = l.columns.flatMap((c) => c.panes).find((p) => p.pane === focus)!;
      assert.ok(focused.height >= 3, `${cols}x${rows}: focused ${focus} is open (height ${focused.height})`);
    }
  }
});

test('zoom gives one pane the whole body; too small is reported', () => {
  const z = computeLayout(100, 30, 'pods', 'alerts');
  assert.deepEqual(
    z.columns.map((c) => c.panes.map((p) => [p.pane, p.width, p.height])),
    [[['alerts', 100, 28]]],
  );
  assert.equal(computeLayout(59, 30, 'pods', null).tooSmall, true);
  assert.equal(computeLayout(100, 15, 'pods', null).tooSmall, true);
});

test('space goes where the rows are: small panes show every row, no pane has blank rows while another hides rows', () => {
  const body = (l: ReturnType<typeof computeLayout>, pane: string) => l.columns.flatMap((c) => c.panes).find((p) => p.pane === pane)!.height - 2;
  // A small namespace: 8 pods, 4 deployments, many events; 2 Redis nodes, 3 services.
  const lines = { pods: 1 + 8, deployments: 1 + 4, events: 1 + 40, alerts: 1 + 3, signals: 1 + 3, postgres: 1 + 1 + 2, redis: 1 + 2, timeline: 12, nodes: 1 + 3 };
  for (const [cols, rows] of [
    [80, 24],
    [120, 35],
    [200, 50],
  ] as const) {
    const l = computeLayout(cols, rows, 'pods', null, lines);
    assert.ok(body(l, 'deployments') >= lines.deployments, `${cols}×${rows}: all 4 deployments (body ${body(l, 'deployments')})`);
    if (rows > 24) assert.ok(body(l, 'redis') >= lines.redis, `${cols}×${rows}: both Redis nodes`);
    for (const c of l.columns) {
      const blank = c.panes.filter((p) => p.height > 1 && p.height - 2 > lines[p.pane]);
      const hiding = c.panes.filter((p) => p.height - 2 < lines[p.pane]);
      assert.ok(!(blank.length && hiding.length), `${cols}×${rows}: ${blank.map((p) => p.pane)} show blank rows while ${hiding.map((p) => p.pane)} hide rows`);
    }
  }
  const l = computeLayout(120, 35, 'pods', null, lines);
  assert.ok(body(l, 'pods') >= lines.pods, '120×35: every pod');
});

test('80×24 in a drill: all four deployments stay visible beside nine pods (events give way)', () => {
  const lines = { pods: 1 + 9, deployments: 1 + 4, events: 1 + 30, alerts: 1 + 3, signals: 1 + 2, postgres: 1 + 1 + 3, redis: 1 + 1, timeline: 5 };
  const l = computeLayout(80, 24, 'pods', null, lines);
  const h = (pane: string) => l.columns.flatMap((c) => c.panes).find((p) => p.pane === pane)!.height - 2;
  assert.ok(h('deployments') >= lines.deployments, `deployments body ${h('deployments')}`);
  assert.ok(h('pods') >= lines.pods, `pods body ${h('pods')}`);
});

test('80×24 in the redis-outage drill: each pane with data shows its first row, not only its column header', () => {
  const lines = { pods: 1 + 10, deployments: 1 + 4, events: 2, alerts: 2, signals: 1 + 2, postgres: 1 + 1 + 1, redis: 1 + 1, timeline: 1, nodes: 1 + 3 };
  const l = computeLayout(80, 24, 'pods', null, lines);
  const h = (pane: string) => l.columns.flatMap((c) => c.panes).find((p) => p.pane === pane)!.height - 2;
  // Nodes, the lightest, is the one that gives way when the column cannot hold every first row.
  for (const pane of ['redis', 'alerts', 'signals', 'postgres', 'timeline', 'deployments', 'events', 'pods'] as const)
    assert.ok(h(pane) >= Math.min(2, lines[pane]), `${pane}: body ${h(pane)} of ${lines[pane]} lines`);
});

test('80×24 early in a drill (11 pods, few events): Pods lends Deployments the rows to show all four', () => {
  for (const events of [1 + 2, 1 + 8]) {
    const lines = { pods: 1 + 11, deployments: 1 + 4, events, alerts: 1 + 2, signals: 1 + 2, postgres: 1 + 1 + 2, redis: 1 + 1, timeline: 1, nodes: 1 + 3 };
    const l = computeLayout(80, 24, 'pods', null, lines);
    const h = (pane: string) => l.columns.flatMap((c) => c.panes).find((p) => p.pane === pane)!.height - 2;
    assert.ok(h('deployments') >= lines.deployments, `${events} event lines: deployments body ${h('deployments')}`);
    assert.ok(h('pods') >= 1 + 7, `${events} event lines: pods still show 7 rows (body ${h('pods')})`);
    assert.ok(h('events') >= 2, `${events} event lines: an event row stays (body ${h('events')})`);
  }
});

test('a filtered Pods pane gives the rows the filter hides to the panes beside it (2 of 36 pods: every event shows)', () => {
  const { cockpit } = cockpitWithData();
  const set = (filter: string | undefined) => cockpit.store.setState((s) => ({ ui: { ...s.ui, filter: { ...s.ui.filter, pods: filter } } }));
  const body = (pane: string) => {
    const l = computeLayout(120, 35, 'pods', null, paneLines(cockpit.store.getState()));
    return l.columns.flatMap((c) => c.panes).find((p) => p.pane === pane)!.height - 2;
  };
  const events = 1 + cockpit.store.getState().kube.data.events.length;
  assert.ok(body('events') < events, `unfiltered, 36 pods leave Events short (body ${body('events')} of ${events})`);
  set('worker-5f7c9d[78]');
  assert.equal(paneLines(cockpit.store.getState()).pods, 1 + 2, 'the header and the 2 matching pods');
  assert.ok(body('events') >= events, `filtered, every event shows (body ${body('events')} of ${events})`);
  set('nothing-matches-this');
  assert.equal(paneLines(cockpit.store.getState()).pods, 1 + 1, "the header and 'no rows match'");
});

test('80×24 with an incident open: a Redis that is down keeps its row (urgent panes weigh more and collapse last)', () => {
  const lines = { pods: 1 + 10, deployments: 1 + 4, events: 1 + 8, alerts: 1 + 3, signals: 1 + 2, postgres: 1 + 1 + 2, redis: 1 + 1, timeline: 14, nodes: 1 + 3 };
  const body = (l: ReturnType<typeof computeLayout>, pane: string) => l.columns.flatMap((c) => c.panes).find((p) => p.pane === pane)!.height - 2;
  const calm = computeLayout(80, 24, 'pods', null, lines);
  const outage = computeLayout(80, 24, 'pods', null, lines, ['redis']);
  assert.ok(body(outage, 'redis') >= lines.redis, `Redis down: its header and row (body ${body(outage, 'redis')}; ${body(calm, 'redis')} when calm)`);
  assert.ok(body(outage, 'alerts') >= lines.alerts, `every alert still shows (body ${body(outage, 'alerts')})`);
});
