// Runs a command under a real pseudo-terminal of a given size with util-linux `script`, and
// records every chunk the program writes to the terminal with its arrival time.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface Chunk {
  /** performance.now() when the chunk arrived. */
  t: number;
  bytes: number;
  data: Buffer;
}

export interface PtyRun {
  /** The `script` process (leader of its own process group). */
  child: ChildProcess;
  /** performance.now() just before spawn. */
  startedAt: number;
  chunks: Chunk[];
  /** Resolves with the arrival time of the first chunk for which `test(allOutputSoFar)` holds. */
  waitFor(test: (all: Buffer) => boolean, timeoutMs: number): Promise<number>;
  /** Bytes written in [from, to). */
  bytesBetween(from: number, to: number): number;
  /** pid of the program itself (the child of `script`), once it runs. */
  programPid(): number | null;
  /** Sends keys to the program's terminal. */
  type(keys: string): void;
  /** Ends the run: SIGTERM to the program, then to the process group; resolves when `script` exits. */
  stop(): Promise<void>;
}

const shellQuote = (s: string) => (/^[\w./=:@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function scriptAvailable(): boolean {
  return fs.existsSync('/usr/bin/script') || fs.existsSync('/bin/script');
}

export function runInPty(argv: string[], opts: { cols: number; rows: number; env?: NodeJS.ProcessEnv; cwd?: string }): PtyRun {
  // stty sets the pty size before the program starts; `exec` makes the program script's direct child.
  const inner = `stty cols ${opts.cols} rows ${opts.rows} 2>/dev/null; exec ${argv.map(shellQuote).join(' ')}`;
  const startedAt = performance.now();
  const child = spawn('script', ['-qfec', inner, '/dev/null'], { env: opts.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const chunks: Chunk[] = [];
  let all = Buffer.alloc(0);
  const waiters: Array<{ test: (b: Buffer) => boolean; resolve: (t: number) => void }> = [];
  child.stdout!.on('data', (data: Buffer) => {
    const t = performance.now();
    chunks.push({ t, bytes: data.length, data });
    all = Buffer.concat([all, data]);
    for (const w of [...waiters]) {
      if (w.test(all)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(t);
      }
    }
  });
  child.stderr!.resume();
  child.stdin!.on('error', () => {});
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return {
    child,
    startedAt,
    chunks,
    waitFor(test, timeoutMs) {
      if (test(all)) return Promise.resolve(chunks.length ? chunks[chunks.length - 1].t : performance.now());
      return new Promise((resolve, reject) => {
        const w = { test, resolve: (t: number) => (clearTimeout(timer), resolve(t)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`timed out after ${timeoutMs} ms; last output: ${JSON.stringify(all.subarray(-300).toString('utf8'))}`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    bytesBetween(from, to) {
      let n = 0;
      for (const c of chunks) if (c.t >= from && c.t < to) n += c.bytes;
      return n;
    },
    programPid() {
      try {
        const kids = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
        return kids.length ? Number(kids[0]) : null;
      } catch {
        return null;
      }
    },
    type(keys) {
      child.stdin!.write(keys);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const pid = this.programPid();
      if (pid) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is state (field 3); utime and stime are fields 14 and 15.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / clockTicks();
}

let ticksPerSecond: number | null = null;
function clockTicks(): number {
  // getconf CLK_TCK is 100 on every Linux we run on; read it once to be sure.
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Resident set size of a process in bytes, from /proc (Linux). */
export function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Splits a terminal byte stream into Ink frames (synchronized-update blocks \e[?2026h … \e[?2026l). */
export function frameSizes(data: Buffer): number[] {
  const begin = Buffer.from('\x1b[?2026h');
  const end = Buffer.from('\x1b[?2026l');
  const sizes: number[] = [];
  let at = 0;
  for (;;) {
    const b = data.indexOf(begin, at);
    if (b < 0) break;
    const e = data.indexOf(end, b);
    if (e < 0) break;
    sizes.push(e + end.length - b);
    at = e + end.length;
  }
  return sizes;
}
