// The drill's Redis: a real redis-server when one is installed, else the RESP simulator.
import { Redis } from 'ioredis';
import { RedisServer, findRedisServer } from './server.js';
import { RespSim } from './resp-server.js';

export { RedisServer, findRedisServer, redisAnswers, type RedisServerOptions } from './server.js';
export { RespSim, parseCommands, parseMemory, type RespSimOptions } from './resp-server.js';

export interface DrillRedis {
  url: string;
  kind: 'redis-server' | 'resp-sim';
  /** Stop answering (real server: SIGSTOP/SIGCONT; sim: hold replies) or resume. */
  outage(on: boolean): Promise<void>;
  /** Sim only: delay every reply. A real server ignores it. */
  setLatencyMs(ms: number): void;
  /** Adds about `bytes` of data (real server: 64 KiB values; past maxmemory, allkeys-lru evicts). */
  fillMemory(bytes: number): Promise<void>;
  stop(): Promise<void>;
}

export const DRILL_REDIS_MAXMEMORY = '64mb';
const CHUNK = 64 * 1024;

/** `forceSim`: use the RESP simulator even when redis-server is installed (tests, demos). */
export async function startDrillRedis(opts: { dir: string; log?: (msg: string) => void; forceSim?: boolean }): Promise<DrillRedis> {
  const binary = opts.forceSim ? null : findRedisServer();
  if (!binary) return startSim(opts);
  const server = new RedisServer({
    dir: opts.dir,
    binary,
    log: opts.log,
    config: { maxmemory: DRILL_REDIS_MAXMEMORY, 'maxmemory-policy': 'allkeys-lru' },
  });
  try {
    await server.start();
  } catch (e) {
    await server.destroy().catch(() => {});
    opts.log?.(`redis-server failed to start (${(e as Error).message}); using the RESP simulator`);
    return startSim(opts);
  }
  const url = `redis://127.0.0.1:${server.port}`;
  let paused = false;
  let seq = 0;
  let stopping: Promise<void> | null = null;
  return {
    url,
    kind: 'redis-server',
    async outage(on) {
      paused = on;
      server.pause(on);
    },
    setLatencyMs() {
      /* a real server has no reply delay; the outage covers the unreachable case */
    },
    async fillMemory(bytes) {
      if (paused) throw new Error('Redis is paused (outage)');
      const client = new Redis({ host: '127.0.0.1', port: server.port, lazyConnect: true, maxRetriesPerRequest: 1, protocol: 2, disableClientInfo: true });
      client.on('error', () => {});
      try {
        await client.connect();
        const value = 'x'.repeat(CHUNK);
        let left = bytes;
        while (left > 0) {
          const p = client.pipeline();
          for (let i = 0; i < 64 && left > 0; i++, left -= CHUNK) p.set(`drill:fill:${seq++}`, value);
          await p.exec();
        }
      } finally {
        client.disconnect();
      }
    },
    stop() {
      stopping ??= server.destroy();
      return stopping;
    },
  };
}

async function startSim(opts: { dir: string; log?: (msg: string) => void }): Promise<DrillRedis> {
  const sim = new RespSim();
  const port = await sim.listen();
  opts.log?.(`redis-server not found; the drill uses the RESP simulator on 127.0.0.1:${port}`);
  let stopping: Promise<void> | null = null;
  return {
    url: `redis://127.0.0.1:${port}`,
    kind: 'resp-sim',
    async outage(on) {
      sim.setOutage(on);
    },
    setLatencyMs(ms) {
      sim.latencyMs = Math.max(0, ms);
    },
    async fillMemory(bytes) {
      sim.fill(bytes);
    },
    stop() {
      stopping ??= sim.close();
      return stopping;
    },
  };
}
