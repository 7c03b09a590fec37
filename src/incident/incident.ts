// The incident engine: owns the current incident, its journal, the outbox, and the store's
// `incident` slice. It is the Recorder everyone else writes to.
//
//   const engine = new IncidentEngine({stateDir, config, stage: cockpit.stageIncident, sinks})
//     - resumes the open incident found in stateDir (its journal problems are shown, not hidden)
//   engine.start()                         start the outbox pump (stop with `await engine.close()`)
//   cockpit.onFlush((s) => engine.observe(s))
//   engine.record(entry)                   Recorder: into the open incident, else the session journal
//   engine.declare({title, severity, commander?, comms?, actor}) → IncidentInfo
//   engine.setStatus(status, actor, note?) investigating → identified → monitoring → resolved (closes it)
//   engine.setSeverity(sev, actor, reason?) / engine.assignRole('commander'|'comms', name, actor)
//   engine.note(text, actor) / engine.setFlags({dataLoss?, majorFeatureDown?}, actor)
//   engine.prefill(status?, now?) → UpdateFields  template fields from the journal and live signals
//   engine.postUpdatePair(fields, actor, status?)  the internal update → internal sinks, the public one
//                                          (public title/message only) → public sinks; moves the state
//   engine.postTarget()                    the open incident, else the one just resolved (a follow-up)
//   engine.internalIdentifiers()           names that must never reach a public page
//   engine.postUpdate(update, actor, sinkNames?)  journal `update.queued`, then the sinks through the outbox
//   engine.sinkNames()
//   engine.resend(deliveryId, actor) / engine.discard(deliveryId, actor)
//   engine.current / engine.slice() / engine.problems
//   engine.merge(entries)                  other cockpits' entries (from the incident channel), deduplicated by id
//   engine.journalEntries(incidentId)      an incident's entries as journaled (and merged), time-ordered
//
// record() never throws: a journal write failure is reported in the slice's journalProblems.
// Severity suggestions are journaled (`severity.suggested`) only once a new severity has held for
// `debounceMs` (default 30 s), so a flapping signal does not fill the timeline.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { hostname } from 'node:os';
import type { Config } from '../config/schema.js';
import type { State } from '../store/store.js';
import { appendJsonl, findOpenIncident, foldIncident, incidentJournalPath, makeIncidentId, readJournal, sessionJournalPath } from './journal.js';
import { affectedComponents, internalIdentifiers } from './audience.js';
import { ChangeWatcher } from './changes.js';
import { Outbox } from './outbox.js';
import { signalsFromState, suggestSeverity, type SignalFlags, type Signals } from './severity.js';
import type { Sink } from './sinks.js';
import { rateWindowOf } from '../sources/prometheus/queries.js';
import { composeUpdate, defaultPublicTitle, prefillFields, type ComposedUpdate, type ServicePeak, type UpdateFields } from './templates.js';
import type { IncidentInfo, IncidentSlice, IncidentStatus, NewEntry, Recorder, Severity, SeveritySuggestion, TimelineEntry } from './types.js';
import { errorText } from '../util/error-text.js';

export interface EngineOptions {
  stateDir: string;
  config: Config;
  /** The cockpit's stageIncident. */
  stage?: (update: (prev: IncidentSlice) => IncidentSlice) => void;
  now?: () => number;
  /** Extra secrets to redact from entries (the sinks' and the config's are added by the caller). */
  secrets?: string[];
  /** Sinks for status updates; without them postUpdate only journals. */
  sinks?: Sink[];
  /** Passed to the Outbox (tests shorten the delays). */
  outboxOptions?: { baseDelayMs?: number; maxDelayMs?: number; maxAttempts?: number; minIntervalMs?: number; followMs?: number };
  debounceMs?: number;
  /** How often the open incident's journal is re-read for other cockpits' entries (default 1 s). */
  followMs?: number;
  /** Entries kept in the slice's timeline (the journal keeps all). */
  timelineLimit?: number;
  /** Where this cockpit runs (kube context + config identity); incidents declared elsewhere are not resumed. */
  environment?: string | null;
  /** A read-only cockpit's engine writes nothing (journal, outbox) and delivers nothing; asked on every write. */
  readOnly?: () => boolean;
}

export type Role = 'commander' | 'comms' | (string & {});

/** An incident id that is a plain file name (ids arriving from other cockpits are checked). */
const SAFE_INCIDENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$/;

