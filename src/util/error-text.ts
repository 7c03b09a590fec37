/** What a caught value says: a system error's code (EACCES, ENOSPC) when it has one, else its message. */
export function errorText(e: unknown, preferCode = false): string {
  const err = e as { code?: unknown; message?: unknown } | null | undefined;
  if (preferCode && typeof err?.code === 'string') return err.code;
  if (typeof err?.message === 'string') return err.message;
  return String(e);
}

/** The system error code of a caught value (ENOENT…), or undefined. */
export function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
