// The drill's Postgres: a real server plus the load generator, observed through PostgresSource.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startDrillPostgres, type DrillPostgres } from '../../src/sim/postgres/index.js';
import { PostgresSource } from '../../src/sources/postgres/source.js';
import type { PgDatabase, PostgresData } from '../../src/sources/postgres/types.js';
import { emptySlice, type SourceSlice } from '../../src/sources/types.js';
import { pgTerminateAction } from '../../src/actions/postgres.js';
import { tempDir, waitFor } from '../helpers/net.js';
import { childrenOf } from '../helpers/postgres.js';

/** Pids of processes whose command line mentions `needle`. */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(needle)) pids.push(Number(entry));
    } catch {
      /* exited */
    }
  }
  return pids;
}

describe('drill postgres', () => {
  const dir = tempDir('warroom-drill-pg-');
  let drill: DrillPostgres;
  let source: PostgresSource;
  let slice: SourceSlice<PostgresData> = emptySlice({ databases: [] });
  const db = (): PgDatabase => slice.data.databases[0];

  before(async () => {
    drill = await startDrillPostgres({ dir });
    source = new PostgresSource([{ name: 'orders', url: drill.url, statementTimeoutMs: 2000 }], 0.5, (u) => {
      slice = u(slice);
    });
    source.start();
    await waitFor(() => db()?.status === 'ok', { what: 'first poll' });
  });

  after(async () => {
    await source?.stop();
    await drill?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('url carries a password; pg_stat_statements is on', async () => {
    assert.match(drill.url, /^postgres:\/\/warroom:[0-9a-f]{16,}@127\.0\.0\.1:\d+\/warroom$/);
    assert.equal(drill.maxConnections, 50);
    await waitFor(() => Array.isArray(db().topStatements), { what: 'pg_stat_statements rows' });
  });

  test('setTarget reaches the counts the source sees, and back down', async () => {
    const applied = await drill.load.setTarget({ active: 6, idle: 10, idleInTransaction: 3, blocked: 4 });
    assert.deepEqual(applied, { active: 6, idle: 10, idleInTransaction: 3, blocked: 4 });
    const d = await waitFor(
      () => {
        const s = db().byState;
        return s.active === 6 && s.idle === 10 && s.idleInTransaction === 3 && s.waiting === 4 ? db() : null;
      },
      { what: 'target counts', timeoutMs: 5000 },
    );
    assert.equal(d.total, 23);
    assert.equal(new Set(d.blocking.map((b) => b.blockedPid)).size, 4, 'four blocked sessions');
    // Later waiters queue behind earlier ones too, so blockers are the holder and the waiters ahead.
    const idleTx = new Set(d.longest.filter((q) => q.state === 'idle in transaction').map((q) => q.pid));
    const holders = new Set(d.blocking.map((b) => b.blockingPid).filter((p) => idleTx.has(p)));
    assert.equal(holders.size, 1, 'one idle-in-transaction session holds the lock');
    assert.ok(d.ungrantedLocks >= 4);
    assert.ok(d.longest.every((q) => q.application === 'drill-app'));

    // Terminating the holder from the cockpit lets the blocked sessions through; they leave.
    const [holder] = holders;
    await pgTerminateAction.run(
      { name: String(holder), database: 'orders' },
      {},
      {
        context: null,
        readOnly: false,
        drill: true,
        recorder: { record: () => {} },
        services: { postgres: source },
      },
    );
    await waitFor(() => db().byState.waiting === 0 && db().blocking.length === 0, { what: 'blockers gone', timeoutMs: 5000 });
    assert.equal(drill.load.current().blocked, 0);

    // The top statements are the drill's workload, never its own setup or housekeeping.
    const top = await waitFor(() => (db().topStatements?.some((t) => /pg_sleep|UPDATE drill_lock/.test(t.query)) ? db().topStatements : null), { what: 'workload statements' });
    const own = top!.filter((t) => /CREATE (EXTENSION|TABLE|DATABASE)|INSERT INTO drill_lock|pg_terminate_backend/i.test(t.query));
    assert.deepEqual(
      own.map((t) => t.query),
      [],
    );

    await drill.load.setTarget({ active: 1, idle: 2, idleInTransaction: 0, blocked: 0 });
    await waitFor(
      () => {
        const s = db().byState;
        return s.active === 1 && s.idle === 2 && s.idleInTransaction === 0 && s.waiting === 0 && db().total === 3;
      },
      { what: 'reduced counts', timeoutMs: 5000 },
    );
  });

  test('never exceeds max_connections - 3', async () => {
    const applied = await drill.load.setTarget({ active: 10, idle: 100, idleInTransaction: 2, blocked: 2 });
    assert.equal(applied.active + applied.idle + applied.idleInTransaction + applied.blocked, 47);
    await waitFor(() => db().total === 47, { what: '47 sessions', timeoutMs: 8000 });
    assert.equal(db().maxConnections, 50);
    await drill.load.setTarget({ active: 0, idle: 0, idleInTransaction: 0, blocked: 0 });
    await waitFor(() => db().total === 0, { what: 'no sessions', timeoutMs: 5000 });
  });

  test('stop() leaves no process and no folder behind', async () => {
    await drill.load.setTarget({ active: 2, idle: 2, idleInTransaction: 1, blocked: 1 });
    const servers = processesMentioning(dir);
    assert.equal(servers.length, 1, 'one postmaster runs from the drill folder');
    const family = [...servers, ...servers.flatMap(childrenOf)];
    assert.ok(family.length > 6, 'postmaster, its workers and the sessions');
    await source.stop();
    await drill.stop();
    await waitFor(() => family.every((pid) => !fs.existsSync(`/proc/${pid}`)), { what: 'postgres processes gone', timeoutMs: 5000 });
    assert.deepEqual(fs.readdirSync(dir), []);
  });
});
