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
  byState: { active: number; idle: number; idleInTransaction: number; idleInTransactionAborted: number; waiting: number; other: number };
  total: number;
  longest: PgQueryRow[];
  ungrantedLocks: number;
  blocking: PgBlockRow[];
  topStatements: PgStatementRow[] | null;
}

export interface PostgresData {
  databases: PgDatabase[];
}
