// INFO text → fields → a RedisNode, with rates computed from counters between two polls.
import type { RedisNode } from './types.js';

export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export interface CounterSample {
  at: number;
  evicted: number;
  commands: number;
}

const num = (v: string | undefined): number | null => {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

/**
 * `ownCommands`: commands warroom itself sent since the previous sample (PING + INFO), not
 * counted as load. Falls back to instantaneous_ops_per_sec on the first poll or after a restart.
 */
export function nodeFromInfo(
  address: string,
  info: Record<string, string>,
  pingMs: number | null,
  prev: CounterSample | undefined,
  now: number,
  ownCommands = 2,
): { node: RedisNode; sample: CounterSample | undefined } {
  const evicted = num(info.evicted_keys);
  const commands = num(info.total_commands_processed);
  const sample = evicted != null && commands != null ? { at: now, evicted, commands } : undefined;
  const dt = prev && sample ? (now - prev.at) / 1000 : 0;
  const valid = prev && sample && dt > 0 && sample.commands >= prev.commands && sample.evicted >= prev.evicted;
  const rawRole = info.role ?? null;
  const role = rawRole === 'slave' ? 'replica' : rawRole;
  return {
    node: {
      address,
      role,
      pingMs,
      usedMemory: num(info.used_memory),
      maxMemory: num(info.maxmemory),
      connectedClients: num(info.connected_clients),
      blockedClients: num(info.blocked_clients),
      evictedPerSec: valid ? (sample!.evicted - prev!.evicted) / dt : null,
      opsPerSec: valid ? Math.max(0, sample!.commands - prev!.commands - ownCommands) / dt : num(info.instantaneous_ops_per_sec),
      linkStatus: role === 'replica' ? (info.master_link_status ?? null) : null,
      connectedReplicas: role === 'master' ? num(info.connected_slaves) : null,
      error: null,
    },
    sample,
  };
}
