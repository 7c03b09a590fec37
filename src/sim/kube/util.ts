// Small helpers shared by the kube simulator: ids, time formats, hashing (and the seeded PRNG).

import type { Rand } from '../random.js';
export { seededRand, type Rand } from '../random.js';

export function uuid(rand: Rand): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/** The alphabet Kubernetes uses for generated name suffixes and pod-template-hash. */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

export function randSuffix(rand: Rand, n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += SAFE[Math.floor(rand() * SAFE.length)];
  return s;
}

/** Like apimachinery rand.SafeEncodeString. */
export function safeEncode(s: string): string {
  let r = '';
  for (let i = 0; i < s.length; i++) r += SAFE[s.charCodeAt(i) % SAFE.length];
  return r;
}

export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(s, 'utf8');
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** JSON with sorted keys, dropping null/undefined, so equal templates hash equal. */
export function canonicalJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o)
      .filter((k) => o[k] !== null && o[k] !== undefined)
      .sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(o[k])).join(',') + '}';
  }
  return JSON.stringify(v);
}

/** metav1.Time: RFC 3339 with second precision. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export function isPlainObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** kubectl-style short duration, as in the AGE column ("5s", "3m12s", "2d4h"). */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  return `${d}d`;
}

/** Resolve an int-or-percent (maxSurge / maxUnavailable) against a total. */
export function intOrPercent(v: number | string | undefined, total: number, roundUp: boolean, dflt: string): number {
  const x = v ?? dflt;
  if (typeof x === 'number') return x;
  const m = /^(\d+)%$/.exec(x);
  if (!m) return parseInt(x, 10) || 0;
  const f = (parseInt(m[1]!, 10) * total) / 100;
  return roundUp ? Math.ceil(f) : Math.floor(f);
}
