// Where status updates go. Each sink sends one ComposedUpdate and classifies the outcome:
//   {ok: true, messageId?}                                   delivered
//   {ok: false, retryable, sent, retryAfterMs?, reason}      sent: the request may have reached the
//        receiver (a connection was made and no answer said otherwise); retryable: network, timeout,
//        5xx, 408, 429 (and 420 for Statuspage); an unreadable Retry-After is a permanent failure.
// Reasons never contain the webhook URL or API key. Responses are capped (SinkOptions.maxResponseBytes).
//
//   slackSink({webhookUrl, channel?}, opts?)                 Slack incoming webhook: POST {text, blocks}; 200 "ok"
//   statuspageSink({pageId, apiKey, baseUrl, componentIds}, opts?)
//        POST {baseUrl}/v1/pages/{page}/incidents (first update of an incident, with metadata
//        {warroom: {incident_ref}} as the marker: an opaque hash, since the incident id is made from
//        the internal title), then PATCH …/incidents/{id}; Authorization: OAuth KEY.
//        The page incident id is handed back (ctx.setPageIncidentId) so the outbox persists it.
//        After a create of unknown outcome, GET …/incidents/unresolved finds the one carrying the marker
//        (or the name); when an earlier attempt may have landed, GET …/incidents/{id} and skip the
//        PATCH if an update since the first attempt already is this one.
//   webhookSink({url, headers}, opts?)                       generic JSON POST, Idempotency-Key: the delivery id; any 2xx is ok
//   dryRunSink(path)                                         appends what would be sent to a file (the drill's default)
//   sinksFromConfig(cfg, opts?) → Sink[]
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { SinksConfig } from '../config/schema.js';
import { appendJsonl, redactSecrets } from './journal.js';
import { HttpError, httpRequest } from '../net/http.js';
import { ensurePrivateDir } from '../util/private-files.js';
import type { Audience, ComposedUpdate } from './templates.js';
import { errorText } from '../util/error-text.js';

export type SinkKind = 'slack' | 'statuspage' | 'webhook' | 'dryrun';

export type SendResult =
  | { ok: true; messageId?: string }
  | {
      ok: false;
      retryable: boolean;
      /** The request may have reached the receiver (a connection was made): resending may post it twice. */
      sent: boolean;
      retryAfterMs?: number;
      reason: string;
    };

export interface SendContext {
  /** Stable per delivery: the webhook's Idempotency-Key, the Statuspage marker. */
  deliveryId?: string;
  /** Statuspage: the page incident already created for this warroom incident, if any. */
  pageIncidentId: string | null;
  /** Statuspage: a create was attempted before with an unknown outcome: look it up before creating again. */
  createUncertain: boolean;
  /** A previous attempt of this delivery may have arrived (timeout, dropped connection, crash). */
  maybeDelivered?: boolean;
  /** When this delivery was first sent (epoch ms), so a check for it only looks at newer updates. */
  firstAttemptAt?: number | null;
  /** Statuspage: called (and persisted by the outbox) as soon as the page incident id is known. */
  setPageIncidentId(id: string): void;
}

export interface Sink {
  /** Unique name shown in the outbox ("slack", "statuspage", …). */
  name: string;
  kind: SinkKind;
  /** Who reads it: internal sinks get the internal update, public ones only the public fields. */
  audience: Audience;
  /** Whether resending after an unknown outcome is safe without asking (Statuspage only: it checks first). */
  idempotent: boolean;
  send(update: ComposedUpdate, ctx: SendContext): Promise<SendResult>;
  /** Secrets this sink holds, so callers can redact them from anything they log. */
  secrets: string[];
}

export interface SinkOptions {
  /** Default: public for Statuspage, internal for the others. */
  audience?: Audience;
  timeoutMs?: number;
  /** Response body cap (bytes). */
  maxResponseBytes?: number;
}

/** An opaque, stable reference to an incident for public receivers (its id spells the internal title). */
export function publicIncidentRef(incidentId: string): string {
  return `inc-${createHash('sha256').update(incidentId).digest('hex').slice(0, 16)}`;
}

