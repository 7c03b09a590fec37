// Status updates in the runbooks' four states (investigating / identified / monitoring / resolved)
// with their template fields: what we know, current actions, impact, next update.
//
//   prefillFields(incident, {suggestion?, signals?, now, cadenceMinutes?}) → UpdateFields
//   composeUpdate(incident, fields, {audience, now?, id?}) → ComposedUpdate
//
// A ComposedUpdate carries the text for every sink: Slack (plain text + blocks), Statuspage
// (name / status / body + component status) and a generic JSON webhook. It never contains secrets.
import { randomUUID } from 'node:crypto';
import type { Signals } from './severity.js';
import type { IncidentInfo, IncidentStatus, Severity, SeveritySuggestion } from './types.js';

export interface UpdateFields {
  whatWeKnow: string;
  currentActions: string;
  impact: string;
  /** Free text, e.g. "17:20 UTC" or "when resolved". */
  nextUpdate: string;
  /** The public wording for the status page, when it should differ from the fields above. */
  externalText?: string;
}

export type Audience = 'internal' | 'external';

export type ComponentStatus = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance';

export interface ComposedUpdate {
  /** Unique per update; the outbox keys deliveries on it. */
  id: string;
  incidentId: string;
  audience: Audience;
  status: IncidentStatus;
  severity: Severity;
  at: number;
  fields: UpdateFields;
  slack: { text: string; blocks: unknown[] };
  statuspage: { name: string; status: IncidentStatus; body: string; componentStatus: ComponentStatus };
}

export const STATUS_HEADLINE: Record<IncidentStatus, string> = {
  investigating: 'We are investigating',
  identified: 'The issue has been identified',
  monitoring: 'A fix has been applied and we are monitoring the results',
  resolved: 'This incident has been resolved',
};

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

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function prefillFields(
  incident: IncidentInfo,
  opts: { now: number; suggestion?: SeveritySuggestion; signals?: Signals; cadenceMinutes?: Record<Severity, number> },
): UpdateFields {
  const known: string[] = [];
  if (opts.suggestion?.severity) known.push(`Signals: ${opts.suggestion.rule}`);
  for (const s of opts.signals?.services ?? []) {
    const parts: string[] = [];
    if (s.errorRate != null) parts.push(`5xx ${(s.errorRate * 100).toFixed(1)}%`);
    if (s.p95Seconds != null) parts.push(`p95 ${s.p95Seconds.toFixed(2)}s`);
    if (s.podsDesired != null) parts.push(`${s.podsReady ?? 0}/${s.podsDesired} pods ready`);
    if (parts.length) known.push(`${s.name}: ${parts.join(', ')}`);
  }
  for (const d of opts.signals?.degraded ?? []) known.push(cap(d));
  const status = incident.status;
  const cadence = opts.cadenceMinutes?.[incident.severity];
  return {
    whatWeKnow: known.join('\n') || incident.title,
    currentActions: status === 'resolved' ? 'None; monitoring confirms recovery' : status === 'monitoring' ? 'Monitoring the fix' : 'Investigating',
    impact: status === 'resolved' ? 'None now' : `Users may experience problems: ${incident.title.toLowerCase()}`,
    nextUpdate: status === 'resolved' ? 'none (resolved)' : cadence ? hhmmUtc(opts.now + cadence * 60_000) : 'soon',
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

export function composeUpdate(incident: IncidentInfo, fields: UpdateFields, opts: { audience: Audience; now?: number; id?: string }): ComposedUpdate {
  const now = opts.now ?? Date.now();
  const id = opts.id ?? `u-${randomUUID()}`;
  const status = incident.status;
  const first = incident.lastUpdateAt == null && status !== 'resolved';
  const headline =
    status === 'resolved' ? `✅ RESOLVED - ${hhmmUtc(now)}` : first ? `🚨 INCIDENT DECLARED - ${hhmmUtc(now)}` : `⏰ UPDATE - ${hhmmUtc(now)}`;

  let text: string;
  if (opts.audience === 'internal') {
    const lines = [
      `${headline}: ${incident.title}`,
      `Severity: ${incident.severity}    Status: ${cap(status)}    Duration: ${minutes(now - incident.declaredAt)}`,
    ];
    if (incident.commander || incident.comms) lines.push(`IC: ${incident.commander ?? '-'}    Comms: ${incident.comms ?? '-'}`);
    lines.push('', 'What we know:', bullets(fields.whatWeKnow), '', 'Current actions:', bullets(fields.currentActions), '', 'Impact:', bullets(fields.impact), '', `Next update: ${fields.nextUpdate}`);
    text = lines.join('\n');
  } else if (fields.externalText?.trim()) {
    const lines = [`${status.toUpperCase()} - ${hhmmUtc(now)}: ${incident.title}`, '', fields.externalText.trim()];
    if (status !== 'resolved') lines.push('', `Next update: ${fields.nextUpdate}`);
    text = lines.join('\n');
  } else {
    const lines = [`${status.toUpperCase()} - ${hhmmUtc(now)}: ${incident.title}`, '', fields.whatWeKnow.trim(), '', `Impact: ${fields.impact.trim()}`];
    if (status !== 'resolved') lines.push('', `Next update: ${fields.nextUpdate}`);
    text = lines.join('\n');
  }

  const section = (title: string, body: string) => ({ type: 'section', text: { type: 'mrkdwn', text: `*${title}*\n${body}` } });
  const blocks: unknown[] = [
    { type: 'header', block_id: `warroom-${id}`, text: { type: 'plain_text', text: `${headline.replace(/ - .*/, '')}: ${incident.title}`.slice(0, 150) } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text:
            opts.audience === 'internal'
              ? `*${incident.severity}* · ${cap(status)} · ${hhmmUtc(now)} · IC ${incident.commander ?? '-'}`
              : `${cap(status)} · ${hhmmUtc(now)}`,
        },
      ],
    },
    section('What we know', bullets(fields.whatWeKnow)),
  ];
  if (opts.audience === 'internal') blocks.push(section('Current actions', bullets(fields.currentActions)));
  blocks.push(section('Impact', bullets(fields.impact)));
  if (status !== 'resolved') blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Next update: ${fields.nextUpdate}` }] });

  const spBody = (fields.externalText?.trim() ? [`${STATUS_HEADLINE[status]}.`, fields.externalText.trim()] : [`${STATUS_HEADLINE[status]}.`, fields.whatWeKnow.trim(), fields.impact.trim() ? `Impact: ${fields.impact.trim()}` : ''])
    .filter(Boolean)
    .join('\n\n');

  return {
    id,
    incidentId: incident.id,
    audience: opts.audience,
    status,
    severity: incident.severity,
    at: now,
    fields,
    slack: { text, blocks },
    statuspage: {
      name: incident.title,
      status,
      body: spBody,
      componentStatus: status === 'resolved' ? 'operational' : COMPONENT_BY_SEVERITY[incident.severity],
    },
  };
}
