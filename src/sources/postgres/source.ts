// Polls each configured database over ONE dedicated read-only session (a single pg.Client,
// not a pool): one statement per poll. A database that fails is shown down with the reason,
// keeps its last values and their time, and is retried with backoff capped at the refresh interval.
import pg from 'pg';
import type { PostgresConfig } from '../../config/schema.js';
import { summarizeTargets, type Publish, type Source, type SourceSlice } from '../types.js';
import { describePgError } from './errors.js';
import { DETECT_SQL, normalisePoll, pollSql } from './query.js';
import { pgSecrets, pgTarget } from './redact.js';
import { TargetPoller } from '../poller.js';
import { emptyPgDatabase, type PgDatabase, type PostgresData } from './types.js';

export const APPLICATION_NAME = 'warroom';

export interface PostgresSourceOptions {
  log?: (msg: string) => void;
  /** First retry delay after a failure; doubles up to the refresh interval. */
  minBackoffMs?: number;
}

interface Runtime {
  cfg: PostgresConfig;
  secrets: string[];
  client: pg.Client | null;
  statementsColumn: 'total_exec_time' | 'total_time' | null;
  data: PgDatabase;
}

/** What actions need from the source: the config of a database by name (see src/actions/postgres.ts). */
export interface PgConfigProvider {
  configFor(database: string): PostgresConfig | undefined;
  refresh?(): void;
}

export function summariseDatabases(dbs: PgDatabase[]): Pick<SourceSlice<PostgresData>, 'status' | 'error' | 'updatedAt'> {
  return summarizeTargets(dbs);
}

/** end() waits for the server to close its side; a hung server never does, so cut the socket. */
async function closeClient(client: pg.Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.end().catch(() => {}),
    new Promise<void>((r) => {
      timer = setTimeout(r, 1000);
      timer.unref?.();
    }),
  ]);
  clearTimeout(timer);
  (client as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream?.destroy?.();
}

export class PostgresSource implements Source, PgConfigProvider {
  private readonly rts: Runtime[];
  private readonly poller: TargetPoller<Runtime>;
  private stopped = true;

  constructor(
    dbs: PostgresConfig[],
    refreshSeconds: number,
    private readonly publish: Publish<PostgresData>,
    private readonly opts: PostgresSourceOptions = {},
  ) {
    this.rts = dbs.map((cfg) => ({
      cfg,
      secrets: pgSecrets(cfg.url),
      client: null,
      statementsColumn: null,
      data: emptyPgDatabase(cfg.name, pgTarget(cfg.url)),
    }));
    this.poller = new TargetPoller(this.rts, { refreshMs: Math.max(100, refreshSeconds * 1000), minBackoffMs: opts.minBackoffMs ?? 250, poll: (rt) => this.poll(rt) });
  }

  configFor(database: string): PostgresConfig | undefined {
    return this.rts.find((r) => r.cfg.name === database)?.cfg;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.emit();
    this.poller.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.poller.stop();
    await Promise.all(this.rts.map((rt) => this.drop(rt)));
  }

  refresh(): void {
    this.poller.refresh();
  }

  private emit(): void {
    const dbs = this.rts.map((r) => r.data);
    this.publish((prev) => ({ ...prev, ...summariseDatabases(dbs), data: { databases: dbs } }));
  }

  private fail(rt: Runtime, err: unknown): void {
    const reason = describePgError(err, { timeoutMs: rt.cfg.statementTimeoutMs, secrets: rt.secrets });
    rt.data = { ...rt.data, status: 'down', error: reason };
    this.opts.log?.(`postgres ${rt.cfg.name}: ${reason}`);
  }

  private async connect(rt: Runtime): Promise<pg.Client> {
    const timeoutMs = rt.cfg.statementTimeoutMs;
    const client = new pg.Client({
      connectionString: rt.cfg.url,
      application_name: APPLICATION_NAME,
      statement_timeout: timeoutMs,
      // Client-side guard for a server that stops answering (statement_timeout cannot fire then).
      query_timeout: timeoutMs + 500,
      connectionTimeoutMillis: timeoutMs,
      options: '-c default_transaction_read_only=on',
      keepAlive: true,
    });
    client.on('error', (err) => this.lost(rt, client, err));
    client.on('end', () => this.lost(rt, client, new Error('Connection terminated unexpectedly')));
    try {
      await client.connect();
      // Settings again as SQL: a URL's own ?options= or application_name would override the startup ones.
      const res = await client.query(
        `SELECT set_config('default_transaction_read_only', 'on', false), set_config('application_name', '${APPLICATION_NAME}', false),
                set_config('statement_timeout', '${timeoutMs}', false), d.* FROM (${DETECT_SQL}) d`,
      );
      const row = res.rows[0] ?? {};
      rt.statementsColumn = row.has_statements ? (Number(row.version) >= 130000 ? 'total_exec_time' : 'total_time') : null;
    } catch (err) {
      client.removeAllListeners('end');
      client.on('error', () => {});
      void closeClient(client);
      throw err;
    }
    if (this.stopped) {
      client.removeAllListeners('end');
      void closeClient(client);
      throw new Error('stopped');
    }
    rt.client = client;
    return client;
  }

  /** The session died between polls: show it now rather than at the next poll. */
  private lost(rt: Runtime, client: pg.Client, err: unknown): void {
    if (rt.client !== client) return;
    rt.client = null;
    client.removeAllListeners('end');
    client.on('error', () => {});
    void closeClient(client);
    if (this.stopped) return;
    this.fail(rt, err);
    this.emit();
    this.poller.failedBetweenPolls(rt);
  }

  private async drop(rt: Runtime): Promise<void> {
    const client = rt.client;
    rt.client = null;
    if (!client) return;
    client.removeAllListeners('end');
    client.on('error', () => {});
    await closeClient(client);
  }

  private async poll(rt: Runtime): Promise<boolean> {
    try {
      const client = rt.client ?? (await this.connect(rt));
      let res: pg.QueryResult;
      try {
        res = await client.query(pollSql(rt.statementsColumn));
      } catch (err) {
        // The extension exists but is not loaded (shared_preload_libraries, SQLSTATE 55000), was
        // dropped, or is an older version without these columns (42xxx): poll without it.
        const code = String((err as { code?: string })?.code ?? '');
        if (rt.statementsColumn && (code === '55000' || code.startsWith('42') || /pg_stat_statements/.test(String((err as Error)?.message)))) {
          rt.statementsColumn = null;
          res = await client.query(pollSql(null));
        } else throw err;
      }
      if (this.stopped) return true;
      rt.data = { ...rt.data, ...normalisePoll(res.rows[0] ?? {}), status: 'ok', error: null, updatedAt: Date.now() };
      this.emit();
      return true;
    } catch (err) {
      if (this.stopped) return false;
      this.fail(rt, err);
      // After a timeout or a broken stream the session's state is unknown: start afresh.
      void this.drop(rt);
      this.emit();
      return false;
    }
  }
}
