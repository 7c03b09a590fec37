import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRedisUrl } from '../../src/sources/redis/url.js';
import { nodeFromInfo, parseInfo } from '../../src/sources/redis/info.js';
import { describeRedisError } from '../../src/sources/redis/errors.js';
import { summariseInstances } from '../../src/sources/redis/source.js';
import { emptyRedisInstance } from '../../src/sources/redis/types.js';
import { parseCommands, parseMemory, RespSim } from '../../src/sim/redis/resp-server.js';

test('URL forms: redis, rediss, sentinel, cluster; targets carry no password', () => {
  const a = parseRedisUrl('redis://:p%40ss@cache.internal:6380/2');
  assert.equal(a.mode, 'standalone');
  assert.equal(a.password, 'p@ss');
  assert.equal(a.db, 2);
  assert.equal(a.target, 'cache.internal:6380/2');
  assert.deepEqual(a.secrets, ['p%40ss', 'p@ss']);
  const b = parseRedisUrl('rediss://app:tok123@redis.example.com');
  assert.equal(b.tls, true);
  assert.equal(b.username, 'app');
  assert.deepEqual(b.hosts, [{ host: 'redis.example.com', port: 6379 }]);
  assert.equal(b.target, 'redis.example.com:6379 (tls)');
  const s = parseRedisUrl('redis+sentinel://:pw1234@s1,s2:26380/mymaster/1');
  assert.equal(s.mode, 'sentinel');
  assert.equal(s.masterName, 'mymaster');
  assert.deepEqual(s.hosts, [
    { host: 's1', port: 26379 },
    { host: 's2', port: 26380 },
  ]);
  assert.equal(s.target, 'sentinel mymaster@s1:26379,s2:26380/1');
  const c = parseRedisUrl('redis+cluster://n1:7000,n2:7001,[::1]:7002');
  assert.equal(c.mode, 'cluster');
  assert.equal(c.target, 'cluster n1:7000,n2:7001,[::1]:7002');
  assert.throws(() => parseRedisUrl('http://x'), /unsupported Redis URL/);
  assert.throws(() => parseRedisUrl('redis+sentinel://s1:26379'), /master name/);
  for (const p of [a, b, s]) assert.ok(!p.target.includes('p@ss') && !p.target.includes('tok123') && !p.target.includes('pw1234'));
});

test('URL user info ends at the last @; a stray # / ? in the password is refused without echoing it', () => {
  const a = parseRedisUrl('redis://:p@ss@cache:6380');
  assert.deepEqual([a.password, a.target], ['p@ss', 'cache:6380']);
  assert.deepEqual(parseRedisUrl('rediss+cluster://app:t@k@n1:7000,n2').hosts, [
    { host: 'n1', port: 7000 },
    { host: 'n2', port: 6379 },
  ]);
  for (const [url, ch] of [
    ['redis://:Pw#Leak_13@cache:6379', '#'],
    ['redis://:Pw?Leak_13@cache', '?'],
    ['redis+sentinel://:Pw/Leak_13@s1/m', '/'],
  ]) {
    assert.throws(
      () => parseRedisUrl(url),
      (e: Error) => e.message.includes(`"${ch}"`) && /percent-encoded/.test(e.message) && !e.message.includes('Leak_13') && !e.message.includes('Pw'),
      url,
    );
  }
  assert.throws(() => parseRedisUrl('redis://cache:99999'), /port must be a number from 1 to 65535/);
  assert.throws(() => parseRedisUrl('redis://cache:abc'), /port must be a number from 1 to 65535/);
});

const INFO = [
  '# Server',
  'redis_version:7.0.15',
  '',
  '# Clients',
  'connected_clients:7',
  'blocked_clients:2',
  '# Memory',
  'used_memory:1048576',
  'maxmemory:4194304',
  '# Stats',
  'total_commands_processed:1000',
  'instantaneous_ops_per_sec:33',
  'evicted_keys:10',
  '# Replication',
  'role:slave',
  'master_link_status:down',
].join('\r\n');

