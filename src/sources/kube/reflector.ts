// List, then watch from the list's resourceVersion with bookmarks; resume from the last seen
// resourceVersion when the stream ends, relist on 410 Gone, back off on errors. This is
// client-go's reflector. (client-node's ListWatch has no bookmarks and stops on the first
// connection error, so it cannot keep a cockpit alive through an API outage.)
import type { Watch } from '@kubernetes/client-node';
import type { K8sObject } from './normalize.js';

export interface ReflectorOptions {
  /** Watch path, e.g. /api/v1/namespaces/prod/pods or /api/v1/pods. */
  path: string;
  watch: Watch;
  list: () => Promise<{ items: K8sObject[]; metadata?: { resourceVersion?: string } }>;
  labelSelector?: string;
  /** Replace everything this reflector holds (after a list). */
  onSync: (items: K8sObject[]) => void;
  onEvent: (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: K8sObject) => void;
  /** null when healthy again; an error while listing or watching fails. */
  onError: (err: unknown | null) => void;
  log?: (msg: string) => void;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export class Reflector {
  private rv = '';
  private stopped = true;
  private ctrl: AbortController | null = null;
  private timer: NodeJS.Timeout | null = null;
  private delayMs = 0;
  private synced = false;
  /** Counts, for tests and the bench: lists and watch connections made. */
  readonly stats = { lists: 0, watches: 0 };

  constructor(private readonly o: ReflectorOptions) {}

  get hasSynced(): boolean {
    return this.synced;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.delayMs = 0;
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.ctrl?.abort();
    this.ctrl = null;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run();
    }, ms);
    this.timer.unref?.();
  }

  private backoff(err: unknown): void {
    this.o.onError(err);
    const base = this.o.baseDelayMs ?? 500;
    this.delayMs = Math.min(this.delayMs ? this.delayMs * 2 : base, this.o.maxDelayMs ?? 30_000);
    this.schedule(this.delayMs);
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    if (!this.rv) {
      try {
        this.stats.lists++;
        const list = await this.o.list();
        if (this.stopped) return;
        this.o.onSync(list.items ?? []);
        this.rv = list.metadata?.resourceVersion ?? '';
        this.synced = true;
      } catch (e) {
        if (this.stopped) return;
        this.backoff(e);
        return;
      }
    }
    let gone = false;
    let sawEvent = false;
    let ended = false;
    const startedAt = Date.now();
    try {
      this.stats.watches++;
      const ctrl = await this.o.watch.watch(
        this.o.path,
        {
          resourceVersion: this.rv,
          allowWatchBookmarks: true,
          labelSelector: this.o.labelSelector,
          // Servers end watches after a while; ask for 5–10 minutes like client-go.
          timeoutSeconds: 300 + Math.floor(Math.random() * 300),
        },
        (type, obj) => {
          if (this.stopped) return;
          if (type === 'ERROR') {
            if (obj?.code === 410) gone = true;
            return;
          }
          sawEvent = true;
          const rv = obj?.metadata?.resourceVersion;
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') this.o.onEvent(type, obj);
          if (rv) this.rv = rv;
        },
        (err) => {
          ended = true;
          if (this.stopped) return;
          this.ctrl = null;
          if (gone || err?.statusCode === 410 || err?.code === 410) {
            this.o.log?.(`watch ${this.o.path}: 410 Gone, relisting`);
            this.rv = '';
            this.delayMs = 0;
            this.schedule(0);
            return;
          }
          if (err && err.name !== 'TimeoutError' && err.name !== 'AbortError') {
            this.backoff(err);
            return;
          }
          // A clean end (server timeout or a dropped stream): resume from the last resourceVersion.
          // A stream that ends at once without events repeatedly gets a growing delay.
          if (sawEvent || Date.now() - startedAt > 5_000) this.delayMs = 0;
          else this.delayMs = Math.min(this.delayMs ? this.delayMs * 2 : 100, this.o.maxDelayMs ?? 30_000);
          this.schedule(this.delayMs);
        },
      );
      if (this.stopped) ctrl.abort();
      else if (!ended) {
        this.ctrl = ctrl;
        this.o.onError(null);
      }
    } catch (e) {
      if (!this.stopped) this.backoff(e);
    }
  }
}
