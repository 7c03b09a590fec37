// One timeline across machines, through the incident channel. Every cockpit with the channel:
//   - posts the entries its own journal holds for the incident and the channel does not (actions,
//     notes, state, severity, roles, updates) as messages with Slack message metadata
//     {event_type: "warroom_timeline_entries", event_payload: {incident_id, origin, entries: [{id, kind, at, json}]}}
//     (several entries per message when they pile up: Slack takes about one message a second per channel);
//   - reads the channel's history (include_all_metadata) and merges the entries it has not seen into
//     its journal (IncidentEngine.merge: deduplicated by entry id, time-ordered, marked with origin).
// The local journal stays the crash-safe record; the channel is checked before anything is posted
// (it is read in full at start and after any post whose outcome is unknown), so a crash or a lost
// answer never posts an entry twice, and an entry journaled is posted on the next start at the latest.
// A read-only cockpit only reads. Which channel: the newest entry of the incident whose refs carry
// `slackChannelId`; with no incident open, the newest channel announced in `announceChannel` (the
// #incidents channel, where each cockpit with a channel makes sure it is announced, once).
//
//   const sync = new ChannelSync({slack, engine, origin, pollMs, announceChannel, readOnly})
//   sync.start() / await sync.stop();  sync.status() → {state, message, channel, …};  sync.onChange(fn)
import { ApiError } from './api.js';
import type { SlackClient, SlackMessage } from './slack.js';
import { incidentChannel } from './services.js';
import type { IncidentInfo, TimelineEntry, TimelineKind } from '../incident/types.js';
import { incidentJournalPath, readJournal } from '../incident/journal.js';
import fs from 'node:fs';

export const ENTRIES_EVENT = 'warroom_timeline_entries';
export const CHANNEL_EVENT = 'warroom_incident_channel';

/** What is shared: what people did and decided. Alerts and suggestions each cockpit sees for itself. */
export const SHARED_KINDS: ReadonlySet<TimelineKind> = new Set<TimelineKind>([
  'incident.declared',
  'severity.changed',
  'status.changed',
  'action.started',
  'action.succeeded',
  'action.failed',
  'action.refused',
  'silence.created',
  'update.queued',
  'update.delivered',
  'update.failed',
  'update.unknown',
  'note',
  'role.assigned',
]);

/** Entries per message at most (a backlog after an outage goes out in a few messages), and their JSON's size. */
const BATCH = 10;
const BATCH_BYTES = 12_000;
/** An entry's text beyond this is cut in the channel's copy (the journal keeps it whole). */
const ENTRY_BODY_MAX = 6_000;
/** After a post of unknown outcome, the channel is re-read no sooner than this (a slow server may still apply it). */
const UNKNOWN_GRACE_MS = 2000;
/** How far back an incremental read of the channel looks again. */
const OVERLAP_SECONDS = 5;
/** No Retry-After is waited longer than this; the wait is shown. */
const MAX_WAIT_MS = 5 * 60_000;

export interface SyncEngine {
  readonly current: IncidentInfo | null;
  journalEntries(incidentId: string): TimelineEntry[];
  merge(entries: readonly TimelineEntry[]): TimelineEntry[];
}

export interface SyncStatus {
  state: 'idle' | 'ok' | 'waiting' | 'failing';
  channel: string | null;
  channelName: string | null;
  /** Shown as it is: "Slack rate limit: retrying in 30 s", "posting 3 entries…". */
  message: string;
  /** Entries of this cockpit not in the channel yet. */
  unsent: number;
  lastReadAt: number | null;
}

export interface ChannelSyncOptions {
  slack: SlackClient;
  engine: SyncEngine;
  /** The engine's state directory: what is posted is read from its journal (as written: redacted). */
  stateDir: string;
  /** Who and where this cockpit is: "alice@laptop". */
  origin: string;
  pollMs?: number;
  /** How often the local journal is looked at for new entries. */
  localMs?: number;
  announceChannel?: string | null;
  readOnly?: () => boolean;
  now?: () => number;
}

interface ChannelState {
  id: string;
  name: string | null;
  incidentId: string | null;
  /** Entry ids present in the channel. */
  seen: Set<string>;
  /** Newest message ts read; the next read asks for newer ones only. */
  latestTs: string | null;
  /** Read everything again before the next post (start, or after an unknown outcome). */
  fullRead: boolean;
  notBefore: number;
}

