// A small HTTP client for the Prometheus query API and the Alertmanager v2 API, with errors
// a person can act on. Credentials in the configured URL are sent as Basic auth and never
// appear in messages. Every request has the configured timeout and every response a size cap
// (limits.maxResponseMiB): a bigger answer is cut off and reported, never held in memory.
import { DEFAULT_MAX_RESPONSE_BYTES, HttpError, httpRequest, ResponseBudget, type HttpRequestOptions } from '../../net/http.js';
import { kubeTransport, proxyRefusal, type KubeTransport } from '../../net/kube-proxy.js';
import { isKubeUrl } from '../../net/kube-url.js';
import type { KubeConnectOptions } from '../kube/client.js';

export type PromErrorKind = 'unreachable' | 'timeout' | 'http' | 'api' | 'protocol' | 'too-large';

/** The `data` of Prometheus' HTTP API envelope, as far as the callers read it; they check each field. */
interface PromData {
  resultType?: unknown;
  result?: unknown;
  alerts?: unknown;
  groups?: unknown;
}

export class PromError extends Error {
  override readonly name = 'PromError';
  constructor(
    message: string,
    readonly kind: PromErrorKind,
    readonly extra: { status?: number; errorType?: string } = {},
  ) {
    super(message);
  }
  /** True when the backend itself could not be reached or answered with a server error. */
  get backendDown(): boolean {
    return this.kind === 'unreachable' || this.kind === 'timeout' || (this.kind === 'http' && (this.extra.status ?? 0) >= 500);
  }
}

/** One sample of an instant vector. */
export interface VectorSample {
  metric: Record<string, string>;
  value: number;
  at: number;
}

export interface RangeSeries {
  metric: Record<string, string>;
  /** [epoch ms, value] */
  points: Array<[number, number]>;
}

export interface PromAlertJson {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing' | 'inactive';
  activeAt?: string;
  value?: string;
}

export interface AmAlertJson {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  fingerprint: string;
  startsAt: string;
  endsAt: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
}

export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

export interface SilenceJson {
  id: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  status: { state: 'active' | 'pending' | 'expired' };
}