test('INFO → node, with rates from counters between polls (own commands not counted)', () => {
  const info = parseInfo(INFO);
  assert.equal(info.redis_version, '7.0.15');
  const first = nodeFromInfo('h:1', info, 1.5, undefined, 10_000);
  assert.equal(first.node.opsPerSec, 33, 'first poll: instantaneous_ops_per_sec');
  assert.equal(first.node.evictedPerSec, null);
  assert.equal(first.node.role, 'replica');
  assert.equal(first.node.linkStatus, 'down');
  assert.equal(first.node.blockedClients, 2);
  assert.equal(first.node.maxMemory, 4194304);
  const later = parseInfo(INFO.replace('total_commands_processed:1000', 'total_commands_processed:1502').replace('evicted_keys:10', 'evicted_keys:30'));
  const second = nodeFromInfo('h:1', later, 1.5, first.sample, 12_000);
  assert.equal(second.node.opsPerSec, 250);
  assert.equal(second.node.evictedPerSec, 10);
  // A restart resets counters: fall back to the instantaneous figure.
  const reset = nodeFromInfo('h:1', parseInfo(INFO.replace('total_commands_processed:1000', 'total_commands_processed:5')), 1, second.sample, 14_000);
  assert.equal(reset.node.opsPerSec, 33);
  assert.equal(reset.node.evictedPerSec, null);
});

test('redis errors become short reasons without secrets', () => {
  const o = { timeoutMs: 3000, secrets: ['hunter22'], hasPassword: true, user: undefined };
  assert.equal(describeRedisError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }), o), 'connection refused');
  assert.equal(describeRedisError(new Error('WRONGPASS invalid username-password pair or user is disabled.'), o), 'authentication failed for user "default"');
  assert.equal(describeRedisError(new Error('WRONGPASS invalid username-password pair'), { ...o, user: 'app' }), 'authentication failed for user "app"');
  assert.equal(describeRedisError(new Error('NOAUTH Authentication required.'), { ...o, hasPassword: false }), 'authentication required (no password in the URL)');
  assert.equal(describeRedisError(new Error('Command timed out'), o), 'timed out after 3s');
  assert.equal(describeRedisError(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }), { ...o, timeoutMs: 1500 }), 'timed out after 1.5s');
  assert.equal(describeRedisError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), o), 'server closed the connection');
  assert.equal(describeRedisError(new Error('weird hunter22'), o), 'weird ***');
});

test('slice status from instances', () => {
  const ok = { ...emptyRedisInstance('a', 'h:1'), status: 'ok' as const, updatedAt: 9 };
  const down = { ...emptyRedisInstance('b', 'h:2'), status: 'down' as const, error: 'connection refused' };
  assert.deepEqual(summariseInstances([ok, down]), { status: 'degraded', error: 'b: connection refused', updatedAt: 9 });
  assert.equal(summariseInstances([ok]).status, 'ok');
  assert.equal(summariseInstances([down]).status, 'down');
  assert.equal(summariseInstances([]).status, 'disabled');
});

test('RESP parsing: arrays, inline, partial input', () => {
  const all = Buffer.from('*2\r\n$4\r\nINFO\r\n$6\r\nmemory\r\nPING\r\n*1\r\n$4\r\nPI');
  const { commands, rest } = parseCommands(all);
  assert.deepEqual(commands, [['INFO', 'memory'], ['PING']]);
  assert.equal(rest.toString(), '*1\r\n$4\r\nPI');
  assert.deepEqual(parseCommands(Buffer.concat([rest, Buffer.from('NG\r\n')])).commands, [['PING']]);
  assert.equal(parseMemory('64mb'), 64 * 1024 * 1024);
  assert.equal(parseMemory('1000'), 1000);
});

test('resp-sim INFO sections use real field names; fill past maxmemory evicts', () => {
  const sim = new RespSim({ maxMemory: 2_000_000 });
  const mem = parseInfo(sim.info(['memory']));
  assert.equal(mem.maxmemory, '2000000');
  assert.ok(Number(mem.used_memory) > 0);
  assert.equal(parseInfo(sim.info(['memory'])).role, undefined, 'only the asked section');
  const all = parseInfo(sim.info([]));
  for (const k of ['redis_version', 'connected_clients', 'blocked_clients', 'used_memory', 'total_commands_processed', 'instantaneous_ops_per_sec', 'evicted_keys', 'role']) {
    assert.ok(k in all, k);
  }
  sim.fill(5_000_000);
  assert.equal(sim.usedMemory, 2_000_000);
  assert.ok(sim.evictedKeys > 0);
});
