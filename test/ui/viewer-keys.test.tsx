// The text viewer through typed keys: the logs of a pod (l) open in it at 80×24.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup } from 'ink-testing-library';
import { renderCockpit } from '../helpers/cockpit.js';
import { fill } from '../helpers/cockpit-data.js';

after(() => cleanup());

const logLines = Array.from({ length: 120 }, (_, i) =>
  i % 25 === 3
    ? `12:00:${String(i % 60).padStart(2, '0')} ERROR payment failed order=${i} ${'x'.repeat(90)}END`
    : `12:00:${String(i % 60).padStart(2, '0')} info request ok id=${i}`,
);

function cockpit() {
  const c = renderCockpit({
    cols: 80,
    rows: 24,
    services: {
      kube: {
        listContexts: () => [],
        currentContext: () => null,
        switchContext: async () => {},
        setNamespaces: () => {},
        logs: async (t) => ({ title: `Logs of ${t.name}`, lines: logLines }),
        history: async () => [],
      },
    },
  });
  fill(c.cockpit);
  return c;
}

test('the viewer scrolls, searches by regex with n/N and a count, wraps, and Esc closes it', async () => {
  const c = cockpit();
  await c.press('1', 'l');
  let f = c.frame();
  assert.match(f, /Logs of /, 'the title says what it is');
  assert.match(f, /info request ok id=0\b/);
  assert.match(f, /lines 1–18 of 120/);
  await c.press('G');
  f = c.frame();
  assert.match(f, /id=119/);
  assert.doesNotMatch(f, /id=0\b/);
  await c.press('g', '/', ...'error.*order=[57][38]'.split(''), 'enter');
  f = c.frame();
  assert.match(f, /1\/2/, 'the count of matches (orders 53 and 78)');
  assert.match(f, /order=53/);
  await c.press('n');
  assert.match(c.frame(), /2\/2/);
  assert.match(c.frame(), /order=78/);
  await c.press('N');
  assert.match(c.frame(), /1\/2/);
  // Cut lines: the end of the long line is off screen until wrapped.
  assert.doesNotMatch(c.frame(), /xEND/);
  await c.press('w');
  assert.match(c.frame(), /xEND/, 'wrapped, the end of the long line shows');
  await c.press('w', 'right', 'right', 'right', 'right');
  assert.match(c.frame(), /xEND/, 'cut, → scrolls sideways to the end');
  await c.press('/', '[', 'enter');
  assert.match(c.frame(), /not a regex: plain text/);
  await c.press('?');
  assert.match(c.frame(), /Keys: j\/k PgUp\/PgDn g\/G/, "? names the view's keys on its status line");
  await c.press('escape');
  assert.equal(c.cockpit.store.getState().ui.overlay, null);
  assert.match(c.frame(), /Pods/, 'the panes are back');
  c.ui.unmount();
});

test('a read-only cockpit opens the viewer too (reading is not mutating)', async () => {
  const c = renderCockpit({ cols: 80, rows: 24, meta: { readOnly: true, readOnlyReason: '--read-only' }, services: cockpit().services });
  fill(c.cockpit);
  await c.press('1', 'l');
  assert.match(c.frame(), /Logs of /);
  c.ui.unmount();
});
