import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelFingerprint, runLimited } from '../../src/sources/prometheus/source.js';
import { displayHost, PromError } from '../../src/sources/prometheus/client.js';

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

test('hosts are shown without credentials; server errors count as the backend being down', () => {
  assert.equal(displayHost('http://user:secret@prom.internal:9090/prometheus'), 'prom.internal:9090');
  assert.equal(new PromError('x', 'http', { status: 503 }).backendDown, true);
  assert.equal(new PromError('x', 'api', { status: 400, errorType: 'bad_data' }).backendDown, false);
  assert.equal(new PromError('x', 'timeout').backendDown, true);
});
