// The Slack Web API with a bot token (xoxb-…), for the incident channel.
//
//   const slack = new SlackClient({apiUrl: 'https://slack.com/api', token, timeoutMs})
//   slack.createChannel(name)          conversations.create {name}; name_taken → the existing one (conversations.list)
//   slack.invite(channel, userIds)     conversations.invite {channel, users: "U1,U2"}; already_in_channel is fine
//   slack.post({channel, text, threadTs?, metadata?})   chat.postMessage → {ts, channel}
//   slack.history(channel, {oldest?, cursor?, limit?})  conversations.history include_all_metadata=true (newest first)
//   slack.replies(channel, threadTs)   conversations.replies include_all_metadata=true
//   slack.permalink(channel, ts)       chat.getPermalink
//   slack.join(channel)                conversations.join (the sync joins when told not_in_channel)
//
// Writes are JSON POSTs (`Authorization: Bearer`, charset given); reads are GETs with a query, as
// the read methods do not take JSON bodies. An HTTP 200 with {ok:false, error} is an ApiError of kind
// 'api' carrying Slack's code; 429 is 'rate-limited' with Retry-After. The token is never in a message.
import { ApiError, callJson, withRateLimitRetry } from './api.js';

export interface SlackMessage {
  ts: string;
  text: string;
  user: string | null;
  threadTs: string | null;
  metadata: { event_type: string; event_payload: Record<string, unknown> } | null;
}

export interface SlackOptions {
  apiUrl: string;
  token: string;
  timeoutMs?: number;
  maxBytes?: number;
}

/** A message as conversations.history / conversations.replies return it (the fields warroom reads). */
interface SlackMessageJson {
  ts?: unknown;
  text?: unknown;
  user?: string;
  bot_id?: string;
  thread_ts?: string;
  metadata?: { event_type?: unknown; event_payload?: unknown };
}

/** The Web API's bodies, every method's fields warroom reads (each optional: the body is unchecked). */
interface SlackBody {
  ok?: unknown;
  error?: unknown;
  channel?: { id?: string; name?: string } | string;
  channels?: Array<{ id?: string; name?: string } | null>;
  messages?: Array<SlackMessageJson | null>;
  has_more?: boolean;
  response_metadata?: { next_cursor?: string };
  permalink?: unknown;
  ts?: string;
}

export class SlackClient {
  constructor(private readonly opts: SlackOptions) {}

  get secrets(): string[] {
    return [this.opts.token];
  }

