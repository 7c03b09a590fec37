// The drill's Prometheus: an HTTP server on loopback speaking the real API envelopes. It
// samples a world function into real-shaped series (counters and histogram buckets), keeps
// about an hour of history, evaluates alerting rules, and answers exactly the query forms
// warroom sends (see README.md). It is not a PromQL engine: anything else is a bad_data error.
import type http from 'node:http';
import { closeNow, listenLoopback } from '../net.js';

export interface PromWorld {
  services: Record<string, { rps: number; errorRatio: number; p95Seconds: number }>;
  /** Extra gauges answered as plain selectors: `name` or `name{label="v"}` → value. */
  gauges?: Record<string, number>;
}

export interface SimAlertRule {
  name: string;
  severity: 'critical' | 'warning' | 'info';
  summary: string;
  description?: string;
  runbookUrl?: string;
  /** Shown in /api/v1/rules. */
  expr: string;
  value: (w: PromWorld) => number;
  op: '>' | '<';
  threshold: number;
  forSeconds: number;
  labels?: Record<string, string>;
}

/** Ways the simulator can misbehave on purpose (a scenario's "Prometheus is struggling"). */
export type PromFault = 'error500' | 'unavailable' | 'hang' | null;

export interface PromSimOptions {
  world: () => PromWorld;
  rules?: SimAlertRule[];
  /** Sim seconds per wall second for the internal clock and the sampling timer; default 1. */
  speed?: number;
  /** Sim clock (epoch ms); default an internal clock running at `speed`. */
  now?: () => number;
  /** Sim seconds between samples; default 15. */
  stepSeconds?: number;
  /** Seconds of history filled from the world at start, so `offset 1h` works at once; default 3900. */
  backfillSeconds?: number;
}

/** Default Prometheus client histogram buckets. */
export const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Infinity];
const HISTORY_MS = 70 * 60_000;
const WINDOW_MS = 5 * 60_000;
const LOOKBACK_MS = 5 * 60_000;
const JOB = 'warroom-sim';

interface ServiceCounters {
  ok: number;
  err: number;
  /** Cumulative counts per BUCKETS entry. */
  /** One cumulative count per BUCKETS entry. */
  buckets: number[];
}

interface Sample {
  t: number;
  services: Map<string, ServiceCounters>;
  gauges: Record<string, number>;
}

interface Series {
  metric: Record<string, string>;
  value: number;
}

interface ServiceRates {
  name: string;
  ok: number;
  err: number;
  /** One rate per BUCKETS entry. */
  buckets: number[];
}

interface RuleState {
  state: 'inactive' | 'pending' | 'firing';
  activeAt: number | null;
  value: number;
  lastEvaluation: number | null;
}

/**
 * Cumulative fraction of requests at or below each bucket bound such that Prometheus's
 * histogram_quantile(0.95, …) interpolates exactly to p95, clamped to the first and last
 * finite bucket bounds (5 ms … 10 s).
 */
export function bucketFractions(p95Seconds: number): number[] {
  const finite = BUCKETS.length - 1;
  // p is clamped to the finite bounds, so some bucket holds it: 0 <= k < finite.
  const p = Math.min(Math.max(p95Seconds, BUCKETS[0]!), BUCKETS[finite - 1]!);
  const k = BUCKETS.findIndex((le) => p <= le);
  const lo = k === 0 ? 0 : BUCKETS[k - 1]!;
  const hi = BUCKETS[k]!;
  const slope = 0.9 * Math.min(0.95 / (p - lo), hi > p ? 0.05 / (hi - p) : Infinity);
  const a = 0.95 - slope * (p - lo);
  const b = 0.95 + slope * (hi - p);
  return BUCKETS.map((le, j) => {
    if (j < k) return lo > 0 ? (a * le) / lo : 0;
    if (j === k) return b;
    return b + ((1 - b) * (j - k)) / (finite - k);
  });
}

