// The Prometheus source against a real Prometheus scraping an exporter the test controls. The
// services on the default queries are answered by grouped queries (`sum by (service)`), which
// the real Prometheus computes here.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startExporter, startPrometheus, sliceHolder, type RealServer, type TestExporter } from '../helpers/prometheus.js';
import { waitFor } from '../helpers/net.js';
import { PrometheusSource } from '../../src/sources/prometheus/source.js';
import { defaultConfig, severitySchema } from '../../src/config/schema.js';
import { initialState } from '../../src/store/store.js';
import { internalIdentifiers } from '../../src/incident/audience.js';
import { publicLeaks } from '../../src/incident/templates.js';

const RULES = `
groups:
  - name: warroom-test
    interval: 1s
    rules:
      - alert: HighErrorRate
        expr: sum(rate(http_requests_total{status=~"5.."}[3s])) / sum(rate(http_requests_total[3s])) > 0.2
        for: 2s
        labels:
          severity: critical
        annotations:
          summary: 5xx ratio above 20%
          description: checkout is failing requests
          runbook_url: https://runbooks.example/high-error-rate
      - alert: PostgresDown
        expr: vector(0) > 1
      - record: job:http_requests:rate1m
        expr: sum(rate(http_requests_total[1m]))
`;

let exporter: TestExporter;
let prom: RealServer;
let source: PrometheusSource;
const slice = sliceHolder();
const severity = severitySchema.parse({});

before(async () => {
  exporter = await startExporter(
    'checkout',
    { requestsPerScrape: 200, errorRatio: 0.02, p95Seconds: 0.8 },
    { 'api.v2': { requestsPerScrape: 100, errorRatio: 0.1, p95Seconds: 0.2 } },
  );
  prom = await startPrometheus({ targets: [exporter.target], rules: RULES });
  source = new PrometheusSource(
    {
      url: prom.url,
      timeoutSeconds: 2,
      services: [
        { name: 'checkout', deployments: [] },
        { name: 'api.v2', deployments: [] },
        { name: 'broken', deployments: [], errorRateQuery: 'sum(rate(http_requests_total[5m]) /' },
      ],
    },
    severity,
    0.5,
    slice.publish,
    { rangeEverySeconds: 1 },
  );
  source.start();
});

after(async () => {
  await source?.stop();
  await prom?.stop();
  await exporter?.stop();
});

const checkout = () => slice.get().data.services.find((s) => s.name === 'checkout')!;
const broken = () => slice.get().data.services.find((s) => s.name === 'broken')!;
const apiV2 = () => slice.get().data.services.find((s) => s.name === 'api.v2')!;

test("each service's error rate and p95 equal what the exporter produced for it", async () => {
  const ready = (s: ReturnType<typeof checkout>) => s?.errorRate !== null && s.p95Seconds !== null && s.requestRate !== null;
  await waitFor(() => ready(checkout()) && ready(apiV2()), { timeoutMs: 15_000, what: 'checkout and api.v2 signals' });
  for (const [sig, p95] of [
    [checkout(), 0.8],
    [apiV2(), 0.2],
  ] as const) {
    const t = exporter.totals(sig.name);
    assert.ok(Math.abs(sig.errorRate! - t.errors / t.requests) < 0.002, `${sig.name} error rate ${sig.errorRate} vs ${t.errors / t.requests}`);
    assert.ok(Math.abs(sig.p95Seconds! - p95) < 0.01, `${sig.name} p95 ${sig.p95Seconds}`);
    // rate() divides by the whole 5m range, so a few seconds of data give a small but positive rate.
    assert.ok(sig.requestRate! > 0, `${sig.name} req/s ${sig.requestRate}`);
    assert.equal(sig.requestRateHourAgo, null, 'a fresh Prometheus has nothing an hour ago');
    assert.deepEqual(sig.problems, []);
  }
  // checkout scrapes twice as many requests as api.v2 per scrape.
  assert.ok(Math.abs(checkout().requestRate! / apiV2().requestRate! - 2) < 0.1, `${checkout().requestRate} vs ${apiV2().requestRate}`);
  await waitFor(() => checkout().errorRateSeries.length > 0 && apiV2().latencySeries.length > 0, { what: 'range series' });
  assert.ok(Math.abs(checkout().errorRateSeries.at(-1)! - 0.02) < 0.005);
  assert.ok(Math.abs(apiV2().errorRateSeries.at(-1)! - 0.1) < 0.005);
  assert.ok(Math.abs(apiV2().latencySeries.at(-1)! - 0.2) < 0.01);
});