/** Retry-After: delta-seconds or an HTTP date → ms (null when absent or invalid). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

interface HttpResult {
  status: number;
  body: string;
  retryAfter: string | null;
}

async function http(url: string, init: { method: string; headers: Record<string, string>; body?: string }, opts: SinkOptions, secrets: string[]): Promise<HttpResult | SendResult> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  try {
    const res = await httpRequest(url, { ...init, timeoutMs, maxBytes: opts.maxResponseBytes ?? 1024 * 1024 });
    return { status: res.status, body: res.text, retryAfter: res.header('retry-after') };
  } catch (e) {
    const err = e instanceof HttpError ? e : new HttpError(String(e), 'network', true);
    // A receiver that answered with a body too large to read did answer: its status is unknown to us.
    return { ok: false, retryable: true, sent: err.sent, reason: redactSecrets(err.message, secrets) };
  }
}

function isResult(r: HttpResult | SendResult): r is SendResult {
  return 'ok' in r;
}

/** An HTTP answer → null (2xx) or why it failed. The receiver answered, so a refusal is known not to have been applied. */
function classify(r: HttpResult, rateLimitStatuses: number[], secrets: string[]): SendResult | null {
  if (r.status >= 200 && r.status < 300) return null;
  const body = redactSecrets(r.body.trim().slice(0, 300), secrets) || '(empty body)';
  const reason = `HTTP ${r.status}: ${body}`;
  const retryAfterMs = parseRetryAfter(r.retryAfter);
  if (r.retryAfter && retryAfterMs === null) {
    return { ok: false, retryable: false, sent: false, reason: `${reason} (Retry-After ${JSON.stringify(r.retryAfter.slice(0, 40))} is not a number of seconds or a date)` };
  }
  if (rateLimitStatuses.includes(r.status)) return { ok: false, retryable: true, sent: false, retryAfterMs: retryAfterMs ?? undefined, reason };
  // A 5xx may come from a proxy before the receiver or from the receiver itself; both are retried.
  if (r.status >= 500 || r.status === 408) return { ok: false, retryable: true, sent: false, retryAfterMs: retryAfterMs ?? undefined, reason };
  return { ok: false, retryable: false, sent: false, reason };
}

export function slackSink(cfg: { webhookUrl: string; channel?: string }, opts: SinkOptions & { name?: string } = {}): Sink {
  const secrets = [cfg.webhookUrl];
  return {
    name: opts.name ?? 'slack',
    kind: 'slack',
    audience: opts.audience ?? 'internal',
    idempotent: false,
    secrets,
    async send(update) {
      const payload: Record<string, unknown> = { text: update.slack.text, blocks: update.slack.blocks };
      if (cfg.channel) payload.channel = cfg.channel;
      const r = await http(cfg.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }, opts, secrets);
      if (isResult(r)) return r;
      return classify(r, [429], secrets) ?? { ok: true };
    },
  };
}

/** Whitespace-insensitive, so a body Statuspage re-wrapped still counts as the same text. */
const sameText = (a: string | undefined, b: string) => (a ?? '').replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim();

interface PageIncident {
  id: string;
  name?: string;
  metadata?: { warroom?: { incident_ref?: string; incident_id?: string } };
  incident_updates?: Array<{ status?: string; body?: string; created_at?: string }>;
}

