// A Slack Web API simulator on loopback, speaking the documented envelopes: every answer is HTTP
// 200 {ok: true, …} or {ok: false, error: "<code>"}, a rate limit is HTTP 429 with Retry-After.
//   POST conversations.create {name}            invalid_name_specials, name_taken
//   POST conversations.invite {channel, users}  channel_not_found, user_not_found, already_in_channel
//   POST chat.postMessage {channel, text, thread_ts?, metadata?}   not_in_channel, thread_not_found,
//        invalid_metadata_format; 1 message a second per channel, with bursts (429 beyond)
//   GET  conversations.history ?channel&limit&cursor&oldest&include_all_metadata  (newest first;
//        metadata only with include_all_metadata)
//   GET  conversations.replies ?channel&ts   GET conversations.list   GET chat.getPermalink   POST conversations.join
// Auth: `Authorization: Bearer <token>` (invalid_auth otherwise). Faults: `sim.faults.add(…)`.
import type http from 'node:http';
import { FaultScript, readBody } from '../faults.js';
import { closeNow, listenLoopback } from '../net.js';

interface Msg {
  ts: string;
  text: string;
  user: string;
  thread_ts?: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

interface Channel {
  id: string;
  name: string;
  created: number;
  members: Set<string>;
  messages: Msg[];
}

export interface SlackSimOptions {
  token: string;
  /** The workspace's users (ids like U0123), who can be invited. */
  users?: Array<{ id: string; name: string }>;
  /** Channels that exist at start (e.g. #incidents). */
  channels?: Array<{ id?: string; name: string }>;
  /** Messages a channel accepts per second, beyond a burst of `burst` (default 1/s, burst 20). */
  postsPerSecond?: number;
  burst?: number;
  port?: number;
}

export class SlackSim {
  readonly faults = new FaultScript();
  readonly channels = new Map<string, Channel>();
  /** Every call: method name and arguments (tests count posts). */
  readonly calls: Array<{ method: string; args: Record<string, any> }> = [];
  readonly botUser = 'UBOTWARROOM';
  private server: http.Server | null = null;
  private lastTs = 0;
  private seq = 0;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  url = '';

  constructor(private readonly opts: SlackSimOptions) {
    for (const c of opts.channels ?? []) this.addChannel(c.name, c.id);
  }

  get apiUrl(): string {
    return `${this.url}/api`;
  }

  addChannel(name: string, id = `C${String(this.channels.size + 1).padStart(8, '0')}`): Channel {
    const ch: Channel = { id, name, created: Math.floor(Date.now() / 1000), members: new Set([this.botUser]), messages: [] };
    this.channels.set(id, ch);
    return ch;
  }

