// The post-mortem draft (DESIGN §5), built from an incident's journal.
//
//   buildPostmortem(entries, {impact?, problems?, secrets?}) → {markdown, json}
//   writePostmortem(stateDir, incidentId?, outFile?, opts?) → {markdownPath, jsonPath, incidentId}
//     (the CLI `warroom postmortem [INCIDENT] [--out FILE]`; default: the most recent incident;
//      writes <id>.md and <id>.json in the current directory, or FILE and FILE's .json sibling)
//   PostmortemError: "no incidents recorded in DIR" / "unknown incident X; known: a, b"
//
// Times (the rules are printed in the document too):
//   detected  = the first alert fired or severity suggested at P2 or above, at or before the
//               declaration (else the declaration);
//   recovered = the first suggestion below P2 (or "all clear") after the last one at P2 or above,
//               or the moment every alert that fired had resolved, whichever came first;
//   mitigated = the last successful action (not an incident bookkeeping one) between detection and
//               recovery, or the recovery itself when none was taken;
//   resolved  = the last change of state to resolved.
// Durations are derived from them; a missing time shows as "—".
import path from 'node:path';
import { foldIncident, listIncidents, readJournal, redactDeep } from './journal.js';
import { writePrivate } from '../util/private-files.js';
import { actedOnSystems, type IncidentInfo, type Severity, type TimelineEntry } from './types.js';
import { incidentChannel, linkedPages } from '../paging/services.js';

/** Figures the caller fetched from Prometheus for the incident window. */
export interface ImpactFigures {
  /** 0..1 */
  peakErrorRate?: number | null;
  peakP95Seconds?: number | null;
  /** The same peaks per service, so a figure names the service it belongs to. */
  services?: ServicePeaks[];
  /** Estimated failed requests over the window. */
  requestsFailed?: number | null;
  /** Free text: "all API users", or a query that produced the figures. */
  notes?: string[];
}

export interface ServicePeaks {
  service: string;
  peakErrorRate: number | null;
  peakP95Seconds: number | null;
}

/** "16.7% (api; checkout 0.4%)": the peak, whose it is, and the other services' peaks beside it. */
function peakLine(overall: number, services: ServicePeaks[] | undefined, pick: (s: ServicePeaks) => number | null, fmt: (v: number) => string): string {
  const known = (services ?? []).flatMap((s) => {
    const v = pick(s);
    return v == null ? [] : [{ service: s.service, v }];
  });
  if (known.length === 0) return fmt(overall);
  known.sort((a, b) => b.v - a.v);
  const [top, ...rest] = known;
  const others = rest.map((r) => `${r.service} ${fmt(r.v)}`).join(', ');
  return `${fmt(top!.v)} (${top!.service}${others ? `; ${others}` : ''})`;
}

export interface PostmortemOptions {
  impact?: ImpactFigures;
  /** Journal problems to mention (a torn line…). */
  problems?: string[];
  secrets?: string[];
}

export interface PostmortemJson {
  incident: IncidentInfo | null;
  severity: { peak: Severity | null; final: Severity | null; rule: string | null };
  times: { detected: number | null; declared: number | null; mitigated: number | null; recovered: number | null; resolved: number | null };
  /** What changed before detection: rollouts with revision, image diff and change-cause. */
  changes: Array<{ at: number; summary: string }>;
  /** Changes made by others during the incident, as seen through the watch. */
  externalChanges: Array<{ at: number; summary: string }>;
  durations: { toDeclareMs: number | null; toMitigateMs: number | null; toResolveMs: number | null };
  impact: ImpactFigures | null;
  timeline: Array<{ at: number; kind: string; actor: string; source: string; summary: string; details: string }>;
  actions: Array<{ at: number; kind: string; actor: string; summary: string; before: unknown; after: unknown }>;
  communications: Array<{
    at: number;
    kind: string;
    summary: string;
    sink: string | null;
    state: string | null;
    link?: string | null;
    said?: string | null;
    publicSaid?: string | null;
  }>;
  /** The incident channel (name, its first message's link) and the PagerDuty incidents linked. */
  channel: { name: string | null; id: string; permalink: string | null } | null;
  pages: string[];
  problems: string[];
}

