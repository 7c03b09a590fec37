// Normalised Redis data per configured instance. Owned by the redis source.

export interface RedisNode {
  /** host:port, no credentials. */
  address: string;
  /** master | replica | sentinel… (INFO replication `role`; `slave` shown as `replica`). */
  role: string | null;
  pingMs: number | null;
  usedMemory: number | null;
  /** INFO `maxmemory`; 0 means no limit. */
  maxMemory: number | null;
  connectedClients: number | null;
  blockedClients: number | null;
  evictedPerSec: number | null;
  opsPerSec: number | null;
  /** Replica: `master_link_status` (up/down); master: null. */
  linkStatus: string | null;
  /** Master: `connected_slaves`. */
  connectedReplicas: number | null;
  /** Why this node could not be read (cluster: the other nodes still show). */
  error: string | null;
}

export interface RedisInstance {
  name: string;
  target: string;
  status: 'connecting' | 'ok' | 'down';
  /** Why it is down now; null when ok. */
  error: string | null;
  updatedAt: number | null;
  /** The most recent failure, kept after recovery (what went wrong and when). */
  lastError?: { message: string; at: number } | null;
  /** One row per node: one for standalone/sentinel, every master and replica in cluster mode. */
  nodes: RedisNode[];
}

export function emptyRedisInstance(name: string, target: string): RedisInstance {
  return { name, target, status: 'connecting', error: null, updatedAt: null, lastError: null, nodes: [] };
}

export interface RedisData {
  instances: RedisInstance[];
}
