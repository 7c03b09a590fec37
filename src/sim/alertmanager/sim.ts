// A loopback Alertmanager for drills, speaking the v2 API subset a responder's tools use:
//   GET    /api/v2/status                 {cluster: {status: "ready"}, versionInfo, uptime}
//   GET    /api/v2/alerts                 the alerts the drill's Prometheus has firing, each with its
//                                         fingerprint and status {state: active|suppressed, silencedBy, inhibitedBy}
//   GET    /api/v2/silences               every silence with status.state pending|active|expired
//   POST   /api/v2/silences               create (or update, with an id) → {silenceID}; 400 with
//                                         Alertmanager's wording for a bad silence
//   GET    /api/v2/silence/{id}           one silence, 404 when unknown
//   DELETE /api/v2/silence/{id}           expire it (endsAt = now), 200
// Silences run on the wall clock (as the people creating them do); matchers are Alertmanager's:
// `isRegex` anchored on both ends, `isEqual: false` negates.
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { labelFingerprint } from '../../sources/prometheus/source.js';
import { closeNow, listenLoopback } from '../net.js';

export interface AmSimAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Epoch ms the alert became active. */
  activeAt: number;
}

interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  updatedAt: number;
}

export interface AlertmanagerSimOptions {
  /** The alerts firing now (the drill's Prometheus). */
  alerts: () => AmSimAlert[];
  now?: () => number;
}

const MAX_BODY = 1024 * 1024;

export class AlertmanagerSim {
  private server: http.Server | null = null;
  private readonly silences = new Map<string, Silence>();
  private readonly started = Date.now();
  private readonly now: () => number;
  url = '';

  constructor(private readonly opts: AlertmanagerSimOptions) {
    this.now = opts.now ?? Date.now;
  }

  async start(opts: { port?: number } = {}): Promise<this> {
    ({ server: this.server, url: this.url } = await listenLoopback((req, res) => this.handle(req, res), opts.port));
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    await closeNow(s);
  }

  /** The silences in the API's form (also for tests). */
  listSilences(): unknown[] {
    return [...this.silences.values()].map((s) => this.silenceJson(s));
  }

  private state(s: Silence, now = this.now()): 'pending' | 'active' | 'expired' {
    if (s.endsAt <= now) return 'expired';
    return s.startsAt > now ? 'pending' : 'active';
  }

  private silenceJson(s: Silence) {
    const iso = (t: number) => new Date(t).toISOString();
    return {
      id: s.id,
      matchers: s.matchers,
      startsAt: iso(s.startsAt),
      endsAt: iso(s.endsAt),
      updatedAt: iso(s.updatedAt),
      createdBy: s.createdBy,
      comment: s.comment,
      status: { state: this.state(s) },
    };
  }

  private silencedBy(labels: Record<string, string>): string[] {
    const now = this.now();
    return [...this.silences.values()].filter((s) => this.state(s, now) === 'active' && s.matchers.every((m) => matches(m, labels[m.name] ?? ''))).map((s) => s.id);
  }

