// Runs a TypeScript child that prints "ready <id>" and then facts as "<tag> <rest>" lines, kills it
// with SIGKILL `killAfterMs` after it is ready, and resolves with what it printed. Shared by the
// crash tests; `seeded` makes their random moments repeatable.
import { spawn } from 'node:child_process';

export interface KilledChild {
  ready: string;
  lines: Array<[tag: string, rest: string]>;
}

export function runUntilKilled(script: string, env: NodeJS.ProcessEnv, killAfterMs: number): Promise<KilledChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const res: KilledChild = { ready: '', lines: [] };
    let buf = '';
    let stderr = '';
    let timer: NodeJS.Timeout | null = null;
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const sp = line.indexOf(' ');
        const [tag, rest] = sp < 0 ? [line, ''] : [line.slice(0, sp), line.slice(sp + 1)];
        if (tag === 'ready') {
          res.ready = rest;
          timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        } else res.lines.push([tag, rest]);
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`child exited ${code ?? signal} before being killed: ${stderr}`));
      else if (!res.ready) reject(new Error(`child never became ready: ${stderr}`));
      else resolve(res);
    });
  });
}

/** A seeded random number generator (mulberry32). */
export function seeded(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
