// The Redis URL forms warroom accepts (documented in the README's configuration section):
//
//   redis://[[user]:password@]host[:port][/db]                 plain TCP (default port 6379)
//   rediss://[[user]:password@]host[:port][/db]                TLS
//   redis+sentinel://[[user]:password@]h1[:26379][,h2[:port]…]/masterName[/db]
//   rediss+sentinel://…                                       TLS to the master (and sentinels)
//   redis+cluster://[[user]:password@]h1[:6379][,h2[:port]…]   Redis Cluster seed nodes
//   rediss+cluster://…                                        TLS cluster
//
// User info ends at the last `@` before the host (as in any URL); a `/`, `?` or `#` in the
// password must be percent-encoded. The password is percent-decoded; it never appears in `target` or in any message.

import { decodeComponent, splitAuthority, strayCredentialChar, strayCharMessage } from '../../util/url-credentials.js';

export type RedisMode = 'standalone' | 'sentinel' | 'cluster';

export interface RedisHost {
  host: string;
  port: number;
}

export interface RedisEndpoint {
  mode: RedisMode;
  tls: boolean;
  /** Never empty. */
  hosts: [RedisHost, ...RedisHost[]];
  username: string | undefined;
  password: string | undefined;
  db: number;
  /** Sentinel master name. */
  masterName?: string;
  /** Credential-free description: `host:port/db`, `sentinel mymaster@h1:26379,h2:26379`, `cluster h1:7000,…`. */
  target: string;
  /** Literal secrets to mask in messages (raw and decoded password). */
  secrets: string[];
}

const SCHEME_RE = /^(redis|rediss)(?:\+(sentinel|cluster))?:$/;

const decode = (s: string | undefined): string | undefined => (s === undefined || s === '' ? undefined : decodeComponent(s));

export function parseRedisUrl(url: string): RedisEndpoint {
  const parts = splitAuthority(url.trim());
  const m = parts && SCHEME_RE.exec(parts.scheme);
  if (!parts || !m) throw new Error('unsupported Redis URL: use redis://, rediss://, redis+sentinel:// or redis+cluster:// (and rediss+sentinel://, rediss+cluster://)');
  const stray = strayCredentialChar(url.trim());
  if (stray) throw new Error(strayCharMessage(stray));
  const [, scheme = '', kind] = m;
  const { user: rawUser, password: rawPass, hosts: hostPart } = parts;
  const rawPath = /^\/([^?#]*)/.exec(parts.tail)?.[1];
  const mode: RedisMode = (kind?.toLowerCase() as RedisMode | undefined) ?? 'standalone';
  const tls = scheme.toLowerCase() === 'rediss';
  const defaultPort = mode === 'sentinel' ? 26379 : 6379;
  const port = (p: string | undefined): number => {
    if (p === undefined || p === '') return defaultPort;
    const n = /^\d{1,5}$/.test(p) ? Number(p) : NaN;
    if (!(n >= 1 && n <= 65535)) throw new Error('a Redis URL port must be a number from 1 to 65535');
    return n;
  };
  // split() never returns an empty array, so there is always a first host.
  const hosts = (hostPart || 'localhost').split(',').map((h): RedisHost => {
    const v6 = /^\[([^\]]+)\](?::(\d*))?$/.exec(h);
    if (v6) return { host: v6[1]!, port: port(v6[2]) };
    const i = h.lastIndexOf(':');
    return i > 0 ? { host: h.slice(0, i), port: port(h.slice(i + 1)) } : { host: h || 'localhost', port: defaultPort };
  });
  const segments = (rawPath ?? '').split('/').filter(Boolean);
  let masterName: string | undefined;
  if (mode === 'sentinel') {
    masterName = decode(segments.shift());
    if (!masterName) throw new Error('redis+sentinel:// URL needs the master name as its path: redis+sentinel://host:26379/mymaster');
  }
  const db = segments[0] && /^\d+$/.test(segments[0]) ? Number(segments[0]) : 0;
  const password = decode(rawPass);
  const secrets = rawPass ? [...new Set([rawPass, password!].filter((s) => s && s.length >= 3))] : [];
  const list = hosts.map((h) => `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`).join(',');
  const target = mode === 'sentinel' ? `sentinel ${masterName}@${list}${db ? `/${db}` : ''}` : mode === 'cluster' ? `cluster ${list}` : `${list}${db ? `/${db}` : ''}`;
  return { mode, tls, hosts: hosts as RedisEndpoint['hosts'], username: decode(rawUser), password, db, masterName, target: tls ? `${target} (tls)` : target, secrets };
}
