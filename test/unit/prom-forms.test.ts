// The simulator answers exactly the forms the source sends; the histogram it writes yields the
// configured p95 under Prometheus's own histogram_quantile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseForm, normaliseQuery, bucketFractions, histogramQuantile, BUCKETS } from '../../src/sim/prometheus/sim.js';
import { serviceQueries, defaultErrorRateQuery, defaultLatencyP95Query } from '../../src/sources/prometheus/queries.js';

test('default queries, and the service matcher added to every selector', () => {
  assert.equal(defaultErrorRateQuery(), 'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))');
  assert.equal(defaultLatencyP95Query(), 'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[5m])) by (le))');
  const q = serviceQueries({ name: 'api' });
  assert.equal(q.errorRate, 'sum(rate(http_requests_total{service="api",status=~"5.."}[5m])) / sum(rate(http_requests_total{service="api"}[5m]))');
  assert.equal(q.p95, 'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket{service="api"}[5m])) by (le))');
  assert.equal(q.requestRate, 'sum(rate(http_requests_total{service="api"}[5m]))');
  assert.equal(q.requestRateHourAgo, 'sum(rate(http_requests_total{service="api"}[5m] offset 1h))');
  assert.equal(serviceQueries({ name: 'we"ird' }).requestRate, 'sum(rate(http_requests_total{service="we\\"ird"}[5m]))');
});

test('overrides are sent verbatim; an overridden rate has no offset form', () => {
  const q = serviceQueries({ name: 'api', errorRateQuery: 'my_ratio', requestRateQuery: 'sum(rate(x[1m]))' });
  assert.equal(q.errorRate, 'my_ratio');
  assert.equal(q.requestRate, 'sum(rate(x[1m]))');
  assert.equal(q.requestRateHourAgo, null);
});

test('every query the source sends is a form the simulator answers', () => {
  for (const name of ['api', 'web-frontend']) {
    const q = serviceQueries({ name });
    assert.deepEqual(parseForm(q.errorRate), { kind: 'errorRatio', service: name });
    assert.deepEqual(parseForm(q.p95), { kind: 'quantile', q: 0.95, service: name });
    assert.deepEqual(parseForm(q.requestRate), { kind: 'requestRate', service: name, offsetMs: 0 });
    assert.deepEqual(parseForm(q.requestRateHourAgo!), { kind: 'requestRate', service: name, offsetMs: 3_600_000 });
  }
  assert.deepEqual(parseForm(defaultErrorRateQuery()), { kind: 'errorRatio', service: null });
  assert.deepEqual(parseForm('up'), { kind: 'selector', name: 'up', matchers: [] });
  assert.deepEqual(parseForm('http_requests_total{status!="200"}'), { kind: 'selector', name: 'http_requests_total', matchers: [{ name: 'status', op: '!=', value: '200' }] });
});

test('anything else is not a form', () => {
  for (const q of [
    'rate(foo[5m])',
    'avg(up)',
    'sum(rate(http_requests_total{service="a",status=~"5.."}[5m])) / sum(rate(http_requests_total{service="b"}[5m]))',
    'sum(rate(http_requests_total{status=~"4.."}[5m])) / sum(rate(http_requests_total[5m]))',
    'sum(rate(http_requests_total{service="a"}[1m]))',
    'sum(rate(http_requests_total{service=~"a"}[5m]))',
    'sum(rate(http_requests_total[5m] offset 2h))',
    'up{job="x"',
    '',
  ]) {
    assert.equal(parseForm(q), null, q);
  }
});

test('whitespace is ignored outside strings only', () => {
  assert.equal(normaliseQuery(' sum ( rate(x{a="b c"} [5m] ) )'), 'sum(rate(x{a="b c"}[5m]))');
  assert.equal(normaliseQuery('x{a="q\\" y"}'), 'x{a="q\\" y"}');
});

test('the histogram the simulator writes gives back the p95 under histogram_quantile', () => {
  for (const p95 of [0.005, 0.03, 0.3, 0.5, 0.8, 1, 2.5, 3.7, 9.9, 10]) {
    const fr = bucketFractions(p95);
    for (let i = 1; i < fr.length; i++) assert.ok(fr[i] >= fr[i - 1], `monotonic at ${p95}`);
    assert.equal(fr.at(-1), 1);
    const got = histogramQuantile(0.95, BUCKETS.map((le, i) => [le, 1000 * fr[i]] as [number, number]));
    assert.ok(Math.abs(got - p95) < 1e-9, `${p95} → ${got}`);
  }
  const q = (p95: number) => histogramQuantile(0.95, BUCKETS.map((le, i) => [le, bucketFractions(p95)[i]] as [number, number]));
  assert.ok(Math.abs(q(60) - 10) < 1e-9, 'clamped at the largest finite bucket');
  assert.ok(Math.abs(q(0.001) - 0.005) < 1e-9, 'clamped at the smallest bucket');
  assert.ok(Number.isNaN(histogramQuantile(0.95, BUCKETS.map((le) => [le, 0] as [number, number]))), 'no requests → NaN');
});
