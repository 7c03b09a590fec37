// The Prometheus source against the drill's simulator on a controlled clock: values follow the
// world, the alert rule honours `for`, unsupported queries are bad_data, and every failure
// type is reported while the last good values stay.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { sliceHolder } from '../helpers/prometheus.js';
import { PromSim, type PromWorld } from '../../src/sim/prometheus/sim.js';
import { PrometheusSource } from '../../src/sources/prometheus/source.js';
import { severitySchema } from '../../src/config/schema.js';
import { serviceCells } from '../../src/present/signals.js';
import { PromClient } from '../../src/sources/prometheus/client.js';

const severity = severitySchema.parse({});
let clock = Date.UTC(2026, 10, 25, 12, 0, 0);
const world: PromWorld = {
  services: {
    checkout: { rps: 100, errorRatio: 0.02, p95Seconds: 0.3 },
    idle: { rps: 0, errorRatio: 0, p95Seconds: 0.1 },
  },
  gauges: { weird_ratio: Infinity },
};
const sim = new PromSim({
  world: () => world,
  now: () => clock,
  rules: [
    {
      name: 'CheckoutErrors',
      severity: 'critical',
      summary: 'checkout 5xx above 10%',
      runbookUrl: 'https://runbooks.example/checkout',
      expr: 'checkout_error_ratio > 0.1',
      value: (w) => w.services.checkout.errorRatio,
      op: '>',
      threshold: 0.1,
      forSeconds: 60,
      labels: { service: 'checkout' },
    },
  ],
});
const slice = sliceHolder();
let source: PrometheusSource;

/** Moves the sim clock on, sampling every 15 s like the internal timer would. */
function advance(seconds: number): void {
  for (let s = 0; s < seconds; s += 15) {
    clock += 15_000;
    sim.sample();
  }
}

async function refresh(): Promise<void> {
  source.refresh();
  await source.settle();
}

const svc = (name: string) => slice.get().data.services.find((s) => s.name === name)!;
const close = (a: number | null, b: number, tol = 1e-6) => assert.ok(a !== null && Math.abs(a - b) <= tol, `${a} ≉ ${b}`);

before(async () => {
  await sim.start();
  source = new PrometheusSource(
    {
      url: sim.url,
      timeoutSeconds: 0.5,
      services: [
        { name: 'checkout', deployments: [] },
        { name: 'idle', deployments: [] },
        { name: 'ghost', deployments: [] },
        {
          name: 'custom',
          deployments: [],
          errorRateQuery: 'rate(foo[5m])',
          latencyP95Query: 'weird_ratio',
          requestRateQuery: 'sum(rate(http_requests_total{service="checkout"}[5m]))',
        },
      ],
    },
    severity,
    3600,
    slice.publish,
    { now: () => clock },
  );
  source.start();
  await source.settle();
});

after(async () => {
  await source?.stop();
  await sim.stop();
});

test('signals match the world, with an hour of history', () => {
  const c = svc('checkout');
  close(c.errorRate, 0.02);
  close(c.p95Seconds, 0.3);
  close(c.requestRate, 100);
  close(c.requestRateHourAgo, 100);
  assert.equal(c.errorRateSeries.length, 31);
  assert.deepEqual(c.problems, []);
  const cells = serviceCells(c, severity);
  assert.equal(cells[1].token, 'ok');
  assert.equal(cells[1].text, '2.00%');
});

test('values follow the world across thresholds and the alert fires after `for`', async () => {
  world.services.checkout = { rps: 150, errorRatio: 0.12, p95Seconds: 2.5 };
  advance(15);
  await refresh();
  assert.equal(slice.get().data.alerts.find((a) => a.name === 'CheckoutErrors')?.state, 'pending');

  advance(300);
  await refresh();
  const c = svc('checkout');
  close(c.errorRate, 0.12);
  close(c.p95Seconds, 2.5);
  close(c.requestRate, 150);
  const cells = serviceCells(c, severity);
  assert.equal(cells[1].token, 'critical');
  assert.equal(cells[1].text, '12.0% !!');
  assert.equal(cells[2].token, 'warn');
  assert.equal(cells[4].text, '+50%');
  assert.ok(c.errorRateSeries.at(-1)! > 0.1 && c.errorRateSeries[0] < 0.05, 'the sparkline series shows the rise');

  const a = slice.get().data.alerts.find((x) => x.name === 'CheckoutErrors')!;
  assert.equal(a.state, 'firing');
  assert.equal(a.runbookUrl, 'https://runbooks.example/checkout');
  assert.equal(a.labels.service, 'checkout');
  assert.equal(a.activeAt, clock - 300_000, 'activeAt from the rule');

  world.services.checkout = { rps: 100, errorRatio: 0.01, p95Seconds: 0.3 };
  advance(15);
  await refresh();
  const r = slice.get().data.alerts.find((x) => x.name === 'CheckoutErrors')!;
  assert.equal(r.state, 'resolved');
  assert.equal(r.resolvedAt, clock);
  advance(6 * 60);
  await refresh();
  assert.equal(
    slice.get().data.alerts.find((x) => x.name === 'CheckoutErrors'),
    undefined,
    'resolved alerts leave after ~5 minutes',
  );
});

