// A chatty followed log through the keys: 10,000 lines sent one at a time are drawn in batches
// (not one redraw per line), the buffer keeps the newest MAX_LINES, and a search keeps counting.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cleanup } from 'ink-testing-library';
import { renderCockpit } from '../helpers/cockpit.js';
import { fill } from '../helpers/cockpit-data.js';
import { waitFor } from '../helpers/net.js';
import { MAX_LINES, type LogsViewState } from '../../src/ui/logs-viewer.js';
import type { LogEntry, LogStreamEvents } from '../../src/sources/kube/log-stream.js';

after(() => cleanup());

const TOTAL = 10_000;
const line = (i: number): LogEntry => ({ ts: `2026-12-04T01:00:00.${String(i).padStart(9, '0')}Z`, text: i % 100 === 42 ? `ERROR boom n=${i}` : `level=INFO ok n=${i}` });

test('10,000 followed lines arriving one by one: drawn in batches, capped at the newest 5,000, the search counting through them', async (t) => {
  let ev: LogStreamEvents | null = null;
  let stopped = false;
  const c = renderCockpit({
    cols: 120,
    rows: 35,
    services: {
      kube: {
        listContexts: () => [],
        currentContext: () => null,
        switchContext: async () => {},
        setNamespaces: () => {},
        logs: async () => ({ title: '', lines: [] }),
        history: async () => [],
        streamLogs: (_ns, _pod, _opts, events) => {
          ev = events;
          return { stop: () => (stopped = true), done: Promise.resolve() };
        },
      },
    },
  });
  fill(c.cockpit);
  const view = () => c.cockpit.store.getState().ui.overlay as LogsViewState;
  await c.press('1', 'l');
  await waitFor(() => !!ev, { what: 'the stream opened' });
  ev!.opened?.();
  await c.press('/', ...'boom'.split(''), 'enter');
  assert.match(c.frame(), /\/boom: no match/);

  let updates = 0;
  const unsubscribe = c.cockpit.store.subscribe((s, prev) => void (s.ui.overlay !== prev.ui.overlay && updates++));
  const frames0 = c.ui.frames.length;
  const started = performance.now();
  // 100 lines every 2 ms, each its own chunk, as a chatty container's small writes arrive.
  for (let i = 0; i < TOTAL; i += 100) {
    for (let j = i; j < i + 100; j++) ev!.lines([line(j)]);
    await new Promise((r) => setTimeout(r, 2));
  }
  const sent = performance.now() - started;
  await waitFor(
    () =>
      view()
        .entries.at(-1)
        ?.text.endsWith(`n=${TOTAL - 1}`) === true,
    { what: 'the last line in' },
  );
  await waitFor(() => c.frame().includes(`n=${TOTAL - 1}`), { what: 'the last line on screen' }).catch(() => assert.fail(c.frame()));
  unsubscribe();
  const frames = c.ui.frames.length - frames0;
  t.diagnostic(`${TOTAL} lines over ${sent.toFixed(0)} ms: ${updates} view updates, ${frames} frames`);
  assert.ok(updates <= Math.ceil(sent / 50) + 5, `batched at most every 50 ms: ${updates} updates in ${sent.toFixed(0)} ms`);
  assert.ok(frames <= updates + 5, `${frames} frames`);

  const v = view();
  assert.equal(v.entries.length, MAX_LINES, 'the oldest lines are dropped past the cap');
  assert.equal(v.lines.length, MAX_LINES);
  assert.match(v.entries[0]!.text, new RegExp(`n=${TOTAL - MAX_LINES}$`));
  assert.equal(v.search?.matches.length, MAX_LINES / 100, 'matches only in the lines kept');
  assert.match(c.frame(), new RegExp(`lines \\d+–${MAX_LINES} of ${MAX_LINES}`));

  // N from no current match: the newest one, above the tail, scrolled to.
  await c.press('N');
  assert.match(c.frame(), /\/boom 50\/50/);
  assert.match(c.frame(), /ERROR boom n=9942\b/);
  await c.press('escape');
  assert.ok(stopped, 'closing the view stops the stream');
  c.ui.unmount();
});