const NEXT_STATUS: IncidentStatus[] = ['investigating', 'identified', 'monitoring', 'resolved'];

/** How far back this cockpit's own actions are taken into an incident declared after them. */
const PRE_DECLARATION_MS = 2 * 3600_000;

export class IncidentEngine implements Recorder {
  private info: IncidentInfo | null = null;
  private timeline: TimelineEntry[] = [];
  private suggestion: SeveritySuggestion = { severity: null, rule: 'no signals yet' };
  private signals: Signals | null = null;
  private flags: SignalFlags = {};
  private journaledSeverity: Severity | null = null;
  private pendingSuggestion: { severity: Severity | null; since: number } | null = null;
  private debounceTimer: NodeJS.Timeout | null = null;
  /** Firing alerts by fingerprint → the label they are journaled under. */
  private firing = new Map<string, string>();
  /** When this cockpit first saw each firing alert (on its own clock). */
  private readonly firingSince = new Map<string, number>();
  private lastState: State | null = null;
  /** Ids of the entries in the timeline, so entries read back from the journal are added once. */
  private readonly seenIds = new Set<string>();
  private journalFollower: NodeJS.Timeout | null = null;
  private followed: { file: string; size: number } | null = null;
  private readonly changes: ChangeWatcher;
  /** Each service's worst figures since the open incident was declared (or resumed here). */
  private readonly peaks = new Map<string, ServicePeak>();
  private peaksOf: string | null = null;
  /** When the current suggestion's severity first held. */
  private suggestionSince: number | null = null;
  /** The incident resolved last in this session: one more update may still go to it. */
  private lastResolved: IncidentInfo | null = null;
  private get lastResolvedAt(): number | null {
    const e = [...this.timeline].reverse().find((x) => x.kind === 'status.changed' && x.refs?.to === 'resolved');
    return e?.at ?? null;
  }
  private readonly journalProblems: string[] = [];
  private readonly now: () => number;
  private readonly secrets: string[];
  readonly outbox: Outbox | null;
  /** A read-only cockpit's merged entries, which it does not write. */
  private readonly remoteOnly = new Map<string, TimelineEntry[]>();

  constructor(private readonly opts: EngineOptions) {
    this.now = opts.now ?? Date.now;
    this.changes = new ChangeWatcher(this.now);
    this.secrets = [...(opts.secrets ?? []), ...(opts.sinks ?? []).flatMap((s) => s.secrets)];
    const open = findOpenIncident(opts.stateDir, opts.environment);
    if (open) {
      const { entries, problems } = readJournal(open.path);
      this.info = foldIncident(entries);
      this.timeline = entries;
      for (const e of entries) this.seenIds.add(e.id);
      this.journalProblems.push(...problems);
      for (const e of entries) {
        const fp = e.refs?.fingerprint as string | undefined;
        if (e.kind === 'alert.fired' && fp) this.firing.set(fp, String(e.refs?.alertname ?? fp));
        if (e.kind === 'alert.resolved' && fp) this.firing.delete(fp);
        if (e.kind === 'severity.suggested') this.journaledSeverity = (e.refs?.severity as Severity | null) ?? null;
      }
    }
    this.outbox = opts.sinks
      ? new Outbox({
          stateDir: opts.stateDir,
          sinks: opts.sinks,
          readOnly: () => this.readOnly,
          record: (incidentId, entry) => this.recordTo(incidentId, entry),
          onChange: () => this.publish(),
          onDeliver: () => this.restoreJournalEntries(),
          now: this.now,
          ...opts.outboxOptions,
        })
      : null;
    if (this.outbox) this.journalProblems.push(...this.outbox.load());
    this.publish();
  }

  get current(): IncidentInfo | null {
    return this.info ? { ...this.info } : null;
  }

  get problems(): string[] {
    return [...this.journalProblems];
  }

  /**
   * Starts the outbox: it delivers while this process holds the state directory's delivery lock,
   * and each time it takes the lock, posts the journal does not mention yet are journaled.
   */
  start(): void {
    this.outbox?.start();
    if (this.journalFollower) return;
    this.journalFollower = setInterval(() => this.followJournal(), this.opts.followMs ?? 1000);
    this.journalFollower.unref?.();
  }