export class ChannelSync {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private busy: Promise<void> | null = null;
  private channel: ChannelState | null = null;
  private lastRead = 0;
  private waitUntil = 0;
  private announced: string | null = null;
  private readonly joined = new Set<string>();
  private readonly listeners: Array<(s: SyncStatus) => void> = [];
  private st: SyncStatus = { state: 'idle', channel: null, channelName: null, message: 'no incident channel', unsent: 0, lastReadAt: null };
  private readonly now: () => number;
  private cache: { incidentId: string; size: number; entries: TimelineEntry[] } | null = null;

  constructor(private readonly opts: ChannelSyncOptions) {
    this.now = opts.now ?? Date.now;
  }

  status(): SyncStatus {
    return { ...this.st };
  }

  onChange(fn: (s: SyncStatus) => void): void {
    this.listeners.push(fn);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = () => {
      if (!this.running) return;
      this.busy = this.tick()
        .catch(() => {})
        .finally(() => {
          this.busy = null;
          if (this.running) this.timer = setTimeout(loop, this.opts.localMs ?? 200);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.busy;
  }

  /** One round: find the channel, read it when due, post what it lacks. Exposed for tests. */
  async tick(): Promise<void> {
    const now = this.now();
    if (now < this.waitUntil) return;
    try {
      const target = await this.findChannel();
      if (!target) return this.set({ state: 'idle', channel: null, channelName: null, message: 'no incident channel', unsent: 0 });
      if (!this.channel || this.channel.id !== target.id) {
        this.channel = { id: target.id, name: target.name, incidentId: target.incidentId, seen: new Set(), latestTs: null, fullRead: true, notBefore: 0 };
      }
      const ch = this.channel;
      if (this.engineIncident() && ch.incidentId === null) ch.incidentId = this.engineIncident();
      if (ch.fullRead || now - this.lastRead >= (this.opts.pollMs ?? 1000)) {
        if (now < ch.notBefore) return;
        await this.read(ch);
      }
      if (!this.readOnly()) await this.announce(ch);
      const unsent = this.unsent(ch);
      if (unsent.length === 0 || this.readOnly())
        return this.set({
          state: 'ok',
          channel: ch.id,
          channelName: ch.name,
          message: this.readOnly() ? 'following the channel (read-only)' : 'in sync',
          unsent: this.readOnly() ? 0 : unsent.length,
        });
      await this.post(ch, batchOf(unsent));
      const left = this.unsent(ch).length;
      this.set({ state: 'ok', channel: ch.id, channelName: ch.name, message: left ? `posting ${left} more entries` : 'in sync', unsent: left });
    } catch (e) {
      this.failed(e);
    }
  }

  /**
   * Makes sure the incidents channel names this incident's channel (once per process; checked
   * first, so a restart or a second cockpit does not announce it again).
   */
  private async announce(ch: ChannelState): Promise<void> {
    const where = this.opts.announceChannel;
    if (!where || this.announced === ch.id || !ch.incidentId || ch.incidentId !== this.engineIncident()) return;
    const info = this.opts.engine.current!;
    const { messages } = await this.opts.slack.history(where, { limit: 100 });
    if (!messages.some((m) => m.metadata?.event_type === CHANNEL_EVENT && m.metadata.event_payload.incident_id === info.id)) {
      await this.opts.slack.post({
        channel: where,
        text: `🚨 ${info.severity} declared: ${info.title} — join <#${ch.id}>`,
        metadata: { event_type: CHANNEL_EVENT, event_payload: { incident_id: info.id, channel_id: ch.id, channel_name: ch.name ?? '', severity: info.severity } },
      });
    }
    this.announced = ch.id;
  }

  private readOnly(): boolean {
    return this.opts.readOnly?.() ?? false;
  }

  private engineIncident(): string | null {
    return this.opts.engine.current?.id ?? null;
  }

  /** The current incident's channel, or (no incident open) the newest one announced. */
  private async findChannel(): Promise<{ id: string; name: string | null; incidentId: string | null } | null> {
    const inc = this.engineIncident();
    if (inc) {
      const own = incidentChannel(this.local(inc));
      if (own) return { id: own.id, name: own.name, incidentId: inc };
      // The incident has no channel yet; keep following the one being read, if it is this incident's.
      return this.channel && this.channel.incidentId === inc ? { id: this.channel.id, name: this.channel.name, incidentId: inc } : null;
    }
    if (this.channel && this.channel.incidentId === null) return this.channel;
    // Just resolved: the status change and any follow-up are still to be posted to its channel.
    if (this.channel && !this.readOnly() && this.unsent(this.channel).length > 0) return this.channel;
    const announce = this.opts.announceChannel;
    if (!announce || this.now() - this.lastRead < (this.opts.pollMs ?? 1000)) return this.channel?.incidentId ? null : this.channel;
    this.lastRead = this.now();
    const { messages } = await this.opts.slack.history(announce, { limit: 50 });
    for (const m of messages) {
      const p = m.metadata?.event_type === CHANNEL_EVENT ? m.metadata.event_payload : null;
      if (!p || typeof p.channel_id !== 'string' || typeof p.incident_id !== 'string') continue;
      // An incident this cockpit already knows resolved is not joined again.
      const known = this.opts.engine.journalEntries(p.incident_id);
      if (known.some((e) => e.kind === 'status.changed' && e.refs?.to === 'resolved')) return null;
      return { id: p.channel_id, name: typeof p.channel_name === 'string' ? p.channel_name : null, incidentId: null };
    }
    return null;
  }

  /** Reads the channel (all of it, or what is newer than the last read) and merges what is new. */
  private async read(ch: ChannelState): Promise<void> {
    const full = ch.fullRead;
    // Incremental reads overlap the last few seconds: a message given an earlier ts can become
    // visible after a later one was read (ids make reading it twice harmless).
    const oldest = full || !ch.latestTs ? undefined : (Number(ch.latestTs) - OVERLAP_SECONDS).toFixed(6);
    const found: TimelineEntry[] = [];
    let newest = ch.latestTs;
    let cursor: string | undefined;
    for (let page = 0; page < 200; page++) {
      const r = await this.historyJoining(ch.id, { oldest, cursor, limit: 200 });
      for (const m of r.messages) {
        if (!newest || Number(m.ts) > Number(newest)) newest = m.ts;
        found.push(...entriesOf(m, ch.name));
      }
      cursor = r.nextCursor ?? undefined;
      if (!cursor) break;
    }
    ch.latestTs = newest;
    ch.fullRead = false;
    this.lastRead = this.now();
    const unseen = full ? found : found.filter((e) => !ch.seen.has(e.id));
    for (const e of found) ch.seen.add(e.id);
    // This cockpit's own entries are in its journal already (merge skips known ids); one its journal
    // lost (a torn last line) comes back from the channel.
    if (unseen.length > 0) this.opts.engine.merge(unseen);
    if (ch.incidentId === null) ch.incidentId = found.find((e) => e.kind === 'incident.declared')?.incidentId ?? this.engineIncident();
    this.st.lastReadAt = this.lastRead;
  }

  /** conversations.history; a bot that is not in the channel (another app's token) joins it once and reads again. */
  private async historyJoining(channel: string, q: { oldest?: string; cursor?: string; limit?: number }) {
    try {
      return await this.opts.slack.history(channel, q);
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 'not_in_channel' || this.joined.has(channel)) throw e;
      this.joined.add(channel);
      await this.opts.slack.join(channel);
      return this.opts.slack.history(channel, q);
    }
  }

  /** The incident's journal as written (secrets redacted), re-read only when it grew. */
  private local(incidentId: string): TimelineEntry[] {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/.test(incidentId)) return [];
    const file = incidentJournalPath(this.opts.stateDir, incidentId);
    let size = -1;
    try {
      size = fs.statSync(file).size;
    } catch {
      return [];
    }
    if (this.cache?.incidentId === incidentId && this.cache.size === size) return this.cache.entries;
    const { entries } = readJournal(file);
    this.cache = { incidentId, size, entries };
    return entries;
  }

  private unsent(ch: ChannelState): TimelineEntry[] {
    const inc = ch.incidentId ?? this.engineIncident();
    if (!inc) return [];
    return this.local(inc).filter((e) => !e.origin && SHARED_KINDS.has(e.kind) && !ch.seen.has(e.id));
  }

  private async post(ch: ChannelState, batch: TimelineEntry[]): Promise<void> {
    this.set({ state: 'ok', channel: ch.id, channelName: ch.name, message: `posting ${batch.length} ${batch.length === 1 ? 'entry' : 'entries'}`, unsent: this.st.unsent });
    try {
      await this.opts.slack.post({
        channel: ch.id,
        text: batch.map((e) => messageLine(e, this.opts.origin)).join('\n'),
        metadata: {
          event_type: ENTRIES_EVENT,
          event_payload: {
            incident_id: batch[0]!.incidentId,
            origin: this.opts.origin,
            entries: batch.map((e) => ({ id: e.id, kind: e.kind, at: e.at, json: entryJson(e) })),
          },
        },
      });
      for (const e of batch) ch.seen.add(e.id);
    } catch (e) {
      if (e instanceof ApiError && e.sent) {
        // It may have landed: read the channel again (after a grace) before posting anything.
        ch.fullRead = true;
        ch.notBefore = this.now() + UNKNOWN_GRACE_MS;
      }
      throw e;
    }
  }

  private failed(e: unknown): void {
    const msg = e instanceof Error ? e.message : String(e);
    if (e instanceof ApiError && e.kind === 'rate-limited') {
      const wait = Math.min(e.retryAfterMs ?? 1000, MAX_WAIT_MS);
      this.waitUntil = this.now() + wait;
      return this.set({
        ...this.st,
        state: 'waiting',
        message: `${msg}${(e.retryAfterMs ?? 0) > MAX_WAIT_MS ? ` (waiting ${Math.round(MAX_WAIT_MS / 60000)} min, not that long)` : ''}`,
      });
    }
    // Back off a little on any failure, so a Slack outage is not hammered.
    this.waitUntil = this.now() + Math.min(MAX_WAIT_MS, (this.opts.pollMs ?? 1000) * 2);
    this.set({ ...this.st, state: 'failing', message: `${msg}; entries are kept in the journal and posted when Slack answers` });
  }

  private set(s: Omit<SyncStatus, 'lastReadAt'>): void {
    const next = { ...s, lastReadAt: this.st.lastReadAt };
    const changed = JSON.stringify(next) !== JSON.stringify(this.st);
    this.st = next;
    if (changed) for (const f of this.listeners) f(this.status());
  }
}

/** The next message's entries: in time order, at most BATCH of them and BATCH_BYTES of JSON (always one). */
function batchOf(unsent: TimelineEntry[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  let bytes = 0;
  for (const e of unsent) {
    const n = entryJson(e).length;
    if (out.length > 0 && (out.length >= BATCH || bytes + n > BATCH_BYTES)) break;
    out.push(e);
    bytes += n;
  }
  return out;
}

function entryJson(e: TimelineEntry): string {
  if (!e.body || e.body.length <= ENTRY_BODY_MAX) return JSON.stringify(e);
  return JSON.stringify({
    ...e,
    body: `${e.body.slice(0, ENTRY_BODY_MAX)}… (cut in the channel; the full text is in the journal of ${e.origin?.from ?? 'the cockpit that wrote it'})`,
  });
}

/** One line of the message people read in the channel. */
export function messageLine(e: TimelineEntry, origin: string): string {
  const t = new Date(e.at).toISOString().slice(11, 19);
  return `${t}Z ${e.kind}: ${e.summary} (${e.actor}, ${origin})`;
}

/** Entries carried by a message's metadata; anything malformed is ignored. */
export function entriesOf(m: SlackMessage, channelName: string | null): TimelineEntry[] {
  const p = m.metadata?.event_type === ENTRIES_EVENT ? m.metadata.event_payload : null;
  if (!p || !Array.isArray(p.entries)) return [];
  const from = typeof p.origin === 'string' ? p.origin.slice(0, 100) : 'another cockpit';
  const out: TimelineEntry[] = [];
  for (const item of p.entries as unknown[]) {
    const json = (item as { json?: unknown })?.json;
    if (typeof json !== 'string' || json.length > 64 * 1024) continue;
    let e: unknown;
    try {
      e = JSON.parse(json);
    } catch {
      continue;
    }
    if (!looksLikeEntry(e)) continue;
    out.push({ ...e, origin: { from, via: channelName ? `slack #${channelName}` : 'slack' } });
  }
  return out;
}

/** The fields every timeline entry has, with their types; anything else is checked where it is shown. */
function looksLikeEntry(v: unknown): v is TimelineEntry {
  if (!v || typeof v !== 'object') return false;
  const e = v as Record<string, unknown>;
  if (typeof e.id !== 'string' || typeof e.incidentId !== 'string' || typeof e.kind !== 'string' || typeof e.summary !== 'string') return false;
  return typeof e.at === 'number' && Number.isFinite(e.at) && typeof e.actor === 'string' && typeof e.source === 'string';
}
