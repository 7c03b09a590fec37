// Redis rows → cells: one row per node (standalone: one), with ping, memory against maxmemory,
// clients, ops/s, evictions/s, role and replication link, and the instance's state.
import type { RedisInstance, RedisNode } from '../sources/redis/types.js';
import { cell, type Cell, type Column, type Token } from './cell.js';
import { formatAge, formatBytes, formatPercent } from './format.js';

export const REDIS_MEM_WARN = 0.75;
export const REDIS_MEM_CRITICAL = 0.9;
export const REDIS_PING_WARN_MS = 50;
export const REDIS_PING_CRITICAL_MS = 500;
/** A recovered instance mentions its last failure for this long. */
export const RECENT_ERROR_MS = 15 * 60_000;

export function redisColumns(): Column[] {
  return [
    { title: 'NAME', width: 16, priority: 0 },
    { title: 'PING', width: 7, align: 'right', priority: 0 },
    { title: 'MEMORY', width: 20, align: 'right', priority: 0 },
    { title: 'CLIENTS', width: 9, align: 'right', priority: 2 },
    { title: 'OPS/S', width: 8, align: 'right', priority: 1 },
    { title: 'EVICT/S', width: 8, align: 'right', priority: 1 },
    { title: 'ROLE', width: 18, priority: 3 },
    { title: 'STATUS', width: 'flex', priority: 0 },
  ];
}

export function memoryRatio(n: Pick<RedisNode, 'usedMemory' | 'maxMemory'>): number | null {
  return n.usedMemory != null && n.maxMemory ? n.usedMemory / n.maxMemory : null;
}

export function memoryToken(ratio: number | null): Token | undefined {
  if (ratio == null) return undefined;
  if (ratio >= REDIS_MEM_CRITICAL) return 'critical';
  if (ratio >= REDIS_MEM_WARN) return 'warn';
  return 'ok';
}

/** `12.5Mi/64Mi 19.5%`, or `12.5Mi (no limit)` when maxmemory is 0. */
export function formatMemory(n: Pick<RedisNode, 'usedMemory' | 'maxMemory'>): string {
  if (n.usedMemory == null) return '-';
  if (!n.maxMemory) return `${formatBytes(n.usedMemory)} (no limit)`;
  return `${formatBytes(n.usedMemory)}/${formatBytes(n.maxMemory)} ${formatPercent(memoryRatio(n))}`;
}

export function formatRate(v: number | null): string {
  if (v == null || !Number.isFinite(v)) return '-';
  if (v >= 10_000) return `${(v / 1000).toFixed(1)}k`;
  if (v >= 100 || v === 0) return String(Math.round(v));
  return v.toFixed(1);
}

export function formatPing(ms: number | null): string {
  if (ms == null) return '-';
  return ms < 10 ? `${ms.toFixed(1)}ms` : `${Math.round(ms)}ms`;
}

function pingToken(ms: number | null): Token | undefined {
  if (ms == null) return undefined;
  if (ms >= REDIS_PING_CRITICAL_MS) return 'critical';
  if (ms >= REDIS_PING_WARN_MS) return 'warn';
  return undefined;
}

export function roleText(n: Pick<RedisNode, 'role' | 'linkStatus' | 'connectedReplicas'>): { text: string; token?: Token } {
  if (!n.role) return { text: '-' };
  if (n.role === 'replica') {
    const up = n.linkStatus === 'up';
    return { text: `replica link ${n.linkStatus ?? '?'}`, token: up ? undefined : 'critical' };
  }
  if (n.role === 'master' && n.connectedReplicas) return { text: `master +${n.connectedReplicas} replica${n.connectedReplicas > 1 ? 's' : ''}` };
  return { text: n.role };
}

function statusCell(inst: RedisInstance, node: RedisNode | null, now: number): Cell {
  if (inst.status === 'down') {
    const age = inst.updatedAt != null ? ` (data ${formatAge(now - inst.updatedAt)} old)` : '';
    return cell(`DOWN ${inst.error ?? ''}${age}`.replace('  ', ' '), 'critical', true);
  }
  if (node?.error) return cell(`ERROR ${node.error}`, 'critical', true);
  if (inst.status === 'connecting') return cell('connecting…', 'muted');
  if (inst.lastError && now - inst.lastError.at < RECENT_ERROR_MS) {
    return cell(`ok (last error ${formatAge(now - inst.lastError.at)} ago: ${inst.lastError.message})`, 'warn');
  }
  return cell('ok', 'ok');
}

/** One row for a node of an instance; `node` null when the instance has no data yet. */
export function redisCells(inst: RedisInstance, node: RedisNode | null, now: number): Cell[] {
  const name = node && inst.nodes.length > 1 ? `${inst.name} ${node.address}` : inst.name;
  if (!node) {
    return [cell(name, 'title', true), cell('-'), cell('-'), cell('-'), cell('-'), cell('-'), cell(inst.target, 'muted'), statusCell(inst, null, now)];
  }
  const stale = inst.status === 'down';
  const ratio = memoryRatio(node);
  const role = roleText(node);
  const clients = node.connectedClients == null ? '-' : `${node.connectedClients}${node.blockedClients ? `/${node.blockedClients}b` : ''}`;
  return [
    cell(name, 'title', true),
    // A down node's last ping would read as healthy where STATUS is left out (80 columns).
    stale ? cell('DOWN', 'critical', true) : cell(formatPing(node.pingMs), pingToken(node.pingMs)),
    cell(formatMemory(node), stale ? 'muted' : memoryToken(ratio), ratio != null && ratio >= REDIS_MEM_CRITICAL),
    cell(clients, node.blockedClients ? 'warn' : undefined),
    cell(formatRate(node.opsPerSec), stale ? 'muted' : undefined),
    cell(formatRate(node.evictedPerSec), node.evictedPerSec ? 'warn' : undefined),
    cell(role.text, role.token),
    statusCell(inst, node, now),
  ];
}
