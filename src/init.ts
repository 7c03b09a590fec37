// `warroom init`: from the current kubeconfig context, find Prometheus and Alertmanager in the
// cluster, check they answer through the API server's service proxy, and write a starter
// warroom.yaml that says what was found and what was not. Postgres and Redis need credentials,
// so they are left as commented examples.
import fs from 'node:fs';
import path from 'node:path';
import type { LoadedConfig } from './config/load.js';
import { UsageError } from './args.js';
import { httpRequest } from './net/http.js';
import { kubeTransport, proxyRefusal } from './net/kube-proxy.js';
import { formatKubeUrl, type KubeServiceRef } from './net/kube-url.js';
import { loadKubeConfig, makeClients, type KubeConnectOptions } from './sources/kube/client.js';

type Kind = 'prometheus' | 'alertmanager';

/** Where the Prometheus operator (kube-prometheus-stack, kube-prometheus) puts them. */
const WELL_KNOWN: Record<Kind, KubeServiceRef> = {
  prometheus: { namespace: 'monitoring', service: 'prometheus-operated', port: '9090', path: '' },
  alertmanager: { namespace: 'monitoring', service: 'alertmanager-operated', port: '9093', path: '' },
};
/** Port names that usually carry a web API (the operator names them "web"). */
const WEB_PORT_NAMES = new Set(['web', 'http', 'http-web']);
const MAX_CANDIDATES = 40;
const PARALLEL = 6;

export interface Probe {
  url: string;
  kind: Kind;
  ok: boolean;
  /** "Prometheus 2.53.0", or why it did not answer as one. */
  detail: string;
  refused?: boolean;
}

export interface InitResult {
  context: string | null;
  server: string | null;
  namespace: string;
  found: Partial<Record<Kind, Probe>>;
  /** Every service tried, in order, for the "not found" notes. */
  tried: Probe[];
  notes: string[];
}

/** The fields the probe reads from a Prometheus or Alertmanager answer (any of them may be missing). */
interface ProbeJson {
  status?: unknown;
  errorType?: unknown;
  data?: { version?: string };
  versionInfo?: { version?: string };
}

/** Asks one service whether it speaks the Prometheus or the Alertmanager HTTP API. */
async function probe(ref: KubeServiceRef, kind: Kind, kube: KubeConnectOptions, timeoutMs: number): Promise<Probe> {
  const url = formatKubeUrl(ref);
  const t = kubeTransport(url, kube);
  const get = async (rel: string) => {
    const { headers, tls } = await t.prepare();
    const res = await httpRequest(new URL(rel, t.base), { headers: { accept: 'application/json', ...headers }, tls, timeoutMs, maxBytes: 1024 * 1024 });
    const refusal = res.status >= 400 ? proxyRefusal(url, res.status, res.text) : null;
    let json: ProbeJson | null = null;
    try {
      json = JSON.parse(res.text);
    } catch {
      // not JSON: not the API asked for
    }
    return { status: res.status, json, refusal };
  };
  try {
    if (kind === 'prometheus') {
      const info = await get('api/v1/status/buildinfo');
      if (info.refusal) return { url, kind, ok: false, detail: info.refusal, refused: info.status === 403 || info.status === 401 };
      if (info.status === 200 && info.json?.status === 'success') return { url, kind, ok: true, detail: `Prometheus ${info.json.data?.version ?? '(version unknown)'}` };
      // Older servers and Prometheus-compatible ones (Thanos, Mimir, the drill) without buildinfo.
      const q = await get('api/v1/query?query=time()');
      if (q.refusal) return { url, kind, ok: false, detail: q.refusal, refused: q.status === 403 || q.status === 401 };
      if (q.json && (q.json.status === 'success' || (q.json.status === 'error' && typeof q.json.errorType === 'string')))
        return { url, kind, ok: true, detail: 'a Prometheus API' };
      return { url, kind, ok: false, detail: `no Prometheus API (HTTP ${q.status})` };
    }
    const s = await get('api/v2/status');
    if (s.refusal) return { url, kind, ok: false, detail: s.refusal, refused: s.status === 403 || s.status === 401 };
    if (s.status === 200 && s.json?.versionInfo) return { url, kind, ok: true, detail: `Alertmanager ${s.json.versionInfo.version ?? '(version unknown)'}` };
    return { url, kind, ok: false, detail: `no Alertmanager API (HTTP ${s.status})` };
  } catch (e) {
    return { url, kind, ok: false, detail: e instanceof Error ? e.message : String(e) };
  }
}