const RANK: Record<Severity, number> = { P0: 0, P1: 1, P2: 2, P3: 3 };

export class PostmortemError extends Error {}

function iso(at: number | null): string {
  return at == null
    ? '—'
    : new Date(at)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');
}

export function formatDuration(ms: number | null): string {
  if (ms == null || !Number.isFinite(ms)) return '—';
  const s = Math.round(Math.max(0, ms) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return sec ? `${m}m ${sec}s` : `${m}m`;
  return `${sec}s`;
}

function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** Before/after of an action: `before`/`after`, or the kube actions' `revisionBefore`/`revisionAfter`. */
function revisions(r: Record<string, unknown>): [unknown, unknown] {
  const rev = (v: unknown) => (v == null ? null : { revision: v });
  return [r.before ?? rev(r.revisionBefore), r.after ?? rev(r.revisionAfter)];
}

function details(e: TimelineEntry): string {
  const parts: string[] = [];
  if (e.evidence?.rule) parts.push(e.evidence.rule);
  else if (e.evidence?.value != null) parts.push(`value ${e.evidence.value}${e.evidence.threshold != null ? ` (threshold ${e.evidence.threshold})` : ''}`);
  if (e.body && !e.kind.startsWith('update.')) parts.push(e.body.split('\n')[0]!.slice(0, 160));
  const r = (e.refs ?? {}) as Record<string, unknown>;
  if (r.object) parts.push(String(r.object));
  const [before, after] = revisions(r);
  if (before != null || after != null) parts.push(`${fmtRev(before)} → ${fmtRev(after)}`);
  if (e.kind.startsWith('update.') && e.delivery) {
    const d = e.delivery as Record<string, unknown>;
    parts.push(`${d.sink ?? ''} ${d.state ?? ''}${d.attempts ? ` (attempts ${d.attempts})` : ''}${d.error && d.state !== 'delivered' ? `: ${d.error}` : ''}`.trim());
  }
  return parts.join('; ');
}

function fmtRev(v: unknown): string {
  if (v == null) return '—';
  if (typeof v !== 'object') return String(v);
  const o = v as Record<string, unknown>;
  const bits = [];
  if (o.revision != null) bits.push(`rev ${o.revision}`);
  if (o.replicas != null) bits.push(`${o.replicas} replicas`);
  if (Array.isArray(o.images)) bits.push(o.images.join(', '));
  return bits.length ? bits.join(' ') : JSON.stringify(o);
}

export function buildPostmortem(rawEntries: readonly TimelineEntry[], opts: PostmortemOptions = {}): { markdown: string; json: PostmortemJson } {
  const entries = [...redactDeep(rawEntries as TimelineEntry[], opts.secrets ?? [])].sort((a, b) => a.at - b.at);
  const info = foldIncident(entries);
  const declaredE = entries.find((e) => e.kind === 'incident.declared');
  const declared = declaredE?.at ?? null;
  const atOrAbove = (e: TimelineEntry) => {
    const sev = e.refs?.severity as Severity | null | undefined;
    return sev != null && RANK[sev] <= RANK.P2;
  };
  const detection = entries.find((e) => (e.kind === 'alert.fired' || (e.kind === 'severity.suggested' && atOrAbove(e))) && (declared == null || e.at <= declared));
  const detected = detection && declared != null ? Math.min(detection.at, declared) : declared;
  const recovered = recoveryTime(entries, detected);
  const mitigatingAction =
    recovered == null
      ? undefined
      : [...entries].reverse().find((e) => e.kind === 'action.succeeded' && e.at <= recovered && (detected == null || e.at >= detected) && actedOnSystems(e));
  const mitigated = mitigatingAction?.at ?? recovered;
  const resolvedEntries = entries.filter((e) => e.kind === 'status.changed' && e.refs?.to === 'resolved');
  const resolved = info?.status === 'resolved' ? (resolvedEntries[resolvedEntries.length - 1]?.at ?? null) : null;
  const diff = (a: number | null, b: number | null) => (a != null && b != null ? b - a : null);

  // Severity: peak over declared + every change; the rule is the reason given or the suggestion that matched.
  const sevs: Array<{ sev: Severity; rule: string | null }> = [];
  if (declaredE) {
    const sev = (declaredE.refs?.severity ?? declaredE.severity) as Severity;
    // The suggestion recorded at declaration explains the severity only if it suggested that one.
    const suggested = declaredE.evidence?.value;
    sevs.push({ sev, rule: suggested === undefined || suggested === sev ? (declaredE.evidence?.rule ?? null) : null });
  }
  for (const e of entries) if (e.kind === 'severity.changed') sevs.push({ sev: e.refs?.to as Severity, rule: (e.refs?.reason as string) ?? e.evidence?.rule ?? null });
  let peak: (typeof sevs)[number] | null = null;
  for (const s of sevs) if (s.sev && (!peak || RANK[s.sev] < RANK[peak.sev])) peak = s;
  const suggestions = entries.filter((e) => e.kind === 'severity.suggested' && e.refs?.severity === peak?.sev);
  const peakRule = peak?.rule ?? (suggestions[0]?.refs?.rule as string | undefined) ?? null;

  // An entry another cockpit journaled (through the incident channel) says whose it is.
  const timeline = entries.map((e) => ({
    at: e.at,
    kind: e.kind,
    actor: e.origin ? `${e.actor} (${e.origin.from})` : e.actor,
    source: e.source,
    summary: e.summary,
    details: details(e),
  }));
  const actions = entries
    .filter((e) => (e.kind.startsWith('action.') || e.kind === 'silence.created') && actedOnSystems(e))
    .map((e) => {
      const [before, after] = revisions((e.refs ?? {}) as Record<string, unknown>);
      return { at: e.at, kind: e.kind, actor: e.actor, summary: e.summary, before, after };
    });
  const channel = incidentChannel(entries);
  // A message's link is the first message's, with its own ts (Slack's archive links: …/archives/C…/p<ts without the dot>).
  const archive = channel?.permalink?.match(/^(.*\/archives\/[A-Z0-9]+\/)p\d+/)?.[1] ?? null;
  const linkOf = (e: TimelineEntry) => {
    const ts = e.refs?.messageId;
    return archive && e.kind === 'update.delivered' && e.delivery?.sink === 'slack-channel' && typeof ts === 'string' && /^\d+\.\d+$/.test(ts)
      ? `${archive}p${ts.replace('.', '')}`
      : null;
  };
  // Status updates, and what was done to pages and the channel (acknowledged, escalated, opened).
  const communications = entries
    .filter((e) => e.kind.startsWith('update.') || (e.kind === 'action.succeeded' && String(e.refs?.action ?? '').startsWith('paging.')))
    .map((e) => ({
      at: e.at,
      kind: e.kind,
      summary: e.summary,
      sink: (e.delivery?.sink as string) ?? null,
      state: (e.delivery?.state as string) ?? null,
      link: linkOf(e),
      ...(e.kind === 'update.queued' ? { said: e.body ?? null, publicSaid: typeof e.refs?.publicText === 'string' ? e.refs.publicText : null } : {}),
    }));

  const json: PostmortemJson = {
    incident: info,
    severity: { peak: peak?.sev ?? null, final: info?.severity ?? null, rule: peakRule },
    times: { detected, declared, mitigated, recovered, resolved },
    changes: entries.filter((e) => e.kind === 'change.observed').map((e) => ({ at: e.at, summary: e.summary })),
    externalChanges: entries.filter((e) => e.kind === 'change.external').map((e) => ({ at: e.at, summary: e.summary })),
    durations: { toDeclareMs: diff(detected, declared), toMitigateMs: diff(detected, mitigated), toResolveMs: diff(detected, resolved) },
    impact: opts.impact ?? null,
    timeline,
    actions,
    communications,
    channel: channel ? { name: channel.name, id: channel.id, permalink: channel.permalink } : null,
    pages: linkedPages(entries),
    problems: opts.problems ?? [],
  };

  const md: string[] = [];
  const title = info?.title ?? 'Unknown incident';
  md.push(`# Post-mortem: ${title}`, '');
  md.push(`_Draft generated by warroom from the incident journal \`${info?.id ?? '?'}\`. Blameless: describe systems and decisions, not people._`, '');
  md.push('## Summary', '');
  md.push(
    `${info?.severity ?? '?'} incident "${title}", detected ${iso(detected)}, ${resolved != null ? `resolved ${iso(resolved)} after ${formatDuration(json.durations.toResolveMs)}` : `still ${info?.status ?? 'open'}`}.` +
      ` Incident commander: ${info?.commander ?? '—'}. Comms: ${info?.comms ?? '—'}.`,
    '',
    '_What happened, in two or three sentences:_',
    '',
  );
  md.push('## Severity', '');
  // The rule as it read when the level was set or first suggested; the Impact section has the peaks.
  md.push(`- Peak: **${json.severity.peak ?? '—'}**${peakRule ? ` (when set: ${peakRule})` : ''}`);
  md.push(`- Final: **${json.severity.final ?? '—'}**`, '');
  md.push('## Times (UTC)', '');
  md.push('| | Time | Since detection |', '|---|---|---|');
  md.push(`| Detected | ${iso(detected)} | 0s |`);
  md.push(`| Declared | ${iso(declared)} | ${formatDuration(json.durations.toDeclareMs)} |`);
  md.push(`| Mitigated | ${iso(mitigated)} | ${formatDuration(json.durations.toMitigateMs)} |`);
  md.push(`| Resolved | ${iso(resolved)} | ${formatDuration(json.durations.toResolveMs)} |`, '');
  md.push(
    `Time to declare: ${formatDuration(json.durations.toDeclareMs)}. Time to mitigate: ${formatDuration(json.durations.toMitigateMs)}. Time to resolve: ${formatDuration(json.durations.toResolveMs)}.`,
    '',
  );
  md.push(
    '_How these times are read from the journal: **detected** is the first alert that fired or severity suggested at P2 or above, at or before the declaration; ' +
      '**mitigated** is the last successful action before the signals recovered (the first suggestion below P2 after the last one at P2 or above, or every alert resolved, whichever came first), or, when no action came before the recovery, the recovery itself' +
      `${mitigatingAction ? ` (here: the action "${mitigatingAction.summary.replace(/_/g, '\\_')}")` : recovered != null ? ' (here: the recovery; no action came before it)' : ' (here: the signals had not recovered)'}` +
      '; **resolved** is when the incident was set to resolved._',
    '',
  );
  md.push('## What changed', '');
  if (json.changes.length === 0) md.push('- No deployment was rolled out in the 2 hours before detection.');
  for (const c of json.changes) md.push(`- ${iso(c.at)} — ${c.summary}`);
  md.push('');
  md.push('## Impact', '');
  const im = opts.impact;
  if (im) {
    if (im.peakErrorRate != null)
      md.push(
        `- Peak error rate: ${peakLine(
          im.peakErrorRate,
          im.services,
          (s) => s.peakErrorRate,
          (v) => `${(v * 100).toFixed(1)}%`,
        )}`,
      );
    if (im.peakP95Seconds != null)
      md.push(
        `- Peak p95 latency: ${peakLine(
          im.peakP95Seconds,
          im.services,
          (s) => s.peakP95Seconds,
          (v) => `${v.toFixed(2)}s`,
        )}`,
      );
    if (im.requestsFailed != null) md.push(`- Requests failed (estimate): ${Math.round(im.requestsFailed).toLocaleString('en-US')}`);
    for (const n of im.notes ?? []) md.push(`- ${n}`);
  } else md.push('- _No figures from Prometheus for this window; fill in users affected and requests failed._');
  md.push('', '## Timeline', '');
  md.push('| Time UTC | Event | Actor | Source | Details |', '|---|---|---|---|---|');
  for (const t of timeline) md.push(`| ${iso(t.at).replace(' UTC', '')} | ${cell(t.summary)} | ${cell(t.actor)} | ${cell(t.source)} | ${cell(t.details)} |`);
  md.push('', '## Actions taken', '');
  if (actions.length === 0) md.push('- None recorded.');
  for (const a of actions) {
    const rev = a.before != null || a.after != null ? ` (before: ${fmtRev(a.before)}; after: ${fmtRev(a.after)})` : '';
    md.push(`- ${iso(a.at)} — ${a.summary} [${a.kind.replace('action.', '')}, ${a.actor}]${rev}`);
  }
  md.push('', '## Changes made by others', '');
  if (json.externalChanges.length === 0) md.push('- None seen.');
  for (const c of json.externalChanges) md.push(`- ${iso(c.at)} — ${c.summary}`);
  md.push('', '## Communications', '');
  if (channel) md.push(`- Incident channel: #${channel.name ?? channel.id}${channel.permalink ? ` (first message: ${channel.permalink})` : ''}`);
  if (json.pages.length) md.push(`- PagerDuty incidents: ${json.pages.join(', ')}`);
  if (communications.length === 0) md.push('- No status updates were posted.');
  const quote = (text: string) => text.split('\n').map((l) => (l.trim() ? `  > ${l}` : '  >'));
  for (const c of communications) {
    md.push(`- ${iso(c.at)} — ${c.summary}${c.state ? ` (${c.sink}: ${c.state})` : ''}${c.link ? ` ${c.link}` : ''}`);
    // What was said, word for word: the internal text, then what the public page got.
    if (c.said) md.push(...quote(c.said));
    if (c.publicSaid) md.push('  Public:', ...quote(c.publicSaid));
  }
  md.push(
    '',
    '## Root cause',
    '',
    '_To be written._',
    '',
    '## Contributing factors',
    '',
    '_To be written._',
    '',
    '## What went well',
    '',
    '_To be written._',
    '',
    '## What could be improved',
    '',
    '_To be written._',
    '',
  );
  md.push('## Action items', '', '| Action | Owner | Due date | Status |', '|---|---|---|---|', '| | | | |', '');
  if (json.problems.length) {
    md.push('## Journal problems', '');
    for (const p of json.problems) md.push(`- ${p}`);
    md.push('');
  }
  return { markdown: md.join('\n'), json };
}

/** The recovery: see the rules at the top of this file. */
function recoveryTime(entries: readonly TimelineEntry[], detected: number | null): number | null {
  const after = entries.filter((e) => detected == null || e.at >= detected);
  const suggestions = after.filter((e) => e.kind === 'severity.suggested');
  const high = (e: TimelineEntry) => {
    const sev = e.refs?.severity as Severity | null | undefined;
    return sev != null && RANK[sev] <= RANK.P2;
  };
  const lastHigh = suggestions.map((e, i) => (high(e) ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
  const below = lastHigh >= 0 ? (suggestions.slice(lastHigh + 1).find((e) => !high(e))?.at ?? null) : null;
  const firing = new Set<string>();
  let allResolvedAt: number | null = null;
  for (const e of after) {
    const fp = String(e.refs?.fingerprint ?? '');
    if (e.kind === 'alert.fired' && fp) {
      firing.add(fp);
      allResolvedAt = null;
    } else if (e.kind === 'alert.resolved' && fp && firing.delete(fp) && firing.size === 0) allResolvedAt = e.at;
  }
  const candidates = [below, allResolvedAt].filter((x): x is number => x != null);
  return candidates.length ? Math.min(...candidates) : null;
}

export function writePostmortem(
  stateDir: string,
  incidentId?: string,
  outFile?: string,
  opts: PostmortemOptions & { cwd?: string } = {},
): { incidentId: string; markdownPath: string; jsonPath: string } {
  const all = listIncidents(stateDir);
  if (all.length === 0) throw new PostmortemError(`no incidents recorded in ${path.join(stateDir, 'incidents')}`);
  const chosen = incidentId ? all.find((i) => i.id === incidentId) : all[0];
  if (!chosen) throw new PostmortemError(`unknown incident ${incidentId}; known incidents: ${all.map((i) => i.id).join(', ')}`);
  const { entries, problems } = readJournal(chosen.path);
  const { markdown, json } = buildPostmortem(entries, { ...opts, problems: [...(opts.problems ?? []), ...problems] });
  const cwd = opts.cwd ?? process.cwd();
  const markdownPath = outFile ? path.resolve(cwd, outFile) : path.join(path.resolve(cwd, stateDir), 'postmortems', `${chosen.id}.md`);
  const jsonPath = markdownPath.replace(/\.md$/i, '') + '.json';
  writePrivate(markdownPath, markdown);
  writePrivate(jsonPath, JSON.stringify(json, null, 2) + '\n');
  return { incidentId: chosen.id, markdownPath, jsonPath };
}
