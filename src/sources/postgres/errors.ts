// Turns what `pg` throws into the short, secret-free reason shown on the database's row.
import { redact } from './redact.js';

interface PgLikeError {
  message?: string;
  code?: string;
  errors?: Array<{ code?: string; message?: string }>;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s}s` : `${s.toFixed(1)}s`;
}

export function describePgError(err: unknown, opts: { timeoutMs: number; secrets: readonly string[]; user?: string }): string {
  const e = (err ?? {}) as PgLikeError;
  const code = e.code ?? e.errors?.find((x) => x.code)?.code;
  const message = String(e.message || e.errors?.[0]?.message || err);
  let out: string;
  switch (code) {
    case 'ECONNREFUSED':
      out = 'connection refused';
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      out = `host not found (${code})`;
      break;
    case 'ETIMEDOUT':
    case '57014': // canceling statement due to statement timeout
      out = `timed out after ${seconds(opts.timeoutMs)}`;
      break;
    case 'ECONNRESET':
    case 'EPIPE':
      out = 'server closed the connection';
      break;
    case '57P01': // admin shutdown / pg_terminate_backend
    case '57P02': // crash shutdown
      out = `server closed the connection (${message})`;
      break;
    case '28P01':
    case '28000': {
      const m = /for user "([^"]*)"/.exec(message);
      out = `authentication failed for user "${m?.[1] ?? opts.user ?? '?'}"`;
      break;
    }
    case '42501':
      out = `permission denied: ${message}`;
      break;
    default:
      if (/timeout expired|Query read timeout|timed out/i.test(message)) out = `timed out after ${seconds(opts.timeoutMs)}`;
      else if (/Connection terminated|not queryable|socket hang up/i.test(message)) out = 'server closed the connection';
      else out = message;
  }
  return redact(out, opts.secrets);
}
