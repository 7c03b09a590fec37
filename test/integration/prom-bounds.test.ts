// The Prometheus source against a fake Prometheus/Alertmanager on loopback that misbehaves on
// demand: a 400 MB answer (with a Content-Length, and chunked without one) is cut off at the
// response cap and reported, the last good data stays with its age, memory does not follow the
// body, and the source recovers by itself; a server that never answers turns it non-ok after
// the timeout.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { sliceHolder } from '../helpers/prometheus.js';
import { waitFor } from '../helpers/net.js';
import { PrometheusSource } from '../../src/sources/prometheus/source.js';
import { severitySchema } from '../../src/config/schema.js';

const MiB = 1024 * 1024;
// A full collection before reading the RSS, so the figure is what stays, not garbage not yet collected.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const HUGE = 400 * MiB;
/** One buffer written over and over: the server never holds the 400 MB itself. */
const CHUNK = Buffer.alloc(MiB, '{"metric":{"service":"checkout"},"value":[0,"1"]},');

type Mode = 'normal' | 'huge-length' | 'huge-chunked' | 'hang';

interface Streamed {
  path: string;
  /** Bytes handed to the socket (backpressure honoured, so at most one chunk ahead of the kernel). */
  written: number;
  /** The whole body went out. */
  finished: boolean;
  closed: boolean;
}

let mode: Mode = 'normal';
const streamed: Streamed[] = [];
const hung = new Set<http.ServerResponse>();

/** Paths that get the huge body in the huge modes; the rest answer normally. */
const HUGE_PATHS = new Set(['/api/v1/query', '/api/v1/alerts', '/api/v2/alerts']);

function streamHuge(req: http.IncomingMessage, res: http.ServerResponse, withLength: boolean): void {
  const s: Streamed = { path: new URL(req.url ?? '/', 'http://x').pathname, written: 0, finished: false, closed: false };
  streamed.push(s);
  res.writeHead(200, withLength ? { 'content-type': 'application/json', 'content-length': String(HUGE) } : { 'content-type': 'application/json' });
  const pump = () => {
    while (s.written < HUGE && !res.destroyed) {
      s.written += CHUNK.length;
      if (!res.write(CHUNK)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end(() => (s.finished = true));
  };
  res.on('close', () => (s.closed = true));
  pump();
}

function json(res: http.ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }).end(text);
}

const server = http.createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (mode === 'hang') {
    // Reads the request and never answers.
    hung.add(res);
    res.on('close', () => hung.delete(res));
    return;
  }
  if (mode !== 'normal' && HUGE_PATHS.has(path)) return streamHuge(req, res, mode === 'huge-length');
  const now = Date.now() / 1000;
  switch (path) {
    case '/api/v1/query':
      return json(res, { status: 'success', data: { resultType: 'vector', result: [{ metric: { service: 'checkout' }, value: [now, '0.01'] }] } });
    case '/api/v1/query_range':
      return json(res, {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: { service: 'checkout' },
              values: [
                [now - 60, '0.01'],
                [now, '0.01'],
              ],
            },
          ],
        },
      });
    case '/api/v1/alerts':
      return json(res, {
        status: 'success',
        data: {
          alerts: [
            {
              labels: { alertname: 'CheckoutSlow', severity: 'warning', service: 'checkout' },
              annotations: { summary: 'slow' },
              state: 'firing',
              activeAt: new Date().toISOString(),
              value: '1',
            },
          ],
        },
      });
    case '/api/v2/alerts':
    case '/api/v2/silences':
      return json(res, []);
    default:
      res.writeHead(404).end('not found');
  }
});

const slice = sliceHolder();
let source: PrometheusSource;
let rssAtStart = 0;
let rssPeak = 0;
let sampler: NodeJS.Timeout;
const checkout = () => slice.get().data.services.find((s) => s.name === 'checkout')!;

before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  source = new PrometheusSource(
    { url, alertmanagerUrl: url, timeoutSeconds: 1, services: [{ name: 'checkout', deployments: [] }] },
    severitySchema.parse({}),
    0.25,
    slice.publish,
    { rangeEverySeconds: 1, maxResponseBytes: 32 * MiB },
  );
  source.start();
  await waitFor(() => slice.get().status === 'ok' && checkout().errorRate === 0.01, { what: 'the source to be ok', timeoutMs: 10_000 });
  gc();
  rssAtStart = rssPeak = process.memoryUsage().rss;
  sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
});

