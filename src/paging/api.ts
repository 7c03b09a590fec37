// One JSON call to PagerDuty or Slack, through src/net/http.ts (timeouts, size caps, `sent`).
//   callJson(url, {method, headers, body, timeoutMs, maxBytes, secrets, service}) → {status, json, header}
// Failures throw ApiError, whose message names the service and never holds a token:
//   kind 'rate-limited'  429 (retryAfterMs from Retry-After, null when absent; an unreadable one is 'http')
//        'http'          any other non-2xx answer (the server answered: nothing was applied)
//        'api'           a 2xx envelope that says it failed (Slack's ok:false, with its error code)
//        'unreadable'    a 2xx whose body is not the JSON expected (it may have been applied)
//        'timeout' | 'network' | 'too-large' | 'aborted'   from the transport; `sent` says whether
//                        the request may have reached the server
// A caller may retry a rate-limited call after retryAfterMs only when that is short (RETRY_AFTER_CAP_MS):
// an absurd Retry-After fails at once with the wait named.
import { HttpError, httpRequest } from '../net/http.js';
import { parseRetryAfter } from '../incident/sinks.js';
import { redactSecrets } from '../incident/journal.js';

export type ApiErrorKind = 'rate-limited' | 'http' | 'api' | 'unreadable' | 'timeout' | 'network' | 'too-large' | 'aborted';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly kind: ApiErrorKind,
    /** The request may have been applied (a connection was made and no answer said otherwise). */
    readonly sent: boolean,
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
    /** Slack's `error` code, PagerDuty's error code. */
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

/** A wait longer than this (Retry-After) is not waited for by an interactive call. */
export const RETRY_AFTER_CAP_MS = 10_000;

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
  maxBytes?: number;
  secrets: readonly string[];
  /** Named in messages: "PagerDuty", "Slack". */
  service: string;
  signal?: AbortSignal;
}

/** `T`: the body's documented shape, every field optional (it comes off the wire unchecked); null: an empty body. */
export interface JsonResponse<T> {
  status: number;
  json: T | null;
  header(name: string): string | null;
}

/** The error fields of PagerDuty ({error: {message, errors[], code}}) and Slack ({ok: false, error}) bodies. */
interface ErrorBody {
  error?: string | { message?: unknown; errors?: unknown; code?: unknown };
}

export async function callJson<T>(url: string, opts: CallOptions): Promise<JsonResponse<T>> {
  const redact = (s: string) => redactSecrets(s, opts.secrets);
  let res;
  try {
    res = await httpRequest(url, {
      method: opts.method ?? 'GET',
      headers: { accept: 'application/json', ...(opts.body !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...(opts.headers ?? {}) },
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      timeoutMs: opts.timeoutMs,
      maxBytes: opts.maxBytes ?? 4 * 1024 * 1024,
      signal: opts.signal,
    });
  } catch (e) {
    const err = e instanceof HttpError ? e : new HttpError(String(e), 'network', true);
    throw new ApiError(`${opts.service}: ${redact(err.message)}`, err.kind, err.sent);
  }
  const text = res.text;
  if (res.status === 429) {
    const raw = res.header('retry-after');
    const wait = parseRetryAfter(raw);
    if (raw && wait === null) throw new ApiError(`${opts.service} rate limit (HTTP 429) with an unreadable Retry-After ${JSON.stringify(raw.slice(0, 40))}`, 'http', false, 429);
    throw new ApiError(`${opts.service} rate limit (HTTP 429)${wait !== null ? `: retry after ${formatWait(wait)}` : ''}`, 'rate-limited', false, 429, wait);
  }
  let json: (T & ErrorBody) | null | undefined = null;
  try {
    json = text.trim() ? JSON.parse(text) : null;
  } catch {
    json = undefined;
  }
  if (res.status < 200 || res.status >= 300) {
    const detail = describeErrorBody(json, text);
    throw new ApiError(
      `${opts.service} HTTP ${res.status}${detail ? `: ${redact(detail)}` : ''}`,
      'http',
      false,
      res.status,
      null,
      typeof json?.error === 'string' ? json.error : json?.error?.code != null ? String(json.error.code) : null,
    );
  }
  if (json === undefined) throw new ApiError(`${opts.service} answered HTTP ${res.status} with a body that is not JSON`, 'unreadable', true, res.status);
  return { status: res.status, json, header: res.header };
}

/** PagerDuty {error: {message, errors[]}}, Slack {ok:false, error}, or the start of the text. */
function describeErrorBody(json: ErrorBody | null | undefined, text: string): string {
  if (json && typeof json === 'object') {
    const e = json.error;
    if (e && typeof e === 'object') return [e.message, ...(Array.isArray(e.errors) ? e.errors : [])].filter((x) => typeof x === 'string').join('; ');
    if (typeof e === 'string') return e;
  }
  return text.trim().slice(0, 200);
}

export function formatWait(ms: number): string {
  const s = ms / 1000;
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

/**
 * Runs `call`, waiting out one short rate limit (at most RETRY_AFTER_CAP_MS) when the call is safe to
 * repeat; anything else (or a second 429) is thrown as it is.
 */
export async function withRateLimitRetry<T>(call: () => Promise<T>, opts: { sleep?: (ms: number) => Promise<void>; capMs?: number } = {}): Promise<T> {
  try {
    return await call();
  } catch (e) {
    const cap = opts.capMs ?? RETRY_AFTER_CAP_MS;
    if (!(e instanceof ApiError) || e.kind !== 'rate-limited' || (e.retryAfterMs ?? 1000) > cap) throw e;
    await (opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(e.retryAfterMs ?? 1000);
    return call();
  }
}
