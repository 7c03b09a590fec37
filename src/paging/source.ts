// The paging source: polls PagerDuty for open pages (paging.pagerduty.pollSeconds), and carries the
// incident channel's sync status and the escalation due (re-evaluated every 5 s) into the `paging`
// slice. A failed poll keeps the last pages and says why (down, with the data's age in the pane).
import type { PagingConfig } from '../config/schema.js';
import type { Publish, Source } from '../sources/types.js';
import type { PagerDutyClient } from './pagerduty.js';
import type { PagingData } from './types.js';
import type { SyncStatus } from './timeline-sync.js';
import { matrixLines } from './escalation.js';
import { safeTimeout } from '../util/delay.js';

export interface PagingSourceOptions {
  pagerduty: PagerDutyClient | null;
  /** The escalation due now, or null. */
  escalation: () => string | null;
  log?: (msg: string) => void;
}

export class PagingSource implements Source {
  private timer: NodeJS.Timeout | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private running = false;
  private polling: Promise<void> | null = null;

  constructor(
    private readonly cfg: PagingConfig,
    private readonly publish: Publish<PagingData>,
    private readonly opts: PagingSourceOptions,
  ) {}

  start(): void {
    this.running = true;
    const matrix = matrixLines(this.cfg.escalation);
    this.publish((prev) => ({ ...prev, status: this.opts.pagerduty ? 'connecting' : prev.status, data: { ...prev.data, matrix } }));
    if (this.opts.pagerduty) void this.poll();
    this.evaluate();
    this.ticker = setInterval(() => this.evaluate(), 5000);
    this.ticker.unref?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    if (this.ticker) clearInterval(this.ticker);
    this.timer = this.ticker = null;
    await this.polling;
  }

  refresh(): void {
    if (!this.opts.pagerduty || !this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    void this.poll();
  }

  setChannel(channel: SyncStatus): void {
    this.publish((prev) => ({ ...prev, data: { ...prev.data, channel } }));
  }

  /** Re-evaluates the escalation due (after an incident change, or on the 5 s tick). */
  evaluate(): void {
    let text: string | null = null;
    try {
      text = this.opts.escalation();
    } catch {
      text = null;
    }
    this.publish((prev) => (prev.data.escalation === text ? prev : { ...prev, data: { ...prev.data, escalation: text } }));
  }

  private poll(): Promise<void> {
    if (this.polling) return this.polling;
    const pd = this.opts.pagerduty!;
    this.polling = pd
      .listPages()
      .then(({ pages, truncated }) => this.publish((prev) => ({ ...prev, status: 'ok', error: null, updatedAt: Date.now(), data: { ...prev.data, pages, truncated } })))
      .catch((e: Error) => {
        this.opts.log?.(`pagerduty: ${e.message}`);
        this.publish((prev) => ({ ...prev, status: 'down', error: e.message }));
      })
      .finally(() => {
        this.polling = null;
        if (this.running) this.timer = safeTimeout(() => void this.poll(), this.cfg.pagerduty!.pollSeconds * 1000);
      });
    return this.polling;
  }
}