export function statuspageSink(cfg: { pageId: string; apiKey: string; baseUrl: string; componentIds: string[] }, opts: SinkOptions & { name?: string } = {}): Sink {
  const secrets = [cfg.apiKey];
  const base = `${cfg.baseUrl.replace(/\/+$/, '')}/v1/pages/${encodeURIComponent(cfg.pageId)}/incidents`;
  const headers = { 'content-type': 'application/json', authorization: `OAuth ${cfg.apiKey}` };
  const RATE = [420, 429];
  const unreadable = (what: string): SendResult => ({ ok: false, retryable: true, sent: false, reason: `Statuspage returned an unreadable ${what}` });

  // The incident's own id travels in the page incident's metadata: the marker a resend looks for.
  const body = (u: ComposedUpdate, create: boolean) => {
    const components: Record<string, string> = {};
    for (const id of cfg.componentIds) components[id] = u.statuspage.componentStatus;
    const incident: Record<string, unknown> = { name: u.statuspage.name, status: u.statuspage.status, body: u.statuspage.body, component_ids: cfg.componentIds, components };
    if (create) incident.metadata = { warroom: { incident_ref: publicIncidentRef(u.incidentId) } };
    return JSON.stringify({ incident });
  };

  return {
    name: opts.name ?? 'statuspage',
    kind: 'statuspage',
    audience: opts.audience ?? 'public',
    idempotent: true,
    secrets,
    async send(update, ctx) {
      let pageId = ctx.pageIncidentId;
      if (!pageId && ctx.createUncertain) {
        // A create may have reached Statuspage before a crash: find it by our marker, else by name.
        const r = await http(`${base}/unresolved`, { method: 'GET', headers }, opts, secrets);
        if (isResult(r)) return { ...r, sent: false };
        const fail = classify(r, RATE, secrets);
        if (fail) return fail;
        let list: PageIncident[];
        try {
          list = JSON.parse(r.body) as PageIncident[];
          if (!Array.isArray(list)) return unreadable('incident list');
        } catch {
          return unreadable('incident list');
        }
        // The marker (or, from older versions, the plain incident id), else the name.
        const ref = publicIncidentRef(update.incidentId);
        const hit =
          list.find((i) => i.metadata?.warroom?.incident_ref === ref || i.metadata?.warroom?.incident_id === update.incidentId) ??
          list.find((i) => i.name === update.statuspage.name);
        if (hit?.id) {
          pageId = hit.id;
          ctx.setPageIncidentId(hit.id);
          if (latestIsOurs(hit, update, ctx)) return { ok: true, messageId: hit.id };
        }
      }
      if (!pageId) {
        const r = await http(base, { method: 'POST', headers, body: body(update, true) }, opts, secrets);
        if (isResult(r)) return r;
        const fail = classify(r, RATE, secrets);
        if (fail) return fail;
        try {
          const id = (JSON.parse(r.body) as { id?: string }).id;
          if (id) ctx.setPageIncidentId(id);
          return { ok: true, messageId: id };
        } catch {
          return { ok: true };
        }
      }
      const url = `${base}/${encodeURIComponent(pageId)}`;
      if (ctx.maybeDelivered) {
        // Did the earlier PATCH land? If one of the page's updates since then is ours, do not post it again.
        const g = await http(url, { method: 'GET', headers }, opts, secrets);
        if (isResult(g)) return { ...g, sent: false };
        const fail = classify(g, RATE, secrets);
        if (fail) return fail;
        try {
          if (latestIsOurs(JSON.parse(g.body) as PageIncident, update, ctx)) return { ok: true, messageId: pageId };
        } catch {
          return unreadable('incident');
        }
      }
      const r = await http(url, { method: 'PATCH', headers, body: body(update, false) }, opts, secrets);
      if (isResult(r)) return r;
      return classify(r, RATE, secrets) ?? { ok: true, messageId: pageId };
    },
  };
}

/** Whether the page incident already holds this update: among its updates since our first attempt (a minute's clock skew allowed). */
function latestIsOurs(incident: PageIncident, update: ComposedUpdate, ctx: SendContext): boolean {
  const since = ctx.firstAttemptAt != null ? ctx.firstAttemptAt - 60_000 : -Infinity;
  return (incident.incident_updates ?? []).some((u) => {
    const at = u.created_at ? Date.parse(u.created_at) : NaN;
    if (!Number.isNaN(at) && at < since) return false;
    return u.status === update.statuspage.status && sameText(u.body, update.statuspage.body);
  });
}

