// The escalation matrix (config paging.escalation): severity → who, and after how long at that
// severity. An escalation is due when the incident has been at its severity for a rule's time and
// fewer escalations were made since than rules have come due.
//   escalationDue(info, entries, matrix, now) → {text: "P1 for 15 min: escalate to engineering lead", rule} | null
//   matrixLines(matrix) → lines for the help
import type { PagingConfig } from '../config/schema.js';
import type { IncidentInfo, TimelineEntry } from '../incident/types.js';

export type EscalationRule = PagingConfig['escalation'][number];

export interface DueEscalation {
  text: string;
  rule: EscalationRule;
  /** When it came due (epoch ms). */
  since: number;
}

/** When the incident took its current severity: its declaration, or the last change to it. */
export function severitySince(info: IncidentInfo, entries: readonly TimelineEntry[]): number {
  let since = info.declaredAt;
  for (const e of entries) if (e.kind === 'severity.changed' && e.refs?.to === info.severity && e.at > since) since = e.at;
  return since;
}

export function escalationDue(info: IncidentInfo | null, entries: readonly TimelineEntry[], matrix: readonly EscalationRule[], now: number): DueEscalation | null {
  if (!info || info.status === 'resolved') return null;
  const rules = matrix.filter((r) => r.severity === info.severity).sort((a, b) => a.afterMinutes - b.afterMinutes);
  if (rules.length === 0) return null;
  const since = severitySince(info, entries);
  const passed = rules.filter((r) => now - since >= r.afterMinutes * 60_000);
  if (passed.length === 0) return null;
  const made = entries.filter((e) => e.at >= since && e.kind === 'action.succeeded' && e.refs?.action === 'paging.escalate').length;
  if (made >= passed.length) return null;
  const rule = passed[made]!;
  return { text: `${info.severity} for ${formatMinutes(rule.afterMinutes)}: escalate to ${rule.contact}`, rule, since: since + rule.afterMinutes * 60_000 };
}

function formatMinutes(m: number): string {
  if (m < 120) return `${m} min`;
  if (m % 60 === 0 && m < 2880) return `${m / 60} h`;
  return m % 1440 === 0 ? `${m / 1440} days` : `${Math.round(m / 60)} h`;
}

export function matrixLines(matrix: readonly EscalationRule[]): string[] {
  if (matrix.length === 0) return ['No escalation matrix configured (paging.escalation).'];
  return [...matrix]
    .sort((a, b) => a.severity.localeCompare(b.severity) || a.afterMinutes - b.afterMinutes)
    .map((r) => `${r.severity} after ${r.afterMinutes === 0 ? '0 min (at once)' : formatMinutes(r.afterMinutes)}: ${r.contact}${r.target ? ` (E pages ${r.target})` : ''}`);
}