test('empty results, NaN, +Inf and unsupported query forms are per-service problems', async () => {
  await refresh();
  assert.deepEqual(svc('ghost').problems, ['error rate: no data', 'p95: no data', 'req/s: no data']);
  assert.ok(svc('idle').problems.includes('error rate: NaN (no requests?)'), svc('idle').problems.join('; '));
  assert.ok(svc('idle').problems.includes('p95: NaN'));
  const custom = svc('custom');
  assert.ok(custom.problems.includes('error rate: bad_data: warroom simulator does not evaluate this query form: rate(foo[5m])'), custom.problems.join('; '));
  assert.ok(custom.problems.includes('p95: +Inf'));
  close(custom.requestRate, 100, 1e-3);
  assert.equal(custom.requestRateHourAgo !== null, true, 'overridden rate evaluated an hour back');
  assert.equal(slice.get().status, 'degraded');
  assert.match(slice.get().error ?? '', /^idle: error rate: NaN/);
  // The simulator keeps serving after a query it does not evaluate.
  assert.deepEqual(svc('checkout').problems, []);
});

test('the source survives HTTP 500, timeouts and an unreachable server, keeping last values', async () => {
  const good = svc('checkout');
  const goodAt = slice.get().updatedAt;

  sim.setFault('error500');
  await refresh();
  assert.equal(slice.get().status, 'down');
  assert.match(slice.get().error!, /^Prometheus at 127\.0\.0\.1:\d+ answered HTTP 500: Internal Server Error$/);
  assert.equal(svc('checkout').errorRate, good.errorRate);
  assert.equal(slice.get().updatedAt, goodAt);

  sim.setFault('hang');
  const t0 = Date.now();
  await refresh();
  assert.ok(Date.now() - t0 < 3000, 'one refresh against a hung server is bounded by the timeout');
  assert.match(slice.get().error!, /timed out after 0\.5s$/);
  assert.equal(svc('checkout').p95Seconds, good.p95Seconds);

  sim.setFault(null);
  const port = Number(new URL(sim.url).port);
  await sim.stop();
  await refresh();
  assert.equal(slice.get().status, 'down');
  assert.equal(slice.get().error, `Prometheus at 127.0.0.1:${port} unreachable (ECONNREFUSED)`);
  assert.equal(svc('checkout').requestRate, good.requestRate);
  assert.equal(slice.get().updatedAt, goodAt);

  await sim.start({ port });
  advance(15);
  await refresh();
  assert.equal(slice.get().status, 'degraded', 'back, with only the configured problem services');
  assert.equal(slice.get().updatedAt, clock);
  assert.deepEqual(svc('checkout').problems, []);
});

test('the simulator speaks the real API envelopes', async () => {
  const get = (path: string, init?: RequestInit) => fetch(sim.url + path, init);
  let res = await get('/api/v1/query?query=' + encodeURIComponent('http_requests_total{service="checkout",status="500"}'));
  assert.equal(res.status, 200);
  let body: any = await res.json();
  assert.equal(body.status, 'success');
  assert.equal(body.data.resultType, 'vector');
  assert.equal(body.data.result.length, 1);
  assert.equal(body.data.result[0].metric.status, '500');
  assert.equal(typeof body.data.result[0].value[1], 'string');

  res = await get('/api/v1/query', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=up' });
  body = await res.json();
  assert.equal(body.data.result[0].value[1], '1');

  res = await get('/api/v1/query?query=' + encodeURIComponent('avg(up)'));
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), { status: 'error', errorType: 'bad_data', error: 'warroom simulator does not evaluate this query form: avg(up)' });

  res = await get('/api/v1/query_range?query=up&start=10&end=5&step=1');
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as any).errorType, 'bad_data');

  res = await get('/api/v1/query', { method: 'DELETE' });
  assert.equal(res.status, 405);
  res = await get('/api/v1/nope');
  assert.equal(res.status, 404);

  res = await get('/api/v1/rules');
  body = await res.json();
  assert.equal(body.data.groups[0].rules[0].name, 'CheckoutErrors');
  assert.equal(body.data.groups[0].rules[0].type, 'alerting');
  assert.equal(body.data.groups[0].rules[0].query, 'checkout_error_ratio > 0.1');
  assert.equal(body.data.groups[0].rules[0].duration, 60);
});

