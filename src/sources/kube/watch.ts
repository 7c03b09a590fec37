// Raw Kubernetes watch streams and a liveness probe over node:http(s), with the kubeconfig's
// credentials. (client-node's Watch swallows lines it cannot parse, so malformed events could
// not be counted, and it gives no control over the socket of a request that hangs.)
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { safeTimeout } from '../../util/delay.js';
import { isRecord, type KubeObject } from './normalize.js';

/**
 * One line of a watch stream, checked: only well-formed events reach the reflector. `T` is what the
 * watched path serves (the API server's objects of that kind, as JSON); only metadata and kind are checked.
 */
export type WatchLine<T extends KubeObject = KubeObject> =
  | { kind: 'event'; type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  | { kind: 'bookmark'; resourceVersion: string }
  | { kind: 'error'; status: { code?: number; reason?: string; message?: string } }
  | { kind: 'junk'; reason: string };

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/**
 * Parses and checks one watch line. `expectKind` (e.g. "Pod") rejects objects of another kind;
 * an object without `kind` is accepted (some proxies strip it).
 */
export function parseWatchLine<T extends KubeObject = KubeObject>(line: string, expectKind?: string): WatchLine<T> {
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    return { kind: 'junk', reason: 'not JSON' };
  }
  if (!isRecord(data)) return { kind: 'junk', reason: 'not an object' };
  const { type, object } = data;
  if (!nonEmpty(type)) return { kind: 'junk', reason: 'missing type' };
  if (type === 'ERROR') {
    if (!isRecord(object)) return { kind: 'junk', reason: 'ERROR without a Status' };
    const code = typeof object.code === 'number' ? object.code : undefined;
    return {
      kind: 'error',
      status: { code, reason: typeof object.reason === 'string' ? object.reason : undefined, message: typeof object.message === 'string' ? object.message : undefined },
    };
  }
  if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED' && type !== 'BOOKMARK') return { kind: 'junk', reason: `unknown type ${JSON.stringify(type).slice(0, 40)}` };
  if (!isRecord(object)) return { kind: 'junk', reason: `${type} without an object` };
  if (!isRecord(object.metadata)) return { kind: 'junk', reason: `${type} without metadata` };
  if (object.kind !== undefined && expectKind && object.kind !== expectKind)
    return { kind: 'junk', reason: `${type} of kind ${JSON.stringify(object.kind).slice(0, 40)}, not ${expectKind}` };
  if (type === 'BOOKMARK') {
    const rv = object.metadata.resourceVersion;
    return nonEmpty(rv) ? { kind: 'bookmark', resourceVersion: rv } : { kind: 'junk', reason: 'BOOKMARK without metadata.resourceVersion' };
  }
  if (!nonEmpty(object.metadata.name)) return { kind: 'junk', reason: `${type} without metadata.name` };
  if (!nonEmpty(object.metadata.uid)) return { kind: 'junk', reason: `${type} without metadata.uid` };
  // Checked as far as the reflector relies on (metadata.name, uid, kind); the rest is the server's object.
  return { kind: 'event', type, object: object as T };
}

export interface WatchHandlers {
  /** Every complete line received. */
  onLine: (line: string) => void;
  /** The server answered 200: the stream is open. */
  onOpen?: () => void;
  /** Any bytes arrived (the server is alive). */
  onData?: () => void;
}

export interface StreamHandle {
  /** Destroys the request and its socket. */
  abort(): void;
  /** Resolves when the stream is over: null for a clean end, else the error. */
  done: Promise<Error | null>;
}

function timeoutError(msg: string): Error {
  return Object.assign(new Error(msg), { name: 'TimeoutError' });
}

async function requestOptions(kc: KubeConfig, url: URL): Promise<https.RequestOptions> {
  const opts: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(opts);
  // client-node builds a fresh agent for each call, so no other request waits behind a hung one
  // on a shared socket. Plain http: servers (no TLS) take node's default agent.
  if (url.protocol === 'http:') delete opts.agent;
  return opts;
}

/**
 * Opens `path` on the kubeconfig's current cluster and streams it line by line.
 * `connectTimeoutMs`: time allowed until the response headers; `idleTimeoutMs`: time allowed
 * between two chunks once the stream is open. Either expiring destroys the socket.
 */