  channelByName(name: string): Channel | undefined {
    return [...this.channels.values()].find((c) => c.name === name.replace(/^#/, ''));
  }

  async start(): Promise<this> {
    ({ server: this.server, url: this.url } = await listenLoopback((req, res) => void this.handle(req, res), this.opts.port));
    return this;
  }

  async stop(): Promise<void> {
    this.faults.release();
    const server = this.server;
    this.server = null;
    await closeNow(server);
  }

  private nextTs(): string {
    // Unique and increasing, as Slack's are within a channel: seconds, and a sequence as microseconds.
    const now = Date.now() * 1000;
    this.lastTs = Math.max(now, this.lastTs + 1);
    this.seq++;
    return `${Math.floor(this.lastTs / 1e6)}.${String(this.lastTs % 1e6).padStart(6, '0')}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const { args: bodyArgs } = await readBody(req);
    const args: Record<string, any> = { ...Object.fromEntries(url.searchParams), ...bodyArgs };
    const method = url.pathname.replace(/^\/api\//, '');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    const fault = this.faults.take(req.method ?? 'GET', url.pathname);
    let answer: { status: number; body: unknown; headers?: Record<string, string> } | null = null;
    const work = () => {
      this.calls.push({ method, args });
      answer = this.dispatch(method, args, String(req.headers.authorization ?? ''));
    };
    if (fault) return this.faults.apply(fault, req, res, work);
    work();
    const a = answer as unknown as { status: number; body: unknown; headers?: Record<string, string> };
    send(a.status, a.body, a.headers);
  }

  private dispatch(method: string, a: Record<string, any>, auth: string): { status: number; body: unknown; headers?: Record<string, string> } {
    const ok = (body: Record<string, unknown> = {}) => ({ status: 200, body: { ok: true, ...body } });
    const err = (error: string, extra: Record<string, unknown> = {}) => ({ status: 200, body: { ok: false, error, ...extra } });
    if (auth !== `Bearer ${this.opts.token}`) return err(auth ? 'invalid_auth' : 'not_authed');
    if (a.__invalid_json) return err('invalid_json');
    const channel = (id: unknown) => this.channels.get(String(id ?? '')) ?? this.channelByName(String(id ?? ''));
    const bool = (v: unknown) => v === true || v === 'true' || v === '1' || v === 1;
    switch (method) {
      case 'auth.test':
        return ok({ user_id: this.botUser, user: 'warroom' });
      case 'conversations.create': {
        const name = String(a.name ?? '');
        if (!name) return err('invalid_name_required');
        if (name.length > 80) return err('invalid_name_maxlength');
        if (!/^[a-z0-9_-]+$/.test(name)) return err('invalid_name_specials');
        if (this.channelByName(name)) return err('name_taken');
        const ch = this.addChannel(name);
        return ok({ channel: this.channelJson(ch) });
      }
      case 'conversations.invite': {
        const ch = channel(a.channel);
        if (!ch) return err('channel_not_found');
        const users = String(a.users ?? '')
          .split(',')
          .map((u) => u.trim())
          .filter(Boolean);
        if (users.length === 0) return err('no_user');
        const known = new Set((this.opts.users ?? []).map((u) => u.id));
        const bad = users.filter((u) => !known.has(u));
        if (bad.length) return err('user_not_found', { errors: bad.map((u) => ({ user: u, ok: false, error: 'user_not_found' })) });
        const fresh = users.filter((u) => !ch.members.has(u));
        if (fresh.length === 0) return err('already_in_channel');
        for (const u of fresh) ch.members.add(u);
        return ok({ channel: this.channelJson(ch) });
      }
      case 'chat.postMessage': {
        const ch = channel(a.channel);
        if (!ch) return err('channel_not_found');
        if (!ch.members.has(this.botUser)) return err('not_in_channel');
        const text = typeof a.text === 'string' ? a.text : '';
        if (!text && !a.blocks) return err('no_text');
        if (text.length > 40_000) return err('msg_too_long');
        let metadata = a.metadata;
        if (typeof metadata === 'string') {
          try {
            metadata = JSON.parse(metadata);
          } catch {
            return err('invalid_metadata_format');
          }
        }
        if (metadata !== undefined && (typeof metadata?.event_type !== 'string' || !metadata.event_payload || typeof metadata.event_payload !== 'object'))
          return err('invalid_metadata_format');
        if (a.thread_ts && !ch.messages.some((m) => m.ts === String(a.thread_ts))) return err('thread_not_found');
        if (!this.allowPost(ch.id)) return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': '1' } };
        if (a.blocks !== undefined && !Array.isArray(a.blocks)) return err('invalid_blocks_format');
        const msg: Msg = {
          ts: this.nextTs(),
          text,
          user: this.botUser,
          ...(a.thread_ts ? { thread_ts: String(a.thread_ts) } : {}),
          ...(a.blocks ? { blocks: a.blocks } : {}),
          ...(metadata ? { metadata } : {}),
        };
        ch.messages.push(msg);
        return ok({ channel: ch.id, ts: msg.ts, message: this.messageJson(msg, true) });
      }
      case 'conversations.history': {
        const ch = channel(a.channel);
        if (!ch) return err('channel_not_found');
        if (!ch.members.has(this.botUser)) return err('not_in_channel');
        const limit = Math.min(999, Math.max(1, Number(a.limit) || 100));
        const oldest = a.oldest ? Number(a.oldest) : -Infinity;
        const latest = a.latest ? Number(a.latest) : Infinity;
        const inclusive = bool(a.inclusive);
        // Top-level messages (and thread parents), newest first.
        const all = ch.messages
          .filter((m) => !m.thread_ts || m.thread_ts === m.ts)
          .filter((m) => (inclusive ? Number(m.ts) >= oldest && Number(m.ts) <= latest : Number(m.ts) > oldest && Number(m.ts) < latest))
          .reverse();
        const start = a.cursor
          ? Number(
              Buffer.from(String(a.cursor), 'base64')
                .toString()
                .replace(/^offset:/, ''),
            ) || 0
          : 0;
        const page = all.slice(start, start + limit);
        const more = start + limit < all.length;
        return ok({
          messages: page.map((m) => this.messageJson(m, bool(a.include_all_metadata), ch)),
          has_more: more,
          response_metadata: { next_cursor: more ? Buffer.from(`offset:${start + limit}`).toString('base64') : '' },
        });
      }
      case 'conversations.replies': {
        const ch = channel(a.channel);
        if (!ch) return err('channel_not_found');
        const parent = ch.messages.find((m) => m.ts === String(a.ts));
        if (!parent) return err('thread_not_found');
        const thread = ch.messages.filter((m) => m.ts === parent.ts || m.thread_ts === parent.ts);
        return ok({ messages: thread.map((m) => this.messageJson(m, bool(a.include_all_metadata), ch)), has_more: false, response_metadata: { next_cursor: '' } });
      }
      case 'conversations.join': {
        const ch = channel(a.channel);
        if (!ch) return err('channel_not_found');
        ch.members.add(this.botUser);
        return ok({ channel: this.channelJson(ch) });
      }
      case 'conversations.list':
        return ok({ channels: [...this.channels.values()].map((c) => this.channelJson(c)), response_metadata: { next_cursor: '' } });
      case 'chat.getPermalink': {
        const ch = channel(a.channel);
        if (!ch) return err('channel_not_found');
        if (!ch.messages.some((m) => m.ts === String(a.message_ts))) return err('message_not_found');
        return ok({ channel: ch.id, permalink: `https://warroom-sim.slack.com/archives/${ch.id}/p${String(a.message_ts).replace('.', '')}` });
      }
      default:
        return err('unknown_method');
    }
  }

  /** A token bucket per channel: Slack allows about one message a second per channel, with short bursts. */
  private allowPost(channel: string): boolean {
    const rate = this.opts.postsPerSecond ?? 1;
    const burst = this.opts.burst ?? 20;
    const now = Date.now();
    const b = this.buckets.get(channel) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    this.buckets.set(channel, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private channelJson(c: Channel) {
    return { id: c.id, name: c.name, is_channel: true, is_private: false, is_archived: false, created: c.created, num_members: c.members.size };
  }

  private messageJson(m: Msg, withMetadata: boolean, ch?: Channel) {
    const replies = ch ? ch.messages.filter((x) => x.thread_ts === m.ts && x.ts !== m.ts).length : 0;
    return {
      type: 'message',
      user: m.user,
      text: m.text,
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ts: m.ts,
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : replies ? { thread_ts: m.ts, reply_count: replies } : {}),
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    };
  }
}
