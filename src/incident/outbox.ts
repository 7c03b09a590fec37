// The persisted outbox: every (update, sink) pair is a delivery. A post (one or more updates, each
// to its sinks) is ONE record, written and fsynced before the journal says "queued" and before any
// request; every state change is written before it takes effect:
//   queued → sending → delivered | retrying (→ sending …) | failed | unknown
//
//   const ob = new Outbox({stateDir, sinks, readOnly?, record?, onChange?})
//   ob.load()            → problems[]; replays <stateDir>/outbox/outbox.jsonl (call once, before start)
//   ob.enqueue(update, sinks?) / ob.enqueuePost(parts, postId?) → delivery ids, persisted synchronously
//   ob.start() / ob.stop()
//   ob.resend(id) / ob.discard(id, actor?)   the user's word for `unknown` (and `failed`) deliveries
//   ob.items() → OutboxItemView[];  ob.idle() resolves when nothing is pending;  ob.deliverer() who sends
//
// Once, or visibly unknown:
//   - A failure before any connection was made (refused, DNS) is retried with backoff.
//   - A failure after the request may have reached the server (timeout after sending, connection
//     dropped) is never resent automatically by Slack, the webhook or the dry run: the delivery becomes
//     UNKNOWN and a person resends or discards it. A delivery found `sending` at load is the same.
//   - Statuspage can check what landed, so it is retried: before creating it looks for an unresolved page
//     incident carrying this incident's marker (or name), before patching it compares the latest updates.
//   - Retry-After above an hour, or unreadable, fails the delivery with that reason; a persisted
//     next-attempt time is never further than an hour away.
// One process delivers per state directory (DeliveryLock); another shows "deliveries handled by pid N"
// and follows the file. A read-only outbox never writes, never delivers: it follows the file.
// The file is the only truth: in-memory state is what replaying it gives, so every change is
// written, then read back (sync()); records written by another cockpit on the same folder arrive the same way.
import fs from 'node:fs';
import path from 'node:path';
import { appendJsonl, checkFields, invalidTime, isText, readJsonl, type Validator } from './journal.js';
import { DeliveryLock, type LockHolder } from './delivery-lock.js';
import type { Sink } from './sinks.js';
import type { ComposedUpdate } from './templates.js';
import type { DeliveryState, NewEntry, OutboxItemView } from './types.js';
import { clampDelay } from '../util/delay.js';
import { errorText } from '../util/error-text.js';

/** No delay the outbox schedules (Retry-After, backoff, a persisted next attempt) exceeds this. */
export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;

export interface OutboxOptions {
  stateDir: string;
  sinks: Sink[];
  /** While true, never writes, never delivers: shows the deliveries' states as the file tells them. */
  readOnly?: boolean | (() => boolean);
  /** Journals delivery results into the update's incident (update.delivered / failed / unknown). */
  record?: (incidentId: string, entry: NewEntry) => void;
  onChange?: (items: OutboxItemView[]) => void;
  /** Called each time this process becomes the one that delivers (at start, or taking over from a dead holder). */
  onDeliver?: () => void;
  now?: () => number;
  random?: () => number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxAttempts?: number;
  minIntervalMs?: number;
  /** How often the file is re-read and the delivery lock checked (ms). */
  followMs?: number;
}

interface Delivery {
  id: string;
  postId: string;
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
  firstAttemptAt: number | null;
}

interface PostPart {
  id: string;
  sink: string;
  summary: string;
  update: ComposedUpdate;
}

type OutboxRecord =
  | { t: 'post'; postId: string; incidentId: string; at: number; parts: PostPart[] }
  /** One delivery per record, as written before posts were grouped. */
  | { t: 'post'; id: string; updateId: string; incidentId: string; sink: string; summary: string; update: ComposedUpdate; at: number }
  | { t: 'state'; id: string; state: DeliveryState; attempts: number; at: number; nextAttemptAt?: number | null; error?: string | null; messageId?: string | null }
  | { t: 'page'; incidentId: string; sink: string; pageIncidentId: string; at: number }
  | { t: 'create-attempt'; incidentId: string; sink: string; at: number };

const STATES: DeliveryState[] = ['queued', 'sending', 'retrying', 'delivered', 'failed', 'unknown'];

