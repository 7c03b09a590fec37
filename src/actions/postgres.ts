// Cancel or terminate a Postgres backend from the long-queries list. The database's config
// (URL with its secret) comes from the `postgres` service: the PostgresSource (PgConfigProvider).
import type { ActionDef, ActionEnv, ActionTarget } from './types.js';
import type { PgQueryRow } from '../sources/postgres/types.js';
import type { PgConfigProvider } from '../sources/postgres/source.js';
import { describePgError } from '../sources/postgres/errors.js';
import { pgSecrets, pgTarget, redact } from '../sources/postgres/redact.js';
import { truncate } from '../present/format.js';
import { OWN_MARKER } from '../sources/postgres/query.js';

export interface PgBackendTarget extends ActionTarget {
  /** The pid, as a string (what the person types to confirm a terminate). */
  name: string;
  /** The configured database name (config.postgres[].name). */
  database: string;
  /** The long-queries row the action was invoked on, for the confirmation text. */
  query?: PgQueryRow;
}

type Mode = 'cancel' | 'terminate';

function provider(env: ActionEnv): PgConfigProvider | null {
  const p = env.services.postgres;
  return p && typeof p.configFor === 'function' ? p : null;
}

function parsePid(t: PgBackendTarget): number {
  const pid = Number(t.name);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`"${t.name}" is not a backend pid`);
  return pid;
}

function describe(mode: Mode, t: PgBackendTarget, env: ActionEnv): string[] {
  const cfg = provider(env)?.configFor(t.database);
  const where = cfg ? `${t.database} (${pgTarget(cfg.url)})` : t.database;
  const lines = [
    mode === 'cancel'
      ? `Cancel the running query of backend ${t.name} on ${where} (pg_cancel_backend); the session stays connected`
      : `Terminate backend ${t.name} on ${where} (pg_terminate_backend): its session is closed and its open transaction rolled back`,
  ];
  if (t.query) {
    lines.push(`user ${t.query.user ?? '?'}  app ${t.query.application || '-'}  state ${t.query.state ?? '?'}`);
    lines.push(`query: ${truncate(t.query.query.replace(/\s+/g, ' ').trim(), 200)}`);
  }
  return lines;
}

async function signal(mode: Mode, t: PgBackendTarget, env: ActionEnv) {
  const pid = parsePid(t);
  const p = provider(env);
  const cfg = p?.configFor(t.database);
  if (!cfg) throw new Error(`no configured Postgres database named "${t.database}"`);
  const secrets = pgSecrets(cfg.url);
  // A short-lived session of its own, not the source's polling session: that one is opened
  // read-only by construction (default_transaction_read_only) so no bug can write through it,
  // it runs on its own timer with its own reconnect logic, and a separate application_name
  // makes the action visible as such in pg_stat_activity and the server log.
  // pg loads with the first action, not before the first frame.
  const { default: pg } = await import('pg');
  const client = new pg.Client({
    connectionString: cfg.url,
    application_name: 'warroom-action',
    statement_timeout: cfg.statementTimeoutMs,
    query_timeout: cfg.statementTimeoutMs + 500,
    connectionTimeoutMillis: cfg.statementTimeoutMs,
  });
  client.on('error', () => {});
  const fn = mode === 'cancel' ? 'pg_cancel_backend' : 'pg_terminate_backend';
  try {
    await client.connect();
    const res = await client.query(
      `SELECT ${OWN_MARKER} EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1) AS present,
              CASE WHEN EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1) THEN ${fn}($1) END AS ok`,
      [pid],
    );
    const row = res.rows[0] ?? {};
    if (!row.present) throw new Error(`backend ${pid} is gone (no such pid on ${t.database}); nothing to ${mode}`);
    if (!row.ok) throw new Error(`backend ${pid} on ${t.database} could not be signalled (it may have just exited)`);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === '42501') {
      throw new Error(`permission denied to ${mode} backend ${pid} on ${t.database}: needs superuser, the same role, or membership in pg_signal_backend`);
    }
    if (/^backend \d+ /.test(String(e.message))) throw new Error(redact(String(e.message), secrets));
    throw new Error(`${mode} backend ${pid} on ${t.database} failed: ${describePgError(err, { timeoutMs: cfg.statementTimeoutMs, secrets })}`);
  } finally {
    await client.end().catch(() => {});
  }
  p?.refresh?.();
  const verb = mode === 'cancel' ? 'Cancelled the query of' : 'Terminated';
  return {
    summary: `${verb} backend ${pid} on ${t.database}`,
    details: t.query ? [`query: ${truncate(t.query.query.replace(/\s+/g, ' ').trim(), 200)}`] : undefined,
    refs: { database: t.database, pid },
  };
}

function backendAction(
  kind: 'cancel' | 'terminate',
  id: string,
  title: string,
  confirm: ActionDef['confirm'],
  binding: NonNullable<ActionDef['binding']>,
): ActionDef<PgBackendTarget> {
  return {
    id,
    title,
    scope: 'postgres',
    binding,
    requires: 'postgres',
    mutating: true,
    confirm,
    describe: (t, _p, env) => describe(kind, t, env),
    precheck: async (t, _p, env) => (provider(env)?.configFor(t.database) ? null : `no configured Postgres database named "${t.database}"`),
    run: (t, _p, env) => signal(kind, t, env),
  };
}

export const pgCancelAction = backendAction('cancel', 'pg.cancel', 'Cancel query', 'confirm', {
  keys: ['x'],
  label: 'cancel query',
  description: 'Cancel the selected backend query (pg_cancel_backend)',
  group: 'Databases',
  target: 'row',
  footer: true,
});
/** Terminating a backend drops its connection: the pid must be typed. */
export const pgTerminateAction = backendAction('terminate', 'pg.terminate', 'Terminate backend', 'type-name', {
  keys: ['X'],
  label: 'terminate',
  description: 'Terminate the selected backend (pg_terminate_backend)',
  group: 'Databases',
  target: 'row',
  footer: true,
});

export const postgresActions = [pgCancelAction, pgTerminateAction];
