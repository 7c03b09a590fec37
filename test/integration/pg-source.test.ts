// PostgresSource and the pg.cancel / pg.terminate actions against a real Postgres.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresSource } from '../../src/sources/postgres/source.js';
import type { PgDatabase, PostgresData } from '../../src/sources/postgres/types.js';
import { emptySlice, type SourceSlice } from '../../src/sources/types.js';
import { pgCancelAction, pgTerminateAction, type PgBackendTarget } from '../../src/actions/postgres.js';
import type { ActionEnv } from '../../src/actions/types.js';
import type { NewEntry } from '../../src/incident/types.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { waitFor } from '../helpers/net.js';

const REFRESH_S = 0.5;

describe('postgres source (real server)', () => {
  let pgs: TestPostgres;
  let source: PostgresSource;
  let slice: SourceSlice<PostgresData> = emptySlice({ databases: [] });
  const published: string[] = [];
  const clients: pg.Client[] = [];
  let env: ActionEnv;

  const db = (): PgDatabase => slice.data.databases[0];

  async function session(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: pgs.url, application_name: 'test-app' });
    c.on('error', () => {});
    await c.connect();
    clients.push(c);
    return c;
  }
  const pidOf = (c: pg.Client) => (c as unknown as { processID: number }).processID;

  before(async () => {
    pgs = await startTestPostgres();
    source = new PostgresSource([{ name: 'main', url: pgs.url, statementTimeoutMs: 2000 }], REFRESH_S, (update) => {
      slice = update(slice);
      published.push(JSON.stringify(slice));
    });
    env = {
      context: null,
      readOnly: false,
      drill: false,
      recorder: { record: (_e: NewEntry) => {} },
      services: { postgres: source },
    };
    source.start();
    await waitFor(() => db()?.status === 'ok', { what: 'first poll' });
  });

  after(async () => {
    await source?.stop();
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await pgs?.destroy();
  });

  test('counts sessions by state, shows long queries, ungranted locks and who blocks whom', async () => {
    const setup = await session();
    await setup.query('CREATE TABLE t (id int PRIMARY KEY, n int); INSERT INTO t VALUES (1, 0)');
    // setup stays connected: idle. One more idle.
    await session();
    const a1 = await session();
    const a2 = await session();
    void a1.query('SELECT pg_sleep(60) /* long-one */').catch(() => {});
    void a2.query('SELECT pg_sleep(60) /* long-two */').catch(() => {});
    const iit = await session();
    await iit.query('BEGIN; SELECT 1');
    const aborted = await session();
    await aborted.query('BEGIN');
    await aborted.query('SELECT 1/0').catch(() => {});
    const holder = await session();
    await holder.query('BEGIN; SELECT n FROM t WHERE id = 1 FOR UPDATE');
    const waiter = await session();
    void waiter.query('UPDATE t SET n = n + 1 WHERE id = 1').catch(() => {});

    const d = await waitFor(
      () => {
        const x = db();
        return x.byState.waiting === 1 && x.byState.active === 2 && x.byState.idleInTransaction === 2 ? x : null;
      },
      { what: 'session counts', timeoutMs: 5000 },
    );
    assert.deepEqual(d.byState, { active: 2, idle: 2, idleInTransaction: 2, idleInTransactionAborted: 1, waiting: 1, other: 0 });
    assert.equal(d.total, 8, 'warroom itself is not counted');
    assert.equal(d.maxConnections, 50);
    assert.ok(d.ungrantedLocks >= 1);
    assert.deepEqual(
      d.blocking.map((b) => [b.blockedPid, b.blockingPid]),
      [[pidOf(waiter), pidOf(holder)]],
    );
    assert.match(d.blocking[0].blockedQuery, /UPDATE t/);
    assert.match(d.blocking[0].blockingQuery, /FOR UPDATE/);
    const pids = d.longest.map((q) => q.pid);
    for (const c of [a1, a2, iit, aborted, holder, waiter]) assert.ok(pids.includes(pidOf(c)), `pid ${pidOf(c)} listed`);
    assert.ok(!d.longest.some((q) => q.application === 'warroom'));
    const w = d.longest.find((q) => q.pid === pidOf(waiter))!;
    assert.equal(w.waiting, true);
    assert.equal(d.longest.find((q) => q.pid === pidOf(aborted))!.state, 'idle in transaction (aborted)');
    assert.ok(Array.isArray(d.topStatements) && d.topStatements.length > 0, 'pg_stat_statements rows');
    assert.ok(d.topStatements.every((st) => st.calls >= 1 && st.totalMs >= 0));
    // The cockpit does not watch itself: its own poll (run every 0.5 s here) is not among the statements.
    assert.ok(
      !d.topStatements.some((st) => /pg_stat_activity|current_setting/.test(st.query)),
      `own statements listed: ${d.topStatements.map((st) => st.query.slice(0, 40)).join(' | ')}`,
    );
    assert.ok(
      d.topStatements.some((st) => /CREATE TABLE t/.test(st.query)),
      "the sessions' own statements are listed",
    );

    // Releasing the holder clears the blocker.
    await holder.query('ROLLBACK');
    await waitFor(() => db().blocking.length === 0 && db().byState.waiting === 0, { what: 'blocker cleared' });
  });

  test('pg.cancel cancels a running query; pg.terminate ends a backend; errors are specific', async () => {
    const victim = await session();
    const cancelled = victim.query('SELECT pg_sleep(60) /* cancel-me */').then(
      () => null,
      (e: { code?: string }) => e.code,
    );
    const row = (await waitFor(() => db().longest.find((q) => q.pid === pidOf(victim) && q.state === 'active'), { what: 'victim listed' }))!;
    const target: PgBackendTarget = { name: String(row.pid), database: 'main', query: row };
    const lines = await pgCancelAction.describe(target, {}, env);
    assert.match(lines.join('\n'), new RegExp(`backend ${row.pid} on main`));
    assert.ok(!lines.join('\n').includes(pgs.password));
    const out = await pgCancelAction.run(target, {}, env);
    assert.deepEqual(out.refs, { database: 'main', pid: row.pid });
    assert.equal(await cancelled, '57014', 'the query was cancelled');
    assert.equal((await victim.query('SELECT 1 AS one')).rows[0].one, 1, 'the session survives a cancel');

    const ended = new Promise<void>((r) => victim.once('end', () => r()));
    void victim.query('SELECT pg_sleep(60) /* terminate-me */').catch(() => {});
    const out2 = await pgTerminateAction.run({ name: String(row.pid), database: 'main' }, {}, env);
    assert.equal(pgTerminateAction.confirm, 'type-name');
    assert.match(out2.summary, new RegExp(`Terminated backend ${row.pid} on main`));
    assert.deepEqual(out2.refs, { database: 'main', pid: row.pid });
    await ended;
    await waitFor(() => !db().longest.some((q) => q.pid === row.pid), { what: 'terminated backend gone from the list' });

    await assert.rejects(pgTerminateAction.run({ name: String(row.pid), database: 'main' }, {}, env), /backend \d+ is gone/);
    await assert.rejects(pgCancelAction.run({ name: 'x', database: 'main' }, {}, env), /not a backend pid/);
    await assert.rejects(pgCancelAction.run({ name: '1', database: 'nope' }, {}, env), /no configured Postgres database named "nope"/);
  });

  test('pg_stat_statements gone → topStatements null, polling goes on', async () => {
    const admin = await session();
    await admin.query('DROP EXTENSION pg_stat_statements');
    const since = Date.now();
    await waitFor(() => db().topStatements === null && db().status === 'ok' && db().updatedAt! > since, { what: 'null statements' });
  });

  test('pg.terminate without the privilege says permission denied', async () => {
    const admin = await session();
    await admin.query("CREATE ROLE lowly LOGIN PASSWORD 'lowly-secret-pw'");
    const lowUrl = pgs.url.replace(/\/\/warroom:[^@]*@/, '//lowly:lowly-secret-pw@');
    const lowSource = { configFor: () => ({ name: 'main', url: lowUrl, statementTimeoutMs: 2000 }) };
    const lowEnv: ActionEnv = { ...env, services: { postgres: lowSource } };
    const err = await pgTerminateAction.run({ name: String(pidOf(admin)), database: 'main' }, {}, lowEnv).then(
      () => null,
      (e: Error) => e.message,
    );
    assert.match(err ?? '', /permission denied to terminate backend \d+ on main/);
    assert.ok(!err!.includes('lowly-secret-pw'));
  });

  test('its own session killed mid-way: "server closed the connection", then back within an interval', async () => {
    const admin = await session();
    const since = Date.now();
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'warroom'");
    const down = await waitFor(() => (db().status === 'down' ? db() : null), { what: 'down', timeoutMs: 2 * REFRESH_S * 1000 + 300 });
    assert.match(down.error ?? '', /^server closed the connection/);
    await waitFor(() => db().status === 'ok' && db().updatedAt! > since, { what: 'reconnected', timeoutMs: REFRESH_S * 1000 + 700 });
  });

  test('a server that stops answering: "timed out after 2s", then recovers', async () => {
    await waitFor(() => db().status === 'ok', { what: 'ok first' });
    pgs.pause(true);
    try {
      const down = await waitFor(() => (db().status === 'down' ? db() : null), { what: 'timeout', timeoutMs: 2000 + 500 + 2 * REFRESH_S * 1000 + 500 });
      assert.equal(down.error, 'timed out after 2s');
      assert.equal(down.maxConnections, 50, 'keeps the last values');
    } finally {
      pgs.pause(false);
    }
    await waitFor(() => db().status === 'ok', { what: 'recovered after the hang', timeoutMs: 4000 });
  });

  test('server stops: down within two intervals with last values kept; back by itself after restart', async () => {
    const before = db();
    assert.equal(before.status, 'ok');
    const lastGood = before.updatedAt!;
    await pgs.stopServer();
    const stoppedAt = Date.now();
    const down = await waitFor(() => (db().status === 'down' ? db() : null), { what: 'down', timeoutMs: 2 * REFRESH_S * 1000 + 300 });
    assert.ok(Date.now() - stoppedAt <= 2 * REFRESH_S * 1000 + 300);
    assert.match(down.error ?? '', /server closed the connection|connection refused/);
    assert.ok(down.updatedAt! >= lastGood, 'keeps the time of the last good data');
    assert.equal(down.maxConnections, 50, 'keeps the last values');
    assert.equal(slice.status, 'down');
    assert.match(slice.error ?? '', /^main: /);
    // While it stays down, the reason becomes "connection refused".
    await waitFor(() => db().error === 'connection refused', { what: 'connection refused', timeoutMs: 2000 });

    await pgs.restart();
    const restartedAt = Date.now();
    await waitFor(() => db().status === 'ok', { what: 'recovered', timeoutMs: REFRESH_S * 1000 + 700 });
    assert.ok(Date.now() - restartedAt <= REFRESH_S * 1000 + 700);
    assert.equal(slice.status, 'ok');
    assert.equal(slice.error, null);
  });

  test('the password never appears in anything published', () => {
    assert.ok(published.length > 5);
    for (const p of published) assert.ok(!p.includes(pgs.password), 'password leaked into published data');
    assert.equal(db().target, `127.0.0.1:${pgs.server.port}/warroom`);
  });
});
