// Container logs: a ring of lines per container instance, generated lazily while it runs.
import { ApiError } from './errors.js';
import type { CtrRt, Kubelet, PodRt } from './kubelet.js';

const MAX_LOG_LINES = 2000;
const INTERVAL_MS = 2000;

export interface LogLine {
  /** Increases with every line written by any container: what a follower has already sent. */
  n: number;
  wall: number;
  instance: number;
  text: string;
}

export const DEFAULT_LOG = (podName: string, seq: number, rand: () => number): string => {
  const paths = ['/api/orders', '/api/users', '/healthz', '/api/cart', '/api/search', '/metrics'];
  const codes = [200, 200, 200, 200, 201, 204, 304, 404];
  const p = paths[Math.floor(rand() * paths.length)];
  const c = codes[Math.floor(rand() * codes.length)];
  return `level=INFO msg="request handled" method=GET path=${p} status=${c} duration_ms=${1 + Math.floor(rand() * 80)} seq=${seq} pod=${podName}`;
};

let written = 0;

export function appendLog(c: CtrRt, wall: number, text: string): void {
  c.logs.push({ n: ++written, wall, instance: c.instance, text });
  if (c.logs.length > MAX_LOG_LINES) c.logs.splice(0, c.logs.length - MAX_LOG_LINES);
}

/** Lines due since the last read, one every 2 sim seconds while the container runs. */
function materialize(k: Kubelet, rt: PodRt, c: CtrRt): void {
  if (c.phase !== 'running') return;
  const now = k.clock.now();
  const due = Math.floor((now - c.lastLogSim) / INTERVAL_MS);
  if (due <= 0) return;
  const gen = k.behaviorOf(c.image).logLine ?? DEFAULT_LOG;
  const first = Math.max(0, due - 500);
  for (let i = first; i < due; i++) {
    const simT = c.lastLogSim + (i + 1) * INTERVAL_MS;
    let text: string;
    try {
      text = gen(rt.name, ++c.logSeq, k.rand);
    } catch {
      text = `level=INFO seq=${c.logSeq}`;
    }
    appendLog(c, Math.round(k.clock.toWall(simT)), text);
  }
  c.lastLogSim += due * INTERVAL_MS;
}

export interface LogOptions {
  container?: string;
  tailLines?: number;
  sinceSeconds?: number;
  /** RFC3339; lines at or after it (the kubelet compares at the precision given). */
  sinceTime?: string;
  previous?: boolean;
  timestamps?: boolean;
}

interface LogTarget {
  rt: PodRt | undefined;
  c: CtrRt;
  instance: number;
}

/** The container instance a log request reads, with the real API server's errors. */
function logTarget(k: Kubelet, ns: string, name: string, opts: LogOptions): LogTarget {
  if (opts.sinceSeconds !== undefined && opts.sinceTime !== undefined) throw ApiError.badRequest('at most one of `sinceTime` or `sinceSeconds` may be specified');
  if (opts.sinceSeconds !== undefined && opts.sinceSeconds < 1) throw ApiError.badRequest('sinceSeconds: Invalid value: must be greater than 0');
  if (opts.tailLines !== undefined && opts.tailLines < 0) throw ApiError.badRequest('tailLines: Invalid value: must be greater than or equal to 0');
  if (opts.sinceTime !== undefined && Number.isNaN(Date.parse(opts.sinceTime)))
    throw ApiError.badRequest(`parsing time "${opts.sinceTime}" as "2006-01-02T15:04:05Z07:00": cannot parse`);
  const pod = k.store.peek('pods', ns, name);
  if (!pod) throw ApiError.notFound('pods', '', name);
  const rt = k.runtime(ns, name);
  const names = (pod.spec.containers ?? []).map((c: any) => c.name);
  let cname = opts.container;
  if (!cname) {
    if (names.length !== 1) throw ApiError.badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
    cname = names[0];
  }
  const c = rt?.containers.find((x) => x.name === cname);
  if (!names.includes(cname) || !c) throw ApiError.badRequest(`container ${cname} is not valid for pod ${name}`);
  let instance = c.instance;
  if (opts.previous) {
    instance = c.phase === 'running' ? c.instance - 1 : c.instance;
    if (c.restartCount === 0 || instance < 1) throw ApiError.badRequest(`previous terminated container "${cname}" in pod "${name}" not found`);
  } else if (c.instance === 0 || (c.phase !== 'running' && c.phase !== 'backoff')) {
    // The kubelet's own words for the common waiting reasons.
    const why = c.phase === 'pullerr' ? "image can't be pulled" : c.phase === 'pullbackoff' ? 'trying and failing to pull image' : 'ContainerCreating';
    throw ApiError.badRequest(`container "${cname}" in pod "${name}" is waiting to start: ${why}`);
  }
  return { rt, c, instance };
}

// The API server passes sinceTime on to the kubelet as RFC3339 without fractions, so the cutoff is its whole second.
const sinceTimeCutoff = (t: string): number => Math.floor(Date.parse(t) / 1000) * 1000;

function selectLines(k: Kubelet, t: LogTarget, opts: LogOptions): LogLine[] {
  if (t.rt) materialize(k, t.rt, t.c);
  let lines = t.c.logs.filter((l) => l.instance === t.instance);
  const cutoff = opts.sinceSeconds !== undefined ? Date.now() - opts.sinceSeconds * 1000 : opts.sinceTime !== undefined ? sinceTimeCutoff(opts.sinceTime) : undefined;
  if (cutoff !== undefined) lines = lines.filter((l) => l.wall >= cutoff);
  if (opts.tailLines !== undefined) lines = opts.tailLines <= 0 ? [] : lines.slice(-opts.tailLines);
  return lines;
}

const format = (lines: LogLine[], timestamps: boolean | undefined): string =>
  lines.map((l) => (timestamps ? `${new Date(l.wall).toISOString()} ${l.text}\n` : `${l.text}\n`)).join('');

/** What `GET pods/{name}/log` answers, with the real API server's errors. */
export function podLogs(k: Kubelet, ns: string, name: string, opts: LogOptions): string {
  const t = logTarget(k, ns, name, opts);
  return format(selectLines(k, t, opts), opts.timestamps);
}

const FOLLOW_POLL_MS = 200;

/**
 * `GET pods/{name}/log?follow=true` as the kubelet serves it: what `podLogs` would answer, then
 * each new line of the same container instance as it is written, until that instance exits (a
 * crash, or the pod going away); then `end` is called. Errors are thrown before anything is written.
 * Returns a function that stops following (the client went away).
 */
export function followLogs(k: Kubelet, ns: string, name: string, opts: LogOptions, write: (text: string) => void, end: () => void): () => void {
  const t = logTarget(k, ns, name, opts);
  const first = selectLines(k, t, opts);
  if (first.length) write(format(first, opts.timestamps));
  let last = t.c.logs.findLast((l) => l.instance === t.instance)?.n ?? 0;
  const running = () => !opts.previous && t.c.instance === t.instance && t.c.phase === 'running' && k.runtime(ns, name) === t.rt && k.podExists(ns, name);
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  const poll = () => {
    const alive = running();
    if (alive && t.rt) materialize(k, t.rt, t.c);
    const fresh = t.c.logs.filter((l) => l.instance === t.instance && l.n > last);
    if (fresh.length) {
      last = fresh[fresh.length - 1]!.n;
      write(format(fresh, opts.timestamps));
    }
    if (!alive) {
      stop();
      end();
    }
  };
  if (!running()) {
    end();
    return stop;
  }
  timer = setInterval(poll, FOLLOW_POLL_MS);
  timer.unref();
  return stop;
}