  private alertsJson(): unknown[] {
    const iso = (t: number) => new Date(t).toISOString();
    return this.opts.alerts().map((a) => {
      const silencedBy = this.silencedBy(a.labels);
      return {
        labels: a.labels,
        annotations: a.annotations,
        startsAt: iso(a.activeAt),
        // Prometheus resends firing alerts with an end a few intervals ahead; they stay active until then.
        endsAt: iso(this.now() + 4 * 60_000),
        updatedAt: iso(this.now()),
        fingerprint: labelFingerprint(a.labels),
        receivers: [{ name: 'drill' }],
        status: { state: silencedBy.length ? 'suppressed' : 'active', silencedBy, inhibitedBy: [] },
        generatorURL: '',
      };
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      try {
        if (size > MAX_BODY) return text(res, 413, 'request body too large');
        this.route(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        text(res, 500, e instanceof Error ? e.message : String(e));
      }
    });
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    if (path === '/api/v2/status' && method === 'GET') {
      return json(res, 200, {
        cluster: { status: 'ready', peers: [] },
        versionInfo: { version: '0.27.0-warroom-drill' },
        config: { original: '' },
        uptime: new Date(this.started).toISOString(),
      });
    }
    if (path === '/api/v2/alerts' && method === 'GET') return json(res, 200, this.alertsJson());
    if (path === '/api/v2/silences' && method === 'GET') return json(res, 200, this.listSilences());
    if (path === '/api/v2/silences' && method === 'POST') return this.postSilence(res, body);
    const one = /^\/api\/v2\/silence\/([^/]+)$/.exec(path);
    if (one) {
      const s = this.silences.get(decodeURIComponent(one[1]!));
      if (method === 'GET') return s ? json(res, 200, this.silenceJson(s)) : text(res, 404, `silence ${one[1]} not found`);
      if (method === 'DELETE') {
        if (!s) return text(res, 404, `silence ${one[1]} not found`);
        const now = this.now();
        if (this.state(s, now) !== 'expired') Object.assign(s, { endsAt: Math.max(s.startsAt, now), updatedAt: now });
        res.writeHead(200).end();
        return;
      }
    }
    text(res, 404, 'not found');
  }

  private postSilence(res: http.ServerResponse, body: string): void {
    let v: any;
    try {
      v = JSON.parse(body);
    } catch {
      return text(res, 400, 'parsing silence body failed');
    }
    const problem = invalidSilence(v);
    if (problem) return text(res, 400, problem);
    const now = this.now();
    const startsAt = Math.max(Date.parse(v.startsAt), now);
    const endsAt = Date.parse(v.endsAt);
    if (endsAt <= now) return text(res, 400, "silence invalid: end time can't be in the past");
    const id = typeof v.id === 'string' && v.id && this.silences.has(v.id) ? v.id : randomUUID();
    const matchers: Matcher[] = v.matchers.map((m: any) => ({ name: m.name, value: m.value, isRegex: m.isRegex === true, isEqual: m.isEqual !== false }));
    this.silences.set(id, { id, matchers, startsAt, endsAt, createdBy: v.createdBy, comment: v.comment, updatedAt: now });
    json(res, 200, { silenceID: id });
  }
}

/** Alertmanager's own checks of a posted silence, with its wording. */
function invalidSilence(v: any): string | null {
  if (!v || typeof v !== 'object') return 'silence invalid: not an object';
  if (!Array.isArray(v.matchers) || v.matchers.length === 0) return 'silence invalid: at least one matcher required';
  for (const m of v.matchers) {
    if (!m || typeof m.name !== 'string' || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(m.name)) return `silence invalid: invalid label name ${JSON.stringify(m?.name)}`;
    if (typeof m.value !== 'string') return `silence invalid: invalid matcher value for ${m.name}`;
    if (m.isRegex === true) {
      try {
        new RegExp(m.value);
      } catch {
        return `silence invalid: invalid regular expression ${JSON.stringify(m.value)}`;
      }
    }
  }
  if (v.matchers.every((m: any) => matches({ name: m.name, value: m.value, isRegex: m.isRegex === true, isEqual: m.isEqual !== false }, ''))) {
    return 'silence invalid: at least one matcher must not match the empty string';
  }
  const s = Date.parse(v.startsAt);
  const e = Date.parse(v.endsAt);
  if (Number.isNaN(s) || Number.isNaN(e)) return 'silence invalid: startsAt and endsAt must be RFC 3339 times';
  if (e < s) return 'silence invalid: end time must not be before start time';
  if (typeof v.createdBy !== 'string' || !v.createdBy) return 'silence invalid: creator information missing';
  if (typeof v.comment !== 'string' || !v.comment) return 'silence invalid: comment missing';
  return null;
}

function matches(m: Matcher, value: string): boolean {
  const hit = m.isRegex ? new RegExp(`^(?:${m.value})$`).test(value) : value === m.value;
  return m.isEqual ? hit : !hit;
}

function json(res: http.ServerResponse, status: number, v: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(v));
}

function text(res: http.ServerResponse, status: number, t: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${t}\n`);
}
