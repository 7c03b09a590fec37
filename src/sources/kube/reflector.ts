// List, then watch from the list's resourceVersion with bookmarks; resume from the last seen
// resourceVersion when the stream ends, relist on 410 Gone, back off on errors. This is
// client-go's reflector. (client-node's ListWatch has no bookmarks and stops on the first
// connection error, so it cannot keep a cockpit alive through an API outage.)
//
// Nothing here may hang or spin: every list has a timeout (its request is aborted when it
// expires), a watch silent for longer than `idleTimeoutMs` is dropped, consecutive failures
// and 410s back off exponentially with jitter, and malformed watch lines are dropped, counted.
import { safeTimeout } from '../../util/delay.js';
import type { KubeObject } from './normalize.js';
import { parseWatchLine, type StreamHandle, type WatchHandlers } from './watch.js';

/** `T`: what is listed and watched (the reflector reads only its metadata). */
export interface ReflectorOptions<T extends KubeObject = KubeObject> {
  /** What this reflector watches, for messages: "pods@prod". */
  id: string;
  /** The kind watch objects must have ("Pod"); others are dropped. */
  kind?: string;
  /** Lists; must honour `signal` (the request is abandoned when it aborts). */
  list: (signal: AbortSignal) => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  /** Opens the watch stream with these query parameters. */
  watch: (query: Record<string, string | undefined>, h: WatchHandlers) => StreamHandle;
  labelSelector?: string;
  /** Longest a list may take before it is abandoned and retried. */
  listTimeoutMs: number;
  /** Replace everything this reflector holds (after a list). */
  onSync: (items: T[]) => void;
  onEvent: (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T) => void;
  /**
   * null when healthy again; else what is wrong. `stale` is true when the reflector's data can
   * no longer be trusted (list or watch failing), false when it is fresh but something is off
   * (a relist loop whose lists succeed).
   */
  onError: (err: unknown | null, stale?: boolean) => void;
  /** Any sign of life from the API server (a list answered, watch bytes). */
  onActivity?: () => void;
  /** A malformed watch line was dropped. */
  onDropped?: (reason: string) => void;
  log?: (msg: string) => void;
  /** First back-off delay (default 250 ms), doubling per consecutive failure up to maxDelayMs (30 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Server-side watch timeout in seconds (default 5–10 minutes at random, as client-go). */
  watchTimeoutSeconds?: () => number;
  random?: () => number;
}

type State = 'stopped' | 'listing' | 'watching' | 'waiting';

export class Reflector<T extends KubeObject = KubeObject> {
  private rv = '';
  private state: State = 'stopped';
  /** Incremented by every (re)start; callbacks of an older run are ignored. */
  private runId = 0;
  private current: { abort: () => void } | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Consecutive failures (including 410s) since the last good watch event. */
  private failures = 0;
  private gones = 0;
  private synced = false;
  private erroring = false;
  /** Counts, for tests and the bench: lists and watch connections made, malformed lines dropped. */
  readonly stats = { lists: 0, watches: 0, dropped: 0, gone: 0 };

  constructor(private readonly o: ReflectorOptions<T>) {}

  get hasSynced(): boolean {
    return this.synced;
  }

  /** True while a watch is open and nothing failed since; false while listing, failing or waiting. */
  get healthy(): boolean {
    return this.state === 'watching' && this.failures === 0;
  }

  start(): void {
    if (this.state !== 'stopped') return;
    this.failures = 0;
    this.gones = 0;
    this.state = 'waiting';
    void this.run(++this.runId);
  }

  stop(): void {
    this.state = 'stopped';
    this.runId++;
    this.clearTimer();
    this.current?.abort();
    this.current = null;
  }

