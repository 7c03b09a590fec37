// Polls Prometheus (and Alertmanager when configured) and publishes the `prom` slice:
// alerts merged with their silenced/inhibited state, and per-service error rate, p95 and
// request rate with short histories for sparklines. Services on the default queries share one
// grouped query per signal, so a refresh costs the same few requests however many there are. Every failure is reported in the slice;
// the last good values stay, with their age.
import type { Config, SeverityConfig } from '../../config/schema.js';
import type { Publish, Source } from '../types.js';
import type { AlertRow, PromData, ServiceSignals } from './types.js';
import { PromClient, PromError, type PromClientOptions, type AmAlertJson, type PromAlertJson, type SilenceJson } from './client.js';
import { hasOverride, planQueries, rateWindowOf, SIGNALS, type QueryPlan, type Signal } from './queries.js';

export type PromSourceConfig = NonNullable<Config['prometheus']>;

export interface PromSourceOptions {
  log?: (msg: string) => void;
  /** Clock (epoch ms); the drill passes the simulator's clock. */
  now?: () => number;
  /** Range queries (sparklines) run at most this often; default 30 s. */
  rangeEverySeconds?: number;
  /** Concurrent requests per refresh; default 4. */
  concurrency?: number;
  /** How long resolved alerts stay visible; default 5 minutes. */
  resolvedKeepMs?: number;
  /** Response body cap in bytes (limits.maxResponseMiB); default 32 MiB. */
  maxResponseBytes?: number;
  /** The kubeconfig and context for kube:// URLs. */
  kube?: PromClientOptions['kube'];
}

/**
 * Services with their own queries cost requests each, so beyond this many they are not queried
 * (and that is reported). Services on the default queries share one grouped query per signal;
 * MAX_GROUPED_SERVICES keeps its regex (and URL) a sane size.
 */
export const MAX_SERVICES = 20;
export const MAX_GROUPED_SERVICES = 200;
export const RANGE_MINUTES = 30;
export const RANGE_STEP_SECONDS = 60;

const METRIC_LABEL: Record<Signal, string> = {
  errorRate: 'error rate',
  p95: 'p95',
  requestRate: 'req/s',
  requestRateHourAgo: 'req/s 1h ago',
};

/** The signals with a 30-minute series. */
type RangeSignal = 'errorRate' | 'p95';

type Reading = number | PromError | null;

const RULES_EVERY_MS = 5 * 60_000;

interface AlertReads {
  tasks: Array<() => Promise<unknown>>;
  prom?: PromAlertJson[] | PromError;
  am?: AmAlertJson[] | PromError;
  silences?: SilenceJson[] | PromError;
}

interface SignalReads {
  tasks: Array<() => Promise<unknown>>;
  instant: Map<string, Partial<Record<Signal, Reading>>>;
  ranges: Map<string, Partial<Record<RangeSignal, number[] | PromError>>>;
}

/** Runs one query of a refresh, turning a failure into its PromError; once Prometheus is known down, its remaining queries are skipped so a refresh stays bounded. */
class QueryGuard {
  readonly failures: PromError[] = [];
  promDown: PromError | null = null;

  async run<T>(fn: () => Promise<T>, backend: 'prom' | 'am' = 'prom'): Promise<T | PromError> {
    if (backend === 'prom' && this.promDown) {
      this.failures.push(this.promDown);
      return this.promDown;
    }
    try {
      return await fn();
    } catch (e) {
      const err = e instanceof PromError ? e : new PromError(e instanceof Error ? e.message : String(e), 'protocol');
      this.failures.push(err);
      if (backend === 'prom' && err.backendDown) this.promDown ??= err;
      return err;
    }
  }
}

export class PrometheusSource implements Source {
  readonly client: PromClient;
  private readonly services: Array<{ signals: ServiceSignals }>;
  private readonly plan: QueryPlan;
  private readonly alerts = new Map<string, AlertRow>();
  /** Alertmanager view by fingerprint, kept when Alertmanager is briefly unreachable. */
  private amByKey = new Map<string, { am: AmAlertJson; silenceEndsAt: number | null }>();
  private readonly now: () => number;
  private readonly log: (msg: string) => void;
  private readonly concurrency: number;
  private readonly rangeEveryMs: number;
  private readonly resolvedKeepMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private lastRangeAt = -Infinity;
  private seenAlertsOnce = false;
  private lastDataJson = '';
  private alertRules: string[] = [];
  private rulesAt = -Infinity;
  private readonly extraProblems: string[] = [];