export function webhookSink(cfg: { url: string; headers?: Record<string, string> }, opts: SinkOptions & { name?: string } = {}): Sink {
  const secrets = [cfg.url, ...Object.values(cfg.headers ?? {})];
  return {
    name: opts.name ?? 'webhook',
    kind: 'webhook',
    audience: opts.audience ?? 'internal',
    idempotent: false,
    secrets,
    async send(update, ctx) {
      const payload = {
        id: update.id,
        // A public receiver gets an opaque reference: the incident id is made from the internal title.
        incidentId: update.audience === 'public' ? publicIncidentRef(update.incidentId) : update.incidentId,
        at: new Date(update.at).toISOString(),
        audience: update.audience,
        status: update.status,
        // Severity is an internal judgement: a public receiver does not get it.
        severity: update.audience === 'public' ? undefined : update.severity,
        title: update.title ?? update.statuspage.name,
        text: update.slack.text,
        fields: update.fields,
      };
      // The same key on every attempt and resend of this delivery, so a receiver can deduplicate.
      const idempotency = { 'idempotency-key': ctx.deliveryId ?? `${update.id}@${opts.name ?? 'webhook'}` };
      const r = await http(
        cfg.url,
        { method: 'POST', headers: { 'content-type': 'application/json', ...idempotency, ...(cfg.headers ?? {}) }, body: JSON.stringify(payload) },
        opts,
        secrets,
      );
      if (isResult(r)) return r;
      return classify(r, [429], secrets) ?? { ok: true };
    },
  };
}

export function dryRunSink(file: string, opts: { name?: string; targets?: string[]; audience?: Audience } = {}): Sink {
  return {
    name: opts.name ?? 'dry-run',
    kind: 'dryrun',
    audience: opts.audience ?? 'internal',
    idempotent: false,
    secrets: [],
    async send(update) {
      try {
        appendJsonl(file, {
          at: new Date().toISOString(),
          wouldSendTo: opts.targets ?? [],
          audience: update.audience,
          // A public record holds only what a public receiver gets: no internal id or title, no Slack text.
          update:
            update.audience === 'public'
              ? { id: update.id, incidentRef: publicIncidentRef(update.incidentId), statuspage: update.statuspage }
              : { id: update.id, incidentId: update.incidentId, title: update.title ?? update.statuspage.name, slack: update.slack, statuspage: update.statuspage },
        });
        return { ok: true };
      } catch (e) {
        // appendJsonl writes a whole line or fails before writing: nothing was appended.
        return { ok: false, retryable: true, sent: false, reason: `cannot write ${path.basename(file)}: ${errorText(e, true)}` };
      }
    },
  };
}

/**
 * Sinks from config. With `dryRun` configured (or forced, as in a drill), everything goes to the
 * dry-run file and the real sinks are only named in it.
 */
export function sinksFromConfig(cfg: SinksConfig, opts: SinkOptions & { stateDir: string; forceDryRun?: boolean }): Sink[] {
  const real: Sink[] = [];
  if (cfg.slack) real.push(slackSink(cfg.slack, { ...opts, audience: cfg.slack.audience }));
  if (cfg.statuspage) real.push(statuspageSink(cfg.statuspage, { ...opts, audience: cfg.statuspage.audience }));
  if (cfg.webhook) real.push(webhookSink(cfg.webhook, { ...opts, audience: cfg.webhook.audience }));
  if (cfg.dryRun || opts.forceDryRun) {
    const file = cfg.dryRun?.path ?? path.join(opts.stateDir, 'dry-run-updates.jsonl');
    ensurePrivateDir(path.dirname(file));
    // One dry-run sink per audience that has real sinks (both in a drill, to practise the public
    // wording too), so the file shows what each would receive.
    const targets = (a: Audience) => real.filter((s) => s.audience === a).map((s) => s.name);
    const out = [dryRunSink(file, { name: 'dry-run', targets: targets('internal'), audience: 'internal' })];
    if (targets('public').length || opts.forceDryRun || cfg.dryRun?.public) out.push(dryRunSink(file, { name: 'dry-run-public', targets: targets('public'), audience: 'public' }));
    return out;
  }
  return real;
}
