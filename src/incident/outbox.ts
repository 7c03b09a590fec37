// The persisted outbox: every (update, sink) pair is a delivery, written to disk (fsync) BEFORE it
// is sent, and every state change is written before it takes effect:
//   queued → sending → delivered | retrying (→ sending …) | failed | unknown
//
//   const ob = new Outbox({stateDir, sinks, record?, onChange?})
//   ob.load()            → problems[]; replays <stateDir>/outbox/outbox.jsonl (call once, before start)
//   ob.enqueue(update)   → delivery ids; persisted synchronously, sent by the pump
//   ob.start() / ob.stop()
//   ob.resend(id) / ob.discard(id, actor?)   the user's word for `unknown` (and `failed`) deliveries
//   ob.items()           → OutboxItemView[] for the store;  ob.idle() resolves when nothing is pending
//
// Crash safety. A delivery found in `sending` at load had an unknown outcome:
//   - Slack, webhook, dry-run cannot deduplicate: it becomes `unknown` and is sent again ONLY on resend(id).
//   - Statuspage is resent: the page incident id is persisted as soon as it is known, so a later
//     update is a PATCH of that incident; a create whose
//     outcome is unknown (a `create-attempt` record but no page id) first lists the page's unresolved
//     incidents and adopts the one with the same name instead of creating a second; a retried PATCH
//     first reads the page incident and is skipped when its latest update already is this one.
// In-process, network errors and timeouts are retried automatically (DESIGN: retryable); the
// "never twice without the user's word" guarantee is about outcomes lost to a crash.
// Per sink, deliveries go out one at a time in order, at most one per `minIntervalMs` (Slack and
// Statuspage both allow about 1 per second); a rate-limited head waits (Retry-After) and the rest wait behind it.
import path from 'node:path';
import { appendJsonl, readJsonl } from './journal.js';
import type { Sink } from './sinks.js';
import type { ComposedUpdate } from './templates.js';
import type { DeliveryState, NewEntry, OutboxItemView } from './types.js';

export interface OutboxOptions {
  stateDir: string;
  sinks: Sink[];
  /** Journals delivery results into the update's incident (update.delivered / failed / unknown). */
  record?: (incidentId: string, entry: NewEntry) => void;
  onChange?: (items: OutboxItemView[]) => void;
  now?: () => number;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxAttempts?: number;
  minIntervalMs?: number;
}

interface Delivery {
  id: string;
  updateId: string;
  incidentId: string;
  sink: string;
  summary: string;
  update: ComposedUpdate;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  messageId: string | null;
}

type OutboxRecord =
  | { t: 'post'; id: string; updateId: string; incidentId: string; sink: string; summary: string; update: ComposedUpdate; at: number }
  | { t: 'state'; id: string; state: DeliveryState; attempts: number; at: number; nextAttemptAt?: number | null; error?: string | null; messageId?: string | null }
  | { t: 'page'; incidentId: string; sink: string; pageIncidentId: string; at: number }
  | { t: 'create-attempt'; incidentId: string; sink: string; at: number };

export function outboxPath(stateDir: string): string {
  return path.join(stateDir, 'outbox', 'outbox.jsonl');
}

export function summarizeUpdate(u: ComposedUpdate): string {
  return `${u.severity} ${u.status} (${u.audience}): ${u.statuspage.name}`;
}

export class Outbox {
  private readonly file: string;
  private readonly sinks = new Map<string, Sink>();
  private readonly deliveries: Delivery[] = [];
  private readonly byId = new Map<string, Delivery>();
  private readonly pageIds = new Map<string, string>();
  private readonly createAttempted = new Set<string>();
  private readonly busy = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly lastSentAt = new Map<string, number>();
  private waiters: Array<() => void> = [];
  private running = false;
  private loaded = false;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly secrets: string[];

  constructor(private readonly opts: OutboxOptions) {
    this.file = outboxPath(opts.stateDir);
    for (const s of opts.sinks) this.sinks.set(s.name, s);
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.secrets = opts.sinks.flatMap((s) => s.secrets);
  }

