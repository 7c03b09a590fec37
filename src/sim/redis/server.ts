// A real redis-server on a free loopback port with its own temp folder; no persistence.
// Can be paused (SIGSTOP: the port stays open but nothing answers) and restarted on the same port.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { dieWithParent } from '../postgres/server.js';
import { freeLoopbackPort } from '../net.js';

export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = [...(env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin', '/usr/sbin'];
  for (const dir of dirs) {
    const file = path.join(dir, 'redis-server');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      /* next */
    }
  }
  return null;
}

/** Sends PING on a raw socket; resolves true on +PONG (or -NOAUTH: it is up, just protected). */
export function redisAnswers(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (v: boolean) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => done(/^(\+PONG|-NOAUTH)/.test(d.toString())));
  });
}

export interface RedisServerOptions {
  dir: string;
  port?: number;
  /** Extra config, e.g. { maxmemory: '64mb', requirepass: 'x' }. */
  config?: Record<string, string>;
  binary?: string;
  log?: (msg: string) => void;
}

export class RedisServer {
  port = 0;
  readonly base: string;
  private child: ChildProcess | null = null;
  private readonly binary: string;
  private output = '';
  private readonly cleanupOnExit = () => {
    this.child?.kill('SIGCONT');
    this.child?.kill('SIGKILL');
  };

  constructor(private readonly opts: RedisServerOptions) {
    const bin = opts.binary ?? findRedisServer();
    if (!bin) throw new Error('redis-server not found on PATH or in /usr/bin');
    this.binary = bin;
    this.base = fs.mkdtempSync(path.join(opts.dir, 'redis-'));
    this.port = opts.port ?? 0;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (!this.port) this.port = await freeLoopbackPort();
    const config: Record<string, string> = {
      port: String(this.port),
      bind: '127.0.0.1',
      save: '',
      appendonly: 'no',
      dir: this.base,
      daemonize: 'no',
      logfile: '',
      ...this.opts.config,
    };
    const args = Object.entries(config).flatMap(([k, v]) => [`--${k}`, v]);
    this.output = '';
    const [cmd, argv] = dieWithParent(this.binary, args, 'SIGKILL');
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: this.base });
    this.child = child;
    process.on('exit', this.cleanupOnExit);
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-2000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const deadline = Date.now() + 10_000;
    while (!(await redisAnswers(this.port))) {
      if (!this.running) throw new Error(`redis-server exited: ${this.output.trim().split('\n').slice(-3).join(' ')}`);
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`redis-server did not answer within 10s: ${this.output.trim().split('\n').slice(-3).join(' ')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGSTOP (on) / SIGCONT (off): connections stay open, nothing is answered. */
  pause(on: boolean): void {
    this.child?.kill(on ? 'SIGSTOP' : 'SIGCONT');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (child.exitCode === null && child.signalCode === null) {
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await done;
      clearTimeout(t);
    }
    process.off('exit', this.cleanupOnExit);
    this.child = null;
  }

  async destroy(): Promise<void> {
    await this.stop();
    fs.rmSync(this.base, { recursive: true, force: true });
  }
}
