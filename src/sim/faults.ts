// Scripted misbehaviour for the loopback simulators of HTTP APIs (Slack, PagerDuty): the next
// request matching a path answers with a status (429 with any Retry-After…), hangs, drops the
// connection after reading it, does the work and then drops it, or sends a body far too large.
import type http from 'node:http';

export type FaultReply = { status: number; body?: string; headers?: Record<string, string> } | 'hang' | 'drop' | 'process-then-drop' | { huge: number };

export interface Fault {
  /** Matched against the request path without its query ("/api/chat.postMessage", "/incidents/P1"). */
  path: string | RegExp;
  method?: string;
  reply: FaultReply;
}

export class FaultScript {
  private readonly faults: Fault[] = [];
  private readonly held = new Set<http.ServerResponse>();

  add(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  clear(): void {
    this.faults.length = 0;
  }

  get pending(): number {
    return this.faults.length;
  }

  /** The first fault matching this request, removed from the script. */
  take(method: string, pathname: string): FaultReply | null {
    const i = this.faults.findIndex((f) => (!f.method || f.method === method) && (typeof f.path === 'string' ? f.path === pathname : f.path.test(pathname)));
    if (i < 0) return null;
    return this.faults.splice(i, 1)[0]!.reply;
  }

  /** Answers with a fault; `work` does what the request asks (for process-then-drop). */
  apply(reply: FaultReply, req: http.IncomingMessage, res: http.ServerResponse, work: () => void): void {
    if (reply === 'hang') {
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      return;
    }
    if (reply === 'drop') return void req.socket.destroy();
    if (reply === 'process-then-drop') {
      work();
      return void req.socket.destroy();
    }
    if ('huge' in reply) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let left = reply.huge;
      const pump = () => {
        while (left > 0) {
          left -= chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => {});
      return pump();
    }
    res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
    res.end(reply.body ?? '');
  }

  /** Ends hung requests (on stop). */
  release(): void {
    for (const r of this.held) r.socket?.destroy();
    this.held.clear();
  }
}

/** Reads a request body (capped at 1 MiB) and parses JSON or form-encoded arguments. */
export function readBody(req: http.IncomingMessage): Promise<{ raw: string; args: Record<string, any> }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const type = String(req.headers['content-type'] ?? '');
      let args: Record<string, any> = {};
      if (type.includes('json')) {
        try {
          const v = JSON.parse(raw || '{}');
          args = v && typeof v === 'object' ? v : {};
        } catch {
          args = { __invalid_json: true };
        }
      } else if (raw) args = Object.fromEntries(new URLSearchParams(raw));
      resolve({ raw, args });
    });
    req.on('error', () => resolve({ raw: '', args: {} }));
  });
}
