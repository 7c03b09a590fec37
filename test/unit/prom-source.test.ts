import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelFingerprint, runLimited, boundServices, MAX_SERVICES, MAX_GROUPED_SERVICES } from '../../src/sources/prometheus/source.js';
import { PromError } from '../../src/sources/prometheus/client.js';

test('label fingerprints are stable and independent of label order', () => {
  const a = labelFingerprint({ alertname: 'X', severity: 'critical' });
  assert.match(a, /^[0-9a-f]{16}$/);
  assert.equal(labelFingerprint({ severity: 'critical', alertname: 'X' }), a);
  assert.notEqual(labelFingerprint({ alertname: 'X', severity: 'warning' }), a);
  assert.notEqual(labelFingerprint({ alertname: 'Xs', everity: 'critical' }), a, 'label boundaries count');
});

test('runLimited never has more than `limit` tasks in flight and runs them all', async () => {
  let inFlight = 0;
  let peak = 0;
  const done: number[] = [];
  const tasks = Array.from({ length: 10 }, (_, i) => async () => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    done.push(i);
  });
  await runLimited(tasks, 3);
  assert.equal(peak, 3);
  assert.equal(done.length, 10);
});

test('server errors count as the backend being down', () => {
  assert.equal(new PromError('x', 'http', { status: 503 }).backendDown, true);
  assert.equal(new PromError('x', 'api', { status: 400, errorType: 'bad_data' }).backendDown, false);
  assert.equal(new PromError('x', 'timeout').backendDown, true);
});

test('services with their own queries are bounded; services on the defaults have a much larger bound', () => {
  const own = Array.from({ length: MAX_SERVICES + 3 }, (_, i) => ({ name: `own-${i}`, errorRateQuery: 'x' }));
  const plain = Array.from({ length: 50 }, (_, i) => ({ name: `plain-${i}` }));
  const { kept, problem } = boundServices([...plain.slice(0, 25), ...own, ...plain.slice(25)]);
  assert.equal(kept.length, 50 + MAX_SERVICES);
  assert.equal(kept.filter((s) => 'errorRateQuery' in s).at(-1)?.name, `own-${MAX_SERVICES - 1}`, 'the first ones are kept, in config order');
  assert.equal(kept[25].name, 'own-0');
  assert.equal(problem, `3 services not queried (at most ${MAX_SERVICES} with their own queries and ${MAX_GROUPED_SERVICES} on the defaults)`);
  assert.deepEqual(boundServices(plain), { kept: plain, problem: null });
  const huge = Array.from({ length: MAX_GROUPED_SERVICES + 1 }, (_, i) => ({ name: `s${i}` }));
  assert.equal(boundServices(huge).kept.length, MAX_GROUPED_SERVICES);
});
