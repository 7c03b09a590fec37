// The timeline entry. The journal (src/incident/journal.ts) persists
// these; everything that happens in an incident becomes one.

export type Severity = 'P0' | 'P1' | 'P2' | 'P3';
export type IncidentStatus = 'investigating' | 'identified' | 'monitoring' | 'resolved';

export type TimelineKind =
  | 'incident.declared'
  | 'alert.fired'
  | 'alert.resolved'
  | 'severity.suggested'
  | 'severity.changed'
  | 'status.changed'
  | 'action.started'
  | 'action.succeeded'
  | 'action.failed'
  | 'action.refused'
  | 'silence.created'
  | 'update.queued'
  | 'update.delivered'
  | 'update.failed'
  | 'update.unknown'
  | 'note'
  | 'role.assigned'
  /** A rollout seen before the incident was detected ("What changed"). */
  | 'change.observed'
  /** A change seen through the watch that this cockpit did not make. */
  | 'change.external';

export interface TimelineEntry {
  id: string;
  incidentId: string;
  /** UTC epoch milliseconds. */
  at: number;
  kind: TimelineKind;
  actor: string;
  source: string;
  summary: string;
  body?: string;
  severity?: Severity | null;
  status?: IncidentStatus | null;
  evidence?: { query?: string; value?: number | string; threshold?: number | string; rule?: string };
  refs?: Record<string, unknown>;
  delivery?: Record<string, unknown>;
  /** Set on an entry another cockpit journaled: who wrote it ("alice@laptop") and how it arrived ("slack #incident-…"). */
  origin?: { from: string; via: string };
}

/** What callers hand to the journal; it fills id, incidentId, at, severity and status. */
export type NewEntry = Omit<TimelineEntry, 'id' | 'incidentId' | 'at'> & { at?: number };

/** The narrow interface the action runner and sources use to record what happened. */
export interface Recorder {
  record(entry: NewEntry): void;
}

export interface SeveritySuggestion {
  severity: Severity | null;
  /** The rule that produced it, as shown in the header: "5xx 12.3% > 10% → P1". */
  rule: string;
  evidence?: TimelineEntry['evidence'];
}

export type DeliveryState = 'queued' | 'sending' | 'retrying' | 'delivered' | 'failed' | 'unknown';

export interface OutboxItemView {
  id: string;
  sink: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  summary: string;
}

export interface IncidentInfo {
  id: string;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  declaredAt: number;
  commander: string | null;
  comms: string | null;
  lastUpdateAt: number | null;
  /** The title public pages show (never the internal one); null: the default from the components. */
  publicTitle?: string | null;
  /** Affected components by their public names ("Storefront"). */
  components?: string[];
  /** Where it happens: the kube context and config identity it was declared in. */
  environment?: string | null;
}

/** The store's `incident` slice. */
export interface IncidentSlice {
  current: IncidentInfo | null;
  /** Newest last. */
  timeline: TimelineEntry[];
  suggestion: SeveritySuggestion;
  outbox: OutboxItemView[];
  /** Set when another process (or nobody: read-only) sends this state directory's updates. */
  deliveries: string | null;
  /** Problems found reading the journal back (a torn last line…), shown, not hidden. */
  journalProblems: string[];
  nextUpdateDueAt: number | null;
}

/**
 * An action that acted on the systems (a rollback, a restart, a silence…), not the incident's own
 * bookkeeping (declare, status, post…) or its paging and channel (acknowledge, open the channel…).
 * Only these are "actions taken" and can be what mitigated the incident.
 */
export function actedOnSystems(e: Pick<TimelineEntry, 'refs'>): boolean {
  const id = String(e.refs?.action ?? '');
  return !id.startsWith('incident.') && !id.startsWith('paging.');
}