  constructor(
    private readonly cfg: PromSourceConfig,
    readonly severity: SeverityConfig,
    private readonly refreshSeconds: number,
    private readonly publish: Publish<PromData>,
    opts: PromSourceOptions = {},
  ) {
    this.client = new PromClient({ url: cfg.url, alertmanagerUrl: cfg.alertmanagerUrl, timeoutSeconds: cfg.timeoutSeconds, maxBytes: opts.maxResponseBytes, kube: opts.kube });
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.rangeEveryMs = (opts.rangeEverySeconds ?? 30) * 1000;
    this.resolvedKeepMs = opts.resolvedKeepMs ?? 5 * 60_000;
    const { kept, problem } = boundServices(cfg.services ?? []);
    if (problem) this.extraProblems.push(problem);
    this.plan = planQueries(kept, rateWindowOf({ prometheus: cfg }));
    this.services = kept.map((svc) => ({
      signals: {
        name: svc.name,
        errorRate: null,
        p95Seconds: null,
        requestRate: null,
        requestRateHourAgo: null,
        errorRateSeries: [],
        latencySeries: [],
        problems: [],
        updatedAt: null,
      },
    }));
  }

  start(): void {
    this.stopped = false;
    this.publish((prev) => ({ ...prev, status: prev.updatedAt ? prev.status : 'connecting', error: null }));
    this.refresh();
    this.timer = setInterval(() => this.refresh(), Math.max(250, this.refreshSeconds * 1000));
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.client.close();
    await this.running?.catch(() => {});
  }

