// Small shared helpers for tests that start real servers on loopback.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export { freeLoopbackPort as freePort } from '../../src/sim/net.js';

export function tempDir(prefix = 'warroom-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function waitFor<T>(fn: () => T | Promise<T>, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
  throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${last ? `: ${String(last)}` : ''}`);
}

/** Resolves once process `pid` has exited (signal 0 finds no such process). */
export function waitForExit(pid: number, what: string, timeoutMs: number): Promise<true> {
  return waitFor(
    () => {
      try {
        process.kill(pid, 0);
        return null;
      } catch {
        return true as const;
      }
    },
    { what, timeoutMs },
  );
}