  /**
   * Cockpits sharing a state directory mirror each other: the open incident's journal is re-read
   * every second and entries written by anyone else join the timeline; an incident declared by
   * another cockpit here (same environment) is picked up, one resolved elsewhere is closed here.
   */
  followJournal(): void {
    try {
      const id = this.info?.id ?? null;
      const file = id ? incidentJournalPath(this.opts.stateDir, id) : findOpenIncident(this.opts.stateDir, this.opts.environment)?.path;
      if (!file) return;
      // Append-only: an unchanged size means nothing new.
      const size = fs.statSync(file).size;
      if (this.followed?.file === file && this.followed.size === size) return;
      this.followed = { file, size };
      const { entries } = readJournal(file);
      const fresh = entries.filter((e) => !this.seenIds.has(e.id));
      if (fresh.length === 0) return;
      if (!id) this.timeline = this.timeline.filter((e) => e.incidentId === entries[0]?.incidentId);
      for (const e of fresh) this.seenIds.add(e.id);
      this.timeline = [...this.timeline, ...fresh].sort((a, b) => a.at - b.at);
      const folded = foldIncident(entries);
      if (folded && folded.status !== 'resolved') this.info = folded;
      else if (folded && this.info) {
        this.lastResolved = folded;
        this.info = null;
      }
      this.publish();
    } catch {
      // A journal being written right now reads fine a second later.
    }
  }

  private get readOnly(): boolean {
    return this.opts.readOnly?.() ?? false;
  }

  /**
   * A post is written to the outbox before the journal says "queued"; a crash in between leaves a
   * post the journal does not mention. Its entry is written now, so the two never disagree. The
   * same goes for a delivery's "unknown".
   */
  private restoreJournalEntries(): void {
    const journals = new Map<string, { queued: Set<string>; unknown: Set<string> }>();
    const journaled = (incidentId: string) => {
      let seen = journals.get(incidentId);
      if (!seen) {
        const { entries } = readJournal(incidentJournalPath(this.opts.stateDir, incidentId));
        const refs = (kind: string, keys: ('postId' | 'updateId' | 'deliveryId')[]) =>
          new Set(entries.filter((e) => e.kind === kind).flatMap((e) => keys.map((k) => e.refs?.[k]).filter((v): v is string => typeof v === 'string')));
        seen = { queued: refs('update.queued', ['postId', 'updateId']), unknown: refs('update.unknown', ['deliveryId']) };
        journals.set(incidentId, seen);
      }
      return seen;
    };
    for (const post of this.outbox!.posts()) {
      const seen = journaled(post.incidentId).queued;
      if (seen.has(post.postId)) continue;
      seen.add(post.postId);
      this.recordTo(post.incidentId, {
        kind: 'update.queued',
        at: post.at,
        actor: 'warroom',
        source: 'outbox',
        summary: `Status update queued for ${post.sinks.join(', ')} (entry restored after a restart)`,
        refs: { postId: post.postId, updateIds: post.updateIds, sinks: post.sinks },
      });
    }
    // Same for a delivery the outbox marked unknown just before a crash.
    for (const d of this.outbox!.unknownDeliveries()) if (!journaled(d.incidentId).unknown.has(d.id)) this.outbox!.journalUnknownAgain(d.id);
  }

  async close(): Promise<void> {
    if (this.journalFollower) clearInterval(this.journalFollower);
    this.journalFollower = null;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = null;
    await this.outbox?.stop();
  }

  // ---- Recorder ----

  record(entry: NewEntry): void {
    this.changes.noteOwnChange(entry);
    if (this.info) this.recordTo(this.info.id, entry);
    else this.recordTo(this.sessionId(), entry);
  }

  /** Records into a given incident's journal (the outbox uses it for updates of a closed incident). */
  recordTo(incidentId: string, entry: NewEntry): TimelineEntry | null {
    if (this.readOnly) return null;
    const isCurrent = this.info?.id === incidentId;
    const full: TimelineEntry = {
      severity: isCurrent ? this.info!.severity : null,
      status: isCurrent ? this.info!.status : null,
      ...entry,
      id: randomUUID(),
      incidentId,
      at: entry.at ?? this.now(),
    };
    const file = incidentId.startsWith('session-') ? sessionJournalPath(this.opts.stateDir, full.at) : incidentJournalPath(this.opts.stateDir, incidentId);
    try {
      appendJsonl(file, full, this.secrets);
    } catch (e) {
      this.journalProblems.push(`cannot write the journal (${errorText(e, true)}): "${entry.summary}" was not saved`);
      this.publish();
      return null;
    }
    const timelineOwner = this.info?.id ?? this.timeline[0]?.incidentId ?? this.sessionId();
    if (incidentId === timelineOwner || (!this.info && incidentId.startsWith('session-'))) {
      this.timeline = [...this.timeline, full];
      this.seenIds.add(full.id);
    }
    if (isCurrent && entry.kind === 'update.queued') {
      this.info!.lastUpdateAt = full.at;
      const pt = entry.refs?.publicTitle;
      if (typeof pt === 'string' && pt) this.info!.publicTitle = pt;
    }
    this.publish();
    return full;
  }

