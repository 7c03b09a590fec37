import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalisePoll, pollSql } from '../../src/sources/postgres/query.js';
import { describePgError } from '../../src/sources/postgres/errors.js';
import { pgTarget, redact, stripUrlCredentials, urlSecrets } from '../../src/sources/postgres/redact.js';
import { summariseDatabases } from '../../src/sources/postgres/source.js';
import { emptyPgDatabase } from '../../src/sources/postgres/types.js';
import { clampTarget } from '../../src/sim/postgres/load.js';

test('poll SQL: one statement; pg_stat_statements only when present, with the right column names', () => {
  assert.doesNotMatch(pollSql(null), /pg_stat_statements/);
  assert.match(pollSql('total_exec_time'), /total_exec_time AS total_ms, mean_exec_time AS mean_ms/);
  assert.match(pollSql('total_time'), /total_time AS total_ms, mean_time AS mean_ms/);
  assert.match(pollSql(null), /pid <> pg_backend_pid\(\)/, 'excludes its own backend');
  assert.doesNotMatch(pollSql(null), /;\s*\S/, 'a single statement');
});

test('normalisePoll: counts, other, rows, numbers from strings', () => {
  const out = normalisePoll({
    max_connections: 100,
    total: 10,
    active: 3,
    idle: 4,
    iit: 1,
    iita: 0,
    waiting: 1,
    ungranted: 2,
    longest: [{ pid: 5, user: 'u', application: 'a', state: 'active', waiting: false, query: 'SELECT 1', ms: '1500' }],
    blocking: [{ blocked: 6, blocking: 5, blocked_query: 'UPDATE', blocking_query: 'SELECT', ms: 900 }],
    statements: [{ query: 'SELECT 1', calls: '12', total_ms: 3.5, mean_ms: 0.3 }],
  });
  assert.deepEqual(out.byState, { active: 3, idle: 4, idleInTransaction: 1, idleInTransactionAborted: 0, waiting: 1, other: 1 });
  assert.equal(out.maxConnections, 100);
  assert.equal(out.longest[0].durationMs, 1500);
  assert.deepEqual(out.blocking[0], { blockedPid: 6, blockingPid: 5, blockedQuery: 'UPDATE', blockingQuery: 'SELECT', waitMs: 900 });
  assert.deepEqual(out.topStatements, [{ query: 'SELECT 1', calls: 12, totalMs: 3.5, meanMs: 0.3 }]);
  assert.equal(normalisePoll({ statements: null }).topStatements, null);
});

test('targets and messages never carry the password', () => {
  const url = 'postgres://app:s3cr%40t@db.internal:6432/orders?sslmode=require';
  assert.equal(pgTarget(url), 'db.internal:6432/orders');
  assert.equal(pgTarget('postgres:///orders', { PGHOST: 'pg.local', PGPORT: '5433' }), 'pg.local:5433/orders');
  assert.deepEqual(urlSecrets(url), ['s3cr%40t', 's3cr@t']);
  assert.equal(stripUrlCredentials(`could not reach ${url}`), 'could not reach postgres://app@db.internal:6432/orders?sslmode=require');
  assert.equal(redact('oops s3cr@t and redis://:pw123@h:1', ['s3cr@t']), 'oops *** and redis://h:1');
});

test('an unencoded @ in the password: the user info ends at the last @, as pg reads it', async () => {
  const { parse } = await import('pg-connection-string');
  const url = 'postgres://u:p@ss@host/db';
  const pg = parse(url);
  assert.deepEqual([pg.user, pg.password, pg.host, pg.database], ['u', 'p@ss', 'host', 'db'], 'pg connects to "host" with password "p@ss"');
  assert.equal(pgTarget(url), 'host:5432/db');
  assert.deepEqual(urlSecrets(url), ['p@ss']);
  const stripped = stripUrlCredentials(`could not reach ${url}`);
  assert.equal(stripped, 'could not reach postgres://u@host/db');
  assert.ok(!redact(`failed: ${url} (p@ss)`, urlSecrets(url)).includes('ss'));
});

test('pg errors become short reasons', () => {
  const opts = { timeoutMs: 3000, secrets: ['hunter22'] };
  assert.equal(describePgError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), opts), 'connection refused');
  assert.equal(describePgError(Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], '')), opts), 'connection refused');
  assert.equal(describePgError(Object.assign(new Error('password authentication failed for user "app"'), { code: '28P01' }), opts), 'authentication failed for user "app"');
  assert.equal(describePgError(new Error('Query read timeout'), opts), 'timed out after 3s');
  assert.equal(describePgError(new Error('timeout expired'), { ...opts, timeoutMs: 2500 }), 'timed out after 2.5s');
  assert.equal(describePgError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }), opts), 'timed out after 3s');
  assert.equal(describePgError(new Error('Connection terminated unexpectedly'), opts), 'server closed the connection');
  assert.match(describePgError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }), opts), /^server closed the connection/);
  assert.equal(describePgError(new Error('bad thing with hunter22 in it'), opts), 'bad thing with *** in it');
});

test('slice status from databases: ok, degraded, down', () => {
  const ok = { ...emptyPgDatabase('a', 'h:1/a'), status: 'ok' as const, updatedAt: 5 };
  const down = { ...emptyPgDatabase('b', 'h:1/b'), status: 'down' as const, error: 'connection refused', updatedAt: 3 };
  assert.deepEqual(summariseDatabases([ok]), { status: 'ok', error: null, updatedAt: 5 });
  assert.deepEqual(summariseDatabases([ok, down]), { status: 'degraded', error: 'b: connection refused', updatedAt: 5 });
  assert.equal(summariseDatabases([down]).status, 'down');
  assert.equal(summariseDatabases([emptyPgDatabase('c', 'x')]).status, 'connecting');
  assert.equal(summariseDatabases([]).status, 'disabled');
});

test('load targets are clamped to the session budget; blocked needs a holder', () => {
  assert.deepEqual(clampTarget({ active: 5, idle: 5, idleInTransaction: 0, blocked: 3 }, 47), { active: 5, idle: 5, idleInTransaction: 1, blocked: 3 });
  assert.deepEqual(clampTarget({ active: 10, idle: 100, idleInTransaction: 2, blocked: 2 }, 47), { active: 10, idle: 33, idleInTransaction: 2, blocked: 2 });
  assert.deepEqual(clampTarget({ active: 50, idle: 0, idleInTransaction: 0, blocked: 0 }, 47), { active: 47, idle: 0, idleInTransaction: 0, blocked: 0 });
  assert.deepEqual(
    clampTarget({ active: 0, idle: 0, idleInTransaction: 0, blocked: 1 }, 1),
    { active: 0, idle: 0, idleInTransaction: 0, blocked: 0 },
    'no room for a holder and a waiter',
  );
  assert.deepEqual(clampTarget({ active: -3, idle: NaN, idleInTransaction: 1.7, blocked: 0 }, 47), { active: 0, idle: 0, idleInTransaction: 1, blocked: 0 });
});
