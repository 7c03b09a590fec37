// Counting proxies between warroom and each backend: requests and bytes per kind, seen on the
// wire. HTTP(S) for the Kubernetes API (TLS terminated with the simulator's own certificate, so
// the kubeconfig's CA still matches) and Prometheus; TCP for Postgres (frontend messages: simple
// queries and executes) and Redis (RESP command arrays).
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';

export interface Tally {
  requests: number;
  /** Bytes from the backend to warroom (responses, watch streams). */
  bytesIn: number;
  /** Bytes from warroom to the backend. */
  bytesOut: number;
}

export interface CountingProxy {
  url: string;
  port: number;
  /** Per kind; a snapshot copy. */
  snapshot(): Record<string, Tally>;
  stop(): Promise<void>;
}

const tally = (m: Map<string, Tally>, kind: string): Tally => {
  let t = m.get(kind);
  if (!t) m.set(kind, (t = { requests: 0, bytesIn: 0, bytesOut: 0 }));
  return t;
};

const copy = (m: Map<string, Tally>): Record<string, Tally> => Object.fromEntries([...m].map(([k, t]) => [k, { ...t }]));

/** An HTTP (or, with `tls`, HTTPS) reverse proxy to `target` (plain HTTP), counting per `classify(method, url)`. */
export async function httpProxy(target: string, classify: (method: string, url: string) => string, tls?: { key: string; cert: string }): Promise<CountingProxy> {
  const t = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const counts = new Map<string, Tally>();
  const sockets = new Set<net.Socket>();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const c = tally(counts, classify(req.method ?? 'GET', req.url ?? '/'));
    c.requests++;
    const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host }, agent }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.on('data', (d: Buffer) => {
        c.bytesIn += d.length;
        res.write(d);
      });
      ur.on('end', () => res.end());
      ur.on('error', () => res.destroy());
    });
    up.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.on('data', (d: Buffer) => {
      c.bytesOut += d.length;
      up.write(d);
    });
    req.on('end', () => up.end());
    // warroom closed a watch: close the upstream stream too.
    res.on('close', () => up.destroy());
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handler) : http.createServer(handler);
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    snapshot: () => copy(counts),
    stop: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
        agent.destroy();
      }),
  };
}

/** A TCP proxy to host:port; `messages` counts requests in the client's byte stream. */
export async function tcpProxy(host: string, port: number, protocol: 'postgres' | 'redis'): Promise<CountingProxy> {
  const counts = new Map<string, Tally>();
  const c = tally(counts, protocol);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, host);
    sockets.add(client);
    sockets.add(upstream);
    const count = protocol === 'postgres' ? postgresCounter() : redisCounter();
    client.on('data', (d) => {
      c.bytesOut += d.length;
      c.requests += count(d);
      upstream.write(d);
    });
    upstream.on('data', (d) => {
      c.bytesIn += d.length;
      client.write(d);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const p = (server.address() as AddressInfo).port;
  return {
    url: `tcp://127.0.0.1:${p}`,
    port: p,
    snapshot: () => copy(counts),
    stop: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** Counts simple queries ('Q') and executes ('E') in a Postgres frontend stream. */
function postgresCounter(): (d: Buffer) => number {
  let buf = Buffer.alloc(0);
  let started = false;
  return (d) => {
    buf = Buffer.concat([buf, d]);
    let n = 0;
    for (;;) {
      if (!started) {
        if (buf.length < 8) break;
        const len = buf.readInt32BE(0);
        if (buf.length < len) break;
        const code = buf.readInt32BE(4);
        buf = buf.subarray(len);
        // SSLRequest / GSSENCRequest precede the real startup message.
        if (code !== 80877103 && code !== 80877104) started = true;
        continue;
      }
      if (buf.length < 5) break;
      const len = buf.readInt32BE(1);
      if (buf.length < 1 + len) break;
      const type = String.fromCharCode(buf[0]);
      if (type === 'Q' || type === 'E') n++;
      buf = buf.subarray(1 + len);
    }
    return n;
  };
}

/** Counts command arrays in a RESP client stream. */
function redisCounter(): (d: Buffer) => number {
  let buf = Buffer.alloc(0);
  return (d) => {
    buf = Buffer.concat([buf, d]);
    let n = 0;
    for (;;) {
      const at = parseCommand(buf);
      if (at < 0) break;
      buf = buf.subarray(at);
      n++;
    }
    return n;
  };
}

/** The length of the first complete command in `b`, or -1. */
function parseCommand(b: Buffer): number {
  if (b.length === 0) return -1;
  const eol = b.indexOf('\r\n');
  if (eol < 0) return -1;
  if (b[0] !== 0x2a) return eol + 2; // an inline command
  const items = Number(b.subarray(1, eol).toString());
  let at = eol + 2;
  for (let i = 0; i < items; i++) {
    const e = b.indexOf('\r\n', at);
    if (e < 0) return -1;
    const len = Number(b.subarray(at + 1, e).toString());
    at = e + 2 + Math.max(0, len) + 2;
    if (at > b.length) return -1;
  }
  return at;
}