  // ---- entries from other cockpits (the incident channel) ----

  /**
   * Entries other cockpits journaled, as read back from the incident channel. Each one not yet in its
   * incident's journal (by id) is appended there as it is (a read-only cockpit keeps it in memory);
   * the current incident's state is replayed from the result. With no incident open, an open
   * incident arriving this way becomes the current one. Returns the entries added.
   */
  merge(entries: readonly TimelineEntry[]): TimelineEntry[] {
    const added: TimelineEntry[] = [];
    const byIncident = new Map<string, TimelineEntry[]>();
    for (const e of entries) {
      if (!SAFE_INCIDENT_ID.test(e.incidentId) || e.incidentId.startsWith('session-')) continue;
      byIncident.set(e.incidentId, [...(byIncident.get(e.incidentId) ?? []), e]);
    }
    for (const [incidentId, list] of byIncident) {
      const known = new Set(this.journalEntries(incidentId).map((e) => e.id));
      const fresh: TimelineEntry[] = [];
      for (const e of [...list].sort((x, y) => x.at - y.at)) {
        if (known.has(e.id)) continue;
        known.add(e.id);
        if (this.readOnly) this.remoteOnly.set(incidentId, [...(this.remoteOnly.get(incidentId) ?? []), e]);
        else {
          try {
            appendJsonl(incidentJournalPath(this.opts.stateDir, incidentId), e, this.secrets);
          } catch (err) {
            this.journalProblems.push(`cannot write the journal (${errorText(err, true)}): "${e.summary}" from ${e.origin?.from ?? 'another cockpit'} was not saved`);
            continue;
          }
        }
        fresh.push(e);
      }
      added.push(...fresh);
      // Known to the journal follower too, so it does not add them a second time.
      for (const e of fresh) this.seenIds.add(e.id);
      if (this.info?.id === incidentId) {
        if (fresh.length === 0) continue;
        this.timeline = [...this.timeline, ...fresh].sort((x, y) => x.at - y.at);
      } else if (!this.info) {
        // Joined through the channel: adopted even when all of it was journaled already (a restart
        // on a machine whose kube context differs from where it was declared does not resume it).
        const all = this.journalEntries(incidentId);
        const folded = foldIncident(all);
        if (!folded || folded.status === 'resolved') continue;
        this.timeline = all;
        for (const e of all) this.seenIds.add(e.id);
      } else continue;
      const info = foldIncident(this.timeline);
      this.info = info && info.status !== 'resolved' ? info : null;
      if (fresh.length === 0) this.publish();
    }
    if (added.length > 0) this.publish();
    return added;
  }

  /** An incident's entries, time-ordered: its journal, and what a read-only cockpit merged in memory. */
  journalEntries(incidentId: string): TimelineEntry[] {
    if (!SAFE_INCIDENT_ID.test(incidentId)) return [];
    const { entries } = readJournal(incidentJournalPath(this.opts.stateDir, incidentId));
    const seen = new Set(entries.map((e) => e.id));
    const extra = (this.remoteOnly.get(incidentId) ?? []).filter((e) => !seen.has(e.id));
    return [...entries, ...extra].sort((x, y) => x.at - y.at);
  }

  // ---- the incident's lifecycle ----

