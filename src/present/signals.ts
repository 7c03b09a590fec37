// Service signal rows → cells: 5xx ratio and p95 coloured by the severity thresholds (with a
// "!"/"!!" marker so colour is never the only cue), request rate against an hour ago, and a
// 30-minute sparkline.
import type { SeverityConfig } from '../config/schema.js';
import type { ServiceSignals } from '../sources/prometheus/types.js';
import { cell, type Cell, type Column, type Token } from './cell.js';
import { formatAge, formatPercent, formatSeconds } from './format.js';

export const SIGNAL_COLUMNS: Column[] = [
  { title: 'SERVICE', width: 16, priority: 0 },
  { title: '5XX', width: 9, align: 'right', priority: 0 },
  { title: 'P95', width: 9, align: 'right', priority: 1 },
  // Traffic against an hour ago tells a spike from a slow service: it stays before REQ/S.
  { title: 'REQ/S', width: 9, align: 'right', priority: 3 },
  { title: 'VS 1H', width: 7, align: 'right', priority: 2 },
  { title: '5XX 30M', width: 16, priority: 4 },
  { title: '', width: 'flex', priority: 5 },
];

export type Level = 'ok' | 'warn' | 'critical';

const BARS = '▁▂▃▄▅▆▇█';
const ASCII_BARS = '_.:-=+*#';

/** Above p2 → warn, above p1 → critical (P0 above p0 is critical too). */
export function errorRateLevel(ratio: number | null, sev: SeverityConfig): Level | null {
  if (ratio == null || !Number.isFinite(ratio)) return null;
  if (ratio > sev.errorRate.p1) return 'critical';
  if (ratio > sev.errorRate.p2) return 'warn';
  return 'ok';
}

export function latencyLevel(seconds: number | null, sev: SeverityConfig): Level | null {
  if (seconds == null || !Number.isFinite(seconds)) return null;
  if (seconds > sev.latencyP95Seconds.p1) return 'critical';
  if (seconds > sev.latencyP95Seconds.p2) return 'warn';
  return 'ok';
}

const MARK: Record<Level, string> = { ok: '', warn: ' !', critical: ' !!' };

function levelCell(text: string, level: Level | null, stale: boolean): Cell {
  if (level === null) return cell(text, 'muted');
  const token: Token = stale ? 'muted' : level;
  return cell(text + MARK[level], token, level === 'critical');
}

export function formatRate(perSecond: number | null): string {
  if (perSecond == null || !Number.isFinite(perSecond)) return '-';
  if (perSecond >= 1000) return `${(perSecond / 1000).toFixed(1)}k`;
  if (perSecond >= 100) return `${Math.round(perSecond)}`;
  if (perSecond >= 10) return perSecond.toFixed(1);
  return perSecond.toFixed(2);
}

/** "+12%", "-40%", or "-" when there is nothing to compare with. */
export function rateChange(now: number | null, hourAgo: number | null): string {
  if (now == null || hourAgo == null || !Number.isFinite(now) || !Number.isFinite(hourAgo) || hourAgo <= 0) return '-';
  const pct = Math.round(((now - hourAgo) / hourAgo) * 100);
  return `${pct > 0 ? '+' : ''}${pct}%`;
}

export interface SparklineOptions {
  ascii?: boolean;
  /** Scale floor; default min(0, smallest value). */
  min?: number;
  /** Scale ceiling; default the largest value. */
  max?: number;
}

/**
 * A sparkline at most `width` characters wide. Longer inputs are bucketed (each character
 * shows its bucket's maximum, so a spike is never averaged away); non-finite values are blanks.
 */
export function sparkline(values: number[], width: number, opts: SparklineOptions = {}): string {
  if (width <= 0 || values.length === 0) return '';
  const bars = opts.ascii ? ASCII_BARS : BARS;
  let points = values;
  if (values.length > width) {
    points = [];
    for (let i = 0; i < width; i++) {
      const from = Math.floor((i * values.length) / width);
      const to = Math.floor(((i + 1) * values.length) / width);
      const slice = values.slice(from, Math.max(to, from + 1)).filter(Number.isFinite);
      points.push(slice.length ? Math.max(...slice) : NaN);
    }
  }
  const finite = points.filter(Number.isFinite);
  if (finite.length === 0) return ' '.repeat(points.length);
  const lo = opts.min ?? Math.min(0, ...finite);
  const hi = opts.max ?? Math.max(...finite);
  const span = hi - lo;
  return points
    .map((v) => {
      if (!Number.isFinite(v)) return ' ';
      if (span <= 0) return bars[v > lo ? 3 : 0];
      const idx = Math.round(((Math.min(Math.max(v, lo), hi) - lo) / span) * (bars.length - 1));
      return bars[idx];
    })
    .join('');
}

export interface SignalPresentOptions {
  ascii?: boolean;
  sparkWidth?: number;
  now?: number;
}

export function serviceCells(s: ServiceSignals, sev: SeverityConfig, opts: SignalPresentOptions = {}): Cell[] {
  const stale = s.problems.length > 0;
  const errLevel = errorRateLevel(s.errorRate, sev);
  const change = rateChange(s.requestRate, s.requestRateHourAgo);
  const dropped = s.requestRate != null && s.requestRateHourAgo != null && s.requestRateHourAgo > 0 && s.requestRate < s.requestRateHourAgo * 0.5;
  // Scale the error sparkline to at least the P2 threshold so a flat 0.1% does not look like a wall.
  const spark = sparkline(s.errorRateSeries, opts.sparkWidth ?? 16, { ascii: opts.ascii, min: 0, max: Math.max(sev.errorRate.p2, ...s.errorRateSeries.filter(Number.isFinite)) });
  let note = cell('');
  if (s.problems.length) {
    const age = s.updatedAt !== null && opts.now !== undefined ? ` (values ${formatAge(opts.now - s.updatedAt)} old)` : s.updatedAt === null ? ' (no good values yet)' : '';
    note = cell(`${opts.ascii ? '!' : '⚠'} ${s.problems[0]}${s.problems.length > 1 ? ` +${s.problems.length - 1}` : ''}${age}`, 'warn');
  }
  return [
    cell(s.name, 'fg', errLevel === 'critical'),
    levelCell(formatPercent(s.errorRate, s.errorRate != null && s.errorRate < 0.1 ? 2 : 1), errLevel, stale),
    levelCell(formatSeconds(s.p95Seconds), latencyLevel(s.p95Seconds, sev), stale),
    cell(formatRate(s.requestRate), s.requestRate == null ? 'muted' : 'fg'),
    cell(change, dropped ? 'warn' : 'muted'),
    cell(spark, errLevel ?? 'muted'),
    note,
  ];
}

export function signalColumns(): Column[] {
  return SIGNAL_COLUMNS;
}

/** Same as serviceCells (the name the panes use). */
export const signalCells = serviceCells;
