// The one statement a poll runs (one round trip): connection counts by state, the longest
// non-idle sessions, who blocks whom, ungranted locks and, when available, pg_stat_statements.
import type { PgBlockRow, PgDatabase, PgQueryRow, PgStatementRow } from './types.js';

export const LONGEST_LIMIT = 20;
export const BLOCKING_LIMIT = 50;
export const STATEMENTS_LIMIT = 10;
const QUERY_CHARS = 500;
/**
 * Marks warroom's own statements so the Postgres pane can leave them out of pg_stat_statements
 * (inside the statement: Postgres may drop a comment that precedes it from the stored text).
 */
export const OWN_MARKER = '/* warroom */';

/** `statementsColumn`: the pg_stat_statements total-time column (PG13+: total_exec_time), or null to skip. */
export function pollSql(statementsColumn: 'total_exec_time' | 'total_time' | null): string {
  const mean = statementsColumn === 'total_time' ? 'mean_time' : 'mean_exec_time';
  const statements = statementsColumn
    ? `(SELECT COALESCE(json_agg(s), '[]') FROM (
         SELECT left(query, ${QUERY_CHARS}) AS query, calls, ${statementsColumn} AS total_ms, ${mean} AS mean_ms
         FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND query NOT LIKE '%${OWN_MARKER}%'
         ORDER BY ${statementsColumn} DESC LIMIT ${STATEMENTS_LIMIT}) s)`
    : 'NULL::json';
  // pg_blocking_pids() takes lock-manager locks: only call it for sessions that wait on a lock.
  return `WITH ${OWN_MARKER} a AS (
  SELECT pid, usename, application_name, state, wait_event_type = 'Lock' AS waiting,
         left(query, ${QUERY_CHARS}) AS query,
         CASE WHEN state = 'active' THEN query_start ELSE COALESCE(xact_start, query_start) END AS since,
         CASE WHEN wait_event_type = 'Lock' THEN pg_blocking_pids(pid) END AS blockers
  FROM pg_stat_activity
  WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
)
SELECT current_setting('max_connections')::int AS max_connections,
  (SELECT count(*) FROM a)::int AS total,
  (SELECT count(*) FROM a WHERE state = 'active' AND NOT COALESCE(waiting, false))::int AS active,
  (SELECT count(*) FROM a WHERE state = 'idle')::int AS idle,
  (SELECT count(*) FROM a WHERE state = 'idle in transaction')::int AS iit,
  (SELECT count(*) FROM a WHERE state = 'idle in transaction (aborted)')::int AS iita,
  (SELECT count(*) FROM a WHERE state = 'active' AND waiting)::int AS waiting,
  (SELECT count(*) FROM pg_locks WHERE NOT granted)::int AS ungranted,
  (SELECT COALESCE(json_agg(l), '[]') FROM (
     SELECT pid, usename AS "user", application_name AS application, state, COALESCE(waiting, false) AS waiting, query,
            (extract(epoch FROM now() - since) * 1000)::bigint AS ms
     FROM a WHERE state IS DISTINCT FROM 'idle' AND since IS NOT NULL
     ORDER BY since LIMIT ${LONGEST_LIMIT}) l) AS longest,
  (SELECT COALESCE(json_agg(b), '[]') FROM (
     SELECT w.pid AS blocked, bp AS blocking, w.query AS blocked_query, COALESCE(h.query, '') AS blocking_query,
            (extract(epoch FROM now() - w.since) * 1000)::bigint AS ms
     FROM a w CROSS JOIN LATERAL unnest(w.blockers) AS bp LEFT JOIN a h ON h.pid = bp
     ORDER BY w.since, bp LIMIT ${BLOCKING_LIMIT}) b) AS blocking,
  ${statements} AS statements`;
}

export const DETECT_SQL = `SELECT ${OWN_MARKER} current_setting('server_version_num')::int AS version,
  EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements') AS has_statements`;

const str = (v: unknown): string | null => (v == null ? null : String(v));
const num = (v: unknown): number => (v == null ? 0 : Number(v));
/** A json_agg column: the objects it holds ([] when the server sent none). */
const records = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v : []);

export type PollFields = Pick<PgDatabase, 'maxConnections' | 'byState' | 'total' | 'longest' | 'ungrantedLocks' | 'blocking' | 'topStatements'>;

export function normalisePoll(row: Record<string, unknown>): PollFields {
  const byState = {
    active: num(row.active),
    idle: num(row.idle),
    idleInTransaction: num(row.iit),
    idleInTransactionAborted: num(row.iita),
    waiting: num(row.waiting),
    other: 0,
  };
  const total = num(row.total);
  byState.other = Math.max(0, total - byState.active - byState.idle - byState.idleInTransaction - byState.idleInTransactionAborted - byState.waiting);
  const longest: PgQueryRow[] = records(row.longest).map((r) => ({
    pid: num(r.pid),
    user: str(r.user),
    application: str(r.application),
    state: str(r.state),
    durationMs: Math.max(0, num(r.ms)),
    waiting: Boolean(r.waiting),
    query: String(r.query ?? ''),
  }));
  const blocking: PgBlockRow[] = records(row.blocking).map((r) => ({
    blockedPid: num(r.blocked),
    blockingPid: num(r.blocking),
    blockedQuery: String(r.blocked_query ?? ''),
    blockingQuery: String(r.blocking_query ?? ''),
    waitMs: Math.max(0, num(r.ms)),
  }));
  const topStatements: PgStatementRow[] | null =
    row.statements == null ? null : records(row.statements).map((r) => ({ query: String(r.query ?? ''), calls: num(r.calls), totalMs: num(r.total_ms), meanMs: num(r.mean_ms) }));
  return {
    maxConnections: row.max_connections == null ? null : num(row.max_connections),
    byState,
    total,
    longest,
    ungrantedLocks: num(row.ungranted),
    blocking,
    topStatements,
  };
}