  declare(input: {
    title: string;
    severity: Severity;
    commander?: string | null;
    comms?: string | null;
    actor: string;
    publicTitle?: string | null;
    components?: string[];
  }): IncidentInfo {
    this.requireWritable();
    if (this.info) throw new Error(`incident ${this.info.id} is still open; resolve it first`);
    const title = input.title.trim();
    if (!title) throw new Error('an incident needs a title');
    const at = this.now();
    const id = makeIncidentId(title, at, this.opts.stateDir);
    const components = input.components ?? this.affectedComponents();
    const publicTitle = input.publicTitle?.trim() || defaultPublicTitle(components);
    const environment = this.opts.environment ?? null;
    this.info = {
      id,
      title,
      severity: input.severity,
      status: 'investigating',
      declaredAt: at,
      commander: input.commander ?? null,
      comms: input.comms ?? null,
      lastUpdateAt: null,
      publicTitle,
      components,
      environment,
    };
    this.lastResolved = null;
    // What this cockpit did before the declaration (acting first, declaring second is the usual
    // order under pressure) belongs to the incident: its actions, with their outcomes.
    const before = this.timeline.filter((e) => e.kind.startsWith('action.') && e.at >= at - PRE_DECLARATION_MS);
    this.timeline = [];
    this.recordTo(id, {
      kind: 'incident.declared',
      at,
      actor: input.actor,
      source: 'warroom',
      summary: `Incident declared: ${title} (${input.severity})`,
      refs: { title, severity: input.severity, commander: this.info.commander, comms: this.info.comms, publicTitle, components, environment },
      // The suggestion at the time, with its severity: it explains the declared one only when they match.
      evidence: this.suggestion.severity ? { rule: this.suggestion.rule, value: this.suggestion.severity } : undefined,
    });
    // Alerts already firing belong to the incident: they are when it was detected.
    for (const a of this.lastState?.prom.data.alerts ?? []) {
      if (a.state !== 'firing') continue;
      this.recordTo(id, {
        kind: 'alert.fired',
        // When this cockpit first saw it firing, or Prometheus' activeAt when that is on our clock
        // (a drill's Prometheus runs on a faster simulated clock).
        at: Math.min(at, this.firingSince.get(a.fingerprint) ?? at, a.activeAt !== null && a.activeAt <= at ? a.activeAt : at),
        actor: 'prometheus',
        source: 'prometheus',
        summary: `${alertLabel(a)} firing${a.summary ? `: ${a.summary}` : ''} (before the declaration)`,
        refs: { fingerprint: a.fingerprint, alertname: a.name, labels: a.labels },
      });
    }
    // The suggestion at P2 or above that held before the declaration is part of the detection.
    const sev = this.suggestion.severity;
    if (sev && sev !== 'P3' && this.suggestionSince != null && this.suggestionSince < at) {
      this.recordTo(id, {
        kind: 'severity.suggested',
        at: this.suggestionSince,
        actor: 'warroom',
        source: 'severity',
        summary: `Suggested severity ${sev}: ${this.suggestion.rule} (before the declaration)`,
        evidence: this.suggestion.evidence ?? { rule: this.suggestion.rule },
        refs: { severity: sev, rule: this.suggestion.rule },
      });
    }
    for (const e of before) {
      const { id: _id, incidentId: _inc, severity: _sev, status: _st, ...entry } = e;
      this.recordTo(id, { ...entry, summary: `${e.summary} (before the declaration)` });
    }
    for (const e of this.changes.whatChanged(this.lastState, this.detectedAt(at), at, before)) this.recordTo(id, e);
    this.timeline.sort((x, y) => x.at - y.at);
    return { ...this.info };
  }

  /** When the incident was detected: its first alert or P-level suggestion, at the latest the declaration. */
  private detectedAt(declaredAt: number): number {
    return Math.min(declaredAt, ...this.timeline.filter((e) => e.kind === 'alert.fired' || e.kind === 'severity.suggested').map((e) => e.at));
  }

  setStatus(status: IncidentStatus, actor: string, note?: string): void {
    this.requireWritable();
    const info = this.requireOpen();
    if (!NEXT_STATUS.includes(status)) throw new Error(`unknown status ${status}`);
    if (info.status === status) return;
    const from = info.status;
    info.status = status;
    this.record({ kind: 'status.changed', actor, source: 'warroom', summary: `Status ${from} → ${status}`, body: note, refs: { from, to: status } });
    if (status === 'resolved') {
      this.lastResolved = { ...info };
      this.info = null;
      this.publish();
    }
  }

  setSeverity(severity: Severity, actor: string, reason?: string): void {
    this.requireWritable();
    const info = this.requireOpen();
    if (info.severity === severity) return;
    const from = info.severity;
    info.severity = severity;
    this.record({
      kind: 'severity.changed',
      actor,
      source: 'warroom',
      summary: `Severity ${from} → ${severity}${reason ? ` (${reason})` : ''}`,
      refs: { from, to: severity, reason: reason ?? null },
      evidence: reason ? { rule: reason } : undefined,
    });
  }

