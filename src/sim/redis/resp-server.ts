// A small RESP server for when redis-server is not installed: it answers what warroom asks
// (PING, INFO, CONFIG GET maxmemory, CLIENT, SELECT, AUTH, QUIT, COMMAND) with realistic
// INFO field names, and can be made slow or silent to drill latency and outages.
import net from 'node:net';

export interface RespSimOptions {
  port?: number;
  host?: string;
  maxMemory?: number;
  /** When set, commands other than AUTH/QUIT/PING… answer -NOAUTH until AUTH succeeds. */
  password?: string;
}

type Reply = string; // already encoded RESP

const ok = '+OK\r\n';
const bulk = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
const array = (items: string[]) => `*${items.length}\r\n${items.map(bulk).join('')}`;
const error = (s: string) => `-${s}\r\n`;

/** Parses as many complete commands as `buf` holds (RESP arrays or inline). */
export function parseCommands(buf: Buffer): { commands: string[][]; rest: Buffer } {
  const commands: string[][] = [];
  let pos = 0;
  for (;;) {
    if (pos >= buf.length) break;
    if (buf[pos] === 0x2a /* * */) {
      const lineEnd = buf.indexOf('\r\n', pos);
      if (lineEnd < 0) break;
      const n = Number(buf.toString('utf8', pos + 1, lineEnd));
      let p = lineEnd + 2;
      const args: string[] = [];
      let complete = true;
      for (let i = 0; i < n; i++) {
        if (p >= buf.length || buf[p] !== 0x24 /* $ */) {
          complete = false;
          break;
        }
        const le = buf.indexOf('\r\n', p);
        if (le < 0) {
          complete = false;
          break;
        }
        const len = Number(buf.toString('utf8', p + 1, le));
        if (le + 2 + len + 2 > buf.length) {
          complete = false;
          break;
        }
        args.push(buf.toString('utf8', le + 2, le + 2 + len));
        p = le + 2 + len + 2;
      }
      if (!complete) break;
      commands.push(args);
      pos = p;
    } else {
      const le = buf.indexOf('\n', pos);
      if (le < 0) break;
      const line = buf.toString('utf8', pos, le).replace(/\r$/, '').trim();
      if (line) commands.push(line.split(/\s+/));
      pos = le + 1;
    }
  }
  return { commands, rest: buf.subarray(pos) };
}

export class RespSim {
  readonly startedAt = Date.now();
  usedMemory = 1_050_000;
  maxMemory: number;
  evictedKeys = 0;
  totalCommands = 0;
  connectedClients = 0;
  blockedClients = 0;
  latencyMs = 0;
  port = 0;
  private silent = false;
  private resumeWaiters: Array<() => void> = [];
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** Commands per recent 100 ms tick, for instantaneous_ops_per_sec. */
  private opsWindow: Array<{ at: number; count: number }> = [];