test('a bad query override surfaces a bad_data problem and the rest keeps working', async () => {
  await waitFor(() => broken()?.problems.some((p) => p.startsWith('error rate: bad_data:')), { what: 'bad_data problem' });
  assert.equal(slice.get().status, 'degraded');
  assert.match(slice.get().error ?? '', /broken: error rate: bad_data: .*parse error/);
  assert.notEqual(checkout().errorRate, null);
  assert.deepEqual(checkout().problems, []);
});

test('an alert goes pending → firing → resolved as the error ratio rises and falls', async () => {
  const states: string[] = [];
  const alert = () => slice.get().data.alerts.find((a) => a.name === 'HighErrorRate');
  exporter.state.errorRatio = 0.5;
  await waitFor(
    () => {
      const a = alert();
      if (a && states.at(-1) !== a.state) states.push(a.state);
      return a?.state === 'firing';
    },
    { timeoutMs: 15_000, intervalMs: 100, what: 'HighErrorRate firing' },
  );
  assert.equal(states[0], 'pending', `states seen: ${states.join(' → ')}`);
  const a = alert()!;
  assert.equal(a.severity, 'critical');
  assert.equal(a.summary, '5xx ratio above 20%');
  assert.equal(a.description, 'checkout is failing requests');
  assert.equal(a.runbookUrl, 'https://runbooks.example/high-error-rate');
  assert.ok(a.activeAt && a.activeAt <= Date.now());
  assert.ok(Date.now() - a.firstSeenAt < 60_000, 'newly firing alert is marked new');
  assert.ok(checkout().errorRate! > severity.errorRate.p2, 'the 5m error rate rose too');

  exporter.state.errorRatio = 0;
  await waitFor(() => alert()?.state === 'resolved', { timeoutMs: 15_000, what: 'HighErrorRate resolved' });
  assert.ok(alert()!.resolvedAt! <= Date.now(), 'resolved alert stays visible with its time');
});

test('stopping Prometheus marks the slice down and keeps the last values', async () => {
  const before = checkout();
  const updatedAt = slice.get().updatedAt;
  assert.ok(updatedAt);
  await prom.stop();
  await waitFor(() => slice.get().status === 'down', { timeoutMs: 10_000, what: 'slice down' });
  assert.match(slice.get().error ?? '', /^Prometheus at 127\.0\.0\.1:\d+ unreachable \(ECONNREFUSED\)$/);
  assert.ok(checkout().errorRate !== null && checkout().p95Seconds !== null, 'last values kept');
  assert.ok(Math.abs(checkout().p95Seconds! - before.p95Seconds!) < 0.05);
  assert.ok(slice.get().updatedAt! >= updatedAt!, 'age of the last good data kept');
  assert.ok(
    slice.get().data.alerts.some((a) => a.name === 'HighErrorRate'),
    'alerts kept',
  );
});

test("every alerting rule's name is published, firing or not (recording rules are not), and a public text naming one is refused", async () => {
  await waitFor(() => (slice.get().data.alertRules?.length ?? 0) > 0, { what: 'alert rules', timeoutMs: 15_000 });
  assert.deepEqual(slice.get().data.alertRules, ['HighErrorRate', 'PostgresDown']);
  assert.ok(!slice.get().data.alerts.some((a) => a.name === 'PostgresDown'), 'PostgresDown does not fire');
  const state = { ...initialState(), prom: slice.get() };
  assert.deepEqual(publicLeaks('PostgresDown was the cause; checkout is back.', internalIdentifiers(defaultConfig(), state)), ['PostgresDown']);
});