  /** Starts a refresh now, or right after the one in flight. */
  refresh(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.cycle()
      .catch((e) => this.log(`prometheus: refresh failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) {
          this.again = false;
          this.refresh();
        }
      });
  }

  /** Resolves when the refresh in flight (if any) is done; for tests and `snapshot`. */
  async settle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** One refresh: alerts and signals queried together (bounded concurrency), then applied and published once. */
  private async cycle(): Promise<void> {
    const now = this.now();
    const am = this.client.alertmanagerConfigured;
    const doRange = now - this.lastRangeAt >= this.rangeEveryMs;
    const guard = new QueryGuard();
    const alerts = this.alertTasks(guard, am);
    const signals = this.signalTasks(guard, now, doRange);
    const tasks = [...alerts.tasks, ...signals.tasks];
    await Promise.all([runLimited(tasks, this.concurrency), this.refreshAlertRules(now)]);
    if (this.stopped) return;

    const down = guard.promDown;
    const allFailed = guard.failures.length > 0 && guard.failures.length === tasks.length;
    if (doRange && !down) this.lastRangeAt = now;
    const problems = [...this.extraProblems, ...this.applySignals(signals, now, down), ...this.applyAlerts(alerts, am, now, down)];
    this.publishCycle(problems, am, now, down ?? (allFailed ? (guard.failures[0] ?? null) : null));
  }

  /**
   * The alerting rules' names, every few minutes: the public check refuses them even while they
   * do not fire. A server without the rules API (some Prometheus-compatible ones) is no problem.
   */
  private async refreshAlertRules(now: number): Promise<void> {
    if (now - this.rulesAt < RULES_EVERY_MS) return;
    this.rulesAt = now;
    try {
      this.alertRules = (await this.client.alertRuleNames()).sort();
    } catch (e) {
      this.log(`prometheus rules: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private alertTasks(guard: QueryGuard, am: boolean): AlertReads {
    const reads: AlertReads = { tasks: [] };
    reads.tasks.push(async () => (reads.prom = await guard.run(() => this.client.alerts())));
    if (am) {
      reads.tasks.push(async () => (reads.am = await guard.run(() => this.client.amAlerts(), 'am')));
      reads.tasks.push(async () => (reads.silences = await guard.run(() => this.client.silences(), 'am')));
    }
    return reads;
  }

  private signalTasks(guard: QueryGuard, now: number, doRange: boolean): SignalReads {
    const reads: SignalReads = { tasks: [], instant: new Map(), ranges: new Map() };
    for (const s of this.services) {
      reads.instant.set(s.signals.name, {});
      if (doRange) reads.ranges.set(s.signals.name, {});
    }
    // One query per signal for every service on the defaults, matched back by the `service` label.
    for (const signal of SIGNALS) {
      const g = this.plan.grouped[signal];
      if (!g) continue;
      reads.tasks.push(async () => {
        const res = await guard.run(() => this.client.query(g.query));
        const found = res instanceof PromError ? res : new Map(res.map((x) => [x.metric.service, x.value]));
        for (const name of g.services) reads.instant.get(name)![signal] = found instanceof PromError ? found : (found.get(name) ?? null);
      });
      if (doRange && (signal === 'errorRate' || signal === 'p95')) {
        reads.tasks.push(async () => {
          const res = await guard.run(() => this.client.queryRange(g.query, now - RANGE_MINUTES * 60_000, now, RANGE_STEP_SECONDS));
          const found = res instanceof PromError ? res : new Map(res.map((x) => [x.metric.service, finitePoints(x.points)]));
          for (const name of g.services) reads.ranges.get(name)![signal] = found instanceof PromError ? found : (found.get(name) ?? []);
        });
      }
    }
    for (const o of this.plan.own) {
      const r = reads.instant.get(o.service)!;
      const combine = o.signal === 'requestRate' || o.signal === 'requestRateHourAgo' ? 'sum' : 'max';
      reads.tasks.push(async () => (r[o.signal] = await guard.run(() => this.scalar(o.query, combine, o.hourBack ? now - 3_600_000 : undefined))));
      const rr = reads.ranges.get(o.service);
      if (rr && (o.signal === 'errorRate' || o.signal === 'p95')) {
        const signal = o.signal;
        reads.tasks.push(async () => (rr[signal] = await guard.run(() => this.series(o.query, now))));
      }
    }
    return reads;
  }

  /** Services: new values where queries answered, the last good value for every query that failed; returns the problems. */
  private applySignals(reads: SignalReads, now: number, down: PromError | null): string[] {
    const problems: string[] = [];
    for (const s of this.services) {
      const r = reads.instant.get(s.signals.name)!;
      const sig = { ...s.signals, problems: [] as string[] };
      let allGood = true;
      const take = (key: Signal, v: Reading | undefined) => {
        if (v instanceof PromError) {
          allGood = false;
          if (!down) sig.problems.push(`${METRIC_LABEL[key]}: ${v.message}`);
          return undefined;
        }
        if (v === null || v === undefined) {
          // No data an hour ago is normal for a new service; say nothing and show no change.
          if (key === 'requestRateHourAgo') return null;
          allGood = false;
          sig.problems.push(`${METRIC_LABEL[key]}: no data`);
          return undefined;
        }
        if (!Number.isFinite(v)) {
          allGood = false;
          sig.problems.push(`${METRIC_LABEL[key]}: ${Number.isNaN(v) ? (key === 'errorRate' ? 'NaN (no requests?)' : 'NaN') : v > 0 ? '+Inf' : '-Inf'}`);
          return undefined;
        }
        return v;
      };
      const er = take('errorRate', r.errorRate);
      if (er !== undefined) sig.errorRate = er;
      const p95 = take('p95', r.p95);
      if (p95 !== undefined) sig.p95Seconds = p95;
      const rr = take('requestRate', r.requestRate);
      if (rr !== undefined) sig.requestRate = rr;
      const rh = take('requestRateHourAgo', r.requestRateHourAgo);
      if (rh !== undefined) sig.requestRateHourAgo = rh;
      const rg = reads.ranges.get(s.signals.name);
      if (rg) {
        if (Array.isArray(rg.errorRate)) sig.errorRateSeries = rg.errorRate;
        else if (rg.errorRate instanceof PromError && !down) sig.problems.push(`error rate history: ${rg.errorRate.message}`);
        if (Array.isArray(rg.p95)) sig.latencySeries = rg.p95;
        else if (rg.p95 instanceof PromError && !down) sig.problems.push(`p95 history: ${rg.p95.message}`);
      }
      if (allGood && !down) sig.updatedAt = now;
      if (down && sig.problems.length === 0) sig.problems = s.signals.problems;
      s.signals = sig;
      for (const p of sig.problems) problems.push(`${sig.name}: ${p}`);
    }
    return problems;
  }

  /** Alerts: Prometheus's merged with Alertmanager's (silences, inhibitions), resolved ones kept a while; returns the problems. */
  private applyAlerts(reads: AlertReads, am: boolean, now: number, down: PromError | null): string[] {
    const problems: string[] = [];
    let amError: string | null = null;
    if (am) {
      if (reads.am instanceof PromError) amError = reads.am.message;
      else if (reads.silences instanceof PromError) amError = reads.silences.message;
      else if (reads.am && reads.silences) this.amByKey = indexAlertmanager(reads.am, reads.silences);
    }
    if (Array.isArray(reads.prom)) this.mergeAlerts(reads.prom, am ? [...this.amByKey.values()].map((v) => v.am) : [], now);
    else if (reads.prom instanceof PromError && !down) problems.push(`alerts: ${reads.prom.message}`);
    this.expireResolved(now);
    if (amError) problems.push(amError);
    return problems;
  }

  /** One publish per refresh; an unchanged payload keeps its reference, so no pane redraws. */
  private publishCycle(problems: string[], am: boolean, now: number, failed: PromError | null): void {
    const data: PromData = {
      alerts: [...this.alerts.values()].sort(alertOrder),
      services: this.services.map((s) => s.signals),
      alertmanager: am,
      rateWindow: rateWindowOf({ prometheus: this.cfg }),
      alertRules: this.alertRules,
    };
    const json = JSON.stringify(data);
    const sameData = json === this.lastDataJson;
    this.lastDataJson = json;
    if (failed) {
      this.log(`prometheus: ${failed.message}`);
      this.publish((prev) => ({ ...prev, status: 'down', error: failed.message, data: sameData ? prev.data : data }));
      return;
    }
    const status = problems.length ? 'degraded' : 'ok';
    const error = problems[0] === undefined ? null : problems.length > 1 ? `${problems[0]} (+${problems.length - 1} more)` : problems[0];
    this.publish((prev) => ({ ...prev, status, error, updatedAt: now, data: sameData ? prev.data : data }));
  }

  /**
   * One number from an instant query. An override may return several series: rates are
   * added up; ratios and latencies show the worst one.
   */
  private async scalar(q: string, combine: 'sum' | 'max', time?: number): Promise<number | null> {
    const res = await this.client.query(q, time);
    if (res.length === 0) return null;
    if (res.length === 1) return res[0]!.value;
    const values = res.map((s) => s.value);
    if (values.some(Number.isNaN)) return NaN;
    return combine === 'sum' ? values.reduce((a, v) => a + v, 0) : Math.max(...values);
  }

  private async series(q: string, now: number): Promise<number[]> {
    const res = await this.client.queryRange(q, now - RANGE_MINUTES * 60_000, now, RANGE_STEP_SECONDS);
    return finitePoints(res[0]?.points ?? []);
  }

  private mergeAlerts(prom: PromAlertJson[], am: AmAlertJson[], now: number): void {
    const seen = new Set<string>();
    const amUsed = new Set<AmAlertJson>();
    const upsert = (
      fp: string,
      labels: Record<string, string>,
      annotations: Record<string, string>,
      state: 'pending' | 'firing',
      activeAt: number | null,
      amInfo?: AmAlertJson,
      value: number | null = null,
    ) => {
      seen.add(fp);
      const prev = this.alerts.get(fp);
      const silence = amInfo ? (this.amByKey.get(amInfo.fingerprint)?.silenceEndsAt ?? null) : null;
      const becameFiring = state === 'firing' && (!prev || prev.state !== 'firing');
      // Alerts already firing when the cockpit starts are not "new".
      const firstSeenAt = becameFiring ? (this.seenAlertsOnce ? now : (activeAt ?? now)) : prev && prev.state !== 'resolved' ? prev.firstSeenAt : now;
      this.alerts.set(fp, {
        fingerprint: fp,
        name: labels.alertname ?? '(unnamed)',
        state,
        severity: labels.severity ?? null,
        labels,
        summary: annotations.summary ?? null,
        description: annotations.description ?? null,
        runbookUrl: annotations.runbook_url ?? null,
        activeAt,
        firstSeenAt,
        resolvedAt: null,
        silenced: (amInfo?.status.silencedBy.length ?? 0) > 0,
        inhibited: (amInfo?.status.inhibitedBy.length ?? 0) > 0,
        silenceEndsAt: silence,
        value,
      });
    };
    for (const a of prom) {
      if (a.state !== 'pending' && a.state !== 'firing') continue;
      // Same label set first; Alertmanager may add external labels, so a superset also matches.
      const free = am.filter((x) => !amUsed.has(x));
      const n = Object.keys(a.labels).length;
      const match = free.find((x) => Object.keys(x.labels).length === n && labelsContain(x.labels, a.labels)) ?? free.find((x) => labelsContain(x.labels, a.labels));
      if (match) amUsed.add(match);
      const fp = match?.fingerprint ?? labelFingerprint(a.labels);
      const value = a.value === undefined ? null : Number(a.value === '+Inf' ? Infinity : a.value === '-Inf' ? -Infinity : a.value);
      upsert(fp, a.labels, a.annotations ?? {}, a.state, a.activeAt ? Date.parse(a.activeAt) : null, match, value === null || Number.isNaN(value) ? null : value);
    }
    // Alerts only Alertmanager knows (from other Prometheus servers) are firing.
    for (const x of am) {
      if (amUsed.has(x)) continue;
      upsert(x.fingerprint, x.labels, x.annotations ?? {}, 'firing', Date.parse(x.startsAt) || null, x);
    }
    for (const [fp, row] of this.alerts) {
      if (!seen.has(fp) && row.state !== 'resolved') this.alerts.set(fp, { ...row, state: 'resolved', resolvedAt: now });
    }
    this.seenAlertsOnce = true;
  }

  private expireResolved(now: number): void {
    for (const [fp, row] of this.alerts) {
      if (row.state === 'resolved' && row.resolvedAt !== null && now - row.resolvedAt > this.resolvedKeepMs) this.alerts.delete(fp);
    }
  }
}

/** The services that are queried, in config order, and a problem naming how many are not. */
export function boundServices<S extends Parameters<typeof hasOverride>[0]>(services: readonly S[]): { kept: S[]; problem: string | null } {
  const kept: S[] = [];
  let own = 0;
  let grouped = 0;
  let dropped = 0;
  for (const svc of services) {
    const mine = hasOverride(svc);
    if (mine ? own >= MAX_SERVICES : grouped >= MAX_GROUPED_SERVICES) {
      dropped++;
      continue;
    }
    if (mine) own++;
    else grouped++;
    kept.push(svc);
  }
  const problem = dropped ? `${dropped} services not queried (at most ${MAX_SERVICES} with their own queries and ${MAX_GROUPED_SERVICES} on the defaults)` : null;
  return { kept, problem };
}

function finitePoints(points: Array<[number, number]>): number[] {
  return points.map(([, v]) => v).filter((v) => Number.isFinite(v));
}

function indexAlertmanager(alerts: AmAlertJson[], silences: SilenceJson[]): Map<string, { am: AmAlertJson; silenceEndsAt: number | null }> {
  const ends = new Map<string, number>();
  for (const s of silences) if (s.status?.state === 'active') ends.set(s.id, Date.parse(s.endsAt));
  const out = new Map<string, { am: AmAlertJson; silenceEndsAt: number | null }>();
  for (const a of alerts) {
    const times = (a.status?.silencedBy ?? []).map((id) => ends.get(id)).filter((t): t is number => t !== undefined);
    out.set(a.fingerprint, { am: a, silenceEndsAt: times.length ? Math.max(...times) : null });
  }
  return out;
}

function labelsContain(big: Record<string, string>, small: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(small)) if (big[k] !== v) return false;
  return true;
}

/**
 * Alertmanager's fingerprint of a label set: FNV-1a 64 over each label name and value (sorted by
 * name), each as UTF-8 bytes followed by the single byte 0xff, as 16 hex digits.
 */
export function labelFingerprint(labels: Record<string, string>): string {
  let h = 0xcbf29ce484222325n;
  const add = (bytes: Uint8Array) => {
    for (const b of bytes) {
      h ^= BigInt(b);
      h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
    }
  };
  const SEPARATOR = Uint8Array.of(0xff);
  for (const [k, v] of Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    add(Buffer.from(k, 'utf8'));
    add(SEPARATOR);
    add(Buffer.from(v, 'utf8'));
    add(SEPARATOR);
  }
  return h.toString(16).padStart(16, '0');
}

const STATE_ORDER = { firing: 0, pending: 1, resolved: 2 } as const;
const SEVERITY_ORDER: Record<string, number> = { critical: 0, page: 0, error: 1, warning: 2, info: 3 };

function alertOrder(a: AlertRow, b: AlertRow): number {
  return (
    STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
    (SEVERITY_ORDER[a.severity ?? ''] ?? 4) - (SEVERITY_ORDER[b.severity ?? ''] ?? 4) ||
    (b.activeAt ?? 0) - (a.activeAt ?? 0) ||
    a.name.localeCompare(b.name) ||
    a.fingerprint.localeCompare(b.fingerprint)
  );
}

/** Runs tasks with at most `limit` in flight. */
export async function runLimited(tasks: Array<() => Promise<unknown>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
