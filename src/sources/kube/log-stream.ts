// One container's logs as a stream (`kubectl logs [-f] [-p] [--since] [--tail] -c`), through
// client-node's Log. Lines are always asked for with timestamps, so a dropped follow resumes from
// the last line's time without repeating it, and showing timestamps is only a matter of display.
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { Log } from '@kubernetes/client-node';
import type { KubeClients } from './client.js';
import { toKubeError } from './errors.js';

export interface LogEntry {
  /** The API server's RFC3339 timestamp of the line ('' if it had none). */
  ts: string;
  text: string;
}

export interface LogStreamOptions {
  container: string;
  follow: boolean;
  previous?: boolean;
  sinceSeconds?: number;
  tailLines?: number;
  /** Resume after these lines (the last ones already shown): asks from the last one's time and drops what repeats. */
  after?: LogEntry[];
}

export interface LogStreamEvents {
  lines(entries: LogEntry[]): void;
  /** The stream is over on its own (a snapshot read, or the followed container exited); not called after stop(). */
  ended(message: string): void;
  /** It could not be read; not called after stop(). */
  failed(message: string): void;
  /** The API server answered: the lines (if any) follow. */
  opened?(): void;
  /** The connection dropped while the container still runs; one reconnect follows. */
  reconnecting?(): void;
}

export interface LogStream {
  stop(): void;
  /** Settles when the stream is over: ended, failed or stopped. */
  readonly done: Promise<void>;
}

/** Splits `2026-12-03T16:47:32.123456789Z text` as the API server prefixes lines with timestamps=true. */
export function parseLogLine(line: string): LogEntry {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})) ?(.*)$/s.exec(line);
  return m ? { ts: m[1]!, text: m[2]! } : { ts: '', text: line };
}

/** Orders two API server timestamps (RFC3339 with any fraction), so a resumed stream can skip what came before. */
export function compareTs(a: string, b: string): number {
  const split = (ts: string): [number, string] => {
    const m = /^(.{19})(?:\.(\d+))?(.*)$/.exec(ts);
    return m ? [Date.parse(m[1]! + (m[3] || 'Z')), (m[2] ?? '').padEnd(9, '0')] : [NaN, ''];
  };
  const [sa, fa] = split(a);
  const [sb, fb] = split(b);
  if (sa !== sb) return sa < sb ? -1 : 1;
  return fa < fb ? -1 : fa > fb ? 1 : 0;
}

/** The last lines shown that carry the last line's timestamp: what a stream resumed from that time repeats. */
export function overlapOf(shown: LogEntry[]): LogEntry[] {
  const last = shown[shown.length - 1];
  if (!last?.ts) return [];
  let i = shown.length - 1;
  while (i > 0 && shown[i - 1]!.ts === last.ts) i--;
  return shown.slice(i);
}

/** Why a followed container's stream ended, from its status (or null if it still runs as before). */
async function exitReason(c: KubeClients, ns: string, pod: string, container: string, containerId: string | undefined): Promise<string | null> {
  let p;
  try {
    p = await c.core.readNamespacedPod({ name: pod, namespace: ns }, c.opts());
  } catch (e) {
    const err = toKubeError(e, `read pod ${ns}/${pod}`, c.server);
    return err.kind === 'not-found' ? `pod ${pod} is gone` : null;
  }
  if (p.metadata?.deletionTimestamp) return `pod ${pod} is being deleted`;
  const st = p.status?.containerStatuses?.find((s) => s.name === container);
  if (!st) return `container ${container} is gone`;
  if (st.state?.running && (containerId === undefined || st.containerID === containerId)) return null;
  const t = st.state?.terminated ?? st.lastState?.terminated;
  const now = st.state?.waiting?.reason ? `, now ${st.state.waiting.reason}` : st.state?.running ? ', now restarted' : '';
  if (t) return `container ${container} exited (${t.reason ?? 'terminated'}, exit code ${t.exitCode})${now}`;
  if (st.state?.waiting) return `container ${container} is ${st.state.waiting.reason ?? 'waiting'}`;
  return `container ${container} restarted`;
}

