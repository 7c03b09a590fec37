// Normalised Postgres data per configured database. Owned by the postgres source.

export interface PgQueryRow {
  pid: number;
  user: string | null;
  application: string | null;
  state: string | null;
  durationMs: number;
  waiting: boolean;
  query: string;
}

export interface PgBlockRow {
  blockedPid: number;
  blockingPid: number;
  blockedQuery: string;
  blockingQuery: string;
  waitMs: number;
}

export interface PgStatementRow {
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
}

export interface PgDatabase {
  name: string;
  /** host:port/db with no credentials. */
  target: string;
  status: 'connecting' | 'ok' | 'down';
  error: string | null;
  updatedAt: number | null;
  maxConnections: number | null;
  /**
   * Client backends by state, warroom's own excluded. `waiting` = sessions waiting on a lock
   * (counted there, not under `active`); `other` = anything else (fastpath, disabled, null).
   */
  byState: { active: number; idle: number; idleInTransaction: number; idleInTransactionAborted: number; waiting: number; other: number };
  total: number;
  /** Non-idle sessions, longest first (active: since query start; in transaction: since BEGIN). */
  longest: PgQueryRow[];
  ungrantedLocks: number;
  blocking: PgBlockRow[];
  /** null when pg_stat_statements is not installed (or not loaded) in this database. */
  topStatements: PgStatementRow[] | null;
}

export function emptyPgDatabase(name: string, target: string): PgDatabase {
  return {
    name,
    target,
    status: 'connecting',
    error: null,
    updatedAt: null,
    maxConnections: null,
    byState: { active: 0, idle: 0, idleInTransaction: 0, idleInTransactionAborted: 0, waiting: 0, other: 0 },
    total: 0,
    longest: [],
    ungrantedLocks: 0,
    blocking: [],
    topStatements: null,
  };
}

export interface PostgresData {
  databases: PgDatabase[];
}