/** Prometheus's histogram_quantile over (le, count) pairs sorted by le. */
export function histogramQuantile(q: number, buckets: Array<[number, number]>): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const last = buckets.at(-1);
  if (buckets.length < 2 || !last || last[0] !== Infinity) return NaN;
  const total = last[1];
  if (!(total > 0)) return NaN;
  let rank = q * total;
  let b = buckets.findIndex(([, c]) => c >= rank);
  if (b < 0) b = buckets.length - 1;
  // From here 0 <= b < buckets.length - 1, and there are at least two buckets.
  if (b === buckets.length - 1) return buckets[buckets.length - 2]![0];
  const [end, upTo] = buckets[b]!;
  const below = b === 0 ? undefined : buckets[b - 1]!;
  if (!below && end <= 0) return end;
  const start = below ? below[0] : 0;
  let count = upTo;
  if (below) {
    count -= below[1];
    rank -= below[1];
  }
  return start + (end - start) * (rank / count);
}

// ---------------------------------------------------------------------------------------------
// Query forms

interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** Removes whitespace outside double-quoted strings. */
export function normaliseQuery(q: string): string {
  let out = '';
  let inStr = false;
  for (let i = 0; i < q.length; i++) {
    const ch = q[i]!;
    if (inStr) {
      out += ch;
      if (ch === '\\') out += q[++i] ?? '';
      else if (ch === '"') inStr = false;
    } else if (ch === '"') {
      inStr = true;
      out += ch;
    } else if (!/\s/.test(ch)) out += ch;
  }
  return out;
}

const MATCHER_RE = /^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)("(?:[^"\\]|\\.)*")/;

/** Parses the inside of `{…}`; null when it is not a plain list of matchers. */
function parseMatchers(body: string | undefined): LabelMatcher[] | null {
  if (!body) return [];
  let rest = body;
  const out: LabelMatcher[] = [];
  while (rest.length) {
    const m = MATCHER_RE.exec(rest);
    if (!m) return null;
    let value: string;
    try {
      // All three groups are mandatory.
      value = JSON.parse(m[3]!);
    } catch {
      return null;
    }
    const op = m[2] as LabelMatcher['op'];
    if (op === '=~' || op === '!~') {
      try {
        new RegExp(value);
      } catch {
        return null;
      }
    }
    out.push({ name: m[1]!, op, value });
    rest = rest.slice(m[0].length);
    if (rest.startsWith(',')) rest = rest.slice(1);
    else if (rest.length) return null;
  }
  return out;
}

function matches(labels: Record<string, string>, ms: LabelMatcher[]): boolean {
  return ms.every((m) => {
    const v = labels[m.name] ?? '';
    switch (m.op) {
      case '=':
        return v === m.value;
      case '!=':
        return v !== m.value;
      case '=~':
        return new RegExp(`^(?:${m.value})$`).test(v);
      case '!~':
        return !new RegExp(`^(?:${m.value})$`).test(v);
    }
  });
}