  assignRole(role: Role, name: string, actor: string): void {
    this.requireWritable();
    const info = this.requireOpen();
    if (role === 'commander') info.commander = name;
    else if (role === 'comms') info.comms = name;
    this.record({
      kind: 'role.assigned',
      actor,
      source: 'warroom',
      summary: `${role === 'commander' ? 'Incident commander' : role === 'comms' ? 'Comms lead' : role}: ${name}`,
      refs: { role, name },
    });
  }

  note(text: string, actor: string): void {
    this.requireWritable();
    this.record({ kind: 'note', actor, source: 'warroom', summary: text.split('\n')[0]!.slice(0, 200), body: text.includes('\n') || text.length > 200 ? text : undefined });
  }

  /** Flags a person sets (data loss, a major feature down); they feed the severity rules. */
  setFlags(flags: SignalFlags, actor: string): void {
    this.requireWritable();
    this.flags = { ...this.flags, ...flags };
    const parts = [];
    if (flags.dataLoss !== undefined) parts.push(`data loss ${flags.dataLoss ? 'flagged' : 'cleared'}`);
    if (flags.majorFeatureDown !== undefined) parts.push(flags.majorFeatureDown ? `major feature down: ${flags.majorFeatureDown}` : 'major feature restored');
    this.record({ kind: 'note', actor, source: 'warroom', summary: parts.join('; ') || 'flags unchanged', refs: { flags: this.flags } });
    if (this.lastState) this.observe(this.lastState);
  }

  /** Template fields for an update announcing `status` (default: the incident's), from the journal and live signals. */
  prefill(status?: IncidentStatus, now = this.now()): UpdateFields {
    const info = this.postTarget();
    if (!info) throw new Error('no incident is open: declare one first');
    const sev = this.opts.config.severity;
    return prefillFields(info, {
      now,
      status: status ?? info.status,
      suggestion: this.suggestion,
      signals: this.signals ?? undefined,
      timeline: this.timeline.filter((e) => e.incidentId === info.id),
      alerts: (this.lastState?.prom.data.alerts ?? []).filter((a) => a.state === 'firing' && !a.silenced).map((a) => ({ label: alertLabel(a), summary: a.summary })),
      cadenceMinutes: sev.cadenceMinutes,
      rateWindow: rateWindowOf(this.opts.config),
      problemThresholds: { errorRate: sev.errorRate.p2, p95Seconds: sev.latencyP95Seconds.p2 },
      peaks: this.peaksOf === info.id ? this.peaks : undefined,
    });
  }

  /** Keeps each service's worst error rate and p95 while an incident is open (for the updates' impact). */
  private notePeaks(signals: Signals): void {
    if (!this.info) return;
    if (this.peaksOf !== this.info.id) {
      this.peaks.clear();
      this.peaksOf = this.info.id;
    }
    const now = this.now();
    for (const s of signals.services) {
      const p = this.peaks.get(s.name) ?? { errorRate: null, errorRateAt: null, p95Seconds: null, p95At: null };
      if (s.errorRate != null && (p.errorRate == null || s.errorRate > p.errorRate)) Object.assign(p, { errorRate: s.errorRate, errorRateAt: now });
      if (s.p95Seconds != null && (p.p95Seconds == null || s.p95Seconds > p.p95Seconds)) Object.assign(p, { p95Seconds: s.p95Seconds, p95At: now });
      this.peaks.set(s.name, p);
    }
  }

  /**
   * The incident an update goes to: the open one, else the one resolved here in the last 24 h
   * (one more update after resolving, e.g. the final word on the status page).
   */
  postTarget(): IncidentInfo | null {
    if (this.info) return { ...this.info };
    if (this.lastResolved && this.now() - (this.lastResolvedAt ?? 0) < 24 * 3600_000) return { ...this.lastResolved };
    return null;
  }

  /** Public names of the affected services (see audience.ts). */
  affectedComponents(): string[] {
    return affectedComponents(this.opts.config, this.lastState, this.signals);
  }

  /** Names that must never reach a public page (see audience.ts). */
  internalIdentifiers(): Set<string> {
    const ids = internalIdentifiers(this.opts.config, this.lastState);
    // Alerts that fired during the incident stay internal after they resolve and leave Prometheus.
    for (const e of this.timeline) if (e.kind === 'alert.fired' && typeof e.refs?.alertname === 'string') ids.add(e.refs.alertname);
    return ids;
  }

  sinkNames(): string[] {
    return this.opts.sinks?.map((s) => s.name) ?? [];
  }

  sinkList(): Array<Pick<Sink, 'name' | 'kind' | 'audience'>> {
    return (this.opts.sinks ?? []).map((s) => ({ name: s.name, kind: s.kind, audience: s.audience }));
  }

