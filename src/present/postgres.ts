// Postgres rows → cells: the per-database summary line, the long-query rows, blocker rows and
// pg_stat_statements rows. States are always words, never colour alone.
import type { SeverityConfig } from '../config/schema.js';
import type { PgBlockRow, PgDatabase, PgQueryRow, PgStatementRow } from '../sources/postgres/types.js';
import { cell, type Cell, type Column, type Token } from './cell.js';
import { formatAge, formatPercent, truncate } from './format.js';

/** Saturation at or above this is critical (the warn level comes from config). */
export const PG_SATURATION_CRITICAL = 0.95;
/** Queries running longer than these are coloured warn / critical. */
export const PG_LONG_WARN_MS = 30_000;
export const PG_LONG_CRITICAL_MS = 5 * 60_000;

const DEFAULT_WARN = 0.8;

export function pgSaturation(db: Pick<PgDatabase, 'total' | 'maxConnections'>): number | null {
  return db.maxConnections ? db.total / db.maxConnections : null;
}

export function saturationToken(ratio: number | null, warn = DEFAULT_WARN): Token {
  if (ratio == null) return 'muted';
  if (ratio >= Math.max(warn, PG_SATURATION_CRITICAL)) return 'critical';
  if (ratio >= warn) return 'warn';
  return 'ok';
}

/** 0.85s → "850ms", then kubectl-style ages. */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  return ms < 1000 ? `${Math.round(ms)}ms` : formatAge(ms);
}

export function oneLine(query: string): string {
  return query.replace(/\s+/g, ' ').trim();
}

/** `main  87/100 (87.0%)  act 40 idle 30 iit 12 wait 5  locks 3`, plus the state when not ok. */
export function pgSummaryCells(db: PgDatabase, now: number, severity?: Pick<SeverityConfig, 'postgresSaturation'>): Cell[] {
  const warn = severity?.postgresSaturation.warn ?? DEFAULT_WARN;
  const cells: Cell[] = [cell(db.name, 'title', true)];
  if (db.updatedAt == null) {
    cells.push(cell(db.target, 'muted'));
    if (db.status === 'down') cells.push(cell(`DOWN ${db.error ?? ''}`.trim(), 'critical', true));
    else cells.push(cell('connecting…', 'muted'));
    return cells;
  }
  const sat = pgSaturation(db);
  const satText = db.maxConnections ? `${db.total}/${db.maxConnections} (${formatPercent(sat, 0)})` : `${db.total} conns`;
  cells.push(cell(satText, saturationToken(sat, warn), sat != null && sat >= warn));
  const s = db.byState;
  cells.push(cell(`act ${s.active}`));
  cells.push(cell(`idle ${s.idle}`, 'muted'));
  cells.push(cell(`iit ${s.idleInTransaction}`, s.idleInTransaction > 0 ? 'warn' : undefined));
  if (s.idleInTransactionAborted > 0) cells.push(cell(`aborted ${s.idleInTransactionAborted}`, 'critical'));
  cells.push(cell(`wait ${s.waiting}`, s.waiting > 0 ? 'warn' : undefined));
  cells.push(cell(`locks ${db.ungrantedLocks}`, db.ungrantedLocks > 0 ? 'critical' : undefined, db.ungrantedLocks > 0));
  if (db.status === 'down') {
    cells.push(cell(`DOWN ${db.error ?? ''} (data ${formatAge(now - db.updatedAt)} old)`.replace('  ', ' '), 'critical', true));
  }
  return cells;
}

export function pgQueryColumns(): Column[] {
  return [
    { title: 'PID', width: 7, align: 'right', priority: 0 },
    { title: 'USER', width: 10, priority: 3 },
    { title: 'APP', width: 12, priority: 2 },
    { title: 'DURATION', width: 8, align: 'right', priority: 0 },
    { title: 'STATE', width: 9, priority: 1 },
    { title: 'QUERY', width: 'flex', priority: 0 },
  ];
}

export function pgStateLabel(q: Pick<PgQueryRow, 'state' | 'waiting'>): { text: string; token?: Token } {
  if (q.waiting) return { text: 'lock wait', token: 'warn' };
  switch (q.state) {
    case 'active':
      return { text: 'active', token: 'ok' };
    case 'idle in transaction':
      return { text: 'idle tx', token: 'warn' };
    case 'idle in transaction (aborted)':
      return { text: 'aborted', token: 'critical' };
    case null:
      return { text: '?', token: 'muted' };
    default:
      return { text: q.state, token: 'muted' };
  }
}

export function durationToken(ms: number): Token | undefined {
  if (ms >= PG_LONG_CRITICAL_MS) return 'critical';
  if (ms >= PG_LONG_WARN_MS) return 'warn';
  return undefined;
}

/** One long-query row. `db` is accepted for panes that show several databases (unused today). */
export function pgQueryCells(q: PgQueryRow, _db?: PgDatabase): Cell[] {
  const st = pgStateLabel(q);
  return [
    cell(String(q.pid)),
    cell(q.user ?? '-', 'muted'),
    cell(q.application || '-', 'muted'),
    cell(formatDurationMs(q.durationMs), durationToken(q.durationMs), q.durationMs >= PG_LONG_CRITICAL_MS),
    cell(st.text, st.token),
    cell(oneLine(q.query) || '-'),
  ];
}

/** `blocked 123 ← 456  12s  UPDATE …  holder: SELECT …` */
export function pgBlockCells(b: PgBlockRow, queryWidth = 60): Cell[] {
  return [
    cell(`blocked ${b.blockedPid} ← ${b.blockingPid}`, 'critical', true),
    cell(formatDurationMs(b.waitMs), durationToken(b.waitMs)),
    cell(truncate(oneLine(b.blockedQuery) || '-', queryWidth)),
    cell(`holder: ${truncate(oneLine(b.blockingQuery) || '-', queryWidth)}`, 'muted'),
  ];
}

function compactCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/**
 * A pg_stat_statements row in the long-query table's columns, below the running queries:
 * "top" where the pid goes, its calls, total time as the duration, mean time as the state.
 */
export function pgStatementQueryCells(s: PgStatementRow): Cell[] {
  return [
    cell('top', 'muted'),
    cell('', 'muted'),
    cell(`${compactCount(s.calls)} calls`, 'muted'),
    cell(formatDurationMs(s.totalMs), 'info'),
    cell(`~${formatDurationMs(s.meanMs)}`, 'muted'),
    cell(oneLine(s.query)),
  ];
}
