// The simulator answers exactly the forms the source sends; the histogram it writes yields the
// configured p95 under Prometheus's own histogram_quantile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseForm, normaliseQuery, bucketFractions, histogramQuantile, BUCKETS } from '../../src/sim/prometheus/sim.js';
import {
  serviceQueries,
  defaultErrorRateQuery,
  defaultLatencyP95Query,
  planQueries,
  escapeRegex,
  groupedErrorRateQuery,
  groupedLatencyP95Query,
  groupedRequestRateQuery,
  groupedRequestRateHourAgoQuery,
} from '../../src/sources/prometheus/queries.js';

test('default queries, and the service matcher added to every selector', () => {
  assert.equal(defaultErrorRateQuery(undefined, '5m'), 'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))', 'the window is configurable');
  assert.equal(defaultErrorRateQuery(), 'sum(rate(http_requests_total{status=~"5.."}[1m])) / sum(rate(http_requests_total[1m]))');
  assert.equal(defaultLatencyP95Query(), 'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket[1m])) by (le))');
  const q = serviceQueries({ name: 'api' });
  assert.equal(q.errorRate, 'sum(rate(http_requests_total{service="api",status=~"5.."}[1m])) / sum(rate(http_requests_total{service="api"}[1m]))');
  assert.equal(q.p95, 'histogram_quantile(0.95, sum(rate(http_request_duration_seconds_bucket{service="api"}[1m])) by (le))');
  assert.equal(q.requestRate, 'sum(rate(http_requests_total{service="api"}[1m]))');
  assert.equal(q.requestRateHourAgo, 'sum(rate(http_requests_total{service="api"}[1m] offset 1h))');
  assert.equal(serviceQueries({ name: 'we"ird' }).requestRate, 'sum(rate(http_requests_total{service="we\\"ird"}[1m]))');
});

test('overrides are sent verbatim; an overridden rate has no offset form', () => {
  const q = serviceQueries({ name: 'api', errorRateQuery: 'my_ratio', requestRateQuery: 'sum(rate(x[1m]))' });
  assert.equal(q.errorRate, 'my_ratio');
  assert.equal(q.requestRate, 'sum(rate(x[1m]))');
  assert.equal(q.requestRateHourAgo, null);
});

test('services on the defaults share one grouped query per signal, by the service label', () => {
  const names = ['api', 'checkout'];
  assert.equal(
    groupedErrorRateQuery(names),
    'sum by (service) (rate(http_requests_total{status=~"5..",service=~"api|checkout"}[1m])) / sum by (service) (rate(http_requests_total{service=~"api|checkout"}[1m]))',
  );
  assert.equal(groupedLatencyP95Query(names), 'histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{service=~"api|checkout"}[1m])))');
  assert.equal(groupedRequestRateQuery(names), 'sum by (service) (rate(http_requests_total{service=~"api|checkout"}[1m]))');
  assert.equal(groupedRequestRateHourAgoQuery(names), 'sum by (service) (rate(http_requests_total{service=~"api|checkout"}[1m] offset 1h))');
});

test('service names are escaped for the regex and for the PromQL string', () => {
  assert.equal(escapeRegex('a.b|c(d)*+?[e]{f}^$\\'), 'a\\.b\\|c\\(d\\)\\*\\+\\?\\[e\\]\\{f\\}\\^\\$\\\\');
  // The regex `api\.v2` inside a PromQL string is written "api\\.v2".
  assert.equal(groupedRequestRateQuery(['api.v2', 'we"ird']), 'sum by (service) (rate(http_requests_total{service=~"api\\\\.v2|we\\"ird"}[1m]))');
  const re = new RegExp(`^(?:${['api.v2', 'a|b', 'x+'].map(escapeRegex).join('|')})$`);
  for (const ok of ['api.v2', 'a|b', 'x+']) assert.ok(re.test(ok), ok);
  for (const no of ['apixv2', 'a', 'b', 'xx']) assert.ok(!re.test(no), no);
});

test('the plan: one grouped query per signal; overrides keep their own, per signal', () => {
  const plan = planQueries([{ name: 'api' }, { name: 'checkout' }, { name: 'custom', errorRateQuery: 'my_ratio' }, { name: 'rated', requestRateQuery: 'sum(rate(x[1m]))' }]);
  assert.deepEqual(plan.grouped.errorRate, { query: groupedErrorRateQuery(['api', 'checkout', 'rated']), services: ['api', 'checkout', 'rated'] });
  assert.deepEqual(plan.grouped.p95?.services, ['api', 'checkout', 'custom', 'rated']);
  assert.deepEqual(plan.grouped.requestRate?.services, ['api', 'checkout', 'custom']);
  assert.deepEqual(plan.grouped.requestRateHourAgo, { query: groupedRequestRateHourAgoQuery(['api', 'checkout', 'custom']), services: ['api', 'checkout', 'custom'] });
  assert.deepEqual(plan.own, [
    { service: 'custom', signal: 'errorRate', query: 'my_ratio', hourBack: false },
    { service: 'rated', signal: 'requestRate', query: 'sum(rate(x[1m]))', hourBack: false },
    { service: 'rated', signal: 'requestRateHourAgo', query: 'sum(rate(x[1m]))', hourBack: true },
  ]);
  const all = planQueries([{ name: 'a', errorRateQuery: 'x', latencyP95Query: 'y', requestRateQuery: 'z' }]);
  assert.deepEqual(all.grouped, { errorRate: null, p95: null, requestRate: null, requestRateHourAgo: null });
});