  /** Replays the outbox file; deliveries caught in `sending` become unknown (or retrying for Statuspage). */
  load(): string[] {
    if (this.loaded) return [];
    this.loaded = true;
    const { entries, problems } = readJsonl<OutboxRecord>(this.file, (v) => !!v && typeof (v as any).t === 'string');
    for (const r of entries) {
      if (r.t === 'post') {
        if (this.byId.has(r.id)) continue;
        const d: Delivery = { id: r.id, updateId: r.updateId, incidentId: r.incidentId, sink: r.sink, summary: r.summary, update: r.update, state: 'queued', attempts: 0, nextAttemptAt: null, lastError: null, messageId: null };
        this.deliveries.push(d);
        this.byId.set(d.id, d);
      } else if (r.t === 'state') {
        const d = this.byId.get(r.id);
        if (!d) continue;
        d.state = r.state;
        d.attempts = r.attempts;
        d.nextAttemptAt = r.nextAttemptAt ?? null;
        d.lastError = r.error ?? null;
        d.messageId = r.messageId ?? d.messageId;
      } else if (r.t === 'page') this.pageIds.set(`${r.incidentId}|${r.sink}`, r.pageIncidentId);
      else if (r.t === 'create-attempt') this.createAttempted.add(`${r.incidentId}|${r.sink}`);
    }
    for (const d of this.deliveries) {
      if (d.state !== 'sending') continue;
      const sink = this.sinks.get(d.sink);
      if (sink?.idempotent) {
        this.setState(d, 'retrying', { nextAttemptAt: this.now(), error: 'interrupted by a restart; resending safely' });
      } else {
        this.setState(d, 'unknown', { error: 'interrupted while sending: it may or may not have arrived. Resend or discard.' });
        this.journal(d, 'update.unknown', `Update to ${d.sink}: outcome unknown after a restart (resend or discard)`);
      }
    }
    this.changed();
    return problems;
  }

  enqueue(update: ComposedUpdate, sinkNames?: string[]): string[] {
    if (!this.loaded) this.load();
    const ids: string[] = [];
    for (const sink of this.opts.sinks) {
      if (sinkNames && !sinkNames.includes(sink.name)) continue;
      const id = `${update.id}@${sink.name}`;
      if (this.byId.has(id)) continue;
      const d: Delivery = { id, updateId: update.id, incidentId: update.incidentId, sink: sink.name, summary: summarizeUpdate(update), update, state: 'queued', attempts: 0, nextAttemptAt: null, lastError: null, messageId: null };
      this.write({ t: 'post', id, updateId: d.updateId, incidentId: d.incidentId, sink: d.sink, summary: d.summary, update, at: this.now() });
      this.deliveries.push(d);
      this.byId.set(id, d);
      ids.push(id);
    }
    this.changed();
    this.kick();
    return ids;
  }

  start(): void {
    if (!this.loaded) this.load();
    this.running = true;
    this.kick();
  }

