// Every timer warroom sets goes through here: Node's setTimeout silently turns any delay above
// 2^31−1 ms (about 24.8 days) into 1 ms and prints a TimeoutOverflowWarning, which turned one
// absurd Retry-After into a busy loop. Delays are clamped to [0, MAX_TIMER_MS].

export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A finite, non-negative delay no timer can overflow on (NaN and negatives become 0). */
export function clampDelay(ms: number): number {
  if (!Number.isFinite(ms)) return ms > 0 ? MAX_TIMER_MS : 0;
  return Math.min(MAX_TIMER_MS, Math.max(0, Math.round(ms)));
}

export function safeTimeout(fn: () => void, ms: number): NodeJS.Timeout {
  return setTimeout(fn, clampDelay(ms));
}

export function safeInterval(fn: () => void, ms: number): NodeJS.Timeout {
  return setInterval(fn, Math.max(1, clampDelay(ms)));
}

/** Resolves after `ms` (clamped), or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = safeTimeout(() => {
      signal?.removeEventListener('abort', done);
      resolve();
    }, ms);
    const done = () => {
      clearTimeout(t);
      resolve();
    };
    signal?.addEventListener('abort', done, { once: true });
  });
}
