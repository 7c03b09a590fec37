// Real Prometheus and Alertmanager for integration tests: the Debian binaries started on free
// loopback ports in temp dirs, plus a tiny exporter the test controls.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { freePort, tempDir, waitFor } from './net.js';
import { BUCKETS, bucketFractions } from '../../src/sim/prometheus/sim.js';
import { emptySlice, type Publish, type SourceSlice } from '../../src/sources/types.js';
import { emptyPromData, type PromData } from '../../src/sources/prometheus/types.js';

export const PROMETHEUS_BIN = process.env.WARROOM_PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const ALERTMANAGER_BIN = process.env.WARROOM_ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

function requireBinary(bin: string, pkg: string): void {
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: install the Debian package "${pkg}" (apt-get install ${pkg}) to run this test`);
}

/** What the exporter produces per scrape; change it at any time. */
export interface ExporterState {
  /** Requests added per scrape. */
  requestsPerScrape: number;
  errorRatio: number;
  p95Seconds: number;
}

export interface TestExporter {
  url: string;
  /** host:port for the scrape config. */
  target: string;
  /** The first service's state; change it at any time. */
  state: ExporterState;
  /** Every service's state by name. */
  states: Record<string, ExporterState>;
  /** Totals so far (of the first service by default), for comparing ratios. */
  totals(service?: string): { requests: number; errors: number };
  stop(): Promise<void>;
}

/**
 * Serves `http_requests_total{service,status}` and `http_request_duration_seconds_bucket{service,le}`
 * for `service` and every service in `more`. Every scrape adds `requestsPerScrape` requests per
 * service with its current error ratio and a latency distribution whose
 * histogram_quantile(0.95) is exactly its `p95Seconds`.
 */
export async function startExporter(service: string, initial: ExporterState, more: Record<string, ExporterState> = {}): Promise<TestExporter> {
  const states: Record<string, ExporterState> = { [service]: { ...initial } };
  for (const [name, st] of Object.entries(more)) states[name] = { ...st };
  const counters = new Map(Object.keys(states).map((name) => [name, { ok: 0, err: 0, buckets: BUCKETS.map(() => 0) }]));
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const requests: string[] = [];
    const histogram: string[] = [];
    for (const [name, state] of Object.entries(states)) {
      const c = counters.get(name)!;
      const n = state.requestsPerScrape;
      const e = n * state.errorRatio;
      c.err += e;
      c.ok += n - e;
      const fr = bucketFractions(state.p95Seconds);
      fr.forEach((f, i) => (c.buckets[i] += n * f));
      const s = JSON.stringify(name);
      requests.push(`http_requests_total{service=${s},status="200"} ${c.ok}`, `http_requests_total{service=${s},status="503"} ${c.err}`);
      histogram.push(
        ...BUCKETS.map((le, i) => `http_request_duration_seconds_bucket{service=${s},le="${le === Infinity ? '+Inf' : le}"} ${c.buckets[i]}`),
        `http_request_duration_seconds_sum{service=${s}} ${(c.ok + c.err) * state.p95Seconds * 0.5}`,
        `http_request_duration_seconds_count{service=${s}} ${c.buckets[c.buckets.length - 1]}`,
      );
    }
    const lines = [
      '# HELP http_requests_total Requests served.',
      '# TYPE http_requests_total counter',
      ...requests,
      '# HELP http_request_duration_seconds Request latency.',
      '# TYPE http_request_duration_seconds histogram',
      ...histogram,
      '',
    ];
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(lines.join('\n'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    target: `127.0.0.1:${port}`,
    state: states[service],
    states,
    totals: (name = service) => {
      const c = counters.get(name);
      if (!c) throw new Error(`the exporter has no service ${name}`);
      return { requests: c.ok + c.err, errors: c.err };
    },
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface RealServer {
  url: string;
  port: number;
  dir: string;
  /** Output so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

async function startBinary(bin: string, args: string[], port: number, dir: string, readyPath: string, what: string): Promise<RealServer> {
  let out = '';
  const child: ChildProcess = spawn(bin, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out = (out + d).slice(-20_000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-20_000)));
  let exited = false;
  child.on('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited) return;
    const done = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(t);
  };
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`${what} exited`);
        const res = await fetch(url + readyPath).catch(() => null);
        return res?.ok ?? false;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: `${what} on ${port} to be ready` },
    );
  } catch (e) {
    await stop();
    throw new Error(`${String(e)}\n--- ${what} output ---\n${out}`);
  }
  return { url, port, dir, output: () => out, stop };
}

export interface PrometheusOptions {
  /** Exporter targets (host:port) scraped every second. */
  targets: string[];
  /** Alerting rules YAML (a `groups:` document); evaluated every second. */
  rules?: string;
}

export async function startPrometheus(opts: PrometheusOptions): Promise<RealServer> {
  requireBinary(PROMETHEUS_BIN, 'prometheus');
  const dir = tempDir('warroom-prom-');
  const port = await freePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    opts.rules ? 'rule_files: [rules.yml]' : '',
    'scrape_configs:',
    '  - job_name: app',
    '    static_configs:',
    `      - targets: [${opts.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), config);
  if (opts.rules) fs.writeFileSync(path.join(dir, 'rules.yml'), opts.rules);
  const args = [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'];
  const server = await startBinary(PROMETHEUS_BIN, args, port, dir, '/-/ready', 'prometheus');
  return { ...server, stop: async () => (await server.stop(), fs.rmSync(dir, { recursive: true, force: true })) };
}

export async function startAlertmanager(): Promise<RealServer> {
  requireBinary(ALERTMANAGER_BIN, 'prometheus-alertmanager');
  const dir = tempDir('warroom-am-');
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'alertmanager.yml'), ['route:', "  receiver: 'null'", '  group_wait: 1s', 'receivers:', "  - name: 'null'", ''].join('\n'));
  const args = [
    `--config.file=${path.join(dir, 'alertmanager.yml')}`,
    `--storage.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ];
  const server = await startBinary(ALERTMANAGER_BIN, args, port, dir, '/-/ready', 'alertmanager');
  return { ...server, stop: async () => (await server.stop(), fs.rmSync(dir, { recursive: true, force: true })) };
}

/** A publish function that applies updates to a local slice, as the store's flush would. */
export function sliceHolder(): { publish: Publish<PromData>; get: () => SourceSlice<PromData>; updates: () => number } {
  let slice = emptySlice(emptyPromData());
  let n = 0;
  return {
    publish: (fn) => {
      slice = fn(slice);
      n++;
    },
    get: () => slice,
    updates: () => n,
  };
}