  /**
   * The usual post: the internal update to the internal sinks, the public one (public title and
   * message only) to the public sinks, as one post (one outbox record, one journal entry).
   * `status` is the state the update announces: posting it moves the incident there, and a
   * Resolved update resolves it. After resolving, one more update can go to the resolved incident.
   * Returns the delivery ids.
   */
  postUpdatePair(fields: UpdateFields, actor: string, status?: IncidentStatus): string[] {
    this.requireWritable();
    const info = this.postTarget();
    if (!info) throw new Error('no incident is open: declare one first');
    const to = this.info ? (status ?? info.status) : 'resolved';
    const now = this.now();
    const all = this.opts.sinks ?? [];
    const parts: Array<{ update: ComposedUpdate; sinks: string[] }> = [];
    for (const audience of ['internal', 'public'] as const) {
      const sinks = all.filter((s) => s.audience === audience).map((s) => s.name);
      // With no sinks at all the internal update is still journaled.
      if (sinks.length > 0 || (audience === 'internal' && all.length === 0)) parts.push({ update: composeUpdate(info, fields, { audience, status: to, now }), sinks });
    }
    const ids = this.post(parts, actor, { publicTitle: fields.publicTitle?.trim() || null });
    if (this.info && to !== this.info.status) this.setStatus(to, actor);
    return ids;
  }

  /** One update to the given sinks (all by default). */
  postUpdate(update: ComposedUpdate, actor: string, sinkNames?: string[]): string[] {
    return this.post([{ update, sinks: sinkNames ?? this.sinkNames() }], actor);
  }

  /**
   * Writes the post to the outbox (fsynced) BEFORE the journal says "queued": a crash in between
   * leaves a post that the next start journals (restoreJournalEntries); a failed outbox write
   * throws, and the journal then says nothing was queued.
   */
  private post(parts: Array<{ update: ComposedUpdate; sinks: string[] }>, actor: string, extraRefs: Record<string, unknown> = {}): string[] {
    this.requireWritable();
    const first = parts[0]!.update;
    const sinks = parts.flatMap((p) => p.sinks);
    const ids = this.outbox && sinks.length > 0 ? this.outbox.enqueuePost(parts, first.id) : [];
    const publicPart = parts.find((p) => p.update.audience === 'public' && p.sinks.length > 0)?.update;
    this.recordTo(first.incidentId, {
      kind: 'update.queued',
      actor,
      source: 'warroom',
      summary: `Status update (${first.status}) ${sinks.length ? `queued for ${sinks.join(', ')}` : 'recorded (no sinks configured)'}`,
      body: first.slack.text,
      refs: {
        postId: first.id,
        updateId: first.id,
        updateIds: parts.map((p) => p.update.id),
        audiences: parts.map((p) => p.update.audience),
        sinks,
        status: first.status,
        // What the public was told, for the post-mortem (the body is the internal text).
        ...(publicPart && publicPart !== first ? { publicText: `${publicPart.statuspage.name}\n${publicPart.statuspage.body}` } : {}),
        ...extraRefs,
      },
    });
    return ids;
  }

  resend(deliveryId: string, actor: string): boolean {
    return this.outbox?.resend(deliveryId, actor) ?? false;
  }

  discard(deliveryId: string, actor: string): boolean {
    return this.outbox?.discard(deliveryId, actor) ?? false;
  }

  // ---- live signals ----

  /** Call after each store flush: journals alert transitions and (debounced) severity suggestions. */
  /** More values to redact from every entry (the drill's tokens, known only once it runs). */
  addSecrets(secrets: string[]): void {
    for (const x of secrets) if (x && !this.secrets.includes(x)) this.secrets.push(x);
  }

  /** The config the signals are read with, once the sources' config is known (the drill's arrives after start). */
  useConfig(config: Config): void {
    (this.opts as { config: Config }).config = config;
  }