  constructor(private readonly opts: RespSimOptions = {}) {
    this.maxMemory = opts.maxMemory ?? 64 * 1024 * 1024;
    this.server = net.createServer((sock) => this.accept(sock));
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => {
        this.port = (this.server.address() as net.AddressInfo).port;
        resolve(this.port);
      });
    });
  }

  /** Stop (true) or resume (false) answering; held commands are answered in order on resume. */
  setOutage(on: boolean): void {
    this.silent = on;
    if (!on) {
      const waiters = this.resumeWaiters;
      this.resumeWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Adds `bytes` of simulated data; past maxmemory, keys (~1 KiB each) are evicted instead. */
  fill(bytes: number): void {
    this.usedMemory += Math.max(0, bytes);
    if (this.maxMemory > 0 && this.usedMemory > this.maxMemory) {
      this.evictedKeys += Math.ceil((this.usedMemory - this.maxMemory) / 1024);
      this.usedMemory = this.maxMemory;
    }
  }

  close(): Promise<void> {
    this.setOutage(false);
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }

  private accept(sock: net.Socket): void {
    this.sockets.add(sock);
    this.connectedClients++;
    let authed = !this.opts.password;
    let buf: Buffer = Buffer.alloc(0);
    let chain = Promise.resolve();
    sock.on('close', () => {
      this.sockets.delete(sock);
      this.connectedClients--;
    });
    sock.on('error', () => {});
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      const { commands, rest } = parseCommands(buf);
      buf = rest;
      for (const args of commands) {
        chain = chain.then(async () => {
          if (this.silent) await new Promise<void>((r) => this.resumeWaiters.push(r));
          if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
          if (sock.destroyed) return;
          this.count();
          const name = (args[0] ?? '').toUpperCase();
          if (!authed && !['AUTH', 'QUIT', 'HELLO'].includes(name)) {
            sock.write(error('NOAUTH Authentication required.'));
            return;
          }
          if (name === 'AUTH') {
            const pass = args[args.length - 1];
            if (!this.opts.password)
              sock.write(error('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?'));
            else if (pass === this.opts.password) {
              authed = true;
              sock.write(ok);
            } else sock.write(error('WRONGPASS invalid username-password pair or user is disabled.'));
            return;
          }
          if (name === 'QUIT') {
            sock.end(ok);
            return;
          }
          sock.write(this.reply(args));
        });
      }
    });
  }

  private count(): void {
    this.totalCommands++;
    const tick = Math.floor(Date.now() / 100) * 100;
    const last = this.opsWindow[this.opsWindow.length - 1];
    if (last && last.at === tick) last.count++;
    else this.opsWindow.push({ at: tick, count: 1 });
    const cutoff = Date.now() - 1000;
    while (this.opsWindow[0] && this.opsWindow[0].at < cutoff) this.opsWindow.shift();
  }

  private instantaneousOps(): number {
    const cutoff = Date.now() - 1000;
    return this.opsWindow.filter((w) => w.at >= cutoff).reduce((n, w) => n + w.count, 0);
  }

  private reply(args: string[]): Reply {
    const name = (args[0] ?? '').toUpperCase();
    switch (name) {
      case 'PING':
        return args[1] !== undefined ? bulk(args[1]) : '+PONG\r\n';
      case 'ECHO':
        return bulk(args[1] ?? '');
      case 'INFO':
        return bulk(this.info(args.slice(1)));
      case 'CONFIG': {
        const sub = (args[1] ?? '').toUpperCase();
        if (sub === 'GET' && (args[2] ?? '').toLowerCase() === 'maxmemory') return array(['maxmemory', String(this.maxMemory)]);
        if (sub === 'GET') return '*0\r\n';
        if (sub === 'SET' && (args[2] ?? '').toLowerCase() === 'maxmemory') {
          this.maxMemory = parseMemory(args[3] ?? '0');
          return ok;
        }
        return error(`ERR unknown subcommand '${args[1] ?? ''}'`);
      }
      case 'CLIENT':
        return ok;
      case 'SELECT':
        return /^\d+$/.test(args[1] ?? '') && Number(args[1]) < 16 ? ok : error('ERR DB index is out of range');
      case 'COMMAND':
        return '*0\r\n';
      default:
        return error(
          `ERR unknown command '${args[0] ?? ''}', with args beginning with: ${args
            .slice(1, 4)
            .map((a) => `'${a}' `)
            .join('')}`,
        );
    }
  }

  info(sections: string[]): string {
    const uptime = Math.floor((Date.now() - this.startedAt) / 1000);
    const all: Record<string, Array<[string, string | number]>> = {
      server: [
        ['redis_version', '7.0.15'],
        ['redis_mode', 'standalone'],
        ['os', 'warroom resp-sim'],
        ['process_id', process.pid],
        ['tcp_port', this.port],
        ['uptime_in_seconds', uptime],
        ['uptime_in_days', Math.floor(uptime / 86400)],
      ],
      clients: [
        ['connected_clients', this.connectedClients],
        ['blocked_clients', this.blockedClients],
        ['maxclients', 10000],
      ],
      memory: [
        ['used_memory', this.usedMemory],
        ['used_memory_human', `${(this.usedMemory / 1048576).toFixed(2)}M`],
        ['used_memory_peak', this.usedMemory],
        ['maxmemory', this.maxMemory],
        ['maxmemory_human', `${(this.maxMemory / 1048576).toFixed(2)}M`],
        ['maxmemory_policy', 'allkeys-lru'],
      ],
      stats: [
        ['total_connections_received', this.connectedClients],
        ['total_commands_processed', this.totalCommands],
        ['instantaneous_ops_per_sec', this.instantaneousOps()],
        ['expired_keys', 0],
        ['evicted_keys', this.evictedKeys],
        ['keyspace_hits', 0],
        ['keyspace_misses', 0],
      ],
      replication: [
        ['role', 'master'],
        ['connected_slaves', 0],
        ['master_repl_offset', 0],
      ],
    };
    const wanted = sections.map((s) => s.toLowerCase());
    const names = wanted.length === 0 || wanted.includes('all') || wanted.includes('default') || wanted.includes('everything') ? Object.keys(all) : wanted.filter((s) => s in all);
    return names.map((n) => `# ${n.charAt(0).toUpperCase()}${n.slice(1)}\r\n${(all[n] ?? []).map(([k, v]) => `${k}:${v}`).join('\r\n')}\r\n`).join('\r\n');
  }
}

export function parseMemory(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb?|mb?|gb?)?$/i.exec(text.trim());
  if (!m) return 0;
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult: Record<string, number> = { b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
  return Math.round(Number(m[1]) * (mult[unit] ?? 1));
}
