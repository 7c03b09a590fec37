// A throwaway real Postgres for tests (the drill's PgServer): initdb in a temp folder, a free
// loopback port, stop and start again on the same port and data. Fails (never skips) when
// the Postgres binaries are missing.
import fs from 'node:fs';
import { PgServer, findPgBinaries } from '../../src/sim/postgres/server.js';
import { tempDir } from './net.js';

export interface TestPostgres {
  server: PgServer;
  /** postgres://warroom:PASSWORD@127.0.0.1:PORT/warroom */
  url: string;
  password: string;
  maxConnections: number;
  stopServer(): Promise<void>;
  restart(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startTestPostgres(opts: { maxConnections?: number } = {}): Promise<TestPostgres> {
  if (!findPgBinaries()) throw new Error('Postgres binaries (initdb, postgres) not found on PATH or in /usr/lib/postgresql/*/bin; install postgresql');
  const dir = tempDir('warroom-pg-');
  const server = new PgServer({ dir, maxConnections: opts.maxConnections ?? 50 });
  try {
    await server.init();
  } catch (e) {
    await server.destroy().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    server,
    url: server.url(),
    password: server.password,
    maxConnections: server.maxConnections,
    stopServer: () => server.stop(),
    restart: () => server.start(),
    async destroy() {
      await server.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