after(async () => {
  clearInterval(sampler);
  await source?.stop();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

for (const [label, m] of [
  ['with a Content-Length', 'huge-length'],
  ['chunked, without a Content-Length', 'huge-chunked'],
] as const) {
  test(`a 400 MB answer ${label} is cut off at the cap, reported, and the source recovers`, async (t) => {
    const good = checkout();
    assert.ok(good.updatedAt !== null);
    const alertsBefore = slice.get().data.alerts.map((a) => a.name);
    assert.deepEqual(alertsBefore, ['CheckoutSlow']);
    const from = streamed.length;

    mode = m;
    const t0 = Date.now();
    await waitFor(() => slice.get().status !== 'ok' && /response too large/.test(slice.get().error ?? ''), {
      what: 'the source to report the response too large',
      timeoutMs: 5000,
      intervalMs: 10,
    });
    const toNonOk = Date.now() - t0;
    t.diagnostic(`non-ok after ${toNonOk} ms: ${slice.get().status}: ${slice.get().error}`);
    assert.ok(toNonOk < 2500, `non-ok after ${toNonOk} ms`);
    const limit = m === 'huge-length' ? /response too large \(400 MiB, the limit is 32 MiB\)/ : /response too large \(over 32 MiB/;
    assert.match(slice.get().error ?? '', limit);

    // A few more refreshes against the huge answers: the last good values and their age stay.
    await new Promise((r) => setTimeout(r, 1500));
    assert.notEqual(slice.get().status, 'ok');
    assert.equal(checkout().errorRate, good.errorRate);
    assert.equal(checkout().updatedAt, good.updatedAt, 'the service data keeps its age');
    assert.ok(
      checkout().problems.some((p) => /response too large/.test(p)),
      checkout().problems.join('; '),
    );
    assert.deepEqual(
      slice.get().data.alerts.map((a) => a.name),
      alertsBefore,
      'the alerts from before stay',
    );

    mode = 'normal';
    const t1 = Date.now();
    await waitFor(() => slice.get().status === 'ok' && (checkout().updatedAt ?? 0) > good.updatedAt!, { what: 'the source to recover', timeoutMs: 5000, intervalMs: 10 });
    t.diagnostic(`ok again after ${Date.now() - t1} ms`);
    assert.equal(slice.get().error, null);

    // Every huge answer was cut short: the connection closed long before 400 MB went out.
    await waitFor(() => streamed.slice(from).every((s) => s.closed), { what: 'the huge responses to be closed', timeoutMs: 5000 });
    const mine = streamed.slice(from);
    assert.ok(mine.length > 0);
    assert.ok(new Set(mine.map((s) => s.path)).has('/api/v1/query') && new Set(mine.map((s) => s.path)).has('/api/v1/alerts'));
    const max = Math.max(...mine.map((s) => s.written));
    const total = mine.reduce((a, s) => a + s.written, 0);
    t.diagnostic(`${mine.length} huge responses, at most ${(max / MiB).toFixed(1)} MiB written to one, ${(total / MiB).toFixed(0)} MiB in all`);
    assert.ok(
      mine.every((s) => !s.finished),
      'no huge body was sent whole',
    );
    assert.ok(max < (m === 'huge-length' ? 16 : 48) * MiB, `${max} bytes written to one response`);
  });
}

test('memory does not follow the 400 MB bodies', (t) => {
  gc();
  const rss = process.memoryUsage().rss;
  t.diagnostic(`rss at start ${(rssAtStart / MiB).toFixed(0)} MiB, peak ${(rssPeak / MiB).toFixed(0)} MiB, now ${(rss / MiB).toFixed(0)} MiB`);
  // What stays is the 32 MiB the client may hold at once plus what the allocator keeps after
  // it: about 70-105 MiB here, against 1.9 GB when the whole body was read.
  assert.ok(rss - rssAtStart < 128 * MiB, `rss grew by ${((rss - rssAtStart) / MiB).toFixed(0)} MiB`);
  assert.ok(rssPeak - rssAtStart < 200 * MiB, `rss peaked ${((rssPeak - rssAtStart) / MiB).toFixed(0)} MiB above the start`);
});

test('a Prometheus that never answers turns the source non-ok after timeoutSeconds, then it recovers', async (t) => {
  assert.equal(slice.get().status, 'ok');
  const goodAt = checkout().updatedAt;
  mode = 'hang';
  const t0 = Date.now();
  await waitFor(() => slice.get().status !== 'ok', { what: 'the source to go non-ok', timeoutMs: 5000, intervalMs: 10 });
  const elapsed = Date.now() - t0;
  t.diagnostic(`non-ok after ${elapsed} ms: ${slice.get().status}: ${slice.get().error}`);
  assert.equal(slice.get().status, 'down');
  assert.match(slice.get().error ?? '', /timed out after 1s$/);
  assert.ok(elapsed >= 900 && elapsed < 2500, `non-ok after ${elapsed} ms with a 1 s timeout`);
  assert.equal(checkout().updatedAt, goodAt);
  assert.equal(checkout().errorRate, 0.01);

  mode = 'normal';
  for (const res of hung) res.destroy();
  await waitFor(() => slice.get().status === 'ok' && (checkout().updatedAt ?? 0) > goodAt!, { what: 'the source to recover', timeoutMs: 5000 });
});
