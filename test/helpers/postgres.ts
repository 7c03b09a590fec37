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
  /** SIGSTOP (true) / SIGCONT (false) the postmaster and every backend: a server that hangs. */
  pause(on: boolean): void;
  destroy(): Promise<void>;
}

/** Pids whose parent is `ppid` (read from /proc). */
export function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      // Fields after the ")" that closes the command name: state, ppid, …
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) out.push(Number(e));
    } catch {
      /* exited */
    }
  }
  return out;
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
    pause(on) {
      const root = server.pid;
      if (!root) throw new Error('server not running');
      for (const pid of [root, ...childrenOf(root)]) process.kill(pid, on ? 'SIGSTOP' : 'SIGCONT');
    },
    async destroy() {
      await server.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
