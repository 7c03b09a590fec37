// Status updates in the runbooks' four states (investigating / identified / monitoring / resolved),
// for two audiences:
//   internal (Slack, webhook by default): what we know, current actions, impact, next update;
//   public (Statuspage by default): the public title, the public message and the component status,
//     nothing else. The public update is built only from those fields, so no pod, alert, host or
//     signal value can reach a public page unless someone types it there (and publicLeaks() stops that).
//
//   prefillFields(incident, {status?, suggestion?, signals?, timeline?, now, cadenceMinutes?, rateWindow?}) → UpdateFields
//   composeUpdate(incident, fields, {audience, status?, now?, id?}) → ComposedUpdate
//   defaultPublicTitle(components) / defaultPublicMessage(status, components, problem?)
//   publicLeaks(text, identifiers) → the internal identifiers (and IP addresses) found in text
import { randomUUID } from 'node:crypto';
import type { Signals } from './severity.js';
import { actedOnSystems, type IncidentInfo, type IncidentStatus, type Severity, type SeveritySuggestion, type TimelineEntry } from './types.js';

export interface UpdateFields {
  whatWeKnow: string;
  currentActions: string;
  impact: string;
  /** Free text, e.g. "17:20 UTC" or "when resolved". */
  nextUpdate: string;
  /** What a public page shows as the incident's name (default: from the affected components). */
  publicTitle?: string;
  /** The whole public message (default: the runbook wording for the state). */
  publicMessage?: string;
}

export type Audience = 'internal' | 'public';

export type ComponentStatus = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance';

export interface ComposedUpdate {
  /** Unique per update; the outbox keys deliveries on it. */
  id: string;
  incidentId: string;
  audience: Audience;
  status: IncidentStatus;
  severity: Severity;
  at: number;
  /** The fields this audience may see (a public update carries only the public ones). */
  fields: Partial<UpdateFields>;
  /** The title every sink shows: the internal title, or the public one (absent in older outbox files). */
  title?: string;
  slack: { text: string; blocks: unknown[] };
  statuspage: { name: string; status: IncidentStatus; body: string; componentStatus: ComponentStatus };
}

export const STATUSES: IncidentStatus[] = ['investigating', 'identified', 'monitoring', 'resolved'];

const COMPONENT_BY_SEVERITY: Record<Severity, ComponentStatus> = {
  P0: 'major_outage',
  P1: 'partial_outage',
  P2: 'degraded_performance',
  P3: 'degraded_performance',
};

export function hhmmUtc(at: number): string {
  return `${new Date(at).toISOString().slice(11, 16)} UTC`;
}