async function runningContainerId(c: KubeClients, ns: string, pod: string, container: string): Promise<string | undefined> {
  try {
    const p = await c.core.readNamespacedPod({ name: pod, namespace: ns }, c.opts());
    const st = p.status?.containerStatuses?.find((s) => s.name === container);
    return st?.state?.running ? st.containerID : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads (or follows) one container's log. A follow whose connection ends or drops while the
 * container still runs reconnects once from the last line's time; a second drop without a new
 * line in between, or the container exiting, ends it.
 */
export function streamPodLogs(c: KubeClients, ns: string, pod: string, opts: LogStreamOptions, ev: LogStreamEvents): LogStream {
  const log = new Log(c.kc);
  let stopped = false;
  let abort: AbortController | null = null;
  let settle!: () => void;
  const done = new Promise<void>((r) => (settle = r));
  let overlap = opts.after ? overlapOf(opts.after) : [];
  let shown: LogEntry[] = opts.after ? [...overlap] : [];
  let retried = false;
  let containerId: string | undefined;

  const finish = (fn?: () => void) => {
    if (stopped) return;
    stopped = true;
    fn?.();
    settle();
  };

  /** The server's own words for a request Log only reports as failed. */
  const explain = async (err: unknown): Promise<string> => {
    try {
      await c.core.readNamespacedPodLog({ name: pod, namespace: ns, container: opts.container, previous: opts.previous, tailLines: 1 }, c.opts());
    } catch (e) {
      return toKubeError(e, `read logs of ${ns}/${pod}`, c.server).message;
    }
    return toKubeError(err, `read logs of ${ns}/${pod}`, c.server).message;
  };

  /**
   * The API server passes sinceTime on with whole seconds, so a resumed stream starts with lines
   * already shown (or left out by the tail): skip those before the last shown line's time, and
   * those at that time which were shown.
   */
  const accept = (entries: LogEntry[]) => {
    let i = 0;
    const last = overlap[overlap.length - 1];
    while (last && i < entries.length) {
      const e = entries[i]!;
      const order = e.ts ? compareTs(e.ts, last.ts) : 0;
      const seen = order === 0 ? overlap.findIndex((o) => o.text === e.text && o.ts === (e.ts || o.ts)) : -1;
      if (order > 0 || (order === 0 && seen < 0)) break;
      if (seen >= 0) overlap = overlap.filter((_, k) => k !== seen);
      i++;
      if (!overlap.length) break;
    }
    if (i < entries.length) overlap = [];
    const fresh = i ? entries.slice(i) : entries;
    if (!fresh.length) return;
    retried = false;
    shown = overlapOf([...shown, ...fresh]);
    ev.lines(fresh);
  };

  const connect = async (resume: boolean) => {
    let partial = '';
    let over = false;
    const closed = (dropped: boolean) => {
      if (over) return;
      over = true;
      // A cut line comes again whole when the stream resumes; a clean end's last line may lack its newline.
      if (partial && !dropped) accept([parseLogLine(partial)]);
      partial = '';
      abort = null;
      void afterEnd(dropped);
    };
    const utf8 = new StringDecoder('utf8');
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (!stopped) {
          const text = partial + utf8.write(chunk);
          const parts = text.split('\n');
          partial = parts.pop() ?? '';
          if (parts.length) accept(parts.map((l) => parseLogLine(l.replace(/\r$/, ''))));
        }
        cb();
      },
    });
    // Log pipes the response body into the sink; a dropped connection errors the body, not the sink.
    sink.on('pipe', (src) => src.on('error', () => closed(true)));
    sink.on('finish', () => closed(false));
    const last = shown[shown.length - 1];
    const since = resume && last?.ts ? { sinceTime: last.ts } : { sinceSeconds: opts.sinceSeconds, tailLines: opts.tailLines };
    // Log has no timeout of its own until the response starts.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), c.timeoutMs)));
    const request = log.log(ns, pod, opts.container, sink, { follow: opts.follow, previous: opts.previous, timestamps: true, ...since });
    try {
      const ctl = await Promise.race([request, timeout]);
      if (ctl === 'timeout') {
        over = true;
        void request.then(
          (late) => late.abort(),
          () => undefined,
        );
        return finish(() => ev.failed(`timed out: the Kubernetes API${c.server ? ` at ${c.server}` : ''} did not answer the log request in ${Math.round(c.timeoutMs / 1000)} s`));
      }
      if (stopped) ctl.abort();
      else {
        abort = ctl;
        ev.opened?.();
      }
    } catch (e) {
      if (over || stopped) return;
      over = true;
      const message = await explain(e);
      finish(() => ev.failed(message));
    } finally {
      clearTimeout(timer);
    }
  };

  const afterEnd = async (dropped: boolean) => {
    if (stopped) return;
    if (!opts.follow) return finish(() => ev.ended('end of log'));
    const why = await exitReason(c, ns, pod, opts.container, containerId);
    if (stopped) return;
    if (why !== null) return finish(() => ev.ended(`stream ended: ${why}`));
    if (retried) return finish(() => ev.failed(`log stream ${dropped ? 'dropped' : 'closed'} again while ${opts.container} still runs; press f to follow again`));
    retried = true;
    overlap = [...shown];
    ev.reconnecting?.();
    await connect(true);
  };

  void (async () => {
    if (opts.follow && !opts.previous) containerId = await runningContainerId(c, ns, pod, opts.container);
    if (stopped) return;
    await connect(Boolean(opts.after?.length));
  })();

  return {
    stop() {
      if (stopped) return;
      stopped = true;
      abort?.abort();
      abort = null;
      settle();
    },
    done,
  };
}
