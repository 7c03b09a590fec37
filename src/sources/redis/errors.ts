// What ioredis reports → the short, secret-free reason shown on the instance's row.
import { redact } from '../postgres/redact.js';

function seconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s}s` : `${s.toFixed(1)}s`;
}

export function describeRedisError(err: unknown, opts: { timeoutMs: number; secrets: readonly string[]; user?: string; hasPassword: boolean }): string {
  const e = (err ?? {}) as { code?: string; message?: string; errors?: Array<{ code?: string }> };
  const code = e.code ?? e.errors?.find((x) => x.code)?.code;
  const message = String(e.message ?? err);
  let out: string;
  if (code === 'ECONNREFUSED') out = 'connection refused';
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') out = `host not found (${code})`;
  else if (code === 'ECONNRESET' || code === 'EPIPE') out = 'server closed the connection';
  else if (code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) out = `timed out after ${seconds(opts.timeoutMs)}`;
  else if (/WRONGPASS|invalid password|invalid username-password/i.test(message) || (/NOAUTH/.test(message) && opts.hasPassword))
    out = `authentication failed for user "${opts.user || 'default'}"`;
  else if (/NOAUTH/.test(message)) out = 'authentication required (no password in the URL)';
  else if (/Connection is closed|Stream isn't writeable/i.test(message)) out = 'server closed the connection';
  else if (/ERR AUTH .*called without any password configured/i.test(message)) out = 'the server has no password set, but the URL carries one';
  else out = message;
  return redact(out, opts.secrets);
}