async function inParallel<T, R>(items: T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

export async function discover(kube: KubeConnectOptions & { timeoutSeconds?: number }): Promise<InitResult> {
  const kc = loadKubeConfig(kube);
  const clients = makeClients(kc, kube.timeoutSeconds ?? 10);
  const timeoutMs = Math.min(5, kube.timeoutSeconds ?? 5) * 1000;
  const notes: string[] = [];
  const candidates: Record<Kind, [KubeServiceRef, ...KubeServiceRef[]]> = { prometheus: [WELL_KNOWN.prometheus], alertmanager: [WELL_KNOWN.alertmanager] };
  try {
    const list = await clients.core.listServiceForAllNamespaces({}, clients.opts());
    const seen = new Set([formatKubeUrl(WELL_KNOWN.prometheus), formatKubeUrl(WELL_KNOWN.alertmanager)]);
    const refs: KubeServiceRef[] = [];
    for (const svc of list.items) {
      for (const p of svc.spec?.ports ?? []) {
        if (!WEB_PORT_NAMES.has(p.name ?? '') && p.port !== 9090 && p.port !== 9093) continue;
        const ref = { namespace: svc.metadata?.namespace ?? 'default', service: svc.metadata?.name ?? '', port: String(p.port), path: '' };
        if (!ref.service || seen.has(formatKubeUrl(ref))) continue;
        seen.add(formatKubeUrl(ref));
        refs.push(ref);
      }
    }
    // Names that say what they are are asked first.
    const rank = (r: KubeServiceRef, word: string) => (r.service.includes(word) ? 0 : 1);
    candidates.prometheus.push(...[...refs].sort((a, b) => rank(a, 'prometheus') - rank(b, 'prometheus')).slice(0, MAX_CANDIDATES));
    candidates.alertmanager.push(...[...refs].sort((a, b) => rank(a, 'alertmanager') - rank(b, 'alertmanager')).slice(0, MAX_CANDIDATES));
    if (refs.length > MAX_CANDIDATES) notes.push(`${refs.length} services with a web port; asked the first ${MAX_CANDIDATES} (by name)`);
  } catch (e) {
    const code = (e as { code?: number }).code;
    notes.push(
      code === 403
        ? 'cannot list services (RBAC: needs "list" on services at the cluster scope); only the usual names were tried'
        : `cannot list services: ${(e as Error).message}; only the usual names were tried`,
    );
  }

  const found: InitResult['found'] = {};
  const tried: Probe[] = [];
  for (const kind of ['prometheus', 'alertmanager'] as const) {
    // The usual name first; the rest in parallel, in order of preference.
    const [first, ...rest] = candidates[kind];
    const head = await probe(first, kind, kube, timeoutMs);
    tried.push(head);
    if (head.ok) {
      found[kind] = head;
      continue;
    }
    const results = await inParallel(rest, PARALLEL, (r) => probe(r, kind, kube, timeoutMs));
    tried.push(...results);
    const ok = results.find((r) => r.ok);
    if (ok) found[kind] = ok;
  }
  return { context: clients.context, server: clients.server, namespace: clients.defaultNamespace, found, tried, notes };
}

function quote(s: string): string {
  return /^[A-Za-z0-9_./:-]+$/.test(s) ? s : JSON.stringify(s);
}

/** The starter warroom.yaml: what was found is set, what was not is said and left as an example. */
export function starterConfig(r: InitResult, kube: { kubeconfig?: string; context?: string }, at = new Date()): string {
  const lines: string[] = [];
  const prom = r.found.prometheus;
  const am = r.found.alertmanager;
  const missing = (kind: Kind) => {
    const tries = r.tried.filter((t) => t.kind === kind);
    const refused = tries.find((t) => t.refused);
    if (refused) return `${refused.url}: ${refused.detail}`;
    const usual = tries[0];
    return `${usual ? `${usual.url}: ${usual.detail}` : 'nothing to try'}${tries.length > 1 ? `; ${tries.length - 1} other service${tries.length > 2 ? 's' : ''} with a web port did not answer as one` : ''}`;
  };
  lines.push(`# warroom config written by \`warroom init\` on ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  lines.push(`# from kube context ${r.context ?? '(none)'}${r.server ? ` (${r.server})` : ''}.`);
  lines.push('# kube:// URLs reach a service through the Kubernetes API server (needs "get" on services/proxy).');
  lines.push('#');
  lines.push(`# Prometheus:   ${prom ? `found ${prom.url} — ${prom.detail}` : `NOT FOUND — ${missing('prometheus')}`}`);
  lines.push(`# Alertmanager: ${am ? `found ${am.url} — ${am.detail}` : `NOT FOUND — ${missing('alertmanager')}`}`);
  for (const n of r.notes) lines.push(`# note: ${n}`);
  lines.push('');
  lines.push('kube:');
  if (kube.kubeconfig) lines.push(`  kubeconfig: ${quote(kube.kubeconfig)}`);
  if (r.context) lines.push(`  context: ${quote(r.context)}`);
  lines.push('  namespaces:');
  lines.push(`    - ${quote(r.namespace)}`);
  lines.push('');
  const servicesExample = [
    '  # One entry per service whose error rate and p95 you watch; queries default to the usual',
    '  # http_requests_total / http_request_duration_seconds metrics (see the README).',
    '  services: []',
    '  #  - name: api',
    '  #    deployments: [api]',
    `  #    namespace: ${r.namespace}`,
  ];
  if (prom) {
    lines.push('prometheus:');
    lines.push(`  url: ${prom.url}`);
    lines.push(am ? `  alertmanagerUrl: ${am.url}` : '  # alertmanagerUrl: kube://monitoring/alertmanager-operated:9093');
    lines.push(...servicesExample);
  } else {
    lines.push('# prometheus:');
    lines.push('#   url: kube://monitoring/prometheus-operated:9090   # or http://prometheus.example.internal:9090');
    lines.push(am ? `#   alertmanagerUrl: ${am.url}` : '#   alertmanagerUrl: kube://monitoring/alertmanager-operated:9093');
  }
  lines.push('');
  lines.push('# Postgres and Redis need credentials: write them as ${VARIABLE} references, never inline.');
  lines.push('# postgres:');
  lines.push('#   - name: main');
  lines.push('#     url: postgres://warroom:${PGPASSWORD}@db.example.internal:5432/app');
  lines.push('# redis:');
  lines.push('#   - name: cache');
  lines.push('#     url: redis://:${REDIS_PASSWORD}@redis.example.internal:6379');
  return lines.join('\n') + '\n';
}

export async function runInit(loaded: LoadedConfig, opts: { out?: string; force: boolean }): Promise<number> {
  const file = path.resolve(opts.out ?? 'warroom.yaml');
  if (!opts.force && fs.existsSync(file)) throw new UsageError(`${file} already exists; pass --force to replace it, or --out FILE`);
  const kubeconfig = loaded.config.kube.kubeconfig;
  const kube = { kubeconfig: kubeconfig && path.resolve(kubeconfig), context: loaded.config.kube.context };
  let result: InitResult;
  try {
    result = await discover({ ...kube, timeoutSeconds: loaded.config.kube.requestTimeoutSeconds });
  } catch (e) {
    throw new Error(`cannot reach the cluster: ${(e as Error).message}`);
  }
  const text = starterConfig(result, kube);
  fs.writeFileSync(file, text, { mode: 0o600, flag: opts.force ? 'w' : 'wx' });
  const out = process.stdout;
  out.write(`warroom init: context ${result.context ?? '(none)'}${result.server ? ` at ${result.server}` : ''}\n`);
  for (const kind of ['prometheus', 'alertmanager'] as const) {
    const f = result.found[kind];
    const label = kind === 'prometheus' ? 'Prometheus  ' : 'Alertmanager';
    out.write(f ? `  ${label}  found ${f.url} (${f.detail})\n` : `  ${label}  not found\n`);
  }
  for (const t of result.tried.filter((x) => !x.ok && (x.refused || x === result.tried.find((y) => y.kind === x.kind)))) out.write(`    ${t.url}: ${t.detail}\n`);
  for (const n of result.notes) out.write(`  note: ${n}\n`);
  out.write(`wrote ${file}\n`);
  return result.found.prometheus ? 0 : 1;
}
