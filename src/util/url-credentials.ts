// The credentials part of a URL, read the way the WHATWG URL parser (and so `pg`, through
// pg-connection-string) reads it: the authority runs from `//` to the first `/`, `?` or `#`,
// and inside it the user info ends at the LAST `@` (`postgres://u:p@ss@db/x` is user "u",
// password "p@ss", host "db"); the password starts after the first `:` of the user info.
// One reader for the config loader, the maskers, and the Postgres and Redis sources.

export interface UrlAuthority {
  /** `postgres:`, `redis+sentinel:` … (lower-cased, with the colon). */
  scheme: string;
  /** User info as written (still percent-encoded), without the `@`; undefined if none. */
  userinfo: string | undefined;
  /** User name as written (percent-encoded). */
  user: string | undefined;
  /** Password as written (percent-encoded); undefined when the user info has no `:`. */
  password: string | undefined;
  /** Host list as written: `db:5432`, `h1:26379,h2`, `[::1]:6379`. */
  hosts: string;
  /** Everything after the authority: path, query, fragment. */
  tail: string;
}

const SCHEME = /^([a-z][a-z0-9+.-]*:)\/\//i;

/** The parts of `scheme://[userinfo@]hosts[/path][?query][#fragment]`, or null if `url` has no `scheme://`. */
export function splitAuthority(url: string): UrlAuthority | null {
  const m = SCHEME.exec(url);
  if (!m) return null;
  const rest = url.slice(m[0].length);
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  const tail = end < 0 ? '' : rest.slice(end);
  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? undefined : authority.slice(0, at);
  const colon = userinfo?.indexOf(':') ?? -1;
  return {
    scheme: m[1]!.toLowerCase(),
    userinfo,
    user: userinfo === undefined ? undefined : colon < 0 ? userinfo : userinfo.slice(0, colon),
    password: userinfo !== undefined && colon >= 0 ? userinfo.slice(colon + 1) : undefined,
    hosts: at < 0 ? authority : authority.slice(at + 1),
    tail,
  };
}

export function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * A `/`, `?` or `#` written unencoded inside the user info ends the authority early, so the
 * rest of the password is read as a port, a path or a fragment (and shown, or used as a host).
 * Telltale: an `@` after the authority while the authority itself has no user info.
 * Returns the offending character, or null.
 */
export function strayCredentialChar(url: string): string | null {
  const a = splitAuthority(url);
  if (!a || a.userinfo !== undefined) return null;
  const at = a.tail.indexOf('@');
  if (at < 0) return null;
  return a.tail[0] ?? null;
}

const MIN_SECRET = 3;

/**
 * Literal strings that give a URL's credentials away, to be masked wherever text is shown:
 * the password as written and decoded, `user:password` (and its base64, as in a Basic
 * Authorization header), a `password=` query parameter, and for http(s) a lone user name
 * (`https://TOKEN@host` carries a token there).
 */
export function urlCredentialSecrets(url: string): string[] {
  const a = splitAuthority(url);
  if (!a) return [];
  const out: string[] = [];
  if (a.password) {
    const pw = decodeComponent(a.password);
    out.push(a.password, pw);
    if (a.user) {
      const user = decodeComponent(a.user);
      out.push(`${a.user}:${a.password}`, `${user}:${pw}`, Buffer.from(`${user}:${pw}`).toString('base64'));
    }
  } else if (a.user && (a.scheme === 'http:' || a.scheme === 'https:')) {
    const user = decodeComponent(a.user);
    out.push(a.user, user, Buffer.from(`${user}:`).toString('base64'));
  }
  const query = /[?&](?:password|passwd|token|access_token|api_key|apikey|key|secret|auth)=([^&#]*)/i.exec(a.tail);
  if (query?.[1]) out.push(query[1], decodeComponent(query[1].replace(/\+/g, ' ')));
  return [...new Set(out.filter((s) => s.length >= MIN_SECRET))];
}

/** The URL with the password (or, for http(s), the whole user info) replaced by `****`. */
export function maskUserinfo(url: string): string {
  const a = splitAuthority(url);
  if (!a || a.userinfo === undefined) return url;
  const web = a.scheme === 'http:' || a.scheme === 'https:';
  const shown = web ? (a.password !== undefined ? '****:****' : '****') : a.password !== undefined ? `${a.user}:****` : a.user;
  const tail = a.tail.replace(/([?&](?:password|passwd|token|access_token|api_key|apikey|key|secret|auth)=)[^&#]*/gi, '$1****');
  return `${a.scheme}//${shown}@${a.hosts}${tail}`;
}

/** What to tell the user about a stray character, without echoing the URL. */
export function strayCharMessage(ch: string): string {
  const code = '%' + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
  return `a "${ch}" in the user name or password must be percent-encoded as ${code} (characters after it would be read as the host, path or fragment)`;
}