const validRecord: Validator = (v) => {
  const base = checkFields(v, { t: isText, at: invalidTime });
  if (base) return base;
  const r = v as Record<string, unknown>;
  switch (r.t) {
    case 'post':
      if (Array.isArray(r.parts)) {
        const bad = r.parts
          .map((p) => checkFields(p, { id: isText, sink: isText, summary: isText, update: (u) => (u && typeof u === 'object' ? null : 'is not an update') }))
          .find(Boolean);
        return bad ? `parts: ${bad}` : checkFields(v, { postId: isText, incidentId: isText });
      }
      return checkFields(v, { id: isText, updateId: isText, incidentId: isText, sink: isText, update: (u) => (u && typeof u === 'object' ? null : 'is not an update') });
    case 'state':
      return checkFields(v, {
        id: isText,
        state: (s) => (STATES.includes(s as DeliveryState) ? null : `${JSON.stringify(s)} is not a delivery state`),
        attempts: (n) => (Number.isInteger(n) && (n as number) >= 0 ? null : 'is not a count'),
        nextAttemptAt: (x) => (x == null ? null : invalidTime(x)),
      });
    case 'page':
      return checkFields(v, { incidentId: isText, sink: isText, pageIncidentId: isText });
    case 'create-attempt':
      return checkFields(v, { incidentId: isText, sink: isText });
    default:
      return `unknown record type ${JSON.stringify(r.t)}`;
  }
};

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
  private readonly problems: string[] = [];
  private readonly lock: DeliveryLock;
  private follower: NodeJS.Timeout | null = null;
  private waiters: Array<() => void> = [];
  private running = false;
  private loaded = false;
  private holding = false;
  private otherHolder: LockHolder | null = null;
  /** Bytes of the file already replayed. */
  private offset = 0;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly secrets: string[];

  constructor(private readonly opts: OutboxOptions) {
    this.file = outboxPath(opts.stateDir);
    for (const s of opts.sinks) this.sinks.set(s.name, s);
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.secrets = opts.sinks.flatMap((s) => s.secrets);
    this.lock = new DeliveryLock(path.join(opts.stateDir, 'outbox', 'deliver.lock'));
  }

  get readOnly(): boolean {
    const r = this.opts.readOnly;
    return typeof r === 'function' ? r() : !!r;
  }

  /** Who delivers from this state directory: this process, another one (pid), or nobody (read-only). */
  deliverer(): { self: boolean; holder: LockHolder | null } {
    return { self: this.holding, holder: this.otherHolder };
  }

  /** Replays the outbox file. Problems (bad lines) are returned, and kept for the slice. */
  load(): string[] {
    if (this.loaded) return [];
    this.loaded = true;
    this.sync();
    return [...this.problems];
  }

  /** Reads what was appended since the last read (this process's records and any other cockpit's). */
  sync(): void {
    let size: number;
    try {
      size = fs.statSync(this.file).size;
    } catch {
      return;
    }
    if (size < this.offset) this.offset = 0; // replaced: replay from the start (ids make it idempotent)
    if (size === this.offset) return;
    const fd = fs.openSync(this.file, 'r');
    let text: string;
    try {
      const buf = Buffer.alloc(size - this.offset);
      fs.readSync(fd, buf, 0, buf.length, this.offset);
      text = buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
    // Only whole lines; a torn tail is re-read once it is complete (or reported when it never is).
    const end = text.lastIndexOf('\n');
    if (end < 0) return;
    const chunk = text.slice(0, end + 1);
    this.offset += Buffer.byteLength(chunk);
    const { entries, problems } = readJsonl<OutboxRecord>(this.file, validRecord, chunk);
    this.problems.push(...problems);
    for (const r of entries) this.apply(r);
    this.changed();
  }

  private apply(r: OutboxRecord): void {
    if (r.t === 'post') {
      const parts: PostPart[] = 'parts' in r ? r.parts : [{ id: r.id, sink: r.sink, summary: r.summary, update: r.update }];
      const postId = 'parts' in r ? r.postId : r.updateId;
      for (const p of parts) {
        if (this.byId.has(p.id)) continue;
        const d: Delivery = {
          id: p.id,
          postId,
          updateId: p.update.id,
          incidentId: r.incidentId,
          sink: p.sink,
          summary: p.summary,
          update: p.update,
          state: 'queued',
          attempts: 0,
          nextAttemptAt: null,
          lastError: null,
          messageId: null,
          firstAttemptAt: null,
        };
        this.deliveries.push(d);
        this.byId.set(d.id, d);
      }
    } else if (r.t === 'state') {
      const d = this.byId.get(r.id);
      if (!d) return;
      d.state = r.state;
      d.attempts = r.attempts;
      d.nextAttemptAt = r.nextAttemptAt ?? null;
      d.lastError = r.error ?? null;
      d.messageId = r.messageId ?? d.messageId;
      if (r.state === 'sending' && d.firstAttemptAt === null) d.firstAttemptAt = r.at;
    } else if (r.t === 'page') this.pageIds.set(`${r.incidentId}|${r.sink}`, r.pageIncidentId);
    else if (r.t === 'create-attempt') this.createAttempted.add(`${r.incidentId}|${r.sink}`);
  }

  /** One update to its sinks (all by default). */
  enqueue(update: ComposedUpdate, sinkNames?: string[]): string[] {
    return this.enqueuePost([{ update, sinks: sinkNames }], update.id);
  }

  /**
   * One post: each update to its sinks, written as one record, so a crash leaves all of it or
   * none. Throws when read-only, or when the record cannot be written (nothing was queued then).
   */
  enqueuePost(items: Array<{ update: ComposedUpdate; sinks?: string[] }>, postId: string): string[] {
    if (this.readOnly) throw new Error('read-only: this cockpit does not post updates');
    if (!this.loaded) this.load();
    const parts: PostPart[] = [];
    for (const { update, sinks } of items) {
      for (const sink of this.opts.sinks) {
        if (sinks && !sinks.includes(sink.name)) continue;
        const id = `${update.id}@${sink.name}`;
        if (this.byId.has(id)) continue;
        parts.push({ id, sink: sink.name, summary: summarizeUpdate(update), update });
      }
    }
    if (parts.length === 0) return [];
    const incidentId = items[0]!.update.incidentId;
    this.write({ t: 'post', postId, incidentId, at: this.now(), parts });
    this.kick();
    return parts.map((p) => p.id);
  }

  start(): void {
    if (!this.loaded) this.load();
    this.running = true;
    this.follow();
    this.kick();
  }

  /** Stops scheduling and following; an attempt in flight finishes (and is recorded); the lock is released. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.follower) clearInterval(this.follower);
    this.follower = null;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    while (this.busy.size > 0) await new Promise((r) => setTimeout(r, 10));
    if (this.holding) this.lock.release();
    this.holding = false;
  }

  resend(id: string, actor = 'user'): boolean {
    if (this.readOnly) return false;
    this.sync();
    const d = this.byId.get(id);
    if (!d || (d.state !== 'unknown' && d.state !== 'failed')) return false;
    this.setState(d, 'queued', { error: null, nextAttemptAt: null });
    this.journal(d, 'update.queued', `Update to ${d.sink} queued again by ${actor}`, actor);
    this.kick();
    return true;
  }

  discard(id: string, actor = 'user'): boolean {
    if (this.readOnly) return false;
    this.sync();
    const d = this.byId.get(id);
    if (!d || d.state === 'delivered' || d.state === 'sending' || d.state === 'failed') return false;
    this.setState(d, 'failed', { error: `discarded by ${actor}` });
    this.journal(d, 'update.failed', `Update to ${d.sink} discarded by ${actor}`, actor);
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

  /** Deliveries whose outcome is unknown, for checking the journal against the outbox. */
  unknownDeliveries(): Array<{ id: string; incidentId: string }> {
    return this.deliveries.filter((d) => d.state === 'unknown').map((d) => ({ id: d.id, incidentId: d.incidentId }));
  }

  /** The journal missed this delivery's "unknown" (a crash between the outbox write and the journal's). */
  journalUnknownAgain(id: string): void {
    const d = this.deliveries.find((x) => x.id === id);
    if (d?.state === 'unknown') this.journal(d, 'update.unknown', `Update to ${d.sink}: outcome unknown (entry restored after a restart); resend or discard`);
  }

  /** Every post: its deliveries grouped, for checking the journal against the outbox. */
  posts(): Array<{ postId: string; incidentId: string; at: number; updateIds: string[]; sinks: string[] }> {
    const out = new Map<string, { postId: string; incidentId: string; at: number; updateIds: string[]; sinks: string[] }>();
    for (const d of this.deliveries) {
      let p = out.get(d.postId);
      if (!p) out.set(d.postId, (p = { postId: d.postId, incidentId: d.incidentId, at: d.update.at, updateIds: [], sinks: [] }));
      if (!p.updateIds.includes(d.updateId)) p.updateIds.push(d.updateId);
      p.sinks.push(d.sink);
    }
    return [...out.values()];
  }

  /** Problems found reading the file (bad lines are skipped, never fatal). */
  fileProblems(): string[] {
    return [...this.problems];
  }

  /** Resolves when no delivery to a configured sink is queued, retrying or sending. */
  idle(): Promise<void> {
    if (!this.pending()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private pending(): boolean {
    return this.deliveries.some((d) => this.sinks.has(d.sink) && (d.state === 'queued' || d.state === 'retrying' || d.state === 'sending'));
  }

  /** Persists, then replays what was persisted: memory never runs ahead of the file. */
  private write(r: OutboxRecord): void {
    if (this.readOnly) throw new Error('read-only: the outbox is not written');
    appendJsonl(this.file, r, this.secrets);
    this.sync();
  }

  private setState(d: Delivery, state: DeliveryState, extra: { attempts?: number; nextAttemptAt?: number | null; error?: string | null; messageId?: string | null } = {}): void {
    this.write({
      t: 'state',
      id: d.id,
      state,
      attempts: extra.attempts ?? d.attempts,
      at: this.now(),
      nextAttemptAt: extra.nextAttemptAt !== undefined ? extra.nextAttemptAt : d.nextAttemptAt,
      error: extra.error !== undefined ? extra.error : d.lastError,
      messageId: extra.messageId !== undefined ? extra.messageId : d.messageId,
    });
  }

  private journal(d: Delivery, kind: NewEntry['kind'], summary: string, actor = 'warroom'): void {
    if (!this.opts.record) return;
    try {
      this.opts.record(d.incidentId, {
        kind,
        actor,
        source: d.sink,
        summary,
        refs: { updateId: d.updateId, postId: d.postId, deliveryId: d.id, ...(d.messageId ? { messageId: d.messageId } : {}) },
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

  /** Re-reads the file and keeps (or tries to take) the delivery lock, every `followMs`. */
  private follow(): void {
    if (this.follower) return;
    const tick = () => {
      if (!this.running) return;
      try {
        this.sync();
      } catch {
        // A file that cannot be read now is read on the next tick.
      }
      this.checkLock();
      this.kick();
    };
    this.checkLock();
    this.follower = setInterval(tick, this.opts.followMs ?? 1000);
    this.follower.unref?.();
  }

  private checkLock(): void {
    if (this.readOnly) {
      if (this.holding) this.lock.release();
      this.holding = false;
      return;
    }
    if (this.holding) {
      if (this.lock.holds()) return this.lock.heartbeat();
      this.holding = false; // someone took it (we were thought dead): stop sending
    }
    const got = this.lock.tryAcquire();
    const was = this.otherHolder?.pid ?? null;
    if (got.ok) {
      this.holding = true;
      this.otherHolder = null;
      this.sync();
      this.recoverInterrupted();
      this.opts.onDeliver?.();
    } else {
      this.otherHolder = got.holder;
    }
    if ((this.otherHolder?.pid ?? null) !== was) this.changed();
  }

  /** Deliveries another process (or this one, before a crash) left `sending`, or waiting too long. */
  private recoverInterrupted(): void {
    for (const d of this.deliveries) {
      if (d.state === 'retrying' && d.nextAttemptAt !== null && d.nextAttemptAt - this.now() > MAX_RETRY_DELAY_MS) {
        this.setState(d, 'retrying', { nextAttemptAt: this.now() + MAX_RETRY_DELAY_MS });
      }
      if (d.state !== 'sending' || this.busy.has(d.sink)) continue;
      const sink = this.sinks.get(d.sink);
      if (sink?.idempotent) {
        this.setState(d, 'retrying', { nextAttemptAt: this.now(), error: 'interrupted by a restart; the sink is checked before resending' });
      } else {
        this.setState(d, 'unknown', { error: 'interrupted while sending: it may or may not have arrived. Resend (Enter) or discard (x).' });
        this.journal(d, 'update.unknown', `Update to ${d.sink}: outcome unknown after a restart (resend or discard)`);
      }
    }
  }

  private kick(): void {
    if (!this.running || !this.holding) return;
    if (this.readOnly) return this.checkLock();
    for (const sink of this.opts.sinks) {
      if (this.busy.has(sink.name) || this.timers.has(sink.name)) continue;
      const head = this.deliveries.find((d) => d.sink === sink.name && (d.state === 'queued' || d.state === 'retrying'));
      if (!head) continue;
      const notBefore = Math.max(head.nextAttemptAt ?? 0, (this.lastSentAt.get(sink.name) ?? 0) + (this.opts.minIntervalMs ?? 1000));
      const wait = notBefore - this.now();
      if (wait > 0) {
        const t = setTimeout(
          () => {
            this.timers.delete(sink.name);
            this.kick();
          },
          clampDelay(Math.min(wait, MAX_RETRY_DELAY_MS)),
        );
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
    // Right before sending: still the one process that delivers here?
    if (this.readOnly || !this.lock.holds()) {
      this.holding = false;
      return;
    }
    this.busy.add(sink.name);
    const key = `${d.incidentId}|${sink.name}`;
    try {
      const attempts = d.attempts + 1;
      const createUncertain = this.createAttempted.has(key);
      if (sink.kind === 'statuspage' && !this.pageIds.has(key)) {
        this.write({ t: 'create-attempt', incidentId: d.incidentId, sink: sink.name, at: this.now() });
      }
      this.setState(d, 'sending', { attempts });
      this.lastSentAt.set(sink.name, this.now());
      let result;
      try {
        result = await sink.send(d.update, {
          deliveryId: d.id,
          pageIncidentId: this.pageIds.get(key) ?? null,
          createUncertain,
          // Any earlier attempt that did not end in a clear refusal may have arrived.
          maybeDelivered: attempts > 1,
          firstAttemptAt: d.firstAttemptAt,
          setPageIncidentId: (id) => {
            if (this.pageIds.get(key) === id) return;
            this.write({ t: 'page', incidentId: d.incidentId, sink: sink.name, pageIncidentId: id, at: this.now() });
          },
        });
      } catch (e) {
        result = { ok: false as const, retryable: true, sent: true, reason: `sink error: ${errorText(e)}` };
      }
      if (result.ok) {
        this.setState(d, 'delivered', { error: null, nextAttemptAt: null, messageId: result.messageId ?? null });
        this.journal(d, 'update.delivered', `Update delivered to ${sink.name}${d.attempts > 1 ? ` after ${d.attempts} attempts` : ''}`);
        return;
      }
      const retryAfter = result.retryAfterMs;
      if (result.retryable && result.sent && !sink.idempotent) {
        this.setState(d, 'unknown', { error: `${result.reason}: it may or may not have arrived. Resend (Enter) or discard (x).` });
        this.journal(d, 'update.unknown', `Update to ${sink.name}: outcome unknown (${result.reason}); resend or discard`);
      } else if (result.retryable && retryAfter !== undefined && retryAfter > MAX_RETRY_DELAY_MS) {
        this.setState(d, 'failed', { nextAttemptAt: null, error: `${result.reason} (asked to wait ${formatWait(retryAfter)}, more than an hour: not waiting)` });
        this.journal(d, 'update.failed', `Update to ${sink.name} failed: asked to wait ${formatWait(retryAfter)}`);
      } else if (result.retryable && d.attempts < (this.opts.maxAttempts ?? 10)) {
        const base = this.opts.baseDelayMs ?? 1000;
        const backoff = Math.min(this.opts.maxDelayMs ?? 60_000, base * 2 ** (d.attempts - 1));
        const jittered = Math.round(backoff * (0.5 + this.random() * 0.5));
        const delay = Math.min(MAX_RETRY_DELAY_MS, retryAfter != null ? Math.max(retryAfter, 0) : jittered);
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

function formatWait(ms: number): string {
  const h = ms / 3_600_000;
  return h >= 48 ? `${Math.round(h / 24)} days` : h >= 1 ? `${Math.round(h)} h` : `${Math.round(ms / 1000)} s`;
}
