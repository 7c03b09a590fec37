import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDurationMs, pgBlockCells, pgQueryCells, pgQueryColumns, pgStatementQueryCells, pgSummaryCells, saturationToken } from '../../src/present/postgres.js';
import { emptyPgDatabase, type PgDatabase, type PgQueryRow } from '../../src/sources/postgres/types.js';
import { defaultConfig } from '../../src/config/schema.js';

const NOW = 1_800_000_000_000;

function db(over: Partial<PgDatabase> = {}): PgDatabase {
  return {
    ...emptyPgDatabase('main', '10.0.0.5:5432/app'),
    status: 'ok',
    updatedAt: NOW - 2000,
    maxConnections: 100,
    total: 87,
    byState: { active: 40, idle: 30, idleInTransaction: 12, idleInTransactionAborted: 0, waiting: 5, other: 0 },
    ungrantedLocks: 3,
    ...over,
  };
}

const text = (cells: { text: string }[]) => cells.map((c) => c.text).join('  ');

test('summary line: saturation against max_connections, states, locks', () => {
  const cells = pgSummaryCells(db(), NOW, defaultConfig().severity);
  assert.equal(text(cells), 'main  87/100 (87%)  act 40  idle 30  iit 12  wait 5  locks 3');
  const sat = cells[1];
  assert.equal(sat.token, 'warn', '87% is past the 80% warning');
  assert.equal(sat.bold, true);
  assert.equal(cells.find((c) => c.text === 'locks 3')!.token, 'critical');
});

test('saturation colour follows the configured warn level', () => {
  const sev = { postgresSaturation: { warn: 0.9 } };
  assert.equal(pgSummaryCells(db(), NOW, sev)[1].token, 'ok');
  assert.equal(pgSummaryCells(db({ total: 96 }), NOW, sev)[1].token, 'critical');
  assert.equal(saturationToken(0.5), 'ok');
  assert.equal(saturationToken(0.8), 'warn');
  assert.equal(saturationToken(0.95), 'critical');
  assert.equal(saturationToken(null), 'muted');
});

test('aborted transactions appear only when present; no locks is quiet', () => {
  const t = text(
    pgSummaryCells(db({ ungrantedLocks: 0, byState: { active: 1, idle: 0, idleInTransaction: 0, idleInTransactionAborted: 2, waiting: 0, other: 0 }, total: 3 }), NOW),
  );
  assert.match(t, /aborted 2/);
  const cells = pgSummaryCells(db({ ungrantedLocks: 0 }), NOW);
  assert.equal(cells.find((c) => c.text === 'locks 0')!.token, undefined);
  assert.doesNotMatch(text(cells), /aborted/);
});

test('down keeps the last values and says why and how old', () => {
  const t = text(pgSummaryCells(db({ status: 'down', error: 'connection refused', updatedAt: NOW - 42_000 }), NOW));
  assert.match(t, /^main {2}87\/100 \(87%\)/);
  assert.match(t, /DOWN connection refused \(data 42s old\)$/);
});

test('before the first poll: target and connecting… or the failure', () => {
  const fresh = emptyPgDatabase('main', '10.0.0.5:5432/app');
  assert.equal(text(pgSummaryCells(fresh, NOW)), 'main  10.0.0.5:5432/app  connecting…');
  const failed = { ...fresh, status: 'down' as const, error: 'authentication failed for user "app"' };
  assert.equal(text(pgSummaryCells(failed, NOW)), 'main  10.0.0.5:5432/app  DOWN authentication failed for user "app"');
});

test('long-query rows: pid, user, app, duration, state word, one-line query', () => {
  const q: PgQueryRow = { pid: 4242, user: 'app', application: 'api', state: 'active', durationMs: 125_000, waiting: false, query: 'SELECT *\n  FROM orders\n WHERE id = $1' };
  const cells = pgQueryCells(q);
  assert.equal(cells.length, pgQueryColumns().length);
  assert.deepEqual(
    cells.map((c) => c.text),
    ['4242', 'app', 'api', '2m5s', 'active', 'SELECT * FROM orders WHERE id = $1'],
  );
  assert.equal(cells[3].token, 'warn');
  const waiting = pgQueryCells({ ...q, waiting: true, durationMs: 400 });
  assert.equal(waiting[4].text, 'lock wait');
  assert.equal(waiting[3].text, '400ms');
  assert.equal(pgQueryCells({ ...q, state: 'idle in transaction (aborted)' })[4].text, 'aborted');
  assert.equal(pgQueryCells({ ...q, state: 'idle in transaction', durationMs: 6 * 60_000 })[3].token, 'critical');
  assert.equal(pgQueryCells({ ...q, user: null, application: '' })[2].text, '-');
});

test('blocker rows name both pids and both queries', () => {
  const cells = pgBlockCells({ blockedPid: 11, blockingPid: 7, blockedQuery: 'UPDATE t SET n = n + 1', blockingQuery: 'SELECT * FROM t FOR UPDATE', waitMs: 12_000 });
  assert.deepEqual(
    cells.map((c) => c.text),
    ['blocked 11 ← 7', '12s', 'UPDATE t SET n = n + 1', 'holder: SELECT * FROM t FOR UPDATE'],
  );
  assert.equal(cells[0].token, 'critical');
});

test('statement rows', () => {
  assert.deepEqual(
    pgStatementQueryCells({ query: 'SELECT 1', calls: 123456, totalMs: 90_500, meanMs: 0.7 }).map((c) => c.text),
    ['top', '', '123.5k calls', '1m30s', '~1ms', 'SELECT 1'],
  );
  assert.equal(formatDurationMs(-1), '-');
});

test('pg_stat_statements rows fit the long-query table: calls, total as duration, mean as state', async () => {
  const { pgStatementQueryCells, pgQueryColumns } = await import('../../src/present/postgres.js');
  const cells = pgStatementQueryCells({ query: 'SELECT *\n  FROM orders WHERE id = $1', calls: 12_345, totalMs: 95_000, meanMs: 7.7 });
  assert.equal(cells.length, pgQueryColumns().length);
  assert.deepEqual(
    cells.map((c) => c.text),
    ['top', '', '12.3k calls', '1m35s', '~8ms', 'SELECT * FROM orders WHERE id = $1'],
  );
});
