// Local HTTP servers that answer like Slack incoming webhooks and the Atlassian Statuspage API,
// with a script of replies to inject failures: an HTTP status with a body and headers, `drop`
// (socket destroyed after reading the request), `hang` (never answers: the client times out),
// `process-then-drop` (Statuspage: does the work, then destroys the socket: an unknown outcome).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Reply = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number } | 'drop' | 'hang' | 'process-then-drop';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
  at: number;
  /** What the server did: the status sent, or 'drop' / 'hang'. */
  outcome: number | 'drop' | 'hang';
}

abstract class FakeServer {
  readonly requests: ReceivedRequest[] = [];
  private readonly script: Reply[] = [];
  private server: http.Server | null = null;
  private readonly sockets = new Set<import('node:net').Socket>();
  url = '';

  /** Replies used, in order, for the next requests; afterwards the server behaves normally. */
  enqueue(...replies: Reply[]): this {
    this.script.push(...replies);
    return this;
  }

  async start(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: any = null;
        try {
          json = body ? JSON.parse(body) : null;
        } catch {
          json = null;
        }
        const rec: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json, at: Date.now(), outcome: 'hang' };
        this.requests.push(rec);
        const reply = this.matchScript(rec) ? this.script.shift() : undefined;
        if (reply === 'drop') {
          rec.outcome = 'drop';
          req.socket.destroy();
          return;
        }
        if (reply === 'hang') return;
        if (reply === 'process-then-drop') {
          this.handle(rec);
          rec.outcome = 'drop';
          req.socket.destroy();
          return;
        }
        const answer = reply ?? this.handle(rec);
        rec.outcome = answer.status;
        const send = () => {
          res.writeHead(answer.status, { 'content-type': 'text/plain', ...(answer.headers ?? {}) });
          res.end(answer.body ?? '');
        };
        if ('delayMs' in answer && answer.delayMs) setTimeout(send, answer.delayMs);
        else send();
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  protected matchScript(_rec: ReceivedRequest): boolean {
    return this.script.length > 0;
  }

  protected abstract handle(rec: ReceivedRequest): { status: number; body?: string; headers?: Record<string, string>; delayMs?: number };
}

/** Slack incoming webhook at `${url}/services/T000/B000/XXXX`: 200 "ok" for {text, blocks}. */
export class FakeSlack extends FakeServer {
  /** Delay for normal answers (lets a crash test kill the client mid-request). */
  delayMs = 0;

  get webhookUrl(): string {
    return `${this.url}/services/T000/B000/XXXXXXXX`;
  }

  protected handle(rec: ReceivedRequest) {
    if (rec.method !== 'POST' || !rec.path.startsWith('/services/')) return { status: 404, body: 'no_service' };
    if (!rec.json) return { status: 400, body: 'invalid_payload' };
    if (!rec.json.text && !rec.json.blocks) return { status: 400, body: 'no_text' };
    return { status: 200, body: 'ok', delayMs: this.delayMs };
  }

  /** The warroom update id of a post (the first block's block_id is "warroom-<id>"). */
  static updateId(rec: ReceivedRequest): string | null {
    const b = rec.json?.blocks?.[0]?.block_id as string | undefined;
    return b?.startsWith('warroom-') ? b.slice('warroom-'.length) : null;
  }

  /** Posts per update id, counting only those Slack accepted (answered 200). */
  acceptedByUpdate(): Map<string, number> {
    return countBy(
      this.requests.filter((r) => r.outcome === 200),
      FakeSlack.updateId,
    );
  }

  /** Posts per update id that reached the server at all (accepted, refused, dropped or hung). */
  receivedByUpdate(): Map<string, number> {
    return countBy(this.requests, FakeSlack.updateId);
  }

  /** Posts per update id that may have been posted: accepted, or read and then dropped or hung (not refused). */
  landedByUpdate(): Map<string, number> {
    return countBy(this.requests.filter(mayHaveLanded), FakeSlack.updateId);
  }
}

export interface FakePageIncident {
  id: string;
  name: string;
  status: string;
  components: Record<string, string>;
  metadata?: Record<string, unknown>;
  /** Newest first, as Statuspage lists them. */
  incident_updates: Array<{ status: string; body: string; created_at?: string }>;
}

/** The Statuspage REST API subset warroom uses, for one page and one API key. */
export class FakeStatuspage extends FakeServer {
  readonly incidents: FakePageIncident[] = [];
  private next = 1;

  constructor(
    readonly pageId = 'pg1',
    readonly apiKey = 'sp-key-123',
  ) {
    super();
  }

  protected handle(rec: ReceivedRequest) {
    const json = (status: number, v: unknown) => ({ status, body: JSON.stringify(v), headers: { 'content-type': 'application/json' } });
    if (rec.headers.authorization !== `OAuth ${this.apiKey}`) return json(401, { error: 'Could not authenticate' });
    const base = `/v1/pages/${this.pageId}/incidents`;
    if (rec.method === 'GET' && rec.path === `${base}/unresolved`)
      return json(
        200,
        this.incidents.filter((i) => i.status !== 'resolved'),
      );
    const inc = rec.json?.incident;
    if (rec.method === 'POST' && rec.path === base) {
      if (!inc?.name) return json(422, { error: "Name can't be blank" });
      const created: FakePageIncident = {
        id: `inc${this.next++}`,
        name: inc.name,
        status: inc.status,
        components: inc.components ?? {},
        metadata: inc.metadata ?? {},
        incident_updates: [{ status: inc.status, body: inc.body, created_at: new Date().toISOString() }],
      };
      this.incidents.push(created);
      return json(201, created);
    }
    const m = rec.path.match(new RegExp(`^${base}/([^/]+)$`));
    if (rec.method === 'GET' && m) {
      const found = this.incidents.find((i) => i.id === m[1]);
      return found ? json(200, found) : json(404, { error: 'Not found' });
    }
    if (rec.method === 'PATCH' && m) {
      const found = this.incidents.find((i) => i.id === m[1]);
      if (!found) return json(404, { error: 'Not found' });
      found.status = inc?.status ?? found.status;
      Object.assign(found.components, inc?.components ?? {});
      found.incident_updates.unshift({ status: found.status, body: inc?.body ?? '', created_at: new Date().toISOString() });
      return json(200, found);
    }
    return json(404, { error: 'Not found' });
  }
}

/** A generic JSON webhook receiver. */
export class FakeWebhook extends FakeServer {
  protected handle(rec: ReceivedRequest) {
    return rec.json ? { status: 204 } : { status: 400, body: 'bad json' };
  }

  acceptedByUpdate(): Map<string, number> {
    return countBy(
      this.requests.filter((r) => r.outcome === 204),
      (r) => r.json?.id ?? null,
    );
  }

  /** Like FakeSlack's: accepted, or read and then dropped or hung. */
  landedByUpdate(): Map<string, number> {
    return countBy(this.requests.filter(mayHaveLanded), (r) => r.json?.id ?? null);
  }
}

function mayHaveLanded(r: ReceivedRequest): boolean {
  return r.outcome === 'drop' || r.outcome === 'hang' || (typeof r.outcome === 'number' && r.outcome >= 200 && r.outcome < 300);
}

function countBy(reqs: ReceivedRequest[], key: (r: ReceivedRequest) => string | null): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of reqs) {
    const k = key(r);
    if (k) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}