  private async call(method: string, args: Record<string, unknown>, read: boolean): Promise<SlackBody> {
    const base = `${this.opts.apiUrl.replace(/\/+$/, '')}/${method}`;
    const common = {
      service: 'Slack',
      secrets: [this.opts.token],
      timeoutMs: this.opts.timeoutMs ?? 10_000,
      maxBytes: this.opts.maxBytes,
      headers: { authorization: `Bearer ${this.opts.token}` },
    };
    let r;
    if (read) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(args)) if (v !== undefined && v !== null) q.set(k, String(v));
      r = await callJson<SlackBody>(`${base}?${q}`, { ...common, method: 'GET' });
    } else {
      r = await callJson<SlackBody>(base, { ...common, method: 'POST', body: args });
    }
    const json = r.json;
    if (!json || typeof json !== 'object' || typeof json.ok !== 'boolean') throw new ApiError(`Slack ${method} answered without an ok field`, 'unreadable', !read, r.status);
    if (!json.ok) {
      const code = typeof json.error === 'string' ? json.error : 'unknown_error';
      throw new ApiError(`Slack ${method}: ${code}${describe(code)}`, 'api', false, r.status, null, code);
    }
    return json;
  }

  /** Creates a public channel; when the name is taken, the channel of that name is returned (created: false). */
  async createChannel(name: string): Promise<{ id: string; name: string; created: boolean }> {
    try {
      const r = await this.call('conversations.create', { name, is_private: false }, false);
      const ch = typeof r.channel === 'object' ? r.channel : undefined;
      return { id: String(ch?.id), name: String(ch?.name ?? name), created: true };
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 'name_taken') throw e;
      const found = await this.findChannel(name);
      if (!found) throw new ApiError(`Slack: a channel named #${name} exists but this bot cannot see it (archived or private)`, 'api', false, null, null, 'name_taken');
      return { ...found, created: false };
    }
  }

  async findChannel(name: string): Promise<{ id: string; name: string } | null> {
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const r = await withRateLimitRetry(() => this.call('conversations.list', { types: 'public_channel', exclude_archived: true, limit: 200, cursor }, true));
      const hit = (Array.isArray(r.channels) ? r.channels : []).find((c) => c?.name === name);
      if (hit) return { id: String(hit.id), name };
      cursor = r.response_metadata?.next_cursor || undefined;
      if (!cursor) return null;
    }
    return null;
  }

  /** Invites users (Slack ids); those already in the channel are not an error. */
  async invite(channel: string, users: string[]): Promise<void> {
    if (users.length === 0) return;
    try {
      await withRateLimitRetry(() => this.call('conversations.invite', { channel, users: users.join(',') }, false));
    } catch (e) {
      if (e instanceof ApiError && e.code === 'already_in_channel') return;
      throw e;
    }
  }

  /** chat.postMessage. Not retried here: the caller decides (it may have landed). */
  async post(m: {
    channel: string;
    text: string;
    blocks?: unknown[];
    threadTs?: string | null;
    metadata?: { event_type: string; event_payload: Record<string, unknown> };
  }): Promise<{ ts: string; channel: string }> {
    const r = await this.call(
      'chat.postMessage',
      {
        channel: m.channel,
        text: m.text,
        ...(m.blocks?.length ? { blocks: m.blocks } : {}),
        ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
        ...(m.metadata ? { metadata: m.metadata } : {}),
        unfurl_links: false,
      },
      false,
    );
    if (typeof r.ts !== 'string') throw new ApiError('Slack chat.postMessage answered ok without a ts', 'unreadable', true, 200);
    return { ts: r.ts, channel: String(r.channel ?? m.channel) };
  }

  /** Joins a public channel (a second app, or a bot removed from the channel). */
  async join(channel: string): Promise<void> {
    await this.call('conversations.join', { channel }, false);
  }

  /** One page of the channel's messages, newest first, with their metadata. */
  async history(channel: string, opts: { oldest?: string; cursor?: string; limit?: number } = {}): Promise<{ messages: SlackMessage[]; nextCursor: string | null }> {
    const r = await this.call(
      'conversations.history',
      { channel, include_all_metadata: true, limit: opts.limit ?? 200, oldest: opts.oldest, cursor: opts.cursor, inclusive: false },
      true,
    );
    return {
      messages: (Array.isArray(r.messages) ? r.messages : []).map(toMessage).filter(Boolean) as SlackMessage[],
      nextCursor: r.has_more ? r.response_metadata?.next_cursor || null : null,
    };
  }

  async replies(channel: string, threadTs: string): Promise<SlackMessage[]> {
    const out: SlackMessage[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const r = await this.call('conversations.replies', { channel, ts: threadTs, include_all_metadata: true, limit: 200, cursor }, true);
      out.push(...((Array.isArray(r.messages) ? r.messages : []).map(toMessage).filter(Boolean) as SlackMessage[]));
      cursor = r.has_more ? r.response_metadata?.next_cursor || undefined : undefined;
      if (!cursor) break;
    }
    return out;
  }

  async permalink(channel: string, ts: string): Promise<string | null> {
    try {
      const r = await this.call('chat.getPermalink', { channel, message_ts: ts }, true);
      return typeof r.permalink === 'string' ? r.permalink : null;
    } catch {
      return null;
    }
  }
}

function toMessage(m: SlackMessageJson | null): SlackMessage | null {
  if (!m || typeof m.ts !== 'string') return null;
  const md =
    m.metadata && typeof m.metadata.event_type === 'string' && m.metadata.event_payload && typeof m.metadata.event_payload === 'object'
      ? { event_type: m.metadata.event_type, event_payload: m.metadata.event_payload as Record<string, unknown> }
      : null;
  return { ts: m.ts, text: typeof m.text === 'string' ? m.text : '', user: m.user ?? m.bot_id ?? null, threadTs: m.thread_ts ?? null, metadata: md };
}

/** What a responder can do about Slack's commonest errors. */
function describe(code: string): string {
  switch (code) {
    case 'invalid_auth':
    case 'not_authed':
    case 'token_revoked':
      return ' (the bot token is wrong or revoked)';
    case 'missing_scope':
      return ' (the bot token lacks a scope: channels:manage, channels:history, chat:write, channels:read)';
    case 'not_in_channel':
      return ' (invite the bot to the channel)';
    case 'channel_not_found':
      return ' (no such channel, or the bot cannot see it)';
    case 'invalid_name_specials':
    case 'invalid_name':
      return ' (channel names are lowercase letters, digits, - and _)';
    case 'ratelimited':
      return ' (rate limited)';
    default:
      return '';
  }
}
