// Honest start: until a source answers, its pane says "starting…" (not "not configured" or
// "configure prometheus.url"); the signals pane names its rate window; a firing alert's row
// shows the alert's own value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCockpit, initialState } from '../../src/store/store.js';
import { markStarting } from '../../src/runtime.js';
import { configSchema } from '../../src/config/schema.js';
import { signalsPane } from '../../src/ui/panes/signals.js';
import { postgresPane } from '../../src/ui/panes/postgres.js';
import { redisPane } from '../../src/ui/panes/redis.js';
import { sourceBadge } from '../../src/ui/panes/pane.js';
import { alertCells, alertColumns } from '../../src/present/alerts.js';

test('a drill before its world runs: every source is starting…, then the ones the world has not are not configured', () => {
  const c = createCockpit(initialState({ drill: true }));
  markStarting(c, null);
  let s = c.store.getState();
  for (const key of ['kube', 'prom', 'postgres', 'redis'] as const) assert.deepEqual(sourceBadge(s[key], Date.now()), { text: 'starting…', token: 'muted' }, key);
  assert.equal(signalsPane.model(s, Date.now(), Date.now()).empty, 'starting…');
  assert.equal(postgresPane.model(s, Date.now(), Date.now()).empty, 'starting…');
  assert.equal(redisPane.model(s, Date.now(), Date.now()).empty, 'starting…');
  // The drill's world came up without Postgres: that one is not configured; the others still start.
  markStarting(c, configSchema.parse({ prometheus: { url: 'http://p:9090' }, redis: [{ name: 'r', url: 'redis://127.0.0.1:6379' }] }));
  s = c.store.getState();
  assert.equal(sourceBadge(s.postgres, Date.now())?.text, 'not configured');
  assert.equal(sourceBadge(s.prom, Date.now())?.text, 'starting…');
  // A source that answered is left alone.
  c.store.setState((st) => ({ prom: { ...st.prom, status: 'ok', updatedAt: Date.now() } }));
  markStarting(c, configSchema.parse({}));
  assert.equal(c.store.getState().prom.status, 'ok');
});

test('the signals pane title names the rate window its figures use', () => {
  const s = initialState();
  assert.match(String(signalsPane.model(s, Date.now(), Date.now()).title), /· 1m rate$/);
  s.prom = { ...s.prom, data: { ...s.prom.data, rateWindow: '30s' } };
  assert.match(String(signalsPane.model(s, Date.now(), Date.now()).title), /· 30s rate$/);
});

test("a firing alert's row shows its own value", () => {
  const now = Date.now();
  const row = {
    fingerprint: 'f',
    name: 'HighErrorRate',
    state: 'firing' as const,
    severity: 'critical',
    labels: { service: 'api' },
    summary: 's',
    description: null,
    runbookUrl: null,
    activeAt: now - 60_000,
    firstSeenAt: now - 60_000,
    resolvedAt: null,
    silenced: false,
    inhibited: false,
    silenceEndsAt: null,
    value: 0.04201234,
  };
  const i = alertColumns().findIndex((c) => c.title === 'ALERT');
  assert.equal(alertCells(row, now)[i]!.text, 'HighErrorRate api = 0.042');
  assert.equal(alertCells({ ...row, value: undefined }, now)[i]!.text, 'HighErrorRate api');
});
