// Secrets never leave a source: every message and target string shown to people passes
// through here. Used by the Postgres and Redis sources and the Postgres actions.

import { decodeComponent, splitAuthority } from '../../util/url-credentials.js';

/**
 * `scheme://user:pass@host` → `scheme://user@host`, for every URL inside `text`. The user info
 * ends at the last `@` before the host, as the URL parser (and `pg`) reads it.
 */
export function stripUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)@/gi, (_m, scheme: string, userinfo: string) => {
    const user = userinfo.split(':')[0];
    return user ? `${scheme}${user}@` : scheme;
  });
}

/** Removes URL credentials and every literal occurrence of the given secrets. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = stripUrlCredentials(text);
  for (const s of secrets) {
    if (s && s.length >= 3) out = out.split(s).join('***');
  }
  return out;
}

/** The password (raw and percent-decoded) carried by a URL, if any. */
export function urlSecrets(url: string): string[] {
  const raw = splitAuthority(url)?.password;
  if (!raw) return [];
  const decoded = decodeComponent(raw);
  return decoded === raw ? [raw] : [raw, decoded];
}

/** `host:port/db` (no user, no password) for a postgres:// URL; libpq env vars fill the gaps. */
export function pgTarget(url: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    const u = new URL(url);
    const host = decodeURIComponent(u.hostname) || env.PGHOST || 'localhost';
    const port = u.port || env.PGPORT || '5432';
    const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || env.PGDATABASE || '';
    const shownHost = host.startsWith('/') ? `[${host}]` : host;
    return db ? `${shownHost}:${port}/${db}` : `${shownHost}:${port}`;
  } catch {
    return stripUrlCredentials(url).replace(/^[a-z]+:\/\//i, '');
  }
}

/** Every secret a Postgres URL may carry: its password, and PGPASSWORD when libpq would use it. */
export function pgSecrets(url: string): string[] {
  const fromEnv = process.env.PGPASSWORD ? [process.env.PGPASSWORD] : [];
  return [...urlSecrets(url), ...fromEnv];
}
