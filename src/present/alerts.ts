// Alert rows → cells: state (glyph and word), severity, name, age, NEW marker, summary and
// silence state. Severity and state are always words too, never colour alone.
import type { AlertRow } from '../sources/prometheus/types.js';
import { cell, type Cell, type Column, type Token } from './cell.js';
import { formatAge } from './format.js';

/** Alerts that started firing within this window carry the NEW marker. */
export const NEW_WINDOW_MS = 2 * 60_000;

export const ALERT_COLUMNS: Column[] = [
  { title: 'STATE', width: 10, priority: 0 },
  { title: 'SEV', width: 8, priority: 1 },
  { title: 'ALERT', width: 'flex', priority: 0 },
  { title: 'AGE', width: 6, align: 'right', priority: 1 },
  { title: '', width: 3, priority: 2 },
  { title: 'SUMMARY', width: 'flex', priority: 3 },
  { title: 'SILENCE', width: 22, priority: 2 },
];

export interface AlertPresentOptions {
  ascii?: boolean;
  newWindowMs?: number;
}

const GLYPHS = {
  unicode: { firing: '●', pending: '◐', resolved: '✓' },
  ascii: { firing: '*', pending: '~', resolved: 'v' },
} as const;

export function severityToken(severity: string | null): Token {
  switch ((severity ?? '').toLowerCase()) {
    case 'critical':
    case 'page':
    case 'error':
      return 'critical';
    case 'warning':
    case 'warn':
      return 'warn';
    case 'info':
      return 'info';
    default:
      return 'muted';
  }
}

export function isNewAlert(a: AlertRow, now: number, windowMs = NEW_WINDOW_MS): boolean {
  return a.state === 'firing' && now - a.firstSeenAt < windowMs;
}

/** "14:05Z (1h59m)" for a silence ending at `endsAt`. */
export function silenceUntil(endsAt: number, now: number): string {
  const d = new Date(endsAt);
  const hhmm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}Z`;
  return `until ${hhmm} (${formatAge(endsAt - now)})`;
}

export function alertCells(a: AlertRow, now: number, opts: AlertPresentOptions = {}): Cell[] {
  const g = opts.ascii ? GLYPHS.ascii : GLYPHS.unicode;
  const state =
    a.state === 'firing'
      ? cell(`${g.firing} FIRING`, a.silenced || a.inhibited ? 'muted' : severityToken(a.severity) === 'muted' ? 'critical' : severityToken(a.severity), true)
      : a.state === 'pending'
        ? cell(`${g.pending} pending`, 'warn')
        : cell(`${g.resolved} resolved`, 'ok');
  const age =
    a.state === 'resolved' && a.resolvedAt !== null ? cell(formatAge(now - a.resolvedAt), 'muted') : a.activeAt !== null ? cell(formatAge(now - a.activeAt)) : cell('-', 'muted');
  const isNew = isNewAlert(a, now, opts.newWindowMs);
  let silence: Cell;
  if (a.silenced) silence = cell(a.silenceEndsAt !== null ? `silenced ${silenceUntil(a.silenceEndsAt, now)}` : 'silenced', 'muted');
  else if (a.inhibited) silence = cell('inhibited', 'muted');
  else silence = cell('');
  return [
    state,
    cell(a.severity ?? '-', severityToken(a.severity)),
    // With the alert's own value (what its rule compared with the threshold), not the pane's figure.
    cell(
      `${a.name}${target(a.labels)}${a.value != null && a.state !== 'resolved' ? ` = ${formatAlertValue(a.value)}` : ''}`,
      a.state === 'resolved' ? 'muted' : 'fg',
      a.state === 'firing' && !a.silenced,
    ),
    age,
    isNew ? cell('NEW', 'accent', true) : cell(''),
    cell(a.summary ?? a.description ?? '', a.state === 'resolved' ? 'muted' : 'fg'),
    silence,
  ];
}

/** Up to 3 significant digits: 0.121, 2.43, 1250. */
export function formatAlertValue(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
  return Math.abs(v) >= 1000 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
}

/** The label that tells two alerts of the same name apart (which service, job, pod…), as " api". */
function target(labels: Record<string, string>): string {
  for (const key of ['service', 'deployment', 'job', 'pod', 'instance']) if (labels[key]) return ` ${labels[key]}`;
  return '';
}

/** Detail lines for an alert (the zoomed view or a text overlay). */
export function alertDetails(a: AlertRow, now: number): string[] {
  const lines = [`${a.name} — ${a.state}${a.severity ? ` (${a.severity})` : ''}`];
  if (a.value != null) lines.push(`value: ${a.value}`);
  if (a.activeAt !== null) lines.push(`active since ${new Date(a.activeAt).toISOString()} (${formatAge(now - a.activeAt)})`);
  if (a.resolvedAt !== null) lines.push(`resolved ${formatAge(now - a.resolvedAt)} ago`);
  if (a.summary) lines.push(`summary: ${a.summary}`);
  if (a.description) lines.push(`description: ${a.description}`);
  if (a.runbookUrl) lines.push(`runbook: ${a.runbookUrl}`);
  if (a.silenced) lines.push(a.silenceEndsAt !== null ? `silenced ${silenceUntil(a.silenceEndsAt, now)}` : 'silenced');
  if (a.inhibited) lines.push('inhibited');
  lines.push(
    `labels: ${Object.entries(a.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  lines.push(`fingerprint: ${a.fingerprint}`);
  return lines;
}

export function alertColumns(): Column[] {
  return ALERT_COLUMNS;
}
