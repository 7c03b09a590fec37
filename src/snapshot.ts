// `warroom snapshot`: collect once from every configured source (with a deadline), then print
// a report for pasting into a channel, or the same as JSON (shape: SnapshotReport below).
import type { Config } from './config/schema.js';
import type { LoadedConfig } from './config/load.js';
import { defaultStateDir, maskSecrets } from './config/load.js';
import { findOpenIncident } from './incident/journal.js';
import { environmentOf } from './incident/environment.js';
import { sleep } from './util/delay.js';
import { createCockpit, initialState, type State, type SourceKey } from './store/store.js';
import { signalsFromState, suggestSeverity } from './incident/severity.js';
import { formatAge, formatBytes, formatPercent, formatSeconds } from './present/format.js';
import type { SeveritySuggestion } from './incident/types.js';
import { RECENT_ROLLOUT_MS } from './present/deployments.js';

export interface SnapshotReport {
  generatedAt: string;
  context: string | null;
  namespaces: string[];
  /**
   * The suggestion from what answered. While a source is down the severity is unknown
   * (`unknown: true`, `severity: null`): what could not be seen may be worse.
   */
  severity: SeveritySuggestion & { unknown: boolean; sourcesDown: string[]; fromWhatAnswered: SeveritySuggestion | null };
  /** The open incident in the state directory, if any. */
  incident: { id: string; title: string; severity: string; status: string; declaredAt: string; commander: string | null; comms: string | null; lastUpdateAt: string | null } | null;
  alerts: { name: string; state: string; severity: string | null; since: string | null; summary: string | null; silenced: boolean }[];
  services: { name: string; errorRate: number | null; p95Seconds: number | null; requestRate: number | null; requestRateHourAgo: number | null; problems: string[] }[];
  pods: { total: number; unhealthy: { namespace: string; name: string; status: string; reason: string | null; restarts: number; recentRestarts: number }[] };
  recentRollouts: { namespace: string; name: string; revision: number | null; at: string; images: string[]; rolling: boolean }[];
  postgres: {
    name: string;
    target: string;
    status: string;
    error: string | null;
    total: number;
    maxConnections: number | null;
    saturation: number | null;
    byState: Record<string, number>;
    ungrantedLocks: number;
    longestQuerySeconds: number | null;
  }[];
  redis: {
    name: string;
    target: string;
    status: string;
    error: string | null;
    nodes: { address: string; role: string | null; pingMs: number | null; memoryRatio: number | null; usedMemory: number | null; connectedClients: number | null }[];
  }[];
  /** Per source: status and the error when it is not ok. */
  sources: Record<string, { status: string; error: string | null }>;
}

