// Severity suggestion from live signals (DESIGN §4). Pure: no I/O, no clock.
//
//   suggestSeverity(signals, cfg) → SeveritySuggestion   the worst finding wins
//   signalsFromState(state, config, flags?) → Signals    derive signals from the store
//
// Boundaries (thresholds from SeverityConfig, defaults shown):
//   P0  a configured service has pods desired and none ready; 5xx ratio > p0 (50%); data loss flagged
//   P1  5xx ratio > p1 (10%); p95 > p1 (5 s); a major feature flagged down
//   P2  p2 ≤ 5xx ratio ≤ p1 (5%–10%, both inclusive); 2 s ≤ p95 ≤ 5 s (both inclusive)
//   P3  anything degraded (postgres saturation ≥ warn, a redis instance down, crash-looping pods, firing alerts)
//   null "all clear", or "unknown (kubernetes unreachable)" when a source cannot see and nothing else is found
// So exactly 50% is P1, exactly 10% is P2, exactly 5% is P2; p95 exactly 5 s is P2, exactly 2 s is P2.
// Rule text: "5xx 12.3% > 10% → P1", "p95 6.20s > 5s → P1", "api: 0/3 pods ready → P0". When more than
// one service is configured, the 5xx/p95 rules are prefixed with the service name ("api: 5xx …").
import type { Config, SeverityConfig } from '../config/schema.js';
import type { State } from '../store/store.js';
import type { Severity, SeveritySuggestion } from './types.js';
import { someNames } from '../present/format.js';

export interface ServiceSignal {
  name: string;
  /** 5xx ratio 0..1, null when unknown. */
  errorRate: number | null;
  p95Seconds: number | null;
  /** True when the service's deployments want pods and none is ready. */
  allPodsNotReady: boolean;
  podsReady?: number;
  podsDesired?: number;
}

export interface Signals {
  services: ServiceSignal[];
  dataLossFlagged: boolean;
  /** The feature that is down ("checkout"), or null. */
  majorFeatureDown: string | null;
  /** Reasons something is degraded ("redis cache down"); anyDegraded = degraded.length > 0. */
  degraded: string[];
  /**
   * Sources that cannot see ("kubernetes unreachable", "prometheus starting…"): a tool that
   * cannot see is not an incident fact, so these never make a P-level, only "unknown (…)".
   */
  unknown?: string[];
}

/** What a person flags by hand: the store cannot know these. */
export interface SignalFlags {
  dataLoss?: boolean;
  majorFeatureDown?: string | null;
}

const RANK: Record<Severity, number> = { P0: 0, P1: 1, P2: 2, P3: 3 };

function pct(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}
function pctThreshold(ratio: number): string {
  return `${Number((ratio * 100).toFixed(2))}%`;
}
function secs(s: number): string {
  return `${s.toFixed(2)}s`;
}

interface Finding extends SeveritySuggestion {
  severity: Severity;
}

export function suggestSeverity(signals: Signals, cfg: SeverityConfig): SeveritySuggestion {
  const findings: Finding[] = [];
  const multi = signals.services.length > 1;
  const add = (severity: Severity, rule: string, evidence: Finding['evidence']) =>
    findings.push({ severity, rule: `${rule} → ${severity}`, evidence: { ...evidence, rule: `${rule} → ${severity}` } });

  if (signals.dataLossFlagged) add('P0', 'data loss flagged', {});
  for (const s of signals.services) {
    const prefix = multi ? `${s.name}: ` : '';
    if (s.allPodsNotReady) {
      add('P0', `${s.name}: ${s.podsReady ?? 0}/${s.podsDesired ?? '?'} pods ready`, { value: s.podsReady ?? 0, threshold: s.podsDesired });
    }
    const er = s.errorRate;
    if (er != null && Number.isFinite(er)) {
      const ev = { value: er };
      if (er > cfg.errorRate.p0) add('P0', `${prefix}5xx ${pct(er)} > ${pctThreshold(cfg.errorRate.p0)}`, { ...ev, threshold: cfg.errorRate.p0 });
      else if (er > cfg.errorRate.p1) add('P1', `${prefix}5xx ${pct(er)} > ${pctThreshold(cfg.errorRate.p1)}`, { ...ev, threshold: cfg.errorRate.p1 });
      else if (er >= cfg.errorRate.p2) add('P2', `${prefix}5xx ${pct(er)} ≥ ${pctThreshold(cfg.errorRate.p2)}`, { ...ev, threshold: cfg.errorRate.p2 });
    }
    const p95 = s.p95Seconds;
    if (p95 != null && Number.isFinite(p95)) {
      const ev = { value: p95 };
      if (p95 > cfg.latencyP95Seconds.p1) add('P1', `${prefix}p95 ${secs(p95)} > ${cfg.latencyP95Seconds.p1}s`, { ...ev, threshold: cfg.latencyP95Seconds.p1 });
      else if (p95 >= cfg.latencyP95Seconds.p2) add('P2', `${prefix}p95 ${secs(p95)} ≥ ${cfg.latencyP95Seconds.p2}s`, { ...ev, threshold: cfg.latencyP95Seconds.p2 });
    }
  }
  if (signals.majorFeatureDown) add('P1', `major feature down: ${signals.majorFeatureDown}`, {});
  if (signals.degraded.length > 0) {
    const more = signals.degraded.length > 1 ? ` (+${signals.degraded.length - 1} more)` : '';
    add('P3', `degraded: ${signals.degraded[0]}${more}`, {});
  }
  if (findings.length === 0) return signals.unknown?.length ? { severity: null, rule: `unknown (${signals.unknown.join(', ')})` } : { severity: null, rule: 'all clear' };
  // Stable: among equal severities the first finding (pods, then 5xx, then p95, in service order) wins.
  let worst = findings[0]!;
  for (const f of findings) if (RANK[f.severity] < RANK[worst.severity]) worst = f;
  return { severity: worst.severity, rule: worst.rule, evidence: worst.evidence };
}

