// Frame timings for the benchmark, off unless WARROOM_FRAME_PROBE names a file: for each frame,
// the time from the store update that caused it to the bytes written, split into React + layout
// (update → commit) and the output stage (paint + diff + write), the bytes and the cells written.
// Lines are appended as JSON once a second and at exit, never on the frame's own path.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

class FrameProbe {
  private readonly file = process.env.WARROOM_FRAME_PROBE || null;
  private updateAt: number | null = null;
  private commitMs: number | null = null;
  private pending: string[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor() {
    if (this.file) process.once('exit', () => this.drain());
  }

  get enabled(): boolean {
    return this.file !== null;
  }

  /** The store changed (called before React renders). */
  update(): void {
    if (!this.file) return;
    this.updateAt = performance.now();
  }

  committed(): void {
    if (!this.file || this.updateAt === null || this.commitMs !== null) return;
    this.commitMs = performance.now() - this.updateAt;
  }

  written(stageMs: number, bytes: number, cells: number): void {
    if (!this.file) return;
    const at = performance.now();
    const commitMs = this.commitMs;
    this.updateAt = null;
    this.commitMs = null;
    this.pending.push(JSON.stringify({ t: Date.now(), commitMs, stageMs, frameCpuMs: (commitMs ?? 0) + stageMs, bytes, cells, at }));
    if (!this.timer) {
      this.timer = setTimeout(() => this.drain(), 1000);
      this.timer.unref();
    }
  }

  private drain(): void {
    this.timer = null;
    if (!this.file || !this.pending.length) return;
    try {
      fs.appendFileSync(this.file, this.pending.join('\n') + '\n', { mode: 0o600 });
    } catch {
      // A diagnostic: never let it disturb the cockpit.
    }
    this.pending = [];
  }
}

export const frameProbe = new FrameProbe();