function key(m: LabelMatcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

/** Which services a default form covers: nothing, `service="NAME"` or `service=~"REGEX"`. */
type ServiceScope = { op: '=' | '=~'; value: string } | null;

function serviceScope(ms: LabelMatcher[]): { service: ServiceScope } | null {
  if (ms.length === 0) return { service: null };
  const [only] = ms;
  if (ms.length === 1 && only && only.name === 'service' && (only.op === '=' || only.op === '=~')) return { service: { op: only.op, value: only.value } };
  return null;
}

/**
 * The grouping labels of `sum by (…) (x)` or `sum (x) by (…)`, sorted; null when both are
 * given. Only `by` is understood (`without` is not a form).
 */
function grouping(prefix: string | undefined, suffix: string | undefined): string[] | null {
  if (prefix !== undefined && suffix !== undefined) return null;
  return (prefix ?? suffix ?? '').split(',').filter(Boolean).sort();
}

/** `byService`: one series per service (`by (service)`), else one series for all of them. */
/** `windowMs`: the range of the form's `rate(…[W])`; both sides of a ratio must use the same one. */
type Form =
  | { kind: 'errorRatio'; service: ServiceScope; byService: boolean; windowMs: number }
  | { kind: 'quantile'; q: number; service: ServiceScope; byService: boolean; windowMs: number }
  | { kind: 'requestRate'; service: ServiceScope; byService: boolean; offsetMs: number; windowMs: number }
  | { kind: 'selector'; name: string; matchers: LabelMatcher[] };

const SEL = '(?:\\{((?:[^}"]|"(?:[^"\\\\]|\\\\.)*")*)\\})?';
const BY = '(?:by\\(([a-zA-Z_,]*)\\))?';
/** `sum(inner)` with an optional `by (…)` before or after; two capture groups around inner's. */
const sum = (inner: string) => `sum${BY}\\(${inner}\\)${BY}`;
/** A rate range: 30s, 1m, 5m, 1h (captured). */
const RANGE = '\\[(\\d+[smh])\\]';
const ERR_SIDE = sum(`rate\\(http_requests_total${SEL}${RANGE}\\)`);
const ERR_RE = new RegExp(`^${ERR_SIDE}/${ERR_SIDE}$`);
const P95_RE = new RegExp(`^histogram_quantile\\((\\d*\\.?\\d+),${sum(`rate\\(http_request_duration_seconds_bucket${SEL}${RANGE}\\)`)}\\)$`);
const RATE_RE = new RegExp(`^${sum(`rate\\(http_requests_total${SEL}${RANGE}(offset1h)?\\)`)}$`);

function rangeMs(r: string): number {
  const n = Number(r.slice(0, -1));
  return n * { s: 1000, m: 60_000, h: 3_600_000 }[r.slice(-1) as 's' | 'm' | 'h'];
}
const PLAIN_RE = new RegExp(`^([a-zA-Z_:][a-zA-Z0-9_:]*)${SEL}$`);

/** by () → all services as one series; by (service) → one per service; anything else is not a form. */
function byService(labels: string[] | null): boolean | null {
  if (!labels) return null;
  if (labels.length === 0) return false;
  return labels.length === 1 && labels[0] === 'service' ? true : null;
}

export function parseForm(query: string): Form | null {
  const q = normaliseQuery(query);
  let m = ERR_RE.exec(q);
  if (m) {
    const num = parseMatchers(m[2]);
    const den = parseMatchers(m[6]);
    if (!num || !den || m[3] !== m[7]) return null;
    const status = num.filter((x) => x.name === 'status');
    if (status.length !== 1 || key(status[0]!) !== key({ name: 'status', op: '=~', value: '5..' })) return null;
    const rest = num.filter((x) => x.name !== 'status');
    const f = serviceScope(den);
    if (!f || rest.map(key).join() !== den.map(key).join()) return null;
    const by = byService(grouping(m[1], m[4]));
    // Both sides must group alike, or Prometheus would match nothing.
    if (by === null || by !== byService(grouping(m[5], m[8]))) return null;
    return { kind: 'errorRatio', service: f.service, byService: by, windowMs: rangeMs(m[3]!) };
  }
  m = P95_RE.exec(q);
  if (m) {
    const ms = parseMatchers(m[3]);
    const f = ms && serviceScope(ms);
    const labels = grouping(m[2], m[5]);
    if (!f || !labels?.includes('le')) return null;
    const by = byService(labels.filter((l) => l !== 'le'));
    return by === null ? null : { kind: 'quantile', q: Number(m[1]), service: f.service, byService: by, windowMs: rangeMs(m[4]!) };
  }
  m = RATE_RE.exec(q);
  if (m) {
    const ms = parseMatchers(m[2]);
    const f = ms && serviceScope(ms);
    const by = byService(grouping(m[1], m[5]));
    return f && by !== null ? { kind: 'requestRate', service: f.service, byService: by, offsetMs: m[4] ? 3_600_000 : 0, windowMs: rangeMs(m[3]!) } : null;
  }
  m = PLAIN_RE.exec(q);
  if (m) {
    const ms = parseMatchers(m[2]);
    return ms ? { kind: 'selector', name: m[1]!, matchers: ms } : null;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatAlertValue(v: number): string {
  if (!Number.isFinite(v)) return formatValue(v);
  // Go's strconv 'e' format: 1.2e-01.
  return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
}

function parseTime(raw: string | null, name: string): number {
  if (raw === null || raw === '') throw new BadData(`invalid parameter "${name}": cannot parse "" to a valid timestamp`);
  const n = Number(raw);
  if (Number.isFinite(n)) return n * 1000;
  const t = Date.parse(raw);
  if (Number.isFinite(t)) return t;
  throw new BadData(`invalid parameter "${name}": cannot parse "${raw}" to a valid timestamp`);
}

function parseStep(raw: string | null): number {
  if (!raw) throw new BadData('invalid parameter "step": cannot parse "" to a valid duration');
  const n = Number(raw);
  if (Number.isFinite(n)) return n * 1000;
  const m = /^(\d+)(ms|s|m|h)$/.exec(raw);
  if (!m) throw new BadData(`invalid parameter "step": cannot parse "${raw}" to a valid duration`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

class BadData extends Error {}

function parseGaugeKey(k: string): { name: string; labels: Record<string, string> } {
  const form = parseForm(k);
  if (form?.kind === 'selector' && form.matchers.every((m) => m.op === '=')) {
    return { name: form.name, labels: Object.fromEntries(form.matchers.map((m) => [m.name, m.value])) };
  }
  return { name: k, labels: {} };
}

export class PromSim {
  private readonly opts: PromSimOptions;
  private readonly speed: number;
  private readonly stepMs: number;
  private readonly clock: () => number;
  private readonly rules: SimAlertRule[];
  private readonly ruleState = new Map<SimAlertRule, RuleState>();
  private history: Sample[] = [];
  private server: http.Server | null = null;
  private timer: NodeJS.Timeout | null = null;
  private port = 0;
  private fault: PromFault = null;
  private readonly hung = new Set<http.ServerResponse>();
  private lastEvalMs = 0;
  private readonly requests = new Map<string, number>();

  constructor(opts: PromSimOptions) {
    this.opts = opts;
    this.speed = opts.speed && opts.speed > 0 ? opts.speed : 1;
    this.stepMs = (opts.stepSeconds ?? 15) * 1000;
    this.rules = opts.rules ?? [];
    for (const r of this.rules) this.ruleState.set(r, { state: 'inactive', activeAt: null, value: NaN, lastEvaluation: null });
    if (opts.now) this.clock = opts.now;
    else {
      const wall0 = Date.now();
      this.clock = () => wall0 + (Date.now() - wall0) * this.speed;
    }
    const backfill = (opts.backfillSeconds ?? 3900) * 1000;
    if (backfill > 0) {
      const now = this.clock();
      for (let t = now - backfill; t < now; t += this.stepMs) this.record(t);
    }
  }

  /** The simulator's clock (epoch ms); give it to the source in a drill. */
  now(): number {
    return this.clock();
  }

  get url(): string {
    if (!this.server) throw new Error('PromSim is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  async start(opts: { port?: number } = {}): Promise<void> {
    if (this.server) return;
    const { server, port } = await listenLoopback((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      this.requests.set(path, (this.requests.get(path) ?? 0) + 1);
      this.handle(req, res);
    }, opts.port);
    this.server = server;
    this.port = port;
    this.sample();
    this.timer = setInterval(() => this.sample(), Math.max(10, this.stepMs / this.speed));
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const server = this.server;
    this.server = null;
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    await closeNow(server);
  }

  /** HTTP requests received so far (every path and method, faults included). */
  get requestCount(): number {
    let n = 0;
    for (const v of this.requests.values()) n += v;
    return n;
  }

  /** Requests received so far by URL path, e.g. `{ "/api/v1/query": 12, "/api/v1/alerts": 3 }`. */
  requestCounts(): Record<string, number> {
    return Object.fromEntries(this.requests);
  }

  /** Makes the API misbehave until cleared with null. */
  setFault(fault: PromFault): void {
    this.fault = fault;
    if (fault !== 'hang') {
      for (const res of this.hung) res.destroy();
      this.hung.clear();
    }
  }

  /** Samples the world now and evaluates the rules (also done on the internal timer). */
  sample(): void {
    const now = this.clock();
    const last = this.history[this.history.length - 1];
    if (last && now <= last.t) return;
    this.record(now);
    this.evaluateRules(now);
  }

  // -------------------------------------------------------------------------------------------

  private record(t: number): void {
    const w = this.opts.world();
    const prev = this.history[this.history.length - 1];
    const dt = prev ? (t - prev.t) / 1000 : 0;
    const services = new Map<string, ServiceCounters>();
    const names = new Set([...Object.keys(w.services), ...(prev ? prev.services.keys() : [])]);
    for (const name of names) {
      const before = prev?.services.get(name) ?? { ok: 0, err: 0, buckets: BUCKETS.map(() => 0) };
      const s = w.services[name];
      if (!s) {
        services.set(name, before);
        continue;
      }
      const n = Math.max(0, s.rps) * dt;
      const ratio = Math.min(Math.max(s.errorRatio, 0), 1);
      const fr = bucketFractions(s.p95Seconds);
      services.set(name, {
        ok: before.ok + n * (1 - ratio),
        err: before.err + n * ratio,
        buckets: before.buckets.map((c, i) => c + n * fr[i]!),
      });
    }
    this.history.push({ t, services, gauges: { ...(w.gauges ?? {}) } });
    const cut = t - HISTORY_MS;
    if (this.history[0]!.t < cut) this.history = this.history.filter((s) => s.t >= cut);
  }

  private evaluateRules(now: number): void {
    const w = this.opts.world();
    for (const r of this.rules) {
      const st = this.ruleState.get(r)!;
      const v = this.ruleValue(r, w, now);
      const active = r.op === '>' ? v > r.threshold : v < r.threshold;
      st.value = v;
      st.lastEvaluation = now;
      if (!active) {
        st.state = 'inactive';
        st.activeAt = null;
      } else {
        if (st.state === 'inactive') {
          st.state = 'pending';
          st.activeAt = now;
        }
        if (st.state === 'pending' && now - st.activeAt! >= r.forSeconds * 1000) st.state = 'firing';
      }
    }
    this.lastEvalMs = now;
  }

  /**
   * A rule whose expression is a query form compared with its threshold is evaluated as Prometheus
   * would: the form over the recorded counters (so an alert agrees with a dashboard on the same
   * window); other rules read the world's gauges.
   */
  private ruleValue(r: SimAlertRule, w: PromWorld, now: number): number {
    const m = /^(.*?)\s*([<>])\s*(-?\d*\.?\d+)\s*$/.exec(r.expr);
    const form = m ? parseForm(m[1]!) : null;
    if (!form || form.kind === 'selector' || form.byService) return r.value(w);
    const series = this.evaluate(form, now);
    return series[0]?.value ?? NaN;
  }

  private window(t: number, windowMs = WINDOW_MS): [Sample, Sample] | null {
    const inWin = this.history.filter((s) => s.t > t - windowMs && s.t <= t);
    if (inWin.length < 2) return null;
    return [inWin[0]!, inWin[inWin.length - 1]!];
  }

  private at(t: number): Sample | null {
    for (let i = this.history.length - 1; i >= 0; i--) {
      const s = this.history[i]!;
      if (s.t <= t) return s.t > t - LOOKBACK_MS ? s : null;
    }
    return null;
  }

  /** Per-service counter rates over the window ending at t. */
  private rates(t: number, scope: ServiceScope, windowMs = WINDOW_MS): ServiceRates[] {
    const win = this.window(t, windowMs);
    if (!win) return [];
    const [a, b] = win;
    const secs = (b.t - a.t) / 1000;
    const only = scope ? [{ name: 'service', ...scope }] : [];
    const out: ServiceRates[] = [];
    for (const [name, end] of b.services) {
      if (!matches({ service: name }, only)) continue;
      const start = a.services.get(name);
      if (!start) continue;
      out.push({
        name,
        ok: (end.ok - start.ok) / secs,
        err: (end.err - start.err) / secs,
        buckets: end.buckets.map((c, i) => (c - start.buckets[i]!) / secs),
      });
    }
    return out;
  }

  private evaluate(form: Form, t: number): Series[] {
    if (form.kind === 'selector') return this.select(form.name, t).filter((s) => matches(s.metric, form.matchers));
    const r = this.rates(t - (form.kind === 'requestRate' ? form.offsetMs : 0), form.service, form.windowMs);
    // `sum by (service)` gives one series per service labelled with it; plain `sum` one for all.
    const groups: Array<[Record<string, string>, ServiceRates[]]> = form.byService ? r.map((x) => [{ service: x.name }, [x]]) : r.length ? [[{}, r]] : [];
    return groups.map(([metric, g]) => {
      const total = (f: (x: ServiceRates) => number) => g.reduce((s, x) => s + f(x), 0);
      switch (form.kind) {
        case 'errorRatio':
          return { metric, value: total((x) => x.err) / total((x) => x.ok + x.err) };
        case 'quantile':
          return {
            metric,
            value: histogramQuantile(
              form.q,
              BUCKETS.map((le, i) => [le, total((x) => x.buckets[i]!)] as [number, number]),
            ),
          };
        case 'requestRate':
          return { metric, value: total((x) => x.ok + x.err) };
      }
    });
  }

  private select(name: string, t: number): Series[] {
    if (name === 'up') return [{ metric: { __name__: 'up', job: JOB, instance: `127.0.0.1:${this.port}` }, value: 1 }];
    const s = this.at(t);
    if (!s) return [];
    const out: Series[] = [];
    const base = { job: JOB, instance: `127.0.0.1:${this.port}` };
    if (name === 'http_requests_total') {
      for (const [svc, c] of s.services) {
        out.push({ metric: { __name__: name, ...base, service: svc, status: '200' }, value: c.ok });
        out.push({ metric: { __name__: name, ...base, service: svc, status: '500' }, value: c.err });
      }
    } else if (name === 'http_request_duration_seconds_bucket') {
      for (const [svc, c] of s.services) {
        BUCKETS.forEach((le, i) => out.push({ metric: { __name__: name, ...base, service: svc, le: formatValue(le) }, value: c.buckets[i]! }));
      }
    } else if (name === 'http_request_duration_seconds_count') {
      for (const [svc, c] of s.services) out.push({ metric: { __name__: name, ...base, service: svc }, value: c.buckets[c.buckets.length - 1]! });
    } else {
      for (const [k, v] of Object.entries(s.gauges)) {
        const g = parseGaugeKey(k);
        if (g.name === name) out.push({ metric: { __name__: name, ...base, ...g.labels }, value: v });
      }
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        this.route(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        this.json(res, 422, { status: 'error', errorType: 'execution', error: e instanceof Error ? e.message : String(e) });
      }
    });
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (this.fault === 'hang') {
      this.hung.add(res);
      res.on('close', () => this.hung.delete(res));
      return;
    }
    if (this.fault === 'error500') return this.text(res, 500, 'Internal Server Error');
    if (this.fault === 'unavailable') return this.text(res, 503, 'Service Unavailable');

    const routes: Record<string, { methods: string[]; fn: (p: URLSearchParams) => void }> = {
      '/api/v1/query': { methods: ['GET', 'POST'], fn: (p) => this.instant(res, p) },
      '/api/v1/query_range': { methods: ['GET', 'POST'], fn: (p) => this.range(res, p) },
      '/api/v1/alerts': { methods: ['GET'], fn: () => this.json(res, 200, { status: 'success', data: { alerts: this.alerts() } }) },
      '/api/v1/rules': { methods: ['GET'], fn: () => this.json(res, 200, { status: 'success', data: { groups: [this.ruleGroup()] } }) },
      '/-/healthy': { methods: ['GET', 'HEAD'], fn: () => this.text(res, 200, 'Prometheus Server is Healthy.\n') },
      '/-/ready': { methods: ['GET', 'HEAD'], fn: () => this.text(res, 200, 'Prometheus Server is Ready.\n') },
    };
    const route = routes[path];
    if (!route) return this.text(res, 404, '404 page not found\n');
    if (!route.methods.includes(method)) {
      res.setHeader('allow', route.methods.join(', '));
      return this.text(res, 405, 'Method Not Allowed\n');
    }
    const params = new URLSearchParams(url.search);
    if (method === 'POST' && (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(body)) params.set(k, v);
    }
    try {
      route.fn(params);
    } catch (e) {
      if (e instanceof BadData) return this.json(res, 400, { status: 'error', errorType: 'bad_data', error: e.message });
      throw e;
    }
  }

  private formOf(p: URLSearchParams): Form {
    const q = p.get('query');
    if (!q || !q.trim()) throw new BadData('invalid parameter "query": 1:1: parse error: no expression found in input');
    const form = parseForm(q);
    if (!form) throw new BadData(`warroom simulator does not evaluate this query form: ${q}`);
    return form;
  }

  private instant(res: http.ServerResponse, p: URLSearchParams): void {
    const form = this.formOf(p);
    const t = p.has('time') ? parseTime(p.get('time'), 'time') : this.clock();
    const result = this.evaluate(form, t).map((s) => ({ metric: s.metric, value: [t / 1000, formatValue(s.value)] }));
    this.json(res, 200, { status: 'success', data: { resultType: 'vector', result } });
  }

  private range(res: http.ServerResponse, p: URLSearchParams): void {
    const form = this.formOf(p);
    const start = parseTime(p.get('start'), 'start');
    const end = parseTime(p.get('end'), 'end');
    const step = parseStep(p.get('step'));
    if (end < start) throw new BadData('invalid parameter "end": end timestamp must not be before start time');
    if (step <= 0) throw new BadData('zero or negative query resolution step widths are not accepted. Try a positive integer');
    if ((end - start) / step > 11000) throw new BadData('exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
    const byKey = new Map<string, { metric: Record<string, string>; values: Array<[number, string]> }>();
    for (let t = start; t <= end; t += step) {
      for (const s of this.evaluate(form, t)) {
        const { __name__: _drop, ...metric } = s.metric;
        const k = JSON.stringify(metric);
        let row = byKey.get(k);
        if (!row) byKey.set(k, (row = { metric, values: [] }));
        row.values.push([t / 1000, formatValue(s.value)]);
      }
    }
    this.json(res, 200, { status: 'success', data: { resultType: 'matrix', result: [...byKey.values()] } });
  }

  /** The alerts firing now, as Prometheus sends them to Alertmanager. */
  firingAlerts(): Array<{ labels: Record<string, string>; annotations: Record<string, string>; activeAt: number }> {
    return this.rules
      .filter((r) => this.ruleState.get(r)!.state === 'firing')
      .map((r) => ({ labels: this.alertLabels(r), annotations: this.annotations(r), activeAt: this.ruleState.get(r)!.activeAt! }));
  }

  private alertLabels(r: SimAlertRule): Record<string, string> {
    return { alertname: r.name, severity: r.severity, ...(r.labels ?? {}) };
  }

  private annotations(r: SimAlertRule): Record<string, string> {
    const a: Record<string, string> = { summary: r.summary };
    if (r.description) a.description = r.description;
    if (r.runbookUrl) a.runbook_url = r.runbookUrl;
    return a;
  }

  private alerts(): unknown[] {
    const out: unknown[] = [];
    for (const r of this.rules) {
      const st = this.ruleState.get(r)!;
      if (st.state === 'inactive') continue;
      out.push({
        labels: this.alertLabels(r),
        annotations: this.annotations(r),
        state: st.state,
        activeAt: new Date(st.activeAt!).toISOString(),
        value: formatAlertValue(st.value),
      });
    }
    return out;
  }

  private ruleGroup(): unknown {
    const now = new Date(this.lastEvalMs || this.clock()).toISOString();
    return {
      name: 'warroom-drill',
      file: '/etc/prometheus/rules/warroom-drill.yml',
      interval: this.stepMs / 1000,
      limit: 0,
      evaluationTime: 0.0001,
      lastEvaluation: now,
      rules: this.rules.map((r) => {
        const st = this.ruleState.get(r)!;
        return {
          state: st.state,
          name: r.name,
          query: r.expr,
          duration: r.forSeconds,
          labels: { severity: r.severity, ...(r.labels ?? {}) },
          annotations: this.annotations(r),
          alerts:
            st.state === 'inactive'
              ? []
              : [
                  {
                    labels: this.alertLabels(r),
                    annotations: this.annotations(r),
                    state: st.state,
                    activeAt: new Date(st.activeAt!).toISOString(),
                    value: formatAlertValue(st.value),
                  },
                ],
          health: 'ok',
          evaluationTime: 0.0001,
          lastEvaluation: st.lastEvaluation ? new Date(st.lastEvaluation).toISOString() : '0001-01-01T00:00:00Z',
          type: 'alerting',
        };
      }),
    };
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private text(res: http.ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(body);
  }
}