test('every query the source sends is a form the simulator answers', () => {
  const one = (value: string) => ({ op: '=', value });
  for (const name of ['api', 'web-frontend']) {
    const q = serviceQueries({ name });
    assert.deepEqual(parseForm(q.errorRate), { kind: 'errorRatio', service: one(name), byService: false, windowMs: 60000 });
    assert.deepEqual(parseForm(q.p95), { kind: 'quantile', q: 0.95, service: one(name), byService: false, windowMs: 60000 });
    assert.deepEqual(parseForm(q.requestRate), { kind: 'requestRate', service: one(name), byService: false, offsetMs: 0, windowMs: 60000 });
    assert.deepEqual(parseForm(q.requestRateHourAgo!), { kind: 'requestRate', service: one(name), byService: false, offsetMs: 3_600_000, windowMs: 60000 });
  }
  const names = ['api', 'web.frontend'];
  const re = { op: '=~', value: 'api|web\\.frontend' };
  assert.deepEqual(parseForm(groupedErrorRateQuery(names)), { kind: 'errorRatio', service: re, byService: true, windowMs: 60000 });
  assert.deepEqual(parseForm(groupedLatencyP95Query(names)), { kind: 'quantile', q: 0.95, service: re, byService: true, windowMs: 60000 });
  assert.deepEqual(parseForm(groupedRequestRateQuery(names)), { kind: 'requestRate', service: re, byService: true, offsetMs: 0, windowMs: 60000 });
  assert.deepEqual(parseForm(groupedRequestRateHourAgoQuery(names)), { kind: 'requestRate', service: re, byService: true, offsetMs: 3_600_000, windowMs: 60000 });
  // The same forms with `by` after the aggregation, as people often write them.
  assert.deepEqual(parseForm('sum(rate(http_requests_total{service=~"a|b"}[5m])) by (service)'), {
    kind: 'requestRate',
    service: { op: '=~', value: 'a|b' },
    byService: true,
    offsetMs: 0,
    windowMs: 300000,
  });
  assert.deepEqual(parseForm('histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))'), {
    kind: 'quantile',
    q: 0.9,
    service: null,
    byService: false,
    windowMs: 300000,
  });
  assert.deepEqual(parseForm('histogram_quantile(0.9, sum(rate(http_request_duration_seconds_bucket[5m])) by (le, service))'), {
    kind: 'quantile',
    q: 0.9,
    service: null,
    byService: true,
    windowMs: 300000,
  });
  assert.deepEqual(parseForm(defaultErrorRateQuery()), { kind: 'errorRatio', service: null, byService: false, windowMs: 60000 });
  assert.deepEqual(parseForm('up'), { kind: 'selector', name: 'up', matchers: [] });
  assert.deepEqual(parseForm('http_requests_total{status!="200"}'), { kind: 'selector', name: 'http_requests_total', matchers: [{ name: 'status', op: '!=', value: '200' }] });
});

test('anything else is not a form', () => {
  for (const q of [
    'rate(foo[5m])',
    'avg(up)',
    'sum(rate(http_requests_total{service="a",status=~"5.."}[5m])) / sum(rate(http_requests_total{service="b"}[5m]))',
    'sum(rate(http_requests_total{status=~"4.."}[5m])) / sum(rate(http_requests_total[5m]))',
    'sum(rate(http_requests_total{service="a",status=~"5.."}[1m])) / sum(rate(http_requests_total{service="a"}[5m]))',
    'sum(rate(http_requests_total{service!="a"}[5m]))',
    'sum by (service) (rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
    'sum by (job) (rate(http_requests_total[5m]))',
    'sum by (service) (rate(http_requests_total[5m])) by (service)',
    'histogram_quantile(0.95, sum by (service) (rate(http_request_duration_seconds_bucket[5m])))',
    'histogram_quantile(0.95, sum by (le, job) (rate(http_request_duration_seconds_bucket[5m])))',
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
    const got = histogramQuantile(
      0.95,
      BUCKETS.map((le, i) => [le, 1000 * fr[i]] as [number, number]),
    );
    assert.ok(Math.abs(got - p95) < 1e-9, `${p95} → ${got}`);
  }
  const q = (p95: number) =>
    histogramQuantile(
      0.95,
      BUCKETS.map((le, i) => [le, bucketFractions(p95)[i]] as [number, number]),
    );
  assert.ok(Math.abs(q(60) - 10) < 1e-9, 'clamped at the largest finite bucket');
  assert.ok(Math.abs(q(0.001) - 0.005) < 1e-9, 'clamped at the smallest bucket');
  assert.ok(
    Number.isNaN(
      histogramQuantile(
        0.95,
        BUCKETS.map((le) => [le, 0] as [number, number]),
      ),
    ),
    'no requests → NaN',
  );
});