export function signalsFromState(state: State, config: Config, flags: SignalFlags = {}): Signals {
  const degraded: string[] = [];
  const services: ServiceSignal[] = [];
  const kubeUsable = state.kube.status !== 'disabled' && state.kube.updatedAt != null;

  for (const svc of config.prometheus?.services ?? []) {
    const prom = state.prom.data.services.find((s) => s.name === svc.name);
    let ready = 0;
    let desired = 0;
    let found = false;
    if (kubeUsable) {
      for (const d of state.kube.data.deployments) {
        if (!svc.deployments.includes(d.name)) continue;
        if (svc.namespace && d.namespace !== svc.namespace) continue;
        found = true;
        ready += d.ready;
        desired += d.desired;
      }
    }
    services.push({
      name: svc.name,
      errorRate: prom?.errorRate ?? null,
      p95Seconds: prom?.p95Seconds ?? null,
      allPodsNotReady: found && desired > 0 && ready === 0,
      podsReady: found ? ready : undefined,
      podsDesired: found ? desired : undefined,
    });
  }

  const sourceNames = { kube: 'kubernetes', prom: 'prometheus', postgres: 'postgres', redis: 'redis' } as const;
  const unknown: string[] = [];
  for (const key of ['kube', 'prom', 'postgres', 'redis'] as const) {
    const slice = state[key];
    if (slice.status === 'down') unknown.push(`${sourceNames[key]} unreachable`);
    else if (slice.status === 'connecting' && slice.updatedAt == null) unknown.push(`${sourceNames[key]} starting…`);
  }

  const warn = config.severity.postgresSaturation.warn;
  for (const db of state.postgres.data.databases) {
    if (db.status === 'down') degraded.push(`postgres ${db.name} down`);
    else if (db.maxConnections && db.maxConnections > 0) {
      const sat = db.total / db.maxConnections;
      if (sat >= warn) degraded.push(`postgres ${db.name} connections ${pct(sat)} ≥ ${pctThreshold(warn)}`);
    }
  }
  for (const r of state.redis.data.instances) if (r.status === 'down') degraded.push(`redis ${r.name} down`);

  if (kubeUsable) {
    // Between two back-offs a crash-looping pod reads Running 0/1 or Error for a moment: a pod
    // not healthy that restarted in the last minutes is still in its loop (no "all clear" flicker).
    const looping = state.kube.data.pods.filter((p) => p.status === 'CrashLoopBackOff' || (!p.healthy && p.recentRestarts > 0 && p.status !== 'Terminating'));
    if (looping.length > 0) degraded.push(`${looping.length} pod${looping.length > 1 ? 's' : ''} crash-looping (${someNames(looping.map((p) => p.name))})`);
  }
  const firing = state.prom.data.alerts.filter((a) => a.state === 'firing' && !a.silenced && !a.inhibited);
  if (firing.length > 0) degraded.push(`${firing.length} alert${firing.length > 1 ? 's' : ''} firing (${someNames([...new Set(firing.map((a) => a.name))])})`);

  return { services, dataLossFlagged: flags.dataLoss === true, majorFeatureDown: flags.majorFeatureDown ?? null, degraded, unknown };
}