  observe(state: State): void {
    this.lastState = state;
    if (state.prom.status !== 'disabled' && state.prom.updatedAt != null) {
      const firingNow = new Map<string, State['prom']['data']['alerts'][number]>();
      for (const a of state.prom.data.alerts) if (a.state === 'firing') firingNow.set(a.fingerprint, a);
      for (const [fp, a] of firingNow) {
        if (this.firing.has(fp)) continue;
        this.firing.set(fp, alertLabel(a));
        this.firingSince.set(fp, this.now());
        this.record({
          kind: 'alert.fired',
          actor: 'prometheus',
          source: 'prometheus',
          summary: `${alertLabel(a)} firing${a.summary ? `: ${a.summary}` : ''}`,
          refs: { fingerprint: fp, alertname: a.name, labels: a.labels },
          evidence: a.severity ? { value: a.severity } : undefined,
        });
      }
      for (const [fp, name] of [...this.firing]) {
        if (firingNow.has(fp)) continue;
        this.firing.delete(fp);
        this.firingSince.delete(fp);
        this.record({ kind: 'alert.resolved', actor: 'prometheus', source: 'prometheus', summary: `${name} resolved`, refs: { fingerprint: fp, alertname: name } });
      }
    }

    for (const e of this.changes.observe(state, this.info !== null)) this.record(e);
    this.signals = signalsFromState(state, this.opts.config, this.flags);
    this.notePeaks(this.signals);
    const next = suggestSeverity(this.signals, this.opts.config.severity);
    const changed = next.rule !== this.suggestion.rule;
    if (next.severity !== this.suggestion.severity || this.suggestionSince == null) this.suggestionSince = this.now();
    this.suggestion = next;
    this.considerJournalingSuggestion();
    if (changed) this.publish();
  }

  private considerJournalingSuggestion(): void {
    const sev = this.suggestion.severity;
    if (sev === this.journaledSeverity) {
      this.pendingSuggestion = null;
      return;
    }
    const now = this.now();
    if (!this.pendingSuggestion || this.pendingSuggestion.severity !== sev) this.pendingSuggestion = { severity: sev, since: now };
    const debounce = this.opts.debounceMs ?? 30_000;
    const remaining = this.pendingSuggestion.since + debounce - now;
    if (remaining <= 0) {
      this.pendingSuggestion = null;
      this.journaledSeverity = sev;
      this.record({
        kind: 'severity.suggested',
        actor: 'warroom',
        source: 'severity',
        summary: sev ? `Suggested severity ${sev}: ${this.suggestion.rule}` : 'Signals all clear: no severity suggested',
        evidence: this.suggestion.evidence ?? { rule: this.suggestion.rule },
        refs: { severity: sev, rule: this.suggestion.rule },
      });
      return;
    }
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      this.considerJournalingSuggestion();
    }, remaining);
    this.debounceTimer.unref?.();
  }

  // ---- the store slice ----

  slice(): IncidentSlice {
    const limit = this.opts.timelineLimit ?? 500;
    const info = this.info;
    const cadence = info ? this.opts.config.severity.cadenceMinutes[info.severity] : null;
    return {
      current: info ? { ...info } : null,
      timeline: this.timeline.length > limit ? this.timeline.slice(-limit) : this.timeline,
      suggestion: this.suggestion,
      outbox: this.outbox?.items() ?? [],
      deliveries: this.deliveriesNote(),
      journalProblems: [...this.journalProblems, ...(this.outbox?.fileProblems() ?? [])],
      nextUpdateDueAt: info && cadence != null ? (info.lastUpdateAt ?? info.declaredAt) + cadence * 60_000 : null,
    };
  }

  /** Who sends this state directory's updates, when it is not this cockpit. */
  private deliveriesNote(): string | null {
    if (!this.outbox) return null;
    if (this.outbox.readOnly) return 'read-only: updates are not sent from this screen';
    const { self, holder } = this.outbox.deliverer();
    if (self || !holder) return null;
    return `deliveries handled by pid ${holder.pid}${holder.host && holder.host !== hostname() ? ` on ${holder.host}` : ''}`;
  }

  private publish(): void {
    if (!this.opts.stage) return;
    const slice = this.slice();
    this.opts.stage(() => slice);
  }

  private requireWritable(): void {
    if (this.readOnly) throw new Error('Read-only mode: this cockpit does not write the journal or post updates');
  }

  private requireOpen(): IncidentInfo {
    if (!this.info) throw new Error('no incident is open: declare one first');
    return this.info;
  }

  private sessionId(): string {
    return `session-${new Date(this.now()).toISOString().slice(0, 10)}`;
  }
}

/** An alert's name with the label that tells same-named alerts apart ("HighErrorRate (api)"). */
function alertLabel(a: { name: string; labels: Record<string, string> }): string {
  const which = a.labels.service ?? a.labels.deployment ?? a.labels.job ?? a.labels.pod ?? a.labels.instance;
  return which ? `${a.name} (${which})` : a.name;
}
