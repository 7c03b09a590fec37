// Status updates in the incident channel, threaded under its first message: a sink for the outbox.
//   slackThreadSink(slack, channelOf) — slack() → the client (null until configured: a drill's comes
//   later); channelOf(incidentId) → {id, rootTs} of the incident's channel
// chat.postMessage {channel, thread_ts, text, metadata: {event_type: warroom_status_update,
// event_payload: {delivery_id}}}. It is idempotent for the outbox: when an earlier attempt may have
// landed, the thread is read first (conversations.replies) and a reply carrying this delivery id
// counts as delivered, so an update is never posted twice and never left unknown.
import { ApiError } from './api.js';
import type { SlackClient } from './slack.js';
import type { SendResult, Sink } from '../incident/sinks.js';

export const UPDATE_EVENT = 'warroom_status_update';

/** Slack's own codes worth retrying (everything else in an ok:false answer is a refusal). */
const RETRY_CODES = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

export function sendResultOf(e: unknown): SendResult {
  if (!(e instanceof ApiError)) return { ok: false, retryable: true, sent: true, reason: String((e as Error)?.message ?? e) };
  switch (e.kind) {
    case 'rate-limited':
      return { ok: false, retryable: true, sent: false, retryAfterMs: e.retryAfterMs ?? undefined, reason: e.message };
    case 'api':
      return { ok: false, retryable: RETRY_CODES.has(e.code ?? ''), sent: false, reason: e.message };
    case 'http':
      return { ok: false, retryable: (e.status ?? 0) >= 500 || e.status === 408, sent: false, reason: e.message };
    default:
      return { ok: false, retryable: true, sent: e.sent, reason: e.message };
  }
}

export function slackThreadSink(
  client: SlackClient | (() => SlackClient | null),
  channelOf: (incidentId: string) => { id: string; rootTs: string | null } | null,
  opts: { name?: string } = {},
): Sink {
  return {
    name: opts.name ?? 'slack-channel',
    kind: 'slack',
    // The channel is the responders' own: it gets the internal text.
    audience: 'internal',
    idempotent: true,
    secrets: typeof client === 'function' ? [] : client.secrets,
    async send(update, ctx) {
      const slack = typeof client === 'function' ? client() : client;
      if (!slack) return { ok: false, retryable: false, sent: false, reason: 'Slack is not configured (paging.slack)' };
      const ch = channelOf(update.incidentId);
      if (!ch?.rootTs) return { ok: false, retryable: false, sent: false, reason: 'the incident has no Slack channel yet: O opens it, then resend' };
      const marker = ctx.deliveryId ?? update.id;
      if (ctx.maybeDelivered) {
        try {
          const thread = await slack.replies(ch.id, ch.rootTs);
          const hit = thread.find((m) => m.metadata?.event_type === UPDATE_EVENT && m.metadata.event_payload.delivery_id === marker);
          if (hit) return { ok: true, messageId: hit.ts };
        } catch (e) {
          // Not known whether it landed: try again later, and check again then.
          return { ...sendResultOf(e), retryable: true, sent: false };
        }
      }
      try {
        const r = await slack.post({
          channel: ch.id,
          threadTs: ch.rootTs,
          text: update.slack.text,
          blocks: update.slack.blocks,
          metadata: { event_type: UPDATE_EVENT, event_payload: { delivery_id: marker, update_id: update.id, incident_id: update.incidentId } },
        });
        return { ok: true, messageId: r.ts };
      } catch (e) {
        return sendResultOf(e);
      }
    },
  };
}