export async function collectSnapshot(config: Config, opts: { deadlineSeconds: number; now?: () => number }): Promise<SnapshotReport> {
  const now = opts.now ?? Date.now;
  const deadline = Date.now() + opts.deadlineSeconds * 1000;
  const cockpit = createCockpit(initialState({ severity: config.severity }));
  const { startSources } = await import('./sources/start.js');
  const { sources } = await startSources({ config, cockpit, log: () => {}, notify: () => {}, now, onContext: () => {} });
  const enabled: SourceKey[] = [];
  if (config.kube.enabled) enabled.push('kube');
  if (config.prometheus) enabled.push('prom');
  if (config.postgres.length) enabled.push('postgres');
  if (config.redis.length) enabled.push('redis');

  const settled = (s: State) =>
    enabled.every((k) => {
      const slice = s[k];
      if (slice.status === 'down') return true;
      if (slice.status === 'connecting' || slice.updatedAt === null) return false;
      if (k === 'prom') return s.prom.data.services.length === (config.prometheus?.services.length ?? 0) || s.prom.data.services.every((x) => x.updatedAt !== null);
      return true;
    });
  while (Date.now() < deadline) {
    cockpit.flush();
    if (settled(cockpit.store.getState())) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // One more moment lets watches that just listed deliver their first events.
  await sleep(Math.min(100, Math.max(0, deadline - Date.now())));
  cockpit.flush();
  // A source that does not stop in time is left behind: the report is due.
  await Promise.race([Promise.allSettled(sources.map((s) => s.stop())), sleep(Math.max(50, deadline - Date.now()))]);
  const state: State = { ...cockpit.store.getState() };
  const late = `no answer within the ${opts.deadlineSeconds}s deadline`;
  for (const k of enabled) {
    if (state[k].status === 'connecting') setSource(state, k, { ...state[k], status: 'down', error: late });
  }
  const settle = <T extends { status: string; error: string | null }>(x: T): T => (x.status === 'connecting' ? { ...x, status: 'down', error: late } : x);
  state.postgres = { ...state.postgres, data: { ...state.postgres.data, databases: state.postgres.data.databases.map(settle) } };
  state.redis = { ...state.redis, data: { ...state.redis.data, instances: state.redis.data.instances.map(settle) } };
  let incident = null;
  try {
    // Only an incident declared in this environment (the cockpit here would resume that one).
    incident = findOpenIncident(config.stateDir ?? defaultStateDir(), environmentOf(config));
  } catch {
    // an unreadable state directory is no reason to withhold the report
  }
  return buildReport(state, config, now(), incident);
}

/** One source's slice replaced (TypeScript cannot relate `state[k]` to a union key's own slice type). */
function setSource<K extends SourceKey>(state: State, k: K, slice: State[K]): void {
  state[k] = slice;
}

const SOURCE_NAMES = { kube: 'kubernetes', prom: 'prometheus', postgres: 'postgres', redis: 'redis' } as const;

/** The suggestion, which is unknown while a source is down; the rest is judged on what answered. */
function severityOf(state: State, config: Config): SnapshotReport['severity'] {
  const down = (['kube', 'prom', 'postgres', 'redis'] as const).filter((k) => state[k].status === 'down');
  if (!down.length) return { ...suggestSeverity(signalsFromState(state, config), config.severity), unknown: false, sourcesDown: [], fromWhatAnswered: null };
  const answered = { ...state };
  const blank = initialState();
  for (const k of down) setSource(answered, k, { ...blank[k], status: 'disabled' });
  const partial = suggestSeverity(signalsFromState(answered, config), config.severity);
  const sourcesDown = down.map((k) => `${SOURCE_NAMES[k]}${state[k].error ? ` (${state[k].error})` : ''}`);
  return { severity: null, rule: `unknown: ${down.map((k) => SOURCE_NAMES[k]).join(', ')} down`, unknown: true, sourcesDown, fromWhatAnswered: partial };
}

export function buildReport(state: State, config: Config, at: number, incident: ReturnType<typeof findOpenIncident> = null): SnapshotReport {
  const k = state.kube.data;
  const iso = (ms: number | null) => (ms ? new Date(ms).toISOString() : null);
  return {
    generatedAt: new Date(at).toISOString(),
    context: k.context,
    namespaces: k.allNamespaces ? ['*'] : k.namespaces,
    severity: severityOf(state, config),
    incident: incident
      ? {
          id: incident.id,
          title: incident.title,
          severity: incident.severity,
          status: incident.status,
          declaredAt: iso(incident.declaredAt)!,
          commander: incident.commander,
          comms: incident.comms,
          lastUpdateAt: iso(incident.lastUpdateAt),
        }
      : null,
    alerts: state.prom.data.alerts
      .filter((a) => a.state !== 'resolved')
      .map((a) => ({ name: a.name, state: a.state, severity: a.severity, since: iso(a.activeAt), summary: a.summary, silenced: a.silenced })),
    services: state.prom.data.services.map((s) => ({
      name: s.name,
      errorRate: s.errorRate,
      p95Seconds: s.p95Seconds,
      requestRate: s.requestRate,
      requestRateHourAgo: s.requestRateHourAgo,
      problems: s.problems,
    })),
    pods: {
      total: k.pods.length,
      unhealthy: k.pods
        .filter((p) => !p.healthy)
        .map((p) => ({ namespace: p.namespace, name: p.name, status: p.status, reason: p.reason, restarts: p.restarts, recentRestarts: p.recentRestarts })),
    },
    recentRollouts: k.deployments
      .filter((d) => d.rolling || (d.lastRolloutAt !== null && at - d.lastRolloutAt < RECENT_ROLLOUT_MS))
      .map((d) => ({ namespace: d.namespace, name: d.name, revision: d.revision, at: iso(d.lastRolloutAt) ?? '', images: d.images, rolling: d.rolling })),
    postgres: state.postgres.data.databases.map((d) => ({
      name: d.name,
      target: d.target,
      status: d.status,
      error: d.error,
      total: d.total,
      maxConnections: d.maxConnections,
      saturation: d.maxConnections ? d.total / d.maxConnections : null,
      byState: { ...d.byState },
      ungrantedLocks: d.ungrantedLocks,
      longestQuerySeconds: d.longest[0] ? d.longest[0].durationMs / 1000 : null,
    })),
    redis: state.redis.data.instances.map((i) => ({
      name: i.name,
      target: i.target,
      status: i.status,
      error: i.error,
      nodes: i.nodes.map((n) => ({
        address: n.address,
        role: n.role,
        pingMs: n.pingMs,
        memoryRatio: n.maxMemory ? (n.usedMemory ?? 0) / n.maxMemory : null,
        usedMemory: n.usedMemory,
        connectedClients: n.connectedClients,
      })),
    })),
    sources: Object.fromEntries(
      (['kube', 'prom', 'postgres', 'redis'] as const)
        .filter((key) => state[key].status !== 'disabled')
        .map((key) => [key === 'prom' ? 'prometheus' : key, { status: state[key].status, error: state[key].error }]),
    ),
  };
}

export function formatSnapshot(r: SnapshotReport): string {
  const at = Date.parse(r.generatedAt);
  const out: string[] = [];
  out.push(`warroom snapshot ${r.generatedAt.replace('T', ' ').slice(0, 19)} UTC${r.context ? ` — context ${r.context}, namespaces ${r.namespaces.join(',') || 'default'}` : ''}`);
  if (r.incident) {
    const i = r.incident;
    const roles = [i.commander && `commander ${i.commander}`, i.comms && `comms ${i.comms}`].filter(Boolean).join(', ');
    out.push(
      `Incident: ${i.title} — ${i.severity} ${i.status.toUpperCase()}, declared ${formatAge(at - Date.parse(i.declaredAt))} ago${roles ? `, ${roles}` : ''}, ${i.lastUpdateAt ? `last update ${formatAge(at - Date.parse(i.lastUpdateAt))} ago` : 'no update posted yet'} (${i.id})`,
    );
  } else out.push('Incident: none open');
  const sev = r.severity;
  if (sev.unknown) {
    const partial = sev.fromWhatAnswered?.severity ? `; from what answered: ${sev.fromWhatAnswered.severity} — ${sev.fromWhatAnswered.rule}` : '';
    out.push(`Severity: unknown — no answer from ${sev.sourcesDown.join(', ')}${partial}`);
  } else out.push(sev.severity ? `Severity: ${sev.severity} suggested — ${sev.rule}` : `Severity: none suggested — ${sev.rule}`);
  const section = (title: string, lines: string[]) => {
    out.push('', title, ...lines.map((l) => `  ${l}`));
  };
  const firing = r.alerts.filter((a) => a.state === 'firing').length;
  if ('prometheus' in r.sources) {
    section(
      `Alerts (${firing} firing, ${r.alerts.length - firing} pending):`,
      r.alerts.length
        ? r.alerts.map(
            (a) =>
              `${a.state.toUpperCase().padEnd(7)} ${(a.severity ?? '-').padEnd(8)} ${a.name}${a.since ? ` for ${formatAge(at - Date.parse(a.since))}` : ''}${a.silenced ? ' (silenced)' : ''}${a.summary ? ` — ${a.summary}` : ''}`,
          )
        : ['none'],
    );
    section(
      'Error rate & latency:',
      r.services.length
        ? r.services.map(
            (s) =>
              `${s.name.padEnd(12)} 5xx ${formatPercent(s.errorRate).padEnd(6)} p95 ${formatSeconds(s.p95Seconds).padEnd(6)} ${s.requestRate == null ? '-' : `${s.requestRate.toFixed(1)} req/s`}${s.requestRate != null && s.requestRateHourAgo ? ` (${s.requestRate >= s.requestRateHourAgo ? '+' : ''}${Math.round(((s.requestRate - s.requestRateHourAgo) / s.requestRateHourAgo) * 100)}% vs 1h ago)` : ''}${s.problems.length ? `  [${s.problems.join('; ')}]` : ''}`,
          )
        : ['no services configured'],
    );
  }
  if ('kube' in r.sources) {
    section(
      `Unhealthy pods (${r.pods.unhealthy.length} of ${r.pods.total}):`,
      r.pods.unhealthy.length
        ? r.pods.unhealthy
            .slice(0, 20)
            .map(
              (p) => `${p.namespace}/${p.name}  ${p.status}${p.reason ? ` (${p.reason})` : ''}  restarts ${p.restarts}${p.recentRestarts ? ` (+${p.recentRestarts} in 10m)` : ''}`,
            )
        : ['none'],
    );
    if (r.pods.unhealthy.length > 20) out.push(`  … and ${r.pods.unhealthy.length - 20} more`);
    section(
      'Recent rollouts (last 2h):',
      r.recentRollouts.length
        ? r.recentRollouts.map(
            (d) =>
              `${d.namespace}/${d.name}  rev ${d.revision ?? '?'}  ${d.at ? `${formatAge(at - Date.parse(d.at))} ago` : ''}${d.rolling ? '  ROLLING' : ''}  ${d.images.join(', ')}`,
          )
        : ['none'],
    );
  }
  if (r.postgres.length) {
    section(
      'Postgres:',
      r.postgres.map((d) =>
        d.status === 'down'
          ? `${d.name} ${d.target}  DOWN: ${d.error}`
          : `${d.name} ${d.target}  ${d.total}/${d.maxConnections ?? '?'} connections (${formatPercent(d.saturation, 0)})  active ${d.byState.active} idle ${d.byState.idle} idle-in-tx ${d.byState.idleInTransaction} waiting ${d.byState.waiting}  ungranted locks ${d.ungrantedLocks}${d.longestQuerySeconds != null ? `  longest query ${formatSeconds(d.longestQuerySeconds)}` : ''}`,
      ),
    );
  }
  if (r.redis.length) {
    section(
      'Redis:',
      r.redis.flatMap((i) =>
        i.status === 'down'
          ? [`${i.name} ${i.target}  DOWN: ${i.error}`]
          : i.nodes.map(
              (n) =>
                `${i.name} ${n.address}  ${n.role ?? ''}  ping ${n.pingMs == null ? '-' : `${n.pingMs.toFixed(1)}ms`}  memory ${formatBytes(n.usedMemory)}${n.memoryRatio != null ? ` (${formatPercent(n.memoryRatio, 0)} of max)` : ''}  clients ${n.connectedClients ?? '-'}`,
            ),
      ),
    );
  }
  const problems = Object.entries(r.sources).filter(([, s]) => s.status !== 'ok');
  if (problems.length)
    section(
      'Source problems:',
      problems.map(([name, s]) => `${name}: ${s.status}${s.error ? ` — ${s.error}` : ''}`),
    );
  return out.join('\n') + '\n';
}

export async function runSnapshot(loaded: LoadedConfig, opts: { json: boolean; deadlineSeconds: number }): Promise<number> {
  const report = await collectSnapshot(loaded.config, { deadlineSeconds: opts.deadlineSeconds });
  const text = opts.json ? JSON.stringify(report, null, 2) + '\n' : formatSnapshot(report);
  process.stdout.write(maskSecrets(text, loaded.secrets));
  const sources = Object.values(report.sources);
  const code = sources.length && sources.every((s) => s.status === 'down') ? 1 : 0;
  // A backend that never answered may still hold a socket open; the report is out, so go.
  setTimeout(() => process.exit(code), 50).unref();
  return code;
}
