// Outbound HTTP for Prometheus, Alertmanager and the status-update sinks, on node-fetch:
//   httpRequest(url, {method, headers, body, timeoutMs, maxBytes, signal}) → {status, header(name), text}
// Every request has a timeout and every response a size cap (DEFAULT_MAX_RESPONSE_BYTES unless
// given): a larger body is refused as soon as its Content-Length says so, or the moment the bytes
// read pass the cap, and its memory is released. Failures throw HttpError with
//   kind: 'timeout' | 'too-large' | 'network' | 'aborted'
//   sent: whether the request may have reached the server. It is false only when no connection
//         was ever made (refused, DNS, unreachable): a delivery that failed that way is safe to
//         retry; once a connection was made, the body may have arrived.
// Credentials in the URL (http://user:pass@host) are sent as Basic auth and never appear in a message.
// A ResponseBudget shared by several requests bounds what their bodies hold together while they are
// read at the same time (one client's concurrent requests), not only each body on its own.
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import fetch, { FetchError } from 'node-fetch';

export const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export type HttpErrorKind = 'timeout' | 'too-large' | 'network' | 'aborted';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    message: string,
    readonly kind: HttpErrorKind,
    /** The request may have reached the server (a connection was made). */
    readonly sent: boolean,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Bytes that the bodies of the requests sharing it may hold together while being read. */
export class ResponseBudget {
  inUse = 0;
  constructor(readonly bytes: number) {}
}

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Response body cap in bytes (default DEFAULT_MAX_RESPONSE_BYTES). */
  maxBytes?: number;
  /** Aborts the request (the caller is closing). */
  signal?: AbortSignal;
  /** Shared with the requests read at the same time; their bodies together stay within it. */
  budget?: ResponseBudget;
  /** TLS settings for https (a Kubernetes API server's CA and client certificate). */
  tls?: https.AgentOptions;
}

export interface HttpResponse {
  status: number;
  header(name: string): string | null;
  text: string;
}

/** Agents that remember whether a connection was ever made, so a failure can say whether the body may have left. */
function trackingAgent(url: URL, state: { connected: boolean }, tls?: https.AgentOptions): http.Agent {
  const agent = url.protocol === 'https:' ? new https.Agent({ ...tls, keepAlive: false }) : new http.Agent({ keepAlive: false });
  const create = (agent as unknown as { createConnection: (o: unknown, cb?: unknown) => net.Socket }).createConnection.bind(agent);
  (agent as unknown as { createConnection: (o: unknown, cb?: unknown) => net.Socket }).createConnection = (o, cb) => {
    const socket = create(o, cb);
    socket.once('connect', () => (state.connected = true));
    return socket;
  };
  return agent;
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} B`;
}

export async function httpRequest(rawUrl: string | URL, opts: HttpRequestOptions): Promise<HttpResponse> {
  const url = new URL(rawUrl);
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (url.username || url.password) {
    headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const state = { connected: false };
  const agent = trackingAgent(url, state, opts.tls);
  const timeout = AbortSignal.timeout(Math.max(1, opts.timeoutMs));
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  try {
    const res = await fetch(url.toString(), { method: opts.method ?? 'GET', headers, body: opts.body, signal, agent, size: maxBytes, redirect: 'manual' });
    const length = Number(res.headers.get('content-length'));
    if (Number.isFinite(length) && length > maxBytes) {
      (res.body as unknown as { destroy?: () => void } | null)?.destroy?.();
      throw new HttpError(`response too large (${formatBytes(length)}, the limit is ${formatBytes(maxBytes)})`, 'too-large', true);
    }
    const text = opts.budget ? await readWithin(res.body as AsyncIterable<Buffer> | null, maxBytes, opts.budget) : await res.text();
    return { status: res.status, header: (name) => res.headers.get(name), text };
  } catch (e) {
    if (e instanceof HttpError) throw e;
    if (timeout.aborted) throw new HttpError(`timed out after ${formatSeconds(opts.timeoutMs)}`, 'timeout', state.connected);
    if (opts.signal?.aborted) throw new HttpError('cancelled', 'aborted', state.connected);
    if (e instanceof FetchError && e.type === 'max-size') throw new HttpError(`response too large (over ${formatBytes(maxBytes)})`, 'too-large', true);
    const err = e as { code?: string; errno?: string; cause?: { code?: string }; message?: string };
    const code = err.code ?? err.errno ?? err.cause?.code;
    throw new HttpError(`network error: ${code ?? err.message ?? String(e)}`, 'network', state.connected, code);
  } finally {
    agent.destroy();
  }
}

/** Reads a body while it stays within maxBytes and, with the bodies read alongside it, within the budget. */
async function readWithin(body: AsyncIterable<Buffer> | null, maxBytes: number, budget: ResponseBudget): Promise<string> {
  if (!body) return '';
  const chunks: Buffer[] = [];
  let held = 0;
  try {
    // Leaving the loop early (a throw) destroys the stream, which closes the connection.
    for await (const chunk of body) {
      held += chunk.length;
      budget.inUse += chunk.length;
      if (held > maxBytes) throw new HttpError(`response too large (over ${formatBytes(maxBytes)})`, 'too-large', true);
      if (budget.inUse > budget.bytes) throw new HttpError(`response too large (over ${formatBytes(budget.bytes)} with the others read at the same time)`, 'too-large', true);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, held).toString('utf8');
  } finally {
    budget.inUse -= held;
  }
}
