// Container logs: a ring of lines per container instance, generated lazily while it runs.
import { ApiError } from './errors.js';
import type { CtrRt, Kubelet, PodRt } from './kubelet.js';

const MAX_LOG_LINES = 2000;
const INTERVAL_MS = 2000;

export interface LogLine {
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

export function appendLog(c: CtrRt, wall: number, text: string): void {
  c.logs.push({ wall, instance: c.instance, text });
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
  previous?: boolean;
  timestamps?: boolean;
}

/** What `GET pods/{name}/log` answers, with the real API server's errors. */
export function podLogs(k: Kubelet, ns: string, name: string, opts: LogOptions): string {
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
    const reason = c.phase === 'pullerr' ? 'ErrImagePull' : c.phase === 'pullbackoff' ? 'ImagePullBackOff' : 'ContainerCreating';
    throw ApiError.badRequest(`container "${cname}" in pod "${name}" is waiting to start: ${reason}`);
  }
  if (rt) materialize(k, rt, c);
  let lines = c.logs.filter((l) => l.instance === instance);
  if (opts.sinceSeconds !== undefined) {
    const cutoff = Date.now() - opts.sinceSeconds * 1000;
    lines = lines.filter((l) => l.wall >= cutoff);
  }
  if (opts.tailLines !== undefined) lines = opts.tailLines <= 0 ? [] : lines.slice(-opts.tailLines);
  return lines.map((l) => (opts.timestamps ? `${new Date(l.wall).toISOString()} ${l.text}\n` : `${l.text}\n`)).join('');
}