test('credentials in the URL are sent as Basic auth and never shown', async () => {
  const seen: string[] = [];
  const http = await import('node:http');
  const srv = http.createServer((req, res) => {
    seen.push(req.headers.authorization ?? '');
    res.writeHead(503).end('down for maintenance');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as import('node:net').AddressInfo).port;
  const client = new PromClient({ url: `http://ops:s3cret@127.0.0.1:${port}/prom`, timeoutSeconds: 1 });
  const err = await client.query('up').catch((e: Error) => e);
  srv.close();
  assert.equal(seen[0], 'Basic ' + Buffer.from('ops:s3cret').toString('base64'));
  assert.ok(err instanceof Error);
  assert.equal(err.message, `Prometheus at 127.0.0.1:${port} answered HTTP 503: down for maintenance`);
  const dead = await new PromClient({ url: `http://ops:s3cret@127.0.0.1:${port}`, timeoutSeconds: 1 }).query('up').catch((e: Error) => e);
  assert.ok(dead instanceof Error && !dead.message.includes('s3cret'), String(dead));
});

test('with speed, the sim clock and sampling run faster than the wall clock', async () => {
  const fast = new PromSim({ world: () => ({ services: { api: { rps: 10, errorRatio: 0.5, p95Seconds: 1 } } }), speed: 60, backfillSeconds: 0 });
  await fast.start();
  try {
    const t0 = fast.now();
    await new Promise((r) => setTimeout(r, 700));
    const elapsed = fast.now() - t0;
    assert.ok(elapsed > 30_000 && elapsed < 90_000, `sim advanced ${elapsed} ms in 0.7 s`);
    const client = new PromClient({ url: fast.url });
    const [ratio] = await client.query('sum(rate(http_requests_total{service="api",status=~"5.."}[5m])) / sum(rate(http_requests_total{service="api"}[5m]))');
    assert.ok(Math.abs(ratio.value - 0.5) < 1e-9, 'samples were taken on the sped-up step');
  } finally {
    await fast.stop();
  }
});

test('one refresh costs the same few requests whatever the number of services on the defaults', async () => {
  let t = Date.UTC(2026, 10, 25, 12, 0, 0);
  const names = [...Array.from({ length: 12 }, (_, i) => `svc-${i}`), 'api.v2', 'a|b'];
  const w: PromWorld = { services: Object.fromEntries(names.map((n, i) => [n, { rps: 10 + i, errorRatio: i / 100, p95Seconds: 0.1 + i / 10 }])) };
  // Services the config does not name, one that an unescaped `api.v2` would also match.
  w.services.apixv2 = { rps: 999, errorRatio: 0.9, p95Seconds: 9 };
  w.services.a = { rps: 999, errorRatio: 0.9, p95Seconds: 9 };
  const many = new PromSim({ world: () => w, now: () => t });
  await many.start();
  const costs = async (services: string[]) => {
    const held = sliceHolder();
    const src = new PrometheusSource({ url: many.url, timeoutSeconds: 1, services: services.map((name) => ({ name, deployments: [] })) }, severity, 3600, held.publish, {
      now: () => t,
    });
    try {
      const before = many.requestCount;
      src.start();
      await src.settle();
      const first = many.requestCount - before;
      t += 15_000; // inside the 30 s between range queries
      many.sample();
      const mid = many.requestCount;
      src.refresh();
      await src.settle();
      return { first, next: many.requestCount - mid, slice: held.get() };
    } finally {
      await src.stop();
    }
  };
  try {
    const few = await costs(names.slice(0, 2));
    const all = await costs(names);
    // 4 instant queries + alerts, plus 2 range queries (error ratio, p95) and the alerting rules' names when they are due.
    assert.deepEqual({ first: few.first, next: few.next }, { first: 8, next: 5 });
    assert.deepEqual({ first: all.first, next: all.next }, { first: 8, next: 5 });
    assert.equal(all.slice.status, 'ok', all.slice.error ?? '');
    names.forEach((n, i) => {
      const s = all.slice.data.services.find((x) => x.name === n)!;
      close(s.errorRate, i / 100);
      close(s.p95Seconds, 0.1 + i / 10);
      close(s.requestRate, 10 + i);
      close(s.requestRateHourAgo, 10 + i);
      assert.equal(s.errorRateSeries.length, 31, n);
      close(s.latencySeries.at(-1)!, 0.1 + i / 10);
    });
    assert.deepEqual(many.requestCounts(), { '/api/v1/query': 16, '/api/v1/query_range': 4, '/api/v1/alerts': 4, '/api/v1/rules': 2 });
  } finally {
    await many.stop();
  }
});

test('the grouped forms answer one series per service, labelled with it', async () => {
  const client = new PromClient({ url: sim.url });
  const res = await client.query('sum by (service) (rate(http_requests_total{service=~"checkout|idle|nobody"}[5m]))');
  assert.deepEqual(
    res.map((s) => s.metric).sort((a, b) => a.service.localeCompare(b.service)),
    [{ service: 'checkout' }, { service: 'idle' }],
  );
  close(res.find((s) => s.metric.service === 'idle')!.value, 0);
  const ratio = await client.query(
    'sum(rate(http_requests_total{status=~"5..", service=~"checkout|idle"}[5m])) by (service) / sum(rate(http_requests_total{service=~"checkout|idle"}[5m])) by (service)',
  );
  assert.ok(Number.isNaN(ratio.find((s) => s.metric.service === 'idle')!.value), 'no requests → NaN for that service only');
  assert.ok(Number.isFinite(ratio.find((s) => s.metric.service === 'checkout')!.value));
  const range = await client.queryRange(
    'histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{service="checkout"}[5m])))',
    clock - 120_000,
    clock,
    60,
  );
  assert.deepEqual(
    range.map((s) => [s.metric, s.points.length]),
    [[{ service: 'checkout' }, 3]],
  );
});
