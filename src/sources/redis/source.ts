// Polls each configured Redis (standalone, sentinel or cluster) with PING (round-trip time)
// and INFO. ioredis reconnects by itself with a backoff capped at the refresh interval; this
// source never queues commands while disconnected and reports why it cannot reach the server,
// keeping the last good values and their time.
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../../config/schema.js';
import { summarizeTargets, type Publish, type Source, type SourceSlice } from '../types.js';
import { TargetPoller } from '../poller.js';
import { describeRedisError } from './errors.js';
import { nodeFromInfo, parseInfo, type CounterSample } from './info.js';
import { parseRedisUrl, type RedisEndpoint } from './url.js';
import { emptyRedisInstance, type RedisData, type RedisInstance, type RedisNode } from './types.js';

export interface RedisSourceOptions {
  log?: (msg: string) => void;
  /** Connect and command timeout; default 3000 ms. */
  timeoutMs?: number;
}

interface Runtime {
  cfg: RedisConfig;
  ep: RedisEndpoint | null;
  client: Redis | Cluster | null;
  /** The latest connection-level problem reported by ioredis events. */
  lastError: string | null;
  samples: Map<string, CounterSample>;
  data: RedisInstance;
}

export function summariseInstances(list: RedisInstance[]): Pick<SourceSlice<RedisData>, 'status' | 'error' | 'updatedAt'> {
  // A cluster answering with one node in error is degraded, not ok.
  return summarizeTargets(list, (d) => d.nodes.some((n) => n.error));
}

export class RedisSource implements Source {
  private readonly rts: Runtime[];
  private readonly refreshMs: number;
  private readonly poller: TargetPoller<Runtime>;
  private readonly timeoutMs: number;
  private stopped = true;

