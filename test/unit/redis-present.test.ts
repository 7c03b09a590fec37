import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMemory, formatRate, redisCells, redisColumns, roleText } from '../../src/present/redis.js';
import { emptyRedisInstance, type RedisInstance, type RedisNode } from '../../src/sources/redis/types.js';

const NOW = 1_800_000_000_000;
const MiB = 1024 * 1024;

function node(over: Partial<RedisNode> = {}): RedisNode {
  return {
    address: '10.0.0.7:6379',
    role: 'master',
    pingMs: 0.42,
    usedMemory: 48 * MiB,
    maxMemory: 64 * MiB,
    connectedClients: 12,
    blockedClients: 0,
    evictedPerSec: 0,
    opsPerSec: 1523.4,
    linkStatus: null,
    connectedReplicas: 0,
    error: null,
    ...over,
  };
}

function inst(nodes: RedisNode[], over: Partial<RedisInstance> = {}): RedisInstance {
  return { ...emptyRedisInstance('cache', '10.0.0.7:6379'), status: 'ok', updatedAt: NOW - 1000, nodes, ...over };
}

test('a node row: ping, memory %, clients, ops/s, evictions/s, role, status', () => {
  const n = node();
  const cells = redisCells(inst([n]), n, NOW);
  assert.equal(cells.length, redisColumns().length);
  assert.deepEqual(
    cells.map((c) => c.text),
    ['cache', '0.4ms', '48.0Mi/64.0Mi 75.0%', '12', '1523', '0', 'master', 'ok'],
  );
  assert.equal(cells[2].token, 'warn', '75% memory is a warning');
});

test('memory: critical near the limit, and no limit when maxmemory is 0', () => {
  const full = node({ usedMemory: 63 * MiB, evictedPerSec: 120.5 });
  const cells = redisCells(inst([full]), full, NOW);
  assert.equal(cells[2].token, 'critical');
  assert.equal(cells[2].bold, true);
  assert.equal(cells[5].text, '121');
  assert.equal(cells[5].token, 'warn');
  assert.equal(formatMemory({ usedMemory: 3 * MiB, maxMemory: 0 }), '3.0Mi (no limit)');
  assert.equal(formatMemory({ usedMemory: null, maxMemory: 0 }), '-');
  assert.equal(redisCells(inst([node({ maxMemory: 0 })]), node({ maxMemory: 0 }), NOW)[2].token, undefined);
});

test('role and replication link are words', () => {
  assert.deepEqual(roleText({ role: 'replica', linkStatus: 'down', connectedReplicas: null }), { text: 'replica link down', token: 'critical' });
  assert.deepEqual(roleText({ role: 'replica', linkStatus: 'up', connectedReplicas: null }), { text: 'replica link up', token: undefined });
  assert.deepEqual(roleText({ role: 'master', linkStatus: null, connectedReplicas: 2 }), { text: 'master +2 replicas' });
  assert.deepEqual(roleText({ role: null, linkStatus: null, connectedReplicas: null }), { text: '-' });
});

test('down: PING says DOWN (the last ping would read as healthy), the other last values stay, greyed, with reason and age', () => {
  const n = node();
  const cells = redisCells(inst([n], { status: 'down', error: 'timed out after 3s', updatedAt: NOW - 65_000 }), n, NOW);
  assert.equal(cells[7].text, 'DOWN timed out after 3s (data 1m5s old)');
  assert.equal(cells[7].token, 'critical');
  assert.deepEqual([cells[1].text, cells[1].token], ['DOWN', 'critical']);
  assert.equal(cells[2].text, '48.0Mi/64.0Mi 75.0%');
  assert.equal(cells[2].token, 'muted');
});

test('recovered: the last error stays visible for a while', () => {
  const n = node();
  const recent = inst([n], { lastError: { message: 'timed out after 3s', at: NOW - 120_000 } });
  const cell = redisCells(recent, n, NOW)[7];
  assert.equal(cell.text, 'ok (last error 2m ago: timed out after 3s)');
  assert.equal(cell.token, 'warn');
  const old = inst([n], { lastError: { message: 'timed out after 3s', at: NOW - 3_600_000 } });
  assert.equal(redisCells(old, n, NOW)[7].text, 'ok');
});

test('no data yet: the target and the state', () => {
  const i = emptyRedisInstance('sessions', 'sentinel mymaster@s1:26379,s2:26379');
  assert.deepEqual(
    redisCells(i, null, NOW).map((c) => c.text),
    ['sessions', '-', '-', '-', '-', '-', 'sentinel mymaster@s1:26379,s2:26379', 'connecting…'],
  );
  const failed = { ...i, status: 'down' as const, error: 'connection refused' };
  assert.equal(redisCells(failed, null, NOW)[7].text, 'DOWN connection refused');
});

test('cluster: one row per node, named by address; a failing node shows its error', () => {
  const a = node({ address: '10.0.0.1:7000' });
  const b = node({ address: '10.0.0.2:7001', role: 'replica', linkStatus: 'up', error: 'timed out after 3s', pingMs: null });
  const i = inst([a, b]);
  assert.equal(redisCells(i, a, NOW)[0].text, 'cache 10.0.0.1:7000');
  const rb = redisCells(i, b, NOW);
  assert.equal(rb[0].text, 'cache 10.0.0.2:7001');
  assert.equal(rb[7].text, 'ERROR timed out after 3s');
  assert.equal(rb[1].text, '-');
});

test('rates', () => {
  assert.equal(formatRate(null), '-');
  assert.equal(formatRate(0), '0');
  assert.equal(formatRate(3.25), '3.3');
  assert.equal(formatRate(25_300), '25.3k');
});