function minutes(ms: number): string {
  const m = Math.max(0, Math.round(ms / 60_000));
  return m < 60 ? `${m} minute${m === 1 ? '' : 's'}` : `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "A", "A and B", "A, B and C". */
function listing(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function defaultPublicTitle(components: readonly string[]): string {
  return components.length ? `Degraded service: ${listing(components)}` : 'Degraded service';
}

/** What customers notice, in their words; decided from the signals, never quoting them. */
export type PublicProblem = 'errors' | 'slowness' | 'problems';

export function publicProblem(signals: Signals | undefined, thresholds?: { errorRate: number; p95Seconds: number }): PublicProblem {
  const t = thresholds ?? { errorRate: 0.05, p95Seconds: 2 };
  const svcs = signals?.services ?? [];
  if (svcs.some((s) => s.allPodsNotReady || (s.errorRate ?? 0) >= t.errorRate)) return 'errors';
  if (svcs.some((s) => (s.p95Seconds ?? 0) >= t.p95Seconds)) return 'slowness';
  return 'problems';
}

const PROBLEM_WORDS: Record<PublicProblem, string> = { errors: 'errors', slowness: 'slow responses', problems: 'problems' };

/** The runbooks' customer-facing wording, one message per state. */
export function defaultPublicMessage(status: IncidentStatus, components: readonly string[], problem: PublicProblem = 'problems'): string {
  const what = components.length ? listing(components) : 'some of our services';
  const are = components.length === 1 ? 'is' : 'are';
  switch (status) {
    case 'investigating':
      return `We are investigating reports of ${PROBLEM_WORDS[problem]} affecting ${what}. Some requests may fail or be slow.`;
    case 'identified':
      return `We have identified the cause of the ${PROBLEM_WORDS[problem]} affecting ${what} and are working on a fix. Some requests may fail or be slow until then.`;
    case 'monitoring':
      return `A fix has been applied and we are monitoring the results. ${cap(what)} should be working normally again.`;
    case 'resolved':
      return `This incident has been resolved. ${cap(what)} ${are} operating normally. We apologize for any inconvenience.`;
  }
}

/** IPv4 addresses, and IPv6 ones with at least three groups. */
const IP = /\b(?:\d{1,3}\.){3}\d{1,3}\b|\b(?:[0-9a-f]{1,4}:){2,7}[0-9a-f]{1,4}\b/gi;

/**
 * What a signal reads like: a percentage ("18.3%"), a ratio ("0.183"), a latency ("2.17s",
 * "350ms") or its name ("p95", "5xx"). Customers get words, never the cockpit's figures.
 */
const SIGNAL_VALUE = /\b\d+(?:[.,]\d+)?\s?%|\b0\.\d{2,}\b|\b\d+\.\d+\s?s\b|\b\d+(?:\.\d+)?\s?ms\b|\bp(?:50|75|90|95|99|999)\b|\b[45]xx\b/gi;

/**
 * The internal details found in a public text: any of `identifiers` as a whole word
 * (case-sensitive: "API" as a component name is fine, the deployment "api" is not), IP addresses
 * and signal values.
 */
export function publicLeaks(text: string, identifiers: Iterable<string>): string[] {
  const found = new Set<string>();
  for (const id of identifiers) {
    if (!id || id.length < 2) continue;
    const re = new RegExp(`(^|[^A-Za-z0-9_-])${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_-])`);
    if (re.test(text)) found.add(id);
  }
  for (const m of text.match(IP) ?? []) found.add(m);
  for (const m of text.replace(IP, ' ').match(SIGNAL_VALUE) ?? []) found.add(m.trim());
  return [...found];
}

function pct(r: number): string {
  return `${(r * 100).toFixed(1)}%`;
}

/** Actions journaled since the declaration, with their time and outcome: "17:32 Roll back shop/api: … rollout complete". */
function actionLines(timeline: readonly TimelineEntry[], since: number): string[] {
  return timeline
    .filter((e) => e.at >= since && (e.kind === 'action.succeeded' || e.kind === 'action.failed' || e.kind === 'silence.created') && actedOnSystems(e))
    .map((e) => `${hhmmUtc(e.at).replace(' UTC', '')} ${e.summary}`);
}

export interface PrefillOptions {
  now: number;
  /** The state the update announces; default the incident's. */
  status?: IncidentStatus;
  suggestion?: SeveritySuggestion;
  signals?: Signals;
  /** The incident's journal, for the actions taken and what changed. */
  timeline?: readonly TimelineEntry[];
  /** Alerts firing now: "HighErrorRate (api)" and their summary. */
  alerts?: ReadonlyArray<{ label: string; summary: string | null }>;
  cadenceMinutes?: Record<Severity, number>;
  /** The window the signals are measured over ("1m"). */
  rateWindow?: string;
  /** Thresholds that decide whether customers see errors or slowness. */
  problemThresholds?: { errorRate: number; p95Seconds: number };
  /** Each service's worst figures seen since the declaration, and when. */
  peaks?: ReadonlyMap<string, ServicePeak>;
}

export interface ServicePeak {
  errorRate: number | null;
  errorRateAt: number | null;
  p95Seconds: number | null;
  p95At: number | null;
}

/** " (peak 44.4% at 17:26 UTC)" when the worst figure since the declaration is clearly above the current one. */
function peakNote(now: number | null, peak: number | null, at: number | null, fmt: (v: number) => string): string {
  if (peak == null || at == null || (now != null && peak <= now * 1.1)) return '';
  return ` (peak ${fmt(peak)} at ${hhmmUtc(at)})`;
}

export function prefillFields(incident: IncidentInfo, opts: PrefillOptions): UpdateFields {
  const status = opts.status ?? incident.status;
  const window = opts.rateWindow ? ` over ${opts.rateWindow}` : '';
  const known: string[] = [];
  if (opts.suggestion?.severity) known.push(`Signals: ${opts.suggestion.rule}`);
  // Each firing alert by name with its summary, rather than "3 alerts firing (HighErrorRate, …)".
  for (const a of opts.alerts ?? []) known.push(`${a.label} firing${a.summary ? `: ${a.summary}` : ''}`);
  for (const d of opts.signals?.degraded ?? []) if (!(opts.alerts?.length && / alerts? firing \(/.test(d))) known.push(cap(d));
  // What changed before it: the rollouts journaled at the declaration.
  for (const e of opts.timeline ?? []) if (e.kind === 'change.observed' || e.kind === 'change.external') known.push(e.summary);

  const impact: string[] = [];
  const secs = (v: number) => `${v.toFixed(2)}s`;
  for (const s of opts.signals?.services ?? []) {
    const parts: string[] = [];
    const peak = opts.peaks?.get(s.name);
    if (s.errorRate != null) parts.push(`5xx ${pct(s.errorRate)}${peakNote(s.errorRate, peak?.errorRate ?? null, peak?.errorRateAt ?? null, pct)}`);
    if (s.p95Seconds != null) parts.push(`p95 ${secs(s.p95Seconds)}${peakNote(s.p95Seconds, peak?.p95Seconds ?? null, peak?.p95At ?? null, secs)}`);
    if (s.podsDesired != null) parts.push(`${s.podsReady ?? 0}/${s.podsDesired} pods ready`);
    if (parts.length) impact.push(`${s.name}: ${parts.join(', ')}`);
  }
  // Which window the rates are over, said once.
  if (impact.length && window) impact.push(`(rates${window})`);

  const actions = actionLines(opts.timeline ?? [], incident.declaredAt);
  const cadence = opts.cadenceMinutes?.[incident.severity];
  const components = incident.components ?? [];
  return {
    whatWeKnow: known.join('\n') || incident.title,
    currentActions: actions.length ? actions.join('\n') : status === 'resolved' ? 'None' : 'Investigating',
    impact: impact.join('\n') || (status === 'resolved' ? 'None now' : 'Not measured yet'),
    nextUpdate: status === 'resolved' ? 'none (resolved)' : cadence ? hhmmUtc(opts.now + cadence * 60_000) : 'soon',
    publicTitle: incident.publicTitle ?? defaultPublicTitle(components),
    publicMessage: defaultPublicMessage(status, components, publicProblem(opts.signals, opts.problemThresholds)),
  };
}

function bullets(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => (l.startsWith('- ') ? l : `- ${l}`))
    .join('\n');
}

export function composeUpdate(incident: IncidentInfo, fields: UpdateFields, opts: { audience: Audience; status?: IncidentStatus; now?: number; id?: string }): ComposedUpdate {
  const now = opts.now ?? Date.now();
  const id = opts.id ?? `u-${randomUUID()}`;
  const status = opts.status ?? incident.status;
  const componentStatus = status === 'resolved' ? 'operational' : COMPONENT_BY_SEVERITY[incident.severity];
  const section = (title: string, body: string) => ({ type: 'section', text: { type: 'mrkdwn', text: `*${title}*\n${body}` } });
  const nextLine = status !== 'resolved' && fields.nextUpdate.trim() ? `Next update: ${fields.nextUpdate.trim()}` : null;

  if (opts.audience === 'public') {
    const components = incident.components ?? [];
    const title = fields.publicTitle?.trim() || incident.publicTitle || defaultPublicTitle(components);
    const message = fields.publicMessage?.trim() || defaultPublicMessage(status, components);
    const text = [`${cap(status)} - ${hhmmUtc(now)}: ${title}`, '', message, ...(nextLine ? ['', nextLine] : [])].join('\n');
    const blocks: unknown[] = [
      { type: 'header', block_id: `warroom-${id}`, text: { type: 'plain_text', text: title.slice(0, 150) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${cap(status)} · ${hhmmUtc(now)}` }] },
      { type: 'section', text: { type: 'mrkdwn', text: message } },
    ];
    if (nextLine) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: nextLine }] });
    return {
      id,
      incidentId: incident.id,
      audience: 'public',
      status,
      severity: incident.severity,
      at: now,
      fields: { publicTitle: title, publicMessage: message, nextUpdate: fields.nextUpdate },
      title,
      slack: { text, blocks },
      statuspage: { name: title, status, body: message, componentStatus },
    };
  }

  const first = incident.lastUpdateAt == null && status !== 'resolved';
  const headline = status === 'resolved' ? `✅ RESOLVED - ${hhmmUtc(now)}` : first ? `🚨 INCIDENT DECLARED - ${hhmmUtc(now)}` : `⏰ UPDATE - ${hhmmUtc(now)}`;
  const lines = [`${headline}: ${incident.title}`, `Severity: ${incident.severity}    Status: ${cap(status)}    Duration: ${minutes(now - incident.declaredAt)}`];
  if (incident.commander || incident.comms) lines.push(`IC: ${incident.commander ?? '-'}    Comms: ${incident.comms ?? '-'}`);
  lines.push('', 'What we know:', bullets(fields.whatWeKnow), '', 'Current actions:', bullets(fields.currentActions), '', 'Impact:', bullets(fields.impact));
  if (nextLine) lines.push('', nextLine);
  const blocks: unknown[] = [
    { type: 'header', block_id: `warroom-${id}`, text: { type: 'plain_text', text: `${headline.replace(/ - .*/, '')}: ${incident.title}`.slice(0, 150) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `*${incident.severity}* · ${cap(status)} · ${hhmmUtc(now)} · IC ${incident.commander ?? '-'}` }] },
    section('What we know', bullets(fields.whatWeKnow)),
    section('Current actions', bullets(fields.currentActions)),
    section('Impact', bullets(fields.impact)),
  ];
  if (nextLine) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: nextLine }] });
  const internalFields = { whatWeKnow: fields.whatWeKnow, currentActions: fields.currentActions, impact: fields.impact, nextUpdate: fields.nextUpdate };
  return {
    id,
    incidentId: incident.id,
    audience: 'internal',
    status,
    severity: incident.severity,
    at: now,
    fields: internalFields,
    title: incident.title,
    slack: { text: lines.join('\n'), blocks },
    // An internal update sent to a status-page sink configured as internal (a private page).
    statuspage: {
      name: incident.title,
      status,
      body: [fields.whatWeKnow, fields.currentActions, fields.impact]
        .map((s) => s.trim())
        .filter(Boolean)
        .join('\n\n'),
      componentStatus,
    },
  };
}