export interface NewSilence {
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

/** What the silence action needs; PromClient implements it (registered as the `alertmanager` service). */
export interface AlertmanagerApi {
  readonly alertmanagerConfigured: boolean;
  createSilence(s: NewSilence): Promise<string>;
}

interface Endpoint {
  base: URL;
  auth: string | null;
  /** host:port (or the kube:// URL) for messages. */
  where: string;
  what: 'Prometheus' | 'Alertmanager';
  /** kube:// endpoints: the API server's credentials for each request. */
  kube?: KubeTransport;
}

function endpoint(raw: string, what: Endpoint['what'], kube?: KubeConnectOptions): Endpoint {
  if (isKubeUrl(raw)) {
    const transport = kubeTransport(raw, kube ?? {});
    return { base: transport.base, auth: null, where: raw, what, kube: transport };
  }
  const u = new URL(raw);
  const auth = u.username || u.password ? 'Basic ' + Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64') : null;
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return { base: u, auth, where: u.host, what };
}
function parseValue(v: string): number {
  // Prometheus encodes non-finite values as "NaN", "+Inf", "-Inf".
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s}s` : `${s.toFixed(1)}s`;
}

export interface PromClientOptions {
  url: string;
  alertmanagerUrl?: string;
  timeoutSeconds?: number;
  /** Response body cap in bytes; default DEFAULT_MAX_RESPONSE_BYTES (32 MiB). */
  maxBytes?: number;
  /** The kubeconfig and context for kube:// URLs. */
  kube?: KubeConnectOptions;
}

export class PromClient implements AlertmanagerApi {
  private readonly prom: Endpoint;
  private readonly am: Endpoint | null;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** The requests in flight (a refresh runs several at once) share one cap, so memory stays within it. */
  private readonly budget: ResponseBudget;
  /** Aborted by close(): cancels every in-flight request. */
  private readonly closing = new AbortController();

  constructor(opts: PromClientOptions) {
    this.prom = endpoint(opts.url, 'Prometheus', opts.kube);
    this.am = opts.alertmanagerUrl ? endpoint(opts.alertmanagerUrl, 'Alertmanager', opts.kube) : null;
    this.timeoutMs = Math.round((opts.timeoutSeconds ?? 5) * 1000);
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.budget = new ResponseBudget(this.maxBytes);
  }

  get alertmanagerConfigured(): boolean {
    return this.am !== null;
  }

  /** host:port of Prometheus (no credentials). */
  get where(): string {
    return this.prom.where;
  }

  close(): void {
    this.closing.abort();
  }

  /** Instant query; `time` (epoch ms) evaluates at that moment instead of the server's now. */
  async query(q: string, time?: number): Promise<VectorSample[]> {
    const params: Record<string, string> = { query: q };
    if (time !== undefined) params.time = (time / 1000).toFixed(3);
    const data = await this.promApi('api/v1/query', params, 'query');
    if (data?.resultType === 'scalar') {
      const [t, v] = data.result as [number, string];
      return [{ metric: {}, value: parseValue(v), at: t * 1000 }];
    }
    if (data?.resultType !== 'vector' || !Array.isArray(data.result)) {
      throw new PromError(`query returned ${String(data?.resultType ?? 'nothing')}, expected an instant vector`, 'protocol');
    }
    return (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((r) => ({
      metric: r.metric ?? {},
      value: parseValue(r.value[1]),
      at: r.value[0] * 1000,
    }));
  }

  async queryRange(q: string, startMs: number, endMs: number, stepSeconds: number): Promise<RangeSeries[]> {
    const data = await this.promApi(
      'api/v1/query_range',
      { query: q, start: (startMs / 1000).toFixed(3), end: (endMs / 1000).toFixed(3), step: String(stepSeconds) },
      'range query',
    );
    if (data?.resultType !== 'matrix' || !Array.isArray(data.result)) {
      throw new PromError(`range query returned ${String(data?.resultType ?? 'nothing')}, expected a matrix`, 'protocol');
    }
    return (data.result as Array<{ metric: Record<string, string>; values: Array<[number, string]> }>).map((r) => ({
      metric: r.metric ?? {},
      points: r.values.map(([t, v]) => [t * 1000, parseValue(v)] as [number, number]),
    }));
  }

  async alerts(): Promise<PromAlertJson[]> {
    const data = await this.promApi('api/v1/alerts', {}, 'alerts request');
    if (!Array.isArray(data?.alerts)) throw new PromError('alerts response has no alerts list', 'protocol');
    return data.alerts as PromAlertJson[];
  }

  /** The names of the alerting rules (`/api/v1/rules?type=alert`), firing or not. */
  async alertRuleNames(): Promise<string[]> {
    const data = await this.promApi('api/v1/rules', { type: 'alert' }, 'rules request');
    if (!Array.isArray(data?.groups)) throw new PromError('rules response has no groups', 'protocol');
    const names = new Set<string>();
    for (const g of data.groups as Array<{ rules?: Array<{ type?: string; name?: unknown }> }>) {
      for (const r of g?.rules ?? []) if (r?.type !== 'recording' && typeof r?.name === 'string') names.add(r.name);
    }
    return [...names];
  }

  async amAlerts(): Promise<AmAlertJson[]> {
    const body = await this.amRequest('GET', 'api/v2/alerts');
    if (!Array.isArray(body)) throw new PromError('Alertmanager alerts response is not a list', 'protocol');
    return body as AmAlertJson[];
  }

  async silences(): Promise<SilenceJson[]> {
    const body = await this.amRequest('GET', 'api/v2/silences');
    if (!Array.isArray(body)) throw new PromError('Alertmanager silences response is not a list', 'protocol');
    return body as SilenceJson[];
  }

  /** Creates a silence; resolves to its id. */
  async createSilence(s: NewSilence): Promise<string> {
    const body = await this.amRequest('POST', 'api/v2/silences', s);
    const id = (body as { silenceID?: string } | null)?.silenceID;
    if (!id) throw new PromError('Alertmanager accepted the silence but returned no id', 'protocol');
    return id;
  }

  private async promApi(path: string, params: Record<string, string>, what: string): Promise<PromData | undefined> {
    const url = new URL(path, this.prom.base);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const { status, text } = await this.request(this.prom, 'GET', url, what);
    let body: { status?: unknown; errorType?: unknown; error?: unknown; data?: PromData } | null;
    try {
      body = JSON.parse(text);
    } catch {
      if (status >= 400) throw httpError(this.prom, status, text);
      throw new PromError(`${this.prom.what} at ${this.prom.where} answered with something that is not JSON`, 'protocol');
    }
    if (body?.status === 'error') {
      // bad_data (400), execution (422), timeout, canceled… belong to the query; only
      // `unavailable` says the server itself cannot answer.
      const errorType = String(body.errorType ?? 'error');
      throw new PromError(`${errorType}: ${String(body.error ?? 'unknown error')}`, errorType === 'unavailable' ? 'http' : 'api', { status, errorType });
    }
    if (status >= 400) throw httpError(this.prom, status, text);
    if (body?.status !== 'success') throw new PromError(`${this.prom.what} at ${this.prom.where} answered without a status`, 'protocol');
    return body.data;
  }

  private async amRequest(method: 'GET' | 'POST', path: string, payload?: unknown): Promise<unknown> {
    if (!this.am) throw new PromError('Alertmanager is not configured (prometheus.alertmanagerUrl)', 'protocol');
    const url = new URL(path, this.am.base);
    const { status, text } = await this.request(this.am, method, url, `Alertmanager ${method === 'POST' ? 'request' : 'read'}`, payload);
    if (status >= 400) throw httpError(this.am, status, text);
    try {
      return text ? JSON.parse(text) : null;
    } catch {
      throw new PromError(`Alertmanager at ${this.am.where} answered with something that is not JSON`, 'protocol');
    }
  }

  private async request(ep: Endpoint, method: string, url: URL, what: string, payload?: unknown): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (ep.auth) headers.authorization = ep.auth;
    if (payload !== undefined) headers['content-type'] = 'application/json';
    let tls: HttpRequestOptions['tls'];
    if (ep.kube) {
      try {
        const t = await ep.kube.prepare();
        Object.assign(headers, t.headers);
        tls = t.tls;
      } catch (e) {
        throw new PromError(`${ep.what} at ${ep.where}: the kubeconfig's credentials failed (${e instanceof Error ? e.message : String(e)})`, 'unreachable');
      }
    }
    // Each request has its own connection (no pool), so there is no stale keep-alive socket to retry.
    try {
      const res = await httpRequest(url, {
        method,
        headers,
        body: payload === undefined ? undefined : JSON.stringify(payload),
        timeoutMs: this.timeoutMs,
        maxBytes: this.maxBytes,
        budget: this.budget,
        signal: this.closing.signal,
        tls,
      });
      const refusal = ep.kube && res.status >= 400 ? proxyRefusal(ep.where, res.status, res.text) : null;
      if (refusal) throw new PromError(`${ep.what} at ${ep.where}: ${refusal}`, 'http', { status: res.status });
      return { status: res.status, text: res.text };
    } catch (e) {
      if (e instanceof PromError) throw e;
      if (this.closing.signal.aborted) throw new PromError(`${what} cancelled`, 'unreachable');
      if (!(e instanceof HttpError)) throw new PromError(`${ep.what} at ${ep.where} unreachable (${e instanceof Error ? e.message : String(e)})`, 'unreachable');
      switch (e.kind) {
        case 'timeout':
          throw new PromError(`${what} timed out after ${formatSeconds(this.timeoutMs)}`, 'timeout');
        case 'too-large':
          // e.g. "response too large (400 MiB, the limit is 32 MiB)"
          throw new PromError(`${ep.what} at ${ep.where}: ${what} ${e.message}`, 'too-large');
        case 'aborted':
          throw new PromError(`${what} cancelled`, 'unreachable');
        default:
          throw new PromError(`${ep.what} at ${ep.where} unreachable (${e.code ?? e.message.replace(/^network error: /, '')})`, 'unreachable');
      }
    }
  }
}

function httpError(ep: Endpoint, status: number, text: string): PromError {
  const first = text.trim().split('\n')[0]?.slice(0, 160) ?? '';
  return new PromError(`${ep.what} at ${ep.where} answered HTTP ${status}${first ? `: ${first}` : ''}`, 'http', { status });
}