export function openStream(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | undefined>,
  h: WatchHandlers,
  limits: { connectTimeoutMs: number; idleTimeoutMs: number },
): StreamHandle {
  let req: http.ClientRequest | null = null;
  let finished = false;
  let timer: NodeJS.Timeout | null = null;
  let resolveDone!: (e: Error | null) => void;
  const done = new Promise<Error | null>((r) => (resolveDone = r));
  const finish = (e: Error | null) => {
    if (finished) return;
    finished = true;
    if (timer) clearTimeout(timer);
    timer = null;
    req?.destroy();
    resolveDone(e);
  };
  const arm = (ms: number, msg: string) => {
    if (timer) clearTimeout(timer);
    timer = safeTimeout(() => finish(timeoutError(msg)), ms);
    timer.unref?.();
  };
  arm(limits.connectTimeoutMs, `no answer within ${Math.round(limits.connectTimeoutMs / 1000)}s`);
  void (async () => {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('no current cluster in the kubeconfig');
    const url = new URL(cluster.server.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    const opts = await requestOptions(kc, url);
    if (finished) return;
    const mod = url.protocol === 'http:' ? http : https;
    req = mod.request(url, opts, (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (body.length < 65_536) body += c;
        });
        res.on('end', () => {
          let status: unknown = null;
          try {
            status = JSON.parse(body);
          } catch {
            status = { message: body.slice(0, 300) };
          }
          const message = isRecord(status) ? status.message : undefined;
          finish(Object.assign(new Error(`HTTP ${res.statusCode}: ${message ?? ''}`), { code: res.statusCode, statusCode: res.statusCode, body: status }));
        });
        res.on('error', (e) => finish(e));
        return;
      }
      h.onOpen?.();
      const idle = () => arm(limits.idleTimeoutMs, `watch silent for ${Math.round(limits.idleTimeoutMs / 1000)}s`);
      idle();
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (finished) return;
        idle();
        h.onData?.();
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) h.onLine(line);
          if (finished) return;
        }
        // A "line" that never ends is junk too; do not buffer it without bound.
        if (buf.length > 16 * 1024 * 1024) {
          h.onLine(buf.slice(0, 64));
          buf = '';
        }
      });
      res.on('end', () => {
        if (buf.trim()) h.onLine(buf.trim());
        finish(null);
      });
      res.on('error', (e) => finish(e));
      res.on('close', () => finish(null));
    });
    req.on('error', (e) => finish(e));
    req.end();
  })().catch((e) => finish(e instanceof Error ? e : new Error(String(e))));
  return { abort: () => finish(Object.assign(new Error('aborted'), { name: 'AbortError' })), done };
}

/**
 * A cheap liveness check: GET `path` (default /readyz) with a short timeout. Any HTTP answer,
 * even 401/403/500, means the API server is answering; only no answer in time or a connection
 * error counts as not answering.
 */
export async function probeApi(kc: KubeConfig, timeoutMs: number, path = '/readyz'): Promise<{ answering: boolean; error?: Error }> {
  let status = 0;
  const s = openStream(
    kc,
    path,
    {},
    {
      onOpen: () => {
        status = 200;
      },
      onLine: () => {},
    },
    { connectTimeoutMs: timeoutMs, idleTimeoutMs: timeoutMs },
  );
  const err = await s.done;
  if (status === 200 || !err) return { answering: true };
  if (typeof (err as Error & { statusCode?: unknown }).statusCode === 'number') return { answering: true };
  return { answering: false, error: err };
}

/**
 * GET `path` and parse the JSON body, within `timeoutMs` for the whole exchange; the socket is
 * destroyed when it expires. HTTP errors reject with `code`/`body` as client-node's do.
 */
export async function getJson(kc: KubeConfig, path: string, timeoutMs: number, query: Record<string, string | undefined> = {}): Promise<unknown> {
  return (await getJsonSized(kc, path, timeoutMs, query)).body;
}

/** getJson, also giving the size of the body received (what a poll costs on the wire, uncompressed). */
export async function getJsonSized(kc: KubeConfig, path: string, timeoutMs: number, query: Record<string, string | undefined> = {}): Promise<{ body: unknown; bytes: number }> {
  const lines: string[] = [];
  let ok = false;
  const s = openStream(
    kc,
    path,
    query,
    {
      onOpen: () => {
        ok = true;
      },
      onLine: (l) => lines.push(l),
    },
    { connectTimeoutMs: timeoutMs, idleTimeoutMs: timeoutMs },
  );
  const overall = safeTimeout(() => s.abort(), timeoutMs);
  overall.unref?.();
  const err = await s.done;
  clearTimeout(overall);
  if (err) throw err.name === 'AbortError' ? timeoutError(`no answer within ${Math.round(timeoutMs / 1000)}s`) : err;
  if (!ok) throw new Error(`GET ${path}: no answer`);
  const text = lines.join('\n');
  const body: unknown = JSON.parse(text);
  return { body, bytes: Buffer.byteLength(text) + lines.length };
}
