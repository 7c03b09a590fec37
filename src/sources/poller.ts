// The schedule of a source with several targets (databases, Redis instances), in one place:
// each target is polled on its own timer, never twice at once; a refresh asked for while a poll
// runs happens right after it; a failing target is retried with a backoff capped at the refresh
// interval; nothing is scheduled after stop().

export interface PollerOptions<T> {
  refreshMs: number;
  /** Polls one target; resolves true when it answered. Never rejects (a rejection counts as a failure). */
  poll(target: T): Promise<boolean>;
  /** First retry delay after a failure, doubled per failure up to the refresh interval; 0 retries at the refresh interval. */
  minBackoffMs?: number;
}

interface Slot {
  timer: NodeJS.Timeout | null;
  busy: boolean;
  again: boolean;
  failures: number;
}

export class TargetPoller<T> {
  private readonly slots = new Map<T, Slot>();
  private stopped = true;

  constructor(
    targets: readonly T[],
    private readonly o: PollerOptions<T>,
  ) {
    for (const t of targets) this.slots.set(t, { timer: null, busy: false, again: false, failures: 0 });
  }

  get running(): boolean {
    return !this.stopped;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    for (const t of this.slots.keys()) this.schedule(t, 0);
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.slots.values()) {
      if (s.timer) clearTimeout(s.timer);
      s.timer = null;
    }
  }

  /** Poll every target now (or right after its running poll). */
  refresh(): void {
    for (const t of this.slots.keys()) this.now(t);
  }

  /** Poll this target now (or right after its running poll): it connected, or its session died. */
  now(target: T): void {
    const s = this.slots.get(target);
    if (!s || this.stopped) return;
    if (s.busy) s.again = true;
    else this.schedule(target, 0);
  }

  /** A failure seen between polls (a dropped connection): the next poll waits for the backoff. */
  failedBetweenPolls(target: T): void {
    const s = this.slots.get(target);
    if (!s || this.stopped || s.busy) return;
    s.failures++;
    this.schedule(target, this.delay(s));
  }

  isBusy(target: T): boolean {
    return this.slots.get(target)?.busy ?? false;
  }

  private delay(s: Slot): number {
    const min = this.o.minBackoffMs ?? 0;
    if (!s.failures || !min) return this.o.refreshMs;
    return Math.min(this.o.refreshMs, min * 2 ** Math.max(0, s.failures - 1));
  }

  private schedule(target: T, ms: number): void {
    const s = this.slots.get(target)!;
    if (this.stopped) return;
    if (s.timer) clearTimeout(s.timer);
    s.timer = setTimeout(() => {
      s.timer = null;
      void this.run(target, s);
    }, ms);
    s.timer.unref?.();
  }

  private async run(target: T, s: Slot): Promise<void> {
    if (this.stopped || s.busy) return;
    s.busy = true;
    s.again = false;
    let ok = false;
    try {
      ok = await this.o.poll(target);
    } catch {
      ok = false;
    } finally {
      s.busy = false;
    }
    s.failures = ok ? 0 : s.failures + 1;
    if (!this.stopped) this.schedule(target, s.again ? 0 : this.delay(s));
  }
}
