// Sim clock: delays are given in sim milliseconds and compressed by `speed`; every timer is unref'd.

export type TimerHandle = ReturnType<typeof setTimeout>;

export class SimClock {
  private readonly t0Real = Date.now();
  private readonly timers = new Set<TimerHandle>();
  private stopped = false;

  constructor(readonly speed: number = 1) {
    if (!(speed > 0)) throw new Error('speed must be > 0');
  }

  /** Sim time in ms: starts at the real wall clock and runs `speed` times faster. */
  now(): number {
    return this.t0Real + (Date.now() - this.t0Real) * this.speed;
  }

  /** Convert a sim time to the wall-clock ms at which it happened (for timestamps shown to clients). */
  toWall(simMs: number): number {
    return this.t0Real + (simMs - this.t0Real) / this.speed;
  }

  after(simMs: number, fn: () => void): TimerHandle {
    const h = setTimeout(
      () => {
        this.timers.delete(h);
        if (this.stopped) return;
        try {
          fn();
        } catch {
          // never throw out of a timer
        }
      },
      Math.max(0, simMs / this.speed),
    );
    h.unref();
    this.timers.add(h);
    return h;
  }

  cancel(h: TimerHandle | undefined): void {
    if (!h) return;
    clearTimeout(h);
    this.timers.delete(h);
  }

  stop(): void {
    this.stopped = true;
    for (const h of this.timers) clearTimeout(h);
    this.timers.clear();
  }
}
