// Where status updates go. Each sink sends one ComposedUpdate and classifies the outcome:
//   {ok: true, messageId?}                                   delivered
//   {ok: false, retryable: true, retryAfterMs?, reason}      network, timeout, 5xx, 408, 429 (and 420 for Statuspage)
//   {ok: false, retryable: false, reason}                    other 4xx; the reason is the response body
// Reasons never contain the webhook URL or API key.
//
//   slackSink({webhookUrl, channel?}, opts?)                 Slack incoming webhook: POST {text, blocks}; 200 "ok"
//   statuspageSink({pageId, apiKey, baseUrl, componentIds}, opts?)
//        POST {baseUrl}/v1/pages/{page}/incidents (first update of an incident), then
//        PATCH {baseUrl}/v1/pages/{page}/incidents/{id}; Authorization: OAuth KEY.
//        The page incident id is handed back (ctx.setPageIncidentId) so the outbox persists it.
//        When an earlier attempt may have landed, the incident is read first (GET …/incidents/{id})
//        and the PATCH skipped if its latest update already is this one.
//   webhookSink({url, headers}, opts?)                       generic JSON POST of the update; any 2xx is ok
//   dryRunSink(path)                                         appends what would be sent to a file (the drill's default)
//   sinksFromConfig(cfg, opts?) → Sink[]
import fs from 'node:fs';
import path from 'node:path';
import type { SinksConfig } from '../config/schema.js';
import { appendJsonl, redactSecrets } from './journal.js';
import type { ComposedUpdate } from './templates.js';

export type SinkKind = 'slack' | 'statuspage' | 'webhook' | 'dryrun';

export type SendResult =
  | { ok: true; messageId?: string }
  | { ok: false; retryable: boolean; retryAfterMs?: number; reason: string };

export interface SendContext {
  /** Statuspage: the page incident already created for this warroom incident, if any. */
  pageIncidentId: string | null;
  /** Statuspage: a create was attempted before with an unknown outcome: look it up before creating again. */
  createUncertain: boolean;
  /** A previous attempt of this delivery may have arrived (timeout, dropped connection, crash). */
  maybeDelivered?: boolean;
  /** Statuspage: called (and persisted by the outbox) as soon as the page incident id is known. */
  setPageIncidentId(id: string): void;
}

export interface Sink {
  /** Unique name shown in the outbox ("slack", "statuspage", …). */
  name: string;
  kind: SinkKind;
  /** Whether resending after an unknown outcome is safe without asking (Statuspage only). */
  idempotent: boolean;
  send(update: ComposedUpdate, ctx: SendContext): Promise<SendResult>;
  /** Secrets this sink holds, so callers can redact them from anything they log. */
  secrets: string[];
}

export interface SinkOptions {
  timeoutMs?: number;
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

async function http(url: string, init: RequestInit, timeoutMs: number, secrets: string[]): Promise<HttpResult | SendResult> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const res = await fetch(url, { ...init, signal: ac.signal });
    const body = await res.text();
    return { status: res.status, body, retryAfter: res.headers.get('retry-after') };
  } catch (e: any) {
    if (ac.signal.aborted) return { ok: false, retryable: true, reason: `timed out after ${Math.round(timeoutMs / 100) / 10}s` };
    const code = e?.cause?.code ?? e?.code ?? e?.cause?.message ?? e?.message ?? String(e);
    return { ok: false, retryable: true, reason: redactSecrets(`network error: ${code}`, secrets) };
  } finally {
    clearTimeout(timer);
  }
}

function isResult(r: HttpResult | SendResult): r is SendResult {
  return 'ok' in r;
}

function classify(r: HttpResult, rateLimitStatuses: number[], secrets: string[]): SendResult | null {
  if (r.status >= 200 && r.status < 300) return null;
  const body = redactSecrets(r.body.trim().slice(0, 300), secrets) || '(empty body)';
  const reason = `HTTP ${r.status}: ${body}`;
  if (rateLimitStatuses.includes(r.status)) {
    return { ok: false, retryable: true, retryAfterMs: parseRetryAfter(r.retryAfter) ?? undefined, reason };
  }
  if (r.status >= 500 || r.status === 408) return { ok: false, retryable: true, retryAfterMs: parseRetryAfter(r.retryAfter) ?? undefined, reason };
  return { ok: false, retryable: false, reason };
}

export function slackSink(cfg: { webhookUrl: string; channel?: string }, opts: SinkOptions & { name?: string } = {}): Sink {
  const secrets = [cfg.webhookUrl];
  return {
    name: opts.name ?? 'slack',
    kind: 'slack',
    idempotent: false,
    secrets,
    async send(update) {
      const payload: Record<string, unknown> = { text: update.slack.text, blocks: update.slack.blocks };
      if (cfg.channel) payload.channel = cfg.channel;
      const r = await http(cfg.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }, opts.timeoutMs ?? 10_000, secrets);
      if (isResult(r)) return r;
      return classify(r, [429], secrets) ?? { ok: true };
    },
  };
}