  /**
   * Abandon whatever is in progress (a stuck list, a silent watch, a back-off wait) and start
   * again now: a watch resumes from the last resourceVersion, a failed list is retried.
   */
  restart(): void {
    if (this.state === 'stopped') return;
    this.clearTimer();
    const cur = this.current;
    this.current = null;
    const id = ++this.runId;
    cur?.abort();
    this.state = 'waiting';
    void this.run(id);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(id: number, ms: number): void {
    if (id !== this.runId || this.state === 'stopped') return;
    this.clearTimer();
    this.state = 'waiting';
    this.timer = safeTimeout(() => {
      this.timer = null;
      void this.run(id);
    }, ms);
    this.timer.unref?.();
  }

  /** Exponential back-off with ±25 % jitter: 250 ms, 500 ms, 1 s, … up to 30 s. */
  private nextDelay(): number {
    const base = this.o.baseDelayMs ?? 250;
    const max = this.o.maxDelayMs ?? 30_000;
    const exp = Math.min(max, base * 2 ** Math.min(this.failures, 30));
    this.failures++;
    const jitter = 0.75 + (this.o.random ?? Math.random)() * 0.5;
    return Math.min(max, exp * jitter);
  }

  private fail(id: number, err: unknown, stale = true): void {
    if (id !== this.runId || this.state === 'stopped') return;
    this.erroring = true;
    this.o.onError(err, stale);
    this.schedule(id, this.nextDelay());
  }

  private healthyAgain(): void {
    if (!this.erroring) return;
    this.erroring = false;
    this.o.onError(null);
  }

  private async run(id: number): Promise<void> {
    if (id !== this.runId || this.state === 'stopped') return;
    if (!this.rv) {
      this.state = 'listing';
      const ctrl = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      this.current = { abort: () => ctrl.abort() };
      let list: Awaited<ReturnType<ReflectorOptions<T>['list']>>;
      try {
        this.stats.lists++;
        const ms = this.o.listTimeoutMs;
        // Belt and braces: the abort ends the request, the race ends the wait even if the
        // client library ignored the signal.
        list = await Promise.race([
          this.o.list(ctrl.signal),
          new Promise<never>((_, reject) => {
            timer = safeTimeout(() => {
              reject(Object.assign(new Error(`list timed out after ${Math.round(ms / 1000)}s`), { name: 'TimeoutError' }));
              ctrl.abort();
            }, ms);
            timer.unref?.();
            ctrl.signal.addEventListener('abort', () => reject(Object.assign(new Error('list aborted'), { name: 'AbortError' })), { once: true });
          }),
        ]);
      } catch (e) {
        if (timer) clearTimeout(timer);
        if (id !== this.runId) return;
        this.current = null;
        this.fail(id, e);
        return;
      } finally {
        if (timer) clearTimeout(timer);
      }
      if (id !== this.runId || (this.state as State) === 'stopped') return;
      this.current = null;
      this.o.onActivity?.();
      this.o.onSync(Array.isArray(list?.items) ? list.items : []);
      this.rv = list?.metadata?.resourceVersion ?? '';
      this.synced = true;
      // A successful list makes the data fresh; a relist loop still shows as a (non-stale) error.
      if (this.gones < 3) this.healthyAgain();
    }
    this.watchOnce(id);
  }

  private watchOnce(id: number): void {
    this.state = 'watching';
    let gone: string | null = null;
    let statusError: { code?: number; reason?: string; message?: string } | null = null;
    let sawEvent = false;
    const startedAt = Date.now();
    this.stats.watches++;
    const good = () => {
      sawEvent = true;
      this.failures = 0;
      this.gones = 0;
      this.healthyAgain();
    };
    const stream = this.o.watch(
      {
        watch: 'true',
        resourceVersion: this.rv || undefined,
        allowWatchBookmarks: 'true',
        labelSelector: this.o.labelSelector,
        // Servers end watches after this; ask for 5–10 minutes like client-go.
        timeoutSeconds: String(this.o.watchTimeoutSeconds?.() ?? 300 + Math.floor(Math.random() * 300)),
      },
      {
        onOpen: () => {
          if (id !== this.runId) return;
          this.o.onActivity?.();
          if (this.gones === 0) this.healthyAgain();
        },
        onData: () => {
          if (id === this.runId) this.o.onActivity?.();
        },
        onLine: (line) => {
          if (id !== this.runId || gone || statusError) return;
          const ev = parseWatchLine<T>(line, this.o.kind);
          switch (ev.kind) {
            case 'junk':
              this.stats.dropped++;
              this.o.onDropped?.(ev.reason);
              return;
            case 'bookmark':
              this.rv = ev.resourceVersion;
              good();
              return;
            case 'error':
              // The API documents ERROR events as carrying a Status; 410 means the resourceVersion is too old.
              if (ev.status.code === 410) gone = ev.status.message ?? ev.status.reason ?? 'Gone';
              else statusError = ev.status;
              stream.abort();
              return;
            case 'event': {
              this.o.onEvent(ev.type, ev.object);
              const rv = ev.object.metadata?.resourceVersion;
              if (typeof rv === 'string' && rv) this.rv = rv;
              good();
            }
          }
        },
      },
    );
    this.current = stream;
    void stream.done.then((err) => {
      if (id !== this.runId || this.state === 'stopped') return;
      this.current = null;
      const e = err as (Error & { code?: unknown; statusCode?: unknown }) | null;
      if (gone || e?.statusCode === 410) {
        this.rv = '';
        this.gones++;
        this.stats.gone++;
        this.o.log?.(`kube ${this.o.id}: watch answered 410 Gone${this.gones > 1 ? ` (${this.gones} in a row)` : ''}, relisting`);
        if (this.gones >= 3) {
          this.fail(id, new Error(`watch ${this.o.id} answers 410 Gone every time (${this.gones} in a row); relisting with back-off`), false);
        } else this.schedule(id, this.nextDelay());
        return;
      }
      if (statusError) {
        const s = statusError;
        this.fail(id, Object.assign(new Error(`watch error: ${s.message ?? s.reason ?? 'unknown'}`), { code: s.code, body: { message: s.message ?? s.reason } }));
        return;
      }
      if (e && e.name !== 'AbortError') {
        this.fail(id, e);
        return;
      }
      // A clean end (server timeout or a dropped stream): resume from the last resourceVersion.
      // A stream that ends at once without events, again and again, backs off.
      if (sawEvent || Date.now() - startedAt > 5_000) this.schedule(id, 0);
      else this.schedule(id, this.nextDelay());
    });
  }
}
