// Turns what client-node throws (ApiException with a Status body, undici network errors,
// timeouts) into one error type with a specific, credential-free message.

export type KubeErrorKind = 'forbidden' | 'not-found' | 'conflict' | 'paused' | 'no-history' | 'unreachable' | 'timeout' | 'invalid' | 'unauthorized' | 'other';

export class KubeError extends Error {
  constructor(
    readonly kind: KubeErrorKind,
    message: string,
    readonly code: number | null = null,
  ) {
    super(message);
    this.name = 'KubeError';
  }
}

function statusBody(body: unknown): { message?: string; reason?: string } | null {
  if (body == null) return null;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body);
    } catch {
      return { message: body.slice(0, 300) };
    }
  }
  if (typeof body === 'object') return body as { message?: string };
  return null;
}

/** What toKubeError reads of whatever was thrown (client-node's ApiException, undici's errors, ours). */
interface Thrown {
  code?: unknown;
  name?: unknown;
  message?: string;
  body?: unknown;
  cause?: unknown;
}

function networkCode(err: Thrown | null | undefined): string | null {
  for (let e = err, i = 0; e && i < 5; e = e.cause as Thrown | null | undefined, i++) {
    if (typeof e.code === 'string') return e.code;
    if (e.name === 'TimeoutError') return 'TIMEOUT';
  }
  return null;
}

/** Strips anything that looks like credentials in a URL (user:pass@) or a bearer token. */
export function scrub(text: string): string {
  return text.replace(/\/\/[^/@\s]+@/g, '//').replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1***');
}

/**
 * @param what what was being done, for the message ("patch deployments/api in prod")
 * @param server host:port the client talks to, for unreachable/timeout messages
 */
export function toKubeError(err: unknown, what: string, server?: string | null): KubeError {
  if (err instanceof KubeError) return err;
  const e = err as Thrown | null | undefined;
  const at = server ? ` at ${server}` : '';
  if (typeof e?.code === 'number' && e.code >= 100) {
    const status = statusBody(e.body);
    const msg = scrub(status?.message ?? e.message?.split('\n')[1]?.replace(/^Message: /, '') ?? 'error');
    switch (e.code) {
      case 401:
        return new KubeError('unauthorized', `unauthorized: the API server rejected the credentials (${what})`, 401);
      case 403:
        return new KubeError('forbidden', `forbidden: ${msg}`, 403);
      case 404:
        return new KubeError('not-found', `not found: ${msg}`, 404);
      case 409:
        return new KubeError('conflict', `conflict: ${msg} (someone else changed it; try again)`, 409);
      case 410:
        return new KubeError('other', `gone: ${msg}`, 410);
      case 422:
      case 400:
        return new KubeError('invalid', `invalid: ${msg}`, e.code);
      default:
        return new KubeError('other', `${what} failed: HTTP ${e.code}: ${msg}`, e.code);
    }
  }
  const code = networkCode(e);
  if (code === 'TIMEOUT' || e?.name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new KubeError('timeout', `timed out: the Kubernetes API${at} did not answer in time (${what})`);
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ECONNRESET' || code === 'EAI_AGAIN' || code === 'UND_ERR_SOCKET') {
    return new KubeError('unreachable', `unreachable: cannot connect to the Kubernetes API${at} (${code})`);
  }
  return new KubeError('other', scrub(`${what} failed: ${e?.message ?? String(e)}`));
}