  constructor(
    instances: RedisConfig[],
    refreshSeconds: number,
    private readonly publish: Publish<RedisData>,
    private readonly opts: RedisSourceOptions = {},
  ) {
    this.refreshMs = Math.max(100, refreshSeconds * 1000);
    this.timeoutMs = opts.timeoutMs ?? 3000;
    this.rts = instances.map((cfg) => {
      let ep: RedisEndpoint | null = null;
      let error: string | null = null;
      try {
        ep = parseRedisUrl(cfg.url);
      } catch (e) {
        error = (e as Error).message;
      }
      const data = emptyRedisInstance(cfg.name, ep?.target ?? 'invalid URL');
      return {
        cfg,
        ep,
        client: null,
        lastError: error,
        samples: new Map(),
        data: error ? { ...data, status: 'down', error, lastError: { message: error, at: Date.now() } } : data,
      };
    });
    // ioredis reconnects by itself: a failed poll only reports, the next one comes at the refresh interval.
    this.poller = new TargetPoller(
      this.rts.filter((rt) => rt.ep),
      { refreshMs: this.refreshMs, poll: (rt) => this.poll(rt) },
    );
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const rt of this.rts) {
      if (!rt.ep) continue;
      rt.client = this.createClient(rt, rt.ep);
      rt.client.connect().catch(() => {
        /* reported through 'error' events; ioredis keeps retrying */
      });
    }
    this.emit();
    this.poller.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.poller.stop();
    for (const rt of this.rts) {
      const c = rt.client;
      rt.client = null;
      if (c) c.disconnect();
    }
  }

  refresh(): void {
    this.poller.refresh();
  }

  private describe(rt: Runtime, err: unknown): string {
    return describeRedisError(err, {
      timeoutMs: this.timeoutMs,
      secrets: rt.ep?.secrets ?? [],
      user: rt.ep?.username,
      hasPassword: rt.ep?.password !== undefined,
    });
  }

  private createClient(rt: Runtime, ep: RedisEndpoint): Redis | Cluster {
    const common: RedisOptions = {
      username: ep.username,
      password: ep.password,
      db: ep.db,
      tls: ep.tls ? (ep.mode === 'standalone' ? { servername: ep.hosts[0].host } : {}) : undefined,
      connectionName: 'warroom',
      // RESP2 and no CLIENT SETINFO: works with old servers and proxies.
      protocol: 2,
      disableClientInfo: true,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      connectTimeout: this.timeoutMs,
      commandTimeout: this.timeoutMs,
      retryStrategy: (times: number) => (this.stopped ? null : Math.min(100 * 2 ** Math.min(times, 10), this.refreshMs)),
    };
    let client: Redis | Cluster;
    if (ep.mode === 'cluster') {
      client = new Cluster(ep.hosts, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRedirections: 4,
        clusterRetryStrategy: (times: number) => (this.stopped ? null : Math.min(100 * 2 ** Math.min(times, 10), this.refreshMs)),
        redisOptions: common,
      });
    } else if (ep.mode === 'sentinel') {
      client = new Redis({ ...common, sentinels: ep.hosts, name: ep.masterName, sentinelPassword: ep.password, enableTLSForSentinelMode: ep.tls });
    } else {
      client = new Redis({ ...common, host: ep.hosts[0].host, port: ep.hosts[0].port });
    }
    client.on('error', (err: unknown) => {
      rt.lastError = this.describe(rt, err);
    });
    client.on('ready', () => {
      rt.lastError = null;
      // Connected for the first time, or back after an outage: show it now, not at the next tick
      // (the first poll usually runs before the connection is up).
      if (!this.stopped && rt.client === client && (rt.data.status === 'down' || rt.data.updatedAt == null)) this.poller.now(rt);
    });
    client.on('close', () => {
      if (this.stopped || rt.client !== client) return;
      if (rt.data.status === 'ok') {
        rt.lastError ??= 'server closed the connection';
        this.markDown(rt, rt.lastError);
      }
    });
    return client;
  }

  private emit(): void {
    const list = this.rts.map((r) => r.data);
    this.publish((prev) => ({ ...prev, ...summariseInstances(list), data: { instances: list } }));
  }

  private markDown(rt: Runtime, error: string): void {
    if (rt.data.status === 'down' && rt.data.error === error) return;
    rt.data = { ...rt.data, status: 'down', error, lastError: { message: error, at: Date.now() } };
    this.opts.log?.(`redis ${rt.cfg.name}: ${error}`);
    this.emit();
  }

  private async pollNode(rt: Runtime, node: Redis, address: string, now: () => number): Promise<RedisNode> {
    const t0 = performance.now();
    await node.ping();
    const pingMs = performance.now() - t0;
    const info = parseInfo(await node.info());
    const at = now();
    const { node: row, sample } = nodeFromInfo(address, info, pingMs, rt.samples.get(address), at);
    if (sample) rt.samples.set(address, sample);
    return row;
  }

  private async poll(rt: Runtime): Promise<boolean> {
    const client = rt.client;
    if (this.stopped || !client || !rt.ep) return false;
    try {
      if (client.status !== 'ready') {
        if (rt.lastError) this.markDown(rt, rt.lastError);
        else if (rt.data.updatedAt != null) this.markDown(rt, `not connected (${client.status})`);
        return false;
      }
      let nodes: RedisNode[];
      if (client instanceof Cluster) {
        const members = client.nodes('all');
        nodes = await Promise.all(
          members.map((n) => {
            const address = `${n.options.host}:${n.options.port}`;
            return this.pollNode(rt, n, address, Date.now).catch((err): RedisNode => ({ ...blankNode(address), error: this.describe(rt, err) }));
          }),
        );
        if (nodes.length && nodes.every((n) => n.error)) throw new Error(nodes[0]!.error!);
      } else {
        const address = rt.ep.mode === 'sentinel' ? sentinelAddress(client, rt.ep.masterName!) : `${rt.ep.hosts[0].host}:${rt.ep.hosts[0].port}`;
        nodes = [await this.pollNode(rt, client, address, Date.now)];
      }
      if (this.stopped) return true;
      const nodeError = nodes.find((n) => n.error);
      const lastError = nodeError ? { message: `${nodeError.address}: ${nodeError.error}`, at: Date.now() } : rt.data.lastError;
      rt.data = { ...rt.data, status: 'ok', error: null, updatedAt: Date.now(), nodes, lastError };
      this.emit();
      return true;
    } catch (err) {
      if (this.stopped) return false;
      const reason = err instanceof Error && err.message.startsWith('authentication') ? err.message : this.describe(rt, err);
      this.markDown(rt, reason);
      return false;
    }
  }
}

/** `mymaster 10.0.0.3:6379`: the master the sentinels handed us. */
function sentinelAddress(client: Redis, masterName: string): string {
  const stream = client.stream as { remoteAddress?: string; remotePort?: number } | undefined;
  return stream?.remoteAddress ? `${masterName} ${stream.remoteAddress}:${stream.remotePort}` : masterName;
}

function blankNode(address: string): RedisNode {
  return {
    address,
    role: null,
    pingMs: null,
    usedMemory: null,
    maxMemory: null,
    connectedClients: null,
    blockedClients: null,
    evictedPerSec: null,
    opsPerSec: null,
    linkStatus: null,
    connectedReplicas: null,
    error: null,
  };
}
