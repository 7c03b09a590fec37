// The store's `paging` slice: PagerDuty's open pages, the incident channel's sync, the escalation due.
import type { Page } from './pagerduty.js';
import type { SyncStatus } from './timeline-sync.js';

export interface PagingData {
  /** Triggered and acknowledged pages of the configured services, newest first. */
  pages: Page[];
  /** More pages were open than are shown. */
  truncated: boolean;
  /** The incident channel's sync (null without Slack). */
  channel: SyncStatus | null;
  /** "P1 for 15 min: escalate to engineering lead" while an escalation is due. */
  escalation: string | null;
  /** The escalation matrix, for the help. */
  matrix: string[];
}

export function emptyPagingData(): PagingData {
  return { pages: [], truncated: false, channel: null, escalation: null, matrix: [] };
}