  /** Stops scheduling; an attempt in flight finishes (and is recorded). */
  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    while (this.busy.size > 0) await new Promise((r) => setTimeout(r, 10));
  }

  resend(id: string, actor = 'user'): boolean {
    const d = this.byId.get(id);
    if (!d || (d.state !== 'unknown' && d.state !== 'failed')) return false;
    this.setState(d, 'queued', { error: null, nextAttemptAt: null });
    this.journal(d, 'update.queued', `Update to ${d.sink} queued again by ${actor}`, actor);
    this.changed();
    this.kick();
    return true;
  }

  discard(id: string, actor = 'user'): boolean {
    const d = this.byId.get(id);
    if (!d || d.state === 'delivered' || d.state === 'sending' || d.state === 'failed') return false;
    this.setState(d, 'failed', { error: `discarded by ${actor}` });
    this.journal(d, 'update.failed', `Update to ${d.sink} discarded by ${actor}`, actor);
    this.changed();
    this.kick();
    return true;
  }

  items(): OutboxItemView[] {
    return this.deliveries.map((d) => ({
      id: d.id,
      sink: d.sink,
      state: d.state,
      attempts: d.attempts,
      nextAttemptAt: d.state === 'retrying' ? d.nextAttemptAt : null,
      lastError: d.lastError,
      summary: d.summary,
    }));
  }

  /** Resolves when no delivery to a configured sink is queued, retrying or sending. */
  idle(): Promise<void> {
    if (!this.pending()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private pending(): boolean {
    return this.deliveries.some((d) => this.sinks.has(d.sink) && (d.state === 'queued' || d.state === 'retrying' || d.state === 'sending'));
  }

  private write(r: OutboxRecord): void {
    appendJsonl(this.file, r, this.secrets);
  }

  private setState(d: Delivery, state: DeliveryState, extra: { nextAttemptAt?: number | null; error?: string | null; messageId?: string | null } = {}): void {
    const next = { ...d, state };
    if (extra.nextAttemptAt !== undefined) next.nextAttemptAt = extra.nextAttemptAt;
    if (extra.error !== undefined) next.lastError = extra.error;
    if (extra.messageId !== undefined) next.messageId = extra.messageId;
    // Persist first: the file must never be behind what we are about to do.
    this.write({ t: 'state', id: d.id, state, attempts: d.attempts, at: this.now(), nextAttemptAt: next.nextAttemptAt, error: next.lastError, messageId: next.messageId });
    Object.assign(d, next);
  }

  private journal(d: Delivery, kind: NewEntry['kind'], summary: string, actor = 'warroom'): void {
    if (!this.opts.record) return;
    try {
      this.opts.record(d.incidentId, {
        kind,
        actor,
        source: d.sink,
        summary,
        refs: { updateId: d.updateId, deliveryId: d.id, ...(d.messageId ? { messageId: d.messageId } : {}) },
        delivery: { sink: d.sink, state: d.state, attempts: d.attempts, error: d.lastError },
      });
    } catch {
      // The journal reports its own failures; a delivery must not fail because of it.
    }
  }

  private changed(): void {
    this.opts.onChange?.(this.items());
    if (this.waiters.length > 0 && !this.pending()) {
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    }
  }

  private kick(): void {
    if (!this.running) return;
    for (const sink of this.opts.sinks) {
      if (this.busy.has(sink.name) || this.timers.has(sink.name)) continue;
      const head = this.deliveries.find((d) => d.sink === sink.name && (d.state === 'queued' || d.state === 'retrying'));
      if (!head) continue;
      const notBefore = Math.max(head.nextAttemptAt ?? 0, (this.lastSentAt.get(sink.name) ?? 0) + (this.opts.minIntervalMs ?? 1000));
      const wait = notBefore - this.now();
      if (wait > 0) {
        const t = setTimeout(() => {
          this.timers.delete(sink.name);
          this.kick();
        }, wait);
        this.timers.set(sink.name, t);
        continue;
      }
      this.attempt(sink, head).catch(() => {
        // Persisting failed (disk full?): stop rather than send without a record.
        this.running = false;
      });
    }
  }

  private async attempt(sink: Sink, d: Delivery): Promise<void> {
    this.busy.add(sink.name);
    const key = `${d.incidentId}|${sink.name}`;
    try {
      d.attempts += 1;
      const createUncertain = this.createAttempted.has(key);
      // Any earlier attempt that did not end in a clear HTTP refusal may have arrived.
      const maybeDelivered = d.attempts > 1;
      if (sink.kind === 'statuspage' && !this.pageIds.has(key)) {
        this.write({ t: 'create-attempt', incidentId: d.incidentId, sink: sink.name, at: this.now() });
        this.createAttempted.add(key);
      }
      this.setState(d, 'sending');
      this.changed();
      this.lastSentAt.set(sink.name, this.now());
      let result;
      try {
        result = await sink.send(d.update, {
          pageIncidentId: this.pageIds.get(key) ?? null,
          createUncertain,
          maybeDelivered,
          setPageIncidentId: (id) => {
            if (this.pageIds.get(key) === id) return;
            this.write({ t: 'page', incidentId: d.incidentId, sink: sink.name, pageIncidentId: id, at: this.now() });
            this.pageIds.set(key, id);
          },
        });
      } catch (e: any) {
        result = { ok: false as const, retryable: true, reason: `sink error: ${e?.message ?? e}` };
      }
      if (result.ok) {
        this.setState(d, 'delivered', { error: null, nextAttemptAt: null, messageId: result.messageId ?? null });
        this.journal(d, 'update.delivered', `Update delivered to ${sink.name}${d.attempts > 1 ? ` after ${d.attempts} attempts` : ''}`);
      } else if (result.retryable && d.attempts < (this.opts.maxAttempts ?? 10)) {
        const base = this.opts.baseDelayMs ?? 1000;
        const backoff = Math.min(this.opts.maxDelayMs ?? 60_000, base * 2 ** (d.attempts - 1));
        const jittered = Math.round(backoff * (0.5 + this.random() * 0.5));
        const delay = result.retryAfterMs != null ? Math.max(result.retryAfterMs, 0) : jittered;
        this.setState(d, 'retrying', { nextAttemptAt: this.now() + delay, error: result.reason });
      } else {
        this.setState(d, 'failed', { nextAttemptAt: null, error: result.reason });
        this.journal(d, 'update.failed', `Update to ${sink.name} failed: ${result.reason}`);
      }
    } finally {
      this.busy.delete(sink.name);
      this.changed();
      this.kick();
    }
  }
}
