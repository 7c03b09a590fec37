// What the paging actions act through (ActionServices.paging), and what they read back from the
// incident's journal: the pages linked to it and its channel.
import type { PagingConfig } from '../config/schema.js';
import type { TimelineEntry } from '../incident/types.js';
import type { PagerDutyClient } from './pagerduty.js';
import type { SlackClient } from './slack.js';

export interface PagingServices {
  pagerduty: PagerDutyClient | null;
  slack: SlackClient | null;
  config: PagingConfig;
  /** Poll PagerDuty again now (after an acknowledge or an escalation). */
  refresh(): void;
  /** The escalation due now, as the header says it; null when none. */
  escalationDue?(): string | null;
  /** The escalationTargets name the due rule pages, if any. */
  dueTarget?(): string | null;
}

/** PagerDuty incidents linked to the incident (acknowledged, declared from or linked in warroom). */
export function linkedPages(entries: readonly TimelineEntry[]): string[] {
  const ids: string[] = [];
  for (const e of entries) {
    const id = (e.refs as Record<string, unknown> | undefined)?.pagerdutyIncidentId;
    if (e.kind === 'action.succeeded' && typeof id === 'string' && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** The incident's channel, from the entry that opened it. */
export function incidentChannel(entries: readonly TimelineEntry[]): { id: string; name: string | null; rootTs: string | null; permalink: string | null } | null {
  for (let i = entries.length - 1; i >= 0; i--) {
    const r = entries[i]!.refs as Record<string, unknown> | undefined;
    if (typeof r?.slackChannelId === 'string') {
      return {
        id: r.slackChannelId,
        name: typeof r.slackChannel === 'string' ? r.slackChannel : null,
        rootTs: typeof r.slackRootTs === 'string' ? r.slackRootTs : null,
        permalink: typeof r.slackPermalink === 'string' ? r.slackPermalink : null,
      };
    }
  }
  return null;
}