export function statuspageSink(
  cfg: { pageId: string; apiKey: string; baseUrl: string; componentIds: string[] },
  opts: SinkOptions & { name?: string } = {},
): Sink {
  const secrets = [cfg.apiKey];
  const base = `${cfg.baseUrl.replace(/\/+$/, '')}/v1/pages/${encodeURIComponent(cfg.pageId)}/incidents`;
  const headers = { 'content-type': 'application/json', authorization: `OAuth ${cfg.apiKey}` };
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const RATE = [420, 429];

  const body = (u: ComposedUpdate) => {
    const components: Record<string, string> = {};
    for (const id of cfg.componentIds) components[id] = u.statuspage.componentStatus;
    return JSON.stringify({
      incident: { name: u.statuspage.name, status: u.statuspage.status, body: u.statuspage.body, component_ids: cfg.componentIds, components },
    });
  };

  return {
    name: opts.name ?? 'statuspage',
    kind: 'statuspage',
    idempotent: true,
    secrets,
    async send(update, ctx) {
      let pageId = ctx.pageIncidentId;
      if (!pageId && ctx.createUncertain) {
        // A create may have reached Statuspage before a crash: find it by name among unresolved ones.
        const r = await http(`${base}/unresolved`, { method: 'GET', headers }, timeoutMs, secrets);
        if (isResult(r)) return r;
        const fail = classify(r, RATE, secrets);
        if (fail) return fail;
        try {
          const list = JSON.parse(r.body) as Array<{ id: string; name: string }>;
          const hit = list.find((i) => i.name === update.statuspage.name);
          if (hit) {
            pageId = hit.id;
            ctx.setPageIncidentId(hit.id);
          }
        } catch {
          return { ok: false, retryable: true, reason: 'Statuspage returned an unreadable incident list' };
        }
      }
      if (!pageId) {
        const r = await http(base, { method: 'POST', headers, body: body(update) }, timeoutMs, secrets);
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
        // Did the earlier PATCH land? If the page's latest update is ours, do not post it again.
        const g = await http(url, { method: 'GET', headers }, timeoutMs, secrets);
        if (isResult(g)) return g;
        const fail = classify(g, RATE, secrets);
        if (fail) return fail;
        try {
          const latest = (JSON.parse(g.body) as { incident_updates?: Array<{ status?: string; body?: string }> }).incident_updates?.[0];
          if (latest && latest.status === update.statuspage.status && (latest.body ?? '').trim() === update.statuspage.body.trim()) return { ok: true, messageId: pageId };
        } catch {
          // Unreadable: fall through to the PATCH.
        }
      }
      const r = await http(url, { method: 'PATCH', headers, body: body(update) }, timeoutMs, secrets);
      if (isResult(r)) return r;
      return classify(r, RATE, secrets) ?? { ok: true, messageId: pageId };
    },
  };
}

export function webhookSink(cfg: { url: string; headers?: Record<string, string> }, opts: SinkOptions & { name?: string } = {}): Sink {
  const secrets = [cfg.url, ...Object.values(cfg.headers ?? {})];
  return {
    name: opts.name ?? 'webhook',
    kind: 'webhook',
    idempotent: false,
    secrets,
    async send(update) {
      const payload = {
        id: update.id,
        incidentId: update.incidentId,
        at: new Date(update.at).toISOString(),
        audience: update.audience,
        status: update.status,
        severity: update.severity,
        title: update.statuspage.name,
        text: update.slack.text,
        fields: update.fields,
      };
      const r = await http(cfg.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(cfg.headers ?? {}) }, body: JSON.stringify(payload) }, opts.timeoutMs ?? 10_000, secrets);
      if (isResult(r)) return r;
      return classify(r, [429], secrets) ?? { ok: true };
    },
  };
}

export function dryRunSink(file: string, opts: { name?: string; targets?: string[] } = {}): Sink {
  return {
    name: opts.name ?? 'dry-run',
    kind: 'dryrun',
    idempotent: false,
    secrets: [],
    async send(update) {
      try {
        appendJsonl(file, { at: new Date().toISOString(), wouldSendTo: opts.targets ?? [], update: { id: update.id, incidentId: update.incidentId, slack: update.slack, statuspage: update.statuspage } });
        return { ok: true };
      } catch (e: any) {
        return { ok: false, retryable: true, reason: `cannot write ${path.basename(file)}: ${e?.code ?? e?.message ?? e}` };
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
  if (cfg.slack) real.push(slackSink(cfg.slack, opts));
  if (cfg.statuspage) real.push(statuspageSink(cfg.statuspage, opts));
  if (cfg.webhook) real.push(webhookSink(cfg.webhook, opts));
  if (cfg.dryRun || opts.forceDryRun) {
    const file = cfg.dryRun?.path ?? path.join(opts.stateDir, 'dry-run-updates.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return [dryRunSink(file, { targets: real.map((s) => s.name) })];
  }
  return real;
}
