// A real redis-server for tests: free loopback port, temp folder, stopped in `after`.
// Fails (never skips) when redis-server is not installed.
import fs from 'node:fs';
import { RedisServer, findRedisServer } from '../../src/sim/redis/server.js';
import { tempDir } from './net.js';

export interface TestRedis {
  server: RedisServer;
  port: number;
  /** redis://127.0.0.1:PORT (with :password@ when requirepass is set). */
  url: string;
  /** Stops the server, keeping the port for restart(). */
  stopServer(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
  /** Stops and removes everything. */
  destroy(): Promise<void>;
}

export async function startTestRedis(config: Record<string, string> = {}): Promise<TestRedis> {
  if (!findRedisServer()) throw new Error('redis-server is not installed (apt-get install redis-server); these tests need a real Redis');
  const dir = tempDir('warroom-redis-');
  const server = new RedisServer({ dir, config });
  await server.start();
  const auth = config.requirepass ? `:${encodeURIComponent(config.requirepass)}@` : '';
  return {
    server,
    port: server.port,
    url: `redis://${auth}127.0.0.1:${server.port}`,
    stopServer: () => server.stop(),
    restart: () => server.start(),
    async destroy() {
      await server.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
