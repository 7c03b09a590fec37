// Normalised Redis data per configured instance. Owned by the redis source.

export interface RedisNode {
  /** host:port, no credentials. */
  address: string;
  role: string | null;
  pingMs: number | null;
  usedMemory: number | null;
  maxMemory: number | null;
  connectedClients: number | null;
  blockedClients: number | null;
  evictedPerSec: number | null;
  opsPerSec: number | null;
  linkStatus: string | null;
}

export interface RedisInstance {
  name: string;
  target: string;
  status: 'connecting' | 'ok' | 'down';
  error: string | null;
  updatedAt: number | null;
  nodes: RedisNode[];
}

export interface RedisData {
  instances: RedisInstance[];
}
