// RedisSource against a real redis-server and against the drill's RESP simulator.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RedisSource } from '../../src/sources/redis/source.js';
import type { RedisData, RedisInstance } from '../../src/sources/redis/types.js';
import { emptySlice, type SourceSlice } from '../../src/sources/types.js';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { startDrillRedis, findRedisServer, redisAnswers, type DrillRedis } from '../../src/sim/redis/index.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { freePort, tempDir, waitFor } from '../helpers/net.js';

const REFRESH_S = 0.5;
const INTERVAL = REFRESH_S * 1000;

function watch(url: string, opts: { timeoutMs?: number } = {}) {
  let slice: SourceSlice<RedisData> = emptySlice({ instances: [] });
  const published: string[] = [];
  const source = new RedisSource(
    [{ name: 'cache', url }],
    REFRESH_S,
    (u) => {
      slice = u(slice);
      published.push(JSON.stringify(slice));
    },
    { timeoutMs: opts.timeoutMs ?? 1000 },
  );
  source.start();
  return { source, published, inst: (): RedisInstance => slice.data.instances[0], slice: () => slice };
}

describe('redis source', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  test('real redis-server: the pane fills on the first poll, not a refresh interval later', async () => {
    const r: TestRedis = await startTestRedis({});
    cleanups.push(() => r.destroy());
    let slice: SourceSlice<RedisData> = emptySlice({ instances: [] });
    // A 30 s refresh: the first poll runs before the connection is up; the answer must not wait for the second.
    const source = new RedisSource([{ name: 'cache', url: r.url }], 30, (u) => (slice = u(slice)), { timeoutMs: 1000 });
    const t0 = Date.now();
    source.start();
    cleanups.push(() => source.stop());
    await waitFor(() => slice.data.instances[0]?.status === 'ok', { what: 'first answer', timeoutMs: 5000 });
    assert.ok(Date.now() - t0 < 2000, `answered after ${Date.now() - t0} ms`);
    assert.equal(slice.data.instances[0].nodes[0].role, 'master');
  });

  test('real redis-server: ping, memory against maxmemory, ops/s; stop → down, restart → recovered', async () => {
    const r: TestRedis = await startTestRedis({ maxmemory: '16mb', 'maxmemory-policy': 'noeviction' });
    cleanups.push(() => r.destroy());
    const w = watch(r.url);
    cleanups.push(() => w.source.stop());
    const first = await waitFor(() => (w.inst()?.status === 'ok' ? w.inst() : null), { what: 'first poll' });
    assert.equal(first.target, `127.0.0.1:${r.port}`);
    const n0 = first.nodes[0];
    assert.equal(n0.address, `127.0.0.1:${r.port}`);
    assert.equal(n0.role, 'master');
    assert.equal(n0.maxMemory, 16 * 1024 * 1024);
    assert.ok(n0.pingMs != null && n0.pingMs >= 0 && n0.pingMs < 200, `ping ${n0.pingMs}`);
    assert.ok(n0.connectedClients! >= 1);

    // Fill about 8 MiB and generate load.
    const c = new Redis({ port: r.port, host: '127.0.0.1', protocol: 2 });
    c.on('error', () => {});
    cleanups.push(async () => c.disconnect());
    const value = 'v'.repeat(64 * 1024);
    const p = c.pipeline();
    for (let i = 0; i < 128; i++) p.set(`k${i}`, value);
    await p.exec();
    const startedAt = Date.now();
    while (Date.now() - startedAt < 700) await c.incr('counter');
    const filled = await waitFor(
      () => {
        const n = w.inst().nodes[0];
        return n.usedMemory! > 8 * 1024 * 1024 && n.opsPerSec! > 10 ? n : null;
      },
      { what: 'memory and ops/s', timeoutMs: 3000 },
    );
    const pct = filled.usedMemory! / filled.maxMemory!;
    assert.ok(pct > 0.5 && pct < 1, `memory ${(pct * 100).toFixed(1)}%`);
    assert.equal(filled.evictedPerSec, 0);

    await r.stopServer();
    const stoppedAt = Date.now();
    const down = await waitFor(() => (w.inst().status === 'down' ? w.inst() : null), { what: 'down', timeoutMs: 2 * INTERVAL + 300 });
    assert.ok(Date.now() - stoppedAt <= 2 * INTERVAL + 300);
    assert.match(down.error ?? '', /server closed the connection|connection refused/);
    assert.ok(down.updatedAt != null && down.nodes[0].usedMemory! > 8 * 1024 * 1024, 'keeps last values');
    await waitFor(() => w.inst().error === 'connection refused', { what: 'connection refused', timeoutMs: 2000 });
    assert.equal(w.slice().status, 'down');

    await r.restart();
    const restartedAt = Date.now();
    await waitFor(() => w.inst().status === 'ok', { what: 'recovered', timeoutMs: INTERVAL + 700 });
    assert.ok(Date.now() - restartedAt <= INTERVAL + 700);
    assert.equal(w.slice().status, 'ok');
    assert.equal(w.inst().lastError?.message, 'connection refused', 'the last failure is remembered');
  });

  test('auth failure is named, and the password never shows', async () => {
    const r = await startTestRedis({ requirepass: 'right-horse-battery' });
    cleanups.push(() => r.destroy());
    const wrong = watch(`redis://:wrong-staple-pw@127.0.0.1:${r.port}`);
    cleanups.push(() => wrong.source.stop());
    const none = watch(`redis://127.0.0.1:${r.port}`);
    cleanups.push(() => none.source.stop());
    const good = watch(r.url);
    cleanups.push(() => good.source.stop());
    const d = await waitFor(() => (wrong.inst().status === 'down' ? wrong.inst() : null), { what: 'auth failure' });
    assert.equal(d.error, 'authentication failed for user "default"');
    const d2 = await waitFor(() => (none.inst().status === 'down' ? none.inst() : null), { what: 'no password' });
    assert.match(d2.error ?? '', /authentication required/);
    await waitFor(() => good.inst().status === 'ok', { what: 'right password works' });
    for (const p of [...wrong.published, ...good.published]) {
      assert.ok(!p.includes('wrong-staple-pw') && !p.includes('right-horse-battery'), 'password leaked');
    }
  });

  test('drill redis-server: outage (SIGSTOP) reads as a timeout, then recovers', async () => {
    const dir = tempDir('warroom-drill-redis-');
    const dr: DrillRedis = await startDrillRedis({ dir });
    cleanups.push(async () => {
      await dr.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    assert.equal(dr.kind, 'redis-server');
    const w = watch(dr.url);
    cleanups.push(() => w.source.stop());
    await waitFor(() => w.inst()?.status === 'ok', { what: 'first poll' });
    assert.equal(w.inst().nodes[0].maxMemory, 64 * 1024 * 1024);
    await dr.fillMemory(4 * 1024 * 1024);
    await waitFor(() => w.inst().nodes[0].usedMemory! > 4 * 1024 * 1024, { what: 'filled' });
    await dr.outage(true);
    const down = await waitFor(() => (w.inst().status === 'down' ? w.inst() : null), { what: 'timeout', timeoutMs: 3000 });
    assert.equal(down.error, 'timed out after 1s');
    await dr.outage(false);
    await waitFor(() => w.inst().status === 'ok', { what: 'recovered', timeoutMs: 3000 });
    await w.source.stop();
    await dr.stop();
    assert.deepEqual(fs.readdirSync(dir), [], 'stop() removes its folder');
  });

  test('cluster mode (redis+cluster://): one row per node', async () => {
    const cfg = { 'cluster-enabled': 'yes', 'cluster-config-file': 'nodes.conf', 'cluster-node-timeout': '2000' };
    const a = await startTestRedis(cfg);
    cleanups.push(() => a.destroy());
    const b = await startTestRedis(cfg);
    cleanups.push(() => b.destroy());
    const ca = new Redis({ port: a.port, host: '127.0.0.1', protocol: 2 });
    const cb = new Redis({ port: b.port, host: '127.0.0.1', protocol: 2 });
    for (const c of [ca, cb]) {
      c.on('error', () => {});
      cleanups.push(async () => c.disconnect());
    }
    await ca.call('CLUSTER', 'ADDSLOTSRANGE', '0', '8191');
    await cb.call('CLUSTER', 'ADDSLOTSRANGE', '8192', '16383');
    await ca.call('CLUSTER', 'MEET', '127.0.0.1', String(b.port));
    await waitFor(async () => /cluster_state:ok/.test(String(await ca.call('CLUSTER', 'INFO'))) && /cluster_state:ok/.test(String(await cb.call('CLUSTER', 'INFO'))), {
      what: 'cluster ok',
      timeoutMs: 10_000,
      intervalMs: 100,
    });
    const w = watch(`redis+cluster://127.0.0.1:${a.port}`);
    cleanups.push(() => w.source.stop());
    const ok = await waitFor(() => (w.inst()?.status === 'ok' && w.inst().nodes.length === 2 ? w.inst() : null), { what: 'two nodes', timeoutMs: 5000 });
    assert.equal(ok.target, `cluster 127.0.0.1:${a.port}`);
    assert.deepEqual(ok.nodes.map((n) => n.address).sort(), [`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`].sort());
    assert.ok(ok.nodes.every((n) => n.role === 'master' && n.pingMs != null && n.error === null));
  });

  test('sentinel mode (redis+sentinel://): the master the sentinel names', async () => {
    const master = await startTestRedis();
    cleanups.push(() => master.destroy());
    const dir = tempDir('warroom-sentinel-');
    const conf = path.join(dir, 'sentinel.conf');
    fs.writeFileSync(conf, `sentinel monitor mymaster 127.0.0.1 ${master.port} 1\n`);
    const sentinelPort = await freePort();
    const proc = spawn(findRedisServer()!, [conf, '--sentinel', '--port', String(sentinelPort), '--bind', '127.0.0.1', '--dir', dir], { stdio: 'ignore' });
    cleanups.push(async () => {
      proc.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    });
    await waitFor(() => redisAnswers(sentinelPort), { what: 'sentinel up' });
    const w = watch(`redis+sentinel://127.0.0.1:${sentinelPort}/mymaster`);
    cleanups.push(() => w.source.stop());
    const ok = await waitFor(() => (w.inst()?.status === 'ok' ? w.inst() : null), { what: 'sentinel master polled', timeoutMs: 5000 });
    assert.equal(ok.target, `sentinel mymaster@127.0.0.1:${sentinelPort}`);
    assert.equal(ok.nodes[0].address, `mymaster 127.0.0.1:${master.port}`);
    assert.equal(ok.nodes[0].role, 'master');
  });

  test('resp-sim fallback answers what the source asks; outage reads as a timeout', async () => {
    const dir = tempDir('warroom-drill-sim-');
    const sim = await startDrillRedis({ dir, forceSim: true });
    cleanups.push(async () => {
      await sim.stop();
      fs.rmdirSync(dir);
    });
    assert.equal(sim.kind, 'resp-sim');
    const w = watch(sim.url);
    cleanups.push(() => w.source.stop());
    const ok = await waitFor(() => (w.inst()?.status === 'ok' ? w.inst() : null), { what: 'first poll' });
    const n = ok.nodes[0];
    assert.equal(n.role, 'master');
    assert.equal(n.maxMemory, 64 * 1024 * 1024);
    assert.ok(n.connectedClients! >= 1);
    assert.ok(n.pingMs != null);

    await sim.fillMemory(40 * 1024 * 1024);
    await waitFor(() => w.inst().nodes[0].usedMemory! > 40 * 1024 * 1024, { what: 'fill seen' });
    await sim.fillMemory(40 * 1024 * 1024);
    const full = await waitFor(() => (w.inst().nodes[0].evictedPerSec! > 0 ? w.inst().nodes[0] : null), { what: 'evictions' });
    assert.equal(full.usedMemory, full.maxMemory);

    sim.setLatencyMs(80);
    await waitFor(() => w.inst().nodes[0].pingMs! >= 80, { what: 'latency seen' });
    sim.setLatencyMs(0);

    await sim.outage(true);
    const down = await waitFor(() => (w.inst().status === 'down' ? w.inst() : null), { what: 'timeout', timeoutMs: 3000 });
    assert.equal(down.error, 'timed out after 1s');
    await sim.outage(false);
    await waitFor(() => w.inst().status === 'ok', { what: 'recovered', timeoutMs: 3000 });

    const raw = new Redis(sim.url, { protocol: 2, lazyConnect: true });
    raw.on('error', () => {});
    cleanups.push(async () => raw.disconnect());
    await raw.connect();
    await assert.rejects(raw.call('FLUSHALL'), /ERR unknown command 'FLUSHALL'/);
    assert.deepEqual(await raw.call('CONFIG', 'GET', 'maxmemory'), ['maxmemory', String(64 * 1024 * 1024)]);
    assert.match(String(await raw.info('memory')), /used_memory:\d+/);
  });
});
